//! Work that must not block a frame (encoding a PNG, writing an export,
//! listing interfaces, asking the file manager) runs on a worker thread
//! started by [`spawn`] and reports back as a [`Job`]; `logic` polls them
//! ([`poll`]) and the result shows as a notice that says where a file went.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use crate::app::i18n::fill;
use crate::app::style::{error_color, warn_color};
use crate::app::tools::worker::{self, RevealError};
use crate::app::tools::{presentation, screenshot, this_computer};
use crate::app::{Lang, Settings, T, UdpLabApp};
use crate::lab::code::Program;
use crate::lab::export::{self, ExportKind};

pub use crate::app::tools::worker::{Job, NoticeKind, Saved, reveal};

/// Success notices go away after this (unless the pointer is on them);
/// failures stay until closed.
const NOTICE_LIFETIME: Duration = Duration::from_secs(20);

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
    /// What "Open folder"'s helpers run with (tests take them away).
    pub reveal_env: reveal::RevealEnv,
    jobs_tx: Sender<Job>,
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
            reveal_env: Default::default(),
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

    /// Where workers send their [`Job`]s.
    pub fn jobs_tx(&self) -> &Sender<Job> {
        &self.jobs_tx
    }

    /// The folder files are saved to.
    pub fn output_dir(&self) -> PathBuf {
        export::output_dir(self.output_dir.as_deref())
    }
}

/// Applies the results the workers sent; `logic` calls it every frame.
pub fn poll(ctx: &egui::Context, app: &mut UdpLabApp) {
    while let Ok(job) = app.tools.jobs_rx.try_recv() {
        match job {
            Job::Captured(image) => screenshot::on_captured(ctx, app, image),
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
            Job::Browser(url, result) => app.browser_result(url, result),
            Job::Found(port, result) => {
                app.client.finding = false;
                app.client.found = Some((port, result));
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

/// [`worker::spawn`] with the tools' channel.
pub fn spawn(
    ctx: &egui::Context,
    tools: &ToolsState,
    name: &str,
    work: impl FnOnce() -> Job + Send + 'static,
) -> io::Result<()> {
    worker::spawn(ctx, &tools.jobs_tx, name, work)
}

/// Copies the session's datagrams and writes them on a worker thread.
pub fn start_export(ctx: &egui::Context, app: &mut UdpLabApp, kind: ExportKind) {
    let datagrams: Vec<_> = app.session.datagrams.iter().cloned().collect();
    let dir = app.tools.output_dir();
    let what = match kind {
        ExportKind::Csv => Saved::Csv,
        ExportKind::Pcap => Saved::Pcap,
    };
    let job_dir = dir.clone();
    // The CSV's values in the window's language.
    let lang = app.lang;
    let job = move || {
        let result = export::save(kind, &job_dir, &datagrams, lang);
        Job::Saved {
            what,
            dir: job_dir,
            result,
            image: None,
        }
    };
    if let Err(e) = spawn(ctx, &app.tools, "udp-lab-export", job) {
        app.tools.show(NoticeKind::SaveFailed {
            what,
            dir,
            kind: e.kind(),
            message: e.to_string(),
        });
    }
}

/// Writes one of the Code view's programs on a worker thread.
pub fn start_save_program(ctx: &egui::Context, app: &mut UdpLabApp, program: Program) {
    let dir = app.tools.output_dir();
    let what = Saved::Program(program.file_name);
    let job_dir = dir.clone();
    let job = move || Job::Saved {
        what,
        result: crate::lab::code::save(&job_dir, &program),
        dir: job_dir,
        image: None,
    };
    if let Err(e) = spawn(ctx, &app.tools, "udp-lab-save-program", job) {
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
            let path = path.display();
            let key = match what {
                Saved::Screenshot => T::ScreenshotSaved,
                Saved::Csv => T::CsvSaved,
                Saved::Pcap => T::PcapSaved,
                Saved::Session => T::LessonSaved,
                Saved::Program(file) => {
                    return fill(t(T::CodeSaved), &[("file", file), ("path", &path)]);
                }
            };
            fill(t(key), &[("path", &path)])
        }
        NoticeKind::SaveFailed {
            what,
            dir,
            kind,
            message,
        } => {
            let reason = reason(lang, *kind, message, dir);
            let key = match what {
                Saved::Screenshot => T::ScreenshotFailed,
                Saved::Csv => T::CsvFailed,
                Saved::Pcap => T::PcapFailed,
                Saved::Session => T::LessonSaveFailed,
                Saved::Program(file) => {
                    return fill(t(T::CodeSaveFailed), &[("file", file), ("reason", &reason)]);
                }
            };
            fill(t(key), &[("reason", &reason)])
        }
        NoticeKind::ScreenshotNotDelivered => t(T::ScreenshotNotDelivered).to_owned(),
        NoticeKind::Cleared { rows } => fill(t(T::IncomingCleared), &[("count", rows)]),
        NoticeKind::SettingsDamaged(damage) => damage.text(lang),
    }
}

/// The line under a notice whose "Open folder" failed.
pub fn reveal_failed_text(lang: Lang, path: &Path, error: &RevealError) -> String {
    let t = |k: T| k.get(lang);
    let reason = match error {
        RevealError::FileGone => fill(t(T::ReasonFileGone), &[("path", &path.display())]),
        RevealError::NotStarted(detail) => fill(t(T::ReasonNoFileManager), &[("detail", detail)]),
        RevealError::NoFileManager { bus, xdg } => {
            let bus = match bus {
                reveal::BusMiss::NoBus => t(T::RevealNoBus),
                reveal::BusMiss::NoService => t(T::RevealNoService),
            };
            let xdg = match xdg {
                reveal::XdgMiss::NotInstalled => t(T::RevealNoXdgOpen).to_owned(),
                reveal::XdgMiss::Failed(message) => {
                    fill(t(T::RevealXdgOpenFailed), &[("message", message)])
                }
            };
            let detail = fill(t(T::RevealAnd), &[("first", &bus), ("second", &xdg)]);
            fill(t(T::ReasonNoFileManager), &[("detail", &detail)])
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

/// The notice in the window's corner, with its buttons.
pub fn notice_ui(ctx: &egui::Context, app: &mut UdpLabApp) {
    let Some(notice) = &app.tools.notice else {
        return;
    };
    let text = notice_text(app.lang, &notice.kind);
    let failure = notice.kind.is_failure();
    let undo_offered = matches!(notice.kind, NoticeKind::Cleared { .. });
    let mut undo = false;
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
                    label = label.color(error_color(ui));
                }
                ui.add(egui::Label::new(label).wrap());
                if let NoticeKind::Saved {
                    path,
                    reveal_failed: Some(error),
                    ..
                } = &notice.kind
                {
                    let why = reveal_failed_text(app.lang, path, error);
                    ui.add(egui::Label::new(egui::RichText::new(why).color(warn_color(ui))).wrap());
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
                    if undo_offered
                        && ui
                            .button(app.t(T::Undo))
                            .on_hover_text(app.t(T::UndoHint))
                            .clicked()
                    {
                        undo = true;
                    }
                    if ui.button(app.t(T::Close)).clicked() {
                        close = true;
                    }
                });
            });
        });
    let hovered = area.response.contains_pointer();
    if undo_offered {
        // The offer lasts while the rows are kept, longer while the pointer
        // is on its way to Undo.
        let now = Instant::now();
        if hovered && let Some(cleared) = &mut app.server.cleared {
            cleared.since = now;
        }
        match app.server.undo_offer(now).and_then(|c| c.left(now)) {
            Some(left) => ctx.request_repaint_after(left),
            None => close = true,
        }
    } else if !failure && !hovered {
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
    if undo {
        app.act(crate::app::Command::UndoClear);
    }
    if close {
        app.tools.notice = None;
        if undo_offered {
            // Closed (or run out): the offer goes with it.
            app.server.cleared = None;
        }
    }
}

/// Shows the saved file, selected, in the system's file manager. On a
/// worker: asking the desktop over D-Bus can take a moment.
pub fn start_reveal(ctx: &egui::Context, tools: &mut ToolsState, path: PathBuf) {
    let job_path = path.clone();
    let env = tools.reveal_env.clone();
    let job = move || {
        let result = reveal::reveal(&job_path, &env);
        Job::Revealed {
            path: job_path,
            result,
        }
    };
    if let Err(e) = spawn(ctx, tools, "udp-lab-open-folder", job) {
        let _ = tools.jobs_tx.send(Job::Revealed {
            path,
            result: Err(RevealError::Other(e.to_string())),
        });
    }
}

#[cfg(test)]
mod tests;
