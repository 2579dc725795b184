//! Who holds a TCP port on this machine (Linux: /proc/net/tcp{,6}): the
//! listening sockets, with their processes, and how many connections on
//! the port are in TIME_WAIT — why a server restarted at once gets
//! "Address already in use" with nothing listening. Elsewhere it knows
//! nothing (empty, and `known` false).

use super::Holder;

/// The TCP sockets on one local port.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TcpPort {
    /// The table could be read (an empty list then means "nobody").
    pub known: bool,
    pub listeners: Vec<Holder>,
    /// Connections with this local port in TIME_WAIT.
    pub time_wait: usize,
}

/// /proc/net/tcp's state numbers.
const TIME_WAIT: &str = "06";
const LISTEN: &str = "0A";

/// A line's state field (the fourth).
pub fn proc_state(line: &str) -> Option<&str> {
    line.split_whitespace().nth(3)
}

pub fn tcp_port(port: u16) -> TcpPort {
    #[cfg(target_os = "linux")]
    {
        let mut found = TcpPort::default();
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            let Ok(text) = std::fs::read_to_string(table) else {
                continue;
            };
            found.known = true;
            for line in text.lines().skip(1) {
                let Some((local, inode)) = super::parse_proc_line(line) else {
                    continue;
                };
                if local.port() != port {
                    continue;
                }
                match proc_state(line) {
                    Some(TIME_WAIT) => found.time_wait += 1,
                    Some(LISTEN) => {
                        let pid = super::linux::owner(inode);
                        let process = pid.and_then(|p| {
                            std::fs::read_to_string(format!("/proc/{p}/comm"))
                                .ok()
                                .map(|s| s.trim().to_owned())
                        });
                        found.listeners.push(Holder {
                            local,
                            pid,
                            process,
                        });
                    }
                    _ => {}
                }
            }
        }
        found
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = port;
        TcpPort::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_field_is_read() {
        let line = "   0: 0100007F:3039 0100007F:C350 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000";
        assert_eq!(proc_state(line), Some(TIME_WAIT));
        assert_eq!(proc_state("x"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn our_listener_is_found_with_our_pid() {
        let Ok(listener) = std::net::TcpListener::bind("127.0.0.1:0") else {
            return;
        };
        let Ok(addr) = listener.local_addr() else {
            return;
        };
        let port = tcp_port(addr.port());
        assert!(port.known);
        let me = port.listeners.iter().find(|h| h.local == addr);
        assert_eq!(me.and_then(|h| h.pid), Some(std::process::id()), "{port:?}");
    }
}
