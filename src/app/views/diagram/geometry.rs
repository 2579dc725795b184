//! The diagram's measures: lifeline boxes, distances, the scale's label.

use egui::Pos2;

use super::{DiagramModel, TITLE_FONT};
use crate::app::i18n::{Lang, T};

/// The room left and right of the lanes (the time column on the left).
pub(super) const LANE_MARGIN: f32 = 90.0;
/// The least gap between two lifeline boxes.
pub(super) const LANE_GAP: f32 = 8.0;

/// A lifeline box's width: its widest address or title, and a margin.
pub(super) fn lane_box_width(
    ui: &egui::Ui,
    model: &DiagramModel,
    font: &egui::FontId,
    lang: Lang,
) -> f32 {
    let width = |text: String, font: egui::FontId| {
        ui.painter()
            .layout_no_wrap(text, font, egui::Color32::WHITE)
            .size()
            .x
    };
    let titles = [T::Client, T::Server].map(|k| width(k.get(lang).to_owned(), TITLE_FONT));
    model
        .lanes
        .iter()
        .map(|l| width(l.addr.to_string(), font.clone()))
        .chain(titles)
        .fold(0.0, f32::max)
        + 16.0
}

pub(super) fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let len2 = ab.length_sq();
    if len2 == 0.0 {
        return p.distance(a);
    }
    let t = ((p - a).dot(ab) / len2).clamp(0.0, 1.0);
    p.distance(a + ab * t)
}

/// The scale's milliseconds with the language's decimal mark ("0,50" in
/// Russian).
pub(super) fn format_ms(ms: f32, lang: Lang) -> String {
    let text = if ms >= 1.0 {
        format!("{ms:.0}")
    } else {
        format!("{ms:.2}")
    };
    crate::app::format::decimal_point(text, lang)
}
