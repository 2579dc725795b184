use super::*;
use crate::lab::i18n::Lang;
use crate::net::trace::{CallArgs, CallResult, TracedError};

fn site(line: u32) -> Option<Site> {
    Some(Site {
        file: "web.py".into(),
        line,
    })
}

fn data(bytes: &[u8]) -> TracedData {
    TracedData {
        py_type: "bytes".into(),
        len: bytes.len(),
        bytes: Some(bytes.to_vec()),
        text: None,
    }
}

fn call(sock: u32, name: &str, line: u32, outcome: Result<CallResult, TracedError>) -> TracedCall {
    TracedCall {
        sock,
        name: name.into(),
        args: CallArgs::default(),
        outcome,
        site: site(line),
        time: 0.0,
        start: None,
        wait: None,
    }
}

fn accepted(http: &mut Http) {
    let r = CallResult {
        accepted: Some(2),
        from: Some(TracedAddr::Inet {
            host: "127.0.0.1".into(),
            port: 5000,
        }),
        ..CallResult::default()
    };
    assert!(http.call(&call(1, "accept", 8, Ok(r))).is_empty());
}

fn recv(http: &mut Http, bytes: &[u8]) -> Vec<Diagnosis> {
    let r = CallResult {
        data: Some(data(bytes)),
        ..CallResult::default()
    };
    http.call(&call(2, "recv", 10, Ok(r)))
}

fn send(http: &mut Http, line: u32, bytes: &[u8]) -> Vec<Diagnosis> {
    let mut c = call(
        2,
        "send",
        line,
        Ok(CallResult {
            sent: Some(bytes.len() as u64),
            ..CallResult::default()
        }),
    );
    c.args.data = Some(data(bytes));
    http.call(&c)
}

fn close(http: &mut Http) -> Vec<Diagnosis> {
    http.call(&call(2, "close", 17, Ok(CallResult::default())))
}

#[test]
fn a_correct_exchange_is_listed_and_says_nothing() {
    let mut http = Http::default();
    accepted(&mut http);
    assert!(
        recv(
            &mut http,
            b"GET /HelloWorld.html HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        .is_empty()
    );
    assert!(
        send(
            &mut http,
            15,
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
        )
        .is_empty()
    );
    assert!(send(&mut http, 16, b"Hello").is_empty());
    assert!(close(&mut http).is_empty());
    let ex = http.take_exchanges();
    assert_eq!(ex.len(), 1);
    assert_eq!(
        ex[0].request.as_deref(),
        Some("GET /HelloWorld.html HTTP/1.1")
    );
    assert_eq!(ex[0].status.as_deref(), Some("200 OK"));
    assert_eq!(ex[0].peer, "127.0.0.1:5000");
}

#[test]
fn the_body_read_as_a_header_is_said_at_the_headers_send() {
    let mut http = Http::default();
    accepted(&mut http);
    recv(&mut http, b"GET / HTTP/1.1\r\n\r\n");
    assert!(send(&mut http, 15, b"HTTP/1.1 200 OK\r\n").is_empty());
    send(&mut http, 16, b"<html>hi</html>\n");
    let found = close(&mut http);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].site, site(15));
    assert_eq!(
        found[0].kind,
        Kind::Http(HttpKind::NoEmptyLine {
            line: "<html>hi</html>".into()
        })
    );
}

#[test]
fn a_head_cut_by_the_close_is_said() {
    let mut http = Http::default();
    accepted(&mut http);
    recv(&mut http, b"GET / HTTP/1.1\r\n\r\n");
    send(
        &mut http,
        15,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n",
    );
    let found = close(&mut http);
    assert_eq!(
        found[0].kind,
        Kind::Http(HttpKind::NoEmptyLine {
            line: String::new()
        })
    );
}

#[test]
fn an_answer_to_part_of_a_request_is_said_at_the_recv() {
    let mut http = Http::default();
    accepted(&mut http);
    assert!(recv(&mut http, b"GET / HTTP/1.1\r\nHost: x\r\n").is_empty());
    let found = send(
        &mut http,
        15,
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].site, site(10));
    assert!(matches!(
        found[0].kind,
        Kind::Http(HttpKind::PartialRequest { read: 25, .. })
    ));
}

#[test]
fn a_missing_file_kills_the_server_only_when_the_request_named_it() {
    let mut http = Http::default();
    accepted(&mut http);
    recv(&mut http, b"GET /favicon.ico HTTP/1.1\r\n\r\n");
    let mut u = Uncaught {
        py_type: "FileNotFoundError".into(),
        text: "FileNotFoundError: [Errno 2] No such file or directory: 'other.txt'".into(),
        site: site(12),
        decode: None,
    };
    assert_eq!(http.uncaught(&u), None);
    u.text = "FileNotFoundError: [Errno 2] No such file or directory: b'favicon.ico'".into();
    let found = http.uncaught(&u).expect("said");
    assert!(matches!(
        found.kind,
        Kind::Http(HttpKind::NoNotFound { ref request, .. }) if request == "GET /favicon.ico HTTP/1.1"
    ));
    let ru = found.text(Lang::Ru);
    assert!(ru.starts_with("web.py:12: запрос GET /favicon.ico"), "{ru}");
}

#[test]
fn a_decode_failure_names_how_the_file_was_opened() {
    let mut http = Http::default();
    let u = |mode: &str| Uncaught {
        py_type: "UnicodeDecodeError".into(),
        text: "UnicodeDecodeError: 'utf-8' codec can't decode byte 0x89".into(),
        site: site(14),
        decode: Some(crate::net::trace::DecodeFailure {
            encoding: "utf-8".into(),
            start: 0,
            bytes: vec![0x89, b'P', b'N', b'G'],
            opened: Some(crate::net::trace::Opened {
                path: "/srv/site/pic.png".into(),
                mode: mode.into(),
                site: site(12),
            }),
        }),
    };
    // A script that served nothing: the general "not utf-8 text" is said.
    assert_eq!(http.uncaught(&u("rb")), None);
    accepted(&mut http);
    let binary = http.uncaught(&u("rb")).expect("said");
    assert!(matches!(binary.kind, Kind::Http(HttpKind::Decoded { .. })));
    let ru = binary.text(Lang::Ru);
    assert!(
        ru.starts_with("web.py:14: байты pic.png, открытого в двоичном режиме ('rb') в web.py:12"),
        "{ru}"
    );
    let text = http.uncaught(&u("r")).expect("said");
    assert!(matches!(text.kind, Kind::Http(HttpKind::TextMode { .. })));
    assert!(
        text.text(Lang::En)
            .contains("was opened in text mode ('r')")
    );
    // Bytes from no file the script opened: not a file's fault.
    let mut other = u("rb");
    if let Some(d) = &mut other.decode {
        d.opened = None;
    }
    assert_eq!(http.uncaught(&other), None);
}

#[test]
fn a_low_port_refused_is_said_and_others_are_not() {
    let mut http = Http::default();
    let refused = |port| {
        let mut c = call(
            1,
            "bind",
            5,
            Err(TracedError {
                py_type: "PermissionError".into(),
                errno: Some(13),
                ..TracedError::default()
            }),
        );
        c.args.addr = Some(TracedAddr::Inet {
            host: "".into(),
            port,
        });
        c
    };
    let found = http.call(&refused(80));
    assert!(matches!(
        found[0].kind,
        Kind::Http(HttpKind::LowPort { port: 80, .. })
    ));
    assert!(http.call(&refused(8080)).is_empty());
}

#[test]
fn a_keep_alive_handler_waiting_for_the_next_request_is_not_left_open() {
    let mut http = Http::default();
    accepted(&mut http);
    recv(&mut http, b"GET / HTTP/1.1\r\n\r\n");
    send(
        &mut http,
        15,
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    );
    http.wait(2);
    let later = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(100);
    let (found, told) = http.tick(later, Some(1.0));
    assert!(found.is_empty() && told.is_empty(), "{found:?}");
    // Not waiting: the same connection is said left open.
    recv(&mut http, b"");
    let mut c = call(2, "recv", 10, Ok(CallResult::default()));
    c.time = 0.5;
    http.call(&c);
    let (found, told) = http.tick(later, Some(1.0));
    assert_eq!(told, [2]);
    assert!(matches!(
        found[0].kind,
        Kind::Http(HttpKind::NotClosed { .. })
    ));
}

#[test]
fn a_head_sent_with_a_long_file_is_read_from_the_bytes_reported() {
    let mut http = Http::default();
    accepted(&mut http);
    recv(&mut http, b"GET /big.png HTTP/1.1\r\n\r\n");
    let mut c = call(
        2,
        "sendall",
        16,
        Ok(CallResult {
            sent: Some(10_039),
            ..CallResult::default()
        }),
    );
    // 10 000 bytes of body, of which the tracer reported the first 2 KiB.
    let mut preview = b"HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n".to_vec();
    preview.resize(2048, 0x89);
    c.args.data = Some(TracedData {
        len: 10_039,
        ..data(&preview)
    });
    assert!(http.call(&c).is_empty());
    assert!(close(&mut http).is_empty());
    let ex = http.take_exchanges();
    assert_eq!(ex[0].status.as_deref(), Some("200 OK"));
}
