use super::*;
use crate::app::test_util::{harness, set_text, start_server, wait_for};
use egui_kittest::kittest::Queryable;

#[test]
fn an_exchange_traces_the_lab_calls_in_order() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Send").click();
    wait_for(&mut h, "the exchange to close", |app| {
        !app.client.busy()
            && app
                .session
                .trace
                .iter()
                .any(|r| r.side == Side::Client && r.call == Call::Close)
    });
    let app = h.state();
    let client_port = app.server.rows[0].rx.from.port();
    let server = format!("127.0.0.1:{port}");
    let client = format!("127.0.0.1:{client_port}");
    let calls: Vec<(Side, Option<u8>, String)> = app
        .session
        .trace
        .iter()
        .map(|r| {
            (
                r.side,
                r.call.lab_step(r.side),
                call_text(Lang::En, &r.call),
            )
        })
        .collect();
    // The handout's numbers: server 4 socket, 5 bind, 7 recvfrom,
    // 10 sendto; client 5 socket, 6 sendto, 7 recvfrom, 9 close.
    let expected = vec![
        (
            Side::Server,
            Some(4),
            "socket(AF_INET, SOCK_DGRAM)".to_owned(),
        ),
        (Side::Server, Some(5), format!("bind({server}) → 0")),
        (
            Side::Client,
            Some(5),
            "socket(AF_INET, SOCK_DGRAM)".to_owned(),
        ),
        (
            Side::Client,
            Some(6),
            format!("sendto(13 bytes → {server}) → 13"),
        ),
        (
            Side::Server,
            Some(7),
            format!("recvfrom(1024) → 13 bytes from {client}"),
        ),
        (
            Side::Server,
            Some(10),
            format!("sendto(13 bytes → {client}) → 13"),
        ),
        (
            Side::Client,
            Some(7),
            format!("recvfrom(1024) → 13 bytes from {server}"),
        ),
        (Side::Client, Some(9), "close() → 0".to_owned()),
    ];
    assert_eq!(calls, expected);
    // The trace tab shows them, numbered as in the handout.
    h.get_by_label(&format!("recvfrom(1024) → 13 bytes from {client}"));
    for n in [4, 5, 6, 7, 9, 10] {
        assert!(
            h.query_all_by_label(&format!("step {n}")).next().is_some(),
            "step {n} is not shown"
        );
    }
    assert!(h.query_by_label("step 1").is_none());
    h.get_by_label("Client calls").click();
    h.run_steps(2);
    assert!(
        h.query_by_label(&format!("recvfrom(1024) → 13 bytes from {client}"))
            .is_none()
    );
    h.get_by_label(&format!("recvfrom(1024) → 13 bytes from {server}"));
}

#[test]
fn truncation_and_timeouts_are_flagged_in_the_trace() {
    let mut h = harness();
    let port = start_server(&mut h);
    let peer = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    peer.send_to(&[b'x'; 1500], ("127.0.0.1", port))
        .expect("send");
    wait_for(&mut h, "the datagram", |app| app.server.total == 1);
    let from = peer.local_addr().expect("addr");
    let cut = if cfg!(windows) {
        "on Windows this recvfrom fails with WSAEMSGSIZE (Python: OSError [WinError 10040]) and the rest is discarded"
    } else {
        "the rest is discarded by the kernel"
    };
    h.get_by_label(&format!(
        "recvfrom(1024) → 1024 bytes from {from} — read 1024 of 1500 bytes — {cut}"
    ));

    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let to = silent.local_addr().expect("addr");
    set_text(&mut h, "Server address", &to.to_string());
    h.get_by_label("Send").click();
    wait_for(&mut h, "the timeout", |app| {
        !app.client.busy() && app.client.outcome.is_some()
    });
    h.get_by_label("recvfrom() → no datagram within 1 s");
}

#[test]
fn calls_the_lab_never_makes_have_no_handout_number() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    // One socket kept across Sends: UDP Lab binds it itself.
    h.get_by_label("New socket for each Send").click();
    h.run_steps(2);
    for _ in 0..2 {
        h.get_by_label("Send").click();
        wait_for(&mut h, "the exchange", |app| {
            !app.client.busy() && app.client.outcome.is_some()
        });
    }
    // A timeout: the client's recvfrom is still the handout's step 7.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let silent_addr = silent.local_addr().expect("addr");
    set_text(&mut h, "Server address", &silent_addr.to_string());
    h.get_by_label("Send").click();
    wait_for(&mut h, "the timeout", |app| {
        !app.client.busy()
            && app
                .session
                .trace
                .iter()
                .any(|r| matches!(r.call, Call::RecvTimedOut { .. }))
    });
    h.get_by_label("Stop").click();
    wait_for(&mut h, "the server to close", |app| {
        app.session
            .trace
            .iter()
            .any(|r| r.side == Side::Server && r.call == Call::Close)
    });
    let app = h.state();
    let steps: Vec<(Side, Option<u8>, &str)> = app
        .session
        .trace
        .iter()
        .map(|r| {
            let kind = match r.call {
                Call::Socket { .. } => "socket",
                Call::Bind { .. } => "bind",
                Call::SendTo { .. } => "sendto",
                Call::RecvFrom { .. } => "recvfrom",
                Call::RecvTimedOut { .. } => "timeout",
                Call::Close => "close",
                _ => "other",
            };
            (r.side, r.call.lab_step(r.side), kind)
        })
        .collect();
    let exchange = [
        (Side::Client, Some(6), "sendto"),
        (Side::Server, Some(7), "recvfrom"),
        (Side::Server, Some(10), "sendto"),
        (Side::Client, Some(7), "recvfrom"),
    ];
    let mut expected = vec![
        (Side::Server, Some(4), "socket"),
        (Side::Server, Some(5), "bind"),
        // The kept socket: opened and bound once, never closed.
        (Side::Client, Some(5), "socket"),
        (Side::Client, None, "bind"),
    ];
    expected.extend(exchange);
    expected.extend(exchange);
    expected.extend([
        (Side::Client, Some(6), "sendto"),
        (Side::Client, Some(7), "timeout"),
        // The lab's server never closes: Stop is UDP Lab's.
        (Side::Server, None, "close"),
    ]);
    assert_eq!(steps, expected);
    // The window says so, and why, in both languages.
    assert!(h.query_all_by_label("not in the lab").next().is_some());
    let bind = app
        .session
        .trace
        .iter()
        .find(|r| r.side == Side::Client && matches!(r.call, Call::Bind { .. }))
        .expect("the kept socket's bind");
    assert!(step_hint(Lang::En, bind.side, &bind.call).starts_with("Not in the lab"));
    assert!(step_hint(Lang::Ru, bind.side, &bind.call).starts_with("Нет в методичке"));
    assert_eq!(step_text(Lang::Ru, None), "нет в методичке");
    let suppressed = Call::ReplySuppressed { to: silent_addr };
    assert_eq!(suppressed.lab_step(Side::Server), None);
    assert!(step_hint(Lang::En, Side::Server, &suppressed).contains("no sendto()"));
    let timed_out = app
        .session
        .trace
        .iter()
        .find(|r| matches!(r.call, Call::RecvTimedOut { .. }))
        .expect("the timeout");
    assert!(
        step_hint(Lang::En, timed_out.side, &timed_out.call)
            .contains("settimeout(), which is not in the lab")
    );
}

#[test]
fn the_web_servers_calls_are_hinted_as_webserver_py_steps() {
    use crate::lab::session::TcpCall;
    let calls = [
        (TcpCall::Listen { backlog: 128 }, 6),
        (
            TcpCall::Recv {
                buffer: 1024,
                read: 75,
            },
            9,
        ),
        (
            TcpCall::Send {
                asked: 10,
                sent: 10,
                all: true,
            },
            13,
        ),
        (TcpCall::Close { listener: false }, 15),
    ];
    for (call, step) in calls {
        assert_eq!(call.web_step(), Some(step));
        for (lang, word) in [(Lang::En, "step"), (Lang::Ru, "пункт")] {
            let hint = web_step_hint(lang, &call);
            assert!(hint.contains("webserver.py"), "{hint}");
            assert!(hint.contains(&format!("{word} {step}:")), "{hint}");
        }
    }
    // A call webserver.py has no step for keeps the TCP hint.
    assert_eq!(
        web_step_hint(Lang::En, &TcpCall::SetReuseAddr),
        crate::app::i18n::tcp_step_hint(Lang::En, Side::Server, &TcpCall::SetReuseAddr)
    );
}
