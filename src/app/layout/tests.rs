//! Issue 24: the teaching view is the stage. At a class's screens, in both
//! modes and languages, after the teacher's demo over loopback (port 0):
//! the view has most of a short window and shows what it must (arrows, ✗,
//! the lost count, code lines, header fields, socket calls); every tab
//! switches by a click at its centre; F and Esc give the view the window.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use super::*;
use crate::app::i18n::{Lang, fill};
use crate::app::test_util::{listening_port, wait_for};
use crate::app::{Settings, StartOptions, View};
use crate::lab::code::Role;

const SCREENS: [(f32, f32); 4] = [
    (1024.0, 768.0),
    (1280.0, 800.0),
    (1366.0, 768.0),
    (1920.0, 1080.0),
];

/// A window of `size` pixels (points = pixels / 1.5 in presentation mode).
fn app_at(size: (f32, f32), lang: Lang, presentation: bool) -> Harness<'static, UdpLabApp> {
    app_stepping(size, lang, presentation, 0.25)
}

/// `step`: seconds per frame (a double-click needs frames shorter than the
/// default quarter second: a frame runs per event).
fn app_stepping(
    size: (f32, f32),
    lang: Lang,
    presentation: bool,
    step: f32,
) -> Harness<'static, UdpLabApp> {
    let mut settings = Settings {
        lang: Some(lang),
        bind: "127.0.0.1:0".into(),
        // The demo's lost answers wait this long each.
        timeout_secs: 0.2,
        ..Settings::default()
    };
    settings.tools.presentation = presentation;
    let zoom = if presentation {
        crate::app::tools::presentation::ZOOM
    } else {
        1.0
    };
    Harness::builder()
        .with_size([size.0 / zoom, size.1 / zoom])
        .with_step_dt(step)
        .build_eframe(move |cc| {
            UdpLabApp::with_settings(&cc.egui_ctx, settings, StartOptions::default())
        })
}

/// Starts the server, points the client at it and returns its port.
fn serve(h: &mut Harness<'_, UdpLabApp>) -> u16 {
    h.run_steps(2);
    h.state_mut().run(Command::StartServer);
    wait_for(h, "the server to listen", |app| {
        listening_port(app).is_some()
    });
    let port = listening_port(h.state()).unwrap_or_default();
    h.state_mut().settings.target = format!("127.0.0.1:{port}");
    port
}

/// The teacher's demo ("send 20 with 30 % loss"), to its end.
fn demo(h: &mut Harness<'_, UdpLabApp>) {
    h.state_mut().run(Command::StartDemo);
    wait_for(h, "the demo to end", |app| {
        app.demo.is_none() && !app.client.busy()
    });
    h.run_steps(4);
}

fn view_rect(h: &Harness<'_, UdpLabApp>, at: &str) -> egui::Rect {
    let Some(rect) = h.state().views.content_rect else {
        panic!("{at}: no view drawn");
    };
    rect.intersect(h.ctx.content_rect())
}

fn inside(what: &str, rect: egui::Rect, area: egui::Rect, at: &str) {
    assert!(
        area.expand(0.5).contains_rect(rect),
        "{at}: {what} {rect:?} is not inside {area:?}"
    );
}

/// How many of `labels` are drawn whole inside `area`.
fn shown_in(h: &Harness<'_, UdpLabApp>, labels: &[String], area: egui::Rect) -> usize {
    labels
        .iter()
        .filter(|text| {
            h.query_all_by_label(text)
                .any(|n| area.expand(0.5).contains_rect(n.rect()))
        })
        .count()
}

/// Clicks a tab at its centre (a pointer click: whatever covers it would
/// take the click instead) and checks that the view switched.
fn click_tab(h: &mut Harness<'_, UdpLabApp>, view: View, at: &str) {
    let title = crate::app::views::tab_title(h.state(), view).get(h.state().lang);
    h.get_by_label(title).click();
    h.run_steps(3);
    assert_eq!(h.state().settings.view, view, "{at}: the tab {title:?}");
}

/// Texts cut at the side by their clip rect ("Очисти…" drawn as "Очисти"):
/// each painted text that shows at all lies whole across its clip rect.
/// A text cut at the top or bottom is a scrolled list's edge row, not a
/// clipped label.
/// Two kinds scroll sideways by design: a text field's text and a line of
/// a program in Code (never wrapped, so its indentation stays Python's).
fn clipped_texts(h: &Harness<'_, UdpLabApp>) -> Vec<String> {
    let window = h.ctx.content_rect();
    let fields: Vec<egui::Rect> = h
        .query_all(egui_kittest::kittest::by().role(egui::accesskit::Role::TextInput))
        .map(|n| n.rect())
        .collect();
    let source: std::collections::HashSet<String> = [Role::Server, Role::Client]
        .iter()
        .flat_map(|&role| {
            let program = crate::app::views::code::program(h.state(), role);
            program
                .source
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    crate::app::test_util::painted_texts(h)
        .into_iter()
        .filter(|t| {
            let clip = t.clip.intersect(window);
            !t.rotated
                && !source.contains(&t.text)
                && !fields
                    .iter()
                    .any(|f| f.expand(1.0).contains(t.rect.left_top()))
                && !t.text.trim().is_empty()
                && t.rect.intersects(clip)
                && (t.rect.left() < clip.left() - 1.0 || t.rect.right() > clip.right() + 1.0)
        })
        .map(|t| format!("{:?} {:?} clipped to {:?}", t.text, t.rect, t.clip))
        .collect()
}

fn assert_nothing_clipped(h: &Harness<'_, UdpLabApp>, at: &str) {
    let clipped = clipped_texts(h);
    assert!(clipped.is_empty(), "{at}: {clipped:#?}");
}

#[test]
fn the_view_is_the_stage_at_every_class_size() {
    for (w, hgt) in SCREENS {
        for presentation in [false, true] {
            for lang in Lang::ALL {
                let at = format!("{w}×{hgt}, presentation {presentation}, {lang:?}");
                let mut h = app_at((w, hgt), lang, presentation);
                serve(&mut h);
                demo(&mut h);
                let window = h.ctx.content_rect();
                let short = presentation || window.height() < SHORT_WINDOW;

                // The demo shows the diagram: the view has most of the height.
                assert_eq!(h.state().settings.view, View::Diagram, "{at}");
                let view = view_rect(&h, &at);
                if short {
                    assert!(
                        view.height() >= 0.55 * window.height(),
                        "{at}: the view has {} of {} points",
                        view.height(),
                        window.height()
                    );
                    assert!(h.state().layout.folded, "{at}: the panels fold");
                }
                // Its arrows, each ✗ of those on screen, and the lost count.
                let app = h.state();
                let on_screen = &app.views.diagram.on_screen;
                assert!(
                    on_screen.len() >= 6,
                    "{at}: {} arrows {on_screen:?} in {view:?} window {window:?}",
                    on_screen.len()
                );
                let mut crosses = 0;
                for &(id, from, to) in on_screen {
                    let dropped = app.session.datagram(id).is_some_and(|d| d.sim.dropped);
                    if dropped && view.contains(from) {
                        inside(
                            "a ✗",
                            egui::Rect::from_center_size(to, egui::vec2(8.0, 8.0)),
                            view,
                            &at,
                        );
                        crosses += 1;
                    }
                }
                assert!(
                    crosses > 0,
                    "{at}: no ✗ on screen: {on_screen:?} in {view:?}, dropped {:?} all dropped {:?}",
                    app.session
                        .datagrams
                        .iter()
                        .filter(|d| d.sim.dropped)
                        .map(|d| d.id)
                        .collect::<Vec<_>>(),
                    on_screen
                        .iter()
                        .filter(|(id, _, _)| app
                            .session
                            .datagram(*id)
                            .is_some_and(|d| d.sim.dropped))
                        .collect::<Vec<_>>()
                );
                let lost = app.client.stats.lost();
                assert!(lost > 0, "{at}: the demo lost nothing");
                let lost_text = fill(T::DiagramLost.get(lang), &[("count", &lost)]);
                inside(
                    "the lost count",
                    h.get_by_label(&lost_text).rect(),
                    view,
                    &at,
                );
                assert_nothing_clipped(&h, &format!("{at}, diagram"));
                // Lifeline heads side by side, never overlapping.
                let heads = &app.views.diagram.heads;
                for (i, a) in heads.iter().enumerate() {
                    inside("a lifeline head", *a, view, &at);
                    for b in &heads[i + 1..] {
                        assert!(!a.intersects(*b), "{at}: heads {a:?} and {b:?} overlap");
                    }
                }

                // Every tab switches by a click at its centre.
                click_tab(&mut h, View::Code, &at);
                let view = view_rect(&h, &at);
                // Its rows, by their line numbers, whole in the view.
                let program = crate::app::views::code::program(h.state(), Role::Server);
                let count = program.source.lines().count();
                let digits = count.to_string().len();
                let numbers: Vec<String> = (1..=count).map(|n| format!("{n:>digits$}")).collect();
                assert_nothing_clipped(&h, &format!("{at}, code"));
                let code = shown_in(&h, &numbers, view);
                assert!(code >= 12, "{at}: {code} lines of server.py on screen");

                // A request of three rows of bytes, picked: Anatomy shows it.
                let long = "Hello, server: a request three rows of bytes long";
                h.state_mut().settings.message = long.into();
                h.state_mut().run(Command::Send);
                wait_for(&mut h, "the long request's answer", |app| {
                    !app.client.busy()
                        && app
                            .session
                            .datagrams
                            .iter()
                            .any(|d| d.bytes.len() == long.len())
                });
                let request = h
                    .state()
                    .session
                    .datagrams
                    .iter()
                    .rfind(|d| d.bytes.len() == long.len())
                    .map(|d| d.id);
                h.state_mut().run(Command::SelectDatagram(request));
                click_tab(&mut h, View::Anatomy, &at);
                let view = view_rect(&h, &at);
                for field in [
                    T::AnatomySrcPort,
                    T::AnatomyDstPort,
                    T::AnatomyLength,
                    T::AnatomyChecksum,
                ] {
                    let name = fill(T::AnatomyField.get(lang), &[("name", &field.get(lang))]);
                    let name = name.split("{value}").next().unwrap_or_default().to_owned();
                    let node = h.get_by_label_contains(&name);
                    inside(field.get(lang), node.rect(), view, &at);
                }
                // And two rows of its bytes under them.
                let rows: Vec<String> = ["0000  ", "0010  "].map(String::from).into();
                let bytes = h
                    .query_all(egui_kittest::kittest::by().predicate(|_| true))
                    .filter(|n| {
                        let ak = n.accesskit_node();
                        let text = ak.value().or(ak.label()).unwrap_or_default();
                        rows.iter().any(|r| text.starts_with(r.as_str()))
                            && view.expand(0.5).contains_rect(n.rect())
                    })
                    .count();
                let found: Vec<_> = h
                    .query_all(egui_kittest::kittest::by().predicate(|_| true))
                    .filter_map(|n| {
                        let ak = n.accesskit_node();
                        let text = ak.value().or(ak.label()).unwrap_or_default().to_owned();
                        text.starts_with("00").then(|| (text, n.rect()))
                    })
                    .collect();
                assert!(
                    bytes >= 2,
                    "{at}: {bytes} rows of bytes in {view:?}: {found:?}"
                );
                assert_nothing_clipped(&h, &format!("{at}, anatomy"));

                click_tab(&mut h, View::Trace, &at);
                let view = view_rect(&h, &at);
                let rows = [T::Server, T::Client]
                    .iter()
                    .map(|side| {
                        h.query_all_by_label(side.get(lang))
                            .filter(|n| view.expand(0.5).contains_rect(n.rect()))
                            .count()
                    })
                    .sum::<usize>();
                assert!(rows >= 8, "{at}: {rows} socket calls on screen");
                assert_nothing_clipped(&h, &format!("{at}, trace"));
                click_tab(&mut h, View::Diagram, &at);
            }
        }
    }
}

#[test]
fn f_gives_the_view_the_window_and_esc_brings_the_panels_back() {
    for lang in Lang::ALL {
        let at = format!("{lang:?}");
        let mut h = app_at((1280.0, 800.0), lang, true);
        serve(&mut h);
        let start = T::Stop.get(lang);
        assert!(h.query_by_label(start).is_some(), "{at}: the panels first");
        h.key_press(egui::Key::F);
        h.run_steps(3);
        assert!(h.state().layout.focus, "{at}: F");
        assert!(
            h.query_by_label(start).is_none(),
            "{at}: no panels in focus"
        );
        let window = h.ctx.content_rect();
        let view = view_rect(&h, &at);
        assert!(
            view.height() >= 0.7 * window.height() && view.bottom() >= window.bottom() - 12.0,
            "{at}: the view {view:?} in {window:?}"
        );
        // Enter sends from here; the status line shows the answer.
        h.key_press(egui::Key::Enter);
        wait_for(&mut h, "the answer", |app| {
            matches!(
                app.client.outcome,
                Some(crate::app::Outcome::Response { .. })
            )
        });
        h.run_steps(2);
        let answer = fill(
            T::ResponseFromServer.get(lang),
            &[("text", &"Hello, client")],
        );
        h.get_by_label_contains(&answer);
        // Pause and step still work (the time strip's keys).
        h.key_press(egui::Key::Space);
        h.run_steps(2);
        assert!(!h.state().time.is_live(), "{at}: Space pauses");
        h.key_press(egui::Key::End);
        h.run_steps(2);
        h.key_press(egui::Key::Escape);
        h.run_steps(3);
        assert!(!h.state().layout.focus, "{at}: Esc");
        assert!(h.query_by_label(start).is_some(), "{at}: the panels back");
        // The tab row's button does the same.
        h.get_by_label(T::FocusName.get(lang)).click();
        h.run_steps(3);
        assert!(h.state().layout.focus, "{at}: the button");
        h.key_press(egui::Key::F);
        h.run_steps(3);
        assert!(!h.state().layout.focus, "{at}: F again");
    }
}

#[test]
fn the_divider_is_dragged_remembered_per_mode_and_reset_by_a_double_click() {
    let mut h = app_stepping((1280.0, 800.0), Lang::En, false, 0.05);
    h.run_steps(3);
    let before = view_rect(&h, "default");
    let Some(divider) = h.state().layout.divider else {
        panic!("no divider");
    };
    // Drag it down by 120 points: the view gets less, the panels more.
    let from = divider.center();
    h.hover_at(from);
    h.run_steps(1);
    h.drag_at(from);
    h.run_steps(1);
    for step in 1..=4 {
        h.hover_at(from + egui::vec2(0.0, 30.0 * step as f32));
        h.run_steps(1);
    }
    h.drop_at(from + egui::vec2(0.0, 120.0));
    h.run_steps(3);
    let dragged = view_rect(&h, "dragged");
    assert!(
        (before.height() - dragged.height() - 120.0).abs() < 12.0,
        "{before:?} → {dragged:?}"
    );
    assert!(h.state().settings.tools.views_share.is_some());
    assert!(!h.state().layout.folded, "the panels unfold with room");
    // Presentation mode has its own split (the default).
    h.state_mut().run(Command::SetPresentation(true));
    h.run_steps(3);
    assert_eq!(h.state().settings.tools.views_share_presentation, None);
    h.state_mut().run(Command::SetPresentation(false));
    h.run_steps(3);
    let back = view_rect(&h, "back");
    assert!((back.height() - dragged.height()).abs() < 2.0, "{back:?}");
    // A double-click: the default again.
    let Some(divider) = h.state().layout.divider else {
        panic!("no divider");
    };
    let grip = h
        .get_by_label(T::LayoutDividerName.get(Lang::En))
        .rect()
        .center();
    h.hover_at(grip);
    h.step();
    for pressed in [true, false, true, false] {
        h.event(egui::Event::PointerButton {
            pos: grip,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        h.step();
    }
    h.run_steps(3);
    assert_eq!(h.state().settings.tools.views_share, None, "{divider:?}");
    let reset = view_rect(&h, "reset");
    assert!((reset.height() - before.height()).abs() < 2.0, "{reset:?}");
}

#[test]
fn more_unfolds_the_panels_and_fold_brings_the_compact_form_back() {
    for lang in Lang::ALL {
        let mut h = app_at((1024.0, 768.0), lang, true);
        h.run_steps(3);
        assert!(h.state().layout.folded, "{lang:?}");
        let timeout = T::Timeout.get(lang);
        assert!(h.query_by_label(timeout).is_none(), "{lang:?}: folded");
        let more = h.query_all_by_label(T::LayoutMore.get(lang)).next();
        let Some(more) = more else {
            panic!("{lang:?}: no More");
        };
        more.click();
        h.run_steps(3);
        assert!(!h.state().layout.folded, "{lang:?}: More");
        assert!(
            h.query_by_label(timeout).is_some(),
            "{lang:?}: every setting"
        );
        // The tabs are still there and switch.
        click_tab(&mut h, View::Code, &format!("{lang:?} unfolded"));
        h.get_by_label(T::LayoutFewer.get(lang)).click();
        h.run_steps(3);
        assert!(h.state().layout.folded, "{lang:?}: folded again");
    }
}

#[test]
fn the_folded_server_says_why_it_did_not_start_and_warns_before_it_binds() {
    use crate::app::Command;
    use crate::net::Protocol;
    for lang in Lang::ALL {
        for protocol in [Protocol::Udp, Protocol::Tcp, Protocol::Http] {
            let at = format!("{lang:?} {protocol:?}");
            let mut h = app_at((1024.0, 768.0), lang, true);
            h.state_mut().run(Command::SetServerProtocol(protocol));
            h.run_steps(3);
            assert!(h.state().layout.folded, "{at}");
            // A port out of range: Start cannot bind, and says so folded.
            let bind = if protocol == Protocol::Http {
                &mut h.state_mut().settings.http_bind
            } else {
                &mut h.state_mut().settings.bind
            };
            *bind = "127.0.0.1:99999".into();
            h.state_mut().run(Command::StartServer);
            h.run_steps(3);
            let error = h.state().server.bind_error.clone().expect("a bind error");
            h.get_by_label(&crate::app::i18n::addr_error(lang, &error));
            // All interfaces: the warning before it binds.
            let bind = if protocol == Protocol::Http {
                &mut h.state_mut().settings.http_bind
            } else {
                &mut h.state_mut().settings.bind
            };
            *bind = "0.0.0.0:0".into();
            h.state_mut().server.bind_error = None;
            h.run_steps(3);
            h.get_by_label(T::ExposedAllInterfaces.get(lang));
            assert!(h.state().layout.folded, "{at}: still folded");
        }
    }
}

#[test]
fn f1_and_the_question_mark_open_the_help_in_the_windows_language() {
    for lang in Lang::ALL {
        let mut h = app_at((1280.0, 800.0), lang, true);
        h.run_steps(2);
        let line = T::HelpKeySpace.get(lang);
        assert!(h.query_by_label(line).is_none());
        h.key_press(egui::Key::F1);
        h.run_steps(3);
        h.get_by_label(line);
        h.get_by_label_contains(T::HelpStep2.get(lang));
        h.key_press(egui::Key::Escape);
        h.run_steps(3);
        assert!(h.query_by_label(line).is_none(), "{lang:?}: Esc closes it");
        h.get_by_label(T::HelpName.get(lang)).click();
        h.run_steps(3);
        h.get_by_label(line);
    }
}

/// Issue 29: Help has the guide in the window's language; a contents link
/// scrolls to its section, on a projector's 1024×768 in presentation mode.
#[test]
fn help_reads_the_guide_in_the_windows_language_and_its_contents_scroll() {
    use crate::lab::guide::{self, Block, Span};
    for lang in Lang::ALL {
        let mut h = app_at((1024.0, 768.0), lang, true);
        h.run_steps(2);
        h.key_press(egui::Key::F1);
        h.run_steps(3);
        h.get_by_label(T::HelpGuideTab.get(lang)).click();
        h.run_steps(3);
        assert!(h.state().layout.guide, "{lang:?}");
        let blocks = guide::parse(guide::source(lang));
        let headings: Vec<&str> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        // The guide's own title, in this language.
        let title = h.get_by_label(headings[0]).rect();
        let screen = h.ctx.content_rect();
        assert!(screen.contains_rect(title), "{lang:?}: the title is shown");
        // The contents' last link: a section far down.
        let (words, anchor) = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Item { spans, .. } => spans.iter().find_map(|s| match s {
                    Span::Link(w, t) if t.starts_with('#') => Some((w.clone(), t.clone())),
                    _ => None,
                }),
                _ => None,
            })
            .next_back()
            .expect("the guide has contents");
        let heading = blocks
            .iter()
            .find_map(|b| match b {
                Block::Heading {
                    text, anchor: a, ..
                } if *a == anchor[1..] => Some(text.clone()),
                _ => None,
            })
            .expect("its heading");
        // The heading, not the contents' link of the same words.
        let heading_rect = |h: &Harness<'static, UdpLabApp>| {
            h.query_all_by_label(&heading)
                .filter(|n| n.accesskit_node().role() != egui::accesskit::Role::Link)
                .map(|n| n.rect())
                .next()
                .expect("the heading is laid out")
        };
        let before = heading_rect(&h);
        assert!(
            before.top() > screen.bottom(),
            "{lang:?}: {heading} starts out of sight"
        );
        h.query_all_by_label(&words)
            .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Link)
            .expect("the contents link")
            .click();
        h.run_steps(4);
        let shown = screen.contains_rect(heading_rect(&h));
        assert!(shown, "{lang:?}: the link scrolled to {heading}");
        // Back to the keys and views.
        h.get_by_label(T::HelpShortTab.get(lang)).click();
        h.run_steps(3);
        h.get_by_label(T::HelpKeySpace.get(lang));
    }
}

/// The server's status ("Listening on 127.0.0.1 port 48028") is never cut
/// by the panel's edge: in the full panels of a window just wide enough
/// for the heading, the choice and the status, or not, it is whole (the
/// Windows build's e2e read "port 4802" off a clipped one).
#[test]
fn the_servers_status_is_never_cut_by_the_panel() {
    use crate::app::panels::server::status_text;
    for lang in Lang::ALL {
        for width in [760.0, 860.0, 960.0, 1100.0, 1280.0] {
            let mut h = app_at((width, 860.0), lang, false);
            // The full panels ("More" in a window that folds them).
            h.state_mut().layout.unfolded = true;
            h.run_steps(2);
            assert!(!h.state().layout.folded, "{width}: the full panels");
            h.state_mut().act(crate::app::Command::StartServer);
            wait_for(&mut h, "the server to listen", |app| {
                listening_port(app).is_some()
            });
            h.run_steps(2);
            let status = status_text(lang, &h.state().server.status());
            let label = h.get_by_label_contains(&status).rect();
            // The client panel's heading: the topmost of that name.
            let client = h
                .query_all_by_label(T::Client.get(lang))
                .map(|n| n.rect())
                .min_by(|a, b| a.top().total_cmp(&b.top()))
                .expect("the client's heading");
            // The server's HTTP choice: the leftmost of that name.
            let choice = h
                .query_all_by_label("HTTP")
                .map(|n| n.rect())
                .min_by(|a, b| a.left().total_cmp(&b.left()))
                .expect("the server's protocol choice");
            let clear_of_choice = label.left() > choice.right() || label.top() >= choice.bottom();
            assert!(
                label.right() < client.left() && clear_of_choice,
                "{lang:?} at {width}: {status:?} at {label:?}, the choice at {choice:?}, \
                 the client's heading at {client:?}"
            );
            h.state_mut().act(crate::app::Command::StopServer);
            h.run_steps(2);
        }
    }
}

/// Issue 23, item 12: `--run-script` shows the run.
#[test]
fn run_script_opens_the_scripts_window() {
    use crate::app::test_util::{fixture, have_python};
    if !have_python() {
        return;
    }
    let start = StartOptions {
        run_script: Some(fixture("server.py")),
        script_args: Some("127.0.0.1 0 1".into()),
        ..StartOptions::default()
    };
    let settings = Settings {
        lang: Some(Lang::En),
        ..Settings::default()
    };
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| UdpLabApp::with_settings(&cc.egui_ctx, settings, start));
    h.run_steps(3);
    assert!(h.state().scripts.open);
    h.get_by_label(T::ScriptsTitle.get(Lang::En));
    h.state_mut().scripts.stop_all();
}

/// Issue 24, item 6: presenting, the Socket calls' step column and the RTT
/// plots' captions and numbers are body-sized and no fainter than the
/// high-contrast theme's weak text.
#[test]
fn presenting_the_step_column_and_the_plots_are_body_sized_and_not_faint() {
    use crate::app::test_util::{contrast, painted_texts};
    for (size, lang) in [(1024.0, 768.0), (1920.0, 1080.0)]
        .into_iter()
        .flat_map(|size| Lang::ALL.map(|lang| (size, lang)))
    {
        let at = format!("{size:?} {lang:?}");
        let mut h = app_at(size, lang, true);
        h.state_mut().layout.unfolded = true;
        serve(&mut h);
        demo(&mut h);
        click_tab(&mut h, View::Trace, &at);
        h.run_steps(2);
        let style = h.ctx.global_style();
        let body = egui::TextStyle::Body.resolve(&style).size;
        let bg = style.visuals.panel_fill;
        let weak = contrast(style.visuals.weak_text_color(), bg);
        assert!(weak >= 7.0, "{at}: the high-contrast theme's weak text");
        let legible = |what: &str, text: &crate::app::test_util::PaintedText| {
            for &(color, size) in &text.sections {
                assert!(
                    size >= body - 0.01 && contrast(color, bg) >= weak - 0.01,
                    "{at}: {what} {:?} in {color:?} at {size} (body {body}, weak contrast {weak})",
                    text.text
                );
            }
        };
        let view = view_rect(&h, &at);
        let texts = painted_texts(&h);
        let steps: std::collections::HashSet<String> = h
            .state()
            .session
            .trace
            .iter()
            .map(|r| crate::app::i18n::step_text(lang, r.lab_step()))
            .collect();
        let step_column: Vec<_> = texts
            .iter()
            .filter(|t| steps.contains(&t.text) && view.contains_rect(t.rect))
            .collect();
        assert!(step_column.len() >= 3, "{at}: {} steps", step_column.len());
        step_column.iter().for_each(|t| legible("the step", t));

        let titles = [T::RttPlotTitle, T::RatePlotTitle].map(|k| k.get(lang));
        let captions: Vec<_> = texts
            .iter()
            .filter(|t| titles.contains(&t.text.as_str()))
            .collect();
        if size.0 < 1920.0 {
            // The client panel's plots are under its fold here.
            continue;
        }
        assert_eq!(captions.len(), 2, "{at}: the plots' captions");
        captions.iter().for_each(|t| legible("a plot's caption", t));
        // The plots' numbers: under the captions, within the plots' height.
        let top = captions[0].rect.bottom();
        let numbers: Vec<_> = texts
            .iter()
            .filter(|t| {
                !t.text.is_empty()
                    && t.text
                        .chars()
                        .all(|c| c.is_ascii_digit() || ",.-−".contains(c))
                    && t.rect.top() >= top
                    && t.rect.top() <= top + 160.0
            })
            .collect();
        assert!(numbers.len() >= 2, "{at}: {} plot numbers", numbers.len());
        numbers.iter().for_each(|t| legible("a plot's number", t));
    }
}

/// Issue 24: the top arrow's label is never under the lifeline heads (the
/// heads stay put above the scrolling arrows): after one exchange it shows
/// whole, below the heads, at every class size.
#[test]
fn the_top_arrows_label_is_under_no_lifeline_head() {
    for (w, hgt) in SCREENS {
        for lang in Lang::ALL {
            let at = format!("{w}×{hgt} {lang:?}");
            let mut h = app_at((w, hgt), lang, true);
            serve(&mut h);
            h.state_mut().run(Command::Send);
            wait_for(&mut h, "the answer", |app| {
                !app.client.busy() && app.client.outcome.is_some()
            });
            h.state_mut().run(Command::ShowView(View::Diagram));
            h.run_steps(3);
            let label = fill(
                T::DiagramLabel.get(lang),
                &[("len", &13), ("text", &"Hello, server")],
            );
            let heads = h.state().views.diagram.heads.clone();
            let below = heads.iter().map(|r| r.bottom()).fold(0.0, f32::max);
            let texts = crate::app::test_util::painted_texts(&h);
            let Some(top) = texts.iter().find(|t| t.text == label) else {
                panic!("{at}: no {label:?}");
            };
            assert!(
                top.rect.top() >= below && top.clip.expand(0.5).contains_rect(top.rect),
                "{at}: {label:?} {:?} clipped to {:?}, heads end at {below}",
                top.rect,
                top.clip
            );
            // After the demo, the newest loss at the top: no arrow's label
            // half hidden under the heads.
            demo(&mut h);
            let view = view_rect(&h, &at);
            let cut: Vec<String> = crate::app::test_util::painted_texts(&h)
                .into_iter()
                .filter(|t| {
                    // Labels (an older ✗ may peek in from above: scrolled).
                    t.text.chars().count() > 1
                        && t.rect.intersects(view)
                        && t.rect.intersects(t.clip)
                        && t.rect.top() < t.clip.top() - 1.0
                })
                .map(|t| format!("{:?} {:?} clipped to {:?}", t.text, t.rect, t.clip))
                .collect();
            assert!(cut.is_empty(), "{at}: {cut:#?}");
        }
    }
}

/// Issue 24, item 8: narrower than the right dock needs, the scripts panel
/// docks under the views: it hides no part of them, and the tabs switch.
#[test]
fn the_scripts_panel_docks_under_the_views_in_a_narrow_window() {
    for (size, presentation) in [((1024.0, 768.0), false), ((1024.0, 768.0), true)] {
        let at = format!("{size:?} presentation {presentation}");
        let mut h = app_at(size, Lang::Ru, presentation);
        h.run_steps(2);
        h.state_mut().run(Command::ToggleScripts);
        h.run_steps(3);
        let title = h.get_by_label(T::ScriptsTitle.get(Lang::Ru)).rect();
        let view = view_rect(&h, &at);
        assert!(
            view.bottom() <= title.top(),
            "{at}: the view {view:?}, the scripts' title {title:?}"
        );
        click_tab(&mut h, View::Code, &at);
    }
}

mod http;
mod http_anatomy;
mod tcp;
