use super::*;

#[test]
fn the_fast_path_prints_what_the_window_shows() {
    let mut cases: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
    cases.extend(
        [
            &b""[..],
            b"Hello, server",
            b"a\\b",
            b"tab\there",
            b"~ !",
            "\u{202e}rtl".as_bytes(),
            "привет".as_bytes(),
            b"\xff\xfe(",
        ]
        .map(<[u8]>::to_vec),
    );
    for bytes in cases {
        assert_eq!(
            payload(&bytes),
            format::payload_line(&bytes, usize::MAX, 64, lang()),
            "{bytes:?}"
        );
    }
}
