//! An HTTP request or response laid out as lines, for the HTTP anatomy:
//! the request or status line, each header, the empty line that ends the
//! head (or its absence, flagged), and the body with its length checked
//! against `Content-Length`. Tolerant of partial input: it describes what
//! has arrived so far, with byte offsets, so a view can say which `recv` or
//! `send` carried which part ([`Message::parts_in`]). UI-free and
//! allocation-light; it never fails, whatever the bytes.

use std::ops::Range;

#[cfg(test)]
mod tests;

/// Which side wrote the bytes: it decides the first line and the body's
/// framing (a response to HEAD has no body, whatever its headers say).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Request,
    Response,
    ResponseToHead,
}

/// How a line ends on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// `\r\n`, as HTTP asks.
    CrLf,
    /// A bare `\n`: servers accept it, the standard does not.
    Lf,
    /// Not ended yet: the bytes so far stop inside this line.
    Missing,
}

impl Ending {
    pub fn len(self) -> usize {
        match self {
            Ending::CrLf => 2,
            Ending::Lf => 1,
            Ending::Missing => 0,
        }
    }

    pub fn is_empty(self) -> bool {
        self == Ending::Missing
    }
}

/// What one line of the head says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// `GET /HelloWorld.html HTTP/1.1`
    Request {
        method: String,
        target: String,
        version: String,
    },
    /// `HTTP/1.1 200 OK`
    Status {
        version: String,
        code: Option<u16>,
        reason: String,
    },
    /// `Content-Type: text/html`
    Header { name: String, value: String },
    /// A first line that is neither, or a header without a colon.
    Malformed,
}

/// One line of the head: `range` covers its text, `ending` follows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub range: Range<usize>,
    pub ending: Ending,
    pub kind: LineKind,
}

impl Line {
    /// The line's bytes on the wire, its ending included.
    pub fn wire(&self) -> Range<usize> {
        self.range.start..self.range.end + self.ending.len()
    }
}

/// The empty line that ends the head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeadEnd {
    /// Found at `range` (`\r\n`, or a bare `\n` when `ending` says so).
    Found { range: Range<usize>, ending: Ending },
    /// Not (yet) in the bytes: without it a browser waits for more headers.
    Missing,
}

/// How the body's end is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length: n`.
    Length(u64),
    /// `Transfer-Encoding: chunked` (the chunks are not checked here).
    Chunked,
    /// A response with neither: the body ends when the server closes.
    UntilClose,
    /// No body by the rules: a request without `Content-Length`, a
    /// response to HEAD, a 1xx, 204 or 304.
    None,
    /// A `Content-Length` that is not a number, or two that differ.
    BadLength(String),
}

/// The body's length against its framing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyCheck {
    /// Exactly as long as `Content-Length` says.
    Complete,
    /// Shorter than announced so far: `missing` bytes still to come.
    Short { missing: u64 },
    /// Longer than announced: the extra bytes are not this body (another
    /// message, or a mistake in `Content-Length`).
    Extra { extra: usize },
    /// Nothing to check against (chunked, until close, bad length).
    Unchecked,
}

/// The body: from the end of the head to the end of the bytes (or of the
/// announced length, when more follows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    pub range: Range<usize>,
    pub framing: Framing,
    pub check: BodyCheck,
}

/// A part of the message, for "this recv carried …".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Line `i` of [`Message::lines`] (0 is the request or status line).
    Line(usize),
    /// The empty line ending the head.
    EmptyLine,
    Body,
    /// Bytes past the announced body.
    Extra,
}

/// A message as far as its bytes go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub kind: Kind,
    pub lines: Vec<Line>,
    pub head_end: HeadEnd,
    /// Present once the head has ended.
    pub body: Option<Body>,
    /// Every byte parsed.
    pub len: usize,
}

/// Lays `bytes` out as a message of `kind`; never fails.
pub fn parse(bytes: &[u8], kind: Kind) -> Message {
    let mut lines = Vec::new();
    let mut at = 0;
    let mut head_end = HeadEnd::Missing;
    while at < bytes.len() {
        let (text_end, ending) = match bytes[at..].iter().position(|&b| b == b'\n') {
            Some(nl) if nl > 0 && bytes[at + nl - 1] == b'\r' => (at + nl - 1, Ending::CrLf),
            Some(nl) => (at + nl, Ending::Lf),
            None => (bytes.len(), Ending::Missing),
        };
        // A head's first lines may be blank before a request (RFC 9112
        // 2.2 lets a server skip them); an empty line after the first ends it.
        if text_end == at && ending != Ending::Missing && !lines.is_empty() {
            head_end = HeadEnd::Found {
                range: at..text_end + ending.len(),
                ending,
            };
            at = text_end + ending.len();
            break;
        }
        let text = &bytes[at..text_end];
        let kind_of_line = if lines.is_empty() {
            first_line(text, kind)
        } else {
            header(text)
        };
        lines.push(Line {
            range: at..text_end,
            ending,
            kind: kind_of_line,
        });
        at = text_end + ending.len();
    }
    let mut message = Message {
        kind,
        lines,
        head_end,
        body: None,
        len: bytes.len(),
    };
    if matches!(message.head_end, HeadEnd::Found { .. }) {
        let framing = message.framing();
        let have = bytes.len() - at;
        let (end, check) = match framing {
            Framing::Length(n) => {
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                if have < n {
                    let missing = (n - have) as u64;
                    (bytes.len(), BodyCheck::Short { missing })
                } else if have > n {
                    (at + n, BodyCheck::Extra { extra: have - n })
                } else {
                    (bytes.len(), BodyCheck::Complete)
                }
            }
            Framing::None if have > 0 => (at, BodyCheck::Extra { extra: have }),
            Framing::None => (at, BodyCheck::Complete),
            _ => (bytes.len(), BodyCheck::Unchecked),
        };
        message.body = Some(Body {
            range: at..end,
            framing,
            check,
        });
    }
    message
}

/// Messages a stream holds at most for [`split`] (a kept-alive connection
/// of small requests; the stream's bytes are bounded anyway).
pub const MAX_MESSAGES: usize = 1_000;

/// The messages one after another in `bytes`: a kept-alive connection
/// carries several. A message ends where its framing says (its
/// `Content-Length`, or its head when it has no body) and the next starts
/// there when those bytes begin another message; anything else after it
/// stays its own "extra" bytes (a wrong `Content-Length` is flagged, not
/// split). `kind(k)` is the kind of the k-th message (a response's depends
/// on its request). The last range ends at the end of `bytes`.
pub fn split(bytes: &[u8], mut kind: impl FnMut(usize) -> Kind) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    while ranges.len() + 1 < MAX_MESSAGES {
        let m = parse(&bytes[start..], kind(ranges.len()));
        let end = match &m.body {
            Some(Body {
                range,
                check: BodyCheck::Extra { .. },
                ..
            }) => start + range.end,
            _ => break,
        };
        if end == start || detect(&bytes[end..]).is_none() {
            break;
        }
        ranges.push(start..end);
        start = end;
    }
    ranges.push(start..bytes.len());
    ranges
}

/// What `bytes` are by their content, for a view that shows any stream:
/// a request when the first line is `METHOD target HTTP/x` (its end may
/// not have arrived yet), a response when they start `HTTP/` and a digit;
/// None for anything else (the lab's "Hello, server", a TLS handshake).
pub fn detect(bytes: &[u8]) -> Option<Kind> {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or(bytes);
    let line = first.strip_suffix(b"\r").unwrap_or(first);
    if line.len() > 5 && line.starts_with(b"HTTP/") && line[5].is_ascii_digit() {
        return Some(Kind::Response);
    }
    let method_ok = |m: &str| !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase());
    match first_line(line, Kind::Request) {
        LineKind::Request { method, .. } if method_ok(&method) => Some(Kind::Request),
        _ => None,
    }
}

/// The kind a response has, given the request it answers (`None`: not
/// seen): a response to HEAD has no body.
pub fn response_kind(request: Option<&Message>) -> Kind {
    match request.and_then(|r| r.lines.first()).map(|l| &l.kind) {
        Some(LineKind::Request { method, .. }) if method == "HEAD" => Kind::ResponseToHead,
        _ => Kind::Response,
    }
}

fn first_line(text: &[u8], kind: Kind) -> LineKind {
    let text = String::from_utf8_lossy(text);
    let mut words = text.split(' ');
    match kind {
        Kind::Request => match (words.next(), words.next(), words.next(), words.next()) {
            (Some(method), Some(target), Some(version), None)
                if !method.is_empty() && !target.is_empty() && version.starts_with("HTTP/") =>
            {
                LineKind::Request {
                    method: method.to_owned(),
                    target: target.to_owned(),
                    version: version.to_owned(),
                }
            }
            _ => LineKind::Malformed,
        },
        Kind::Response | Kind::ResponseToHead => {
            let mut parts = text.splitn(3, ' ');
            match (parts.next(), parts.next()) {
                (Some(version), Some(code)) if version.starts_with("HTTP/") => LineKind::Status {
                    version: version.to_owned(),
                    code: (code.len() == 3).then(|| code.parse().ok()).flatten(),
                    reason: parts.next().unwrap_or("").to_owned(),
                },
                _ => LineKind::Malformed,
            }
        }
    }
}

fn header(text: &[u8]) -> LineKind {
    match text.iter().position(|&b| b == b':') {
        Some(colon) if colon > 0 && !text[..colon].iter().any(u8::is_ascii_whitespace) => {
            LineKind::Header {
                name: String::from_utf8_lossy(&text[..colon]).into_owned(),
                value: String::from_utf8_lossy(&text[colon + 1..])
                    .trim()
                    .to_owned(),
            }
        }
        _ => LineKind::Malformed,
    }
}

impl Message {
    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Every header, in order.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.lines.iter().filter_map(|l| match &l.kind {
            LineKind::Header { name, value } => Some((name.as_str(), value.as_str())),
            _ => None,
        })
    }

    /// The status code of a response, once its first line parsed.
    pub fn status(&self) -> Option<u16> {
        match self.lines.first().map(|l| &l.kind) {
            Some(LineKind::Status { code, .. }) => *code,
            _ => None,
        }
    }

    /// How the body's end is known, by the headers so far.
    pub fn framing(&self) -> Framing {
        let chunked = self
            .headers()
            .filter(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding"))
            .any(|(_, v)| v.to_ascii_lowercase().contains("chunked"));
        let no_body = match self.kind {
            Kind::Request => false,
            Kind::ResponseToHead => true,
            Kind::Response => matches!(self.status(), Some(100..=199 | 204 | 304)),
        };
        if no_body {
            return Framing::None;
        }
        if chunked {
            return Framing::Chunked;
        }
        let mut lengths = self
            .headers()
            .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v);
        match lengths.next() {
            None if self.kind == Kind::Request => Framing::None,
            None => Framing::UntilClose,
            Some(first) => {
                let same = lengths.all(|v| v == first);
                match first.parse::<u64>() {
                    Ok(n) if same => Framing::Length(n),
                    _ => Framing::BadLength(first.to_owned()),
                }
            }
        }
    }

    /// Where the head ends (the body starts); None while it has not.
    pub fn head_len(&self) -> Option<usize> {
        match &self.head_end {
            HeadEnd::Found { range, .. } => Some(range.end),
            HeadEnd::Missing => None,
        }
    }

    /// The part byte `offset` belongs to; None past the bytes.
    pub fn part_at(&self, offset: usize) -> Option<Part> {
        if offset >= self.len {
            return None;
        }
        if let Some(i) = self.lines.iter().position(|l| l.wire().contains(&offset)) {
            return Some(Part::Line(i));
        }
        if let HeadEnd::Found { range, .. } = &self.head_end
            && range.contains(&offset)
        {
            return Some(Part::EmptyLine);
        }
        match &self.body {
            Some(body) if offset < body.range.end => Some(Part::Body),
            Some(_) => Some(Part::Extra),
            // Unreachable by construction: lines cover a head in progress.
            None => None,
        }
    }

    /// The parts a span of bytes (one `recv`'s or `send`'s) touches, each
    /// with the bytes of it inside the span, in order.
    pub fn parts_in(&self, span: Range<usize>) -> Vec<(Part, Range<usize>)> {
        let span = span.start.min(self.len)..span.end.min(self.len);
        let mut out: Vec<(Part, Range<usize>)> = Vec::new();
        for (part, range) in self.spans() {
            let start = range.start.max(span.start);
            let end = range.end.min(span.end);
            if start < end {
                out.push((part, start..end));
            }
        }
        out
    }

    /// Every part with its bytes, in order; they tile `0..len`.
    pub fn spans(&self) -> Vec<(Part, Range<usize>)> {
        let mut out: Vec<(Part, Range<usize>)> = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| (Part::Line(i), l.wire()))
            .collect();
        if let HeadEnd::Found { range, .. } = &self.head_end {
            out.push((Part::EmptyLine, range.clone()));
        }
        if let Some(body) = &self.body {
            if !body.range.is_empty() {
                out.push((Part::Body, body.range.clone()));
            }
            if body.range.end < self.len {
                out.push((Part::Extra, body.range.end..self.len));
            }
        }
        out
    }
}
