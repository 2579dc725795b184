//! lab::capture: a real lab session (UDP Lab's server and client on
//! loopback, the simulator dropping, duplicating and reordering, a
//! Cyrillic payload, a traced script) saved and reopened; captures crafted
//! byte by byte for every link type, fragments, checksums and broken files.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use etherparse::PacketBuilder;

use super::error::Part;
use super::*;
use crate::lab::session::MAX_DATAGRAMS;
use crate::net::{
    ClientEventKind, ClientRequest, Impairments, NetEvent, ScriptEventKind, ScriptRequest,
    ServerConfig, ServerEventKind, ServerSettings, event_channel, parse_addr, spawn_client,
    spawn_script, spawn_server,
};

const WAIT: Duration = Duration::from_secs(10);

/// Runs UDP Lab's server and client (and, with python3, the lab's client
/// script traced) on loopback, port 0, and returns every event in the
/// order the window would apply them.
fn lab_events() -> Vec<NetEvent> {
    let (sink, queue) = event_channel(65_536, Arc::new(|| {}));
    let sim = |seed| Impairments {
        loss_percent: 20.0,
        duplicate_percent: 30.0,
        reorder_percent: 30.0,
        seed,
        ..Impairments::default()
    };
    let server = spawn_server(
        ServerConfig {
            bind: parse_addr("127.0.0.1:0", false).expect("bind"),
            settings: ServerSettings {
                network: sim(11),
                ..ServerSettings::default()
            },
            join: None,
        },
        sink.clone(),
    )
    .expect("server");
    let mut events = Vec::new();
    let addr = loop {
        let ev = queue.recv_timeout(WAIT).expect("server events");
        let listening = match &ev {
            NetEvent::Server(s) => match s.kind {
                ServerEventKind::Listening { addr } => Some(addr),
                _ => None,
            },
            _ => None,
        };
        events.push(ev);
        if let Some(addr) = listening {
            break addr;
        }
    };
    let target = parse_addr(&addr.to_string(), true).expect("target");
    let wait_closed = |op: u64, events: &mut Vec<NetEvent>| loop {
        let ev = queue.recv_timeout(WAIT).expect("client events");
        let closed = matches!(&ev, NetEvent::Client(c) if c.op == op
            && matches!(c.kind, ClientEventKind::Closed { .. }));
        events.push(ev);
        if closed {
            break;
        }
    };
    for (op, payload, count, network) in [
        (1, "Hello, server", 12, sim(7)),
        (2, "Привет, сервер", 1, Impairments::default()),
    ] {
        let client = spawn_client(
            ClientRequest {
                op,
                target: target.clone(),
                payload: Arc::from(payload.as_bytes()),
                timeout: Duration::from_millis(300),
                buffer: 1024,
                count,
                interval: Duration::ZERO,
                socket: None,
                network,
                reach: Default::default(),
            },
            sink.clone(),
        )
        .expect("client");
        wait_closed(op, &mut events);
        client.join();
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scripts/client.py");
    if crate::net::find_python(None).is_ok() {
        let handle = spawn_script(
            ScriptRequest {
                script,
                args: vec![
                    addr.ip().to_string(),
                    addr.port().to_string(),
                    "Hello from the script".into(),
                    "2".into(),
                ],
                ..ScriptRequest::default()
            },
            sink.clone(),
        )
        .expect("script");
        loop {
            let ev = queue.recv_timeout(WAIT).expect("script events");
            let exited = matches!(&ev, NetEvent::Script(s) if s.run == handle.run
                && matches!(s.kind, ScriptEventKind::Exited { .. }));
            events.push(ev);
            if exited {
                break;
            }
        }
    } else {
        println!("SKIPPED the traced script part: no python3");
    }
    server.stop();
    loop {
        let ev = queue.recv_timeout(WAIT).expect("server stop");
        let stopped =
            matches!(&ev, NetEvent::Server(s) if matches!(s.kind, ServerEventKind::Stopped));
        events.push(ev);
        if stopped {
            break;
        }
    }
    // Whatever is still queued (a reordered reply sent late).
    while let Some(ev) = queue.recv_timeout(Duration::from_millis(100)) {
        events.push(ev);
    }
    events
}

fn session_of(events: &[NetEvent]) -> Session {
    let mut session = Session::default();
    for ev in events {
        session.record(ev);
    }
    session
}

/// The events as JSON, a script's source left out (the saved log carries
/// it, the live events do not).
fn json(events: &[NetEvent]) -> Vec<String> {
    events
        .iter()
        .map(|ev| {
            let mut ev = ev.clone();
            if let NetEvent::Script(s) = &mut ev
                && let ScriptEventKind::Started { source, .. } = &mut s.kind
            {
                *source = None;
            }
            serde_json::to_string(&ev).expect("json")
        })
        .collect()
}

fn saved_bytes(session: &Session, settings: Option<&str>) -> (Vec<u8>, Saved) {
    let mut out = Vec::new();
    let input = SaveInput {
        session,
        settings_ron: settings,
    };
    let saved = write_to(&mut out, &input, &Progress::default(), Lang::En).expect("save");
    (out, saved)
}

#[test]
fn a_lab_session_saved_and_reopened_gives_the_same_events_and_rows() {
    let events = lab_events();
    let session = session_of(&events);
    assert!(
        session.datagrams.iter().any(|d| d.sim.dropped),
        "the simulator dropped one"
    );
    assert!(session.datagrams.iter().any(|d| d.sim.duplicated));
    assert!(
        session
            .datagrams
            .iter()
            .any(|d| &d.bytes[..] == "Привет, сервер".as_bytes())
    );
    let (bytes, saved) = saved_bytes(&session, Some("(lang: Ru)"));
    assert_eq!(saved.events, events.len() as u64);
    assert_eq!(saved.bytes, bytes.len() as u64);
    let on_wire = session.datagrams.iter().filter(|d| !d.sim.dropped).count();
    assert_eq!(saved.packets, on_wire as u64);

    let Recorded::Session {
        events: back,
        events_dropped,
        settings_ron,
        saved_at,
    } = open_bytes(&bytes).expect("reopen")
    else {
        panic!("UDP Lab's own file read as a plain capture");
    };
    assert_eq!(json(&back), json(&events));
    assert_eq!(events_dropped, 0);
    assert_eq!(settings_ron.as_deref(), Some("(lang: Ru)"));
    assert!(saved_at > UNIX_EPOCH);

    let rebuilt = session_of(&back);
    assert_eq!(rebuilt.trace, session.trace);
    assert_eq!(rebuilt.datagrams, session.datagrams);
    assert_eq!(rebuilt.scripts.list, session.scripts.list);
    if let Some(script) = rebuilt.scripts.list.front() {
        // The source came from the file, not from the disk again.
        assert!(back.iter().any(|ev| matches!(ev, NetEvent::Script(s)
            if matches!(&s.kind, ScriptEventKind::Started { source: Some(text), .. }
                if text.contains("sock.sendto")))));
        assert_eq!(script.name, "client.py");
    }
}

/// The file without UDP Lab's Custom Blocks: what any other program that
/// copies only packets would leave.
fn without_custom_blocks(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let kind = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4"));
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4")) as usize;
        if kind != CUSTOM_BLOCK {
            out.extend_from_slice(&bytes[at..at + len]);
        }
        at += len;
    }
    out
}

#[test]
fn saved_packets_are_real_udp_with_right_checksums_flags_and_comments() {
    let events = lab_events();
    let session = session_of(&events);
    let (bytes, saved) = saved_bytes(&session, None);
    let Recorded::Capture(imported) = open_bytes(&without_custom_blocks(&bytes)).expect("packets")
    else {
        panic!("no Custom Blocks left, yet read as a session");
    };
    assert_eq!(imported.udp, saved.packets);
    assert_eq!(imported.link_types, vec![228]);
    assert_eq!(imported.server.map(|s| s.ip()), Some([127, 0, 0, 1].into()));
    let mut wire: Vec<_> = session
        .datagrams
        .iter()
        .filter(|d| !d.sim.dropped)
        .collect();
    wire.sort_by_key(|d| crate::lab::export::record_time(d));
    for (live, read) in wire.iter().zip(&imported.session.datagrams) {
        assert_eq!((read.from, read.to), (live.from, live.to));
        assert_eq!(read.bytes, live.bytes);
        let header = read.captured.expect("captured header");
        assert_eq!(header.checksum_ok, Some(true), "{header:?}");
        assert_eq!(read.sent_at, crate::lab::export::record_time(live));
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("client step 6 sendto(13 bytes → 127.0.0.1:"));
    assert!(text.contains("server step 7 recvfrom(1024) → 13 bytes"));
    assert!(text.contains("sent twice by UDP Lab's network simulator"));
}

#[test]
fn comments_follow_the_language_asked_for() {
    let events = lab_events();
    let session = session_of(&events);
    let mut out = Vec::new();
    let input = SaveInput {
        session: &session,
        settings_ron: None,
    };
    write_to(&mut out, &input, &Progress::default(), Lang::Ru).expect("save");
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("клиент, пункт 6: sendto(13 байт → 127.0.0.1:"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------
// Crafted captures

const WHEN: u64 = 1_764_800_000;

fn udp4(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut p = Vec::new();
    PacketBuilder::ipv4(src, dst, 64)
        .udp(sport, dport)
        .write(&mut p, payload)
        .expect("packet");
    p
}

fn udp6(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut p = Vec::new();
    let lo = std::net::Ipv6Addr::LOCALHOST.octets();
    PacketBuilder::ipv6(lo, lo, 64)
        .udp(sport, dport)
        .write(&mut p, payload)
        .expect("packet");
    p
}

/// A pcap file: `big` endian, `nanos` resolution, one link type.
fn pcap(link: u32, big: bool, nanos: bool, frames: &[Vec<u8>]) -> Vec<u8> {
    let w32 = |out: &mut Vec<u8>, v: u32| {
        out.extend_from_slice(&if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        })
    };
    let mut out = Vec::new();
    w32(&mut out, if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 });
    let v = if big { [0, 2, 0, 4] } else { [2, 0, 4, 0] };
    out.extend_from_slice(&v);
    w32(&mut out, 0);
    w32(&mut out, 0);
    w32(&mut out, 65535);
    w32(&mut out, link);
    for (i, f) in frames.iter().enumerate() {
        w32(&mut out, WHEN as u32 + i as u32);
        w32(&mut out, if nanos { 500_000_000 } else { 500_000 });
        w32(&mut out, f.len() as u32);
        w32(&mut out, f.len() as u32);
        out.extend_from_slice(f);
    }
    out
}

fn imported(bytes: &[u8]) -> Box<Imported> {
    match open_bytes(bytes) {
        Ok(Recorded::Capture(i)) => i,
        Ok(Recorded::Session { .. }) => panic!("read as a session"),
        Err(e) => panic!("{e}"),
    }
}

fn ethernet(ethertype: u16, vlan: bool, ip: &[u8]) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
    if vlan {
        f.extend_from_slice(&[0x81, 0x00, 0x00, 0x07]);
    }
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(ip);
    f
}

#[test]
fn every_link_type_a_classroom_pc_makes_gives_the_same_datagram() {
    let ip = udp4([10, 0, 0, 2], [10, 0, 0, 1], 50000, 12345, b"Hello, server");
    let mut sll = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 2, 0, 0, 0x08, 0x00];
    sll.extend_from_slice(&ip);
    let mut sll2 = vec![
        0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 2, 0, 0,
    ];
    sll2.extend_from_slice(&ip);
    let mut null_le = 2u32.to_le_bytes().to_vec();
    null_le.extend_from_slice(&ip);
    let mut null_be = 2u32.to_be_bytes().to_vec();
    null_be.extend_from_slice(&ip);
    let cases: Vec<(u32, Vec<u8>)> = vec![
        (1, ethernet(0x0800, false, &ip)),
        (1, ethernet(0x0800, true, &ip)),
        (101, ip.clone()),
        (12, ip.clone()),
        (228, ip.clone()),
        (113, sll),
        (276, sll2),
        (0, null_le.clone()),
        (0, null_be.clone()),
        (108, null_be),
    ];
    for (link, frame) in cases {
        for (big, nanos) in [(false, false), (true, false), (false, true), (true, true)] {
            let i = imported(&pcap(link, big, nanos, std::slice::from_ref(&frame)));
            assert_eq!(i.link_types, vec![link]);
            let d = &i.session.datagrams[0];
            assert_eq!(
                d.from,
                "10.0.0.2:50000".parse::<SocketAddr>().expect("addr")
            );
            assert_eq!(d.to, "10.0.0.1:12345".parse::<SocketAddr>().expect("addr"));
            assert_eq!(&d.bytes[..], b"Hello, server");
            assert_eq!(d.captured.and_then(|c| c.checksum_ok), Some(true));
            assert_eq!(
                d.sent_at,
                Some(UNIX_EPOCH + Duration::from_secs(WHEN) + Duration::from_millis(500)),
                "link {link} big {big} nanos {nanos}"
            );
            assert_eq!(i.server, Some(d.to));
        }
    }
    let v6 = imported(&pcap(229, false, false, &[udp6(40000, 12345, b"v6")]));
    assert_eq!(v6.session.datagrams[0].from.to_string(), "[::1]:40000");
}

/// A pcapng with a big-endian section, if_tsresol 2^-10 and an offset.
#[test]
fn pcapng_big_endian_with_a_binary_time_resolution_and_offset() {
    let block = |kind: u32, body: &[u8]| {
        let len = 12 + body.len().next_multiple_of(4);
        let mut b = kind.to_be_bytes().to_vec();
        b.extend_from_slice(&(len as u32).to_be_bytes());
        b.extend_from_slice(body);
        b.resize(len - 4, 0);
        b.extend_from_slice(&(len as u32).to_be_bytes());
        b
    };
    let mut shb = 0x1A2B_3C4Du32.to_be_bytes().to_vec();
    shb.extend_from_slice(&[0, 1, 0, 0]);
    shb.extend_from_slice(&(-1i64).to_be_bytes());
    let mut idb = vec![0, 101, 0, 0, 0, 0, 0, 0];
    idb.extend_from_slice(&[0, 9, 0, 1, 0x8a, 0, 0, 0]);
    idb.extend_from_slice(&[0, 14, 0, 8]);
    idb.extend_from_slice(&100i64.to_be_bytes());
    idb.extend_from_slice(&[0, 0, 0, 0]);
    let ip = udp4([127, 0, 0, 1], [127, 0, 0, 1], 40000, 12345, b"x");
    // 1024 units a second: 3.5 s.
    let ts: u64 = 3 * 1024 + 512;
    let mut epb = 0u32.to_be_bytes().to_vec();
    epb.extend_from_slice(&((ts >> 32) as u32).to_be_bytes());
    epb.extend_from_slice(&(ts as u32).to_be_bytes());
    epb.extend_from_slice(&(ip.len() as u32).to_be_bytes());
    epb.extend_from_slice(&(ip.len() as u32).to_be_bytes());
    epb.extend_from_slice(&ip);
    epb.resize(epb.len().next_multiple_of(4), 0);
    let mut file = block(0x0A0D_0D0A, &shb);
    file.extend(block(1, &idb));
    file.extend(block(6, &epb));
    // A second section, little-endian this time, as mergecap may leave.
    let i = imported(&file);
    assert_eq!(
        i.session.datagrams[0].sent_at,
        Some(UNIX_EPOCH + Duration::from_millis(103_500))
    );
}

#[test]
fn a_4000_byte_datagram_in_three_fragments_is_reassembled_in_any_order() {
    let payload: Vec<u8> = (0..4000u32).map(|i| (i % 251) as u8).collect();
    let whole = udp4([10, 0, 0, 2], [10, 0, 0, 1], 50000, 12345, &payload);
    // Split the IP payload (UDP header + data) at 1480-byte boundaries.
    let header = &whole[..20];
    let body = &whole[20..];
    let mut frags = Vec::new();
    for (n, chunk) in body.chunks(1480).enumerate() {
        let mut h = header.to_vec();
        let total = (20 + chunk.len()) as u16;
        h[2..4].copy_from_slice(&total.to_be_bytes());
        h[4..6].copy_from_slice(&0x1234u16.to_be_bytes());
        let more = if (n + 1) * 1480 < body.len() {
            0x2000
        } else {
            0
        };
        let off = ((n * 1480) / 8) as u16 | more;
        h[6..8].copy_from_slice(&off.to_be_bytes());
        h[10..12].copy_from_slice(&[0, 0]);
        h.extend_from_slice(chunk);
        frags.push(ethernet(0x0800, false, &h));
    }
    assert_eq!(frags.len(), 3);
    frags.swap(0, 2);
    // And one fragment of a datagram that never completes.
    let mut lonely = frags[1].clone();
    lonely[14 + 4..14 + 6].copy_from_slice(&0x9999u16.to_be_bytes());
    frags.push(lonely);
    let i = imported(&pcap(1, false, false, &frags));
    assert_eq!(i.udp, 1);
    let d = &i.session.datagrams[0];
    assert_eq!(&d.bytes[..], &payload[..]);
    let c = d.captured.expect("captured");
    assert_eq!(
        (c.fragments, c.ip_ident, c.checksum_ok),
        (3, Some(0x1234), Some(true))
    );
    assert_eq!(i.skipped, vec![("IP fragments", 1)]);
}

#[test]
fn checksums_wrong_missing_and_offloaded_are_told_apart() {
    let good = udp4([10, 0, 0, 2], [10, 0, 0, 1], 50000, 12345, b"Hello, server");
    let with_sum = |sum: u16| {
        let mut p = good.clone();
        p[26..28].copy_from_slice(&sum.to_be_bytes());
        p
    };
    let right = u16::from_be_bytes([good[26], good[27]]);
    // The pseudo header's sum, as Linux leaves it for the network card.
    let pseudo = {
        let b =
            crate::net::udp_header::PseudoHeader::new([10, 0, 0, 2].into(), [10, 0, 0, 1].into())
                .expect("v4")
                .bytes(21);
        let mut s: u32 = b
            .chunks(2)
            .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
            .sum();
        while s > 0xffff {
            s = (s & 0xffff) + (s >> 16);
        }
        s as u16
    };
    let frames = vec![
        good.clone(),
        with_sum(right ^ 0x0101),
        with_sum(0),
        with_sum(pseudo),
    ];
    let i = imported(&pcap(101, false, false, &frames));
    let checks: Vec<_> = i
        .session
        .datagrams
        .iter()
        .map(|d| d.captured.map(|c| (c.checksum_ok, c.offloaded)))
        .collect();
    assert_eq!(
        checks,
        vec![
            Some((Some(true), false)),
            Some((Some(false), false)),
            Some((None, false)),
            Some((None, true)),
        ]
    );
    assert_eq!(
        i.session.datagrams[1].captured.map(|c| c.checksum_expected),
        Some(right)
    );
}

#[test]
fn a_capture_without_udp_names_what_it_held() {
    let mut tcp = Vec::new();
    PacketBuilder::ipv4([10, 0, 0, 2], [10, 0, 0, 1], 64)
        .tcp(50000, 80, 1, 1024)
        .write(&mut tcp, b"GET /")
        .expect("tcp");
    let arp = {
        let mut f = ethernet(0x0806, false, &[0; 28]);
        f.truncate(42);
        f
    };
    let frames = vec![
        ethernet(0x0800, false, &tcp),
        ethernet(0x0800, false, &tcp),
        ethernet(0x0800, false, &tcp),
        arp,
    ];
    let err = open_bytes(&pcap(1, false, false, &frames)).expect_err("no UDP");
    assert_eq!(
        err,
        CaptureError::NoUdp {
            packets: 4,
            skipped: vec![("TCP", 3), ("ARP", 1)]
        }
    );
    assert_eq!(
        err.text(Lang::En),
        "The capture holds no UDP datagrams: its 4 packets are 3 TCP, 1 ARP."
    );
    assert!(err.text(Lang::Ru).contains("3 TCP, 1 ARP"));
}

#[test]
fn datagrams_beyond_the_sessions_limit_are_counted_not_kept() {
    let ip = udp4([10, 0, 0, 2], [10, 0, 0, 1], 50000, 12345, b"x");
    let frames = vec![ip; MAX_DATAGRAMS + 5];
    let i = imported(&pcap(101, false, false, &frames));
    assert_eq!(i.session.datagrams.len(), MAX_DATAGRAMS);
    assert_eq!((i.udp, i.left_out), (MAX_DATAGRAMS as u64 + 5, 5));
}

#[test]
fn the_server_is_who_received_at_the_lab_port_else_who_answered() {
    let frames = vec![
        udp4([10, 0, 0, 2], [10, 0, 0, 1], 50000, 53, b"query"),
        udp4([10, 0, 0, 1], [10, 0, 0, 2], 53, 50000, b"answer"),
    ];
    let i = imported(&pcap(101, false, false, &frames));
    assert_eq!(i.server, Some("10.0.0.1:53".parse().expect("addr")));
    let dirs: Vec<_> = i.session.datagrams.iter().map(|d| d.direction).collect();
    use crate::lab::session::Direction::{Reply, Request};
    assert_eq!(dirs, vec![Request, Reply]);
    // Who answered is the server, though another got the first datagram.
    let frames = vec![
        udp4([10, 0, 0, 2], [10, 0, 0, 9], 50000, 40000, b"probe"),
        udp4([10, 0, 0, 2], [10, 0, 0, 1], 50000, 50001, b"Hello, server"),
        udp4([10, 0, 0, 1], [10, 0, 0, 2], 50001, 50000, b"Hello, client"),
    ];
    let i = imported(&pcap(101, false, false, &frames));
    assert_eq!(i.server, Some("10.0.0.1:50001".parse().expect("addr")));
    // A datagram to 12345 later in the file still names the lab's server.
    let frames = vec![
        udp4([10, 0, 0, 2], [10, 0, 0, 1], 50000, 53, b"query"),
        udp4([10, 0, 0, 3], [10, 0, 0, 1], 50001, 12345, b"Hello, server"),
    ];
    let i = imported(&pcap(101, false, false, &frames));
    assert_eq!(i.server, Some("10.0.0.1:12345".parse().expect("addr")));
}

// ---------------------------------------------------------------------------
// Broken files

fn a_saved_file() -> Vec<u8> {
    let ip = udp4(
        [127, 0, 0, 1],
        [127, 0, 0, 1],
        40000,
        12345,
        b"Hello, server",
    );
    let mut session = Session::default();
    session.push_captured(crate::lab::session::DatagramRecord {
        id: 0,
        direction: crate::lab::session::Direction::Request,
        from: "127.0.0.1:40000".parse().expect("addr"),
        to: "127.0.0.1:12345".parse().expect("addr"),
        bytes: Arc::from(&ip[28..]),
        len: 13,
        truncated: None,
        sent_at: Some(SystemTime::now()),
        received_at: None,
        client: None,
        gave_up_at: None,
        sim: Default::default(),
        sender_script: None,
        receiver_script: None,
        captured: None,
    });
    saved_bytes(&session, None).0
}

fn all_languages_one_sentence(e: &CaptureError) {
    for lang in Lang::ALL {
        let text = e.text(lang);
        assert!(text.ends_with('.') && !text.contains('{'), "{text}");
        assert_eq!(text.matches(". ").count(), 0, "one sentence: {text}");
    }
}

#[test]
fn broken_files_each_get_one_plain_sentence_with_the_byte() {
    let file = a_saved_file();
    let cases: Vec<(&str, Vec<u8>, CaptureError)> = vec![
        ("empty", vec![], CaptureError::Empty),
        (
            "a PNG renamed",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            CaptureError::NotACapture {
                looks_like: LooksLike::Png,
            },
        ),
        (
            "text",
            b"127.0.0.1 Hello, server\n".to_vec(),
            CaptureError::NotACapture {
                looks_like: LooksLike::Text,
            },
        ),
        (
            "gzip",
            b"\x1f\x8b\x08\x00rest".to_vec(),
            CaptureError::NotACapture {
                looks_like: LooksLike::Gzip,
            },
        ),
        (
            "cut in the section header",
            file[..10].to_vec(),
            CaptureError::Truncated {
                at: 10,
                part: Part::BlockHeader,
            },
        ),
        (
            "cut in the pcap header",
            pcap(1, false, false, &[])[..12].to_vec(),
            CaptureError::Truncated {
                at: 12,
                part: Part::FileHeader,
            },
        ),
        (
            "cut in a block",
            file[..file.len() - 10].to_vec(),
            CaptureError::Truncated {
                at: file.len() as u64 - 10,
                part: Part::Block,
            },
        ),
    ];
    for (name, bytes, want) in cases {
        let got = open_bytes(&bytes).expect_err(name);
        assert_eq!(got, want, "{name}");
        all_languages_one_sentence(&got);
    }
    // A block whose length lies: the first block after the section header
    // (28 + options) is made 8 bytes longer than it is.
    let shb_len = u32::from_le_bytes(file[4..8].try_into().expect("4")) as usize;
    let mut lying = file.clone();
    let len = u32::from_le_bytes(file[shb_len + 4..shb_len + 8].try_into().expect("4"));
    lying[shb_len + 4..shb_len + 8].copy_from_slice(&(len + 8).to_le_bytes());
    let got = open_bytes(&lying).expect_err("lying length");
    assert!(
        matches!(got, CaptureError::Corrupt { at, .. } if at == shb_len as u64),
        "{got:?}"
    );
    all_languages_one_sentence(&got);
    assert!(got.text(Lang::En).contains(&format!("byte {shb_len}")));
    // A length far past the end.
    let mut huge = file.clone();
    huge[shb_len + 4..shb_len + 8].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
    let got = open_bytes(&huge).expect_err("huge length");
    assert!(matches!(
        got,
        CaptureError::Corrupt {
            what: Corruption::LengthPastEnd { .. },
            ..
        }
    ));
    assert_eq!(
        got.text(Lang::En),
        format!(
            "The file is damaged at byte {shb_len}: a block says it is 2,147,483,632 bytes long, but only {} bytes of the file are left.",
            crate::lab::text::grouped((file.len() - shb_len) as u64, Lang::En)
        )
    );
}

#[test]
fn every_cut_of_a_saved_file_is_an_error_never_a_panic() {
    let file = a_saved_file();
    for cut in 0..file.len() {
        let result = open_bytes(&file[..cut]);
        if let Err(e) = &result {
            all_languages_one_sentence(e);
        }
    }
    // Every byte flipped in turn.
    for at in 0..file.len() {
        let mut bad = file.clone();
        bad[at] ^= 0xff;
        let _ = open_bytes(&bad);
    }
}

#[test]
fn cancel_stops_the_read() {
    let file = a_saved_file();
    let progress = Progress::default();
    progress
        .cancel
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let got = read_from(&file[..], Some(file.len() as u64), &progress).expect_err("cancelled");
    assert_eq!(got, CaptureError::Cancelled);
}

#[test]
fn save_writes_beside_and_keeps_the_old_file_when_it_fails() {
    let dir = crate::lab::export::tests::TempDir::new("capture-save");
    let path = dir.0.join("lesson.pcapng");
    std::fs::write(&path, b"old").expect("old file");
    let session = Session::default();
    let input = SaveInput {
        session: &session,
        settings_ron: None,
    };
    let progress = Progress::default();
    progress
        .cancel
        .store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(save(&path, &input, &progress), Err(CaptureError::Cancelled));
    assert_eq!(std::fs::read(&path).expect("old"), b"old");
    assert!(!dir.0.join("lesson.pcapng.part").exists());
    let saved = save(&path, &input, &Progress::default()).expect("save");
    assert_eq!(saved.bytes, std::fs::metadata(&path).expect("meta").len());
    let opened = open(&path, &Progress::default()).expect("open");
    assert!(matches!(opened.recorded, Recorded::Session { ref events, .. } if events.is_empty()));
}

#[test]
fn the_event_log_is_bounded_by_count_and_payload_and_counts_what_it_dropped() {
    use crate::lab::session::{MAX_LOG, MAX_LOG_PAYLOAD};
    use crate::net::{Received, Reply, ServerEvent};
    let datagram = |size: usize| {
        NetEvent::Server(ServerEvent {
            server: 1,
            at: SystemTime::now(),
            kind: ServerEventKind::Datagram {
                rx: Received {
                    from: "127.0.0.1:40000".parse().expect("addr"),
                    bytes: Arc::from(vec![b'x'; size]),
                    len: size,
                    truncated: false,
                    buffer: 65_536,
                    at: SystemTime::now(),
                },
                reply: Reply::NotSent,
            },
        })
    };
    let mut session = Session::default();
    let big = datagram(1 << 20);
    for _ in 0..(MAX_LOG_PAYLOAD >> 20) + 6 {
        session.record(&big);
    }
    assert_eq!(session.log.len(), MAX_LOG_PAYLOAD >> 20);
    assert_eq!(session.log_dropped, 6);
    let mut session = Session::default();
    let small = datagram(1);
    for _ in 0..MAX_LOG + 5 {
        session.record(&small);
    }
    assert_eq!((session.log.len(), session.log_dropped), (MAX_LOG, 5));
    session.clear();
    assert_eq!((session.log.len(), session.log_dropped), (0, 0));
}
