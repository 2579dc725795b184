//! The connections as the views draw them, kept from the TCP workers'
//! events: a client's connection and the server's accepted socket are one
//! connection when the client's local address is the accepted peer. Each
//! direction keeps a bounded prefix of its bytes and its send and recv
//! cuts; older connections are dropped and counted.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::SystemTime;

use crate::app::views::connection::{Connection, Cut, Direction, Fin};
use crate::net::{Shut, TcpEvent, TcpEventKind, TcpSide};

/// Connections kept for the views.
pub const MAX_PICTURED: usize = 200;
/// Bytes kept per direction (the anatomy draws fewer).
const MAX_BYTES: usize = 64 * 1024;
/// Cuts kept per direction; later ones are counted.
const MAX_CUTS: usize = 10_000;

struct Entry {
    conn: Connection,
    /// The workers' keys for its two ends.
    client: Option<(u64, u64)>,
    server: Option<(u64, u64)>,
}

#[derive(Default)]
pub struct Pictures {
    entries: VecDeque<Entry>,
    next_id: u64,
    pub dropped: u64,
    /// Cuts beyond [`MAX_CUTS`] in some direction, not drawn.
    pub cuts_dropped: u64,
}

impl Pictures {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, index: usize) -> Option<&Connection> {
        self.entries.get(index).map(|e| &e.conn)
    }

    /// The newest connection that began by `at` (its index).
    pub fn newest_by(&self, at: SystemTime) -> Option<usize> {
        self.entries.iter().rposition(|e| {
            e.conn
                .connected
                .or(e.conn.accepted)
                .is_some_and(|t| t <= at)
        })
    }

    fn find(&mut self, client_side: bool, key: (u64, u64)) -> Option<&mut Entry> {
        self.entries.iter_mut().rev().find(|e| {
            if client_side {
                e.client == Some(key)
            } else {
                e.server == Some(key)
            }
        })
    }

    /// A new end of a connection: joined to the other end when its
    /// addresses match, else a new connection.
    fn open(&mut self, client_side: bool, key: (u64, u64), at: SystemTime, client: SocketAddr, server: SocketAddr) {
        let other = self.entries.iter_mut().rev().take(64).find(|e| {
            e.conn.client == Some(client)
                && (if client_side { e.client.is_none() } else { e.server.is_none() })
        });
        let entry = match other {
            Some(e) => e,
            None => {
                if self.entries.len() >= MAX_PICTURED {
                    self.entries.pop_front();
                    self.dropped += 1;
                }
                self.next_id += 1;
                self.entries.push_back(Entry {
                    conn: Connection {
                        id: self.next_id,
                        client: Some(client),
                        server: Some(server),
                        ..Connection::default()
                    },
                    client: None,
                    server: None,
                });
                let Some(e) = self.entries.back_mut() else {
                    return;
                };
                e
            }
        };
        if client_side {
            entry.client = Some(key);
            entry.conn.connected = Some(at);
        } else {
            entry.server = Some(key);
            entry.conn.accepted = Some(at);
        }
    }

    pub fn record(&mut self, ev: &TcpEvent) {
        let (client_side, key) = match ev.side {
            TcpSide::Client(op) => (true, (op, ev.conn)),
            TcpSide::Server(id) if ev.conn != 0 => (false, (id, ev.conn)),
            TcpSide::Server(_) => return,
        };
        match &ev.kind {
            TcpEventKind::Connected { local, peer } => {
                return self.open(true, key, ev.at, *local, *peer);
            }
            TcpEventKind::Accepted { peer, local } => {
                return self.open(false, key, ev.at, *peer, *local);
            }
            _ => {}
        }
        let mut dropped = 0;
        let Some(entry) = self.find(client_side, key) else {
            return;
        };
        // The client writes "up", the server "down".
        let (mine, theirs) = if client_side {
            (&mut entry.conn.up, &mut entry.conn.down)
        } else {
            (&mut entry.conn.down, &mut entry.conn.up)
        };
        match &ev.kind {
            TcpEventKind::Sent { bytes, sent, .. } => {
                let bytes = &bytes[..(*sent).min(bytes.len())];
                dropped += push_cut(mine, true, bytes, ev.at);
            }
            TcpEventKind::Received { bytes, .. } if bytes.is_empty() => theirs.eof = Some(ev.at),
            TcpEventKind::Received { bytes, .. } => {
                dropped += push_cut(theirs, false, bytes, ev.at);
            }
            TcpEventKind::Shutdown {
                how: Shut::Write | Shut::Both,
            } => mine.fin = Some((ev.at, Fin::Shutdown)),
            TcpEventKind::Closed => {
                if mine.fin.is_none() {
                    mine.fin = Some((ev.at, Fin::Close));
                }
            }
            _ => {}
        }
        self.cuts_dropped += dropped;
    }
}

/// A send (`sending`) or a recv of `bytes` at `at`; its bytes are kept
/// when the other side has not kept them already. 1 when dropped.
fn push_cut(d: &mut Direction, sending: bool, bytes: &[u8], at: SystemTime) -> u64 {
    let cuts = if sending { &mut d.sends } else { &mut d.recvs };
    let offset = cuts.last().map_or(0, Cut::end);
    let len = bytes.len() as u64;
    if cuts.len() >= MAX_CUTS {
        return 1;
    }
    cuts.push(Cut { offset, len, at });
    let end = offset + len;
    // Either end may be the one whose event came first: keep the bytes
    // not kept yet.
    let kept = d.bytes.len() as u64;
    if (offset..end).contains(&kept) && d.bytes.len() < MAX_BYTES {
        let from = usize::try_from(kept - offset).unwrap_or(usize::MAX);
        let new = bytes.get(from..).unwrap_or_default();
        let room = MAX_BYTES - d.bytes.len();
        d.bytes.extend_from_slice(&new[..new.len().min(room)]);
    }
    d.total = d.total.max(end);
    0
}
