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
    socket.bind(&addr.into()).map_err(|e| {
        let mut error = NetError::from_io("bind", addr, &e);
        if let NetError::AddrInUse { holder, .. } = &mut error {
            *holder = super::holder::udp_port_holder(addr);
        }
        error
    })?;
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
    /// When the call returned (a batch's datagrams share their call's time).
    pub at: std::time::SystemTime,
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
            at: self.at,
        }
    }
}

#[cfg(target_os = "linux")]
const TRUNC_FLAG: libc::c_int = libc::MSG_TRUNC;
#[cfg(not(target_os = "linux"))]
const TRUNC_FLAG: i32 = 0;

/// `recvfrom(buf.len())`, reporting truncation portably: Linux returns the
/// real length with MSG_TRUNC; elsewhere the flag in the message header.
/// Windows reads through [`windows_recv`].
pub fn recv_from(socket: &Socket, buf: &mut [u8]) -> io::Result<Read> {
    #[cfg(windows)]
    if buf.len() < WHOLE {
        return windows_recv(socket, buf);
    }
    recv_direct(socket, buf)
}

/// Longer than any UDP datagram (65507 bytes over IPv4, 65527 over IPv6).
#[cfg(windows)]
const WHOLE: usize = 1 << 16;

/// Windows fills a short buffer and fails the call with WSAEMSGSIZE
/// (Python: `OSError: [WinError 10040]`), without saying how long the
/// datagram was (socket2 then reports 0 bytes read). So the datagram is read
/// whole into a 64 KiB buffer, and its first `buf.len()` bytes are what the
/// short `recvfrom` would have left in `buf`: the bytes shown, the real
/// length, flagged truncated, as on Linux.
#[cfg(windows)]
// The initializer is const already; clippy 1.96 (Debian's, the Windows
// build's) flags it all the same.
#[allow(clippy::missing_const_for_thread_local)]
fn windows_recv(socket: &Socket, buf: &mut [u8]) -> io::Result<Read> {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with_borrow_mut(|scratch| {
        scratch.resize(WHOLE, 0);
        let whole = recv_direct(socket, scratch)?;
        Ok(shorten(whole, scratch, buf))
    })
}

/// What a `recvfrom(buf.len())` of the datagram `whole` (read into `from`)
/// leaves in `buf`.
#[cfg_attr(not(windows), allow(dead_code))]
fn shorten(whole: Read, from: &[u8], buf: &mut [u8]) -> Read {
    let read = whole.read.min(buf.len());
    buf[..read].copy_from_slice(&from[..read]);
    Read {
        read,
        truncated: whole.truncated || whole.len > buf.len(),
        ..whole
    }
}

// unsafe: socket2 reads into `MaybeUninit` bytes; the cast below lends it ours.
#[allow(unsafe_code)]
fn recv_direct(socket: &Socket, buf: &mut [u8]) -> io::Result<Read> {
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
        at: std::time::SystemTime::now(),
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
        super::error::os_kind(e),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Errors an unconnected server socket sees because of a *previous* send
/// (Windows reports ICMP port unreachable as WSAECONNRESET on the next recv).
pub fn is_stale_icmp(e: &io::Error) -> bool {
    matches!(
        super::error::os_kind(e),
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionRefused
    )
}

/// Reads one report from the socket's error queue (Linux `IP_RECVERR`): the
/// ICMP type and code behind an errno, so "No route to host" can be told
/// apart from a firewall's "administratively prohibited". None when the
/// queue is empty or the OS has none.
pub fn take_icmp_report(socket: &Socket) -> Option<super::error::IcmpReport> {
    #[cfg(target_os = "linux")]
    {
        errqueue::take(socket)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = socket;
        None
    }
}

/// Classifies an error from `call`: by the error queue's ICMP report when
/// there is one, else by the errno.
pub fn classify(
    socket: &Socket,
    call: &'static str,
    addr: SocketAddr,
    err: &io::Error,
) -> NetError {
    match take_icmp_report(socket) {
        Some(report) => NetError::from_icmp(call, addr, &report),
        None => NetError::from_io(call, addr, err),
    }
}

#[cfg(target_os = "linux")]
mod errqueue {
    use std::os::fd::AsRawFd;

    use socket2::Socket;

    use crate::net::error::IcmpReport;

    // unsafe: recvmsg(MSG_ERRQUEUE) and walking its control messages are
    // libc calls with no safe wrapper in socket2 or std.
    #[allow(unsafe_code)]
    pub fn take(socket: &Socket) -> Option<IcmpReport> {
        let mut data = [0u8; 512];
        let mut iov = libc::iovec {
            iov_base: data.as_mut_ptr().cast(),
            iov_len: data.len(),
        };
        // Room for a sock_extended_err and the offender's address, aligned.
        let mut control = [0u64; 64];
        let mut name: libc::sockaddr_storage =
            // SAFETY: sockaddr_storage is plain data; all zeroes is valid.
            unsafe { std::mem::zeroed() };
        // SAFETY: msghdr is plain data; all zeroes is valid.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_name = (&mut name as *mut libc::sockaddr_storage).cast();
        msg.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&control);
        // SAFETY: every pointer in msg points at a live local buffer of the
        // stated length; MSG_DONTWAIT never blocks.
        let n = unsafe {
            libc::recvmsg(
                socket.as_raw_fd(),
                &mut msg,
                libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT,
            )
        };
        if n < 0 {
            return None;
        }
        // SAFETY: msg was filled by recvmsg; the CMSG macros stay within
        // msg_controllen.
        let mut cmsg = unsafe { libc::CMSG_FIRSTHDR(&msg) };
        while !cmsg.is_null() {
            // SAFETY: cmsg is non-null and inside the control buffer.
            let header = unsafe { &*cmsg };
            let v4 = header.cmsg_level == libc::IPPROTO_IP && header.cmsg_type == libc::IP_RECVERR;
            let v6 =
                header.cmsg_level == libc::IPPROTO_IPV6 && header.cmsg_type == libc::IPV6_RECVERR;
            if v4 || v6 {
                // SAFETY: for IP(V6)_RECVERR the data is a sock_extended_err;
                // read_unaligned because the buffer promises no alignment.
                let ee = unsafe {
                    std::ptr::read_unaligned(
                        libc::CMSG_DATA(cmsg).cast::<libc::sock_extended_err>(),
                    )
                };
                let icmp = ee.ee_origin == libc::SO_EE_ORIGIN_ICMP
                    || ee.ee_origin == libc::SO_EE_ORIGIN_ICMP6;
                return Some(IcmpReport {
                    errno: ee.ee_errno as i32,
                    icmp,
                    v6: ee.ee_origin == libc::SO_EE_ORIGIN_ICMP6,
                    icmp_type: ee.ee_type,
                    code: ee.ee_code,
                });
            }
            // SAFETY: as above.
            cmsg = unsafe { libc::CMSG_NXTHDR(&msg, cmsg) };
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Windows leaves after a short recvfrom (WSAEMSGSIZE): the first
    /// bytes, the real length from the whole read, flagged truncated.
    #[test]
    fn a_short_buffer_keeps_the_first_bytes_and_the_real_length() {
        let whole = Read {
            from: "127.0.0.1:9".parse().expect("literal"),
            read: 10,
            len: 10,
            truncated: false,
            at: std::time::SystemTime::UNIX_EPOCH,
        };
        let datagram = *b"0123456789";
        let mut short = [0u8; 4];
        let got = shorten(whole, &datagram, &mut short);
        assert_eq!((got.read, got.len, got.truncated), (4, 10, true));
        assert_eq!(&short, b"0123");
        let mut roomy = [0u8; 16];
        let got = shorten(whole, &datagram, &mut roomy);
        assert_eq!((got.read, got.len, got.truncated), (10, 10, false));
        assert_eq!(&roomy[..10], &datagram);
    }

    /// Windows reports ICMP port unreachable to a UDP server as WSAECONNRESET
    /// on its next recvfrom: the server goes on.
    #[test]
    fn winsock_reset_and_timeout_are_what_the_loops_skip() {
        assert!(is_stale_icmp(&io::Error::from_raw_os_error(10054)));
        assert!(is_timeout(&io::Error::from_raw_os_error(10060)));
        assert!(is_timeout(&io::Error::from_raw_os_error(10035)));
        assert!(!is_stale_icmp(&io::Error::from_raw_os_error(10040)));
    }
}
