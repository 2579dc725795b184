//! The toolbar: title, language, theme, presentation mode, "This computer",
//! screenshot and exports; and the notice that says where a file went.
//! Slow work (encoding a PNG, writing a file, listing interfaces) runs on
//! worker threads that report back as [`Job`]s.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::export::{self, ExportKind};
use super::i18n::fill;
use super::{Lang, Settings, T, UdpLabApp, presentation, screenshot, this_computer};

/// Success notices go away after this (unless the pointer is on them);
/// failures stay until closed.
const NOTICE_LIFETIME: Duration = Duration::from_secs(20);

/// The toolbar's part of the saved settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ToolSettings {
    /// Presentation mode: zoom, thick lines, high contrast.
    pub presentation: bool,
    /// The theme to go back to when presentation mode ends.
    pub theme_before_presentation: Option<egui::ThemePreference>,
    /// Leave the toolbar out of screenshots.
    pub screenshot_hide_toolbar: bool,
}

/// What a saved file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    Screenshot,
    Csv,
    Pcap,
}

/// A result from a worker thread.
pub enum Job {
    Captured(Arc<egui::ColorImage>),
    Saved {
        what: Saved,
        dir: PathBuf,
        result: io::Result<PathBuf>,
        /// The picture, for "Copy image".
        image: Option<Arc<egui::ColorImage>>,
    },
    Addresses(io::Result<Vec<this_computer::Address>>),
    /// "Open folder" ended: the error, in words, when it failed.
    Revealed {
        path: PathBuf,
        result: Result<(), RevealError>,
    },
}

/// Why the file manager could not show a saved file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevealError {
    FileGone,
    /// No program could be started (no file manager, no xdg-open).
    NoFileManager(String),
    Other(String),
}

impl RevealError {
    fn from_opener(e: &opener::OpenError) -> Self {
        match e {
            opener::OpenError::Io(io) if io.kind() == io::ErrorKind::NotFound => Self::FileGone,
            opener::OpenError::Spawn { cmds, source } => {
                Self::NoFileManager(format!("{cmds}: {source}"))
            }
            other => Self::Other(other.to_string()),
        }
    }
}

pub enum NoticeKind {
    Saved {
        what: Saved,
        path: PathBuf,
        image: Option<Arc<egui::ColorImage>>,
        copied: bool,
        /// "Open folder" failed: said under the notice, which stays.
        reveal_failed: Option<RevealError>,
    },
    SaveFailed {
        what: Saved,
        dir: PathBuf,
        kind: io::ErrorKind,
        message: String,
    },
    ScreenshotNotDelivered,
}

impl NoticeKind {
    fn is_failure(&self) -> bool {
        !matches!(self, NoticeKind::Saved { .. })
    }
}

pub struct Notice {
    pub kind: NoticeKind,
    since: Instant,
}

/// What the tools keep while the app runs (not saved).
pub struct ToolsState {
    /// Where screenshots and exports go instead of the Pictures folder (the
    /// tests, or the UDP_LAB_OUTPUT_DIR environment variable).
    pub output_dir: Option<PathBuf>,
    pub screenshot: screenshot::ScreenshotState,
    pub this_computer: this_computer::ThisComputer,
    pub presentation: presentation::PresentationState,
    pub notice: Option<Notice>,
    pub(super) jobs_tx: Sender<Job>,
    jobs_rx: Receiver<Job>,
}

impl ToolsState {
    /// Also applies the saved presentation mode to the context.
    pub fn new(ctx: &egui::Context, settings: &Settings) -> Self {
        let (jobs_tx, jobs_rx) = mpsc::channel();
        let mut tools = Self {
            output_dir: std::env::var_os("UDP_LAB_OUTPUT_DIR")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            screenshot: Default::default(),
            this_computer: Default::default(),
            presentation: Default::default(),
            notice: None,
            jobs_tx,
            jobs_rx,
        };
        presentation::apply_at_start(ctx, settings.tools.presentation, &mut tools.presentation);
        tools
    }

    pub fn show(&mut self, kind: NoticeKind) {
        self.notice = Some(Notice {
            kind,
            since: Instant::now(),
        });
    }

    /// The folder files are saved to.
    pub fn output_dir(&self) -> PathBuf {
        export::output_dir(self.output_dir.as_deref())
    }
}

/// The toolbar panel, the notice and the "This computer" box; call first in
/// `ui`, before the other panels.
pub fn toolbar_panel_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let ctx = ui.ctx().clone();
    poll_jobs(&ctx, app);
    if ctx.input_mut(|i| i.consume_shortcut(&screenshot::SHORTCUT)) {
        screenshot::request(&ctx, &mut app.tools);
    }
    screenshot::check_timeout(&ctx, &mut app.tools);
    let capturing = app.tools.screenshot.capturing();
    if !(capturing && app.settings.tools.screenshot_hide_toolbar) {
        egui::Panel::top("toolbar").show(ui, |ui| toolbar_ui(ui, app));
    }
    if !capturing {
        notice_area(&ctx, app);
    }
    this_computer::show_window(&ctx, app);
}

fn poll_jobs(ctx: &egui::Context, app: &mut UdpLabApp) {
    while let Ok(job) = app.tools.jobs_rx.try_recv() {
        match job {
            Job::Captured(image) => screenshot::on_captured(ctx, &mut app.tools, image),
            Job::Saved {
                what,
                dir,
                result,
                image,
            } => app.tools.show(match result {
                Ok(path) => NoticeKind::Saved {
                    what,
                    path,
                    image,
                    copied: false,
                    reveal_failed: None,
                },
                Err(e) => NoticeKind::SaveFailed {
                    what,
                    dir,
                    kind: e.kind(),
                    message: e.to_string(),
                },
            }),
            Job::Addresses(result) => {
                this_computer::on_addresses(&mut app.tools.this_computer, result)
            }
            Job::Revealed { path, result } => {
                if let Some(Notice {
                    kind:
                        NoticeKind::Saved {
                            path: shown,
                            reveal_failed,
                            ..
                        },
                    since,
                }) = &mut app.tools.notice
                    && *shown == path
                {
                    *reveal_failed = result.err();
                    *since = Instant::now();
                }
            }
        }
    }
}

/// Below this width the tools go into a menu, so the toolbar stays one row
/// and the panels keep their room.
const COMPACT_BELOW: f32 = 640.0;

/// Below this height (in points) too: a projector at presentation mode's
/// zoom (1024×768 is 512 points high) needs every row for the panels.
const COMPACT_BELOW_HEIGHT: f32 = 600.0;

fn toolbar_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let compact = ui.available_width() < COMPACT_BELOW
        || ui.ctx().content_rect().height() < COMPACT_BELOW_HEIGHT;
    ui.horizontal_wrapped(|ui| {
        ui.heading(egui::RichText::new(app.t(T::AppTitle)).strong());
        ui.separator();
        // Each language in its own name: no label needed to find yours.
        for lang in Lang::ALL {
            let r = ui
                .selectable_label(app.lang == lang, lang.native_name())
                .on_hover_text(app.t(T::Language));
            if r.clicked() {
                app.lang = lang;
                app.settings.lang = Some(lang);
            }
        }
        ui.separator();
        if compact {
            ui.menu_button(app.t(T::Tools), |ui| tools_ui(ui, app, true));
        } else {
            tools_ui(ui, app, false);
        }
    });
}

/// Theme, presentation mode, "This computer", screenshot and exports: in
/// the toolbar's row, or down a menu in a narrow window.
fn tools_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, in_menu: bool) {
    theme_ui(ui, app, in_menu);
    ui.separator();
    let mut presenting = app.settings.tools.presentation;
    let r = ui
        .checkbox(&mut presenting, app.t(T::Presentation))
        .on_hover_text(app.t(T::PresentationHint));
    if r.clicked() {
        presentation::set(ui.ctx(), app, presenting);
    }
    ui.separator();
    let open = app.tools.this_computer.open;
    if ui
        .selectable_label(open, app.t(T::ThisComputer))
        .on_hover_text(app.t(T::ThisComputerHint))
        .clicked()
    {
        this_computer::toggle(ui.ctx(), app);
        ui.close();
    }
    ui.separator();
    let dir = app.tools.output_dir();
    let shown = dir.display();
    row_ui(ui, in_menu, |ui| {
        if ui
            .button(app.t(T::Screenshot))
            .on_hover_text(fill(app.t(T::ScreenshotHint), &[("dir", &shown)]))
            .clicked()
        {
            screenshot::request(ui.ctx(), &mut app.tools);
            // Out of the picture, which is the next frame.
            ui.close();
        }
        let label = app.t(T::ScreenshotNoToolbar);
        ui.checkbox(&mut app.settings.tools.screenshot_hide_toolbar, label)
            .accessible_name(app.t(T::ScreenshotNoToolbarName));
    });
    ui.separator();
    let count = app.session.datagrams.len();
    row_ui(ui, in_menu, |ui| {
        ui.label(app.t(T::Export));
        for (kind, text, name) in [
            (ExportKind::Csv, "CSV", T::ExportCsv),
            (ExportKind::Pcap, "pcap", T::ExportPcap),
        ] {
            let r = ui
                .add_enabled(count > 0, egui::Button::new(text))
                .accessible_name(app.t(name))
                .on_hover_text(fill(
                    app.t(T::ExportHint),
                    &[("count", &count), ("dir", &shown)],
                ))
                .on_disabled_hover_text(app.t(T::ExportNothing));
            if r.clicked() {
                start_export(ui.ctx(), app, kind);
                ui.close();
            }
        }
    });
}

/// Items that belong together: one row in the menu; in the toolbar they
/// go straight into its wrapping row (a nested row would be cut off at the
/// window's edge instead of wrapping).
fn row_ui(ui: &mut egui::Ui, in_menu: bool, add: impl FnOnce(&mut egui::Ui)) {
    if in_menu {
        ui.horizontal(add);
    } else {
        add(ui);
    }
}

/// System / light / dark: a drop-down in the toolbar; in the menu, where a
/// drop-down would open a popup on a popup, three choices in a row.
fn theme_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, in_menu: bool) {
    let themes = [
        (egui::ThemePreference::System, T::ThemeSystem),
        (egui::ThemePreference::Light, T::ThemeLight),
        (egui::ThemePreference::Dark, T::ThemeDark),
    ];
    let mut picked = None;
    row_ui(ui, in_menu, |ui| {
        let label = ui.label(app.t(T::Theme));
        if in_menu {
            for (theme, key) in themes {
                if ui
                    .selectable_label(app.settings.theme == theme, app.t(key))
                    .clicked()
                {
                    picked = Some(theme);
                }
            }
            return;
        }
        let current = themes
            .iter()
            .find(|(theme, _)| *theme == app.settings.theme)
            .map_or(T::ThemeSystem, |(_, key)| *key);
        egui::ComboBox::from_id_salt("udp-lab-theme")
            .width(ui.spacing().combo_width * 0.8)
            .selected_text(app.t(current))
            .show_ui(ui, |ui| {
                for (theme, key) in themes {
                    let r = ui.selectable_label(app.settings.theme == theme, app.t(key));
                    if r.clicked() {
                        picked = Some(theme);
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
    if let Some(theme) = picked {
        app.settings.theme = theme;
        // A choice made now is the one to keep after presenting.
        app.settings.tools.theme_before_presentation = None;
        ui.ctx().set_theme(theme);
    }
}

/// Copies the session's datagrams and writes them on a worker thread.
fn start_export(ctx: &egui::Context, app: &mut UdpLabApp, kind: ExportKind) {
    let datagrams: Vec<_> = app.session.datagrams.iter().cloned().collect();
    let dir = app.tools.output_dir();
    let what = match kind {
        ExportKind::Csv => Saved::Csv,
        ExportKind::Pcap => Saved::Pcap,
    };
    let tx = app.tools.jobs_tx.clone();
    let repaint = ctx.clone();
    let job_dir = dir.clone();
    let job = move || {
        let result = export::save(kind, &job_dir, &datagrams);
        let _ = tx.send(Job::Saved {
            what,
            dir: job_dir,
            result,
            image: None,
        });
        repaint.request_repaint();
    };
    if let Err(e) = std::thread::Builder::new()
        .name("udp-lab-export".into())
        .spawn(job)
    {
        app.tools.show(NoticeKind::SaveFailed {
            what,
            dir,
            kind: e.kind(),
            message: e.to_string(),
        });
    }
}

/// The notice's text, in the current language.
pub fn notice_text(lang: Lang, kind: &NoticeKind) -> String {
    let t = |k: T| k.get(lang);
    match kind {
        NoticeKind::Saved { what, path, .. } => {
            let key = match what {
                Saved::Screenshot => T::ScreenshotSaved,
                Saved::Csv => T::CsvSaved,
                Saved::Pcap => T::PcapSaved,
            };
            fill(t(key), &[("path", &path.display())])
        }
        NoticeKind::SaveFailed {
            what,
            dir,
            kind,
            message,
        } => {
            let key = match what {
                Saved::Screenshot => T::ScreenshotFailed,
                Saved::Csv => T::CsvFailed,
                Saved::Pcap => T::PcapFailed,
            };
            fill(t(key), &[("reason", &reason(lang, *kind, message, dir))])
        }
        NoticeKind::ScreenshotNotDelivered => t(T::ScreenshotNotDelivered).to_owned(),
    }
}

/// The line under a notice whose "Open folder" failed.
pub fn reveal_failed_text(lang: Lang, path: &Path, error: &RevealError) -> String {
    let t = |k: T| k.get(lang);
    let reason = match error {
        RevealError::FileGone => fill(t(T::ReasonFileGone), &[("path", &path.display())]),
        RevealError::NoFileManager(detail) => {
            fill(t(T::ReasonNoFileManager), &[("detail", detail)])
        }
        RevealError::Other(message) => message.clone(),
    };
    fill(t(T::OpenFolderFailed), &[("reason", &reason)])
}

/// Why a file could not be written, in plain words where the cause is common.
fn reason(lang: Lang, kind: io::ErrorKind, message: &str, dir: &Path) -> String {
    let t = |k: T| k.get(lang);
    let dir = dir.display();
    match kind {
        io::ErrorKind::PermissionDenied => fill(t(T::ReasonNoPermission), &[("dir", &dir)]),
        io::ErrorKind::NotFound => fill(t(T::ReasonNoFolder), &[("dir", &dir)]),
        io::ErrorKind::StorageFull => t(T::ReasonDiskFull).to_owned(),
        io::ErrorKind::ReadOnlyFilesystem => fill(t(T::ReasonReadOnly), &[("dir", &dir)]),
        _ => message.to_owned(),
    }
}

fn notice_area(ctx: &egui::Context, app: &mut UdpLabApp) {
    let Some(notice) = &app.tools.notice else {
        return;
    };
    let text = notice_text(app.lang, &notice.kind);
    let failure = notice.kind.is_failure();
    let mut close = false;
    let mut reveal = None;
    let mut copy = None;
    let area = egui::Area::new(egui::Id::unique("udp-lab-notice"))
        .order(egui::Order::Foreground)
        .anchor(egui::Align2::RIGHT_BOTTOM, [-16.0, -16.0])
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_max_width(520.0);
                let mut label = egui::RichText::new(&text);
                if failure {
                    label = label.color(super::error_color(ui));
                }
                ui.add(egui::Label::new(label).wrap());
                if let NoticeKind::Saved {
                    path,
                    reveal_failed: Some(error),
                    ..
                } = &notice.kind
                {
                    let why = reveal_failed_text(app.lang, path, error);
                    ui.add(
                        egui::Label::new(egui::RichText::new(why).color(super::warn_color(ui)))
                            .wrap(),
                    );
                }
                ui.horizontal(|ui| {
                    if let NoticeKind::Saved {
                        path,
                        image,
                        copied,
                        ..
                    } = &notice.kind
                    {
                        if ui.button(app.t(T::OpenFolder)).clicked() {
                            reveal = Some(path.clone());
                        }
                        if let Some(image) = image {
                            if ui.button(app.t(T::CopyImage)).clicked() {
                                copy = Some(Arc::clone(image));
                            }
                            if *copied {
                                ui.label(app.t(T::ImageCopied));
                            }
                        }
                    }
                    if ui.button(app.t(T::Close)).clicked() {
                        close = true;
                    }
                });
            });
        });
    let hovered = area.response.contains_pointer();
    if !failure && !hovered {
        let left = NOTICE_LIFETIME.saturating_sub(notice.since.elapsed());
        if left.is_zero() {
            close = true;
        } else {
            ctx.request_repaint_after(left);
        }
    }
    if let Some(image) = copy {
        ctx.copy_image((*image).clone());
        if let Some(Notice {
            kind: NoticeKind::Saved { copied, .. },
            since,
        }) = &mut app.tools.notice
        {
            *copied = true;
            *since = Instant::now();
        }
    }
    if let Some(path) = reveal {
        start_reveal(ctx, &mut app.tools, path);
    }
    if close {
        app.tools.notice = None;
    }
}

/// Shows the saved file, selected, in the system's file manager. On a
/// worker: asking the desktop over D-Bus can take a moment.
pub fn start_reveal(ctx: &egui::Context, tools: &mut ToolsState, path: PathBuf) {
    let tx = tools.jobs_tx.clone();
    let repaint = ctx.clone();
    let job_path = path.clone();
    let job = move || {
        let result = opener::reveal(&job_path).map_err(|e| RevealError::from_opener(&e));
        let _ = tx.send(Job::Revealed {
            path: job_path,
            result,
        });
        repaint.request_repaint();
    };
    if let Err(e) = std::thread::Builder::new()
        .name("udp-lab-open-folder".into())
        .spawn(job)
    {
        let _ = tools.jobs_tx.send(Job::Revealed {
            path,
            result: Err(RevealError::Other(e.to_string())),
        });
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::kittest::{NodeT, Queryable};

    use super::super::tests::harness;
    use super::*;

    const EN: [&str; 8] = [
        "Theme",
        "Presentation mode",
        "This computer",
        "Screenshot",
        "Screenshot without toolbar",
        "Export CSV",
        "Export pcap",
        "Start",
    ];
    const RU: [&str; 8] = [
        "Тема",
        "Презентация",
        "Этот компьютер",
        "Снимок экрана",
        "Снимок экрана без панели инструментов",
        "Экспорт CSV",
        "Экспорт pcap",
        "Запустить",
    ];

    #[test]
    fn switching_language_changes_the_labels() {
        let mut h = harness();
        h.run_steps(2);
        for label in EN {
            h.get_by_label(label);
        }
        h.get_by_label("Русский").click();
        h.run_steps(2);
        for label in RU {
            h.get_by_label(label);
        }
        for label in EN {
            assert!(
                h.query_by_label(label).is_none(),
                "{label} still in English"
            );
        }
        assert_eq!(h.state().settings.lang, Some(Lang::Ru));
        h.get_by_label("English").click();
        h.run_steps(2);
        for label in EN {
            h.get_by_label(label);
        }
    }

    #[test]
    fn a_narrow_window_keeps_the_tools_in_a_menu() {
        let mut h = egui_kittest::Harness::builder()
            .with_size([500.0, 700.0])
            .build_eframe(|cc| {
                UdpLabApp::with_settings(
                    &cc.egui_ctx,
                    super::super::Settings {
                        lang: Some(Lang::En),
                        bind: "127.0.0.1:0".into(),
                        ..Default::default()
                    },
                    super::super::StartOptions::default(),
                )
            });
        h.run_steps(2);
        assert!(h.query_by_label("Screenshot").is_none());
        h.get_by_label("Tools").click();
        h.run_steps(2);
        h.get_by_label("Presentation mode");
        h.get_by_label("Dark").click();
        h.run_steps(2);
        assert_eq!(h.state().settings.theme, egui::ThemePreference::Dark);
        h.get_by_label("Tools").click();
        h.run_steps(2);
        h.get_by_label("Screenshot").click();
        h.run_steps(2);
        assert!(h.state().tools.screenshot.capturing());
        // The menu closed, so it is not in the picture.
        assert!(h.query_by_label("Presentation mode").is_none());
    }

    /// The desktop entry, the window's app id and the icon name must agree,
    /// or the desktop shows a generic icon and groups the window apart.
    #[test]
    fn desktop_entry_uses_the_app_id() {
        let entry = include_str!("../../assets/io.github.udplab.UdpLab.desktop");
        let value = |key: &str| {
            entry
                .lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .unwrap_or_default()
        };
        assert_eq!(super::super::APP_ID, "io.github.udplab.UdpLab");
        assert_eq!(value("StartupWMClass"), super::super::APP_ID);
        assert_eq!(value("Icon"), super::super::APP_ID);
        assert_eq!(value("Exec"), "udp-lab");
        let icons = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/icons");
        for size in [16, 24, 32, 48, 64, 128, 256, 512] {
            let png = image::open(icons.join(format!("{size}x{size}.png"))).expect("icon");
            assert_eq!((png.width(), png.height()), (size, size));
        }
    }

    #[test]
    fn exports_wait_for_datagrams() {
        let mut h = harness();
        h.run_steps(2);
        // Nothing to save yet: the buttons are there but disabled.
        assert!(h.get_by_label("Export CSV").accesskit_node().is_disabled());
        assert!(h.get_by_label("Export pcap").accesskit_node().is_disabled());
    }

    #[test]
    fn failures_are_explained_in_both_languages() {
        let dir = PathBuf::from("/nowhere");
        let failed = |kind| NoticeKind::SaveFailed {
            what: Saved::Csv,
            dir: dir.clone(),
            kind,
            message: "os says no".into(),
        };
        assert_eq!(
            notice_text(Lang::En, &failed(io::ErrorKind::PermissionDenied)),
            "Could not save the CSV file: no permission to write in /nowhere"
        );
        assert_eq!(
            notice_text(Lang::Ru, &failed(io::ErrorKind::StorageFull)),
            "Не удалось сохранить файл CSV: диск заполнен"
        );
        assert_eq!(
            notice_text(Lang::En, &failed(io::ErrorKind::Other)),
            "Could not save the CSV file: os says no"
        );
    }
}
