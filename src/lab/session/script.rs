//! A traced script in the session (issue 14): its socket calls become
//! trace rows of its own side, mapped onto the calls UDP Lab's server and
//! client make, so every view, export and the time cursor take them as
//! they are; its datagrams join UDP Lab's own (and another script's) at
//! both ends through the same matching as the server's and the client's.

use std::path::{Path, PathBuf};

use super::*;
use crate::net::trace::{CallResult, Report, TracedAddr, TracedCall, TracedError, file_name};
use crate::net::{ScriptEvent, ScriptEventKind};

/// A script's run, as `net::spawn_script` numbers it.
pub type ScriptId = u64;

/// A file (as Python knows it) and a line.
pub type CallSite = (Arc<str>, u32);

/// Scripts remembered (names, sources); older ones are dropped.
pub const MAX_SCRIPTS: usize = 32;
/// Sockets of scripts followed at once (a script opening sockets in a loop
/// without closing them loses the oldest).
const MAX_SOCKETS: usize = 256;

#[derive(Clone, Debug, PartialEq)]
pub struct ScriptInfo {
    pub id: ScriptId,
    /// "server.py", or "server.py (2)" for the second run of that file.
    pub name: String,
    pub path: PathBuf,
    pub source: ScriptSource,
    /// A receive the script is blocked in now: its wait id and where.
    pub waiting: Option<(String, Option<CallSite>)>,
    /// That receive is on a UDP socket never bound (nor sent from): no
    /// client can know its port.
    pub waits_unbound: bool,
    /// The exception that ended it ("UnicodeDecodeError").
    pub uncaught: Option<String>,
}

impl ScriptInfo {
    /// Whether a call's site is in this script's own file (not a module
    /// it imported).
    pub fn owns(&self, file: &str) -> bool {
        let own = self.path.to_string_lossy();
        file == own || file_name(file) == file_name(&own)
    }
}

/// One socket a script opened.
#[derive(Clone, Debug)]
struct ScriptSocket {
    run: ScriptId,
    sock: u32,
    /// SOCK_DGRAM: its sends and receives are datagrams.
    udp: bool,
    local: Option<SocketAddr>,
    /// Where `connect` pointed it (its `send` goes there).
    peer: Option<SocketAddr>,
    timeout: Option<Duration>,
    plays: Option<Side>,
    /// A stream socket that called listen (its close stops a server).
    listening: bool,
}

/// The scripts of this session and their open sockets; both bounded.
#[derive(Clone, Default)]
pub struct Scripts {
    pub list: VecDeque<ScriptInfo>,
    pub dropped: u64,
    sockets: VecDeque<ScriptSocket>,
    /// The last site's file, shared by the rows that name it.
    file: Option<Arc<str>>,
}

impl Scripts {
    pub fn get(&self, id: ScriptId) -> Option<&ScriptInfo> {
        self.list.iter().find(|s| s.id == id)
    }

    /// "server.py (2)"; None for a script no longer remembered.
    pub fn name(&self, id: ScriptId) -> Option<&str> {
        self.get(id).map(|s| s.name.as_str())
    }

    fn started(&mut self, id: ScriptId, path: &Path, source: Option<&str>) {
        if self.get(id).is_some() {
            return;
        }
        let file = file_name(&path.to_string_lossy()).to_owned();
        let runs = self
            .list
            .iter()
            .filter(|s| file_name(&s.path.to_string_lossy()) == file)
            .count();
        let name = if runs == 0 {
            file
        } else {
            format!("{file} ({})", runs + 1)
        };
        if self.list.len() >= MAX_SCRIPTS {
            self.list.pop_front();
            self.dropped += 1;
        }
        self.list.push_back(ScriptInfo {
            id,
            name,
            path: path.to_owned(),
            source: source
                .map_or_else(|| read_source(path), |text| ScriptSource::Text(text.into())),
            waiting: None,
            waits_unbound: false,
            uncaught: None,
        });
    }

    /// A running script that waits in a receive on a socket it never
    /// bound: UDP Lab's client, told nothing listens where it sent, hears
    /// why ("server.py is running, but its socket is not bound to 23456").
    pub fn unbound_receiver(&self) -> Option<&str> {
        self.list
            .iter()
            .rev()
            .find(|s| s.waiting.is_some() && s.waits_unbound)
            .map(|s| s.name.as_str())
    }

    fn socket(&mut self, run: ScriptId, sock: u32) -> &mut ScriptSocket {
        let i = match self
            .sockets
            .iter()
            .position(|s| s.run == run && s.sock == sock)
        {
            Some(i) => i,
            None => {
                if self.sockets.len() >= MAX_SOCKETS {
                    self.sockets.pop_front();
                }
                self.sockets.push_back(ScriptSocket {
                    run,
                    sock,
                    // Until socket() says otherwise (a call seen without it).
                    udp: true,
                    local: None,
                    peer: None,
                    timeout: None,
                    plays: None,
                    listening: false,
                });
                self.sockets.len() - 1
            }
        };
        &mut self.sockets[i]
    }

    fn closed(&mut self, run: ScriptId, sock: u32) {
        self.sockets.retain(|s| !(s.run == run && s.sock == sock));
    }

    fn site(&mut self, call: &TracedCall) -> Option<(Arc<str>, u32)> {
        let site = call.site.as_ref()?;
        let file = match &self.file {
            Some(f) if **f == *site.file => f.clone(),
            _ => {
                let f: Arc<str> = site.file.as_str().into();
                self.file = Some(f.clone());
                f
            }
        };
        Some((file, site.line))
    }
}

/// Seconds since the Unix epoch (the tracer's clock) as a time.
fn epoch(seconds: f64) -> Option<SystemTime> {
    Duration::try_from_secs_f64(seconds)
        .ok()
        .and_then(|d| SystemTime::UNIX_EPOCH.checked_add(d))
}

/// An address the session can place: a literal IP, or "localhost".
fn addr_of(a: Option<&TracedAddr>) -> Option<SocketAddr> {
    let a = a?;
    a.socket_addr().or(match a {
        TracedAddr::Inet { host, port } if host.eq_ignore_ascii_case("localhost") => {
            Some(SocketAddr::from(([127, 0, 0, 1], *port)))
        }
        _ => None,
    })
}

/// The exception as the session words UDP Lab's own errors.
fn net_error(call: &'static str, addr: SocketAddr, e: &TracedError) -> NetError {
    match e.errno.and_then(|n| i32::try_from(n).ok()) {
        Some(errno) => NetError::from_io(call, addr, &std::io::Error::from_raw_os_error(errno)),
        None => NetError::Io {
            call,
            message: format!("{}: {}", e.py_type, e.text),
        },
    }
}

/// setsockopt's level and option as the trace shows them; names the lab's
/// exercises use keep theirs.
fn opt_name(name: Option<&str>) -> &'static str {
    const KNOWN: &[&str] = &[
        "SOL_SOCKET",
        "IPPROTO_IP",
        "IPPROTO_IPV6",
        "IPPROTO_UDP",
        "SO_BROADCAST",
        "SO_REUSEADDR",
        "SO_REUSEPORT",
        "SO_RCVBUF",
        "SO_SNDBUF",
        "SO_RCVTIMEO",
        "IP_MULTICAST_TTL",
        "IP_MULTICAST_LOOP",
        "IP_MULTICAST_IF",
        "IP_ADD_MEMBERSHIP",
        "IP_DROP_MEMBERSHIP",
        "IP_TTL",
        "IPV6_JOIN_GROUP",
        "IPV6_LEAVE_GROUP",
        "IPV6_MULTICAST_HOPS",
        "IPV6_V6ONLY",
    ];
    name.and_then(|n| KNOWN.iter().find(|k| **k == n).copied())
        .unwrap_or("?")
}

impl Session {
    pub(super) fn record_script(&mut self, ev: &ScriptEvent) {
        match &ev.kind {
            ScriptEventKind::Started { script, source, .. } => {
                self.scripts.started(ev.run, script, source.as_deref())
            }
            ScriptEventKind::Report(report) => match &**report {
                Report::Call(call) => {
                    if let Some(info) = self.scripts.list.iter_mut().find(|s| s.id == ev.run)
                        && call.wait.is_some()
                        && info.waiting.as_ref().map(|(id, _)| id) == call.wait.as_ref()
                    {
                        info.waiting = None;
                    }
                    self.script_call(ev.run, ev.at, call);
                }
                Report::Wait(wait) => {
                    // A receive that waits on a socket whose role is not
                    // known yet: it is a server's (bound, then waiting).
                    if self.scripts.socket(ev.run, wait.sock).plays.is_none() {
                        self.learn_plays(ev.run, wait.sock, Side::Server);
                    }
                    let site = wait
                        .site
                        .as_ref()
                        .map(|s| (Arc::from(s.file.as_str()), s.line));
                    let s = self.scripts.socket(ev.run, wait.sock);
                    let unbound = s.udp && s.local.is_none() && s.peer.is_none();
                    if let Some(info) = self.scripts.list.iter_mut().find(|s| s.id == ev.run) {
                        info.waiting = Some((wait.id.clone(), site));
                        info.waits_unbound = unbound;
                    }
                }
                Report::Uncaught(u) => {
                    if let Some(info) = self.scripts.list.iter_mut().find(|s| s.id == ev.run) {
                        info.uncaught = Some(u.py_type.clone());
                    }
                }
                _ => {}
            },
            ScriptEventKind::Exited { .. } => {
                if let Some(info) = self.scripts.list.iter_mut().find(|s| s.id == ev.run) {
                    info.waiting = None;
                }
            }
            ScriptEventKind::Output { .. } => {}
        }
    }

    /// A socket's role is learnt from its first datagram call: a receive
    /// (or one that waits) makes it the lab's server, a send its client,
    /// bound or not (a client may bind its port first). Its calls before
    /// (socket, bind, setsockopt) get their step now.
    fn learn_plays(&mut self, run: ScriptId, sock: u32, plays: Side) {
        let s = self.scripts.socket(run, sock);
        // A stream socket is none of the lab's programs.
        if s.plays.is_some() || !s.udp {
            return;
        }
        s.plays = Some(plays);
        for row in self.trace.iter_mut().rev().take(1024) {
            if row.side == Side::Script(run)
                && let Some(c) = row.script.as_mut().filter(|c| c.sock == sock)
            {
                c.plays.get_or_insert(plays);
            }
        }
    }

    fn script_call(&mut self, run: ScriptId, reported: SystemTime, call: &TracedCall) {
        let at = epoch(call.time).unwrap_or(reported);
        let began = call.start.and_then(epoch).unwrap_or(at);
        let side = Side::Script(run);
        let sock = call.sock;
        let op = u64::from(sock);
        let site = self.scripts.site(call);
        let plays = self.scripts.socket(run, sock).plays;
        let row = |plays| ScriptCall {
            sock,
            site: site.clone(),
            plays,
        };
        let name = call.name.as_str();
        if name == "socket" {
            let family = match call.args.family.as_deref() {
                Some("AF_INET") => Family::V4,
                Some("AF_INET6") => Family::V6,
                // Not an IP socket (AF_UNIX): nothing of the lab's.
                _ => return,
            };
            if call.outcome.is_err() {
                return;
            }
            let udp = call.args.sock_type.as_deref() == Some("SOCK_DGRAM");
            self.scripts.socket(run, sock).udp = udp;
            if call.args.sock_type.as_deref() == Some("SOCK_STREAM") {
                self.record_stream_call(StreamCall {
                    at,
                    side,
                    op,
                    end: None,
                    call: TcpCall::Socket { family },
                    addrs: None,
                    bytes: &[],
                    script: Some(row(plays)),
                });
                return;
            }
            self.pending_script = Some(row(plays));
            self.trace(at, side, op, Call::Socket { family }, None);
            return;
        }
        let s = self.scripts.socket(run, sock).clone();
        if !s.udp && self.script_stream_call(run, at, began, call) {
            return;
        }
        let to = addr_of(call.args.addr.as_ref()).or(s.peer);
        match (name, &call.outcome) {
            ("bind", Ok(res)) => {
                let Some(addr) = addr_of(res.local.as_ref()).or(to) else {
                    return;
                };
                self.scripts.socket(run, sock).local = Some(addr);
                self.pending_script = Some(row(plays));
                self.trace(at, side, op, Call::Bind { addr }, None);
            }
            ("bind", Err(e)) => {
                let error = net_error("bind", to.unwrap_or_else(unspecified), e);
                // Bind failing is the lab's server failing at its step 5
                // (no datagram call will come to tell).
                self.learn_plays(run, sock, Side::Server);
                let plays = self.scripts.socket(run, sock).plays;
                self.pending_script = Some(row(plays));
                self.trace(at, side, op, Call::BindFailed { error }, None);
            }
            ("connect", Ok(_)) => self.scripts.socket(run, sock).peer = to,
            ("settimeout", Ok(_)) => {
                self.scripts.socket(run, sock).timeout = call
                    .args
                    .timeout
                    .and_then(|t| Duration::try_from_secs_f64(t).ok());
            }
            ("close", _) => {
                self.scripts.closed(run, sock);
                self.pending_script = Some(row(plays));
                self.trace(at, side, op, Call::Close, None);
            }
            ("setsockopt", Ok(_)) => {
                let a = &call.args;
                let value = a.value.clone().unwrap_or_default();
                let call = Call::SetSockOpt {
                    level: opt_name(a.level.as_deref()),
                    name: opt_name(a.opt.as_deref()),
                    value,
                };
                self.pending_script = Some(row(plays));
                self.trace(at, side, op, call, None);
            }
            // A stream socket's data is no datagram (and no step of the lab).
            _ if !s.udp => {}
            ("sendto" | "send", outcome) => {
                let Some(to) = to else { return };
                let plays = plays.unwrap_or(Side::Client);
                self.learn_plays(run, sock, plays);
                let data = call.args.data.as_ref();
                let len = data.map_or(0, |d| d.len);
                match outcome {
                    Ok(res) => self.script_sent(run, sock, began, to, res, call, plays),
                    Err(e) => {
                        let error = net_error("sendto", to, e);
                        self.pending_script = Some(row(Some(plays)));
                        self.trace(began, side, op, Call::SendFailed { len, to, error }, None);
                    }
                }
            }
            ("recvfrom" | "recvfrom_into" | "recv" | "recv_into", outcome) => {
                let buffer = call
                    .args
                    .bufsize
                    .and_then(|b| usize::try_from(b).ok())
                    .unwrap_or(0);
                let plays = plays.unwrap_or(Side::Server);
                self.learn_plays(run, sock, plays);
                let s = self.scripts.socket(run, sock).clone();
                self.pending_script = Some(row(Some(plays)));
                match outcome {
                    Ok(res) => self.script_received(run, sock, at, res, buffer, &s),
                    Err(e) if e.timeout => {
                        let after = s.timeout.unwrap_or_default();
                        self.trace(at, side, op, Call::RecvTimedOut { buffer, after }, None);
                    }
                    Err(e) => {
                        let error = net_error("recvfrom", s.peer.unwrap_or_else(unspecified), e);
                        self.trace(at, side, op, Call::RecvFailed { buffer, error }, None);
                    }
                }
                self.pending_script = None;
            }
            _ => {}
        }
    }
}

mod facts;
mod source;
mod tcp;
mod udp;
pub use facts::RunFacts;
pub use source::{MAX_SOURCE, ScriptSource, read_source};

#[cfg(test)]
mod tests;
