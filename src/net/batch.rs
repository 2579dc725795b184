//! The server's receive side under load: one system call reads every
//! datagram already waiting (up to [`BATCH`]), then they are handed out one
//! at a time, each as the `recvfrom` the lab's server makes. A flood costs
//! about half the system calls; a single datagram costs the same as before.
//! Linux has `recvmmsg`; elsewhere each read is a plain `recvfrom`.
//!
//! The replies to one batch go out the same way: collected while the batch
//! is handed out, then sent by one `sendmmsg` (Linux; elsewhere a `sendto`
//! each). Each is still reported as the `sendto` the lab's server makes.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;
#[cfg(target_os = "linux")]
use std::time::{Duration, Instant};

use socket2::Socket;

use super::sock::Read;

/// Datagrams read by one call at most.
pub const BATCH: usize = 32;
/// Memory the buffers may take: fewer of them when each is large.
const MAX_BYTES: usize = 1 << 20;

/// Buffers for one batch and the datagrams of it not yet handed out.
#[derive(Default)]
pub struct RecvBatch {
    bufs: Vec<Vec<u8>>,
    reads: Vec<Read>,
    next: usize,
    /// When the last call read anything (the flood is still on).
    #[cfg(target_os = "linux")]
    flowing: Option<Instant>,
}

/// Datagrams this recent mean a flood is on (Linux: a plain recvfrom
/// elsewhere has no non-blocking look to spin on)...
#[cfg(target_os = "linux")]
const FLOWING: Duration = Duration::from_millis(1);
/// ...and then an empty queue is looked at again for this long.
#[cfg(target_os = "linux")]
const SPIN: Duration = Duration::from_micros(50);

impl RecvBatch {
    /// The next datagram, read into a buffer of `size` bytes: from the
    /// current batch, or (blocking, with the socket's timeout) a new one.
    /// The slice is that datagram's whole buffer, as `recvfrom` got it.
    pub fn recv(&mut self, socket: &Socket, size: usize) -> io::Result<(Read, &[u8])> {
        if self.next >= self.reads.len() {
            self.fill(socket, size.max(1))?;
        }
        let i = self.next;
        self.next += 1;
        // Each as its own recvfrom returns it: the time it is handed out
        // (one time for the batch would make a reordered pair look equal).
        let read = Read {
            at: SystemTime::now(),
            ..self.reads[i]
        };
        Ok((read, &self.bufs[i]))
    }

    /// Datagrams of the current batch not handed out yet: 0 means the next
    /// `recv` makes a system call (and may block).
    pub fn pending(&self) -> usize {
        self.reads.len() - self.next
    }

    /// The number of buffers for `size`-byte reads, each sized.
    fn buffers(&mut self, size: usize) -> usize {
        let n = (MAX_BYTES / size).clamp(1, BATCH);
        self.bufs.truncate(n);
        for buf in &mut self.bufs {
            buf.resize(size, 0);
        }
        while self.bufs.len() < n {
            self.bufs.push(vec![0; size]);
        }
        n
    }

    #[cfg(not(target_os = "linux"))]
    fn fill(&mut self, socket: &Socket, size: usize) -> io::Result<()> {
        self.buffers(size);
        self.reads.clear();
        self.next = 0;
        let read = super::sock::recv_from(socket, &mut self.bufs[0][..size])?;
        self.reads.push(read);
        Ok(())
    }

    // unsafe: recvmmsg (many datagrams in one syscall) is a raw libc call
    // over C structs; std and socket2 have no wrapper for it.
    #[cfg(target_os = "linux")]
    #[allow(unsafe_code)]
    fn fill(&mut self, socket: &Socket, size: usize) -> io::Result<()> {
        use std::mem::{size_of, zeroed};
        use std::os::fd::AsRawFd;

        let n = self.buffers(size);
        self.reads.clear();
        self.next = 0;
        // SAFETY: plain C structs for which all-zero bytes are valid.
        let mut names: [libc::sockaddr_storage; BATCH] = unsafe { zeroed() };
        let mut iovs: [libc::iovec; BATCH] = unsafe { zeroed() };
        let mut msgs: [libc::mmsghdr; BATCH] = unsafe { zeroed() };
        for i in 0..n {
            iovs[i] = libc::iovec {
                iov_base: self.bufs[i].as_mut_ptr().cast(),
                iov_len: size,
            };
            let hdr = &mut msgs[i].msg_hdr;
            hdr.msg_name = (&mut names[i] as *mut libc::sockaddr_storage).cast();
            hdr.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            hdr.msg_iov = &mut iovs[i];
            hdr.msg_iovlen = 1;
        }
        // MSG_TRUNC: each length is the datagram's real one, as
        // `sock::recv_from` reports.
        let fd = socket.as_raw_fd();
        let mut call = |flags: libc::c_int| {
            // SAFETY: every header points into buffers, addresses and
            // iovecs that outlive the call, with their true sizes.
            let got = unsafe {
                libc::recvmmsg(
                    fd,
                    msgs.as_mut_ptr(),
                    n as libc::c_uint,
                    flags | libc::MSG_TRUNC,
                    std::ptr::null_mut(),
                )
            };
            if got < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(got as usize)
            }
        };
        // Under a flood the next datagram is microseconds away: looking
        // again for a moment, without sleeping, spares this thread a sleep
        // and the sender a wake-up each time the queue runs dry. When
        // traffic stops the thread blocks as before (idle stays idle).
        let mut got = None;
        if self.flowing.is_some_and(|t| t.elapsed() < FLOWING) {
            let until = Instant::now() + SPIN;
            loop {
                match call(libc::MSG_DONTWAIT) {
                    Ok(g) => {
                        got = Some(g);
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < until => {
                        std::thread::yield_now();
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
        }
        // MSG_WAITFORONE: wait (up to the socket's timeout) for the first
        // datagram only, then take what is already there.
        let got = match got {
            Some(g) => g,
            None => call(libc::MSG_WAITFORONE)?,
        };
        if got > 0 {
            self.flowing = Some(Instant::now());
        }
        let at = SystemTime::UNIX_EPOCH; // set when handed out
        for i in 0..got.min(n) {
            let msg = &msgs[i];
            let Some(from) = socket_addr(&names[i]) else {
                // Not an IP peer: nothing a UDP socket should get; skip it.
                continue;
            };
            let len = msg.msg_len as usize;
            self.reads.push(Read {
                from,
                read: len.min(size),
                len,
                truncated: len > size || msg.msg_hdr.msg_flags & libc::MSG_TRUNC != 0,
                at,
            });
            // Keep buffer i next to read i when one was skipped.
            if self.reads.len() - 1 != i {
                self.bufs.swap(self.reads.len() - 1, i);
            }
        }
        if self.reads.is_empty() {
            return Err(io::Error::from(io::ErrorKind::WouldBlock));
        }
        Ok(())
    }
}

/// Replies waiting for the end of their batch, sent together by [`flush`].
///
/// [`flush`]: SendBatch::flush
#[derive(Default)]
pub struct SendBatch {
    replies: Vec<(Arc<[u8]>, SocketAddr)>,
}

impl SendBatch {
    pub fn push(&mut self, bytes: Arc<[u8]>, to: SocketAddr) {
        self.replies.push((bytes, to));
    }

    pub fn is_empty(&self) -> bool {
        self.replies.is_empty()
    }

    /// Sends every reply pushed, in order; `results` gets each one's bytes
    /// and outcome.
    pub fn flush(&mut self, socket: &Socket, results: &mut Vec<(Arc<[u8]>, io::Result<()>)>) {
        results.clear();
        let mut start = 0;
        while start < self.replies.len() {
            let end = (start + BATCH).min(self.replies.len());
            let sent = send_many(socket, &self.replies[start..end]);
            results.extend(
                self.replies[start..start + sent]
                    .iter()
                    .map(|(b, _)| (b.clone(), Ok(()))),
            );
            start += sent;
            if start < end {
                // The call stopped at this one (and, after the first, the
                // kernel does not say why): its own sendto tells.
                let (bytes, to) = &self.replies[start];
                let outcome = super::sock::send_to(socket, bytes, *to).map(|_| ());
                results.push((bytes.clone(), outcome));
                start += 1;
            }
        }
        self.replies.clear();
    }
}

/// How many of `replies` (at most [`BATCH`]) one system call sent, from
/// the first; fewer than all when one failed.
#[cfg(not(target_os = "linux"))]
fn send_many(_socket: &Socket, _replies: &[(Arc<[u8]>, SocketAddr)]) -> usize {
    // Nothing batched here: the caller sends each with its own sendto.
    0
}

// unsafe: sendmmsg is a raw libc call over C structs, like recvmmsg above.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn send_many(socket: &Socket, replies: &[(Arc<[u8]>, SocketAddr)]) -> usize {
    use std::mem::zeroed;
    use std::os::fd::AsRawFd;

    let n = replies.len().min(BATCH);
    let names: Vec<socket2::SockAddr> = replies[..n]
        .iter()
        .map(|(_, to)| socket2::SockAddr::from(*to))
        .collect();
    // SAFETY: plain C structs for which all-zero bytes are valid.
    let mut iovs: [libc::iovec; BATCH] = unsafe { zeroed() };
    let mut msgs: [libc::mmsghdr; BATCH] = unsafe { zeroed() };
    for i in 0..n {
        iovs[i] = libc::iovec {
            // The kernel only reads from a send's buffers.
            iov_base: replies[i].0.as_ptr().cast_mut().cast(),
            iov_len: replies[i].0.len(),
        };
        let hdr = &mut msgs[i].msg_hdr;
        hdr.msg_name = names[i].as_ptr().cast_mut().cast();
        hdr.msg_namelen = names[i].len();
        hdr.msg_iov = &mut iovs[i];
        hdr.msg_iovlen = 1;
    }
    // SAFETY: every header points at an address, an iovec and bytes that
    // outlive the call, with their true sizes.
    let sent =
        unsafe { libc::sendmmsg(socket.as_raw_fd(), msgs.as_mut_ptr(), n as libc::c_uint, 0) };
    usize::try_from(sent).unwrap_or(0).min(n)
}

/// The peer address the kernel wrote, for IPv4 and IPv6.
#[cfg(target_os = "linux")]
// unsafe: reading the sockaddr_in/in6 that recvmmsg wrote into the storage.
#[allow(unsafe_code)]
fn socket_addr(name: &libc::sockaddr_storage) -> Option<std::net::SocketAddr> {
    use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};
    match i32::from(name.ss_family) {
        libc::AF_INET => {
            // SAFETY: the family says the storage holds a sockaddr_in.
            let a =
                unsafe { &*(name as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>() };
            let ip = Ipv4Addr::from(u32::from_be(a.sin_addr.s_addr));
            Some(SocketAddrV4::new(ip, u16::from_be(a.sin_port)).into())
        }
        libc::AF_INET6 => {
            // SAFETY: the family says the storage holds a sockaddr_in6.
            let a =
                unsafe { &*(name as *const libc::sockaddr_storage).cast::<libc::sockaddr_in6>() };
            let ip = Ipv6Addr::from(a.sin6_addr.s6_addr);
            Some(
                SocketAddrV6::new(
                    ip,
                    u16::from_be(a.sin6_port),
                    a.sin6_flowinfo,
                    a.sin6_scope_id,
                )
                .into(),
            )
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::sock;
    use super::*;
    use std::net::UdpSocket;
    use std::time::Duration;

    #[test]
    fn waiting_datagrams_come_out_one_by_one_with_truncation_and_sources() {
        let server = sock::open(super::super::Family::V4).expect("socket");
        let addr = sock::bind(&server, "127.0.0.1:0".parse().expect("literal")).expect("bind");
        sock::set_timeout(&server, Duration::from_secs(2)).expect("timeout");
        let a = UdpSocket::bind("127.0.0.1:0").expect("peer a");
        let b = UdpSocket::bind("127.0.0.1:0").expect("peer b");
        a.send_to(b"one", addr).expect("send");
        b.send_to(b"two!", addr).expect("send");
        a.send_to(&[7u8; 10], addr).expect("send");
        a.send_to(b"", addr).expect("send");
        let mut batch = RecvBatch::default();
        let mut got = Vec::new();
        for _ in 0..4 {
            let (read, buf) = batch.recv(&server, 4).expect("a datagram");
            got.push((
                read.from.port(),
                buf[..read.read].to_vec(),
                read.len,
                read.truncated,
                buf.len(),
            ));
        }
        let (pa, pb) = (
            a.local_addr().expect("a").port(),
            b.local_addr().expect("b").port(),
        );
        assert_eq!(
            got,
            vec![
                (pa, b"one".to_vec(), 3, false, 4),
                (pb, b"two!".to_vec(), 4, false, 4),
                (pa, vec![7u8; 4], 10, true, 4),
                (pa, Vec::new(), 0, false, 4),
            ]
        );
        // Nothing more: the socket's timeout, as recvfrom reports it.
        sock::set_timeout(&server, Duration::from_millis(20)).expect("timeout");
        let err = batch.recv(&server, 4).expect_err("a timeout");
        assert!(sock::is_timeout(&err), "{err:?}");
    }

    #[test]
    fn a_batch_of_replies_goes_out_in_order_and_a_failing_one_says_why() {
        let server = sock::open(super::super::Family::V4).expect("socket");
        sock::bind(&server, "127.0.0.1:0".parse().expect("literal")).expect("bind");
        let a = UdpSocket::bind("127.0.0.1:0").expect("peer a");
        let b = UdpSocket::bind("127.0.0.1:0").expect("peer b");
        for peer in [&a, &b] {
            peer.set_read_timeout(Some(Duration::from_secs(2)))
                .expect("timeout");
        }
        let (to_a, to_b) = (a.local_addr().expect("a"), b.local_addr().expect("b"));
        let mut sends = SendBatch::default();
        sends.push(Arc::from(&b"first"[..]), to_a);
        // An IPv6 destination for an IPv4 socket: the kernel refuses it.
        sends.push(
            Arc::from(&b"nowhere"[..]),
            "[::1]:9".parse().expect("literal"),
        );
        sends.push(Arc::from(&b"second"[..]), to_b);
        sends.push(Arc::from(&b"third"[..]), to_a);
        assert!(!sends.is_empty());
        let mut results = Vec::new();
        sends.flush(&server, &mut results);
        assert!(sends.is_empty());
        let outcomes: Vec<(&[u8], bool)> = results
            .iter()
            .map(|(bytes, r)| (&bytes[..], r.is_ok()))
            .collect();
        assert_eq!(
            outcomes,
            vec![
                (&b"first"[..], true),
                (&b"nowhere"[..], false),
                (&b"second"[..], true),
                (&b"third"[..], true),
            ]
        );
        let mut buf = [0u8; 64];
        let mut got = |peer: &UdpSocket| {
            let n = peer.recv(&mut buf).expect("a reply");
            buf[..n].to_vec()
        };
        assert_eq!(got(&a), b"first");
        assert_eq!(got(&a), b"third");
        assert_eq!(got(&b), b"second");
    }
}
