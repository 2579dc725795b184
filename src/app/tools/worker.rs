//! The worker side of the tools' jobs: what a worker thread reports
//! ([`Job`]), the notices it leads to, and [`spawn`]. Kept apart from
//! `jobs` (the window's side: state, polling, the notice) so that the
//! tools that start workers (screenshot, "This computer") need not import
//! the module that applies their results.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Sender;

/// What a saved file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    Screenshot,
    Csv,
    Pcap,
    /// One of the Code view's programs ("server.py").
    Program(&'static str),
    /// Issue 26: the session as pcapng (app/lesson.rs).
    Session,
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
    Addresses(io::Result<Vec<crate::net::LocalAddress>>),
    /// "Open folder" ended: the error, in words, when it failed.
    Revealed {
        path: PathBuf,
        result: Result<(), RevealError>,
    },
    /// "Open in browser" ended (issue 28): the URL, and why it failed.
    Browser(String, Result<(), reveal::BrowserMiss>),
    /// "Find servers" ended (issue 15): the port asked, and who answered.
    Found(u16, Result<Vec<crate::net::Found>, crate::net::NetError>),
}

/// Why the file manager could not show a saved file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevealError {
    FileGone,
    /// The system's file manager could not be started (Windows, macOS).
    NotStarted(String),
    /// Linux: no file manager answers on the desktop bus, and xdg-open
    /// could not open the folder either (reveal.rs).
    NoFileManager {
        bus: reveal::BusMiss,
        xdg: reveal::XdgMiss,
    },
    Other(String),
}

impl RevealError {
    #[cfg_attr(target_os = "linux", allow(dead_code))]
    pub(super) fn from_opener(e: &opener::OpenError) -> Self {
        match e {
            opener::OpenError::Io(io) if io.kind() == io::ErrorKind::NotFound => Self::FileGone,
            opener::OpenError::Spawn { cmds, source } => {
                Self::NotStarted(format!("{cmds}: {source}"))
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
    /// Issue 23: the incoming list was cleared (this many rows); Undo is
    /// offered while the rows are kept (app/clear.rs).
    Cleared {
        rows: usize,
    },
    /// Issue 23: the settings file was damaged (app/settings_file.rs).
    SettingsDamaged(crate::app::settings_file::Damage),
}

impl NoticeKind {
    pub(super) fn is_failure(&self) -> bool {
        !matches!(self, NoticeKind::Saved { .. } | NoticeKind::Cleared { .. })
    }
}

/// Runs `work` on a named worker thread; its [`Job`] goes back to the
/// window, which is woken to apply it. Err: the thread could not start
/// (the caller says so where the user looks).
pub fn spawn(
    ctx: &egui::Context,
    tx: &Sender<Job>,
    name: &str,
    work: impl FnOnce() -> Job + Send + 'static,
) -> io::Result<()> {
    let tx = tx.clone();
    let repaint = ctx.clone();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let _ = tx.send(work());
            repaint.request_repaint();
        })
        .map(drop)
}

pub mod reveal;
