//! Issue 11's command-line defects, each run against the binary as a child
//! process: closed pipes, answers from another port, conflicting flags,
//! truncation, number parsing, odd payloads and the all-interfaces warning.

// Test code: its helpers outside #[test] fns panic on failure too (the
// crate-wide unwrap/expect lints are for the program, Cargo.toml [lints]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{BIN, WAIT, cli_server};

fn stderr_of(child: &mut std::process::Child) -> String {
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    err
}

/// Waits for the child to end (it must, by itself) and returns its code.
fn exit_code(child: &mut std::process::Child) -> Option<i32> {
    let end = std::time::Instant::now() + WAIT * 2;
    while std::time::Instant::now() < end {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("the child did not end after its stdout closed");
}

#[test]
fn closed_stdout_ends_the_server_quietly() {
    let mut server = Command::new(BIN)
        .args(["server", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let mut out = BufReader::new(server.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("first line");
    let port = common::listening_port(&line);
    // The reader goes away, as `| head -1` does.
    drop(out);
    let peer = UdpSocket::bind("127.0.0.1:0").expect("bind");
    for _ in 0..3 {
        peer.send_to(b"hi", ("127.0.0.1", port)).expect("send");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(exit_code(&mut server), Some(0));
    let err = stderr_of(&mut server);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn closed_stdout_ends_a_burst_quietly_with_an_honest_exit_code() {
    let (_server, out, port) = cli_server(&[]);
    std::thread::spawn(move || for _ in out.lines() {});
    let mut client = Command::new(BIN)
        .args(["client", "--to", &format!("127.0.0.1:{port}")])
        .args(["--count", "50", "--interval", "20"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("client starts");
    let mut out = BufReader::new(client.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("a line");
    assert!(line.contains("seq=0"), "{line}");
    drop(out);
    // It got answers: exit 0.
    assert_eq!(exit_code(&mut client), Some(0));
    let err = stderr_of(&mut client);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn closed_stderr_does_not_panic() {
    // Nothing listens: the client's error goes to a closed stderr.
    let silent = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let to = silent.local_addr().expect("addr").to_string();
    let mut client = Command::new(BIN)
        .args(["client", "--to", &to, "--timeout", "0.05"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("client starts");
    drop(client.stderr.take());
    // A timeout still exits 1, not 101 (a panic).
    assert_eq!(exit_code(&mut client), Some(1));
}

#[test]
fn an_answer_from_another_port_is_taken_and_named() {
    let (port, from) = common::answers_from_a_second_socket(1);
    let out = Command::new(BIN)
        .args(["client", "--to", &format!("127.0.0.1:{port}"), "Hello"])
        .output()
        .expect("client runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Response from server: Hello\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "  (The answer came from {from}, not from 127.0.0.1:{port} where the request went)\n"
        )
    );
}

#[test]
fn a_burst_counts_answers_from_another_port_apart() {
    let (port, _) = common::answers_from_a_second_socket(3);
    let out = Command::new(BIN)
        .args(["client", "--to", &format!("127.0.0.1:{port}")])
        .args(["--count", "3", "--interval", "0"])
        .output()
        .expect("client runs");
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("3 sent, 3 answered, 0% lost; 3 answered from another address or port"),
        "{stdout}"
    );
}

#[test]
fn conflicting_reply_flags_are_refused() {
    let out = Command::new(BIN)
        .args(["server", "--bind", "127.0.0.1:0", "--echo", "--no-reply"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'--echo' cannot be used with '--no-reply'"),
        "{err}"
    );
}

#[test]
fn client_says_when_the_answer_was_truncated() {
    let (_server, _out, port) = cli_server(&[]);
    let out = Command::new(BIN)
        .args([
            "client",
            "--to",
            &format!("127.0.0.1:{port}"),
            "--buffer",
            "5",
        ])
        .output()
        .expect("client runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Response from server: Hello\n"
    );
    if cfg!(target_os = "linux") {
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "  (read 5 of 13 bytes — the rest is discarded by the kernel)\n"
        );
    }
    if cfg!(windows) {
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "  (read 5 of 13 bytes — on Windows this recvfrom fails with WSAEMSGSIZE (Python: OSError [WinError 10040]) and the rest is discarded)\n"
        );
    }
}

/// The first line of a refused command's stderr.
fn refusal(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn numbers_are_refused_with_the_knob_the_value_and_the_range() {
    for (args, knob, value, range) in [
        (
            ["client", "--delay", "nan"],
            "--delay",
            "nan",
            "0 ms to 10000 ms",
        ),
        (
            ["client", "--delay", "1e30"],
            "--delay",
            "1e30",
            "at most 10000 ms",
        ),
        (
            ["client", "--jitter", "1e9"],
            "--jitter",
            "1e9",
            "0 ms to 10000 ms",
        ),
        (
            ["client", "--interval", "nan"],
            "--interval",
            "nan",
            "0 ms to 60000 ms",
        ),
        (
            ["client", "--timeout", "1e30"],
            "--timeout",
            "1e30",
            "too large: at most 3600 s",
        ),
        (
            ["client", "--timeout", "1e-300"],
            "--timeout",
            "1e-300",
            "at least 0.001 s",
        ),
        (
            ["client", "--timeout", "0.0000001"],
            "--timeout",
            "0.0000001",
            "at least 0.001 s",
        ),
        (
            ["client", "--buffer", "0"],
            "--buffer",
            "0",
            "1 to 65508 bytes",
        ),
        (
            ["server", "--buffer", "0"],
            "--buffer",
            "0",
            "1 to 65508 bytes",
        ),
        (
            ["client", "--count", "1.5"],
            "--count",
            "1.5",
            "1 to 1000000",
        ),
    ] {
        let line = refusal(&args);
        for needle in [knob, value, range] {
            assert!(line.contains(needle), "{args:?}: {line}");
        }
        assert!(!line.contains("invalid digit"), "{args:?}: {line}");
        assert!(!line.contains("00000000000"), "{args:?}: {line}");
    }
}

#[test]
fn knobs_take_what_a_person_types() {
    let (_server, out, port) = cli_server(&[]);
    std::thread::spawn(move || for _ in out.lines() {});
    let to = format!("127.0.0.1:{port}");
    for args in [
        vec!["--count", "2", "--interval", "0.5"],
        vec!["--count", "2", "--interval", "100"],
        vec!["--count", "2", "--interval", "0.05s"],
        vec!["--timeout", "0,5"],
        vec!["--timeout", "500ms"],
        vec!["--delay", "2", "--seed", "1e3"],
    ] {
        let out = Command::new(BIN)
            .args(["client", "--to", &to])
            .args(&args)
            .output()
            .expect("client runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

const PY_ODD_PEER: &str = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"\xff\xfe(", ("127.0.0.1", int(sys.argv[1])))
s.sendto(b"", ("127.0.0.1", int(sys.argv[1])))
"#;

#[test]
fn odd_payloads_are_shown_as_the_window_shows_them() {
    let (_server, mut out, port) = cli_server(&["--no-reply"]);
    if common::have("python3") {
        let py = Command::new("python3")
            .args(["-c", PY_ODD_PEER, &port.to_string()])
            .output()
            .expect("python3 runs");
        assert!(py.status.success());
    } else {
        let peer = UdpSocket::bind("127.0.0.1:0").expect("bind");
        peer.send_to(b"\xff\xfe(", ("127.0.0.1", port))
            .expect("send");
        peer.send_to(b"", ("127.0.0.1", port)).expect("send");
    }
    let mut line = String::new();
    out.read_line(&mut line).expect("line");
    assert_eq!(
        line,
        "Message from client: \u{fffd}\u{fffd}(   [ff fe 28]\n"
    );
    line.clear();
    out.read_line(&mut line).expect("line");
    assert_eq!(line, "Message from client: (empty datagram)\n");
}

#[test]
fn server_on_all_interfaces_warns() {
    let mut server = common::Running(
        Command::new(BIN)
            .args(["server", "--bind", "0.0.0.0:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("server starts"),
    );
    let mut err = BufReader::new(server.0.stderr.take().expect("stderr"));
    let mut line = String::new();
    err.read_line(&mut line).expect("warning");
    assert_eq!(
        line,
        "Bound to all interfaces: other computers on your networks can send to this server.\n"
    );
}
