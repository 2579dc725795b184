//! Sequence diagram: a lifeline per socket (each client port apart, the
//! server) and an arrow per datagram at its time. Time runs down the page on
//! a warped axis: each event gets at least a little room, so a loopback
//! exchange (microseconds) is readable, while real delays still stretch
//! arrows and long idle gaps are cut short and marked.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::SystemTime;

use egui::{Pos2, RichText, Stroke, pos2, vec2};

use crate::app::UdpLabApp;
use crate::app::format;
use crate::app::i18n::{Lang, T, fill};
use crate::lab::session::{DatagramRecord, Direction, ScriptId, Session};
use crate::net::SimFate;

/// Client lifelines drawn at most (the most recently active ones).
pub const MAX_CLIENT_LANES: usize = 6;
const HEADER_HEIGHT: f32 = 44.0;
/// From this scroll height the diagram gives waits their real length
/// (up to [`model::BREAK_GAP`]).
const TALL_VIEW: f32 = 600.0;
/// The arrows a short view fits on screen at once (a demo's last ten or
/// so exchanges).
const FIT_ARROWS: usize = 24;
/// The least room a step of time gets when fitting.
const MIN_FIT_GAP: f32 = 10.0;
/// Below this room per step the arrows go without their labels.
const LABEL_GAP: f32 = 20.0;
const TITLE_FONT: egui::FontId = egui::FontId::proportional(14.0);

pub struct DiagramState {
    /// Pixels per millisecond of real time between events.
    pub px_per_ms: f32,
    /// Scroll to the newest arrow on the next frame, even when the diagram
    /// was scrolled back (the demo's datagrams must be in sight).
    pub scroll_to_end: bool,
    /// A demo was running last frame: when it ends, its newest ✗ is
    /// brought into sight (a burst often ends with answered exchanges).
    pub demo_running: bool,
    /// Scroll to this offset (points from the top) on the next frame.
    pub scroll_offset: Option<f32>,
    /// The time cursor's call when the diagram was last drawn (to scroll to
    /// its arrow when it moves).
    pub cursor_seen: Option<crate::lab::timeline::RowRef>,
    /// The arrows on screen in the last frame (datagram id, from, to), oldest
    /// first: what a click can hit.
    pub on_screen: Vec<(u64, Pos2, Pos2)>,
    /// The lifeline heads drawn in the last frame (they never overlap).
    pub heads: Vec<egui::Rect>,
    /// Issue 27: what the connection diagram drew in the last frame.
    pub tcp: tcp::TcpDrawn,
}

impl Default for DiagramState {
    fn default() -> Self {
        Self {
            px_per_ms: 2.0,
            scroll_to_end: false,
            demo_running: false,
            scroll_offset: None,
            cursor_seen: None,
            on_screen: Vec::new(),
            heads: Vec::new(),
            tcp: tcp::TcpDrawn::default(),
        }
    }
}

mod model;
pub mod tcp;
use model::TimeAxis;
pub use model::{Arrow, ArrowEnd, DiagramModel, Lane, LaneKind, build_model, build_model_with};

pub fn diagram_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    if crate::app::views::shows_streams(app) {
        return tcp::tcp_diagram_ui(ui, app);
    }
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    // Lifelines never overlap: as many client lanes as the width holds,
    // each box as wide as its address (issue 24).
    let width = ui.available_width();
    let mut model = build_model(&app.session);
    let head_font = egui::FontId::monospace(crate::app::style::legible(ui, 12.0));
    let box_width = lane_box_width(ui, &model, &head_font, lang);
    let fit = ((width - LANE_MARGIN) / (box_width + LANE_GAP))
        .floor()
        .max(2.0) as usize;
    let servers = model
        .lanes
        .iter()
        .filter(|l| l.kind == LaneKind::Server)
        .count();
    if model.lanes.len() > fit {
        model = build_model_with(&app.session, fit.saturating_sub(servers).max(1));
    }
    // Paused or playing: arrows after the cursor are ghosts, and the
    // cursor's datagram is drawn crossing (a dot on its arrow).
    let live = app.time.is_live();
    let cursor_time = app.time.time();
    let now = ui.input(|i| i.time);
    let crossing = crossing(app, now);
    if app.time.is_playing() && crossing.is_some_and(|(_, p)| p < 1.0) {
        // The dot moves: frames until it arrives (only while playing).
        ui.ctx().request_repaint();
    }
    let moved = app.views.diagram.cursor_seen != app.time.row();
    app.views.diagram.cursor_seen = app.time.row();
    ui.horizontal(|ui| {
        if ui.button("−").on_hover_text(t(T::ZoomOut)).clicked() {
            app.views.diagram.px_per_ms = (app.views.diagram.px_per_ms / 2.0).max(0.01);
        }
        if ui.button("+").on_hover_text(t(T::ZoomIn)).clicked() {
            app.views.diagram.px_per_ms = (app.views.diagram.px_per_ms * 2.0).min(1000.0);
        }
        let scale = 1.0 / app.views.diagram.px_per_ms;
        ui.label(
            RichText::new(fill(t(T::DiagramScale), &[("ms", &format_ms(scale, lang))])).weak(),
        );
        ui.separator();
        // The answers that never came, up to the cursor: the demo's count.
        let lost = model
            .arrows
            .iter()
            .filter(|a| matches!(a.end, ArrowEnd::NeverCame(_)))
            .filter(|a| cursor_time.is_none_or(|at| a.start <= at))
            .count();
        if lost > 0 {
            ui.label(
                RichText::new(fill(t(T::DiagramLost), &[("count", &lost)]))
                    .strong()
                    .color(crate::app::style::error_color(ui)),
            );
        }
        if model.hidden > 0 {
            ui.label(RichText::new(fill(t(T::DiagramHidden), &[("count", &model.hidden)])).weak())
                .on_hover_text(t(T::DiagramHint));
        }
        if let Some(at) = cursor_time {
            // In the past, where the cursor is matters more than the hint.
            let datagrams = model.arrows.iter().filter(|a| a.datagram.is_some());
            let shown = datagrams.clone().filter(|a| a.start <= at).count();
            ui.label(
                RichText::new(fill(
                    t(T::DiagramUpTo),
                    &[("shown", &shown), ("count", &datagrams.count())],
                ))
                .color(crate::app::style::warn_color(ui)),
            );
        } else {
            ui.add(egui::Label::new(RichText::new(t(T::DiagramHint)).weak()).truncate());
        }
    });
    if model.arrows.is_empty() {
        ui.add_space(8.0);
        ui.label(RichText::new(t(T::DiagramEmpty)).weak().italics());
        return;
    }
    let stroke_scale = app.stroke_scale();
    // Fit (issue 24): in a short view the newest arrows (a demo's burst)
    // fit on screen: each step of time gets less room, a wait (a timeout,
    // a slow scheduler) at most two steps, and the labels are left out
    // once they no longer fit between the arrows (a click still opens
    // the datagram's anatomy).
    let scroll_height = ui.available_height() - HEADER_HEIGHT;
    let gaps = if scroll_height < TALL_VIEW {
        let from = model.arrows.len().saturating_sub(FIT_ARROWS);
        let mut times: Vec<SystemTime> = model.arrows[from..]
            .iter()
            .flat_map(|a| [a.start, a.end_time()])
            .collect();
        times.sort();
        times.dedup();
        let step =
            (scroll_height * 0.9 / times.len().max(1) as f32).clamp(MIN_FIT_GAP, model::MIN_GAP);
        (step, 2.0 * step)
    } else {
        (model::MIN_GAP, model::BREAK_GAP)
    };
    let labels = gaps.0 >= LABEL_GAP;
    let axis = TimeAxis::new(&model, app.views.diagram.px_per_ms, gaps);
    let lane_x = |i: usize, left: f32| {
        let n = model.lanes.len().max(1) as f32;
        left + 60.0 + (width - 90.0) * (i as f32 + 0.5) / n
    };

    // Lifeline heads stay put; the arrows scroll under them.
    let (head_rect, _) = ui.allocate_exact_size(vec2(width, HEADER_HEIGHT), egui::Sense::hover());
    app.views.diagram.heads.clear();
    for (i, lane) in model.lanes.iter().enumerate() {
        let x = lane_x(i, head_rect.left());
        let (title, color) = match (lane.script, lane.kind) {
            (Some(id), _) => (
                app.session
                    .scripts
                    .name(id)
                    .unwrap_or(t(T::ScriptForgotten)),
                crate::app::style::ok_color(ui),
            ),
            (None, LaneKind::Client) => (t(T::Client), crate::app::style::warn_color(ui)),
            (None, LaneKind::Server) => (t(T::Server), crate::app::style::accent_color(ui)),
        };
        let rect =
            egui::Rect::from_center_size(pos2(x, head_rect.center().y), vec2(box_width, 38.0));
        app.views.diagram.heads.push(rect);
        ui.painter().rect(
            rect,
            6.0,
            ui.visuals().extreme_bg_color,
            Stroke::new(1.5 * stroke_scale, color),
            egui::StrokeKind::Inside,
        );
        ui.painter().text(
            rect.center_top() + vec2(0.0, 3.0),
            egui::Align2::CENTER_TOP,
            title,
            TITLE_FONT,
            color,
        );
        ui.painter().text(
            rect.center_bottom() - vec2(0.0, 3.0),
            egui::Align2::CENTER_BOTTOM,
            lane.addr.to_string(),
            head_font.clone(),
            ui.visuals().text_color(),
        );
    }

    let mut clicked = None;
    let mut on_screen = std::mem::take(&mut app.views.diagram.on_screen);
    on_screen.clear();
    // The demo's datagrams stay in sight while it runs (a scroll animation
    // alone ends at the bottom as it was, not as it grew).
    let scroll_to_end =
        (std::mem::take(&mut app.views.diagram.scroll_to_end) || app.demo.is_some()) && live;
    let demo_ended = app.views.diagram.demo_running && app.demo.is_none() && live;
    // (A demo played back step by step ends on its first live frame.)
    if app.demo.is_some() {
        app.views.diagram.demo_running = true;
    } else if live {
        app.views.diagram.demo_running = false;
    }
    // With the demo's end: where its newest loss starts (the datagram the
    // simulator dropped, or the wait that ended in ✗).
    let newest_lost = model
        .arrows
        .iter()
        .rev()
        .find(|a| matches!(a.end, ArrowEnd::Dropped | ArrowEnd::NeverCame(_)))
        .filter(|_| demo_ended)
        .map(|a| a.start);
    let offset = app.views.diagram.scroll_offset.take();
    let mut scroll = egui::ScrollArea::vertical()
        .min_scrolled_height(crate::app::views::VIEW_MIN_SCROLL)
        .id_salt("diagram")
        .auto_shrink([false, false])
        // Not on the frame that moves it, or it would snap back; not in
        // the past, where the cursor's arrow is kept in sight instead.
        .stick_to_bottom(offset.is_none() && live && newest_lost.is_none());
    if let Some(offset) = offset {
        scroll = scroll.vertical_scroll_offset(offset);
    }
    scroll.show(ui, |ui| {
        let (rect, response) =
            ui.allocate_exact_size(vec2(width, axis.height()), egui::Sense::click());
        if let Some(at) = newest_lost {
            // The newest loss at the top, what came after it under it (the
            // newest arrows too when they fit; the scroll stops at the end).
            let y = rect.top() + axis.y(at) - 1.5 * gaps.0;
            let mark = egui::Rect::from_min_size(pos2(rect.left(), y), vec2(1.0, 1.0));
            ui.scroll_to_rect(mark, Some(egui::Align::TOP));
        } else if scroll_to_end {
            let bottom =
                egui::Rect::from_min_size(rect.left_bottom() - vec2(0.0, 1.0), vec2(1.0, 1.0));
            ui.scroll_to_rect(bottom, Some(egui::Align::BOTTOM));
        }
        let painter = ui.painter_at(rect);
        let mut ghost = painter.clone();
        ghost.multiply_opacity(0.2);
        let line = ui.visuals().weak_text_color();
        for i in 0..model.lanes.len() {
            let x = lane_x(i, rect.left());
            painter.add(egui::Shape::dashed_line(
                &[pos2(x, rect.top()), pos2(x, rect.bottom())],
                Stroke::new(1.0 * stroke_scale, line),
                6.0,
                4.0,
            ));
        }
        // (Fitted, every wait is cut short: no marks to clutter the lanes.)
        for &(y, secs) in axis.breaks.iter().filter(|_| labels) {
            let y = rect.top() + y;
            painter.text(
                pos2(rect.left() + 4.0, y),
                egui::Align2::LEFT_CENTER,
                format!(
                    "⋯ {}",
                    crate::app::format::rtt(std::time::Duration::from_secs_f64(secs), lang)
                ),
                egui::FontId::proportional(crate::app::style::legible(ui, 12.0)),
                line,
            );
        }
        let pointer = response.hover_pos();
        let mut nearest: Option<(f32, usize)> = None;
        for (i, arrow) in model.arrows.iter().enumerate() {
            let y0 = rect.top() + axis.y(arrow.start);
            let y1 = rect.top() + axis.y(arrow.end_time());
            let at_cursor = crossing.is_some_and(|(id, _)| arrow.datagram == Some(id));
            if moved && at_cursor {
                // The cursor moved: its datagram comes into sight (it may
                // be far off screen, so before the culling below).
                let span = egui::Rect::from_x_y_ranges(rect.x_range(), y0..=y1.max(y0 + 1.0));
                ui.scroll_to_rect(span.expand(20.0), Some(egui::Align::Center));
            }
            if y1 < ui.clip_rect().top() - 40.0 || y0 > ui.clip_rect().bottom() + 40.0 {
                continue;
            }
            let a = pos2(lane_x(arrow.from, rect.left()), y0);
            let mut b = pos2(lane_x(arrow.to, rect.left()), y1.max(y0 + 1.0));
            if matches!(arrow.end, ArrowEnd::Dropped) {
                b = a + (b - a) * 0.5 + vec2(0.0, 10.0);
            }
            if let Some(id) = arrow.datagram
                && b.y >= ui.clip_rect().top()
                && a.y <= ui.clip_rect().bottom()
            {
                on_screen.push((id, a, b));
            }
            if let (Some(p), Some(_)) = (pointer, arrow.datagram) {
                let d = distance_to_segment(p, a, b);
                if d < 8.0 && nearest.is_none_or(|(best, _)| d < best) {
                    nearest = Some((d, i));
                }
            }
            let selected = arrow.datagram.is_some() && arrow.datagram == app.selected_datagram;
            let later = cursor_time.is_some_and(|at| arrow.start > at);
            let arrow_painter = if later { &ghost } else { &painter };
            draw_arrow(
                ui,
                arrow_painter,
                arrow,
                (a, b),
                selected,
                stroke_scale,
                lang,
                labels,
            );
            if let Some((_, progress)) = crossing
                && at_cursor
            {
                let dot = a + (b - a) * progress;
                painter.circle(
                    dot,
                    7.0 * stroke_scale.sqrt(),
                    ui.visuals().strong_text_color(),
                    Stroke::new(2.0, ui.visuals().extreme_bg_color),
                );
            }
            if !labels {
                continue;
            }
            painter.text(
                pos2(rect.left() + 4.0, y0),
                egui::Align2::LEFT_CENTER,
                crate::app::format::clock_fine(arrow.start),
                egui::FontId::monospace(crate::app::style::legible(ui, 11.0)),
                line,
            );
        }
        if let Some((_, i)) = nearest {
            ui.ctx().set_cursor_icon(egui::CursorIcon::PointingHand);
            if response.clicked() {
                clicked = model.arrows[i].datagram;
            }
        }
    });
    app.views.diagram.on_screen = on_screen;
    if let Some(id) = clicked {
        // What the hint promises: the datagram's anatomy.
        app.act(crate::app::Command::OpenDatagram(id));
    }
}

/// The datagram the cursor's call sends or reads, and how far along its
/// arrow it is: leaving on a sendto (moving while playing), arrived on a
/// recvfrom. None when live.
fn crossing(app: &UdpLabApp, now: f64) -> Option<(u64, f32)> {
    let row = &app.session.trace[app.time.index(&app.session)?];
    let id = row.datagram?;
    let progress = match row.call {
        crate::lab::session::Call::RecvFrom { .. } => 1.0,
        _ => app.time.progress(now).unwrap_or(0.0),
    };
    Some((id, progress))
}

#[allow(clippy::too_many_arguments)]
fn draw_arrow(
    ui: &egui::Ui,
    painter: &egui::Painter,
    arrow: &Arrow,
    (a, b): (Pos2, Pos2),
    selected: bool,
    stroke_scale: f32,
    lang: Lang,
    labels: bool,
) {
    let bad = crate::app::style::error_color(ui);
    let mut color = match (arrow.end, arrow.sim.is_impaired(), arrow.truncated) {
        (ArrowEnd::NeverCame(_) | ArrowEnd::Dropped, _, _) | (_, _, true) => bad,
        (_, true, _) => crate::app::style::warn_color(ui),
        _ if arrow.from < arrow.to => crate::app::style::ok_color(ui),
        _ => crate::app::style::accent_color(ui),
    };
    if selected {
        color = ui.visuals().strong_text_color();
    }
    let width = if selected { 3.5 } else { 2.0 } * stroke_scale;
    let stroke = Stroke::new(width, color);
    if matches!(arrow.end, ArrowEnd::NeverCame(_)) {
        painter.add(egui::Shape::dashed_line(&[a, b], stroke, 8.0, 5.0));
    } else {
        painter.line_segment([a, b], stroke);
    }
    let dir = (b - a).normalized();
    match arrow.end {
        ArrowEnd::Dropped | ArrowEnd::NeverCame(_) => {
            painter.text(
                b,
                egui::Align2::CENTER_CENTER,
                "✗",
                egui::FontId::proportional(22.0 * stroke_scale.sqrt()),
                bad,
            );
        }
        _ => {
            let head = 10.0 * stroke_scale.sqrt();
            let normal = vec2(-dir.y, dir.x);
            let tip = b;
            let base = tip - dir * head;
            painter.add(egui::Shape::convex_polygon(
                vec![tip, base + normal * head * 0.5, base - normal * head * 0.5],
                color,
                Stroke::NONE,
            ));
        }
    }
    if !labels {
        return;
    }
    let label = match arrow.end {
        ArrowEnd::NeverCame(_) => T::DiagramNoReply.get(lang).to_owned(),
        _ => {
            let mut s = fill(
                T::DiagramLabel.get(lang),
                &[("len", &arrow.len), ("text", &arrow.preview)],
            );
            if arrow.truncated {
                s.push_str(" ✂");
            }
            for note in crate::app::i18n::sim_notes(lang, &arrow.sim) {
                s.push_str(" — ");
                s.push_str(&note);
            }
            s
        }
    };
    let mid = a + (b - a) * 0.5;
    let text_color = if selected {
        color
    } else {
        ui.visuals().text_color()
    };
    // A wait down one lifeline is labelled beside it, not across it.
    let (at, align) = if (b.x - a.x).abs() < 1.0 {
        (mid + vec2(10.0, 0.0), egui::Align2::LEFT_CENTER)
    } else {
        (mid - vec2(0.0, 4.0), egui::Align2::CENTER_BOTTOM)
    };
    painter.text(
        at,
        align,
        label,
        egui::FontId::proportional(14.0),
        text_color,
    );
}

mod geometry;
use geometry::{LANE_GAP, LANE_MARGIN, distance_to_segment, format_ms, lane_box_width};

#[cfg(test)]
mod tests;
