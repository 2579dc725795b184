//! The web client: one GET (with the user's extra headers) over one TCP
//! connection, read until the server closes it, the answer's length
//! permits, or the timeout. The bytes go back whole; the caller lays them
//! out (lab/http.rs) and says whether they are a response at all.

use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs as _};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::net::tcp::{TcpEventKind, tcp_error};
use crate::net::{Family, serde_with};

/// `http://host[:port]/path`, split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    pub host: String,
    pub port: u16,
    /// The request target: the path and query, "/" when none.
    pub target: String,
}

/// What can go wrong, in the order it can happen.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum HttpClientError {
    /// Not `http://host[:port]/…` (`https://` included: no TLS here).
    BadUrl {
        url: String,
    },
    Https {
        url: String,
    },
    /// A header that is not `Name: value`.
    BadHeader {
        header: String,
    },
    Resolve {
        host: String,
    },
    /// An RST answered the SYN: nothing listens on that port.
    Refused {
        addr: SocketAddr,
    },
    ConnectTimeout {
        addr: SocketAddr,
        after: Duration,
    },
    /// No (complete) answer within the timeout; `got` bytes had arrived.
    Timeout {
        after: Duration,
        got: usize,
    },
    /// The server reset the connection.
    Reset {
        addr: SocketAddr,
    },
    /// The answer is larger than the client keeps.
    TooLarge {
        limit: usize,
    },
    Io {
        #[serde(with = "serde_with::static_str")]
        call: serde_with::StaticStr,
        message: String,
    },
}

/// The answer as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpReply {
    pub peer: SocketAddr,
    pub local: SocketAddr,
    /// The request sent, byte for byte.
    pub request: Vec<u8>,
    pub bytes: Vec<u8>,
}

/// The most the client keeps of an answer.
pub const MAX_REPLY: usize = 64 * 1024 * 1024;

/// The most of an answer the window's event keeps (the panel shows less;
/// a saved session must not carry a 64 MB picture twice).
pub const MAX_FETCH_KEPT: usize = 1024 * 1024;

/// The window's GET and its answer (issue 28): what the client panel
/// shows, as an event so a saved session has it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fetched {
    /// The operation's id (its TCP events' `TcpSide::Client`).
    pub op: u64,
    pub url: String,
    pub result: Result<FetchedReply, HttpClientError>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FetchedReply {
    pub peer: SocketAddr,
    pub local: SocketAddr,
    #[serde(with = "serde_with::bytes")]
    pub request: Arc<[u8]>,
    /// The answer's first [`MAX_FETCH_KEPT`] bytes.
    #[serde(with = "serde_with::bytes")]
    pub bytes: Arc<[u8]>,
    /// How many bytes arrived in all.
    pub total: usize,
}

impl FetchedReply {
    pub fn of(reply: &HttpReply) -> Self {
        let kept = reply.bytes.len().min(MAX_FETCH_KEPT);
        Self {
            peer: reply.peer,
            local: reply.local,
            request: Arc::from(reply.request.as_slice()),
            bytes: Arc::from(&reply.bytes[..kept]),
            total: reply.bytes.len(),
        }
    }
}

pub fn parse_url(url: &str) -> Result<Url, HttpClientError> {
    let text = url.trim();
    let bad = || HttpClientError::BadUrl {
        url: text.to_owned(),
    };
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Err(HttpClientError::Https {
            url: text.to_owned(),
        });
    }
    let rest = if lower.starts_with("http://") {
        &text[7..]
    } else if text.contains("://") {
        return Err(bad());
    } else {
        text
    };
    let (authority, target) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_owned()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_owned()),
    };
    let target = target.split('#').next().unwrap_or("/").to_owned();
    if authority.is_empty() || authority.contains('@') || target.contains([' ', '\r', '\n']) {
        return Err(bad());
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or_else(bad)?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad())?,
            None if after.is_empty() => 80,
            None => return Err(bad()),
        };
        (host.to_owned(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host.to_owned(), port.parse().map_err(|_| bad())?),
            None => (authority.to_owned(), 80),
        }
    };
    if host.is_empty() || port == 0 {
        return Err(bad());
    }
    Ok(Url { host, port, target })
}

fn io_error(
    call: &'static str,
    addr: SocketAddr,
    e: &io::Error,
    after: Duration,
) -> HttpClientError {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => HttpClientError::Refused { addr },
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => {
            HttpClientError::Reset { addr }
        }
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock if call == "connect" => {
            HttpClientError::ConnectTimeout { addr, after }
        }
        _ => HttpClientError::Io {
            call,
            message: e.to_string(),
        },
    }
}

/// The request's bytes: GET, Host, the user's headers, Connection: close.
pub fn request_bytes(url: &Url, headers: &[(String, String)]) -> Vec<u8> {
    let host = if url.host.contains(':') {
        format!("[{}]", url.host)
    } else {
        url.host.clone()
    };
    let host = if url.port == 80 {
        host
    } else {
        format!("{host}:{}", url.port)
    };
    let mut head = format!("GET {} HTTP/1.1\r\n", url.target);
    let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    if !has("host") {
        head.push_str(&format!("Host: {host}\r\n"));
    }
    if !has("user-agent") {
        head.push_str("User-Agent: UDP Lab\r\n");
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !has("connection") {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// `K: V` → ("K", "V").
pub fn parse_header(text: &str) -> Result<(String, String), HttpClientError> {
    match text.split_once(':') {
        Some((name, value))
            if !name.trim().is_empty()
                && !name.contains(char::is_whitespace)
                && !text.contains(['\r', '\n']) =>
        {
            Ok((name.to_owned(), value.trim().to_owned()))
        }
        _ => Err(HttpClientError::BadHeader {
            header: text.to_owned(),
        }),
    }
}

/// Sends one GET and reads the answer until the server closes, the
/// `Content-Length` it announced has arrived, or `timeout` passes.
pub fn get(
    url: &Url,
    headers: &[(String, String)],
    timeout: Duration,
) -> Result<HttpReply, HttpClientError> {
    get_traced(url, headers, timeout, &mut |_, _| {})
}

/// [`get`], each socket call reported as issue 27's TCP event (the
/// window's client: the trace and the diagram show its connection), with
/// when it was made: a send when it began (the peer may read the bytes
/// before this thread is back from the call), the rest when they returned.
pub fn get_traced(
    url: &Url,
    headers: &[(String, String)],
    timeout: Duration,
    report: &mut dyn FnMut(SystemTime, TcpEventKind),
) -> Result<HttpReply, HttpClientError> {
    let addr = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| HttpClientError::Resolve {
            host: url.host.clone(),
        })?;
    report(
        SystemTime::now(),
        TcpEventKind::Socket {
            family: Family::of(&addr),
        },
    );
    let result = exchange(addr, url, headers, timeout, report);
    report(SystemTime::now(), TcpEventKind::Closed);
    result
}

fn exchange(
    addr: SocketAddr,
    url: &Url,
    headers: &[(String, String)],
    timeout: Duration,
    report: &mut dyn FnMut(SystemTime, TcpEventKind),
) -> Result<HttpReply, HttpClientError> {
    let started = Instant::now();
    let mut stream = match TcpStream::connect_timeout(&addr, timeout) {
        Ok(s) => s,
        Err(e) => {
            report(
                SystemTime::now(),
                TcpEventKind::ConnectFailed {
                    to: addr,
                    error: tcp_error("connect", addr, &e),
                },
            );
            return Err(io_error("connect", addr, &e, timeout));
        }
    };
    let local = stream
        .local_addr()
        .map_err(|e| io_error("getsockname", addr, &e, timeout))?;
    report(
        SystemTime::now(),
        TcpEventKind::Connected { local, peer: addr },
    );
    let request = request_bytes(url, headers);
    let _ = stream.set_write_timeout(Some(timeout));
    let began = SystemTime::now();
    match stream.write_all(&request) {
        Ok(()) => report(
            began,
            TcpEventKind::Sent {
                bytes: Arc::from(request.as_slice()),
                asked: request.len(),
                sent: request.len(),
                all: true,
            },
        ),
        Err(e) => {
            report(
                SystemTime::now(),
                TcpEventKind::SendFailed {
                    asked: request.len(),
                    sent: 0,
                    error: tcp_error("send", addr, &e),
                },
            );
            return Err(io_error("send", addr, &e, timeout));
        }
    }
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if answered_in_full(&bytes) {
            break;
        }
        let left = timeout.saturating_sub(started.elapsed());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            report(
                SystemTime::now(),
                TcpEventKind::RecvTimedOut {
                    buffer: chunk.len(),
                    after: timeout,
                },
            );
            return Err(HttpClientError::Timeout {
                after: timeout,
                got: bytes.len(),
            });
        }
        let read = stream.read(&mut chunk);
        match &read {
            Ok(n) => report(
                SystemTime::now(),
                TcpEventKind::Received {
                    buffer: chunk.len(),
                    bytes: Arc::from(&chunk[..*n]),
                },
            ),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                report(
                    SystemTime::now(),
                    TcpEventKind::RecvTimedOut {
                        buffer: chunk.len(),
                        after: timeout,
                    },
                )
            }
            Err(e) => report(
                SystemTime::now(),
                TcpEventKind::RecvFailed {
                    buffer: chunk.len(),
                    error: tcp_error("recv", addr, e),
                },
            ),
        }
        match read {
            Ok(0) => break,
            Ok(n) if bytes.len() + n > MAX_REPLY => {
                return Err(HttpClientError::TooLarge { limit: MAX_REPLY });
            }
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(HttpClientError::Timeout {
                    after: timeout,
                    got: bytes.len(),
                });
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // A reset after a whole answer (the server closed with our
            // bytes unread) loses nothing.
            Err(_) if answered_in_full(&bytes) => break,
            Err(e) => return Err(io_error("recv", addr, &e, timeout)),
        }
    }
    Ok(HttpReply {
        peer: addr,
        local,
        request,
        bytes,
    })
}

/// The head has ended and `Content-Length` bytes followed: a server that
/// keeps the connection open has said all it will.
fn answered_in_full(bytes: &[u8]) -> bool {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&bytes[..end]);
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .is_some_and(|n| bytes.len() >= end + 4 + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_split_or_refused() {
        assert_eq!(
            parse_url("http://127.0.0.1:6789/HelloWorld.html"),
            Ok(Url {
                host: "127.0.0.1".into(),
                port: 6789,
                target: "/HelloWorld.html".into()
            })
        );
        assert_eq!(
            parse_url("localhost").map(|u| (u.port, u.target)),
            Ok((80, "/".into()))
        );
        assert_eq!(
            parse_url("http://[::1]:8080?q=1").map(|u| (u.host, u.target)),
            Ok(("::1".into(), "/?q=1".into()))
        );
        assert!(matches!(
            parse_url("https://example.org/"),
            Err(HttpClientError::Https { .. })
        ));
        assert!(matches!(
            parse_url("ftp://x/"),
            Err(HttpClientError::BadUrl { .. })
        ));
        assert!(matches!(
            parse_url("http://x:99999/"),
            Err(HttpClientError::BadUrl { .. })
        ));
    }

    #[test]
    fn the_request_carries_the_users_headers() {
        let url = parse_url("http://127.0.0.1:6789/a").unwrap();
        let headers = vec![parse_header("Accept: text/html").unwrap()];
        let wire = String::from_utf8(request_bytes(&url, &headers)).unwrap();
        assert_eq!(
            wire,
            "GET /a HTTP/1.1\r\nHost: 127.0.0.1:6789\r\nUser-Agent: UDP Lab\r\nAccept: text/html\r\nConnection: close\r\n\r\n"
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("Bad Name: x").is_err());
    }
}
