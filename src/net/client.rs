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
    resolve, sock,
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
}

#[derive(Clone, Debug)]
pub struct ClientEvent {
    pub op: u64,
    pub at: SystemTime,
    pub kind: ClientEventKind,
}

#[derive(Clone, Debug)]
pub enum ClientEventKind {
    /// `socket(family, SOCK_DGRAM)`; `reused` when the kept socket serves again.
    Socket { family: Family, reused: bool },
    /// `sendto(bytes → to)` from the local address the OS picked.
    Sent {
        seq: u32,
        to: SocketAddr,
        local: SocketAddr,
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
    let target = match resolve(&req.target) {
        Ok(a) => a,
        Err(error) => return emit(ClientEventKind::Failed { seq: None, error }),
    };
    let family = Family::of(&target);
    let reused = req
        .socket
        .as_ref()
        .is_some_and(|s| sock::local_addr(s).is_ok_and(|l| Family::of(&l) == family));
    let socket = match (&req.socket, reused) {
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
    let mut buf = vec![0u8; req.buffer.clamp(1, super::MAX_DATAGRAM + 1)];
    // A reordered request waits until the next one (after this one's timeout
    // and the interval) has overtaken it.
    let hold = req.timeout + req.interval + Duration::from_millis(500);
    let mut simulator = Simulator::for_client(req.network).with_max_hold(hold);
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
        exchange(
            seq,
            &socket,
            &mut simulator,
            target,
            &req,
            &mut buf,
            &emit_at,
        );
    }
    // Before the socket closes: a request still held back goes out now.
    drop(simulator);
    drop(socket);
    emit(ClientEventKind::Closed { reused });
}

/// One `sendto` and the `recvfrom` that waits for its answer.
fn exchange(
    seq: u32,
    socket: &Arc<Socket>,
    simulator: &mut Simulator,
    target: SocketAddr,
    req: &ClientRequest,
    buf: &mut [u8],
    emit_at: &impl Fn(ClientEventKind, SystemTime),
) {
    let emit = |kind| emit_at(kind, SystemTime::now());
    // Stamped before sendto: the server may report the arrival before this
    // thread gets to report the send.
    let sent_wall = SystemTime::now();
    let sent_at = Instant::now();
    // A dropped request still "succeeds": the client waits and times out,
    // which is what the student should see.
    let sim = match simulator.send(socket, &req.payload, target) {
        Ok(fate) => fate,
        Err(e) => {
            let mut error = NetError::from_io("sendto", target, &e);
            if let NetError::TooLong { len } = &mut error {
                *len = req.payload.len();
            }
            return emit(ClientEventKind::Failed {
                seq: Some(seq),
                error,
            });
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
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return emit(ClientEventKind::TimedOut {
                seq,
                after: req.timeout,
            });
        }
        if let Err(e) = sock::set_timeout(socket, left) {
            let error = NetError::Io {
                call: "setsockopt(SO_RCVTIMEO)",
                message: e.to_string(),
            };
            return emit(ClientEventKind::Failed {
                seq: Some(seq),
                error,
            });
        }
        match sock::recv_from(socket, buf) {
            Ok(read) => {
                let rtt = sent_at.elapsed();
                let other_source = (!from_target(read.from, target)).then_some(target);
                let rx = read.received(buf);
                return emit(ClientEventKind::Response {
                    seq,
                    rx,
                    rtt,
                    other_source,
                });
            }
            Err(e) if sock::is_timeout(&e) || e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                let error = NetError::from_io("recvfrom", target, &e);
                return emit(ClientEventKind::Failed {
                    seq: Some(seq),
                    error,
                });
            }
        }
    }
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
