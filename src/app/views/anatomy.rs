//! Datagram anatomy: the RFC 768 header of one datagram drawn as the classic
//! 32-bit-wide diagram, and its data as hex and text side by side with the
//! byte under the pointer highlighted in both columns. The header is
//! computed (`net::udp_header`), not captured: the checksum is the one the
//! datagram's real addresses give.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use egui::accesskit::Role;
use egui::{Align2, Color32, FontId, Rect, RichText, Sense, Stroke, StrokeKind, pos2, vec2};

use crate::app::UdpLabApp;
use crate::app::format;
use crate::app::i18n::{Lang, T, fill};
use crate::lab::session::{DatagramRecord, Direction};
use crate::net::udp_header::{self, HEADER_LEN, HeaderError, PseudoHeader, UdpHeader};

/// Data bytes drawn at most; the rest is counted, not shown.
pub const MAX_SHOWN: usize = 4096;
const BYTES_PER_ROW: usize = 16;
/// Monospace size of the hex dump and of the header values (projector).
const DUMP_FONT: f32 = 14.0;
const VALUE_FONT: f32 = 22.0;
/// The header diagram is never wider than this (bits stay readable).
const HEADER_MAX_WIDTH: f32 = 640.0;
const HEADER_MIN_WIDTH: f32 = 400.0;

/// What the view can say about a datagram's checksum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checksum {
    Known {
        value: u16,
        pseudo: PseudoHeader,
        /// A socket bound to the any-address, and the loopback address used
        /// in its place: (any, used).
        assumed: Option<(IpAddr, IpAddr)>,
    },
    /// The kernel discarded the end of the data before UDP Lab saw it.
    PayloadIncomplete,
    /// Bound to the any-address and the peer is not on loopback.
    NeedsAddress {
        any: IpAddr,
    },
    Impossible(HeaderError),
}

/// The header fields of one datagram record, as far as they are known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderInfo {
    pub src_port: u16,
    pub dst_port: u16,
    /// The data length; None when the OS did not say how long a truncated
    /// datagram really was.
    pub payload_len: Option<usize>,
    /// Bytes the receiver read, when its buffer was too small.
    pub read: Option<usize>,
    pub checksum: Checksum,
}

impl HeaderInfo {
    pub fn of(d: &DatagramRecord) -> Self {
        // Linux reports the real length of a truncated datagram (MSG_TRUNC);
        // elsewhere `len` is only what was read.
        let length_known = d.truncated.is_none_or(|t| d.len > t.read);
        let payload = d.bytes.get(..d.len).filter(|_| length_known);
        let checksum = match payload {
            None => Checksum::PayloadIncomplete,
            Some(payload) => match (
                concrete(d.from.ip(), d.to.ip()),
                concrete(d.to.ip(), d.from.ip()),
            ) {
                (Err(any), _) | (_, Err(any)) => Checksum::NeedsAddress { any },
                (Ok(src), Ok(dst)) => match PseudoHeader::new(src, dst) {
                    None => Checksum::Impossible(HeaderError::MixedFamilies),
                    Some(pseudo) => {
                        match udp_header::checksum(&pseudo, d.from.port(), d.to.port(), payload) {
                            Ok(value) => Checksum::Known {
                                value,
                                pseudo,
                                assumed: assumed(d.from.ip(), src)
                                    .or_else(|| assumed(d.to.ip(), dst)),
                            },
                            Err(e) => Checksum::Impossible(e),
                        }
                    }
                },
            },
        };
        HeaderInfo {
            src_port: d.from.port(),
            dst_port: d.to.port(),
            payload_len: length_known.then_some(d.len),
            read: d.truncated.map(|t| t.read),
            checksum,
        }
    }

    /// The length field (8 + data), when known and representable.
    pub fn length(&self) -> Option<u16> {
        self.payload_len.and_then(|n| udp_header::length(n).ok())
    }

    /// The whole header, when every field is known.
    pub fn header(&self) -> Option<UdpHeader> {
        match self.checksum {
            Checksum::Known { value, .. } => Some(UdpHeader {
                src_port: self.src_port,
                dst_port: self.dst_port,
                length: self.length()?,
                checksum: value,
            }),
            _ => None,
        }
    }
}

/// The address the kernel sends from (or to) for a socket bound to the
/// any-address: for a loopback peer it is the loopback address; otherwise
/// it depends on the route, so it is unknown (Err carries the any-address).
fn concrete(own: IpAddr, peer: IpAddr) -> Result<IpAddr, IpAddr> {
    if !own.is_unspecified() {
        return Ok(own);
    }
    match peer.to_canonical() {
        IpAddr::V4(p) if p.is_loopback() => Ok(Ipv4Addr::LOCALHOST.into()),
        IpAddr::V6(p) if p.is_loopback() => Ok(Ipv6Addr::LOCALHOST.into()),
        _ => Err(own),
    }
}

fn assumed(own: IpAddr, used: IpAddr) -> Option<(IpAddr, IpAddr)> {
    own.is_unspecified().then_some((own, used))
}

/// "53211 (0xCFDB)".
pub fn dec_hex(v: u16) -> String {
    format!("{v} (0x{v:04X})")
}

pub fn anatomy_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let datagrams = &app.session.datagrams;
    let Some(newest) = datagrams.back() else {
        ui.add_space(8.0);
        ui.label(RichText::new(t(T::AnatomyEmpty)).weak().italics());
        return;
    };
    let selected = app
        .selected_datagram
        .and_then(|id| app.session.datagram(id));
    let following_newest = selected.is_none();
    // A cheap clone (the bytes are shared): `app` is free to change below.
    let record = selected.unwrap_or(newest).clone();
    // Ids grow with the position, so the neighbours are a search away.
    let index = datagrams
        .binary_search_by_key(&record.id, |d| d.id)
        .unwrap_or(datagrams.len() - 1);
    let prev = index
        .checked_sub(1)
        .and_then(|i| datagrams.get(i))
        .map(|d| d.id);
    let next = datagrams.get(index + 1).map(|d| d.id);
    let total = datagrams.len();

    let mut pick: Option<Option<u64>> = None;
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(prev.is_some(), egui::Button::new(t(T::AnatomyPrevious)))
            .clicked()
        {
            pick = Some(prev);
        }
        if ui
            .add_enabled(next.is_some(), egui::Button::new(t(T::AnatomyNext)))
            .clicked()
        {
            pick = Some(next);
        }
        if ui
            .add_enabled(
                !following_newest,
                egui::Button::new(t(T::AnatomyNewestButton)),
            )
            .clicked()
        {
            pick = Some(None);
        }
        ui.label(fill(
            t(T::AnatomyPosition),
            &[("n", &(index + 1)), ("total", &total)],
        ));
        if following_newest {
            ui.label(RichText::new(t(T::AnatomyNewest)).weak().italics());
        }
    });
    if let Some(pick) = pick {
        app.act(crate::app::Command::SelectDatagram(pick));
    }
    summary_ui(ui, &record, lang);
    truncation_ui(ui, &record, lang);
    ui.add_space(6.0);

    let info = HeaderInfo::of(&record);
    let dump = DumpGeometry::new(ui);
    egui::ScrollArea::vertical()
        .id_salt("anatomy")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let avail = ui.available_width();
            if avail >= dump.width + 32.0 + HEADER_MIN_WIDTH {
                let header_width = (avail - dump.width - 32.0).min(HEADER_MAX_WIDTH);
                ui.horizontal_top(|ui| {
                    ui.vertical(|ui| {
                        ui.set_width(header_width);
                        header_ui(ui, &info, header_width, lang);
                    });
                    ui.add_space(32.0);
                    ui.vertical(|ui| payload_ui(ui, &record, &dump, lang));
                });
            } else {
                header_ui(ui, &info, avail.min(HEADER_MAX_WIDTH), lang);
                ui.add_space(12.0);
                payload_ui(ui, &record, &dump, lang);
            }
        });
}

/// Direction, from → to and times, in one wrapped line.
fn summary_ui(ui: &mut egui::Ui, d: &DatagramRecord, lang: Lang) {
    let t = |k: T| k.get(lang);
    ui.horizontal_wrapped(|ui| {
        let (direction, color) = match d.direction {
            Direction::Request => (t(T::AnatomyRequest), crate::app::style::ok_color(ui)),
            Direction::Reply => (t(T::AnatomyReply), crate::app::style::accent_color(ui)),
        };
        ui.label(RichText::new(direction).strong().size(17.0).color(color));
        ui.label(
            RichText::new(format!("{} → {}", d.from, d.to))
                .monospace()
                .size(17.0)
                .strong(),
        );
        if let Some(at) = d.sent_at {
            ui.label(fill(t(T::AnatomySentAt), &[("time", &format::clock(at))]));
        }
        if let Some(at) = d.received_at {
            ui.label(fill(
                t(T::AnatomyReceivedAt),
                &[("time", &format::clock(at))],
            ));
        }
        let sim = d.sim;
        let warn = crate::app::style::warn_color(ui);
        if sim.dropped {
            ui.label(RichText::new(t(T::SimDropped)).color(warn));
        }
        if !sim.delay.is_zero() {
            let ms = sim.delay.as_millis();
            ui.label(RichText::new(fill(t(T::SimDelayed), &[("ms", &ms)])).color(warn));
        }
        if sim.duplicated {
            ui.label(RichText::new(t(T::SimDuplicated)).color(warn));
        }
        if sim.reordered {
            ui.label(RichText::new(t(T::SimReordered)).color(warn));
        }
    });
}

/// The prominent "read 1024 of 1500 bytes" banner.
fn truncation_ui(ui: &mut egui::Ui, d: &DatagramRecord, lang: Lang) {
    let Some(tr) = d.truncated else {
        return;
    };
    let text = if d.len > tr.read {
        fill(
            T::Truncated.get(lang),
            &[("read", &tr.read), ("len", &d.len)],
        )
    } else {
        fill(
            T::AnatomyTruncatedUnknownLen.get(lang),
            &[("read", &tr.read)],
        )
    };
    let bad = crate::app::style::error_color(ui);
    ui.add_space(4.0);
    egui::Frame::new()
        .fill(bad.gamma_multiply(0.12))
        .stroke(Stroke::new(2.0, bad))
        .corner_radius(6.0)
        .inner_margin(10.0)
        .show(ui, |ui| {
            ui.label(RichText::new(text).strong().size(19.0).color(bad));
        });
}

/// The 32-bit-wide diagram and what each field means.
fn header_ui(ui: &mut egui::Ui, info: &HeaderInfo, width: f32, lang: Lang) {
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
fn header_diagram_ui(ui: &mut egui::Ui, info: &HeaderInfo, width: f32, lang: Lang) {
    let t = |k: T| k.get(lang);
    let bit = (width / 32.0).floor().clamp(9.0, 20.0);
    let w = bit * 32.0;
    let (ruler_h, row_h, data_h) = (22.0, 66.0, 34.0);
    let (rect, _) = ui.allocate_exact_size(vec2(w, ruler_h + 2.0 * row_h + data_h), Sense::hover());
    let painter = ui.painter_at(rect.expand(2.0));
    let visuals = ui.visuals();
    let weak = visuals.weak_text_color();
    let strong = visuals.strong_text_color();

    let ruler_font = FontId::monospace(crate::app::tools::presentation::legible(
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
fn checksum_color(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(205, 145, 255)
    } else {
        Color32::from_rgb(125, 45, 175)
    }
}

/// Where the columns of the hex dump are, in points.
struct DumpGeometry {
    font: FontId,
    /// Width of one monospace character.
    cw: f32,
    row_h: f32,
    text_x: f32,
    width: f32,
}

impl DumpGeometry {
    fn new(ui: &egui::Ui) -> Self {
        let font = FontId::monospace(DUMP_FONT);
        let cw = ui.ctx().fonts_mut(|f| f.glyph_width(&font, '0')).max(6.0);
        Self::with_char_width(cw)
    }

    fn with_char_width(cw: f32) -> Self {
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
    fn char_width_of_row(width: f32) -> f32 {
        (width - 4.0) / 73.0
    }

    fn hex_x(&self, col: usize) -> f32 {
        let gap = if col >= 8 { self.cw } else { 0.0 };
        self.cw * (6.0 + 3.0 * col as f32) + gap
    }

    /// The hex cell of a column, relative to the row's left edge.
    fn hex_cell(&self, col: usize) -> (f32, f32) {
        let x = self.hex_x(col);
        (x - self.cw * 0.5, x + self.cw * 2.5)
    }

    fn text_cell(&self, col: usize) -> (f32, f32) {
        let x = self.text_x + col as f32 * self.cw;
        (x, x + self.cw)
    }

    /// The column under `x` (relative), in either the hex or the text part.
    fn column_at(&self, x: f32) -> Option<usize> {
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
fn printable(c: char) -> bool {
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

fn payload_ui(ui: &mut egui::Ui, d: &DatagramRecord, dump: &DumpGeometry, lang: Lang) {
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
fn hex_dump_ui(
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

#[cfg(test)]
mod tests {
    use std::net::{SocketAddr, UdpSocket};

    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::app::Outcome;
    use crate::app::test_util::{harness, set_text, start_server, wait_for};

    fn ether_checksum_v4(from: SocketAddr, to: SocketAddr, payload: &[u8]) -> u16 {
        let ip = |a: SocketAddr| match a.ip() {
            IpAddr::V4(v4) => v4.octets(),
            IpAddr::V6(_) => panic!("IPv4 expected"),
        };
        etherparse::UdpHeader::without_ipv4_checksum(from.port(), to.port(), payload.len())
            .expect("fits")
            .calc_checksum_ipv4_raw(ip(from), ip(to), payload)
            .expect("fits")
    }

    #[test]
    fn the_lab_exchange_shows_its_header_values() {
        let mut h = harness();
        let port = start_server(&mut h);
        set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
        h.get_by_label("Send").click();
        wait_for(&mut h, "the response", |app| {
            matches!(app.client.outcome, Some(Outcome::Response { .. }))
                && app.session.datagrams.len() == 2
        });
        let client = h.state().server.rows[0].rx.from;
        let server: SocketAddr = format!("127.0.0.1:{port}").parse().expect("literal");
        h.get_by_label("Datagram anatomy").click();
        h.run_steps(3);

        // Nothing picked: the newest datagram, the reply, says so.
        h.get_by_label("newest datagram — click an arrow in the sequence diagram to pick another");
        h.get_by_label("Reply: server → client");
        h.get_by_label(&format!("Source port: {}", dec_hex(port)));
        h.get_by_label(&format!("Destination port: {}", dec_hex(client.port())));

        // One back: the request "Hello, server".
        h.get_by_label("← Previous").click();
        h.run_steps(3);
        h.get_by_label("Request: client → server");
        h.get_by_label(&format!("{client} → {server}"));
        h.get_by_label(&format!("Source port: {}", dec_hex(client.port())));
        h.get_by_label(&format!("Destination port: {}", dec_hex(port)));
        h.get_by_label("Length: 21 (0x0015)");
        h.get_by_label("Length = 8 (header) + 13 (data) = 21 bytes");
        let ours = UdpHeader::for_datagram(client, server, b"Hello, server")
            .expect("header")
            .checksum;
        assert_eq!(ours, ether_checksum_v4(client, server, b"Hello, server"));
        h.get_by_label(&format!("Checksum: {}", dec_hex(ours)));
        // The hex dump's first row, hex and text.
        h.get_by_label("0000  48 65 6c 6c 6f 2c 20 73 65 72 76 65 72  Hello, server");
        assert!(
            h.state().selected_datagram.is_some(),
            "Previous picks a datagram"
        );

        // Pointing at a byte, in the text column or in the hex column.
        let row_label = "0000  48 65 6c 6c 6f 2c 20 73 65 72 76 65 72  Hello, server";
        h.get_by_label(row_label).scroll_to_me();
        h.run_steps(3);
        let row = h.get_by_label(row_label).rect();
        let dump = DumpGeometry::with_char_width(DumpGeometry::char_width_of_row(row.width()));
        let (t0, t1) = dump.text_cell(4);
        h.hover_at(pos2(row.left() + (t0 + t1) / 2.0, row.center().y));
        h.run_steps(3);
        h.get_by_label("data byte 4 (datagram byte 12): 0x6F = 111");
        let (x0, x1) = dump.hex_cell(7);
        h.hover_at(pos2(row.left() + (x0 + x1) / 2.0, row.center().y));
        h.run_steps(3);
        h.get_by_label("data byte 7 (datagram byte 15): 0x73 = 115");
        assert!(h.unnamed_widgets().is_empty(), "{:?}", h.unnamed_widgets());

        // Back to following the newest.
        h.get_by_label("Newest").click();
        h.run_steps(3);
        assert_eq!(h.state().selected_datagram, None);
        h.get_by_label("Reply: server → client");
    }

    #[test]
    fn a_1500_byte_datagram_into_a_1024_byte_buffer_is_flagged() {
        let mut h = harness();
        let port = start_server(&mut h);
        // No reply: the truncated request stays the newest datagram.
        h.get_by_label("No reply").click();
        h.run_steps(2);
        let peer = UdpSocket::bind("127.0.0.1:0").expect("bind");
        peer.send_to(&[b'x'; 1500], ("127.0.0.1", port))
            .expect("send");
        wait_for(&mut h, "the datagram", |app| app.server.total == 1);
        h.get_by_label("Datagram anatomy").click();
        h.run_steps(3);
        let warning = if cfg!(target_os = "linux") {
            "read 1024 of 1500 bytes — the rest is discarded by the kernel"
        } else {
            "read 1024 bytes; the datagram was longer — the rest is discarded by the kernel"
        };
        h.get_by_label(warning);
        // Only the receiving end saw it: the checksum needs the lost bytes.
        h.get_by_label("Checksum: unknown");
        h.get_by_label(
            "Unknown: the checksum covers all of the data, and the kernel discarded its end.",
        );
        if cfg!(target_os = "linux") {
            h.get_by_label("Length: 1508 (0x05E4)");
            h.get_by_label("The other 476 bytes are unknown: only the sender had them.");
        }
        let d = h
            .state()
            .session
            .datagrams
            .back()
            .cloned()
            .expect("a record");
        assert_eq!(d.bytes.len(), 1024);
        assert!(h.unnamed_widgets().is_empty(), "{:?}", h.unnamed_widgets());
    }

    #[test]
    fn a_truncated_datagram_sent_by_the_app_marks_the_unread_bytes() {
        let mut h = harness();
        let port = start_server(&mut h);
        set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
        set_text(&mut h, "Message", &"y".repeat(1500));
        h.get_by_label("Send").click();
        wait_for(&mut h, "the exchange", |app| {
            !app.client.busy() && app.session.datagrams.len() == 2
        });
        let request = h
            .state()
            .session
            .datagrams
            .front()
            .cloned()
            .expect("request");
        assert!(request.truncated.is_some());
        h.get_by_label("Datagram anatomy").click();
        h.run_steps(3);
        // The newest is the reply; the request is one back.
        h.get_by_label("← Previous").click();
        h.run_steps(3);
        assert_eq!(h.state().selected_datagram, Some(request.id));
        if cfg!(target_os = "linux") {
            h.get_by_label("read 1024 of 1500 bytes — the rest is discarded by the kernel");
        }
        h.get_by_label(
            "The bytes from offset 1024 on (marked) never reached the receiving program: \
             its buffer holds 1024 bytes.",
        );
        // The sender had every byte: the checksum is known.
        let want = UdpHeader::for_datagram(request.from, request.to, &request.bytes)
            .expect("header")
            .checksum;
        h.get_by_label(&format!("Checksum: {}", dec_hex(want)));
        h.get_by_label("Length: 1508 (0x05E4)");
    }

    #[test]
    fn a_wide_window_puts_header_and_data_side_by_side() {
        use crate::app::views::View;
        use crate::app::{Lang, Settings, StartOptions, UdpLabApp};
        let mut h = egui_kittest::Harness::builder()
            .with_size([1700.0, 900.0])
            .build_eframe(|cc| {
                let settings = Settings {
                    lang: Some(Lang::En),
                    bind: "127.0.0.1:0".into(),
                    view: View::Anatomy,
                    ..Settings::default()
                };
                UdpLabApp::with_settings(&cc.egui_ctx, settings, StartOptions::default())
            });
        let port = start_server(&mut h);
        set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
        h.get_by_label("Send").click();
        wait_for(&mut h, "the exchange", |app| {
            !app.client.busy() && app.session.datagrams.len() == 2
        });
        h.run_steps(3);
        let field = h
            .get_by_label(&format!("Source port: {}", dec_hex(port)))
            .rect();
        let row = h
            .get_by_label("0000  48 65 6c 6c 6f 2c 20 63 6c 69 65 6e 74  Hello, client")
            .rect();
        assert!(row.left() > field.right(), "{row:?} beside {field:?}");
        assert!(h.unnamed_widgets().is_empty(), "{:?}", h.unnamed_widgets());
    }

    #[test]
    fn no_datagram_yet_says_what_to_do() {
        let mut h = harness();
        h.get_by_label("Datagram anatomy").click();
        h.run_steps(2);
        h.get_by_label(
            "No datagrams yet. Start the server and press Send: the newest datagram's \
             header and bytes will appear here.",
        );
    }

    #[test]
    fn text_cells_span_multibyte_characters() {
        let cells = text_cells("aП\u{7}".as_bytes(), |_| true);
        assert_eq!(cells.len(), 4);
        assert_eq!(cells[0].shown, Some('a'));
        assert_eq!(
            (cells[1].lead, cells[1].len, cells[1].shown),
            (1, 2, Some('П'))
        );
        assert_eq!((cells[2].lead, cells[2].len), (1, 2));
        assert_eq!(cells[3].shown, None, "a control character shows as a dot");
        let invalid = text_cells(&[0xff, b'A', 0xd0], |_| true);
        assert_eq!(
            invalid.iter().map(|c| c.shown).collect::<Vec<_>>(),
            [None, Some('A'), None]
        );
        let no_glyph = text_cells("😀".as_bytes(), |c| c.is_ascii());
        assert!(no_glyph.iter().all(|c| c.shown.is_none() && c.len == 4));
    }

    #[test]
    fn any_address_uses_loopback_for_a_loopback_peer_only() {
        let record = |from: &str, to: &str| DatagramRecord {
            id: 1,
            direction: Direction::Request,
            from: from.parse().expect("literal"),
            to: to.parse().expect("literal"),
            bytes: std::sync::Arc::from(&b"hi"[..]),
            len: 2,
            truncated: None,
            sent_at: None,
            received_at: None,
            client: None,
            gave_up_at: None,
            sim: Default::default(),
        };
        let info = HeaderInfo::of(&record("0.0.0.0:4000", "127.0.0.1:12345"));
        let want = UdpHeader::for_datagram(
            "127.0.0.1:4000".parse().expect("literal"),
            "127.0.0.1:12345".parse().expect("literal"),
            b"hi",
        )
        .expect("header");
        assert_eq!(info.header(), Some(want));
        assert!(matches!(
            info.checksum,
            Checksum::Known {
                assumed: Some(_),
                ..
            }
        ));
        // A documentation address (RFC 5737): no socket is involved here.
        let far = HeaderInfo::of(&record("0.0.0.0:4000", "192.0.2.1:12345"));
        assert!(matches!(far.checksum, Checksum::NeedsAddress { .. }));
        assert_eq!(far.length(), Some(10));
        let v6 = HeaderInfo::of(&record("[::1]:4000", "[::1]:12345"));
        assert!(matches!(
            v6.checksum,
            Checksum::Known {
                pseudo: PseudoHeader::V6 { .. },
                assumed: None,
                ..
            }
        ));
    }
}
