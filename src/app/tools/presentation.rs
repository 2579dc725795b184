//! Presentation mode, for a projector at the back of a classroom: everything
//! larger (zoom), thicker lines, and a high-contrast light theme. Ctrl +,
//! Ctrl − and Ctrl 0 zoom in any mode (egui's own shortcuts).

use std::sync::Arc;

use egui::{Color32, Stroke, Theme, ThemePreference};

use crate::app::UdpLabApp;

/// The zoom presentation mode starts at.
pub const ZOOM: f32 = 1.5;
/// How much thicker diagram lines are in presentation mode.
pub const STROKE_SCALE: f32 = 2.0;

/// Runtime only: the styles to go back to when presentation mode ends.
#[derive(Default)]
pub struct PresentationState {
    saved_styles: Option<(Arc<egui::Style>, Arc<egui::Style>)>,
}

impl UdpLabApp {
    /// Multiply line widths in drawings by this: 2 in presentation mode,
    /// so a diagram stays readable on a projector.
    pub fn stroke_scale(&self) -> f32 {
        if self.settings.tools.presentation {
            STROKE_SCALE
        } else {
            1.0
        }
    }
}

/// Ctrl+0 goes back to presentation mode's zoom while presenting, not to
/// 1.0× (egui's own reset, which runs at the end of the frame, finds the
/// shortcut taken).
pub fn keys(ctx: &egui::Context, app: &UdpLabApp) {
    if app.settings.tools.presentation
        && ctx.input_mut(|i| i.consume_shortcut(&egui::gui_zoom::kb_shortcuts::ZOOM_RESET))
    {
        ctx.set_zoom_factor(ZOOM);
    }
}

/// At start: keyboard zoom on, and presentation mode as it was saved.
pub fn apply_at_start(ctx: &egui::Context, on: bool, state: &mut PresentationState) {
    ctx.options_mut(|o| o.zoom_with_keyboard = true);
    if on {
        enter_styles(ctx, state);
        // eframe restores the zoom the user left it at; only a fresh start
        // (or a lost memory file) needs the presentation zoom set again.
        if (ctx.zoom_factor() - 1.0).abs() < f32::EPSILON {
            ctx.set_zoom_factor(ZOOM);
        }
    }
}

/// Turns presentation mode on or off. On: the theme becomes light (the one
/// that reads best on a projector), remembering the user's choice; off:
/// that choice comes back unless the user picked another theme meanwhile.
pub fn set(ctx: &egui::Context, app: &mut UdpLabApp, on: bool) {
    let tools = &mut app.settings.tools;
    if tools.presentation == on {
        return;
    }
    tools.presentation = on;
    if on {
        tools.theme_before_presentation = Some(app.settings.theme);
        app.settings.theme = ThemePreference::Light;
        enter_styles(ctx, &mut app.tools.presentation);
        ctx.set_zoom_factor(ZOOM);
    } else {
        if let Some(theme) = tools.theme_before_presentation.take() {
            app.settings.theme = theme;
        }
        if let Some((light, dark)) = app.tools.presentation.saved_styles.take() {
            ctx.set_style_of(Theme::Light, light);
            ctx.set_style_of(Theme::Dark, dark);
        }
        ctx.set_zoom_factor(1.0);
    }
    ctx.set_theme(app.settings.theme);
}

fn enter_styles(ctx: &egui::Context, state: &mut PresentationState) {
    if state.saved_styles.is_none() {
        state.saved_styles = Some((ctx.style_of(Theme::Light), ctx.style_of(Theme::Dark)));
    }
    ctx.style_mut_of(Theme::Light, high_contrast);
    ctx.style_mut_of(Theme::Dark, high_contrast);
}

/// Pure background, pure text colour, framed widgets and thicker strokes:
/// a projector washes out greys and hairlines.
pub fn high_contrast(style: &mut egui::Style) {
    // Small text vanishes on a projector: nothing smaller than the body.
    let body = style
        .text_styles
        .get(&egui::TextStyle::Body)
        .map_or(13.0, |f| f.size);
    if let Some(small) = style.text_styles.get_mut(&egui::TextStyle::Small) {
        small.size = small.size.max(body);
    }
    let v = &mut style.visuals;
    let gray = Color32::from_gray;
    let (bg, fg, faint, weak, button, hover, accent) = if v.dark_mode {
        (
            Color32::BLACK,
            Color32::WHITE,
            gray(28),
            gray(210),
            gray(45),
            gray(70),
            Color32::from_rgb(120, 190, 255),
        )
    } else {
        (
            Color32::WHITE,
            Color32::BLACK,
            gray(238),
            gray(55),
            gray(225),
            gray(200),
            Color32::from_rgb(0, 70, 200),
        )
    };
    v.panel_fill = bg;
    v.window_fill = bg;
    v.extreme_bg_color = bg;
    v.faint_bg_color = faint;
    v.code_bg_color = faint;
    v.weak_text_color = Some(weak);
    v.hyperlink_color = accent;
    v.window_stroke = Stroke::new(2.0, fg);
    v.selection.bg_fill = accent;
    v.selection.stroke = Stroke::new(2.0, bg);
    let w = &mut v.widgets;
    w.noninteractive.fg_stroke = Stroke::new(1.5, fg);
    w.noninteractive.bg_stroke = Stroke::new(1.5, weak);
    for (state, fill) in [
        (&mut w.inactive, button),
        (&mut w.hovered, hover),
        (&mut w.active, hover),
        (&mut w.open, hover),
    ] {
        state.bg_fill = fill;
        state.weak_bg_fill = fill;
        state.fg_stroke = Stroke::new(2.0, fg);
        state.bg_stroke = Stroke::new(1.5, fg);
    }
    w.hovered.bg_stroke = Stroke::new(2.5, accent);
}

#[cfg(test)]
mod tests;
