//! Fuzzes the collector's reading of what a traced script's connection
//! sends (src/net/trace.rs): the splitter never yields a line over the
//! cap, the parser never panics, and a line parses only with its token.

#![no_main]

use libfuzzer_sys::fuzz_target;
use udp_lab::net::trace::{LineSplitter, MAX_LINE, parse_line};

fuzz_target!(|data: &[u8]| {
    let _ = parse_line(data, "tok");
    let mut lines = LineSplitter::default();
    // Fed in two pieces, as TCP may deliver it.
    let (a, b) = data.split_at(data.len() / 2);
    for piece in [a, b] {
        lines.feed(piece, |line| {
            if let Ok(line) = line {
                assert!(line.len() <= MAX_LINE);
                if parse_line(line, "tok").is_ok() {
                    assert!(parse_line(line, "another token").is_err());
                }
            }
        });
    }
});
