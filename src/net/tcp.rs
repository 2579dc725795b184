//! TCP beside UDP (issue 27): a server that listens and accepts, a client
//! that connects and sends its message in pieces, both on `std::thread`
//! workers reporting every socket call as a [`TcpEvent`] over the same
//! bounded channel as UDP's. A stream keeps bytes, not messages: the events
//! say what each `send` and `recv` moved, and the lab's session draws the
//! boundaries (src/lab/stream.rs).

mod client;
pub mod echo_load;
mod server;
mod wait;

pub use client::{TcpClientHandle, TcpClientRequest, spawn_tcp_client};
pub use server::{
    MAX_OPEN_CONNECTIONS, TcpServerConfig, TcpServerHandle, TcpServerSettings, spawn_tcp_server,
};

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::{Family, NetError};

/// Which transport a panel, a program or a command uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Protocol {
    #[default]
    Udp,
    Tcp,
    /// Issue 28: HTTP on a TCP connection (the web server and the GET).
    Http,
}

impl Protocol {
    /// The choices the panels offer.
    pub const ALL: [Protocol; 3] = [Protocol::Udp, Protocol::Tcp, Protocol::Http];

    pub fn name(self) -> &'static str {
        match self {
            Protocol::Udp => "UDP",
            Protocol::Tcp => "TCP",
            Protocol::Http => "HTTP",
        }
    }

    /// Runs on a TCP connection (the views draw connections and streams).
    pub fn is_stream(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Http)
    }

    /// The choice after this one (a single button cycles through them).
    pub fn next(self) -> Protocol {
        let at = Self::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Self::ALL[(at + 1) % Self::ALL.len()]
    }
}

/// Who reports: a start of UDP Lab's TCP server (its id) or a TCP client
/// operation (the op the caller chose).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TcpSide {
    Server(u64),
    Client(u64),
}

/// One socket call of a TCP worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TcpEvent {
    pub at: SystemTime,
    pub side: TcpSide,
    /// The socket: 0 is the server's listening socket; 1, 2, … the
    /// connections it accepted, in order. A client has one, numbered 1.
    pub conn: u64,
    pub kind: TcpEventKind,
}

/// `shutdown(how)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Shut {
    /// SHUT_RD
    Read,
    /// SHUT_WR: "I have nothing more to send" (a FIN goes out; the peer's
    /// `recv` returns b'' once it has read everything before it).
    Write,
    /// SHUT_RDWR
    Both,
}

impl Shut {
    pub fn c_name(self) -> &'static str {
        match self {
            Shut::Read => "SHUT_RD",
            Shut::Write => "SHUT_WR",
            Shut::Both => "SHUT_RDWR",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TcpEventKind {
    /// `socket(family, SOCK_STREAM)`.
    Socket { family: Family },
    /// `setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)` before bind (asked for).
    ReuseAddr,
    /// `bind` succeeded at `addr` (the real port).
    Bound { addr: SocketAddr },
    /// `bind` failed; the worker has ended.
    BindFailed { error: NetError },
    /// `listen(backlog)`: the kernel now completes handshakes for us.
    Listening { backlog: u32 },
    /// `accept()` returned connection `conn` (this event's `conn`): the
    /// handshake was done by the kernel before.
    Accepted { peer: SocketAddr, local: SocketAddr },
    /// `connect(peer)` returned 0 from the local address the OS picked.
    Connected { local: SocketAddr, peer: SocketAddr },
    /// `connect(to)` failed (refused, timed out, …); the client ends.
    ConnectFailed { to: SocketAddr, error: NetError },
    /// `send`/`sendall` moved `sent` of `asked` bytes (`bytes`, the ones
    /// sent). `all`: sendall, which loops until everything is sent.
    Sent {
        #[serde(with = "arc_bytes")]
        bytes: Arc<[u8]>,
        asked: usize,
        sent: usize,
        all: bool,
    },
    /// A send failed (reset by the peer, …) after `sent` of `asked` bytes.
    SendFailed {
        asked: usize,
        sent: usize,
        error: NetError,
    },
    /// `recv(buffer)` returned `bytes`; empty is b'': the peer closed its
    /// sending side and everything before was read.
    Received {
        buffer: usize,
        #[serde(with = "arc_bytes")]
        bytes: Arc<[u8]>,
    },
    /// `recv` waited `after` and nothing came (the client's timeout).
    RecvTimedOut { buffer: usize, after: Duration },
    /// `recv` failed (reset by the peer, …).
    RecvFailed { buffer: usize, error: NetError },
    /// `shutdown(how)`.
    Shutdown { how: Shut },
    /// `close()` of this socket (for conn 0 of a server: the listening
    /// socket; the server has stopped).
    Closed,
    /// The worker could not go on (accept failed, no thread for a
    /// connection, …); for conn 0 the server has stopped after it.
    Failed { error: NetError },
    /// MAX_OPEN_CONNECTIONS are open: the server stops accepting until one
    /// closes (new ones wait in the kernel's backlog).
    Full { open: usize },
}

impl TcpEventKind {
    /// Whether the UI must see it (lifecycle); the rest may be dropped, and
    /// counted, when a flood outruns the window.
    pub fn is_lifecycle(&self, conn: u64) -> bool {
        conn == 0
            || matches!(
                self,
                TcpEventKind::Connected { .. }
                    | TcpEventKind::ConnectFailed { .. }
                    | TcpEventKind::Failed { .. }
            )
    }
}

/// Serde for `Arc<[u8]>` without serde's `rc` feature: a byte sequence.
mod arc_bytes {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Arc<[u8]>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<[u8]>, D::Error> {
        Vec::<u8>::deserialize(d).map(Arc::from)
    }
}

/// A TCP call's OS error in the lab's words: refused is an RST (TCP's own
/// answer, not ICMP as for UDP), a reset, a connect that timed out.
pub fn tcp_error(call: &'static str, addr: SocketAddr, e: &std::io::Error) -> NetError {
    use std::io::ErrorKind as K;
    match super::error::os_kind(e) {
        K::ConnectionRefused => NetError::Refused { addr },
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => NetError::Reset { addr },
        _ => super::error::io_error(call, addr, e),
    }
}

/// A failed `bind` of a TCP socket: "address in use" says whether only
/// TIME_WAIT connections of an earlier run hold the port (then
/// SO_REUSEADDR before bind helps) and who holds it otherwise.
pub fn tcp_bind_error(addr: SocketAddr, e: &std::io::Error, reuse: bool) -> NetError {
    match tcp_error("bind", addr, e) {
        NetError::AddrInUse { .. } => {
            let holders = super::ports::tcp_port_states(addr.port());
            if !holders.is_empty() && holders.iter().all(|s| *s == super::ports::TCP_TIME_WAIT) {
                NetError::TimeWait { addr, reuse }
            } else {
                NetError::AddrInUse {
                    addr,
                    holder: super::holder::tcp_port_holder(addr),
                }
            }
        }
        other => other,
    }
}
