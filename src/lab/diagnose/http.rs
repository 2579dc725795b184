//! The student's web server, traced (issue 28): each connection accept()
//! returned, the request read from it and the response sent on it, laid
//! out by `lab::http::parse`, and the web-server classics, each said only
//! when those bytes and calls prove it: the head sent without its empty
//! line, no `Content-Length` and the connection left open, a response
//! left unclosed, `str` sent, an image opened in text mode, no 404 branch,
//! a request read in part, a port below 1024 refused.

use std::collections::HashMap;
use std::time::SystemTime;

use super::{ACCEPT_GRACE, Diagnosis, Kind};
use crate::lab::http::{self, Framing, HeadEnd, LineKind, Message};
use crate::net::trace::{Site, TracedAddr, TracedCall, TracedData, Uncaught};

mod kind;
pub use kind::HttpKind;

/// Bytes of each side of a connection kept: a head is far shorter.
const KEEP: usize = 16 * 1024;
/// Connections followed at once (a server that never closes them keeps
/// making more), and exchanges kept until taken: past these, the newest
/// are dropped and counted.
const MAX_CONNS: usize = 1024;
const MAX_EXCHANGES: usize = 1024;

/// One request and its response, as a traced server handled them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// The connection's socket (the script's number) and its peer.
    pub sock: u32,
    pub peer: String,
    /// `GET /HelloWorld.html HTTP/1.1`; None when no request line came.
    pub request: Option<String>,
    /// `200 OK`; None when no status line was sent.
    pub status: Option<String>,
}

/// What one side of a connection carried.
#[derive(Default)]
struct Side {
    /// Its first bytes, as long as every call's bytes were known.
    bytes: Vec<u8>,
    /// A call's bytes were not all known: `bytes` stops there.
    gap: bool,
    /// Where each call's bytes start in `bytes`, and its line.
    sites: Vec<(usize, Option<Site>)>,
}

impl Side {
    fn add(&mut self, data: &TracedData, n: usize, site: &Option<Site>) {
        if n == 0 {
            return;
        }
        self.sites.push((self.bytes.len(), site.clone()));
        if self.gap {
            return;
        }
        // The tracer reports the first 2 KiB of a call's bytes: what is
        // known is kept (a head is in it), and nothing after it.
        let known = data.bytes.as_deref().unwrap_or_default();
        let room = KEEP.saturating_sub(self.bytes.len());
        let take = known.len().min(n).min(room);
        self.bytes.extend_from_slice(&known[..take]);
        self.gap = take < n;
    }

    /// The line of the call that carried byte `at`.
    fn site_of(&self, at: usize) -> Option<Site> {
        self.sites
            .iter()
            .rev()
            .find(|(start, _)| *start <= at)
            .and_then(|(_, s)| s.clone())
    }
}

struct Conn {
    peer: String,
    /// Where accept() returned it.
    site: Option<Site>,
    request: Side,
    response: Side,
    /// When its latest call returned (the script's clock).
    last: f64,
    /// A receive on it is blocked now (a keep-alive handler waiting for
    /// the next request is no connection left open).
    waiting: bool,
    /// A recv read part of the head: where and how much.
    partial: Option<(Option<Site>, u64)>,
    listed: bool,
    /// Said left open (or not closed) already; its head's missing empty
    /// line said already.
    told: bool,
    told_head: bool,
}

impl Conn {
    fn request(&self) -> Message {
        http::parse(&self.request.bytes, http::Kind::Request)
    }

    fn response(&self) -> Message {
        let head = self.request().lines.first().map(|l| l.kind.clone());
        let kind = match head {
            Some(LineKind::Request { method, .. }) if method == "HEAD" => {
                http::Kind::ResponseToHead
            }
            _ => http::Kind::Response,
        };
        http::parse(&self.response.bytes, kind)
    }

    fn request_line(&self) -> Option<String> {
        match &self.request().lines.first()?.kind {
            LineKind::Request {
                method,
                target,
                version,
            } => Some(format!("{method} {target} {version}")),
            _ => None,
        }
    }

    fn exchange(&mut self, sock: u32) -> Option<Exchange> {
        if self.listed {
            return None;
        }
        self.listed = true;
        let status = match &self.response().lines.first()?.kind {
            LineKind::Status { code, reason, .. } => Some(format!(
                "{} {reason}",
                code.map_or("?".to_owned(), |c| c.to_string())
            )),
            _ => None,
        };
        Some(Exchange {
            sock,
            peer: self.peer.clone(),
            request: self.request_line(),
            status,
        })
    }
}

/// What one script's web-server connections have done.
#[derive(Default)]
pub struct Http {
    conns: HashMap<u32, Conn>,
    exchanges: Vec<Exchange>,
    /// Connections not followed, exchanges not kept (the limits above).
    dropped: u64,
}

fn one(site: Option<Site>, kind: HttpKind) -> Vec<Diagnosis> {
    vec![Diagnosis {
        site,
        kind: Kind::Http(kind),
    }]
}

fn seconds(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The first line of `bytes` from `at`, short enough to quote.
fn quoted_line(bytes: &[u8], range: std::ops::Range<usize>) -> String {
    let text = String::from_utf8_lossy(bytes.get(range).unwrap_or_default());
    let mut line: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        line.push('…');
    }
    line
}

impl Http {
    /// The exchanges listed since the last call.
    pub fn take_exchanges(&mut self) -> Vec<Exchange> {
        std::mem::take(&mut self.exchanges)
    }

    /// Connections or exchanges dropped by the limits so far.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn list(&mut self, exchange: Option<Exchange>) {
        if let Some(exchange) = exchange {
            if self.exchanges.len() < MAX_EXCHANGES {
                self.exchanges.push(exchange);
            } else {
                self.dropped += 1;
            }
        }
    }

    /// A call that may block has begun on `sock`.
    pub fn wait(&mut self, sock: u32) {
        if let Some(conn) = self.conns.get_mut(&sock) {
            conn.waiting = true;
        }
    }

    /// The diagnoses of a call (of any socket: bind's port is anyone's).
    pub fn call(&mut self, call: &TracedCall) -> Vec<Diagnosis> {
        let sock = call.sock;
        let name = call.name.as_str();
        let site = call.site.clone();
        match (name, &call.outcome) {
            ("bind", Err(e)) if e.errno == Some(13) || e.winerror == Some(10013) => {
                let port = match &call.args.addr {
                    Some(TracedAddr::Inet { port, .. }) if *port > 0 && *port < 1024 => *port,
                    _ => return Vec::new(),
                };
                let addr = call
                    .args
                    .addr
                    .as_ref()
                    .map(TracedAddr::python)
                    .unwrap_or_default();
                return one(site, HttpKind::LowPort { addr, port });
            }
            ("accept", Ok(r)) => {
                if let Some(conn) = r.accepted {
                    if self.conns.len() >= MAX_CONNS {
                        self.dropped += 1;
                        return Vec::new();
                    }
                    let peer = r
                        .from
                        .as_ref()
                        .and_then(|a| a.socket_addr())
                        .map_or_else(|| "?".to_owned(), |a| a.to_string());
                    self.conns.insert(
                        conn,
                        Conn {
                            peer,
                            site: site.clone(),
                            request: Side::default(),
                            response: Side::default(),
                            last: call.time,
                            partial: None,
                            waiting: false,
                            listed: false,
                            told: false,
                            told_head: false,
                        },
                    );
                }
                return Vec::new();
            }
            _ => {}
        }
        let Some(conn) = self.conns.get_mut(&sock) else {
            return Vec::new();
        };
        conn.last = call.time;
        conn.waiting = false;
        let mut out = Vec::new();
        let answers = matches!(name, "send" | "sendall" | "shutdown" | "close");
        if let Some((read_at, read)) = conn.partial.take()
            && answers
        {
            out.extend(one(
                read_at,
                HttpKind::PartialRequest {
                    read,
                    next: name.to_owned(),
                    next_site: site.clone(),
                },
            ));
        }
        match (name, &call.outcome) {
            ("send" | "sendall", Err(e))
                if e.py_type == "TypeError"
                    && call.args.data.as_ref().is_some_and(|d| d.py_type == "str") =>
            {
                out.extend(one(
                    site,
                    HttpKind::SendStr {
                        call: name.to_owned(),
                    },
                ));
            }
            ("send" | "sendall", Ok(r)) => {
                if let Some(data) = &call.args.data {
                    let n = r.sent.map_or(data.len, |s| s as usize).min(data.len);
                    conn.response.add(data, n, &site);
                }
            }
            ("recv" | "recv_into", Ok(r)) => {
                if let Some(data) = &r.data {
                    conn.request.add(data, data.len, &site);
                    let request = conn.request();
                    let started = matches!(
                        request.lines.first().map(|l| &l.kind),
                        Some(LineKind::Request { .. })
                    );
                    if data.len > 0
                        && started
                        && !conn.request.gap
                        && request.head_end == HeadEnd::Missing
                    {
                        conn.partial = Some((site, conn.request.bytes.len() as u64));
                    }
                }
            }
            ("close", Ok(_)) => {
                if let Some(mut conn) = self.conns.remove(&sock) {
                    out.extend(no_empty_line(&mut conn, true));
                    if call.args.gc && !conn.told && !conn.response.sites.is_empty() {
                        let request = conn.request_line().unwrap_or_default();
                        out.extend(one(conn_site(&conn), HttpKind::NotClosed { request }));
                    }
                    let exchange = conn.exchange(sock);
                    self.list(exchange);
                }
                return out;
            }
            _ => {}
        }
        // A response whose body is complete is listed at once: a server
        // that keeps the connection open still answered.
        let response = conn.response();
        if let (Some(body), Framing::Length(_)) = (&response.body, response.framing())
            && body.check == http::BodyCheck::Complete
        {
            out.extend(no_empty_line(conn, false));
            let exchange = conn.exchange(sock);
            self.list(exchange);
        }
        out
    }

    /// The script waits in accept() since `since` (the script's clock):
    /// connections that answered and have had no call since, past
    /// [`ACCEPT_GRACE`], are said left open; their sockets are returned
    /// too, so the TCP diagnosis does not say it again.
    pub fn tick(&mut self, now: SystemTime, since: Option<f64>) -> (Vec<Diagnosis>, Vec<u32>) {
        let mut out = Vec::new();
        let mut told = Vec::new();
        let Some(since) = since else {
            return (out, told);
        };
        if seconds(now) - since < ACCEPT_GRACE.as_secs_f64() {
            return (out, told);
        }
        let mut socks: Vec<u32> = self.conns.keys().copied().collect();
        socks.sort_unstable();
        for sock in socks {
            let Some(conn) = self.conns.get_mut(&sock) else {
                continue;
            };
            if conn.told || conn.waiting || conn.last > since || conn.response.sites.is_empty() {
                continue;
            }
            let response = conn.response();
            if response.head_end == HeadEnd::Missing {
                continue;
            }
            conn.told = true;
            told.push(sock);
            let (site, kind) = match response.framing() {
                // Said where the head was sent: it lacks the length.
                Framing::UntilClose => (
                    conn.response.site_of(0),
                    HttpKind::NoLengthOpen {
                        status: conn.exchange_status(),
                    },
                ),
                _ => (
                    conn_site(conn),
                    HttpKind::NotClosed {
                        request: conn.request_line().unwrap_or_default(),
                    },
                ),
            };
            out.extend(one(site, kind));
            let exchange = conn.exchange(sock);
            self.list(exchange);
        }
        (out, told)
    }

    /// An exception ended the script: one that says a file the request
    /// named is missing, with no 404 branch to catch it.
    pub fn uncaught(&mut self, u: &Uncaught) -> Option<Diagnosis> {
        if let Some(d) = &u.decode
            && let Some(opened) = &d.opened
            // Opened in binary, the bytes were fine until the script decoded
            // them: said as a web server's mistake only by one that served
            // (its advice is about the response); in text mode, reading was
            // the decoding.
            && (!opened.mode.contains('b') || !self.conns.is_empty())
        {
            let (opened, encoding) = (opened.clone(), d.encoding.clone());
            let kind = if opened.mode.contains('b') {
                HttpKind::Decoded { opened, encoding }
            } else {
                HttpKind::TextMode { opened, encoding }
            };
            return Some(Diagnosis {
                site: u.site.clone(),
                kind: Kind::Http(kind),
            });
        }
        let file_error = matches!(
            u.py_type.as_str(),
            "FileNotFoundError" | "IOError" | "OSError" | "IsADirectoryError"
        );
        if !file_error {
            return None;
        }
        let mut socks: Vec<&u32> = self.conns.keys().collect();
        socks.sort_unstable();
        let request = socks.into_iter().rev().find_map(|s| {
            let conn = &self.conns[s];
            let line = conn.request_line()?;
            let target = line.split(' ').nth(1)?;
            let name = target.split('?').next()?.trim_start_matches('/');
            (!name.is_empty() && u.text.contains(&format!("{name}'"))).then_some(line)
        })?;
        Some(Diagnosis {
            site: u.site.clone(),
            kind: Kind::Http(HttpKind::NoNotFound {
                request,
                text: u.text.clone(),
            }),
        })
    }
}

impl Conn {
    fn exchange_status(&self) -> String {
        match self.response().lines.first().map(|l| &l.kind) {
            Some(LineKind::Status { code, reason, .. }) => format!(
                "{} {reason}",
                code.map_or("?".to_owned(), |c| c.to_string())
            ),
            _ => String::new(),
        }
    }
}

/// The line where the connection was accepted.
fn conn_site(conn: &Conn) -> Option<Site> {
    conn.site.clone()
}

/// A response whose head has a line that is no header before its empty
/// line (the body began without it), or, at `closed`, a head never ended.
fn no_empty_line(conn: &mut Conn, closed: bool) -> Vec<Diagnosis> {
    if conn.told_head {
        return Vec::new();
    }
    let found = missing_empty_line(conn, closed);
    conn.told_head = !found.is_empty();
    found
}

fn missing_empty_line(conn: &Conn, closed: bool) -> Vec<Diagnosis> {
    let response = conn.response();
    if !matches!(
        response.lines.first().map(|l| &l.kind),
        Some(LineKind::Status { .. })
    ) {
        return Vec::new();
    }
    let bad = response
        .lines
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, l)| l.kind == LineKind::Malformed && !l.ending.is_empty());
    if let Some((i, line)) = bad {
        let before = response.lines[i - 1].range.end;
        return one(
            conn.response.site_of(before),
            HttpKind::NoEmptyLine {
                line: quoted_line(&conn.response.bytes, line.range.clone()),
            },
        );
    }
    if closed && !conn.response.gap && response.head_end == HeadEnd::Missing {
        let end = conn.response.bytes.len().saturating_sub(1);
        return one(
            conn.response.site_of(end),
            HttpKind::NoEmptyLine {
                line: String::new(),
            },
        );
    }
    Vec::new()
}

#[cfg(test)]
mod tests;
