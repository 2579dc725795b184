//! What the window's tests share: a harness on the real app, waiting for
//! socket events, typing into fields, temporary folders.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::*;

/// The default window (1100×700) with the panels unfolded ("More"), as
/// the panels' own tests need every setting; the layout tests
/// (layout/tests.rs) check the folded form.
pub(crate) fn harness_with(settings: Settings) -> Harness<'static, UdpLabApp> {
    let mut h = Harness::builder()
        .with_size([1100.0, 700.0])
        .build_eframe(move |cc| {
            UdpLabApp::with_settings(&cc.egui_ctx, settings, StartOptions::default())
        });
    h.state_mut().layout.unfolded = true;
    // Clicks go where the last frame drew: draw the unfolded panels first.
    h.run_steps(2);
    h
}

/// English UI, server on an ephemeral loopback port, short timeout.
pub(crate) fn harness() -> Harness<'static, UdpLabApp> {
    harness_with(Settings {
        lang: Some(Lang::En),
        bind: "127.0.0.1:0".into(),
        timeout_secs: 1.0,
        ..Settings::default()
    })
}

/// Steps frames until `done` holds (events arrive from socket threads).
pub(crate) fn wait_for(
    h: &mut Harness<'_, UdpLabApp>,
    what: &str,
    done: impl Fn(&UdpLabApp) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        h.step();
        if done(h.state()) {
            h.step();
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub(crate) fn listening_port(app: &UdpLabApp) -> Option<u16> {
    match app.server.status() {
        ServerStatus::Listening(addr) => Some(addr.port()),
        _ => None,
    }
}

/// Clicks Start and returns the port the server got.
pub(crate) fn start_server(h: &mut Harness<'_, UdpLabApp>) -> u16 {
    h.get_by_label("Start").click();
    wait_for(h, "the server to listen", |app| {
        listening_port(app).is_some()
    });
    let port = listening_port(h.state()).unwrap_or_default();
    h.get_by_label_contains(&format!("Listening on 127.0.0.1 port {port}"));
    port
}

pub(crate) fn set_text(h: &mut Harness<'_, UdpLabApp>, label: &str, text: &str) {
    h.get_by_label(label).set_text_value_accesskit(text);
    h.run_steps(2);
}

/// A fresh folder under the system's temp dir, removed when dropped.
pub(crate) use crate::lab::export::tests::TempDir;

/// A script in tests/fixtures/scripts, by its full path.
pub(crate) fn fixture(name: &str) -> String {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scripts")
        .join(name)
        .display()
        .to_string()
}

/// The line (from 1) of a fixture script holding `text`.
pub(crate) fn line_of(name: &str, text: &str) -> usize {
    let source = std::fs::read_to_string(fixture(name)).unwrap_or_default();
    source.lines().position(|l| l.contains(text)).unwrap_or(0) + 1
}

/// Whether python3 runs here (CI must have it; elsewhere the script tests
/// skip without it).
pub(crate) fn have_python() -> bool {
    let found = std::process::Command::new("python3")
        .args(["-c", "pass"])
        .status()
        .is_ok_and(|s| s.success());
    // The Windows build's tests run under Wine, which cannot start the
    // machine's python3 (a Linux program): those tests skip, saying so.
    if cfg!(windows) && !found {
        println!(
            "SKIPPED {}: python3 does not run under Wine (a Linux program)",
            std::thread::current().name().unwrap_or("this test")
        );
        return false;
    }
    assert!(
        found || std::env::var_os("CI").is_none(),
        "python3 is missing on CI"
    );
    found
}
