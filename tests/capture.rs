//! Files against real peers (issue 26): tshark reads a saved session
//! (packets, good checksums, the comments); captures made by dumpcap and
//! tcpdump while UDP Lab's client talks to its server open with every
//! datagram; `tcpdump -i any` (Linux cooked v2) and `-i eth0` (Ethernet)
//! in network namespaces of the test's own, a 4000-byte datagram crossing
//! a 1500-byte MTU in three fragments.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/netns.rs"]
mod netns;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::{BIN, Running, WAIT, cli_server, have, shared};
use udp_lab::lab::capture::{Progress, Recorded, SaveInput, open, save};
use udp_lab::lab::session::Session;
use udp_lab::net::{
    ClientEventKind, ClientRequest, NetEvent, ServerConfig, ServerEventKind, ServerSettings,
    event_channel, parse_addr, spawn_client, spawn_server,
};

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("udp-lab-capture-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// UDP Lab's server and a client burst of `count` on loopback port 0, as a
/// session.
fn lab_session(count: u32) -> (Session, SocketAddr) {
    let (sink, queue) = event_channel(65_536, Arc::new(|| {}));
    let server = spawn_server(
        ServerConfig {
            bind: parse_addr("127.0.0.1:0", false).unwrap(),
            settings: ServerSettings::default(),
            join: None,
        },
        sink.clone(),
    )
    .unwrap();
    let mut session = Session::default();
    let addr = loop {
        let ev = queue.recv_timeout(WAIT).expect("server events");
        session.record(&ev);
        if let NetEvent::Server(s) = &ev
            && let ServerEventKind::Listening { addr } = s.kind
        {
            break addr;
        }
    };
    let client = spawn_client(
        ClientRequest {
            op: 1,
            target: parse_addr(&addr.to_string(), true).unwrap(),
            payload: Arc::from(&b"Hello, server"[..]),
            timeout: WAIT,
            buffer: 1024,
            count,
            interval: Duration::ZERO,
            socket: None,
            network: Default::default(),
            reach: Default::default(),
        },
        sink,
    )
    .unwrap();
    loop {
        let ev = queue.recv_timeout(WAIT).expect("client events");
        session.record(&ev);
        if matches!(&ev, NetEvent::Client(c) if matches!(c.kind, ClientEventKind::Closed { .. })) {
            break;
        }
    }
    client.join();
    server.stop();
    while let Some(ev) = queue.recv_timeout(Duration::from_millis(200)) {
        session.record(&ev);
    }
    (session, addr)
}

#[test]
fn tshark_reads_a_saved_session_with_good_checksums_and_the_comments() {
    let _g = shared();
    if !have("tshark") {
        println!("SKIPPED tshark_reads_a_saved_session: no tshark");
        return;
    }
    let dir = TempDir::new("tshark");
    let path = dir.0.join("lesson.pcapng");
    let (session, server) = lab_session(3);
    let input = SaveInput {
        session: &session,
        settings_ron: Some("(lang: En)"),
    };
    let saved = save(&path, &input, &Progress::default()).expect("save");
    assert_eq!(saved.packets, 6);
    let out = Command::new("tshark")
        .args(["-r"])
        .arg(&path)
        .args([
            "-o",
            "udp.check_checksum:TRUE",
            // tshark lists UDP Lab's Custom Blocks as records of their own.
            "-Y",
            "udp",
            "-T",
            "fields",
            "-E",
            "separator=|",
            "-e",
            "udp.srcport",
            "-e",
            "udp.checksum.status",
            "-e",
            "frame.comment",
        ])
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    let port = server.port().to_string();
    for line in &lines {
        let fields: Vec<&str> = line.split('|').collect();
        // 1: Good.
        assert_eq!(fields[1], "1", "{line}");
        if fields[0] == port {
            assert!(
                fields[2].starts_with("server step 10 sendto(13 bytes → 127.0.0.1:"),
                "{line}"
            );
            assert!(
                fields[2].contains("client step 7 recvfrom(1024) → 13 bytes"),
                "{line}"
            );
        } else {
            assert!(
                fields[2].starts_with("client step 6 sendto(13 bytes → 127.0.0.1:"),
                "{line}"
            );
            assert!(
                fields[2].contains("server step 7 recvfrom(1024) → 13 bytes"),
                "{line}"
            );
        }
    }
    // And UDP Lab reads its own file back as the session.
    let opened = open(&path, &Progress::default()).expect("open");
    let Recorded::Session { events, .. } = opened.recorded else {
        panic!("not read as a session");
    };
    assert_eq!(events.len(), session.log.len());
}

/// Waits for a capture tool's line saying it listens (on stderr).
fn wait_listening(child: &mut Running, words: &str) {
    let err = child.0.stderr.take().expect("stderr");
    let mut err = BufReader::new(err);
    let mut line = String::new();
    loop {
        line.clear();
        let n = err.read_line(&mut line).unwrap();
        assert!(n > 0, "the capture tool ended before it listened");
        if line.contains(words) {
            break;
        }
    }
    // Keep reading so the tool never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut rest = String::new();
        while err.read_line(&mut rest).is_ok_and(|n| n > 0) {
            rest.clear();
        }
    });
}

fn run_client(to: &str, args: &[&str]) {
    let out = Command::new(BIN)
        .args(["client", "--to", to, "--interval", "0"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Sends probes to `probe_port` until the capture file grows: the tool has
/// taken everything sent before them. (Capture tools say they listen a
/// moment before they do, and hold packets a moment before writing.)
fn until_the_file_grows(file: &Path, probe_port: u16) {
    let probe = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let len = || std::fs::metadata(file).map_or(0, |m| m.len());
    let before = len();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while len() == before {
        assert!(
            std::time::Instant::now() < deadline,
            "the capture file never grew"
        );
        probe.send_to(b"probe", ("127.0.0.1", probe_port)).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn capture_on_loopback(tool: &str, args: &[&str], listening: &str, file: &Path) {
    let (_server, _out, port) = cli_server(&[]);
    // Where the probes go: a socket of its own, nobody answers.
    let sink = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let probe_port = sink.local_addr().unwrap().port();
    let filter = format!("udp port {port} or udp port {probe_port}");
    let mut capture = Running(
        Command::new(tool)
            .args(args)
            .arg(file)
            // dumpcap takes the filter after -f, tcpdump as its last words.
            .args(if tool == "dumpcap" {
                vec!["-f", &filter]
            } else {
                vec![&filter[..]]
            })
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    wait_listening(&mut capture, listening);
    until_the_file_grows(file, probe_port);
    run_client(&format!("127.0.0.1:{port}"), &["--count", "5"]);
    until_the_file_grows(file, probe_port);
    // Ctrl-C: the tool writes what it has and ends.
    let pid = capture.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    assert!(capture.0.wait().unwrap().success());
    let opened = open(file, &Progress::default()).expect("open the capture");
    let Recorded::Capture(imported) = opened.recorded else {
        panic!("a foreign capture read as a session");
    };
    let server: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut d = imported.session.datagrams.clone();
    d.retain(|d| d.from == server || d.to == server);
    assert_eq!(d.len(), 10, "{imported:?}");
    let order: Vec<_> = d
        .iter()
        .map(|d| (d.from.port(), d.to.port(), d.sent_at))
        .collect();
    // The probes went first, unanswered: the server is who answered.
    assert_eq!(imported.server, Some(server), "{file:?}: {order:?}");
    assert_eq!(d.iter().filter(|d| d.to == server).count(), 5);
    assert!(
        d.iter()
            .filter(|d| d.to == server)
            .all(|d| &d.bytes[..] == b"Hello, server")
    );
    assert!(
        d.iter()
            .filter(|d| d.from == server)
            .all(|d| &d.bytes[..] == b"Hello, client")
    );
    // Loopback's checksums: right, or left to the (absent) card.
    assert!(d.iter().all(|d| {
        let c = d.captured.unwrap();
        c.checksum_ok == Some(true) || c.offloaded
    }));
}

#[test]
fn a_dumpcap_capture_of_loopback_opens_with_every_datagram() {
    let _g = shared();
    if !have("dumpcap") {
        println!("SKIPPED a_dumpcap_capture_of_loopback: no dumpcap");
        return;
    }
    let dir = TempDir::new("dumpcap");
    let file = dir.0.join("lo.pcapng");
    capture_on_loopback("dumpcap", &["-q", "-i", "lo", "-w"], "Capturing on", &file);
    // And as pcap (-P).
    let file = dir.0.join("lo.pcap");
    capture_on_loopback(
        "dumpcap",
        &["-q", "-P", "-i", "lo", "-w"],
        "Capturing on",
        &file,
    );
}

#[test]
fn a_tcpdump_pcap_of_loopback_opens_with_every_datagram() {
    let _g = shared();
    if !have("tcpdump") {
        println!("SKIPPED a_tcpdump_pcap_of_loopback: no tcpdump");
        return;
    }
    let dir = TempDir::new("tcpdump");
    let file = dir.0.join("lo.pcap");
    capture_on_loopback("tcpdump", &["-U", "-i", "lo", "-w"], "listening on", &file);
}

/// tcpdump on `host` of the classroom, `-c count`, into `file`.
fn tcpdump_on(host: &netns::Host, iface: &str, count: &str, file: &Path) -> Running {
    let mut child = Running(
        host.command("tcpdump")
            .args(["-U", "-i", iface, "-c", count, "-w"])
            .arg(file)
            .arg("udp")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    wait_listening(&mut child, "listening on");
    child
}

#[test]
fn a_4000_byte_datagram_captured_on_ethernet_and_any_is_reassembled() {
    let _g = shared();
    if !have("tcpdump") {
        println!("SKIPPED a_4000_byte_datagram_captured: no tcpdump");
        return;
    }
    let Some(room) = netns::Classroom::new("a_4000_byte_datagram_captured", 2) else {
        return;
    };
    let dir = TempDir::new("netns");
    let (server_host, client_host) = (&room.hosts[0], &room.hosts[1]);
    let (_server, _out, line) = common::spawn_reading_first_line(
        server_host
            .command(BIN)
            .args(["server", "--bind", &format!("{}:12345", server_host.ip)])
            .stderr(Stdio::null()),
    );
    assert!(line.contains("12345"), "{line}");
    let eth = dir.0.join("eth0.pcap");
    let any = dir.0.join("any.pcap");
    // The request in 3 fragments, the answer in one.
    let mut on_eth = tcpdump_on(server_host, "eth0", "4", &eth);
    let mut on_any = tcpdump_on(server_host, "any", "4", &any);
    let message = "x".repeat(4000);
    let out = client_host
        .command(BIN)
        .args([
            "client",
            "--to",
            &format!("{}:12345", server_host.ip),
            &message,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(on_eth.0.wait().unwrap().success());
    assert!(on_any.0.wait().unwrap().success());
    for (file, link) in [(&eth, 1), (&any, 276)] {
        let opened = open(file, &Progress::default()).expect("open");
        let Recorded::Capture(imported) = opened.recorded else {
            panic!("read as a session");
        };
        assert_eq!(imported.link_types, vec![link]);
        assert_eq!(imported.packets, 4);
        assert_eq!(imported.udp, 2, "{imported:?}");
        let request = &imported.session.datagrams[0];
        assert_eq!(request.bytes.len(), 4000);
        assert!(request.bytes.iter().all(|b| *b == b'x'));
        let c = request.captured.unwrap();
        assert_eq!(c.fragments, 3);
        assert_eq!(c.length, 4008);
        let server: SocketAddr = format!("{}:12345", server_host.ip).parse().unwrap();
        assert_eq!(imported.server, Some(server));
        assert_eq!(&imported.session.datagrams[1].bytes[..], b"Hello, client");
    }
}
