//! The time cursor in the real window, on real loopback sockets: pause
//! while traffic goes on, step every view together, play at a pace the
//! harness's clock drives, the demo step by step, the keys.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::app::test_util::{harness, set_text, start_server, wait_for};
use crate::app::views::code::Glow;
use crate::app::{Command, UdpLabApp, View};
use crate::lab::code::Role;
use crate::lab::session::{Call, Side};
use crate::lab::timeline::{Move, Speed};

/// A server, one full lab exchange (the client closed), the trace shown.
fn one_exchange() -> Harness<'static, UdpLabApp> {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    send_and_wait(&mut h, 1);
    h
}

fn closes(app: &UdpLabApp) -> usize {
    app.session
        .trace
        .iter()
        .filter(|r| r.side == Side::Client && r.call == Call::Close)
        .count()
}

/// Sends and waits until both ends have reported `exchanges` exchanges in
/// all: the client's close, and the server's read and reply (its thread
/// may report after the client's).
fn send_and_wait(h: &mut Harness<'_, UdpLabApp>, exchanges: usize) {
    h.get_by_label("Send").click();
    wait_for(h, "the exchange to close", |app| {
        let replies = app
            .session
            .trace
            .iter()
            .filter(|r| r.side == Side::Server && matches!(r.call, Call::SendTo { .. }))
            .count();
        !app.client.busy() && closes(app) >= exchanges && replies >= exchanges
    });
}

fn show(h: &mut Harness<'_, UdpLabApp>, tab: &str) {
    h.get_by_label(tab).click();
    h.run_steps(2);
}

/// The cursor's call: (side, handout step, is a datagram's).
fn at_cursor(app: &UdpLabApp) -> (Side, Option<u8>, bool) {
    let i = app
        .time
        .index(&app.session)
        .expect("the cursor stands on a call");
    let row = &app.session.trace[i];
    (
        row.side,
        row.call.lab_step(row.side),
        row.datagram.is_some(),
    )
}

/// The Code view's line lit as "now".
fn lit_now(h: &mut Harness<'_, UdpLabApp>) -> Vec<(Role, u8)> {
    show(h, "Code");
    h.state()
        .views
        .code
        .drawn
        .iter()
        .filter(|(_, _, glow)| *glow == Glow::Now)
        .map(|(role, step, _)| (*role, *step))
        .collect()
}

fn click_strip(h: &mut Harness<'_, UdpLabApp>, name: &str) {
    h.get_by_label(name).click();
    h.run_steps(2);
}

#[test]
fn pause_keeps_every_view_while_traffic_goes_on_and_counts_it() {
    let mut h = one_exchange();
    show(&mut h, "Sequence diagram");
    h.get_by_label("Click an arrow to see the datagram's anatomy.");
    click_strip(&mut h, "Pause");
    assert!(!h.state().time.is_live());
    let calls_then = h.state().session.trace.len();
    h.get_by_label("2 of 2 datagrams up to the cursor");
    h.get_by_label(&format!("call {calls_then} of {calls_then}"));
    let shown_then = h.state().selected_datagram;
    assert!(
        shown_then.is_some(),
        "the anatomy shows the cursor's datagram"
    );

    // Traffic goes on: recorded and counted, the views stay.
    send_and_wait(&mut h, 2);
    let new = h.state().session.trace.len() - calls_then;
    assert!(new >= 4, "socket, sendto, recvfrom, close at least: {new}");
    h.get_by_label(&format!("{new} new calls since"));
    h.get_by_label("2 of 4 datagrams up to the cursor");
    h.get_by_label(&format!("call {calls_then} of {}", calls_then + new));
    assert_eq!(h.state().selected_datagram, shown_then);
    h.get_by_label("1 newer not shown");

    // Live again: the newest, no badge.
    click_strip(&mut h, "Live");
    assert!(h.state().time.is_live());
    assert!(h.query_by_label_contains("Replaying").is_none());
    assert!(h.query_by_label_contains("new calls since").is_none());
    h.get_by_label("Click an arrow to see the datagram's anatomy.");
}

#[test]
fn stepping_moves_the_trace_the_diagram_the_anatomy_and_the_code_together() {
    let mut h = one_exchange();
    click_strip(&mut h, "Pause");
    click_strip(&mut h, "To start");
    assert_eq!(h.state().time.index(&h.state().session), Some(0));
    assert_eq!(at_cursor(h.state()), (Side::Server, Some(4), false));
    assert_eq!(lit_now(&mut h), vec![(Role::Server, 4)]);
    show(&mut h, "Sequence diagram");
    h.get_by_label("0 of 2 datagrams up to the cursor");

    // The request leaves the client: step 6.
    click_strip(&mut h, "Next datagram");
    assert_eq!(at_cursor(h.state()), (Side::Client, Some(6), true));
    let request = h.state().selected_datagram.expect("the request");
    h.get_by_label("1 of 2 datagrams up to the cursor");
    show(&mut h, "Datagram anatomy");
    h.get_by_label_contains("datagram 1 of 2");
    assert_eq!(lit_now(&mut h), vec![(Role::Client, 6)]);
    show(&mut h, "Socket calls");
    let cursor = h.state().time.index(&h.state().session);

    // One call on: the server reads it (step 7), the same datagram.
    click_strip(&mut h, "Step forward");
    assert_eq!(at_cursor(h.state()), (Side::Server, Some(7), true));
    assert_eq!(
        h.state().time.index(&h.state().session),
        cursor.map(|i| i + 1)
    );
    assert_eq!(h.state().selected_datagram, Some(request));
    assert!(lit_now(&mut h).contains(&(Role::Server, 7)));

    // The reply: the server's sendto (10), the second datagram.
    click_strip(&mut h, "Next datagram");
    assert_eq!(at_cursor(h.state()), (Side::Server, Some(10), true));
    assert_ne!(h.state().selected_datagram, Some(request));
    show(&mut h, "Sequence diagram");
    h.get_by_label("2 of 2 datagrams up to the cursor");
    show(&mut h, "Datagram anatomy");
    h.get_by_label_contains("datagram 2 of 2");
    assert!(lit_now(&mut h).contains(&(Role::Server, 10)));

    // And back.
    click_strip(&mut h, "Step back");
    assert_eq!(at_cursor(h.state()), (Side::Server, Some(7), true));
    assert_eq!(h.state().selected_datagram, Some(request));
    click_strip(&mut h, "Previous datagram");
    assert_eq!(at_cursor(h.state()), (Side::Client, Some(6), true));
    show(&mut h, "Sequence diagram");
    h.get_by_label("1 of 2 datagrams up to the cursor");
}

#[test]
fn a_click_on_a_trace_row_while_paused_puts_the_cursor_there() {
    let mut h = one_exchange();
    click_strip(&mut h, "Pause");
    click_strip(&mut h, "To start");
    // The bind row (no datagram) can be clicked too while paused.
    h.get_by_label_contains("bind(127.0.0.1:").click();
    h.run_steps(2);
    assert_eq!(at_cursor(h.state()), (Side::Server, Some(5), false));
    assert_eq!(lit_now(&mut h), vec![(Role::Server, 5)]);
}

#[test]
fn the_keys_work_unless_a_field_is_being_typed_in() {
    let mut h = one_exchange();
    let last = h.state().session.trace.len() - 1;
    // Out of the address field typed in last (Escape, as a user would).
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    h.key_press(egui::Key::Space);
    h.run_steps(2);
    assert_eq!(h.state().time.index(&h.state().session), Some(last));
    h.key_press(egui::Key::Home);
    h.run_steps(2);
    assert_eq!(h.state().time.index(&h.state().session), Some(0));
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(2);
    assert_eq!(h.state().time.index(&h.state().session), Some(1));
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::ArrowRight);
    h.run_steps(2);
    assert_eq!(at_cursor(h.state()), (Side::Client, Some(6), true));
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(2);
    assert!(
        !at_cursor(h.state()).2,
        "the call before the request sends nothing"
    );
    // Typing in a field: the arrows move the text cursor, not time.
    let before = h.state().time.index(&h.state().session);
    h.get_by_label("Message").click();
    h.run_steps(1);
    h.key_press(egui::Key::ArrowRight);
    h.key_press(egui::Key::End);
    h.run_steps(2);
    assert_eq!(h.state().time.index(&h.state().session), before);
    assert!(!h.state().time.is_live());
    // Out of the field, End returns to live.
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    h.key_press(egui::Key::End);
    h.run_steps(2);
    assert!(h.state().time.is_live());
    assert!(h.query_by_label_contains("Replaying").is_none());
}

/// Frames until the cursor stands on call `until`: (harness time of each
/// frame it moved in, the call it moved to).
fn record_steps(h: &mut Harness<'_, UdpLabApp>, until: usize) -> Vec<(f64, usize)> {
    let mut steps = Vec::new();
    let mut last = h.state().time.index(&h.state().session);
    for _ in 0..400 {
        h.step();
        let index = h.state().time.index(&h.state().session);
        if index != last {
            let now = h.ctx.input(|i| i.time);
            steps.push((now, index.unwrap_or_default()));
            last = index;
            if index == Some(until) {
                break;
            }
        }
    }
    steps
}

/// Steps frames with the harness's clock held still (playback waits)
/// until `done` holds: socket events arrive from other threads meanwhile.
fn wait_clock_held(h: &mut Harness<'_, UdpLabApp>, what: &str, done: impl Fn(&UdpLabApp) -> bool) {
    let now = h.ctx.input(|i| i.time);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !done(h.state()) {
        h.input_mut().time = Some(now);
        h.step();
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // The harness keeps a time it was given: let it run again.
    h.input_mut().time = None;
}

/// Clicks Play and returns the harness time of the frame it ran in (the
/// time playback counts from).
fn press_play(h: &mut Harness<'_, UdpLabApp>) -> f64 {
    h.get_by_label("Play").click();
    for _ in 0..10 {
        h.step();
        if h.state().time.is_playing() {
            return h.ctx.input(|i| i.time);
        }
    }
    panic!("Play did not play");
}

#[test]
fn play_steps_at_the_chosen_pace_by_the_harness_clock() {
    let mut h = one_exchange();
    click_strip(&mut h, "Pause");
    click_strip(&mut h, "To start");
    // The speed list, then one call a second.
    h.get_by_label("Playback speed").click();
    h.run_steps(2);
    h.get_by_label("1 call/s").click();
    h.run_steps(2);
    assert_eq!(h.state().time.speed, Speed::OnePerSecond);
    assert!(
        !h.state().time.is_playing(),
        "choosing a speed does not play"
    );
    let start = press_play(&mut h);
    let steps = record_steps(&mut h, 3);
    assert_eq!(
        steps.iter().map(|s| s.1).collect::<Vec<_>>(),
        vec![1, 2, 3],
        "one call at a time"
    );
    // Each a second after the one before (the harness steps 0.25 s a frame).
    let mut previous = start;
    for (at, _) in &steps {
        let gap = at - previous;
        assert!(
            (0.99..1.6).contains(&gap),
            "{gap} s between steps: {steps:?}"
        );
        previous = *at;
    }
    click_strip(&mut h, "Pause");
    assert!(!h.state().time.is_playing());
}

#[test]
fn at_the_real_pace_a_burst_plays_with_its_real_gaps_stretched_four_times() {
    let mut h = one_exchange();
    // Three exchanges 300 ms apart.
    h.state_mut().settings.burst_count = 3;
    h.state_mut().settings.burst_interval_ms = 300;
    h.state_mut().run(Command::SendBurst);
    wait_for(&mut h, "the burst", |app| !app.client.busy());
    h.state_mut().run(Command::MoveCursor(Move::ToStart));
    h.state_mut().run(Command::SetSpeed(Speed::Quarter));
    h.run_steps(1);
    let start = press_play(&mut h);
    let rows = h.state().session.trace.len();
    let steps = record_steps(&mut h, rows - 1);
    assert_eq!(
        steps.last().map(|s| s.1),
        Some(rows - 1),
        "played to the end"
    );
    // Where each call is due: the real gaps since the first call, × 4
    // (each at most MAX_GAP); the frame that shows it comes at most one
    // frame (0.25 s) later.
    let trace = &h.state().session.trace;
    let mut due = start;
    let mut checked = 0;
    for i in 1..rows {
        let gap = trace[i]
            .at
            .duration_since(trace[i - 1].at)
            .unwrap_or_default();
        due += Speed::Quarter.delay(gap);
        if let Some((at, _)) = steps.iter().find(|(_, index)| *index == i) {
            assert!(*at >= due - 1e-9, "call {i} shown at {at}, due {due}");
            assert!(*at < due + 0.26, "call {i} shown at {at}, due {due}");
            checked += 1;
        }
    }
    assert!(
        checked >= 3,
        "the burst's calls were seen stepping: {steps:?}"
    );
    // The burst's 300 ms pauses play as 1.2 s: some step waits a second.
    let longest = steps
        .windows(2)
        .map(|w| w[1].0 - w[0].0)
        .fold(0.0, f64::max);
    assert!(longest >= 1.0, "{steps:?}");
}

#[test]
fn the_demo_step_by_step_plays_its_burst_one_call_a_second() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    let before = h.state().session.trace.len();
    h.get_by_label("Demo step by step").click();
    h.run_steps(1);
    assert_eq!(h.state().settings.view, View::Diagram);
    assert!(h.state().time.is_playing());
    assert_eq!(
        h.state().time.index(&h.state().session),
        Some(before - 1),
        "it waits on the last call before the demo"
    );
    // The burst is recorded while the clock stands: nothing plays yet.
    wait_clock_held(&mut h, "the demo's burst", |app| !app.client.busy());
    assert_eq!(h.state().time.index(&h.state().session), Some(before - 1));
    let recorded = h.state().time.new_since(&h.state().session);
    assert!(recorded >= 20 * 3, "20 exchanges: {recorded} calls");
    let start = h.ctx.input(|i| i.time);
    let steps = record_steps(&mut h, before + 5);
    assert_eq!(
        steps.iter().map(|s| s.1).collect::<Vec<_>>(),
        (before..before + 6).collect::<Vec<_>>(),
        "the demo's calls, one by one"
    );
    let mut previous = start;
    for (at, _) in &steps {
        let gap = at - previous;
        assert!((0.99..1.01).contains(&gap), "{gap} s: {steps:?}");
        previous = *at;
    }
    assert_eq!(h.get_all_by_label_contains("Replaying").count(), 3);
    h.get_by_label_contains("datagrams up to the cursor");
    click_strip(&mut h, "Live");
    assert!(h.state().time.is_live());
}

#[test]
fn demo_step_by_step_from_the_command_line_starts_the_server_then_plays_the_demo() {
    let start = crate::app::StartOptions {
        bind: Some("127.0.0.1:0".into()),
        lang: Some(crate::app::Lang::En),
        demo_step_by_step: true,
        ..Default::default()
    };
    let mut h = Harness::builder()
        .with_size([1100.0, 700.0])
        .build_eframe(move |cc| {
            UdpLabApp::with_settings(&cc.egui_ctx, crate::app::Settings::default(), start)
        });
    wait_for(&mut h, "the demo", |app| app.demo.is_some());
    assert!(crate::app::test_util::listening_port(h.state()).is_some());
    assert!(h.state().time.is_playing());
    assert_eq!(h.state().time.speed, Speed::OnePerSecond);
    assert_eq!(h.state().settings.view, View::Diagram);
    h.state_mut().run(Command::CancelSend);
}

#[test]
fn opening_a_datagram_from_the_diagram_while_paused_moves_the_cursor_to_its_send() {
    let mut h = one_exchange();
    click_strip(&mut h, "Pause");
    let request = h
        .state()
        .session
        .datagrams
        .front()
        .map(|d| d.id)
        .expect("the request");
    // What a click on its arrow asks for (diagram/tests.rs clicks one).
    h.state_mut().run(Command::OpenDatagram(request));
    h.run_steps(2);
    assert_eq!(at_cursor(h.state()), (Side::Client, Some(6), true));
    assert_eq!(h.state().selected_datagram, Some(request));
    h.get_by_label_contains("datagram 1 of 2");
}

#[test]
fn the_diagram_scrolls_to_the_cursors_datagram() {
    let mut h = one_exchange();
    h.state_mut().settings.burst_count = 15;
    h.state_mut().settings.burst_interval_ms = 0;
    h.state_mut().run(Command::SendBurst);
    wait_for(&mut h, "the burst", |app| !app.client.busy());
    show(&mut h, "Sequence diagram");
    h.state_mut().views.diagram.scroll_to_end = true;
    h.run_steps(3);
    let on_screen = |h: &Harness<'_, UdpLabApp>| -> Vec<u64> {
        h.state()
            .views
            .diagram
            .on_screen
            .iter()
            .map(|a| a.0)
            .collect()
    };
    let first = h.state().session.datagrams.front().map(|d| d.id).unwrap();
    assert!(
        !on_screen(&h).contains(&first),
        "scrolled to the newest arrows, the first is out of sight"
    );
    click_strip(&mut h, "To start");
    click_strip(&mut h, "Next datagram");
    h.run_steps(3);
    assert_eq!(h.state().selected_datagram, Some(first));
    assert!(on_screen(&h).contains(&first), "{:?}", on_screen(&h));
}
