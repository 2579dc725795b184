//! Issue 27: the window's TCP server and client — started by the same
//! commands as UDP's when a panel has TCP chosen, their events kept as a
//! list of connections (server) and the latest exchange (client). What
//! the calls moved is in the session's stream model; this is only what the
//! panels show.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::{ServerStatus, UdpLabApp};
use crate::net::{
    self, NetError, TcpClientHandle, TcpClientRequest, TcpEvent, TcpEventKind, TcpServerConfig,
    TcpServerHandle, TcpServerSettings, TcpSide,
};

/// Connections listed at most; older ones are dropped and counted.
pub const MAX_CONNECTION_ROWS: usize = 1_000;
/// Bytes of the client's answer kept for the panel (the stream view has
/// the whole, within its own bound).
const MAX_ANSWER_KEPT: usize = 4096;
/// How long the client's connect may wait for the handshake.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// One accepted connection, as the server panel lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnRow {
    /// The server's number for it (1, 2, … in accept order).
    pub conn: u64,
    pub peer: SocketAddr,
    pub state: ConnState,
    /// Bytes `recv` returned, and bytes sent back.
    pub read: u64,
    pub sent: u64,
    pub opened: SystemTime,
    /// Why it ended, when it ended badly (reset by the peer, …).
    pub error: Option<NetError>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnState {
    Open,
    /// `recv` returned b'': the client has sent everything.
    PeerClosed,
    Closed,
}

#[derive(Default)]
pub struct TcpServerState {
    pub(crate) handle: Option<TcpServerHandle>,
    pub rows: VecDeque<ConnRow>,
    pub rows_dropped: u64,
    pub accepted: u64,
    /// Where the running server's socket is bound (the real port).
    pub bound: Option<SocketAddr>,
    /// The server had this many connections open and stopped accepting
    /// until one closes (cleared when one does).
    pub full: Option<usize>,
}

impl TcpServerState {
    fn row(&mut self, conn: u64) -> Option<&mut ConnRow> {
        // New connections are at the back; a live one is rarely far.
        self.rows.iter_mut().rev().find(|r| r.conn == conn)
    }

    fn push_row(&mut self, row: ConnRow) {
        if self.rows.len() >= MAX_CONNECTION_ROWS {
            self.rows.pop_front();
            self.rows_dropped += 1;
        }
        self.rows.push_back(row);
        self.accepted += 1;
    }
}

/// The latest TCP exchange of the client panel.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TcpExchange {
    pub connected: Option<(SocketAddr, SocketAddr)>,
    pub sent: u64,
    pub read: u64,
    /// The first bytes read (the answer), within [`MAX_ANSWER_KEPT`].
    pub answer: Vec<u8>,
    /// recv returned b'': the server closed.
    pub peer_closed: bool,
    /// The reads ended on the timeout.
    pub timed_out: bool,
    pub error: Option<NetError>,
    /// The socket is closed: the exchange is over.
    pub closed: bool,
}

#[derive(Default)]
pub struct TcpClientState {
    pub(crate) running: Option<(u64, TcpClientHandle)>,
    /// A socket was opened: a Closed will follow (else a Failed ends it).
    opened: bool,
    pub exchange: Option<TcpExchange>,
}

impl TcpClientState {
    pub fn busy(&self) -> bool {
        self.running.is_some()
    }
}

#[derive(Default)]
pub struct TcpState {
    pub server: TcpServerState,
    pub client: TcpClientState,
}

impl UdpLabApp {
    pub(crate) fn tcp_server_settings(&self) -> TcpServerSettings {
        let udp = self.settings.server_settings();
        TcpServerSettings {
            reply: udp.reply,
            buffer: self.settings.server_buffer.clamp(1, 1 << 20),
        }
    }

    pub(crate) fn start_tcp_server(&mut self) {
        let Some(bind) = self.bind_for_start(|s| &s.bind) else {
            return;
        };
        let mut config = TcpServerConfig::new(bind);
        config.backlog = self.settings.tcp_backlog.clamp(1, 4096);
        config.settings = self.tcp_server_settings();
        match net::spawn_tcp_server(config, self.sink.clone()) {
            Ok(handle) => {
                self.tcp.server.handle = Some(handle);
                self.server.status = Some(ServerStatus::Starting);
            }
            Err(e) => {
                self.server.status = Some(ServerStatus::Failed(e));
                self.cancel_pending_send();
            }
        }
    }

    pub(crate) fn stop_tcp_server(&mut self) {
        if let Some(h) = &self.tcp.server.handle {
            h.stop();
            self.server.status = Some(ServerStatus::Stopping);
        }
    }

    pub(crate) fn tcp_send(&mut self) {
        if self.tcp.client.busy() || self.client.busy() {
            return;
        }
        self.client.send_cancelled = false;
        let Some((target, payload)) = self.send_inputs() else {
            return;
        };
        self.client.next_op += 1;
        let op = self.client.next_op;
        let mut request = TcpClientRequest::new(op, target, Arc::from(payload));
        request.pieces = self.settings.tcp_pieces.clamp(1, 1000);
        request.piece_delay = Duration::from_millis(self.settings.tcp_piece_delay_ms.min(60_000));
        request.connect_timeout = CONNECT_TIMEOUT.min(self.settings.timeout().max(
            // A connect on loopback needs no more; a short read timeout
            // must not make a slow network's handshake fail.
            Duration::from_secs(1),
        ));
        request.timeout = self.settings.timeout();
        request.buffer = self.settings.client_buffer.clamp(1, 1 << 20);
        request.shutdown_write = self.settings.tcp_shutdown;
        match net::spawn_tcp_client(request, self.sink.clone()) {
            Ok(handle) => {
                self.tcp.client.running = Some((op, handle));
                self.tcp.client.opened = false;
                self.tcp.client.exchange = Some(TcpExchange::default());
            }
            Err(e) => {
                self.tcp.client.exchange = Some(TcpExchange {
                    error: Some(e),
                    closed: true,
                    ..TcpExchange::default()
                });
            }
        }
    }

    /// A TCP worker's event applied to the panels' state (the session has
    /// recorded it already).
    pub(crate) fn apply_tcp_event(&mut self, ev: TcpEvent) {
        // The web server's and the GET's calls: the session has them (the
        // trace, the diagram); the HTTP panels show their own log.
        if super::http::is_web(ev.side) {
            return;
        }
        match ev.side {
            TcpSide::Server(id) => {
                // A saved lesson's events are the recording's own (issue 26).
                let current = self.lesson.replaying
                    || self.tcp.server.handle.as_ref().is_some_and(|h| h.id == id);
                if current {
                    self.apply_tcp_server_event(ev.at, ev.conn, ev.kind);
                }
            }
            TcpSide::Client(op) => {
                let current = self
                    .tcp
                    .client
                    .running
                    .as_ref()
                    .is_some_and(|(o, _)| *o == op);
                if self.lesson.replaying && self.tcp.client.exchange.is_none() {
                    self.tcp.client.exchange = Some(TcpExchange::default());
                }
                if current || self.lesson.replaying {
                    self.apply_tcp_client_event(ev.kind);
                }
            }
        }
    }

    fn apply_tcp_server_event(&mut self, at: SystemTime, conn: u64, kind: TcpEventKind) {
        let server = &mut self.tcp.server;
        if conn == 0 {
            match kind {
                TcpEventKind::Listening { .. } => {
                    // Bound came first (conn 0's events are never dropped).
                    if let Some(addr) = server.bound {
                        self.server.status = Some(ServerStatus::Listening(addr));
                    }
                    if std::mem::take(&mut self.send_when_listening) {
                        self.run(super::Command::Send);
                    }
                }
                TcpEventKind::Bound { addr } => server.bound = Some(addr),
                TcpEventKind::BindFailed { error } | TcpEventKind::Failed { error } => {
                    self.server.status = Some(ServerStatus::Failed(error));
                    self.tcp.server.handle = None;
                    self.cancel_pending_send();
                }
                TcpEventKind::Full { open } => server.full = Some(open),
                TcpEventKind::Closed => {
                    if !matches!(self.server.status, Some(ServerStatus::Failed(_))) {
                        self.server.status = Some(ServerStatus::Stopped);
                    }
                    self.tcp.server.handle = None;
                }
                _ => {}
            }
            return;
        }
        match kind {
            TcpEventKind::Accepted { peer, .. } => server.push_row(ConnRow {
                conn,
                peer,
                state: ConnState::Open,
                read: 0,
                sent: 0,
                opened: at,
                error: None,
            }),
            TcpEventKind::Received { bytes, .. } => {
                if let Some(row) = server.row(conn) {
                    if bytes.is_empty() {
                        row.state = ConnState::PeerClosed;
                    }
                    row.read += bytes.len() as u64;
                }
            }
            TcpEventKind::Sent { sent, .. } | TcpEventKind::SendFailed { sent, .. } => {
                if let Some(row) = server.row(conn) {
                    row.sent += sent as u64;
                }
            }
            TcpEventKind::RecvFailed { error, .. } | TcpEventKind::Failed { error } => {
                if let Some(row) = server.row(conn) {
                    row.error = Some(error);
                }
            }
            TcpEventKind::Closed => {
                if let Some(row) = server.row(conn) {
                    row.state = ConnState::Closed;
                }
                server.full = None;
            }
            _ => {}
        }
    }

    fn apply_tcp_client_event(&mut self, kind: TcpEventKind) {
        let client = &mut self.tcp.client;
        let Some(exchange) = client.exchange.as_mut() else {
            return;
        };
        match kind {
            TcpEventKind::Socket { .. } => client.opened = true,
            TcpEventKind::Connected { local, peer } => exchange.connected = Some((local, peer)),
            TcpEventKind::ConnectFailed { error, .. }
            | TcpEventKind::SendFailed { error, .. }
            | TcpEventKind::RecvFailed { error, .. } => exchange.error = Some(error),
            TcpEventKind::Failed { error } => {
                exchange.error = Some(error);
                if !client.opened {
                    // It never opened a socket: no Closed follows.
                    exchange.closed = true;
                    client.running = None;
                }
            }
            TcpEventKind::Sent { sent, .. } => exchange.sent += sent as u64,
            TcpEventKind::Received { bytes, .. } => {
                if bytes.is_empty() {
                    exchange.peer_closed = true;
                }
                exchange.read += bytes.len() as u64;
                let room = MAX_ANSWER_KEPT.saturating_sub(exchange.answer.len());
                exchange
                    .answer
                    .extend_from_slice(&bytes[..bytes.len().min(room)]);
            }
            TcpEventKind::RecvTimedOut { .. } => exchange.timed_out = true,
            TcpEventKind::Closed => {
                exchange.closed = true;
                client.running = None;
            }
            _ => {}
        }
    }

    /// Stop was pressed and the TCP server's worker has ended.
    pub(crate) fn tcp_server_finished(&mut self) {
        if self.server.status == Some(ServerStatus::Stopping)
            && self
                .tcp
                .server
                .handle
                .as_ref()
                .is_some_and(|h| h.is_finished())
        {
            self.server.status = Some(ServerStatus::Stopped);
            self.tcp.server.handle = None;
        }
    }
}

#[cfg(test)]
mod tests;
