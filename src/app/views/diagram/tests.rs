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
    let kinds: Vec<(LaneKind, SocketAddr)> = model.lanes.iter().map(|l| (l.kind, l.addr)).collect();
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
    let axis = TimeAxis::new(
        &model,
        2.0,
        (super::model::MIN_GAP, super::model::BREAK_GAP),
    );
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

/// A record as the session keeps it, for the model alone.
fn record(
    id: u64,
    direction: Direction,
    from: &str,
    to: &str,
    at_ms: u64,
) -> crate::lab::session::DatagramRecord {
    let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_800_000_000_000 + at_ms);
    crate::lab::session::DatagramRecord {
        id,
        direction,
        from: from.parse().expect("literal"),
        to: to.parse().expect("literal"),
        bytes: std::sync::Arc::from(&b"Hello"[..]),
        len: 5,
        truncated: None,
        sent_at: Some(at),
        received_at: Some(at + std::time::Duration::from_millis(1)),
        client: Some((
            7,
            if direction == Direction::Request {
                1
            } else {
                0
            },
        )),
        gave_up_at: None,
        sim: SimFate::default(),
        sender_script: None,
        receiver_script: None,
        captured: None,
    }
}

#[test]
fn a_broadcast_fans_out_to_every_server_that_answered() {
    let mut session = Session::default();
    session.datagrams.extend([
        record(
            1,
            Direction::Request,
            "10.213.0.1:50000",
            "10.213.0.255:12345",
            0,
        ),
        record(
            2,
            Direction::Reply,
            "10.213.0.2:12345",
            "10.213.0.1:50000",
            2,
        ),
        record(
            3,
            Direction::Reply,
            "10.213.0.3:12345",
            "10.213.0.1:50000",
            3,
        ),
        // Later, a plain exchange with one of them: no fan.
        record(
            4,
            Direction::Request,
            "10.213.0.1:50000",
            "10.213.0.2:12345",
            100,
        ),
        record(
            5,
            Direction::Reply,
            "10.213.0.2:12345",
            "10.213.0.1:50000",
            101,
        ),
    ]);
    let model = build_model(&session);
    let servers: Vec<SocketAddr> = model
        .lanes
        .iter()
        .filter(|l| l.kind == LaneKind::Server)
        .map(|l| l.addr)
        .collect();
    let two: SocketAddr = "10.213.0.2:12345".parse().expect("literal");
    let three: SocketAddr = "10.213.0.3:12345".parse().expect("literal");
    assert_eq!(
        servers,
        vec![two, three],
        "no lane for the broadcast address"
    );
    let request_to: Vec<SocketAddr> = model
        .arrows
        .iter()
        .filter(|a| a.datagram == Some(1))
        .map(|a| model.lanes[a.to].addr)
        .collect();
    assert_eq!(
        request_to,
        vec![two, three],
        "one request, an arrow to each"
    );
    let plain: Vec<SocketAddr> = model
        .arrows
        .iter()
        .filter(|a| a.datagram == Some(4))
        .map(|a| model.lanes[a.to].addr)
        .collect();
    assert_eq!(plain, vec![two]);
    assert_eq!(
        model.arrows.len(),
        6,
        "2 fanned, 2 replies, 1 request, 1 reply"
    );
}

#[test]
fn a_broadcast_on_loopback_is_drawn_to_the_server_that_answered() {
    let mut h = crate::app::test_util::harness_with(crate::app::Settings {
        lang: Some(crate::app::Lang::En),
        // All interfaces: a socket bound to 127.0.0.1 hears no broadcast.
        bind: "0.0.0.0:0".into(),
        timeout_secs: 0.5,
        broadcast: true,
        ..crate::app::Settings::default()
    });
    h.get_by_label("Start").click();
    wait_for(&mut h, "the server to listen", |app| {
        matches!(app.server.status(), crate::app::ServerStatus::Listening(_))
    });
    let port = crate::app::test_util::listening_port(h.state()).expect("listening");
    set_text(&mut h, "Server address", &format!("127.255.255.255:{port}"));
    h.get_by_label("Send").click();
    wait_for(&mut h, "the broadcast", |app| {
        !app.client.busy() && !app.client.responders.is_empty()
    });
    let model = build_model(&h.state().session);
    let lanes: Vec<String> = model.lanes.iter().map(|l| l.addr.to_string()).collect();
    assert!(
        !lanes.iter().any(|l| l.starts_with("127.255.255.255")),
        "{lanes:?}"
    );
    let request = h
        .state()
        .session
        .datagrams
        .front()
        .map(|d| d.id)
        .expect("the request");
    let to: Vec<String> = model
        .arrows
        .iter()
        .filter(|a| a.datagram == Some(request))
        .map(|a| model.lanes[a.to].addr.to_string())
        .collect();
    assert_eq!(to, vec![format!("127.0.0.1:{port}")], "{lanes:?}");
}

/// Numbers follow the language (issue 24): the scale reads "0,50 мс" in
/// Russian, "0.50 ms" in English.
#[test]
fn the_time_scale_has_the_languages_decimal_mark() {
    for (lang, scale) in [
        (crate::app::Lang::Ru, "1 пикс. = 0,50 мс"),
        (crate::app::Lang::En, "1 px = 0.50 ms"),
    ] {
        let mut h = crate::app::test_util::harness_with(crate::app::Settings {
            lang: Some(lang),
            bind: "127.0.0.1:0".into(),
            ..crate::app::Settings::default()
        });
        h.state_mut().run(crate::app::Command::StartServer);
        wait_for(&mut h, "the server to listen", |app| {
            crate::app::test_util::listening_port(app).is_some()
        });
        let port = crate::app::test_util::listening_port(h.state()).unwrap_or_default();
        h.state_mut().settings.target = format!("127.0.0.1:{port}");
        h.state_mut().run(crate::app::Command::Send);
        wait_for(&mut h, "the exchange", |app| {
            !app.client.busy() && app.client.outcome.is_some()
        });
        h.state_mut()
            .run(crate::app::Command::ShowView(crate::app::View::Diagram));
        h.state_mut().views.diagram.px_per_ms = 2.0;
        h.run_steps(3);
        h.get_by_label(scale);
    }
}
