//! UDP Lab's TCP client: `socket`, `connect` (with a timeout), `sendall`
//! the message — in N pieces D ms apart when asked, the lever that shows
//! a stream keeping bytes and not messages —, optionally
//! `shutdown(SHUT_WR)`, then `recv` until the peer closes (b'') or nothing
//! came for the timeout, and `close`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use socket2::{Domain, Socket, Type};

use super::wait::{self, STOP_POLL};
use super::{Shut, TcpEvent, TcpEventKind, TcpSide, tcp_error};
use crate::net::{EventSink, Family, NetError, NetEvent, ParsedAddr};

#[derive(Clone, Debug)]
pub struct TcpClientRequest {
    /// Chosen by the caller; every event carries it (`TcpSide::Client`).
    pub op: u64,
    pub target: ParsedAddr,
    pub payload: Arc<[u8]>,
    /// Send the message in this many pieces (1: one sendall).
    pub pieces: u32,
    /// The pause between two pieces.
    pub piece_delay: Duration,
    /// How long `connect` may wait for the handshake.
    pub connect_timeout: Duration,
    /// `recv` gives up when nothing came for this long.
    pub timeout: Duration,
    /// `recv`'s buffer size.
    pub buffer: usize,
    /// `shutdown(SHUT_WR)` after the last piece: the server reads b'' and
    /// may close, so the client's reads end at once.
    pub shutdown_write: bool,
}

impl TcpClientRequest {
    pub fn new(op: u64, target: ParsedAddr, payload: Arc<[u8]>) -> Self {
        Self {
            op,
            target,
            payload,
            pieces: 1,
            piece_delay: Duration::ZERO,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(2),
            buffer: crate::net::DEFAULT_BUFFER,
            shutdown_write: false,
        }
    }

    /// The message cut into `pieces` parts of nearly equal length (never
    /// more parts than bytes; an empty message is one empty send).
    pub fn split(&self) -> Vec<Arc<[u8]>> {
        let len = self.payload.len();
        let n = (self.pieces.max(1) as usize).min(len.max(1));
        (0..n)
            .map(|i| Arc::from(&self.payload[i * len / n..(i + 1) * len / n]))
            .collect()
    }
}

pub struct TcpClientHandle {
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TcpClientHandle {
    /// Ends the operation early; it still reports `Closed`.
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

impl Drop for TcpClientHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

pub fn spawn_tcp_client(
    req: TcpClientRequest,
    sink: EventSink<NetEvent>,
) -> Result<TcpClientHandle, NetError> {
    let cancel = Arc::new(AtomicBool::new(false));
    let worker = cancel.clone();
    let thread = std::thread::Builder::new()
        .name("udp-lab-tcp-client".into())
        .spawn(move || run(&req, &worker, &sink))
        .map_err(|e| NetError::Io {
            call: "thread spawn",
            message: e.to_string(),
        })?;
    Ok(TcpClientHandle {
        cancel,
        thread: Some(thread),
    })
}

/// The client's one socket.
const CONN: u64 = 1;

fn run(req: &TcpClientRequest, cancel: &AtomicBool, sink: &EventSink<NetEvent>) {
    let op = req.op;
    let emit = |kind: TcpEventKind| {
        let always = kind.is_lifecycle(CONN) || matches!(kind, TcpEventKind::Closed);
        let event = NetEvent::Tcp(TcpEvent {
            at: SystemTime::now(),
            side: TcpSide::Client(op),
            conn: CONN,
            kind,
        });
        if always {
            sink.send_always(event);
        } else {
            sink.send(event);
        }
    };
    let cancelled = || cancel.load(Ordering::Acquire);
    let to = match crate::net::resolve(&req.target) {
        Ok(a) => a,
        Err(error) => return emit(TcpEventKind::Failed { error }),
    };
    let family = Family::of(&to);
    let domain = match family {
        Family::V4 => Domain::IPV4,
        Family::V6 => Domain::IPV6,
    };
    let socket = match Socket::new(domain, Type::STREAM, Some(socket2::Protocol::TCP)) {
        Ok(s) => s,
        Err(e) => {
            let error = NetError::Io {
                call: "socket",
                message: e.to_string(),
            };
            return emit(TcpEventKind::Failed { error });
        }
    };
    emit(TcpEventKind::Socket { family });
    let timeout = req.connect_timeout.max(Duration::from_millis(1));
    if let Err(e) = socket.connect_timeout(&to.into(), timeout) {
        let error = if crate::net::sock::is_timeout(&e) {
            NetError::ConnectTimedOut {
                addr: to,
                after: timeout,
            }
        } else {
            tcp_error("connect", to, &e)
        };
        emit(TcpEventKind::ConnectFailed { to, error });
        drop(socket);
        return emit(TcpEventKind::Closed);
    }
    let local = crate::net::sock::local_addr(&socket).unwrap_or(to);
    emit(TcpEventKind::Connected { local, peer: to });
    if let Err(e) = wait::prepare_stream(&socket) {
        let error = NetError::Io {
            call: "setsockopt(SO_RCVTIMEO)",
            message: e.to_string(),
        };
        emit(TcpEventKind::Failed { error });
        drop(socket);
        return emit(TcpEventKind::Closed);
    }
    if send_pieces(req, &socket, &emit, &cancelled) && !cancelled() {
        if req.shutdown_write {
            match socket.shutdown(std::net::Shutdown::Write) {
                Ok(()) => emit(TcpEventKind::Shutdown { how: Shut::Write }),
                Err(e) => emit(TcpEventKind::Failed {
                    error: tcp_error("shutdown", to, &e),
                }),
            }
        }
        read_until_done(req, &socket, &emit, &cancelled);
    }
    drop(socket);
    emit(TcpEventKind::Closed);
}

/// sendall of each piece, the delay between; false when one failed.
fn send_pieces(
    req: &TcpClientRequest,
    socket: &Socket,
    emit: &dyn Fn(TcpEventKind),
    cancelled: &dyn Fn() -> bool,
) -> bool {
    let peer = crate::net::sock::local_addr(socket).ok();
    let peer = socket
        .peer_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .or(peer)
        .unwrap_or_else(|| std::net::SocketAddr::from(([0, 0, 0, 0], 0)));
    for (i, piece) in req.split().into_iter().enumerate() {
        if i > 0 && !sleep_unless(req.piece_delay, cancelled) {
            return false;
        }
        let (sent, error) = wait::send_all(socket, &piece, cancelled);
        match error {
            None if sent == piece.len() => emit(TcpEventKind::Sent {
                asked: piece.len(),
                sent,
                bytes: piece,
                all: true,
            }),
            None => return false,
            Some(e) => {
                emit(TcpEventKind::SendFailed {
                    asked: piece.len(),
                    sent,
                    error: tcp_error("sendall", peer, &e),
                });
                return false;
            }
        }
    }
    true
}

/// recv until b'', an error, or `req.timeout` with nothing read.
fn read_until_done(
    req: &TcpClientRequest,
    socket: &Socket,
    emit: &dyn Fn(TcpEventKind),
    cancelled: &dyn Fn() -> bool,
) {
    let size = req.buffer.clamp(1, 1 << 20);
    let mut buf = vec![0u8; size];
    let mut since = Instant::now();
    let peer = socket
        .peer_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .unwrap_or_else(|| std::net::SocketAddr::from(([0, 0, 0, 0], 0)));
    while !cancelled() {
        match wait::recv(socket, &mut buf) {
            Ok(n) => {
                emit(TcpEventKind::Received {
                    buffer: size,
                    bytes: Arc::from(&buf[..n]),
                });
                if n == 0 {
                    return;
                }
                since = Instant::now();
            }
            Err(e) if wait::is_timeout(&e) => {
                if since.elapsed() >= req.timeout {
                    return emit(TcpEventKind::RecvTimedOut {
                        buffer: size,
                        after: req.timeout,
                    });
                }
            }
            Err(e) => {
                return emit(TcpEventKind::RecvFailed {
                    buffer: size,
                    error: tcp_error("recv", peer, &e),
                });
            }
        }
    }
}

fn sleep_unless(d: Duration, cancelled: &dyn Fn() -> bool) -> bool {
    let end = Instant::now() + d;
    loop {
        if cancelled() {
            return false;
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(STOP_POLL));
    }
}
