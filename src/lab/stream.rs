//! TCP connections as the teaching views need them (issue 27): each
//! connection's two directions, each a stream of bytes with the boundaries
//! of the `send`s that wrote it and of the `recv`s that read it — which
//! seldom agree: TCP keeps the bytes and loses the boundaries. Filled by
//! [`Session::record_stream_call`](super::session::Session::record_stream_call)
//! from UDP Lab's own TCP server and client and from a traced script's
//! calls alike. Everything is bounded and counts what it dropped.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::SystemTime;

use super::session::ScriptId;

/// Connections kept; the oldest closed one goes first.
pub const MAX_CONNECTIONS: usize = 1_000;
/// Bytes kept per direction (the start of the stream); past it only
/// counted.
pub const MAX_STREAM_BYTES: usize = 64 * 1024;
/// Send or recv boundaries kept per direction; past it the oldest go.
pub const MAX_BOUNDARIES: usize = 2_000;

/// Which way bytes flow in a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Way {
    /// From the client (the socket that called `connect`) to the server
    /// (the socket `accept` returned).
    Up,
    Down,
}

impl Way {
    pub fn back(self) -> Way {
        match self {
            Way::Up => Way::Down,
            Way::Down => Way::Up,
        }
    }
}

/// Which program's socket is one end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndKey {
    /// UDP Lab's TCP server (its start's id) and the connection's number
    /// there (1, 2, … in accept order).
    Server { server: u64, conn: u64 },
    /// UDP Lab's TCP client operation.
    Client { op: u64 },
    /// A traced script's socket (the tracer's number).
    Script { run: ScriptId, sock: u32 },
}

/// Where one `send` or `recv` falls in its direction's stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Boundary {
    /// Bytes of the stream before this call's.
    pub offset: u64,
    /// Bytes this call moved (0: the `recv` that returned b'').
    pub len: u64,
    pub at: SystemTime,
    /// The trace row of the call ([`TraceRow::seq`](super::session::TraceRow)).
    pub seq: u64,
}

impl Boundary {
    pub fn end(&self) -> u64 {
        self.offset + self.len
    }
}

/// One direction of a connection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Direction {
    /// The stream's first bytes, as far as they are known without a gap
    /// (at most [`MAX_STREAM_BYTES`]).
    pub bytes: Vec<u8>,
    /// Bytes sent so far (by the sender's calls, when UDP Lab sees them).
    pub sent: u64,
    /// Bytes read so far by the receiver's `recv`s.
    pub read: u64,
    /// Bytes of the stream known to exist but not kept in `bytes`.
    pub not_kept: u64,
    pub sends: VecDeque<Boundary>,
    pub sends_dropped: u64,
    pub recvs: VecDeque<Boundary>,
    pub recvs_dropped: u64,
    /// The sender shut its side down or closed: the end of the stream.
    pub ended_at: Option<SystemTime>,
    /// The receiver's `recv` returned b'' (its trace row's seq).
    pub eof_read: Option<(SystemTime, u64)>,
}

impl Direction {
    /// The bytes between `offset` and `offset + len`, as far as kept.
    pub fn slice(&self, offset: u64, len: u64) -> &[u8] {
        let start = (offset as usize).min(self.bytes.len());
        let end = (offset.saturating_add(len) as usize).min(self.bytes.len());
        &self.bytes[start..end]
    }

    /// Keeps `data`, the stream's bytes from `offset` (a traced script's
    /// preview may be shorter than the call's count: `len`).
    fn learn(&mut self, offset: u64, data: &[u8], len: u64) {
        let known = self.bytes.len() as u64 + self.not_kept;
        let end = offset + len;
        if end <= known {
            return;
        }
        let have = self.bytes.len() as u64;
        if self.not_kept == 0 && offset <= have && (have as usize) < MAX_STREAM_BYTES {
            let from = (have - offset) as usize;
            let upto = data.len().min(from + (MAX_STREAM_BYTES - self.bytes.len()));
            if from < upto {
                self.bytes.extend_from_slice(&data[from..upto]);
            }
        }
        let known_now = self.bytes.len() as u64 + self.not_kept;
        self.not_kept += end.saturating_sub(known_now);
    }

    fn push(list: &mut VecDeque<Boundary>, dropped: &mut u64, b: Boundary) {
        if list.len() >= MAX_BOUNDARIES {
            list.pop_front();
            *dropped += 1;
        }
        list.push_back(b);
    }

    /// The `recv`s that returned bytes of `send` (by offsets): several when
    /// TCP split it, one spanning others' when it coalesced them.
    pub fn recvs_of(&self, send: &Boundary) -> impl Iterator<Item = &Boundary> {
        let (start, end) = (send.offset, send.end());
        self.recvs
            .iter()
            .filter(move |r| r.len > 0 && r.offset < end && r.end() > start)
    }

    /// The `send`s whose bytes one `recv` returned.
    pub fn sends_of(&self, recv: &Boundary) -> impl Iterator<Item = &Boundary> {
        let (start, end) = (recv.offset, recv.end());
        self.sends
            .iter()
            .filter(move |s| s.len > 0 && s.offset < end && s.end() > start)
    }
}

/// The life of a connection as the calls show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnState {
    /// Both ends may send.
    Open,
    /// One side has ended its stream (shutdown or close); the other may
    /// still send.
    HalfClosed,
    /// Both ends closed (or the only end UDP Lab sees).
    Closed,
}

/// One TCP connection: client and server address, each direction.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    pub id: u64,
    /// The connecting socket's address.
    pub client: SocketAddr,
    /// The accepted socket's address (the listening one's port).
    pub server: SocketAddr,
    /// The ends UDP Lab sees (one or both).
    pub client_end: Option<EndKey>,
    pub server_end: Option<EndKey>,
    /// When the first end reported it (connect or accept returned).
    pub opened: SystemTime,
    /// When each end closed its socket.
    pub client_closed: Option<SystemTime>,
    pub server_closed: Option<SystemTime>,
    /// An RST ended it (reset by the peer).
    pub reset: bool,
    /// Client to server.
    pub up: Direction,
    /// Server to client.
    pub down: Direction,
}

impl Connection {
    pub fn way(&self, way: Way) -> &Direction {
        match way {
            Way::Up => &self.up,
            Way::Down => &self.down,
        }
    }

    fn way_mut(&mut self, way: Way) -> &mut Direction {
        match way {
            Way::Up => &mut self.up,
            Way::Down => &mut self.down,
        }
    }

    pub fn state(&self) -> ConnState {
        let client_done = self.client_closed.is_some() || self.client_end.is_none();
        let server_done = self.server_closed.is_some() || self.server_end.is_none();
        if (client_done && server_done) || self.reset {
            ConnState::Closed
        } else if self.up.ended_at.is_some() || self.down.ended_at.is_some() {
            ConnState::HalfClosed
        } else {
            ConnState::Open
        }
    }

    pub fn closed_at(&self) -> Option<SystemTime> {
        match (self.client_closed, self.server_closed) {
            _ if self.state() != ConnState::Closed => None,
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// The way `end` sends in.
    pub fn sends_way(&self, end: EndKey) -> Option<Way> {
        if self.client_end == Some(end) {
            Some(Way::Up)
        } else if self.server_end == Some(end) {
            Some(Way::Down)
        } else {
            None
        }
    }
}

/// A trace row's place in a stream, as a datagram row has its datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamLink {
    /// [`Connection::id`].
    pub conn: u64,
    /// The direction the call wrote to (send) or read from (recv); for
    /// connect, accept, shutdown and close, the way the end sends.
    pub way: Way,
    /// The bytes of that direction the call moved.
    pub offset: u64,
    pub len: u64,
}

/// The session's connections.
#[derive(Default)]
pub struct Streams {
    pub list: VecDeque<Connection>,
    pub dropped: u64,
    next_id: u64,
}

impl Streams {
    pub fn get(&self, id: u64) -> Option<&Connection> {
        self.list.iter().rev().find(|c| c.id == id)
    }

    fn get_mut(&mut self, id: u64) -> Option<&mut Connection> {
        self.list.iter_mut().rev().find(|c| c.id == id)
    }

    /// The connection `end` belongs to now (the newest).
    pub fn of_end(&self, end: EndKey) -> Option<&Connection> {
        self.list
            .iter()
            .rev()
            .find(|c| c.client_end == Some(end) || c.server_end == Some(end))
    }

    /// Connections open now.
    pub fn open(&self) -> impl Iterator<Item = &Connection> {
        self.list.iter().filter(|c| c.state() != ConnState::Closed)
    }

    /// What Clear keeps: the open connections (they go on sending).
    pub(crate) fn kept_open(&self) -> Streams {
        Streams {
            list: self.open().cloned().collect(),
            dropped: 0,
            next_id: self.next_id,
        }
    }

    /// `connect` (`client` side) or `accept` returned: the connection between
    /// `local` and `peer`, joined with the other end's record when UDP Lab
    /// sees that end too. Returns its id.
    pub(crate) fn opened(
        &mut self,
        end: EndKey,
        client_side: bool,
        local: SocketAddr,
        peer: SocketAddr,
        at: SystemTime,
    ) -> u64 {
        let (client, server) = if client_side {
            (local, peer)
        } else {
            (peer, local)
        };
        let same = |a: SocketAddr, b: SocketAddr| {
            a.port() == b.port()
                && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
        };
        let other = self.list.iter_mut().rev().take(256).find(|c| {
            same(c.client, client)
                && same(c.server, server)
                && c.closed_at().is_none()
                && if client_side {
                    c.client_end.is_none()
                } else {
                    c.server_end.is_none()
                }
        });
        if let Some(c) = other {
            if client_side {
                c.client_end = Some(end);
            } else {
                c.server_end = Some(end);
            }
            c.opened = c.opened.min(at);
            return c.id;
        }
        if self.list.len() >= MAX_CONNECTIONS {
            // The oldest closed one goes, else the oldest.
            let i = self
                .list
                .iter()
                .position(|c| c.state() == ConnState::Closed)
                .unwrap_or(0);
            self.list.remove(i);
            self.dropped += 1;
        }
        self.next_id += 1;
        self.list.push_back(Connection {
            id: self.next_id,
            client,
            server,
            client_end: client_side.then_some(end),
            server_end: (!client_side).then_some(end),
            opened: at,
            client_closed: None,
            server_closed: None,
            reset: false,
            up: Direction::default(),
            down: Direction::default(),
        });
        self.next_id
    }

    /// A `send` of `len` bytes (`data`: those known) by `end`.
    pub(crate) fn sent(
        &mut self,
        end: EndKey,
        data: &[u8],
        len: u64,
        at: SystemTime,
        seq: u64,
    ) -> Option<StreamLink> {
        let id = self.of_end(end)?.id;
        let c = self.get_mut(id)?;
        let way = c.sends_way(end)?;
        let d = c.way_mut(way);
        let offset = d.sent;
        d.learn(offset, data, len);
        d.sent += len;
        let b = Boundary {
            offset,
            len,
            at,
            seq,
        };
        Direction::push(&mut d.sends, &mut d.sends_dropped, b);
        Some(StreamLink {
            conn: id,
            way,
            offset,
            len,
        })
    }

    /// A `recv` by `end` that returned `data` (empty: b'').
    pub(crate) fn read(
        &mut self,
        end: EndKey,
        data: &[u8],
        len: u64,
        at: SystemTime,
        seq: u64,
    ) -> Option<StreamLink> {
        let id = self.of_end(end)?.id;
        let c = self.get_mut(id)?;
        let way = c.sends_way(end)?.back();
        let d = c.way_mut(way);
        let offset = d.read;
        d.learn(offset, data, len);
        d.read += len;
        if len == 0 {
            d.eof_read = Some((at, seq));
        }
        let b = Boundary {
            offset,
            len,
            at,
            seq,
        };
        Direction::push(&mut d.recvs, &mut d.recvs_dropped, b);
        Some(StreamLink {
            conn: id,
            way,
            offset,
            len,
        })
    }

    /// `shutdown(SHUT_WR)` (or RDWR) by `end`: its stream ends.
    pub(crate) fn shut(&mut self, end: EndKey, write: bool, at: SystemTime) -> Option<StreamLink> {
        let id = self.of_end(end)?.id;
        let c = self.get_mut(id)?;
        let way = c.sends_way(end)?;
        let d = c.way_mut(way);
        if write && d.ended_at.is_none() {
            d.ended_at = Some(at);
        }
        Some(StreamLink {
            conn: id,
            way,
            offset: d.sent,
            len: 0,
        })
    }

    /// `close()` by `end` (its stream ends too); `reset`: an RST ended it.
    pub(crate) fn closed(
        &mut self,
        end: EndKey,
        reset: bool,
        at: SystemTime,
    ) -> Option<StreamLink> {
        let link = self.shut(end, true, at)?;
        let c = self.get_mut(link.conn)?;
        if c.client_end == Some(end) {
            c.client_closed.get_or_insert(at);
        } else {
            c.server_closed.get_or_insert(at);
        }
        c.reset |= reset;
        Some(link)
    }

    /// An RST reported on `end` (a recv or send failed with a reset).
    pub(crate) fn was_reset(&mut self, end: EndKey) {
        if let Some(id) = self.of_end(end).map(|c| c.id)
            && let Some(c) = self.get_mut(id)
        {
            c.reset = true;
        }
    }
}

#[cfg(test)]
mod tests;
