//! Turning bytes and times into text that is always safe to show: invalid
//! UTF-8, control characters, terminal escapes and bidi overrides are shown
//! escaped, never interpreted.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use super::i18n::{Lang, T};

/// Text for a payload: lossy UTF-8 with control and bidi-control characters
/// escaped, cut after `max_chars` characters (with "…").
pub fn payload_text(bytes: &[u8], max_chars: usize) -> String {
    let mut out = String::with_capacity(bytes.len().min(max_chars.saturating_mul(2)));
    for (count, c) in String::from_utf8_lossy(bytes).chars().enumerate() {
        if count >= max_chars {
            out.push('…');
            break;
        }
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        '\\' => out.push_str("\\\\"),
        c if c.is_control() => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        // Bidi marks, embeddings, overrides and isolates, and zero-width
        // joiners: they can reorder or hide the text around them. Line and
        // paragraph separators would break the one-line view.
        '\u{061c}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{feff}' => {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// "48 65 6c 6c 6f", cut after `max_bytes` bytes (with " …").
pub fn hex(bytes: &[u8], max_bytes: usize) -> String {
    let mut out = String::with_capacity(bytes.len().min(max_bytes).saturating_mul(3));
    for (i, b) in bytes.iter().take(max_bytes).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02x}");
    }
    if bytes.len() > max_bytes {
        out.push_str(" …");
    }
    out
}

/// A received payload on one line as the incoming list shows it: the escaped
/// text, "(empty datagram)" for zero bytes, and the hex after a payload that
/// is not plain text (invalid UTF-8 shows as U+FFFD, so the bytes go beside it).
pub fn payload_line(bytes: &[u8], max_chars: usize, max_hex: usize, lang: Lang) -> String {
    if bytes.is_empty() {
        T::EmptyDatagram.get(lang).to_owned()
    } else if is_plain_text(bytes) {
        payload_text(bytes, max_chars)
    } else {
        format!(
            "{}   [{}]",
            payload_text(bytes, max_chars),
            hex(bytes, max_hex)
        )
    }
}

/// Whether the payload reads as text (valid UTF-8 without odd controls).
pub fn is_plain_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| {
        s.chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
    })
}

/// Local wall-clock time with milliseconds: "18:13:43.123".
pub fn clock(at: SystemTime) -> String {
    let t: chrono::DateTime<chrono::Local> = at.into();
    t.format("%H:%M:%S%.3f").to_string()
}

/// A round-trip time at a readable precision: "0.063 ms", "12.4 ms", "1.25 s"
/// (in Russian "0,063 мс", with the decimal comma).
pub fn rtt(d: Duration, lang: Lang) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    let (value, unit) = if ms < 1.0 {
        (format!("{ms:.3}"), T::Milliseconds)
    } else if ms < 100.0 {
        (format!("{ms:.1}"), T::Milliseconds)
    } else if ms < 1000.0 {
        (format!("{ms:.0}"), T::Milliseconds)
    } else {
        (format!("{:.2}", ms / 1000.0), T::Seconds)
    };
    format!("{} {}", decimal_point(value, lang), unit.get(lang))
}

/// A formatted number with the language's decimal separator: "0.063" stays,
/// in Russian it becomes "0,063".
pub fn decimal_point(number: String, lang: Lang) -> String {
    match lang {
        Lang::En => number,
        Lang::Ru => number.replace('.', ","),
    }
}

/// A percentage as the language writes it: "12.5%" in English, "12,5 %"
/// (decimal comma, a no-break space before the sign) in Russian.
pub fn percent(p: f64, lang: Lang) -> String {
    let number = decimal_point(crate::net::stats::fmt_percent(p), lang);
    match lang {
        Lang::En => format!("{number}%"),
        Lang::Ru => format!("{number}\u{a0}%"),
    }
}

/// Wall-clock time to 0.1 ms, for the diagram's time axis: "18:13:43.1234".
/// Same clock as the lists and the trace, one digit finer, because a request
/// and its answer on loopback are often less than a millisecond apart.
/// A count with its thousands grouped as the language writes them:
/// "65,507" in English, "65 507" (a no-break space) in Russian.
pub fn grouped(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let sep = match lang {
        Lang::En => ',',
        Lang::Ru => '\u{a0}',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

pub fn clock_fine(at: SystemTime) -> String {
    let tenth = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_micros() / 100 % 10);
    format!("{}{tenth}", clock(at))
}

/// "0,5", "0.5", " 1 000,25 " and "−3" (the typographic minus).
pub fn parse_decimal(text: &str) -> Option<f64> {
    let text: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            ',' => '.',
            '−' => '-',
            c => c,
        })
        .collect();
    text.parse().ok()
}

/// Why a text cannot be sent in the chosen encoding, in the window's
/// language (the table's words; `Display` is the English one).
pub fn encode_error(lang: Lang, e: &EncodeError) -> String {
    use super::i18n::{fill, shorten};
    match e {
        EncodeError::Unmappable { ch, encoding } => fill(
            T::ErrUnmappable.get(lang),
            &[("ch", ch), ("encoding", &encoding.name())],
        ),
        EncodeError::BadHex(text) => fill(T::ErrBadHex.get(lang), &[("text", &shorten(text, 20))]),
    }
}

#[cfg(test)]
mod tests;

// Issue 15: payload encodings. Windows classrooms with Python 2.7 send
// CP1251; DOS-era code pages and KOI8-R still turn up. A payload is decoded
// in the chosen encoding; bytes that do not decode are shown escaped
// ("\xd0"), never guessed into mojibake.

/// How a panel turns its text into bytes and bytes into text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Encoding {
    #[default]
    Utf8,
    /// Windows-1251, Cyrillic Windows.
    Cp1251,
    /// IBM866, the Russian DOS code page (a Windows console's default).
    Cp866,
    Koi8R,
    /// ISO-8859-1: byte N is U+00NN.
    Latin1,
    /// The bytes as hex pairs, "48 65 6c 6c 6f".
    Hex,
}

/// Why a text cannot be sent in an encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The code page has no byte for this character.
    Unmappable { ch: char, encoding: Encoding },
    /// Hex: not a pair of hex digits.
    BadHex(String),
}

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EncodeError::Unmappable { ch, encoding } => write!(
                f,
                "\"{ch}\" cannot be written in {}: choose UTF-8 or remove it",
                encoding.name()
            ),
            EncodeError::BadHex(s) => write!(
                f,
                "\"{s}\" is not a byte in hex: write pairs of 0-9 and a-f, such as 48 65 6c"
            ),
        }
    }
}

impl std::error::Error for EncodeError {}

impl Encoding {
    pub const ALL: [Encoding; 6] = [
        Encoding::Utf8,
        Encoding::Cp1251,
        Encoding::Cp866,
        Encoding::Koi8R,
        Encoding::Latin1,
        Encoding::Hex,
    ];

    /// The name a picker shows (the same in both languages).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Cp1251 => "CP1251",
            Encoding::Cp866 => "CP866",
            Encoding::Koi8R => "KOI8-R",
            Encoding::Latin1 => "Latin-1",
            Encoding::Hex => "Hex",
        }
    }

    /// The name as Python spells it (`"…".encode("cp1251")`), also what the
    /// CLI accepts.
    pub fn python_name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Cp1251 => "cp1251",
            Encoding::Cp866 => "cp866",
            Encoding::Koi8R => "koi8-r",
            Encoding::Latin1 => "latin-1",
            Encoding::Hex => "hex",
        }
    }

    fn code_page(self) -> Option<&'static encoding_rs::Encoding> {
        match self {
            Encoding::Cp1251 => Some(encoding_rs::WINDOWS_1251),
            Encoding::Cp866 => Some(encoding_rs::IBM866),
            Encoding::Koi8R => Some(encoding_rs::KOI8_R),
            // encoding_rs's "latin1" is windows-1252 (as browsers do); the
            // real ISO-8859-1 is done by hand below.
            Encoding::Utf8 | Encoding::Latin1 | Encoding::Hex => None,
        }
    }

    /// The bytes to send for `text`.
    pub fn encode(self, text: &str) -> Result<Vec<u8>, EncodeError> {
        match self {
            Encoding::Utf8 => Ok(text.as_bytes().to_vec()),
            Encoding::Latin1 => text
                .chars()
                .map(|ch| u8::try_from(u32::from(ch)).map_err(|_| self.unmappable(ch)))
                .collect(),
            Encoding::Hex => parse_hex(text),
            Encoding::Cp1251 | Encoding::Cp866 | Encoding::Koi8R => {
                let Some(page) = self.code_page() else {
                    return Ok(text.as_bytes().to_vec());
                };
                // encoding_rs writes "&#NNNN;" for what the page lacks (the
                // HTML way); find the first such character instead.
                let (bytes, _, unmappable) = page.encode(text);
                if unmappable {
                    let missing = text
                        .chars()
                        .find(|ch| page.encode(ch.encode_utf8(&mut [0; 4])).2)
                        .unwrap_or('?');
                    return Err(self.unmappable(missing));
                }
                Ok(bytes.into_owned())
            }
        }
    }

    fn unmappable(self, ch: char) -> EncodeError {
        EncodeError::Unmappable { ch, encoding: self }
    }

    /// `bytes` as text, on one line: control characters and bidi marks
    /// escaped as everywhere else, and in UTF-8 every byte that is not part
    /// of a valid character as "\xNN" (so CP1251 read as UTF-8 shows its
    /// bytes, not replacement characters). Every byte of a single-byte code
    /// page is a character.
    pub fn decode(self, bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len());
        match self {
            Encoding::Hex => return hex(bytes, usize::MAX),
            Encoding::Latin1 => {
                for &b in bytes {
                    push_escaped(&mut out, char::from(b));
                }
            }
            Encoding::Utf8 => {
                for chunk in bytes.utf8_chunks() {
                    for c in chunk.valid().chars() {
                        push_escaped(&mut out, c);
                    }
                    for b in chunk.invalid() {
                        let _ = write!(out, "\\x{b:02x}");
                    }
                }
            }
            Encoding::Cp1251 | Encoding::Cp866 | Encoding::Koi8R => {
                let Some(page) = self.code_page() else {
                    return String::new();
                };
                let (text, _) = page.decode_without_bom_handling(bytes);
                for c in text.chars() {
                    push_escaped(&mut out, c);
                }
            }
        }
        out
    }
}

/// A payload's text in `encoding`, cut after `max_chars` (with "…"): as
/// [`payload_text`] in UTF-8 (the window's default look), decoded otherwise.
pub fn decoded_text(bytes: &[u8], encoding: Encoding, max_chars: usize) -> String {
    if encoding == Encoding::Utf8 {
        return payload_text(bytes, max_chars);
    }
    let text = encoding.decode(bytes);
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// "48 65 6c", "48656c", "0x48, 0x65": pairs of hex digits, any separators.
fn parse_hex(text: &str) -> Result<Vec<u8>, EncodeError> {
    let mut bytes = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || c == ',' || c == ':') {
        let digits = word
            .strip_prefix("0x")
            .or_else(|| word.strip_prefix("0X"))
            .unwrap_or(word);
        if digits.len() % 2 != 0 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(EncodeError::BadHex(word.to_owned()));
        }
        for pair in digits.as_bytes().chunks(2) {
            let s = std::str::from_utf8(pair).map_err(|_| EncodeError::BadHex(word.to_owned()))?;
            bytes
                .push(u8::from_str_radix(s, 16).map_err(|_| EncodeError::BadHex(word.to_owned()))?);
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod encoding_tests;
