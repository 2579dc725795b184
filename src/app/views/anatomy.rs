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
/// The one-row header (a short view) is never wider than this.
const HEADER_ROW_MAX_WIDTH: f32 = 800.0;

mod header;
mod hex;
pub mod http;
mod model;
pub mod stream;
pub use http::HttpDrawn;
pub use stream::StreamDrawn;

use header::header_ui;
use hex::{DumpGeometry, payload_ui};
pub use hex::{TextCell, text_cells};
pub use model::{Checksum, HeaderInfo, dec_hex};

pub fn anatomy_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    if shows_streams(app) {
        return stream::tcp_anatomy_ui(ui, app);
    }
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
    // The classic diagram above the data needs this much; a shorter view
    // (a projector's window) gets the one-row header, so two rows of bytes
    // show under it.
    let room = ui.available_height();
    let data_head = 22.0 + 20.0 + 2.0 + 2.0 * dump.row_h;
    let compact = room < header::DIAGRAM_HEIGHT + 12.0 + data_head;
    egui::ScrollArea::vertical()
        .min_scrolled_height(crate::app::views::VIEW_MIN_SCROLL)
        .id_salt("anatomy")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let avail = ui.available_width();
            // The gap, the spacing either side of it, and room for the
            // scroll bar: the dump's last column stays in the view.
            let between = 32.0 + 2.0 * ui.spacing().item_spacing.x + 12.0;
            if avail >= dump.width + between + HEADER_MIN_WIDTH {
                let header_width = (avail - dump.width - between).min(HEADER_MAX_WIDTH);
                ui.horizontal_top(|ui| {
                    ui.vertical(|ui| {
                        ui.set_width(header_width);
                        header_ui(ui, &info, header_width, lang);
                    });
                    ui.add_space(32.0);
                    ui.vertical(|ui| payload_ui(ui, &record, &dump, lang));
                });
            } else if compact {
                header::header_row_ui(ui, &info, avail.min(HEADER_ROW_MAX_WIDTH), lang);
                ui.add_space(8.0);
                payload_ui(ui, &record, &dump, lang);
                ui.add_space(12.0);
                header::header_notes_ui(ui, &info, lang);
            } else {
                header_ui(ui, &info, avail.min(HEADER_MAX_WIDTH), lang);
                ui.add_space(12.0);
                payload_ui(ui, &record, &dump, lang);
            }
        });
}

pub use crate::app::views::shows_streams;

/// Issue 28: the anatomy lays the connection out as HTTP (its bytes are
/// HTTP and the plain stream was not asked for).
pub fn shows_http(app: &UdpLabApp) -> bool {
    if !shows_streams(app) || app.views.http_plain {
        return false;
    }
    let Some(index) = crate::app::views::connection::picked_index(app) else {
        return false;
    };
    app.session
        .streams
        .list
        .get(index)
        .is_some_and(|c| http::carries_http(&c.up.bytes, &c.down.bytes))
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
            T::TRUNCATED.get(lang),
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

#[cfg(test)]
mod tests;
