//! The diagnoser on tracer lines as the tracer writes them: what a
//! correct program gets (nothing) and when each diagnosis is said.

use super::*;
use crate::lab::i18n::Lang;
use crate::net::trace::parse_line;

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

const SOCKET: &str = r#"{"ev":"call","call":"socket","sock":1,"args":{"family":"AF_INET","type":"SOCK_DGRAM"},"res":{}}$"#;
const BIND: &str = r#"{"ev":"call","call":"bind","sock":1,"args":{"addr":["127.0.0.1",23456]},"res":{"local":["127.0.0.1",23456]}}$"#;

#[test]
fn a_server_reading_a_second_client_is_no_reply_from_another_port() {
    let mut d = Diagnoser::default();
    let found = feed(
        &mut d,
        &[
            SOCKET,
            BIND,
            r#"{"ev":"wait","call":"recvfrom","sock":1,"wait":"w1"}$"#,
            r#"{"ev":"call","call":"recvfrom","sock":1,"wait":"w1","res":{"type":"bytes","len":2,"hex":"6869","addr":["127.0.0.1",40001]}}$"#,
            r#"{"ev":"call","call":"sendto","sock":1,"args":{"addr":["127.0.0.1",40001]},"res":{"n":2}}$"#,
            r#"{"ev":"wait","call":"recvfrom","sock":1,"wait":"w2"}$"#,
            r#"{"ev":"call","call":"recvfrom","sock":1,"wait":"w2","res":{"type":"bytes","len":2,"hex":"6869","addr":["127.0.0.1",40002]}}$"#,
        ],
    );
    assert!(found.is_empty(), "{found:?}");
    // It never stops: at its end (killed, or stopped) nothing about closing.
    let left = feed(&mut d, &[r#"{"ev":"unclosed","sock":1}$"#]);
    assert!(left.is_empty());
    assert!(d.exited(None, true).is_empty());
}

#[test]
fn a_clients_answer_from_another_port_is_said() {
    let mut d = Diagnoser::default();
    let found = feed(
        &mut d,
        &[
            SOCKET,
            r#"{"ev":"call","call":"sendto","sock":1,"args":{"addr":["127.0.0.1",23456]},"res":{"n":2,"local":["127.0.0.1",40001]}}$"#,
            r#"{"ev":"wait","call":"recvfrom","sock":1,"wait":"w1","timeout":2.0}$"#,
            r#"{"ev":"call","call":"recvfrom","sock":1,"wait":"w1","res":{"type":"bytes","len":2,"hex":"6869","addr":["127.0.0.1",50000]}}$"#,
        ],
    );
    assert!(
        matches!(found.as_slice(), [Kind::OtherPort { from, to }] if from.port() == 50000 && to.port() == 23456),
        "{found:?}"
    );
}

#[test]
fn never_closed_only_after_a_normal_end_and_for_a_client() {
    let client = [
        SOCKET,
        r#"{"ev":"call","call":"sendto","sock":1,"args":{"addr":["127.0.0.1",23456]},"res":{"n":2}}$"#,
        r#"{"ev":"unclosed","sock":1}$"#,
    ];
    let mut d = Diagnoser::default();
    assert!(feed(&mut d, &client).is_empty());
    assert_eq!(
        d.exited(Some(0), false)
            .into_iter()
            .map(|d| d.kind)
            .collect::<Vec<_>>(),
        [Kind::Unclosed]
    );
    // Ended with an exception, with an error code, or stopped: not said.
    let mut d = Diagnoser::default();
    feed(&mut d, &client);
    feed(
        &mut d,
        &[r#"{"ev":"exception","type":"ValueError","text":"ValueError: x"}$"#],
    );
    assert!(d.exited(Some(0), false).is_empty());
    let mut d = Diagnoser::default();
    feed(&mut d, &client);
    assert!(d.exited(Some(1), false).is_empty());
    let mut d = Diagnoser::default();
    feed(&mut d, &client);
    assert!(d.exited(Some(0), true).is_empty());
}

#[test]
fn nothing_listens_only_on_an_icmp_error_and_a_receive_unbound_is_said() {
    let mut d = Diagnoser::default();
    // A timeout alone proves nothing about the other end.
    let found = feed(
        &mut d,
        &[
            SOCKET,
            r#"{"ev":"call","call":"sendto","sock":1,"args":{"addr":["127.0.0.1",9]},"res":{"n":2}}$"#,
            r#"{"ev":"wait","call":"recvfrom","sock":1,"wait":"w1","timeout":1.0}$"#,
            r#"{"ev":"call","call":"recvfrom","sock":1,"wait":"w1","err":{"type":"timeout","text":"timed out","kind":"timeout"}}$"#,
        ],
    );
    assert!(found.is_empty(), "{found:?}");
    let found = feed(
        &mut d,
        &[r#"{"ev":"icmp","sock":1,"errno":111,"addr":["127.0.0.1",9]}$"#],
    );
    assert!(
        matches!(
            found.as_slice(),
            [Kind::NothingListens { .. } | Kind::LoopbackOnly { .. }]
        ),
        "{found:?}"
    );

    let mut d = Diagnoser::default();
    let found = feed(
        &mut d,
        &[
            SOCKET,
            r#"{"ev":"wait","call":"recvfrom","sock":1,"wait":"w1"}$"#,
        ],
    );
    assert_eq!(
        found,
        [Kind::NeverBound {
            call: "recvfrom".into()
        }]
    );
    // Bound first: the lab's server, nothing to say.
    let mut d = Diagnoser::default();
    let found = feed(
        &mut d,
        &[
            SOCKET,
            BIND,
            r#"{"ev":"wait","call":"recvfrom","sock":1,"wait":"w1"}$"#,
        ],
    );
    assert!(found.is_empty());
}

#[test]
fn a_servers_reply_to_a_client_gone_since_is_not_said_unreachable() {
    let mut d = Diagnoser::default();
    let found = feed(
        &mut d,
        &[
            SOCKET,
            BIND,
            r#"{"ev":"wait","call":"recvfrom","sock":1,"wait":"w1"}$"#,
            r#"{"ev":"call","call":"recvfrom","sock":1,"wait":"w1","res":{"type":"bytes","len":2,"hex":"6869","addr":["127.0.0.1",40001]}}$"#,
            r#"{"ev":"call","call":"sendto","sock":1,"args":{"addr":["127.0.0.1",40001]},"res":{"n":2}}$"#,
            r#"{"ev":"icmp","sock":1,"errno":111,"addr":["127.0.0.1",40001]}$"#,
        ],
    );
    assert!(found.is_empty(), "{found:?}");
}

/// Issue 25: the handout's server on Windows dies on its next recvfrom
/// with WinError 10054 after answering a client that had closed.
#[test]
fn a_servers_receive_reset_on_windows_is_explained() {
    let mut d = Diagnoser::default();
    let found = feed(
        &mut d,
        &[
            SOCKET,
            BIND,
            r#"{"ev":"wait","call":"recvfrom","sock":1,"wait":"w1"}$"#,
            r#"{"ev":"call","call":"recvfrom","sock":1,"wait":"w1","res":{"type":"bytes","len":2,"hex":"6869","addr":["127.0.0.1",40001]}}$"#,
            r#"{"ev":"call","call":"sendto","sock":1,"args":{"addr":["127.0.0.1",40001]},"res":{"n":2}}$"#,
            r#"{"ev":"wait","call":"recvfrom","sock":1,"wait":"w2"}$"#,
            r#"{"ev":"call","call":"recvfrom","sock":1,"wait":"w2","err":{"type":"ConnectionResetError","text":"[WinError 10054] An existing connection was forcibly closed by the remote host","errno":10054,"winerror":10054}}$"#,
        ],
    );
    assert_eq!(found, [Kind::ResetWindows], "{found:?}");
    let d = Diagnosis {
        site: None,
        kind: Kind::ResetWindows,
    };
    let text = d.text(Lang::En);
    assert!(text.contains("WinError 10054"), "{text}");
    assert!(text.contains("already closed"), "{text}");
    assert!(d.text(Lang::Ru).contains("уже закрылся"));
}
