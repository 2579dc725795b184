//! Text for the window: the lab's payload and time text, plus the number
//! field that speaks the UI language.

pub use crate::lab::text::*;

use crate::lab::i18n::Lang;

/// A fractional number field in the UI language: "2,00" in Russian, and
/// "2,5" or "2.5" both accepted as typed in either language (egui's own
/// parser takes only the dot, and would silently keep the old value).
pub fn decimal_drag(value: &mut f64, lang: Lang, decimals: usize) -> egui::DragValue<'_> {
    egui::DragValue::new(value)
        .custom_formatter(move |v, _| decimal_point(format!("{v:.decimals$}"), lang))
        .custom_parser(parse_decimal)
}
