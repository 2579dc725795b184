//! The real app, driven through its widgets by egui_kittest, against real
//! sockets on loopback (ephemeral ports only).

use std::net::UdpSocket;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::test_util::*;
use super::*;
use crate::net::{Received, Reply};

#[test]
fn start_then_send_shows_the_lab_exchange_in_both_panels() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Send").click();
    wait_for(&mut h, "the response", |app| {
        matches!(app.client.outcome, Some(Outcome::Response { .. }))
    });

    h.get_by_label("Response from server: Hello, client");
    h.get_by_label_contains(&format!("from 127.0.0.1:{port} in"));
    // The server list: the request text and where it came from.
    h.get_by_label("Hello, server");
    let row = &h.state().server.rows[0];
    assert_eq!(&*row.rx.bytes, b"Hello, server");
    assert!(row.rx.from.ip().is_loopback());
    h.get_by_label(&row.rx.from.to_string());
    h.get_by_label("1 received");
}

#[test]
fn enter_in_the_message_field_sends() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    set_text(&mut h, "Message", "typed message");
    let field = h.get_by_label("Message");
    field.focus();
    h.step();
    h.key_press(egui::Key::Enter);
    wait_for(&mut h, "the response", |app| {
        matches!(app.client.outcome, Some(Outcome::Response { .. }))
    });
    h.get_by_label("typed message");
}

#[test]
fn send_with_no_server_says_nothing_is_listening() {
    // A port that was free a moment ago: nothing listens there now.
    let port = UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let mut h = harness();
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Send").click();
    wait_for(&mut h, "the failure", |app| {
        matches!(app.client.outcome, Some(Outcome::Failed(_)))
    });
    let expected = if cfg!(target_os = "linux") {
        format!("Nothing is listening at 127.0.0.1:{port} (ICMP port unreachable)")
    } else {
        format!(
            "No server answered within 1 s: no answer and no error. The server may be stopped, \
             or a firewall drops UDP silently — on Windows allow UDP port {port} in Windows \
             Defender Firewall; on Linux check ufw/nft"
        )
    };
    h.get_by_label(&expected);
}

#[test]
fn send_to_a_silent_peer_times_out_in_plain_words() {
    let silent = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let mut h = harness();
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Send").click();
    wait_for(&mut h, "the timeout", |app| {
        matches!(app.client.outcome, Some(Outcome::Failed(_)))
    });
    h.get_by_label(&format!(
        "No server answered within 1 s: no answer and no error. The server may be stopped, \
         or a firewall drops UDP silently — on Windows allow UDP port {port} in Windows \
         Defender Firewall; on Linux check ufw/nft"
    ));
    let mut buf = [0u8; 64];
    silent.set_nonblocking(true).expect("nonblocking");
    let (n, _) = silent.recv_from(&mut buf).expect("the request arrived");
    assert_eq!(&buf[..n], b"Hello, server");
}

#[test]
fn bad_bind_addresses_show_inline_errors_and_start_nothing() {
    let cases = [
        (
            "12345",
            "Add a host before the port, for example 127.0.0.1:12345",
        ),
        (
            "127.0.0.1:",
            "Add a port after a colon, for example 127.0.0.1:12345",
        ),
        (
            "127.0.0.1:99999",
            "Port 99999 is out of range: ports go from 0 to 65535",
        ),
        (
            "999.0.0.1:1",
            "999.0.0.1 is not an IPv4 address (each part is 0–255)",
        ),
        (
            "hello",
            "Add a port after a colon, for example 127.0.0.1:12345",
        ),
    ];
    let mut h = harness();
    for (input, message) in cases {
        set_text(&mut h, "Bind address", input);
        h.get_by_label("Start").click();
        h.run_steps(3);
        h.get_by_label(message);
        assert!(
            h.state().server.handle.is_none(),
            "{input}: no worker may start"
        );
        assert_eq!(h.state().server.status(), ServerStatus::Stopped);
    }
}

#[test]
fn bad_target_shows_inline_error() {
    let mut h = harness();
    set_text(&mut h, "Server address", "127.0.0.1:0");
    h.get_by_label("Send").click();
    h.run_steps(3);
    h.get_by_label("Port 0 means \"any free port\": choose the port to send to");
    assert!(!h.state().client.busy());
}

#[test]
fn port_in_use_is_reported_in_the_server_panel() {
    let holder = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = holder.local_addr().expect("addr").port();
    let mut h = harness();
    set_text(&mut h, "Bind address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Start").click();
    wait_for(&mut h, "the bind error", |app| {
        matches!(app.server.status(), ServerStatus::Failed(_))
    });
    h.get_by_label(&format!("Port {port} is already in use"));
    // Start is offered again.
    h.get_by_label("Start");
}

#[test]
fn stop_then_start_again_on_the_same_port() {
    let mut h = harness();
    let port = start_server(&mut h);
    h.get_by_label("Stop").click();
    wait_for(&mut h, "the server to stop", |app| {
        app.server.status() == ServerStatus::Stopped
    });
    h.get_by_label("Stopped");
    set_text(&mut h, "Bind address", &format!("127.0.0.1:{port}"));
    assert_eq!(start_server(&mut h), port);
}

#[test]
fn reply_modes_echo_and_none_work_from_the_ui() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Echo").click();
    h.run_steps(2);
    set_text(&mut h, "Message", "ping 42");
    h.get_by_label("Send").click();
    wait_for(&mut h, "the echo", |app| {
        matches!(app.client.outcome, Some(Outcome::Response { .. }))
    });
    assert_eq!(h.state().settings.reply, ReplyKind::Echo);
    h.get_by_label("Response from server: ping 42");

    h.get_by_label("No reply").click();
    h.run_steps(2);
    h.get_by_label("Send").click();
    wait_for(&mut h, "the timeout", |app| {
        matches!(app.client.outcome, Some(Outcome::Failed(_)))
    });
    h.get_by_label_contains("No server answered within 1 s: no answer and no error");
    assert_eq!(h.state().server.total, 2);
}

#[test]
fn invalid_utf8_is_shown_safely_with_hex() {
    let mut h = harness();
    let port = start_server(&mut h);
    let peer = UdpSocket::bind("127.0.0.1:0").expect("bind");
    peer.send_to(
        &[0xff, 0xfe, b'h', b'i', 0x1b, b'[', b'2', b'J'],
        ("127.0.0.1", port),
    )
    .expect("send");
    wait_for(&mut h, "the datagram", |app| app.server.total == 1);
    h.get_by_label("\u{fffd}\u{fffd}hi\\x1b[2J   [ff fe 68 69 1b 5b 32 4a]");
}

#[test]
fn incoming_list_is_bounded_and_says_what_it_dropped() {
    let mut h = harness();
    let app = h.state_mut();
    for i in 0..(MAX_INCOMING_ROWS + 25) {
        app.server.push_row(IncomingRow {
            rx: Received {
                from: "127.0.0.1:5000".parse().expect("literal"),
                bytes: Arc::from(format!("n{i}").as_bytes()),
                len: 2,
                truncated: false,
                buffer: 1024,
                at: SystemTime::now(),
            },
            reply: Reply::NotSent,
        });
    }
    h.run_steps(2);
    assert_eq!(h.state().server.rows.len(), MAX_INCOMING_ROWS);
    h.get_by_label("10025 received");
    h.get_by_label("25 older rows not kept");
}

#[test]
fn russian_ui_translates_the_panels() {
    let mut h = harness_with(Settings {
        lang: Some(Lang::Ru),
        bind: "127.0.0.1:0".into(),
        ..Settings::default()
    });
    h.run_steps(2);
    h.get_by_label("Запустить");
    h.get_by_label("Отправить");
    h.get_by_label("Русский").click();
    h.get_by_label("English").click();
    h.run_steps(2);
    h.get_by_label("Start");
    assert_eq!(h.state().settings.lang, Some(Lang::En));
}

#[test]
fn settings_survive_a_restart_and_bad_files_give_defaults() {
    let settings = Settings {
        target: "[::1]:4000".into(),
        timeout_secs: 0.5,
        ..Settings::default()
    };
    let text = ron_like(&settings);
    let back: Settings = serde_json_like(&text).unwrap_or_default();
    assert_eq!(back, settings);
    // An older file with fewer fields, and a corrupt one.
    assert_eq!(
        serde_json_like("(bind: \"0.0.0.0:1\")").map(|s| s.bind),
        Some("0.0.0.0:1".to_owned())
    );
    assert_eq!(serde_json_like("not settings at all {{{"), None);
}

/// eframe stores settings as RON; go through the same format.
fn ron_like(s: &Settings) -> String {
    ron::to_string(s).expect("settings serialize")
}

fn serde_json_like(text: &str) -> Option<Settings> {
    ron::from_str(text).ok()
}

#[test]
fn narrow_window_still_shows_both_panels() {
    let mut h = Harness::builder()
        .with_size([500.0, 700.0])
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
    h.run_steps(2);
    // With a row in the incoming list (an empty list is short anyway), the
    // client panel's Send is still on screen without scrolling.
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Send").click();
    wait_for(&mut h, "the exchange", |app| {
        !app.client.busy() && app.server.total == 1
    });
    let send = h.get_by_label("Send").rect();
    assert!(
        send.bottom() <= 700.0,
        "Send is out of sight below the server panel: {send:?}"
    );
    h.get_by_label("Socket calls");
    // The views are below the panels: scroll down to them.
    h.get_by_label("Sequence diagram").scroll_to_me();
    h.run_steps(3);
    h.get_by_label("Sequence diagram").click();
    h.run_steps(2);
    assert_eq!(h.state().settings.view, views::View::Diagram);
}

#[test]
fn burst_of_200_on_loopback_loses_nothing_and_reports_plausible_rtts() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Burst").set_value_accesskit(200.0);
    h.get_by_label("every").set_value_accesskit(0.0);
    h.run_steps(2);
    h.get_by_label("Send 200").click();
    wait_for(&mut h, "the burst to end", |app| {
        !app.client.busy() && app.client.stats.sent == 200
    });
    h.get_by_label("200 of 200 sent, 200 answered, 0 lost (0%)");
    let app = h.state();
    assert_eq!(app.server.total, 200);
    let rtt = app.client.stats.rtt().expect("answers");
    assert!(
        rtt.min > Duration::ZERO && rtt.max < Duration::from_secs(1),
        "{rtt:?}"
    );
    // The mean can exceed p99: one stall among 200 answers (a loaded
    // machine) lifts the mean, while p99 (the 198th of 200) ignores it.
    assert!(rtt.min <= rtt.avg && rtt.avg <= rtt.max, "{rtt:?}");
    assert!(rtt.min <= rtt.p99 && rtt.p99 <= rtt.max, "{rtt:?}");
    assert_eq!(app.client.points.len(), 200);
    assert!(app.client.points.iter().all(|p| p.rtt_ms.is_some()));
    h.get_by_label_contains("RTT min/avg/p99/max = ");
}

#[test]
fn a_burst_against_a_silent_peer_counts_every_loss() {
    let silent = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let mut h = harness();
    h.state_mut().settings.timeout_secs = 0.05;
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Burst").set_value_accesskit(3.0);
    h.get_by_label("every").set_value_accesskit(0.0);
    h.run_steps(2);
    h.get_by_label("Send 3").click();
    wait_for(&mut h, "the burst to end", |app| {
        !app.client.busy() && app.client.stats.sent == 3
    });
    h.get_by_label("3 of 3 sent, 0 answered, 3 lost (100%)");
    assert!(h.state().client.points.iter().all(|p| p.rtt_ms.is_none()));
}

#[test]
fn one_server_answers_many_clients_each_with_its_own_port() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    for _ in 0..2 {
        h.get_by_label("Send").click();
        wait_for(&mut h, "the exchange", |app| {
            !app.client.busy() && app.client.outcome.is_some()
        });
    }
    let ports: Vec<u16> = h
        .state()
        .server
        .rows
        .iter()
        .map(|r| r.rx.from.port())
        .collect();
    assert_eq!(ports.len(), 2);
    assert_ne!(
        ports[0], ports[1],
        "a new socket per Send means a new source port"
    );

    // Keep one socket: the same source port every time.
    h.get_by_label("New socket for each Send").click();
    h.run_steps(2);
    for _ in 0..2 {
        h.get_by_label("Send").click();
        wait_for(&mut h, "the exchange", |app| {
            !app.client.busy() && app.server.total >= 3
        });
    }
    wait_for(&mut h, "four datagrams", |app| {
        app.server.total == 4 && !app.client.busy()
    });
    let rows = &h.state().server.rows;
    assert_eq!(rows[2].rx.from.port(), rows[3].rx.from.port());
    assert!(!ports.contains(&rows[2].rx.from.port()));
}

#[test]
fn a_running_burst_can_be_cancelled() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Burst").set_value_accesskit(1000.0);
    h.get_by_label("every").set_value_accesskit(50.0);
    h.run_steps(2);
    h.get_by_label("Send 1000").click();
    wait_for(&mut h, "a few answers", |app| {
        app.client.stats.answered >= 2
    });
    h.get_by_label("Cancel").click();
    wait_for(&mut h, "the burst to stop", |app| !app.client.busy());
    let sent = h.state().client.stats.sent;
    assert!(sent < 100, "cancelled after {sent}");
}

#[test]
fn russian_decimal_fields_show_and_take_a_comma() {
    let mut h = harness_with(Settings {
        lang: Some(Lang::Ru),
        bind: "127.0.0.1:0".into(),
        timeout_secs: 2.0,
        ..Settings::default()
    });
    h.run_steps(2);
    let field = h.get_by_label("Тайм-аут");
    assert_eq!(field.value().as_deref(), Some("2,00"));
    // Typed as a Russian user would: a comma, not a dot.
    field.click();
    h.run_steps(2);
    h.get_by_label("Тайм-аут").type_text("0,5");
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert_eq!(h.state().settings.timeout_secs, 0.5);
    assert_eq!(h.get_by_label("Тайм-аут").value().as_deref(), Some("0,50"));
}

/// A peer that answers from a second socket: the client panel shows the
/// answer and says plainly where it came from (issue 11, item 3).
#[test]
fn an_answer_from_another_port_is_shown_with_a_note() {
    let rx = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let tx = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let (to, from) = (
        rx.local_addr().expect("addr"),
        tx.local_addr().expect("addr"),
    );
    let answerer = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        rx.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .expect("timeout");
        if let Ok((n, client)) = rx.recv_from(&mut buf) {
            let _ = tx.send_to(&buf[..n], client);
        }
    });
    let mut h = harness();
    set_text(&mut h, "Server address", &to.to_string());
    h.get_by_label("Send").click();
    wait_for(&mut h, "the response", |app| {
        matches!(app.client.outcome, Some(Outcome::Response { .. }))
    });
    let _ = answerer.join();
    h.get_by_label("Response from server: Hello, server");
    h.get_by_label(&format!(
        "The answer came from {from}, not from {to} where the request went"
    ));
}

#[test]
fn a_failed_start_cancels_the_send_that_waited_on_it() {
    let holder = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = holder.local_addr().expect("addr").port();
    let addr = format!("127.0.0.1:{port}");
    let start = StartOptions {
        bind: Some(addr.clone()),
        to: Some(addr.clone()),
        start_server: true,
        send: true,
        lang: Some(Lang::En),
        presentation: false,
        demo_step_by_step: false,
        view: None,
        protocol: None,
        run_script: None,
        script_args: None,
        open: None,
        save: None,
    };
    let mut h = Harness::builder()
        .with_size([1100.0, 700.0])
        .build_eframe(move |cc| {
            UdpLabApp::with_settings(
                &cc.egui_ctx,
                Settings {
                    timeout_secs: 1.0,
                    ..Settings::default()
                },
                start,
            )
        });
    wait_for(&mut h, "the bind error", |app| {
        matches!(app.server.status(), ServerStatus::Failed(_))
    });
    h.get_by_label(&format!("Port {port} is already in use"));
    h.get_by_label(
        "The server did not start, so the message waiting for it (--send) was not sent. Press Send when the server listens.",
    );
    // The port is free again and the user starts the server by hand.
    drop(holder);
    assert_eq!(start_server(&mut h), port);
    h.run_steps(5);
    std::thread::sleep(Duration::from_millis(200));
    h.run_steps(5);
    let app = h.state();
    assert!(!app.client.busy(), "a send fired after the manual start");
    assert!(app.client.history.is_empty());
    assert_eq!(app.server.total, 0);
}

/// eframe's storage, in memory.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }

    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }

    fn flush(&mut self) {}
}

/// A changed setting is written about a second later (eframe autosaves at
/// the app's `auto_save_interval`), not only on a clean close: a killed
/// window keeps the language picked just before.
#[test]
fn a_changed_setting_is_saved_within_a_second() {
    use eframe::App as _;
    let mut h = harness();
    h.run_steps(2);
    let mut storage = MemoryStorage::default();
    h.state_mut().save(&mut storage);
    assert!(!h.state().settings_unsaved());
    assert!(h.state().auto_save_interval() > Duration::from_secs(10));
    h.get_by_label("Русский").click();
    h.run_steps(2);
    assert!(h.state().settings_unsaved());
    assert_eq!(
        h.state().auto_save_interval(),
        crate::app::SETTINGS_SAVE_DELAY
    );
    h.state_mut().save(&mut storage);
    let saved: Settings = eframe::get_value(&storage, eframe::APP_KEY).expect("saved settings");
    assert_eq!(saved.lang, Some(Lang::Ru));
    assert!(!h.state().settings_unsaved());
    assert!(h.state().auto_save_interval() > Duration::from_secs(10));
}

/// Every action is a Command: a script drives the app without drawing a
/// frame (language, view, bind address, selection, theme).
#[test]
fn commands_drive_the_app_without_drawing() {
    let ctx = egui::Context::default();
    let mut app = UdpLabApp::with_settings(
        &ctx,
        Settings {
            lang: Some(Lang::En),
            bind: "127.0.0.1:4567".into(),
            ..Settings::default()
        },
        StartOptions::default(),
    );
    app.run(Command::SetLanguage(Lang::Ru));
    assert_eq!((app.lang, app.settings.lang), (Lang::Ru, Some(Lang::Ru)));
    app.run(Command::UseAsBind(std::net::IpAddr::from([0, 0, 0, 0])));
    assert_eq!(app.settings.bind, "0.0.0.0:4567");
    app.run(Command::ShowView(views::View::Diagram));
    assert_eq!(app.settings.view, views::View::Diagram);
    app.run(Command::OpenDatagram(7));
    assert_eq!(
        (app.selected_datagram, app.settings.view),
        (Some(7), views::View::Anatomy)
    );
    app.run(Command::SelectDatagram(None));
    assert_eq!(app.selected_datagram, None);
    app.run(Command::SetTheme(egui::ThemePreference::Dark));
    assert_eq!(app.settings.theme, egui::ThemePreference::Dark);
    // The demo without a server: its burst runs (and times out) on its own.
    app.settings.target = "127.0.0.1:9".into();
    app.run(Command::StartDemo);
    assert!(app.demo.is_some() && app.client.busy());
    assert_eq!(app.settings.network.loss_percent, 30.0);
    app.run(Command::CancelSend);
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.demo.is_some() {
        assert!(Instant::now() < deadline, "the demo did not end");
        if !app.drain_events(DRAIN_BUDGET) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    assert!(app.settings.network.is_off(), "the demo's loss is gone");
}
