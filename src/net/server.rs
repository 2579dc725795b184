//! The server worker: bind, then `recvfrom` in a loop and answer each
//! datagram, exactly like the lab's server, reporting every step.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use super::{
    EventSink, Family, Impairments, NetError, NetEvent, ParsedAddr, Received, SimFate, Simulator,
    SockOpt, resolve, sock,
};
use socket2::Socket;

/// How often a blocked `recvfrom` looks up to see whether Stop was pressed.
const STOP_POLL: Duration = Duration::from_millis(50);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyMode {
    /// Answer every datagram with this text (the lab: "Hello, client").
    Fixed(Arc<[u8]>),
    /// Send back the bytes that were read (never more than arrived).
    Echo,
    /// Receive only.
    None,
}

/// Settings the user may change while the server runs.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerSettings {
    pub reply: ReplyMode,
    /// `recvfrom`'s buffer size: longer datagrams are truncated.
    pub buffer: usize,
    /// At most this many replies per second (None: no limit), so the server
    /// cannot be turned into a traffic amplifier.
    pub reply_rate_limit: Option<u32>,
    /// The network simulator's knobs for the replies.
    pub network: Impairments,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            reply: ReplyMode::Fixed(Arc::from(super::DEFAULT_REPLY.as_bytes())),
            buffer: super::DEFAULT_BUFFER,
            reply_rate_limit: None,
            network: Impairments::default(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub bind: ParsedAddr,
    pub settings: ServerSettings,
    /// A multicast group to join after bind (and leave on stop).
    pub join: Option<Join>,
}

/// `IP_ADD_MEMBERSHIP` / `IPV6_JOIN_GROUP`: the server hears datagrams sent
/// to `group` (bind to 0.0.0.0 or :: with the group's port: a socket bound
/// to one unicast address does not get them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Join {
    pub group: IpAddr,
    /// The IPv4 interface (by its address) to join on; None: the one the
    /// routing table picks.
    pub interface: Option<IpAddr>,
    /// IPv6: the interface's index (0: the one the routing table picks,
    /// which Linux often cannot for a group: ENODEV).
    pub ifindex: u32,
}

impl Join {
    /// The option that joins (`leave`: leaves), with its arguments as the
    /// trace shows them.
    fn option(&self, leave: bool) -> SockOpt {
        match (self.group, self.interface) {
            (IpAddr::V4(g), iface) => SockOpt::new(
                "IPPROTO_IP",
                if leave {
                    "IP_DROP_MEMBERSHIP"
                } else {
                    "IP_ADD_MEMBERSHIP"
                },
                format!(
                    "{{{g}, {}}}",
                    iface.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
                ),
            ),
            (IpAddr::V6(g), _) => SockOpt::new(
                "IPPROTO_IPV6",
                if leave {
                    "IPV6_LEAVE_GROUP"
                } else {
                    "IPV6_JOIN_GROUP"
                },
                format!("{{{g}, {}}}", self.ifindex),
            ),
        }
    }

    fn apply(&self, socket: &Socket, leave: bool) -> Result<SockOpt, NetError> {
        let opt = self.option(leave);
        let result = match (self.group, self.interface) {
            (IpAddr::V4(g), None) if leave => socket.leave_multicast_v4(&g, &Ipv4Addr::UNSPECIFIED),
            (IpAddr::V4(g), None) => socket.join_multicast_v4(&g, &Ipv4Addr::UNSPECIFIED),
            (IpAddr::V4(g), Some(IpAddr::V4(i))) if leave => socket.leave_multicast_v4(&g, &i),
            (IpAddr::V4(g), Some(IpAddr::V4(i))) => socket.join_multicast_v4(&g, &i),
            (IpAddr::V6(g), _) if leave => socket.leave_multicast_v6(&g, self.ifindex),
            (IpAddr::V6(g), _) => socket.join_multicast_v6(&g, self.ifindex),
            (IpAddr::V4(_), Some(IpAddr::V6(_))) => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "an IPv4 group needs an IPv4 interface address",
            )),
        };
        result.map(|()| opt.clone()).map_err(|e| NetError::Io {
            call: opt.call(),
            message: e.to_string(),
        })
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ServerEvent {
    /// Which start of the server this came from (events of an old run may
    /// still be queued after a restart).
    pub server: u64,
    pub at: SystemTime,
    pub kind: ServerEventKind,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum ServerEventKind {
    /// `socket(family, SOCK_DGRAM)` succeeded.
    Socket { family: Family },
    /// `bind` succeeded: the server listens at `addr` (the real port).
    Listening { addr: SocketAddr },
    /// `recvfrom` returned a datagram, and what the server did about it.
    Datagram { rx: Received, reply: Reply },
    /// The worker could not start, or the socket failed; it has ended.
    Failed { error: NetError },
    /// `close()`: the socket is closed and the port is free again.
    Stopped,
    /// `setsockopt`: a multicast group joined (after bind) or left (before
    /// close).
    SockOpt(SockOpt),
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Reply {
    /// Reply mode "none".
    NotSent,
    /// `sendto` sent these bytes back to the sender.
    Sent {
        #[serde(with = "super::serde_with::bytes")]
        bytes: Arc<[u8]>,
        at: SystemTime,
        sim: SimFate,
    },
    /// The reply rate limit held this one back.
    RateLimited,
    Failed {
        error: NetError,
    },
}

struct Shared {
    stop: AtomicBool,
    settings: Mutex<ServerSettings>,
    /// Bumped when `settings` change, so the worker only locks then.
    settings_version: AtomicU64,
    /// Bumped by [`ServerHandle::restart_simulator`].
    sim_restarts: AtomicU64,
    received: AtomicU64,
}

/// The UI's handle on a running server. Dropping it stops the worker.
pub struct ServerHandle {
    pub id: u64,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

static NEXT_SERVER: AtomicU64 = AtomicU64::new(1);

/// Starts a server worker. Resolving and binding happen on the worker; the
/// outcome arrives as `Listening` or `Failed`.
pub fn spawn_server(
    config: ServerConfig,
    sink: EventSink<NetEvent>,
) -> Result<ServerHandle, NetError> {
    let id = NEXT_SERVER.fetch_add(1, Ordering::Relaxed);
    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        settings: Mutex::new(config.settings.clone()),
        settings_version: AtomicU64::new(0),
        sim_restarts: AtomicU64::new(0),
        received: AtomicU64::new(0),
    });
    let worker_shared = shared.clone();
    let thread = std::thread::Builder::new()
        .name("udp-lab-server".into())
        .spawn(move || run(id, config.bind, config.join, &worker_shared, &sink))
        .map_err(|e| NetError::Io {
            call: "thread spawn",
            message: e.to_string(),
        })?;
    Ok(ServerHandle {
        id,
        shared,
        thread: Some(thread),
    })
}

impl ServerHandle {
    /// Asks the worker to close the socket; `Stopped` follows within ~50 ms.
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::Release);
    }

    /// Stops and waits for the worker to end (CLI and tests).
    pub fn join(mut self) {
        self.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Changes reply mode, buffer or rate limit of the running server.
    pub fn update(&self, settings: ServerSettings) {
        if let Ok(mut s) = self.shared.settings.lock() {
            *s = settings;
        }
        self.shared.settings_version.fetch_add(1, Ordering::Release);
    }

    /// The replies' simulator starts again from its seed at the next
    /// datagram, so a burst (the teacher's demo) sent now gets the same
    /// pattern as the last time with this seed, not the stream's next part.
    pub fn restart_simulator(&self) {
        self.shared.sim_restarts.fetch_add(1, Ordering::Release);
    }

    /// Datagrams received, counted by the worker (even those the UI dropped).
    pub fn received(&self) -> u64 {
        self.shared.received.load(Ordering::Relaxed)
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(id: u64, bind: ParsedAddr, join: Option<Join>, shared: &Shared, sink: &EventSink<NetEvent>) {
    let event = |kind| {
        NetEvent::Server(ServerEvent {
            server: id,
            at: SystemTime::now(),
            kind,
        })
    };
    // Lifecycle events always reach the UI; datagram events may be dropped
    // (and counted) when a flood outruns it.
    let emit = |kind| sink.send_always(event(kind));
    let fail = |error| emit(ServerEventKind::Failed { error });
    let addr = match resolve(&bind) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let family = Family::of(&addr);
    // An Arc, so the simulator's scheduler can send delayed replies on it
    // (it holds only a Weak: closing still frees the port at once).
    let socket = match sock::open(family) {
        Ok(s) => Arc::new(s),
        Err(e) => return fail(e),
    };
    emit(ServerEventKind::Socket { family });
    let local = match sock::bind(&socket, addr) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    if let Err(e) = sock::set_timeout(&socket, STOP_POLL) {
        return fail(NetError::Io {
            call: "setsockopt(SO_RCVTIMEO)",
            message: e.to_string(),
        });
    }
    emit(ServerEventKind::Listening { addr: local });
    if let Some(join) = &join {
        match join.apply(&socket, false) {
            Ok(opt) => emit(ServerEventKind::SockOpt(opt)),
            Err(e) => {
                fail(e);
                drop(socket);
                return emit(ServerEventKind::Stopped);
            }
        }
    }

    let mut seen_version = u64::MAX;
    let mut settings = ServerSettings::default();
    // Reads every datagram already waiting in one system call (a flood).
    let mut batch = super::batch::RecvBatch::default();
    // And answers them with one: the plain replies of a batch wait for its end.
    let mut pending = Pending::default();
    let mut limiter = RateLimiter::default();
    let mut simulator = Simulator::for_server(Impairments::default());
    let mut sim_restarts = 0;
    // Settings may change while recvfrom blocks: look before each read (buffer
    // size) and again before answering (reply mode).
    let refresh = |settings: &mut ServerSettings, seen: &mut u64| {
        let version = shared.settings_version.load(Ordering::Acquire);
        if version != *seen {
            if let Ok(s) = shared.settings.lock() {
                *settings = s.clone();
            }
            *seen = version;
        }
    };
    while !shared.stop.load(Ordering::Acquire) {
        refresh(&mut settings, &mut seen_version);
        let size = settings.buffer.clamp(1, super::MAX_DATAGRAM + 1);
        let (read, buf) = match batch.recv(&socket, size) {
            Ok(r) => r,
            Err(e) if sock::is_timeout(&e) || sock::is_stale_icmp(&e) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                fail(NetError::Io {
                    call: "recvfrom",
                    message: e.to_string(),
                });
                break;
            }
        };
        shared.received.fetch_add(1, Ordering::Relaxed);
        let rx = read.received(buf);
        refresh(&mut settings, &mut seen_version);
        let restarts = shared.sim_restarts.load(Ordering::Acquire);
        if !simulator.is_for(&settings.network) || restarts != sim_restarts {
            // New knobs, or a new burst asked for it: the seed starts over.
            simulator = Simulator::for_server(settings.network);
            sim_restarts = restarts;
        }
        let answer = match &settings.reply {
            ReplyMode::None => None,
            ReplyMode::Echo => Some(rx.bytes.clone()),
            ReplyMode::Fixed(text) => Some(pending.fixed_reply(text)),
        };
        let reply = match answer {
            None => Some(Reply::NotSent),
            Some(_) if !limiter.allow(settings.reply_rate_limit) => Some(Reply::RateLimited),
            Some(bytes) if simulator.is_off() => {
                pending.sends.push(bytes, read.from);
                None
            }
            Some(bytes) => {
                // The simulator sends now: the plain replies before it first.
                pending.flush(&socket);
                let reply_at = SystemTime::now();
                Some(match simulator.send(&socket, &bytes, read.from) {
                    Ok(sim) => Reply::Sent {
                        bytes,
                        at: reply_at,
                        sim,
                    },
                    Err(e) => Reply::Failed {
                        error: NetError::from_io("sendto", read.from, &e),
                    },
                })
            }
        };
        pending.waiting.push((rx, reply));
        if batch.pending() == 0 {
            pending.report(&socket, id, sink);
        }
    }
    // Stopped in the middle of a batch: what was handed out is answered and
    // reported (the rest, never handed out, goes as the kernel's queue does).
    pending.report(&socket, id, sink);
    // Closing would leave the group too; saying so shows it in the trace.
    if let Some(join) = &join
        && let Ok(opt) = join.apply(&socket, true)
    {
        emit(ServerEventKind::SockOpt(opt));
    }
    drop(socket);
    // After the socket: a reply still held back dies with it.
    drop(simulator);
    emit(ServerEventKind::Stopped);
}

/// One batch between its `recvfrom`s and its report: the plain replies
/// waiting to go out by one `sendmmsg`, and the datagrams waiting for them.
#[derive(Default)]
struct Pending {
    sends: super::batch::SendBatch,
    /// `sends`' outcomes (kept to reuse its memory).
    results: Vec<(Arc<[u8]>, std::io::Result<()>)>,
    /// The batch's datagrams, reported once their replies are out (None:
    /// the reply waits in `sends`).
    waiting: Vec<(Received, Option<Reply>)>,
    /// The fixed reply, one copy per batch: the reader drops each event's
    /// handle on its own thread, and one shared count would bounce between
    /// the two CPUs' caches on every datagram.
    text: Option<Arc<[u8]>>,
}

impl Pending {
    fn fixed_reply(&mut self, text: &Arc<[u8]>) -> Arc<[u8]> {
        self.text
            .get_or_insert_with(|| Arc::from(&text[..]))
            .clone()
    }

    /// Sends the replies waiting in `sends` and writes each outcome into
    /// its datagram's place in `waiting`.
    fn flush(&mut self, socket: &Socket) {
        if self.sends.is_empty() {
            return;
        }
        // Stamped before sendto: the client may report the answer before
        // this thread gets to report the send.
        let at = SystemTime::now();
        self.sends.flush(socket, &mut self.results);
        let mut outcomes = self.results.drain(..);
        for (rx, reply) in self.waiting.iter_mut().filter(|(_, r)| r.is_none()) {
            let Some((bytes, outcome)) = outcomes.next() else {
                break;
            };
            *reply = Some(match outcome {
                Ok(()) => Reply::Sent {
                    bytes,
                    at,
                    sim: SimFate::default(),
                },
                Err(e) => Reply::Failed {
                    error: NetError::from_io("sendto", rx.from, &e),
                },
            });
        }
    }

    /// Sends the batch's replies, then reports its datagrams as one message
    /// (a flood's batches are up to 32); the next batch starts afresh.
    fn report(&mut self, socket: &Socket, server: u64, sink: &EventSink<NetEvent>) {
        self.text = None;
        if self.waiting.is_empty() {
            return;
        }
        self.flush(socket);
        let at = SystemTime::now();
        sink.send_many(
            self.waiting
                .drain(..)
                .map(|(rx, reply)| {
                    NetEvent::Server(ServerEvent {
                        server,
                        at,
                        kind: ServerEventKind::Datagram {
                            rx,
                            reply: reply.unwrap_or(Reply::NotSent),
                        },
                    })
                })
                .collect(),
        );
    }
}

/// A token bucket: `limit` replies per second, bursts up to `limit`.
#[derive(Default)]
struct RateLimiter {
    tokens: f64,
    last: Option<Instant>,
}

impl RateLimiter {
    fn allow(&mut self, limit: Option<u32>) -> bool {
        let Some(limit) = limit else { return true };
        let now = Instant::now();
        let limit = f64::from(limit.max(1));
        let elapsed = self
            .last
            .map_or(limit, |l| now.duration_since(l).as_secs_f64() * limit);
        self.tokens = (self.tokens + elapsed).min(limit);
        self.last = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
