//! A tiny Python tokenizer for colouring: keywords, strings (with their
//! prefixes, triple quotes across lines), comments and numbers. Anything
//! else is plain text. It never fails: an unterminated string ends at its
//! line (or, triple-quoted, at the end of the file).

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Keyword,
    Str,
    Comment,
    Number,
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

const STRING_PREFIXES: &[&str] = &[
    "r", "u", "b", "f", "br", "rb", "fr", "rf", "ur", "R", "U", "B", "F", "BR", "RB", "Br", "bR",
    "Rb", "rB", "FR", "RF", "Fr", "fR", "Rf", "rF",
];

/// The coloured spans of `src` (byte ranges, in order, never overlapping,
/// always on character boundaries).
pub fn tokens(src: &str) -> Vec<(Range<usize>, Kind)> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'#' {
            let end = line_end(b, i);
            out.push((i..end, Kind::Comment));
            i = end;
        } else if c == b'"' || c == b'\'' {
            let end = string_end(b, i);
            out.push((i..end, Kind::Str));
            i = end;
        } else if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let mut end = i + 1;
            while end < b.len() {
                let d = b[end];
                let exponent_sign =
                    (d == b'+' || d == b'-') && matches!(b[end - 1], b'e' | b'E') && !is_hex(b, i);
                if d.is_ascii_alphanumeric() || d == b'_' || d == b'.' || exponent_sign {
                    end += 1;
                } else {
                    break;
                }
            }
            out.push((i..end, Kind::Number));
            i = end;
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let mut end = i + 1;
            while end < b.len()
                && (b[end].is_ascii_alphanumeric() || b[end] == b'_' || b[end] >= 0x80)
            {
                end += 1;
            }
            let word = &src[i..end];
            if matches!(b.get(end), Some(b'"' | b'\'')) && STRING_PREFIXES.contains(&word) {
                let s_end = string_end(b, end);
                out.push((i..s_end, Kind::Str));
                i = s_end;
                continue;
            }
            if KEYWORDS.contains(&word) {
                out.push((i..end, Kind::Keyword));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

fn is_hex(b: &[u8], start: usize) -> bool {
    b.get(start) == Some(&b'0') && matches!(b.get(start + 1), Some(b'x' | b'X'))
}

fn line_end(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| from + p)
}

/// The end of the string whose opening quote is at `q`.
fn string_end(b: &[u8], q: usize) -> usize {
    let quote = b[q];
    let triple = b.len() >= q + 3 && b[q + 1] == quote && b[q + 2] == quote;
    let mut i = if triple { q + 3 } else { q + 1 };
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            // The escaped character is ASCII or the first byte of one
            // that only continuation bytes follow: never a quote.
            i += 2;
            continue;
        }
        if triple {
            if c == quote && b.len() >= i + 3 && b[i + 1] == quote && b[i + 2] == quote {
                return i + 3;
            }
        } else if c == quote {
            return i + 1;
        } else if c == b'\n' {
            return i;
        }
        i += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(&str, Kind)> {
        tokens(src).into_iter().map(|(r, k)| (&src[r], k)).collect()
    }

    #[test]
    fn a_lab_line_is_coloured() {
        assert_eq!(
            kinds("    message, addr = s.recvfrom(1024)  # 7. приём"),
            vec![("1024", Kind::Number), ("# 7. приём", Kind::Comment)]
        );
        assert_eq!(
            kinds("if __name__ == \"__main__\":"),
            vec![("if", Kind::Keyword), ("\"__main__\"", Kind::Str)]
        );
        assert_eq!(
            kinds("print(\"a # not a comment\", x)"),
            vec![("\"a # not a comment\"", Kind::Str)]
        );
    }

    #[test]
    fn strings_of_every_form() {
        assert_eq!(kinds(r#"b'\'x' u"é" r"\d""#).len(), 3);
        assert_eq!(
            kinds("x = '''a\n'b'\nc''' + 1"),
            vec![("'''a\n'b'\nc'''", Kind::Str), ("1", Kind::Number)]
        );
        // Unterminated: to the end of its line, the next line is code.
        assert_eq!(
            kinds("s = \"open\nwhile"),
            vec![("\"open", Kind::Str), ("while", Kind::Keyword)]
        );
        assert_eq!(
            kinds("'''never closed"),
            vec![("'''never closed", Kind::Str)]
        );
        assert_eq!(kinds("'ends with \\"), vec![("'ends with \\", Kind::Str)]);
    }

    #[test]
    fn numbers_and_names() {
        assert_eq!(
            kinds("0x1F 1e-5 2.5 .5 x1 while_ True"),
            vec![
                ("0x1F", Kind::Number),
                ("1e-5", Kind::Number),
                ("2.5", Kind::Number),
                (".5", Kind::Number),
                ("True", Kind::Keyword),
            ]
        );
    }

    #[test]
    fn any_text_tokenizes_on_char_boundaries() {
        for src in ["é'\\é", "#", "'", "\\", "ж\"ж\"\"\"ж", "0é", "r'", "'''\\"] {
            for (r, _) in tokens(src) {
                assert!(
                    src.is_char_boundary(r.start) && src.is_char_boundary(r.end),
                    "{src:?}"
                );
            }
        }
    }
}
