use std::net::UdpSocket;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::*;
use crate::app::test_util::{harness, start_server, wait_for};

/// What Undo must bring back: each row's source and bytes, and the counters.
type Snapshot = (Vec<(std::net::SocketAddr, Vec<u8>)>, u64, u64, u64);

fn snapshot(server: &ServerState) -> Snapshot {
    (
        server
            .rows
            .iter()
            .map(|r| (r.rx.from, r.rx.bytes.to_vec()))
            .collect(),
        server.total,
        server.rows_dropped,
        server.rate_limited,
    )
}

/// Real datagrams from a plain socket, then enough rows for the list to
/// drop its oldest (so the dropped-counter is part of what comes back).
fn fill_the_list(h: &mut Harness<'static, UdpLabApp>) {
    let port = start_server(h);
    let peer = UdpSocket::bind("127.0.0.1:0").expect("bind");
    for i in 0..5 {
        peer.send_to(format!("datagram {i}").as_bytes(), ("127.0.0.1", port))
            .expect("send on loopback");
    }
    wait_for(h, "the datagrams", |app| app.server.total == 5);
    let server = &mut h.state_mut().server;
    let real = server.rows[0].clone();
    for _ in 0..MAX_INCOMING_ROWS {
        server.push_row(real.clone());
    }
    h.run_steps(2);
    assert_eq!(h.state().server.rows_dropped, 5);
}

fn clear(h: &mut Harness<'static, UdpLabApp>) {
    h.get_by_label("Clear").click();
    // The notice's first frame only measures it.
    h.run_steps(3);
    assert!(h.state().server.rows.is_empty());
    assert_eq!(h.state().server.total, 0);
    h.get_by_label(&format!(
        "The incoming list was cleared ({MAX_INCOMING_ROWS} rows)."
    ));
}

/// Issue 23: Clear can be taken back, with the button or Ctrl+Z.
#[test]
fn undo_after_clear_brings_the_rows_and_their_counters_back() {
    let mut h = harness();
    fill_the_list(&mut h);
    let before = snapshot(&h.state().server);
    clear(&mut h);
    h.get_by_label("Undo").click();
    h.run_steps(2);
    assert_eq!(snapshot(&h.state().server), before);
    assert!(h.query_by_label("Undo").is_none(), "the offer is gone");

    // Ctrl+Z does the same.
    clear(&mut h);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(snapshot(&h.state().server), before);
    assert!(h.query_by_label("Undo").is_none());
}

#[test]
fn the_undo_offer_ends_after_its_time() {
    let mut h = harness();
    fill_the_list(&mut h);
    clear(&mut h);
    // As if the period had passed (no waiting in a test).
    let past = Instant::now().checked_sub(UNDO_PERIOD);
    if let (Some(cleared), Some(past)) = (&mut h.state_mut().server.cleared, past) {
        cleared.since = past;
    }
    h.run_steps(2);
    assert!(h.query_by_label("Undo").is_none(), "the offer is gone");
    assert!(h.state().server.cleared.is_none(), "the rows are let go");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert!(h.state().server.rows.is_empty(), "nothing comes back");
}

#[test]
fn undo_puts_the_cleared_rows_before_those_that_came_since() {
    let mut server = ServerState::default();
    let row = |text: &str| IncomingRow {
        rx: crate::net::Received {
            from: "127.0.0.1:5000".parse().expect("literal"),
            bytes: std::sync::Arc::from(text.as_bytes()),
            len: text.len(),
            truncated: false,
            buffer: 1024,
            at: std::time::SystemTime::now(),
        },
        reply: crate::net::Reply::RateLimited,
    };
    server.push_row(row("old"));
    let now = Instant::now();
    server.clear_incoming(now);
    server.push_row(row("new"));
    assert!(server.undo_clear(now));
    let texts: Vec<_> = server.rows.iter().map(|r| r.rx.bytes.to_vec()).collect();
    assert_eq!(texts, [b"old".to_vec(), b"new".to_vec()]);
    assert_eq!((server.total, server.rate_limited), (2, 2));
    assert!(!server.undo_clear(now), "once");
}
