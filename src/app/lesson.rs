//! Issue 26: keep a lesson. Save the session as pcapng (lab/capture.rs
//! writes it on a worker), open a saved lesson or any capture (read on a
//! worker, with progress and Cancel) and show it as a *recording*.
//!
//! Recording mode, kept simple: the window's live state (session, incoming
//! list, client history and statistics, scripts' runs, time cursor, views,
//! settings) is moved aside into a [`Stash`] and the recording's takes its
//! place, so every view shows the recording through its usual code. Live
//! events still arrive meanwhile: each frame they are applied to the
//! stashed live state (swapped in for the drain, then out again), so
//! nothing of live traffic is lost and none of it mixes into the
//! recording. "Back to live" swaps the live state back. A command that
//! starts something on sockets (Start, Send, Run script…) goes back to live
//! first and says so in the banner: the recording is closed, File → Recent
//! reopens it.
//!
//! A saved session is replayed: its events go, in order, through the same
//! `apply_event` live events take, into a fresh state marked as a replay
//! (so the recording's server and client count as current). A foreign
//! capture brings a session of datagrams only; the datagrams received at
//! its server fill the incoming list.

mod save;
pub mod ui;

pub(crate) use save::save_now;
use save::{Target, start_save};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::SystemTime;

use super::{
    ClientState, Command, Demo, IncomingRow, Outcome, ServerState, Settings, UdpLabApp, views,
};
use crate::lab::capture::{self, CaptureError, Progress, Recorded};
use crate::lab::session::Session;
use crate::lab::timeline::{Move, TimeCursor};
use crate::net::{ClientEventKind, NetEvent, Received, Reply};

/// Files kept in File → Recent.
pub const RECENT: usize = 8;

/// What the window keeps for saving and opening (not saved itself; the
/// recent files are in the settings).
pub struct LessonState {
    /// The live state while a recording is shown.
    live: Option<Box<Stash>>,
    /// What the banner says about the recording shown.
    pub recording: Option<Recording>,
    /// A file being read on a worker.
    pub opening: Option<Opening>,
    /// The last open that failed, or what the last Back to live closed:
    /// said in the banner's place until closed.
    pub message: Option<Message>,
    /// Events are being replayed (the recording's server is current).
    pub(crate) replaying: bool,
    /// "Open…": the picker while it is open.
    pub picker: Option<crate::app::tools::file_picker::FilePicker>,
    /// `udp-lab --save FILE`: written when the window closes.
    pub save_on_exit: Option<PathBuf>,
    tx: Sender<Job>,
    rx: Receiver<Job>,
}

impl Default for LessonState {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel();
        Self {
            live: None,
            recording: None,
            opening: None,
            message: None,
            replaying: false,
            picker: None,
            save_on_exit: None,
            tx,
            rx,
        }
    }
}

impl LessonState {
    /// A recording is shown (not the live session).
    pub fn is_recording(&self) -> bool {
        self.live.is_some()
    }
}

/// What the banner names.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    pub path: PathBuf,
    pub kind: RecordingKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RecordingKind {
    /// Saved by UDP Lab, at this time; events the log had dropped.
    Session {
        saved_at: SystemTime,
        events_dropped: u64,
    },
    /// Any other capture: what it held.
    Capture {
        udp: u64,
        left_out: u64,
        skipped: Vec<(&'static str, u64)>,
        server: Option<std::net::SocketAddr>,
    },
}

pub struct Opening {
    pub path: PathBuf,
    pub progress: Arc<Progress>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// The file was not opened; the live session is as it was.
    OpenFailed { path: PathBuf, error: String },
    /// A command that acts on sockets went back to live (the recording
    /// of `path` was closed).
    BackToLive { path: PathBuf },
}

/// The window's actions on lessons (one [`Command`] variant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LessonCommand {
    /// Save what the window shows into the output folder, named by date.
    Save,
    /// Save into this file (`--save`, tests).
    SaveTo(PathBuf),
    Open(PathBuf),
    /// The picker: open it at (or move it to) a folder; None closes it.
    Browse(Option<PathBuf>),
    CancelOpen,
    BackToLive,
    CloseMessage,
}

enum Job {
    Opened(PathBuf, Result<capture::Opened, CaptureError>),
}

/// The live state while a recording is shown.
struct Stash {
    session: Session,
    server: ServerState,
    client: ClientState,
    runs: Vec<crate::app::scripts::ScriptRun>,
    time: TimeCursor,
    selected_datagram: Option<u64>,
    settings: Settings,
    demo: Option<Demo>,
    views: views::ViewsState,
    tcp: crate::app::tcp::TcpState,
    http: crate::app::http::HttpState,
}

/// Exchanges the window's state with the stash's (twice: as it was).
fn swap(app: &mut UdpLabApp, stash: &mut Stash) {
    use std::mem::swap;
    swap(&mut app.session, &mut stash.session);
    swap(&mut app.server, &mut stash.server);
    swap(&mut app.client, &mut stash.client);
    swap(&mut app.scripts.runs, &mut stash.runs);
    swap(&mut app.time, &mut stash.time);
    swap(&mut app.selected_datagram, &mut stash.selected_datagram);
    swap(&mut app.settings, &mut stash.settings);
    swap(&mut app.demo, &mut stash.demo);
    swap(&mut app.views, &mut stash.views);
    swap(&mut app.tcp, &mut stash.tcp);
    swap(&mut app.http, &mut stash.http);
}

/// Runs `f` on the live state: the state shown when live, the stashed one
/// while a recording is shown.
pub(crate) fn with_live<R>(app: &mut UdpLabApp, f: impl FnOnce(&mut UdpLabApp) -> R) -> R {
    let Some(mut live) = app.lesson.live.take() else {
        return f(app);
    };
    // What the user changed while looking at the recording counts live too.
    keep_window_choices(&app.settings, &mut live.settings);
    swap(app, &mut live);
    let result = f(app);
    swap(app, &mut live);
    app.lesson.live = Some(live);
    result
}

/// The window's own choices (language, theme, presentation, the view,
/// recent files) are the user's, not the recording's: `from` wins.
fn keep_window_choices(from: &Settings, to: &mut Settings) {
    to.lang = from.lang;
    to.theme = from.theme;
    to.tools = from.tools.clone();
    to.view = from.view;
    to.recent_files = from.recent_files.clone();
    to.scripts.recent = from.scripts.recent.clone();
}

/// The settings to write to disk: the live ones, while a recording is shown.
pub(crate) fn live_settings(app: &UdpLabApp) -> Option<Settings> {
    let live = app.lesson.live.as_ref()?;
    let mut settings = live.settings.clone();
    keep_window_choices(&app.settings, &mut settings);
    Some(settings)
}

/// A command that starts something on sockets: shown a recording, it goes
/// back to live first (and the banner says so). Stop, Cancel and a
/// script's input name what the recording shows (its server, its runs):
/// there they do nothing, and never reach a live socket unseen.
fn acts_on_live(command: &Command) -> bool {
    matches!(
        command,
        Command::StartServer
            | Command::Send
            | Command::SendBurst
            | Command::StartDemo
            | Command::StartDemoStepByStep
            | Command::FindServers
            | Command::RunScript
            | Command::UseAsBind(_)
    )
}

/// Before `command` runs: back to live when it acts on sockets.
pub(crate) fn before(app: &mut UdpLabApp, command: &Command) {
    if app.lesson.is_recording() && acts_on_live(command) {
        let path = app.lesson.recording.as_ref().map(|r| r.path.clone());
        back_to_live(app);
        if let Some(path) = path {
            app.lesson.message = Some(Message::BackToLive { path });
        }
    }
}

pub(crate) fn run(app: &mut UdpLabApp, command: LessonCommand) {
    match command {
        LessonCommand::Save => {
            let dir = app.tools.output_dir();
            let ctx = app.ctx.clone();
            start_save(&ctx, app, Target::Dated(dir));
        }
        LessonCommand::SaveTo(path) => {
            let ctx = app.ctx.clone();
            start_save(&ctx, app, Target::File(path));
        }
        LessonCommand::Open(path) => start_open(app, path),
        LessonCommand::Browse(Some(dir)) => {
            app.lesson.picker = Some(crate::app::tools::file_picker::FilePicker::captures_at(
                &dir,
            ));
        }
        LessonCommand::Browse(None) => app.lesson.picker = None,
        LessonCommand::CancelOpen => {
            if let Some(opening) = &app.lesson.opening {
                opening
                    .progress
                    .cancel
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
        LessonCommand::BackToLive => back_to_live(app),
        LessonCommand::CloseMessage => app.lesson.message = None,
    }
}

fn start_open(app: &mut UdpLabApp, path: PathBuf) {
    app.lesson.picker = None;
    if let Some(opening) = &app.lesson.opening {
        // One at a time: the one running is cancelled for the new one.
        opening
            .progress
            .cancel
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let progress = Arc::new(Progress::default());
    let worker_progress = progress.clone();
    let tx = app.lesson.tx.clone();
    let ctx = app.ctx.clone();
    let worker_path = path.clone();
    let started = std::thread::Builder::new()
        .name("udp-lab-open".into())
        .spawn(move || {
            let result = capture::open(&worker_path, &worker_progress);
            let _ = tx.send(Job::Opened(worker_path, result));
            ctx.request_repaint();
        });
    match started {
        Ok(_) => {
            app.lesson.message = None;
            app.lesson.opening = Some(Opening { path, progress });
        }
        Err(e) => {
            app.lesson.message = Some(Message::OpenFailed {
                path,
                error: e.to_string(),
            });
        }
    }
}

/// Applies what the workers finished; `logic` calls it every frame. True
/// while a file is still being read (the progress bar wants frames).
pub(crate) fn poll(app: &mut UdpLabApp) -> bool {
    while let Ok(job) = app.lesson.rx.try_recv() {
        match job {
            Job::Opened(path, result) => {
                // A cancelled read whose replacement runs: not this one's news.
                let current = app.lesson.opening.as_ref().is_some_and(|o| o.path == path);
                if !current {
                    continue;
                }
                app.lesson.opening = None;
                match result {
                    Ok(opened) => show_recording(app, opened),
                    Err(CaptureError::Cancelled) => {}
                    Err(e) => {
                        app.lesson.message = Some(Message::OpenFailed {
                            path,
                            error: e.text(app.lang),
                        })
                    }
                }
            }
        }
    }
    app.lesson.opening.is_some()
}

/// The recording replaces what the views show; the live state goes aside.
fn show_recording(app: &mut UdpLabApp, opened: capture::Opened) {
    back_to_live(app);
    remember(app, &opened.path);
    let mut stash = Box::new(Stash {
        session: Session::default(),
        server: ServerState::default(),
        client: ClientState::default(),
        runs: Vec::new(),
        time: TimeCursor::default(),
        selected_datagram: None,
        settings: app.settings.clone(),
        demo: None,
        views: views::ViewsState::default(),
        tcp: crate::app::tcp::TcpState::default(),
        http: crate::app::http::HttpState::default(),
    });
    swap(app, &mut stash);
    // The recording starts from the live window's settings (its choices).
    app.settings = stash.settings.clone();
    app.lesson.live = Some(stash);
    let path = opened.path;
    match opened.recorded {
        Recorded::Session {
            events,
            events_dropped,
            settings_ron,
            saved_at,
        } => {
            if let Some(ron) = settings_ron {
                let (mut recorded, _damage) = crate::app::settings_file::read(&ron);
                keep_window_choices(&app.settings, &mut recorded);
                app.settings = recorded;
            }
            replay(app, events);
            // Paused at its first call, for stepping through.
            let now = app.ctx.input(|i| i.time);
            app.time.go(&app.session, Move::ToStart, now);
            app.follow_cursor();
            app.lesson.recording = Some(Recording {
                path,
                kind: RecordingKind::Session {
                    saved_at,
                    events_dropped,
                },
            });
        }
        Recorded::Capture(imported) => {
            let imported = *imported;
            app.session = imported.session;
            if let Some(server) = imported.server {
                for d in app.session.datagrams.iter().filter(|d| d.to == server) {
                    app.server.push_row(IncomingRow {
                        rx: Received {
                            from: d.from,
                            bytes: d.bytes.clone(),
                            len: d.len,
                            truncated: false,
                            buffer: d.len,
                            at: d
                                .received_at
                                .or(d.sent_at)
                                .unwrap_or(SystemTime::UNIX_EPOCH),
                        },
                        reply: Reply::NotSent,
                    });
                }
            }
            // A capture has no calls to stand on: the views show it whole.
            app.lesson.recording = Some(Recording {
                path,
                kind: RecordingKind::Capture {
                    udp: imported.udp,
                    left_out: imported.left_out,
                    skipped: imported.skipped,
                    server: imported.server,
                },
            });
        }
    }
}

/// The recorded events, in order, through the path live events take.
fn replay(app: &mut UdpLabApp, events: Vec<NetEvent>) {
    app.lesson.replaying = true;
    let mut op = None;
    for event in events {
        if let NetEvent::Client(ev) = &event {
            let client = &mut app.client;
            if op != Some(ev.op) {
                // What Send does when it starts an operation.
                op = Some(ev.op);
                client.stats = Default::default();
                client.points.clear();
                client.responders.clear();
                client.requested = 0;
                client.started = Some(ev.at);
                client.outcome = Some(Outcome::Waiting);
            }
            if let ClientEventKind::Sent { seq, .. } = &ev.kind {
                client.requested = client.requested.max(seq + 1);
            }
        }
        if let NetEvent::Script(ev) = &event
            && let crate::net::ScriptEventKind::Started { pid, script, .. } = &ev.kind
        {
            app.scripts.replayed(ev.run, script, *pid);
        }
        app.apply_event(event);
    }
    app.lesson.replaying = false;
}

/// The live state back; the recording is closed.
fn back_to_live(app: &mut UdpLabApp) {
    let Some(mut live) = app.lesson.live.take() else {
        return;
    };
    keep_window_choices(&app.settings, &mut live.settings);
    swap(app, &mut live);
    app.lesson.recording = None;
}

/// The file goes first in File → Recent (the live settings keep it).
fn remember(app: &mut UdpLabApp, path: &Path) {
    let path = std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
    let recent = &mut app.settings.recent_files;
    recent.retain(|p| *p != path);
    recent.insert(0, path);
    recent.truncate(RECENT);
}

#[cfg(test)]
mod tests;
