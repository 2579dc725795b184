//! Files for lab reports: the session's datagrams as CSV (for a spreadsheet)
//! and as pcap (for Wireshark and tshark), and where such files go. Nothing
//! here touches egui, so the writers run on a worker thread.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::net::{IpAddr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use etherparse::{IpNumber, Ipv4Header, Ipv6Header, PacketBuilder, UdpHeader};
use pcap_file::DataLink;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};

use super::i18n::cli::C;
use super::i18n::{Lang, T, fill};
use super::session::{DatagramRecord, Direction};
use super::text as format;

/// The CSV's first line; the columns never change with the UI language, so
/// scripts that read the file keep working.
pub const CSV_HEADER: &str = "time,direction,from,to,length,text,hex,note";

/// TTL / hop limit written into the pcap's IP headers (Linux's default).
const TTL: u8 = 64;

// ---------------------------------------------------------------------------
// Where files go

/// The user's Pictures folder (the known folder on Windows, XDG user dirs
/// on Linux, ~/Pictures elsewhere), if it exists.
pub fn pictures_dir() -> Option<PathBuf> {
    #[cfg(windows)]
    if let Some(known) = known_folder::pictures().filter(|p| p.is_dir()) {
        return Some(known);
    }
    let home = home_dir();
    let from_env = std::env::var_os("XDG_PICTURES_DIR")
        .filter(|v| !v.is_empty())
        .map(|v| expand_home(&v.to_string_lossy(), home.as_deref()));
    let from_user_dirs = || {
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".config")))?;
        let text = std::fs::read_to_string(config.join("user-dirs.dirs")).ok()?;
        user_dirs_pictures(&text, home.as_deref())
    };
    let candidate = from_env
        .or_else(from_user_dirs)
        .or_else(|| home.as_ref().map(|h| h.join("Pictures")))?;
    // user-dirs.dirs sets a folder to $HOME itself to mean "none".
    let is_home = home.as_deref().is_some_and(|h| h == candidate.as_path());
    (!is_home && candidate.is_dir()).then_some(candidate)
}

/// The folder screenshots and exports are saved to: `override_dir`, else
/// Pictures, else the working directory.
pub fn output_dir(override_dir: Option<&Path>) -> PathBuf {
    if let Some(dir) = override_dir {
        return dir.to_owned();
    }
    pictures_dir()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

fn home_dir() -> Option<PathBuf> {
    let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn expand_home(value: &str, home: Option<&Path>) -> PathBuf {
    match (value.strip_prefix("$HOME"), home) {
        (Some(rest), Some(home)) => home.join(rest.trim_start_matches('/')),
        _ => PathBuf::from(value),
    }
}

/// `XDG_PICTURES_DIR="$HOME/Bilder"` from a user-dirs.dirs file.
fn user_dirs_pictures(text: &str, home: Option<&Path>) -> Option<PathBuf> {
    text.lines().find_map(|line| {
        let value = line.trim().strip_prefix("XDG_PICTURES_DIR=")?;
        let value = value.trim().trim_matches('"');
        (!value.is_empty()).then(|| expand_home(value, home))
    })
}

/// Creates `udp-lab-YYYYMMDD-HHMMSS.<ext>` in `dir` without overwriting
/// anything: a second file in the same second gets "-2", "-3", …
pub fn create_timestamped(dir: &Path, ext: &str, at: SystemTime) -> io::Result<(PathBuf, File)> {
    let local: chrono::DateTime<chrono::Local> = at.into();
    create_numbered(
        dir,
        &format!("udp-lab-{}", local.format("%Y%m%d-%H%M%S")),
        ext,
    )
}

/// Creates `<stem>.<ext>` in `dir`, or `<stem>-2.<ext>`, `<stem>-3.<ext>` …
/// when that is taken: never over a file that is there.
pub fn create_numbered(dir: &Path, stem: &str, ext: &str) -> io::Result<(PathBuf, File)> {
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(name);
        match File::options().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "too many files with the same name",
    ))
}

// ---------------------------------------------------------------------------
// CSV

/// When the datagram left (or, if UDP Lab only received it, arrived).
pub fn record_time(d: &DatagramRecord) -> Option<SystemTime> {
    d.sent_at.or(d.received_at)
}

/// Local time with microseconds, a form spreadsheets read as a date.
pub fn csv_time(at: SystemTime) -> String {
    let local: chrono::DateTime<chrono::Local> = at.into();
    local.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

/// The `direction` column, in the window's language (the column names stay
/// English for scripts; the values are for the person reading the sheet).
pub fn direction_name(d: Direction, lang: Lang) -> &'static str {
    match d {
        Direction::Request => C::CsvRequest.get(lang),
        Direction::Reply => C::CsvReply.get(lang),
    }
}

/// What the other columns cannot say: truncation and the simulator's doing,
/// in the window's words.
pub fn note(d: &DatagramRecord, lang: Lang) -> String {
    let mut notes = Vec::new();
    if let Some(t) = d.truncated {
        notes.push(fill(
            C::CsvTruncated.get(lang),
            &[("read", &t.read), ("len", &d.len), ("buffer", &t.buffer)],
        ));
    }
    if d.sim.dropped {
        notes.push(T::SimDropped.get(lang).to_owned());
    }
    if d.sim.duplicated {
        notes.push(T::SimDuplicated.get(lang).to_owned());
    }
    if !d.sim.delay.is_zero() {
        notes.push(fill(
            T::SimDelayed.get(lang),
            &[("ms", &d.sim.delay.as_millis())],
        ));
    }
    if d.sim.reordered {
        notes.push(T::SimReordered.get(lang).to_owned());
    }
    if d.gave_up_at.is_some() {
        notes.push(T::HistoryTimedOut.get(lang).to_owned());
    }
    notes.join("; ")
}

/// One CSV field (RFC 4180), quoted by csv-core (the `csv` crate's writer)
/// when it holds a comma, quote or line break, and also when it starts or
/// ends with a space, so no reader trims it. A field a spreadsheet would run
/// as a formula gets a leading `'`: the text comes from whoever sent the
/// datagram (its bytes stay exact in the hex column).
pub fn csv_field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.is_empty() {
        // csv-core writes `""` for a record of one empty field (so it is not
        // an empty line); inside a row an empty field is nothing.
        return guarded;
    }
    let style = if guarded.trim() != guarded {
        csv_core::QuoteStyle::Always
    } else {
        csv_core::QuoteStyle::Necessary
    };
    let mut writer = csv_core::WriterBuilder::new().quote_style(style).build();
    let mut out = Vec::with_capacity(guarded.len() + 2);
    let mut chunk = [0u8; 256];
    let mut input = guarded.as_bytes();
    loop {
        let (result, read, wrote) = writer.field(input, &mut chunk);
        input = &input[read..];
        out.extend_from_slice(&chunk[..wrote]);
        if result == csv_core::WriteResult::InputEmpty {
            break;
        }
    }
    loop {
        let (result, wrote) = writer.finish(&mut chunk);
        out.extend_from_slice(&chunk[..wrote]);
        if result == csv_core::WriteResult::InputEmpty {
            break;
        }
    }
    // Quoting adds and doubles ASCII quotes only, so the UTF-8 stays whole.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The CSV row of one datagram (no line ending).
pub fn csv_row(d: &DatagramRecord, lang: Lang) -> String {
    let fields = [
        record_time(d).map(csv_time).unwrap_or_default(),
        direction_name(d.direction, lang).to_owned(),
        d.from.to_string(),
        d.to.to_string(),
        d.len.to_string(),
        format::payload_text(&d.bytes, usize::MAX),
        format::hex(&d.bytes, usize::MAX),
        note(d, lang),
    ];
    fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",")
}

/// UTF-8 with a byte-order mark (so spreadsheets on Windows read Cyrillic
/// right), CRLF line ends as RFC 4180 asks.
pub fn write_csv<'a>(
    out: &mut impl Write,
    datagrams: impl IntoIterator<Item = &'a DatagramRecord>,
    lang: Lang,
) -> io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    out.write_all(CSV_HEADER.as_bytes())?;
    out.write_all(b"\r\n")?;
    for d in datagrams {
        out.write_all(csv_row(d, lang).as_bytes())?;
        out.write_all(b"\r\n")?;
    }
    out.flush()
}

// ---------------------------------------------------------------------------
// pcap

/// One raw IP packet (IPv4 or IPv6 + UDP, checksums filled in) carrying the
/// datagram, and its length on the wire. A datagram UDP Lab read only in part
/// (truncated) keeps its real lengths in the headers, with only the bytes it
/// read after them, as a capture with a short snap length would; its UDP
/// checksum is 0 ("not computed"), as the missing bytes are unknown.
pub fn ip_packet(d: &DatagramRecord) -> io::Result<(Vec<u8>, usize)> {
    let invalid =
        |e: &dyn std::fmt::Display| io::Error::new(io::ErrorKind::InvalidData, e.to_string());
    let (src, dst) = (d.from.ip().to_canonical(), d.to.ip().to_canonical());
    let (sport, dport) = (d.from.port(), d.to.port());
    let complete = d.bytes.len() >= d.len;
    let mut packet = Vec::with_capacity(48 + d.bytes.len());
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(t)) if complete => {
            PacketBuilder::ipv4(s.octets(), t.octets(), TTL)
                .udp(sport, dport)
                .write(&mut packet, &d.bytes)
                .map_err(|e| invalid(&e))?;
        }
        (IpAddr::V4(s), IpAddr::V4(t)) => {
            let udp_len = UdpHeader::LEN + d.len;
            let ip = Ipv4Header::new(
                u16::try_from(udp_len).map_err(|e| invalid(&e))?,
                TTL,
                IpNumber::UDP,
                s.octets(),
                t.octets(),
            )
            .map_err(|e| invalid(&e))?;
            // `write` fills in the header checksum.
            ip.write(&mut packet)?;
            write_udp_header(&mut packet, sport, dport, udp_len)?;
            packet.extend_from_slice(&d.bytes);
        }
        (s, t) => {
            let (s, t) = (v6(s), v6(t));
            if complete {
                PacketBuilder::ipv6(s.octets(), t.octets(), TTL)
                    .udp(sport, dport)
                    .write(&mut packet, &d.bytes)
                    .map_err(|e| invalid(&e))?;
            } else {
                let udp_len = UdpHeader::LEN + d.len;
                let ip = Ipv6Header {
                    payload_length: u16::try_from(udp_len).map_err(|e| invalid(&e))?,
                    next_header: IpNumber::UDP,
                    hop_limit: TTL,
                    source: s.octets(),
                    destination: t.octets(),
                    ..Default::default()
                };
                ip.write(&mut packet)?;
                write_udp_header(&mut packet, sport, dport, udp_len)?;
                packet.extend_from_slice(&d.bytes);
            }
        }
    }
    let on_wire = packet.len() + (d.len - d.bytes.len().min(d.len));
    Ok((packet, on_wire))
}

fn write_udp_header(out: &mut Vec<u8>, sport: u16, dport: u16, udp_len: usize) -> io::Result<()> {
    let header = UdpHeader {
        source_port: sport,
        destination_port: dport,
        length: u16::try_from(udp_len)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?,
        checksum: 0,
    };
    out.extend_from_slice(&header.to_bytes());
    Ok(())
}

fn v6(ip: IpAddr) -> Ipv6Addr {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    }
}

/// A pcap file (link type 101, raw IP, microsecond timestamps) with one
/// packet per datagram that went on the wire, oldest first. Datagrams the
/// simulator dropped never reached the network, so they are left out.
/// Returns how many packets were written.
pub fn write_pcap<'a>(
    out: impl Write,
    datagrams: impl IntoIterator<Item = &'a DatagramRecord>,
) -> io::Result<usize> {
    let mut on_wire: Vec<(&DatagramRecord, SystemTime)> = datagrams
        .into_iter()
        .filter(|d| !d.sim.dropped)
        .filter_map(|d| Some((d, record_time(d)?)))
        .collect();
    on_wire.sort_by_key(|(_, at)| *at);
    let header = PcapHeader {
        datalink: DataLink::RAW,
        endianness: pcap_file::Endianness::native(),
        ..PcapHeader::default()
    };
    let mut writer = PcapWriter::with_header(out, header).map_err(pcap_io)?;
    for (d, at) in &on_wire {
        let (data, orig_len) = ip_packet(d)?;
        let timestamp = at.duration_since(UNIX_EPOCH).unwrap_or_default();
        let orig_len = u32::try_from(orig_len).unwrap_or(u32::MAX);
        writer
            .write_packet(&PcapPacket::new(timestamp, orig_len, &data))
            .map_err(pcap_io)?;
    }
    writer.into_writer().flush()?;
    Ok(on_wire.len())
}

fn pcap_io(e: pcap_file::PcapError) -> io::Error {
    match e {
        pcap_file::PcapError::IoError(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

// ---------------------------------------------------------------------------
// Saving

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    Csv,
    Pcap,
}

impl ExportKind {
    pub fn extension(self) -> &'static str {
        match self {
            ExportKind::Csv => "csv",
            ExportKind::Pcap => "pcap",
        }
    }
}

/// Writes the datagrams to a new timestamped file in `dir`; a CSV's values
/// in `lang`.
pub fn save(
    kind: ExportKind,
    dir: &Path,
    datagrams: &[DatagramRecord],
    lang: Lang,
) -> io::Result<PathBuf> {
    let (path, file) = create_timestamped(dir, kind.extension(), SystemTime::now())?;
    let mut out = BufWriter::new(file);
    let written = match kind {
        ExportKind::Csv => write_csv(&mut out, datagrams, lang),
        ExportKind::Pcap => write_pcap(&mut out, datagrams).map(|_| ()),
    };
    match written.and_then(|()| out.into_inner().map_err(|e| e.into_error())?.sync_all()) {
        Ok(()) => Ok(path),
        Err(e) => {
            // A half-written file is worse than none.
            let _ = std::fs::remove_file(&path);
            Err(e)
        }
    }
}

#[cfg(windows)]
mod known_folder;

#[cfg(test)]
pub(crate) mod tests;
