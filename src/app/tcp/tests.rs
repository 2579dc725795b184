//! Issue 27 in the window: the panels with TCP chosen, the connection
//! list, the connection diagram and the stream anatomy — the real app
//! through its widgets, UDP Lab's own TCP server and client on loopback
//! (port 0), and refused connections on a port nobody listens on.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::app::i18n::{self, T};
use crate::app::tcp::ConnState;
use crate::app::test_util::{harness_with, set_text, wait_for};
use crate::app::{Command, Lang, ReplyKind, ServerStatus, Settings, UdpLabApp, View};
use crate::net::{NetError, Protocol};

fn settings() -> Settings {
    Settings {
        lang: Some(Lang::En),
        bind: "127.0.0.1:0".into(),
        timeout_secs: 0.5,
        ..Settings::default()
    }
}

/// Clicks TCP in both panels (the server's choice comes first).
fn choose_tcp(h: &mut Harness<'_, UdpLabApp>) {
    for i in 0..2 {
        let choices: Vec<_> = h.query_all_by_label("TCP").collect();
        assert_eq!(choices.len(), 2, "a UDP | TCP choice in each panel");
        choices[i].click();
        h.run_steps(2);
    }
    assert_eq!(h.state().settings.server_protocol, Protocol::Tcp);
    assert_eq!(h.state().settings.client_protocol, Protocol::Tcp);
}

fn start(h: &mut Harness<'_, UdpLabApp>) -> u16 {
    h.get_by_label("Start").click();
    wait_for(h, "the TCP server to listen", |app| {
        matches!(app.server.status(), ServerStatus::Listening(_))
    });
    match h.state().server.status() {
        ServerStatus::Listening(addr) => addr.port(),
        other => panic!("not listening: {other:?}"),
    }
}

fn send_and_wait(h: &mut Harness<'_, UdpLabApp>) {
    h.get_by_label("Send").click();
    wait_for(h, "the TCP exchange to end", |app| {
        !app.tcp.client.busy() && app.tcp.client.exchange.as_ref().is_some_and(|e| e.closed)
    });
}

#[test]
fn three_pieces_echoed_are_listed_drawn_and_explained() {
    let mut h = harness_with(Settings {
        reply: ReplyKind::Echo,
        tcp_pieces: 3,
        // Far apart: the server reads each piece alone and echoes it, and
        // the first two echoes wait in the client's buffer while it sends.
        tcp_piece_delay_ms: 150,
        ..settings()
    });
    choose_tcp(&mut h);
    // The simulator's note: it does not apply to TCP.
    h.state_mut().settings.network.loss_percent = 10.0;
    h.run_steps(2);
    assert!(
        h.query_all_by_label(T::TcpSimulatorNote.get(Lang::En))
            .count()
            >= 1
    );
    h.state_mut().settings.network = crate::net::Impairments::default();
    let port = start(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    send_and_wait(&mut h);
    wait_for(&mut h, "the server to close the connection", |app| {
        app.tcp.server.rows.back().map(|r| r.state) == Some(ConnState::Closed)
    });
    let (local, _) = h
        .state()
        .tcp
        .client
        .exchange
        .as_ref()
        .and_then(|e| e.connected)
        .expect("the client connected");
    let row = h.state().tcp.server.rows.back().cloned().expect("a row");
    assert_eq!(row.peer, local, "the connection list names the client");
    assert_eq!((row.read, row.sent), (13, 13), "echoed, byte for byte");
    h.get_by_label(&local.to_string());
    h.get_by_label("closed");
    // The whole message came back, however the reads cut it.
    h.get_by_label_contains("Response from server: Hello, server");

    h.state_mut().run(Command::ShowView(View::Diagram));
    h.run_steps(3);
    let drawn = h.state().views.diagram.tcp.clone();
    // The 3 pieces; the echoes are as many as the server's reads.
    let conn = h
        .state()
        .session
        .streams
        .list
        .back()
        .cloned()
        .expect("a connection");
    assert_eq!(conn.up.sends.len(), 3);
    assert_eq!(
        drawn.sends.len(),
        3 + conn.down.sends.len(),
        "every send is an arrow: {drawn:?}"
    );
    assert!(drawn.band.is_some(), "the handshake band");
    let painted = crate::app::test_util::painted_texts(&h);
    for text in [
        T::TcpHandshake.get(Lang::En),
        "recv → b'' (the peer closed)",
    ] {
        assert!(painted.iter().any(|p| p.text == text), "{text:?} is drawn");
    }
    // The client was still sending while the first echoes came: its first
    // recv returned at least two of the server's sends.
    assert!(
        drawn.brackets.iter().any(|&(_, spans)| spans >= 2),
        "a recv spanning several sends: {drawn:?}"
    );
    assert!(drawn.eofs >= 1, "the server's recv → b''");

    h.state_mut().run(Command::ShowView(View::Anatomy));
    h.run_steps(2);
    // The tab names what it shows now.
    h.get_by_label("Stream anatomy");
    h.get_by_label("server → client").click();
    h.run_steps(3);
    let stream = &h.state().views.stream;
    assert_eq!(stream.cells, 13);
    assert_eq!(stream.send_marks, 3);
    assert!(stream.recv_marks < 3, "{stream:?}");
    let sentence = stream.sentence.clone().expect("the sentence");
    assert!(
        sentence.starts_with("3 sends, ")
            && sentence.contains("TCP kept the bytes and lost the boundaries")
            && sentence.ends_with("UDP would have delivered 3 datagrams"),
        "{sentence}"
    );
    h.get_by_label(&sentence);
}

#[test]
fn one_send_read_in_pieces_by_a_small_buffer() {
    let mut h = harness_with(Settings {
        reply: ReplyKind::None,
        server_buffer: 4,
        tcp_shutdown: true,
        ..settings()
    });
    choose_tcp(&mut h);
    let port = start(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    send_and_wait(&mut h);
    wait_for(&mut h, "the server to read b''", |app| {
        app.tcp.server.rows.back().map(|r| r.read) == Some(13)
    });
    h.state_mut().run(Command::ShowView(View::Anatomy));
    h.run_steps(3);
    let stream = &h.state().views.stream;
    assert_eq!((stream.send_marks, stream.recv_marks), (1, 4), "{stream:?}");
    let sentence = "1 send, 4 recvs: TCP kept the bytes and lost the boundaries; \
                    UDP would have delivered 1 datagram";
    assert_eq!(stream.sentence.as_deref(), Some(sentence));
    h.get_by_label(sentence);
    h.state_mut().run(Command::ShowView(View::Diagram));
    h.run_steps(3);
    let drawn = &h.state().views.diagram.tcp;
    assert_eq!(drawn.sends.len(), 1);
    assert_eq!(
        drawn.brackets.iter().map(|b| b.1).collect::<Vec<_>>(),
        vec![1, 1, 1, 1],
        "four recvs, each part of the one send"
    );
}

#[test]
fn a_refused_connection_is_said_in_plain_words() {
    // A port nobody listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let mut h = harness_with(settings());
    choose_tcp(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    send_and_wait(&mut h);
    let error = h
        .state()
        .tcp
        .client
        .exchange
        .as_ref()
        .and_then(|e| e.error.clone());
    let Some(error @ NetError::Refused { .. }) = error else {
        panic!("not refused: {error:?}");
    };
    let text = i18n::net_error(Lang::En, &error);
    assert!(text.contains("RST"), "{text}");
    h.get_by_label(&text);
    // In Russian too.
    h.state_mut().run(Command::SetLanguage(Lang::Ru));
    h.run_steps(2);
    h.get_by_label(&i18n::net_error(Lang::Ru, &error));
}

/// The folded server panel's connection rows have their columns named
/// (client, state, bytes read, bytes sent) when there is a row for the
/// names; with one row only, the row says its numbers in one short text.
#[test]
fn the_folded_connection_rows_have_their_columns_named() {
    let mut h = harness_with(settings());
    choose_tcp(&mut h);
    let port = start(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    send_and_wait(&mut h);
    wait_for(&mut h, "the connection listed", |app| {
        !app.tcp.server.rows.is_empty()
    });
    // Fold the panels, as a short window does.
    h.state_mut().layout.unfolded = false;
    h.set_size(egui::vec2(1280.0, 780.0));
    h.run_steps(4);
    assert!(h.state().layout.folded, "a short window folds the panels");
    for key in [T::TcpColState, T::TcpColIn, T::TcpColOut] {
        h.get_by_label(key.get(Lang::En));
    }
    // "Client" names the column over the row's address (the client
    // panel's heading has the same word).
    let peer = h.state().tcp.server.rows[0].peer.to_string();
    let row = h.get_by_label(&peer).rect();
    let over_it = h
        .query_all_by_label(T::TcpColPeer.get(Lang::En))
        .map(|n| n.rect())
        .any(|r| (r.left() - row.left()).abs() < 2.0 && r.bottom() <= row.top() + 1.0);
    assert!(over_it, "the column's name over {peer} at {row:?}");
    h.get_by_label("Stop").click();
    h.run_steps(3);
}
