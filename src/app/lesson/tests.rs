//! Issue 26 in the window: a lesson saved through the command and opened
//! in a fresh window comes back with the same rows in every view model and
//! the same text on screen; a failed open changes nothing; a dropped file
//! opens; live traffic goes on into the live state while a recording is
//! shown; Send goes back to live. Real sockets on loopback, port 0.

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable, by};

use super::{LessonCommand, Message, RecordingKind};
use crate::app::test_util::{TempDir, harness, start_server, wait_for};
use crate::app::tools::jobs::{NoticeKind, Saved};
use crate::app::{Command, Outcome, UdpLabApp, View};
use crate::net::Impairments;

/// Runs a command as a panel would, then draws.
fn run(h: &mut Harness<'_, UdpLabApp>, command: Command) {
    h.state_mut().run(command);
    h.run_steps(2);
}

/// Sends the window's message to its own server and waits for the end.
fn send(h: &mut Harness<'_, UdpLabApp>, message: &str, burst: bool) {
    h.state_mut().settings.message = message.into();
    run(
        h,
        if burst {
            Command::SendBurst
        } else {
            Command::Send
        },
    );
    wait_for(h, "the client to finish", |app| !app.client.busy());
}

/// A live session: the lab's exchange, a Cyrillic message, and a burst
/// through the simulator with drops, duplicates and reordering.
fn record_a_lesson(h: &mut Harness<'_, UdpLabApp>) -> u16 {
    let port = start_server(h);
    h.state_mut().settings.target = format!("127.0.0.1:{port}");
    send(h, "Hello, server", false);
    // One Send from the socket the window keeps: its socket() and bind()
    // rows come from the window itself, and come back too.
    h.state_mut().settings.new_socket_each_send = false;
    send(h, "Привет, сервер", false);
    h.state_mut().settings.new_socket_each_send = true;
    {
        let app = h.state_mut();
        app.settings.network = Impairments {
            loss_percent: 30.0,
            duplicate_percent: 20.0,
            reorder_percent: 20.0,
            seed: 7,
            ..Impairments::default()
        };
        app.settings.burst_count = 12;
        app.settings.burst_interval_ms = 5;
        app.settings.timeout_secs = 0.3;
    }
    run(h, Command::UpdateServer);
    send(h, "burst", true);
    // Late duplicates of the burst arrive after it ends.
    h.state_mut().settings.network = Impairments::default();
    run(h, Command::UpdateServer);
    send(h, "Hello, server", false);
    port
}

/// Saves through the command into `path` and waits for the notice.
fn save(h: &mut Harness<'_, UdpLabApp>, path: &Path) {
    run(
        h,
        Command::Lesson(LessonCommand::SaveTo(path.to_path_buf())),
    );
    wait_for(h, "the save to end", |app| {
        app.tools.notice.as_ref().is_some_and(|n| {
            matches!(
                n.kind,
                NoticeKind::Saved {
                    what: Saved::Session,
                    ..
                } | NoticeKind::SaveFailed {
                    what: Saved::Session,
                    ..
                }
            )
        })
    });
    let notice = h.state().tools.notice.as_ref().map(|n| &n.kind);
    assert!(
        matches!(notice, Some(NoticeKind::Saved { .. })),
        "the save failed: {}",
        notice
            .map(|k| crate::app::tools::jobs::notice_text(crate::app::Lang::En, k))
            .unwrap_or_default()
    );
}

fn open(h: &mut Harness<'_, UdpLabApp>, path: &Path) {
    run(h, Command::Lesson(LessonCommand::Open(path.to_path_buf())));
    wait_for(h, "the file to be read", |app| app.lesson.opening.is_none());
}

/// What the view models hold, as comparable text.
#[derive(Debug, PartialEq)]
struct Models {
    calls: Vec<String>,
    datagrams: Vec<String>,
    incoming: Vec<String>,
    history: Vec<String>,
    stats: String,
    outcome: Option<String>,
}

fn models(app: &UdpLabApp) -> Models {
    Models {
        calls: app
            .session
            .trace
            .iter()
            .map(|r| format!("{:?} {:?} {:?} {:?}", r.at, r.side, r.call, r.datagram))
            .collect(),
        datagrams: app
            .session
            .datagrams
            .iter()
            .map(|d| format!("{d:?}"))
            .collect(),
        incoming: app
            .server
            .rows
            .iter()
            .map(|r| format!("{:?} {:?}", r.rx, r.reply))
            .collect(),
        history: app
            .client
            .history
            .iter()
            .map(|r| {
                format!(
                    "{} {} {:?} {} {:?} {:?}",
                    r.op, r.seq, r.at, r.to, r.sent, r.outcome
                )
            })
            .collect(),
        stats: format!("{:?}", app.client.stats),
        outcome: app.client.outcome.as_ref().map(|o| format!("{o:?}")),
    }
}

/// The labels of the view shown, in the accessibility tree (what a screen
/// reader, and kittest, reads).
fn view_texts(h: &mut Harness<'_, UdpLabApp>, view: View) -> Vec<String> {
    run(h, Command::ShowView(view));
    let mut texts: Vec<String> = h
        .query_all(by().predicate(|_| true))
        .filter_map(|node| {
            let ak = node.accesskit_node();
            if ak.role() == egui::accesskit::Role::Label {
                ak.value()
            } else {
                ak.label()
            }
        })
        .filter(|l| l.contains("recvfrom") || l.contains("sendto") || l.contains("Hello"))
        .collect();
    texts.sort();
    texts
}

#[test]
fn a_saved_lesson_reopens_with_the_same_rows_in_every_view() {
    let dir = TempDir::new("lesson-round-trip");
    let path = dir.0.join("lesson.pcapng");
    let mut live = harness();
    record_a_lesson(&mut live);
    let before = models(live.state());
    assert!(before.datagrams.len() > 20, "the burst was recorded");
    assert!(
        live.state()
            .server
            .rows
            .iter()
            .any(|r| &*r.rx.bytes == "Привет, сервер".as_bytes()),
        "a Cyrillic payload is among the rows"
    );
    assert!(before.stats.contains("dropped"), "{}", before.stats);
    assert!(
        before.calls.iter().any(|c| c.contains("Client Bind")),
        "the kept socket's bind is among the calls"
    );
    save(&mut live, &path);
    // Live, every call is shown.
    let live_trace = view_texts(&mut live, View::Trace);
    let live_diagram = view_texts(&mut live, View::Diagram);

    let mut fresh = harness();
    open(&mut fresh, &path);
    let app = fresh.state();
    assert!(app.lesson.is_recording(), "{:?}", app.lesson.message);
    assert!(matches!(
        app.lesson.recording.as_ref().map(|r| &r.kind),
        Some(RecordingKind::Session { .. })
    ));
    // Paused at the first call, for stepping through.
    assert!(!app.time.is_live());
    assert_eq!(
        app.time.row().map(|r| r.seq),
        app.session.trace.front().map(|r| r.seq)
    );
    assert_eq!(models(app), before);
    fresh.get_by_label_contains("Recording: lesson.pcapng");
    // Every call shown, as live.
    run(&mut fresh, Command::Live);
    assert_eq!(view_texts(&mut fresh, View::Trace), live_trace);
    assert_eq!(view_texts(&mut fresh, View::Diagram), live_diagram);
    assert!(!live_trace.is_empty(), "the trace names its calls");
}

#[test]
fn a_failed_open_leaves_the_live_session_untouched() {
    let dir = TempDir::new("lesson-bad-file");
    let mut h = harness();
    let port = start_server(&mut h);
    h.state_mut().settings.target = format!("127.0.0.1:{port}");
    send(&mut h, "Hello, server", false);
    let before = models(h.state());
    for (name, bytes) in [
        ("picture.pcap", &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..]),
        ("empty.pcapng", &b""[..]),
        ("cut.pcapng", &b"\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c"[..]),
    ] {
        let path = dir.0.join(name);
        std::fs::write(&path, bytes).expect("write the file");
        open(&mut h, &path);
        let app = h.state();
        assert!(!app.lesson.is_recording(), "{name} was shown");
        let Some(Message::OpenFailed { error, .. }) = &app.lesson.message else {
            panic!("{name}: no message: {:?}", app.lesson.message);
        };
        assert!(!error.is_empty(), "{name}: the reason is said");
        assert_eq!(models(app), before, "{name}: the live session changed");
        h.get_by_label_contains(&format!("{name} was not opened"));
    }
    // The server still answers, into the same session.
    send(&mut h, "Hello, server", false);
    assert_eq!(h.state().server.rows.len(), before.incoming.len() + 1);
}

/// A file dropped on the window, as winit hands it to egui.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_dropped_lesson_opens_and_live_traffic_goes_on_beside_it() {
    let dir = TempDir::new("lesson-drop");
    let path = dir.0.join("dropped.pcapng");
    let mut h = harness();
    let port = start_server(&mut h);
    h.state_mut().settings.target = format!("127.0.0.1:{port}");
    send(&mut h, "saved", false);
    save(&mut h, &path);
    send(&mut h, "after the save", false);
    let live_rows = h.state().server.rows.len();

    h.input_mut()
        .dropped_files
        .push(Arc::new(Dropped(path.clone())));
    h.run_steps(2);
    wait_for(&mut h, "the dropped file to be read", |app| {
        app.lesson.opening.is_none() && app.lesson.recording.is_some()
            || app.lesson.message.is_some()
    });
    assert!(
        h.state().lesson.is_recording(),
        "{:?}",
        h.state().lesson.message
    );
    let recorded_rows = h.state().server.rows.len();
    assert_eq!(
        recorded_rows,
        live_rows - 1,
        "the recording has the rows saved"
    );

    // A datagram to the live server while the recording is shown.
    let peer = UdpSocket::bind("127.0.0.1:0").expect("bind");
    peer.send_to(b"while recording", ("127.0.0.1", port))
        .expect("send");
    let mut answer = [0u8; 64];
    peer.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    let (n, _) = peer
        .recv_from(&mut answer)
        .expect("the live server answers");
    assert_eq!(&answer[..n], b"Hello, client");
    h.run_steps(3);
    assert_eq!(
        h.state().server.rows.len(),
        recorded_rows,
        "live traffic does not mix into the recording"
    );

    // Stop names the recording's server: nothing live is stopped unseen.
    run(&mut h, Command::StopServer);
    assert!(h.state().lesson.is_recording());

    // Send goes back to live first, and says so; it sends the live
    // settings' message (the panels showed the recording's).
    h.state_mut().settings.message = "typed over the recording".into();
    run(&mut h, Command::Send);
    wait_for(&mut h, "the client to finish", |app| !app.client.busy());
    let app = h.state();
    assert!(!app.lesson.is_recording());
    assert!(matches!(
        app.lesson.message,
        Some(Message::BackToLive { .. })
    ));
    let texts: Vec<String> = app
        .server
        .rows
        .iter()
        .map(|r| String::from_utf8_lossy(&r.rx.bytes).into_owned())
        .collect();
    assert_eq!(texts.len(), live_rows + 2, "{texts:?}");
    assert_eq!(texts[live_rows], "while recording");
    assert_eq!(texts[live_rows + 1], "after the save");
    assert!(matches!(app.client.outcome, Some(Outcome::Response { .. })));
    assert_eq!(
        app.settings.recent_files.first().map(PathBuf::from),
        std::path::absolute(&path).ok()
    );
}

#[test]
fn a_foreign_capture_shows_its_datagrams_and_says_it_has_no_calls() {
    let dir = TempDir::new("lesson-capture");
    let mut h = harness();
    let port = start_server(&mut h);
    h.state_mut().settings.target = format!("127.0.0.1:{port}");
    send(&mut h, "Hello, server", false);
    send(&mut h, "Привет, сервер", false);
    // A plain pcap (the toolbar's export): no UDP Lab blocks, a capture.
    let datagrams: Vec<_> = h.state().session.datagrams.iter().cloned().collect();
    let path = crate::lab::export::save(
        crate::lab::export::ExportKind::Pcap,
        &dir.0,
        &datagrams,
        crate::app::Lang::En,
    )
    .expect("export the pcap");

    let mut fresh = harness();
    run(&mut fresh, Command::ShowView(View::Trace));
    open(&mut fresh, &path);
    let app = fresh.state();
    assert!(app.lesson.shows_capture(), "{:?}", app.lesson.message);
    assert!(app.session.trace.is_empty());
    assert_eq!(app.session.datagrams.len(), 4);
    // The requests, received at the server, fill its incoming list.
    let rows: Vec<Vec<u8>> = app
        .server
        .rows
        .iter()
        .map(|r| r.rx.bytes.to_vec())
        .collect();
    assert_eq!(
        rows,
        vec![
            b"Hello, server".to_vec(),
            "Привет, сервер".as_bytes().to_vec()
        ]
    );
    fresh.get_by_label_contains("Capture: udp-lab-");
    fresh.get_by_label_contains("4 UDP datagrams");
    fresh.get_by_label("A capture has datagrams, not calls: see them in the sequence diagram, the datagram anatomy and the incoming list.");
    // Back to live: the window's own (empty) session again.
    run(&mut fresh, Command::Lesson(LessonCommand::BackToLive));
    let app = fresh.state();
    assert!(!app.lesson.is_recording() && app.lesson.recording.is_none());
    assert!(app.session.datagrams.is_empty() && app.server.rows.is_empty());
}

#[test]
fn ctrl_s_saves_and_ctrl_o_opens_the_picker() {
    let dir = TempDir::new("lesson-keys");
    let mut h = harness();
    h.state_mut().tools.output_dir = Some(dir.0.clone());
    let port = start_server(&mut h);
    h.state_mut().settings.target = format!("127.0.0.1:{port}");
    send(&mut h, "Hello, server", false);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    wait_for(&mut h, "the save to end", |app| {
        app.tools.notice.as_ref().is_some_and(|n| {
            matches!(
                n.kind,
                NoticeKind::Saved {
                    what: Saved::Session,
                    ..
                }
            )
        })
    });
    let saved: Vec<_> = std::fs::read_dir(&dir.0)
        .expect("the folder")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert!(saved[0].starts_with("udp-lab-") && saved[0].ends_with(".pcapng"));
    h.get_by_label_contains("Session saved:");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    h.run_steps(2);
    assert!(h.state().lesson.picker.is_some());
    h.get_by_label("Open a lesson or a capture");
    // The picker lists the saved file; a click opens it.
    h.get_by_label(&saved[0]).click();
    h.run_steps(2);
    wait_for(&mut h, "the file to be read", |app| {
        app.lesson.opening.is_none()
    });
    assert!(
        h.state().lesson.is_recording(),
        "{:?}",
        h.state().lesson.message
    );
}

/// The lab's server.py traced, answering UDP Lab's client: its run comes
/// back with the same console and calls.
#[test]
fn a_traced_script_comes_back_with_its_console_and_calls() {
    use crate::app::scripts::RunStatus;
    if !crate::app::test_util::have_python() {
        return;
    }
    let dir = TempDir::new("lesson-script");
    let path = dir.0.join("script.pcapng");
    let port = UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let mut h = harness();
    {
        let app = h.state_mut();
        app.settings.scripts.path = crate::app::test_util::fixture("server.py");
        app.settings.scripts.args = format!("127.0.0.1 {port} 1");
        app.settings.target = format!("127.0.0.1:{port}");
    }
    run(&mut h, Command::RunScript);
    wait_for(&mut h, "the script to bind", |app| {
        app.session.trace.iter().any(|r| {
            matches!(r.side, crate::lab::session::Side::Script(_))
                && matches!(r.call, crate::lab::session::Call::Bind { .. })
        })
    });
    send(&mut h, "Привет, скрипт", false);
    wait_for(&mut h, "the script to end", |app| {
        app.scripts
            .runs
            .first()
            .is_some_and(|r| matches!(r.status, RunStatus::Ended { .. }))
    });
    let console = |app: &UdpLabApp| -> Vec<String> {
        app.scripts.runs[0]
            .console
            .iter()
            .map(|l| l.text(crate::app::Lang::En))
            .collect()
    };
    let before = models(h.state());
    let lines = console(h.state());
    assert!(
        lines
            .iter()
            .any(|l| l == "Message from client: Привет, скрипт"),
        "{lines:?}"
    );
    save(&mut h, &path);

    let mut fresh = harness();
    open(&mut fresh, &path);
    let app = fresh.state();
    assert!(app.lesson.is_recording(), "{:?}", app.lesson.message);
    assert_eq!(models(app), before);
    assert_eq!(app.scripts.runs.len(), 1);
    assert_eq!(console(app), lines);
    assert!(matches!(
        app.scripts.runs[0].status,
        RunStatus::Ended { .. }
    ));
}

/// `udp-lab --save FILE`: the session is written when the window closes.
#[test]
fn save_on_exit_writes_the_session_when_the_window_closes() {
    use eframe::App as _;
    let dir = TempDir::new("lesson-exit");
    let path = dir.0.join("exit.pcapng");
    let mut h = harness();
    h.state_mut().lesson.save_on_exit = Some(path.clone());
    let port = start_server(&mut h);
    h.state_mut().settings.target = format!("127.0.0.1:{port}");
    send(&mut h, "Hello, server", false);
    let calls = h.state().session.trace.len();
    h.state_mut().on_exit(None);
    let opened = crate::lab::capture::open(&path, &crate::lab::capture::Progress::default())
        .expect("the file written at exit opens");
    let crate::lab::capture::Recorded::Session { events, .. } = opened.recorded else {
        panic!("not read as UDP Lab's session");
    };
    let mut session = crate::lab::session::Session::default();
    for event in &events {
        session.record(event);
    }
    assert_eq!(session.trace.len(), calls);
}
