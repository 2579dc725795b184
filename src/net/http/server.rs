//! The web server worker: `accept` on one thread, each connection on a
//! thread of its own, bounded in number, in the bytes of its request head
//! and in time (a client that sends a byte a second is cut off at the
//! deadline with 408, a 10 MB head at 16 KiB with 431). One request per
//! connection, answered with `Connection: close`, as the Kurose–Ross lab's
//! server does: the browser knows the body's end by `Content-Length` and by
//! the close, and no idle connection holds a thread.

use std::io::{self, Read as _, Write as _};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use super::calls::{Calls, NEXT_WEB_SERVER, listen};
use super::resolve::{Refusal, Resolved, Root, resolve};
use crate::net::tcp::{Shut, TcpEventKind};
use crate::net::{EventSink, NetError, NetEvent};

/// `recv`'s buffer for the request head.
const RECV_BUFFER: usize = 4096;

/// What a client may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The request line and headers, at most (431 past it).
    pub max_head: usize,
    /// From `accept` to the head's end (408 past it).
    pub deadline: Duration,
    /// Connections served at once (503 past it).
    pub max_connections: usize,
    /// A client that does not read the answer is cut off after this.
    pub write_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_head: 16 * 1024,
            deadline: Duration::from_secs(10),
            max_connections: 64,
            write_timeout: Duration::from_secs(10),
        }
    }
}

/// The text of an error page (403, 404, …), in the user's language: the
/// net layer has no translations, its caller has.
pub type Pages = Arc<dyn Fn(u16, Option<Refusal>) -> String + Send + Sync>;

#[derive(Clone)]
pub struct HttpServerConfig {
    pub bind: SocketAddr,
    pub root: Root,
    pub limits: Limits,
    pub pages: Pages,
    /// Where its socket calls go as TCP events (issue 27's), so a session
    /// records them as TCP and the trace and diagram show them; None: not
    /// reported (the CLI, which prints the log only).
    pub calls: Option<EventSink<NetEvent>>,
}

/// One request and its answer, as the log shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RequestLog {
    pub peer: SocketAddr,
    /// Empty when the request line never arrived (408, 431, 503).
    pub method: String,
    pub target: String,
    pub status: u16,
    /// Bytes sent: the head and the body.
    pub bytes: u64,
    /// Why a 403 was sent.
    pub refusal: Option<Refusal>,
    /// The request's bytes as read (at most `max_head` and one read more).
    #[serde(with = "crate::net::serde_with::bytes")]
    pub raw: Arc<[u8]>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum HttpEventKind {
    Listening {
        addr: SocketAddr,
    },
    Request(RequestLog),
    Failed {
        error: NetError,
    },
    Stopped,
    /// The window's client got an answer (or an error) to its GET: what
    /// its panel shows, recorded so a saved session has it too.
    Fetched(super::client::Fetched),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct HttpEvent {
    pub at: SystemTime,
    pub kind: HttpEventKind,
}

struct Shared {
    stop: AtomicBool,
    active: AtomicUsize,
}

pub struct HttpServerHandle {
    pub addr: SocketAddr,
    /// Its id in the TCP events ([`TcpSide::Server`]).
    pub id: u64,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl HttpServerHandle {
    /// Stops accepting; connections being served finish within their limits.
    pub fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // `accept` blocks: a connection of our own wakes it to see the flag.
        let wake = match self.addr {
            SocketAddr::V4(a) if a.ip().is_unspecified() => {
                SocketAddr::from((Ipv4Addr::LOCALHOST, a.port()))
            }
            SocketAddr::V6(a) if a.ip().is_unspecified() => {
                SocketAddr::from((Ipv6Addr::LOCALHOST, a.port()))
            }
            a => a,
        };
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Connections being served now.
    pub fn active(&self) -> usize {
        self.shared.active.load(Ordering::SeqCst)
    }
}

impl Drop for HttpServerHandle {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.stop();
        }
    }
}

fn event(kind: HttpEventKind) -> HttpEvent {
    HttpEvent {
        at: SystemTime::now(),
        kind,
    }
}

/// Binds and starts accepting; a bind error comes back at once.
pub fn spawn_http_server(
    config: HttpServerConfig,
    sink: EventSink<HttpEvent>,
) -> Result<HttpServerHandle, NetError> {
    let calls = Calls {
        id: NEXT_WEB_SERVER.fetch_add(1, Ordering::Relaxed),
        sink: config.calls.clone(),
    };
    let (listener, addr) = listen(config.bind, &calls)?;
    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        active: AtomicUsize::new(0),
    });
    sink.send_always(event(HttpEventKind::Listening { addr }));
    let worker = shared.clone();
    let id = calls.id;
    let thread = std::thread::Builder::new()
        .name("udp-lab-http".into())
        .spawn(move || accept_loop(&listener, &config, &worker, &sink, &calls))
        .map_err(|e| NetError::Io {
            call: "thread spawn",
            message: e.to_string(),
        })?;
    Ok(HttpServerHandle {
        addr,
        id,
        shared,
        thread: Some(thread),
    })
}

fn accept_loop(
    listener: &TcpListener,
    config: &HttpServerConfig,
    shared: &Arc<Shared>,
    sink: &EventSink<HttpEvent>,
    calls: &Calls,
) {
    let mut accepted = 0u64;
    loop {
        let accepted_now = listener.accept();
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let (stream, peer) = match accepted_now {
            Ok(conn) => conn,
            // Too many open files, a connection reset before accept: the
            // listening socket is fine; a short pause keeps EMFILE from spinning.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        accepted += 1;
        let local = stream.local_addr().unwrap_or(listener_addr(listener, peer));
        calls.report(accepted, TcpEventKind::Accepted { peer, local });
        let conn_calls = (calls.clone(), accepted);
        if shared.active.fetch_add(1, Ordering::SeqCst) >= config.limits.max_connections {
            shared.active.fetch_sub(1, Ordering::SeqCst);
            let _ = stream.set_nonblocking(true);
            let mut conn = Conn::new(stream, peer, sink, conn_calls);
            conn.answer(503, "", "", None, &config.pages);
            continue;
        }
        let (config, shared_conn, sink_conn) = (config.clone(), shared.clone(), sink.clone());
        let spawned = std::thread::Builder::new()
            .name("udp-lab-http-conn".into())
            .spawn(move || {
                serve(Conn::new(stream, peer, &sink_conn, conn_calls), &config);
                shared_conn.active.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            shared.active.fetch_sub(1, Ordering::SeqCst);
        }
    }
    calls.report(0, TcpEventKind::Closed);
    sink.send_always(event(HttpEventKind::Stopped));
}

/// The listening address, for an accepted socket that cannot say its own.
fn listener_addr(listener: &TcpListener, peer: SocketAddr) -> SocketAddr {
    listener.local_addr().unwrap_or(peer)
}

/// One accepted connection and what has been read from it.
struct Conn<'a> {
    stream: TcpStream,
    peer: SocketAddr,
    raw: Vec<u8>,
    sink: &'a EventSink<HttpEvent>,
    /// Its socket calls' reporter and its number among the accepted.
    calls: (Calls, u64),
}

impl<'a> Conn<'a> {
    fn new(
        stream: TcpStream,
        peer: SocketAddr,
        sink: &'a EventSink<HttpEvent>,
        calls: (Calls, u64),
    ) -> Self {
        Self {
            stream,
            peer,
            raw: Vec::new(),
            sink,
            calls,
        }
    }

    fn report(&self, kind: TcpEventKind) {
        self.calls.0.report(self.calls.1, kind);
    }

    /// `recv`, reported.
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = self.stream.read(buf);
        if self.calls.0.on() {
            let kind = match &result {
                Ok(n) => TcpEventKind::Received {
                    buffer: buf.len(),
                    bytes: Arc::from(&buf[..*n]),
                },
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    TcpEventKind::RecvTimedOut {
                        buffer: buf.len(),
                        after: self
                            .stream
                            .read_timeout()
                            .ok()
                            .flatten()
                            .unwrap_or_default(),
                    }
                }
                Err(e) => TcpEventKind::RecvFailed {
                    buffer: buf.len(),
                    error: crate::net::tcp::tcp_error("recv", self.peer, e),
                },
            };
            self.report(kind);
        }
        result
    }

    /// `sendall`, reported.
    fn send_all(&mut self, bytes: &[u8], shared: Option<&Arc<[u8]>>) -> io::Result<()> {
        let result = self.stream.write_all(bytes);
        if self.calls.0.on() {
            let kind = match &result {
                Ok(()) => TcpEventKind::Sent {
                    bytes: shared.cloned().unwrap_or_else(|| Arc::from(bytes)),
                    asked: bytes.len(),
                    sent: bytes.len(),
                    all: true,
                },
                Err(e) => TcpEventKind::SendFailed {
                    asked: bytes.len(),
                    // write_all does not say how far it got.
                    sent: 0,
                    error: crate::net::tcp::tcp_error("send", self.peer, e),
                },
            };
            self.report(kind);
        }
        result
    }

    /// Sends an error page and logs it.
    fn answer(
        &mut self,
        status: u16,
        method: &str,
        target: &str,
        refusal: Option<Refusal>,
        pages: &Pages,
    ) {
        let mut body = pages(status, refusal).into_bytes();
        body.push(b'\n');
        let body: Arc<[u8]> = Arc::from(body);
        let extra = if status == 405 {
            "Allow: GET, HEAD\r\n"
        } else {
            ""
        };
        let sent = self.send(
            status,
            "text/plain; charset=utf-8",
            extra,
            &body,
            method == "HEAD",
        );
        self.log(method, target, status, sent, refusal);
    }

    /// Writes the status line, headers, the empty line and the body.
    fn send(
        &mut self,
        status: u16,
        mime: &str,
        extra: &str,
        body: &Arc<[u8]>,
        head_only: bool,
    ) -> u64 {
        let head = format!(
            "HTTP/1.1 {status} {}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\n{extra}Connection: close\r\nServer: UDP Lab\r\n\r\n",
            super::reason(status),
            body.len()
        );
        let mut wire = head.into_bytes();
        let body_len = if head_only { 0 } else { body.len() };
        // One write for a small page (one segment on the wire); a large
        // file is not copied.
        let result = if body_len <= 64 * 1024 {
            wire.extend_from_slice(&body[..body_len]);
            self.send_all(&wire, None).map(|()| wire.len())
        } else {
            self.send_all(&wire, None)
                .and_then(|()| self.send_all(body, Some(body)))
                .map(|()| wire.len() + body.len())
        };
        self.close();
        result.map_or(0, |n| n as u64)
    }

    /// Closes gracefully: what the client still sends is read (for a
    /// moment, a bounded amount) so the kernel does not answer it with a
    /// reset that could destroy the response before the client reads it.
    fn close(&mut self) {
        if self.stream.shutdown(Shutdown::Write).is_ok() {
            self.report(TcpEventKind::Shutdown { how: Shut::Write });
        }
        let _ = self.stream.set_nonblocking(false);
        let _ = self
            .stream
            .set_read_timeout(Some(Duration::from_millis(200)));
        let mut sink = [0u8; 8192];
        let mut drained = 0;
        while drained < 1024 * 1024 {
            match self.recv(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    }

    fn log(&self, method: &str, target: &str, status: u16, bytes: u64, refusal: Option<Refusal>) {
        self.sink.send(event(HttpEventKind::Request(RequestLog {
            peer: self.peer,
            method: method.to_owned(),
            target: target.to_owned(),
            status,
            bytes,
            refusal,
            raw: Arc::from(self.raw.as_slice()),
        })));
    }
}

impl Drop for Conn<'_> {
    /// `close()`: the socket goes when the connection's work is done.
    fn drop(&mut self) {
        self.report(TcpEventKind::Closed);
    }
}

/// Where the head ends: after "\r\n\r\n" (or a bare "\n\n", which servers
/// accept).
fn head_end(bytes: &[u8]) -> Option<usize> {
    let crlf = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = bytes.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

enum Head {
    Ended(usize),
    TooLarge,
    TimedOut,
    Closed,
}

fn read_head(conn: &mut Conn<'_>, limits: &Limits) -> Head {
    let deadline = Instant::now() + limits.deadline;
    let mut chunk = [0u8; RECV_BUFFER];
    loop {
        if let Some(end) = head_end(&conn.raw) {
            return Head::Ended(end);
        }
        if conn.raw.len() > limits.max_head {
            return Head::TooLarge;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || conn.stream.set_read_timeout(Some(left)).is_err() {
            return Head::TimedOut;
        }
        match conn.recv(&mut chunk) {
            Ok(0) => return Head::Closed,
            Ok(n) => conn.raw.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Head::TimedOut;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Head::Closed,
        }
    }
}

fn serve(mut conn: Conn<'_>, config: &HttpServerConfig) {
    let _ = conn
        .stream
        .set_write_timeout(Some(config.limits.write_timeout));
    let pages = &config.pages;
    let end = match read_head(&mut conn, &config.limits) {
        Head::Ended(end) => end,
        Head::TooLarge => return conn.answer(431, "", "", None, pages),
        Head::TimedOut => return conn.answer(408, "", "", None, pages),
        // A browser's spare connection, closed unused: nothing to log.
        Head::Closed if conn.raw.iter().all(u8::is_ascii_whitespace) => return,
        Head::Closed => return conn.answer(400, "", "", None, pages),
    };
    let head = String::from_utf8_lossy(&conn.raw[..end]).into_owned();
    let first = head.trim_start().lines().next().unwrap_or("");
    let words: Vec<&str> = first.split_whitespace().collect();
    let [method, target, version] = words.as_slice() else {
        return conn.answer(400, "", "", None, pages);
    };
    let (method, target) = ((*method).to_owned(), (*target).to_owned());
    if !version.starts_with("HTTP/1.") {
        return conn.answer(505, &method, &target, None, pages);
    }
    if method != "GET" && method != "HEAD" {
        return conn.answer(405, &method, &target, None, pages);
    }
    match resolve(&config.root, &target) {
        Resolved::File { body, mime } => {
            let sent = conn.send(200, mime, "", &body, method == "HEAD");
            conn.log(&method, &target, 200, sent, None);
        }
        Resolved::Forbidden(why) => conn.answer(403, &method, &target, Some(why), pages),
        Resolved::NotFound => conn.answer(404, &method, &target, None, pages),
    }
}

#[cfg(test)]
mod tests;
