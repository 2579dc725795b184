//! The data as hex and text side by side, the byte under the pointer lit
//! in both columns.

use super::*;

/// Where the columns of the hex dump are, in points.
pub(super) struct DumpGeometry {
    pub(super) font: FontId,
    /// Width of one monospace character.
    pub(super) cw: f32,
    pub(super) row_h: f32,
    pub(super) text_x: f32,
    pub(super) width: f32,
}

impl DumpGeometry {
    pub(super) fn new(ui: &egui::Ui) -> Self {
        let font = FontId::monospace(DUMP_FONT);
        let cw = ui.ctx().fonts_mut(|f| f.glyph_width(&font, '0')).max(6.0);
        Self::with_char_width(cw)
    }

    pub(super) fn with_char_width(cw: f32) -> Self {
        // "0000  " + 16 × "xx " with a gap after 8 + "  " + 16 characters.
        let text_x = cw * (6.0 + 48.0 + 1.0 + 2.0);
        Self {
            font: FontId::monospace(DUMP_FONT),
            row_h: DUMP_FONT * 1.45,
            text_x,
            width: text_x + 16.0 * cw + 4.0,
            cw,
        }
    }

    /// The character width a row of `width` points was laid out with.
    #[cfg(test)]
    pub(super) fn char_width_of_row(width: f32) -> f32 {
        (width - 4.0) / 73.0
    }

    pub(super) fn hex_x(&self, col: usize) -> f32 {
        let gap = if col >= 8 { self.cw } else { 0.0 };
        self.cw * (6.0 + 3.0 * col as f32) + gap
    }

    /// The hex cell of a column, relative to the row's left edge.
    pub(super) fn hex_cell(&self, col: usize) -> (f32, f32) {
        let x = self.hex_x(col);
        (x - self.cw * 0.5, x + self.cw * 2.5)
    }

    pub(super) fn text_cell(&self, col: usize) -> (f32, f32) {
        let x = self.text_x + col as f32 * self.cw;
        (x, x + self.cw)
    }

    /// The column under `x` (relative), in either the hex or the text part.
    pub(super) fn column_at(&self, x: f32) -> Option<usize> {
        (0..BYTES_PER_ROW).find(|&c| {
            let (h0, h1) = self.hex_cell(c);
            let (t0, t1) = self.text_cell(c);
            (h0..h1).contains(&x) || (t0..t1).contains(&x)
        })
    }
}

/// How a byte shows in the text column: characters that take several bytes
/// in UTF-8 span their bytes' cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextCell {
    /// The first byte of this byte's character.
    pub lead: usize,
    /// The bytes of the character (1 for ASCII and invalid bytes).
    pub len: usize,
    /// What to draw at the lead byte; None: a dot (not printable).
    pub shown: Option<char>,
}

/// Splits `bytes` into characters for the text column. `drawable` says
/// whether the font can show a character.
pub fn text_cells(bytes: &[u8], mut drawable: impl FnMut(char) -> bool) -> Vec<TextCell> {
    let mut cells = Vec::with_capacity(bytes.len());
    let mut pos = 0;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            let len = c.len_utf8();
            let shown = (printable(c) && drawable(c)).then_some(c);
            cells.extend((0..len).map(|_| TextCell {
                lead: pos,
                len,
                shown,
            }));
            pos += len;
        }
        for _ in chunk.invalid() {
            cells.push(TextCell {
                lead: pos,
                len: 1,
                shown: None,
            });
            pos += 1;
        }
    }
    cells
}

/// Not a control, not invisible, not able to reorder or hide its
/// neighbours (bidi controls, zero-width characters, combining marks).
pub(super) fn printable(c: char) -> bool {
    !(c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(c,
            '\u{0300}'..='\u{036f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
            | '\u{fffd}'))
}

pub(super) fn payload_ui(ui: &mut egui::Ui, d: &DatagramRecord, dump: &DumpGeometry, lang: Lang) {
    let t = |k: T| k.get(lang);
    let bad = crate::app::style::error_color(ui);
    ui.label(RichText::new(t(T::AnatomyPayloadTitle)).strong().size(16.0));
    let have = d.bytes.len();
    if have == 0 && d.truncated.is_none() {
        ui.label(RichText::new(t(T::AnatomyNoData)).weak().italics());
        return;
    }
    let shown = &d.bytes[..have.min(MAX_SHOWN)];
    if have > MAX_SHOWN {
        ui.label(
            RichText::new(fill(
                t(T::AnatomyShownFirst),
                &[("shown", &MAX_SHOWN), ("total", &have)],
            ))
            .weak(),
        );
    }
    // Bytes UDP Lab has but the receiver never read: it sent them itself.
    let unread_from = d.truncated.filter(|tr| have > tr.read).map(|tr| tr.read);
    if let (Some(read), Some(tr)) = (unread_from, d.truncated) {
        ui.label(
            RichText::new(fill(
                t(T::AnatomyUnreadMarked),
                &[("read", &read), ("buffer", &tr.buffer)],
            ))
            .color(bad),
        );
    }

    let hover_id = ui.make_persistent_id("anatomy-hovered-byte");
    let hovered: Option<usize> = ui.ctx().data_mut(|m| m.get_temp(hover_id)).flatten();
    let status = match hovered.and_then(|i| shown.get(i).map(|b| (i, *b))) {
        Some((i, b)) => fill(
            t(T::AnatomyHoveredByte),
            &[
                ("offset", &i),
                ("wire", &(i + HEADER_LEN)),
                ("hex", &format!("{b:02X}")),
                ("dec", &b),
            ],
        ),
        None => t(T::AnatomyHoverHint).to_owned(),
    };
    ui.label(RichText::new(status).monospace().size(14.0));
    ui.add_space(2.0);

    let cells = ui
        .ctx()
        .fonts_mut(|f| text_cells(shown, |c| f.has_glyph(&dump.font, c)));
    let now_hovered = ui
        .vertical(|ui| hex_dump_ui(ui, shown, &cells, dump, hovered, unread_from))
        .inner;
    if now_hovered != hovered {
        ui.ctx().data_mut(|m| m.insert_temp(hover_id, now_hovered));
        // The status line above was drawn with the old byte.
        ui.ctx().request_repaint();
    }

    // Only the receiving end saw it: what the kernel discarded is gone.
    if let Some(tr) = d.truncated
        && unread_from.is_none()
    {
        let text = if d.len > tr.read {
            fill(t(T::AnatomyRestUnknown), &[("n", &(d.len - tr.read))])
        } else {
            t(T::AnatomyRestUnknownNoLen).to_owned()
        };
        ui.add_space(4.0);
        ui.label(RichText::new(text).color(bad).strong());
    }
}

/// Draws the rows; returns the byte under the pointer, if any.
pub(super) fn hex_dump_ui(
    ui: &mut egui::Ui,
    bytes: &[u8],
    cells: &[TextCell],
    dump: &DumpGeometry,
    hovered: Option<usize>,
    unread_from: Option<usize>,
) -> Option<usize> {
    let rows = bytes.len().div_ceil(BYTES_PER_ROW);
    let visuals = ui.visuals().clone();
    let bad = crate::app::style::error_color(ui);
    let select = visuals.selection.bg_fill;
    let sibling = select.gamma_multiply(0.45);
    let span = hovered
        .and_then(|i| cells.get(i))
        .map(|c| c.lead..c.lead + c.len);
    let mut now_hovered = None;
    ui.spacing_mut().item_spacing.y = 0.0;
    for row in 0..rows {
        let start = row * BYTES_PER_ROW;
        let chunk = &bytes[start..(start + BYTES_PER_ROW).min(bytes.len())];
        let (rect, response) = ui.allocate_exact_size(vec2(dump.width, dump.row_h), Sense::hover());
        if let Some(p) = response.hover_pos()
            && let Some(col) = dump.column_at(p.x - rect.left())
            && col < chunk.len()
        {
            now_hovered = Some(start + col);
        }
        response.widget_info(|| {
            egui::WidgetInfo::labeled(
                Role::Label,
                true,
                format!(
                    "{start:04x}  {}  {}",
                    format::hex(chunk, BYTES_PER_ROW),
                    format::payload_text(chunk, BYTES_PER_ROW)
                ),
            )
        });
        if !ui.is_rect_visible(rect) {
            continue;
        }
        let painter = ui.painter_at(rect);
        let cell_rect = |(x0, x1): (f32, f32)| {
            Rect::from_x_y_ranges(
                (rect.left() + x0)..=(rect.left() + x1),
                (rect.top() + 1.0)..=(rect.bottom() - 1.0),
            )
        };
        painter.text(
            pos2(rect.left(), rect.center().y),
            Align2::LEFT_CENTER,
            format!("{start:04x}"),
            dump.font.clone(),
            visuals.weak_text_color(),
        );
        let divider = rect.left() + dump.text_x - dump.cw;
        painter.vline(
            divider,
            rect.y_range(),
            Stroke::new(1.0, visuals.weak_text_color()),
        );
        // Backgrounds first: a character spanning cells is drawn over all of them.
        for col in 0..chunk.len() {
            let i = start + col;
            let unread = unread_from.is_some_and(|from| i >= from);
            let background = if hovered == Some(i) {
                Some(select)
            } else if span.as_ref().is_some_and(|s| s.contains(&i)) {
                Some(sibling)
            } else if unread {
                Some(bad.gamma_multiply(0.18))
            } else {
                None
            };
            let hex_rect = cell_rect(dump.hex_cell(col));
            let text_rect = cell_rect(dump.text_cell(col));
            let text_highlight = match &span {
                Some(s) if s.contains(&i) => Some(select),
                _ if unread => Some(bad.gamma_multiply(0.18)),
                _ => None,
            };
            if let Some(fill) = background {
                painter.rect_filled(hex_rect, 3.0, fill);
            }
            if let Some(fill) = text_highlight {
                painter.rect_filled(text_rect, 0.0, fill);
            }
        }
        for (col, b) in chunk.iter().enumerate() {
            let i = start + col;
            let unread = unread_from.is_some_and(|from| i >= from);
            let color = if hovered == Some(i) {
                visuals.selection.stroke.color
            } else if unread {
                bad
            } else {
                visuals.text_color()
            };
            painter.text(
                pos2(rect.left() + dump.hex_x(col), rect.center().y),
                Align2::LEFT_CENTER,
                format!("{b:02x}"),
                dump.font.clone(),
                color,
            );
            let Some(cell) = cells.get(i) else {
                continue;
            };
            match cell.shown {
                Some(c) if cell.lead == i => {
                    // Centre a multi-byte character over its bytes when they
                    // share the row; mark the span with a line under it.
                    let last = (col + cell.len - 1).min(chunk.len() - 1);
                    let (x0, _) = dump.text_cell(col);
                    let (_, x1) = dump.text_cell(last);
                    let x = rect.left() + (x0 + x1) / 2.0;
                    painter.text(
                        pos2(x, rect.center().y),
                        Align2::CENTER_CENTER,
                        c,
                        dump.font.clone(),
                        if unread {
                            bad
                        } else {
                            visuals.strong_text_color()
                        },
                    );
                    if cell.len > 1 {
                        let y = rect.bottom() - 3.0;
                        painter.hline(
                            (rect.left() + x0 + 1.0)..=(rect.left() + x1 - 1.0),
                            y,
                            Stroke::new(1.0, visuals.weak_text_color()),
                        );
                    }
                }
                Some(_) => {}
                None => {
                    let (x0, x1) = dump.text_cell(col);
                    painter.text(
                        pos2(rect.left() + (x0 + x1) / 2.0, rect.center().y),
                        Align2::CENTER_CENTER,
                        '.',
                        dump.font.clone(),
                        visuals.weak_text_color(),
                    );
                }
            }
        }
    }
    now_hovered
}
