//! Property tests: address parsing and payload formatting hold for any
//! input, not only the examples in the unit tests.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use proptest::prelude::*;

use udp_lab::lab::text::{hex, is_plain_text, payload_text};
use udp_lab::net::{Host, parse_addr, resolve};

/// Characters that reorder, hide or break text when shown as is.
fn is_unsafe_to_show(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// Strings shaped like addresses, with the mistakes people make.
fn addressish() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-fA-F:.\\[\\] %-]{0,48}",
        "[a-z0-9.-]{0,30}:[0-9-]{0,7}",
        "\\[[0-9a-f:.]{0,40}\\]:[0-9]{0,6}",
        "[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}:[0-9]{0,6}",
        any::<String>(),
    ]
}

fn v6_addr() -> impl Strategy<Value = SocketAddr> {
    (any::<[u16; 8]>(), any::<u16>()).prop_map(|(s, port)| {
        let ip = Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
        // Display shows neither flow info nor (here) a scope.
        SocketAddr::V6(SocketAddrV6::new(ip, port, 0, 0))
    })
}

fn v4_addr() -> impl Strategy<Value = SocketAddr> {
    (any::<u32>(), any::<u16>())
        .prop_map(|(ip, port)| SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(ip), port)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsing_never_panics_and_what_parses_round_trips(input in addressish(), target: bool) {
        if let Ok(parsed) = parse_addr(&input, target) {
            let shown = parsed.to_string();
            prop_assert_eq!(parse_addr(&shown, target), Ok(parsed.clone()), "shown as {}", shown);
            if target {
                prop_assert_ne!(parsed.port, 0);
            }
            if let Host::Name(name) = &parsed.host {
                prop_assert!(name.is_ascii() && !name.is_empty() && name.len() <= 253);
            }
        }
    }

    #[test]
    fn every_std_socket_address_parses_back(addr in prop_oneof![v4_addr(), v6_addr()]) {
        let shown = addr.to_string();
        let parsed = parse_addr(&shown, false)
            .map_err(|e| TestCaseError::fail(format!("{shown}: {e}")))?;
        prop_assert_eq!(parsed.port, addr.port());
        prop_assert_eq!(&parsed.host, &Host::Ip(addr.ip()));
        // IP hosts resolve without DNS, to the very same address.
        prop_assert_eq!(resolve(&parsed), Ok(addr));
        // As a target only port 0 is refused.
        prop_assert_eq!(parse_addr(&shown, true).is_ok(), addr.port() != 0);
    }

    #[test]
    fn ipv4_mapped_and_compatible_forms_parse_as_written(ip: u32, port in 1u16..=u16::MAX) {
        let v4 = Ipv4Addr::from(ip);
        let mapped = SocketAddr::new(IpAddr::V6(v4.to_ipv6_mapped()), port);
        let parsed = parse_addr(&mapped.to_string(), true)
            .map_err(|e| TestCaseError::fail(format!("{mapped}: {e}")))?;
        prop_assert_eq!(resolve(&parsed), Ok(mapped));
    }

    #[test]
    fn payload_text_is_always_safe_and_bounded(bytes: Vec<u8>, max in 0usize..300) {
        let text = payload_text(&bytes, max);
        prop_assert!(!text.chars().any(is_unsafe_to_show), "{:?}", text);
        let shown_chars = String::from_utf8_lossy(&bytes).chars().count();
        if shown_chars > max {
            prop_assert!(text.ends_with('…'));
        } else {
            prop_assert!(!text.ends_with('…') || bytes.ends_with("…".as_bytes()));
        }
        // Each character shown takes at most 8 ("\u{202e}"), plus the "…".
        prop_assert!(text.chars().count() <= max.saturating_mul(8) + 1);
    }

    #[test]
    fn payload_text_of_any_string_is_bounded_and_safe(s: String, max in 0usize..100) {
        let text = payload_text(s.as_bytes(), max);
        prop_assert!(!text.chars().any(is_unsafe_to_show), "{:?}", text);
        // Printable text without backslashes comes out as it went in.
        if !s.chars().any(|c| is_unsafe_to_show(c) || c == '\\') {
            let expected: String = s.chars().take(max).collect();
            let cut = s.chars().count() > max;
            prop_assert_eq!(text.trim_end_matches('…'), expected.trim_end_matches('…'));
            prop_assert!(text.chars().count() <= max + usize::from(cut));
        }
    }

    #[test]
    fn hex_round_trips(bytes: Vec<u8>, max in 0usize..80) {
        let all = hex(&bytes, usize::MAX);
        let back: Vec<u8> = if all.is_empty() {
            Vec::new()
        } else {
            all.split(' ')
                .map(|h| u8::from_str_radix(h, 16))
                .collect::<Result<_, _>>()
                .map_err(|e| TestCaseError::fail(format!("{all}: {e}")))?
        };
        prop_assert_eq!(&back, &bytes);
        let cut = hex(&bytes, max);
        if bytes.len() > max {
            let head = cut.strip_suffix(" …").or_else(|| cut.strip_suffix("…"));
            let head = head.ok_or_else(|| TestCaseError::fail(format!("no ellipsis: {cut}")))?;
            let shown = hex(&bytes[..max], max);
            prop_assert_eq!(head.trim(), shown.as_str());
        } else {
            prop_assert_eq!(cut, all);
        }
    }

    #[test]
    fn plain_text_is_valid_utf8_without_odd_controls(bytes: Vec<u8>) {
        if is_plain_text(&bytes) {
            let s = std::str::from_utf8(&bytes);
            prop_assert!(s.is_ok());
            prop_assert!(s.unwrap_or_default().chars().all(|c| !c.is_control() || "\n\r\t".contains(c)));
        }
    }
}

/// The collector's line parser and splitter (src/net/trace.rs) take
/// anything another process may send: they never panic, only a line with
/// the token parses, and the splitter never yields a line over the cap.
mod tracer_lines {
    use proptest::prelude::*;

    use udp_lab::net::trace::{LineSplitter, MAX_LINE, parse_line};

    /// Lines shaped like the tracer's, with the right or a wrong token.
    fn tracerish() -> impl Strategy<Value = Vec<u8>> {
        let field = prop_oneof![
            Just(r#""k":"tok""#.to_owned()),
            Just(r#""k":"nope""#.to_owned()),
            Just(r#""ev":"call""#.to_owned()),
            Just(r#""ev":"wait""#.to_owned()),
            Just(r#""ev":"exception""#.to_owned()),
            Just(r#""call":"recvfrom""#.to_owned()),
            Just(r#""sock":1"#.to_owned()),
            Just(r#""args":{"addr":["127.0.0.1",99999],"data":{"hex":"0g"}}"#.to_owned()),
            Just(r#""res":{"type":"bytes","len":3,"hex":"abc"}"#.to_owned()),
            Just(r#""err":{"type":"OSError","errno":98}"#.to_owned()),
            Just(r#""decode":{"hex":"cf"}"#.to_owned()),
            "\"[a-z]{1,5}\":-?[0-9]{1,25}(\\.[0-9]+)?(e[0-9]{1,4})?",
            "\"[a-z]{1,5}\":\"[^\"\\\\]{0,10}\"",
        ];
        prop::collection::vec(field, 0..8)
            .prop_map(|fields| format!("{{{}}}", fields.join(",")).into_bytes())
    }

    proptest! {
        #[test]
        fn any_bytes_never_panic(bytes: Vec<u8>) {
            let _ = parse_line(&bytes, "tok");
        }

        #[test]
        fn only_the_token_opens_the_door(line in tracerish()) {
            let text = String::from_utf8_lossy(&line).into_owned();
            if let Ok(parsed) = parse_line(&line, "tok") {
                prop_assert!(text.contains(r#""k":"tok""#), "{text}");
                let _ = parsed;
            }
            // No line passes for a run whose token it does not carry.
            prop_assert!(parse_line(&line, "another").is_err());
        }

        #[test]
        fn the_splitter_caps_every_line(chunks in prop::collection::vec(prop::collection::vec(prop_oneof![Just(b'\n'), any::<u8>()], 0..2000), 0..20), long in 0usize..3) {
            let mut s = LineSplitter::default();
            let mut all = chunks.clone();
            all.push(vec![b'a'; long * MAX_LINE / 2 + 1]);
            for chunk in &all {
                s.feed(chunk, |line| {
                    if let Ok(l) = line {
                        assert!(l.len() <= MAX_LINE);
                    }
                });
            }
        }
    }
}
