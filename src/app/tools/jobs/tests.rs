use std::net::SocketAddr;
use std::time::SystemTime;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use pcap_file::pcap::PcapReader;

use super::*;
use crate::app::test_util::TempDir;
use crate::app::test_util::{harness_with, set_text, wait_for};
use crate::app::tools::jobs::NoticeKind;
use crate::app::{Lang, Outcome, Settings, UdpLabApp};
use crate::lab::export::tests::{micros, parse_csv};
use crate::lab::export::*;
use pcap_file::DataLink;

/// Starts the app's server on `bind`, sends the lab's message from the
/// app's client to it, and waits until both datagrams are in the session.
fn real_exchange(bind: &str, host: &str) -> (Harness<'static, UdpLabApp>, TempDir, u16) {
    let mut h = harness_with(Settings {
        lang: Some(Lang::En),
        bind: bind.into(),
        timeout_secs: 2.0,
        ..Settings::default()
    });
    let out = TempDir::new("export");
    h.state_mut().tools.output_dir = Some(out.0.clone());
    h.get_by_label("Start").click();
    wait_for(&mut h, "the server to listen", |app| {
        crate::app::test_util::listening_port(app).is_some()
    });
    let port = crate::app::test_util::listening_port(h.state()).unwrap_or_default();
    set_text(&mut h, "Server address", &format!("{host}:{port}"));
    h.get_by_label("Send").click();
    wait_for(&mut h, "the response", |app| {
        matches!(app.client.outcome, Some(Outcome::Response { .. }))
            && app.session.datagrams.len() == 2
            && app
                .session
                .datagrams
                .iter()
                .all(|d| d.received_at.is_some())
    });
    (h, out, port)
}

/// Clicks an export button and returns the file it wrote.
fn export_with(h: &mut Harness<'static, UdpLabApp>, button: &str) -> PathBuf {
    h.state_mut().tools.notice = None;
    h.get_by_label(button).click();
    wait_for(h, "the file to be written", |app| {
        app.tools.notice.is_some()
    });
    match &h.state().tools.notice {
        Some(n) => match &n.kind {
            NoticeKind::Saved { path, .. } => {
                h.get_by_label_contains(&path.display().to_string());
                path.clone()
            }
            _ => panic!(
                "export failed: {}",
                crate::app::tools::jobs::notice_text(Lang::En, &n.kind)
            ),
        },
        None => unreachable!(),
    }
}

#[test]
fn csv_and_pcap_of_a_real_ipv4_exchange_read_back_exactly() {
    let (mut h, _out, port) = real_exchange("127.0.0.1:0", "127.0.0.1");
    let client_port = h.state().server.rows[0].rx.from.port();
    let server: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let client: SocketAddr = format!("127.0.0.1:{client_port}").parse().expect("addr");
    let times: Vec<SystemTime> = h
        .state()
        .session
        .datagrams
        .iter()
        .map(|d| d.sent_at.expect("UDP Lab sent both"))
        .collect();

    let csv_path = export_with(&mut h, "Export CSV");
    assert!(
        csv_path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("udp-lab-") && n.ends_with(".csv"))
    );
    let bytes = std::fs::read(&csv_path).expect("csv");
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("BOM");
    let rows = parse_csv(text);
    let expected = [
        vec![
            "time",
            "direction",
            "from",
            "to",
            "length",
            "text",
            "hex",
            "note",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>(),
        vec![
            csv_time(times[0]),
            "request".into(),
            client.to_string(),
            server.to_string(),
            "13".into(),
            "Hello, server".into(),
            "48 65 6c 6c 6f 2c 20 73 65 72 76 65 72".into(),
            String::new(),
        ],
        vec![
            csv_time(times[1]),
            "reply".into(),
            server.to_string(),
            client.to_string(),
            "13".into(),
            "Hello, client".into(),
            "48 65 6c 6c 6f 2c 20 63 6c 69 65 6e 74".into(),
            String::new(),
        ],
    ];
    assert_eq!(rows, expected);
    // The time column is the datagram's own time, to the microsecond.
    let parsed =
        chrono::NaiveDateTime::parse_from_str(&rows[1][0], "%Y-%m-%d %H:%M:%S%.f").expect("time");
    let local: chrono::DateTime<chrono::Local> = times[0].into();
    assert_eq!(
        parsed.and_utc().timestamp_micros(),
        local.naive_local().and_utc().timestamp_micros()
    );

    let pcap_path = export_with(&mut h, "Export pcap");
    let file = std::fs::File::open(&pcap_path).expect("pcap");
    let mut reader = PcapReader::new(file).expect("pcap header");
    assert_eq!(reader.header().datalink, DataLink::RAW);
    let want = [
        (client, server, &b"Hello, server"[..]),
        (server, client, &b"Hello, client"[..]),
    ];
    let mut count = 0;
    while let Some(packet) = reader.next_packet() {
        let packet = packet.expect("packet");
        let (from, to, payload) = want[count];
        assert_eq!(packet.timestamp, micros(times[count]));
        assert_eq!(packet.orig_len as usize, packet.data.len());
        let sliced = SlicedPacket::from_ip(&packet.data).expect("IP packet");
        let Some(NetSlice::Ipv4(ip)) = &sliced.net else {
            panic!("IPv4 expected");
        };
        let Some(TransportSlice::Udp(udp)) = &sliced.transport else {
            panic!("UDP expected");
        };
        assert_eq!(std::net::IpAddr::V4(ip.header().source_addr()), from.ip());
        assert_eq!(
            std::net::IpAddr::V4(ip.header().destination_addr()),
            to.ip()
        );
        assert_eq!(
            (udp.source_port(), udp.destination_port()),
            (from.port(), to.port())
        );
        assert_eq!(udp.payload(), payload);
        assert_eq!(udp.length() as usize, 8 + payload.len());
        let ip_header = ip.header().to_header();
        assert_eq!(
            ip_header.calc_header_checksum(),
            ip.header().header_checksum()
        );
        assert_ne!(udp.checksum(), 0, "a real checksum, not \"none\"");
        assert_eq!(
            udp.to_header()
                .calc_checksum_ipv4(&ip_header, udp.payload()),
            Ok(udp.checksum())
        );
        count += 1;
    }
    assert_eq!(count, 2);

    tshark_reads(
        &pcap_path,
        &[
            format!(
                "{},{},{},{},21,1,{}",
                client.ip(),
                client.port(),
                server.ip(),
                server.port(),
                hex_of(b"Hello, server")
            ),
            format!(
                "{},{},{},{},21,1,{}",
                server.ip(),
                server.port(),
                client.ip(),
                client.port(),
                hex_of(b"Hello, client")
            ),
        ],
        false,
    );
}

#[test]
fn pcap_of_a_real_ipv6_exchange_reads_back() {
    if std::net::UdpSocket::bind("[::1]:0").is_err() {
        eprintln!("skipped: no IPv6 loopback here");
        return;
    }
    let (mut h, _out, port) = real_exchange("[::1]:0", "[::1]");
    let client_port = h.state().server.rows[0].rx.from.port();
    let pcap_path = export_with(&mut h, "Export pcap");
    let file = std::fs::File::open(&pcap_path).expect("pcap");
    let mut reader = PcapReader::new(file).expect("pcap header");
    let mut seen = Vec::new();
    while let Some(packet) = reader.next_packet() {
        let packet = packet.expect("packet");
        let sliced = SlicedPacket::from_ip(&packet.data).expect("IP packet");
        let Some(NetSlice::Ipv6(ip)) = &sliced.net else {
            panic!("IPv6 expected");
        };
        let Some(TransportSlice::Udp(udp)) = &sliced.transport else {
            panic!("UDP expected");
        };
        assert_eq!(ip.header().source_addr(), std::net::Ipv6Addr::LOCALHOST);
        assert_eq!(
            ip.header().destination_addr(),
            std::net::Ipv6Addr::LOCALHOST
        );
        assert_eq!(
            udp.to_header()
                .calc_checksum_ipv6(&ip.header().to_header(), udp.payload()),
            Ok(udp.checksum())
        );
        seen.push((
            udp.source_port(),
            udp.destination_port(),
            udp.payload().to_vec(),
        ));
    }
    assert_eq!(
        seen,
        vec![
            (client_port, port, b"Hello, server".to_vec()),
            (port, client_port, b"Hello, client".to_vec()),
        ]
    );
    tshark_reads(
        &pcap_path,
        &[
            format!(
                "::1,{client_port},::1,{port},21,1,{}",
                hex_of(b"Hello, server")
            ),
            format!(
                "::1,{port},::1,{client_port},21,1,{}",
                hex_of(b"Hello, client")
            ),
        ],
        true,
    );
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Wireshark's own reading of the file, when tshark is installed:
/// addresses, ports, UDP length, checksum status (1 = good) and payload.
fn tshark_reads(path: &Path, want: &[String], v6: bool) {
    let src = if v6 { "ipv6.src" } else { "ip.src" };
    let dst = if v6 { "ipv6.dst" } else { "ip.dst" };
    let output = std::process::Command::new("tshark")
        .args(["-n", "-r"])
        .arg(path)
        .args([
            "-o",
            "udp.check_checksum:TRUE",
            "-T",
            "fields",
            "-E",
            "separator=,",
        ])
        .args([
            "-e",
            src,
            "-e",
            "udp.srcport",
            "-e",
            dst,
            "-e",
            "udp.dstport",
        ])
        .args([
            "-e",
            "udp.length",
            "-e",
            "udp.checksum.status",
            "-e",
            "udp.payload",
        ])
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) if e.kind() == io::ErrorKind::NotFound && cfg!(windows) => {
            // The Windows build's tests run under Wine, which cannot start
            // the machine's tshark (a Linux program).
            println!(
                "SKIPPED {}: tshark does not run under Wine (a Linux program)",
                std::thread::current().name().unwrap_or("this test")
            );
            return;
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // CI installs tshark (.ci/run), so there it must run.
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but tshark is not installed"
            );
            eprintln!("skipped: tshark is not installed");
            return;
        }
        Err(e) => panic!("tshark: {e}"),
    };
    assert!(
        output.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines, want.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn failures_are_explained_in_both_languages() {
    let dir = PathBuf::from("/nowhere");
    let failed = |kind| NoticeKind::SaveFailed {
        what: Saved::Csv,
        dir: dir.clone(),
        kind,
        message: "os says no".into(),
    };
    assert_eq!(
        notice_text(Lang::En, &failed(io::ErrorKind::PermissionDenied)),
        "Could not save the CSV file: no permission to write in /nowhere"
    );
    assert_eq!(
        notice_text(Lang::Ru, &failed(io::ErrorKind::StorageFull)),
        "Не удалось сохранить файл CSV: диск заполнен"
    );
    assert_eq!(
        notice_text(Lang::En, &failed(io::ErrorKind::Other)),
        "Could not save the CSV file: os says no"
    );
}

/// Issue 23, item 14: the values a person reads (direction, note) are in
/// the window's language; the column names stay English for scripts.
#[test]
fn csv_values_follow_the_window_language() {
    let (mut h, _out, _port) = real_exchange("127.0.0.1:0", "127.0.0.1");
    h.state_mut()
        .act(crate::app::Command::SetLanguage(Lang::Ru));
    h.run();
    // The same command as the toolbar's CSV button (in Russian the toolbar
    // may fold it into the Tools menu).
    h.state_mut().tools.notice = None;
    h.state_mut()
        .act(crate::app::Command::Export(ExportKind::Csv));
    wait_for(&mut h, "the file to be written", |app| {
        app.tools.notice.is_some()
    });
    let path = match h.state().tools.notice.as_ref().map(|n| &n.kind) {
        Some(NoticeKind::Saved { path, .. }) => path.clone(),
        other => panic!(
            "export failed: {}",
            other.map(|k| notice_text(Lang::En, k)).unwrap_or_default()
        ),
    };
    let bytes = std::fs::read(&path).expect("csv");
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    let rows = parse_csv(text.strip_prefix('\u{feff}').expect("BOM"));
    assert_eq!(rows[0].join(","), CSV_HEADER);
    assert_eq!(
        (rows[1][1].as_str(), rows[2][1].as_str()),
        ("запрос", "ответ")
    );

    let mut d = h.state().session.datagrams[0].clone();
    d.truncated = Some(crate::lab::session::Truncation { read: 4, buffer: 4 });
    d.sim.dropped = true;
    d.sim.delay = std::time::Duration::from_millis(20);
    assert_eq!(
        note(&d, Lang::Ru),
        "обрезано: прочитано 4 из 13 байт (буфер 4); отброшено симулятором; задержано симулятором на 20 мс"
    );
    assert_eq!(
        note(&d, Lang::En),
        "truncated: read 4 of 13 bytes (buffer 4); dropped by the simulator; delayed 20 ms by the simulator"
    );
}

/// Issue 23: "Open folder" on a desktop with no file manager said nothing
/// (opener starts xdg-open and never hears that it failed). Here the
/// helpers really run, with no D-Bus session and nothing on PATH, and the
/// reason is said under the path.
#[cfg(target_os = "linux")]
#[test]
fn open_folder_without_a_file_manager_says_why() {
    let (mut h, _out, _port) = real_exchange("127.0.0.1:0", "127.0.0.1");
    let path = export_with(&mut h, "Export CSV");
    let empty = TempDir::new("no-programs");
    h.state_mut().tools.reveal_env = super::reveal::RevealEnv {
        path: Some(empty.0.clone().into_os_string()),
        bus: Some(format!("unix:path={}", empty.0.join("no-bus").display())),
        browser: None,
    };
    h.run_steps(2);
    let asked = std::time::Instant::now();
    h.get_by_label("Open folder").click();
    wait_for(&mut h, "the reason", |app| {
        matches!(
            app.tools.notice.as_ref().map(|n| &n.kind),
            Some(NoticeKind::Saved {
                reveal_failed: Some(_),
                ..
            })
        )
    });
    // A figure, not an assertion: the issue asks for under a second.
    println!("the reason came after {:?}", asked.elapsed());
    h.run_steps(2);
    h.get_by_label(&format!("Datagrams saved as CSV: {}", path.display()));
    h.get_by_label(
        "Could not show the folder: no file manager was found to show it (there is no \
         desktop session bus (D-Bus) to ask a file manager, and xdg-open is not installed \
         (package xdg-utils)). The file is saved; its path is above.",
    );
    // The notice stays (a failure), with its buttons.
    h.get_by_label("Open folder");
}
