//! The TCP diagnoses on tracer lines as the tracer writes them: a correct
//! server gets none, and each mistake is said only when its facts hold.

use std::time::{Duration, SystemTime};

use crate::lab::diagnose::{Diagnoser, Kind, NoFacts, TcpKind};
use crate::net::trace::{Report, parse_line};

fn report(json: &str) -> Report {
    let line = json.replace("}$", ",\"k\":\"t\"}");
    parse_line(line.as_bytes(), "t")
        .expect("a tracer line")
        .report
}

fn feed(d: &mut Diagnoser, lines: &[&str]) -> Vec<Kind> {
    lines
        .iter()
        .flat_map(|l| d.report(&report(l), &NoFacts))
        .map(|d| d.kind)
        .collect()
}

fn at(seconds: f64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs_f64(seconds)
}

const LISTENING: [&str; 3] = [
    r#"{"ev":"call","call":"socket","sock":1,"args":{"family":"AF_INET","type":"SOCK_STREAM"},"res":{}}$"#,
    r#"{"ev":"call","call":"bind","sock":1,"args":{"addr":["127.0.0.1",23456]},"res":{"local":["127.0.0.1",23456]}}$"#,
    r#"{"ev":"call","call":"listen","sock":1,"args":{"backlog":5},"res":{}}$"#,
];
const ACCEPTED: [&str; 2] = [
    r#"{"ev":"wait","call":"accept","sock":1,"wait":"a1","t":10.0}$"#,
    r#"{"ev":"call","call":"accept","sock":1,"wait":"a1","res":{"sock":2,"addr":["127.0.0.1",40000]},"t":11.0}$"#,
];
const NEXT_ACCEPT: &str = r#"{"ev":"wait","call":"accept","sock":1,"wait":"a2","t":12.0}$"#;

#[test]
fn a_server_that_closes_each_connection_is_told_nothing() {
    let mut d = Diagnoser::default();
    let mut found = feed(&mut d, &LISTENING);
    found.extend(feed(&mut d, &ACCEPTED));
    found.extend(feed(
        &mut d,
        &[
            r#"{"ev":"call","call":"recv","sock":2,"args":{"bufsize":1024},"res":{"type":"bytes","len":2,"hex":"6869"},"t":11.1}$"#,
            r#"{"ev":"call","call":"sendall","sock":2,"args":{"data":{"type":"bytes","len":2,"hex":"6869"}},"res":{"n":2},"t":11.2}$"#,
            r#"{"ev":"call","call":"recv","sock":2,"args":{"bufsize":1024},"res":{"type":"bytes","len":0,"hex":""},"t":11.3}$"#,
            r#"{"ev":"call","call":"close","sock":2,"args":{},"res":{},"t":11.4}$"#,
            NEXT_ACCEPT,
        ],
    ));
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(d.next_tick(), None);
    assert!(d.tick(at(100.0), &NoFacts).is_empty());
    assert!(d.exited(Some(0), false).is_empty());
}

#[test]
fn a_connection_left_open_is_said_once_the_server_has_waited_in_accept() {
    let mut d = Diagnoser::default();
    feed(&mut d, &LISTENING);
    feed(&mut d, &ACCEPTED);
    feed(
        &mut d,
        &[
            r#"{"ev":"call","call":"sendall","sock":2,"args":{"data":{"type":"bytes","len":2,"hex":"6869"}},"res":{"n":2},"t":11.2}$"#,
            NEXT_ACCEPT,
        ],
    );
    // Not before the grace: a handler thread may be about to use it.
    assert_eq!(d.next_tick(), Some(at(12.0) + super::ACCEPT_GRACE));
    assert!(d.tick(at(13.0), &NoFacts).is_empty());
    let found: Vec<Kind> = d
        .tick(at(14.5), &NoFacts)
        .into_iter()
        .map(|d| d.kind)
        .collect();
    assert!(
        matches!(
            found.as_slice(),
            [Kind::Tcp(TcpKind::AcceptedUnclosed { .. })]
        ),
        "{found:?}"
    );
    // Said once.
    assert!(d.tick(at(20.0), &NoFacts).is_empty());
    assert_eq!(d.next_tick(), None);
}

#[test]
fn a_handler_thread_waiting_in_recv_is_no_connection_left_open() {
    let mut d = Diagnoser::default();
    feed(&mut d, &LISTENING);
    feed(&mut d, &ACCEPTED);
    feed(
        &mut d,
        &[
            NEXT_ACCEPT,
            r#"{"ev":"wait","call":"recv","sock":2,"args":{"bufsize":1024},"wait":"r1","t":12.1}$"#,
        ],
    );
    assert!(d.tick(at(30.0), &NoFacts).is_empty());
}

#[test]
fn a_partial_send_is_fine_when_the_rest_is_sent_next() {
    let socket = r#"{"ev":"call","call":"socket","sock":1,"args":{"family":"AF_INET","type":"SOCK_STREAM"},"res":{}}$"#;
    let partial = r#"{"ev":"call","call":"send","sock":1,"args":{"data":{"type":"bytes","len":10,"hex":"00"}},"res":{"n":4},"file":"c.py","line":7}$"#;
    let rest = r#"{"ev":"call","call":"send","sock":1,"args":{"data":{"type":"bytes","len":6,"hex":"00"}},"res":{"n":6}}$"#;
    let close = r#"{"ev":"call","call":"close","sock":1,"args":{},"res":{}}$"#;
    let mut d = Diagnoser::default();
    assert!(feed(&mut d, &[socket, partial, rest, close]).is_empty());
    let mut d = Diagnoser::default();
    let found = feed(&mut d, &[socket, partial, close]);
    assert_eq!(
        found,
        [Kind::Tcp(TcpKind::PartialSend { sent: 4, len: 10 })]
    );
    // Left at the end: said when the script ends.
    let mut d = Diagnoser::default();
    assert!(feed(&mut d, &[socket, partial]).is_empty());
    let end: Vec<Kind> = d
        .exited(Some(0), false)
        .into_iter()
        .map(|d| d.kind)
        .collect();
    assert_eq!(end, [Kind::Tcp(TcpKind::PartialSend { sent: 4, len: 10 })]);
}

#[test]
fn a_udp_socket_keeps_the_udp_diagnoses() {
    // An empty datagram read twice is no stream's end.
    let mut d = Diagnoser::default();
    let found = feed(
        &mut d,
        &[
            r#"{"ev":"call","call":"socket","sock":1,"args":{"family":"AF_INET","type":"SOCK_DGRAM"},"res":{}}$"#,
            r#"{"ev":"call","call":"bind","sock":1,"args":{"addr":["127.0.0.1",23456]},"res":{}}$"#,
            r#"{"ev":"call","call":"recv","sock":1,"args":{"bufsize":1024},"res":{"type":"bytes","len":0,"hex":""}}$"#,
            r#"{"ev":"call","call":"recv","sock":1,"args":{"bufsize":1024},"res":{"type":"bytes","len":0,"hex":""}}$"#,
        ],
    );
    assert!(found.is_empty(), "{found:?}");
}
