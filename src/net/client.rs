//! A client operation on its own thread: open a socket (ephemeral port, as in
//! the lab), `sendto` the target, `recvfrom` one answer or time out, close.
//! A burst repeats send-and-wait `count` times, lock-step, like `ping`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use socket2::Socket;

use super::{
    EventSink, Family, Impairments, NetError, NetEvent, ParsedAddr, Received, SimFate, Simulator,
    SockOpt, sock,
};

#[derive(Clone, Debug)]
pub struct ClientRequest {
    /// Chosen by the caller; every event of this operation carries it.
    pub op: u64,
    pub target: ParsedAddr,
    pub payload: Arc<[u8]>,
    /// How long to wait for each answer.
    pub timeout: Duration,
    /// `recvfrom`'s buffer size.
    pub buffer: usize,
    /// Datagrams to send (1 for a single Send).
    pub count: u32,
    /// Pause after each answer (or timeout) before the next send.
    pub interval: Duration,
    /// Reuse this socket (same source port every time) instead of opening a
    /// new one, as the lab's client does.
    pub socket: Option<Arc<Socket>>,
    /// The network simulator's knobs for the requests (a fresh pattern from
    /// the seed for every operation).
    pub network: Impairments,
    /// Broadcast and multicast options.
    pub reach: Reach,
}

/// Broadcast and multicast: how far a request may go. A request to a
/// broadcast or multicast address collects every answer until the timeout
/// (one per responder), not just the first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// `SO_BROADCAST`: may send to 255.255.255.255 or a subnet's broadcast
    /// address (the OS refuses otherwise), and collect every answer.
    pub broadcast: bool,
    /// `IP_MULTICAST_TTL` / `IPV6_MULTICAST_HOPS` for a multicast target
    /// (None: the OS's default, 1: this network only).
    pub ttl: Option<u32>,
    /// `IP_MULTICAST_LOOP` / `IPV6_MULTICAST_LOOP`: whether members on this
    /// computer hear it (None: the OS's default, on).
    pub multicast_loop: Option<bool>,
}

impl Reach {
    /// Whether a request to `target` gathers answers from many servers.
    pub fn collects(&self, target: SocketAddr) -> bool {
        self.broadcast || target.ip().is_multicast()
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ClientEvent {
    pub op: u64,
    pub at: SystemTime,
    pub kind: ClientEventKind,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum ClientEventKind {
    /// `socket(family, SOCK_DGRAM)`; `reused` when the kept socket serves again.
    Socket { family: Family, reused: bool },
    /// The window opened the socket it keeps across Sends ("New socket for
    /// each Send" off): `socket()` and the explicit bind to a free port.
    /// An event, not a direct entry, so a saved lesson has it too.
    KeptSocketOpened { family: Family, local: SocketAddr },
    /// `sendto(bytes → to)` from the local address the OS picked.
    Sent {
        seq: u32,
        to: SocketAddr,
        local: SocketAddr,
        #[serde(with = "super::serde_with::bytes")]
        bytes: Arc<[u8]>,
        sim: SimFate,
    },
    /// `recvfrom` returned an answer.
    Response {
        seq: u32,
        rx: Received,
        rtt: Duration,
        /// Where the request went, when the answer came from another address
        /// or port (a server that answers from a second socket). The lab's
        /// `recvfrom` takes it all the same, and so does this client.
        other_source: Option<SocketAddr>,
    },
    /// `recvfrom` waited `after` and nothing came.
    TimedOut { seq: u32, after: Duration },
    /// A step failed; `seq` is None when the operation could not start.
    Failed { seq: Option<u32>, error: NetError },
    /// `close()` (or the kept socket released): the operation is over.
    Closed { reused: bool },
    /// `setsockopt` for broadcast or multicast, before the first send.
    SockOpt(SockOpt),
}

pub struct ClientHandle {
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ClientHandle {
    /// Ends a burst early; the operation still reports `Closed`.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Release);
    }

    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// [`ClientHandle::cancel`] for another thread (the CLI's on Ctrl-C)
    /// while this one waits in `join`.
    pub fn canceller(&self) -> impl Fn() + Send + 'static {
        let cancel = self.cancel.clone();
        move || cancel.store(true, Ordering::Release)
    }

    /// Waits for the operation to end (CLI and tests).
    pub fn join(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn spawn_client(
    req: ClientRequest,
    sink: EventSink<NetEvent>,
) -> Result<ClientHandle, NetError> {
    let cancel = Arc::new(AtomicBool::new(false));
    let worker_cancel = cancel.clone();
    let thread = std::thread::Builder::new()
        .name("udp-lab-client".into())
        .spawn(move || run(req, &worker_cancel, &sink))
        .map_err(|e| NetError::Io {
            call: "thread spawn",
            message: e.to_string(),
        })?;
    Ok(ClientHandle {
        cancel,
        thread: Some(thread),
    })
}

/// Opens a client socket bound to an ephemeral port of the target's family,
/// for callers that keep one socket across sends.
pub fn open_client_socket(family: Family) -> Result<Socket, NetError> {
    let socket = sock::open(family)?;
    let any = match family {
        Family::V4 => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
        Family::V6 => SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0),
    };
    sock::bind(&socket, any)?;
    sock::report_icmp_errors(&socket, family);
    Ok(socket)
}

fn run(req: ClientRequest, cancel: &AtomicBool, sink: &EventSink<NetEvent>) {
    let op = req.op;
    // A client paces itself (one datagram in flight), so all its events fit.
    let emit_at = |kind, at| sink.send_always(NetEvent::Client(ClientEvent { op, at, kind }));
    let emit = |kind| emit_at(kind, SystemTime::now());
    let (mut target, mut alternate) = match super::addr::resolve_with_alternate(&req.target) {
        Ok(a) => a,
        Err(error) => return emit(ClientEventKind::Failed { seq: None, error }),
    };
    let family = Family::of(&target);
    let reused = req
        .socket
        .as_ref()
        .is_some_and(|s| sock::local_addr(s).is_ok_and(|l| Family::of(&l) == family));
    let mut socket = match (&req.socket, reused) {
        (Some(s), true) => s.clone(),
        _ => match open_client_socket(family) {
            Ok(s) => Arc::new(s),
            Err(error) => return emit(ClientEventKind::Failed { seq: None, error }),
        },
    };
    emit(ClientEventKind::Socket { family, reused });
    if reused {
        drain_stale(&socket);
    }
    for option in reach_options(&socket, target, &req.reach) {
        match option {
            Ok(opt) => emit(ClientEventKind::SockOpt(opt)),
            Err(error) => {
                emit(ClientEventKind::Failed { seq: None, error });
                drop(socket);
                return emit(ClientEventKind::Closed { reused });
            }
        }
    }
    // A reordered request waits until the next one (after this one's timeout
    // and the interval) has overtaken it.
    let hold = req.timeout + req.interval + Duration::from_millis(500);
    let mut exchanges = Exchanges {
        req: &req,
        simulator: Simulator::for_client(req.network).with_max_hold(hold),
        buf: vec![0u8; req.buffer.clamp(1, super::MAX_DATAGRAM + 1)],
        emit_at: &emit_at,
    };
    for seq in 0..req.count.max(1) {
        if cancel.load(Ordering::Acquire) {
            break;
        }
        if seq > 0 {
            if !sleep_unless_cancelled(req.interval, cancel) {
                break;
            }
            // An answer that came after its timeout must not count for this send.
            drain_stale(&socket);
        }
        let unreachable = exchanges.exchange(seq, &socket, target, alternate.is_some());
        let (Some(error), Some(other)) = (unreachable, alternate.take()) else {
            continue;
        };
        // "localhost" is 127.0.0.1 and ::1: nothing on the first, so ask
        // the other family (a server bound to ::1), from a socket of its own.
        match open_client_socket(Family::of(&other)) {
            Ok(s) => {
                socket = Arc::new(s);
                target = other;
                emit(ClientEventKind::Socket {
                    family: Family::of(&other),
                    reused: false,
                });
                exchanges.exchange(seq, &socket, target, false);
            }
            Err(_) => emit(ClientEventKind::Failed {
                seq: Some(seq),
                error,
            }),
        }
    }
    // Before the socket closes: a request still held back goes out now.
    drop(exchanges);
    drop(socket);
    emit(ClientEventKind::Closed { reused });
}

/// What every exchange of one client operation shares; the socket and the
/// target may change between them (`localhost`'s other family).
struct Exchanges<'a, E> {
    req: &'a ClientRequest,
    simulator: Simulator,
    buf: Vec<u8>,
    emit_at: &'a E,
}

impl<E: Fn(ClientEventKind, SystemTime)> Exchanges<'_, E> {
    /// One `sendto` and the `recvfrom` that waits for its answer.
    fn exchange(
        &mut self,
        seq: u32,
        socket: &Arc<Socket>,
        target: SocketAddr,
        defer_unreachable: bool,
    ) -> Option<NetError> {
        let Self {
            req,
            simulator,
            buf,
            emit_at,
        } = self;
        let emit = |kind| emit_at(kind, SystemTime::now());
        // Port unreachable, when the caller has another address to try (a
        // name's other family), goes back to it instead of being reported.
        let fail = |error: NetError| {
            if defer_unreachable && matches!(error, NetError::Unreachable { .. }) {
                return Some(error);
            }
            emit(ClientEventKind::Failed {
                seq: Some(seq),
                error,
            });
            None
        };
        // Stamped before sendto: the server may report the arrival before this
        // thread gets to report the send.
        let sent_wall = SystemTime::now();
        let sent_at = Instant::now();
        // A dropped request still "succeeds": the client waits and times out,
        // which is what the student should see.
        let sim = match simulator.send(socket, &req.payload, target) {
            Ok(fate) => fate,
            Err(e) => {
                let mut error = sock::classify(socket, "sendto", target, &e);
                if let NetError::TooLong { len } = &mut error {
                    *len = req.payload.len();
                }
                if matches!(error, NetError::PermissionDenied { .. })
                    && !req.reach.broadcast
                    && is_broadcast_refusal(target, &e)
                {
                    error = NetError::BroadcastOff { addr: target };
                }
                return fail(error);
            }
        };
        let local = sock::local_addr(socket).unwrap_or(target);
        emit_at(
            ClientEventKind::Sent {
                seq,
                to: target,
                local,
                bytes: req.payload.clone(),
                sim,
            },
            sent_wall,
        );
        let deadline = sent_at + req.timeout;
        // Broadcast and multicast: every answer until the timeout counts; an
        // error (one host's ICMP) does not end the wait for the others.
        let collect = req.reach.collects(target);
        let mut answers = 0u32;
        let mut last_error = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                if answers > 0 {
                    return None;
                }
                if let Some(error) = last_error {
                    return fail(error);
                }
                emit(ClientEventKind::TimedOut {
                    seq,
                    after: req.timeout,
                });
                return None;
            }
            if let Err(e) = sock::set_timeout(socket, left) {
                let error = NetError::Io {
                    call: "setsockopt(SO_RCVTIMEO)",
                    message: e.to_string(),
                };
                return fail(error);
            }
            match sock::recv_from(socket, buf) {
                Ok(read) => {
                    let rtt = sent_at.elapsed();
                    let other_source =
                        (!collect && !from_target(read.from, target)).then_some(target);
                    let rx = read.received(buf);
                    emit(ClientEventKind::Response {
                        seq,
                        rx,
                        rtt,
                        other_source,
                    });
                    if !collect {
                        return None;
                    }
                    answers += 1;
                }
                Err(e) if sock::is_timeout(&e) || e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let error = sock::classify(socket, "recvfrom", target, &e);
                    if collect {
                        last_error = Some(error);
                        continue;
                    }
                    return fail(error);
                }
            }
        }
    }
}

/// Sets the socket options `reach` asks for, each reported for the trace.
fn reach_options(
    socket: &Socket,
    target: SocketAddr,
    reach: &Reach,
) -> Vec<Result<SockOpt, NetError>> {
    let mut done = Vec::new();
    let v4 = target.is_ipv4();
    let set = |result: std::io::Result<()>, opt: SockOpt| {
        result.map(|()| opt.clone()).map_err(|e| NetError::Io {
            call: opt.call(),
            message: e.to_string(),
        })
    };
    if reach.broadcast && v4 {
        done.push(set(
            socket.set_broadcast(true),
            SockOpt::new("SOL_SOCKET", "SO_BROADCAST", "1"),
        ));
    }
    if target.ip().is_multicast() {
        if let Some(ttl) = reach.ttl {
            done.push(if v4 {
                set(
                    socket.set_multicast_ttl_v4(ttl),
                    SockOpt::new("IPPROTO_IP", "IP_MULTICAST_TTL", ttl),
                )
            } else {
                set(
                    socket.set_multicast_hops_v6(ttl),
                    SockOpt::new("IPPROTO_IPV6", "IPV6_MULTICAST_HOPS", ttl),
                )
            });
        }
        if let Some(on) = reach.multicast_loop {
            done.push(if v4 {
                set(
                    socket.set_multicast_loop_v4(on),
                    SockOpt::new("IPPROTO_IP", "IP_MULTICAST_LOOP", u8::from(on)),
                )
            } else {
                set(
                    socket.set_multicast_loop_v6(on),
                    SockOpt::new("IPPROTO_IPV6", "IPV6_MULTICAST_LOOP", u8::from(on)),
                )
            });
        }
    }
    done
}

/// Whether a refused `sendto` is the OS saying "broadcast needs
/// SO_BROADCAST" (EACCES to a broadcast address), not a firewall (EPERM).
fn is_broadcast_refusal(target: SocketAddr, e: &std::io::Error) -> bool {
    let IpAddr::V4(ip) = target.ip() else {
        return false;
    };
    #[cfg(target_os = "linux")]
    let eacces = e.raw_os_error() == Some(libc::EACCES);
    #[cfg(not(target_os = "linux"))]
    let eacces = e.kind() == std::io::ErrorKind::PermissionDenied;
    ip.is_broadcast() || eacces
}

/// Whether a datagram came from the server we sent to (an answer from
/// elsewhere is still taken, and flagged). Loopback addresses
/// count as one (a server on 0.0.0.0 answers from 127.0.0.1), and a send to
/// the "any" address reaches this machine.
fn from_target(from: SocketAddr, target: SocketAddr) -> bool {
    from.port() == target.port()
        && (from.ip() == target.ip()
            || target.ip().is_unspecified()
            || (from.ip().is_loopback() && target.ip().is_loopback()))
}

/// A kept socket may hold late answers to earlier sends (or a queued ICMP
/// error); read them away so they are not taken for this exchange's answer.
fn drain_stale(socket: &Socket) {
    let mut scratch = [0u8; 64];
    if socket.set_nonblocking(true).is_ok() {
        for _ in 0..10_000 {
            match sock::recv_from(socket, &mut scratch) {
                Ok(_) => {}
                Err(e) if sock::is_stale_icmp(&e) => {}
                Err(_) => break,
            }
        }
        let _ = socket.set_nonblocking(false);
    }
    // And the error queue's reports of those earlier sends (IP_RECVERR).
    for _ in 0..10_000 {
        if sock::take_icmp_report(socket).is_none() {
            break;
        }
    }
}

/// Sleeps in short steps so a cancelled burst ends promptly.
fn sleep_unless_cancelled(total: Duration, cancel: &AtomicBool) -> bool {
    let end = Instant::now() + total;
    loop {
        if cancel.load(Ordering::Acquire) {
            return false;
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(Duration::from_millis(20)));
    }
}
