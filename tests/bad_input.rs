//! Bad input and faults at the socket layer and the command line, one test
//! per row of the issue's table (the UI rows are in
//! src/app/server_panel/tests.rs). Loopback only, ephemeral ports.

// Test code: its helpers outside #[test] fns panic on failure too (the
// crate-wide unwrap/expect lints are for the program, Cargo.toml [lints]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{BIN, WAIT, exclusive, shared, udp_lab_threads};
use udp_lab::app::{self, ReplyKind, ServerStatus, Settings, StartOptions, UdpLabApp};
use udp_lab::net::{
    self, ClientEventKind, ClientRequest, EventQueue, NetError, NetEvent, ReplyMode, ServerConfig,
    ServerEventKind, ServerHandle, ServerSettings,
};

/// A server worker on 127.0.0.1:0; returns it, its queue and its address.
fn server(settings: ServerSettings) -> (ServerHandle, EventQueue<NetEvent>, SocketAddr) {
    let (sink, queue) = net::event_channel::<NetEvent>(1024, Arc::new(|| {}));
    let config = ServerConfig {
        bind: net::parse_addr("127.0.0.1:0", false).expect("bind address"),
        settings,
        join: None,
    };
    let handle = net::spawn_server(config, sink).expect("spawn");
    loop {
        match queue.recv_timeout(WAIT) {
            Some(NetEvent::Server(ev)) => match ev.kind {
                ServerEventKind::Listening { addr } => return (handle, queue, addr),
                ServerEventKind::Socket { .. } => {}
                other => panic!("the server did not start: {other:?}"),
            },
            other => panic!("expected Listening, got {other:?}"),
        }
    }
}

fn next_server_event(queue: &EventQueue<NetEvent>) -> ServerEventKind {
    match queue.recv_timeout(WAIT) {
        Some(NetEvent::Server(ev)) => ev.kind,
        other => panic!("expected a server event, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Safety: echo never answers with more than it received.

#[test]
fn echo_of_a_truncated_datagram_returns_only_what_was_read() {
    let _g = shared();
    let (handle, queue, addr) = server(ServerSettings {
        reply: ReplyMode::Echo,
        buffer: 100,
        reply_rate_limit: None,
        ..ServerSettings::default()
    });
    let peer = UdpSocket::bind("127.0.0.1:0").expect("peer");
    peer.set_read_timeout(Some(WAIT)).expect("timeout");
    let sent: Vec<u8> = (0..500u32).map(|i| (i % 251) as u8).collect();
    peer.send_to(&sent, addr).expect("send");
    let mut buf = [0u8; 2048];
    let (n, from) = peer.recv_from(&mut buf).expect("the echo");
    assert_eq!(from, addr);
    assert_eq!(n, 100, "echo answers with the 100 bytes read, not 500");
    assert_eq!(&buf[..n], &sent[..100]);
    match next_server_event(&queue) {
        ServerEventKind::Datagram { rx, reply } => {
            assert!(rx.truncated);
            assert_eq!((rx.len, rx.bytes.len(), rx.buffer), (500, 100, 100));
            match reply {
                net::Reply::Sent { bytes, .. } => assert_eq!(bytes.len(), 100),
                other => panic!("expected the echo to be sent, got {other:?}"),
            }
        }
        other => panic!("expected the datagram, got {other:?}"),
    }
    handle.join();
}

// ---------------------------------------------------------------------------
// Addresses on the command line: each gives its message and exit code 1.

#[test]
fn cli_address_table_gives_messages_never_panics() {
    let _g = shared();
    let long = "x".repeat(5000);
    let rows: &[(&str, &str)] = &[
        ("", "Enter an address such as 127.0.0.1:12345"),
        ("   ", "Enter an address such as 127.0.0.1:12345"),
        ("12345", "Add a host before the port"),
        ("127.0.0.1", "Add a port after a colon"),
        ("127.0.0.1:65536", "Port 65536 is out of range"),
        ("127.0.0.1:-1", "\"-1\" is not a port number"),
        ("127.0.0.1:abc", "\"abc\" is not a port number"),
        ("999.1.1.1:1", "999.1.1.1 is not an IPv4 address"),
        ("::1:12345", "Put an IPv6 address in brackets"),
        ("[::1", "is not an IPv6 address"),
        (
            "nosuchhost.invalid:1",
            "Cannot find the host \"nosuchhost.invalid\"",
        ),
        (&long, "The address is too long"),
        ("сервер:1", "is not a valid host name"),
        ("my host:1", "\"my host\" is not a valid host name"),
        ("127.0.0.1:0", "Port 0 means \"any free port\""),
    ];
    for (addr, message) in rows {
        for args in [
            ["client", "--timeout", "0.2", "--to", addr],
            ["server", "--buffer", "64", "--bind", addr],
        ] {
            // Port 0 is fine to bind: the server would run; only the client row.
            if args[0] == "server" && *addr == "127.0.0.1:0" {
                continue;
            }
            let out = Command::new(BIN).args(args).output().expect("run udp-lab");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
            assert!(stderr.contains(message), "{args:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        }
    }
}

// ---------------------------------------------------------------------------
// Faults.

#[test]
fn bind_to_a_port_in_use_says_so() {
    let _g = shared();
    let holder = UdpSocket::bind("127.0.0.1:0").expect("hold a port");
    let port = holder.local_addr().expect("addr").port();
    let out = Command::new(BIN)
        .args(["server", "--bind", &format!("127.0.0.1:{port}")])
        .output()
        .expect("run udp-lab");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("Port {port} is already in use")),
        "{stderr}"
    );
}

#[test]
fn privileged_port_without_rights_says_what_is_needed() {
    let _g = shared();
    // Needs root to drop to "nobody", setpriv, a kernel that still keeps
    // ports below 1024 for root, and a binary "nobody" may run.
    let is_root = std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|l| l.split_whitespace().next())
            == Some("0")
    });
    let unprivileged_from: u16 =
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(1024);
    let setpriv = Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !is_root || !setpriv || unprivileged_from <= 80 {
        eprintln!(
            "SKIPPED {}: needs root and setpriv, and ports below {unprivileged_from} to be \
             privileged (root: {is_root}, setpriv: {setpriv})",
            std::thread::current().name().unwrap_or("this test")
        );
        return;
    }
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN])
        .args(["server", "--bind", "127.0.0.1:80"])
        .output()
        .expect("run setpriv");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("Permission denied") && !stderr.contains("udp-lab") {
        eprintln!("skipped: user nobody cannot run {BIN}: {stderr}");
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Port 80 needs administrator rights (ports below 1024 are privileged)"),
        "{stderr}"
    );
}

#[test]
fn server_closing_while_the_client_waits_gives_a_plain_timeout() {
    let _g = shared();
    let (handle, queue, addr) = server(ServerSettings {
        reply: ReplyMode::None,
        ..ServerSettings::default()
    });
    let (sink, client_queue) = net::event_channel::<NetEvent>(1024, Arc::new(|| {}));
    let request = ClientRequest {
        op: 1,
        target: net::parse_addr(&addr.to_string(), true).expect("target"),
        payload: Arc::from(&b"are you there?"[..]),
        timeout: Duration::from_secs(1),
        buffer: 1024,
        count: 1,
        interval: Duration::ZERO,
        socket: None,
        network: net::Impairments::default(),
        reach: Default::default(),
    };
    let client = net::spawn_client(request, sink).expect("spawn client");
    // The request arrived; now the server goes away while the client waits.
    assert!(matches!(
        next_server_event(&queue),
        ServerEventKind::Datagram { .. }
    ));
    handle.join();
    let mut kinds = Vec::new();
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        match client_queue.recv_timeout(WAIT) {
            Some(NetEvent::Client(ev)) => {
                let closed = matches!(ev.kind, ClientEventKind::Closed { .. });
                kinds.push(ev.kind);
                if closed {
                    break;
                }
            }
            other => panic!("expected a client event, got {other:?}"),
        }
    }
    client.join();
    let timed_out = kinds.iter().find_map(|k| match k {
        ClientEventKind::TimedOut { after, .. } => Some(*after),
        _ => None,
    });
    assert_eq!(timed_out, Some(Duration::from_secs(1)), "{kinds:?}");
    assert_eq!(
        NetError::TimedOut {
            after: Duration::from_secs(1)
        }
        .to_string(),
        "No server answered within 1 s"
    );
    assert!(matches!(kinds.last(), Some(ClientEventKind::Closed { .. })));
}

fn count_dir(path: &str) -> usize {
    std::fs::read_dir(path).map_or(0, |d| d.count())
}

/// Drains until `done` holds, as the window's frames would.
fn run_until(app: &mut UdpLabApp, what: &str, done: impl Fn(&UdpLabApp) -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done(app) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        if !app.drain_events(app::DRAIN_BUDGET) {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

#[test]
fn thousand_start_stop_cycles_of_the_app_leak_no_thread_or_socket() {
    let _g = exclusive();
    let ctx = egui::Context::default();
    let settings = Settings {
        bind: "127.0.0.1:0".into(),
        reply: ReplyKind::Echo,
        ..Settings::default()
    };
    let mut app = UdpLabApp::with_settings(&ctx, settings, StartOptions::default());
    let poke = UdpSocket::bind("127.0.0.1:0").expect("poke socket");
    let (threads, fds) = (udp_lab_threads(), count_dir("/proc/self/fd"));
    for cycle in 0..1000 {
        app.run(app::Command::StartServer);
        run_until(&mut app, "Listening", |a| {
            matches!(a.server.status(), ServerStatus::Listening(_))
        });
        let ServerStatus::Listening(addr) = app.server.status() else {
            unreachable!("checked above");
        };
        app.run(app::Command::StopServer);
        // One datagram wakes the worker's recvfrom at once (it would notice
        // Stop within 50 ms anyway); it is received and answered like any.
        let _ = poke.send_to(format!("cycle {cycle}").as_bytes(), addr);
        run_until(&mut app, "Stopped", |a| {
            a.server.status() == ServerStatus::Stopped
        });
    }
    // The last worker reported Stopped just before its thread ends.
    let deadline = Instant::now() + WAIT;
    while udp_lab_threads() > threads && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(udp_lab_threads(), threads, "threads leaked");
    // A leak is growth. Fewer is no leak: under Wine /proc/self/fd also
    // lists Wine's own handles, which it may close meanwhile.
    let fds_after = count_dir("/proc/self/fd");
    assert!(
        fds_after <= fds,
        "sockets leaked: {fds} descriptors before, {fds_after} after"
    );
    assert!(app.server.total >= 900, "{} datagrams", app.server.total);
}

// ---------------------------------------------------------------------------
// The settings file (eframe keeps it as RON): anything unreadable gives
// defaults, never a crash.

fn load(text: &str) -> Settings {
    // What UdpLabApp::new does with eframe's storage.
    ron::from_str::<Settings>(text).unwrap_or_default()
}

#[test]
fn corrupt_settings_file_gives_defaults() {
    for text in [
        "",
        "not settings at all {{{",
        "(bind: \"127.0.0.1:1\"",
        "(timeout_secs: \"two\")",
        "\u{0}\u{1}\u{2}",
        "[1, 2, 3]",
        &"(".repeat(10_000),
    ] {
        assert_eq!(load(text), Settings::default(), "{text:?}");
    }
}

#[test]
fn older_settings_file_keeps_what_it_has_and_defaults_the_rest() {
    // A file from before the network simulator and the rate limit.
    let s = load(r#"(lang: Some(Ru), bind: "127.0.0.1:4000", reply: Echo, timeout_secs: 0.5)"#);
    assert_eq!(s.lang, Some(app::Lang::Ru));
    assert_eq!(s.bind, "127.0.0.1:4000");
    assert_eq!(s.reply, ReplyKind::Echo);
    assert_eq!(s.timeout_secs, 0.5);
    assert_eq!(s.message, Settings::default().message);
    assert!(!s.limit_replies);
    assert_eq!(s.network, net::Impairments::default());
}

#[test]
fn newer_settings_file_with_unknown_fields_and_variants_still_loads() {
    // Fields this version does not know are skipped.
    let s = load(r#"(bind: "127.0.0.1:4001", colour_scheme: "teal", plugins: [(name: "x")])"#);
    assert_eq!(s.bind, "127.0.0.1:4001");
    // An enum variant from the future resets that field alone.
    let s = load(
        r#"(reply: Broadcast, view: Hologram(3), theme: Sepia, lang: Some(Fr), bind: "127.0.0.1:4002")"#,
    );
    let d = Settings::default();
    assert_eq!(
        (s.reply, s.view, s.theme, s.lang),
        (d.reply, d.view, d.theme, d.lang)
    );
    assert_eq!(s.bind, "127.0.0.1:4002");
    // A nested struct that changed shape, too.
    let s = load(r#"(network: (loss_percent: "a lot"), bind: "127.0.0.1:4003")"#);
    assert_eq!(s.network, net::Impairments::default());
    assert_eq!(s.bind, "127.0.0.1:4003");
    // And what this version writes, it reads back.
    let written = Settings {
        limit_replies: true,
        reply_rate_limit: 25,
        reply: ReplyKind::None,
        lang: Some(app::Lang::En),
        ..Settings::default()
    };
    let text = ron::to_string(&written).expect("serialize");
    assert_eq!(load(&text), written);
}
