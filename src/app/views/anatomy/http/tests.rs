//! The HTTP anatomy on real connections: UDP Lab's web server answering a
//! real GET, a python3 server that forgets the empty line, and a response
//! read by several small recvs — recorded into the app's session and
//! drawn by the real app, in both languages.

use std::process::{Command as Process, Stdio};
use std::sync::Arc;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::app::i18n::{Lang, T, fill};
use crate::app::test_util::{harness_with, have_python};
use crate::app::{Settings, UdpLabApp, View};
use crate::net::http::{self, HttpServerConfig, Limits, Root};
use crate::net::tcp::{TcpClientRequest, TcpEventKind, TcpSide, spawn_tcp_client};
use crate::net::{NetEvent, ParsedAddr, event_channel};

const WAIT: Duration = Duration::from_secs(10);

/// Events until `last` is seen (the final call of the side recorded).
fn events_until(
    queue: &crate::net::EventQueue<NetEvent>,
    last: impl Fn(&crate::net::tcp::TcpEvent) -> bool,
) -> Vec<NetEvent> {
    let mut out = Vec::new();
    loop {
        let event = queue.recv_timeout(WAIT).expect("the recorded calls");
        let done = matches!(&event, NetEvent::Tcp(ev) if last(ev));
        out.push(event);
        if done {
            return out;
        }
    }
}

/// UDP Lab's web server with its calls reported, one real GET of the
/// built-in page: the server's calls and the page's length.
pub(crate) fn web_server_get() -> (Vec<NetEvent>, usize) {
    let (calls, queue) = event_channel::<NetEvent>(4096, Arc::new(|| {}));
    let config = HttpServerConfig {
        bind: "127.0.0.1:0".parse().expect("an address"),
        root: Root::Builtin,
        limits: Limits::default(),
        pages: Arc::new(|status, _| format!("status {status}")),
        calls: Some(calls),
    };
    let (log, _log_queue) = event_channel(64, Arc::new(|| {}));
    let mut server = http::spawn_http_server(config, log).expect("the web server");
    let url = http::parse_url(&format!("http://{}/HelloWorld.html", server.addr)).expect("url");
    let reply = http::get(&url, &[], WAIT).expect("the page");
    let body = crate::lab::http::parse(&reply.bytes, crate::lab::http::Kind::Response);
    let len = body.body.map(|b| b.range.len()).unwrap_or_default();
    // The connection's close is its last call.
    let events = events_until(&queue, |ev| {
        ev.conn == 1 && ev.kind == TcpEventKind::Closed && matches!(ev.side, TcpSide::Server(_))
    });
    server.stop();
    (events, len)
}

/// UDP Lab's TCP client sends `request` to `port` and reads with `buffer`.
pub(crate) fn tcp_client_exchange(port: u16, request: &[u8], buffer: usize) -> Vec<NetEvent> {
    let (sink, queue) = event_channel::<NetEvent>(4096, Arc::new(|| {}));
    let target = ParsedAddr {
        host: crate::net::Host::Ip([127, 0, 0, 1].into()),
        port,
    };
    let mut req = TcpClientRequest::new(7, target, Arc::from(request));
    req.buffer = buffer;
    req.timeout = WAIT;
    let client = spawn_tcp_client(req, sink).expect("the client");
    let events = events_until(&queue, |ev| ev.kind == TcpEventKind::Closed);
    client.join();
    events
}

/// A python3 server written here: answers one request with `answer` and
/// closes. Returns the child and its port.
pub(crate) fn python_server(answer: &str) -> Option<(std::process::Child, u16)> {
    let script = format!(
        "import socket, sys\n\
         s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n\
         s.bind(('127.0.0.1', 0))\n\
         s.listen(1)\n\
         print(s.getsockname()[1])\n\
         sys.stdout.flush()\n\
         c, a = s.accept()\n\
         c.recv(1024)\n\
         c.sendall({answer})\n\
         c.close()\n\
         s.close()\n"
    );
    let mut child = Process::new("python3")
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut line = String::new();
    let stdout = child.stdout.take()?;
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).ok()?;
    let port = line.trim().parse().ok()?;
    Some((child, port))
}

/// The real app in `lang` on the anatomy, with `events` recorded.
fn app_with(lang: Lang, events: &[NetEvent]) -> Harness<'static, UdpLabApp> {
    let mut h = harness_with(Settings {
        lang: Some(lang),
        bind: "127.0.0.1:0".into(),
        view: View::Anatomy,
        ..Settings::default()
    });
    for event in events {
        h.state_mut().session.record(event);
    }
    h.run_steps(3);
    h
}

/// Clicks the direction switch, as a teacher does.
fn show_direction(h: &mut Harness<'static, UdpLabApp>, down: bool) {
    let key = if down {
        T::StreamServerToClient
    } else {
        T::StreamClientToServer
    };
    let lang = h.state().lang;
    h.get_by_label(key.get(lang)).click();
    h.run_steps(3);
    assert_eq!(h.state().views.stream_down, down);
}

#[test]
fn the_web_servers_answer_is_laid_out_line_by_line() {
    let (events, page) = web_server_get();
    assert!(page > 0);
    for lang in Lang::ALL {
        let mut h = app_with(lang, &events);
        // The panels still say UDP: the bytes decide.
        h.get_by_label(T::ViewHttpAnatomy.get(lang));
        show_direction(&mut h, false);
        let drawn = h.state().views.http.clone();
        assert!(
            drawn.lines[0].starts_with("GET /HelloWorld.html HTTP/1.1"),
            "{drawn:?}"
        );
        assert!(
            drawn
                .lines
                .iter()
                .any(|l| l.starts_with("Host: 127.0.0.1:")),
            "{drawn:?}"
        );
        assert!(drawn.empty_line && drawn.missing_end.is_none(), "{drawn:?}");
        assert_eq!(drawn.body_check.as_deref(), Some(T::HttpBodyNone.get(lang)));
        for line in &drawn.lines {
            h.get_by_label(line);
        }
        // The server's reads carried the request.
        assert!(
            drawn.calls.iter().any(|c| c.starts_with("recv 1 (")),
            "{drawn:?}"
        );

        show_direction(&mut h, true);
        let drawn = h.state().views.http.clone();
        assert_eq!(drawn.lines[0], "HTTP/1.1 200 OK", "{drawn:?}");
        let length = format!("Content-Length: {page}");
        assert!(drawn.lines.contains(&length), "{drawn:?}");
        h.get_by_label(&length);
        h.get_by_label(T::HttpEmptyLine.get(lang));
        let complete = fill(T::HttpBodyComplete.get(lang), &[("bytes", &page)]);
        assert_eq!(drawn.body_check.as_deref(), Some(complete.as_str()));
        h.get_by_label(&complete);
        // CR LF visible: the status line's bytes end in 0d 0a.
        assert!(h.query_all_by_label("\\r\\n").count() >= drawn.lines.len());
        h.get_by_label_contains("48 54 54 50 2f 31 2e 31 20 32 30 30 20 4f 4b 0d");
        assert!(
            drawn.calls.iter().any(|c| c.starts_with("send 1 (")),
            "{drawn:?}"
        );

        // The plain ribbon is a click away, and the tab says so.
        h.get_by_label(T::HttpAsStream.get(lang)).click();
        h.run_steps(2);
        assert!(h.state().views.stream.cells > 0);
        h.get_by_label(T::ViewStreamAnatomy.get(lang));
    }
}

#[test]
fn a_response_without_the_empty_line_is_flagged() {
    if !have_python() {
        return;
    }
    let answer = r#"b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n<h1>Hello</h1>""#;
    let Some((mut child, port)) = python_server(answer) else {
        println!("SKIPPED a_response_without_the_empty_line_is_flagged: python3 did not start");
        return;
    };
    let events = tcp_client_exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1024);
    let _ = child.wait();
    for lang in Lang::ALL {
        let mut h = app_with(lang, &events);
        show_direction(&mut h, true);
        let drawn = h.state().views.http.clone();
        let flag = T::HttpNoEmptyLineResponse.get(lang);
        assert_eq!(drawn.missing_end.as_deref(), Some(flag), "{drawn:?}");
        h.get_by_label(flag);
        assert!(!drawn.empty_line);
        assert_eq!(drawn.body_check, None);
        // The page's first bytes read as a header that is none.
        assert_eq!(
            drawn.lines.last().map(String::as_str),
            Some("<h1>Hello</h1>")
        );
        h.get_by_label(T::HttpLineNotEnded.get(lang));
    }
}

#[test]
fn each_small_recv_is_told_the_parts_it_carried() {
    if !have_python() {
        return;
    }
    let answer = r#"b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello""#;
    let Some((mut child, port)) = python_server(answer) else {
        println!("SKIPPED each_small_recv_is_told_the_parts_it_carried: python3 did not start");
        return;
    };
    // 17 + 19 + 2 + 5 bytes, read 16 at a time.
    let events = tcp_client_exchange(port, b"GET / HTTP/1.1\r\n\r\n", 16);
    let _ = child.wait();
    for lang in Lang::ALL {
        let mut h = app_with(lang, &events);
        show_direction(&mut h, true);
        let drawn = h.state().views.http.clone();
        let complete = fill(T::HttpBodyComplete.get(lang), &[("bytes", &5)]);
        assert_eq!(drawn.body_check.as_deref(), Some(complete.as_str()));
        let t = |k: T| k.get(lang);
        let part_of = |k: T| fill(t(T::HttpPartOf), &[("part", &t(k))]);
        // The first recv: 16 of the status line's 17 bytes.
        let first = fill(
            t(T::HttpCallParts),
            &[
                ("call", &"recv"),
                ("n", &1),
                ("bytes", &16),
                ("parts", &part_of(T::HttpStatusLine)),
            ],
        );
        assert_eq!(drawn.calls.first(), Some(&first), "{drawn:?}");
        h.get_by_label(&first);
        // Later reads are told the header, the empty line and the body,
        // each whole or in part, and together cover all 43 bytes.
        assert!(drawn.calls.len() >= 3, "{drawn:?}");
        assert!(
            drawn.calls.iter().any(|c| c.contains(t(T::HttpEmptyLine))),
            "{drawn:?}"
        );
        assert!(
            drawn.calls.iter().any(|c| c.contains(t(T::HttpBody))),
            "{drawn:?}"
        );
        // Each part names the recvs that carried it: the status line two.
        h.get_by_label("recv 1, 2");
    }
}

#[test]
fn a_large_body_is_shown_in_part_and_says_how_much_is_left_out() {
    if !have_python() {
        return;
    }
    let answer = r#"b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + b"x" * 3000"#;
    let Some((mut child, port)) = python_server(answer) else {
        println!("SKIPPED a_large_body_is_shown_in_part: python3 did not start");
        return;
    };
    let events = tcp_client_exchange(port, b"GET / HTTP/1.1\r\n\r\n", 1024);
    let _ = child.wait();
    for lang in Lang::ALL {
        let mut h = app_with(lang, &events);
        show_direction(&mut h, true);
        let drawn = h.state().views.http.clone();
        let complete = fill(T::HttpBodyComplete.get(lang), &[("bytes", &3000)]);
        assert_eq!(drawn.body_check.as_deref(), Some(complete.as_str()));
        // The body's hex rows are bounded: what is left out is counted.
        assert!(drawn.left_out >= 3000 - super::MAX_BODY_SHOWN, "{drawn:?}");
        let left = fill(T::HttpBodyLeftOut.get(lang), &[("count", &drawn.left_out)]);
        h.get_by_label(&left);
        let shown = 3000 - drawn.left_out;
        assert!(drawn.hex_rows <= 4 + shown / 16, "{drawn:?}");
    }
}

#[test]
fn the_time_cursor_hides_what_has_not_happened_yet() {
    use crate::app::Command;
    use crate::lab::timeline::Move;
    let (events, _) = web_server_get();
    let lang = Lang::En;
    let mut h = app_with(lang, &events);
    h.state_mut().run(Command::Pause);
    h.state_mut().run(Command::MoveCursor(Move::ToStart));
    h.run_steps(2);
    for down in [false, true] {
        show_direction(&mut h, down);
        assert!(h.state().views.http.lines.is_empty(), "down {down}");
        h.get_by_label(T::HttpNothingYet.get(lang));
    }
    // Call by call to the server's read of the request: the request is
    // there, the response (sent after it) not yet.
    show_direction(&mut h, false);
    let rows = h.state().session.trace.len();
    for _ in 0..rows {
        if !h.state().views.http.lines.is_empty() {
            break;
        }
        h.state_mut().run(Command::MoveCursor(Move::Forward));
        h.run_steps(2);
    }
    let request = h.state().views.http.clone();
    assert!(
        request.lines[0].starts_with("GET /HelloWorld.html"),
        "{request:?}"
    );
    assert!(request.empty_line, "{request:?}");
    show_direction(&mut h, true);
    assert!(h.state().views.http.lines.is_empty());
    h.get_by_label(T::HttpNothingYet.get(lang));
    // Live again: the response is there.
    h.state_mut().run(Command::Live);
    h.run_steps(2);
    assert_eq!(h.state().views.http.lines[0], "HTTP/1.1 200 OK");
}

#[test]
fn a_kept_alive_connection_shows_each_request_and_response() {
    if !have_python() {
        return;
    }
    let answer = r#"b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA" + b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nNo""#;
    let Some((mut child, port)) = python_server(answer) else {
        println!("SKIPPED a_kept_alive_connection_shows_each_request: python3 did not start");
        return;
    };
    let two = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    let events = tcp_client_exchange(port, two, 1024);
    let _ = child.wait();
    // The message picker comes after the connection's: its arrows are the
    // last ones drawn.
    let click = |h: &mut Harness<'static, UdpLabApp>, arrow: &str| {
        let nodes: Vec<_> = h.get_all_by_label(arrow).collect();
        nodes.last().expect("the message picker").click();
        h.run_steps(3);
    };
    for lang in Lang::ALL {
        let mut h = app_with(lang, &events);
        show_direction(&mut h, false);
        // The newest first.
        let drawn = h.state().views.http.clone();
        assert_eq!(drawn.message, (2, 2), "{drawn:?}");
        assert!(drawn.lines[0].starts_with("GET /b"), "{drawn:?}");
        h.get_by_label(&fill(
            T::HttpRequestNOf.get(lang),
            &[("n", &2), ("total", &2)],
        ));

        click(&mut h, "◀");
        let drawn = h.state().views.http.clone();
        assert_eq!(drawn.message, (1, 2), "{drawn:?}");
        assert!(drawn.lines[0].starts_with("GET /a"), "{drawn:?}");
        assert!(drawn.empty_line, "{drawn:?}");

        // The same number the other way: response 1, then 2.
        show_direction(&mut h, true);
        let drawn = h.state().views.http.clone();
        assert_eq!(drawn.message, (1, 2), "{drawn:?}");
        assert!(drawn.lines[0].starts_with("HTTP/1.1 200 OK"), "{drawn:?}");
        let one = fill(T::HttpBodyComplete.get(lang), &[("bytes", &1)]);
        assert_eq!(drawn.body_check.as_deref(), Some(one.as_str()));
        h.get_by_label(&fill(
            T::HttpResponseNOf.get(lang),
            &[("n", &1), ("total", &2)],
        ));
        click(&mut h, "▶");
        let drawn = h.state().views.http.clone();
        assert_eq!(drawn.message, (2, 2), "{drawn:?}");
        assert!(
            drawn.lines[0].starts_with("HTTP/1.1 404 Not Found"),
            "{drawn:?}"
        );
        let two = fill(T::HttpBodyComplete.get(lang), &[("bytes", &2)]);
        assert_eq!(drawn.body_check.as_deref(), Some(two.as_str()));
    }
}
