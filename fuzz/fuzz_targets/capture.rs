//! Fuzzes the capture reader (src/lab/capture): any bytes as a pcap or
//! pcapng file. It never panics, and an error is one sentence naming no
//! byte beyond the input's end.

#![no_main]

use libfuzzer_sys::fuzz_target;
use udp_lab::lab::capture::{CaptureError, Recorded, open_bytes};
use udp_lab::lab::i18n::Lang;

fuzz_target!(|data: &[u8]| {
    match open_bytes(data) {
        Ok(Recorded::Capture(imported)) => {
            assert!(imported.session.datagrams.len() as u64 <= imported.udp);
            assert!(imported.udp <= imported.packets);
        }
        Ok(Recorded::Session { .. }) => {}
        Err(e) => {
            if let CaptureError::Truncated { at, .. } | CaptureError::Corrupt { at, .. } = &e {
                assert!(*at <= data.len() as u64, "{e:?}");
            }
            let text = e.text(Lang::En);
            assert!(!text.is_empty() && !text.contains('{'), "{text}");
        }
    }
});
