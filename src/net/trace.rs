//! What the tracer (assets/tracer/udplab_trace.py) reports about a student's
//! script, and the parser for its JSON lines. The lines come from another
//! process over TCP: anything may arrive, so every line is checked (token,
//! length, UTF-8, JSON, shape) and a bad one is an error, never a panic.

use std::net::SocketAddr;

/// The longest line accepted (a datagram's preview is at most 2 KiB, as
/// hex 4 KiB; anything near this is not from the tracer).
pub const MAX_LINE: usize = 64 * 1024;

/// Where in the script a call was made.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DecodeFailure {
    pub encoding: String,
    pub start: usize,
    pub bytes: Vec<u8>,
    /// The file the bytes came from, when the script opened it (the tracer
    /// found the failing bytes in it): an image read in text mode, or read
    /// in binary and then decoded.
    #[serde(default)]
    pub opened: Option<Opened>,
}

/// A file the script opened in text mode.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Opened {
    pub path: String,
    /// open()'s mode: "r", "rt", "r+"...
    pub mode: String,
    pub site: Option<Site>,
}

/// The exception that ended the script.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Uncaught {
    pub py_type: String,
    /// The traceback's last line: "ZeroDivisionError: division by zero".
    pub text: String,
    /// The deepest line of the script's own code in the traceback.
    pub site: Option<Site>,
    pub decode: Option<DecodeFailure>,
}

/// One line from the tracer.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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

mod wire;
pub use wire::parse_line;

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
mod tests;
