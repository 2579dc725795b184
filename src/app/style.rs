//! Colours, frames and cells the panels and views share, and the fonts.

use std::sync::Arc;

/// Height of the incoming list and the history when the panels are stacked
/// (a narrow window), so both panels stay in reach.
const STACKED_LIST_HEIGHT: f32 = 220.0;
/// The smallest height of a list in a panel that stands side by side.
const MIN_LIST_HEIGHT: f32 = 90.0;

/// egui's own fonts lack arrows, ✗, U+FFFD and most scripts; DejaVu Sans
/// fills those gaps as a fallback so received text shows instead of boxes.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "DejaVuSans".into(),
        Arc::new(egui::FontData::from_static(include_bytes!(
            "../../assets/fonts/DejaVuSans.ttf"
        ))),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push("DejaVuSans".into());
    }
    ctx.set_fonts(fonts);
}

/// The card each panel sits in.
pub fn panel_frame(ui: &egui::Ui) -> egui::Frame {
    egui::Frame::group(ui.style())
        .inner_margin(12.0)
        .corner_radius(8.0)
}

/// A fixed-width, left-aligned table cell, so columns line up row to row.
pub fn cell(
    ui: &mut egui::Ui,
    width: f32,
    height: f32,
    widget: impl egui::Widget,
) -> egui::Response {
    ui.allocate_ui_with_layout(
        egui::vec2(width, height),
        egui::Layout::left_to_right(egui::Align::Center),
        |ui| {
            ui.set_min_width(width);
            ui.add(widget)
        },
    )
    .inner
}

/// A panel's own scroll area (both ways: a row wider than a narrow column
/// scrolls rather than being cut off).
pub fn panel_scroll(salt: &str) -> egui::ScrollArea {
    egui::ScrollArea::both()
        .id_salt(salt)
        .auto_shrink([false, false])
}

/// A list that grows with traffic: the rest of the panel's height when the
/// panels stand side by side (`fill`), a fixed height when they are stacked,
/// or the list would take the whole window and push the next panel out of
/// sight.
pub fn list_area_ui<R>(ui: &mut egui::Ui, fill: bool, list: impl FnOnce(&mut egui::Ui) -> R) -> R {
    if fill {
        // At least a few rows, even when the settings above took the
        // panel's height: the panel then scrolls to them.
        let size = egui::vec2(
            ui.available_width(),
            ui.available_height().max(MIN_LIST_HEIGHT),
        );
        ui.allocate_ui(size, list).inner
    } else {
        ui.scope(|ui| {
            ui.set_max_height(STACKED_LIST_HEIGHT);
            list(ui)
        })
        .inner
    }
}

/// A status light (a painted dot: no font has to carry the glyph).
pub fn status_dot(ui: &mut egui::Ui, color: egui::Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 5.0, color);
}

pub fn error_color(ui: &egui::Ui) -> egui::Color32 {
    if ui.visuals().dark_mode {
        egui::Color32::from_rgb(255, 110, 100)
    } else {
        egui::Color32::from_rgb(190, 30, 30)
    }
}

pub fn warn_color(ui: &egui::Ui) -> egui::Color32 {
    if ui.visuals().dark_mode {
        egui::Color32::from_rgb(255, 190, 70)
    } else {
        egui::Color32::from_rgb(170, 95, 0)
    }
}

pub fn accent_color(ui: &egui::Ui) -> egui::Color32 {
    if ui.visuals().dark_mode {
        egui::Color32::from_rgb(100, 170, 255)
    } else {
        egui::Color32::from_rgb(20, 90, 190)
    }
}

pub fn ok_color(ui: &egui::Ui) -> egui::Color32 {
    if ui.visuals().dark_mode {
        egui::Color32::from_rgb(110, 210, 120)
    } else {
        egui::Color32::from_rgb(20, 130, 50)
    }
}

/// A font size for text painted by hand (diagrams, rulers): never smaller
/// than the style's small text, which presentation mode lifts to the body
/// size.
pub fn legible(ui: &egui::Ui, size: f32) -> f32 {
    let small = egui::TextStyle::Small.resolve(ui.style()).size;
    size.max(small)
}

/// "Replaying 14:03:22.1183" (None when live).
pub fn replay_text(lang: crate::app::Lang, at: Option<std::time::SystemTime>) -> Option<String> {
    use crate::app::T;
    let at = at?;
    let time = if at == std::time::SystemTime::UNIX_EPOCH {
        T::TimeBeforeFirst.get(lang).to_owned()
    } else {
        crate::app::format::clock_fine(at)
    };
    Some(crate::app::i18n::fill(
        T::TimeReplaying.get(lang),
        &[("time", &time)],
    ))
}

/// The badge's width beside its text: frame and margins.
pub const BADGE_MARGIN: f32 = 16.0;

/// "Replaying 14:03:22.1183" on a warning-coloured badge, so nobody takes
/// the past for now; nothing when live (`at` None).
/// `small`: in small text, on a row of its own in a narrow panel.
pub fn replay_badge_ui(
    ui: &mut egui::Ui,
    lang: crate::app::Lang,
    at: Option<std::time::SystemTime>,
    small: bool,
) {
    let Some(text) = replay_text(lang, at) else {
        return;
    };
    let color = warn_color(ui);
    egui::Frame::new()
        .stroke(egui::Stroke::new(1.5, color))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(6, 0))
        .show(ui, |ui| {
            let text = egui::RichText::new(text).strong().color(color);
            ui.label(if small { text.small() } else { text });
        });
}

/// The simulator acts on UDP datagrams: with TCP or HTTP chosen a panel
/// says it does not apply (the kernel retransmits what is lost).
pub fn simulator_note_ui(
    ui: &mut egui::Ui,
    lang: crate::app::Lang,
    width: f32,
    protocol: crate::net::Protocol,
) {
    let note = if protocol == crate::net::Protocol::Http {
        crate::app::T::HttpSimulatorNote
    } else {
        crate::app::T::TcpSimulatorNote
    };
    ui.scope(|ui| {
        ui.set_max_width(width);
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
        ui.label(
            egui::RichText::new(note.get(lang))
                .color(warn_color(ui))
                .small(),
        );
    });
}

/// How wide `text` is in `style`, on one line.
pub fn text_width(ui: &egui::Ui, text: &str, style: egui::TextStyle) -> f32 {
    let font = style.resolve(ui.style());
    ui.painter()
        .layout_no_wrap(text.to_owned(), font, egui::Color32::WHITE)
        .size()
        .x
}

/// Room the UDP | TCP | HTTP choice takes on a panel's heading row, as
/// this style draws it (measured: presentation mode's larger text, and
/// another platform's font metrics, need more than a constant allowed).
pub fn protocol_choice_width(ui: &egui::Ui) -> f32 {
    let spacing = ui.spacing();
    crate::net::Protocol::ALL
        .iter()
        .map(|p| {
            text_width(ui, p.name(), egui::TextStyle::Button)
                + 2.0 * spacing.button_padding.x
                + spacing.item_spacing.x
        })
        .sum()
}
