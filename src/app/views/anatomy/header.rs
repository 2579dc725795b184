//! The RFC 768 header drawn as the classic 32-bit-wide diagram.

use super::*;

/// The 32-bit-wide diagram and what each field means.
pub(super) fn header_ui(ui: &mut egui::Ui, info: &HeaderInfo, width: f32, lang: Lang) {
    let t = |k: T| k.get(lang);
    ui.label(RichText::new(t(T::AnatomyHeaderTitle)).strong().size(16.0));
    ui.add_space(4.0);
    header_diagram_ui(ui, info, width, lang);
    ui.add_space(6.0);

    let weak_small = |s: String| RichText::new(s).weak().size(13.0);
    match info.payload_len {
        Some(n) => {
            let total = n + HEADER_LEN;
            ui.label(fill(
                t(T::AnatomyLengthExplain),
                &[("payload", &n), ("total", &total)],
            ));
        }
        None => {
            let read = info.read.unwrap_or_default();
            ui.label(fill(t(T::AnatomyLengthUnknown), &[("read", &read)]));
        }
    }
    let bad = crate::app::style::error_color(ui);
    match &info.checksum {
        Checksum::Known {
            pseudo, assumed, ..
        } => {
            let (src, dst) = match pseudo {
                PseudoHeader::V4 { src, dst } => (IpAddr::from(*src), IpAddr::from(*dst)),
                PseudoHeader::V6 { src, dst } => (IpAddr::from(*src), IpAddr::from(*dst)),
            };
            let len = info.length().map_or("?".to_owned(), |l| l.to_string());
            ui.label(fill(
                t(T::AnatomyChecksumExplain),
                &[("src", &src), ("dst", &dst), ("len", &len)],
            ));
            if let Some((any, used)) = assumed {
                ui.label(
                    RichText::new(fill(
                        t(T::AnatomyChecksumAssumed),
                        &[("any", any), ("ip", used)],
                    ))
                    .color(crate::app::style::warn_color(ui)),
                );
            }
        }
        Checksum::PayloadIncomplete => {
            ui.label(RichText::new(t(T::AnatomyChecksumIncomplete)).color(bad));
        }
        Checksum::NeedsAddress { any } => {
            ui.label(
                RichText::new(fill(t(T::AnatomyChecksumNeedsAddress), &[("any", any)]))
                    .color(crate::app::style::warn_color(ui)),
            );
        }
        Checksum::Impossible(HeaderError::MixedFamilies) => {
            ui.label(RichText::new(t(T::AnatomyChecksumMixed)).color(bad));
        }
        Checksum::Impossible(HeaderError::TooLong { .. }) => {
            ui.label(RichText::new(t(T::ErrTooLongDatagram)).color(bad));
        }
    }
    if let Some(h) = info.header() {
        ui.label(
            RichText::new(fill(
                t(T::AnatomyHeaderBytes),
                &[("hex", &format::hex(&h.to_bytes(), HEADER_LEN))],
            ))
            .monospace()
            .size(15.0),
        );
        ui.label(weak_small(t(T::AnatomyChecksumOffload).to_owned()));
    }
}

/// Bit ruler 0…31, two rows of two 16-bit fields, then the data.
pub(super) fn header_diagram_ui(ui: &mut egui::Ui, info: &HeaderInfo, width: f32, lang: Lang) {
    let t = |k: T| k.get(lang);
    let bit = (width / 32.0).floor().clamp(9.0, 20.0);
    let w = bit * 32.0;
    let (ruler_h, row_h, data_h) = (22.0, 66.0, 34.0);
    let (rect, _) = ui.allocate_exact_size(vec2(w, ruler_h + 2.0 * row_h + data_h), Sense::hover());
    let painter = ui.painter_at(rect.expand(2.0));
    let visuals = ui.visuals();
    let weak = visuals.weak_text_color();
    let strong = visuals.strong_text_color();

    let ruler_font = FontId::monospace(crate::app::style::legible(
        ui,
        if bit >= 16.0 { 11.0 } else { 8.5 },
    ));
    let label_all = ruler_font.size * 1.3 <= bit;
    for b in 0..32 {
        let x = rect.left() + b as f32 * bit;
        let edge = b % 8 == 0 || b % 8 == 7;
        // Two digits wider than a bit (presentation mode's larger font):
        // number the byte starts and the last bit only, rather than overlap.
        if label_all || b % 8 == 0 || b == 31 {
            painter.text(
                pos2(x + bit / 2.0, rect.top() + ruler_h - 6.0),
                Align2::CENTER_BOTTOM,
                b.to_string(),
                ruler_font.clone(),
                if edge { strong } else { weak },
            );
        }
        let tick = if b % 8 == 0 { 6.0 } else { 3.0 };
        painter.vline(
            x,
            (rect.top() + ruler_h - tick)..=(rect.top() + ruler_h),
            Stroke::new(1.0, weak),
        );
    }

    let unknown = t(T::AnatomyUnknown);
    let length = info.length();
    let checksum = match info.checksum {
        Checksum::Known { value, .. } => Some(value),
        _ => None,
    };
    let fields: [(T, Option<u16>, Color32, String); 4] = [
        (
            T::AnatomySrcPort,
            Some(info.src_port),
            crate::app::style::warn_color(ui),
            t(T::AnatomySrcPortHelp).to_owned(),
        ),
        (
            T::AnatomyDstPort,
            Some(info.dst_port),
            crate::app::style::accent_color(ui),
            t(T::AnatomyDstPortHelp).to_owned(),
        ),
        (
            T::AnatomyLength,
            length,
            crate::app::style::ok_color(ui),
            match info.payload_len {
                Some(n) => fill(
                    t(T::AnatomyLengthExplain),
                    &[("payload", &n), ("total", &(n + HEADER_LEN))],
                ),
                None => fill(
                    t(T::AnatomyLengthUnknown),
                    &[("read", &info.read.unwrap_or_default())],
                ),
            },
        ),
        (
            T::AnatomyChecksum,
            checksum,
            if checksum.is_some() {
                checksum_color(ui)
            } else {
                crate::app::style::error_color(ui)
            },
            t(T::AnatomyChecksumOffload).to_owned(),
        ),
    ];
    let top = rect.top() + ruler_h;
    for (i, (name, value, color, help)) in fields.into_iter().enumerate() {
        let (col, row) = ((i % 2) as f32, (i / 2) as f32);
        let field = Rect::from_min_size(
            pos2(rect.left() + col * 16.0 * bit, top + row * row_h),
            vec2(16.0 * bit, row_h),
        );
        painter.rect(
            field,
            0.0,
            color.gamma_multiply(0.14),
            Stroke::new(2.0, color),
            StrokeKind::Middle,
        );
        let name = t(name);
        painter.text(
            field.center_top() + vec2(0.0, 6.0),
            Align2::CENTER_TOP,
            name,
            FontId::proportional(14.0),
            color,
        );
        let value_text = value.map_or_else(|| unknown.to_owned(), dec_hex);
        // Shrink the value to fit its box on narrow windows.
        let chars = value_text.chars().count().max(1) as f32;
        let size = ((field.width() - 12.0) / (0.62 * chars)).clamp(10.0, VALUE_FONT);
        painter.text(
            field.center() + vec2(0.0, 10.0),
            Align2::CENTER_CENTER,
            &value_text,
            FontId::monospace(size),
            if value.is_some() { strong } else { color },
        );
        let label = fill(
            t(T::AnatomyField),
            &[("name", &name), ("value", &value_text)],
        );
        ui.interact(
            field,
            ui.make_persistent_id(("anatomy-field", i)),
            Sense::hover(),
        )
        .on_hover_text(help)
        .widget_info(|| egui::WidgetInfo::labeled(Role::Label, true, &label));
    }

    // The data follows the header; the dashed edge says "and so on".
    let data = Rect::from_min_size(pos2(rect.left(), top + 2.0 * row_h), vec2(w, data_h));
    let edge = Stroke::new(2.0, weak);
    painter.vline(data.left(), data.y_range(), edge);
    painter.vline(data.right(), data.y_range(), edge);
    painter.add(egui::Shape::dashed_line(
        &[data.left_bottom(), data.right_bottom()],
        edge,
        6.0,
        4.0,
    ));
    let data_text = match info.payload_len {
        Some(n) => fill(t(T::AnatomyDataRow), &[("n", &n)]),
        None => fill(t(T::AnatomyDataRow), &[("n", &"?")]),
    };
    painter.text(
        data.center(),
        Align2::CENTER_CENTER,
        &data_text,
        FontId::proportional(15.0),
        visuals.text_color(),
    );
    ui.interact(data, ui.make_persistent_id("anatomy-data"), Sense::hover())
        .widget_info(|| egui::WidgetInfo::labeled(Role::Label, true, &data_text));
}

/// A colour of its own, so no two fields look alike.
pub(super) fn checksum_color(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(205, 145, 255)
    } else {
        Color32::from_rgb(125, 45, 175)
    }
}
