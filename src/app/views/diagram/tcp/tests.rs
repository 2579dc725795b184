use super::*;
use crate::app::views::connection::{Cut, Direction};
use std::time::Duration;

fn at(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(ms)
}

/// The server's send is stamped when its call returned, after the
/// client's recv had already returned its bytes (two threads, two
/// clocks reads): the recv is still drawn after the send, and b''
/// after the FIN it reports.
#[test]
fn a_recv_stamped_before_its_send_is_drawn_after_it() {
    let conn = Connection {
        id: 1,
        client: None,
        server: None,
        connected: Some(at(1)),
        accepted: Some(at(1)),
        up: Direction::default(),
        down: Direction {
            sends: vec![Cut {
                offset: 0,
                len: 533,
                at: at(10),
            }],
            recvs: vec![Cut {
                offset: 0,
                len: 533,
                at: at(9),
            }],
            eof: Some(at(11)),
            fin: Some((at(12), crate::app::views::connection::Fin::Shutdown)),
            ..Direction::default()
        },
    };
    let order: Vec<Row> = rows(&conn).into_iter().map(|(_, r)| r).collect();
    let pos = |row: Row| order.iter().position(|r| *r == row).expect("drawn");
    assert!(pos(Row::Send { up: false, i: 0 }) < pos(Row::Recv { up: false, i: 0 }));
    let fin = order
        .iter()
        .position(|r| matches!(r, Row::Fin { up: false, .. }))
        .expect("the FIN");
    assert!(fin < pos(Row::Eof { up: false }), "{order:?}");
}

/// An echo: the client's send stamped after the server's recv of it,
/// the server's answer stamped between the two. The server's own calls
/// keep their order (recv, then the answer's send) while the recv still
/// comes after the send that fed it.
#[test]
fn each_side_keeps_its_own_order_around_a_late_stamp() {
    let cut = |len, ms| Cut {
        offset: 0,
        len,
        at: at(ms),
    };
    let conn = Connection {
        id: 1,
        client: None,
        server: None,
        connected: Some(at(1)),
        accepted: Some(at(1)),
        up: Direction {
            sends: vec![cut(13, 20)],
            recvs: vec![cut(13, 18)],
            ..Direction::default()
        },
        down: Direction {
            sends: vec![cut(13, 19)],
            recvs: vec![cut(13, 21)],
            ..Direction::default()
        },
    };
    let order: Vec<Row> = rows(&conn).into_iter().map(|(_, r)| r).collect();
    assert_eq!(
        &order[2..],
        [
            Row::Send { up: true, i: 0 },
            Row::Recv { up: true, i: 0 },
            Row::Send { up: false, i: 0 },
            Row::Recv { up: false, i: 0 },
        ],
        "{order:?}"
    );
}
