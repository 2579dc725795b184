use egui_kittest::kittest::{NodeT, Queryable};

use super::*;
use crate::app::test_util::harness;

const EN: [&str; 8] = [
    "Theme",
    "Presentation mode",
    "This computer",
    "Screenshot",
    "Screenshot without toolbar",
    "Export CSV",
    "Export pcap",
    "Start",
];
const RU: [&str; 8] = [
    "Тема",
    "Презентация",
    "Этот компьютер",
    "Снимок экрана",
    "Снимок экрана без панели инструментов",
    "Экспорт CSV",
    "Экспорт pcap",
    "Запустить",
];

#[test]
fn switching_language_changes_the_labels() {
    let mut h = harness();
    h.run_steps(2);
    for label in EN {
        h.get_by_label(label);
    }
    h.get_by_label("Русский").click();
    h.run_steps(2);
    for label in RU {
        h.get_by_label(label);
    }
    for label in EN {
        assert!(
            h.query_by_label(label).is_none(),
            "{label} still in English"
        );
    }
    assert_eq!(h.state().settings.lang, Some(Lang::Ru));
    h.get_by_label("English").click();
    h.run_steps(2);
    for label in EN {
        h.get_by_label(label);
    }
}

#[test]
fn a_narrow_window_keeps_the_tools_in_a_menu() {
    let mut h = egui_kittest::Harness::builder()
        .with_size([500.0, 700.0])
        .build_eframe(|cc| {
            UdpLabApp::with_settings(
                &cc.egui_ctx,
                crate::app::Settings {
                    lang: Some(Lang::En),
                    bind: "127.0.0.1:0".into(),
                    ..Default::default()
                },
                crate::app::StartOptions::default(),
            )
        });
    h.run_steps(2);
    assert!(h.query_by_label("Screenshot").is_none());
    h.get_by_label("Tools").click();
    h.run_steps(2);
    h.get_by_label("Presentation mode");
    h.get_by_label("Dark").click();
    h.run_steps(2);
    assert_eq!(h.state().settings.theme, egui::ThemePreference::Dark);
    h.get_by_label("Tools").click();
    h.run_steps(2);
    h.get_by_label("Screenshot").click();
    h.run_steps(2);
    assert!(h.state().tools.screenshot.capturing());
    // The menu closed, so it is not in the picture.
    assert!(h.query_by_label("Presentation mode").is_none());
}

/// The desktop entry, the window's app id and the icon name must agree,
/// or the desktop shows a generic icon and groups the window apart.
#[test]
fn desktop_entry_uses_the_app_id() {
    let entry = include_str!("../../../../assets/io.github.udplab.UdpLab.desktop");
    let value = |key: &str| {
        entry
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .unwrap_or_default()
    };
    assert_eq!(crate::app::APP_ID, "io.github.udplab.UdpLab");
    assert_eq!(value("StartupWMClass"), crate::app::APP_ID);
    assert_eq!(value("Icon"), crate::app::APP_ID);
    // Issue 26: a capture double-clicked in the file manager opens in it.
    assert_eq!(value("Exec"), "udp-lab %f");
    assert_eq!(
        value("MimeType"),
        "application/vnd.tcpdump.pcap;application/x-pcapng;"
    );
    let icons = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/icons");
    for size in [16, 24, 32, 48, 64, 128, 256, 512] {
        let png = image::open(icons.join(format!("{size}x{size}.png"))).expect("icon");
        assert_eq!((png.width(), png.height()), (size, size));
    }
}

#[test]
fn exports_wait_for_datagrams() {
    let mut h = harness();
    h.run_steps(2);
    // Nothing to save yet: the buttons are there but disabled.
    assert!(h.get_by_label("Export CSV").accesskit_node().is_disabled());
    assert!(h.get_by_label("Export pcap").accesskit_node().is_disabled());
}
