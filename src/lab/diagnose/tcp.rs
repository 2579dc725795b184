//! The TCP classics in a traced script (issue 27), each said where it
//! happens and only when the script's own calls (or the system's TCP
//! table, for TIME_WAIT) prove it: connection refused, bind failing on a
//! port held only by TIME_WAIT, `send` that sent part and nothing sent the
//! rest, `recv` → `b''` read again (a loop that spins), a data call on the
//! listening socket, and an accepted connection left open while the
//! script waits for the next one.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

use super::{Diagnosis, Facts, Kind, socket_addr};
use crate::lab::i18n::{Lang, T, fill};
use crate::net::ports;
use crate::net::trace::{Site, TracedAddr, TracedCall, TracedError, TracedWait};

/// A script waiting this long in accept() while an accepted connection
/// has had no call since is said to have left it open (a handler thread
/// working on it makes calls, or waits in one).
pub const ACCEPT_GRACE: Duration = Duration::from_secs(2);

/// ECONNREFUSED on Linux, macOS and Windows.
fn refused(errno: i64) -> bool {
    matches!(errno, 111 | 61 | 10061)
}

/// A recv whose bytes end inside one of the peer's sends, as the session
/// recorded both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitRead {
    /// Bytes the recv returned.
    pub read: u64,
    /// The length of the send it ended inside, and how many of its bytes
    /// were not read by then.
    pub send_len: u64,
    pub left: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TcpKind {
    /// A recv returned part of a message (it ended inside a peer's send)
    /// and the script's next call on the socket was no recv: it took the
    /// part for the whole.
    SplitRead {
        split: SplitRead,
        next: String,
        next_site: Option<Site>,
    },
    /// connect / connect_ex to `addr` was answered with a reset.
    Refused { call: String, addr: String },
    /// bind failed, nothing listens on the port, and connections on it
    /// are in TIME_WAIT; `reuse`: this socket had SO_REUSEADDR (Linux lets
    /// it bind only when the sockets in TIME_WAIT had it too).
    TimeWait { addr: String, reuse: bool },
    /// send() sent `sent` of `len` bytes and the next call was no send of
    /// the rest.
    PartialSend { sent: u64, len: u64 },
    /// recv returned b'' a second time on the same socket.
    EofLoop { call: String },
    /// A connected client's receive has blocked `waited` with no timeout,
    /// after `read` bytes: the server neither sends more nor closes.
    WaitsForClose {
        call: String,
        waited: Duration,
        read: u64,
    },
    /// A data call on the socket that listens.
    OnListening { call: String },
    /// The connection accept() returned here is open, with no call on it,
    /// while the script waits in accept() at `waiting`.
    AcceptedUnclosed { waiting: Option<Site> },
}

impl TcpKind {
    pub fn text(&self, site: &str, lang: Lang) -> String {
        match self {
            TcpKind::SplitRead {
                split,
                next,
                next_site,
            } => fill(
                T::DiagTcpSplitRead.get(lang),
                &[
                    ("site", &site),
                    ("read", &split.read),
                    ("len", &split.send_len),
                    ("left", &split.left),
                    ("next", next),
                    (
                        "next_site",
                        &next_site.as_ref().map_or("?".into(), Site::short),
                    ),
                ],
            ),
            TcpKind::Refused { call, addr } => fill(
                T::DiagTcpRefused.get(lang),
                &[("site", &site), ("call", call), ("addr", addr)],
            ),
            TcpKind::TimeWait { addr, reuse } => fill(
                if *reuse {
                    T::DiagTcpTimeWaitReuse
                } else {
                    T::DiagTcpTimeWait
                }
                .get(lang),
                &[("site", &site), ("addr", addr)],
            ),
            TcpKind::PartialSend { sent, len } => fill(
                T::DiagTcpPartialSend.get(lang),
                &[("site", &site), ("sent", sent), ("len", len)],
            ),
            TcpKind::EofLoop { call } => fill(
                T::DiagTcpEofLoop.get(lang),
                &[("site", &site), ("call", call)],
            ),
            TcpKind::WaitsForClose { call, waited, read } => fill(
                T::DiagTcpWaitsForClose.get(lang),
                &[
                    ("site", &site),
                    ("call", call),
                    ("secs", &waited.as_secs()),
                    ("read", read),
                ],
            ),
            TcpKind::OnListening { call } => fill(
                T::DiagTcpOnListening.get(lang),
                &[("site", &site), ("call", call)],
            ),
            TcpKind::AcceptedUnclosed { waiting } => fill(
                T::DiagTcpAcceptedUnclosed.get(lang),
                &[
                    ("site", &site),
                    ("waiting", &waiting.as_ref().map_or("?".into(), Site::short)),
                ],
            ),
        }
    }
}

/// An accepted connection still open.
struct Conn {
    site: Option<Site>,
    /// When its latest call returned (the script's clock).
    last: f64,
    /// A receive on it is blocked now.
    waiting: bool,
}

/// A send that sent part of its bytes.
struct Partial {
    sent: u64,
    len: u64,
    site: Option<Site>,
}

/// What one script's stream sockets have done so far.
#[derive(Default)]
pub struct Tcp {
    stream: HashSet<u32>,
    listening: HashSet<u32>,
    reuse: HashSet<u32>,
    conns: HashMap<u32, Conn>,
    /// Sockets whose receive returned b''.
    eof: HashSet<u32>,
    partial: HashMap<u32, Partial>,
    /// Connected clients, and the bytes each has read so far.
    clients: HashMap<u32, u64>,
    /// Sockets whose latest call was a recv that returned bytes: where.
    read: HashMap<u32, Option<Site>>,
    /// The accept() the script waits in: its wait id, site and start.
    accepting: Option<(String, Option<Site>, f64)>,
    told: HashSet<(u32, &'static str)>,
}

fn one(site: &Option<Site>, kind: TcpKind) -> Vec<Diagnosis> {
    vec![Diagnosis {
        site: site.clone(),
        kind: Kind::Tcp(kind),
    }]
}

fn seconds(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl Tcp {
    /// Whether `sock` is a stream socket of the script's.
    pub fn has(&self, sock: u32) -> bool {
        self.stream.contains(&sock)
    }

    /// Whether `sock` connected (a client: its wait is for the server).
    pub fn is_client(&self, sock: u32) -> bool {
        self.clients.contains_key(&sock)
    }

    /// A connected client's bytes read so far; None for any other socket.
    pub fn read_so_far(&self, sock: u32) -> Option<u64> {
        self.clients.get(&sock).copied()
    }

    /// When the script began to wait in accept() (its clock), if it does.
    pub fn accepting_since(&self) -> Option<f64> {
        self.accepting.as_ref().map(|a| a.2)
    }

    /// `sock` left open ("unclosed") or read in part ("split") was said
    /// already, in the web server's words.
    pub fn hush(&mut self, sock: u32, what: &'static str) {
        self.told.insert((sock, what));
    }

    /// Once per socket and kind of mistake.
    fn first(&mut self, sock: u32, what: &'static str) -> bool {
        self.told.insert((sock, what))
    }

    pub fn wait(&mut self, wait: &TracedWait) {
        if !self.has(wait.sock) {
            return;
        }
        if wait.name == "accept" {
            self.accepting = Some((wait.id.clone(), wait.site.clone(), wait.time));
        } else if let Some(conn) = self.conns.get_mut(&wait.sock) {
            conn.waiting = true;
        }
    }

    /// The diagnoses of a call on a stream socket; None when the socket
    /// is none (UDP's diagnoses take it). `explained` notes an exception
    /// a diagnosis already explains.
    pub fn call(
        &mut self,
        call: &TracedCall,
        explained: &mut Option<(Option<Site>, String)>,
        facts: &dyn Facts,
    ) -> Option<Vec<Diagnosis>> {
        let sock = call.sock;
        let name = call.name.as_str();
        if name == "socket" && call.args.sock_type.as_deref() == Some("SOCK_STREAM") {
            self.stream.insert(sock);
            return Some(Vec::new());
        }
        if !self.has(sock) {
            return None;
        }
        let site = &call.site;
        let mut out = self.unfinished_send(call);
        out.extend(self.took_part_for_whole(call, facts));
        if let Some(conn) = self.conns.get_mut(&sock) {
            conn.last = call.time;
            conn.waiting = false;
        }
        let data_call = matches!(name, "send" | "sendall" | "recv" | "recv_into");
        if data_call && self.listening.contains(&sock) {
            if let Err(e) = &call.outcome {
                *explained = Some((site.clone(), e.py_type.clone()));
            }
            if self.first(sock, "listening") {
                out.extend(one(site, TcpKind::OnListening { call: name.into() }));
            }
            return Some(out);
        }
        let addr = || {
            call.args
                .addr
                .as_ref()
                .map(TracedAddr::python)
                .unwrap_or_default()
        };
        match (name, &call.outcome) {
            ("setsockopt", Ok(_))
                if call.args.opt.as_deref() == Some("SO_REUSEADDR")
                    && call.args.value.as_deref() != Some("0") =>
            {
                self.reuse.insert(sock);
            }
            ("listen", Ok(_)) => {
                self.listening.insert(sock);
            }
            ("accept", outcome) => {
                self.accepting = None;
                if let Ok(r) = outcome
                    && let Some(conn) = r.accepted
                {
                    self.stream.insert(conn);
                    self.conns.insert(
                        conn,
                        Conn {
                            site: site.clone(),
                            last: call.time,
                            waiting: false,
                        },
                    );
                }
            }
            ("connect" | "connect_ex", outcome) => {
                let errno = match outcome {
                    Ok(r) => r.code,
                    Err(e) => e.errno.or(e.winerror),
                };
                if matches!(outcome, Ok(r) if r.code.unwrap_or(0) == 0) {
                    self.clients.insert(sock, 0);
                }
                if errno.is_some_and(refused) {
                    if let Err(e) = outcome {
                        *explained = Some((site.clone(), e.py_type.clone()));
                    }
                    out.extend(one(
                        site,
                        TcpKind::Refused {
                            call: name.into(),
                            addr: addr(),
                        },
                    ));
                }
            }
            ("bind", Err(e)) if e.addr_in_use() => {
                *explained = Some((site.clone(), e.py_type.clone()));
                out.extend(self.bind_in_use(call, e));
            }
            ("send", Ok(r)) => {
                let len = call.args.data.as_ref().map_or(0, |d| d.len as u64);
                if let Some(sent) = r.sent
                    && sent < len
                {
                    self.partial.insert(
                        sock,
                        Partial {
                            sent,
                            len,
                            site: site.clone(),
                        },
                    );
                }
            }
            ("recv" | "recv_into", Ok(r)) if r.data.as_ref().is_some_and(|d| d.len > 0) => {
                self.read.insert(sock, site.clone());
                if let Some(read) = self.clients.get_mut(&sock) {
                    *read += r.data.as_ref().map_or(0, |d| d.len as u64);
                }
            }
            // The first b'' is noted in the guard; a second one is said.
            ("recv" | "recv_into", Ok(r))
                if r.data.as_ref().is_some_and(|d| d.len == 0)
                    && !self.eof.insert(sock)
                    && self.first(sock, "eof") =>
            {
                out.extend(one(site, TcpKind::EofLoop { call: name.into() }));
            }
            ("close", _) => {
                self.clients.remove(&sock);
                self.conns.remove(&sock);
                self.listening.remove(&sock);
            }
            _ => {}
        }
        Some(out)
    }

    /// After a recv that returned part of a peer's send, a call that is no
    /// further recv (an answer, a close) shows the script took the part
    /// for the whole message.
    fn took_part_for_whole(&mut self, call: &TracedCall, facts: &dyn Facts) -> Vec<Diagnosis> {
        let Some(read_at) = self.read.remove(&call.sock) else {
            return Vec::new();
        };
        let goes_on = matches!(
            call.name.as_str(),
            "send" | "sendall" | "shutdown" | "close"
        );
        if !goes_on || self.told.contains(&(call.sock, "split")) {
            return Vec::new();
        }
        let Some(split) = facts.split_read(call.sock) else {
            return Vec::new();
        };
        self.told.insert((call.sock, "split"));
        one(
            &read_at,
            TcpKind::SplitRead {
                split,
                next: call.name.clone(),
                next_site: call.site.clone(),
            },
        )
    }

    /// A partial send of this socket is said unless this call sends the rest.
    fn unfinished_send(&mut self, call: &TracedCall) -> Vec<Diagnosis> {
        let Some(p) = self.partial.remove(&call.sock) else {
            return Vec::new();
        };
        let rest = p.len - p.sent;
        let sends_rest = matches!(call.name.as_str(), "send" | "sendall")
            && call
                .args
                .data
                .as_ref()
                .is_some_and(|d| d.len as u64 == rest);
        if sends_rest {
            return Vec::new();
        }
        one(
            &p.site,
            TcpKind::PartialSend {
                sent: p.sent,
                len: p.len,
            },
        )
    }

    /// bind failed with "address in use": a listener named, or TIME_WAIT
    /// when the system's table shows only that.
    fn bind_in_use(&self, call: &TracedCall, _e: &TracedError) -> Vec<Diagnosis> {
        let addr = call
            .args
            .addr
            .as_ref()
            .map(TracedAddr::python)
            .unwrap_or_default();
        let want = call.args.addr.as_ref().and_then(socket_addr);
        let listeners = want
            .map(|w| ports::tcp_listeners(w.port()))
            .unwrap_or_default();
        let time_wait =
            want.is_some_and(|w| ports::tcp_port_states(w.port()).contains(&ports::TCP_TIME_WAIT));
        let holder = want.and_then(|w| {
            listeners.into_iter().find(|h| {
                h.local.ip() == w.ip() || h.local.ip().is_unspecified() || w.ip().is_unspecified()
            })
        });
        let kind = match holder {
            None if time_wait => Kind::Tcp(TcpKind::TimeWait {
                addr,
                reuse: self.reuse.contains(&call.sock),
            }),
            holder => Kind::AddrInUse { addr, holder },
        };
        vec![Diagnosis {
            site: call.site.clone(),
            kind,
        }]
    }

    /// The script has ended: a partial send nothing followed.
    pub fn exited(&mut self) -> Vec<Diagnosis> {
        let partial = std::mem::take(&mut self.partial);
        let mut left: Vec<Partial> = partial.into_values().collect();
        left.sort_by(|a, b| {
            a.site
                .as_ref()
                .map(|s| s.line)
                .cmp(&b.site.as_ref().map(|s| s.line))
        });
        left.into_iter()
            .flat_map(|p| {
                one(
                    &p.site,
                    TcpKind::PartialSend {
                        sent: p.sent,
                        len: p.len,
                    },
                )
            })
            .collect()
    }

    /// Connections left open while the script has waited in accept() for
    /// [`ACCEPT_GRACE`] with no call on them since it began to.
    pub fn tick(&mut self, now: SystemTime) -> Vec<Diagnosis> {
        let Some((_, waiting, since)) = self.accepting.clone() else {
            return Vec::new();
        };
        if seconds(now) - since < ACCEPT_GRACE.as_secs_f64() {
            return Vec::new();
        }
        let mut left: Vec<(u32, Option<Site>)> = self
            .conns
            .iter()
            .filter(|(_, c)| !c.waiting && c.last <= since)
            .map(|(s, c)| (*s, c.site.clone()))
            .collect();
        left.sort_by_key(|(s, _)| *s);
        let mut out = Vec::new();
        for (sock, site) in left {
            if self.first(sock, "unclosed") {
                out.extend(one(
                    &site,
                    TcpKind::AcceptedUnclosed {
                        waiting: waiting.clone(),
                    },
                ));
            }
        }
        out
    }

    /// When [`Self::tick`] may next have something to say.
    pub fn next_tick(&self) -> Option<SystemTime> {
        let (_, _, since) = self.accepting.as_ref()?;
        let due = self
            .conns
            .iter()
            .any(|(s, c)| !c.waiting && c.last <= *since && !self.told.contains(&(*s, "unclosed")));
        due.then(|| SystemTime::UNIX_EPOCH + Duration::from_secs_f64(since.max(0.0)) + ACCEPT_GRACE)
    }
}

#[cfg(test)]
mod tests;
