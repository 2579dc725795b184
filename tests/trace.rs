//! `udp-lab trace`: real Python scripts (tests/fixtures/scripts/) run under
//! the tracer, against UDP Lab's own server and client and against each
//! other, on ephemeral loopback ports: the calls with their lines and
//! steps, the scripts' output, exit codes, each diagnosis, Stop, and a
//! collector that shrugs off strangers and garbage.

// Test code: a failed setup step should stop the test where it failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Write as _};
use std::net::{TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::trace::{read_until, run, start, trace};
use common::{BIN, Running, WAIT, cli_server, have, listening_port};
use udp_lab::net::{self, NetEvent, ScriptEventKind, ScriptRequest, Stream};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scripts")
        .join(name)
}

/// The 1-based line of `fixture` holding `text` (the first one).
fn line_of(name: &str, text: &str) -> usize {
    common::trace::line_of(&std::fs::read_to_string(fixture(name)).unwrap(), text)
}

/// The server's line "Server is listening on 127.0.0.1 port N".
fn port_in(lines: &[String]) -> u16 {
    listening_port(lines.last().unwrap())
}

fn python() -> bool {
    have("python3")
}

#[test]
fn a_traced_server_and_client_show_their_calls_lines_steps_and_output() {
    if !python() {
        return;
    }
    let server = fixture("server.py");
    let (mut srv, mut srv_out, head) = start(
        &[server.to_str().unwrap(), "127.0.0.1", "0", "1"],
        "Server is listening",
    );
    let port = port_in(&head);
    let s = |t| line_of("server.py", t);
    assert_eq!(
        head[..2],
        [
            format!(
                "server.py:{}  socket(AF_INET, SOCK_DGRAM) → ok  [server step 4, client step 5]",
                s("sock = socket.socket")
            ),
            format!(
                "server.py:{}  bind(('127.0.0.1', 0)) → ok  [server step 5]",
                s("sock.bind")
            ),
        ]
    );
    let client = fixture("client.py");
    let (out, text) = run(&[client.to_str().unwrap(), "127.0.0.1", &port.to_string()]);
    assert!(out.status.success(), "{text}");
    let c = |t| line_of("client.py", t);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "client.py:{}  socket(AF_INET, SOCK_DGRAM) → ok  [server step 4, client step 5]",
            c("sock = socket.socket")
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "client.py:{}  sendto(b'Hello, server', ('127.0.0.1', {port})) → 13 bytes  [client step 6]",
            c("sock.sendto")
        )
    );
    assert!(
        lines[2].starts_with(&format!(
            "client.py:{}  recvfrom(1024) → 13 bytes from ('127.0.0.1', {port})  [client step 7]",
            c("sock.recvfrom")
        )),
        "{text}"
    );
    // The script's own output comes after the call that read the reply.
    assert_eq!(lines[3], "Response from server: Hello, client");
    assert_eq!(
        lines[4],
        format!(
            "client.py:{}  close() → ok  [client step 9]",
            c("sock.close")
        )
    );
    assert_eq!(lines[5], "client.py ended: exit code 0");
    assert_eq!(lines.len(), 6, "{text}");

    let rest = read_until(&mut srv_out, "server.py ended");
    assert!(
        rest[0].starts_with(&format!(
            "server.py:{}  recvfrom(1024) → 13 bytes from ('127.0.0.1', ",
            s("sock.recvfrom")
        )),
        "{rest:#?}"
    );
    assert!(rest[0].ends_with("[server step 7]"));
    assert_eq!(rest[1], "Message from client: Hello, server");
    assert!(
        rest[2].starts_with(&format!(
            "server.py:{}  sendto(b'Hello, client', ('127.0.0.1', ",
            s("sock.sendto")
        )),
        "{rest:#?}"
    );
    assert!(rest[2].ends_with(") → 13 bytes  [server step 10]"));
    assert_eq!(
        rest[3],
        format!("server.py:{}  close() → ok", s("sock.close"))
    );
    assert_eq!(rest[4], "server.py ended: exit code 0");
    assert_eq!(srv.0.wait().unwrap().code(), Some(0));
}

#[test]
fn a_traced_client_talks_to_the_udp_lab_server_and_the_exit_code_is_the_scripts() {
    if !python() {
        return;
    }
    let (_server, mut server_out, port) = cli_server(&[]);
    let (out, text) = run(&[
        fixture("client.py").to_str().unwrap(),
        "127.0.0.1",
        &port.to_string(),
    ]);
    assert!(out.status.success());
    assert!(
        text.contains("\nResponse from server: Hello, client\n"),
        "{text}"
    );
    let mut line = String::new();
    server_out.read_line(&mut line).unwrap();
    assert_eq!(line, "Message from client: Hello, server\n");

    // A script that raises exits with Python's 1, and says where and why.
    let (out, text) = run(&[fixture("crash.py").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text.contains(&format!(
        "  ! crash.py:{}: the script ended with an exception: IndexError: list index out of range\n",
        line_of("crash.py", "print(numbers[3])")
    )), "{text}");
    // Python's own traceback, without the tracer's frames.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("IndexError: list index out of range"), "{err}");
    assert!(!err.contains("udplab_trace"), "{err}");
}

#[test]
fn a_truncated_datagram_is_diagnosed_with_the_udp_lab_client() {
    if !python() {
        return;
    }
    let (_srv, mut out, head) = start(
        &[
            fixture("server.py").to_str().unwrap(),
            "127.0.0.1",
            "0",
            "1",
        ],
        "Server is listening",
    );
    let port = port_in(&head);
    let long = "x".repeat(1500);
    let _ = Command::new(BIN)
        .args([
            "client",
            "--to",
            &format!("127.0.0.1:{port}"),
            "--timeout",
            "1",
            &long,
        ])
        .output()
        .unwrap();
    let rest = read_until(&mut out, "  ! ");
    let at = line_of("server.py", "sock.recvfrom");
    assert!(
        rest[0].contains("recvfrom(1024) → 1024 bytes from"),
        "{rest:#?}"
    );
    assert!(rest[0].contains("(the datagram had 1500)"));
    assert!(
        rest[1].starts_with(&format!(
            "  ! server.py:{at}: 476 of 1500 bytes were lost: the buffer is 1024."
        )),
        "{rest:#?}"
    );
    assert!(rest[1].contains("WinError 10040"));
}

#[test]
fn undecodable_bytes_name_the_encoding_that_fits() {
    if !python() {
        return;
    }
    let (_srv, mut out, head) = start(
        &[
            fixture("server.py").to_str().unwrap(),
            "127.0.0.1",
            "0",
            "1",
        ],
        "Server is listening",
    );
    let port = port_in(&head);
    // "Привет" in CP1251, as a Windows program might send it.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.send_to(&[0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2], ("127.0.0.1", port))
        .unwrap();
    let rest = read_until(&mut out, "server.py ended");
    let at = line_of("server.py", "data.decode()");
    let diag = rest
        .iter()
        .find(|l| l.starts_with("  ! "))
        .expect("a diagnosis");
    assert_eq!(
        diag,
        &format!(
            "  ! server.py:{at}: decode() failed: these bytes are not utf-8: b'\\xcf\\xf0\\xe8\\xe2\\xe5\\xf2'. They read as CP1251: \"Привет\", so the sender wrote CP1251: decode('cp1251') reads them, or have the sender use UTF-8. decode('utf-8', errors='replace') never fails."
        )
    );
    assert_eq!(rest.last().unwrap(), "server.py ended: exit code 1");
}

#[test]
fn bind_on_a_busy_port_names_the_process_holding_it() {
    if !python() {
        return;
    }
    let holder = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let (out, text) = run(&[
        fixture("server.py").to_str().unwrap(),
        "127.0.0.1",
        &port.to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let at = line_of("server.py", "sock.bind");
    assert!(text.contains(&format!("server.py:{at}  bind(('127.0.0.1', {port})) → OSError: [Errno 98] Address already in use")), "{text}");
    let me = std::process::id();
    assert!(text.contains(&format!(
        "  ! server.py:{at}: bind(('127.0.0.1', {port})) failed: Address already in use. Another socket holds this port ("
    )), "{text}");
    assert!(
        text.contains(&format!(
            ", pid {me}): stop that program, or choose another port."
        )),
        "{text}"
    );
    // The exception it raised is the one explained: said once.
    assert!(!text.contains("ended with an exception"), "{text}");
}

#[test]
fn sendto_with_a_str_says_encode_it_and_the_crash_is_not_called_unclosed() {
    if !python() {
        return;
    }
    let sink = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sink.local_addr().unwrap().port();
    let (out, text) = run(&[
        fixture("send_str.py").to_str().unwrap(),
        "127.0.0.1",
        &port.to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let at = line_of("send_str.py", "sock.sendto");
    assert!(text.contains(&format!("send_str.py:{at}  sendto(\"Hello, server\", ('127.0.0.1', {port})) → TypeError: a bytes-like object is required, not 'str'")), "{text}");
    assert!(text.contains(&format!("  ! send_str.py:{at}: sendto() takes bytes, and this is a str (TypeError: a bytes-like object is required): encode it: message.encode().")), "{text}");
    // It crashed before it could close it: that is no mistake of closing.
    assert!(!text.contains("never closed"), "{text}");
}

#[test]
fn a_reply_from_another_port_is_diagnosed_between_two_scripts() {
    if !python() {
        return;
    }
    let (_srv, _out, head) = start(
        &[
            fixture("two_sockets_server.py").to_str().unwrap(),
            "127.0.0.1",
        ],
        "Server is listening",
    );
    let port = port_in(&head);
    let (out, text) = run(&[
        fixture("client.py").to_str().unwrap(),
        "127.0.0.1",
        &port.to_string(),
        "Hello, server",
        "5",
    ]);
    assert!(out.status.success(), "{text}");
    let at = line_of("client.py", "sock.recvfrom");
    assert!(
        text.contains(&format!(
            "  ! client.py:{at}: the reply came from 127.0.0.1:"
        )),
        "{text}"
    );
    assert!(text.contains(&format!("another port than the request went to (127.0.0.1:{port}): the server answers from a second socket.")), "{text}");
}

#[test]
fn a_datagram_to_a_server_bound_elsewhere_is_explained() {
    if !python() {
        return;
    }
    // A server bound to 127.0.0.1 only; the client sends to 127.0.0.2 (also
    // this machine, like a LAN address) on the same port, with a timeout.
    let (_srv, _out, head) = start(
        &[fixture("server.py").to_str().unwrap(), "127.0.0.1", "0"],
        "Server is listening",
    );
    let port = port_in(&head);
    let (out, text) = run(&[
        fixture("client.py").to_str().unwrap(),
        "127.0.0.2",
        &port.to_string(),
        "Hello, server",
        "0.5",
    ]);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("No answer"), "{text}");
    let at = line_of("client.py", "sock.sendto");
    assert!(text.contains(&format!("  ! client.py:{at}: the datagram to 127.0.0.2 port {port} cannot arrive: the program on port {port} (")), "{text}");
    assert!(text.contains("is bound to 127.0.0.1 only. That is this computer only — other computers cannot reach it; bind '0.0.0.0' or your LAN address."), "{text}");
}

// /proc: the tests that use them are Unix-only.
#[cfg_attr(not(unix), allow(dead_code))]
fn pid_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

/// The processes whose parent is `pid`.
#[cfg_attr(not(unix), allow(dead_code))]
fn children_of(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(p) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let ppid = stat
            .rsplit(')')
            .next()
            .and_then(|r| r.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            found.push(p);
        }
    }
    found
}

#[cfg(target_os = "linux")]
#[test]
fn a_receive_that_waits_forever_is_diagnosed_and_stopping_leaves_no_process() {
    if !python() {
        return;
    }
    // A server waits forever too, and that is its job: it is told nothing.
    let (server, mut server_out, _) = start(
        &[fixture("server.py").to_str().unwrap(), "127.0.0.1", "0"],
        "Server is listening",
    );
    // A free port: bound, then let go, so nothing listens there.
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (mut cli, mut out, lines) = start(
        &[
            fixture("client.py").to_str().unwrap(),
            "127.0.0.1",
            &port.to_string(),
        ],
        "  ! ",
    );
    let at = line_of("client.py", "sock.recvfrom");
    let sent = line_of("client.py", "sock.sendto");
    // The ICMP "port unreachable" the datagram brought back, right after
    // the send; then, 5 s on, the wait.
    assert_eq!(
        lines.last().unwrap(),
        &format!(
            "  ! client.py:{sent}: nothing listens at 127.0.0.1 port {port}, where the datagram went: start the server first, or check the address and port."
        ),
        "{lines:#?}"
    );
    let next = read_until(&mut out, "  ! ");
    let diag = next.last().unwrap();
    assert!(diag.starts_with(&format!("  ! client.py:{at}: recvfrom() has waited 5 s with no timeout and waits forever: nothing has answered. settimeout(2) would let it give up.")), "{next:#?}");
    let python = children_of(cli.0.id());
    assert_eq!(python.len(), 1, "the script's interpreter: {python:?}");
    assert!(pid_alive(python[0]));
    // Ctrl-C / SIGTERM to udp-lab stops the script's whole process group.
    Command::new("kill")
        .args(["-TERM", &cli.0.id().to_string()])
        .status()
        .unwrap();
    let rest = read_until(&mut out, "client.py: ");
    assert_eq!(rest.last().unwrap(), "client.py: stopped by Ctrl-C");
    let status = cli.0.wait().unwrap();
    assert!(!status.success());
    let deadline = Instant::now() + WAIT;
    while pid_alive(python[0]) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!pid_alive(python[0]), "the script's process is gone");

    // The server has waited more than 5 s by now.
    Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    let rest = read_until(&mut server_out, "server.py: ");
    assert!(!rest.iter().any(|l| l.starts_with("  ! ")), "{rest:#?}");
}

#[test]
fn a_closed_pipe_ends_the_trace_quietly() {
    if !python() {
        return;
    }
    let mut cli = Running(
        trace(&[fixture("server.py").to_str().unwrap(), "127.0.0.1", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut out = BufReader::new(cli.0.stdout.take().unwrap());
    let lines = read_until(&mut out, "Server is listening");
    let port = port_in(&lines);
    drop(out); // `| head -3`
    // More output to write: the next datagram.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.send_to(b"Hello, server", ("127.0.0.1", port)).unwrap();
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(s) = cli.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "udp-lab trace still runs");
        // The first datagram may have come before the pipe was closed.
        let _ = sock.send_to(b"Hello, server", ("127.0.0.1", port));
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut cli.0.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn python_not_found_is_said_in_plain_words() {
    let out = trace(&[fixture("client.py").to_str().unwrap(), "127.0.0.1", "9"])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "udp-lab: Python was not found: install it or choose the interpreter in Settings (udp-lab trace --python PATH)\n"
    );
}

/// What a script run through the library reported, up to its exit.
struct Ran {
    started: Option<PathBuf>,
    /// Its stdout lines.
    output: Vec<String>,
    reports: Vec<udp_lab::net::trace::Report>,
    exit: Option<i32>,
}

/// Takes the run's events until it exits (a panic when it does not end).
fn until_exit(queue: &net::EventQueue<NetEvent>) -> Ran {
    let mut ran = Ran {
        started: None,
        output: Vec::new(),
        reports: Vec::new(),
        exit: None,
    };
    let deadline = Instant::now() + WAIT * 2;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Some(NetEvent::Script(ev)) = queue.recv_timeout(left) else {
            panic!("the script did not end: {:?}", ran.output);
        };
        match ev.kind {
            ScriptEventKind::Started { script, .. } => ran.started = Some(script),
            ScriptEventKind::Output {
                stream: Stream::Stdout,
                text,
                ..
            } => ran.output.push(text),
            ScriptEventKind::Output { .. } => {}
            ScriptEventKind::Report(r) => ran.reports.push(*r),
            ScriptEventKind::Exited { code, .. } => {
                ran.exit = code;
                return ran;
            }
        }
    }
}

/// The collector, driven through the library: a stranger without the
/// token, garbage lines, an oversized line and invalid UTF-8 change
/// nothing the script reports and panic nothing; stdin reaches the script.
#[test]
fn the_collector_ignores_strangers_and_garbage() {
    if !python() {
        return;
    }
    let (sink, queue) = net::event_channel(65_536, Arc::new(|| {}));
    let handle = net::spawn_script(
        ScriptRequest {
            script: fixture("ask.py"),
            ..ScriptRequest::default()
        },
        sink,
    )
    .unwrap();
    let attacks: [&[u8]; 5] = [
        b"{\"ev\":\"hello\",\"k\":\"not the token\"}\n",
        b"not json at all\n",
        b"\xff\xfe\xfd\n",
        &[b'{'; 70 * 1024],
        b"{\"ev\":\"call\"}\n",
    ];
    for attack in attacks {
        let mut c = TcpStream::connect(handle.collector_addr()).unwrap();
        let _ = c.write_all(attack);
        let _ = c.write_all(b"\n");
    }
    handle.write_stdin(b"hello\n").unwrap();
    let Ran {
        output,
        reports,
        exit,
        ..
    } = until_exit(&queue);
    assert_eq!(exit, Some(0));
    assert_eq!(output, ["You typed: hello"]);
    // Only the tracer's own hello came through.
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(matches!(
        reports[0],
        udp_lab::net::trace::Report::Hello { .. }
    ));
    let (refused, strangers) = handle.refused();
    assert!(refused >= 4, "refused {refused}");
    assert!(strangers >= 4, "strangers {strangers}");
    handle.join();
}

/// A path relative to UDP Lab's folder still runs the script when it is
/// started in its own folder (the window starts it beside its files), and
/// the run names the file by its full path (the Code view reads it).
#[test]
fn a_relative_script_path_runs_in_the_scripts_own_folder() {
    if !python() {
        return;
    }
    let (sink, queue) = net::event_channel(1024, Arc::new(|| {}));
    let handle = net::spawn_script(
        ScriptRequest {
            // Tests run in the package's folder.
            script: PathBuf::from("tests/fixtures/scripts/ask.py"),
            cwd: Some(fixture("")),
            ..ScriptRequest::default()
        },
        sink,
    )
    .unwrap();
    handle.write_stdin(b"hello\n").unwrap();
    let Ran {
        started,
        output,
        exit,
        ..
    } = until_exit(&queue);
    assert_eq!(exit, Some(0), "{output:?}");
    assert_eq!(output, ["You typed: hello"]);
    assert_eq!(started, Some(fixture("ask.py")));
    handle.join();
}

/// The tracer itself needs nothing newer than Python 2.7 and 3.0.
#[test]
fn vermin_finds_the_tracer_compatible_with_python_2_7_and_3_0() {
    if !have("vermin") {
        return;
    }
    let tracer = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/tracer/udplab_trace.py");
    common::assert_vermin_clean([tracer, fixture("")]);
}

/// Under Python 2.7 when one is installed (not on every machine; CI does
/// not install it): `python2.7` on PATH, or UDPLAB_PYTHON2.
#[test]
fn the_tracer_runs_under_python_2_7_too() {
    let python2 = std::env::var("UDPLAB_PYTHON2").unwrap_or_else(|_| "python2.7".into());
    let works = Command::new(&python2)
        .args(["-c", "pass"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        return;
    }
    let (_srv, _out, head) = start(
        &[
            "--python",
            &python2,
            fixture("server.py").to_str().unwrap(),
            "127.0.0.1",
            "0",
            "1",
        ],
        "Server is listening",
    );
    let port = port_in(&head);
    let (out, text) = run(&[
        "--python",
        &python2,
        fixture("client.py").to_str().unwrap(),
        "127.0.0.1",
        &port.to_string(),
    ]);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "  sendto(b'Hello, server', ('127.0.0.1', {port})) → 13 bytes  [client step 6]"
        )),
        "{text}"
    );
    assert!(
        text.contains("\nResponse from server: Hello, client\n"),
        "{text}"
    );
}

/// UDP Lab gone (nothing listens at the collector's port, or it hangs up
/// at once): the tracer goes quiet and the script runs on as untraced.
#[test]
fn the_script_runs_on_when_the_collector_is_gone() {
    if !python() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("udp-lab-trace-gone-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tracer = dir.join("udplab_trace.py");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let hangs_up = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hangs_up_port = hangs_up.local_addr().unwrap().port();
    std::thread::spawn(move || {
        while let Ok((conn, _)) = hangs_up.accept() {
            drop(conn);
        }
    });
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port().to_string();
    for collector in [closed_port, hangs_up_port] {
        // A copy per run: a tracer started with a token removes its own.
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&tracer, net::TRACER_SOURCE).unwrap();
        let out = Command::new("python3")
            .arg("-u")
            .arg(&tracer)
            .arg(fixture("client.py"))
            .args(["127.0.0.1", &port, "Hello, server", "0.2"])
            .env("UDPLAB_TRACE_PORT", collector.to_string())
            .env("UDPLAB_TRACE_TOKEN", "token")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), "No answer\n");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_socket_closed_by_a_thread_after_main_returns_is_not_called_unclosed() {
    if !python() {
        return;
    }
    let (out, text) = run(&[fixture("thread_closes.py").to_str().unwrap()]);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "thread_closes.py:{}  close() → ok",
            line_of("thread_closes.py", "sock.close()")
        )),
        "{text}"
    );
    assert!(!text.contains("  ! "), "{text}");
}

#[test]
fn a_script_that_does_not_compile_is_said_with_its_line() {
    if !python() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("udp-lab-trace-syntax-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("broken.py");
    std::fs::write(&script, "import socket\nx = (\n").unwrap();
    let (out, text) = run(&[script.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text.contains("  ! broken.py:2: the script ended with an exception: SyntaxError: "),
        "{text}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("udplab_trace"), "{err}");
}

/// UDP Lab killed outright (no chance to stop the script): the script is
/// killed too, not left waiting in recvfrom forever, and its tracer left
/// nothing in the temp folder.
#[cfg(target_os = "linux")]
#[test]
fn a_killed_udp_lab_leaves_no_orphan_script() {
    if !python() {
        return;
    }
    let (mut cli, _out, _) = start(
        &[fixture("server.py").to_str().unwrap(), "127.0.0.1", "0"],
        "Server is listening",
    );
    let python = children_of(cli.0.id());
    assert_eq!(python.len(), 1, "{python:?}");
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", python[0])).unwrap();
    let tracer = String::from_utf8_lossy(&cmdline)
        .split('\0')
        .find(|a| a.ends_with("udplab_trace.py"))
        .map(PathBuf::from)
        .unwrap();
    assert!(!tracer.exists(), "the tracer removed its own copy");
    assert!(!tracer.parent().unwrap().exists(), "and its folder");
    cli.0.kill().unwrap();
    cli.0.wait().unwrap();
    let deadline = Instant::now() + WAIT;
    while pid_alive(python[0]) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!pid_alive(python[0]), "the script died with UDP Lab");
}

/// Scripts run as the window runs them: one event queue, one session that
/// records every event first, and a diagnoser per run that sees the
/// session's facts (who received its datagrams).
struct Window {
    sink: net::EventSink<NetEvent>,
    queue: net::EventQueue<NetEvent>,
    session: udp_lab::lab::session::Session,
    diagnosers: std::collections::HashMap<u64, udp_lab::lab::diagnose::Diagnoser>,
    /// Each run's diagnoses and stdout lines, and its end.
    found: Vec<(u64, udp_lab::lab::diagnose::Diagnosis)>,
    output: Vec<(u64, String)>,
    exited: Vec<u64>,
    handles: Vec<net::ScriptHandle>,
}

impl Window {
    fn new() -> Self {
        let (sink, queue) = net::event_channel(65_536, Arc::new(|| {}));
        Self {
            sink,
            queue,
            session: Default::default(),
            diagnosers: Default::default(),
            found: Vec::new(),
            output: Vec::new(),
            exited: Vec::new(),
            handles: Vec::new(),
        }
    }

    fn run(&mut self, script: &str, args: &[&str]) -> u64 {
        let handle = net::spawn_script(
            ScriptRequest {
                script: fixture(script),
                args: args.iter().map(|a| a.to_string()).collect(),
                ..ScriptRequest::default()
            },
            self.sink.clone(),
        )
        .unwrap();
        let run = handle.run;
        self.handles.push(handle);
        run
    }

    /// Takes events until `done` holds (a panic after a while).
    fn until(&mut self, done: impl Fn(&Self) -> bool) {
        use udp_lab::lab::session::RunFacts;
        let deadline = Instant::now() + WAIT * 3;
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
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

    fn said(&self, run: u64, lang: udp_lab::lab::i18n::Lang) -> Vec<String> {
        self.found
            .iter()
            .filter(|(r, _)| *r == run)
            .map(|(_, d)| d.text(lang))
            .collect()
    }

    fn printed(&self, run: u64, prefix: &str) -> Option<String> {
        self.output
            .iter()
            .find(|(r, l)| *r == run && l.starts_with(prefix))
            .map(|(_, l)| l.clone())
    }
}

/// Issue 23, 1: the handout's server answers one client, then reads a
/// second client's request: the lab working, not a reply from another port.
#[test]
fn a_second_client_to_a_traced_server_is_no_reply_from_another_port() {
    if !python() {
        return;
    }
    let (mut srv, mut srv_out, head) = start(
        &[
            fixture("server.py").to_str().unwrap(),
            "127.0.0.1",
            "0",
            "2",
        ],
        "Server is listening",
    );
    let port = port_in(&head).to_string();
    for _ in 0..2 {
        let (out, text) = run(&[fixture("client.py").to_str().unwrap(), "127.0.0.1", &port]);
        assert!(out.status.success(), "{text}");
        assert!(
            text.contains("Response from server: Hello, client"),
            "{text}"
        );
        assert!(!text.contains("  ! "), "{text}");
    }
    let rest = read_until(&mut srv_out, "server.py ended");
    assert_eq!(
        rest.iter()
            .filter(|l| l.starts_with("Message from client"))
            .count(),
        2,
        "{rest:#?}"
    );
    assert!(
        !rest.iter().any(|l| l.contains("another port")),
        "{rest:#?}"
    );
    assert!(!rest.iter().any(|l| l.starts_with("  ! ")), "{rest:#?}");
    assert_eq!(srv.0.wait().unwrap().code(), Some(0));
}

/// Issue 23, 2: a CP1251 client to the handout's traced server, which
/// reads the datagram and crashes on decode(): no "nothing listens" (the
/// server did receive); in one session (as in the window) the client is
/// told who received it and how that ended.
#[test]
fn a_cp1251_client_hears_the_server_received_it_then_crashed() {
    use udp_lab::lab::i18n::Lang;
    if !python() {
        return;
    }
    // Two separate traces (the CLI): nothing is known of the server's end.
    let (_srv, mut srv_out, head) = start(
        &[
            fixture("server.py").to_str().unwrap(),
            "127.0.0.1",
            "0",
            "1",
        ],
        "Server is listening",
    );
    let port = port_in(&head).to_string();
    let (_, text) = run(&[
        fixture("client_cp1251.py").to_str().unwrap(),
        "127.0.0.1",
        &port,
        "1",
    ]);
    let rest = read_until(&mut srv_out, "server.py ended");
    assert!(
        rest.iter().any(|l| l.contains("decode() failed")),
        "{rest:#?}"
    );
    assert!(text.contains("No answer"), "{text}");
    assert!(!text.contains("nothing listens"), "{text}");

    // One session, as the window has.
    let mut w = Window::new();
    let server = w.run("server.py", &["127.0.0.1", "0", "1"]);
    w.until(|w| w.printed(server, "Server is listening").is_some());
    let port = listening_port(&w.printed(server, "Server is listening").unwrap()).to_string();
    let client = w.run("client_cp1251.py", &["127.0.0.1", &port, "1"]);
    w.until(|w| w.exited.contains(&client) && w.exited.contains(&server));
    let said = w.said(client, Lang::En);
    let sent = line_of("client_cp1251.py", "sock.sendto");
    let read = line_of("server.py", "sock.recvfrom");
    assert_eq!(
        said,
        [format!(
            "client_cp1251.py:{sent}: server.py received it at server.py:{read}, then ended with UnicodeDecodeError: no answer will come."
        )]
    );
    assert_eq!(
        w.said(client, Lang::Ru),
        [format!(
            "client_cp1251.py:{sent}: server.py получил её в server.py:{read}, затем завершился с UnicodeDecodeError: ответа не будет."
        )]
    );
}

/// Issue 23, 3: socket(), then recvfrom() with no bind(): said where it
/// happens, in both languages; the session knows a running script waits
/// unbound (the window's client says so when nothing listens).
#[test]
fn a_server_that_never_binds_is_told_to_bind_in_english_and_russian() {
    use udp_lab::lab::i18n::Lang;
    if !python() {
        return;
    }
    let at = line_of("no_bind_server.py", "sock.recvfrom");
    let (_cli, _out, lines) = start(
        &[fixture("no_bind_server.py").to_str().unwrap(), "23456"],
        "  ! ",
    );
    assert_eq!(
        lines.last().unwrap(),
        &format!(
            "  ! no_bind_server.py:{at}: recvfrom() on a socket that was never bound: no client can know its port — bind((address, port)) first, the handout's step 5."
        )
    );

    let mut w = Window::new();
    let run = w.run("no_bind_server.py", &["23456"]);
    w.until(|w| !w.found.is_empty() && w.session.scripts.unbound_receiver().is_some());
    assert_eq!(
        w.said(run, Lang::Ru),
        [format!(
            "no_bind_server.py:{at}: recvfrom() на сокете, который так и не связан (bind): ни один клиент не может узнать его порт — сначала bind((адрес, порт)), шаг 5 методички."
        )]
    );
    assert_eq!(
        w.session.scripts.unbound_receiver(),
        Some("no_bind_server.py")
    );
    // A server that binds is no such case.
    let mut w = Window::new();
    let bound = w.run("server.py", &["127.0.0.1", "0", "1"]);
    w.until(|w| {
        w.session
            .scripts
            .get(bound)
            .is_some_and(|s| s.waiting.is_some())
    });
    assert_eq!(w.session.scripts.unbound_receiver(), None);
    assert!(w.said(bound, Lang::En).is_empty());
}

/// Issue 23, 7: an option is named within its level.
#[test]
fn so_reuseaddr_is_named_as_such() {
    if !python() {
        return;
    }
    let (out, text) = run(&[fixture("reuse_server.py").to_str().unwrap()]);
    assert!(out.status.success(), "{text}");
    let at = line_of("reuse_server.py", "setsockopt");
    assert!(
        text.contains(&format!(
            "reuse_server.py:{at}  setsockopt(SOL_SOCKET, SO_REUSEADDR, 1) → ok\n"
        )),
        "{text}"
    );
}

/// Issue 23, 5 and 4: Ctrl-C stops a traced server as it stops
/// `python server.py`: Python prints its KeyboardInterrupt; the trace says
/// "stopped by Ctrl-C", and nothing about its socket left open (a server
/// never closes). A script that ignores Ctrl-C is killed after a second.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_stops_a_traced_script_with_keyboard_interrupt() {
    if !python() {
        return;
    }
    let mut cli = Running(
        trace(&[fixture("server.py").to_str().unwrap(), "127.0.0.1", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut out = BufReader::new(cli.0.stdout.take().unwrap());
    read_until(&mut out, "Server is listening");
    Command::new("kill")
        .args(["-INT", &cli.0.id().to_string()])
        .status()
        .unwrap();
    let rest = read_until(&mut out, "server.py: ");
    assert_eq!(rest.last().unwrap(), "server.py: stopped by Ctrl-C");
    assert!(!rest.iter().any(|l| l.starts_with("  ! ")), "{rest:#?}");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut cli.0.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.trim_end().ends_with("KeyboardInterrupt"), "{err}");
    assert!(!cli.0.wait().unwrap().success());

    let (mut cli, mut out, _) = start(
        &[fixture("ignores_ctrl_c.py").to_str().unwrap()],
        "ignoring Ctrl-C",
    );
    Command::new("kill")
        .args(["-INT", &cli.0.id().to_string()])
        .status()
        .unwrap();
    let rest = read_until(&mut out, "ignores_ctrl_c.py: ");
    assert_eq!(
        rest.last().unwrap(),
        "ignores_ctrl_c.py: did not stop on Ctrl-C; killed"
    );
    assert!(!cli.0.wait().unwrap().success());
}

/// Issue 23, 5 through the library (the window's Stop): Exited says Ctrl-C
/// ended it, with no kill.
#[cfg(target_os = "linux")]
#[test]
fn stop_sends_ctrl_c_first() {
    if !python() {
        return;
    }
    let mut w = Window::new();
    let run = w.run("server.py", &["127.0.0.1", "0"]);
    w.until(|w| w.printed(run, "Server is listening").is_some());
    w.handles[0].stop();
    let deadline = Instant::now() + WAIT * 2;
    let (interrupted, killed) = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match w.queue.recv_timeout(left) {
            Some(NetEvent::Script(ev)) => {
                if let ScriptEventKind::Exited {
                    interrupted,
                    killed,
                    stopped,
                    ..
                } = ev.kind
                {
                    assert!(stopped);
                    break (interrupted, killed);
                }
            }
            Some(_) => {}
            None => panic!("no end"),
        }
    };
    assert!(interrupted && !killed);
}
