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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_with_a_comma_or_a_dot() {
        assert_eq!(parse_decimal("0,5"), Some(0.5));
        assert_eq!(parse_decimal("0.5"), Some(0.5));
        assert_eq!(parse_decimal(" 1 000,25 "), Some(1000.25));
        assert_eq!(parse_decimal("−3"), Some(-3.0));
        assert_eq!(parse_decimal("1,2,3"), None);
        assert_eq!(parse_decimal("abc"), None);
    }

    #[test]
    fn fine_clock_adds_the_tenth_of_a_millisecond() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_micros(1_234_567);
        let fine = clock_fine(at);
        assert!(fine.ends_with(":01.2345"), "{fine}");
        assert_eq!(fine.len(), "00:00:01.2345".len());
    }

    #[test]
    fn payloads_are_shown_safely() {
        assert_eq!(payload_text(b"Hello, server", 100), "Hello, server");
        assert_eq!(payload_text(b"a\0b\n", 100), "a\\0b\\n");
        assert_eq!(payload_text(b"\x1b[31mred", 100), "\\x1b[31mred");
        assert_eq!(payload_text(&[0xff, 0x41], 100), "\u{fffd}A");
        assert_eq!(
            payload_text("abc\u{202e}def".as_bytes(), 100),
            "abc\\u{202e}def"
        );
        assert_eq!(payload_text("שלום 👋".as_bytes(), 100), "שלום 👋");
        assert_eq!(payload_text(b"abcdef", 3), "abc…");
        assert_eq!(payload_text(b"", 3), "");
        assert_eq!(hex(b"Hi!", 10), "48 69 21");
        assert_eq!(hex(b"Hi!", 2), "48 69 …");
        assert!(is_plain_text(b"Hello"));
        assert_eq!(payload_line(b"Hi", 9, 9, Lang::En), "Hi");
        assert_eq!(payload_line(b"", 9, 9, Lang::En), "(empty datagram)");
        assert_eq!(
            payload_line(b"\xff\xfe(", 9, 9, Lang::En),
            "\u{fffd}\u{fffd}(   [ff fe 28]"
        );
        assert!(!is_plain_text(&[0xff]));
        assert!(!is_plain_text(b"\x1b[0m"));
    }

    #[test]
    fn rtt_reads_well() {
        assert_eq!(rtt(Duration::from_micros(63), Lang::En), "0.063 ms");
        assert_eq!(rtt(Duration::from_micros(12_400), Lang::En), "12.4 ms");
        assert_eq!(rtt(Duration::from_millis(1250), Lang::En), "1.25 s");
        assert_eq!(rtt(Duration::from_micros(63), Lang::Ru), "0,063 мс");
        assert_eq!(rtt(Duration::from_millis(1250), Lang::Ru), "1,25 с");
    }
}
