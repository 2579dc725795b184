//! The tracer's JSON lines on the wire, read leniently: every optional
//! field may be missing, and anything else is a [`LineError`].

use serde::Deserialize;

use super::*;

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
    #[serde(default)]
    opened: Option<WireOpened>,
}

#[derive(Deserialize)]
struct WireOpened {
    #[serde(default)]
    path: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    line: Option<u32>,
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
                        opened: d.opened.map(|o| Opened {
                            path: o.path,
                            mode: o.mode,
                            site: site(o.file, o.line),
                        }),
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
