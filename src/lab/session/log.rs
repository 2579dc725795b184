//! The session's event log (what a saved session keeps) and the way a
//! capture's datagrams enter a session without calls (lab::capture).

use super::*;

/// Events kept for saving: a lesson's worth (the demo is a few hundred);
/// a flood keeps its newest events and counts the rest.
pub const MAX_LOG: usize = 60_000;

impl Session {
    pub(super) fn log_event(&mut self, event: &NetEvent) {
        if self.log.len() >= MAX_LOG {
            self.log.pop_front();
            self.log_dropped += 1;
        }
        self.log.push_back(event.clone());
    }

    /// Adds a datagram seen in a capture (no calls made it): its id is
    /// given here. Returns the id.
    pub fn push_captured(&mut self, record: DatagramRecord) -> u64 {
        self.push_datagram(record)
    }
}
