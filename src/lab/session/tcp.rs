//! TCP in the session (issue 27): the calls of UDP Lab's TCP server and
//! client and of a traced script's TCP sockets, as trace rows with the
//! step of UDP Lab's own TCP programs, each linked to its place in the
//! connection's stream (src/lab/stream.rs).

use super::*;
use crate::lab::stream::{EndKey, StreamLink, Streams};
use crate::net::{Shut, TcpEvent, TcpEventKind, TcpSide};

/// A TCP socket call, with its real arguments and result. `bind` and
/// `close` are here too: a TCP row's step numbers are those of UDP Lab's
/// TCP programs, not the handout's UDP ones.
#[derive(Clone, Debug, PartialEq)]
pub enum TcpCall {
    /// `socket(AF_INET, SOCK_STREAM)`.
    Socket {
        family: Family,
    },
    /// `setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)`.
    SetReuseAddr,
    Bind {
        addr: SocketAddr,
    },
    BindFailed {
        error: NetError,
    },
    /// `listen(backlog) → 0`.
    Listen {
        backlog: u32,
    },
    /// `accept() → socket #sock from peer`.
    Accept {
        peer: SocketAddr,
        sock: u32,
    },
    /// `connect(to) → 0`.
    Connect {
        to: SocketAddr,
    },
    ConnectFailed {
        to: SocketAddr,
        error: NetError,
    },
    /// `send(asked) → sent`, or `sendall(asked)` when `all`.
    Send {
        asked: usize,
        sent: usize,
        all: bool,
    },
    SendFailed {
        asked: usize,
        sent: usize,
        error: NetError,
    },
    /// `recv(buffer) → read bytes` (read > 0).
    Recv {
        buffer: usize,
        read: usize,
    },
    /// `recv(buffer) → b''`: the peer closed its side; all was read.
    RecvEof {
        buffer: usize,
    },
    RecvTimedOut {
        buffer: usize,
        after: Duration,
    },
    RecvFailed {
        buffer: usize,
        error: NetError,
    },
    Shutdown {
        how: Shut,
    },
    /// `close()`; `listener`: the listening socket (the server stops).
    Close {
        listener: bool,
    },
    /// The server does not accept for now: `open` connections are open
    /// (UDP Lab's bound; new ones wait in the backlog). No call.
    AcceptPaused {
        open: usize,
    },
    /// Something else failed (accept, a socket option).
    Failed {
        error: NetError,
    },
}

impl TcpCall {
    /// The step of UDP Lab's own TCP programs (the Code view's; the
    /// handout has no TCP part): server 4 socket, 5 bind, 6 listen,
    /// 8 accept, 9 recv (10: `if not data: break`), 12 sendall, 13 close of
    /// the connection; client 5 socket, 6 connect, 7 sendall, 8 recv,
    /// 10 close.
    pub fn lab_step(&self, side: Side) -> Option<u8> {
        use TcpCall as C;
        match (side, self) {
            (Side::Server, C::Socket { .. }) => Some(4),
            (Side::Server, C::Bind { .. } | C::BindFailed { .. }) => Some(5),
            (Side::Server, C::Listen { .. }) => Some(6),
            (Side::Server, C::Accept { .. }) => Some(8),
            (
                Side::Server,
                C::Recv { .. } | C::RecvEof { .. } | C::RecvTimedOut { .. } | C::RecvFailed { .. },
            ) => Some(9),
            (Side::Server, C::Send { .. } | C::SendFailed { .. }) => Some(12),
            (Side::Server, C::Close { listener: false }) => Some(13),
            (Side::Client, C::Socket { .. }) => Some(5),
            (Side::Client, C::Connect { .. } | C::ConnectFailed { .. }) => Some(6),
            (Side::Client, C::Send { .. } | C::SendFailed { .. }) => Some(7),
            (
                Side::Client,
                C::Recv { .. } | C::RecvEof { .. } | C::RecvTimedOut { .. } | C::RecvFailed { .. },
            ) => Some(8),
            (Side::Client, C::Close { .. }) => Some(10),
            _ => None,
        }
    }

    /// Issue 28: the step of webserver.py (src/lab/code/web.rs) when UDP
    /// Lab's web server made the call: 4 socket, 5 bind, 6 listen,
    /// 8 accept, 9 recv, 13 sendall, 15 close of the connection.
    pub fn web_step(&self) -> Option<u8> {
        use TcpCall as C;
        match self {
            C::Socket { .. } => Some(4),
            C::Bind { .. } | C::BindFailed { .. } => Some(5),
            C::Listen { .. } => Some(6),
            C::Accept { .. } => Some(8),
            C::Recv { .. } | C::RecvEof { .. } | C::RecvTimedOut { .. } | C::RecvFailed { .. } => {
                Some(9)
            }
            C::Send { .. } | C::SendFailed { .. } => Some(13),
            C::Close { listener: false } => Some(15),
            _ => None,
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(
            self,
            TcpCall::BindFailed { .. }
                | TcpCall::ConnectFailed { .. }
                | TcpCall::SendFailed { .. }
                | TcpCall::RecvTimedOut { .. }
                | TcpCall::RecvFailed { .. }
                | TcpCall::Failed { .. }
        )
    }
}

/// One TCP call to record, from UDP Lab's workers or a traced script.
#[derive(Clone, Debug)]
pub struct StreamCall<'a> {
    pub at: SystemTime,
    pub side: Side,
    /// UDP Lab's client operation (0 otherwise).
    pub op: u64,
    /// The connected socket the call was made on (for `accept`: the socket
    /// it returned; for `connect`: the connecting one). None for the
    /// listening socket's calls.
    pub end: Option<EndKey>,
    pub call: TcpCall,
    /// `connect`/`accept`: the connection's (local, peer) addresses.
    pub addrs: Option<(SocketAddr, SocketAddr)>,
    /// The bytes a send sent or a recv read (a script's preview may be
    /// shorter than the call's count).
    pub bytes: &'a [u8],
    /// A script's call: its socket and file:line.
    pub script: Option<ScriptCall>,
}

impl Session {
    /// Records one TCP call: its trace row (returned: the row's seq) and
    /// its place in the connection's stream. The entry point for traced
    /// scripts' TCP calls too.
    pub fn record_stream_call(&mut self, c: StreamCall) -> u64 {
        let seq = self.next_seq + 1;
        let link = c.end.and_then(|end| self.stream_effect(end, &c, seq));
        self.pending_script = c.script;
        self.pending_stream = link;
        self.trace(c.at, c.side, c.op, Call::Tcp(c.call), None);
        seq
    }

    fn stream_effect(&mut self, end: EndKey, c: &StreamCall, seq: u64) -> Option<StreamLink> {
        let s: &mut Streams = &mut self.streams;
        let at = c.at;
        match &c.call {
            TcpCall::Connect { .. } | TcpCall::Accept { .. } => {
                let (local, peer) = c.addrs?;
                let client_side = matches!(c.call, TcpCall::Connect { .. });
                let id = s.opened(end, client_side, local, peer, at);
                let way = s.get(id)?.sends_way(end)?;
                Some(StreamLink {
                    conn: id,
                    way,
                    offset: 0,
                    len: 0,
                })
            }
            TcpCall::Send { sent, .. } => s.sent(end, c.bytes, *sent as u64, at, seq),
            TcpCall::SendFailed { sent, error, .. } => {
                if matches!(error, NetError::Reset { .. }) {
                    s.was_reset(end);
                }
                (*sent > 0)
                    .then(|| s.sent(end, c.bytes, *sent as u64, at, seq))
                    .flatten()
            }
            TcpCall::Recv { read, .. } => s.read(end, c.bytes, *read as u64, at, seq),
            TcpCall::RecvEof { .. } => s.read(end, &[], 0, at, seq),
            TcpCall::RecvFailed { error, .. } => {
                if matches!(error, NetError::Reset { .. }) {
                    s.was_reset(end);
                }
                None
            }
            TcpCall::Shutdown { how } => s.shut(end, *how != Shut::Read, at),
            TcpCall::Close { listener: false } => s.closed(end, false, at),
            _ => None,
        }
    }

    /// UDP Lab's own TCP server and client.
    pub(super) fn record_tcp(&mut self, ev: &TcpEvent) {
        let web = matches!(ev.side, TcpSide::Server(id) if crate::net::http::is_web_server(id));
        let (side, op, end) = match ev.side {
            TcpSide::Server(server) => (
                Side::Server,
                0,
                (ev.conn > 0).then_some(EndKey::Server {
                    server,
                    conn: ev.conn,
                }),
            ),
            TcpSide::Client(op) => (Side::Client, op, Some(EndKey::Client { op })),
        };
        let mut addrs = None;
        let mut bytes: &[u8] = &[];
        let call = match &ev.kind {
            TcpEventKind::Socket { family } => TcpCall::Socket { family: *family },
            TcpEventKind::ReuseAddr => TcpCall::SetReuseAddr,
            TcpEventKind::Bound { addr } => TcpCall::Bind { addr: *addr },
            TcpEventKind::BindFailed { error } => TcpCall::BindFailed {
                error: error.clone(),
            },
            TcpEventKind::Listening { backlog } => TcpCall::Listen { backlog: *backlog },
            TcpEventKind::Accepted { peer, local } => {
                addrs = Some((concrete(*local, peer.ip()), *peer));
                TcpCall::Accept {
                    peer: *peer,
                    // The listening socket is #1; connection n is #n+1.
                    sock: u32::try_from(ev.conn + 1).unwrap_or(u32::MAX),
                }
            }
            TcpEventKind::Connected { local, peer } => {
                addrs = Some((concrete(*local, peer.ip()), *peer));
                TcpCall::Connect { to: *peer }
            }
            TcpEventKind::ConnectFailed { to, error } => TcpCall::ConnectFailed {
                to: *to,
                error: error.clone(),
            },
            TcpEventKind::Sent {
                bytes: b,
                asked,
                sent,
                all,
            } => {
                bytes = b;
                TcpCall::Send {
                    asked: *asked,
                    sent: *sent,
                    all: *all,
                }
            }
            TcpEventKind::SendFailed { asked, sent, error } => TcpCall::SendFailed {
                asked: *asked,
                sent: *sent,
                error: error.clone(),
            },
            TcpEventKind::Received { buffer, bytes: b } if b.is_empty() => {
                TcpCall::RecvEof { buffer: *buffer }
            }
            TcpEventKind::Received { buffer, bytes: b } => {
                bytes = b;
                TcpCall::Recv {
                    buffer: *buffer,
                    read: b.len(),
                }
            }
            TcpEventKind::RecvTimedOut { buffer, after } => TcpCall::RecvTimedOut {
                buffer: *buffer,
                after: *after,
            },
            TcpEventKind::RecvFailed { buffer, error } => TcpCall::RecvFailed {
                buffer: *buffer,
                error: error.clone(),
            },
            TcpEventKind::Shutdown { how } => TcpCall::Shutdown { how: *how },
            TcpEventKind::Closed => TcpCall::Close {
                listener: end.is_none(),
            },
            TcpEventKind::Failed { error } => TcpCall::Failed {
                error: error.clone(),
            },
            TcpEventKind::Full { open } => TcpCall::AcceptPaused { open: *open },
        };
        self.pending_web = web;
        self.record_stream_call(StreamCall {
            at: ev.at,
            side,
            op,
            end,
            call,
            addrs,
            bytes,
            script: None,
        });
    }
}

#[cfg(test)]
mod tests;
