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
    screenshot::check_timeout(&ctx, app);
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
        // Issue 26: Save, Open…, Recent (app/lesson/ui.rs).
        crate::app::lesson::ui::file_menu_ui(ui, app);
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
    // Few words in the row (the toolbar stays one row); the whole name for
    // screen readers and the tooltip.
    if ui
        .selectable_label(app.scripts.open, app.t(T::ScriptRunShort))
        .accessible_name(app.t(T::ScriptRun))
        .on_hover_text(app.t(T::ScriptRun))
        .clicked()
    {
        app.act(Command::ToggleScripts);
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
        if in_menu {
            ui.label(app.t(T::Theme));
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
            // In the row, the list names itself ("System", "Light"): the
            // word stays for screen readers and the tooltip, so the
            // toolbar keeps to one row at the default window size.
            .accessible_name(app.t(T::Theme))
            .on_hover_text(app.t(T::Theme));
    });
    if let Some(theme) = picked {
        app.act(Command::SetTheme(theme));
    }
}

#[cfg(test)]
mod tests;
