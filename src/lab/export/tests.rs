use std::sync::Arc;
use std::time::Duration;

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use pcap_file::pcap::PcapReader;

use super::*;
use crate::lab::session::Truncation;
use crate::net::SimFate;

/// A fresh folder under the system's temp dir, removed when dropped.
pub(crate) struct TempDir(pub PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("udp-lab-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A minimal RFC 4180 reader, to read the file back independently.
pub(crate) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "the file ends with CRLF"
    );
    rows
}

pub(crate) fn micros(at: SystemTime) -> Duration {
    let d = at.duration_since(UNIX_EPOCH).expect("after 1970");
    Duration::from_micros(d.as_micros() as u64)
}

#[test]
fn csv_fields_are_quoted_and_formulas_defused() {
    assert_eq!(csv_field("Hello"), "Hello");
    assert_eq!(csv_field("Hello, server"), "\"Hello, server\"");
    assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    assert_eq!(csv_field(" padded"), "\" padded\"");
    assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    assert_eq!(csv_field("-1,5"), "\"'-1,5\"");
    assert_eq!(csv_field("Привет"), "Привет");
    assert_eq!(csv_field(""), "");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    /// Whatever the text, the field reads back (by the reader above, not
    /// csv-core) as the text itself, or with the `'` that defuses it.
    #[test]
    fn any_csv_field_reads_back(value in "\\PC*|[=+@, \"\r\n\t-]{0,6}") {
        let field = csv_field(&value);
        let rows = parse_csv(&format!("{field},next\r\n"));
        let defused = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
        let expected = if defused { format!("'{value}") } else { value.clone() };
        proptest::prop_assert_eq!(rows, vec![vec![expected, "next".to_owned()]]);
    }
}

#[test]
fn long_csv_fields_are_quoted_whole() {
    // Longer than csv-core's 256-byte chunk, quotes on both sides of it.
    let value = "ж\"".repeat(300);
    let field = csv_field(&value);
    assert_eq!(field, format!("\"{}\"", "ж\"\"".repeat(300)));
    assert_eq!(csv_field(&"x".repeat(1000)), "x".repeat(1000));
    assert_eq!(csv_field(&format!("{} ", "y".repeat(500))).len(), 503);
}

#[test]
fn pictures_folder_comes_from_user_dirs() {
    let home = Path::new("/home/student");
    let text =
        "# comment\nXDG_DESKTOP_DIR=\"$HOME/Desktop\"\nXDG_PICTURES_DIR=\"$HOME/Изображения\"\n";
    assert_eq!(
        user_dirs_pictures(text, Some(home)),
        Some(PathBuf::from("/home/student/Изображения"))
    );
    assert_eq!(
        user_dirs_pictures("XDG_PICTURES_DIR=\"/data/pics\"", Some(home)),
        Some(PathBuf::from("/data/pics"))
    );
    assert_eq!(
        user_dirs_pictures("XDG_MUSIC_DIR=\"$HOME/Music\"", Some(home)),
        None
    );
    let dir = TempDir::new("override");
    assert_eq!(output_dir(Some(&dir.0)), dir.0);
}

#[test]
fn timestamped_names_never_overwrite() {
    let dir = TempDir::new("names");
    let at = SystemTime::now();
    let local: chrono::DateTime<chrono::Local> = at.into();
    let stem = format!("udp-lab-{}", local.format("%Y%m%d-%H%M%S"));
    let (a, _) = create_timestamped(&dir.0, "csv", at).expect("first");
    let (b, _) = create_timestamped(&dir.0, "csv", at).expect("second");
    assert_eq!(a, dir.0.join(format!("{stem}.csv")));
    assert_eq!(b, dir.0.join(format!("{stem}-2.csv")));
    let missing = dir.0.join("no such folder");
    let err = create_timestamped(&missing, "png", at).expect_err("no folder");
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
}

fn record(from: &str, to: &str, bytes: &[u8], len: usize) -> DatagramRecord {
    DatagramRecord {
        id: 1,
        direction: Direction::Request,
        from: from.parse().expect("literal"),
        to: to.parse().expect("literal"),
        bytes: Arc::from(bytes),
        len,
        truncated: None,
        sent_at: Some(UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456)),
        received_at: None,
        client: None,
        gave_up_at: None,
        sim: SimFate::default(),
        sender_script: None,
        receiver_script: None,
        captured: None,
    }
}

#[test]
fn pcap_handles_mapped_addresses_truncation_and_the_simulator() {
    let mapped = record("[::ffff:10.0.0.1]:5000", "10.0.0.2:6000", b"mapped", 6);
    let v6 = record("[2001:db8::1]:5000", "[2001:db8::2]:6000", b"six", 3);
    let mut cut = record("10.0.0.3:7000", "10.0.0.4:8000", b"abcd", 10);
    cut.sent_at = None;
    cut.received_at = Some(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    cut.truncated = Some(Truncation { read: 4, buffer: 4 });
    let mut dropped = record("10.0.0.5:1", "10.0.0.6:2", b"lost", 4);
    dropped.sim.dropped = true;

    let mut file = Vec::new();
    let n = write_pcap(&mut file, [&cut, &mapped, &dropped, &v6]).expect("pcap");
    assert_eq!(n, 3, "the dropped datagram never was on the wire");
    let mut reader = PcapReader::new(&file[..]).expect("reader");
    assert_eq!(reader.header().datalink, DataLink::RAW);
    let mut packets = Vec::new();
    while let Some(p) = reader.next_packet() {
        let p = p.expect("packet");
        packets.push((p.timestamp, p.orig_len, p.data.into_owned()));
    }
    assert_eq!(packets.len(), 3);

    // IPv4-mapped IPv6 goes out as IPv4.
    let sliced = SlicedPacket::from_ip(&packets[0].2).expect("parse");
    let Some(NetSlice::Ipv4(ip)) = &sliced.net else {
        panic!("IPv4 expected");
    };
    assert_eq!(ip.header().source_addr().to_string(), "10.0.0.1");
    let Some(TransportSlice::Udp(udp)) = &sliced.transport else {
        panic!("UDP expected");
    };
    assert_eq!(udp.payload(), b"mapped");
    let ip_header = ip.header().to_header();
    assert_eq!(
        ip_header.calc_header_checksum(),
        ip.header().header_checksum()
    );
    assert_eq!(
        udp.to_header()
            .calc_checksum_ipv4(&ip_header, udp.payload()),
        Ok(udp.checksum())
    );

    let sliced = SlicedPacket::from_ip(&packets[1].2).expect("parse");
    let Some(NetSlice::Ipv6(ip)) = &sliced.net else {
        panic!("IPv6 expected");
    };
    let Some(TransportSlice::Udp(udp)) = &sliced.transport else {
        panic!("UDP expected");
    };
    assert_eq!(udp.payload(), b"six");
    assert_eq!(
        udp.to_header()
            .calc_checksum_ipv6(&ip.header().to_header(), udp.payload()),
        Ok(udp.checksum())
    );

    // Truncated: real lengths in the headers, only the bytes read after.
    let (at, orig_len, data) = &packets[2];
    assert_eq!(*at, Duration::from_secs(1_800_000_000));
    assert_eq!(data.len(), 20 + 8 + 4);
    assert_eq!(*orig_len as usize, 20 + 8 + 10);
    let ip = etherparse::Ipv4HeaderSlice::from_slice(data).expect("ip");
    assert_eq!(ip.total_len(), 38);
    let udp = UdpHeader::from_slice(&data[20..]).expect("udp").0;
    assert_eq!((udp.source_port, udp.length, udp.checksum), (7000, 18, 0));
    assert_eq!(&data[28..], b"abcd");
}
