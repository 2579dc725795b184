//! The TCP calls in the session, fed by UDP Lab's real TCP workers on
//! loopback (port 0) and by a plain std peer.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use super::*;
use crate::lab::stream::{ConnState, Way};
use crate::net::{
    EventQueue, NetEvent, ReplyMode, TcpClientRequest, TcpServerConfig, event_channel, parse_addr,
    spawn_tcp_client, spawn_tcp_server,
};

fn channel() -> (crate::net::EventSink<NetEvent>, EventQueue<NetEvent>) {
    event_channel(100_000, std::sync::Arc::new(|| {}))
}

/// Records events until the session shows `done` (or 20 s pass: then the
/// test fails on what it checks, with what was recorded).
fn record_until(
    session: &mut Session,
    queue: &EventQueue<NetEvent>,
    done: impl Fn(&Session) -> bool,
) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !done(session) && std::time::Instant::now() < deadline {
        if let Some(ev) = queue.recv_timeout(Duration::from_millis(200)) {
            session.record(&ev);
        }
    }
}

/// UDP Lab's client closed its socket.
fn client_closed(s: &Session) -> bool {
    s.trace
        .iter()
        .any(|r| r.side == Side::Client && matches!(r.call, Call::Tcp(TcpCall::Close { .. })))
}

/// Every connection is closed at both ends UDP Lab sees.
fn all_closed(s: &Session) -> bool {
    !s.streams.list.is_empty()
        && s.streams
            .list
            .iter()
            .all(|c| c.state() == ConnState::Closed)
}

/// Three pieces 20 ms apart to a server that sleeps 300 ms before its
/// recv: one recv returns all three sends' bytes.
#[test]
fn three_sends_read_by_one_recv_are_recorded_so() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let peer = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        std::thread::sleep(Duration::from_millis(300));
        let mut buf = [0u8; 1024];
        let n = conn.read(&mut buf).expect("recv");
        conn.write_all(b"Hello, client").expect("send");
        drop(conn);
        n
    });
    let (sink, queue) = channel();
    let target = parse_addr(&addr.to_string(), true).expect("addr");
    let mut req = TcpClientRequest::new(7, target, std::sync::Arc::from(&b"Hello, server"[..]));
    req.pieces = 3;
    req.piece_delay = Duration::from_millis(20);
    let client = spawn_tcp_client(req, sink).expect("spawn");
    let mut session = Session::default();
    record_until(&mut session, &queue, client_closed);
    client.join();
    assert_eq!(
        peer.join().expect("peer"),
        13,
        "the peer's one recv got all 13 bytes"
    );

    let c = session.streams.list.back().expect("a connection");
    assert_eq!(c.server, addr);
    assert_eq!(c.up.sends.len(), 3, "{:?}", c.up.sends);
    assert_eq!(c.up.bytes, b"Hello, server");
    assert_eq!(c.down.bytes, b"Hello, client");
    assert_eq!(c.down.recvs.len(), 2, "the answer, then b''");
    assert_eq!(c.down.recvs[1].len, 0);
    assert!(c.down.eof_read.is_some());
    assert_eq!(c.state(), ConnState::Closed);
    let calls: Vec<String> = session
        .trace
        .iter()
        .map(|r| {
            crate::lab::i18n::tcp_call_text(
                crate::lab::i18n::Lang::En,
                match &r.call {
                    Call::Tcp(c) => c,
                    other => panic!("not TCP: {other:?}"),
                },
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            "socket(AF_INET, SOCK_STREAM)".to_owned(),
            format!("connect({addr}) → 0"),
            "sendall(4 bytes) → 4 bytes".to_owned(),
            "sendall(4 bytes) → 4 bytes".to_owned(),
            "sendall(5 bytes) → 5 bytes".to_owned(),
            "recv(1024) → 13 bytes".to_owned(),
            "recv(1024) → b'' (the peer closed)".to_owned(),
            "close() → 0".to_owned(),
        ]
    );
    let steps: Vec<Option<u8>> = session.trace.iter().map(|r| r.lab_step()).collect();
    assert_eq!(
        steps,
        [
            Some(5),
            Some(6),
            Some(7),
            Some(7),
            Some(7),
            Some(8),
            Some(8),
            Some(10)
        ]
    );
    let recv = session
        .trace
        .iter()
        .find(|r| matches!(r.call, Call::Tcp(TcpCall::Recv { .. })))
        .expect("recv row");
    assert_eq!(
        recv.stream.map(|l| (l.way, l.offset, l.len)),
        Some((Way::Down, 0, 13))
    );
}

/// UDP Lab's own server and client: both ends of one connection join,
/// the client's three sends and the server's recvs cover the same bytes.
#[test]
fn both_ends_of_udp_labs_own_connection_join() {
    let (sink, queue) = channel();
    let mut config = TcpServerConfig::new(parse_addr("127.0.0.1:0", false).expect("addr"));
    config.settings.reply = ReplyMode::Echo;
    let server = spawn_tcp_server(config, sink.clone()).expect("spawn");
    let mut session = Session::default();
    record_until(&mut session, &queue, |s| {
        s.trace
            .iter()
            .any(|r| matches!(r.call, Call::Tcp(TcpCall::Listen { .. })))
    });
    let bound = session
        .trace
        .iter()
        .find_map(|r| match r.call {
            Call::Tcp(TcpCall::Bind { addr }) => Some(addr),
            _ => None,
        })
        .expect("bound");
    let mut req = TcpClientRequest::new(
        9,
        parse_addr(&bound.to_string(), true).expect("addr"),
        std::sync::Arc::from(&b"abcdef"[..]),
    );
    req.pieces = 2;
    req.shutdown_write = true;
    let client = spawn_tcp_client(req, sink).expect("spawn");
    record_until(&mut session, &queue, client_closed);
    client.join();
    record_until(&mut session, &queue, all_closed);
    server.join();
    assert_eq!(session.streams.list.len(), 1, "one connection, both ends");
    let c = &session.streams.list[0];
    assert!(c.client_end.is_some() && c.server_end.is_some());
    assert_eq!(c.up.bytes, b"abcdef");
    assert_eq!(c.up.sent, 6);
    assert_eq!(c.up.read, 6);
    assert_eq!(c.up.sends.len(), 2);
    assert_eq!(c.down.bytes, b"abcdef", "echoed");
    assert_eq!(c.state(), ConnState::Closed);
    let server_steps: Vec<Option<u8>> = session
        .trace
        .iter()
        .filter(|r| r.side == Side::Server)
        .map(|r| r.lab_step())
        .collect();
    assert_eq!(server_steps.first(), Some(&Some(4)));
    assert!(server_steps.contains(&Some(8)) && server_steps.contains(&Some(13)));
}

/// A saved session keeps the event stream (issue 26): TCP events come
/// back equal from JSON, bytes and errors included.
#[test]
fn tcp_events_round_trip_through_json() {
    let addr: std::net::SocketAddr = "127.0.0.1:12345".parse().expect("literal");
    let events = [
        TcpEventKind::Sent {
            bytes: std::sync::Arc::from("Привет".as_bytes()),
            asked: 12,
            sent: 12,
            all: true,
        },
        TcpEventKind::Received {
            buffer: 1024,
            bytes: std::sync::Arc::from(&b""[..]),
        },
        TcpEventKind::ConnectFailed {
            to: addr,
            error: NetError::Refused { addr },
        },
        TcpEventKind::BindFailed {
            error: NetError::TimeWait { addr, reuse: true },
        },
    ];
    for kind in events {
        let ev = NetEvent::Tcp(crate::net::TcpEvent {
            at: SystemTime::UNIX_EPOCH + Duration::from_millis(1500),
            side: crate::net::TcpSide::Client(3),
            conn: 1,
            kind,
        });
        let json = serde_json::to_string(&ev).expect("to json");
        let back: NetEvent = serde_json::from_str(&json).expect("from json");
        assert_eq!(format!("{back:?}"), format!("{ev:?}"), "{json}");
    }
}
