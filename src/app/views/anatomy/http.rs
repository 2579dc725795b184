//! Issue 28: HTTP anatomy — one direction of a connection that carries
//! HTTP, laid out as its message: the request or status line, each header,
//! the empty line with its `\r\n` marked (or its absence flagged), the body
//! checked against `Content-Length`, each part's bytes in hex with CR LF
//! visible, and which `send`/`recv` carried which part. Decided by the
//! bytes (`lab::http::detect`), so a traced student's web server gets it
//! too. Only what happened by the time cursor is shown.

use egui::RichText;

use crate::app::UdpLabApp;
use crate::app::i18n::{Lang, T, fill};
use crate::app::views::connection::{Connection, Cut, Direction};
use crate::lab::http::{self, BodyCheck, Ending, Framing, HeadEnd, Kind, LineKind, Message, Part};

/// Head lines drawn at most; the rest are counted.
pub const MAX_LINES: usize = 64;
/// Body bytes drawn at most (as hex; its text in one block).
pub const MAX_BODY_SHOWN: usize = 256;
/// A short view (a projector's window) draws less of the body.
const SHORT_BODY_SHOWN: usize = 64;
/// Calls listed under "which call carried which part" at most.
const MAX_CALLS: usize = 32;
const BYTES_PER_ROW: usize = 16;
/// Below this height the view is short: fewer hex rows.
const SHORT_VIEW: f32 = 420.0;

/// What the last frame drew, for tests.
#[derive(Clone, Debug, Default)]
pub struct HttpDrawn {
    /// Each head line's text as drawn.
    pub lines: Vec<String>,
    /// The empty line's `\r\n` mark was drawn.
    pub empty_line: bool,
    /// The flag when the empty line is missing.
    pub missing_end: Option<String>,
    /// The body's check in words.
    pub body_check: Option<String>,
    /// "recv 1 (1024 B): …" for each call listed.
    pub calls: Vec<String>,
    pub hex_rows: usize,
    /// The message shown and how many the direction holds (1 of 1 but on
    /// a kept-alive connection).
    pub message: (usize, usize),
    /// Body bytes counted, not drawn.
    pub left_out: usize,
}

/// Whether the connection carries HTTP, by its bytes.
pub fn carries_http(up: &[u8], down: &[u8]) -> bool {
    http::detect(up) == Some(Kind::Request) || http::detect(down) == Some(Kind::Response)
}

/// The bytes of `d` that moved by a call so far (sent or read: a traced
/// side may be the only one recorded).
fn moved(d: &Direction) -> usize {
    let end = d
        .sends
        .iter()
        .chain(&d.recvs)
        .map(Cut::end)
        .max()
        .unwrap_or(0);
    usize::try_from(end)
        .unwrap_or(usize::MAX)
        .min(d.bytes.len())
}

/// The HTTP anatomy of `conn`'s chosen direction up to `cursor`.
pub fn http_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    conn: &Connection,
    cursor: Option<std::time::SystemTime>,
) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let at = |d: &Direction| match cursor {
        Some(at) => d.up_to(at),
        None => d.clone(),
    };
    let (up, down) = (at(&conn.up), at(&conn.down));
    // A kept-alive connection carries several requests and responses: the
    // n-th of each direction are shown together (None: the newest).
    let up_bytes = &up.bytes[..moved(&up)];
    let request_ranges = http::split(up_bytes, |_| Kind::Request);
    let requests: Vec<Message> = request_ranges
        .iter()
        .map(|r| http::parse(&up_bytes[r.clone()], Kind::Request))
        .collect();
    let is_up = !app.views.stream_down;
    let whole = if is_up { &up } else { &down };
    let ranges = if is_up {
        request_ranges
    } else {
        http::split(&down.bytes[..moved(&down)], |k| {
            http::response_kind(requests.get(k))
        })
    };
    let count = ranges.len();
    let index = app
        .views
        .http_message
        .map_or(count - 1, |i| i.min(count - 1));
    let kind = if is_up {
        Kind::Request
    } else {
        http::response_kind(requests.get(index))
    };
    let window = whole.window(ranges[index].clone(), index + 1 == count);
    let d = &window;
    let (from, to) = super::stream::ends(conn, is_up);
    let len = d.bytes.len();
    ui.horizontal_wrapped(|ui| {
        super::stream::direction_switch_ui(ui, app);
        let title = if is_up {
            T::HttpRequestOf
        } else {
            T::HttpResponseOf
        };
        ui.label(
            RichText::new(fill(
                t(title),
                &[("from", &from), ("to", &to), ("bytes", &len)],
            ))
            .monospace(),
        );
    });
    if count > 1 {
        message_pick_ui(ui, app, index, count, is_up);
    }
    let mut drawn = HttpDrawn {
        message: (index + 1, count),
        ..HttpDrawn::default()
    };
    let bytes = &d.bytes[..];
    if bytes.is_empty() {
        ui.label(RichText::new(t(T::HttpNothingYet)).weak().italics());
        app.views.http = drawn;
        return;
    }
    if http::detect(bytes).is_none() {
        ui.label(RichText::new(t(T::HttpNotHttp)).weak().italics());
        app.views.http = drawn;
        return;
    }
    let message = http::parse(bytes, kind);
    let closed = d.fin.is_some() || d.eof.is_some();
    checks_ui(ui, &message, closed, is_up, lang, &mut drawn);
    let short = ui.available_height() < SHORT_VIEW;
    egui::ScrollArea::vertical()
        .min_scrolled_height(crate::app::views::VIEW_MIN_SCROLL)
        .id_salt("http_anatomy")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            parts_ui(ui, &message, bytes, d, short, lang, &mut drawn);
            ui.add_space(10.0);
            calls_ui(ui, &message, d, lang, &mut drawn);
        });
    app.views.http = drawn;
}

/// "Request 2 of 3 on this connection" with ◀ ▶ (a kept-alive
/// connection): the same number in both directions.
fn message_pick_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, index: usize, count: usize, up: bool) {
    let lang = app.lang;
    let mut pick = None;
    ui.horizontal_wrapped(|ui| {
        pick = crate::app::views::connection::arrows_ui(ui, index, count);
        let key = if up {
            T::HttpRequestNOf
        } else {
            T::HttpResponseNOf
        };
        ui.label(fill(
            key.get(lang),
            &[("n", &(index + 1)), ("total", &count)],
        ));
    });
    if let Some(index) = pick {
        app.act(crate::app::Command::View(
            crate::app::views::ViewCommand::HttpMessage(index),
        ));
    }
}

/// The two verdicts over the parts: the empty line's absence, in a
/// banner, and the body's length check.
fn checks_ui(
    ui: &mut egui::Ui,
    m: &Message,
    closed: bool,
    is_up: bool,
    lang: Lang,
    drawn: &mut HttpDrawn,
) {
    if m.head_end == HeadEnd::Missing {
        let text = if is_up {
            T::HttpNoEmptyLineRequest
        } else {
            T::HttpNoEmptyLineResponse
        }
        .get(lang);
        let bad = crate::app::style::error_color(ui);
        egui::Frame::new()
            .fill(bad.gamma_multiply(0.12))
            .stroke(egui::Stroke::new(2.0, bad))
            .corner_radius(6.0)
            .inner_margin(8.0)
            .show(ui, |ui| {
                ui.add(
                    egui::Label::new(
                        RichText::new(text)
                            .strong()
                            .size(crate::app::style::legible(ui, 16.0))
                            .color(bad),
                    )
                    .wrap(),
                );
            });
        drawn.missing_end = Some(text.to_owned());
    }
    let Some(body) = &m.body else {
        return;
    };
    let have = body.range.len();
    let (text, good) = match (&body.framing, body.check) {
        (Framing::Length(n), BodyCheck::Complete) => {
            (fill(T::HttpBodyComplete.get(lang), &[("bytes", n)]), true)
        }
        (Framing::Length(n), BodyCheck::Short { missing }) => (
            fill(
                T::HttpBodyShort.get(lang),
                &[("have", &have), ("length", n), ("missing", &missing)],
            ),
            false,
        ),
        (Framing::Length(n), BodyCheck::Extra { extra }) => (
            fill(
                T::HttpBodyExtra.get(lang),
                &[("extra", &extra), ("length", n)],
            ),
            false,
        ),
        (Framing::Chunked, _) => (T::HttpBodyChunked.get(lang).to_owned(), true),
        (Framing::UntilClose, _) if closed => (
            fill(T::HttpBodyUntilClosed.get(lang), &[("bytes", &have)]),
            true,
        ),
        (Framing::UntilClose, _) => (T::HttpBodyUntilCloseOpen.get(lang).to_owned(), false),
        (Framing::None, BodyCheck::Extra { extra }) => (
            fill(T::HttpBodyNoneExtra.get(lang), &[("extra", &extra)]),
            false,
        ),
        (Framing::None, _) => (T::HttpBodyNone.get(lang).to_owned(), true),
        (Framing::BadLength(v), _) => {
            (fill(T::HttpBodyBadLength.get(lang), &[("value", v)]), false)
        }
        (Framing::Length(_), BodyCheck::Unchecked) => return,
    };
    let color = if good {
        crate::app::style::ok_color(ui)
    } else {
        crate::app::style::warn_color(ui)
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(T::HttpBody.get(lang)).weak());
        ui.add(
            egui::Label::new(
                RichText::new(&text)
                    .strong()
                    .size(crate::app::style::legible(ui, 15.0))
                    .color(color),
            )
            .wrap(),
        );
    });
    drawn.body_check = Some(text);
}

/// A line's text as drawn: control bytes as `·` (CR LF are drawn apart).
fn shown_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .collect()
}

/// Every part in order: its name, its text, its line end, the calls
/// that carried it, and its bytes in hex.
fn parts_ui(
    ui: &mut egui::Ui,
    m: &Message,
    bytes: &[u8],
    d: &Direction,
    short: bool,
    lang: Lang,
    drawn: &mut HttpDrawn,
) {
    let t = |k: T| k.get(lang);
    let accent = crate::app::style::accent_color(ui);
    let warn = crate::app::style::warn_color(ui);
    let line_rows = if short { 1 } else { 3 };
    for (i, line) in m.lines.iter().enumerate().take(MAX_LINES) {
        let (tag, name) = match &line.kind {
            LineKind::Request { .. } => (t(T::HttpRequestLine), None),
            LineKind::Status { .. } => (t(T::HttpStatusLine), None),
            LineKind::Header { name, .. } => (t(T::HttpHeader), Some(name.as_str())),
            LineKind::Malformed => (t(T::HttpMalformed), None),
        };
        let text = shown_text(&bytes[line.range.clone()]);
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(tag).weak());
            // A header's name in the accent colour, its value plain: one
            // label, so the line reads (and is found) as it is on the wire.
            let split = name
                .map_or(0, |n| shown_text(n.as_bytes()).len())
                .min(text.len());
            let split = if text.is_char_boundary(split) {
                split
            } else {
                0
            };
            let mut job = egui::text::LayoutJob::default();
            let style = ui.style().clone();
            for (part, color) in [(&text[..split], Some(accent)), (&text[split..], None)] {
                let mut rich = RichText::new(part).monospace().strong();
                if let Some(color) = color {
                    rich = rich.color(color);
                }
                rich.append_to(
                    &mut job,
                    &style,
                    egui::FontSelection::Default,
                    egui::Align::Center,
                );
            }
            ui.label(job);
            match line.ending {
                Ending::CrLf => {
                    ui.label(RichText::new("\\r\\n").monospace().color(accent));
                }
                Ending::Lf => {
                    ui.label(RichText::new("\\n").monospace().strong().color(warn));
                    ui.label(RichText::new(t(T::HttpBareLf)).color(warn));
                }
                Ending::Missing => {
                    ui.label(RichText::new(t(T::HttpLineNotEnded)).italics().color(warn));
                }
            }
            carried_ui(ui, m, Part::Line(i), d, lang);
        });
        drawn.lines.push(text);
        hex_ui(ui, &bytes[line.wire()], line_rows, drawn);
    }
    if m.lines.len() > MAX_LINES {
        ui.label(
            RichText::new(fill(
                t(T::HttpLinesLeftOut),
                &[("count", &(m.lines.len() - MAX_LINES))],
            ))
            .weak(),
        );
    }
    if let HeadEnd::Found { range, .. } = &m.head_end {
        ui.horizontal_wrapped(|ui| {
            let size = crate::app::style::legible(ui, 18.0);
            let mark = if range.len() == 2 { "\\r\\n" } else { "\\n" };
            ui.label(
                RichText::new(mark)
                    .monospace()
                    .strong()
                    .size(size)
                    .color(accent),
            );
            ui.label(RichText::new(t(T::HttpEmptyLine)).strong().color(accent));
            carried_ui(ui, m, Part::EmptyLine, d, lang);
        });
        drawn.empty_line = true;
        hex_ui(ui, &bytes[range.clone()], 1, drawn);
    }
    let Some(body) = &m.body else {
        return;
    };
    let cap = if short {
        SHORT_BODY_SHOWN
    } else {
        MAX_BODY_SHOWN
    };
    for (part, range, key) in [
        (Part::Body, body.range.clone(), T::HttpBody),
        (Part::Extra, body.range.end..m.len, T::HttpExtra),
    ] {
        if range.is_empty() {
            continue;
        }
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(t(key)).strong());
            ui.label(RichText::new(format!("{} B", range.len())).monospace());
            carried_ui(ui, m, part, d, lang);
        });
        let shown = range.start..range.end.min(range.start + cap);
        let part_bytes = &bytes[shown.clone()];
        // Text when it reads as text; an image is its hex alone.
        if std::str::from_utf8(part_bytes).is_ok_and(|s| !s.contains('\0')) {
            let text = shown_text(part_bytes);
            ui.add(egui::Label::new(RichText::new(text).monospace()).wrap());
        }
        hex_ui(ui, part_bytes, cap / BYTES_PER_ROW, drawn);
        let left = range.len() - shown.len();
        drawn.left_out += left;
        if left > 0 {
            ui.label(
                RichText::new(fill(t(T::HttpBodyLeftOut), &[("count", &left)]))
                    .weak()
                    .italics(),
            );
        }
    }
}

/// "carried by send 1 · recv 1, 2" after a part.
fn carried_ui(ui: &mut egui::Ui, m: &Message, part: Part, d: &Direction, lang: Lang) {
    let span = m.spans().into_iter().find(|(p, _)| *p == part);
    let Some((_, range)) = span else {
        return;
    };
    let touching = |cuts: &[Cut]| -> Vec<usize> {
        cuts.iter()
            .take(MAX_CALLS * 8)
            .enumerate()
            .filter(|(_, c)| (c.offset as usize) < range.end && range.start < c.end() as usize)
            .map(|(n, _)| n + 1)
            .collect()
    };
    let (sends, recvs) = (touching(&d.sends), touching(&d.recvs));
    if sends.is_empty() && recvs.is_empty() {
        return;
    }
    ui.label(RichText::new(T::HttpCarriedBy.get(lang)).weak().small());
    let list = |word: &str, n: &[usize]| {
        let numbers: Vec<String> = n.iter().map(usize::to_string).collect();
        format!("{word} {}", numbers.join(", "))
    };
    if !sends.is_empty() {
        let color = crate::app::style::warn_color(ui);
        ui.label(RichText::new(list("send", &sends)).monospace().color(color));
    }
    if !recvs.is_empty() {
        let color = crate::app::style::accent_color(ui);
        ui.label(RichText::new(list("recv", &recvs)).monospace().color(color));
    }
}

/// Bytes as rows of hex, at most `rows` rows (the rest as "…").
fn hex_ui(ui: &mut egui::Ui, bytes: &[u8], rows: usize, drawn: &mut HttpDrawn) {
    let weak = ui.visuals().weak_text_color();
    let rows = rows.max(1);
    let total = bytes.len().div_ceil(BYTES_PER_ROW);
    for (n, chunk) in bytes.chunks(BYTES_PER_ROW).take(rows).enumerate() {
        let mut text: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        if n + 1 == rows && total > rows {
            text.push("…".into());
        }
        ui.label(RichText::new(text.join(" ")).monospace().color(weak));
        drawn.hex_rows += 1;
    }
}

mod calls;
use calls::calls_ui;

#[cfg(test)]
pub(crate) mod tests;
