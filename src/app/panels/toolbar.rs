//! The toolbar: title, language, theme, presentation mode, "This computer",
//! screenshot and exports; and the notice that says where a file went.
//! Slow work (encoding a PNG, writing a file, listing interfaces) runs on
//! worker threads that report back as [`Job`]s.

use crate::app::i18n::fill;
use crate::app::tools::{jobs, screenshot, this_computer};
use crate::app::{Command, Lang, T, UdpLabApp};
use crate::lab::export::ExportKind;

/// The toolbar panel, the notice and the "This computer" box; call first in
/// `ui`, before the other panels.
pub fn toolbar_panel_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let ctx = ui.ctx().clone();
    if ctx.input_mut(|i| i.consume_shortcut(&screenshot::SHORTCUT)) {
        app.act(Command::TakeScreenshot);
    }
    screenshot::check_timeout(&ctx, &mut app.tools);
    let capturing = app.tools.screenshot.capturing();
    if !(capturing && app.settings.tools.screenshot_hide_toolbar) {
        egui::Panel::top("toolbar").show(ui, |ui| toolbar_ui(ui, app));
    }
    if !capturing {
        jobs::notice_ui(&ctx, app);
    }
    this_computer::show_window(&ctx, app);
}

/// Below this width the tools go into a menu, so the toolbar stays one row
/// and the panels keep their room.
const COMPACT_BELOW: f32 = 640.0;

/// Below this height (in points) too: a projector at presentation mode's
/// zoom (1024×768 is 512 points high) needs every row for the panels.
const COMPACT_BELOW_HEIGHT: f32 = 600.0;

fn toolbar_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let compact = ui.available_width() < COMPACT_BELOW
        || ui.ctx().content_rect().height() < COMPACT_BELOW_HEIGHT;
    ui.horizontal_wrapped(|ui| {
        ui.heading(egui::RichText::new(app.t(T::AppTitle)).strong());
        ui.separator();
        // Each language in its own name: no label needed to find yours.
        for lang in Lang::ALL {
            let r = ui
                .selectable_label(app.lang == lang, lang.native_name())
                .on_hover_text(app.t(T::Language));
            if r.clicked() {
                app.act(Command::SetLanguage(lang));
            }
        }
        ui.separator();
        if compact {
            ui.menu_button(app.t(T::Tools), |ui| tools_ui(ui, app, true));
        } else {
            tools_ui(ui, app, false);
        }
    });
}

/// Theme, presentation mode, "This computer", screenshot and exports: in
/// the toolbar's row, or down a menu in a narrow window.
fn tools_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, in_menu: bool) {
    theme_ui(ui, app, in_menu);
    ui.separator();
    let mut presenting = app.settings.tools.presentation;
    let r = ui
        .checkbox(&mut presenting, app.t(T::Presentation))
        .on_hover_text(app.t(T::PresentationHint));
    if r.clicked() {
        app.act(Command::SetPresentation(presenting));
    }
    ui.separator();
    let open = app.tools.this_computer.open;
    if ui
        .selectable_label(open, app.t(T::ThisComputer))
        .on_hover_text(app.t(T::ThisComputerHint))
        .clicked()
    {
        app.act(Command::ToggleThisComputer);
        ui.close();
    }
    ui.separator();
    let dir = app.tools.output_dir();
    let shown = dir.display();
    row_ui(ui, in_menu, |ui| {
        if ui
            .button(app.t(T::Screenshot))
            .on_hover_text(fill(app.t(T::ScreenshotHint), &[("dir", &shown)]))
            .clicked()
        {
            app.act(Command::TakeScreenshot);
            // Out of the picture, which is the next frame.
            ui.close();
        }
        let label = app.t(T::ScreenshotNoToolbar);
        ui.checkbox(&mut app.settings.tools.screenshot_hide_toolbar, label)
            .accessible_name(app.t(T::ScreenshotNoToolbarName));
    });
    ui.separator();
    let count = app.session.datagrams.len();
    row_ui(ui, in_menu, |ui| {
        ui.label(app.t(T::Export));
        for (kind, text, name) in [
            (ExportKind::Csv, "CSV", T::ExportCsv),
            (ExportKind::Pcap, "pcap", T::ExportPcap),
        ] {
            let r = ui
                .add_enabled(count > 0, egui::Button::new(text))
                .accessible_name(app.t(name))
                .on_hover_text(fill(
                    app.t(T::ExportHint),
                    &[("count", &count), ("dir", &shown)],
                ))
                .on_disabled_hover_text(app.t(T::ExportNothing));
            if r.clicked() {
                app.act(Command::Export(kind));
                ui.close();
            }
        }
    });
}

/// Items that belong together: one row in the menu; in the toolbar they
/// go straight into its wrapping row (a nested row would be cut off at the
/// window's edge instead of wrapping).
fn row_ui(ui: &mut egui::Ui, in_menu: bool, add: impl FnOnce(&mut egui::Ui)) {
    if in_menu {
        ui.horizontal(add);
    } else {
        add(ui);
    }
}

/// System / light / dark: a drop-down in the toolbar; in the menu, where a
/// drop-down would open a popup on a popup, three choices in a row.
fn theme_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, in_menu: bool) {
    let themes = [
        (egui::ThemePreference::System, T::ThemeSystem),
        (egui::ThemePreference::Light, T::ThemeLight),
        (egui::ThemePreference::Dark, T::ThemeDark),
    ];
    let mut picked = None;
    row_ui(ui, in_menu, |ui| {
        let label = ui.label(app.t(T::Theme));
        if in_menu {
            for (theme, key) in themes {
                if ui
                    .selectable_label(app.settings.theme == theme, app.t(key))
                    .clicked()
                {
                    picked = Some(theme);
                }
            }
            return;
        }
        let current = themes
            .iter()
            .find(|(theme, _)| *theme == app.settings.theme)
            .map_or(T::ThemeSystem, |(_, key)| *key);
        egui::ComboBox::from_id_salt("udp-lab-theme")
            .width(ui.spacing().combo_width * 0.8)
            .selected_text(app.t(current))
            .show_ui(ui, |ui| {
                for (theme, key) in themes {
                    let r = ui.selectable_label(app.settings.theme == theme, app.t(key));
                    if r.clicked() {
                        picked = Some(theme);
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
    if let Some(theme) = picked {
        app.act(Command::SetTheme(theme));
    }
}

#[cfg(test)]
mod tests {
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
        let entry = include_str!("../../../assets/io.github.udplab.UdpLab.desktop");
        let value = |key: &str| {
            entry
                .lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .unwrap_or_default()
        };
        assert_eq!(crate::app::APP_ID, "io.github.udplab.UdpLab");
        assert_eq!(value("StartupWMClass"), crate::app::APP_ID);
        assert_eq!(value("Icon"), crate::app::APP_ID);
        assert_eq!(value("Exec"), "udp-lab");
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
}
