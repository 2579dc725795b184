//! The stream model by itself: offsets, joins, bounds.

use std::time::{Duration, SystemTime};

use super::*;

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

fn t(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(ms)
}

const CLIENT: EndKey = EndKey::Client { op: 1 };
const SERVER: EndKey = EndKey::Server { server: 1, conn: 1 };

/// A connection seen from both ends: client 127.0.0.1:50000 → server :12345.
fn pair() -> Streams {
    let mut s = Streams::default();
    let a = s.opened(CLIENT, true, addr(50000), addr(12345), t(0));
    let b = s.opened(SERVER, false, addr(12345), addr(50000), t(1));
    assert_eq!(a, b, "the two ends join");
    s
}

#[test]
fn one_send_read_in_two_recvs_and_two_sends_in_one() {
    let mut s = pair();
    s.sent(CLIENT, b"Hello, server", 13, t(2), 1);
    s.read(SERVER, b"Hello", 5, t(3), 2);
    s.read(SERVER, b", server", 8, t(4), 3);
    s.sent(SERVER, b"Hello, ", 7, t(5), 4);
    s.sent(SERVER, b"client", 6, t(6), 5);
    let link = s.read(CLIENT, b"Hello, client", 13, t(7), 6);
    assert_eq!(
        link,
        Some(StreamLink {
            conn: 1,
            way: Way::Down,
            offset: 0,
            len: 13
        })
    );
    let c = &s.list[0];
    let send = c.up.sends[0];
    assert_eq!(c.up.recvs_of(&send).count(), 2, "split");
    let recv = c.down.recvs[0];
    assert_eq!(c.down.sends_of(&recv).count(), 2, "joined");
    assert_eq!(c.up.slice(5, 8), b", server");
    assert_eq!(c.down.bytes, b"Hello, client");
    assert_eq!(c.state(), ConnState::Open);
}

#[test]
fn close_ends_the_stream_and_b_empty_is_recorded() {
    let mut s = pair();
    s.sent(CLIENT, b"x", 1, t(2), 1);
    s.closed(CLIENT, false, t(3));
    assert_eq!(s.list[0].state(), ConnState::HalfClosed);
    s.read(SERVER, b"x", 1, t(4), 2);
    s.read(SERVER, b"", 0, t(5), 3);
    let up = &s.list[0].up;
    assert_eq!(up.ended_at, Some(t(3)));
    assert_eq!(up.eof_read, Some((t(5), 3)));
    s.closed(SERVER, false, t(6));
    assert_eq!(s.list[0].state(), ConnState::Closed);
    assert_eq!(s.list[0].closed_at(), Some(t(6)));
}

#[test]
fn a_preview_shorter_than_the_send_keeps_what_is_known() {
    let mut s = pair();
    // A script's send of 100 bytes, its preview the first 10.
    s.sent(CLIENT, b"0123456789", 100, t(2), 1);
    s.sent(CLIENT, b"abc", 3, t(3), 2);
    let up = &s.list[0].up;
    assert_eq!(up.bytes, b"0123456789");
    assert_eq!(up.not_kept, 93);
    assert_eq!(up.sent, 103);
    assert_eq!(up.sends[1].offset, 100);
}

#[test]
fn bytes_and_boundaries_are_bounded_and_counted() {
    let mut s = pair();
    let big = vec![b'a'; MAX_STREAM_BYTES + 10];
    s.sent(CLIENT, &big, big.len() as u64, t(2), 1);
    for i in 0..(MAX_BOUNDARIES as u64 + 5) {
        s.sent(CLIENT, b"b", 1, t(3), i + 2);
    }
    let up = &s.list[0].up;
    assert_eq!(up.bytes.len(), MAX_STREAM_BYTES);
    assert_eq!(up.not_kept, 10 + MAX_BOUNDARIES as u64 + 5);
    assert_eq!(up.sends.len(), MAX_BOUNDARIES);
    assert_eq!(up.sends_dropped, 6);
}

#[test]
fn connections_are_bounded_oldest_closed_first() {
    let mut s = Streams::default();
    for i in 0..MAX_CONNECTIONS as u64 + 3 {
        let end = EndKey::Client { op: i };
        s.opened(end, true, addr(1000 + i as u16), addr(12345), t(i));
        // Every other one stays open.
        if i % 2 == 0 {
            s.closed(end, false, t(i));
        }
    }
    assert_eq!(s.list.len(), MAX_CONNECTIONS);
    assert_eq!(s.dropped, 3);
    // The first three closed ones (ops 0, 2, 4) went; op 1 (open) stayed.
    assert!(s.of_end(EndKey::Client { op: 1 }).is_some());
    assert!(s.of_end(EndKey::Client { op: 4 }).is_none());
}

#[test]
fn a_new_connection_on_a_reused_port_is_not_joined_to_an_old_one() {
    let mut s = pair();
    s.closed(CLIENT, false, t(2));
    s.closed(SERVER, false, t(2));
    let later = EndKey::Client { op: 2 };
    let id = s.opened(later, true, addr(50000), addr(12345), t(10));
    assert_ne!(id, 1);
    let server2 = EndKey::Server { server: 1, conn: 2 };
    assert_eq!(
        s.opened(server2, false, addr(12345), addr(50000), t(11)),
        id
    );
}
