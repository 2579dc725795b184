use std::net::{SocketAddr, UdpSocket};

use egui_kittest::kittest::Queryable;

use super::*;
use crate::app::Outcome;
use crate::app::test_util::{harness, set_text, start_server, wait_for};

fn ether_checksum_v4(from: SocketAddr, to: SocketAddr, payload: &[u8]) -> u16 {
    let ip = |a: SocketAddr| match a.ip() {
        IpAddr::V4(v4) => v4.octets(),
        IpAddr::V6(_) => panic!("IPv4 expected"),
    };
    etherparse::UdpHeader::without_ipv4_checksum(from.port(), to.port(), payload.len())
        .expect("fits")
        .calc_checksum_ipv4_raw(ip(from), ip(to), payload)
        .expect("fits")
}

#[test]
fn the_lab_exchange_shows_its_header_values() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Send").click();
    wait_for(&mut h, "the response", |app| {
        matches!(app.client.outcome, Some(Outcome::Response { .. }))
            && app.session.datagrams.len() == 2
    });
    let client = h.state().server.rows[0].rx.from;
    let server: SocketAddr = format!("127.0.0.1:{port}").parse().expect("literal");
    h.get_by_label("Datagram anatomy").click();
    h.run_steps(3);

    // Nothing picked: the newest datagram, the reply, says so.
    h.get_by_label("newest datagram — click an arrow in the sequence diagram to pick another");
    h.get_by_label("Reply: server → client");
    h.get_by_label(&format!("Source port: {}", dec_hex(port)));
    h.get_by_label(&format!("Destination port: {}", dec_hex(client.port())));

    // One back: the request "Hello, server".
    h.get_by_label("← Previous").click();
    h.run_steps(3);
    h.get_by_label("Request: client → server");
    h.get_by_label(&format!("{client} → {server}"));
    h.get_by_label(&format!("Source port: {}", dec_hex(client.port())));
    h.get_by_label(&format!("Destination port: {}", dec_hex(port)));
    h.get_by_label("Length: 21 (0x0015)");
    h.get_by_label("Length = 8 (header) + 13 (data) = 21 bytes");
    let ours = UdpHeader::for_datagram(client, server, b"Hello, server")
        .expect("header")
        .checksum;
    assert_eq!(ours, ether_checksum_v4(client, server, b"Hello, server"));
    h.get_by_label(&format!("Checksum: {}", dec_hex(ours)));
    // The hex dump's first row, hex and text.
    h.get_by_label("0000  48 65 6c 6c 6f 2c 20 73 65 72 76 65 72  Hello, server");
    assert!(
        h.state().selected_datagram.is_some(),
        "Previous picks a datagram"
    );

    // Pointing at a byte, in the text column or in the hex column.
    let row_label = "0000  48 65 6c 6c 6f 2c 20 73 65 72 76 65 72  Hello, server";
    h.get_by_label(row_label).scroll_to_me();
    h.run_steps(3);
    let row = h.get_by_label(row_label).rect();
    let dump = DumpGeometry::with_char_width(DumpGeometry::char_width_of_row(row.width()));
    let (t0, t1) = dump.text_cell(4);
    h.hover_at(pos2(row.left() + (t0 + t1) / 2.0, row.center().y));
    h.run_steps(3);
    h.get_by_label("data byte 4 (datagram byte 12): 0x6F = 111");
    let (x0, x1) = dump.hex_cell(7);
    h.hover_at(pos2(row.left() + (x0 + x1) / 2.0, row.center().y));
    h.run_steps(3);
    h.get_by_label("data byte 7 (datagram byte 15): 0x73 = 115");
    assert!(h.unnamed_widgets().is_empty(), "{:?}", h.unnamed_widgets());

    // Back to following the newest.
    h.get_by_label("Newest").click();
    h.run_steps(3);
    assert_eq!(h.state().selected_datagram, None);
    h.get_by_label("Reply: server → client");
}

#[test]
fn a_1500_byte_datagram_into_a_1024_byte_buffer_is_flagged() {
    let mut h = harness();
    let port = start_server(&mut h);
    // No reply: the truncated request stays the newest datagram.
    h.get_by_label("No reply").click();
    h.run_steps(2);
    let peer = UdpSocket::bind("127.0.0.1:0").expect("bind");
    peer.send_to(&[b'x'; 1500], ("127.0.0.1", port))
        .expect("send");
    wait_for(&mut h, "the datagram", |app| app.server.total == 1);
    h.get_by_label("Datagram anatomy").click();
    h.run_steps(3);
    // Windows fails the short recvfrom; UDP Lab learns the length anyway.
    let warning = if cfg!(windows) {
        "read 1024 of 1500 bytes — on Windows this recvfrom fails with WSAEMSGSIZE (Python: OSError [WinError 10040]) and the rest is discarded"
    } else if cfg!(target_os = "linux") {
        "read 1024 of 1500 bytes — the rest is discarded by the kernel"
    } else {
        "read 1024 bytes; the datagram was longer — the rest is discarded by the kernel"
    };
    h.get_by_label(warning);
    // Only the receiving end saw it: the checksum needs the lost bytes.
    h.get_by_label("Checksum: unknown");
    h.get_by_label(
        "Unknown: the checksum covers all of the data, and the kernel discarded its end.",
    );
    if cfg!(target_os = "linux") {
        h.get_by_label("Length: 1508 (0x05E4)");
        h.get_by_label("The other 476 bytes are unknown: only the sender had them.");
    }
    let d = h
        .state()
        .session
        .datagrams
        .back()
        .cloned()
        .expect("a record");
    assert_eq!(d.bytes.len(), 1024);
    assert!(h.unnamed_widgets().is_empty(), "{:?}", h.unnamed_widgets());
}

#[test]
fn a_truncated_datagram_sent_by_the_app_marks_the_unread_bytes() {
    let mut h = harness();
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    set_text(&mut h, "Message", &"y".repeat(1500));
    h.get_by_label("Send").click();
    wait_for(&mut h, "the exchange", |app| {
        !app.client.busy() && app.session.datagrams.len() == 2
    });
    let request = h
        .state()
        .session
        .datagrams
        .front()
        .cloned()
        .expect("request");
    assert!(request.truncated.is_some());
    h.get_by_label("Datagram anatomy").click();
    h.run_steps(3);
    // The newest is the reply; the request is one back.
    h.get_by_label("← Previous").click();
    h.run_steps(3);
    assert_eq!(h.state().selected_datagram, Some(request.id));
    if cfg!(windows) {
        h.get_by_label("read 1024 of 1500 bytes — on Windows this recvfrom fails with WSAEMSGSIZE (Python: OSError [WinError 10040]) and the rest is discarded");
    } else if cfg!(target_os = "linux") {
        h.get_by_label("read 1024 of 1500 bytes — the rest is discarded by the kernel");
    }
    h.get_by_label(
        "The bytes from offset 1024 on (marked) never reached the receiving program: \
         its buffer holds 1024 bytes.",
    );
    // The sender had every byte: the checksum is known.
    let want = UdpHeader::for_datagram(request.from, request.to, &request.bytes)
        .expect("header")
        .checksum;
    h.get_by_label(&format!("Checksum: {}", dec_hex(want)));
    h.get_by_label("Length: 1508 (0x05E4)");
}

#[test]
fn a_wide_window_puts_header_and_data_side_by_side() {
    use crate::app::views::View;
    use crate::app::{Lang, Settings, StartOptions, UdpLabApp};
    let mut h = egui_kittest::Harness::builder()
        .with_size([1700.0, 900.0])
        .build_eframe(|cc| {
            let settings = Settings {
                lang: Some(Lang::En),
                bind: "127.0.0.1:0".into(),
                view: View::Anatomy,
                ..Settings::default()
            };
            UdpLabApp::with_settings(&cc.egui_ctx, settings, StartOptions::default())
        });
    let port = start_server(&mut h);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Send").click();
    wait_for(&mut h, "the exchange", |app| {
        !app.client.busy() && app.session.datagrams.len() == 2
    });
    h.run_steps(3);
    let field = h
        .get_by_label(&format!("Source port: {}", dec_hex(port)))
        .rect();
    let row = h
        .get_by_label("0000  48 65 6c 6c 6f 2c 20 63 6c 69 65 6e 74  Hello, client")
        .rect();
    assert!(row.left() > field.right(), "{row:?} beside {field:?}");
    assert!(h.unnamed_widgets().is_empty(), "{:?}", h.unnamed_widgets());
}

#[test]
fn no_datagram_yet_says_what_to_do() {
    let mut h = harness();
    h.get_by_label("Datagram anatomy").click();
    h.run_steps(2);
    h.get_by_label(
        "No datagrams yet. Start the server and press Send: the newest datagram's \
         header and bytes will appear here.",
    );
}

#[test]
fn text_cells_span_multibyte_characters() {
    let cells = text_cells("aП\u{7}".as_bytes(), |_| true);
    assert_eq!(cells.len(), 4);
    assert_eq!(cells[0].shown, Some('a'));
    assert_eq!(
        (cells[1].lead, cells[1].len, cells[1].shown),
        (1, 2, Some('П'))
    );
    assert_eq!((cells[2].lead, cells[2].len), (1, 2));
    assert_eq!(cells[3].shown, None, "a control character shows as a dot");
    let invalid = text_cells(&[0xff, b'A', 0xd0], |_| true);
    assert_eq!(
        invalid.iter().map(|c| c.shown).collect::<Vec<_>>(),
        [None, Some('A'), None]
    );
    let no_glyph = text_cells("😀".as_bytes(), |c| c.is_ascii());
    assert!(no_glyph.iter().all(|c| c.shown.is_none() && c.len == 4));
}

#[test]
fn any_address_uses_loopback_for_a_loopback_peer_only() {
    let record = |from: &str, to: &str| DatagramRecord {
        id: 1,
        direction: Direction::Request,
        from: from.parse().expect("literal"),
        to: to.parse().expect("literal"),
        bytes: std::sync::Arc::from(&b"hi"[..]),
        len: 2,
        truncated: None,
        sent_at: None,
        received_at: None,
        client: None,
        gave_up_at: None,
        sim: Default::default(),
        sender_script: None,
        receiver_script: None,
        captured: None,
    };
    let info = HeaderInfo::of(&record("0.0.0.0:4000", "127.0.0.1:12345"));
    let want = UdpHeader::for_datagram(
        "127.0.0.1:4000".parse().expect("literal"),
        "127.0.0.1:12345".parse().expect("literal"),
        b"hi",
    )
    .expect("header");
    assert_eq!(info.header(), Some(want));
    assert!(matches!(
        info.checksum,
        Checksum::Known {
            assumed: Some(_),
            ..
        }
    ));
    // A documentation address (RFC 5737): no socket is involved here.
    let far = HeaderInfo::of(&record("0.0.0.0:4000", "192.0.2.1:12345"));
    assert!(matches!(far.checksum, Checksum::NeedsAddress { .. }));
    assert_eq!(far.length(), Some(10));
    let v6 = HeaderInfo::of(&record("[::1]:4000", "[::1]:12345"));
    assert!(matches!(
        v6.checksum,
        Checksum::Known {
            pseudo: PseudoHeader::V6 { .. },
            assumed: None,
            ..
        }
    ));
}

/// A capture's datagram with a checksum damaged on the way (issue 26): the
/// view shows the header as captured and says the checksum is wrong, in
/// both languages.
#[test]
fn a_captured_wrong_checksum_is_shown_as_captured_and_flagged() {
    let mut ip = Vec::new();
    etherparse::PacketBuilder::ipv4([10, 0, 0, 2], [10, 0, 0, 1], 64)
        .udp(50000, 12345)
        .write(&mut ip, b"Hello, server")
        .expect("packet");
    let right = u16::from_be_bytes([ip[26], ip[27]]);
    let wrong = right ^ 0x0101;
    ip[26..28].copy_from_slice(&wrong.to_be_bytes());
    // A pcap (raw IP) holding that one packet.
    let mut file = 0xa1b2_c3d4u32.to_le_bytes().to_vec();
    file.extend_from_slice(&[2, 0, 4, 0]);
    for v in [
        0u32,
        0,
        65535,
        101,
        1_764_800_000,
        0,
        ip.len() as u32,
        ip.len() as u32,
    ] {
        file.extend_from_slice(&v.to_le_bytes());
    }
    file.extend_from_slice(&ip);
    let crate::lab::capture::Recorded::Capture(imported) =
        crate::lab::capture::open_bytes(&file).expect("the capture")
    else {
        panic!("read as a session");
    };
    for (lang, flagged) in [
        (
            crate::app::Lang::En,
            format!(
                "As captured, the checksum {} is wrong: these bytes give {}. The datagram was damaged on the way; the receiver's OS drops such a datagram without a word, and recvfrom never sees it.",
                dec_hex(wrong),
                dec_hex(right)
            ),
        ),
        (
            crate::app::Lang::Ru,
            format!(
                "В захвате контрольная сумма {} неверна: эти байты дают {}. Датаграмма повреждена в пути; ОС получателя молча отбрасывает такую датаграмму, и recvfrom её не увидит.",
                dec_hex(wrong),
                dec_hex(right)
            ),
        ),
    ] {
        let mut h = crate::app::test_util::harness_with(crate::app::Settings {
            lang: Some(lang),
            ..crate::app::Settings::default()
        });
        h.state_mut().session = crate::lab::session::Session::default();
        for d in &imported.session.datagrams {
            h.state_mut().session.push_captured(d.clone());
        }
        h.state_mut()
            .run(crate::app::Command::ShowView(crate::app::View::Anatomy));
        h.run_steps(3);
        h.get_by_label(&flagged);
        if lang == crate::app::Lang::En {
            h.get_by_label(&format!("Checksum: {}", dec_hex(wrong)));
            h.get_by_label("Source port: 50000 (0xC350)");
        }
    }
}
