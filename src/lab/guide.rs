//! The guide (docs/guide.ru.md, docs/guide.en.md) built into the program,
//! so Help (F1) opens it in the window's language on a lab PC with no
//! network and no Markdown viewer (issue 29). Only the Markdown the guides
//! use is read: headings, paragraphs, lists, fenced code, tables, images
//! (their description: the pictures stay in the docs), **bold**, `code`
//! and links.

use crate::lab::i18n::Lang;

/// The guide's text in a language.
pub fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => include_str!("../../docs/guide.ru.md"),
        Lang::En => include_str!("../../docs/guide.en.md"),
    }
}

/// A piece of a line of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Span {
    Text(String),
    Bold(String),
    Code(String),
    /// A link: its words and where it goes ("#anchor", "cli.md", a URL).
    Link(String, String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Heading {
        level: u8,
        text: String,
        anchor: String,
    },
    Paragraph(Vec<Span>),
    /// A list item: its marker ("•" or "1."), its depth (0 at the margin).
    Item {
        marker: String,
        depth: usize,
        spans: Vec<Span>,
    },
    Code(String),
    /// Rows of cells; the first row is the heading.
    Table(Vec<Vec<Vec<Span>>>),
    /// A picture of the docs: its description.
    Image(String),
}

/// The anchor a heading gets on the forge (GitHub's rule): lower case,
/// spaces to '-', anything but letters, digits, '-' and '_' left out.
pub fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The blocks of a Markdown text.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut lines = text.lines().peekable();
    let flush = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(spans(&paragraph.join(" "))));
            paragraph.clear();
        }
    };
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let depth = (line.len() - trimmed.len()) / 2;
        if trimmed.starts_with("```") {
            flush(&mut paragraph, &mut blocks);
            let mut code = Vec::new();
            for l in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                code.push(l);
            }
            blocks.push(Block::Code(code.join("\n")));
        } else if trimmed.is_empty() {
            flush(&mut paragraph, &mut blocks);
        } else if let Some((level, text)) = heading(trimmed) {
            flush(&mut paragraph, &mut blocks);
            blocks.push(Block::Heading {
                level,
                text: text.to_owned(),
                anchor: slug(text),
            });
        } else if let Some(alt) = image(trimmed) {
            flush(&mut paragraph, &mut blocks);
            blocks.push(Block::Image(alt.to_owned()));
        } else if trimmed.starts_with('|') {
            flush(&mut paragraph, &mut blocks);
            let mut rows = vec![cells(trimmed)];
            while let Some(next) = lines.peek().map(|l| l.trim_start()) {
                if !next.starts_with('|') {
                    break;
                }
                lines.next();
                // The |---|---| line under the heading row.
                if !next.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
                    rows.push(cells(next));
                }
            }
            blocks.push(Block::Table(rows));
        } else if let Some((marker, rest)) = item(trimmed) {
            flush(&mut paragraph, &mut blocks);
            // The item's continuation lines are indented under it.
            let mut text = rest.to_owned();
            while let Some(next) = lines.peek() {
                let t = next.trim_start();
                let indented = next.len() - t.len() > 2 * depth;
                if t.is_empty() || !indented || item(t).is_some() || t.starts_with("```") {
                    break;
                }
                text.push(' ');
                text.push_str(t);
                lines.next();
            }
            blocks.push(Block::Item {
                marker,
                depth,
                spans: spans(&text),
            });
        } else {
            paragraph.push(trimmed);
        }
    }
    flush(&mut paragraph, &mut blocks);
    blocks
}

fn heading(line: &str) -> Option<(u8, &str)> {
    let level = line.chars().take_while(|c| *c == '#').count();
    let rest = line.get(level..)?;
    ((1..=6).contains(&level) && rest.starts_with(' ')).then(|| (level as u8, rest.trim()))
}

fn image(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("![")?;
    let (alt, after) = rest.split_once("](")?;
    after.trim_end().ends_with(')').then_some(alt)
}

fn item(line: &str) -> Option<(String, &str)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some(("•".to_owned(), rest));
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let rest = line.get(digits..)?.strip_prefix(". ")?;
    (digits > 0).then(|| (format!("{}.", &line[..digits]), rest))
}

fn cells(row: &str) -> Vec<Vec<Span>> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| spans(c.trim())).collect()
}

/// `**bold**`, `` `code` `` and `[words](target)` in a line.
pub fn spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    let push_plain = |plain: &mut String, out: &mut Vec<Span>| {
        if !plain.is_empty() {
            out.push(Span::Text(std::mem::take(plain)));
        }
    };
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("**")
            && let Some((bold, tail)) = after.split_once("**")
        {
            push_plain(&mut plain, &mut out);
            out.push(Span::Bold(bold.to_owned()));
            rest = tail;
        } else if let Some(after) = rest.strip_prefix('`')
            && let Some((code, tail)) = after.split_once('`')
        {
            push_plain(&mut plain, &mut out);
            out.push(Span::Code(code.to_owned()));
            rest = tail;
        } else if let Some(after) = rest.strip_prefix('[')
            && let Some((words, tail)) = after.split_once("](")
            && let Some((target, tail)) = tail.split_once(')')
        {
            push_plain(&mut plain, &mut out);
            out.push(Span::Link(words.to_owned(), target.to_owned()));
            rest = tail;
        } else {
            // A single '*' (emphasis) is shown as the words alone.
            if c != '*' {
                plain.push(c);
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    push_plain(&mut plain, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_markdown_the_guides_use_is_read() {
        let text = "# Title\n\nSome **bold** and `code`,\na [link](#title).\n\n\
                    - one\n  more\n- two\n\n1. first\n\n```sh\ncargo test\n```\n\n\
                    | a | b |\n| --- | --- |\n| `x` | y |\n\n![A picture](p.png)\n";
        let blocks = parse(text);
        assert_eq!(
            blocks,
            vec![
                Block::Heading {
                    level: 1,
                    text: "Title".into(),
                    anchor: "title".into()
                },
                Block::Paragraph(vec![
                    Span::Text("Some ".into()),
                    Span::Bold("bold".into()),
                    Span::Text(" and ".into()),
                    Span::Code("code".into()),
                    Span::Text(", a ".into()),
                    Span::Link("link".into(), "#title".into()),
                    Span::Text(".".into()),
                ]),
                Block::Item {
                    marker: "•".into(),
                    depth: 0,
                    spans: vec![Span::Text("one more".into())]
                },
                Block::Item {
                    marker: "•".into(),
                    depth: 0,
                    spans: vec![Span::Text("two".into())]
                },
                Block::Item {
                    marker: "1.".into(),
                    depth: 0,
                    spans: vec![Span::Text("first".into())]
                },
                Block::Code("cargo test".into()),
                Block::Table(vec![
                    vec![vec![Span::Text("a".into())], vec![Span::Text("b".into())]],
                    vec![vec![Span::Code("x".into())], vec![Span::Text("y".into())]],
                ]),
                Block::Image("A picture".into()),
            ]
        );
    }

    /// Every link of a guide's table of contents lands on one of its
    /// headings, in both languages (the reader scrolls there).
    #[test]
    fn each_guides_contents_link_to_its_headings() {
        for lang in [Lang::En, Lang::Ru] {
            let blocks = parse(source(lang));
            let anchors: Vec<&str> = blocks
                .iter()
                .filter_map(|b| match b {
                    Block::Heading { anchor, .. } => Some(anchor.as_str()),
                    _ => None,
                })
                .collect();
            let mut links = 0;
            for block in &blocks {
                let spans = match block {
                    Block::Paragraph(s) | Block::Item { spans: s, .. } => s,
                    _ => continue,
                };
                for span in spans {
                    if let Span::Link(_, target) = span
                        && let Some(anchor) = target.strip_prefix('#')
                    {
                        links += 1;
                        assert!(anchors.contains(&anchor), "{lang:?}: #{anchor}");
                    }
                }
            }
            assert!(links >= 5, "{lang:?}: the contents has {links} links");
            assert!(blocks.iter().any(|b| matches!(b, Block::Table(_))));
            assert!(blocks.iter().any(|b| matches!(b, Block::Image(_))));
        }
    }
}
