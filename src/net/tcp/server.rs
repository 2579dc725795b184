//! UDP Lab's TCP server: `socket`, (`SO_REUSEADDR`), `bind`, `listen`, then
//! `accept` every connection and serve each on a thread of its own: `recv`
//! with the receive buffer, answer each read with `sendall`, `close` when
//! the peer closes. Bounded: at most [`MAX_OPEN_CONNECTIONS`] at once (the
//! rest wait in the kernel's backlog), and a peer that never reads blocks
//! only its own connection, which Stop still ends.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::SystemTime;

use socket2::{Domain, Socket, Type};

use super::wait::{self, STOP_POLL};
use super::{Shut, TcpEvent, TcpEventKind, TcpSide, tcp_bind_error, tcp_error};
use crate::net::{EventSink, Family, NetError, NetEvent, ParsedAddr, ReplyMode, resolve};

/// Connections served at once; one more waits in the backlog.
pub const MAX_OPEN_CONNECTIONS: usize = 256;
/// The largest receive buffer a connection reads with.
const MAX_BUFFER: usize = 1 << 20;

/// What the user may change while the server runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpServerSettings {
    /// The answer to every read (the UDP server's kinds).
    pub reply: ReplyMode,
    /// `recv`'s buffer size.
    pub buffer: usize,
}

impl Default for TcpServerSettings {
    fn default() -> Self {
        Self {
            reply: ReplyMode::Fixed(Arc::from(crate::net::DEFAULT_REPLY.as_bytes())),
            buffer: crate::net::DEFAULT_BUFFER,
        }
    }
}

#[derive(Clone, Debug)]
pub struct TcpServerConfig {
    pub bind: ParsedAddr,
    /// `listen(backlog)`: handshakes the kernel completes before `accept`.
    pub backlog: u32,
    /// `setsockopt(SO_REUSEADDR, 1)` before bind: binds even while
    /// connections of a previous run are in TIME_WAIT.
    pub reuse_addr: bool,
    pub settings: TcpServerSettings,
}

impl TcpServerConfig {
    pub fn new(bind: ParsedAddr) -> Self {
        Self {
            bind,
            backlog: 5,
            reuse_addr: false,
            settings: TcpServerSettings::default(),
        }
    }
}

struct Shared {
    stop: AtomicBool,
    settings: Mutex<TcpServerSettings>,
    settings_version: AtomicU64,
    open: AtomicUsize,
    accepted: AtomicU64,
}

/// The UI's handle on a running TCP server. Dropping it stops the worker.
pub struct TcpServerHandle {
    pub id: u64,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

static NEXT_SERVER: AtomicU64 = AtomicU64::new(1);

/// Starts a TCP server. Its outcome arrives as `Listening` or
/// `BindFailed`/`Failed` (conn 0).
pub fn spawn_tcp_server(
    config: TcpServerConfig,
    sink: EventSink<NetEvent>,
) -> Result<TcpServerHandle, NetError> {
    // Numbered apart from the UDP server's ids: both may run at once.
    let id = NEXT_SERVER.fetch_add(1, Ordering::Relaxed);
    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        settings: Mutex::new(config.settings.clone()),
        settings_version: AtomicU64::new(0),
        open: AtomicUsize::new(0),
        accepted: AtomicU64::new(0),
    });
    let worker = shared.clone();
    let thread = std::thread::Builder::new()
        .name("udp-lab-tcp-server".into())
        .spawn(move || run(id, &config, &worker, &sink))
        .map_err(|e| NetError::Io {
            call: "thread spawn",
            message: e.to_string(),
        })?;
    Ok(TcpServerHandle {
        id,
        shared,
        thread: Some(thread),
    })
}

impl TcpServerHandle {
    /// Closes every connection and the listening socket; `Closed` (conn 0)
    /// follows within ~50 ms.
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::Release);
    }

    /// Stops and waits until every thread of the server has ended.
    pub fn join(mut self) {
        self.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Changes the answer or the buffer; each connection takes it before its
    /// next read.
    pub fn update(&self, settings: TcpServerSettings) {
        if let Ok(mut s) = self.shared.settings.lock() {
            *s = settings;
        }
        self.shared.settings_version.fetch_add(1, Ordering::Release);
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.shared.open.load(Ordering::Acquire)
    }

    /// Connections accepted since the start.
    pub fn accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::Relaxed)
    }
}

impl Drop for TcpServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends one event: lifecycle ones always get through, a connection's
/// traffic may be dropped (and counted) under a flood.
fn emitter(id: u64, sink: &EventSink<NetEvent>) -> impl Fn(u64, TcpEventKind) + '_ {
    move |conn, kind| {
        let always = kind.is_lifecycle(conn);
        let event = NetEvent::Tcp(TcpEvent {
            at: SystemTime::now(),
            side: TcpSide::Server(id),
            conn,
            kind,
        });
        if always {
            sink.send_always(event);
        } else {
            sink.send(event);
        }
    }
}

fn run(id: u64, config: &TcpServerConfig, shared: &Arc<Shared>, sink: &EventSink<NetEvent>) {
    let emit = emitter(id, sink);
    let Some(listener) = open_listener(config, &emit) else {
        return;
    };
    let mut conns: Vec<JoinHandle<()>> = Vec::new();
    let mut next_conn = 0u64;
    let mut full_said = false;
    while !shared.stop.load(Ordering::Acquire) {
        conns.retain(|t| !t.is_finished());
        let open = shared.open.load(Ordering::Acquire);
        if open >= MAX_OPEN_CONNECTIONS {
            if !full_said {
                emit(0, TcpEventKind::Full { open });
                full_said = true;
            }
            std::thread::sleep(STOP_POLL);
            continue;
        }
        full_said = false;
        let (socket, peer) = match listener.accept() {
            Ok((s, a)) => match a.as_socket() {
                Some(peer) => (s, peer),
                None => continue,
            },
            Err(e) if wait::is_timeout(&e) => {
                wait::accept_would_block();
                continue;
            }
            // The peer gave up between the handshake and accept.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionAborted => continue,
            Err(e) => {
                emit(
                    0,
                    TcpEventKind::Failed {
                        error: NetError::Io {
                            call: "accept",
                            message: e.to_string(),
                        },
                    },
                );
                break;
            }
        };
        next_conn += 1;
        let conn = next_conn;
        let local = crate::net::sock::local_addr(&socket).unwrap_or(peer);
        emit(conn, TcpEventKind::Accepted { peer, local });
        shared.accepted.fetch_add(1, Ordering::Relaxed);
        shared.open.fetch_add(1, Ordering::AcqRel);
        let worker = shared.clone();
        let sink = sink.clone();
        let spawned = std::thread::Builder::new()
            .name("udp-lab-tcp-conn".into())
            .spawn(move || {
                serve(id, conn, socket, peer, &worker, &sink);
                worker.open.fetch_sub(1, Ordering::AcqRel);
            });
        match spawned {
            Ok(t) => conns.push(t),
            Err(e) => {
                // The socket went with the closure: closed. Say why.
                shared.open.fetch_sub(1, Ordering::AcqRel);
                emit(
                    conn,
                    TcpEventKind::Failed {
                        error: NetError::Io {
                            call: "thread spawn",
                            message: e.to_string(),
                        },
                    },
                );
                emit(conn, TcpEventKind::Closed);
            }
        }
    }
    shared.stop.store(true, Ordering::Release);
    for t in conns {
        let _ = t.join();
    }
    drop(listener);
    emit(0, TcpEventKind::Closed);
}

/// socket, SO_REUSEADDR, bind, listen; None (reported) when one failed.
fn open_listener(config: &TcpServerConfig, emit: &dyn Fn(u64, TcpEventKind)) -> Option<Socket> {
    let failed = |error| {
        emit(0, TcpEventKind::BindFailed { error });
        None
    };
    let addr = match resolve(&config.bind) {
        Ok(a) => a,
        Err(e) => return failed(e),
    };
    let family = Family::of(&addr);
    let domain = match family {
        Family::V4 => Domain::IPV4,
        Family::V6 => Domain::IPV6,
    };
    let socket = match Socket::new(domain, Type::STREAM, Some(socket2::Protocol::TCP)) {
        Ok(s) => s,
        Err(e) => {
            return failed(NetError::Io {
                call: "socket",
                message: e.to_string(),
            });
        }
    };
    emit(0, TcpEventKind::Socket { family });
    if config.reuse_addr {
        if let Err(e) = socket.set_reuse_address(true) {
            return failed(NetError::Io {
                call: "setsockopt(SO_REUSEADDR)",
                message: e.to_string(),
            });
        }
        emit(0, TcpEventKind::ReuseAddr);
    }
    if let Err(e) = socket.bind(&addr.into()) {
        let error = tcp_bind_error(addr, &e, config.reuse_addr);
        drop(socket);
        return failed(error);
    }
    let local = crate::net::sock::local_addr(&socket).unwrap_or(addr);
    emit(0, TcpEventKind::Bound { addr: local });
    let backlog = config.backlog.clamp(1, 4096);
    let listening = socket
        .listen(backlog as i32)
        .and_then(|()| wait::prepare_listener(&socket));
    if let Err(e) = listening {
        emit(
            0,
            TcpEventKind::Failed {
                error: NetError::Io {
                    call: "listen",
                    message: e.to_string(),
                },
            },
        );
        drop(socket);
        emit(0, TcpEventKind::Closed);
        return None;
    }
    emit(0, TcpEventKind::Listening { backlog });
    Some(socket)
}

/// One accepted connection: read, answer each read, close at b''.
fn serve(
    id: u64,
    conn: u64,
    socket: Socket,
    peer: SocketAddr,
    shared: &Shared,
    sink: &EventSink<NetEvent>,
) {
    let emit = emitter(id, sink);
    let stopped = || shared.stop.load(Ordering::Acquire);
    if let Err(e) = wait::prepare_stream(&socket) {
        emit(
            conn,
            TcpEventKind::Failed {
                error: NetError::Io {
                    call: "setsockopt(SO_RCVTIMEO)",
                    message: e.to_string(),
                },
            },
        );
        drop(socket);
        return emit(conn, TcpEventKind::Closed);
    }
    let mut seen = u64::MAX;
    let mut settings = TcpServerSettings::default();
    let mut buf = Vec::new();
    while !stopped() {
        let version = shared.settings_version.load(Ordering::Acquire);
        if version != seen {
            if let Ok(s) = shared.settings.lock() {
                settings = s.clone();
            }
            seen = version;
        }
        let size = settings.buffer.clamp(1, MAX_BUFFER);
        buf.resize(size, 0);
        let n = match wait::recv(&socket, &mut buf) {
            Ok(n) => n,
            Err(e) if wait::is_timeout(&e) => continue,
            Err(e) => {
                let error = tcp_error("recv", peer, &e);
                emit(
                    conn,
                    TcpEventKind::RecvFailed {
                        buffer: size,
                        error,
                    },
                );
                break;
            }
        };
        let bytes: Arc<[u8]> = Arc::from(&buf[..n]);
        emit(
            conn,
            TcpEventKind::Received {
                buffer: size,
                bytes: bytes.clone(),
            },
        );
        if n == 0 {
            // b'': the client closed its side and everything was read.
            break;
        }
        let answer = match &settings.reply {
            ReplyMode::None => continue,
            ReplyMode::Echo => bytes,
            ReplyMode::Fixed(text) => text.clone(),
        };
        let (sent, error) = wait::send_all(&socket, &answer, &stopped);
        match error {
            None if sent == answer.len() => emit(
                conn,
                TcpEventKind::Sent {
                    bytes: answer.clone(),
                    asked: answer.len(),
                    sent,
                    all: true,
                },
            ),
            // Stopped while the peer would not read.
            None => break,
            Some(e) => {
                let error = tcp_error("sendall", peer, &e);
                emit(
                    conn,
                    TcpEventKind::SendFailed {
                        asked: answer.len(),
                        sent,
                        error,
                    },
                );
                break;
            }
        }
    }
    if stopped() {
        // Stop pressed with the connection open: the server ends its side.
        let _ = socket.shutdown(std::net::Shutdown::Both);
        emit(conn, TcpEventKind::Shutdown { how: Shut::Both });
    }
    drop(socket);
    emit(conn, TcpEventKind::Closed);
}
