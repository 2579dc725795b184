//! The network simulator: what it did to one datagram UDP Lab sent.
//! (The impairment engine and its scheduler thread build on this type.)

use std::time::Duration;

/// The fate the simulator gave one sent datagram. The default is "sent as is".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimFate {
    /// Never handed to the OS.
    pub dropped: bool,
    /// Held back this long before `sendto`.
    pub delay: Duration,
    /// Sent twice.
    pub duplicated: bool,
    /// Held back so that a later datagram overtakes it.
    pub reordered: bool,
}

impl SimFate {
    pub fn is_impaired(&self) -> bool {
        *self != SimFate::default()
    }
}
