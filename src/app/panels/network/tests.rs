use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use egui_kittest::kittest::Queryable;

use super::*;
use crate::app::test_util::{harness, harness_with, set_text, start_server, wait_for};
use crate::app::{Outcome, Settings};
use crate::lab::session::{Direction, Session};
use crate::net::{
    ClientEvent, ClientEventKind, NetEvent, Received, Reply, ServerEvent, ServerEventKind, SimFate,
    Simulator,
};

fn knob(h: &mut egui_kittest::Harness<'static, UdpLabApp>, name: &str, value: f64) {
    h.get_by_label(name).set_value_accesskit(value);
    h.run_steps(2);
}

#[test]
fn full_loss_set_with_the_widget_times_out_and_the_server_receives_nothing() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Perfect network: every datagram is delivered once, in order");
    knob(&mut h, "Loss", 100.0);
    assert_eq!(h.state().settings.network.loss_percent, 100.0);
    h.get_by_label("Simulator on: 100% loss — each way, requests and replies");

    h.get_by_label("Send").click();
    wait_for(&mut h, "the timeout", |app| {
        matches!(app.client.outcome, Some(Outcome::Failed(_))) && !app.client.busy()
    });
    h.get_by_label_contains("No server answered within 1 s: no answer and no error");
    h.get_by_label("0 received");
    let app = h.state();
    assert_eq!(app.server.total, 0);
    assert_eq!(app.server.handle.as_ref().map(|s| s.received()), Some(0));
    assert_eq!(app.client.stats.dropped_by_simulator, 1);
    // The request's record says why nothing arrived.
    let request = app
        .session
        .datagrams
        .iter()
        .find(|d| d.direction == Direction::Request)
        .expect("the request is recorded");
    assert!(request.sim.dropped);
    assert!(request.received_at.is_none() && request.gave_up_at.is_some());
}

#[test]
fn a_delay_set_while_the_server_runs_reaches_it_and_doubles_in_the_rtt() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    // Set after Start: the running server must take it (replies delayed too).
    knob(&mut h, "Delay", 60.0);
    h.get_by_label("Simulator on: 60 ms delay — each way, requests and replies");
    h.get_by_label("Send").click();
    wait_for(&mut h, "the delayed answer", |app| {
        matches!(app.client.outcome, Some(Outcome::Response { .. }))
    });
    let app = h.state();
    let Some(Outcome::Response { rtt, .. }) = &app.client.outcome else {
        unreachable!("waited for a response");
    };
    assert!(*rtt >= Duration::from_millis(120), "rtt {rtt:?}");
    match &app.server.rows[0].reply {
        Reply::Sent { sim, .. } => assert_eq!(sim.delay, Duration::from_millis(60)),
        other => panic!("the reply was not sent: {other:?}"),
    }
    let sims: Vec<SimFate> = app.session.datagrams.iter().map(|d| d.sim).collect();
    assert!(
        sims.iter()
            .all(|s| s.delay == Duration::from_millis(60) && !s.dropped),
        "{sims:?}"
    );
}

#[test]
fn duplicate_set_with_the_widget_makes_the_server_read_it_twice() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    knob(&mut h, "Duplicate", 100.0);
    h.get_by_label("Send").click();
    wait_for(&mut h, "both copies", |app| {
        app.server.total == 2 && !app.client.busy()
    });
    h.get_by_label("2 received");
    let app = h.state();
    let rows = &app.server.rows;
    assert_eq!(rows[0].rx.bytes, rows[1].rx.bytes);
    assert_eq!(rows[0].rx.from, rows[1].rx.from);
    // Two records of the request, each with both ends, one send.
    let requests: Vec<_> = app
        .session
        .datagrams
        .iter()
        .filter(|d| d.direction == Direction::Request)
        .collect();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(requests.iter().all(|d| d.sim.duplicated
        && d.sent_at.is_some()
        && d.received_at.is_some()
        && d.client.is_some()));
    assert_eq!(requests[0].sent_at, requests[1].sent_at);
}

#[test]
fn a_reordered_request_crosses_the_one_that_overtook_it() {
    let mut h = harness();
    h.state_mut().settings.timeout_secs = 0.1;
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    knob(&mut h, "Reorder", 100.0);
    knob(&mut h, "Burst", 2.0);
    knob(&mut h, "every", 0.0);
    h.get_by_label("Send 2").click();
    wait_for(&mut h, "both requests at the server", |app| {
        app.server.total == 2 && !app.client.busy()
    });
    let app = h.state();
    let record = |seq: u32| {
        app.session
            .datagrams
            .iter()
            .find(|d| d.direction == Direction::Request && d.client.map(|c| c.1) == Some(seq))
            .unwrap_or_else(|| panic!("request {seq} recorded"))
    };
    let (first, second) = (record(0), record(1));
    assert!(first.sim.reordered && !second.sim.reordered);
    // Sent first, arrived last: the arrows cross.
    assert!(first.sent_at < second.sent_at);
    assert!(
        first.received_at > second.received_at,
        "{first:?}\n{second:?}"
    );
    // The held request was not lost: the client timed out on it, then
    // the second one was answered.
    assert_eq!(app.client.stats.answered, 1);
}

#[test]
fn the_demo_sends_20_with_30_percent_loss_and_counts_every_drop() {
    let mut h = harness();
    h.state_mut().settings.timeout_secs = 0.3;
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    knob(&mut h, "every", 0.0);
    let before = h.state().settings.clone();
    h.get_by_label("Demo: send 20 with 30 % loss").click();
    h.run_steps(2);
    h.get_by_label("Simulator on: 30% loss — each way, requests and replies");
    // Saved meanwhile (eframe's autosave), the demo's changes stay out.
    let during = h.state().settings_to_save();
    assert_eq!(
        (during.network, during.burst_count, during.timeout_secs),
        (before.network, before.burst_count, before.timeout_secs)
    );
    wait_for(&mut h, "the demo burst", |app| {
        !app.client.busy() && app.client.stats.sent == DEMO_COUNT
    });
    // The same seed gives the same pattern: work out what must happen.
    let imp = Impairments {
        loss_percent: DEMO_LOSS_PERCENT,
        seed: DEMO_SEED,
        ..Impairments::default()
    };
    let (mut client, mut server) = (Simulator::for_client(imp), Simulator::for_server(imp));
    let mut answered = 0;
    for _ in 0..DEMO_COUNT {
        if !client.decide().dropped && !server.decide().dropped {
            answered += 1;
        }
    }
    let app = h.state();
    // The demo is over: its loss, count and timeout are gone again.
    assert!(app.demo.is_none());
    assert_eq!(app.settings.network, before.network);
    assert_eq!(app.settings.burst_count, before.burst_count);
    assert_eq!(app.settings.timeout_secs, before.timeout_secs);
    assert_eq!(app.settings.view, crate::app::View::Diagram);
    let stats = &app.client.stats;
    assert_eq!(stats.answered, answered);
    assert!(answered > 0 && answered < DEMO_COUNT);
    // On loopback every loss is the simulator's.
    assert_eq!(stats.dropped_by_simulator, DEMO_COUNT - answered);
    let lost = DEMO_COUNT - answered;
    h.get_by_label_contains(&format!("20 of 20 sent, {answered} answered, {lost} lost"));
    assert_eq!(
        app.client
            .points
            .iter()
            .filter(|p| p.rtt_ms.is_none())
            .count() as u32,
        lost,
        "each loss is a gap in the RTT plot"
    );
}

/// What one run of the demo did to each of its datagrams: per request
/// (by its number) dropped or not, per reply the server sent dropped or
/// not, and per request answered or lost.
type Fates = (Vec<bool>, Vec<bool>, Vec<bool>);

fn demo_run(h: &mut egui_kittest::Harness<'static, UdpLabApp>) -> Fates {
    let rows_before = h.state().server.rows.len();
    h.get_by_label("Demo: send 20 with 30 % loss").click();
    wait_for(h, "the demo burst", |app| {
        app.demo.is_none() && !app.client.busy() && app.client.stats.sent == DEMO_COUNT
    });
    let app = h.state();
    let op = app.client.next_op;
    let mut requests: Vec<(u32, bool)> = app
        .session
        .datagrams
        .iter()
        .filter(|d| d.direction == Direction::Request)
        .filter_map(|d| d.client.filter(|c| c.0 == op).map(|c| (c.1, d.sim.dropped)))
        .collect();
    requests.sort_unstable();
    let replies = app
        .server
        .rows
        .iter()
        .skip(rows_before)
        .map(|row| match &row.reply {
            Reply::Sent { sim, .. } => sim.dropped,
            other => panic!("the server did not send its reply: {other:?}"),
        })
        .collect();
    let answered = app
        .client
        .points
        .iter()
        .map(|p| p.rtt_ms.is_some())
        .collect();
    (
        requests.into_iter().map(|r| r.1).collect(),
        replies,
        answered,
    )
}

/// Issue 23: the demo run again in the same window loses the same
/// datagrams, requests and replies alike (the server's simulator used to go
/// on where the first run left it, so the second run lost others).
#[test]
fn the_demo_run_twice_in_one_window_loses_the_same_datagrams() {
    let mut h = harness();
    h.state_mut().settings.timeout_secs = 0.3;
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    knob(&mut h, "every", 0.0);
    let first = demo_run(&mut h);
    let second = demo_run(&mut h);
    assert_eq!(first.0.len(), DEMO_COUNT as usize);
    assert_eq!(first.2.len(), DEMO_COUNT as usize);
    assert!(first.1.contains(&true), "some reply is lost: {first:?}");
    assert_eq!(first, second);
    // Both are the pattern the seed gives from its start.
    let imp = Impairments {
        loss_percent: DEMO_LOSS_PERCENT,
        seed: DEMO_SEED,
        ..Impairments::default()
    };
    let (mut client, mut server) = (Simulator::for_client(imp), Simulator::for_server(imp));
    let mut expected: Fates = Default::default();
    for _ in 0..DEMO_COUNT {
        let request_lost = client.decide().dropped;
        expected.0.push(request_lost);
        let reply_lost = !request_lost && server.decide().dropped;
        if !request_lost {
            expected.1.push(reply_lost);
        }
        expected.2.push(!request_lost && !reply_lost);
    }
    assert_eq!(second, expected);
    h.get_by_label_contains(&format!(
        "20 of 20 sent, {} answered",
        expected.2.iter().filter(|a| **a).count()
    ));
}

/// A diagram scrolled back to an old exchange comes down to the demo's
/// datagrams, so the class sees its ✗ arrows.
#[test]
fn the_demo_scrolls_the_diagram_to_its_datagrams() {
    let mut h = harness();
    h.state_mut().settings.timeout_secs = 0.3;
    h.state_mut().settings.burst_interval_ms = 0;
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.state_mut().settings.burst_count = 30;
    h.get_by_label("Sequence diagram").click();
    h.run_steps(2);
    h.get_by_label("Send 30").click();
    wait_for(&mut h, "the first burst", |app| {
        !app.client.busy() && app.client.stats.answered == 30
    });
    h.run_steps(3);
    // Scroll the diagram back to its top, as a teacher showing the first
    // exchange would.
    let newest = |app: &UdpLabApp| app.session.datagrams.back().map(|d| d.id);
    let visible = |app: &UdpLabApp, id| app.views.diagram.on_screen.iter().any(|(d, ..)| *d == id);
    let old_newest = newest(h.state()).expect("datagrams");
    h.state_mut().views.diagram.scroll_offset = Some(0.0);
    h.run_steps(3);
    assert!(
        !visible(h.state(), old_newest),
        "scrolled back to the top: {:?}",
        h.state().views.diagram.on_screen
    );
    h.get_by_label("Demo: send 20 with 30 % loss").click();
    wait_for(&mut h, "the demo burst", |app| {
        app.demo.is_none() && app.client.stats.sent == DEMO_COUNT
    });
    h.run_steps(3);
    let demo_newest = newest(h.state()).expect("datagrams");
    assert_ne!(demo_newest, old_newest);
    // Issue 24: the demo's newest loss and what followed it are in sight.
    let app = h.state();
    let dropped = app
        .session
        .datagrams
        .iter()
        .rev()
        .find(|d| d.sim.dropped)
        .map(|d| d.id);
    assert!(
        dropped.is_some_and(|id| id > old_newest && visible(app, id)),
        "the demo's newest loss ({dropped:?}) is on screen: {:?}",
        app.views.diagram.on_screen
    );
}

#[test]
fn presets_fill_the_knobs_and_perfect_turns_the_note_off() {
    let mut h = harness();
    knob(&mut h, "Seed", 77.0);
    h.get_by_label("Satellite").click();
    h.run_steps(2);
    assert_eq!(
        h.state().settings.network,
        Preset::Satellite.impairments(77)
    );
    h.get_by_label_contains("300 ms delay");
    h.get_by_label("Bad mobile").click();
    h.run_steps(2);
    h.get_by_label(
        "Simulator on: 10% loss, 80 ms delay, ±40 ms jitter, 1% duplicated, 5% reordered \
         — each way, requests and replies",
    );
    h.get_by_label("Perfect").click();
    h.run_steps(2);
    assert!(h.state().settings.network.is_off());
    assert_eq!(h.state().settings.network.seed, 77);
    assert!(h.query_by_label_contains("Simulator on").is_none());
}

#[test]
fn a_narrow_window_folds_the_knobs_but_never_the_warning() {
    let mut h = egui_kittest::Harness::builder()
        .with_size([500.0, 700.0])
        .build_eframe(|cc| {
            UdpLabApp::with_settings(
                &cc.egui_ctx,
                Settings {
                    lang: Some(Lang::En),
                    network: Impairments {
                        duplicate_percent: 5.0,
                        ..Impairments::default()
                    },
                    ..Settings::default()
                },
                crate::app::StartOptions::default(),
            )
        });
    h.run_steps(2);
    assert!(h.query_by_label("Loss").is_none(), "folded by default");
    // Narrow: the warning in fewer words, still there.
    h.get_by_label("Simulator: 5% duplicated");
    h.get_by_label("Network").click();
    h.run_steps(3);
    knob(&mut h, "Duplicate", 0.0);
    assert!(h.state().settings.network.is_off());
    assert!(h.query_by_label_contains("Simulator:").is_none());
    // Its short caption keeps the full name for screen readers.
    h.get_by_label("Demo: send 20 with 30 % loss");
}

#[test]
fn the_strip_speaks_russian() {
    let mut h = harness_with(Settings {
        lang: Some(Lang::Ru),
        network: Impairments {
            loss_percent: 12.5,
            delay_ms: 40,
            ..Impairments::default()
        },
        ..Settings::default()
    });
    h.run_steps(2);
    h.get_by_label("Сеть");
    h.get_by_label("Потери");
    h.get_by_label("Спутник");
    h.get_by_label(
        "Симулятор включён: потери 12,5\u{a0}%, задержка 40 мс — в обе стороны, запросы и ответы",
    );
}

// The session keeps one record per datagram that crossed, whatever the
// simulator did and in whatever order the two ends were reported.

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("literal")
}

fn at(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1000) + Duration::from_millis(ms)
}

fn sent(op: u64, seq: u32, ms: u64, bytes: &[u8], sim: SimFate) -> NetEvent {
    NetEvent::Client(ClientEvent {
        op,
        at: at(ms),
        kind: ClientEventKind::Sent {
            seq,
            to: addr("127.0.0.1:12345"),
            local: addr("0.0.0.0:40000"),
            bytes: Arc::from(bytes),
            sim,
        },
    })
}

fn arrived(ms: u64, bytes: &[u8]) -> NetEvent {
    NetEvent::Server(ServerEvent {
        server: 1,
        at: at(ms),
        kind: ServerEventKind::Datagram {
            rx: Received {
                from: addr("127.0.0.1:40000"),
                bytes: Arc::from(bytes),
                len: bytes.len(),
                truncated: false,
                buffer: 1024,
                at: at(ms),
            },
            reply: Reply::NotSent,
        },
    })
}

fn session() -> Session {
    let mut s = Session::default();
    s.record(&NetEvent::Server(ServerEvent {
        server: 1,
        at: at(0),
        kind: ServerEventKind::Listening {
            addr: addr("127.0.0.1:12345"),
        },
    }));
    s
}

fn arrivals(s: &Session) -> Vec<(Option<u32>, Option<SystemTime>)> {
    s.datagrams
        .iter()
        .map(|d| (d.client.map(|c| c.1), d.received_at))
        .collect()
}

const DUP: SimFate = SimFate {
    dropped: false,
    delay: Duration::ZERO,
    duplicated: true,
    reordered: false,
};
const DROP: SimFate = SimFate {
    dropped: true,
    delay: Duration::ZERO,
    duplicated: false,
    reordered: false,
};
const HELD: SimFate = SimFate {
    dropped: false,
    delay: Duration::ZERO,
    duplicated: false,
    reordered: true,
};

#[test]
fn a_duplicate_gives_two_records_whichever_end_is_reported_first() {
    // Send reported first, then both copies.
    let mut s = session();
    for e in [
        sent(1, 0, 10, b"hi", DUP),
        arrived(11, b"hi"),
        arrived(12, b"hi"),
    ] {
        s.record(&e);
    }
    assert_eq!(
        arrivals(&s),
        vec![(Some(0), Some(at(11))), (Some(0), Some(at(12)))]
    );
    assert!(s.datagrams.iter().all(|d| d.sent_at == Some(at(10))));
    // Both copies reported before the send.
    let mut s = session();
    for e in [
        arrived(11, b"hi"),
        arrived(12, b"hi"),
        sent(1, 0, 10, b"hi", DUP),
    ] {
        s.record(&e);
    }
    assert_eq!(s.datagrams.len(), 2);
    assert!(
        s.datagrams
            .iter()
            .all(|d| d.sent_at == Some(at(10)) && d.client == Some((1, 0)) && d.sim.duplicated)
    );
}

#[test]
fn a_dropped_datagram_never_takes_an_arrival() {
    let mut s = session();
    // Kept socket, same text: seq 0 dropped, seq 1 arrives.
    for e in [
        sent(1, 0, 10, b"hi", DROP),
        sent(1, 1, 20, b"hi", SimFate::default()),
        arrived(21, b"hi"),
        // A stray copy from the same port must not revive the dropped one.
        arrived(30, b"hi"),
    ] {
        s.record(&e);
    }
    assert_eq!(s.datagrams[0].received_at, None);
    assert!(s.datagrams[0].sim.dropped);
    assert_eq!(s.datagrams[1].received_at, Some(at(21)));
    assert_eq!(s.datagrams.len(), 3);
}

#[test]
fn an_overtaken_datagram_gets_the_later_arrival_even_when_reported_early() {
    // seq 0 held back; seq 1 sent at 20 arrives at 21, then seq 0 at 22;
    // the server reports seq 1's arrival before the client reports its send.
    let mut s = session();
    for e in [
        sent(1, 0, 10, b"hi", HELD),
        arrived(21, b"hi"),
        arrived(22, b"hi"),
        sent(1, 1, 20, b"hi", SimFate::default()),
    ] {
        s.record(&e);
    }
    assert_eq!(
        arrivals(&s),
        vec![(Some(0), Some(at(22))), (Some(1), Some(at(21)))]
    );
    // The trace's receive calls point at the right records too.
    let received: Vec<(SystemTime, Option<u64>)> = s
        .trace
        .iter()
        .filter(|r| matches!(r.call, crate::lab::session::Call::RecvFrom { .. }))
        .map(|r| (r.at, r.datagram))
        .collect();
    let id = |i: usize| Some(s.datagrams[i].id);
    assert_eq!(received, vec![(at(21), id(1)), (at(22), id(0))]);

    // In the usual order nothing needs repairing.
    let mut s = session();
    for e in [
        sent(1, 0, 10, b"hi", HELD),
        sent(1, 1, 20, b"hi", SimFate::default()),
        arrived(21, b"hi"),
        arrived(22, b"hi"),
    ] {
        s.record(&e);
    }
    assert_eq!(
        arrivals(&s),
        vec![(Some(0), Some(at(22))), (Some(1), Some(at(21)))]
    );
}
