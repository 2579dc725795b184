//! The server panel under bad input, floods and faults: each row of the
//! issue's table is a test (or a row of a table test) driving the real app
//! through its widgets, against real sockets on loopback, ephemeral ports.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::app::RateMeter;
use crate::app::test_util::{
    harness, harness_with, listening_port, set_text, start_server, wait_for,
};
use crate::app::{Command, Lang, Outcome, ServerStatus, Settings, StartOptions, UdpLabApp};

fn peer() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").expect("bind a loopback peer")
}

fn server_addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

// ---------------------------------------------------------------------------
// Addresses: each kind gives a clear inline message or works; none panics.

/// What the panel should do with an address.
enum Expect {
    /// This message appears, and no worker starts (or it fails at once).
    Message(&'static str),
    /// The message appears after the worker tried (name resolution).
    FailsWith(&'static str),
    /// The server listens on this IP.
    Listens(&'static str),
}

#[test]
fn bind_address_table() {
    let long = format!("{}:1", "a".repeat(1000));
    let rows: Vec<(&str, String, Expect)> = vec![
        (
            "empty",
            String::new(),
            Expect::Message("Enter an address such as 127.0.0.1:12345"),
        ),
        (
            "spaces",
            "   ".into(),
            Expect::Message("Enter an address such as 127.0.0.1:12345"),
        ),
        (
            "port only",
            "12345".into(),
            Expect::Message("Add a host before the port, for example 127.0.0.1:12345"),
        ),
        (
            "host only",
            "127.0.0.1".into(),
            Expect::Message("Add a port after a colon, for example 127.0.0.1:12345"),
        ),
        ("port 0", "127.0.0.1:0".into(), Expect::Listens("127.0.0.1")),
        (
            "65 536",
            "127.0.0.1:65536".into(),
            Expect::Message("Port 65536 is out of range: ports go from 0 to 65535"),
        ),
        (
            "negative",
            "127.0.0.1:-1".into(),
            Expect::Message("\"-1\" is not a port number (0–65535)"),
        ),
        (
            "letters",
            "127.0.0.1:abc".into(),
            Expect::Message("\"abc\" is not a port number (0–65535)"),
        ),
        (
            "999.1.1.1:1",
            "999.1.1.1:1".into(),
            Expect::Message("999.1.1.1 is not an IPv4 address (each part is 0–255)"),
        ),
        (
            "IPv6 without brackets",
            "::1:12345".into(),
            Expect::Message("Put an IPv6 address in brackets, for example [::1]:12345"),
        ),
        (
            "bad IPv6 in brackets",
            "[zz]:1".into(),
            Expect::Message("zz is not an IPv6 address"),
        ),
        ("[::1] (port 0)", "[::1]:0".into(), Expect::Listens("::1")),
        (
            "localhost (port 0)",
            "localhost:0".into(),
            Expect::Listens("127.0.0.1"),
        ),
        (
            "a name that does not resolve",
            "nosuchhost.invalid:1".into(),
            Expect::FailsWith("Cannot find the host \"nosuchhost.invalid\""),
        ),
        (
            "very long",
            long,
            Expect::Message("The address is too long"),
        ),
        (
            "non-ASCII",
            "сервер:1".into(),
            Expect::Message("\"сервер\" is not a valid host name"),
        ),
        (
            "space inside",
            "my host:1".into(),
            Expect::Message("\"my host\" is not a valid host name"),
        ),
        (
            "control character",
            "127.0.0.1:1\u{7}".into(),
            Expect::Message("\"1\u{7}\" is not a port number (0–65535)"),
        ),
    ];
    assert!(rows.len() >= 15);
    let mut h = harness();
    for (kind, input, expect) in rows {
        set_text(&mut h, "Bind address", &input);
        h.get_by_label("Start").click();
        h.run_steps(3);
        match expect {
            Expect::Message(message) => {
                h.get_by_label(message);
                let app = h.state();
                assert!(app.server.handle.is_none(), "{kind}: no worker may start");
                assert!(
                    matches!(
                        app.server.status(),
                        ServerStatus::Stopped | ServerStatus::Failed(_)
                    ),
                    "{kind}"
                );
            }
            Expect::FailsWith(message) => {
                wait_for(&mut h, kind, |app| {
                    matches!(app.server.status(), ServerStatus::Failed(_))
                });
                h.get_by_label(message);
            }
            Expect::Listens(ip) => {
                wait_for(&mut h, kind, |app| listening_port(app).is_some());
                let port = listening_port(h.state()).unwrap_or_default();
                assert_ne!(port, 0, "{kind}");
                h.get_by_label(&format!("Listening on {ip} port {port}"));
                h.get_by_label("Stop").click();
                wait_for(&mut h, "the server to stop", |app| {
                    app.server.status() == ServerStatus::Stopped
                });
            }
        }
    }
}

/// A one-shot echo responder on `ip`, for targets the app's server is not on.
fn responder(ip: &str) -> (SocketAddr, std::thread::JoinHandle<()>) {
    let socket = UdpSocket::bind((ip, 0)).expect("bind the responder");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let addr = socket.local_addr().expect("addr");
    let thread = std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        if let Ok((n, from)) = socket.recv_from(&mut buf) {
            let _ = socket.send_to(&buf[..n], from);
        }
    });
    (addr, thread)
}

#[test]
fn target_address_table() {
    let mut h = harness();
    let port = start_server(&mut h);
    let (v6, v6_thread) = responder("::1");
    let long = format!("{}:1", "b".repeat(300));
    enum Target {
        Message(&'static str),
        Answered,
        FailsWith(&'static str),
    }
    let rows: Vec<(&str, String, Target)> = vec![
        (
            "empty",
            String::new(),
            Target::Message("Enter an address such as 127.0.0.1:12345"),
        ),
        (
            "spaces",
            " \t ".into(),
            Target::Message("Enter an address such as 127.0.0.1:12345"),
        ),
        (
            "port only",
            port.to_string(),
            Target::Message("Add a host before the port, for example 127.0.0.1:12345"),
        ),
        (
            "host only",
            "localhost".into(),
            Target::Message("Add a port after a colon, for example 127.0.0.1:12345"),
        ),
        (
            "port 0",
            "127.0.0.1:0".into(),
            Target::Message("Port 0 means \"any free port\": choose the port to send to"),
        ),
        (
            "65 536",
            "127.0.0.1:65536".into(),
            Target::Message("Port 65536 is out of range: ports go from 0 to 65535"),
        ),
        (
            "negative",
            "127.0.0.1:-5".into(),
            Target::Message("\"-5\" is not a port number (0–65535)"),
        ),
        (
            "letters",
            "127.0.0.1:http".into(),
            Target::Message("\"http\" is not a port number (0–65535)"),
        ),
        (
            "999.1.1.1:1",
            "999.1.1.1:1".into(),
            Target::Message("999.1.1.1 is not an IPv4 address (each part is 0–255)"),
        ),
        (
            "IPv6 without brackets",
            format!("::1:{}", v6.port()),
            Target::Message("Put an IPv6 address in brackets, for example [::1]:12345"),
        ),
        (
            "[::1]:port",
            format!("[::1]:{}", v6.port()),
            Target::Answered,
        ),
        (
            "localhost:port",
            format!("localhost:{port}"),
            Target::Answered,
        ),
        (
            "127.0.0.1:port",
            format!("127.0.0.1:{port}"),
            Target::Answered,
        ),
        (
            "a name that does not resolve",
            "nosuchhost.invalid:1".into(),
            Target::FailsWith("Cannot find the host \"nosuchhost.invalid\""),
        ),
        (
            "very long",
            long,
            Target::Message("The address is too long"),
        ),
        (
            "non-ASCII",
            "ünïcödé.example:1".into(),
            Target::Message("\"ünïcödé.example\" is not a valid host name"),
        ),
    ];
    assert!(rows.len() >= 15);
    for (kind, input, expect) in rows {
        set_text(&mut h, "Server address", &input);
        h.get_by_label("Send").click();
        h.run_steps(3);
        match expect {
            Target::Message(message) => {
                h.get_by_label(message);
                assert!(!h.state().client.busy(), "{kind}: nothing may be sent");
            }
            Target::Answered => {
                wait_for(&mut h, kind, |app| {
                    !app.client.busy() && app.client.outcome.is_some()
                });
                assert!(
                    matches!(h.state().client.outcome, Some(Outcome::Response { .. })),
                    "{kind}: {:?}",
                    h.state().client.outcome
                );
            }
            Target::FailsWith(message) => {
                wait_for(&mut h, kind, |app| {
                    !app.client.busy() && app.client.outcome.is_some()
                });
                h.get_by_label(message);
            }
        }
    }
    v6_thread.join().expect("responder");
}

#[test]
fn all_interfaces_bind_shows_a_warning_and_loopback_does_not() {
    assert_eq!(
        Settings::default().bind,
        "127.0.0.1:12345",
        "loopback by default"
    );
    let warning =
        "Bound to all interfaces: other computers on your networks can send to this server.";
    // TCP's form binds the same address and warns the same way.
    for protocol in [crate::net::Protocol::Udp, crate::net::Protocol::Tcp] {
        let mut h = harness();
        h.state_mut().run(Command::SetServerProtocol(protocol));
        h.run_steps(2);
        assert!(h.query_by_label(warning).is_none(), "{protocol:?}");
        for bind in ["0.0.0.0:12345", "[::]:12345"] {
            set_text(&mut h, "Bind address", bind);
            h.get_by_label(warning);
        }
        set_text(&mut h, "Bind address", "127.0.0.1:12345");
        assert!(h.query_by_label(warning).is_none(), "{protocol:?}");
    }
}

// ---------------------------------------------------------------------------
// Payloads: each is shown safely in the incoming list.

/// Clears the list, sends `bytes` from a peer and waits for its row.
fn receive(h: &mut Harness<'_, UdpLabApp>, port: u16, bytes: &[u8]) {
    if !h.state().server.rows.is_empty() {
        h.get_by_label("Clear").click();
        h.run_steps(2);
    }
    peer().send_to(bytes, server_addr(port)).expect("send");
    wait_for(h, "the datagram", |app| app.server.total == 1);
}

#[test]
fn payload_table_is_shown_safely() {
    let mut h = harness();
    let port = start_server(&mut h);
    let long = |c: char, n: usize| format!("{}…", c.to_string().repeat(n));
    let rows: Vec<(&str, Vec<u8>, String, &str)> = vec![
        ("empty", Vec::new(), "(empty datagram)".into(), "0"),
        ("1 byte", b"Z".to_vec(), "Z".into(), "1"),
        (
            "exactly the buffer",
            vec![b'x'; 1024],
            long('x', 200),
            "1024",
        ),
        ("buffer + 1", vec![b'y'; 1025], long('y', 200), "1025!"),
        (
            "invalid UTF-8",
            vec![0xff, 0xfe, b'h', b'i'],
            "\u{fffd}\u{fffd}hi   [ff fe 68 69]".into(),
            "4",
        ),
        (
            "NUL bytes",
            b"a\0\0b".to_vec(),
            "a\\0\\0b   [61 00 00 62]".into(),
            "4",
        ),
        (
            "control characters and ANSI escapes",
            b"\x1b[31mred\x07\x08\r\n".to_vec(),
            "\\x1b[31mred\\x07\\x08\\r\\n   [1b 5b 33 31 6d 72 65 64 07 08 0d 0a]".into(),
            "12",
        ),
        (
            "terminal title escape",
            b"\x1b]0;pwned\x07".to_vec(),
            "\\x1b]0;pwned\\x07   [1b 5d 30 3b 70 77 6e 65 64 07]".into(),
            "10",
        ),
        (
            "right-to-left text",
            "שלום עולם".as_bytes().to_vec(),
            "שלום עולם".into(),
            "17",
        ),
        (
            "bidi override",
            "user\u{202e}gnp.exe".as_bytes().to_vec(),
            "user\\u{202e}gnp.exe".into(),
            "14",
        ),
    ];
    for (kind, bytes, text, len) in rows {
        receive(&mut h, port, &bytes);
        let row = &h.state().server.rows[0];
        assert_eq!(&*row.rx.bytes, &bytes[..bytes.len().min(1024)], "{kind}");
        assert_eq!(row.rx.truncated, bytes.len() > 1024, "{kind}");
        h.get_by_label(&text);
        h.get_by_label(len);
    }
}

#[test]
fn largest_datagram_with_a_big_buffer_arrives_whole() {
    let mut h = harness();
    // The server's field comes first (the client panel has one too).
    h.get_all_by_label("Receive buffer")
        .next()
        .expect("the server's receive buffer")
        .set_value_accesskit(65_508.0);
    h.run_steps(2);
    assert_eq!(h.state().settings.server_buffer, 65_508);
    let port = start_server(&mut h);
    let bytes = vec![b'z'; 65_507];
    receive(&mut h, port, &bytes);
    let rx = &h.state().server.rows[0].rx;
    assert_eq!(
        (rx.bytes.len(), rx.len, rx.truncated),
        (65_507, 65_507, false)
    );
    h.get_by_label(&format!("{}…", "z".repeat(200)));
    h.get_by_label("65507");
}

#[test]
fn emoji_payload_is_shown() {
    // The bundled fonts have no emoji: the harness must allow the gap.
    let mut h = Harness::builder()
        .with_size([1100.0, 700.0])
        .allow_missing_glyphs()
        .build_eframe(|cc| {
            UdpLabApp::with_settings(
                &cc.egui_ctx,
                Settings {
                    lang: Some(Lang::En),
                    bind: "127.0.0.1:0".into(),
                    ..Settings::default()
                },
                StartOptions::default(),
            )
        });
    let port = start_server(&mut h);
    receive(&mut h, port, "hi 👋🏽 ✓".as_bytes());
    h.get_by_label("hi 👋🏽 ✓");
}

// ---------------------------------------------------------------------------
// The window's pause, rate, rate limit.

fn send_numbered(port: u16, prefix: &str, n: usize) {
    let p = peer();
    for i in 0..n {
        p.send_to(format!("{prefix}{i}").as_bytes(), server_addr(port))
            .expect("send");
    }
}

#[test]
fn the_windows_pause_freezes_the_list_while_counting_goes_on() {
    let mut h = harness_with(Settings {
        lang: Some(Lang::En),
        bind: "127.0.0.1:0".into(),
        reply: crate::app::ReplyKind::None,
        ..Settings::default()
    });
    let port = start_server(&mut h);
    send_numbered(port, "early-", 60);
    wait_for(&mut h, "60 datagrams", |app| app.server.total == 60);
    // The live list sticks to the newest row.
    h.get_by_label("early-59");

    // One pause for the whole window, in the time strip.
    h.get_by_label("Pause").click();
    h.run_steps(2);
    assert!(!h.state().time.is_live());
    // The badge on both panels and in the strip: nobody takes it for now.
    assert_eq!(h.get_all_by_label_contains("Replaying").count(), 3);
    send_numbered(port, "late-", 60);
    wait_for(&mut h, "120 datagrams", |app| app.server.total == 120);
    // Counting went on; the list did not move.
    h.get_by_label("120 received");
    h.get_by_label("60 newer not shown");
    h.get_by_label("early-59");
    assert!(h.query_by_label("late-59").is_none());
    assert!(h.query_by_label("late-0").is_none());
    h.get_by_label("60 new calls since");

    // Live again jumps to the newest.
    h.get_by_label("Live").click();
    h.run_steps(3);
    assert!(h.state().time.is_live());
    h.get_by_label("late-59");
    assert!(h.query_by_label_contains("newer not shown").is_none());
}

#[test]
fn rate_counts_the_last_second_and_falls_to_zero_without_a_repaint_loop() {
    let mut h = harness_with(Settings {
        lang: Some(Lang::En),
        bind: "127.0.0.1:0".into(),
        reply: crate::app::ReplyKind::None,
        ..Settings::default()
    });
    let port = start_server(&mut h);
    h.get_by_label("0 per second");
    send_numbered(port, "r", 25);
    wait_for(&mut h, "25 datagrams", |app| app.server.total == 25);
    h.get_by_label("25 per second");
    // While the rate is not 0, one delayed repaint is pending, no more.
    assert!(
        h.ctx.has_requested_repaint(),
        "a repaint to let the rate fall"
    );
    std::thread::sleep(Duration::from_millis(1100));
    h.run_steps(2);
    h.get_by_label("0 per second");
    // Idle: nothing asks for another frame.
    h.step();
    assert!(
        !h.ctx.has_requested_repaint(),
        "idle must not repaint continuously"
    );
}

#[test]
fn rate_meter_window() {
    let t0 = Instant::now();
    let at = |ms: u64| t0 + Duration::from_millis(ms);
    let mut m = RateMeter::default();
    assert_eq!(m.update(Some((1, 0)), at(0)), 0);
    assert_eq!(m.update(Some((1, 40)), at(500)), 40);
    assert_eq!(m.update(Some((1, 100)), at(1000)), 100);
    // A second after the 500 ms sample: only what came since it counts.
    assert_eq!(m.update(Some((1, 130)), at(1500)), 90);
    // Traffic stopped at 1.5 s: a frame a second later shows 0.
    assert_eq!(m.update(Some((1, 130)), at(2500)), 0);
    // A restarted server counts from 0 again.
    assert_eq!(m.update(Some((2, 5)), at(2600)), 0);
    assert_eq!(m.update(Some((2, 9)), at(2700)), 4);
    assert_eq!(m.update(None, at(2800)), 0);
    // Frames at 1 kHz keep the samples bounded.
    for i in 0..10_000u64 {
        m.update(Some((3, i)), at(3000 + i));
    }
    assert!(m.samples.len() <= 120, "{}", m.samples.len());
    assert_eq!(m.update(Some((3, 10_000)), at(13_000)), 1000);
}

#[test]
fn reply_rate_limit_answers_about_ten_of_a_flood_of_200() {
    let mut h = harness();
    h.get_by_label("Limit replies to").click();
    h.get_by_label("replies/s").set_value_accesskit(10.0);
    h.run_steps(2);
    assert!(h.state().settings.limit_replies);
    assert_eq!(h.state().settings.reply_rate_limit, 10);
    let port = start_server(&mut h);
    let flood = peer();
    flood
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    // In bursts of 20, so the kernel's socket buffer never overflows.
    for burst in 0..10 {
        for i in 0..20 {
            flood
                .send_to(format!("f{burst}-{i}").as_bytes(), server_addr(port))
                .expect("send");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    wait_for(&mut h, "200 datagrams", |app| app.server.total == 200);
    let mut replies = 0u64;
    let mut buf = [0u8; 64];
    while flood.recv_from(&mut buf).is_ok() {
        replies += 1;
    }
    // The bucket holds 10; the flood lasts a few milliseconds.
    assert!((10..=12).contains(&replies), "{replies} replies");
    let held = h.state().server.rate_limited;
    assert_eq!(held + replies, 200);
    h.get_by_label(&format!("{held} replies held back by the rate limit"));
}

#[test]
fn rate_limit_is_off_by_default() {
    let s = Settings::default();
    assert!(!s.limit_replies);
    assert_eq!(s.server_settings().reply_rate_limit, None);
    let on = Settings {
        limit_replies: true,
        reply_rate_limit: 0,
        ..s
    };
    assert_eq!(on.server_settings().reply_rate_limit, Some(1), "0 means 1");
}

// ---------------------------------------------------------------------------
// Faults.

#[test]
fn stop_while_a_flood_arrives_reaches_stopped_promptly() {
    let mut h = harness();
    let port = start_server(&mut h);
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let flood = {
        let (stop, sent) = (stop.clone(), sent.clone());
        std::thread::spawn(move || {
            let p = peer();
            let deadline = Instant::now() + Duration::from_secs(20);
            // Bounded in count and time; stops by itself.
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                let _ = p.send_to(b"flood", server_addr(port));
                if sent.fetch_add(1, Ordering::Relaxed) > 2_000_000 {
                    break;
                }
            }
        })
    };
    wait_for(&mut h, "the flood to arrive", |app| app.server.total > 1000);
    let clicked = Instant::now();
    h.get_by_label("Stop").click();
    wait_for(&mut h, "Stopped", |app| {
        app.server.status() == ServerStatus::Stopped
    });
    let took = clicked.elapsed();
    stop.store(true, Ordering::Relaxed);
    flood.join().expect("flood thread");
    // The socket thread notices Stop within its 50 ms poll; the status says
    // so then, whatever backlog of the flood is still being shown.
    assert!(took < Duration::from_secs(2), "Stop took {took:?}");
    eprintln!("Stop during a flood took {took:?}");
    h.get_by_label("Stopped");
    h.get_by_label("Start");
    assert!(sent.load(Ordering::Relaxed) > 1000);
}
