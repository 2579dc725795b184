use super::*;

#[test]
fn decimals_parse_with_a_comma_or_a_dot() {
    assert_eq!(parse_decimal("0,5"), Some(0.5));
    assert_eq!(parse_decimal("0.5"), Some(0.5));
    assert_eq!(parse_decimal(" 1 000,25 "), Some(1000.25));
    assert_eq!(parse_decimal("−3"), Some(-3.0));
    assert_eq!(parse_decimal("1,2,3"), None);
    assert_eq!(parse_decimal("abc"), None);
}

#[test]
fn fine_clock_adds_the_tenth_of_a_millisecond() {
    let at = SystemTime::UNIX_EPOCH + Duration::from_micros(1_234_567);
    let fine = clock_fine(at);
    assert!(fine.ends_with(":01.2345"), "{fine}");
    assert_eq!(fine.len(), "00:00:01.2345".len());
}

#[test]
fn payloads_are_shown_safely() {
    assert_eq!(payload_text(b"Hello, server", 100), "Hello, server");
    assert_eq!(payload_text(b"a\0b\n", 100), "a\\0b\\n");
    assert_eq!(payload_text(b"\x1b[31mred", 100), "\\x1b[31mred");
    assert_eq!(payload_text(&[0xff, 0x41], 100), "\u{fffd}A");
    assert_eq!(
        payload_text("abc\u{202e}def".as_bytes(), 100),
        "abc\\u{202e}def"
    );
    assert_eq!(payload_text("שלום 👋".as_bytes(), 100), "שלום 👋");
    assert_eq!(payload_text(b"abcdef", 3), "abc…");
    assert_eq!(payload_text(b"", 3), "");
    assert_eq!(hex(b"Hi!", 10), "48 69 21");
    assert_eq!(hex(b"Hi!", 2), "48 69 …");
    assert!(is_plain_text(b"Hello"));
    assert_eq!(payload_line(b"Hi", 9, 9, Lang::En), "Hi");
    assert_eq!(payload_line(b"", 9, 9, Lang::En), "(empty datagram)");
    assert_eq!(
        payload_line(b"\xff\xfe(", 9, 9, Lang::En),
        "\u{fffd}\u{fffd}(   [ff fe 28]"
    );
    assert!(!is_plain_text(&[0xff]));
    assert!(!is_plain_text(b"\x1b[0m"));
}

#[test]
fn rtt_reads_well() {
    assert_eq!(rtt(Duration::from_micros(63), Lang::En), "0.063 ms");
    assert_eq!(rtt(Duration::from_micros(12_400), Lang::En), "12.4 ms");
    assert_eq!(rtt(Duration::from_millis(1250), Lang::En), "1.25 s");
    assert_eq!(rtt(Duration::from_micros(63), Lang::Ru), "0,063 мс");
    assert_eq!(rtt(Duration::from_millis(1250), Lang::Ru), "1,25 с");
}
