//! The one way the UI acts: panels push a [`Command`], `UdpLabApp::run`
//! applies it after drawing (or a test or script calls `run` directly).

use std::net::IpAddr;

use crate::lab::code::Role;
use crate::lab::export::ExportKind;
use crate::lab::i18n::Lang;
use crate::lab::timeline::{Move, Speed};

use super::state::View;

/// What the panels ask for; run after drawing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    StartServer,
    StopServer,
    /// The reply mode, text or buffer changed: tell the running server.
    UpdateServer,
    /// Issue 27: UDP or TCP for the server (while it is stopped) and for
    /// the client (while it is not sending).
    SetServerProtocol(crate::net::Protocol),
    SetClientProtocol(crate::net::Protocol),
    /// Issue 28: the web server's page in the system's browser.
    OpenInBrowser,
    /// The web server's log row whose request is shown (its number).
    SelectHttpRequest(Option<u64>),
    /// Empty the incoming list; Undo is offered for a while (clear.rs).
    ClearIncoming,
    /// Put back what the latest Clear took, while that is offered.
    UndoClear,
    /// The time cursor (lab/timeline.rs): every view stops at the newest
    /// call (recording goes on), plays back at a speed, moves, or follows
    /// the newest call again.
    Pause,
    Play(Speed),
    /// The speed Play uses (at once while playing).
    SetSpeed(Speed),
    MoveCursor(Move),
    Live,
    /// The demo, played back one call a second from its first call.
    StartDemoStepByStep,
    /// Send the message once.
    Send,
    /// Send `burst_count` datagrams, lock-step, `burst_interval_ms` apart.
    SendBurst,
    /// End a running burst early.
    CancelSend,
    /// The teacher's demo: 20 datagrams at 30 % loss, in the diagram.
    StartDemo,
    SetLanguage(Lang),
    SetTheme(egui::ThemePreference),
    SetPresentation(bool),
    /// Open or close "This computer" (opening lists the interfaces again).
    ToggleThisComputer,
    RefreshAddresses,
    /// "Use as bind address": this IP, the bind field's port.
    UseAsBind(IpAddr),
    TakeScreenshot,
    Export(ExportKind),
    ShowView(View),
    /// A view's own choice: the trace's filter, the connection shown, the
    /// stream's direction, HTTP as messages or as a stream.
    View(super::views::ViewCommand),
    /// Issue 24: the view in the whole window, help, the panels' fold and
    /// the divider (app/layout.rs).
    Layout(super::layout::LayoutCommand),
    /// The datagram the anatomy shows (None: the newest).
    SelectDatagram(Option<u64>),
    /// Select a datagram and show it in the anatomy view (a click on its
    /// arrow in the diagram).
    OpenDatagram(u64),
    /// The Code view's program to the clipboard.
    CopyCode(Role),
    /// The Code view's program into the output folder (server.py,
    /// server-2.py, …: nothing is overwritten).
    SaveCode(Role),
    /// Issue 15: "Find servers": the lab's request to every interface's
    /// broadcast address, on the target's port.
    FindServers,
    /// A found server's address into the client's target.
    UseAsTarget(std::net::SocketAddr),
    /// Open or close the "Python scripts" window.
    ToggleScripts,
    /// The script picker: open it at (or move it to) a folder; None closes it.
    BrowseScripts(Option<std::path::PathBuf>),
    /// Run the script the window names (path, arguments, interpreter).
    RunScript,
    /// Stop a running script (its run id) and everything it started.
    StopScript(u64),
    /// Take an ended script off the list.
    RemoveScript(u64),
    /// Send the run's input line to its stdin.
    ScriptInput(u64),
    /// A script picked from Recent or dropped on the window.
    SetScriptPath(String),
    /// Issue 26: save, open, the recording shown (app/lesson.rs).
    Lesson(super::lesson::LessonCommand),
}
