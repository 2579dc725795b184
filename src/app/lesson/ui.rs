//! The lesson's parts of the window: the File menu (Save, Open…, Recent),
//! Ctrl+S / Ctrl+O, files dropped on the window, the picker, and the
//! banner (a recording is shown, a file is being read, an open failed).

use std::sync::atomic::Ordering;

use egui::RichText;

use super::{LessonCommand, Message, RecordingKind};
use crate::app::i18n::fill;
use crate::app::tools::file_picker;
use crate::app::{Command, T, UdpLabApp};
use crate::lab::i18n::Lang;

/// Ctrl+S (Cmd+S on a Mac): save the session.
pub const SAVE: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::S);
/// Ctrl+O: open a lesson or a capture.
pub const OPEN: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::O);

impl super::LessonState {
    /// A foreign capture is shown (datagrams, no calls).
    pub fn shows_capture(&self) -> bool {
        matches!(
            self.recording.as_ref().map(|r| &r.kind),
            Some(RecordingKind::Capture { .. })
        )
    }
}

/// Where Open… starts: the recent file's folder, else the output folder.
fn open_dir(app: &UdpLabApp) -> std::path::PathBuf {
    app.settings
        .recent_files
        .first()
        .map(|p| file_picker::start_dir(p))
        .unwrap_or_else(|| app.tools.output_dir())
}

/// Ctrl+S and Ctrl+O (after the toolbar took Ctrl+Shift+S), and a file
/// dropped on the window (a .py file is the scripts window's).
pub fn keys(ctx: &egui::Context, app: &mut UdpLabApp) {
    if ctx.input_mut(|i| i.consume_shortcut(&SAVE)) {
        app.act(Command::Lesson(LessonCommand::Save));
    }
    if ctx.input_mut(|i| i.consume_shortcut(&OPEN)) {
        let dir = open_dir(app);
        app.act(Command::Lesson(LessonCommand::Browse(Some(dir))));
    }
    let dropped = ctx.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .find(|p| !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("py")))
    });
    if let Some(path) = dropped {
        app.act(Command::Lesson(LessonCommand::Open(path)));
    }
}

/// The toolbar's File menu.
pub fn file_menu_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    ui.menu_button(t(T::LessonFile), |ui| {
        let dir = app.tools.output_dir();
        let nothing = app.session.trace.is_empty() && app.session.datagrams.is_empty();
        let save = ui
            .add_enabled(
                !nothing,
                egui::Button::new(t(T::LessonSave)).shortcut_text(ui.ctx().format_shortcut(&SAVE)),
            )
            .on_hover_text(fill(t(T::LessonSaveHint), &[("dir", &dir.display())]))
            .on_disabled_hover_text(t(T::LessonNothingToSave));
        if save.clicked() {
            app.act(Command::Lesson(LessonCommand::Save));
            ui.close();
        }
        let open = ui
            .add(egui::Button::new(t(T::LessonOpen)).shortcut_text(ui.ctx().format_shortcut(&OPEN)))
            .on_hover_text(t(T::LessonOpenHint));
        if open.clicked() {
            let dir = open_dir(app);
            app.act(Command::Lesson(LessonCommand::Browse(Some(dir))));
            ui.close();
        }
        if !app.settings.recent_files.is_empty() {
            ui.separator();
            ui.weak(t(T::LessonRecent));
            for path in app.settings.recent_files.clone() {
                let name = std::path::Path::new(&path)
                    .file_name()
                    .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
                if ui.button(name).on_hover_text(&path).clicked() {
                    app.act(Command::Lesson(LessonCommand::Open(path.into())));
                    ui.close();
                }
            }
        }
    });
}

/// The picker, while open.
pub fn picker_ui(ctx: &egui::Context, app: &mut UdpLabApp) {
    if let Some(picker) = &app.lesson.picker {
        let mut commands = Vec::new();
        file_picker::file_picker_ui(ctx, picker, app.lang, &mut commands);
        for c in commands {
            app.act(c);
        }
    }
}

/// The banner under the toolbar: a file being read (progress, Cancel), a
/// recording shown (Back to live), or why the last open failed.
pub fn banner_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let lesson = &app.lesson;
    if lesson.opening.is_none() && lesson.recording.is_none() && lesson.message.is_none() {
        return;
    }
    egui::Panel::top("udp-lab-lesson-banner").show(ui, |ui| {
        let lang = app.lang;
        let t = |k: T| k.get(lang);
        let reading = app.lesson.opening.as_ref().map(|o| {
            (
                file_name(&o.path),
                o.progress.done.load(Ordering::Relaxed),
                o.progress.total.load(Ordering::Relaxed),
            )
        });
        if let Some((file, done, total)) = reading {
            ui.horizontal(|ui| {
                ui.label(fill(t(T::LessonOpening), &[("file", &file)]));
                let share = if total > 0 {
                    done as f32 / total as f32
                } else {
                    0.0
                };
                ui.add(
                    egui::ProgressBar::new(share)
                        .desired_width(200.0)
                        .show_percentage(),
                );
                if ui.button(t(T::LessonCancel)).clicked() {
                    app.act(Command::Lesson(LessonCommand::CancelOpen));
                }
            });
        }
        if let Some(message) = app.lesson.message.clone() {
            ui.horizontal_wrapped(|ui| {
                let text = message_text(lang, &message);
                match message {
                    Message::OpenFailed { .. } => {
                        ui.colored_label(crate::app::style::error_color(ui), text)
                    }
                    Message::BackToLive { .. } => ui.label(text),
                };
                if ui.small_button("✕").accessible_name(t(T::Close)).clicked() {
                    app.act(Command::Lesson(LessonCommand::CloseMessage));
                }
            });
        }
        if let Some(recording) = &app.lesson.recording {
            let text = recording_text(lang, recording);
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(text).strong());
                if ui
                    .button(t(T::LessonBackToLive))
                    .on_hover_text(t(T::LessonBackToLiveHint))
                    .clicked()
                {
                    app.act(Command::Lesson(LessonCommand::BackToLive));
                }
            });
        }
    });
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// What the banner says about a message.
pub fn message_text(lang: Lang, message: &Message) -> String {
    match message {
        Message::OpenFailed { path, error } => fill(
            T::LessonOpenFailed.get(lang),
            &[("file", &file_name(path)), ("reason", error)],
        ),
        Message::BackToLive { path } => fill(
            T::LessonBackedToLive.get(lang),
            &[("file", &file_name(path))],
        ),
    }
}

/// "Recording: lesson.pcapng — saved 2026-12-04 21:40" or "Capture:
/// lo.pcap — 40 UDP datagrams; 312 TCP, 4 ARP skipped".
pub fn recording_text(lang: Lang, recording: &super::Recording) -> String {
    let t = |k: T| k.get(lang);
    let file = file_name(&recording.path);
    match &recording.kind {
        RecordingKind::Session {
            saved_at,
            events_dropped,
        } => {
            let local: chrono::DateTime<chrono::Local> = (*saved_at).into();
            let when = local.format("%Y-%m-%d %H:%M:%S").to_string();
            let mut text = fill(
                t(T::LessonBannerSession),
                &[("file", &file), ("when", &when)],
            );
            if *events_dropped > 0 {
                text.push_str(&fill(t(T::LessonEventsDropped), &[("n", events_dropped)]));
            }
            text
        }
        RecordingKind::Capture {
            udp,
            left_out,
            skipped,
            ..
        } => {
            let mut text = fill(t(T::LessonBannerCapture), &[("file", &file), ("udp", udp)]);
            if !skipped.is_empty() {
                let list = skipped
                    .iter()
                    .map(|(what, n)| {
                        format!("{n} {}", crate::lab::capture::skipped_name(what, lang))
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                text.push_str(&fill(t(T::LessonSkipped), &[("list", &list)]));
            }
            if *left_out > 0 {
                text.push_str(&fill(t(T::LessonLeftOut), &[("n", left_out)]));
            }
            text
        }
    }
}
