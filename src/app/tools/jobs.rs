//! Work that must not block a frame (encoding a PNG, writing an export,
//! listing interfaces, asking the file manager) runs on a worker thread
//! started by [`spawn`] and reports back as a [`Job`]; `logic` polls them
//! ([`poll`]) and the result shows as a notice that says where a file went.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use crate::app::i18n::fill;
use crate::app::style::{error_color, warn_color};
use crate::app::tools::{presentation, screenshot, this_computer};
use crate::app::{Lang, Settings, T, UdpLabApp};
use crate::lab::export::{self, ExportKind};

/// Success notices go away after this (unless the pointer is on them);
/// failures stay until closed.
const NOTICE_LIFETIME: Duration = Duration::from_secs(20);

/// What a saved file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    Screenshot,
    Csv,
    Pcap,
}

/// A result from a worker thread.
pub enum Job {
    Captured(Arc<egui::ColorImage>),
    Saved {
        what: Saved,
        dir: PathBuf,
        result: io::Result<PathBuf>,
        /// The picture, for "Copy image".
        image: Option<Arc<egui::ColorImage>>,
    },
    Addresses(io::Result<Vec<this_computer::Address>>),
    /// "Open folder" ended: the error, in words, when it failed.
    Revealed {
        path: PathBuf,
        result: Result<(), RevealError>,
    },
}

/// Why the file manager could not show a saved file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevealError {
    FileGone,
    /// No program could be started (no file manager, no xdg-open).
    NoFileManager(String),
    Other(String),
}

impl RevealError {
    fn from_opener(e: &opener::OpenError) -> Self {
        match e {
            opener::OpenError::Io(io) if io.kind() == io::ErrorKind::NotFound => Self::FileGone,
            opener::OpenError::Spawn { cmds, source } => {
                Self::NoFileManager(format!("{cmds}: {source}"))
            }
            other => Self::Other(other.to_string()),
        }
    }
}

pub enum NoticeKind {
    Saved {
        what: Saved,
        path: PathBuf,
        image: Option<Arc<egui::ColorImage>>,
        copied: bool,
        /// "Open folder" failed: said under the notice, which stays.
        reveal_failed: Option<RevealError>,
    },
    SaveFailed {
        what: Saved,
        dir: PathBuf,
        kind: io::ErrorKind,
        message: String,
    },
    ScreenshotNotDelivered,
}

impl NoticeKind {
    fn is_failure(&self) -> bool {
        !matches!(self, NoticeKind::Saved { .. })
    }
}

pub struct Notice {
    pub kind: NoticeKind,
    since: Instant,
}

/// What the tools keep while the app runs (not saved).
pub struct ToolsState {
    /// Where screenshots and exports go instead of the Pictures folder (the
    /// tests, or the UDP_LAB_OUTPUT_DIR environment variable).
    pub output_dir: Option<PathBuf>,
    pub screenshot: screenshot::ScreenshotState,
    pub this_computer: this_computer::ThisComputer,
    pub presentation: presentation::PresentationState,
    pub notice: Option<Notice>,
    pub(super) jobs_tx: Sender<Job>,
    jobs_rx: Receiver<Job>,
}

impl ToolsState {
    /// Also applies the saved presentation mode to the context.
    pub fn new(ctx: &egui::Context, settings: &Settings) -> Self {
        let (jobs_tx, jobs_rx) = mpsc::channel();
        let mut tools = Self {
            output_dir: std::env::var_os("UDP_LAB_OUTPUT_DIR")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            screenshot: Default::default(),
            this_computer: Default::default(),
            presentation: Default::default(),
            notice: None,
            jobs_tx,
            jobs_rx,
        };
        presentation::apply_at_start(ctx, settings.tools.presentation, &mut tools.presentation);
        tools
    }

    pub fn show(&mut self, kind: NoticeKind) {
        self.notice = Some(Notice {
            kind,
            since: Instant::now(),
        });
    }

    /// The folder files are saved to.
    pub fn output_dir(&self) -> PathBuf {
        export::output_dir(self.output_dir.as_deref())
    }
}

/// Applies the results the workers sent; `logic` calls it every frame.
pub fn poll(ctx: &egui::Context, app: &mut UdpLabApp) {
    while let Ok(job) = app.tools.jobs_rx.try_recv() {
        match job {
            Job::Captured(image) => screenshot::on_captured(ctx, &mut app.tools, image),
            Job::Saved {
                what,
                dir,
                result,
                image,
            } => app.tools.show(match result {
                Ok(path) => NoticeKind::Saved {
                    what,
                    path,
                    image,
                    copied: false,
                    reveal_failed: None,
                },
                Err(e) => NoticeKind::SaveFailed {
                    what,
                    dir,
                    kind: e.kind(),
                    message: e.to_string(),
                },
            }),
            Job::Addresses(result) => {
                this_computer::on_addresses(&mut app.tools.this_computer, result)
            }
            Job::Revealed { path, result } => {
                if let Some(Notice {
                    kind:
                        NoticeKind::Saved {
                            path: shown,
                            reveal_failed,
                            ..
                        },
                    since,
                }) = &mut app.tools.notice
                    && *shown == path
                {
                    *reveal_failed = result.err();
                    *since = Instant::now();
                }
            }
        }
    }
}

/// Copies the session's datagrams and writes them on a worker thread.
pub fn start_export(ctx: &egui::Context, app: &mut UdpLabApp, kind: ExportKind) {
    let datagrams: Vec<_> = app.session.datagrams.iter().cloned().collect();
    let dir = app.tools.output_dir();
    let what = match kind {
        ExportKind::Csv => Saved::Csv,
        ExportKind::Pcap => Saved::Pcap,
    };
    let tx = app.tools.jobs_tx.clone();
    let repaint = ctx.clone();
    let job_dir = dir.clone();
    let job = move || {
        let result = export::save(kind, &job_dir, &datagrams);
        let _ = tx.send(Job::Saved {
            what,
            dir: job_dir,
            result,
            image: None,
        });
        repaint.request_repaint();
    };
    if let Err(e) = std::thread::Builder::new()
        .name("udp-lab-export".into())
        .spawn(job)
    {
        app.tools.show(NoticeKind::SaveFailed {
            what,
            dir,
            kind: e.kind(),
            message: e.to_string(),
        });
    }
}

/// The notice's text, in the current language.
pub fn notice_text(lang: Lang, kind: &NoticeKind) -> String {
    let t = |k: T| k.get(lang);
    match kind {
        NoticeKind::Saved { what, path, .. } => {
            let key = match what {
                Saved::Screenshot => T::ScreenshotSaved,
                Saved::Csv => T::CsvSaved,
                Saved::Pcap => T::PcapSaved,
            };
            fill(t(key), &[("path", &path.display())])
        }
        NoticeKind::SaveFailed {
            what,
            dir,
            kind,
            message,
        } => {
            let key = match what {
                Saved::Screenshot => T::ScreenshotFailed,
                Saved::Csv => T::CsvFailed,
                Saved::Pcap => T::PcapFailed,
            };
            fill(t(key), &[("reason", &reason(lang, *kind, message, dir))])
        }
        NoticeKind::ScreenshotNotDelivered => t(T::ScreenshotNotDelivered).to_owned(),
    }
}

/// The line under a notice whose "Open folder" failed.
pub fn reveal_failed_text(lang: Lang, path: &Path, error: &RevealError) -> String {
    let t = |k: T| k.get(lang);
    let reason = match error {
        RevealError::FileGone => fill(t(T::ReasonFileGone), &[("path", &path.display())]),
        RevealError::NoFileManager(detail) => {
            fill(t(T::ReasonNoFileManager), &[("detail", detail)])
        }
        RevealError::Other(message) => message.clone(),
    };
    fill(t(T::OpenFolderFailed), &[("reason", &reason)])
}

/// Why a file could not be written, in plain words where the cause is common.
fn reason(lang: Lang, kind: io::ErrorKind, message: &str, dir: &Path) -> String {
    let t = |k: T| k.get(lang);
    let dir = dir.display();
    match kind {
        io::ErrorKind::PermissionDenied => fill(t(T::ReasonNoPermission), &[("dir", &dir)]),
        io::ErrorKind::NotFound => fill(t(T::ReasonNoFolder), &[("dir", &dir)]),
        io::ErrorKind::StorageFull => t(T::ReasonDiskFull).to_owned(),
        io::ErrorKind::ReadOnlyFilesystem => fill(t(T::ReasonReadOnly), &[("dir", &dir)]),
        _ => message.to_owned(),
    }
}

/// The notice in the window's corner, with its buttons.
pub fn notice_ui(ctx: &egui::Context, app: &mut UdpLabApp) {
    let Some(notice) = &app.tools.notice else {
        return;
    };
    let text = notice_text(app.lang, &notice.kind);
    let failure = notice.kind.is_failure();
    let mut close = false;
    let mut reveal = None;
    let mut copy = None;
    let area = egui::Area::new(egui::Id::unique("udp-lab-notice"))
        .order(egui::Order::Foreground)
        .anchor(egui::Align2::RIGHT_BOTTOM, [-16.0, -16.0])
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_max_width(520.0);
                let mut label = egui::RichText::new(&text);
                if failure {
                    label = label.color(error_color(ui));
                }
                ui.add(egui::Label::new(label).wrap());
                if let NoticeKind::Saved {
                    path,
                    reveal_failed: Some(error),
                    ..
                } = &notice.kind
                {
                    let why = reveal_failed_text(app.lang, path, error);
                    ui.add(egui::Label::new(egui::RichText::new(why).color(warn_color(ui))).wrap());
                }
                ui.horizontal(|ui| {
                    if let NoticeKind::Saved {
                        path,
                        image,
                        copied,
                        ..
                    } = &notice.kind
                    {
                        if ui.button(app.t(T::OpenFolder)).clicked() {
                            reveal = Some(path.clone());
                        }
                        if let Some(image) = image {
                            if ui.button(app.t(T::CopyImage)).clicked() {
                                copy = Some(Arc::clone(image));
                            }
                            if *copied {
                                ui.label(app.t(T::ImageCopied));
                            }
                        }
                    }
                    if ui.button(app.t(T::Close)).clicked() {
                        close = true;
                    }
                });
            });
        });
    let hovered = area.response.contains_pointer();
    if !failure && !hovered {
        let left = NOTICE_LIFETIME.saturating_sub(notice.since.elapsed());
        if left.is_zero() {
            close = true;
        } else {
            ctx.request_repaint_after(left);
        }
    }
    if let Some(image) = copy {
        ctx.copy_image((*image).clone());
        if let Some(Notice {
            kind: NoticeKind::Saved { copied, .. },
            since,
        }) = &mut app.tools.notice
        {
            *copied = true;
            *since = Instant::now();
        }
    }
    if let Some(path) = reveal {
        start_reveal(ctx, &mut app.tools, path);
    }
    if close {
        app.tools.notice = None;
    }
}

/// Shows the saved file, selected, in the system's file manager. On a
/// worker: asking the desktop over D-Bus can take a moment.
pub fn start_reveal(ctx: &egui::Context, tools: &mut ToolsState, path: PathBuf) {
    let tx = tools.jobs_tx.clone();
    let repaint = ctx.clone();
    let job_path = path.clone();
    let job = move || {
        let result = opener::reveal(&job_path).map_err(|e| RevealError::from_opener(&e));
        let _ = tx.send(Job::Revealed {
            path: job_path,
            result,
        });
        repaint.request_repaint();
    };
    if let Err(e) = std::thread::Builder::new()
        .name("udp-lab-open-folder".into())
        .spawn(job)
    {
        let _ = tools.jobs_tx.send(Job::Revealed {
            path,
            result: Err(RevealError::Other(e.to_string())),
        });
    }
}

#[cfg(test)]
mod tests {
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
        let parsed = chrono::NaiveDateTime::parse_from_str(&rows[1][0], "%Y-%m-%d %H:%M:%S%.f")
            .expect("time");
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
}
