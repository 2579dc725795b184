//! The window in front of a class: at the screens a class uses, in normal
//! and presentation mode, in both languages, what a teacher points at is on
//! screen at once, and the rest is in reach by scrolling its panel. Real
//! exchanges over loopback (port 0).

use std::net::UdpSocket;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::*;
use crate::app::i18n::fill;
use crate::app::test_util::{listening_port, wait_for};

const SCREENS: [(f32, f32); 4] = [
    (1024.0, 768.0),
    (1280.0, 800.0),
    (1366.0, 768.0),
    (1920.0, 1080.0),
];

fn app_at(size: (f32, f32), lang: Lang, presentation: bool) -> Harness<'static, UdpLabApp> {
    let mut settings = Settings {
        lang: Some(lang),
        bind: "127.0.0.1:0".into(),
        timeout_secs: 1.0,
        burst_count: 5,
        burst_interval_ms: 0,
        ..Settings::default()
    };
    settings.tools.presentation = presentation;
    // kittest's window is measured in points whatever the zoom; a real
    // window of `size` pixels at presentation mode's zoom has fewer.
    let zoom = if presentation {
        presentation::ZOOM
    } else {
        1.0
    };
    Harness::builder()
        .with_size([size.0 / zoom, size.1 / zoom])
        .build_eframe(move |cc| {
            UdpLabApp::with_settings(&cc.egui_ctx, settings, StartOptions::default())
        })
}

/// Starts the server and runs a burst to it: a response line, a newest
/// datagram and statistics exist afterwards. Returns the server's port.
fn exchange(h: &mut Harness<'_, UdpLabApp>) -> u16 {
    h.run_steps(2);
    h.state_mut().run(Command::StartServer);
    wait_for(h, "the server to listen", |app| {
        listening_port(app).is_some()
    });
    let port = listening_port(h.state()).unwrap_or_default();
    h.state_mut().settings.target = format!("127.0.0.1:{port}");
    h.state_mut().run(Command::SendBurst);
    wait_for(h, "the burst to end", |app| {
        !app.client.busy() && app.client.stats.sent == 5 && app.server.total == 5
    });
    h.run_steps(3);
    port
}

/// Both languages, live and replaying.
const CASES: [(Lang, bool); 4] = [
    (Lang::En, false),
    (Lang::Ru, false),
    (Lang::En, true),
    (Lang::Ru, true),
];

/// The window at `size` after an exchange (`exchange`), paused with the
/// simulator on when `paused`; the server's port and the case's name.
fn with_traffic(
    size: (f32, f32),
    lang: Lang,
    presentation: bool,
    paused: bool,
) -> (Harness<'static, UdpLabApp>, u16, String) {
    let at = format!(
        "{}×{}, presentation {presentation}, {lang:?}, paused {paused}",
        size.0, size.1
    );
    let mut h = app_at(size, lang, presentation);
    let port = exchange(&mut h);
    if paused {
        pause_with_the_simulator_on(&mut h);
    }
    (h, port, at)
}

/// What the window wears while the demo is replayed: the simulator's note,
/// the Replaying badges and the time strip's counters.
fn pause_with_the_simulator_on(h: &mut Harness<'_, UdpLabApp>) {
    h.state_mut().settings.network.loss_percent = 30.0;
    h.state_mut().run(Command::Pause);
    h.state_mut()
        .run(Command::MoveCursor(crate::lab::timeline::Move::Back));
    h.state_mut().settings.burst_count = 2;
    h.state_mut().settings.network.loss_percent = 0.0;
    h.state_mut().run(Command::SendBurst);
    wait_for(h, "one more exchange", |app| !app.client.busy());
    h.state_mut().settings.network.loss_percent = 30.0;
    h.run_steps(3);
}

fn inside(what: &str, rect: egui::Rect, area: egui::Rect, at: &str) {
    assert!(
        area.expand(0.5).contains_rect(rect),
        "{at}: {what} {rect:?} is not inside {area:?}"
    );
}

#[test]
fn what_a_class_watches_is_on_screen_at_every_size() {
    for (w, hgt) in SCREENS {
        for presentation in [false, true] {
            for (lang, paused) in CASES {
                let (mut h, port, at) = with_traffic((w, hgt), lang, presentation, paused);
                let t = |k: T| k.get(lang);
                let window = h.ctx.content_rect();
                // The teaching view: its tab and some of its content.
                let tab = h.get_by_label(t(T::ViewTrace)).rect();
                inside("the views' tab", tab, window, &at);
                assert!(
                    window.bottom() - tab.bottom() >= 100.0,
                    "{at}: the view has only {} points",
                    window.bottom() - tab.bottom()
                );
                // The panels' widgets sit above the views (not under them).
                let panels =
                    egui::Rect::from_min_max(window.min, egui::pos2(window.right(), tab.top()));
                let status = fill(t(T::ListeningOn), &[("ip", &"127.0.0.1"), ("port", &port)]);
                inside(
                    "the server's status",
                    h.get_by_label(&status).rect(),
                    panels,
                    &at,
                );
                // Paused, the newest row shown is the last at the cursor.
                let app = h.state();
                let newest = app
                    .server
                    .rows
                    .iter()
                    .rev()
                    .find(|r| app.time.time().is_none_or(|at| r.rx.at <= at))
                    .map(|r| r.rx.from.to_string());
                let newest = newest.unwrap_or_default();
                // A burst comes from one socket: the newest row is the lowest.
                let newest = h
                    .query_all_by_label(&newest)
                    .map(|n| n.rect())
                    .max_by(|a, b| a.top().total_cmp(&b.top()));
                let Some(newest) = newest else {
                    panic!("{at}: no row in the incoming list");
                };
                inside("the newest datagram", newest, panels, &at);
                let response = fill(t(T::ResponseFromServer), &[("text", &"Hello, client")]);
                inside(
                    "the response line",
                    h.get_by_label(&response).rect(),
                    panels,
                    &at,
                );
                // The statistics are in reach: a short window folds the
                // panels (issue 24), More unfolds them; then scroll the
                // client panel to them.
                if h.state().layout.folded {
                    let more = h.query_all_by_label(t(T::LayoutMore)).next();
                    let Some(more) = more else {
                        panic!("{at}: folded without More");
                    };
                    more.click();
                    h.run_steps(3);
                    assert!(!h.state().layout.folded, "{at}: More unfolds");
                }
                let tab = h.get_by_label(t(T::ViewTrace)).rect();
                let panels =
                    egui::Rect::from_min_max(window.min, egui::pos2(window.right(), tab.top()));
                // A piece of the summary's words (between two numbers).
                let words = t(T::BurstSummary)
                    .split("{requested}")
                    .nth(1)
                    .and_then(|rest| rest.split('{').next())
                    .unwrap_or_default();
                h.get_by_label_contains(words).scroll_to_me();
                h.run_steps(3);
                let stats = h.get_by_label_contains(words);
                inside("the statistics", stats.rect(), panels, &at);
            }
        }
    }
}

#[test]
fn a_maximum_size_reply_is_previewed_in_a_bounded_box() {
    let peer = UdpSocket::bind("127.0.0.1:0").expect("bind a loopback peer");
    let port = peer.local_addr().expect("addr").port();
    for lang in [Lang::En, Lang::Ru] {
        let mut h = app_at((1280.0, 800.0), lang, true);
        h.run_steps(2);
        h.state_mut().settings.target = format!("127.0.0.1:{port}");
        h.state_mut().settings.client_buffer = net::MAX_DATAGRAM + 1;
        h.state_mut().run(Command::Send);
        let mut buf = [0u8; 64];
        peer.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .expect("timeout");
        let (_, from) = peer.recv_from(&mut buf).expect("the request");
        let reply = vec![b'x'; net::MAX_DATAGRAM];
        peer.send_to(&reply, from).expect("the reply");
        wait_for(&mut h, "the reply", |app| {
            matches!(app.client.outcome, Some(Outcome::Response { .. }))
        });
        // The preview is the full client panel's (More unfolds it in a
        // short window).
        if h.state().layout.folded {
            h.state_mut()
                .run(Command::Layout(super::layout::LayoutCommand::Unfold(true)));
            h.run_steps(3);
        }
        let note = match lang {
            Lang::En => "… 65,507 bytes, see Datagram anatomy",
            Lang::Ru => "… 65\u{a0}507 байт, см. «Анатомия датаграммы»",
        };
        let window = h.ctx.content_rect();
        let line = h
            .get_by_label_contains(
                T::ResponseFromServer
                    .get(lang)
                    .split('{')
                    .next()
                    .unwrap_or_default(),
            )
            .rect();
        // One line, not a wall of text.
        assert!(line.height() < 40.0, "{lang:?}: response line {line:?}");
        let note = h.get_by_label(note).rect();
        assert!(
            note.bottom() - line.top() < 200.0,
            "{lang:?}: the preview is not bounded: {line:?} .. {note:?}"
        );
        inside("the preview's note", note, window, &format!("{lang:?}"));
        // The history is still under it, in the same panel.
        let history = h.get_by_label(T::History.get(lang)).rect();
        assert!(history.top() >= note.bottom(), "{lang:?}: {history:?}");
    }
}

/// Every piece of text on screen with the part of its rect that is drawn
/// (clipped by its panel or scroll area; labels carry their text as the
/// value, other widgets as the label).
/// No two texts overlap (by more than a point's rounding); a text inside
/// another widget's rect (a button's caption, a row in its group) is not an
/// overlap. `at` names the case.
fn assert_no_text_overlaps(texts: &[(String, egui::Rect)], at: &str) {
    for (i, (a, ra)) in texts.iter().enumerate() {
        for (b, rb) in &texts[i + 1..] {
            let nested = ra.contains_rect(*rb) || rb.contains_rect(*ra);
            assert!(
                nested || !ra.shrink(1.0).intersects(rb.shrink(1.0)),
                "{at}: {a:?} {ra:?} overlaps {b:?} {rb:?}"
            );
        }
    }
}

fn texts_on_screen(h: &Harness<'_, UdpLabApp>) -> Vec<(String, egui::Rect)> {
    use egui_kittest::kittest::{NodeT, by};
    let window = h.ctx.content_rect();
    let drawn: std::collections::HashMap<u64, egui::Rect> = h.ctx.viewport(|vp| {
        let pass = if vp.this_pass.widgets.layer_ids().len() > 0 {
            &vp.this_pass
        } else {
            &vp.prev_pass
        };
        pass.widgets
            .layers()
            .flat_map(|(_, rects)| rects.iter())
            .map(|w| (w.id.value(), w.interact_rect))
            .collect()
    });
    h.query_all(by().predicate(|_| true))
        .filter_map(|node| {
            let ak = node.accesskit_node();
            let text = if ak.role() == egui::accesskit::Role::Label {
                ak.value()
            } else {
                ak.label()
            }?;
            // The local node id (egui's Id) is the high half.
            let id = (u128::from(ak.id()) >> 64) as u64;
            let rect = drawn.get(&id)?.intersect(window);
            (!text.trim().is_empty() && rect.width() > 1.0 && rect.height() > 1.0)
                .then_some((text, rect))
        })
        .collect()
}

/// No two texts overlap: long labels wrap or shorten (issue 11, item 14:
/// "Входящие датаграммы" ran into "0 в секунду" at 700 px).
#[test]
fn no_two_texts_overlap_at_any_size_or_language() {
    let sizes = SCREENS.iter().copied().chain([(700.0, 768.0)]);
    for (w, hgt) in sizes {
        for presentation in [false, true] {
            for (lang, paused) in CASES {
                let (h, _, at) = with_traffic((w, hgt), lang, presentation, paused);
                assert_no_text_overlaps(&texts_on_screen(&h), &at);
            }
        }
    }
}

/// A traced script in the views (issue 14): its name as the side and the
/// file:line column in Socket calls, its lifeline, its source in Code — no
/// two texts overlap at the narrowest window and a projector's, in both
/// languages. A real server.py under the tracer, answering UDP Lab's client.
#[test]
fn a_traced_scripts_rows_lifeline_and_source_overlap_nothing() {
    use crate::app::test_util::{fixture, have_python};
    use crate::lab::session::{Call, Side};
    if !have_python() {
        return;
    }
    for size in [(700.0, 768.0), (1024.0, 768.0)] {
        for lang in Lang::ALL {
            let mut h = app_at(size, lang, false);
            h.state_mut().settings.scripts.path = fixture("server.py");
            h.state_mut().settings.scripts.args = "127.0.0.1 0 1".into();
            h.state_mut().run(Command::RunScript);
            wait_for(&mut h, "the script's bind", |app| {
                app.session
                    .trace
                    .iter()
                    .any(|r| matches!((r.side, &r.call), (Side::Script(_), Call::Bind { .. })))
            });
            let port = h
                .state()
                .session
                .trace
                .iter()
                .find_map(|r| match (r.side, &r.call) {
                    (Side::Script(_), Call::Bind { addr }) => Some(addr.port()),
                    _ => None,
                })
                .unwrap_or_default();
            h.state_mut().settings.target = format!("127.0.0.1:{port}");
            h.state_mut().run(Command::Send);
            wait_for(&mut h, "the script's answer and close", |app| {
                !app.client.busy()
                    && app
                        .session
                        .trace
                        .iter()
                        .any(|r| matches!(r.side, Side::Script(_)) && r.call == Call::Close)
            });
            for view in [View::Trace, View::Diagram, View::Code] {
                h.state_mut().settings.view = view;
                h.run_steps(3);
                let at = format!("{}×{}, {lang:?}, {view:?}", size.0, size.1);
                let texts = texts_on_screen(&h);
                // (The diagram paints its lifeline heads: no text nodes.)
                assert!(
                    view == View::Diagram || texts.iter().any(|(t, _)| t.contains("server.py")),
                    "{at}: the script is on screen"
                );
                assert_no_text_overlaps(&texts, &at);
            }
        }
    }
}
