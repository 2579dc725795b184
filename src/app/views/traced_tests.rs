//! A traced script in the teaching views (issue 14), on the real app
//! (kittest): the lab's fixture scripts run under the real tracer with
//! python3, on real loopback sockets (ephemeral ports as their arguments),
//! against UDP Lab's own client and against each other.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::app::scripts::RunStatus;
use crate::app::test_util::*;
use crate::app::views::code::Glow;
use crate::app::views::diagram::{ArrowEnd, LaneKind, build_model};
use crate::app::*;
use crate::lab::session::{Call, Side};

/// A window with the script's path and arguments typed in.
fn with_script(path: &str, args: &str) -> Harness<'static, UdpLabApp> {
    let mut settings = Settings {
        lang: Some(Lang::En),
        timeout_secs: 2.0,
        ..Settings::default()
    };
    settings.scripts.path = fixture(path);
    settings.scripts.args = args.into();
    harness_with(settings)
}

/// Runs the script the settings name from the Python scripts window; its
/// run id.
fn run_script(h: &mut Harness<'static, UdpLabApp>) -> u64 {
    h.get_by_label("Run a Python script…").click();
    h.run_steps(4);
    let before = h.state().scripts.runs.len();
    h.get_by_label("Run").click();
    wait_for(h, "the script to start", |app| {
        app.scripts.runs.len() > before
    });
    // The window floats over the views' tabs, which the test clicks.
    h.state_mut().scripts.open = false;
    h.run_steps(2);
    h.state().scripts.runs[0].run
}

/// The port the traced server bound, from its bind row.
fn bound_port(h: &mut Harness<'static, UdpLabApp>, run: u64) -> u16 {
    wait_for(h, "the script's bind", |app| {
        app.session
            .trace
            .iter()
            .any(|r| r.side == Side::Script(run) && matches!(r.call, Call::Bind { .. }))
    });
    h.state()
        .session
        .trace
        .iter()
        .find_map(|r| match (r.side, &r.call) {
            (Side::Script(id), Call::Bind { addr }) if id == run => Some(addr.port()),
            _ => None,
        })
        .unwrap_or_default()
}

fn ended(app: &UdpLabApp, run: u64) -> bool {
    app.scripts
        .find(run)
        .is_some_and(|r| r.status != RunStatus::Running)
}

fn show(h: &mut Harness<'_, UdpLabApp>, view: &str) {
    h.get_by_label(view).click();
    h.run_steps(3);
}

/// Whether two widgets are on the same row (their middles level).
fn same_row(a: egui::Rect, b: egui::Rect) -> bool {
    (a.center().y - b.center().y).abs() < 2.0
}

#[test]
fn a_traced_server_shows_in_every_view_beside_udp_labs_client() {
    if !have_python() {
        return;
    }
    let mut h = with_script("server.py", "127.0.0.1 0 1");
    let run = run_script(&mut h);
    let port = bound_port(&mut h, run);
    assert_ne!(port, 0);
    // Code, live: the script is blocked in its recvfrom, and that line is lit.
    show(&mut h, "Code");
    let recv_line = line_of("server.py", "sock.recvfrom");
    wait_for(
        &mut h,
        "the recvfrom line lit while the script waits",
        |app| app.views.code.script_lit == Some((recv_line, Glow::Now)),
    );
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Send").click();
    wait_for(&mut h, "the exchange and the script's end", |app| {
        !app.client.busy() && app.client.outcome.is_some() && ended(app, run)
    });
    // The script's close comes from its collector, maybe after its Exited.
    wait_for(&mut h, "the script's close", |app| {
        app.session
            .trace
            .iter()
            .any(|r| r.side == Side::Script(run) && r.call == Call::Close)
    });

    // Socket calls: the script's own side, its bind with file:line and step 5.
    show(&mut h, "Socket calls");
    let bind = h
        .get_by_label(&format!("bind(127.0.0.1:{port}) → 0"))
        .rect();
    let site = format!("server.py:{}", line_of("server.py", "sock.bind"));
    assert!(same_row(h.get_by_label(&site).rect(), bind), "{site}");
    assert!(
        h.get_all_by_label("server.py")
            .any(|n| same_row(n.rect(), bind)),
        "the side is the script's name"
    );
    assert!(
        h.get_all_by_label("step 5")
            .any(|n| same_row(n.rect(), bind)),
        "bind is the server's step 5"
    );

    // Sequence diagram: a lifeline named after the script at its address,
    // the request and the reply joined at both ends.
    let session = &h.state().session;
    let model = build_model(session);
    let lane = model
        .lanes
        .iter()
        .position(|l| l.script == Some(run))
        .expect("a lifeline for the script's socket");
    assert_eq!(session.scripts.name(run), Some("server.py"));
    assert_eq!(model.lanes[lane].kind, LaneKind::Server);
    assert_eq!(model.lanes[lane].addr.port(), port);
    let to: Vec<_> = model.arrows.iter().filter(|a| a.to == lane).collect();
    let from: Vec<_> = model.arrows.iter().filter(|a| a.from == lane).collect();
    assert_eq!((to.len(), from.len()), (1, 1), "{:?}", model.arrows);
    for a in to.iter().chain(&from) {
        assert!(matches!(a.end, ArrowEnd::Delivered(_)), "{a:?}");
        let d = a
            .datagram
            .and_then(|id| session.datagram(id))
            .expect("datagram");
        assert!(d.sent_at.is_some() && d.received_at.is_some(), "{d:?}");
    }
    assert_eq!(
        (to[0].preview.as_str(), from[0].preview.as_str()),
        ("Hello, server", "Hello, client")
    );
    let reply = from[0].datagram;

    // Datagram anatomy: the script's reply opens like any other.
    show(&mut h, "Datagram anatomy");
    assert_eq!(h.state().selected_datagram.or(reply), reply);
    h.get_by_label("Reply: server → client");
    h.get_by_label_contains(&format!("Source port: {port} "));
    h.get_by_label("0000  48 65 6c 6c 6f 2c 20 63 6c 69 65 6e 74  Hello, client");

    // Code: the script's own source; live, its latest call (close) is lit.
    show(&mut h, "Code");
    h.get_by_label("server.py (traced)");
    h.get_by_label_contains("data, addr = sock.recvfrom(1024)");
    let close_line = line_of("server.py", "sock.close()");
    assert_eq!(
        h.state().views.code.script_lit,
        Some((close_line, Glow::Now))
    );

    // Paused, stepping back to the script's recvfrom lights its line; one
    // more step (UDP Lab's client sending) leaves the script's bind fading.
    h.get_by_label("Pause").click();
    h.run_steps(2);
    let on_recv = |app: &UdpLabApp| {
        app.time.index(&app.session).is_some_and(|i| {
            let row = &app.session.trace[i];
            row.side == Side::Script(run) && matches!(row.call, Call::RecvFrom { .. })
        })
    };
    for _ in 0..20 {
        if on_recv(h.state()) {
            break;
        }
        h.get_by_label("Step back").click();
        h.run_steps(2);
    }
    assert!(
        on_recv(h.state()),
        "the cursor reached the script's recvfrom"
    );
    assert_eq!(
        h.state().views.code.script_lit,
        Some((recv_line, Glow::Now))
    );
    h.get_by_label("Step back").click();
    h.run_steps(2);
    let bind_line = line_of("server.py", "sock.bind");
    assert_eq!(
        h.state().views.code.script_lit,
        Some((bind_line, Glow::Fading))
    );

    // Still paused, a click on the script's close row in Socket calls puts
    // the cursor there, as on any row; Code lights the close line.
    show(&mut h, "Socket calls");
    // The row may be below the trace's visible rows: into view first.
    h.get_by_label(&format!("server.py:{close_line}"))
        .scroll_to_me();
    h.run_steps(3);
    let close_site = h.get_by_label(&format!("server.py:{close_line}")).rect();
    h.get_all_by_label("close() → 0")
        .find(|n| same_row(n.rect(), close_site))
        .expect("the script's close row")
        .click();
    h.run_steps(3);
    let app = h.state();
    let at = app.time.index(&app.session).map(|i| &app.session.trace[i]);
    assert!(
        at.is_some_and(|r| r.side == Side::Script(run) && r.call == Call::Close),
        "{at:?}"
    );
    show(&mut h, "Code");
    assert_eq!(
        h.state().views.code.script_lit,
        Some((close_line, Glow::Now))
    );
}

#[test]
fn two_traced_scripts_are_two_lifelines_joined_by_their_datagrams() {
    if !have_python() {
        return;
    }
    let mut h = with_script("server.py", "127.0.0.1 0 1");
    let server = run_script(&mut h);
    let port = bound_port(&mut h, server);
    h.state_mut().settings.scripts.path = fixture("client.py");
    h.state_mut().settings.scripts.args = format!("127.0.0.1 {port} \"Hello, server\" 5");
    let client = run_script(&mut h);
    wait_for(&mut h, "both scripts' ends and closes", |app| {
        let closes = app
            .session
            .trace
            .iter()
            .filter(|r| matches!(r.side, Side::Script(_)) && r.call == Call::Close)
            .count();
        ended(app, server) && ended(app, client) && closes == 2
    });

    let session = &h.state().session;
    let model = build_model(session);
    let lane_of = |run| {
        model
            .lanes
            .iter()
            .position(|l| l.script == Some(run))
            .expect("a lifeline per script")
    };
    let (s, c) = (lane_of(server), lane_of(client));
    assert_eq!(
        (session.scripts.name(server), session.scripts.name(client)),
        (Some("server.py"), Some("client.py"))
    );
    assert_eq!(model.lanes[s].addr.port(), port);
    let request = model
        .arrows
        .iter()
        .find(|a| (a.from, a.to) == (c, s))
        .expect("client.py → server.py");
    let reply = model
        .arrows
        .iter()
        .find(|a| (a.from, a.to) == (s, c))
        .expect("server.py → client.py");
    for a in [request, reply] {
        assert!(matches!(a.end, ArrowEnd::Delivered(_)), "{a:?}");
    }
    let d = request
        .datagram
        .and_then(|id| session.datagram(id))
        .expect("the request");
    assert_eq!(
        (d.sender_script, d.receiver_script),
        (Some(client), Some(server))
    );
    assert_eq!(session.datagrams.len(), 2, "{:?}", session.datagrams);

    // Both scripts are in Socket calls, each side by its name.
    show(&mut h, "Socket calls");
    assert!(h.query_all_by_label("client.py").count() >= 4);
    assert!(h.query_all_by_label("server.py").count() >= 5);
    // Each script has its filter chip: client.py's calls alone (4 rows and
    // the chip), server.py's only as its chip.
    h.get_all_by_label("client.py")
        .next()
        .expect("client.py's chip")
        .click();
    h.run_steps(3);
    assert_eq!(h.query_all_by_label("client.py").count(), 5);
    assert_eq!(h.query_all_by_label("server.py").count(), 1);
}

/// `--run-script server.py --script-args "…" --to … --send`: the script
/// starts with the window and UDP Lab's client sends once it has bound
/// (the README's screenshot is taken so).
#[test]
fn run_script_from_the_command_line_sends_once_the_script_has_bound() {
    if !have_python() {
        return;
    }
    // A free port for the script to bind (the script takes it as an argument).
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let start = StartOptions {
        to: Some(format!("127.0.0.1:{port}")),
        send: true,
        lang: Some(Lang::En),
        run_script: Some(fixture("server.py")),
        script_args: Some(format!("127.0.0.1 {port} 1")),
        ..StartOptions::default()
    };
    let mut h = Harness::builder()
        .with_size([1100.0, 700.0])
        .build_eframe(move |cc| UdpLabApp::with_settings(&cc.egui_ctx, Settings::default(), start));
    wait_for(&mut h, "the answer from the script", |app| {
        !app.client.busy() && app.client.outcome.is_some()
    });
    h.get_by_label("Response from server: Hello, client");
    let run = h.state().scripts.runs[0].run;
    wait_for(&mut h, "the script's read", |app| {
        app.session
            .trace
            .iter()
            .any(|r| r.side == Side::Script(run) && matches!(r.call, Call::RecvFrom { .. }))
    });
}

#[test]
fn a_missing_script_from_the_command_line_is_said_in_the_scripts_window() {
    let start = StartOptions {
        lang: Some(Lang::En),
        run_script: Some("/no/such/folder/server.py".into()),
        ..StartOptions::default()
    };
    let mut h = Harness::builder()
        .with_size([1100.0, 700.0])
        .build_eframe(move |cc| UdpLabApp::with_settings(&cc.egui_ctx, Settings::default(), start));
    h.run_steps(4);
    assert!(h.state().scripts.runs.is_empty());
    h.get_by_label("Python scripts");
    h.get_by_label("There is no script /no/such/folder/server.py: check the path");
}
