//! `udp-lab trace` on TCP scripts (issue 27): real python scripts written
//! here, traced, on loopback with ports the system picks; their peers are
//! each other or plain std sockets of the test. The calls the tracer
//! adds (listen, accept with the socket it returns, connect_ex, sendall,
//! recv_into under makefile(), shutdown), each TCP mistake → its
//! diagnosis at its line, and a correct pair → none.

// Test code: a failed setup step should stop the test where it failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::trace::{Dir, free_port, line_of, python, read_until, run, start};
use common::{have, listening_port};
use udp_lab::lab::code::{CodeSettings, tcp};
use udp_lab::lab::i18n::Lang;

/// The Code view's TCP pair, traced against each other: every call with
/// its step of UDP Lab's TCP programs, the answer printed, and no
/// diagnosis (the correct pair).
fn the_code_views_pair_under(python: &str) {
    let dir = Dir::new("pair");
    let settings = CodeSettings {
        bind: "127.0.0.1:0".into(),
        ..CodeSettings::default()
    };
    let server = tcp::server(&settings, Lang::En);
    let server_path = dir.script("tcp_server.py", &server.source);
    let (_srv, mut srv_out, head) =
        start(&["--python", python, &server_path], "Server is listening");
    let port = listening_port(head.last().unwrap());
    let at = |step| server.line_of(step).unwrap();
    assert!(
        head.contains(&format!(
            "tcp_server.py:{}  listen(5) → ok  [TCP server step 6 (UDP Lab's program)]",
            at(6)
        )),
        "{head:#?}"
    );
    let client = tcp::client(
        &CodeSettings {
            target: format!("127.0.0.1:{port}"),
            ..CodeSettings::default()
        },
        Lang::En,
    );
    let client_path = dir.script("tcp_client.py", &client.source);
    let (out, text) = run(&["--python", python, &client_path]);
    assert!(out.status.success(), "{text}");
    let c = |step| client.line_of(step).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "tcp_client.py:{}  socket(AF_INET, SOCK_STREAM) → ok  [TCP server step 4, client step 5 (UDP Lab's programs)]",
            c(5)
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "tcp_client.py:{}  connect(('127.0.0.1', {port})) → ok  [TCP client step 6 (UDP Lab's program)]",
            c(6)
        )
    );
    assert_eq!(
        lines[2],
        format!(
            "tcp_client.py:{}  sendall(b'Hello, server') → 13 bytes  [TCP client step 7 (UDP Lab's program)]",
            c(7)
        )
    );
    assert!(lines[3].contains("  shutdown(SHUT_WR) → ok"), "{text}");
    assert_eq!(
        lines[4],
        format!(
            "tcp_client.py:{}  recv(1024) → 13 bytes  [TCP client step 8 (UDP Lab's program)]",
            c(8)
        )
    );
    assert_eq!(
        lines[5],
        format!(
            "tcp_client.py:{}  recv(1024) → b'' (the peer closed)  [TCP client step 8 (UDP Lab's program)]",
            c(8)
        )
    );
    assert_eq!(lines[6], "Response from server: Hello, client");
    assert!(lines[7].ends_with("close() → ok  [TCP client step 10 (UDP Lab's program)]"));
    assert!(!text.contains("  ! "), "{text}");

    let rest = read_until(&mut srv_out, "tcp_server.py:");
    let rest = [rest, read_until(&mut srv_out, "Message from client")].concat();
    let accepted = rest
        .iter()
        .find(|l| l.contains("accept()"))
        .expect("accept");
    assert!(
        accepted.starts_with(&format!(
            "tcp_server.py:{}  accept() → socket #2 from ('127.0.0.1', ",
            at(8)
        )),
        "{rest:#?}"
    );
    assert!(accepted.ends_with("[TCP server step 8 (UDP Lab's program)]"));
    assert!(rest.contains(&format!(
        "tcp_server.py:{}  recv(1024) → 13 bytes  [TCP server step 9 (UDP Lab's program)]",
        at(9)
    )));
    let rest = read_until(&mut srv_out, &format!("tcp_server.py:{}  close", at(13)));
    assert!(rest.contains(&format!(
        "tcp_server.py:{}  sendall(b'Hello, client') → 13 bytes  [TCP server step 12 (UDP Lab's program)]",
        at(12)
    )), "{rest:#?}");
    assert!(rest.contains(&format!(
        "tcp_server.py:{}  recv(1024) → b'' (the peer closed)  [TCP server step 10 (UDP Lab's program)]",
        at(9)
    )), "{rest:#?}");
    assert_eq!(
        rest.last().unwrap(),
        &format!(
            "tcp_server.py:{}  close() → ok  [TCP server step 13 (UDP Lab's program)]",
            at(13)
        )
    );
    assert!(!rest.iter().any(|l| l.starts_with("  ! ")), "{rest:#?}");
}

#[test]
fn the_code_views_tcp_pair_is_traced_with_its_steps_and_no_diagnosis() {
    if !python() {
        return;
    }
    the_code_views_pair_under("python3");
}

/// Under Python 2.7 when one is installed (CI does not install it):
/// `python2.7` on PATH, or UDPLAB_PYTHON2.
#[test]
fn the_tcp_pair_is_traced_under_python_2_7_too() {
    let python2 = std::env::var("UDPLAB_PYTHON2").unwrap_or_else(|_| "python2.7".into());
    let works = Command::new(&python2)
        .args(["-c", "pass"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        println!("SKIPPED the_tcp_pair_is_traced_under_python_2_7_too: no Python 2.7 ({python2})");
        return;
    }
    the_code_views_pair_under(&python2);
}

const MAKEFILE_SERVER: &str = r#"import socket

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
print("Server is listening on 127.0.0.1 port", server.getsockname()[1])
conn, addr = server.accept()
reader = conn.makefile("rb")
line = reader.readline()
print("Line:", line.decode().strip())
reader.close()
conn.close()
server.close()
"#;

/// A server reading lines through makefile(): its reads are seen (Python
/// 3's file calls recv_into on the accepted socket), at the readline.
#[test]
fn a_makefile_reader_is_seen_on_the_accepted_socket() {
    if !python() {
        return;
    }
    let dir = Dir::new("makefile");
    let script = dir.script("line_server.py", MAKEFILE_SERVER);
    let (mut srv, mut out, head) = start(&[&script], "Server is listening");
    let port = listening_port(head.last().unwrap());
    let mut peer = TcpStream::connect(("127.0.0.1", port)).unwrap();
    peer.write_all(b"hello\n").unwrap();
    let rest = read_until(&mut out, "line_server.py ended");
    let at = line_of(MAKEFILE_SERVER, "reader.readline()");
    let read = rest
        .iter()
        .find(|l| l.starts_with(&format!("line_server.py:{at}  recv")))
        .unwrap_or_else(|| panic!("no read at {at}: {rest:#?}"));
    assert!(read.contains("→ 6 bytes"), "{read}");
    assert!(rest.contains(&"Line: hello".to_owned()), "{rest:#?}");
    // The accepted socket's own close is traced too.
    assert!(rest.contains(&format!(
        "line_server.py:{}  close() → ok  [TCP server step 13 (UDP Lab's program)]",
        line_of(MAKEFILE_SERVER, "conn.close()")
    )));
    assert!(!rest.iter().any(|l| l.starts_with("  ! ")), "{rest:#?}");
    assert_eq!(srv.0.wait().unwrap().code(), Some(0));
}

const REFUSED_CLIENT: &str = r#"import socket
import sys

port = int(sys.argv[1])
probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print("connect_ex:", probe.connect_ex(("127.0.0.1", port)))
probe.close()
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect(("127.0.0.1", port))
"#;

#[test]
fn connection_refused_is_said_as_a_reset_at_both_connects() {
    if !python() {
        return;
    }
    let dir = Dir::new("refused");
    let script = dir.script("refused.py", REFUSED_CLIENT);
    let port = free_port();
    let (out, text) = run(&[&script, &port.to_string()]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let probe = line_of(REFUSED_CLIENT, "connect_ex");
    let connect = line_of(REFUSED_CLIENT, "sock.connect");
    assert!(text.contains(&format!(
        "refused.py:{probe}  connect_ex(('127.0.0.1', {port})) → 111 (ECONNREFUSED)  [TCP client step 6 (UDP Lab's program)]\n"
    )), "{text}");
    for (at, call) in [(probe, "connect_ex"), (connect, "connect")] {
        assert!(text.contains(&format!(
            "  ! refused.py:{at}: {call}(('127.0.0.1', {port})) was refused: nothing listens at ('127.0.0.1', {port}). The system answered the connection request with a TCP reset (RST), not an ICMP message as for UDP."
        )), "{text}");
    }
    // The exception is the one explained: said once.
    assert!(!text.contains("ended with an exception"), "{text}");
}

const EOF_LOOP_CLIENT: &str = r#"import socket
import sys

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect(("127.0.0.1", int(sys.argv[1])))
for _ in range(4):
    data = sock.recv(1024)
    print("Got:", data)
sock.close()
"#;

/// recv → b'' read as a message: the loop goes on reading nothing.
#[test]
fn recv_returning_b_empty_again_is_a_loop_that_spins() {
    if !python() {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.write_all(b"hi").unwrap();
        // Dropped: closed, so the script's next recv returns b''.
    });
    let dir = Dir::new("eof");
    let script = dir.script("eof_loop.py", EOF_LOOP_CLIENT);
    let (out, text) = run(&[&script, &port.to_string()]);
    peer.join().unwrap();
    assert!(out.status.success(), "{text}");
    let at = line_of(EOF_LOOP_CLIENT, "sock.recv");
    let said: Vec<&str> = text.lines().filter(|l| l.starts_with("  ! ")).collect();
    assert_eq!(
        said,
        [format!(
            "  ! eof_loop.py:{at}: recv() returned b'' again: the peer closed the connection (the first b'' said so) and b'' is no message: nothing more will come, and the loop spins. Stop reading when it returns b'': if not data: break."
        )],
        "{text}"
    );
}

const PARTIAL_SEND_CLIENT: &str = r#"import socket
import sys

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.settimeout(5)
sock.connect(("127.0.0.1", int(sys.argv[1])))
data = b"x" * (64 * 1024 * 1024)
sent = sock.send(data)
print("sent", sent < len(data))
sock.close()
"#;

/// send() with a timeout sends what fits in the buffers of a peer that
/// does not read, and returns: the rest is never sent.
#[test]
fn a_send_that_sent_part_without_sendall_is_said() {
    if !python() {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let peer = std::thread::spawn(move || {
        let (conn, _) = listener.accept().unwrap();
        // Reads nothing until the script has ended.
        let _ = done_rx.recv();
        drop(conn);
    });
    let dir = Dir::new("partial");
    let script = dir.script("partial_send.py", PARTIAL_SEND_CLIENT);
    let (out, text) = run(&[&script, &port.to_string()]);
    let _ = done_tx.send(());
    peer.join().unwrap();
    assert!(out.status.success(), "{text}");
    // The script itself saw that send() sent less than asked.
    assert!(text.contains("\nsent True\n"), "{text}");
    let at = line_of(PARTIAL_SEND_CLIENT, "sock.send(data)");
    let said = text
        .lines()
        .find(|l| l.starts_with("  ! "))
        .unwrap_or_else(|| panic!("no diagnosis: {text}"));
    assert!(
        said.starts_with(&format!("  ! partial_send.py:{at}: send() sent only ")),
        "{said}"
    );
    assert!(
        said.ends_with(" of 67108864 bytes, and the rest was never sent: send() may send just part of what it is given. Use sendall(), which sends everything, or send the rest in a loop."),
        "{said}"
    );
}

const LISTENING_SEND_SERVER: &str = r#"import socket

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(5)
server.sendall(b"Hello, client")
"#;

#[test]
fn send_on_the_listening_socket_is_said() {
    if !python() {
        return;
    }
    let dir = Dir::new("listening");
    let script = dir.script("listening_send.py", LISTENING_SEND_SERVER);
    let (out, text) = run(&[&script]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let at = line_of(LISTENING_SEND_SERVER, "server.sendall");
    assert!(text.contains(&format!(
        "  ! listening_send.py:{at}: sendall() on the listening socket: it only accepts connections and carries no data. Use the socket accept() returned: conn, addr = sock.accept(), then conn.sendall(…).\n"
    )), "{text}");
    assert!(!text.contains("ended with an exception"), "{text}");
}

const NEVER_CLOSES_SERVER: &str = r#"import socket

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(5)
print("Server is listening on 127.0.0.1 port", server.getsockname()[1])
while True:
    conn, addr = server.accept()
    data = conn.recv(1024)
    conn.sendall(data)
"#;

/// A server that answers and goes back to accept() without closing the
/// connection: its client, reading until b'', would wait forever.
#[test]
fn an_accepted_socket_never_closed_is_said_while_the_server_waits() {
    if !python() {
        return;
    }
    let dir = Dir::new("unclosed");
    let script = dir.script("never_closes.py", NEVER_CLOSES_SERVER);
    let (_srv, mut out, head) = start(&[&script], "Server is listening");
    let port = listening_port(head.last().unwrap());
    let mut peer = TcpStream::connect(("127.0.0.1", port)).unwrap();
    peer.write_all(b"ping").unwrap();
    let mut echo = [0u8; 4];
    peer.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, b"ping");
    let rest = read_until(&mut out, "  ! ");
    let accepted = line_of(NEVER_CLOSES_SERVER, "server.accept()");
    assert_eq!(
        rest.last().unwrap(),
        &format!(
            "  ! never_closes.py:{accepted}: the connection accept() returned here is still open while the script waits for the next one at never_closes.py:{accepted}: its client, reading until b'', waits forever. Close it when you are done: conn.close()."
        ),
        "{rest:#?}"
    );
}

#[cfg(target_os = "linux")]
const RESTARTED_SERVER: &str = r#"import socket
import sys

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
if sys.argv[2] == "reuse":
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(5)
print("Server is listening on 127.0.0.1 port", sys.argv[1])
if sys.argv[3] == "serve":
    conn, addr = server.accept()
    conn.sendall(b"bye")
    conn.close()
server.close()
"#;

/// Serves one connection (closing it first: its side keeps TIME_WAIT)
/// on `port`, with or without SO_REUSEADDR.
#[cfg(target_os = "linux")]
fn serve_once(script: &str, port: &str, reuse: &str) {
    let (mut first, mut out, _) = start(&[script, port, reuse, "serve"], "Server is listening");
    let mut peer = TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).unwrap();
    let mut got = Vec::new();
    peer.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"bye");
    drop(peer);
    read_until(&mut out, "restart.py ended");
    assert_eq!(first.0.wait().unwrap().code(), Some(0));
}

/// The server closes a connection first, so its side keeps TIME_WAIT; run
/// again at once, its bind fails with nothing listening: TIME_WAIT is
/// said (and why SO_REUSEADDR set now is too late); a server that always
/// sets SO_REUSEADDR binds again at once.
#[cfg(target_os = "linux")]
#[test]
fn bind_right_after_a_restart_names_time_wait_and_so_reuseaddr() {
    if !python() {
        return;
    }
    let dir = Dir::new("time-wait");
    let script = dir.script("restart.py", RESTARTED_SERVER);
    let at = line_of(RESTARTED_SERVER, "server.bind");
    let port = free_port().to_string();
    serve_once(&script, &port, "plain");
    let (out, text) = run(&[&script, &port, "plain", "once"]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(&format!(
        "  ! restart.py:{at}: bind(('127.0.0.1', {port})) failed: Address already in use, yet nothing listens there: connections closed a moment ago on this port are in TIME_WAIT"
    )), "{text}");
    assert!(text.contains("Set SO_REUSEADDR before bind"), "{text}");
    assert!(!text.contains("ended with an exception"), "{text}");
    // SO_REUSEADDR now: too late for the TIME_WAIT a run without it left.
    let (out, text) = run(&[&script, &port, "reuse", "once"]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("left by a run without SO_REUSEADDR"),
        "{text}"
    );

    // Always with SO_REUSEADDR: the restart binds.
    let port = free_port().to_string();
    serve_once(&script, &port, "reuse");
    let (out, text) = run(&[&script, &port, "reuse", "once"]);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!("bind(('127.0.0.1', {port})) → ok")),
        "{text}"
    );
    assert!(!text.contains("  ! "), "{text}");
}

/// Every TCP program variant needs nothing newer than Python 2.7 and 3.0.
#[test]
fn vermin_finds_the_tcp_programs_compatible_with_python_2_7_and_3_0() {
    if !have("vermin") {
        println!("SKIPPED vermin_finds_the_tcp_programs_compatible: vermin is not installed");
        return;
    }
    let dir = Dir::new("vermin");
    let mut files: Vec<String> = Vec::new();
    for lang in Lang::ALL {
        for (i, reply) in [
            udp_lab::lab::code::ReplyCode::Fixed("Привет".into()),
            udp_lab::lab::code::ReplyCode::Echo,
            udp_lab::lab::code::ReplyCode::None,
        ]
        .into_iter()
        .enumerate()
        {
            for timeout in [None, Some(std::time::Duration::from_secs(2))] {
                let settings = CodeSettings {
                    reply: reply.clone(),
                    timeout,
                    ..CodeSettings::default()
                };
                for (role, program) in [
                    ("server", tcp::server(&settings, lang)),
                    ("client", tcp::client(&settings, lang)),
                ] {
                    let name = format!("{lang:?}-{i}-{}-{role}.py", timeout.is_some());
                    files.push(dir.script(&name, &program.source));
                }
            }
        }
    }
    common::assert_vermin_clean(files.iter().map(Path::new));
}

/// Scripts run as the window runs them: one event queue, one session that
/// records every event first, and a diagnoser per run that sees the
/// session's facts (the peer's sends of a connection).
struct Window {
    sink: udp_lab::net::EventSink<udp_lab::net::NetEvent>,
    queue: udp_lab::net::EventQueue<udp_lab::net::NetEvent>,
    session: udp_lab::lab::session::Session,
    diagnosers: std::collections::HashMap<u64, udp_lab::lab::diagnose::Diagnoser>,
    found: Vec<(u64, udp_lab::lab::diagnose::Diagnosis)>,
    output: Vec<(u64, String)>,
    exited: Vec<u64>,
    _handles: Vec<udp_lab::net::ScriptHandle>,
}

impl Window {
    fn new() -> Self {
        let (sink, queue) = udp_lab::net::event_channel(65_536, std::sync::Arc::new(|| {}));
        Self {
            sink,
            queue,
            session: Default::default(),
            diagnosers: Default::default(),
            found: Vec::new(),
            output: Vec::new(),
            exited: Vec::new(),
            _handles: Vec::new(),
        }
    }

    fn run(&mut self, script: &str, args: &[&str]) -> u64 {
        let handle = udp_lab::net::spawn_script(
            udp_lab::net::ScriptRequest {
                script: PathBuf::from(script),
                args: args.iter().map(|a| a.to_string()).collect(),
                ..Default::default()
            },
            self.sink.clone(),
        )
        .unwrap();
        let run = handle.run;
        self._handles.push(handle);
        run
    }

    fn until(&mut self, done: impl Fn(&Self) -> bool) {
        use udp_lab::lab::session::RunFacts;
        use udp_lab::net::{NetEvent, ScriptEventKind, Stream};
        let deadline = std::time::Instant::now() + common::WAIT * 3;
        while !done(self) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let Some(event) = self.queue.recv_timeout(left) else {
                panic!("not done: {:?} {:?}", self.output, self.found);
            };
            self.session.record(&event);
            let NetEvent::Script(ev) = event else {
                continue;
            };
            let facts = RunFacts {
                session: &self.session,
                run: ev.run,
            };
            let d = self.diagnosers.entry(ev.run).or_default();
            let found = match ev.kind {
                ScriptEventKind::Report(r) => d.report(&r, &facts),
                ScriptEventKind::Output {
                    stream: Stream::Stdout,
                    text,
                    ..
                } => {
                    self.output.push((ev.run, text));
                    Vec::new()
                }
                ScriptEventKind::Exited { code, stopped, .. } => {
                    self.exited.push(ev.run);
                    d.exited(code, stopped)
                }
                _ => Vec::new(),
            };
            self.found.extend(found.into_iter().map(|d| (ev.run, d)));
        }
    }

    fn printed(&self, run: u64, prefix: &str) -> Option<String> {
        self.output
            .iter()
            .find(|(r, l)| *r == run && l.starts_with(prefix))
            .map(|(_, l)| l.clone())
    }

    fn said(&self, run: u64, lang: Lang) -> Vec<String> {
        self.found
            .iter()
            .filter(|(r, _)| *r == run)
            .map(|(_, d)| d.text(lang))
            .collect()
    }
}

/// The Code view's TCP pair traced in one session: one connection, its
/// bytes each way with the send and recv boundaries and the b'' at the
/// end, and the rows stepped as UDP Lab's TCP programs.
#[test]
fn two_traced_scripts_make_one_connection_in_the_session() {
    use udp_lab::lab::session::{Call, Side, TcpCall};
    if !python() {
        return;
    }
    let dir = Dir::new("session");
    let server = tcp::server(
        &CodeSettings {
            bind: "127.0.0.1:0".into(),
            ..CodeSettings::default()
        },
        Lang::En,
    );
    let server_path = dir.script("tcp_server.py", &server.source);
    let mut w = Window::new();
    let srv = w.run(&server_path, &[]);
    w.until(|w| w.printed(srv, "Server is listening").is_some());
    let port = listening_port(&w.printed(srv, "Server is listening").unwrap());
    let client = tcp::client(
        &CodeSettings {
            target: format!("127.0.0.1:{port}"),
            ..CodeSettings::default()
        },
        Lang::En,
    );
    let client_path = dir.script("tcp_client.py", &client.source);
    let cli = w.run(&client_path, &[]);
    // The server closes the connection after the client's b''.
    w.until(|w| {
        w.exited.contains(&cli)
            && w.session.trace.iter().any(|r| {
                r.side == Side::Script(srv)
                    && r.call == Call::Tcp(TcpCall::Close { listener: false })
            })
    });
    assert_eq!(w.session.streams.list.len(), 1, "one connection");
    let conn = &w.session.streams.list[0];
    assert_eq!(conn.up.bytes, b"Hello, server");
    assert_eq!(conn.down.bytes, b"Hello, client");
    assert_eq!(conn.up.sends.len(), 1);
    // The server's recv read it all, then b'' (the client's SHUT_WR).
    let reads: Vec<u64> = conn.up.recvs.iter().map(|r| r.len).collect();
    assert_eq!(reads, [13, 0], "{:?}", conn.up.recvs);
    assert!(conn.up.eof_read.is_some());
    // Rows: the server's accept is its step 8, the client's connect its 6.
    let step_of = |run, want: fn(&TcpCall) -> bool| {
        w.session
            .trace
            .iter()
            .find(|r| r.side == Side::Script(run) && matches!(&r.call, Call::Tcp(c) if want(c)))
            .and_then(|r| r.lab_step())
    };
    assert_eq!(
        step_of(srv, |c| matches!(c, TcpCall::Accept { .. })),
        Some(8)
    );
    assert_eq!(
        step_of(srv, |c| matches!(c, TcpCall::Listen { .. })),
        Some(6)
    );
    assert_eq!(
        step_of(cli, |c| matches!(c, TcpCall::Connect { .. })),
        Some(6)
    );
    assert_eq!(
        step_of(cli, |c| matches!(c, TcpCall::Send { all: true, .. })),
        Some(7)
    );
    assert!(w.said(srv, Lang::En).is_empty());
    assert!(w.said(cli, Lang::En).is_empty());
}

const SPLIT_SERVER: &str = r#"import socket
import time

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
print("Server is listening on 127.0.0.1 port", server.getsockname()[1])
conn, addr = server.accept()
data = conn.recv(5)
print("Message from client:", data.decode())
# The client's report of its send reaches UDP Lab first.
time.sleep(0.5)
conn.sendall(b"Hello, client")
conn.close()
server.close()
"#;

const ONE_SEND_CLIENT: &str = r#"import socket
import sys

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect(("127.0.0.1", int(sys.argv[1])))
sock.sendall(b"Hello, server")
try:
    print("Response from server:", sock.recv(1024).decode())
except socket.error:
    # The server closes with 8 bytes unread: Linux resets the connection.
    print("Reset")
sock.close()
"#;

/// One send of 13 bytes, read by recv(5): the server printed and answered
/// "Hello" as if it were the message. Said where it read, in both
/// languages, with the call that took it for the whole.
#[test]
fn a_partial_read_answered_as_the_whole_message_is_said() {
    if !python() {
        return;
    }
    let dir = Dir::new("split");
    let server_path = dir.script("split_server.py", SPLIT_SERVER);
    let client_path = dir.script("one_send.py", ONE_SEND_CLIENT);
    let mut w = Window::new();
    let srv = w.run(&server_path, &[]);
    w.until(|w| w.printed(srv, "Server is listening").is_some());
    let port = listening_port(&w.printed(srv, "Server is listening").unwrap()).to_string();
    let cli = w.run(&client_path, &[&port]);
    w.until(|w| w.exited.contains(&cli) && w.exited.contains(&srv));
    assert_eq!(
        w.printed(srv, "Message from client").as_deref(),
        Some("Message from client: Hello")
    );
    let read = line_of(SPLIT_SERVER, "conn.recv(5)");
    let answered = line_of(SPLIT_SERVER, "conn.sendall");
    assert_eq!(
        w.said(srv, Lang::En),
        [format!(
            "split_server.py:{read}: recv() returned 5 bytes, and they end inside a send() of 13 bytes by the peer: 8 bytes of that message were not read yet. The script then went on to sendall() at split_server.py:{answered} as if it had the whole message. TCP keeps bytes, not messages: read until the message is complete (until b'', a delimiter such as \\n, or a length sent first)."
        )]
    );
    assert!(w.said(srv, Lang::Ru)[0].starts_with(&format!(
        "split_server.py:{read}: recv() вернул 5 байт, и они обрываются внутри send() собеседника длиной 13 байт"
    )));
    assert!(w.said(cli, Lang::En).is_empty());
}

/// The Code view's client (no timeout) against a server that answers and
/// never closes: its loop reading until b'' waits; said after 5 s, where
/// it waits, with the bytes it got.
#[test]
fn a_client_waiting_for_a_close_that_never_comes_is_said() {
    if !python() {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        // The client's message, up to its SHUT_WR.
        let mut message = Vec::new();
        conn.read_to_end(&mut message).unwrap();
        conn.write_all(b"Hello, client").unwrap();
        // Open until the test is done.
        let _ = done_rx.recv();
        message
    });
    let dir = Dir::new("never-closed");
    let client = tcp::client(
        &CodeSettings {
            target: format!("127.0.0.1:{port}"),
            ..CodeSettings::default()
        },
        Lang::En,
    );
    let path = dir.script("tcp_client.py", &client.source);
    let (cli, _out, lines) = start(&[&path], "  ! ");
    let at = client.line_of(8).unwrap();
    assert_eq!(
        lines.last().unwrap(),
        &format!(
            "  ! tcp_client.py:{at}: recv() has waited 5 s with no timeout, after 13 bytes: the server neither sends more nor closes the connection, and a loop reading until b'' waits for that close forever. Have the server close the connection when it has answered (conn.close()), or read only what the answer needs; settimeout(2) would let this client give up."
        ),
        "{lines:#?}"
    );
    // Stopped: udp-lab's end takes the script with it.
    drop(cli);
    let _ = done_tx.send(());
    assert_eq!(server.join().unwrap(), b"Hello, server");
}
