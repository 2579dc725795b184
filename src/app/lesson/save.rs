//! Saving a lesson: the session (and the settings as RON) written as
//! pcapng on a worker, or on this thread when the window closes.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::super::{Settings, UdpLabApp};
use crate::lab::capture::{self, Progress};
use crate::lab::session::Session;

pub(super) enum Target {
    /// A new file named by the date in this folder (nothing overwritten).
    Dated(PathBuf),
    File(PathBuf),
}

/// The settings as RON (as app.ron holds them), for the file.
fn settings_ron(settings: &Settings) -> Option<String> {
    ron::to_string(settings).ok()
}

/// Copies what the window shows and writes it on a worker thread; the
/// result is a notice (tools/jobs.rs).
pub(super) fn start_save(ctx: &egui::Context, app: &mut UdpLabApp, target: Target) {
    use crate::app::tools::jobs::{self, Job as ToolJob, NoticeKind, Saved};
    let session = app.session.clone();
    let ron = settings_ron(&app.settings);
    let lang = app.lang;
    let dir = match &target {
        Target::Dated(dir) => dir.clone(),
        Target::File(path) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let job_dir = dir.clone();
    let job = move || {
        let result = save_to(&target, &session, ron.as_deref(), lang);
        ToolJob::Saved {
            what: Saved::Session,
            dir: job_dir,
            result,
            image: None,
        }
    };
    if let Err(e) = jobs::spawn(ctx, &app.tools, "udp-lab-save", job) {
        app.tools.show(NoticeKind::SaveFailed {
            what: Saved::Session,
            dir,
            kind: e.kind(),
            message: e.to_string(),
        });
    }
}

/// Writes the file; the error as an io::Error for the notice (its words
/// are the capture module's one sentence).
fn save_to(
    target: &Target,
    session: &Session,
    ron: Option<&str>,
    lang: crate::lab::i18n::Lang,
) -> std::io::Result<PathBuf> {
    let path = match target {
        Target::Dated(dir) => {
            let (path, _file) =
                crate::lab::export::create_timestamped(dir, "pcapng", SystemTime::now())?;
            path
        }
        Target::File(path) => path.clone(),
    };
    let input = capture::SaveInput {
        session,
        settings_ron: ron,
    };
    match capture::save(&path, &input, &Progress::default()) {
        Ok(_) => Ok(path),
        Err(e) => Err(std::io::Error::other(e.text(lang))),
    }
}

/// Writes the session now, on this thread (the window is closing).
pub(crate) fn save_now(app: &UdpLabApp, path: &Path) -> Result<(), String> {
    let ron = settings_ron(&app.settings);
    let input = capture::SaveInput {
        session: &app.session,
        settings_ron: ron.as_deref(),
    };
    capture::save(path, &input, &Progress::default())
        .map(drop)
        .map_err(|e| e.text(app.lang))
}
