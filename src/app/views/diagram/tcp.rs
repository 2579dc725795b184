//! Issue 27: the sequence diagram of one TCP connection. The client's
//! socket and the socket `accept` returned are lifelines, under the
//! listening socket; the handshake is one band between `connect` and
//! `accept`, labelled as the kernel's; each `send` is an arrow with its
//! bytes, each `recv` a bracket on the receiver over the sends whose bytes
//! it returned; close is the end of the stream and the b'' it gives. What
//! a call shows is drawn solid; what the kernel does, dashed and italic.
//! Time runs down in call order (one row per call), not to scale.

use std::time::SystemTime;

use egui::{Color32, FontId, Pos2, Rect, RichText, Stroke, pos2, vec2};

use crate::app::UdpLabApp;
use crate::app::i18n::{T, fill};
use crate::app::views::connection::{Connection, Cut, Direction, Fin};

const HEAD_HEIGHT: f32 = 40.0;
const MIN_ROW: f32 = 24.0;
const MAX_ROW: f32 = 38.0;

/// What the last frame drew, for clicks and tests: each send arrow, each
/// recv bracket (its rect and how many sends it spans), the handshake band
/// and the b'' marks.
#[derive(Clone, Debug, Default)]
pub struct TcpDrawn {
    pub sends: Vec<(Pos2, Pos2)>,
    pub brackets: Vec<(Rect, usize)>,
    pub band: Option<Rect>,
    pub eofs: usize,
    pub heads: Vec<Rect>,
}

/// The rows of the diagram: one call (or the kernel's FIN) each.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Row {
    Connect,
    Accept,
    Send { up: bool, i: usize },
    Recv { up: bool, i: usize },
    Eof { up: bool },
    Fin { up: bool, how: Fin },
}

/// Whose call a row is: the client's socket (true) or the server's.
fn on_client(row: Row) -> bool {
    match row {
        Row::Connect => true,
        Row::Accept => false,
        // The writer of a direction sends and closes it; the reader reads.
        Row::Send { up, .. } | Row::Fin { up, .. } => up,
        Row::Recv { up, .. } | Row::Eof { up } => !up,
    }
}

/// The rows in the order the diagram draws them. Each side's calls keep
/// their own order; across the two sides, a recv comes after the sends
/// whose bytes it returned and b'' after the FIN it reports — though each
/// side stamps a call when it returns, so a recv can be stamped before the
/// peer's send that fed it. Otherwise the earlier stamp goes first.
fn rows(conn: &Connection) -> Vec<(SystemTime, Row)> {
    let mut all = Vec::new();
    all.extend(conn.connected.map(|t| (t, Row::Connect)));
    all.extend(conn.accepted.map(|t| (t, Row::Accept)));
    for up in [true, false] {
        let d = conn.direction(up);
        all.extend(
            d.sends
                .iter()
                .enumerate()
                .map(|(i, c)| (c.at, Row::Send { up, i })),
        );
        all.extend(
            d.recvs
                .iter()
                .enumerate()
                .map(|(i, c)| (c.at, Row::Recv { up, i })),
        );
        all.extend(d.fin.map(|(t, how)| (t, Row::Fin { up, how })));
        all.extend(d.eof.map(|t| (t, Row::Eof { up })));
    }
    // Stable: calls at the same instant keep the order above.
    all.sort_by_key(|(t, _)| *t);
    let (mut client, mut server): (Vec<_>, Vec<_>) =
        all.into_iter().partition(|(_, r)| on_client(*r));
    client.reverse();
    server.reverse();
    let mut placed: Vec<(SystemTime, Row)> = Vec::new();
    let ready = |row: Row, placed: &[(SystemTime, Row)]| {
        let has = |want: &dyn Fn(Row) -> bool| placed.iter().any(|(_, r)| want(*r));
        match row {
            Row::Recv { up, i } => {
                let d = conn.direction(up);
                d.covered_by(&d.recvs[i])
                    .all(|j| has(&|r| r == Row::Send { up, i: j }))
            }
            Row::Eof { up } => {
                conn.direction(up).fin.is_none()
                    || has(&|r| matches!(r, Row::Fin { up: u, .. } if u == up))
            }
            _ => true,
        }
    };
    while let (c, s) = (client.last().copied(), server.last().copied())
        && (c.is_some() || s.is_some())
    {
        let take_client = match (c, s) {
            (Some(c), Some(s)) => match (ready(c.1, &placed), ready(s.1, &placed)) {
                (true, false) => true,
                (false, true) => false,
                // Both ready (or neither, with facts missing): by stamp.
                _ => c.0 <= s.0,
            },
            (Some(_), None) => true,
            _ => false,
        };
        let next = if take_client {
            client.pop()
        } else {
            server.pop()
        };
        placed.extend(next);
    }
    placed
}

/// The diagram of `conn`; `cursor`: calls after it are ghosts.
pub fn connection_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    conn: &Connection,
    cursor: Option<SystemTime>,
) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let width = ui.available_width();
    let stroke_scale = app.stroke_scale();
    let rows = rows(conn);
    let text_color = ui.visuals().text_color();
    let weak = ui.visuals().weak_text_color();
    let client_color = crate::app::style::warn_color(ui);
    let server_color = crate::app::style::accent_color(ui);
    let kernel_color = weak;
    let font = FontId::proportional(crate::app::style::legible(ui, 13.0));
    let small = FontId::proportional(crate::app::style::legible(ui, 12.0));
    let mono = FontId::monospace(crate::app::style::legible(ui, 12.0));

    // Lanes: the client's left, the accepted socket's right of the middle,
    // the listening socket's at the right edge.
    let (head_rect, _) = ui.allocate_exact_size(vec2(width, HEAD_HEIGHT), egui::Sense::hover());
    let lane = |f: f32, left: f32| left + width * f;
    let (fc, fa, fl) = (0.30, 0.63, 0.87);
    let box_w = (width * 0.22).clamp(90.0, 180.0);
    let mut drawn = TcpDrawn::default();
    for (f, title, addr, color) in [
        (fc, T::TcpClientSocket, conn.client, client_color),
        (fa, T::TcpAcceptedSocket, conn.server, server_color),
        (fl, T::TcpListeningSocket, conn.server, server_color),
    ] {
        let x = lane(f, head_rect.left());
        let rect = Rect::from_center_size(pos2(x, head_rect.center().y), vec2(box_w, 36.0));
        // The rightmost box keeps inside the view.
        let rect = rect.translate(vec2((head_rect.right() - 2.0 - rect.right()).min(0.0), 0.0));
        drawn.heads.push(rect);
        let painter = ui.painter();
        painter.rect(
            rect,
            6.0,
            ui.visuals().extreme_bg_color,
            Stroke::new(1.5 * stroke_scale, color),
            egui::StrokeKind::Inside,
        );
        let title = painter.layout_no_wrap(t(title).to_owned(), small.clone(), color);
        let addr = addr.map(|a| a.to_string()).unwrap_or_else(|| "?".into());
        let addr = painter.layout_no_wrap(addr, mono.clone(), text_color);
        painter.galley(
            rect.center_top() + vec2(-title.size().x / 2.0, 2.0),
            title,
            color,
        );
        painter.galley(
            rect.center_bottom() - vec2(addr.size().x / 2.0, addr.size().y + 2.0),
            addr,
            text_color,
        );
    }

    let scroll_height = ui.available_height();
    let row_h = (scroll_height / (rows.len() as f32 + 1.5)).clamp(MIN_ROW, MAX_ROW);
    let live = cursor.is_none();
    egui::ScrollArea::vertical()
        .min_scrolled_height(crate::app::views::VIEW_MIN_SCROLL)
        .id_salt(("tcp_diagram", conn.id))
        .auto_shrink([false, false])
        .stick_to_bottom(live)
        .show(ui, |ui| {
            let height = row_h * (rows.len() as f32 + 1.0);
            let (rect, _) = ui.allocate_exact_size(vec2(width, height), egui::Sense::hover());
            let painter = ui.painter_at(rect);
            let mut ghost = painter.clone();
            ghost.multiply_opacity(0.2);
            let (xc, xa, xl) = (
                lane(fc, rect.left()),
                lane(fa, rect.left()),
                lane(fl, rect.left()),
            );
            let y_of = |i: usize| rect.top() + row_h * (i as f32 + 0.6);
            let row_of = |want: Row| rows.iter().position(|(_, r)| *r == want);
            let accept_y = row_of(Row::Accept).map(y_of);
            // Lifelines: the listening socket's all along (dashed: it only
            // waits), the client's, the accepted socket's from accept on.
            let line = Stroke::new(1.0 * stroke_scale, weak);
            painter.add(egui::Shape::dashed_line(
                &[pos2(xl, rect.top()), pos2(xl, rect.bottom())],
                line,
                6.0,
                4.0,
            ));
            painter.line_segment([pos2(xc, rect.top()), pos2(xc, rect.bottom())], line);
            let accepted_from = accept_y.unwrap_or(rect.top());
            painter.line_segment(
                [pos2(xa, accepted_from), pos2(xa, rect.bottom())],
                Stroke::new(1.0 * stroke_scale, weak),
            );

            // The handshake: one band from connect to accept.
            let ends: Vec<f32> = [row_of(Row::Connect), row_of(Row::Accept)]
                .into_iter()
                .flatten()
                .map(y_of)
                .collect();
            if let (Some(top), Some(bottom)) = (
                ends.iter().copied().reduce(f32::min),
                ends.iter().copied().reduce(f32::max),
            ) {
                let band =
                    Rect::from_x_y_ranges(xc..=xl, (top - row_h * 0.45)..=(bottom + row_h * 0.45));
                painter.rect_filled(band, 4.0, server_color.gamma_multiply(0.08));
                dashed_rect(
                    &painter,
                    band,
                    Stroke::new(1.0 * stroke_scale, kernel_color),
                );
                let label = painter.layout(
                    t(T::TcpHandshake).to_owned(),
                    FontId::proportional(crate::app::style::legible(ui, 12.0)),
                    kernel_color,
                    (xa - xc - 12.0).max(40.0),
                );
                let mut job_pos = pos2((xc + xa) / 2.0 - label.size().x / 2.0, band.top() + 2.0);
                job_pos.y = job_pos.y.min(band.bottom() - label.size().y);
                painter.add(egui::Shape::galley_with_override_text_color(
                    job_pos,
                    italic(ui, &label),
                    kernel_color,
                ));
                drawn.band = Some(band);
            }

            let side_room = |right: bool| {
                if right {
                    rect.right() - xa - 16.0
                } else {
                    xc - rect.left() - 14.0
                }
            };
            // A label beside a lane: right of the server's, left of the client's.
            let side_label =
                |p: &egui::Painter, y: f32, right: bool, text: String, color: Color32| {
                    let galley = one_line(p, text, font.clone(), color, side_room(right).max(40.0));
                    let x = if right {
                        xa + 12.0
                    } else {
                        xc - 10.0 - galley.size().x
                    };
                    p.galley(pos2(x, y - galley.size().y / 2.0), galley, color);
                };
            for (i, (at, row)) in rows.iter().enumerate() {
                let p = if cursor.is_some_and(|c| *at > c) {
                    &ghost
                } else {
                    &painter
                };
                let y = y_of(i);
                match *row {
                    Row::Connect => {
                        side_label(p, y, false, t(T::TcpConnectMark).into(), client_color)
                    }
                    Row::Accept => {
                        arrow(
                            p,
                            pos2(xl, y),
                            pos2(xa, y),
                            Stroke::new(1.5 * stroke_scale, server_color),
                        );
                        side_label(
                            p,
                            y + row_h * 0.35,
                            true,
                            t(T::TcpAcceptMark).into(),
                            server_color,
                        );
                    }
                    Row::Send { up, i } => {
                        let d = conn.direction(up);
                        let cut = d.sends[i];
                        let (from, to, color) = if up {
                            (xc, xa, client_color)
                        } else {
                            (xa, xc, server_color)
                        };
                        let a = pos2(from, y);
                        let b = pos2(to, y + row_h * 0.5);
                        arrow(p, a, b, Stroke::new(2.0 * stroke_scale, color));
                        let label = fill(t(T::TcpSendArrow), &[("bytes", &cut.len)]);
                        let label = format!("{label}  {}", preview(d, &cut));
                        let galley = one_line(
                            p,
                            label,
                            small.clone(),
                            text_color,
                            (xa - xc - 16.0).max(40.0),
                        );
                        p.galley(
                            pos2(
                                (xc + xa) / 2.0 - galley.size().x / 2.0,
                                y - galley.size().y - 1.0,
                            ),
                            galley,
                            text_color,
                        );
                        drawn.sends.push((a, b));
                    }
                    Row::Recv { up, i } => {
                        let d = conn.direction(up);
                        let cut = d.recvs[i];
                        let covered = d.covered_by(&cut);
                        // The bracket spans the arrowheads of the sends it read.
                        let heads: Vec<f32> = covered
                            .clone()
                            .filter_map(|s| row_of(Row::Send { up, i: s }))
                            .map(|r| y_of(r) + row_h * 0.5)
                            .collect();
                        let top = heads.first().copied().unwrap_or(y) - row_h * 0.2;
                        let bottom = heads.last().copied().unwrap_or(y) + row_h * 0.2;
                        let (x, toward) = if up {
                            (xa + 6.0, -5.0)
                        } else {
                            (xc - 6.0, 5.0)
                        };
                        let color = if up { server_color } else { client_color };
                        let stroke = Stroke::new(2.0 * stroke_scale, color);
                        p.line_segment([pos2(x, top), pos2(x, bottom)], stroke);
                        p.line_segment([pos2(x, top), pos2(x + toward, top)], stroke);
                        p.line_segment([pos2(x, bottom), pos2(x + toward, bottom)], stroke);
                        if y > bottom {
                            p.add(egui::Shape::dashed_line(
                                &[pos2(x, bottom), pos2(x, y)],
                                Stroke::new(1.0 * stroke_scale, color),
                                3.0,
                                3.0,
                            ));
                        }
                        let label = fill(t(T::TcpRecvBracket), &[("bytes", &cut.len)]);
                        side_label(p, y, up, format!("{label}  {}", preview(d, &cut)), color);
                        drawn.brackets.push((
                            Rect::from_x_y_ranges(
                                x.min(x + toward)..=x.max(x + toward),
                                top..=bottom,
                            ),
                            covered.len(),
                        ));
                    }
                    Row::Eof { up } => {
                        let color = if up { server_color } else { client_color };
                        let x = if up { xa } else { xc };
                        p.rect_filled(
                            Rect::from_center_size(pos2(x, y), vec2(8.0, 8.0)),
                            1.0,
                            color,
                        );
                        side_label(p, y, up, t(T::TcpEofMark).into(), color);
                        drawn.eofs += 1;
                    }
                    Row::Fin { up, how } => {
                        let (from, to, color) = if up {
                            (xc, xa, client_color)
                        } else {
                            (xa, xc, server_color)
                        };
                        let call = match how {
                            Fin::Close => "close()",
                            Fin::Shutdown => "shutdown(SHUT_WR)",
                        };
                        side_label(p, y, !up, call.into(), color);
                        // The FIN itself is the kernel's: dashed, italic.
                        let a = pos2(from, y);
                        let b = pos2(to, y + row_h * 0.5);
                        p.add(egui::Shape::dashed_line(
                            &[a, b],
                            Stroke::new(1.0 * stroke_scale, kernel_color),
                            5.0,
                            4.0,
                        ));
                        let galley = p.layout(
                            t(T::TcpFinArrow).to_owned(),
                            small.clone(),
                            kernel_color,
                            (xa - xc - 16.0).max(40.0),
                        );
                        let pos =
                            pos2((xc + xa) / 2.0 - galley.size().x / 2.0, y - galley.size().y);
                        p.add(egui::Shape::galley_with_override_text_color(
                            pos,
                            italic(ui, &galley),
                            kernel_color,
                        ));
                    }
                }
            }
        });
    app.views.diagram.tcp = drawn;
}

/// The bytes of `cut` as the lab prints them ('Hello'), cut short.
fn preview(d: &Direction, cut: &Cut) -> String {
    let start = usize::try_from(cut.offset).unwrap_or(usize::MAX);
    let end = usize::try_from(cut.end()).unwrap_or(usize::MAX);
    match d.bytes.get(start..end.min(d.bytes.len())) {
        Some(bytes) if !bytes.is_empty() => crate::app::format::payload_text(bytes, 24),
        _ => String::new(),
    }
}

/// The same text in italics (the kernel's part).
/// A label on one row, cut with "…" where its room ends: a wrapped label
/// would run into the next row's (rows are as tall as one line).
fn one_line(
    p: &egui::Painter,
    text: String,
    font: FontId,
    color: Color32,
    width: f32,
) -> std::sync::Arc<egui::Galley> {
    let mut job = egui::text::LayoutJob::simple_singleline(text, font, color);
    job.wrap = egui::text::TextWrapping::truncate_at_width(width);
    p.layout_job(job)
}

fn italic(ui: &egui::Ui, galley: &std::sync::Arc<egui::Galley>) -> std::sync::Arc<egui::Galley> {
    let mut job = (*galley.job).clone();
    for section in &mut job.sections {
        section.format.italics = true;
    }
    ui.fonts_mut(|f| f.layout_job(job))
}

fn arrow(p: &egui::Painter, a: Pos2, b: Pos2, stroke: Stroke) {
    p.line_segment([a, b], stroke);
    let dir = (b - a).normalized();
    let side = vec2(-dir.y, dir.x);
    let size = 8.0;
    p.add(egui::Shape::convex_polygon(
        vec![
            b,
            b - dir * size + side * size * 0.45,
            b - dir * size - side * size * 0.45,
        ],
        stroke.color,
        Stroke::NONE,
    ));
}

fn dashed_rect(p: &egui::Painter, r: Rect, stroke: Stroke) {
    let points = [
        r.left_top(),
        r.right_top(),
        r.right_bottom(),
        r.left_bottom(),
        r.left_top(),
    ];
    p.add(egui::Shape::dashed_line(&points, stroke, 5.0, 4.0));
}

/// The diagram view with TCP chosen: the picked connection (the newest by
/// default, or the newest the time cursor has reached).
pub fn tcp_diagram_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let Some((index, total, conn)) = crate::app::views::connection::picked(app) else {
        ui.add_space(8.0);
        ui.label(
            RichText::new(crate::app::views::no_connection_text(app).get(app.lang))
                .weak()
                .italics(),
        );
        app.views.diagram.tcp = TcpDrawn::default();
        return;
    };
    if let Some(pick) = crate::app::views::connection::pick_ui(ui, app.lang, index, total) {
        app.act(crate::app::Command::View(
            crate::app::views::ViewCommand::PickConnection(pick),
        ));
    }
    let cursor = app.time.time();
    connection_ui(ui, app, &conn, cursor);
}

#[cfg(test)]
mod tests;
