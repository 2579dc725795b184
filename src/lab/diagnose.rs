//! The mistakes a traced script shows, in plain words: each found from its
//! reported calls and what the system or the session recorded (an ICMP
//! error its datagram brought back, who received it); who holds a port on
//! this machine only words a fact, never makes one. The CLI prints them
//! after the calls they concern; the window words them through the same
//! table.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Duration;

use crate::net::ports;
use crate::net::trace::{Report, Site, TracedAddr, TracedCall, TracedError, TracedWait, Uncaught};

mod encoding;
mod http;
mod kind;
mod tcp;
mod waits;

pub use encoding::{Fit, cyrillic_fit};
pub use http::{Exchange, HttpKind};
pub use kind::{Diagnosis, Kind, Receipt};
pub use tcp::{ACCEPT_GRACE, SplitRead, TcpKind};

/// A receive blocked this long with no timeout is said to wait forever.
pub const WAIT_WARNING: Duration = Duration::from_secs(5);

/// What else is known about a script's datagrams: the window's session
/// sees both ends of a datagram between two traced scripts (or a script
/// and UDP Lab's server); the CLI traces one script and knows nothing.
pub trait Facts {
    /// Who received the latest datagram this script sent to `to`, if
    /// anyone did.
    fn received(&self, to: SocketAddr) -> Option<Receipt>;

    /// The latest recv of the script's stream socket `sock`, when its
    /// bytes end inside one of the peer's sends (issue 27: the session
    /// sees both ends of a connection; the CLI knows nothing).
    fn split_read(&self, _sock: u32) -> Option<SplitRead> {
        None
    }
}

/// No facts beyond the script's own reports.
pub struct NoFacts;

impl Facts for NoFacts {
    fn received(&self, _to: SocketAddr) -> Option<Receipt> {
        None
    }
}

/// An address the script named, with "localhost" read as 127.0.0.1.
fn socket_addr(a: &TracedAddr) -> Option<SocketAddr> {
    a.socket_addr().or_else(|| match a {
        TracedAddr::Inet { host, port } if host == "localhost" => {
            Some(SocketAddr::from(([127, 0, 0, 1], *port)))
        }
        _ => None,
    })
}

/// Whether `ip` is this machine's (loopback, or an address it can bind).
fn is_local(ip: IpAddr) -> bool {
    ip.is_loopback() || UdpSocket::bind(SocketAddr::new(ip, 0)).is_ok()
}

/// ECONNREFUSED (Linux 111, macOS 61), or Windows' WSAECONNRESET (10054)
/// on a UDP socket: an ICMP "port unreachable" came back.
fn refused(e: &TracedError) -> bool {
    matches!(e.errno, Some(111 | 61 | 10054)) || e.winerror == Some(10054)
}

/// ECONNREFUSED as the tracer reports the ICMP error it read.
const ECONNREFUSED: [i64; 2] = [111, 61];

/// The first datagram call of a socket tells what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// It sent first: a request, whose answer it waits for.
    Client,
    /// It received first.
    Server,
}

/// Follows one script's reports and says what went wrong.
#[derive(Default)]
pub struct Diagnoser {
    /// Where each socket last sent a datagram, and from which line.
    sent_to: HashMap<u32, (SocketAddr, Option<Site>)>,
    roles: HashMap<u32, Role>,
    /// UDP sockets, and those that got an address (bind, a send, connect).
    udp: Vec<u32>,
    named: Vec<u32>,
    /// Where the script's own sockets are bound: a datagram it sends to
    /// itself says nothing about other programs.
    own: Vec<SocketAddr>,
    /// Sockets the script bound: servers, whose waiting is their job.
    bound: Vec<u32>,
    /// Receives still blocked, by id.
    waiting: HashMap<String, (TracedWait, bool)>,
    /// Sockets already said to get replies from elsewhere, to receive
    /// unbound; destinations already said to be unreachable or received.
    told_other_port: Vec<u32>,
    told_unbound: Vec<u32>,
    told_nobody: Vec<SocketAddr>,
    told_received: Vec<SocketAddr>,
    /// An exception already explained by a call's diagnosis.
    explained: Option<(Option<Site>, String)>,
    /// The script raised an exception it did not catch.
    uncaught: bool,
    /// Sockets left open (by socket), said only if the script ends well.
    unclosed: Vec<(u32, Diagnosis)>,
    /// Its stream (TCP) sockets.
    tcp: tcp::Tcp,
    /// Its web server's connections.
    http: http::Http,
}

impl Diagnoser {
    /// The diagnoses that `report` brings.
    pub fn report(&mut self, report: &Report, facts: &dyn Facts) -> Vec<Diagnosis> {
        match report {
            Report::Call(call) => self.call(call, facts),
            Report::Wait(wait) => {
                self.tcp.wait(wait);
                self.http.wait(wait.sock);
                self.waiting.insert(wait.id.clone(), (wait.clone(), false));
                self.roles.entry(wait.sock).or_insert(Role::Server);
                self.unbound_receive(wait.sock, &wait.name, wait.site.as_ref())
            }
            Report::Unclosed { sock, site } => {
                self.unclosed.push((
                    *sock,
                    Diagnosis {
                        site: site.clone(),
                        kind: Kind::Unclosed,
                    },
                ));
                Vec::new()
            }
            Report::Icmp {
                sock,
                errno,
                to,
                site,
            } if ECONNREFUSED.contains(errno) && self.roles.get(sock) != Some(&Role::Server) => {
                let to = to
                    .as_ref()
                    .and_then(socket_addr)
                    .or_else(|| self.sent_to.get(sock).map(|s| s.0));
                match to {
                    Some(to) => self.unreachable(to, site.clone()),
                    None => Vec::new(),
                }
            }
            Report::Icmp { .. } => Vec::new(),
            Report::Uncaught(u) => self.uncaught(u),
            Report::Hello { .. } => Vec::new(),
        }
    }

    /// The script has ended: a client's socket left open is said only
    /// when it ended well (exit code 0, no exception, not stopped). A
    /// server that never stops, or a crash before close(), is no mistake
    /// of closing.
    pub fn exited(&mut self, code: Option<i32>, stopped: bool) -> Vec<Diagnosis> {
        let unclosed = std::mem::take(&mut self.unclosed);
        let mut out = if stopped {
            Vec::new()
        } else {
            self.tcp.exited()
        };
        if code != Some(0) || stopped || self.uncaught {
            return out;
        }
        out.extend(
            unclosed
                .into_iter()
                .filter(|(sock, _)| {
                    self.roles.get(sock) == Some(&Role::Client) && !self.bound.contains(sock)
                })
                .map(|(_, d)| d),
        );
        out
    }

    /// An ICMP "port unreachable" came back for a datagram to `to`: nothing
    /// listens there; a program on that port bound to another address of
    /// this machine is named (it is why).
    fn unreachable(&mut self, to: SocketAddr, site: Option<Site>) -> Vec<Diagnosis> {
        let own = self
            .own
            .iter()
            .any(|a| a.port() == to.port() && (a.ip() == to.ip() || a.ip().is_unspecified()));
        if own || self.told_nobody.contains(&to) {
            return Vec::new();
        }
        self.told_nobody.push(to);
        let holders = if ports::can_tell() && is_local(to.ip()) {
            ports::udp_holders(to.port())
        } else {
            Vec::new()
        };
        let holder = holders.into_iter().find(|h| !h.receives(to));
        let kind = match holder {
            Some(holder) => Kind::LoopbackOnly { to, holder },
            None => Kind::NothingListens { to },
        };
        vec![Diagnosis { site, kind }]
    }

    /// A receive on a UDP socket that has no address of its own yet.
    fn unbound_receive(&mut self, sock: u32, call: &str, site: Option<&Site>) -> Vec<Diagnosis> {
        if !self.udp.contains(&sock)
            || self.named.contains(&sock)
            || self.told_unbound.contains(&sock)
        {
            return Vec::new();
        }
        self.told_unbound.push(sock);
        vec![Diagnosis {
            site: site.cloned(),
            kind: Kind::NeverBound {
                call: call.to_owned(),
            },
        }]
    }

    /// The web server's requests and responses listed since the last call
    /// (the CLI prints them; the window has its own views).
    pub fn take_exchanges(&mut self) -> Vec<Exchange> {
        self.http.take_exchanges()
    }

    /// Web-server connections not followed, or exchanges not kept, past
    /// their limits (a server that never closes, a caller that never
    /// takes them).
    pub fn dropped_exchanges(&self) -> u64 {
        self.http.dropped()
    }

    fn call(&mut self, call: &TracedCall, facts: &dyn Facts) -> Vec<Diagnosis> {
        if let Some(id) = &call.wait {
            self.waiting.remove(id);
        }
        let mut found = self.http.call(call);
        if found
            .iter()
            .any(|d| matches!(d.kind, Kind::Http(HttpKind::PartialRequest { .. })))
        {
            // The session's split read says the same of this recv.
            self.tcp.hush(call.sock, "split");
        }
        if let (Err(e), false) = (&call.outcome, found.is_empty()) {
            // The exception the call raised is what the diagnosis explains.
            self.explained = Some((call.site.clone(), e.py_type.clone()));
        }
        match self.tcp.call(call, &mut self.explained, facts) {
            Some(more) => found.extend(more),
            None => found.extend(self.datagram_call(call, facts)),
        }
        found
    }

    fn datagram_call(&mut self, call: &TracedCall, facts: &dyn Facts) -> Vec<Diagnosis> {
        let sock = call.sock;
        match (call.name.as_str(), &call.outcome) {
            ("socket", Ok(_)) if call.args.sock_type.as_deref() == Some("SOCK_DGRAM") => {
                self.udp.push(sock);
            }
            ("bind" | "connect" | "sendto" | "send", Ok(_)) => self.named.push(sock),
            _ => {}
        }
        let site = call.site.clone();
        let one = |kind| {
            vec![Diagnosis {
                site: site.clone(),
                kind,
            }]
        };
        let receive = matches!(
            call.name.as_str(),
            "recvfrom" | "recv" | "recvfrom_into" | "recv_into"
        );
        match (&call.outcome, call.name.as_str()) {
            (Ok(r), _) if receive => {
                let mut out = Vec::new();
                let read = r.data.as_ref().map_or(0, |d| d.len as u64);
                if let Some(real) = r.real_len
                    && real > read
                {
                    out.push(Diagnosis {
                        site: site.clone(),
                        kind: Kind::Truncated {
                            len: real,
                            buffer: call.args.bufsize.unwrap_or(read),
                        },
                    });
                }
                // Only a client's answer: a socket that sent its request
                // first (a server's next request comes from anywhere).
                let client = self.roles.get(&sock) == Some(&Role::Client);
                if let (true, Some(from), Some((to, _))) = (
                    client,
                    r.from.as_ref().and_then(socket_addr),
                    self.sent_to.get(&call.sock),
                ) && from.port() != to.port()
                    && (from.ip() == to.ip() || (from.ip().is_loopback() && to.ip().is_loopback()))
                    && !self.told_other_port.contains(&call.sock)
                {
                    self.told_other_port.push(call.sock);
                    out.push(Diagnosis {
                        site: site.clone(),
                        kind: Kind::OtherPort { from, to: *to },
                    });
                }
                out
            }
            (Err(e), _) if receive && e.message_too_long() => one(Kind::TooLongWindows {
                buffer: call.args.bufsize.unwrap_or_default(),
            }),
            (Err(e), _) if receive && e.timeout => self.where_it_went(call.sock, facts),
            // Windows tells a server's socket of the ICMP its reply to a
            // closed client brought back by failing the next recvfrom.
            (Err(e), _)
                if receive
                    && (e.winerror == Some(10054) || e.errno == Some(10054))
                    && self.roles.get(&sock) == Some(&Role::Server) =>
            {
                one(Kind::ResetWindows)
            }
            // A server's reply to a client gone since is no mistake of
            // where it sent: only a client's request is said unreachable.
            (Err(e), _) if refused(e) && self.roles.get(&sock) == Some(&Role::Client) => {
                match self.sent_to.get(&sock) {
                    Some((to, sent_at)) => {
                        let (to, sent_at) = (*to, sent_at.clone());
                        self.unreachable(to, sent_at.or(site))
                    }
                    None => Vec::new(),
                }
            }
            (Ok(_), "sendto" | "connect") => {
                self.roles.entry(sock).or_insert(Role::Client);
                if let Some(to) = call.args.addr.as_ref().and_then(socket_addr) {
                    self.sent_to.insert(call.sock, (to, site.clone()));
                }
                Vec::new()
            }
            (Ok(_), "send") => {
                self.roles.entry(sock).or_insert(Role::Client);
                Vec::new()
            }
            (Err(e), "sendto" | "send")
                if e.py_type == "TypeError"
                    && call.args.data.as_ref().is_some_and(|d| d.py_type == "str") =>
            {
                self.explained = Some((site.clone(), e.py_type.clone()));
                one(Kind::SendStr)
            }
            (Err(e), "bind") if e.addr_in_use() => {
                let addr = call
                    .args
                    .addr
                    .as_ref()
                    .map(TracedAddr::python)
                    .unwrap_or_default();
                let holder = call
                    .args
                    .addr
                    .as_ref()
                    .and_then(socket_addr)
                    .and_then(|want| {
                        ports::udp_holders(want.port()).into_iter().find(|h| {
                            h.local.ip() == want.ip()
                                || h.local.ip().is_unspecified()
                                || want.ip().is_unspecified()
                        })
                    });
                self.explained = Some((site.clone(), "OSError".to_owned()));
                one(Kind::AddrInUse { addr, holder })
            }
            (Ok(r), "bind") => {
                self.bound.push(call.sock);
                if let Some(local) = r.local.as_ref().and_then(socket_addr) {
                    self.own.push(local);
                }
                Vec::new()
            }
            (Ok(_), "close") if call.args.gc => {
                self.unclosed.push((
                    sock,
                    Diagnosis {
                        site,
                        kind: Kind::Unclosed,
                    },
                ));
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn uncaught(&mut self, u: &Uncaught) -> Vec<Diagnosis> {
        self.uncaught = true;
        // Ctrl-C (Stop, or in the terminal): the user's doing, no mistake.
        if u.py_type == "KeyboardInterrupt" {
            return Vec::new();
        }
        if let Some(d) = self.http.uncaught(u) {
            return vec![d];
        }
        if let Some(d) = &u.decode {
            return vec![Diagnosis {
                site: u.site.clone(),
                kind: Kind::Undecodable {
                    encoding: d.encoding.clone(),
                    fits: cyrillic_fit(&d.bytes),
                    bytes: d.bytes.clone(),
                },
            }];
        }
        // The same exception a call's diagnosis already explained.
        if let Some((site, py_type)) = &self.explained
            && *site == u.site
            && (u.py_type == *py_type || u.text.starts_with(py_type.as_str()))
        {
            return Vec::new();
        }
        vec![Diagnosis {
            site: u.site.clone(),
            kind: Kind::Uncaught {
                text: u.text.clone(),
            },
        }]
    }
}

#[cfg(test)]
mod tests;
