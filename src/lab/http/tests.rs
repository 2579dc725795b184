use super::*;
use proptest::prelude::*;

const PAGE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello";

#[test]
fn a_request_is_laid_out_as_its_lines() {
    let m = parse(
        b"GET /HelloWorld.html HTTP/1.1\r\nHost: 127.0.0.1:6789\r\n\r\n",
        Kind::Request,
    );
    assert_eq!(
        m.lines[0].kind,
        LineKind::Request {
            method: "GET".into(),
            target: "/HelloWorld.html".into(),
            version: "HTTP/1.1".into()
        }
    );
    assert_eq!(m.header("host"), Some("127.0.0.1:6789"));
    assert_eq!(
        m.head_end,
        HeadEnd::Found {
            range: 53..55,
            ending: Ending::CrLf
        }
    );
    let body = m.body.as_ref().map(|b| (b.framing.clone(), b.check));
    assert_eq!(body, Some((Framing::None, BodyCheck::Complete)));
}

#[test]
fn a_response_body_is_checked_against_content_length() {
    let m = parse(PAGE, Kind::Response);
    assert_eq!(m.status(), Some(200));
    let body = m.body.clone().map(|b| (b.range, b.framing, b.check));
    assert_eq!(
        body,
        Some((63..68, Framing::Length(5), BodyCheck::Complete))
    );
    let short = parse(&PAGE[..65], Kind::Response);
    assert_eq!(
        short.body.map(|b| b.check),
        Some(BodyCheck::Short { missing: 3 })
    );
    let mut long = PAGE.to_vec();
    long.extend_from_slice(b"!!");
    let long = parse(&long, Kind::Response);
    assert_eq!(
        long.body.as_ref().map(|b| b.check),
        Some(BodyCheck::Extra { extra: 2 })
    );
    assert_eq!(long.part_at(68), Some(Part::Extra));
}

#[test]
fn a_head_without_its_empty_line_is_flagged() {
    // The classic student server: headers sent, no "\r\n" after them.
    let m = parse(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n<html>",
        Kind::Response,
    );
    assert_eq!(m.head_end, HeadEnd::Missing);
    assert!(m.body.is_none());
    // The page's first bytes read as a header line without its colon.
    assert_eq!(m.lines[2].kind, LineKind::Malformed);
    assert_eq!(m.lines[2].ending, Ending::Missing);
}

#[test]
fn bare_newlines_and_odd_framing_are_told() {
    let m = parse(b"HTTP/1.0 404 Not Found\n\nnope", Kind::Response);
    assert_eq!(
        m.head_end,
        HeadEnd::Found {
            range: 23..24,
            ending: Ending::Lf
        }
    );
    assert_eq!(m.lines[0].ending, Ending::Lf);
    assert_eq!(
        m.body.map(|b| (b.framing, b.check)),
        Some((Framing::UntilClose, BodyCheck::Unchecked))
    );
    let head = parse(
        b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
        Kind::ResponseToHead,
    );
    assert_eq!(head.body.map(|b| b.framing), Some(Framing::None));
    let bad = parse(
        b"HTTP/1.1 200 OK\r\nContent-Length: nine\r\n\r\n",
        Kind::Response,
    );
    assert_eq!(bad.framing(), Framing::BadLength("nine".into()));
    let two = parse(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        Kind::Response,
    );
    assert_eq!(two.framing(), Framing::BadLength("1".into()));
}

#[test]
fn each_recv_is_told_the_parts_it_carried() {
    let m = parse(PAGE, Kind::Response);
    // A first recv that stopped inside the Content-Type header.
    let parts: Vec<Part> = m.parts_in(0..20).into_iter().map(|(p, _)| p).collect();
    assert_eq!(parts, vec![Part::Line(0), Part::Line(1)]);
    let rest = m.parts_in(20..68);
    assert_eq!(rest.first(), Some(&(Part::Line(1), 20..42)));
    assert_eq!(rest.last(), Some(&(Part::Body, 63..68)));
    assert!(rest.contains(&(Part::EmptyLine, 61..63)));
}

proptest! {
    #[test]
    fn any_bytes_parse_and_the_parts_tile_them(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        response in any::<bool>(),
    ) {
        let kind = if response { Kind::Response } else { Kind::Request };
        let m = parse(&bytes, kind);
        let mut at = 0;
        for (part, range) in m.spans() {
            prop_assert_eq!(range.start, at);
            prop_assert!(range.end > range.start);
            prop_assert_eq!(m.part_at(range.start), Some(part));
            at = range.end;
        }
        prop_assert_eq!(at, bytes.len());
        prop_assert_eq!(m.part_at(bytes.len()), None);
    }

    #[test]
    fn a_prefix_agrees_with_the_whole(
        headers in proptest::collection::vec(("[A-Za-z-]{1,12}", "[ -~]{0,20}"), 0..6),
        body in proptest::collection::vec(any::<u8>(), 0..80),
        announced in proptest::option::of(0usize..100),
        cut in 0usize..400,
    ) {
        let mut wire = b"HTTP/1.1 200 OK\r\n".to_vec();
        for (name, value) in &headers {
            if name.eq_ignore_ascii_case("content-length")
                || name.eq_ignore_ascii_case("transfer-encoding")
            {
                continue;
            }
            wire.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        if let Some(n) = announced {
            wire.extend_from_slice(format!("Content-Length: {n}\r\n").as_bytes());
        }
        wire.extend_from_slice(b"\r\n");
        let head = wire.len();
        wire.extend_from_slice(&body);
        let whole = parse(&wire, Kind::Response);
        prop_assert_eq!(whole.head_len(), Some(head));
        let check = whole.body.as_ref().map(|b| b.check);
        let expected = match announced {
            None => BodyCheck::Unchecked,
            Some(n) if n == body.len() => BodyCheck::Complete,
            Some(n) if n > body.len() => BodyCheck::Short { missing: (n - body.len()) as u64 },
            Some(n) => BodyCheck::Extra { extra: body.len() - n },
        };
        prop_assert_eq!(check, Some(expected));
        // What had arrived after `cut` bytes: every finished line the same.
        let cut = cut.min(wire.len());
        let part = parse(&wire[..cut], Kind::Response);
        for (a, b) in part.lines.iter().zip(&whole.lines) {
            if a.ending != Ending::Missing {
                prop_assert_eq!(a, b);
            }
        }
        prop_assert_eq!(part.head_len().is_some(), cut >= head);
    }
}

#[test]
fn detect_tells_http_by_its_first_line() {
    assert_eq!(
        detect(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        Some(Kind::Request)
    );
    // The line's end has not arrived yet: still a request.
    assert_eq!(
        detect(b"GET /HelloWorld.html HTTP/1.1"),
        Some(Kind::Request)
    );
    assert_eq!(detect(b"HTTP/1.0 200 OK\n\nhi"), Some(Kind::Response));
    assert_eq!(detect(b"Hello, server"), None);
    assert_eq!(detect(b"HTTP/"), None);
    assert_eq!(detect(b"get / HTTP/1.1\r\n"), None);
    assert_eq!(detect(b""), None);
    assert_eq!(detect(&[0x16, 0x03, 0x01, 0x02, 0x00]), None);
}

#[test]
fn a_response_to_head_is_known_by_its_request() {
    let head = parse(b"HEAD / HTTP/1.1\r\n\r\n", Kind::Request);
    let get = parse(b"GET / HTTP/1.1\r\n\r\n", Kind::Request);
    assert_eq!(response_kind(Some(&head)), Kind::ResponseToHead);
    assert_eq!(response_kind(Some(&get)), Kind::Response);
    assert_eq!(response_kind(None), Kind::Response);
}

#[test]
fn a_kept_alive_stream_is_split_into_its_messages() {
    let two = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    let ranges = split(two, |_| Kind::Request);
    assert_eq!(ranges, [0..28, 28..two.len()]);
    assert_eq!(&two[ranges[1].clone()][..6], b"GET /b");

    // Responses: by Content-Length; the second to a HEAD has no body even
    // with a Content-Length, so the third starts right after its head.
    let down = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA\
HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n\
HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nBC";
    let kinds = [Kind::Response, Kind::ResponseToHead, Kind::Response];
    let ranges = split(down, |k| kinds[k]);
    assert_eq!(ranges.len(), 3, "{ranges:?}");
    assert_eq!(
        &down[ranges[0].clone()],
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
    );
    assert!(down[ranges[2].clone()].ends_with(b"\r\n\r\nBC"));

    // Bytes past the body that are no message stay with it (flagged).
    let wrong = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nHello";
    assert_eq!(split(wrong, |_| Kind::Response), vec![(0..wrong.len())]);
    // One message, unended, and nothing at all.
    assert_eq!(
        split(b"GET / HTTP/1.1\r\n", |_| Kind::Request),
        vec![(0..16)]
    );
    assert_eq!(split(b"", |_| Kind::Request), vec![(0..0)]);
    // Bounded: a stream of many tiny requests gives MAX_MESSAGES ranges.
    let many = b"GET / HTTP/1.1\r\n\r\n".repeat(MAX_MESSAGES + 5);
    let ranges = split(&many, |_| Kind::Request);
    assert_eq!(ranges.len(), MAX_MESSAGES);
    assert_eq!(ranges.last().map(|r| r.end), Some(many.len()));
}
