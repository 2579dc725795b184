//! Issue 28: the window's web server and GET — started by the same
//! commands as UDP's and TCP's when a panel has HTTP chosen. The server's
//! log and the client's answer come as `NetEvent::Http` (so a saved
//! session has them); their socket calls come as TCP events, which the
//! session records for the trace and the connection diagram.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::{ServerStatus, UdpLabApp};
use crate::lab::i18n::{Lang, T, fill, http as words};
use crate::net::http::{
    self, Fetched, FetchedReply, HttpClientError, HttpEvent, HttpEventKind, HttpServerHandle,
    RequestLog,
};
use crate::net::tcp::{TcpEvent, TcpSide};
use crate::net::{self, EventSink, NetEvent};

/// Requests the log keeps; older ones are dropped and counted.
pub const MAX_LOG_ROWS: usize = 1_000;
/// The window's GETs are TCP client operations numbered from here, apart
/// from the TCP panel's (which count from 1).
pub const FIRST_CLIENT_OP: u64 = 1 << 40;
/// The web servers' ids in `TcpSide::Server` start here (net/http/calls.rs).
pub const FIRST_WEB_SERVER: u64 = 1 << 32;

/// One request in the server's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRow {
    /// Its number in the log (1, 2, …), kept when older rows are dropped.
    pub n: u64,
    pub at: SystemTime,
    pub log: RequestLog,
}

/// "Open in browser": where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Browser {
    Opening(String),
    Opened(String),
    Failed { url: String, reason: String },
}

#[derive(Default)]
pub struct HttpServerState {
    pub(crate) handle: Option<HttpServerHandle>,
    pub rows: VecDeque<LogRow>,
    pub rows_dropped: u64,
    pub total: u64,
    /// The row whose request is shown (its `n`).
    pub selected: Option<u64>,
    /// The folder field's error (not a folder, not readable).
    pub root_error: Option<String>,
    pub browser: Option<Browser>,
    /// Stopped events still to come from servers stopped by hand: they
    /// must not stop a server started after.
    stops_pending: u32,
}

impl HttpServerState {
    fn push(&mut self, at: SystemTime, log: RequestLog) {
        if self.rows.len() >= MAX_LOG_ROWS {
            self.rows.pop_front();
            self.rows_dropped += 1;
        }
        self.total += 1;
        self.rows.push_back(LogRow {
            n: self.total,
            at,
            log,
        });
    }

    pub fn selected_row(&self) -> Option<&LogRow> {
        let n = self.selected?;
        self.rows.iter().rev().find(|r| r.n == n)
    }

    pub fn running(&self) -> bool {
        self.handle.is_some()
    }
}

#[derive(Default)]
pub struct HttpClientState {
    /// The GET on its way (its op).
    pub(crate) running: Option<u64>,
    next_op: u64,
    /// The latest GET's answer or error.
    pub fetched: Option<Fetched>,
    /// The URL's or a header's error, said under its field.
    pub url_error: Option<HttpClientError>,
    pub header_error: Option<HttpClientError>,
    /// The picture of the latest answer, decoded once (its op).
    pub(crate) image: Option<(u64, Result<egui::TextureHandle, String>)>,
}

impl HttpClientState {
    pub fn busy(&self) -> bool {
        self.running.is_some()
    }
}

#[derive(Default)]
pub struct HttpState {
    pub server: HttpServerState,
    pub client: HttpClientState,
}

/// The page to open in the browser for a server bound at `addr`: all
/// interfaces are reached at loopback.
pub fn page_url(addr: SocketAddr) -> String {
    let ip = addr.ip();
    let host = match ip {
        std::net::IpAddr::V4(v4) if v4.is_unspecified() => "127.0.0.1".to_owned(),
        std::net::IpAddr::V6(v6) if v6.is_unspecified() => "[::1]".to_owned(),
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        std::net::IpAddr::V4(v4) => v4.to_string(),
    };
    format!("http://{host}:{}/HelloWorld.html", addr.port())
}

/// The bytes with every line's CR and LF shown (`\r\n`), one line each.
pub fn visible_lines(bytes: &[u8], max_lines: usize) -> Vec<String> {
    bytes
        .split_inclusive(|b| *b == b'\n')
        .take(max_lines)
        .map(|line| crate::lab::text::payload_text(line, 400))
        .collect()
}

/// The error page's words for the server's answers (in the language the
/// window had when it started).
fn pages(lang: Lang) -> http::Pages {
    let limits = http::Limits::default();
    Arc::new(move |status, refusal| {
        words::status(lang, status, refusal, &limits)
            .unwrap_or_else(|| http::reason(status).to_owned())
    })
}

impl UdpLabApp {
    pub(crate) fn start_http_server(&mut self) {
        let Some(parsed) = self.bind_for_start(|s| &s.http_bind) else {
            return;
        };
        let bind = match net::resolve(&parsed) {
            Ok(bind) => bind,
            Err(e) => {
                self.server.status = Some(ServerStatus::Failed(e));
                return self.cancel_pending_send();
            }
        };
        let root = match self.settings.http_root.trim() {
            "" => http::Root::Builtin,
            dir => match std::path::Path::new(dir).canonicalize() {
                Ok(real) if real.is_dir() => http::Root::Dir(real),
                result => {
                    let reason = match result {
                        Err(e) => e.to_string(),
                        Ok(_) => T::HttpRootNotFolder.get(self.lang).to_owned(),
                    };
                    self.http.server.root_error = Some(fill(
                        T::HttpRootUnusable.get(self.lang),
                        &[("path", &dir), ("reason", &reason)],
                    ));
                    return self.cancel_pending_send();
                }
            },
        };
        self.http.server.root_error = None;
        let config = http::HttpServerConfig {
            bind,
            root,
            limits: http::Limits::default(),
            pages: pages(self.lang),
            calls: Some(self.sink.clone()),
        };
        match http::spawn_http_server(config, forward(self.sink.clone())) {
            Ok(handle) => {
                self.http.server.handle = Some(handle);
                self.server.status = Some(ServerStatus::Starting);
            }
            Err(e) => {
                self.server.status = Some(ServerStatus::Failed(e));
                self.cancel_pending_send();
            }
        }
    }

    pub(crate) fn stop_http_server(&mut self) {
        if let Some(mut handle) = self.http.server.handle.take() {
            // Joins the accept thread (woken at once): its Stopped is queued.
            handle.stop();
            self.http.server.stops_pending += 1;
            self.server.status = Some(ServerStatus::Stopped);
        }
    }

    /// The client's GET, on a worker; its socket calls and its answer come
    /// back as events.
    pub(crate) fn http_send(&mut self) {
        if self.http.client.busy() || self.client.busy() || self.tcp.client.busy() {
            return;
        }
        let url = http::parse_url(&self.settings.http_url);
        self.http.client.url_error = url.as_ref().err().cloned();
        let headers: Result<Vec<_>, _> = self
            .settings
            .http_headers
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(http::parse_header)
            .collect();
        self.http.client.header_error = headers.as_ref().err().cloned();
        let (Ok(url), Ok(headers)) = (url, headers) else {
            return;
        };
        self.http.client.next_op += 1;
        let op = FIRST_CLIENT_OP + self.http.client.next_op;
        let timeout = self.settings.timeout().max(Duration::from_secs(2));
        let sink = self.sink.clone();
        let text = self.settings.http_url.trim().to_owned();
        let spawned = std::thread::Builder::new()
            .name("udp-lab-http-get".into())
            .spawn(move || {
                let mut report = |at, kind: net::TcpEventKind| {
                    let always =
                        matches!(kind, net::TcpEventKind::Closed) || kind.is_lifecycle(CLIENT_CONN);
                    let event = NetEvent::Tcp(TcpEvent {
                        at,
                        side: TcpSide::Client(op),
                        conn: CLIENT_CONN,
                        kind,
                    });
                    if always {
                        sink.send_always(event);
                    } else {
                        sink.send(event);
                    }
                };
                let result = http::get_traced(&url, &headers, timeout, &mut report);
                let fetched = Fetched {
                    op,
                    url: text,
                    result: result.map(|r| FetchedReply::of(&r)),
                };
                sink.send_always(NetEvent::Http(HttpEvent {
                    at: SystemTime::now(),
                    kind: HttpEventKind::Fetched(fetched),
                }));
            });
        match spawned {
            Ok(_) => {
                self.http.client.running = Some(op);
                self.http.client.fetched = None;
            }
            Err(e) => {
                self.http.client.fetched = Some(Fetched {
                    op,
                    url: self.settings.http_url.clone(),
                    result: Err(HttpClientError::Io {
                        call: "thread spawn",
                        message: e.to_string(),
                    }),
                })
            }
        }
    }

    /// The web server's log or the client's answer into the panels' state
    /// (the session has recorded it already).
    pub(crate) fn apply_http_event(&mut self, ev: HttpEvent) {
        let replay = self.lesson.replaying;
        let server = &mut self.http.server;
        match ev.kind {
            HttpEventKind::Listening { addr } => {
                if replay || server.running() {
                    self.server.status = Some(ServerStatus::Listening(addr));
                }
                if !replay && std::mem::take(&mut self.send_when_listening) {
                    self.run(super::Command::Send);
                }
            }
            HttpEventKind::Request(log) => server.push(ev.at, log),
            HttpEventKind::Failed { error } => {
                if replay || server.running() {
                    self.server.status = Some(ServerStatus::Failed(error));
                    server.handle = None;
                }
            }
            HttpEventKind::Stopped if !replay && server.stops_pending > 0 => {
                server.stops_pending -= 1;
            }
            HttpEventKind::Stopped => {
                self.server.status = Some(ServerStatus::Stopped);
                server.handle = None;
            }
            HttpEventKind::Fetched(fetched) => {
                let client = &mut self.http.client;
                if replay || client.running == Some(fetched.op) {
                    client.running = None;
                    client.fetched = Some(fetched);
                }
            }
        }
    }

    /// "Open in browser": the running server's page, on a worker.
    pub(crate) fn open_in_browser(&mut self) {
        let ServerStatus::Listening(addr) = self.server.status() else {
            return;
        };
        if !self.http.server.running() {
            return;
        }
        let url = page_url(addr);
        let env = self.tools.reveal_env.clone();
        let job_url = url.clone();
        let ctx = self.ctx.clone();
        let started = super::tools::jobs::spawn(&ctx, &self.tools, "udp-lab-browser", move || {
            let result = super::tools::jobs::reveal::open_url(&job_url, &env);
            super::tools::jobs::Job::Browser(job_url, result)
        });
        self.http.server.browser = Some(match started {
            Ok(()) => Browser::Opening(url),
            Err(e) => Browser::Failed {
                url,
                reason: e.to_string(),
            },
        });
    }

    /// The browser's start ended.
    pub(crate) fn browser_result(
        &mut self,
        url: String,
        result: Result<(), super::tools::jobs::reveal::BrowserMiss>,
    ) {
        use super::tools::jobs::reveal::BrowserMiss;
        let lang = self.lang;
        self.http.server.browser = Some(match result {
            Ok(()) => Browser::Opened(url),
            Err(BrowserMiss::NoOpener) => Browser::Failed {
                url,
                reason: T::HttpBrowserNoOpener.get(lang).to_owned(),
            },
            Err(BrowserMiss::Failed { program, said }) => Browser::Failed {
                url,
                reason: fill(
                    T::HttpBrowserFailed.get(lang),
                    &[("program", &program), ("said", &said)],
                ),
            },
        });
    }
}

/// The window's GET has one socket (as the TCP client's).
const CLIENT_CONN: u64 = 1;

/// The web server's events into the window's one channel.
fn forward(sink: EventSink<NetEvent>) -> EventSink<HttpEvent> {
    net::inline_sink(move |events: Vec<HttpEvent>| {
        for event in events {
            // A flood of requests may drop log rows (counted); the
            // server's start and end never.
            let always = !matches!(event.kind, HttpEventKind::Request(_));
            let event = NetEvent::Http(event);
            if always {
                sink.send_always(event);
            } else {
                sink.send(event);
            }
        }
    })
}

/// Whether a TCP event is one of the web server's or the window's GET's
/// (the TCP panels leave those alone).
pub fn is_web(side: TcpSide) -> bool {
    match side {
        TcpSide::Server(id) => id >= FIRST_WEB_SERVER,
        TcpSide::Client(op) => op >= FIRST_CLIENT_OP,
    }
}

#[cfg(test)]
mod tests;
