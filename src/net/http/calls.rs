//! The web server's socket calls as issue 27's TCP events: `socket`,
//! `setsockopt(SO_REUSEADDR)`, `bind`, `listen` here, and the reporter the
//! connections use for `accept`, `recv`, `sendall`, `shutdown`, `close`.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::AtomicU64;
use std::time::SystemTime;

use crate::net::tcp::{TcpEvent, TcpEventKind, TcpSide};
use crate::net::{EventSink, Family, NetError, NetEvent};

/// `listen`'s queue: what std's own `TcpListener::bind` asks for.
const BACKLOG: u32 = 128;

/// The first web server's id in [`TcpSide::Server`], apart from the TCP
/// server's (which count from 1): both may run in one session.
pub const FIRST_WEB_SERVER: u64 = 1 << 32;

/// The web servers' ids, counted from [`FIRST_WEB_SERVER`].
pub static NEXT_WEB_SERVER: AtomicU64 = AtomicU64::new(FIRST_WEB_SERVER);

/// Reports one socket call as a TCP event of this server.
#[derive(Clone)]
pub struct Calls {
    pub id: u64,
    pub sink: Option<EventSink<NetEvent>>,
}

impl Calls {
    pub fn report(&self, conn: u64, kind: TcpEventKind) {
        let Some(sink) = &self.sink else {
            return;
        };
        let always = kind.is_lifecycle(conn);
        let event = NetEvent::Tcp(TcpEvent {
            at: SystemTime::now(),
            side: TcpSide::Server(self.id),
            conn,
            kind,
        });
        if always {
            sink.send_always(event);
        } else {
            sink.send(event);
        }
    }

    pub fn on(&self) -> bool {
        self.sink.is_some()
    }
}

/// socket, SO_REUSEADDR (as std's own bind does on Unix), bind, listen:
/// each reported.
pub fn listen(bind: SocketAddr, calls: &Calls) -> Result<(TcpListener, SocketAddr), NetError> {
    let family = Family::of(&bind);
    calls.report(0, TcpEventKind::Socket { family });
    let domain = socket2::Domain::for_address(bind);
    let failed = |call: &'static str, e: &io::Error| {
        let error = crate::net::tcp::tcp_error(call, bind, e);
        calls.report(
            0,
            TcpEventKind::Failed {
                error: error.clone(),
            },
        );
        error
    };
    let socket = socket2::Socket::new(domain, socket2::Type::STREAM, None)
        .map_err(|e| failed("socket", &e))?;
    if cfg!(unix) {
        socket
            .set_reuse_address(true)
            .map_err(|e| failed("setsockopt", &e))?;
        calls.report(0, TcpEventKind::ReuseAddr);
    }
    if let Err(e) = socket.bind(&bind.into()) {
        let error = crate::net::tcp::tcp_bind_error(bind, &e, cfg!(unix));
        calls.report(
            0,
            TcpEventKind::BindFailed {
                error: error.clone(),
            },
        );
        return Err(error);
    }
    let addr = socket
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .unwrap_or(bind);
    calls.report(0, TcpEventKind::Bound { addr });
    socket
        .listen(BACKLOG as i32)
        .map_err(|e| failed("listen", &e))?;
    calls.report(0, TcpEventKind::Listening { backlog: BACKLOG });
    Ok((socket.into(), addr))
}
