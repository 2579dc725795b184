//! TCP sockets on a port (Linux /proc/net/tcp{,6}): their states tell a
//! port held by a listening program from one held only by connections of
//! an earlier run in TIME_WAIT, which SO_REUSEADDR lets a server bind past.
//! Elsewhere the lists are empty and the message says only "in use".

use super::Holder;

/// The kernel's numbers for TCP states (include/net/tcp_states.h).
pub const TCP_TIME_WAIT: u8 = 0x06;
pub const TCP_LISTEN: u8 = 0x0A;

/// The states of the TCP sockets whose local port is `port`.
pub fn tcp_port_states(port: u16) -> Vec<u8> {
    rows(port).into_iter().map(|(_, state, _)| state).collect()
}

/// The TCP sockets listening on `port`, with their processes.
pub fn tcp_listeners(port: u16) -> Vec<Holder> {
    rows(port)
        .into_iter()
        .filter(|(_, state, _)| *state == TCP_LISTEN)
        .map(|(local, _, inode)| {
            #[cfg(target_os = "linux")]
            let pid = super::linux::owner(inode);
            #[cfg(not(target_os = "linux"))]
            let pid = {
                let _ = inode;
                None
            };
            let process = pid.and_then(|p| {
                std::fs::read_to_string(format!("/proc/{p}/comm"))
                    .ok()
                    .map(|s| s.trim().to_owned())
            });
            Holder {
                local,
                pid,
                process,
            }
        })
        .collect()
}

/// (local address, state, inode) of every TCP socket on `port`.
fn rows(port: u16) -> Vec<(std::net::SocketAddr, u8, u64)> {
    let mut found = Vec::new();
    if !cfg!(target_os = "linux") {
        return found;
    }
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let Some((local, inode)) = super::parse_proc_line(line) else {
                continue;
            };
            let state = line
                .split_whitespace()
                .nth(3)
                .and_then(|s| u8::from_str_radix(s, 16).ok());
            if let (true, Some(state)) = (local.port() == port, state) {
                found.push((local, state, inode));
            }
        }
    }
    found
}

// /proc/net/tcp is Linux's.
#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_listening_socket_of_ours_is_found_listening() {
        let Ok(listener) = std::net::TcpListener::bind("127.0.0.1:0") else {
            return;
        };
        let Ok(addr) = listener.local_addr() else {
            return;
        };
        assert_eq!(tcp_port_states(addr.port()), vec![TCP_LISTEN]);
        let mine = tcp_listeners(addr.port());
        assert_eq!(mine.len(), 1, "{mine:?}");
        assert_eq!(mine[0].pid, Some(std::process::id()));
    }
}
