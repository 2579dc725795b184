//! What the tracer (assets/tracer/udplab_trace.py) reports about a student's
//! script, and the parser for its JSON lines. The lines come from another
//! process over TCP: anything may arrive, so every line is checked (token,
//! length, UTF-8, JSON, shape) and a bad one is an error, never a panic.

use std::net::SocketAddr;

use serde::Deserialize;

/// The longest line accepted (a datagram's preview is at most 2 KiB, as
/// hex 4 KiB; anything near this is not from the tracer).
pub const MAX_LINE: usize = 64 * 1024;

/// Where in the script a call was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// As Python knows it (the path the script was started with).
    pub file: String,
    pub line: u32,
}

impl Site {
    /// "server.py:12": the file's name and the line, as the CLI prints it.
    pub fn short(&self) -> String {
        format!("{}:{}", file_name(&self.file), self.line)
    }
}

/// The last part of a path, whichever separator it uses.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// An address as the script gave or got it: `('127.0.0.1', 12345)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TracedAddr {
    /// A host (a literal or a name such as "localhost") and a port.
    Inet { host: String, port: u16 },
    /// Anything else (a Unix socket path, a malformed tuple), as text.
    Other(String),
}

impl TracedAddr {
    /// The address when the host is a literal IP.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        match self {
            TracedAddr::Inet { host, port } => host
                .parse::<std::net::IpAddr>()
                .ok()
                .map(|ip| SocketAddr::new(ip, *port)),
            TracedAddr::Other(_) => None,
        }
    }

    /// Python's own way to write it.
    pub fn python(&self) -> String {
        match self {
            TracedAddr::Inet { host, port } => format!("('{host}', {port})"),
            TracedAddr::Other(text) => format!("{text:?}"),
        }
    }
}

/// A payload the script sent or received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TracedData {
    /// Python's type name: "bytes", "str", "bytearray", "unicode"...
    pub py_type: String,
    /// Its length (in characters for a str).
    pub len: usize,
    /// Its first bytes (up to 2 KiB) when it is bytes-like.
    pub bytes: Option<Vec<u8>>,
    /// Its text when it is not (a str passed to sendto).
    pub text: Option<String>,
}

/// An exception a call raised.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TracedError {
    /// The exception's class: "timeout", "TimeoutError", "OSError"...
    pub py_type: String,
    pub text: String,
    /// socket.timeout (whatever its class is called in this Python).
    pub timeout: bool,
    pub errno: Option<i64>,
    pub winerror: Option<i64>,
}

impl TracedError {
    /// "Address already in use" on Linux (98), macOS (48) and Windows (10048).
    pub fn addr_in_use(&self) -> bool {
        matches!(self.errno, Some(98 | 48 | 10048)) || self.winerror == Some(10048)
    }

    /// Windows' "message too long" for a datagram longer than the buffer.
    pub fn message_too_long(&self) -> bool {
        self.winerror == Some(10040) || self.errno == Some(10040)
    }
}

/// A call's arguments, as far as they matter to the trace.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallArgs {
    pub addr: Option<TracedAddr>,
    pub data: Option<TracedData>,
    pub bufsize: Option<u64>,
    /// settimeout's value (None: blocking, no timeout).
    pub timeout: Option<f64>,
    pub blocking: Option<bool>,
    /// socket()'s family and type: "AF_INET", "SOCK_DGRAM".
    pub family: Option<String>,
    pub sock_type: Option<String>,
    /// setsockopt's level, option and value.
    pub level: Option<String>,
    pub opt: Option<String>,
    pub value: Option<String>,
    /// close() done by the garbage collector, not by the script.
    pub gc: bool,
    /// listen's backlog; shutdown's how ("SHUT_WR").
    pub backlog: Option<u64>,
    pub how: Option<String>,
}

/// What a call returned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallResult {
    /// sendto/send: bytes sent.
    pub sent: Option<u64>,
    /// Receives: what was read and from where.
    pub data: Option<TracedData>,
    pub from: Option<TracedAddr>,
    /// The datagram's real length (Linux tells it): more than read means
    /// the rest was lost.
    pub real_len: Option<u64>,
    /// bind: the address the socket got (the real port for port 0).
    pub local: Option<TracedAddr>,
    /// accept: the script's number of the connection's new socket (its
    /// peer is `from`).
    pub accepted: Option<u32>,
    /// connect_ex: the error number it returned (0: connected).
    pub code: Option<i64>,
}

/// One socket call of the script.
#[derive(Clone, Debug, PartialEq)]
pub struct TracedCall {
    /// The script's socket, numbered from 1 in creation order.
    pub sock: u32,
    /// "socket", "bind", "sendto", "recvfrom"...
    pub name: String,
    pub args: CallArgs,
    pub outcome: Result<CallResult, TracedError>,
    pub site: Option<Site>,
    /// The script's clock (seconds since the Unix epoch) when the call
    /// returned.
    pub time: f64,
    /// When it began (older tracers: unknown). A datagram leaves before
    /// sendto returns.
    pub start: Option<f64>,
    /// Set on a receive: the `Wait` report it ends.
    pub wait: Option<String>,
}

/// A receive that has started and may block.
#[derive(Clone, Debug, PartialEq)]
pub struct TracedWait {
    pub sock: u32,
    pub name: String,
    pub args: CallArgs,
    /// The socket's timeout then (None: it waits forever).
    pub timeout: Option<f64>,
    pub site: Option<Site>,
    pub time: f64,
    pub id: String,
}

/// A `decode()` that failed: the bytes and the codec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeFailure {
    pub encoding: String,
    pub start: usize,
    pub bytes: Vec<u8>,
}

/// The exception that ended the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uncaught {
    pub py_type: String,
    /// The traceback's last line: "ZeroDivisionError: division by zero".
    pub text: String,
    /// The deepest line of the script's own code in the traceback.
    pub site: Option<Site>,
    pub decode: Option<DecodeFailure>,
}

/// One line from the tracer.
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    /// The tracer is running: the Python version and the script.
    Hello {
        python: String,
        script: String,
        pid: u32,
    },
    Call(TracedCall),
    Wait(TracedWait),
    Uncaught(Uncaught),
    /// An ICMP error a datagram brought back to the script's socket (Linux:
    /// the tracer reads the socket's error queue): its errno (111
    /// ECONNREFUSED: port unreachable, nothing listens there), the address
    /// the datagram went to, and the send's line.
    Icmp {
        sock: u32,
        errno: i64,
        to: Option<TracedAddr>,
        site: Option<Site>,
    },
    /// A socket still open when the script ended, and where it was made.
    Unclosed {
        sock: u32,
        site: Option<Site>,
    },
}

/// A line from the tracer: its report, and how many bytes the script had
/// written to stdout and stderr before it (so output and calls can be
/// shown in the order they were made).
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub report: Report,
    pub stdout_before: u64,
    pub stderr_before: u64,
}

/// Why a line was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineError {
    TooLong,
    NotUtf8,
    NotJson,
    /// JSON, but no tracer line: a field missing or of the wrong kind.
    Shape,
    WrongToken,
}

// The wire format, as lenient as possible about what is optional.
#[derive(Deserialize)]
struct Wire {
    #[serde(rename = "k")]
    _token: String,
    ev: String,
    #[serde(default)]
    t: f64,
    #[serde(default)]
    t0: Option<f64>,
    #[serde(default)]
    o: u64,
    #[serde(default)]
    e: u64,
    #[serde(default)]
    call: Option<String>,
    #[serde(default)]
    sock: Option<u32>,
    #[serde(default)]
    args: Option<WireArgs>,
    #[serde(default)]
    res: Option<WireRes>,
    #[serde(default)]
    err: Option<WireErr>,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    line: Option<u32>,
    #[serde(default)]
    wait: Option<String>,
    #[serde(default)]
    timeout: Option<f64>,
    #[serde(default)]
    py: Option<String>,
    #[serde(default)]
    script: Option<String>,
    #[serde(default)]
    pid: Option<u32>,
    #[serde(rename = "type", default)]
    py_type: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    decode: Option<WireDecode>,
    #[serde(default)]
    errno: Option<i64>,
    #[serde(default)]
    addr: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
struct WireArgs {
    #[serde(default)]
    addr: Option<serde_json::Value>,
    #[serde(default)]
    data: Option<WireData>,
    #[serde(default)]
    bufsize: Option<u64>,
    #[serde(default)]
    timeout: Option<f64>,
    #[serde(default)]
    blocking: Option<bool>,
    #[serde(default)]
    family: Option<String>,
    #[serde(rename = "type", default)]
    sock_type: Option<String>,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    opt: Option<String>,
    #[serde(default)]
    value: Option<serde_json::Value>,
    #[serde(default)]
    gc: Option<bool>,
    #[serde(default)]
    backlog: Option<u64>,
    #[serde(default)]
    how: Option<String>,
}

#[derive(Deserialize, Default)]
struct WireData {
    #[serde(rename = "type", default)]
    py_type: String,
    #[serde(default)]
    len: usize,
    #[serde(default)]
    hex: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize, Default)]
struct WireRes {
    #[serde(default)]
    n: Option<u64>,
    #[serde(rename = "type", default)]
    py_type: Option<String>,
    #[serde(default)]
    len: Option<usize>,
    #[serde(default)]
    hex: Option<String>,
    #[serde(default)]
    addr: Option<serde_json::Value>,
    #[serde(default)]
    real_len: Option<u64>,
    #[serde(default)]
    local: Option<serde_json::Value>,
    #[serde(default)]
    sock: Option<u32>,
    #[serde(default)]
    code: Option<i64>,
}

#[derive(Deserialize, Default)]
struct WireErr {
    #[serde(rename = "type", default)]
    py_type: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    errno: Option<i64>,
    #[serde(default)]
    winerror: Option<i64>,
}

#[derive(Deserialize)]
struct WireDecode {
    #[serde(default)]
    encoding: String,
    #[serde(default)]
    start: usize,
    hex: String,
}

fn unhex(text: &str) -> Result<Vec<u8>, LineError> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return Err(LineError::Shape);
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(LineError::Shape),
    };
    digits
        .chunks_exact(2)
        .map(|pair| Ok(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

fn addr(value: serde_json::Value) -> TracedAddr {
    use serde_json::Value;
    match value {
        Value::Array(items) => match items.as_slice() {
            [Value::String(host), Value::Number(port)] => {
                match port.as_u64().and_then(|p| u16::try_from(p).ok()) {
                    Some(port) => TracedAddr::Inet {
                        host: host.clone(),
                        port,
                    },
                    None => TracedAddr::Other(format!("({host:?}, {port})")),
                }
            }
            _ => TracedAddr::Other(Value::Array(items).to_string()),
        },
        Value::String(text) => TracedAddr::Other(text),
        other => TracedAddr::Other(other.to_string()),
    }
}

fn data(d: WireData) -> Result<TracedData, LineError> {
    Ok(TracedData {
        py_type: d.py_type,
        len: d.len,
        bytes: d.hex.as_deref().map(unhex).transpose()?,
        text: d.text,
    })
}

fn site(file: Option<String>, line: Option<u32>) -> Option<Site> {
    Some(Site {
        file: file?,
        line: line?,
    })
}

fn args(a: Option<WireArgs>) -> Result<CallArgs, LineError> {
    let a = a.unwrap_or_default();
    Ok(CallArgs {
        addr: a.addr.map(addr),
        data: a.data.map(data).transpose()?,
        bufsize: a.bufsize,
        timeout: a.timeout,
        blocking: a.blocking,
        family: a.family,
        sock_type: a.sock_type,
        level: a.level,
        opt: a.opt,
        value: a.value.map(|v| match v {
            serde_json::Value::Object(o) => o
                .get("hex")
                .and_then(|h| h.as_str())
                .map_or_else(|| "…".to_owned(), |h| format!("0x{h}")),
            other => other.to_string(),
        }),
        gc: a.gc.unwrap_or(false),
        backlog: a.backlog,
        how: a.how,
    })
}

/// Reads one line (without its newline). Only a line carrying `token`
/// is taken; everything else is a [`LineError`].
pub fn parse_line(line: &[u8], token: &str) -> Result<Line, LineError> {
    if line.len() > MAX_LINE {
        return Err(LineError::TooLong);
    }
    let text = std::str::from_utf8(line).map_err(|_| LineError::NotUtf8)?;
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| LineError::NotJson)?;
    // The token first: a stranger learns nothing about the format.
    if value.get("k").and_then(|k| k.as_str()) != Some(token) {
        return Err(LineError::WrongToken);
    }
    let w: Wire = serde_json::from_value(value).map_err(|_| LineError::Shape)?;
    let time = if w.t.is_finite() { w.t } else { 0.0 };
    let (stdout_before, stderr_before) = (w.o, w.e);
    let report = match w.ev.as_str() {
        "hello" => Ok(Report::Hello {
            python: w.py.unwrap_or_default(),
            script: w.script.unwrap_or_default(),
            pid: w.pid.unwrap_or_default(),
        }),
        "call" => {
            let outcome = match (w.res, w.err) {
                (_, Some(e)) => Err(TracedError {
                    timeout: e.kind.as_deref() == Some("timeout"),
                    py_type: e.py_type,
                    text: e.text,
                    errno: e.errno,
                    winerror: e.winerror,
                }),
                (Some(r), None) => {
                    let data = match (r.py_type, r.len) {
                        (Some(py_type), Some(len)) => Some(data(WireData {
                            py_type,
                            len,
                            hex: r.hex,
                            text: None,
                        })?),
                        _ => None,
                    };
                    Ok(CallResult {
                        sent: r.n,
                        data,
                        from: r.addr.map(addr),
                        real_len: r.real_len,
                        local: r.local.map(addr),
                        accepted: r.sock,
                        code: r.code,
                    })
                }
                (None, None) => return Err(LineError::Shape),
            };
            Ok(Report::Call(TracedCall {
                sock: w.sock.ok_or(LineError::Shape)?,
                name: w.call.ok_or(LineError::Shape)?,
                args: args(w.args)?,
                outcome,
                site: site(w.file, w.line),
                time,
                start: w.t0.filter(|t| t.is_finite()),
                wait: w.wait,
            }))
        }
        "wait" => Ok(Report::Wait(TracedWait {
            sock: w.sock.ok_or(LineError::Shape)?,
            name: w.call.ok_or(LineError::Shape)?,
            args: args(w.args)?,
            timeout: w.timeout,
            site: site(w.file, w.line),
            time,
            id: w.wait.ok_or(LineError::Shape)?,
        })),
        "exception" => Ok(Report::Uncaught(Uncaught {
            py_type: w.py_type.ok_or(LineError::Shape)?,
            text: w.text.unwrap_or_default(),
            site: site(w.file, w.line),
            decode: w
                .decode
                .map(|d| {
                    Ok::<_, LineError>(DecodeFailure {
                        encoding: d.encoding,
                        start: d.start,
                        bytes: unhex(&d.hex)?,
                    })
                })
                .transpose()?,
        })),
        "icmp" => Ok(Report::Icmp {
            sock: w.sock.ok_or(LineError::Shape)?,
            errno: w.errno.unwrap_or_default(),
            to: w.addr.map(addr),
            site: site(w.file, w.line),
        }),
        "unclosed" => Ok(Report::Unclosed {
            sock: w.sock.ok_or(LineError::Shape)?,
            site: site(w.file, w.line),
        }),
        _ => Err(LineError::Shape),
    }?;
    Ok(Line {
        report,
        stdout_before,
        stderr_before,
    })
}

/// Splits a byte stream into lines of at most [`MAX_LINE`] bytes. A longer
/// line is skipped up to its newline and reported once as too long.
#[derive(Default)]
pub struct LineSplitter {
    buf: Vec<u8>,
    /// Inside a line already found too long: drop bytes until its newline.
    skipping: bool,
}

impl LineSplitter {
    /// Feeds `bytes`; each complete line (or a too-long one, as Err) goes
    /// to `line`.
    pub fn feed(&mut self, mut bytes: &[u8], mut line: impl FnMut(Result<&[u8], LineError>)) {
        while !bytes.is_empty() {
            let newline = bytes.iter().position(|&b| b == b'\n');
            let (chunk, rest, ends) = match newline {
                Some(i) => (&bytes[..i], &bytes[i + 1..], true),
                None => (bytes, &[][..], false),
            };
            bytes = rest;
            if self.skipping {
                if ends {
                    self.skipping = false;
                }
                continue;
            }
            if self.buf.len() + chunk.len() > MAX_LINE {
                self.buf.clear();
                line(Err(LineError::TooLong));
                self.skipping = !ends;
                continue;
            }
            self.buf.extend_from_slice(chunk);
            if ends {
                let text = std::mem::take(&mut self.buf);
                line(Ok(text.strip_suffix(b"\r").unwrap_or(&text)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "abc";

    #[test]
    fn a_call_line_is_read() {
        let line = br#"{"ev":"call","call":"recvfrom","sock":1,"args":{"bufsize":1024},"res":{"type":"bytes","len":2,"hex":"4869","addr":["127.0.0.1",50612],"real_len":2},"file":"/x/server.py","line":16,"k":"abc","t":1.5}"#;
        let Ok(Line {
            report: Report::Call(call),
            ..
        }) = parse_line(line, TOKEN)
        else {
            panic!("not a call");
        };
        assert_eq!(call.name, "recvfrom");
        assert_eq!(call.args.bufsize, Some(1024));
        let res = call.outcome.clone().unwrap_or_default();
        assert_eq!(res.data.and_then(|d| d.bytes), Some(b"Hi".to_vec()));
        assert_eq!(
            res.from.and_then(|a| a.socket_addr()),
            "127.0.0.1:50612".parse().ok()
        );
        assert_eq!(call.site.map(|s| s.short()), Some("server.py:16".into()));
    }

    #[test]
    fn tcp_call_lines_are_read() {
        let accept = br#"{"ev":"call","call":"accept","sock":1,"args":{},"res":{"sock":2,"addr":["127.0.0.1",36990],"local":["127.0.0.1",23901],"fd":5},"wait":"1-2","file":"s.py","line":7,"k":"abc"}"#;
        let Ok(Line {
            report: Report::Call(call),
            ..
        }) = parse_line(accept, TOKEN)
        else {
            panic!("not a call");
        };
        let res = call.outcome.unwrap_or_default();
        assert_eq!(res.accepted, Some(2));
        assert_eq!(
            res.from.and_then(|a| a.socket_addr()),
            "127.0.0.1:36990".parse().ok()
        );
        let listen =
            br#"{"ev":"call","call":"listen","sock":1,"args":{"backlog":5},"res":{},"k":"abc"}"#;
        let Ok(Line {
            report: Report::Call(call),
            ..
        }) = parse_line(listen, TOKEN)
        else {
            panic!("not a call");
        };
        assert_eq!(call.args.backlog, Some(5));
        let refused = br#"{"ev":"call","call":"connect_ex","sock":1,"args":{"addr":["127.0.0.1",1]},"res":{"code":111,"local":["0.0.0.0",46274]},"k":"abc"}"#;
        let Ok(Line {
            report: Report::Call(call),
            ..
        }) = parse_line(refused, TOKEN)
        else {
            panic!("not a call");
        };
        assert_eq!(call.outcome.unwrap_or_default().code, Some(111));
    }

    #[test]
    fn strangers_and_garbage_are_refused() {
        assert_eq!(
            parse_line(br#"{"ev":"hello","k":"nope"}"#, TOKEN),
            Err(LineError::WrongToken)
        );
        assert_eq!(
            parse_line(br#"{"ev":"hello"}"#, TOKEN),
            Err(LineError::WrongToken)
        );
        assert_eq!(
            parse_line(b"{\"k\":\"abc\"", TOKEN),
            Err(LineError::NotJson)
        );
        assert_eq!(parse_line(b"\xff\xfe", TOKEN), Err(LineError::NotUtf8));
        assert_eq!(
            parse_line(br#"{"ev":"call","k":"abc"}"#, TOKEN),
            Err(LineError::Shape)
        );
        assert_eq!(
            parse_line(br#"{"ev":"call","k":"abc","sock":1,"call":"x","res":{"type":"bytes","len":1,"hex":"zz"}}"#, TOKEN),
            Err(LineError::Shape)
        );
        assert_eq!(
            parse_line(&vec![b' '; MAX_LINE + 1], TOKEN),
            Err(LineError::TooLong)
        );
    }

    #[test]
    fn the_splitter_caps_lines_and_resynchronises() {
        let mut s = LineSplitter::default();
        let mut got = Vec::new();
        let mut long = vec![b'x'; MAX_LINE + 10];
        long.extend_from_slice(b"\nok\r\npart");
        s.feed(&long, |l| got.push(l.map(<[u8]>::to_vec)));
        s.feed(b"ial\n", |l| got.push(l.map(<[u8]>::to_vec)));
        assert_eq!(
            got,
            vec![
                Err(LineError::TooLong),
                Ok(b"ok".to_vec()),
                Ok(b"partial".to_vec())
            ]
        );
    }
}
