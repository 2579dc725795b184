//! The lab's model, without a window: the session (every socket call and
//! datagram, with the handout's step numbers and times), its exports (CSV,
//! pcap), the lab's Python programs (code), the text of payloads and times, and the translation table. The
//! CLI, the window and the fuzz targets all use it; it never uses egui.

pub mod capture;
pub mod code;
pub mod diagnose;
pub mod export;
pub mod guide;
pub mod http;
pub mod i18n;
pub mod session;
pub mod stream;
pub mod text;
pub mod timeline;
pub mod traced;
