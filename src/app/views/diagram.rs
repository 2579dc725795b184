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
use crate::lab::session::{DatagramRecord, Direction, Session};
use crate::net::SimFate;

/// Client lifelines drawn at most (the most recently active ones).
pub const MAX_CLIENT_LANES: usize = 6;
const HEADER_HEIGHT: f32 = 44.0;

pub struct DiagramState {
    /// Pixels per millisecond of real time between events.
    pub px_per_ms: f32,
    /// Scroll to the newest arrow on the next frame, even when the diagram
    /// was scrolled back (the demo's datagrams must be in sight).
    pub scroll_to_end: bool,
    /// Scroll to this offset (points from the top) on the next frame.
    pub scroll_offset: Option<f32>,
    /// The arrows on screen in the last frame (datagram id, from, to), oldest
    /// first: what a click can hit.
    pub on_screen: Vec<(u64, Pos2, Pos2)>,
}

impl Default for DiagramState {
    fn default() -> Self {
        Self {
            px_per_ms: 2.0,
            scroll_to_end: false,
            scroll_offset: None,
            on_screen: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LaneKind {
    Client,
    Server,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    pub kind: LaneKind,
    pub addr: SocketAddr,
}

/// How an arrow ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ArrowEnd {
    /// It arrived at this time.
    Delivered(SystemTime),
    /// It left UDP Lab towards a peer outside the app; no arrival is known.
    Sent,
    /// The simulator dropped it: drawn stopping half way with ✗.
    Dropped,
    /// The reply that never came: the client gave up at this time (✗).
    NeverCame(SystemTime),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    /// The datagram (None for a reply that never came).
    pub datagram: Option<u64>,
    pub from: usize,
    pub to: usize,
    pub start: SystemTime,
    pub end: ArrowEnd,
    pub len: usize,
    pub preview: String,
    pub truncated: bool,
    /// What the network simulator did to it.
    pub sim: SimFate,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiagramModel {
    pub lanes: Vec<Lane>,
    pub arrows: Vec<Arrow>,
    /// Datagrams on lifelines not drawn (older clients).
    pub hidden: usize,
}

/// A socket address with the "any" address made comparable to the one the
/// peer saw (the session already maps 0.0.0.0 to loopback where it can).
fn lane_key(a: SocketAddr) -> SocketAddr {
    a
}

pub fn build_model(session: &Session) -> DiagramModel {
    let records: Vec<&DatagramRecord> = session.datagrams.iter().collect();
    let client_end = |d: &DatagramRecord| match d.direction {
        Direction::Request => d.from,
        Direction::Reply => d.to,
    };
    let server_end = |d: &DatagramRecord| match d.direction {
        Direction::Request => d.to,
        Direction::Reply => d.from,
    };
    // The most recently active client sockets get lifelines.
    let mut clients: Vec<SocketAddr> = Vec::new();
    for d in records.iter().rev() {
        let c = lane_key(client_end(d));
        if !clients.contains(&c) {
            clients.push(c);
            if clients.len() == MAX_CLIENT_LANES {
                break;
            }
        }
    }
    clients.reverse();
    let mut servers: Vec<SocketAddr> = Vec::new();
    for d in &records {
        let s = lane_key(server_end(d));
        if !servers.contains(&s) {
            servers.push(s);
        }
    }
    let mut lanes: Vec<Lane> = clients
        .iter()
        .map(|&addr| Lane {
            kind: LaneKind::Client,
            addr,
        })
        .collect();
    lanes.extend(servers.iter().map(|&addr| Lane {
        kind: LaneKind::Server,
        addr,
    }));
    let index: HashMap<(LaneKind, SocketAddr), usize> = lanes
        .iter()
        .enumerate()
        .map(|(i, l)| ((l.kind, l.addr), i))
        .collect();

    // When each server socket sent something to each client socket: a
    // request that timed out although a reply left (dropped, or too late)
    // is drawn as the client's wait, not as a reply that was never sent.
    let mut replies_sent: HashMap<(SocketAddr, SocketAddr), Vec<SystemTime>> = HashMap::new();
    for d in &records {
        if d.direction == Direction::Reply
            && let Some(at) = d.sent_at.or(d.received_at)
        {
            replies_sent
                .entry((lane_key(client_end(d)), lane_key(server_end(d))))
                .or_default()
                .push(at);
        }
    }
    let reply_left = |d: &DatagramRecord, from: SystemTime, until: SystemTime| {
        replies_sent
            .get(&(lane_key(client_end(d)), lane_key(server_end(d))))
            .is_some_and(|times| times.iter().any(|t| (from..=until).contains(t)))
    };

    let mut model = DiagramModel {
        lanes,
        arrows: Vec::new(),
        hidden: 0,
    };
    for d in records {
        let (Some(&c), Some(&s)) = (
            index.get(&(LaneKind::Client, lane_key(client_end(d)))),
            index.get(&(LaneKind::Server, lane_key(server_end(d)))),
        ) else {
            model.hidden += 1;
            continue;
        };
        let (from, to) = match d.direction {
            Direction::Request => (c, s),
            Direction::Reply => (s, c),
        };
        let end = match (d.received_at, d.sim.dropped) {
            (Some(at), _) => ArrowEnd::Delivered(at),
            (None, true) => ArrowEnd::Dropped,
            (None, false) => ArrowEnd::Sent,
        };
        let Some(start) = d.sent_at.or(d.received_at) else {
            continue;
        };
        model.arrows.push(Arrow {
            datagram: Some(d.id),
            from,
            to,
            start,
            end,
            len: d.len,
            preview: format::payload_text(&d.bytes, 24),
            truncated: d.truncated.is_some(),
            sim: d.sim,
        });
        if d.direction == Direction::Request
            && let Some(gave_up) = d.gave_up_at
        {
            // The reply this request waited for never came. If the server
            // never got the request, or its reply was lost on the way, an
            // arrow from the server would claim a reply that was not sent:
            // the wait is drawn down the client's own lifeline instead.
            let (from_lane, from_time) =
                if end == ArrowEnd::Dropped || reply_left(d, start, gave_up) {
                    (c, start)
                } else {
                    (s, d.received_at.unwrap_or(start))
                };
            model.arrows.push(Arrow {
                datagram: None,
                from: from_lane,
                to: c,
                start: from_time,
                end: ArrowEnd::NeverCame(gave_up),
                len: 0,
                preview: String::new(),
                truncated: false,
                sim: SimFate::default(),
            });
        }
    }
    model
}

impl Arrow {
    fn end_time(&self) -> SystemTime {
        match self.end {
            ArrowEnd::Delivered(t) | ArrowEnd::NeverCame(t) => t,
            ArrowEnd::Sent | ArrowEnd::Dropped => self.start,
        }
    }
}

/// Maps event times to y offsets: every distinct time gets at least
/// `min_gap`, real time adds `px_per_ms`, idle stretches are capped.
struct TimeAxis {
    times: Vec<SystemTime>,
    ys: Vec<f32>,
    /// Where long idle gaps were cut: (y, seconds skipped).
    breaks: Vec<(f32, f64)>,
}

impl TimeAxis {
    fn new(model: &DiagramModel, px_per_ms: f32) -> Self {
        let mut times: Vec<SystemTime> = model
            .arrows
            .iter()
            .flat_map(|a| [a.start, a.end_time()])
            .collect();
        times.sort();
        times.dedup();
        let min_gap = 26.0;
        let max_gap = 140.0;
        let mut ys = Vec::with_capacity(times.len());
        let mut breaks = Vec::new();
        let mut y = 30.0;
        for (i, t) in times.iter().enumerate() {
            if i > 0 {
                let dt = t
                    .duration_since(times[i - 1])
                    .map_or(0.0, |d| d.as_secs_f64());
                let real = (dt * 1000.0) as f32 * px_per_ms;
                if real > max_gap {
                    breaks.push((y + max_gap / 2.0, dt));
                }
                y += real.clamp(min_gap, max_gap);
            }
            ys.push(y);
        }
        Self { times, ys, breaks }
    }

    fn y(&self, t: SystemTime) -> f32 {
        match self.times.binary_search(&t) {
            Ok(i) => self.ys[i],
            Err(i) => self.ys.get(i).or(self.ys.last()).copied().unwrap_or(0.0),
        }
    }

    fn height(&self) -> f32 {
        self.ys.last().copied().unwrap_or(0.0) + 60.0
    }
}

pub fn diagram_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let model = build_model(&app.session);
    ui.horizontal(|ui| {
        if ui.button("−").on_hover_text(t(T::ZoomOut)).clicked() {
            app.views.diagram.px_per_ms = (app.views.diagram.px_per_ms / 2.0).max(0.01);
        }
        if ui.button("+").on_hover_text(t(T::ZoomIn)).clicked() {
            app.views.diagram.px_per_ms = (app.views.diagram.px_per_ms * 2.0).min(1000.0);
        }
        let scale = 1.0 / app.views.diagram.px_per_ms;
        ui.label(RichText::new(fill(t(T::DiagramScale), &[("ms", &format_ms(scale))])).weak());
        ui.separator();
        ui.label(RichText::new(t(T::DiagramHint)).weak());
        if model.hidden > 0 {
            ui.label(RichText::new(fill(t(T::DiagramHidden), &[("count", &model.hidden)])).weak());
        }
    });
    if model.arrows.is_empty() {
        ui.add_space(8.0);
        ui.label(RichText::new(t(T::DiagramEmpty)).weak().italics());
        return;
    }
    let stroke_scale = app.stroke_scale();
    let axis = TimeAxis::new(&model, app.views.diagram.px_per_ms);
    let width = ui.available_width();
    let lane_x = |i: usize, left: f32| {
        let n = model.lanes.len().max(1) as f32;
        left + 60.0 + (width - 90.0) * (i as f32 + 0.5) / n
    };

    // Lifeline heads stay put; the arrows scroll under them.
    let (head_rect, _) = ui.allocate_exact_size(vec2(width, HEADER_HEIGHT), egui::Sense::hover());
    for (i, lane) in model.lanes.iter().enumerate() {
        let x = lane_x(i, head_rect.left());
        let (title, color) = match lane.kind {
            LaneKind::Client => (t(T::Client), crate::app::style::warn_color(ui)),
            LaneKind::Server => (t(T::Server), crate::app::style::accent_color(ui)),
        };
        let rect = egui::Rect::from_center_size(pos2(x, head_rect.center().y), vec2(170.0, 38.0));
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
            egui::FontId::proportional(14.0),
            color,
        );
        ui.painter().text(
            rect.center_bottom() - vec2(0.0, 3.0),
            egui::Align2::CENTER_BOTTOM,
            lane.addr.to_string(),
            egui::FontId::monospace(crate::app::tools::presentation::legible(ui, 12.0)),
            ui.visuals().text_color(),
        );
    }

    let mut clicked = None;
    let mut on_screen = std::mem::take(&mut app.views.diagram.on_screen);
    on_screen.clear();
    // The demo's datagrams stay in sight while it runs (a scroll animation
    // alone ends at the bottom as it was, not as it grew).
    let scroll_to_end = std::mem::take(&mut app.views.diagram.scroll_to_end) || app.demo.is_some();
    let offset = app.views.diagram.scroll_offset.take();
    let mut scroll = egui::ScrollArea::vertical()
        .id_salt("diagram")
        .auto_shrink([false, false])
        // Not on the frame that moves it, or it would snap back.
        .stick_to_bottom(offset.is_none());
    if let Some(offset) = offset {
        scroll = scroll.vertical_scroll_offset(offset);
    }
    scroll.show(ui, |ui| {
        let (rect, response) =
            ui.allocate_exact_size(vec2(width, axis.height()), egui::Sense::click());
        if scroll_to_end {
            let bottom =
                egui::Rect::from_min_size(rect.left_bottom() - vec2(0.0, 1.0), vec2(1.0, 1.0));
            ui.scroll_to_rect(bottom, Some(egui::Align::BOTTOM));
        }
        let painter = ui.painter_at(rect);
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
        for &(y, secs) in &axis.breaks {
            let y = rect.top() + y;
            painter.text(
                pos2(rect.left() + 4.0, y),
                egui::Align2::LEFT_CENTER,
                format!(
                    "⋯ {}",
                    crate::app::format::rtt(std::time::Duration::from_secs_f64(secs), lang)
                ),
                egui::FontId::proportional(crate::app::tools::presentation::legible(ui, 12.0)),
                line,
            );
        }
        let pointer = response.hover_pos();
        let mut nearest: Option<(f32, usize)> = None;
        for (i, arrow) in model.arrows.iter().enumerate() {
            let y0 = rect.top() + axis.y(arrow.start);
            let y1 = rect.top() + axis.y(arrow.end_time());
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
            draw_arrow(ui, &painter, arrow, a, b, selected, stroke_scale, lang);
            painter.text(
                pos2(rect.left() + 4.0, y0),
                egui::Align2::LEFT_CENTER,
                crate::app::format::clock_fine(arrow.start),
                egui::FontId::monospace(crate::app::tools::presentation::legible(ui, 11.0)),
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

#[allow(clippy::too_many_arguments)]
fn draw_arrow(
    ui: &egui::Ui,
    painter: &egui::Painter,
    arrow: &Arrow,
    a: Pos2,
    b: Pos2,
    selected: bool,
    stroke_scale: f32,
    lang: Lang,
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

fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let len2 = ab.length_sq();
    if len2 == 0.0 {
        return p.distance(a);
    }
    let t = ((p - a).dot(ab) / len2).clamp(0.0, 1.0);
    p.distance(a + ab * t)
}

fn format_ms(ms: f32) -> String {
    if ms >= 1.0 {
        format!("{ms:.0}")
    } else {
        format!("{ms:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::test_util::{harness, set_text, start_server, wait_for};
    use egui_kittest::kittest::Queryable;

    #[test]
    fn an_exchange_and_a_timeout_become_arrows_and_a_cross() {
        let mut h = harness();
        let port = start_server(&mut h);
        set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
        h.get_by_label("Send").click();
        wait_for(&mut h, "the exchange", |app| {
            !app.client.busy() && app.client.outcome.is_some()
        });
        // Now to a peer that never answers.
        let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
        let silent_addr = silent.local_addr().expect("addr");
        set_text(&mut h, "Server address", &silent_addr.to_string());
        h.get_by_label("Send").click();
        wait_for(&mut h, "the timeout", |app| {
            !app.client.busy() && app.client.outcome.is_some()
        });

        let model = build_model(&h.state().session);
        let server = format!("127.0.0.1:{port}").parse().expect("addr");
        let kinds: Vec<(LaneKind, SocketAddr)> =
            model.lanes.iter().map(|l| (l.kind, l.addr)).collect();
        assert!(kinds.contains(&(LaneKind::Server, server)), "{kinds:?}");
        assert!(
            kinds.contains(&(LaneKind::Server, silent_addr)),
            "{kinds:?}"
        );
        assert_eq!(
            kinds.iter().filter(|(k, _)| *k == LaneKind::Client).count(),
            2,
            "a new socket per Send"
        );

        let lane = |addr| {
            model
                .lanes
                .iter()
                .position(|l| l.kind == LaneKind::Server && l.addr == addr)
        };
        let (s1, s2) = (
            lane(server).expect("lane"),
            lane(silent_addr).expect("lane"),
        );
        // Request and reply, both delivered, between the first client and the server.
        let to_server: Vec<&Arrow> = model.arrows.iter().filter(|a| a.to == s1).collect();
        let from_server: Vec<&Arrow> = model.arrows.iter().filter(|a| a.from == s1).collect();
        assert_eq!(to_server.len(), 1);
        assert_eq!(from_server.len(), 1);
        assert!(matches!(to_server[0].end, ArrowEnd::Delivered(_)));
        assert!(matches!(from_server[0].end, ArrowEnd::Delivered(_)));
        assert_eq!(
            (to_server[0].len, to_server[0].preview.as_str()),
            (13, "Hello, server")
        );
        assert_eq!(
            (from_server[0].len, from_server[0].preview.as_str()),
            (13, "Hello, client")
        );
        assert_eq!(
            to_server[0].from, from_server[0].to,
            "the reply goes back to the same client socket"
        );
        // The silent peer: the request left, and the reply that never came ends in ✗.
        let never: Vec<&Arrow> = model
            .arrows
            .iter()
            .filter(|a| matches!(a.end, ArrowEnd::NeverCame(_)))
            .collect();
        assert_eq!(never.len(), 1);
        assert_eq!(never[0].from, s2);
        assert!(
            model
                .arrows
                .iter()
                .any(|a| a.to == s2 && a.end == ArrowEnd::Sent)
        );

        // The tab draws it without trouble and clicking an arrow selects its datagram.
        h.get_by_label("Sequence diagram").click();
        h.run_steps(3);
        h.get_by_label("Click an arrow to see the datagram's anatomy.");
    }

    /// Clicks the middle of an arrow as a mouse would.
    pub(crate) fn click_arrow(h: &mut egui_kittest::Harness<'_, UdpLabApp>, a: Pos2, b: Pos2) {
        let at = a + (b - a) * 0.5;
        let input = h.input_mut();
        input.events.push(egui::Event::PointerMoved(at));
        for pressed in [true, false] {
            input.events.push(egui::Event::PointerButton {
                pos: at,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: egui::Modifiers::NONE,
            });
        }
        h.run_steps(3);
    }

    #[test]
    fn clicking_an_arrow_opens_that_datagrams_anatomy() {
        let mut h = harness();
        let port = start_server(&mut h);
        set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
        h.get_by_label("Send").click();
        wait_for(&mut h, "the exchange", |app| {
            !app.client.busy() && app.client.outcome.is_some()
        });
        h.get_by_label("Sequence diagram").click();
        h.run_steps(3);
        // What the hint promises.
        h.get_by_label("Click an arrow to see the datagram's anatomy.");
        let arrows = h.state().views.diagram.on_screen.clone();
        assert_eq!(arrows.len(), 2, "the request and the reply: {arrows:?}");
        // The request, not the newest datagram (the anatomy's default).
        let (request, a, b) = arrows[0];
        click_arrow(&mut h, a, b);
        let app = h.state();
        assert_eq!(app.selected_datagram, Some(request));
        assert_eq!(app.settings.view, crate::app::views::View::Anatomy);
        let record = app
            .session
            .datagram(request)
            .expect("the clicked datagram is in the session");
        assert_eq!(&record.bytes[..], b"Hello, server");
        // The anatomy shows that datagram, the first of the two.
        h.get_by_label("datagram 1 of 2");
    }

    #[test]
    fn a_lost_request_or_reply_is_drawn_as_the_clients_wait_not_a_reply() {
        let mut h = harness();
        let port = start_server(&mut h);
        set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
        {
            let settings = &mut h.state_mut().settings;
            settings.network.loss_percent = 50.0;
            settings.network.seed = 7;
            settings.timeout_secs = 0.2;
            settings.burst_count = 12;
            settings.burst_interval_ms = 0;
        }
        h.state_mut().run(crate::app::Command::UpdateServer);
        h.state_mut().run(crate::app::Command::SendBurst);
        wait_for(&mut h, "the burst", |app| {
            !app.client.busy() && app.client.stats.sent == 12
        });
        let model = build_model(&h.state().session);
        let server = model
            .lanes
            .iter()
            .position(|l| l.kind == LaneKind::Server)
            .expect("server lane");
        let never: Vec<&Arrow> = model
            .arrows
            .iter()
            .filter(|a| matches!(a.end, ArrowEnd::NeverCame(_)))
            .collect();
        let dropped = |from: usize| {
            model
                .arrows
                .iter()
                .filter(|a| a.end == ArrowEnd::Dropped && a.from == from)
                .count()
        };
        // 50 % each way over 12 requests: some requests and some replies
        // are dropped (the seed fixes which), and every one is a timeout.
        let client = never.first().expect("some answers were lost").to;
        assert!(dropped(client) > 0, "a request was dropped");
        assert!(dropped(server) > 0, "a reply was dropped");
        assert_eq!(never.len(), dropped(client) + dropped(server));
        for wait in never {
            assert_eq!(
                (wait.from, wait.to),
                (client, client),
                "nothing came from the server: the wait runs down the client's lifeline"
            );
            let ArrowEnd::NeverCame(gave_up) = wait.end else {
                unreachable!()
            };
            let waited = gave_up.duration_since(wait.start).expect("in order");
            assert!(
                waited >= std::time::Duration::from_millis(200),
                "{waited:?}"
            );
        }
    }

    #[test]
    fn the_time_axis_gives_every_event_room_and_cuts_idle_gaps() {
        let t0 = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(100);
        let us = std::time::Duration::from_micros(40);
        let arrow = |start: SystemTime, end: SystemTime| Arrow {
            datagram: Some(1),
            from: 0,
            to: 1,
            start,
            end: ArrowEnd::Delivered(end),
            len: 1,
            preview: String::new(),
            truncated: false,
            sim: SimFate::default(),
        };
        let later = t0 + std::time::Duration::from_secs(30);
        let model = DiagramModel {
            lanes: Vec::new(),
            arrows: vec![
                arrow(t0, t0 + us),
                arrow(later, later + std::time::Duration::from_millis(50)),
            ],
            hidden: 0,
        };
        let axis = TimeAxis::new(&model, 2.0);
        // 40 µs on loopback still slants the arrow visibly.
        assert!(axis.y(t0 + us) - axis.y(t0) >= 20.0);
        // 30 s of idle time is cut short and marked.
        assert!(axis.y(later) - axis.y(t0 + us) <= 140.0);
        assert_eq!(axis.breaks.len(), 1);
        // A 50 ms delay takes more room than a loopback hop.
        assert!(
            axis.y(later + std::time::Duration::from_millis(50)) - axis.y(later)
                > axis.y(t0 + us) - axis.y(t0)
        );
    }
}
