//! The RFC 768 header drawn as the classic 32-bit-wide diagram.

use super::*;

/// The 32-bit-wide diagram and what each field means.
pub(super) fn header_ui(ui: &mut egui::Ui, info: &HeaderInfo, width: f32, lang: Lang) {
    ui.label(
        RichText::new(T::AnatomyHeaderTitle.get(lang))
            .strong()
            .size(16.0),
    );
    ui.add_space(4.0);
    header_diagram_ui(ui, info, width, lang);
    ui.add_space(6.0);
    header_notes_ui(ui, info, lang);
}

/// What the length and the checksum are made of, and the header's bytes.
pub(super) fn header_notes_ui(ui: &mut egui::Ui, info: &HeaderInfo, lang: Lang) {
    let t = |k: T| k.get(lang);
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
        Checksum::Captured {
            value,
            expected,
            ok,
            offloaded,
        } => captured_checksum_ui(ui, *value, *expected, *ok, *offloaded, lang),
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

/// A captured datagram's checksum: right, wrong (the teaching point: the
/// receiver's OS drops it silently), not computed, offloaded or not
/// checkable.
fn captured_checksum_ui(
    ui: &mut egui::Ui,
    value: u16,
    expected: u16,
    ok: Option<bool>,
    offloaded: bool,
    lang: Lang,
) {
    let t = |k: T| k.get(lang);
    let (value, want) = (dec_hex(value), dec_hex(expected));
    let (text, color) = match ok {
        Some(true) => (
            fill(t(T::AnatomyCapturedRight), &[("value", &value)]),
            crate::app::style::ok_color(ui),
        ),
        Some(false) => (
            fill(
                t(T::AnatomyCapturedWrong),
                &[("value", &value), ("expected", &want)],
            ),
            crate::app::style::error_color(ui),
        ),
        None if offloaded => (
            fill(t(T::AnatomyCapturedOffloaded), &[("value", &value)]),
            crate::app::style::warn_color(ui),
        ),
        None if value == dec_hex(0) => (
            t(T::AnatomyCapturedZero).to_owned(),
            crate::app::style::warn_color(ui),
        ),
        None => (
            t(T::AnatomyCapturedPartial).to_owned(),
            crate::app::style::warn_color(ui),
        ),
    };
    ui.label(RichText::new(text).color(color));
}

/// Bit ruler 0…31, two rows of two 16-bit fields, then the data.
pub(super) fn header_diagram_ui(ui: &mut egui::Ui, info: &HeaderInfo, width: f32, lang: Lang) {
    let t = |k: T| k.get(lang);
    let bit = (width / 32.0).floor().clamp(9.0, 20.0);
    let w = bit * 32.0;
    let (ruler_h, row_h, data_h) = (RULER_H, ROW_H, DATA_H);
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

    let top = rect.top() + ruler_h;
    for (i, field) in fields(ui, info, lang).into_iter().enumerate() {
        let (col, row) = ((i % 2) as f32, (i / 2) as f32);
        let area = Rect::from_min_size(
            pos2(rect.left() + col * 16.0 * bit, top + row * row_h),
            vec2(16.0 * bit, row_h),
        );
        field_ui(ui, &painter, area, i, field, lang);
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

/// One header field: its name, value, colour and what it means.
pub(super) struct Field {
    name: T,
    value: Option<u16>,
    color: Color32,
    help: String,
}

/// Source port, destination port, length, checksum, in wire order.
fn fields(ui: &egui::Ui, info: &HeaderInfo, lang: Lang) -> [Field; 4] {
    let t = |k: T| k.get(lang);
    let checksum = match info.checksum {
        Checksum::Known { value, .. } | Checksum::Captured { value, .. } => Some(value),
        _ => None,
    };
    [
        Field {
            name: T::AnatomySrcPort,
            value: Some(info.src_port),
            color: crate::app::style::warn_color(ui),
            help: t(T::AnatomySrcPortHelp).to_owned(),
        },
        Field {
            name: T::AnatomyDstPort,
            value: Some(info.dst_port),
            color: crate::app::style::accent_color(ui),
            help: t(T::AnatomyDstPortHelp).to_owned(),
        },
        Field {
            name: T::AnatomyLength,
            value: info.length(),
            color: crate::app::style::ok_color(ui),
            help: match info.payload_len {
                Some(n) => fill(
                    t(T::AnatomyLengthExplain),
                    &[("payload", &n), ("total", &(n + HEADER_LEN))],
                ),
                None => fill(
                    t(T::AnatomyLengthUnknown),
                    &[("read", &info.read.unwrap_or_default())],
                ),
            },
        },
        Field {
            name: T::AnatomyChecksum,
            value: checksum,
            color: if checksum.is_some() {
                checksum_color(ui)
            } else {
                crate::app::style::error_color(ui)
            },
            help: t(T::AnatomyChecksumOffload).to_owned(),
        },
    ]
}

/// A field's box: its name at the top, its value below, its meaning on hover.
fn field_ui(
    ui: &egui::Ui,
    painter: &egui::Painter,
    area: Rect,
    index: usize,
    field: Field,
    lang: Lang,
) {
    let t = |k: T| k.get(lang);
    painter.rect(
        area,
        0.0,
        field.color.gamma_multiply(0.14),
        Stroke::new(2.0, field.color),
        StrokeKind::Middle,
    );
    let name = t(field.name);
    let name_font = FontId::proportional(crate::app::style::legible(ui, NAME_FONT));
    painter.text(
        area.center_top() + vec2(0.0, 4.0),
        Align2::CENTER_TOP,
        name,
        name_font.clone(),
        field.color,
    );
    let value_text = field
        .value
        .map_or_else(|| t(T::AnatomyUnknown).to_owned(), dec_hex);
    // Shrink the value to fit its box on narrow windows (never below the
    // body text in presentation mode).
    let chars = value_text.chars().count().max(1) as f32;
    let least = crate::app::style::legible(ui, 10.0);
    let size = ((area.width() - 12.0) / (0.62 * chars)).clamp(least, VALUE_FONT.max(least));
    // The value fills the box under the name.
    let below_name = area.top() + 4.0 + name_font.size * 1.25;
    painter.text(
        pos2(area.center().x, (below_name + area.bottom()) / 2.0),
        Align2::CENTER_CENTER,
        &value_text,
        FontId::monospace(size),
        if field.value.is_some() {
            ui.visuals().strong_text_color()
        } else {
            field.color
        },
    );
    let label = fill(
        t(T::AnatomyField),
        &[("name", &name), ("value", &value_text)],
    );
    ui.interact(
        area,
        ui.make_persistent_id(("anatomy-field", index)),
        Sense::hover(),
    )
    .on_hover_text(field.help)
    .widget_info(|| egui::WidgetInfo::labeled(Role::Label, true, &label));
}

/// The header in a short view: its four fields side by side in one row
/// (64 bits), so the data's rows fit under it.
pub(super) fn header_row_ui(ui: &mut egui::Ui, info: &HeaderInfo, width: f32, lang: Lang) {
    ui.label(
        RichText::new(T::AnatomyHeaderRowTitle.get(lang))
            .strong()
            .size(16.0),
    );
    ui.add_space(2.0);
    let (rect, _) = ui.allocate_exact_size(vec2(width, compact_row_height(ui)), Sense::hover());
    let painter = ui.painter_at(rect.expand(2.0));
    let quarter = width / 4.0;
    for (i, field) in fields(ui, info, lang).into_iter().enumerate() {
        let area = Rect::from_min_size(
            pos2(rect.left() + i as f32 * quarter, rect.top()),
            vec2(quarter, rect.height()),
        );
        field_ui(ui, &painter, area, i, field, lang);
    }
}

/// The one-row header's height: a name line and a value line.
pub(super) fn compact_row_height(ui: &egui::Ui) -> f32 {
    let name = crate::app::style::legible(ui, NAME_FONT);
    4.0 + name * 1.25 + VALUE_FONT.max(name) * 1.3
}

/// The classic diagram's height with its title and notes, near enough to
/// choose between it and the one-row header.
pub(super) const DIAGRAM_HEIGHT: f32 = 22.0 + 4.0 + RULER_H + 2.0 * ROW_H + DATA_H + 6.0;

const RULER_H: f32 = 22.0;
const ROW_H: f32 = 66.0;
const DATA_H: f32 = 34.0;
/// A field's name.
const NAME_FONT: f32 = 14.0;

/// A colour of its own, so no two fields look alike.
pub(super) fn checksum_color(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(205, 145, 255)
    } else {
        Color32::from_rgb(125, 45, 175)
    }
}
