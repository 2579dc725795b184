//! Traced scripts in the session, fed the tracer's own lines (captured from
//! tests/fixtures/scripts/server.py and client.py talking to each other).

use super::*;
use crate::net::ServerEvent;
use crate::net::trace::parse_line;

const SERVER_PY: &str = "/work/lab/server.py";
const CLIENT_PY: &str = "/work/lab/client.py";

/// server.py 127.0.0.1 40001 1, as its tracer reported it.
const SERVER_LINES: &[&str] = &[
    r#"{"ev":"call","call":"socket","sock":1,"args":{"family":"AF_INET","type":"SOCK_DGRAM"},"res":{"fd":4},"file":"/work/lab/server.py","line":11,"k":"abc","t":1796300207.7200203,"o":0,"e":0}"#,
    r#"{"ev":"call","call":"bind","sock":1,"args":{"addr":["127.0.0.1",40001]},"t0":1796300207.7200928,"res":{"local":["127.0.0.1",40001]},"file":"/work/lab/server.py","line":12,"k":"abc","t":1796300207.7201092,"o":0,"e":0}"#,
    r#"{"ev":"wait","call":"recvfrom","sock":1,"args":{"bufsize":1024},"timeout":null,"wait":"1-1796300207.720167","file":"/work/lab/server.py","line":16,"k":"abc","t":1796300207.720171,"o":44,"e":0}"#,
    r#"{"ev":"call","call":"recvfrom","sock":1,"args":{"bufsize":1024},"res":{"type":"bytes","len":13,"hex":"48656c6c6f2c20736572766572","addr":["127.0.0.1",37464],"real_len":13},"wait":"1-1796300207.720167","file":"/work/lab/server.py","line":16,"k":"abc","t":1796300207.782625,"o":44,"e":0}"#,
    r#"{"ev":"call","call":"sendto","sock":1,"args":{"data":{"type":"bytes","len":13,"hex":"48656c6c6f2c20636c69656e74"},"addr":["127.0.0.1",37464]},"t0":1796300207.7827837,"res":{"n":13},"file":"/work/lab/server.py","line":18,"k":"abc","t":1796300207.782805,"o":79,"e":0}"#,
    r#"{"ev":"call","call":"close","sock":1,"args":{},"res":{},"file":"/work/lab/server.py","line":20,"k":"abc","t":1796300207.7828958,"o":79,"e":0}"#,
];

/// client.py 127.0.0.1 40001, the other end of the same exchange.
const CLIENT_LINES: &[&str] = &[
    r#"{"ev":"call","call":"socket","sock":1,"args":{"family":"AF_INET","type":"SOCK_DGRAM"},"res":{"fd":4},"file":"/work/lab/client.py","line":11,"k":"abc","t":1796300207.7820764,"o":0,"e":0}"#,
    r#"{"ev":"call","call":"sendto","sock":1,"args":{"data":{"type":"bytes","len":13,"hex":"48656c6c6f2c20736572766572"},"addr":["127.0.0.1",40001]},"t0":1796300207.7821913,"res":{"n":13,"local":["0.0.0.0",37464]},"file":"/work/lab/client.py","line":14,"k":"abc","t":1796300207.7822347,"o":0,"e":0}"#,
    r#"{"ev":"call","call":"recvfrom","sock":1,"args":{"bufsize":1024},"res":{"type":"bytes","len":13,"hex":"48656c6c6f2c20636c69656e74","addr":["127.0.0.1",40001],"real_len":13},"wait":"1-1796300207.782308","file":"/work/lab/client.py","line":16,"k":"abc","t":1796300207.7853577,"o":0,"e":0}"#,
    r#"{"ev":"call","call":"close","sock":1,"args":{},"res":{},"file":"/work/lab/client.py","line":20,"k":"abc","t":1796300207.7855382,"o":36,"e":0}"#,
];

fn at(seconds: f64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs_f64(seconds)
}

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("literal")
}

fn started(session: &mut Session, run: ScriptId, path: &str) {
    session.record(&NetEvent::Script(ScriptEvent {
        run,
        at: SystemTime::now(),
        kind: ScriptEventKind::Started {
            pid: 1,
            script: PathBuf::from(path),
            source: None,
        },
    }));
}

fn feed(session: &mut Session, run: ScriptId, line: &str) {
    let Ok(parsed) = parse_line(line.as_bytes(), "abc") else {
        panic!("the tracer's line does not parse: {line}");
    };
    session.record(&NetEvent::Script(ScriptEvent {
        run,
        at: SystemTime::now(),
        kind: ScriptEventKind::Report(Box::new(parsed.report)),
    }));
}

/// UDP Lab's own server starts listening on 127.0.0.1:40001 (where the
/// captured client.py sends).
fn udp_lab_server_listens(s: &mut Session) -> SocketAddr {
    let server = addr("127.0.0.1:40001");
    s.record(&NetEvent::Server(ServerEvent {
        server: 1,
        at: at(1796300207.70),
        kind: ServerEventKind::Listening { addr: server },
    }));
    server
}

/// UDP Lab's own server reads `bytes` (whole, into `buffer`) and answers
/// with `reply`.
fn udp_lab_server_reads(
    s: &mut Session,
    from: SocketAddr,
    bytes: &[u8],
    buffer: usize,
    read_at: SystemTime,
    reply: Reply,
) {
    s.record(&NetEvent::Server(ServerEvent {
        server: 1,
        at: read_at,
        kind: ServerEventKind::Datagram {
            rx: Received {
                from,
                bytes: Arc::from(bytes),
                len: bytes.len(),
                truncated: false,
                buffer,
                at: read_at,
            },
            reply,
        },
    }));
}

/// (side, call kind, step, file:line) of each row.
fn rows(session: &Session) -> Vec<(Side, &'static str, Option<u8>, Option<String>)> {
    session
        .trace
        .iter()
        .map(|r| {
            let kind = match r.call {
                Call::Socket { .. } => "socket",
                Call::Bind { .. } => "bind",
                Call::RecvFrom { .. } => "recvfrom",
                Call::SendTo { .. } => "sendto",
                Call::Close => "close",
                _ => "other",
            };
            let site = r
                .script
                .as_ref()
                .and_then(|c| c.site.as_ref())
                .map(|(f, l)| format!("{}:{l}", file_name(f)));
            (r.side, kind, r.lab_step(), site)
        })
        .collect()
}

#[test]
fn a_traced_server_becomes_rows_of_its_own_side_with_sites_and_steps() {
    let mut s = Session::default();
    started(&mut s, 3, SERVER_PY);
    let waiting = |s: &Session| {
        s.scripts
            .get(3)
            .and_then(|i| i.waiting.as_ref())
            .and_then(|(_, site)| site.as_ref().map(|(_, line)| *line))
    };
    for line in &SERVER_LINES[..3] {
        feed(&mut s, 3, line);
    }
    // Blocked in recvfrom (the tracer's wait report), until it returns.
    assert_eq!(waiting(&s), Some(16));
    for line in &SERVER_LINES[3..] {
        feed(&mut s, 3, line);
    }
    assert_eq!(waiting(&s), None);
    let side = Side::Script(3);
    let site = |line: u32| Some(format!("server.py:{line}"));
    assert_eq!(
        rows(&s),
        vec![
            // socket() is server step 4 once bind shows the socket is a server's.
            (side, "socket", Some(4), site(11)),
            (side, "bind", Some(5), site(12)),
            (side, "recvfrom", Some(7), site(16)),
            (side, "sendto", Some(10), site(18)),
            // The lab's server never closes.
            (side, "close", None, site(20)),
        ]
    );
    assert_eq!(s.scripts.name(3), Some("server.py"));
    assert_eq!(
        s.trace[1].call,
        Call::Bind {
            addr: addr("127.0.0.1:40001")
        }
    );
    // The source could not be read (no such file here): said, not a panic.
    assert!(matches!(
        s.scripts.get(3).map(|i| &i.source),
        Some(ScriptSource::Unreadable(_))
    ));
    // A second run of the same file is told apart.
    started(&mut s, 4, SERVER_PY);
    assert_eq!(s.scripts.name(4), Some("server.py (2)"));
}

#[test]
fn a_scripts_send_joins_udp_labs_server_and_its_reply_the_script() {
    let mut s = Session::default();
    started(&mut s, 5, CLIENT_PY);
    let server = udp_lab_server_listens(&mut s);
    feed(&mut s, 5, CLIENT_LINES[0]);
    // UDP Lab's server reads the request (and answers) before the script's
    // report of its sendto comes in over the collector.
    udp_lab_server_reads(
        &mut s,
        addr("127.0.0.1:37464"),
        &b"Hello, server"[..],
        1024,
        at(1796300207.7822),
        Reply::Sent {
            bytes: Arc::from(&b"Hello, client"[..]),
            at: at(1796300207.7823),
            sim: SimFate::default(),
        },
    );
    for line in &CLIENT_LINES[1..] {
        feed(&mut s, 5, line);
    }
    assert_eq!(s.datagrams.len(), 2, "{:#?}", s.datagrams);
    let request = &s.datagrams[0];
    assert_eq!(request.direction, Direction::Request);
    assert_eq!(request.from, addr("127.0.0.1:37464"));
    assert_eq!(request.to, server);
    assert_eq!(request.sent_at, Some(at(1796300207.7821913)));
    assert!(request.received_at.is_some());
    assert_eq!(request.sender_script, Some(5));
    let reply = &s.datagrams[1];
    assert_eq!(reply.direction, Direction::Reply);
    assert!(reply.sent_at.is_some() && reply.received_at.is_some());
    assert_eq!(reply.receiver_script, Some(5));
    // The script's rows name their datagrams, and never-bound means client steps.
    let client = Side::Script(5);
    let steps: Vec<_> = s
        .trace
        .iter()
        .filter(|r| r.side == client)
        .map(|r| (r.lab_step(), r.datagram))
        .collect();
    assert_eq!(
        steps,
        vec![
            (Some(5), None),
            (Some(6), Some(request.id)),
            (Some(7), Some(reply.id)),
            (Some(9), None)
        ]
    );
}

#[test]
fn a_client_that_binds_its_port_first_is_still_the_client() {
    // client.py with `sock.bind(('127.0.0.1', 50000))` before its sendto.
    let lines = [
        CLIENT_LINES[0],
        r#"{"ev":"call","call":"bind","sock":1,"args":{"addr":["127.0.0.1",50000]},"t0":1796300207.7821,"res":{"local":["127.0.0.1",50000]},"file":"/work/lab/client.py","line":12,"k":"abc","t":1796300207.7821,"o":0,"e":0}"#,
        r#"{"ev":"call","call":"sendto","sock":1,"args":{"data":{"type":"bytes","len":13,"hex":"48656c6c6f2c20736572766572"},"addr":["127.0.0.1",40001]},"t0":1796300207.7821913,"res":{"n":13},"file":"/work/lab/client.py","line":14,"k":"abc","t":1796300207.7822347,"o":0,"e":0}"#,
    ];
    let mut s = Session::default();
    started(&mut s, 6, CLIENT_PY);
    udp_lab_server_listens(&mut s);
    for line in lines {
        feed(&mut s, 6, line);
    }
    udp_lab_server_reads(
        &mut s,
        addr("127.0.0.1:50000"),
        &b"Hello, server"[..],
        1024,
        at(1796300207.7823),
        Reply::NotSent,
    );
    assert_eq!(s.datagrams.len(), 1, "{:#?}", s.datagrams);
    let request = &s.datagrams[0];
    assert_eq!(request.direction, Direction::Request);
    assert_eq!(request.sender_script, Some(6));
    assert!(request.received_at.is_some(), "joined at UDP Lab's server");
    let side = Side::Script(6);
    let site = |line: u32| Some(format!("client.py:{line}"));
    assert_eq!(
        rows(&s)
            .into_iter()
            .filter(|r| r.0 == side)
            .collect::<Vec<_>>(),
        vec![
            (side, "socket", Some(5), site(11)),
            // The lab's client never binds: no step of the handout.
            (side, "bind", None, site(12)),
            (side, "sendto", Some(6), site(14)),
        ]
    );
}

#[test]
fn two_scripts_datagrams_join_each_other() {
    let mut s = Session::default();
    started(&mut s, 1, SERVER_PY);
    started(&mut s, 2, CLIENT_PY);
    // As the collectors delivered them: the server's lines up to its wait,
    // the client's send, the server's read and reply, the client's read.
    let order = [
        (1, SERVER_LINES[0]),
        (1, SERVER_LINES[1]),
        (1, SERVER_LINES[2]),
        (2, CLIENT_LINES[0]),
        (2, CLIENT_LINES[1]),
        (1, SERVER_LINES[3]),
        (1, SERVER_LINES[4]),
        (1, SERVER_LINES[5]),
        (2, CLIENT_LINES[2]),
        (2, CLIENT_LINES[3]),
    ];
    for (run, line) in order {
        feed(&mut s, run, line);
    }
    assert_eq!(s.datagrams.len(), 2, "{:#?}", s.datagrams);
    for d in &s.datagrams {
        assert!(d.sent_at.is_some() && d.received_at.is_some(), "{d:?}");
        assert!(d.sent_at <= d.received_at, "{d:?}");
    }
    let (request, reply) = (&s.datagrams[0], &s.datagrams[1]);
    assert_eq!(
        (request.sender_script, request.receiver_script),
        (Some(2), Some(1))
    );
    assert_eq!(
        (reply.sender_script, reply.receiver_script),
        (Some(1), Some(2))
    );
    // The client's unbound socket got its address from the tracer's first send.
    assert_eq!(request.from, addr("127.0.0.1:37464"));
    assert_eq!(&*request.bytes, b"Hello, server");
    // The trace is in time order across the two scripts.
    assert!(
        s.trace
            .iter()
            .zip(s.trace.iter().skip(1))
            .all(|(a, b)| a.at <= b.at)
    );
}

#[test]
fn a_short_source_is_kept_and_a_long_one_is_not() {
    let dir = std::env::temp_dir().join(format!("udplab-source-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let short = dir.join("short.py");
    let long = dir.join("long.py");
    let written = std::fs::write(&short, "print('hi')\n")
        .and_then(|()| std::fs::write(&long, vec![b'#'; MAX_SOURCE as usize + 10]));
    assert!(written.is_ok(), "{written:?}");
    assert_eq!(
        read_source(&short),
        ScriptSource::Text("print('hi')\n".into())
    );
    assert_eq!(read_source(&long), ScriptSource::TooLong(MAX_SOURCE + 10));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_long_datagram_read_first_joins_the_scripts_send_of_its_preview() {
    let mut s = Session::default();
    started(&mut s, 7, CLIENT_PY);
    udp_lab_server_listens(&mut s);
    // 3000 bytes read by UDP Lab's server; the tracer shows the first 2048.
    let payload = vec![b'x'; 3000];
    udp_lab_server_reads(
        &mut s,
        addr("127.0.0.1:37464"),
        &payload[..],
        65536,
        at(1796300207.7822),
        Reply::NotSent,
    );
    let preview = "78".repeat(2048);
    let send = format!(
        r#"{{"ev":"call","call":"sendto","sock":1,"args":{{"data":{{"type":"bytes","len":3000,"hex":"{preview}"}},"addr":["127.0.0.1",40001]}},"t0":1796300207.7821913,"res":{{"n":3000,"local":["0.0.0.0",37464]}},"file":"/work/lab/client.py","line":14,"k":"abc","t":1796300207.7822347}}"#
    );
    feed(&mut s, 7, &send);
    assert_eq!(s.datagrams.len(), 1, "{:?}", s.datagrams.len());
    let d = &s.datagrams[0];
    assert!(d.sent_at.is_some() && d.received_at.is_some());
    // The whole payload stays, not the preview.
    assert_eq!((d.bytes.len(), d.len), (3000, 3000));
}

#[test]
fn a_tcp_socket_is_one_of_udp_lab_s_tcp_programs() {
    let mut s = Session::default();
    started(&mut s, 8, SERVER_PY);
    feed(
        &mut s,
        8,
        r#"{"ev":"call","call":"socket","sock":1,"args":{"family":"AF_INET","type":"SOCK_STREAM"},"res":{"fd":4},"file":"/work/lab/server.py","line":11,"k":"abc","t":1796300207.72}"#,
    );
    feed(
        &mut s,
        8,
        r#"{"ev":"call","call":"bind","sock":1,"args":{"addr":["127.0.0.1",40001]},"res":{"local":["127.0.0.1",40001]},"file":"/work/lab/server.py","line":12,"k":"abc","t":1796300207.73}"#,
    );
    feed(
        &mut s,
        8,
        r#"{"ev":"call","call":"listen","sock":1,"args":{"backlog":5},"res":{},"file":"/work/lab/server.py","line":13,"k":"abc","t":1796300207.74}"#,
    );
    // TCP rows, stepped as UDP Lab's TCP server (issue 27): socket 4,
    // bind 5, listen 6 — the socket's step learnt from its bind.
    let rows: Vec<_> = s
        .trace
        .iter()
        .map(|r| (r.call.clone(), r.lab_step()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (Call::Tcp(TcpCall::Socket { family: Family::V4 }), Some(4)),
            (
                Call::Tcp(TcpCall::Bind {
                    addr: "127.0.0.1:40001".parse().expect("addr")
                }),
                Some(5)
            ),
            (Call::Tcp(TcpCall::Listen { backlog: 5 }), Some(6)),
        ]
    );
    assert!(s.datagrams.is_empty());
}
