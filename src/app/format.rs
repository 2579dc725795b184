//! Text for the window: the lab's payload and time text, plus the number
//! field that speaks the UI language, and the payload encoding picker.

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

/// Issue 15: a labelled drop-down of the payload encodings (the client's
/// and the server's); true when the choice changed.
pub fn encoding_picker_ui(
    ui: &mut egui::Ui,
    id: &str,
    encoding: &mut crate::lab::text::Encoding,
    lang: crate::lab::i18n::Lang,
    with_label: bool,
) -> bool {
    let name = crate::lab::i18n::T::EncodingLabel.get(lang);
    let label = with_label.then(|| ui.label(name));
    let before = *encoding;
    let response = egui::ComboBox::from_id_salt(id)
        .selected_text(encoding.name())
        .show_ui(ui, |ui| {
            for choice in crate::lab::text::Encoding::ALL {
                ui.selectable_value(encoding, choice, choice.name());
            }
        })
        .response;
    // Without its label (a narrow column) the name is still there for
    // screen readers.
    let response = match label {
        Some(label) => response.labelled_by(label.id),
        None => response.accessible_name(name),
    };
    response.on_hover_text(crate::lab::i18n::T::EncodingHint.get(lang));
    *encoding != before
}

/// Issue 27: the panel's protocol as two toggles, UDP | TCP (the names are
/// the protocols', the same in every language); the one clicked, if any.
pub fn protocol_choice_ui(
    ui: &mut egui::Ui,
    current: crate::net::Protocol,
    lang: Lang,
    enabled: bool,
) -> Option<crate::net::Protocol> {
    let hint = crate::lab::i18n::T::ProtocolHint.get(lang);
    let mut picked = None;
    ui.add_enabled_ui(enabled, |ui| {
        for protocol in crate::net::Protocol::ALL {
            let response = ui
                .selectable_label(current == protocol, protocol.name())
                .on_hover_text(hint)
                .on_disabled_hover_text(hint);
            if response.clicked() && current != protocol {
                picked = Some(protocol);
            }
        }
    });
    picked
}
