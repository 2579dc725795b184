use egui_kittest::kittest::Queryable;

use super::*;
use crate::app::test_util::{harness, harness_with};
use crate::app::{Lang, Settings};

fn zoom(h: &egui_kittest::Harness<'_, UdpLabApp>) -> f32 {
    h.ctx.zoom_factor()
}

/// Clicks "Presentation mode" in the toolbar, or in its Tools menu when
/// the zoomed window is short enough to fold the toolbar.
fn toggle(h: &mut egui_kittest::Harness<'_, UdpLabApp>) {
    if h.query_by_label("Presentation mode").is_none() {
        h.get_by_label("Tools").click();
        h.run_steps(2);
    }
    h.get_by_label("Presentation mode").click();
    h.run_steps(3);
}

#[test]
fn presentation_mode_zooms_thickens_and_goes_back() {
    let mut h = harness();
    h.run_steps(2);
    assert_eq!(zoom(&h), 1.0);
    assert_eq!(h.state().stroke_scale(), 1.0);
    let normal_panel = h.ctx.style_of(Theme::Light).visuals.panel_fill;

    toggle(&mut h);
    assert!((zoom(&h) - ZOOM).abs() < 1e-4, "zoom {}", zoom(&h));
    let app = h.state();
    assert!(app.settings.tools.presentation);
    assert_eq!(app.stroke_scale(), STROKE_SCALE);
    assert_eq!(app.settings.theme, ThemePreference::Light);
    assert_eq!(h.ctx.theme(), Theme::Light);
    let light = h.ctx.style_of(Theme::Light);
    assert_eq!(light.visuals.panel_fill, Color32::WHITE);
    assert_eq!(
        light.visuals.widgets.inactive.fg_stroke.color,
        Color32::BLACK
    );
    assert!(light.visuals.widgets.inactive.bg_stroke.width >= 1.5);
    // The panels still fit (the narrow layout takes over when zoomed).
    h.get_by_label("Start");
    h.get_by_label("Send");

    // egui's zoom keys work on top.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Plus);
    h.run_steps(2);
    assert!((zoom(&h) - (ZOOM + 0.1)).abs() < 1e-4, "zoom {}", zoom(&h));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Minus);
    h.run_steps(2);
    assert!((zoom(&h) - ZOOM).abs() < 1e-4, "zoom {}", zoom(&h));

    toggle(&mut h);
    assert_eq!(zoom(&h), 1.0);
    assert!(!h.state().settings.tools.presentation);
    assert_eq!(h.state().stroke_scale(), 1.0);
    assert_eq!(h.state().settings.theme, ThemePreference::System);
    assert_eq!(
        h.ctx.style_of(Theme::Light).visuals.panel_fill,
        normal_panel
    );
}

/// Ctrl+0 goes back to presentation mode's own zoom, not to 1.0×.
#[test]
fn ctrl_0_keeps_the_presentation_zoom() {
    let mut h = harness();
    h.run_steps(2);
    toggle(&mut h);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Plus);
    h.run_steps(2);
    assert!((zoom(&h) - (ZOOM + 0.1)).abs() < 1e-4, "zoom {}", zoom(&h));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num0);
    h.run_steps(2);
    assert!((zoom(&h) - ZOOM).abs() < 1e-4, "zoom {}", zoom(&h));
    // Out of presentation mode it is egui's reset, to 1.0×.
    toggle(&mut h);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Plus);
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num0);
    h.run_steps(2);
    assert_eq!(zoom(&h), 1.0);
}

/// On a projector nothing is smaller than the body text: small text
/// (chart captions, "… older rows not kept") and hand-painted labels
/// (the diagram's clock, the ruler) are lifted to it, in both themes.
#[test]
fn presentation_text_is_never_smaller_than_the_body() {
    let mut h = harness();
    h.run_steps(2);
    toggle(&mut h);
    for theme in [Theme::Light, Theme::Dark] {
        let style = h.ctx.style_of(theme);
        let size = |s: egui::TextStyle| s.resolve(&style).size;
        let body = size(egui::TextStyle::Body);
        for text in [
            egui::TextStyle::Small,
            egui::TextStyle::Body,
            egui::TextStyle::Button,
            egui::TextStyle::Monospace,
        ] {
            assert!(size(text.clone()) >= body, "{theme:?} {text:?}");
        }
    }
    // What `legible` gives the diagram's 11-point labels.
    let mut sizes = Vec::new();
    let _ = h.ctx.run_ui(Default::default(), |ui| {
        sizes.push(crate::app::style::legible(ui, 11.0));
        sizes.push(egui::TextStyle::Body.resolve(ui.style()).size);
    });
    assert!(sizes[0] >= sizes[1], "{sizes:?}");
}

#[test]
fn a_theme_picked_while_presenting_is_kept() {
    let mut h = harness();
    h.run_steps(2);
    toggle(&mut h);
    // The zoomed 1100×700 window folds the tools into their menu,
    // where the theme is three choices in a row.
    h.get_by_label("Tools").click();
    h.run_steps(2);
    h.get_by_label("Dark").click();
    h.run_steps(2);
    assert_eq!(h.ctx.theme(), Theme::Dark);
    // High contrast in the dark theme too.
    assert_eq!(
        h.ctx.style_of(Theme::Dark).visuals.panel_fill,
        Color32::BLACK
    );
    toggle(&mut h);
    assert_eq!(h.state().settings.theme, ThemePreference::Dark);
}

#[test]
fn saved_presentation_mode_comes_back_at_start() {
    let mut settings = Settings {
        lang: Some(Lang::En),
        ..Settings::default()
    };
    settings.tools.presentation = true;
    let mut h = harness_with(settings);
    h.run_steps(3);
    assert!((zoom(&h) - ZOOM).abs() < 1e-4);
    assert_eq!(
        h.ctx.style_of(Theme::Light).visuals.panel_fill,
        Color32::WHITE
    );
    assert_eq!(h.state().stroke_scale(), STROKE_SCALE);
    assert!(h.ctx.options(|o| o.zoom_with_keyboard));
}
