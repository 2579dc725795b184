//! Who holds a UDP port, for "Port 12345 is already in use by python3 (pid
//! 4242)": the first process other than this one that `ports` finds bound
//! to the port (Linux /proc, only processes we may look into; Windows
//! GetExtendedUdpTable). None elsewhere, and the message just says the
//! port is in use. Runs only after a failed bind.

use std::net::SocketAddr;

use super::error::Holder;

/// The process holding UDP `addr`'s port, if it can be found.
pub fn udp_port_holder(addr: SocketAddr) -> Option<Holder> {
    let me = std::process::id();
    super::ports::udp_holders(addr.port())
        .into_iter()
        .find_map(|h| match (h.pid, h.process) {
            (Some(pid), Some(name)) if pid != me => Some(Holder { name, pid }),
            _ => None,
        })
}

/// The process listening on TCP `addr`'s port, if it can be found.
pub fn tcp_port_holder(addr: SocketAddr) -> Option<Holder> {
    let me = std::process::id();
    super::ports::tcp_listeners(addr.port())
        .into_iter()
        .find_map(|h| match (h.pid, h.process) {
            (Some(pid), Some(name)) if pid != me => Some(Holder { name, pid }),
            _ => None,
        })
}
