use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command as Process, Stdio};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::*;
use crate::app::test_util::{TempDir, harness, harness_with, set_text, start_server, wait_for};
use crate::app::tools::jobs::{NoticeKind, notice_text};
use crate::app::{Lang, Outcome, View};
use crate::lab::session::{Call, Side};

fn show_code(h: &mut Harness<'_, UdpLabApp>) {
    h.get_by_label("Code").click();
    h.run_steps(2);
}

fn shows(h: &Harness<'_, UdpLabApp>, text: &str) -> bool {
    h.query_by_label_contains(text).is_some()
}

#[test]
fn the_code_follows_every_field_of_the_window() {
    let mut h = harness();
    show_code(&mut h);
    // The harness binds port 0: the server prints the port it got.
    assert!(shows(&h, "server_port = 0"));
    assert!(shows(&h, "server_port = server_socket.getsockname()[1]"));
    assert!(shows(&h, "server_socket.recvfrom(1024)"));
    assert!(shows(&h, "response = \"Hello, client\""));
    assert!(shows(&h, "message = \"Hello, server\""));
    assert!(shows(&h, "client_socket.settimeout(1.0)"));

    set_text(&mut h, "Bind address", "127.0.0.1:5555");
    assert!(shows(&h, "server_port = 5555"));
    assert!(!shows(&h, "getsockname"));
    set_text(&mut h, "Server address", "[::1]:6000");
    assert!(shows(&h, "server_ip = \"::1\""));
    assert!(shows(&h, "client_socket = socket.socket(socket.AF_INET6"));
    set_text(&mut h, "Message", "ping");
    assert!(shows(&h, "message = \"ping\""));
    set_text(&mut h, "Reply text", "pong");
    assert!(shows(&h, "response = \"pong\""));

    // The server's buffer field comes first, then the client's.
    {
        let mut buffers = h.get_all_by_label("Receive buffer");
        let server = buffers.next().expect("the server's receive buffer");
        let client = buffers.next().expect("the client's receive buffer");
        server.set_value_accesskit(2048.0);
        client.set_value_accesskit(512.0);
    }
    h.run_steps(2);
    assert!(shows(&h, "server_socket.recvfrom(2048)"));
    assert!(shows(&h, "client_socket.recvfrom(512)"));
    h.get_by_label("Timeout").set_value_accesskit(2.5);
    h.run_steps(2);
    assert!(shows(&h, "client_socket.settimeout(2.5)"));
    assert!(shows(&h, "No server answered within 2.5 s"));

    h.get_by_label("Echo").click();
    h.run_steps(2);
    assert!(shows(&h, "server_socket.sendto(message, client_address)"));
    assert!(!shows(&h, "response = "));
    h.get_by_label("No reply").click();
    h.run_steps(2);
    assert!(!shows(&h, "server_socket.sendto"));
    assert!(shows(&h, "No reply: the server sends nothing back"));

    // An address that does not parse: the code says what it shows instead.
    set_text(&mut h, "Server address", "127.0.0.1:");
    assert!(shows(
        &h,
        "Server address is not valid: the code shows 127.0.0.1:12345"
    ));
}

#[test]
fn russian_marks_the_steps_in_russian() {
    let mut h = harness_with(Settings {
        lang: Some(Lang::Ru),
        ..Settings::default()
    });
    h.get_by_label("Код").click();
    h.run_steps(2);
    assert!(shows(
        &h,
        "server_socket.bind((server_ip, server_port))  # 5. привязка"
    ));
    assert!(shows(&h, "client_socket.close()  # 9. закрытие сокета"));
    h.get_by_label("Копировать server.py");
    h.get_by_label("Сохранить client.py как…");
}

/// Each program's "now" steps over the frames, repeats folded.
#[derive(Default)]
struct Record {
    server: Vec<u8>,
    client: Vec<u8>,
}

impl Record {
    fn frame(&mut self, app: &UdpLabApp) {
        for &(role, step, glow) in &app.views.code.drawn {
            let seq = match role {
                Role::Server => &mut self.server,
                Role::Client => &mut self.client,
            };
            if glow == Glow::Now && seq.last() != Some(&step) {
                seq.push(step);
            }
        }
    }
}

fn record_until(h: &mut Harness<'_, UdpLabApp>, rec: &mut Record, done: impl Fn(&Record) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !done(rec) {
        h.step();
        rec.frame(h.state());
        assert!(
            std::time::Instant::now() < deadline,
            "lit so far: server {:?}, client {:?}",
            rec.server,
            rec.client
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[test]
fn a_full_exchange_lights_the_lines_in_the_handouts_order() {
    let mut h = harness();
    show_code(&mut h);
    let mut rec = Record::default();
    h.get_by_label("Start").click();
    record_until(&mut h, &mut rec, |r| r.server.last() == Some(&6));
    let port = crate::app::test_util::listening_port(h.state()).expect("listening");
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    rec.frame(h.state());
    h.get_by_label("Send").click();
    record_until(&mut h, &mut rec, |r| r.client.last() == Some(&9));
    assert_eq!(rec.server, [4, 5, 6, 7, 8, 9, 10]);
    assert_eq!(rec.client, [5, 6, 7, 8, 9]);
    // The light goes out by itself (no frame needed but those asked for).
    h.run_steps(12);
    assert!(h.state().views.code.drawn.is_empty());
}

#[test]
fn a_row_picked_in_the_trace_lights_its_lines() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Send").click();
    wait_for(&mut h, "the exchange to close", |app| {
        app.session
            .trace
            .iter()
            .any(|r| r.side == Side::Client && r.call == Call::Close)
    });
    // The server's recvfrom: the request, from the client's sendto.
    let app = h.state();
    let client_port = app.server.rows[0].rx.from.port();
    h.get_by_label(&format!(
        "recvfrom(1024) → 13 bytes from 127.0.0.1:{client_port}"
    ))
    .click();
    h.run_steps(2);
    assert!(h.state().selected_datagram.is_some());
    show_code(&mut h);
    // Past the live lighting of the exchange: the calls of the last
    // seconds play when the view opens (12 steps, then 1.5 s of fading).
    h.run_steps(24);
    let mut drawn = h.state().views.code.drawn.clone();
    drawn.sort_by_key(|(r, s, _)| (*r == Role::Client, *s));
    assert_eq!(
        drawn,
        [
            (Role::Server, 7, Glow::Selected),
            (Role::Client, 6, Glow::Selected)
        ]
    );
}

#[test]
fn narrow_windows_show_one_program_behind_tabs() {
    let mut h = Harness::builder()
        .with_size([700.0, 700.0])
        .build_eframe(|cc| {
            UdpLabApp::with_settings(
                &cc.egui_ctx,
                Settings {
                    lang: Some(Lang::En),
                    view: View::Code,
                    ..Settings::default()
                },
                crate::app::StartOptions::default(),
            )
        });
    h.run_steps(2);
    assert!(shows(&h, "server_socket.bind("));
    assert!(!shows(&h, "client_socket.close()"));
    h.get_by_label("client.py").click();
    h.run_steps(2);
    assert!(shows(&h, "client_socket.close()"));
    assert!(!shows(&h, "server_socket.bind("));
    h.get_by_label("Copy client.py");
    h.get_by_label("Save client.py as…");
}

#[test]
fn copy_puts_the_program_on_the_clipboard() {
    let mut h = harness();
    show_code(&mut h);
    h.get_by_label("Copy client.py").click();
    h.step();
    let source = program(h.state(), Role::Client).source;
    let copied = h
        .output()
        .platform_output
        .commands
        .iter()
        .any(|c| matches!(c, egui::OutputCommand::CopyText(t) if *t == source));
    assert!(copied, "{:?}", h.output().platform_output.commands);
    h.run_steps(1);
    h.get_by_label("Copied client.py");
}

fn save(h: &mut Harness<'_, UdpLabApp>, button: &str) -> PathBuf {
    h.state_mut().tools.notice = None;
    h.get_by_label(button).click();
    wait_for(h, "the program to be saved", |app| {
        app.tools.notice.is_some()
    });
    let Some(notice) = &h.state().tools.notice else {
        unreachable!()
    };
    match &notice.kind {
        NoticeKind::Saved { path, .. } => {
            let text = notice_text(Lang::En, &notice.kind);
            h.get_by_label(&text);
            path.clone()
        }
        other => panic!("not saved: {}", notice_text(Lang::En, other)),
    }
}

fn have_python3() -> bool {
    let found = Process::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    // The Windows build's tests run under Wine, which cannot start the
    // machine's python3 (a Linux program): those tests skip, saying so.
    if cfg!(windows) && !found {
        println!(
            "SKIPPED {}: python3 does not run under Wine (a Linux program)",
            std::thread::current().name().unwrap_or("this test")
        );
        return false;
    }
    assert!(
        found || std::env::var_os("CI").is_none(),
        "python3 is missing on CI"
    );
    found
}

#[test]
fn saved_programs_run_under_python3_and_print_the_labs_lines() {
    let mut h = harness();
    let out = TempDir::new("code-save");
    h.state_mut().tools.output_dir = Some(out.0.clone());
    show_code(&mut h);
    let server = save(&mut h, "Save server.py as…");
    assert_eq!(server, out.0.join("server.py"));
    assert_eq!(
        std::fs::read_to_string(&server).expect("read"),
        program(h.state(), Role::Server).source
    );
    // A second save keeps the first file.
    assert_eq!(
        save(&mut h, "Save server.py as…"),
        out.0.join("server-2.py")
    );
    if !have_python3() {
        return;
    }
    // The harness binds port 0: the script prints the port it got.
    let mut child = Process::new("python3")
        .arg("-u")
        .arg(&server)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _child = Kill(child);
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let port: u16 = first
        .strip_prefix("Server is listening on 127.0.0.1 port ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("first line {first:?}"));
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    let client = save(&mut h, "Save client.py as…");
    assert_eq!(client, out.0.join("client.py"));
    let run = Process::new("python3")
        .arg(&client)
        .output()
        .expect("python3 runs");
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "Response from server: Hello, client\n",
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let second = lines.next().and_then(Result::ok).unwrap_or_default();
    assert_eq!(second, "Message from client: Hello, server");
    // And the window's own client gets its answer from the saved server.
    h.get_by_label("Send").click();
    wait_for(&mut h, "the answer", |app| {
        matches!(app.client.outcome, Some(Outcome::Response { .. }))
    });
}

#[test]
fn a_failed_save_says_which_program_and_why() {
    let mut h = harness();
    let out = TempDir::new("code-save-missing");
    h.state_mut().tools.output_dir = Some(out.0.join("not-there"));
    show_code(&mut h);
    h.get_by_label("Save client.py as…").click();
    wait_for(&mut h, "the failure", |app| app.tools.notice.is_some());
    h.get_by_label_contains("Could not save client.py: the folder");
}

#[test]
fn each_panels_protocol_picks_its_program() {
    // Either program may show the text (both stand side by side).
    let any = |h: &Harness<'_, UdpLabApp>, text: &str| {
        h.query_all_by_label_contains(text).next().is_some()
    };
    let mut h = harness();
    show_code(&mut h);
    assert!(any(&h, "socket.SOCK_DGRAM"));
    assert!(!any(&h, "socket.SOCK_STREAM"));
    h.state_mut().settings.tcp_backlog = 7;
    h.state_mut()
        .run(Command::SetServerProtocol(crate::net::Protocol::Tcp));
    h.run_steps(2);
    // The server is TCP's, the client still UDP's.
    assert!(any(&h, "server_socket.listen(7)"));
    assert!(any(&h, "client_socket.sendto("));
    assert!(!shows(
        &h,
        "client_socket.connect((server_ip, server_port))"
    ));
    h.state_mut()
        .run(Command::SetClientProtocol(crate::net::Protocol::Tcp));
    h.run_steps(2);
    assert!(any(&h, "client_socket.connect((server_ip, server_port))"));
    assert!(!any(&h, "recvfrom"));
}

/// Issue 28: HTTP chosen shows webserver.py and http_client.py, and UDP
/// Lab's web server's real calls light webserver.py's lines in its order.
#[test]
fn http_shows_the_web_programs_and_the_web_servers_calls_light_them() {
    let mut h = harness();
    show_code(&mut h);
    h.state_mut()
        .run(Command::SetServerProtocol(crate::net::Protocol::Http));
    h.state_mut()
        .run(Command::SetClientProtocol(crate::net::Protocol::Http));
    h.run_steps(2);
    assert!(shows(&h, "message = connection_socket.recv(1024)"));
    assert!(shows(&h, "server_port = 6789"));
    assert!(shows(
        &h,
        r#"request = ("GET /HelloWorld.html HTTP/1.1\r\n""#
    ));
    assert!(shows(&h, "client_socket.sendall(request.encode("));
    assert!(!shows(&h, "recvfrom"));
    let mut rec = Record::default();
    let (events, _) = crate::app::views::anatomy::http::tests::web_server_get();
    for event in &events {
        h.state_mut().session.record(event);
    }
    record_until(&mut h, &mut rec, |r| r.server.last() == Some(&15));
    // socket, bind, listen + "Ready", accept, recv + the path, the head
    // and sendall, close — webserver.py's numbers, not the TCP server's.
    assert_eq!(rec.server[..7], [4, 5, 6, 7, 8, 9, 10], "{:?}", rec.server);
    assert!(
        rec.server.windows(2).any(|w| w == [12, 13]),
        "{:?}",
        rec.server
    );
    assert!(rec.client.is_empty(), "{:?}", rec.client);
    let rows = &h.state().session.trace;
    assert!(rows.iter().all(|r| r.web && r.call.is_tcp()));
    let sends: Vec<Option<u8>> = rows
        .iter()
        .filter(|r| matches!(r.call, Call::Tcp(crate::lab::session::TcpCall::Send { .. })))
        .map(|r| r.lab_step())
        .collect();
    assert_eq!(sends, [Some(13)]);
}
