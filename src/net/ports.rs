//! Who holds a UDP port on this machine (Linux: /proc/net/udp and the
//! processes' descriptors; Windows: GetExtendedUdpTable). Used to name the program in "Address already
//! in use" and to tell a datagram sent where nothing listens. Elsewhere it
//! knows nothing and says so (an empty list).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// A UDP socket bound on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub local: SocketAddr,
    /// The process, when its descriptors could be read.
    pub pid: Option<u32>,
    /// Its name (/proc/PID/comm).
    pub process: Option<String>,
}

impl Holder {
    /// Whether a datagram sent to `to` would reach this socket.
    pub fn receives(&self, to: SocketAddr) -> bool {
        self.local.port() == to.port()
            && (self.local.ip().is_unspecified() || self.local.ip() == to.ip())
    }
}

/// The UDP sockets bound to `port`, with their processes.
pub fn udp_holders(port: u16) -> Vec<Holder> {
    #[cfg(target_os = "linux")]
    {
        linux::holders(port)
    }
    #[cfg(windows)]
    {
        windows::holders(port)
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    {
        let _ = port;
        Vec::new()
    }
}

/// Whether this machine can tell (so an empty list means "nobody").
pub fn can_tell() -> bool {
    #[cfg(windows)]
    {
        windows::can_tell()
    }
    #[cfg(not(windows))]
    {
        cfg!(target_os = "linux") && std::path::Path::new("/proc/net/udp").exists()
    }
}

// The table's parsing is tested on every OS.
#[cfg(any(windows, test))]
mod windows;

// TCP's table: the states of the sockets on a port (TIME_WAIT, LISTEN).
mod tcp;
pub use tcp::{TCP_LISTEN, TCP_TIME_WAIT, tcp_listeners, tcp_port_states};

fn parse_v4(hex: &str) -> Option<IpAddr> {
    let v = u32::from_str_radix(hex, 16).ok()?;
    Some(IpAddr::V4(Ipv4Addr::from(v.to_ne_bytes())))
}

fn parse_v6(hex: &str) -> Option<IpAddr> {
    if hex.len() != 32 {
        return None;
    }
    let mut bytes = [0u8; 16];
    for (i, chunk) in bytes.chunks_mut(4).enumerate() {
        let word = u32::from_str_radix(hex.get(i * 8..i * 8 + 8)?, 16).ok()?;
        chunk.copy_from_slice(&word.to_ne_bytes());
    }
    Some(IpAddr::V6(Ipv6Addr::from(bytes)))
}

/// One line of /proc/net/udp{,6}: the local address and the inode.
pub fn parse_proc_line(line: &str) -> Option<(SocketAddr, u64)> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let (ip, port) = fields.get(1)?.split_once(':')?;
    let ip = if ip.len() == 8 {
        parse_v4(ip)?
    } else {
        parse_v6(ip)?
    };
    let port = u16::from_str_radix(port, 16).ok()?;
    let inode = fields.get(9)?.parse().ok()?;
    Some((SocketAddr::new(ip, port), inode))
}

#[cfg(target_os = "linux")]
mod linux {
    use super::*;

    pub(super) fn owner(inode: u64) -> Option<u32> {
        let wanted = format!("socket:[{inode}]");
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
                continue;
            };
            for fd in fds.flatten() {
                if std::fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == wanted.as_str()) {
                    return Some(pid);
                }
            }
        }
        None
    }

    pub fn holders(port: u16) -> Vec<Holder> {
        let mut found = Vec::new();
        for table in ["/proc/net/udp", "/proc/net/udp6"] {
            let Ok(text) = std::fs::read_to_string(table) else {
                continue;
            };
            for (local, inode) in text.lines().skip(1).filter_map(parse_proc_line) {
                if local.port() != port {
                    continue;
                }
                let pid = owner(inode);
                let process = pid.and_then(|p| {
                    std::fs::read_to_string(format!("/proc/{p}/comm"))
                        .ok()
                        .map(|s| s.trim().to_owned())
                });
                found.push(Holder {
                    local,
                    pid,
                    process,
                });
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_lines_are_read() {
        let line = "  123: 0100007F:3039 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 45678 2 0000000000000000 0";
        if cfg!(target_endian = "little") {
            assert_eq!(
                parse_proc_line(line),
                Some((
                    "127.0.0.1:12345".parse().unwrap_or_else(|_| unreachable!()),
                    45678
                ))
            );
        }
        assert_eq!(parse_proc_line("garbage"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn our_own_socket_is_found_with_our_pid() {
        let Ok(sock) = std::net::UdpSocket::bind("127.0.0.1:0") else {
            return;
        };
        let Ok(addr) = sock.local_addr() else { return };
        let holders = udp_holders(addr.port());
        let me = holders.iter().find(|h| h.local == addr);
        assert_eq!(
            me.and_then(|h| h.pid),
            Some(std::process::id()),
            "{holders:?}"
        );
        assert!(me.is_some_and(|h| h.receives(addr)));
    }
}
