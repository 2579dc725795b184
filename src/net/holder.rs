//! Who holds a UDP port, for "Port 12345 is already in use by python3 (pid
//! 4242)". Linux only, from /proc: the socket's inode in /proc/net/udp(6),
//! then the process whose descriptor points at it. Only processes we may
//! look into are found (our own, or all as root); otherwise None, and the
//! message just says the port is in use. Runs only after a failed bind.

use std::net::SocketAddr;

use super::error::Holder;

/// The process holding UDP `addr`'s port, if it can be found.
pub fn udp_port_holder(addr: SocketAddr) -> Option<Holder> {
    #[cfg(target_os = "linux")]
    {
        linux::holder(addr.port())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = addr;
        None
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use super::Holder;

    pub fn holder(port: u16) -> Option<Holder> {
        let inodes: Vec<u64> = ["/proc/net/udp", "/proc/net/udp6"]
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .flat_map(|table| inodes_on_port(&table, port))
            .collect();
        if inodes.is_empty() {
            return None;
        }
        let wanted: Vec<String> = inodes.iter().map(|i| format!("socket:[{i}]")).collect();
        let me = std::process::id();
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            if pid == me {
                continue;
            }
            let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
                continue;
            };
            let holds = fds.flatten().any(|fd| {
                std::fs::read_link(fd.path())
                    .is_ok_and(|target| wanted.iter().any(|w| target.as_os_str() == w.as_str()))
            });
            if holds {
                let name = std::fs::read_to_string(entry.path().join("comm"))
                    .map(|c| c.trim().to_owned())
                    .unwrap_or_else(|_| "another program".to_owned());
                return Some(Holder { name, pid });
            }
        }
        None
    }

    /// The inodes of the sockets bound to `port` in a /proc/net/udp table:
    /// "sl local_address rem_address st … uid timeout inode", the local
    /// address as hex "IP:PORT".
    pub fn inodes_on_port(table: &str, port: u16) -> Vec<u64> {
        table
            .lines()
            .skip(1)
            .filter_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let local_port = fields.get(1)?.rsplit_once(':')?.1;
                let p = u16::from_str_radix(local_port, 16).ok()?;
                let inode = fields.get(9)?.parse::<u64>().ok()?;
                (p == port && inode != 0).then_some(inode)
            })
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn finds_our_own_port_in_the_table() {
            let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
              1: 0100007F:3039 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 4242 2 0000000000000000 0\n\
              2: 0100007F:303A 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 4343 2 0000000000000000 0\n";
            assert_eq!(inodes_on_port(table, 12345), vec![4242]);
            assert!(inodes_on_port(table, 1).is_empty());
        }
    }
}
