//! Issue 26 on the command line: `udp-lab server --save` stopped by Ctrl-C
//! (SIGINT) writes a file tshark reads, with the calls in the comments and
//! good checksums; `udp-lab show` prints that session's calls, and the
//! datagrams of a capture dumpcap made of real traffic; a broken file is
//! one sentence and a failing exit code.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Signals, tshark and dumpcap: a Unix test (not among those run under Wine).
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{BIN, Running, WAIT};

/// A fresh folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("udp-lab-cli-capture-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn show(file: &std::path::Path) -> Output {
    Command::new(BIN)
        .args(["--lang", "en", "show"])
        .arg(file)
        .output()
        .expect("udp-lab show runs")
}

/// Sends `text` to the server and waits for its answer.
fn exchange(port: u16, text: &str) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket.set_read_timeout(Some(WAIT)).expect("timeout");
    socket
        .send_to(text.as_bytes(), ("127.0.0.1", port))
        .expect("send");
    let mut buf = [0u8; 64];
    let (n, _) = socket.recv_from(&mut buf).expect("the server answers");
    assert_eq!(&buf[..n], b"Hello, client");
}

#[test]
// unsafe: signal(2) before exec and kill(2) have no std wrapper.
#[allow(unsafe_code)]
fn server_save_stopped_by_sigint_writes_a_file_tshark_and_show_read() {
    let _shared = common::shared();
    let dir = TempDir::new("sigint");
    let file = dir.0.join("server.pcapng");
    let mut command = Command::new(BIN);
    command
        .args(["--lang", "en", "server", "--bind", "127.0.0.1:0", "--save"])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // As from a terminal: SIGINT at its default action (a test run in the
    // background hands its children SIGINT ignored).
    // SAFETY: signal(2) is async-signal-safe, fit for between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut server = Running(command.spawn().expect("the server starts"));
    let mut out = BufReader::new(server.0.stdout.take().expect("stdout"));
    let mut first = String::new();
    out.read_line(&mut first).expect("first line");
    let port = common::listening_port(&first);
    exchange(port, "Hello, server");
    exchange(port, "Привет, сервер");
    // SAFETY: a plain kill(2) of our own child.
    let pid = libc::pid_t::try_from(server.0.id()).expect("a pid");
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0, "kill");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.0.try_wait().expect("wait") {
            break status;
        }
        assert!(started.elapsed() < WAIT * 2, "the server did not end");
        std::thread::sleep(Duration::from_millis(10));
    };
    use std::os::unix::process::ExitStatusExt as _;
    assert_eq!(status.signal(), Some(libc::SIGINT), "it ends by the signal");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut server.0.stderr.take().expect("stderr"), &mut err)
        .expect("stderr");
    assert!(err.contains("session saved:"), "{err}");

    if common::have("tshark") {
        let read = Command::new("tshark")
            .args(["-o", "udp.check_checksum:TRUE", "-r"])
            .arg(&file)
            .args([
                "-Y",
                "udp",
                "-T",
                "fields",
                "-e",
                "udp.checksum.status",
                "-e",
                "frame.comment",
            ])
            .output()
            .expect("tshark runs");
        let text = String::from_utf8_lossy(&read.stdout);
        assert!(
            read.status.success(),
            "{}",
            String::from_utf8_lossy(&read.stderr)
        );
        let lines: Vec<&str> = text.lines().collect();
        // Two requests in, two answers out.
        assert_eq!(lines.len(), 4, "{text}");
        for line in &lines {
            // udp.checksum.status 1 = Good (0 Bad, 2 Unverified).
            assert!(line.starts_with("1\t"), "not a good checksum: {line}");
        }
        assert!(text.contains("server step 7 recvfrom(1024)"), "{text}");
        assert!(text.contains("server step 10 sendto"), "{text}");
    } else {
        println!("SKIPPED the tshark part: tshark is not installed");
    }

    let shown = show(&file);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    assert!(text.contains("saved by UDP Lab"), "{text}");
    assert!(text.contains("Server  step 5  bind(127.0.0.1:"), "{text}");
    assert_eq!(
        text.matches("step 7  recvfrom(1024) → ").count(),
        2,
        "{text}"
    );
    assert!(
        text.contains("recvfrom(1024) → 26 bytes from 127.0.0.1:"),
        "{text}"
    );
}

#[test]
fn show_prints_each_datagram_of_a_dumpcap_capture() {
    let _shared = common::shared();
    if !common::have("dumpcap") {
        println!("SKIPPED show_prints_each_datagram_of_a_dumpcap_capture: no dumpcap");
        return;
    }
    let dir = TempDir::new("dumpcap");
    let file = dir.0.join("lo.pcapng");
    let (_server, _out, port) = common::cli_server(&[]);
    let filter = format!("udp port {port}");
    // Four packets, then dumpcap ends by itself: exchanges go on until it
    // has them (it may start capturing a moment after it says so).
    let mut dumpcap = Running(
        Command::new("dumpcap")
            .args(["-q", "-i", "lo", "-c", "4", "-f", &filter, "-w"])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dumpcap starts"),
    );
    // dumpcap says on stderr when it captures.
    let mut err = BufReader::new(dumpcap.0.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains("Capturing on") {
        line.clear();
        assert!(
            err.read_line(&mut line).expect("dumpcap's stderr") > 0,
            "dumpcap ended before capturing"
        );
    }
    let started = Instant::now();
    while dumpcap.0.try_wait().expect("wait").is_none() {
        assert!(started.elapsed() < WAIT * 2, "dumpcap did not end");
        let client = Command::new(BIN)
            .args([
                "--lang",
                "en",
                "client",
                "--to",
                &format!("127.0.0.1:{port}"),
            ])
            .output()
            .expect("the client runs");
        assert!(client.status.success());
        exchange(port, "Привет, сервер");
    }

    let shown = show(&file);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    assert!(text.contains(": 4 UDP datagrams in 4 packets"), "{text}");
    assert!(
        text.contains("(a capture has datagrams, not calls)"),
        "{text}"
    );
    // One line per datagram, each the lab's request or answer.
    let request = format!(" → 127.0.0.1:{port} 13 bytes 'Hello, server'");
    let cyrillic = format!(" → 127.0.0.1:{port} 26 bytes 'Привет, сервер'");
    let answer = format!("127.0.0.1:{port} → 127.0.0.1:");
    let datagrams: Vec<&str> = text.lines().skip(2).collect();
    assert_eq!(datagrams.len(), 4, "{text}");
    for line in &datagrams {
        assert!(
            line.ends_with(&request)
                || line.ends_with(&cyrillic)
                || line.contains(&answer) && line.ends_with(" 13 bytes 'Hello, client'"),
            "{line}"
        );
    }
}

#[test]
fn show_on_a_broken_file_says_one_sentence_and_fails() {
    let _shared = common::shared();
    let dir = TempDir::new("broken");
    let file = dir.0.join("picture.pcap");
    std::fs::write(&file, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("write");
    let shown = show(&file);
    assert!(!shown.status.success());
    assert!(shown.stdout.is_empty());
    let err = String::from_utf8_lossy(&shown.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("udp-lab: "), "{err}");
    assert!(err.contains("PNG"), "{err}");

    // `udp-lab FILE` with no such file: refused before any window.
    let missing = Command::new(BIN)
        .args(["--lang", "en"])
        .arg(dir.0.join("no-such.pcapng"))
        .output()
        .expect("udp-lab runs");
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("there is no file"), "{err}");
}

#[test]
fn a_tcp_client_saved_keeps_its_calls_and_show_prints_them() {
    let dir = TempDir::new("tcp");
    let file = dir.0.join("client.pcapng");
    // A server written here: reads the message, answers, closes.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let mut buf = [0u8; 64];
        let n = std::io::Read::read(&mut conn, &mut buf).expect("read");
        std::io::Write::write_all(&mut conn, b"Hello, client").expect("answer");
        n
    });
    let out = Command::new(BIN)
        .args(["--lang", "en", "client", "--tcp", "--to"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--save")
        .arg(&file)
        .output()
        .expect("the client runs");
    assert_eq!(server.join().expect("the server"), 13);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(stdout.trim(), "Response from server: Hello, client");
    assert!(stderr.contains("session saved:"), "{stderr}");
    assert!(
        stderr.contains("its 1 TCP connection(s) are kept as UDP Lab's calls"),
        "{stderr}"
    );

    let shown = show(&file);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    for call in [
        "socket(AF_INET, SOCK_STREAM)",
        &format!("connect(127.0.0.1:{port}) → 0"),
        "sendall(13 bytes) → 13 bytes",
        "recv(1024) → 13 bytes",
        "recv(1024) → b'' (the peer closed)",
        "close() → 0",
    ] {
        assert!(text.contains(call), "{call} not in:\n{text}");
    }
}
