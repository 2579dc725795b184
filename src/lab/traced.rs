//! A traced script's calls in the lab's vocabulary: one line each, written
//! the way Python would (`bind(('127.0.0.1', 12345)) → ok`), with the
//! handout's step when the call is one of its steps.

use std::collections::{HashMap, HashSet};

use super::i18n::{Lang, T, fill};
use crate::net::trace::{CallArgs, CallResult, TracedCall, TracedData, TracedError};

/// A payload as a Python 3 bytes literal, cut after `max` bytes.
pub fn py_bytes(bytes: &[u8], max: usize) -> String {
    let mut out = String::from("b'");
    for &b in bytes.iter().take(max) {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\'"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b' '..=b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('\'');
    if bytes.len() > max {
        out.push('…');
    }
    out
}

fn data_text(d: &TracedData) -> String {
    match (&d.bytes, &d.text) {
        (Some(bytes), _) => {
            let shown = py_bytes(bytes, 40);
            if d.len > 40 {
                format!("{shown} ({} bytes)", d.len)
            } else {
                shown
            }
        }
        (None, Some(text)) => {
            let short: String = text.chars().take(40).collect();
            format!("{short:?}")
        }
        (None, None) => d.py_type.clone(),
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The call as the script wrote it: `sendto(b'Hello', ('127.0.0.1', 12345))`.
pub fn call_text(name: &str, a: &CallArgs, lang: Lang) -> String {
    let addr = || a.addr.as_ref().map(|x| x.python()).unwrap_or_default();
    let data = || a.data.as_ref().map(data_text).unwrap_or_default();
    let buf = || a.bufsize.map(|b| b.to_string()).unwrap_or_default();
    match name {
        "socket" => format!(
            "socket({}, {})",
            a.family.as_deref().unwrap_or("?"),
            a.sock_type.as_deref().unwrap_or("?")
        ),
        "bind" | "connect" | "connect_ex" => format!("{name}({})", addr()),
        "sendto" => format!("sendto({}, {})", data(), addr()),
        "send" | "sendall" => format!("{name}({})", data()),
        "listen" => format!(
            "listen({})",
            a.backlog.map(|b| b.to_string()).unwrap_or_default()
        ),
        "shutdown" => format!("shutdown({})", a.how.as_deref().unwrap_or("?")),
        "recvfrom" | "recv" | "recvfrom_into" | "recv_into" => format!("{name}({})", buf()),
        "settimeout" => format!("settimeout({})", a.timeout.map_or("None".into(), number)),
        "setblocking" => format!(
            "setblocking({})",
            if a.blocking == Some(false) {
                "False"
            } else {
                "True"
            }
        ),
        "setsockopt" => format!(
            "setsockopt({}, {}, {})",
            a.level.as_deref().unwrap_or("?"),
            a.opt.as_deref().unwrap_or("?"),
            a.value.as_deref().unwrap_or("?")
        ),
        "close" if a.gc => T::TracedGcClose.get(lang).to_owned(),
        other => format!("{other}()"),
    }
}

/// connect_ex's number, with the name of the errors a lab meets.
fn code_text(code: i64) -> String {
    let name = match code {
        111 | 61 | 10061 => "ECONNREFUSED",
        110 | 60 | 10060 => "ETIMEDOUT",
        113 | 65 | 10065 => "EHOSTUNREACH",
        101 | 51 | 10051 => "ENETUNREACH",
        _ => return code.to_string(),
    };
    format!("{code} ({name})")
}

/// What the call returned or raised; `stream`: the socket is TCP's (a
/// receive of nothing is the peer's close, not an empty datagram).
pub fn outcome_text(
    name: &str,
    outcome: &Result<CallResult, TracedError>,
    stream: bool,
    lang: Lang,
) -> String {
    match outcome {
        Err(e) if e.timeout => T::TracedTimedOut.get(lang).to_owned(),
        Err(e) => {
            if e.text.is_empty() {
                e.py_type.clone()
            } else if let Some(errno) = e.errno {
                // OSError's own text already starts with "[Errno N]".
                if e.text.starts_with('[') {
                    format!("{}: {}", e.py_type, e.text)
                } else {
                    format!("{}: [Errno {errno}] {}", e.py_type, e.text)
                }
            } else {
                format!("{}: {}", e.py_type, e.text)
            }
        }
        Ok(r) => {
            if let (Some(sock), Some(from)) = (r.accepted, &r.from) {
                return fill(
                    T::TracedAccepted.get(lang),
                    &[("sock", &sock), ("addr", &from.python())],
                );
            }
            if let Some(code) = r.code {
                return code_text(code);
            }
            if stream && r.data.as_ref().is_some_and(|d| d.len == 0) && r.from.is_none() {
                return T::TracedPeerClosed.get(lang).to_owned();
            }
            if let Some(n) = r.sent {
                return fill(T::TracedBytes.get(lang), &[("n", &n)]);
            }
            match (&r.data, name) {
                (Some(d), _) => {
                    let mut text = match &r.from {
                        Some(from) => fill(
                            T::TracedBytesFrom.get(lang),
                            &[("n", &d.len), ("addr", &from.python())],
                        ),
                        None => fill(T::TracedBytes.get(lang), &[("n", &d.len)]),
                    };
                    if let Some(real) = r.real_len
                        && real > d.len as u64
                    {
                        text.push_str(&fill(T::TracedHad.get(lang), &[("len", &real)]));
                    }
                    text
                }
                _ => T::TracedOk.get(lang).to_owned(),
            }
        }
    }
}

/// Which program a socket plays: a server binds before it sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Server,
    Client,
}

/// The handout's step a call is (/work/shared/lab numbers each program's
/// lines): `socket` is step 4 of the server and 5 of the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Socket,
    Of(Role, u8),
    /// A stream socket's: UDP Lab's own TCP programs (the Code view's
    /// tcp_server.py and tcp_client.py) number them; the handout has no TCP.
    TcpSocket,
    Tcp(Role, u8),
}

impl Step {
    pub fn text(self, lang: Lang) -> String {
        match self {
            Step::Socket => T::TracedStepSocket.get(lang).to_owned(),
            Step::Of(Role::Server, n) => fill(T::TracedStepServer.get(lang), &[("n", &n)]),
            Step::Of(Role::Client, n) => fill(T::TracedStepClient.get(lang), &[("n", &n)]),
            Step::TcpSocket => T::TracedStepTcpSocket.get(lang).to_owned(),
            Step::Tcp(Role::Server, n) => fill(T::TracedStepTcpServer.get(lang), &[("n", &n)]),
            Step::Tcp(Role::Client, n) => fill(T::TracedStepTcpClient.get(lang), &[("n", &n)]),
        }
    }

    /// A step of the TCP programs: its socket is a stream's.
    pub fn is_tcp(self) -> bool {
        matches!(self, Step::TcpSocket | Step::Tcp(..))
    }
}

/// The handout's step numbers for a script's calls; it learns each
/// socket's role from its calls.
#[derive(Default)]
pub struct Steps {
    roles: HashMap<u32, Role>,
    /// Stream sockets, and those of them accept() returned.
    stream: HashSet<u32>,
    accepted: HashSet<u32>,
}

impl Steps {
    /// The call's step, or None for a call the handout does not number.
    pub fn step(&mut self, call: &TracedCall) -> Option<Step> {
        let role = self.roles.get(&call.sock).copied();
        if call.name == "socket" && call.args.sock_type.as_deref() == Some("SOCK_STREAM") {
            self.stream.insert(call.sock);
        }
        if self.stream.contains(&call.sock) {
            return self.tcp_step(call, role);
        }
        match call.name.as_str() {
            "socket" => Some(Step::Socket),
            "bind" => {
                self.roles.insert(call.sock, Role::Server);
                Some(Step::Of(Role::Server, 5))
            }
            "sendto" => Some(match *self.roles.entry(call.sock).or_insert(Role::Client) {
                Role::Server => Step::Of(Role::Server, 10),
                Role::Client => Step::Of(Role::Client, 6),
            }),
            "recvfrom" => Some(match role {
                Some(Role::Client) => Step::Of(Role::Client, 7),
                _ => Step::Of(Role::Server, 7),
            }),
            // The lab's server never closes (it loops forever).
            "close" => (role == Some(Role::Client)).then_some(Step::Of(Role::Client, 9)),
            _ => None,
        }
    }
}

impl Steps {
    /// UDP Lab's TCP programs' steps (COMMON to the Code view's numbers).
    fn tcp_step(&mut self, call: &TracedCall, role: Option<Role>) -> Option<Step> {
        let sock = call.sock;
        let server = |n| Some(Step::Tcp(Role::Server, n));
        let client = |n| Some(Step::Tcp(Role::Client, n));
        match call.name.as_str() {
            "socket" => Some(Step::TcpSocket),
            "bind" | "listen" | "accept" => {
                self.roles.insert(sock, Role::Server);
                if let Ok(CallResult {
                    accepted: Some(conn),
                    ..
                }) = &call.outcome
                {
                    self.stream.insert(*conn);
                    self.accepted.insert(*conn);
                    self.roles.insert(*conn, Role::Server);
                }
                server(match call.name.as_str() {
                    "bind" => 5,
                    "listen" => 6,
                    _ => 8,
                })
            }
            "connect" | "connect_ex" => {
                self.roles.insert(sock, Role::Client);
                client(6)
            }
            "send" | "sendall" => match role {
                Some(Role::Server) => server(12),
                _ => client(7),
            },
            "recv" | "recv_into" => match role {
                Some(Role::Server) => {
                    let eof = matches!(&call.outcome, Ok(r) if r.data.as_ref().is_some_and(|d| d.len == 0));
                    server(if eof { 10 } else { 9 })
                }
                _ => client(8),
            },
            "close" if self.accepted.contains(&sock) => server(13),
            "close" if role == Some(Role::Client) => client(10),
            _ => None,
        }
    }
}

/// One line of the trace: `server.py:12  bind(('127.0.0.1', 12345)) → ok  [server step 5]`.
pub fn call_line(call: &TracedCall, step: Option<Step>, lang: Lang) -> String {
    let site = call
        .site
        .as_ref()
        .map_or_else(|| "?".to_owned(), |s| s.short());
    let mut line = format!(
        "{site}  {} → {}",
        call_text(&call.name, &call.args, lang),
        outcome_text(
            &call.name,
            &call.outcome,
            step.is_some_and(Step::is_tcp),
            lang
        )
    );
    if let Some(step) = step {
        line.push_str(&format!("  [{}]", step.text(lang)));
    }
    line
}
