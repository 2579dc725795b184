//! Why a file could not be saved or opened, as one plain sentence with the
//! byte where it went wrong, and what a file that is no capture looks like.

use std::path::Path;

use crate::lab::i18n::{Lang, T, fill};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureError {
    /// The system refused to read or write the file: its words.
    Io { path: String, message: String },
    /// The file has no bytes at all.
    Empty,
    /// The file is something else (its first bytes tell what).
    NotACapture { looks_like: LooksLike },
    /// The file ends at byte `at`, in the middle of `part`.
    Truncated { at: u64, part: Part },
    /// What is at byte `at` cannot be.
    Corrupt { at: u64, what: Corruption },
    /// Cancel was pressed.
    Cancelled,
    /// A capture without one UDP datagram: what it held instead.
    NoUdp {
        packets: u64,
        skipped: Vec<(&'static str, u64)>,
    },
    /// A pcap or pcapng version (or UDP Lab format) this build does not read.
    TooNew { what: &'static str, version: u32 },
}

/// What the first bytes of a file that is no capture say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LooksLike {
    Png,
    Jpeg,
    Gzip,
    Zip,
    Pdf,
    Text,
    Program,
    Unknown,
}

/// Where in the file's structure it was cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    FileHeader,
    BlockHeader,
    Block,
    Packet,
}

/// What is wrong at a byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Corruption {
    /// A block's length is below the minimum or not a multiple of 4.
    BadBlockLength { length: u64 },
    /// A block claims more bytes than the file has left.
    LengthPastEnd { length: u64, left: u64 },
    /// The copy of the length at a block's end differs from its start.
    LengthMismatch { head: u64, tail: u64 },
    /// A packet longer than any capture holds.
    PacketTooLong { length: u64 },
    /// A packet names an interface no block described.
    UnknownInterface { id: u32 },
    /// The section header's byte-order mark is neither order.
    BadByteOrder,
    /// A block's fields do not fit in it.
    BadBlock { block: &'static str },
    /// UDP Lab's event log is unreadable (the parser's words).
    BadLog { message: String },
    /// A part of UDP Lab's event log is missing.
    MissingLogPart { index: u32, count: u32 },
}

impl CaptureError {
    pub(crate) fn io(path: &Path, e: &std::io::Error) -> Self {
        CaptureError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }

    /// One plain sentence: what is wrong and where, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let t = |k: T| k.get(lang);
        let n = |v: u64| crate::lab::text::grouped(v, lang);
        match self {
            CaptureError::Io { path, message } => {
                fill(t(T::CapIo), &[("path", path), ("message", message)])
            }
            CaptureError::Empty => t(T::CapEmpty).into(),
            CaptureError::NotACapture { looks_like } => {
                fill(t(T::CapNotACapture), &[("what", &t(looks_like.t()))])
            }
            CaptureError::Truncated { at, part } => {
                let part = match part {
                    Part::FileHeader => T::CapPartFileHeader,
                    Part::BlockHeader => T::CapPartBlockHeader,
                    Part::Block => T::CapPartBlock,
                    Part::Packet => T::CapPartPacket,
                };
                fill(t(T::CapTruncated), &[("at", &n(*at)), ("part", &t(part))])
            }
            CaptureError::Corrupt { at, what } => {
                let what = match what {
                    Corruption::BadBlockLength { length } => {
                        fill(t(T::CapBadBlockLength), &[("length", &n(*length))])
                    }
                    Corruption::LengthPastEnd { length, left } => fill(
                        t(T::CapLengthPastEnd),
                        &[("length", &n(*length)), ("left", &n(*left))],
                    ),
                    Corruption::LengthMismatch { head, tail } => fill(
                        t(T::CapLengthMismatch),
                        &[("head", &n(*head)), ("tail", &n(*tail))],
                    ),
                    Corruption::PacketTooLong { length } => {
                        fill(t(T::CapPacketTooLong), &[("length", &n(*length))])
                    }
                    Corruption::UnknownInterface { id } => {
                        fill(t(T::CapUnknownInterface), &[("id", id)])
                    }
                    Corruption::BadByteOrder => t(T::CapBadByteOrder).into(),
                    Corruption::BadBlock { block } => fill(t(T::CapBadBlock), &[("block", block)]),
                    Corruption::BadLog { message } => {
                        fill(t(T::CapBadLog), &[("message", message)])
                    }
                    Corruption::MissingLogPart { index, count } => fill(
                        t(T::CapMissingLogPart),
                        &[("index", &(index + 1)), ("count", count)],
                    ),
                };
                fill(t(T::CapCorrupt), &[("at", &n(*at)), ("what", &what)])
            }
            CaptureError::Cancelled => t(T::CapCancelled).into(),
            CaptureError::NoUdp { packets, skipped } => {
                let list = skipped_list(skipped, lang);
                if list.is_empty() {
                    t(T::CapNoPackets).into()
                } else {
                    fill(
                        t(T::CapNoUdp),
                        &[("packets", &n(*packets)), ("skipped", &list)],
                    )
                }
            }
            CaptureError::TooNew { what, version } => {
                fill(t(T::CapTooNew), &[("what", what), ("version", version)])
            }
        }
    }
}

impl std::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for CaptureError {}

impl LooksLike {
    /// Sniffs the first bytes of a file that is no pcap or pcapng.
    pub fn sniff(head: &[u8]) -> Self {
        let starts = |magic: &[u8]| head.starts_with(magic);
        if starts(b"\x89PNG") {
            LooksLike::Png
        } else if starts(b"\xff\xd8\xff") {
            LooksLike::Jpeg
        } else if starts(b"\x1f\x8b") {
            LooksLike::Gzip
        } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
            LooksLike::Zip
        } else if starts(b"%PDF") {
            LooksLike::Pdf
        } else if starts(b"\x7fELF") || starts(b"MZ") {
            LooksLike::Program
        } else if looks_like_text(head) {
            LooksLike::Text
        } else {
            LooksLike::Unknown
        }
    }

    fn t(self) -> T {
        match self {
            LooksLike::Png => T::CapLooksPng,
            LooksLike::Jpeg => T::CapLooksJpeg,
            LooksLike::Gzip => T::CapLooksGzip,
            LooksLike::Zip => T::CapLooksZip,
            LooksLike::Pdf => T::CapLooksPdf,
            LooksLike::Text => T::CapLooksText,
            LooksLike::Program => T::CapLooksProgram,
            LooksLike::Unknown => T::CapLooksUnknown,
        }
    }
}

/// UTF-8 (a character may be cut at the end) without control characters
/// other than white space.
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
}

/// A protocol name of the skipped list in `lang` (most are the protocol's
/// own acronym; the lumps of "other" ones are translated).
pub fn skipped_name(name: &'static str, lang: Lang) -> &'static str {
    let t = |k: T| k.get(lang);
    match name {
        "other IP" => t(T::CapOtherIp),
        "other Ethernet" => t(T::CapOtherEthernet),
        "other link" => t(T::CapOtherLink),
        "malformed" => t(T::CapMalformed),
        "IP fragments" => t(T::CapFragments),
        name => name,
    }
}

/// "312 TCP, 4 ARP".
pub fn skipped_list(skipped: &[(&'static str, u64)], lang: Lang) -> String {
    skipped
        .iter()
        .map(|(name, count)| {
            format!(
                "{} {}",
                crate::lab::text::grouped(*count, lang),
                skipped_name(name, lang)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
