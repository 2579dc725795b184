use super::*;
use crate::net::{ClientEvent, Received, ServerEvent};

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("literal")
}

#[test]
fn a_receive_reported_before_its_send_joins_the_same_record() {
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
    let t1 = t0 + Duration::from_millis(1);
    let bytes: Arc<[u8]> = Arc::from(&b"Hello, server"[..]);
    let mut session = Session::default();
    session.record(&NetEvent::Server(ServerEvent {
        server: 1,
        at: t0,
        kind: ServerEventKind::Listening {
            addr: addr("127.0.0.1:12345"),
        },
    }));
    // The server reports the arrival first...
    session.record(&NetEvent::Server(ServerEvent {
        server: 1,
        at: t1,
        kind: ServerEventKind::Datagram {
            rx: Received {
                from: addr("127.0.0.1:40000"),
                bytes: bytes.clone(),
                len: 13,
                truncated: false,
                buffer: 1024,
                at: t1,
            },
            reply: Reply::NotSent,
        },
    }));
    // ...then the client reports the send, stamped before the arrival.
    session.record(&NetEvent::Client(ClientEvent {
        op: 7,
        at: t0,
        kind: ClientEventKind::Sent {
            seq: 0,
            to: addr("127.0.0.1:12345"),
            local: addr("0.0.0.0:40000"),
            bytes,
            sim: SimFate::default(),
        },
    }));
    assert_eq!(session.datagrams.len(), 1);
    let d = &session.datagrams[0];
    assert_eq!((d.sent_at, d.received_at), (Some(t0), Some(t1)));
    assert_eq!(d.client, Some((7, 0)));
    assert_eq!(d.from, addr("127.0.0.1:40000"));
    // The trace is in time order: the send comes before the receive.
    let calls: Vec<&Call> = session.trace.iter().map(|r| &r.call).collect();
    assert!(matches!(calls[1], Call::SendTo { .. }), "{calls:?}");
    assert!(matches!(calls[2], Call::RecvFrom { .. }), "{calls:?}");
}
