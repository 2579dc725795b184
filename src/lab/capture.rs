//! Sessions kept in a file, and captures opened (issue 26). UDP Lab saves a
//! session as pcapng: every datagram that reached the wire as a real
//! IPv4/IPv6 + UDP packet with a comment naming its calls (Wireshark and
//! tshark show them), and the whole event log, the window's settings and a
//! format version in Custom Blocks under UDP Lab's enterprise number
//! ([`PEN`]), which Wireshark keeps and ignores. Opening reads pcap and
//! pcapng streaming, on the caller's thread (the UI runs it on a worker and
//! polls [`Progress`]): UDP Lab's own files give back their events, any
//! other capture its UDP datagrams.
//!
//! The packet comments are written in English unless [`save_in`] is given
//! another language: a file travels between computers whose windows speak
//! different languages, and Wireshark itself speaks English.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::SystemTime;

use crate::lab::i18n::Lang;
use crate::lab::session::Session;
use crate::net::NetEvent;

mod blocks;
mod decode;
mod error;
mod import;
mod write;

pub use error::{CaptureError, Corruption, LooksLike, Part, skipped_name};

/// UDP Lab's Private Enterprise Number in its Custom Blocks: 32473, the one
/// IANA reserves for documentation and examples (RFC 5612), so it collides
/// with no vendor's blocks. The block's data starts with [`MAGIC`] too, so
/// another program's use of the same number is told apart.
pub const PEN: u32 = 32473;
/// The first bytes of every UDP Lab Custom Block's data.
pub const MAGIC: &[u8; 8] = b"UDPLab\0\x01";
/// The version of what the Custom Blocks hold; a file with a newer one is
/// refused with [`CaptureError::TooNew`] rather than misread.
pub const FORMAT_VERSION: u32 = 1;
/// Copyable Custom Block (pcapng 0x00000BAD), not 0x40000BAD: the log is
/// self-contained (it names no other block by position), so a tool that
/// copies it into an edited file keeps the lesson whole.
pub const CUSTOM_BLOCK: u32 = 0x0000_0BAD;
/// The non-copyable kind, read as well.
pub const CUSTOM_BLOCK_NO_COPY: u32 = 0x4000_0BAD;

/// Progress of a read or write on a worker; the UI polls it. Cancel by
/// setting `cancel`: the worker stops within one block.
#[derive(Default)]
pub struct Progress {
    /// Bytes read or written so far.
    pub done: AtomicU64,
    /// The file's size when reading; the estimate when writing (0: unknown).
    pub total: AtomicU64,
    pub cancel: AtomicBool,
}

impl Progress {
    pub(crate) fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// What to save: the session and the window's settings (RON, as app.ron).
pub struct SaveInput<'a> {
    pub session: &'a Session,
    pub settings_ron: Option<&'a str>,
}

/// What a save wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Saved {
    /// Packets (datagrams that reached the wire).
    pub packets: u64,
    /// Events in the log.
    pub events: u64,
    /// The file's size.
    pub bytes: u64,
}

/// A file opened.
#[derive(Debug)]
pub struct Opened {
    pub path: PathBuf,
    pub recorded: Recorded,
}

#[derive(Debug)]
pub enum Recorded {
    /// Saved by UDP Lab: the events to replay in order into a fresh state
    /// (Session::record + the app's apply), the window's settings (RON, as
    /// app.ron) when saved, and how many events the log had dropped.
    Session {
        events: Vec<NetEvent>,
        events_dropped: u64,
        settings_ron: Option<String>,
        saved_at: SystemTime,
    },
    /// Any other capture: its UDP datagrams as session records (no calls).
    Capture(Box<Imported>),
}

/// A capture's UDP datagrams, and what else it held.
pub struct Imported {
    /// Datagrams only (trace empty), at most `session::MAX_DATAGRAMS`:
    /// the first ones (a lesson starts at its beginning).
    pub session: Session,
    /// The server: the destination of the first datagram to port 12345;
    /// else of the first datagram that was answered (a client speaks
    /// first, the server answers, whatever its port); else of the first
    /// datagram.
    pub server: Option<SocketAddr>,
    /// Packets in the file.
    pub packets: u64,
    /// UDP datagrams found (after reassembly), kept or left out.
    pub udp: u64,
    /// UDP datagrams beyond the session's limit, not kept.
    pub left_out: u64,
    /// What else the file held, by protocol, most first: ("TCP", 312).
    pub skipped: Vec<(&'static str, u64)>,
    /// The link types of its interfaces (pcap: the one of the file).
    pub link_types: Vec<u32>,
}

impl std::fmt::Debug for Imported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Imported")
            .field("datagrams", &self.session.datagrams.len())
            .field("server", &self.server)
            .field("packets", &self.packets)
            .field("udp", &self.udp)
            .field("left_out", &self.left_out)
            .field("skipped", &self.skipped)
            .field("link_types", &self.link_types)
            .finish()
    }
}

/// Saves the session to `path` as pcapng, packet comments in English.
pub fn save(path: &Path, input: &SaveInput, progress: &Progress) -> Result<Saved, CaptureError> {
    save_in(path, input, progress, Lang::En)
}

/// [`save`] with the packet comments in `lang`. The file is written beside
/// `path` and renamed over it at the end, so a failed or cancelled save
/// leaves an older file of that name as it was.
pub fn save_in(
    path: &Path,
    input: &SaveInput,
    progress: &Progress,
    lang: Lang,
) -> Result<Saved, CaptureError> {
    let partial = partial_path(path);
    let result = (|| {
        let file = File::create(&partial).map_err(|e| CaptureError::io(&partial, &e))?;
        let mut out = BufWriter::new(file);
        let saved = write_to(&mut out, input, progress, lang).map_err(|e| match e {
            CaptureError::Io { path, message } if path.is_empty() => CaptureError::Io {
                path: partial.display().to_string(),
                message,
            },
            e => e,
        })?;
        out.flush().map_err(|e| CaptureError::io(&partial, &e))?;
        drop(out);
        std::fs::rename(&partial, path).map_err(|e| CaptureError::io(path, &e))?;
        Ok(saved)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    path.with_file_name(name)
}

/// Writes the session as pcapng to any writer.
pub fn write_to(
    out: &mut dyn Write,
    input: &SaveInput,
    progress: &Progress,
    lang: Lang,
) -> Result<Saved, CaptureError> {
    write::write(out, input, progress, lang)
}

/// Opens a pcap or pcapng file. A failure leaves nothing changed anywhere.
pub fn open(path: &Path, progress: &Progress) -> Result<Opened, CaptureError> {
    let file = File::open(path).map_err(|e| CaptureError::io(path, &e))?;
    let total = file.metadata().map(|m| m.len()).ok();
    progress.total.store(total.unwrap_or(0), Ordering::Relaxed);
    let recorded = read_from(BufReader::with_capacity(1 << 16, file), total, progress).map_err(
        |e| match e {
            CaptureError::Io { path: p, message } if p.is_empty() => CaptureError::Io {
                path: path.display().to_string(),
                message,
            },
            e => e,
        },
    )?;
    Ok(Opened {
        path: path.to_owned(),
        recorded,
    })
}

/// Reads a capture from any reader; `total` is its size when known (then
/// a block length pointing past the end is reported as a lie, not as a
/// cut file).
pub fn read_from(
    input: impl Read,
    total: Option<u64>,
    progress: &Progress,
) -> Result<Recorded, CaptureError> {
    import::read(input, total, progress)
}

/// Reads a capture held in memory (the fuzz target's way in).
pub fn open_bytes(bytes: &[u8]) -> Result<Recorded, CaptureError> {
    read_from(bytes, Some(bytes.len() as u64), &Progress::default())
}

#[cfg(test)]
mod tests;
