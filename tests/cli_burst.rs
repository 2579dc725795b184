//! `udp-lab client --count N`: a line per datagram and ping-style
//! statistics, with the network simulator's knobs; against `udp-lab server`
//! and a python3 echo peer, on loopback only.

// Test code: its helpers outside #[test] fns panic on failure too (the
// crate-wide unwrap/expect lints are for the program, Cargo.toml [lints]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::BufRead;
use std::net::UdpSocket;
use std::process::{Command, Output};

use common::{BIN, Running, cli_server, have, spawn_reading_first_line};
use udp_lab::net::{Impairments, Simulator};

/// Starts `udp-lab server` on an ephemeral port (no simulator: loss-free).
fn udp_lab_server() -> (Running, u16) {
    let (server, out, port) = cli_server(&[]);
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in out.lines() {});
    (server, port)
}

const PY_ECHO: &str = r#"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(data, addr)
"#;

/// A python3 echo peer, when python3 is installed (CI has it).
fn python_echo() -> Option<(Running, u16)> {
    if !have("python3") {
        return None;
    }
    let (peer, _, line) = spawn_reading_first_line(Command::new("python3").args(["-c", PY_ECHO]));
    let port = line.trim().parse().expect("a port");
    Some((peer, port))
}

fn client(port: u16, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["client", "--to", &format!("127.0.0.1:{port}")])
        .args(args)
        .output()
        .expect("client runs")
}

fn stdout_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// "13 bytes from 127.0.0.1:P: seq=3 time=0.063 ms" → (seq, ms).
fn answer_line(line: &str, port: u16) -> Option<(u32, f64)> {
    let rest = line.strip_prefix(&format!("13 bytes from 127.0.0.1:{port}: seq="))?;
    let (seq, time) = rest.split_once(" time=")?;
    let ms = time.strip_suffix(" ms")?;
    assert_eq!(ms.split_once('.').map(|(_, d)| d.len()), Some(3), "{line}");
    Some((seq.parse().ok()?, ms.parse().ok()?))
}

/// "rtt min/avg/p99/max = a/b/c/d ms" → [a, b, c, d].
fn rtt_line(line: &str) -> [f64; 4] {
    let values = line
        .strip_prefix("rtt min/avg/p99/max = ")
        .and_then(|r| r.strip_suffix(" ms"))
        .unwrap_or_else(|| panic!("not an rtt line: {line:?}"));
    let v: Vec<f64> = values
        .split('/')
        .map(|x| x.parse().expect("a number"))
        .collect();
    assert_eq!(v.len(), 4, "{line}");
    [v[0], v[1], v[2], v[3]]
}

/// Which of `count` requests the simulator drops for this seed.
fn expected_drops(loss: f64, seed: u64, count: u32) -> Vec<u32> {
    let mut s = Simulator::for_client(Impairments {
        loss_percent: loss,
        seed,
        ..Impairments::default()
    });
    (0..count).filter(|_| s.decide().dropped).collect()
}

#[test]
fn a_burst_prints_a_line_per_answer_and_ping_style_statistics() {
    let (_server, port) = udp_lab_server();
    let out = client(port, &["--count", "20", "--interval", "0"]);
    assert!(out.status.success(), "{out:?}");
    let lines = stdout_lines(&out);
    assert_eq!(lines.len(), 20 + 4, "{lines:#?}");
    for (i, line) in lines[..20].iter().enumerate() {
        let (seq, ms) = answer_line(line, port).unwrap_or_else(|| panic!("{line:?}"));
        assert_eq!(seq as usize, i);
        assert!(ms > 0.0 && ms < 1000.0, "{line}");
    }
    assert_eq!(lines[20], "");
    assert_eq!(
        lines[21],
        format!("--- 127.0.0.1:{port} UDP statistics ---")
    );
    assert_eq!(lines[22], "20 sent, 20 answered, 0% lost");
    let [min, avg, p99, max] = rtt_line(&lines[23]);
    assert!(0.0 < min && min <= avg && avg <= max && p99 <= max && min <= p99);
}

#[test]
fn one_send_without_knobs_keeps_the_labs_single_line() {
    let (_server, port) = udp_lab_server();
    for args in [&[][..], &["--count", "1"][..]] {
        let out = client(port, args);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "Response from server: Hello, client\n"
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_summary_against_a_loss_free_peer() {
    let (_server, port) = udp_lab_server();
    let args = [
        "--count",
        "30",
        "--interval",
        "0",
        "--timeout",
        "0.3",
        "--loss",
        "30",
        "--seed",
        "7",
    ];
    let drops = expected_drops(30.0, 7, 30);
    let d = drops.len();
    assert!(d > 0 && d < 30, "seed 7 should drop some, not all: {d}");
    let summary = format!(
        "30 sent, {} answered, {}% lost ({d} dropped by the simulator, 0 lost by the network)",
        30 - d,
        udp_lab::net::stats::fmt_percent(100.0 * d as f64 / 30.0)
    );
    let run = |port: u16| {
        let out = client(port, &args);
        assert!(out.status.success(), "{out:?}");
        let lines = stdout_lines(&out);
        let dropped: Vec<u32> = lines
            .iter()
            .filter_map(|l| l.strip_suffix(" dropped by the simulator"))
            .filter_map(|l| l.strip_prefix("seq=")?.parse().ok())
            .collect();
        assert_eq!(dropped, drops, "{lines:#?}");
        let header = lines
            .iter()
            .position(|l| l.starts_with("--- "))
            .expect("statistics");
        lines[header + 1].clone()
    };
    let first = run(port);
    assert_eq!(first, summary);
    assert_eq!(run(port), first, "the same seed, the same line");
    if let Some((_python, py_port)) = python_echo() {
        assert_eq!(run(py_port), first, "a python3 echo peer: the same line");
    }
    // Another seed, another pattern.
    let other = client(
        port,
        &[
            "--count",
            "30",
            "--interval",
            "0",
            "--timeout",
            "0.3",
            "--loss",
            "30",
            "--seed",
            "8",
        ],
    );
    let other_drops = expected_drops(30.0, 8, 30);
    assert_ne!(other_drops, drops);
    assert!(
        stdout_lines(&other)
            .iter()
            .any(|l| l.starts_with(&format!("30 sent, {} answered", 30 - other_drops.len()))),
        "{other:?}"
    );
}

#[test]
fn a_silent_peer_gives_no_answer_lines_and_a_failing_exit() {
    let silent = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let out = client(
        port,
        &["--count", "3", "--interval", "0", "--timeout", "0.05"],
    );
    assert!(!out.status.success());
    let lines = stdout_lines(&out);
    assert_eq!(
        lines,
        vec![
            "seq=0 no answer within 0.05 s".to_owned(),
            "seq=1 no answer within 0.05 s".to_owned(),
            "seq=2 no answer within 0.05 s".to_owned(),
            String::new(),
            format!("--- 127.0.0.1:{port} UDP statistics ---"),
            "3 sent, 0 answered, 100% lost".to_owned(),
        ]
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("No server answered within 0.05 s"),
        "{out:?}"
    );
    // The peer really got all three.
    silent.set_nonblocking(true).expect("nonblocking");
    let mut buf = [0u8; 64];
    let got = (0..3)
        .filter(|_| silent.recv_from(&mut buf).is_ok())
        .count();
    assert_eq!(got, 3);
}

#[test]
fn full_loss_is_reported_as_the_simulators_not_the_networks() {
    let (_server, port) = udp_lab_server();
    let out = client(port, &["--loss", "100", "--timeout", "0.05"]);
    assert!(!out.status.success());
    assert_eq!(
        stdout_lines(&out),
        vec![
            "seq=0 dropped by the simulator".to_owned(),
            String::new(),
            format!("--- 127.0.0.1:{port} UDP statistics ---"),
            "1 sent, 0 answered, 100% lost (1 dropped by the simulator, 0 lost by the network)"
                .to_owned(),
        ]
    );
}

#[test]
fn a_delay_shows_in_every_time() {
    let (_server, port) = udp_lab_server();
    let out = client(port, &["--count", "3", "--interval", "0", "--delay", "40"]);
    assert!(out.status.success(), "{out:?}");
    let times: Vec<f64> = stdout_lines(&out)
        .iter()
        .filter_map(|l| answer_line(l, port))
        .map(|(_, ms)| ms)
        .collect();
    assert_eq!(times.len(), 3);
    // Only the request is delayed: this peer is not UDP Lab's window.
    assert!(times.iter().all(|ms| *ms >= 40.0), "{times:?}");
}

#[test]
fn bad_knobs_are_explained() {
    for (args, needle) in [
        (vec!["--loss", "150"], "150 is not between 0 and 100"),
        (vec!["--duplicate", "x"], "\"x\" is not a number"),
        (vec!["--count", "0"], "--count"),
        (vec!["--delay", "99999"], "--delay"),
    ] {
        let out = Command::new(BIN)
            .args(["client", "--to", "127.0.0.1:9"])
            .args(&args)
            .output()
            .expect("client runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn help_documents_the_burst_and_the_simulator() {
    let out = Command::new(BIN)
        .args(["client", "--help"])
        .output()
        .expect("help");
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "--count",
        "--interval",
        "--timeout",
        "--loss",
        "--delay",
        "--jitter",
        "--duplicate",
        "--reorder",
        "--seed",
    ] {
        assert!(help.contains(word), "client --help lacks {word}");
    }
}
