use super::*;

const TOKEN: &str = "abc";

#[test]
fn a_call_line_is_read() {
    let line = br#"{"ev":"call","call":"recvfrom","sock":1,"args":{"bufsize":1024},"res":{"type":"bytes","len":2,"hex":"4869","addr":["127.0.0.1",50612],"real_len":2},"file":"/x/server.py","line":16,"k":"abc","t":1.5}"#;
    let Ok(Line {
        report: Report::Call(call),
        ..
    }) = parse_line(line, TOKEN)
    else {
        panic!("not a call");
    };
    assert_eq!(call.name, "recvfrom");
    assert_eq!(call.args.bufsize, Some(1024));
    let res = call.outcome.clone().unwrap_or_default();
    assert_eq!(res.data.and_then(|d| d.bytes), Some(b"Hi".to_vec()));
    assert_eq!(
        res.from.and_then(|a| a.socket_addr()),
        "127.0.0.1:50612".parse().ok()
    );
    assert_eq!(call.site.map(|s| s.short()), Some("server.py:16".into()));
}

#[test]
fn tcp_call_lines_are_read() {
    let accept = br#"{"ev":"call","call":"accept","sock":1,"args":{},"res":{"sock":2,"addr":["127.0.0.1",36990],"local":["127.0.0.1",23901],"fd":5},"wait":"1-2","file":"s.py","line":7,"k":"abc"}"#;
    let Ok(Line {
        report: Report::Call(call),
        ..
    }) = parse_line(accept, TOKEN)
    else {
        panic!("not a call");
    };
    let res = call.outcome.unwrap_or_default();
    assert_eq!(res.accepted, Some(2));
    assert_eq!(
        res.from.and_then(|a| a.socket_addr()),
        "127.0.0.1:36990".parse().ok()
    );
    let listen =
        br#"{"ev":"call","call":"listen","sock":1,"args":{"backlog":5},"res":{},"k":"abc"}"#;
    let Ok(Line {
        report: Report::Call(call),
        ..
    }) = parse_line(listen, TOKEN)
    else {
        panic!("not a call");
    };
    assert_eq!(call.args.backlog, Some(5));
    let refused = br#"{"ev":"call","call":"connect_ex","sock":1,"args":{"addr":["127.0.0.1",1]},"res":{"code":111,"local":["0.0.0.0",46274]},"k":"abc"}"#;
    let Ok(Line {
        report: Report::Call(call),
        ..
    }) = parse_line(refused, TOKEN)
    else {
        panic!("not a call");
    };
    assert_eq!(call.outcome.unwrap_or_default().code, Some(111));
}

#[test]
fn strangers_and_garbage_are_refused() {
    assert_eq!(
        parse_line(br#"{"ev":"hello","k":"nope"}"#, TOKEN),
        Err(LineError::WrongToken)
    );
    assert_eq!(
        parse_line(br#"{"ev":"hello"}"#, TOKEN),
        Err(LineError::WrongToken)
    );
    assert_eq!(
        parse_line(b"{\"k\":\"abc\"", TOKEN),
        Err(LineError::NotJson)
    );
    assert_eq!(parse_line(b"\xff\xfe", TOKEN), Err(LineError::NotUtf8));
    assert_eq!(
        parse_line(br#"{"ev":"call","k":"abc"}"#, TOKEN),
        Err(LineError::Shape)
    );
    assert_eq!(
        parse_line(br#"{"ev":"call","k":"abc","sock":1,"call":"x","res":{"type":"bytes","len":1,"hex":"zz"}}"#, TOKEN),
        Err(LineError::Shape)
    );
    assert_eq!(
        parse_line(&vec![b' '; MAX_LINE + 1], TOKEN),
        Err(LineError::TooLong)
    );
}

#[test]
fn the_splitter_caps_lines_and_resynchronises() {
    let mut s = LineSplitter::default();
    let mut got = Vec::new();
    let mut long = vec![b'x'; MAX_LINE + 10];
    long.extend_from_slice(b"\nok\r\npart");
    s.feed(&long, |l| got.push(l.map(<[u8]>::to_vec)));
    s.feed(b"ial\n", |l| got.push(l.map(<[u8]>::to_vec)));
    assert_eq!(
        got,
        vec![
            Err(LineError::TooLong),
            Ok(b"ok".to_vec()),
            Ok(b"partial".to_vec())
        ]
    );
}
