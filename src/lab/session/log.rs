//! The session's event log (what a saved session keeps) and the way a
//! capture's datagrams enter a session without calls (lab::capture).

use super::*;

/// Events kept for saving: a lesson's worth (the demo is a few hundred);
/// a flood keeps its newest events and counts the rest.
pub const MAX_LOG: usize = 60_000;
/// Payload bytes the log keeps: a flood of 64 KiB datagrams would
/// otherwise make a saved file of gigabytes.
pub const MAX_LOG_PAYLOAD: usize = 64 << 20;

/// The payload bytes an event carries.
fn payload(event: &NetEvent) -> usize {
    match event {
        NetEvent::Server(ev) => match &ev.kind {
            ServerEventKind::Datagram { rx, reply } => {
                rx.bytes.len()
                    + match reply {
                        Reply::Sent { bytes, .. } => bytes.len(),
                        _ => 0,
                    }
            }
            _ => 0,
        },
        NetEvent::Client(ev) => match &ev.kind {
            ClientEventKind::Sent { bytes, .. } => bytes.len(),
            ClientEventKind::Response { rx, .. } => rx.bytes.len(),
            _ => 0,
        },
        NetEvent::Script(_) => 0,
        NetEvent::Http(ev) => match &ev.kind {
            crate::net::http::HttpEventKind::Request(log) => log.raw.len(),
            crate::net::http::HttpEventKind::Fetched(f) => f
                .result
                .as_ref()
                .map_or(0, |r| r.bytes.len() + r.request.len()),
            _ => 0,
        },
        NetEvent::Tcp(ev) => match &ev.kind {
            crate::net::TcpEventKind::Sent { bytes, .. }
            | crate::net::TcpEventKind::Received { bytes, .. } => bytes.len(),
            _ => 0,
        },
    }
}

impl Session {
    pub(super) fn log_event(&mut self, event: &NetEvent) {
        let size = payload(event);
        while !self.log.is_empty()
            && (self.log.len() >= MAX_LOG || self.log_payload + size > MAX_LOG_PAYLOAD)
        {
            if let Some(old) = self.log.pop_front() {
                self.log_payload = self.log_payload.saturating_sub(payload(&old));
            }
            self.log_dropped += 1;
        }
        self.log_payload += size;
        self.log.push_back(event.clone());
    }

    /// Adds a datagram seen in a capture (no calls made it): its id is
    /// given here. Returns the id.
    pub fn push_captured(&mut self, record: DatagramRecord) -> u64 {
        self.push_datagram(record)
    }
}
