//! What happened in this session, as the teaching views need it: every
//! socket call (the trace) and every datagram that crossed, with both of its
//! ends when UDP Lab was both sender and receiver. Built from net events,
//! which it logs for saving (lab::capture). Every list is bounded and
//! counts what it dropped.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::net::{
    ClientEventKind, Family, NetError, NetEvent, Received, Reply, ServerEventKind, SimFate,
};

pub const MAX_TRACE: usize = 20_000;
pub const MAX_DATAGRAMS: usize = 20_000;

mod log;
mod records;
mod script;
mod tcp;
mod udp;
pub use log::{MAX_LOG, MAX_LOG_PAYLOAD};
pub use records::*;
pub use script::*;
pub use tcp::{StreamCall, TcpCall};

#[derive(Clone, Default)]
pub struct Session {
    pub trace: VecDeque<TraceRow>,
    pub trace_dropped: u64,
    pub datagrams: VecDeque<DatagramRecord>,
    pub datagrams_dropped: u64,
    next_id: u64,
    /// Where the current server listens (to fill in "to" of what it reads).
    server_addr: Option<SocketAddr>,
    /// Local address of each running client operation.
    client_local: Vec<(u64, SocketAddr)>,
    /// The next trace row's `seq`.
    next_seq: u64,
    /// `next_id` after the latest client event: no record a client event
    /// made or joined is newer. See [`Session::no_client_nearby`].
    last_client_record: u64,
    /// The traced scripts (names, sources) and their sockets.
    pub scripts: Scripts,
    /// What the next trace row of a script's call carries (set just before
    /// the shared code that traces the call).
    pending_script: Option<ScriptCall>,
    /// TCP connections and their streams (issue 27).
    pub streams: crate::lab::stream::Streams,
    /// What the next trace row of a TCP call links to.
    pending_stream: Option<crate::lab::stream::StreamLink>,
    /// The next row is UDP Lab's web server's (issue 28).
    pending_web: bool,
    /// Every event recorded (bounded by [`MAX_LOG`]): what a saved session
    /// keeps, replayed into a fresh state when it is opened (issue 26).
    pub log: VecDeque<NetEvent>,
    pub log_dropped: u64,
    /// Payload bytes the log holds (bounded too: see [`MAX_LOG_PAYLOAD`]).
    log_payload: usize,
}

impl Session {
    pub fn clear(&mut self) {
        *self = Session {
            server_addr: self.server_addr,
            client_local: std::mem::take(&mut self.client_local),
            next_seq: self.next_seq,
            // Scripts still running go on calling: keep their names and sockets.
            scripts: std::mem::take(&mut self.scripts),
            // And open connections go on sending: keep them, emptied.
            streams: self.streams.kept_open(),
            ..Session::default()
        };
    }

    /// Calls recorded since the session began (or was cleared), the
    /// dropped ones included.
    pub fn total_calls(&self) -> u64 {
        self.trace_dropped + self.trace.len() as u64
    }

    /// Where the row recorded as `seq` at `at` is in the trace now (rows
    /// are in time order, so it is a binary search away); None once it was
    /// dropped.
    pub fn trace_index(&self, seq: u64, at: SystemTime) -> Option<usize> {
        let first = self.trace.partition_point(|r| r.at < at);
        (first..self.trace.len())
            .take_while(|&i| self.trace[i].at == at)
            .find(|&i| self.trace[i].seq == seq)
    }

    pub fn datagram(&self, id: u64) -> Option<&DatagramRecord> {
        // Ids grow by one, so the position is a subtraction away (unless dropped in between).
        let first = self.datagrams.front()?.id;
        let guess = id
            .checked_sub(first)
            .and_then(|i| self.datagrams.get(i as usize));
        guess
            .filter(|d| d.id == id)
            .or_else(|| self.datagrams.iter().find(|d| d.id == id))
    }

    pub fn record(&mut self, event: &NetEvent) {
        self.log_event(event);
        match event {
            NetEvent::Server(ev) => self.record_server(ev.at, &ev.kind),
            NetEvent::Client(ev) => {
                self.record_client(ev.op, ev.at, &ev.kind);
                self.last_client_record = self.next_id;
            }
            NetEvent::Script(ev) => {
                self.record_script(ev);
                // A script's datagrams join UDP Lab's own, as a client's do.
                self.last_client_record = self.next_id;
            }
            NetEvent::Tcp(ev) => self.record_tcp(ev),
            // Kept in the log (and so in a saved session); its socket
            // calls were recorded as TCP events.
            NetEvent::Http(_) => {}
        }
    }

    fn trace(&mut self, at: SystemTime, side: Side, op: u64, call: Call, datagram: Option<u64>) {
        if self.trace.len() >= MAX_TRACE {
            self.trace.pop_front();
            self.trace_dropped += 1;
        }
        // Threads report independently: a receive can be reported before
        // the send that caused it. Keep the trace in time order.
        let mut at_index = self.trace.len();
        while at_index > 0 && self.trace[at_index - 1].at > at {
            at_index -= 1;
        }
        self.next_seq += 1;
        self.trace.insert(
            at_index,
            TraceRow {
                seq: self.next_seq,
                at,
                side,
                op,
                call,
                datagram,
                script: self.pending_script.take(),
                stream: self.pending_stream.take(),
                web: std::mem::take(&mut self.pending_web),
            },
        );
    }

    fn push_datagram(&mut self, mut d: DatagramRecord) -> u64 {
        self.next_id += 1;
        d.id = self.next_id;
        if self.datagrams.len() >= MAX_DATAGRAMS {
            self.datagrams.pop_front();
            self.datagrams_dropped += 1;
        }
        self.datagrams.push_back(d);
        self.next_id
    }

    /// The newest datagram still waiting for its receiving end that matches.
    /// Records a datagram UDP Lab sent. Its receiving end may have been
    /// reported first (another thread); then the two halves are joined.
    fn sent(&mut self, record: DatagramRecord) -> u64 {
        // A datagram the simulator dropped never arrived anywhere.
        if record.sim.dropped {
            return self.push_datagram(record);
        }
        let Some(id) = self.join_receive_only(&record) else {
            return self.push_datagram(record);
        };
        if record.sim.duplicated {
            // Both copies may have been read before the send was reported.
            self.join_receive_only(&record);
        }
        self.repair_overtaken(id);
        id
    }

    /// Gives `record`'s send to the newest matching record that so far has
    /// only its receiving end.
    fn join_receive_only(&mut self, record: &DatagramRecord) -> Option<u64> {
        if record.direction == Direction::Reply && self.no_client_nearby() {
            return None;
        }
        let d = self.datagrams.iter_mut().rev().take(256).find(|d| {
            d.sent_at.is_none()
                && d.direction == record.direction
                && d.from.port() == record.from.port()
                && d.to.port() == record.to.port()
                && (record.bytes.starts_with(&d.bytes)
                    // A traced script's send carries only the payload's
                    // start (the tracer's preview).
                    || (record.bytes.len() < record.len && d.bytes.starts_with(&record.bytes)))
                // Nothing arrives before it was sent.
                && !matches!((d.received_at, record.sent_at), (Some(r), Some(s)) if r < s)
        })?;
        d.sent_at = record.sent_at;
        if record.bytes.len() >= d.bytes.len() {
            d.bytes = record.bytes.clone();
        }
        d.len = record.len;
        d.sim = record.sim;
        d.client = record.client.or(d.client);
        d.sender_script = record.sender_script;
        Some(d.id)
    }

    /// A reordered datagram goes right after the one that overtakes it. When
    /// the overtaker's arrival was reported before its send (another thread),
    /// that arrival was taken for the held datagram's (same bytes, same
    /// ports). Seen now that `id` got its send: if the held one "arrived"
    /// after `id` was sent but before `id`'s own arrival, the two arrivals
    /// belong the other way round; swap them, in the trace too.
    /// Returns the held datagram's id when the arrivals were swapped.
    fn repair_overtaken(&mut self, id: u64) -> Option<u64> {
        let joined = self.datagram(id).cloned()?;
        let (Some(sent), Some(arrived)) = (joined.sent_at, joined.received_at) else {
            return None;
        };
        let held = self.datagrams.iter_mut().rev().take(256).find(|d| {
            d.id < id
                && d.sim.reordered
                && d.direction == joined.direction
                && d.from.port() == joined.from.port()
                && d.to.port() == joined.to.port()
                && d.bytes == joined.bytes
                && d.received_at.is_some_and(|r| r >= sent && r < arrived)
        })?;
        let held_id = held.id;
        let held_arrival = (held.received_at, held.from, held.truncated);
        (held.received_at, held.from, held.truncated) =
            (joined.received_at, joined.from, joined.truncated);
        if let Some(d) = self.datagrams.iter_mut().rev().find(|d| d.id == id) {
            (d.received_at, d.from, d.truncated) = held_arrival;
        }
        for row in self.trace.iter_mut().rev().take(1024) {
            if matches!(row.call, Call::RecvFrom { .. }) {
                if row.datagram == Some(id) {
                    row.datagram = Some(held_id);
                } else if row.datagram == Some(held_id) {
                    row.datagram = Some(id);
                }
            }
        }
        Some(held_id)
    }

    /// Records a datagram UDP Lab read with `recvfrom`: joins the record of
    /// its send when UDP Lab sent it too, and traces the call.
    fn received(
        &mut self,
        rx: &Received,
        local: SocketAddr,
        direction: Direction,
        client: Option<(u64, u32)>,
        side: Side,
        op: u64,
    ) {
        let truncated = rx.truncated.then_some(Truncation {
            read: rx.bytes.len(),
            buffer: rx.buffer,
        });
        let receiver_script = match side {
            Side::Script(run) => Some(run),
            _ => None,
        };
        let id = match self.find_unreceived(rx.from, local.port(), direction, &rx.bytes) {
            Some(d) => {
                d.receiver_script = receiver_script;
                d.received_at = Some(rx.at);
                d.from = rx.from;
                d.truncated = truncated;
                let id = d.id;
                // The overtaker's send may have come in after its arrival
                // was (wrongly) taken for the held datagram's: then this
                // arrival is the held one's.
                self.repair_overtaken(id).unwrap_or(id)
            }
            None => {
                // The second copy of a datagram the simulator duplicated:
                // a record of its own, with the send it shares.
                let copy_of = self
                    .duplicated_source(rx.from, local.port(), direction, &rx.bytes)
                    .map(|d| (d.sent_at, d.client, d.sim, d.sender_script));
                let (sent_at, from_client, sim, sender_script) = copy_of.unwrap_or_default();
                self.push_datagram(DatagramRecord {
                    id: 0,
                    direction,
                    from: rx.from,
                    to: local,
                    bytes: rx.bytes.clone(),
                    len: rx.len,
                    truncated,
                    sent_at,
                    received_at: Some(rx.at),
                    client: from_client.or(client),
                    gave_up_at: None,
                    sim,
                    sender_script,
                    receiver_script,
                    captured: None,
                })
            }
        };
        let recv = Call::RecvFrom {
            buffer: rx.buffer,
            read: rx.bytes.len(),
            len: rx.len,
            from: rx.from,
            truncated: rx.truncated,
        };
        self.trace(rx.at, side, op, recv, Some(id));
    }

    /// The server's joins (a request read, a reply sent) can only match
    /// records a client event made or joined, and only look at the newest
    /// 256 records. With none of those among them — a server flooded by
    /// other machines — the scans are skipped: they cost more than the rest
    /// of the datagram's bookkeeping.
    fn no_client_nearby(&self) -> bool {
        self.last_client_record + 256 <= self.next_id
    }

    fn find_unreceived(
        &mut self,
        from: SocketAddr,
        to_port: u16,
        direction: Direction,
        bytes: &[u8],
    ) -> Option<&mut DatagramRecord> {
        if direction == Direction::Request && self.no_client_nearby() {
            return None;
        }
        self.datagrams.iter_mut().rev().take(256).find(|d| {
            d.received_at.is_none()
                && !d.sim.dropped
                && d.direction == direction
                && d.from.port() == from.port()
                && d.to.port() == to_port
                && bytes.len() <= d.bytes.len()
                && d.bytes.starts_with(bytes)
        })
    }

    /// Whether the request (`op`, `seq`) reached UDP Lab's server and the
    /// server's simulator dropped the reply: then a timeout is the
    /// simulator's doing, not the network's. (A lock-step client has one
    /// exchange in flight, so a dropped reply to its port sent after the
    /// request is this one's.)
    pub fn reply_dropped_by_simulator(&self, op: u64, seq: u32) -> bool {
        let recent = || self.datagrams.iter().rev().take(256);
        let Some(request) =
            recent().find(|d| d.direction == Direction::Request && d.client == Some((op, seq)))
        else {
            return false;
        };
        !request.sim.dropped
            && recent().any(|d| {
                d.direction == Direction::Reply
                    && d.sim.dropped
                    && d.to.port() == request.from.port()
                    && d.from.port() == request.to.port()
                    && d.sent_at >= request.sent_at
            })
    }

    /// The sent, duplicated and already received datagram a second arrival
    /// is the copy of (only one copy each: the simulator sends two).
    fn duplicated_source(
        &self,
        from: SocketAddr,
        to_port: u16,
        direction: Direction,
        bytes: &[u8],
    ) -> Option<&DatagramRecord> {
        if direction == Direction::Request && self.no_client_nearby() {
            return None;
        }
        let recent = || self.datagrams.iter().rev().take(256);
        recent().find(|d| {
            d.sim.duplicated
                && d.sent_at.is_some()
                && d.received_at.is_some()
                && d.direction == direction
                && d.from.port() == from.port()
                && d.to.port() == to_port
                && d.bytes.starts_with(bytes)
                && d.client.is_some()
                && recent()
                    .filter(|o| o.client == d.client && o.direction == direction)
                    .count()
                    < 2
        })
    }
}

fn sockopt_call(opt: &crate::net::SockOpt) -> Call {
    Call::SetSockOpt {
        level: opt.level,
        name: opt.name,
        value: opt.value.clone(),
    }
}

fn unspecified() -> SocketAddr {
    SocketAddr::from(([0, 0, 0, 0], 0))
}

/// A socket bound to 0.0.0.0 or :: has no one address; for traffic with a
/// loopback peer the kernel uses the loopback address, so show that — and
/// 127.0.0.1 for loopback's broadcast address (127.255.255.255), which no
/// datagram comes from.
fn concrete(local: SocketAddr, peer: IpAddr) -> SocketAddr {
    if !(local.ip().is_unspecified() && peer.is_loopback()) {
        return local;
    }
    let ip = match peer {
        IpAddr::V4(v4) if v4.octets()[3] == 255 => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        _ => peer,
    };
    SocketAddr::new(ip, local.port())
}

#[cfg(test)]
mod tests;
