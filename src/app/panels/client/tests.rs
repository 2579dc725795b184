//! Issue 15 in the window: the Broadcast switch and its rows, Find servers,
//! the bind address's drop-down, the encodings and the incoming filter —
//! the real app through its widgets, real sockets on loopback, port 0.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::app::test_util::{harness_with, set_text, wait_for};
use crate::app::{Lang, ServerStatus, Settings, UdpLabApp};
use crate::lab::session::Call;
use crate::lab::text::Encoding;

fn settings() -> Settings {
    Settings {
        lang: Some(Lang::En),
        // All interfaces: a socket bound to 127.0.0.1 hears no broadcast.
        bind: "0.0.0.0:0".into(),
        timeout_secs: 0.5,
        ..Settings::default()
    }
}

/// Clicks Start and waits for the port.
fn start(h: &mut Harness<'_, UdpLabApp>) -> u16 {
    h.get_by_label("Start").click();
    wait_for(h, "the server to listen", |app| {
        matches!(app.server.status(), ServerStatus::Listening(_))
    });
    match h.state().server.status() {
        ServerStatus::Listening(addr) => addr.port(),
        other => panic!("not listening: {other:?}"),
    }
}

fn send_and_wait(h: &mut Harness<'_, UdpLabApp>) {
    h.get_by_label("Send").click();
    wait_for(h, "the Send to end", |app| {
        !app.client.busy() && app.client.outcome.is_some()
    });
}

#[test]
fn broadcast_lists_each_responder_and_traces_so_broadcast() {
    let mut h = harness_with(settings());
    let port = start(&mut h);
    set_text(&mut h, "Server address", &format!("127.255.255.255:{port}"));
    // Off: the OS refuses, and the window says what to do.
    send_and_wait(&mut h);
    h.get_by_label(
        "127.255.255.255 is a broadcast address: turn Broadcast on (SO_BROADCAST; \
         --broadcast on the command line) to send to it",
    );
    h.get_by_label("Broadcast").click();
    h.run_steps(2);
    assert!(h.state().settings.broadcast);
    send_and_wait(&mut h);
    h.get_by_label("Servers that answered: 1");
    h.get_by_label_contains(&format!("127.0.0.1:{port}  "));
    let app = h.state();
    assert_eq!(app.client.responders.len(), 1);
    assert!(
        app.session.trace.iter().any(|row| row.call
            == Call::SetSockOpt {
                level: "SOL_SOCKET",
                name: "SO_BROADCAST",
                value: "1".into()
            }),
        "no setsockopt(SO_BROADCAST) in the trace"
    );
}

#[test]
fn find_servers_lists_the_server_and_uses_it_as_target() {
    let mut h = harness_with(settings());
    let port = start(&mut h);
    // Loopback only: the real interfaces' networks are not the test's.
    h.state_mut().client.find_targets = Some(vec![std::net::SocketAddr::from((
        [127, 255, 255, 255],
        port,
    ))]);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Find servers").click();
    wait_for(&mut h, "the search to end", |app| {
        !app.client.finding && app.client.found.is_some()
    });
    h.get_by_label(&format!("Servers that answered on port {port}: 1"));
    h.get_by_label_contains(&format!("127.0.0.1:{port}  "));
    set_text(&mut h, "Server address", "127.0.0.1:1");
    h.get_by_label("Use as target").click();
    h.run_steps(2);
    assert_eq!(h.state().settings.target, format!("127.0.0.1:{port}"));
}

#[test]
fn the_bind_drop_down_offers_this_computers_addresses() {
    let mut h = harness_with(Settings {
        bind: "127.0.0.1:4242".into(),
        ..settings()
    });
    h.get_by_label("▾").click();
    h.run_steps(2);
    h.get_by_label("0.0.0.0  (all IPv4 interfaces)").click();
    h.run_steps(2);
    assert_eq!(h.state().settings.bind, "0.0.0.0:4242");
    // Opening it asked for this computer's addresses; they come in the list.
    wait_for(&mut h, "the address list", |app| {
        app.tools.this_computer.addresses.is_some()
    });
    h.get_by_label("▾").click();
    h.run_steps(2);
    h.get_by_label("127.0.0.1  (loopback, this computer only)")
        .click();
    h.run_steps(2);
    assert_eq!(h.state().settings.bind, "127.0.0.1:4242");
}

#[test]
fn cp1251_reads_right_where_it_is_chosen_and_as_bytes_where_it_is_not() {
    let mut h = harness_with(Settings {
        client_encoding: Encoding::Cp1251,
        server_encoding: Encoding::Cp1251,
        message: "Привет".into(),
        reply_text: "Здравствуй".into(),
        bind: "127.0.0.1:0".into(),
        ..settings()
    });
    let port = start(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    send_and_wait(&mut h);
    h.get_by_label("Response from server: Здравствуй");
    h.get_by_label("Привет");
    // The server back at UTF-8: the same bytes show escaped, no mojibake.
    h.state_mut().settings.server_encoding = Encoding::Utf8;
    h.run_steps(2);
    h.get_by_label("\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}   [cf f0 e8 e2 e5 f2]");
    // What CP1251 cannot hold is refused before sending.
    set_text(&mut h, "Message", "✓");
    h.get_by_label("Send").click();
    h.run_steps(2);
    h.get_by_label("\"✓\" cannot be written in CP1251: choose UTF-8 or remove it");
}

#[test]
fn the_incoming_filter_keeps_matching_rows() {
    let mut h = harness_with(Settings {
        bind: "127.0.0.1:0".into(),
        ..settings()
    });
    let port = start(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    for message in ["apple", "banana"] {
        set_text(&mut h, "Message", message);
        send_and_wait(&mut h);
    }
    wait_for(&mut h, "both rows", |app| app.server.rows.len() == 2);
    h.get_by_label("Filter").click();
    h.run_steps(2);
    set_text(&mut h, "Source or text contains", "BAN");
    h.get_by_label("1 of 2 shown");
    h.get_by_label("banana");
    assert!(h.query_by_label("apple").is_none());
}

#[test]
fn a_loopback_server_asked_for_by_a_lan_address_is_explained() {
    // One of this computer's own addresses: a datagram to it never leaves
    // the computer (the kernel delivers it over loopback).
    let Some(own) = crate::net::local_addresses()
        .unwrap_or_default()
        .into_iter()
        .map(|a| a.ip)
        .find(|ip| ip.is_ipv4() && !ip.is_loopback())
    else {
        eprintln!("skipped: this computer has no IPv4 address but loopback");
        return;
    };
    let mut h = harness_with(Settings {
        bind: "127.0.0.1:0".into(),
        ..settings()
    });
    let port = start(&mut h);
    set_text(&mut h, "Server address", &format!("{own}:{port}"));
    send_and_wait(&mut h);
    if cfg!(target_os = "linux") {
        h.get_by_label(&format!(
            "Nothing is listening at {own}:{port} (ICMP port unreachable)"
        ));
        h.get_by_label(&format!(
            "Only this computer can reach the server in this window: it is bound to \
             127.0.0.1:{port}. Bind it to 0.0.0.0 (or this computer's LAN address) for other \
             computers."
        ));
    }
}

#[test]
fn the_server_joins_a_group_and_leaves_it_on_stop() {
    // On loopback's interface: the membership never leaves this computer.
    let mut h = harness_with(Settings {
        join_group: "239.255.0.1".into(),
        join_interface: "127.0.0.1".into(),
        ..settings()
    });
    start(&mut h);
    let call = |name: &'static str| Call::SetSockOpt {
        level: "IPPROTO_IP",
        name,
        value: "{239.255.0.1, 127.0.0.1}".into(),
    };
    wait_for(&mut h, "the join in the trace", |app| {
        app.session
            .trace
            .iter()
            .any(|r| r.call == call("IP_ADD_MEMBERSHIP"))
    });
    h.get_by_label("Stop").click();
    wait_for(&mut h, "the server to stop", |app| {
        app.server.status() == ServerStatus::Stopped
    });
    assert!(
        h.state()
            .session
            .trace
            .iter()
            .any(|r| r.call == call("IP_DROP_MEMBERSHIP"))
    );
}

#[test]
fn a_group_the_server_cannot_hear_is_refused_in_plain_words() {
    let mut h = harness_with(Settings {
        join_group: "239.255.0.1".into(),
        bind: "127.0.0.1:0".into(),
        ..settings()
    });
    h.get_by_label("Start").click();
    h.run_steps(2);
    h.get_by_label(
        "A server bound to 127.0.0.1 does not hear the group 239.255.0.1: bind it to 0.0.0.0",
    );
    assert!(h.state().server.handle.is_none());
    h.state_mut().settings.join_group = "10.0.0.1".into();
    h.get_by_label("Start").click();
    h.run_steps(2);
    h.get_by_label(
        "10.0.0.1 is not a multicast group (IPv4 224.0.0.0 to 239.255.255.255, IPv6 ff00::/8); \
         try 239.1.2.3",
    );
}
