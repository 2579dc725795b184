//! Socket errors in plain words, with the context the user needs to act.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use super::AddrError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetError {
    Addr(AddrError),
    /// The host name did not resolve.
    Resolve {
        host: String,
    },
    /// `bind` failed because another socket holds the port.
    AddrInUse {
        addr: SocketAddr,
    },
    /// `bind` to a privileged port (< 1024) without rights, or a firewall said no.
    PermissionDenied {
        addr: SocketAddr,
    },
    /// `bind` to an address this machine does not have.
    AddrNotAvailable {
        addr: SocketAddr,
    },
    /// ICMP port unreachable came back: no socket is bound there.
    Unreachable {
        addr: SocketAddr,
    },
    /// No answer in time.
    TimedOut {
        after: Duration,
    },
    /// The datagram is longer than UDP allows.
    TooLong {
        len: usize,
    },
    /// Anything else: the socket call that failed and the OS's words.
    Io {
        call: &'static str,
        message: String,
    },
}

impl NetError {
    /// Classifies an OS error from `call` on a socket that talks to `addr`.
    pub fn from_io(call: &'static str, addr: SocketAddr, err: &io::Error) -> Self {
        match err.kind() {
            io::ErrorKind::AddrInUse => NetError::AddrInUse { addr },
            io::ErrorKind::PermissionDenied => NetError::PermissionDenied { addr },
            io::ErrorKind::AddrNotAvailable => NetError::AddrNotAvailable { addr },
            io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset => {
                NetError::Unreachable { addr }
            }
            io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => NetError::Io {
                call,
                message: format!("{addr} cannot be reached ({err})"),
            },
            _ if err.raw_os_error() == Some(MSG_TOO_LONG) => NetError::TooLong { len: 0 },
            _ => NetError::Io {
                call,
                message: err.to_string(),
            },
        }
    }
}

#[cfg(unix)]
const MSG_TOO_LONG: i32 = 90; // EMSGSIZE on Linux
#[cfg(not(unix))]
const MSG_TOO_LONG: i32 = 10040; // WSAEMSGSIZE

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::Addr(e) => e.fmt(f),
            NetError::Resolve { host } => write!(f, "Cannot find the host \"{host}\""),
            NetError::AddrInUse { addr } => write!(f, "Port {} is already in use", addr.port()),
            NetError::PermissionDenied { addr } if addr.port() < 1024 && addr.port() != 0 => {
                write!(
                    f,
                    "Port {} needs administrator rights (ports below 1024 are privileged)",
                    addr.port()
                )
            }
            NetError::PermissionDenied { addr } => write!(f, "Not allowed to use {addr}"),
            NetError::AddrNotAvailable { addr } => {
                write!(f, "This computer has no address {}", addr.ip())
            }
            NetError::Unreachable { addr } => {
                write!(f, "Nothing is listening at {addr} (ICMP port unreachable)")
            }
            NetError::TimedOut { after } => {
                write!(f, "No server answered within {}", fmt_secs(*after))
            }
            NetError::TooLong { .. } => write!(
                f,
                "The message is too long for one UDP datagram (at most {} bytes)",
                super::MAX_DATAGRAM
            ),
            NetError::Io { call, message } => write!(f, "{call} failed: {message}"),
        }
    }
}

impl std::error::Error for NetError {}

impl From<AddrError> for NetError {
    fn from(e: AddrError) -> Self {
        NetError::Addr(e)
    }
}

/// "2 s", "0.5 s", "1.25 s".
pub fn fmt_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    let text = format!("{s:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_like_the_issue() {
        let a: SocketAddr = "127.0.0.1:12345".parse().expect("literal");
        assert_eq!(
            NetError::AddrInUse { addr: a }.to_string(),
            "Port 12345 is already in use"
        );
        let nine: SocketAddr = "127.0.0.1:9".parse().expect("literal");
        assert_eq!(
            NetError::Unreachable { addr: nine }.to_string(),
            "Nothing is listening at 127.0.0.1:9 (ICMP port unreachable)"
        );
        assert_eq!(
            NetError::TimedOut {
                after: Duration::from_secs(2)
            }
            .to_string(),
            "No server answered within 2 s"
        );
        assert_eq!(fmt_secs(Duration::from_millis(50)), "0.05 s");
    }
}
