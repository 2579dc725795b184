//! Fuzzes what the window does with every received payload: `payload_text`,
//! `hex` and `is_plain_text`. The first byte picks the length limit, the
//! rest is the datagram. Besides "never panics", it checks what the tests
//! in tests/props.rs check: nothing unsafe to show comes out, the text is
//! bounded, and hex reads back to the bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use udp_lab::lab::text::{hex, is_plain_text, payload_text};

/// Characters that reorder, hide or break text when shown as is.
fn unsafe_to_show(c: char) -> bool {
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

fuzz_target!(|data: &[u8]| {
    let (max, payload) = match data.split_first() {
        Some((m, rest)) => (usize::from(*m), rest),
        None => (0, data),
    };

    let text = payload_text(payload, max);
    assert!(!text.chars().any(unsafe_to_show), "{text:?}");
    assert!(text.chars().count() <= max * 8 + 1);
    let whole = payload_text(payload, usize::MAX);
    assert!(!whole.chars().any(unsafe_to_show), "{whole:?}");

    let digits = hex(payload, usize::MAX);
    let back: Vec<u8> = if digits.is_empty() {
        Vec::new()
    } else {
        digits
            .split(' ')
            .map(|h| u8::from_str_radix(h, 16).expect("two hex digits"))
            .collect()
    };
    assert_eq!(back, payload);
    let cut = hex(payload, max);
    assert!(cut.chars().count() <= max * 3 + 2);

    if is_plain_text(payload) {
        assert!(std::str::from_utf8(payload).is_ok());
    }
});
