//! Socket errors in plain words, with the context the user needs to act.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::AddrError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NetError {
    Addr(AddrError),
    /// The host name did not resolve.
    Resolve {
        host: String,
    },
    /// `bind` failed because another socket holds the port; `holder` names
    /// the process when the OS lets us see it (Linux, our own processes or
    /// root).
    AddrInUse {
        addr: SocketAddr,
        holder: Option<Holder>,
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
        #[serde(with = "static_call")]
        call: CallName,
        message: String,
    },
    /// ICMP host unreachable (or no ARP/neighbour answer): nothing at that
    /// address answered.
    HostUnreachable {
        addr: SocketAddr,
    },
    /// No route: the address is on no network this computer is connected to.
    NetUnreachable {
        addr: SocketAddr,
    },
    /// ICMP "administratively prohibited" (type 3 code 9, 10 or 13; ICMPv6
    /// type 1 code 1, 5 or 6): a firewall rejected the datagram.
    Prohibited {
        addr: SocketAddr,
    },
    /// The timeout passed with no answer and no error from the network.
    NoAnswer {
        to: SocketAddr,
        after: Duration,
    },
    /// `sendto` a broadcast address without `SO_BROADCAST` (EACCES).
    BroadcastOff {
        addr: SocketAddr,
    },
    // TCP (issue 27).
    /// `connect` was refused: the peer's kernel answered the SYN with an
    /// RST because nothing listens there (TCP's answer, not ICMP).
    Refused {
        addr: SocketAddr,
    },
    /// `connect` got no answer to its SYN within `after`.
    ConnectTimedOut {
        addr: SocketAddr,
        after: Duration,
    },
    /// The peer reset the connection (an RST: it closed with unread data,
    /// or crashed); bytes in flight are lost.
    Reset {
        addr: SocketAddr,
    },
    /// `bind` failed with "address in use" and only connections of an
    /// earlier run in TIME_WAIT hold the port (`reuse`: SO_REUSEADDR was on).
    TimeWait {
        addr: SocketAddr,
        reuse: bool,
    },
}

/// The failed call's name ("recvfrom"). An alias, not `&'static str`
/// written out: serde's derive would borrow a field spelled as a reference.
pub type CallName = &'static str;

/// Serde for the failed call's name: a `&'static str` in memory, text in a
/// file; a name read back is one of the calls UDP Lab makes, or "socket call".
mod static_call {
    use serde::{Deserialize, Deserializer, Serializer};

    const KNOWN: &[&str] = &[
        "socket",
        "bind",
        "listen",
        "accept",
        "connect",
        "send",
        "sendall",
        "sendto",
        "recv",
        "recvfrom",
        "shutdown",
        "close",
        "getsockname",
        "thread spawn",
        "setsockopt",
        "setsockopt(SO_RCVTIMEO)",
        "setsockopt(SO_SNDTIMEO)",
        "setsockopt(SO_BROADCAST)",
        "setsockopt(SO_REUSEADDR)",
    ];

    pub fn serialize<S: Serializer>(call: &&'static str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(call)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
        let name = String::deserialize(d)?;
        Ok(KNOWN
            .iter()
            .copied()
            .find(|k| *k == name)
            .unwrap_or("socket call"))
    }
}

/// `call` failed with an error nothing above names: the OS's words.
pub fn io_error(call: &'static str, addr: SocketAddr, err: &io::Error) -> NetError {
    match NetError::from_io(call, addr, err) {
        // For TCP these are not ICMP (see super::tcp::tcp_error).
        NetError::Unreachable { .. } => NetError::Io {
            call,
            message: err.to_string(),
        },
        other => other,
    }
}

/// The process that holds a port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub name: String,
    pub pid: u32,
}

/// What the kernel's error queue (Linux `IP_RECVERR`) said about a datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpReport {
    /// The errno the kernel attached (ECONNREFUSED, EHOSTUNREACH, …).
    pub errno: i32,
    /// ICMP (v4) or ICMPv6 origin; false for a locally made error.
    pub icmp: bool,
    pub v6: bool,
    pub icmp_type: u8,
    pub code: u8,
}

impl NetError {
    /// Nothing answered within `after`: naming where the request went when
    /// it is known (the firewall hint needs the address).
    pub fn no_answer(to: Option<SocketAddr>, after: Duration) -> Self {
        match to {
            Some(to) => NetError::NoAnswer { to, after },
            None => NetError::TimedOut { after },
        }
    }

    /// Classifies an OS error from `call` on a socket that talks to `addr`.
    pub fn from_io(call: &'static str, addr: SocketAddr, err: &io::Error) -> Self {
        match os_kind(err) {
            io::ErrorKind::AddrInUse => NetError::AddrInUse { addr, holder: None },
            io::ErrorKind::PermissionDenied => NetError::PermissionDenied { addr },
            io::ErrorKind::AddrNotAvailable => NetError::AddrNotAvailable { addr },
            io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset => {
                NetError::Unreachable { addr }
            }
            io::ErrorKind::HostUnreachable => NetError::HostUnreachable { addr },
            io::ErrorKind::NetworkUnreachable => NetError::NetUnreachable { addr },
            _ if is_too_long(err.raw_os_error()) => NetError::TooLong { len: 0 },
            _ => NetError::Io {
                call,
                message: err.to_string(),
            },
        }
    }
}

impl NetError {
    /// Classifies what the error queue said. The errno alone cannot tell a
    /// firewall from a missing host: Linux reports "administratively
    /// prohibited" as EHOSTUNREACH ("No route to host"), so the ICMP type
    /// and code decide when the kernel gives them.
    pub fn from_icmp(call: &'static str, addr: SocketAddr, report: &IcmpReport) -> Self {
        if report.icmp {
            let (t, c) = (report.icmp_type, report.code);
            let kind = if !report.v6 && t == 3 {
                match c {
                    3 => Some(NetError::Unreachable { addr }),
                    0 | 6 | 11 => Some(NetError::NetUnreachable { addr }),
                    1 | 7 | 12 => Some(NetError::HostUnreachable { addr }),
                    9 | 10 | 13 => Some(NetError::Prohibited { addr }),
                    _ => None,
                }
            } else if report.v6 && t == 1 {
                match c {
                    4 => Some(NetError::Unreachable { addr }),
                    0 => Some(NetError::NetUnreachable { addr }),
                    3 => Some(NetError::HostUnreachable { addr }),
                    1 | 5 | 6 => Some(NetError::Prohibited { addr }),
                    _ => None,
                }
            } else {
                None
            };
            if let Some(kind) = kind {
                return kind;
            }
        }
        NetError::from_io(call, addr, &io::Error::from_raw_os_error(report.errno))
    }
}

/// EMSGSIZE on Linux.
const EMSGSIZE: i32 = 90;
/// A datagram longer than the buffer: Windows fails `recvfrom` with it
/// (Python: `OSError: [WinError 10040]`).
const WSAEMSGSIZE: i32 = 10040;

fn is_too_long(code: Option<i32>) -> bool {
    code == Some(WSAEMSGSIZE) || (cfg!(unix) && code == Some(EMSGSIZE))
}

/// The kind of an OS error, Winsock's codes included whatever the OS: a
/// traced Windows script reports them, and the Windows mapping is tested on
/// every OS. Errno values stay far below 10000, so on Linux and macOS this
/// is `err.kind()`.
pub fn os_kind(err: &io::Error) -> io::ErrorKind {
    err.raw_os_error()
        .and_then(winsock_kind)
        .unwrap_or_else(|| err.kind())
}

/// Winsock's codes for what a UDP socket meets, as the kinds std gives them.
fn winsock_kind(code: i32) -> Option<io::ErrorKind> {
    use io::ErrorKind as K;
    Some(match code {
        10013 => K::PermissionDenied,   // WSAEACCES
        10035 => K::WouldBlock,         // WSAEWOULDBLOCK
        10048 => K::AddrInUse,          // WSAEADDRINUSE
        10049 => K::AddrNotAvailable,   // WSAEADDRNOTAVAIL
        10051 => K::NetworkUnreachable, // WSAENETUNREACH
        // WSAECONNRESET: on a UDP socket, the ICMP port unreachable that an
        // earlier sendto drew, reported by the next recvfrom.
        10054 => K::ConnectionReset,
        10060 => K::TimedOut,          // WSAETIMEDOUT
        10061 => K::ConnectionRefused, // WSAECONNREFUSED
        10065 => K::HostUnreachable,   // WSAEHOSTUNREACH
        _ => return None,
    })
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::Addr(e) => e.fmt(f),
            NetError::Resolve { host } => write!(f, "Cannot find the host \"{host}\""),
            NetError::AddrInUse {
                addr,
                holder: Some(h),
            } => write!(
                f,
                "Port {} is already in use by {} (pid {})",
                addr.port(),
                h.name,
                h.pid
            ),
            NetError::AddrInUse { addr, holder: None } => {
                write!(f, "Port {} is already in use", addr.port())
            }
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
            NetError::HostUnreachable { addr } => write!(
                f,
                "No computer answered at {}: it may be off, or the address is wrong",
                addr.ip()
            ),
            NetError::NetUnreachable { addr } => write!(
                f,
                "{} is not on any network this computer is connected to",
                addr.ip()
            ),
            NetError::Prohibited { addr } => write!(
                f,
                "A firewall on the way refused the datagram to {addr} (ICMP administratively prohibited)"
            ),
            NetError::NoAnswer { to, after } => write!(
                f,
                "No server answered within {}: no answer and no error. The server may be stopped, \
                 or a firewall drops UDP silently — on Windows allow UDP port {} in Windows \
                 Defender Firewall; on Linux check ufw/nft",
                fmt_secs(*after),
                to.port()
            ),
            NetError::BroadcastOff { addr } => write!(
                f,
                "{} is a broadcast address: turn Broadcast on (SO_BROADCAST; --broadcast on the command line) to send to it",
                addr.ip()
            ),
            NetError::Refused { addr } => write!(
                f,
                "Connection refused: nothing listens at {addr} (its kernel answered with a TCP RST, not ICMP)"
            ),
            NetError::ConnectTimedOut { addr, after } => write!(
                f,
                "No answer to connect({addr}) within {}: the SYN went unanswered (a firewall may drop it, or the host is off)",
                fmt_secs(*after)
            ),
            NetError::Reset { addr } => write!(
                f,
                "The connection with {addr} was reset (an RST came): the peer closed with unread data or ended abruptly"
            ),
            NetError::TimeWait { addr, reuse: false } => write!(
                f,
                "Port {} is still held by connections of the last run in TIME_WAIT (about a minute after close); set SO_REUSEADDR before bind to listen anyway",
                addr.port()
            ),
            NetError::TimeWait { addr, reuse: true } => write!(
                f,
                "Port {} is held by connections in TIME_WAIT even with SO_REUSEADDR",
                addr.port()
            ),
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

    /// Windows' recvfrom errors, by their Winsock codes: testable here too.
    #[test]
    fn winsock_errors_map_to_what_the_lab_says() {
        let a: SocketAddr = "127.0.0.1:12345".parse().expect("literal");
        let wsa = io::Error::from_raw_os_error;
        // ICMP port unreachable arrives as WSAECONNRESET on the next recvfrom.
        let reset = NetError::from_io("recvfrom", a, &wsa(10054));
        assert_eq!(reset, NetError::Unreachable { addr: a });
        assert!(
            reset
                .to_string()
                .starts_with("Nothing is listening at 127.0.0.1:12345"),
            "{reset}"
        );
        assert_eq!(
            NetError::from_io("recvfrom", a, &wsa(10040)),
            NetError::TooLong { len: 0 }
        );
        assert_eq!(
            NetError::from_io("bind", a, &wsa(10048)),
            NetError::AddrInUse {
                addr: a,
                holder: None
            }
        );
        assert_eq!(
            NetError::from_io("sendto", a, &wsa(10065)),
            NetError::HostUnreachable { addr: a }
        );
        assert_eq!(
            NetError::from_io("sendto", a, &wsa(10051)),
            NetError::NetUnreachable { addr: a }
        );
        assert_eq!(os_kind(&wsa(10060)), io::ErrorKind::TimedOut);
        // Errno values are left to std.
        assert_eq!(
            os_kind(&io::Error::from(io::ErrorKind::ConnectionRefused)),
            io::ErrorKind::ConnectionRefused
        );
    }

    #[test]
    fn messages_read_like_the_issue() {
        let a: SocketAddr = "127.0.0.1:12345".parse().expect("literal");
        assert_eq!(
            NetError::AddrInUse {
                addr: a,
                holder: None
            }
            .to_string(),
            "Port 12345 is already in use"
        );
        let python = Some(Holder {
            name: "python3".into(),
            pid: 4242,
        });
        assert_eq!(
            NetError::AddrInUse {
                addr: a,
                holder: python
            }
            .to_string(),
            "Port 12345 is already in use by python3 (pid 4242)"
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

    #[test]
    fn icmp_type_and_code_decide() {
        let a: SocketAddr = "10.0.0.99:12345".parse().expect("literal");
        let v4 = |code, errno| IcmpReport {
            errno,
            icmp: true,
            v6: false,
            icmp_type: 3,
            code,
        };
        // Linux says EHOSTUNREACH for a firewall's reject too.
        assert_eq!(
            NetError::from_icmp("recvfrom", a, &v4(13, 113)),
            NetError::Prohibited { addr: a }
        );
        assert_eq!(
            NetError::from_icmp("recvfrom", a, &v4(10, 113)),
            NetError::Prohibited { addr: a }
        );
        assert_eq!(
            NetError::from_icmp("recvfrom", a, &v4(1, 113)),
            NetError::HostUnreachable { addr: a }
        );
        assert_eq!(
            NetError::from_icmp("recvfrom", a, &v4(3, 111)),
            NetError::Unreachable { addr: a }
        );
        assert_eq!(
            NetError::from_icmp("recvfrom", a, &v4(0, 101)),
            NetError::NetUnreachable { addr: a }
        );
        let local = IcmpReport {
            icmp: false,
            ..v4(0, 101)
        };
        if cfg!(target_os = "linux") {
            // 101 is ENETUNREACH on Linux only.
            assert_eq!(
                NetError::from_icmp("sendto", a, &local),
                NetError::NetUnreachable { addr: a }
            );
        }
        assert_eq!(
            NetError::HostUnreachable { addr: a }.to_string(),
            "No computer answered at 10.0.0.99: it may be off, or the address is wrong"
        );
    }
}
