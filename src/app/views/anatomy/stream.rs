//! Issue 27: stream anatomy — one direction of a TCP connection as a
//! ribbon of bytes (text over hex, as in the datagram anatomy), where each
//! `send` ended marked above and what each `recv` returned marked below,
//! and one sentence that says what TCP kept and what it lost.

use egui::{Align2, Color32, FontId, Rect, RichText, Stroke, StrokeKind, pos2, vec2};

use crate::app::UdpLabApp;
use crate::app::i18n::{T, fill};
use crate::app::views::connection::{Connection, Cut, Direction, stream_sentence};

/// Bytes drawn at most; the rest is counted.
pub const MAX_RIBBON: usize = 1024;
const BAND: f32 = 20.0;
const CELL_FONT: f32 = 14.0;
const HEX_FONT: f32 = 11.0;

/// What the last frame drew, for tests: the cells, the send marks above,
/// the recv marks below, and where.
#[derive(Clone, Debug, Default)]
pub struct StreamDrawn {
    pub cells: usize,
    pub send_marks: usize,
    pub recv_marks: usize,
    pub rect: Option<Rect>,
    pub sentence: Option<String>,
}

/// The ribbon of `conn`'s direction (`up`: client → server) up to `cursor`.
pub fn stream_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    conn: &Connection,
    cursor: Option<std::time::SystemTime>,
) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let up = !app.views.stream_down;
    let whole = conn.direction(up);
    let d = match cursor {
        Some(at) => whole.up_to(at),
        None => whole.clone(),
    };
    let (from, to) = ends(conn, up);
    let mut drawn = StreamDrawn::default();
    ui.horizontal_wrapped(|ui| {
        direction_switch_ui(ui, app);
        let sent = d.sends.iter().map(Cut::end).max().unwrap_or(0);
        ui.label(
            RichText::new(fill(
                t(T::StreamTitle),
                &[("from", &from), ("to", &to), ("bytes", &sent)],
            ))
            .monospace(),
        );
    });
    if let Some(sentence) = stream_sentence(lang, &d) {
        ui.add(
            egui::Label::new(
                RichText::new(&sentence)
                    .strong()
                    .size(crate::app::style::legible(ui, 15.0))
                    .color(crate::app::style::accent_color(ui)),
            )
            .wrap(),
        );
        drawn.sentence = Some(sentence);
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(t(T::StreamSendsAbove)).weak());
        ui.label(RichText::new("·").weak());
        ui.label(RichText::new(t(T::StreamRecvsBelow)).weak());
        let unread = d.unread();
        if unread > 0 {
            ui.label(
                RichText::new(fill(t(T::StreamNotRead), &[("bytes", &unread)]))
                    .color(crate::app::style::warn_color(ui)),
            );
        }
        if d.eof.is_some() {
            ui.label(RichText::new(t(T::StreamEof)).monospace());
        }
    });
    let sent = d.sends.iter().map(Cut::end).max().unwrap_or(0);
    let shown = usize::try_from(sent)
        .unwrap_or(usize::MAX)
        .min(d.bytes.len())
        .min(MAX_RIBBON);
    if (shown as u64) < sent {
        ui.label(
            RichText::new(fill(
                t(T::StreamBytesBeyond),
                &[("count", &(sent - shown as u64))],
            ))
            .weak(),
        );
    }
    egui::ScrollArea::vertical()
        .min_scrolled_height(crate::app::views::VIEW_MIN_SCROLL)
        .id_salt("stream_anatomy")
        .auto_shrink([false, false])
        .show(ui, |ui| ribbon_ui(ui, &d, shown, &mut drawn));
    app.views.stream = drawn;
}

/// The bytes `0..shown` in lines of cells, the sends' extents above each
/// line and the recvs' below.
fn ribbon_ui(ui: &mut egui::Ui, d: &Direction, shown: usize, drawn: &mut StreamDrawn) {
    let cell_font = FontId::monospace(CELL_FONT);
    let hex_font = FontId::monospace(HEX_FONT);
    let label_font = FontId::proportional(crate::app::style::legible(ui, 11.0));
    let cw = ui
        .ctx()
        .fonts_mut(|f| f.glyph_width(&hex_font, '0'))
        .max(6.0);
    let cell_w = (cw * 2.0 + 8.0).max(CELL_FONT + 6.0);
    let cell_h = CELL_FONT * 1.3 + HEX_FONT * 1.3 + 4.0;
    let width = ui.available_width() - 8.0;
    let per_line = ((width / cell_w).floor() as usize).max(4);
    let lines = shown.div_ceil(per_line).max(1);
    let line_h = BAND + cell_h + BAND + 8.0;
    let (rect, _) =
        ui.allocate_exact_size(vec2(width, line_h * lines as f32), egui::Sense::hover());
    drawn.rect = Some(rect);
    let painter = ui.painter_at(rect);
    let text = ui.visuals().text_color();
    let weak = ui.visuals().weak_text_color();
    let send_color = crate::app::style::warn_color(ui);
    let recv_color = crate::app::style::accent_color(ui);
    let shade = ui.visuals().faint_bg_color;
    let cells = super::text_cells(&d.bytes[..shown], |_| true);
    let cell_rect = |i: usize| {
        let (line, col) = (i / per_line, i % per_line);
        let top = rect.top() + line as f32 * line_h + BAND;
        Rect::from_min_size(
            pos2(rect.left() + col as f32 * cell_w, top),
            vec2(cell_w, cell_h),
        )
    };
    // Which send each byte came with: alternate shading shows them in the
    // cells too.
    let send_of = |i: usize| {
        d.sends
            .iter()
            .position(|s| s.offset <= i as u64 && (i as u64) < s.end())
    };
    for (i, &byte) in d.bytes[..shown].iter().enumerate() {
        let r = cell_rect(i);
        let fill = if send_of(i).is_some_and(|s| s % 2 == 1) {
            shade
        } else {
            Color32::TRANSPARENT
        };
        painter.rect(
            r.shrink(0.5),
            2.0,
            fill,
            Stroke::new(1.0, weak.gamma_multiply(0.5)),
            StrokeKind::Inside,
        );
        let cell = cells.get(i);
        let glyph = match cell {
            Some(c) if c.lead == i => c.shown.map_or_else(|| "·".to_owned(), |ch| ch.to_string()),
            Some(_) => String::new(),
            None => "·".to_owned(),
        };
        painter.text(
            pos2(r.center().x, r.top() + 2.0),
            Align2::CENTER_TOP,
            glyph,
            cell_font.clone(),
            text,
        );
        painter.text(
            pos2(r.center().x, r.bottom() - 2.0),
            Align2::CENTER_BOTTOM,
            format!("{byte:02x}"),
            hex_font.clone(),
            weak,
        );
        drawn.cells += 1;
    }
    // A cut drawn as a bracket over (or under) its bytes, line by line.
    let marks = |cuts: &[Cut], above: bool, color: Color32, word: &str| {
        let mut count = 0;
        for (n, cut) in cuts.iter().enumerate() {
            let start = usize::try_from(cut.offset).unwrap_or(usize::MAX);
            let end = usize::try_from(cut.end()).unwrap_or(usize::MAX).min(shown);
            if start >= end {
                continue;
            }
            let mut i = start;
            while i < end {
                let line_end = ((i / per_line) + 1) * per_line;
                let j = end.min(line_end);
                let (a, b) = (cell_rect(i), cell_rect(j - 1));
                let (y, tick) = if above {
                    (a.top() - 5.0, 4.0)
                } else {
                    (a.bottom() + 5.0, -4.0)
                };
                let (x0, x1) = (a.left() + 2.0, b.right() - 2.0);
                let stroke = Stroke::new(2.0, color);
                painter.line_segment([pos2(x0, y), pos2(x1, y)], stroke);
                painter.line_segment([pos2(x0, y), pos2(x0, y + tick)], stroke);
                painter.line_segment([pos2(x1, y), pos2(x1, y + tick)], stroke);
                if i == start {
                    let label = format!("{word} {} · {}", n + 1, cut.len);
                    let galley = painter.layout_no_wrap(label, label_font.clone(), color);
                    // Only where it fits over its bytes; else the number.
                    let label = if galley.size().x <= x1 - x0 {
                        galley
                    } else {
                        painter.layout_no_wrap((n + 1).to_string(), label_font.clone(), color)
                    };
                    let ly = if above {
                        y - 2.0 - label.size().y
                    } else {
                        y + 2.0
                    };
                    painter.galley(pos2(x0, ly), label, color);
                }
                i = j;
            }
            count += 1;
        }
        count
    };
    drawn.send_marks = marks(&d.sends, true, send_color, "send");
    drawn.recv_marks = marks(&d.recvs, false, recv_color, "recv");
}

/// The anatomy view with TCP chosen: the picked connection's stream.
pub fn tcp_anatomy_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let Some((index, total, conn)) = crate::app::views::connection::picked(app) else {
        ui.add_space(8.0);
        ui.label(
            RichText::new(crate::app::views::no_connection_text(app).get(app.lang))
                .weak()
                .italics(),
        );
        app.views.stream = StreamDrawn::default();
        return;
    };
    if let Some(pick) = crate::app::views::connection::pick_ui(ui, app.lang, index, total) {
        app.act(crate::app::Command::View(
            crate::app::views::ViewCommand::PickConnection(pick),
        ));
    }
    let cursor = app.time.time();
    // Issue 28: HTTP laid out as its message, with a switch back to the
    // plain ribbon.
    if super::http::carries_http(&conn.up.bytes, &conn.down.bytes) {
        let lang = app.lang;
        ui.horizontal(|ui| {
            for (plain, key) in [(false, T::HttpAsMessage), (true, T::HttpAsStream)] {
                if ui
                    .selectable_label(app.views.http_plain == plain, key.get(lang))
                    .clicked()
                {
                    app.act(crate::app::Command::View(
                        crate::app::views::ViewCommand::HttpPlain(plain),
                    ));
                }
            }
        });
        if !app.views.http_plain {
            return super::http::http_ui(ui, app, &conn, cursor);
        }
    }
    stream_ui(ui, app, &conn, cursor);
}

/// The client → server | server → client switch of the stream and HTTP
/// anatomies.
pub(super) fn direction_switch_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    for (down, key) in [
        (false, T::StreamClientToServer),
        (true, T::StreamServerToClient),
    ] {
        if ui
            .selectable_label(app.views.stream_down == down, key.get(app.lang))
            .clicked()
        {
            app.act(crate::app::Command::View(
                crate::app::views::ViewCommand::StreamDown(down),
            ));
        }
    }
}

/// A direction's two ends as text: (from, to); "?" for one not known.
pub(super) fn ends(conn: &Connection, up: bool) -> (String, String) {
    let (from, to) = if up {
        (conn.client, conn.server)
    } else {
        (conn.server, conn.client)
    };
    let addr = |a: Option<std::net::SocketAddr>| a.map_or_else(|| "?".into(), |a| a.to_string());
    (addr(from), addr(to))
}
