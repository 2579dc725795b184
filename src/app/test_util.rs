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

/// A text the last frame painted: what it says, where, the rect it was
/// clipped to, and each section's colour as drawn and font size.
pub(crate) struct PaintedText {
    pub text: String,
    pub rect: egui::Rect,
    pub clip: egui::Rect,
    /// Rotated (a plot's axis name): its rect is not where it shows.
    pub rotated: bool,
    pub sections: Vec<(egui::Color32, f32)>,
}

/// Every text shape of the last frame's output, as the renderer gets it.
pub(crate) fn painted_texts(h: &Harness<'_, UdpLabApp>) -> Vec<PaintedText> {
    fn walk(shape: &egui::Shape, clip: egui::Rect, out: &mut Vec<PaintedText>) {
        match shape {
            egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, clip, out)),
            egui::Shape::Text(t) => {
                let sections = t
                    .galley
                    .job
                    .sections
                    .iter()
                    .map(|s| {
                        let mut color = s.format.color;
                        if color == egui::Color32::PLACEHOLDER {
                            color = t.fallback_color;
                        }
                        if let Some(c) = t.override_text_color {
                            color = c;
                        }
                        (
                            color.gamma_multiply(t.opacity_factor),
                            s.format.font_id.size,
                        )
                    })
                    .collect();
                out.push(PaintedText {
                    text: t.galley.text().to_owned(),
                    rect: t.galley.rect.translate(t.pos.to_vec2()),
                    clip,
                    rotated: t.angle != 0.0,
                    sections,
                });
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for clipped in &h.output().shapes {
        walk(&clipped.shape, clipped.clip_rect, &mut out);
    }
    out
}

/// How far `color` (premultiplied, over `bg`) stands out from `bg`: the
/// WCAG contrast ratio, 1 (invisible) to 21 (black on white).
pub(crate) fn contrast(color: egui::Color32, bg: egui::Color32) -> f32 {
    let blend = |c: u8, b: u8| {
        (f32::from(c) + f32::from(b) * (1.0 - f32::from(color.a()) / 255.0)).min(255.0) / 255.0
    };
    let lin = |v: f32| {
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = |r: f32, g: f32, b: f32| 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    let fg = luminance(
        blend(color.r(), bg.r()),
        blend(color.g(), bg.g()),
        blend(color.b(), bg.b()),
    );
    let bg = luminance(
        f32::from(bg.r()) / 255.0,
        f32::from(bg.g()) / 255.0,
        f32::from(bg.b()) / 255.0,
    );
    (fg.max(bg) + 0.05) / (fg.min(bg) + 0.05)
}
