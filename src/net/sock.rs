//! The few socket calls std does not offer portably: learning that a datagram
//! was truncated (and how long it really was), and hearing ICMP errors on an
//! unconnected socket.

use std::io;
use std::mem::MaybeUninit;
use std::net::SocketAddr;
use std::time::Duration;

use socket2::{Domain, MaybeUninitSlice, Protocol, SockAddr, Socket, Type};

use super::{Family, NetError};

/// `socket(AF_INET|AF_INET6, SOCK_DGRAM)`.
pub fn open(family: Family) -> Result<Socket, NetError> {
    let domain = match family {
        Family::V4 => Domain::IPV4,
        Family::V6 => Domain::IPV6,
    };
    Socket::new(domain, Type::DGRAM, Some(Protocol::UDP)).map_err(|e| NetError::Io {
        call: "socket",
        message: e.to_string(),
    })
}

/// `bind(addr)`, then the address the OS chose (port 0 becomes a real port).
pub fn bind(socket: &Socket, addr: SocketAddr) -> Result<SocketAddr, NetError> {
    socket
        .bind(&addr.into())
        .map_err(|e| NetError::from_io("bind", addr, &e))?;
    local_addr(socket).map_err(|e| NetError::Io {
        call: "getsockname",
        message: e.to_string(),
    })
}

pub fn local_addr(socket: &Socket) -> io::Result<SocketAddr> {
    socket
        .local_addr()?
        .as_socket()
        .ok_or_else(|| io::Error::other("not an IP socket"))
}

pub fn set_timeout(socket: &Socket, timeout: Duration) -> io::Result<()> {
    // A zero timeout means "block forever" to the OS.
    socket.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
}

/// What one `recvfrom` read.
#[derive(Clone, Copy, Debug)]
pub struct Read {
    pub from: SocketAddr,
    /// Bytes written into the buffer.
    pub read: usize,
    /// The datagram's length: real on Linux, `read` elsewhere.
    pub len: usize,
    pub truncated: bool,
}

impl Read {
    /// The datagram as workers report it: the bytes read from `buf`.
    pub fn received(&self, buf: &[u8]) -> super::Received {
        super::Received {
            from: self.from,
            bytes: std::sync::Arc::from(&buf[..self.read]),
            len: self.len,
            truncated: self.truncated,
            buffer: buf.len(),
            at: std::time::SystemTime::now(),
        }
    }
}

#[cfg(target_os = "linux")]
const TRUNC_FLAG: libc::c_int = libc::MSG_TRUNC;
#[cfg(not(target_os = "linux"))]
const TRUNC_FLAG: i32 = 0;

/// `recvfrom(buf.len())`, reporting truncation portably: Linux returns the
/// real length with MSG_TRUNC; elsewhere the flag in the message header (and
/// socket2 turns Windows' WSAEMSGSIZE error into that flag).
// unsafe: socket2 reads into `MaybeUninit` bytes; the cast below lends it ours.
#[allow(unsafe_code)]
pub fn recv_from(socket: &Socket, buf: &mut [u8]) -> io::Result<Read> {
    // SAFETY: `[u8]` and `[MaybeUninit<u8>]` have the same layout, and the
    // kernel only ever writes initialised bytes into the buffer.
    let uninit = unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) };
    let mut bufs = [MaybeUninitSlice::new(uninit)];
    let (n, flags, from) = socket.recv_from_vectored_with_flags(&mut bufs, TRUNC_FLAG)?;
    let from = from
        .as_socket()
        .ok_or_else(|| io::Error::other("datagram from a non-IP address"))?;
    let read = n.min(buf.len());
    let truncated = flags.is_truncated() || n > buf.len();
    Ok(Read {
        from,
        read,
        len: n.max(read),
        truncated,
    })
}

pub fn send_to(socket: &Socket, bytes: &[u8], to: SocketAddr) -> io::Result<usize> {
    socket.send_to(bytes, &SockAddr::from(to))
}

/// Linux only reports ICMP errors (port unreachable) to unconnected sockets
/// when IP_RECVERR is on; without it a send to a closed port looks like a
/// timeout. Windows reports them anyway (WSAECONNRESET).
// unsafe: setsockopt(IP_RECVERR) has no safe wrapper in socket2 or std.
#[allow(unsafe_code)]
pub fn report_icmp_errors(socket: &Socket, family: Family) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let (level, name) = match family {
            Family::V4 => (libc::IPPROTO_IP, libc::IP_RECVERR),
            Family::V6 => (libc::IPPROTO_IPV6, libc::IPV6_RECVERR),
        };
        let on: libc::c_int = 1;
        // SAFETY: a valid fd, option value pointer and length.
        let _ = unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                level,
                name,
                (&on as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (socket, family);
}

/// Whether a receive error only means "the timeout passed".
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Errors an unconnected server socket sees because of a *previous* send
/// (Windows reports ICMP port unreachable as WSAECONNRESET on the next recv).
pub fn is_stale_icmp(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionRefused
    )
}
