//! The toolbar: title, language and theme.

use super::{Lang, T, UdpLabApp};

pub fn toolbar_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    ui.horizontal(|ui| {
        ui.heading(egui::RichText::new(app.t(T::AppTitle)).strong());
        ui.separator();
        ui.label(app.t(T::Language));
        for lang in Lang::ALL {
            let r = ui.selectable_label(app.lang == lang, lang.native_name());
            if r.clicked() {
                app.lang = lang;
                app.settings.lang = Some(lang);
            }
        }
        ui.separator();
        ui.label(app.t(T::Theme));
        for (theme, key) in [
            (egui::ThemePreference::System, T::ThemeSystem),
            (egui::ThemePreference::Light, T::ThemeLight),
            (egui::ThemePreference::Dark, T::ThemeDark),
        ] {
            let r = ui.selectable_label(app.settings.theme == theme, app.t(key));
            if r.clicked() {
                app.settings.theme = theme;
                ui.ctx().set_theme(theme);
            }
        }
    });
}
