//! The server panel's list of incoming datagrams: its heading, filter,
//! pause and arrival rate, and one row per datagram (also used by the
//! folded panel).

use egui::RichText;

use crate::app::format;
use crate::app::i18n::{self, T, fill};
use crate::app::style::text_width;
use crate::app::{Command, ServerStatus, UdpLabApp};
use crate::net::Reply;

/// Wide enough for "[ffff:…]:65535"-style sources without jumping.
const COL_TIME: f32 = 92.0;
const COL_FROM: f32 = 150.0;
const COL_LEN: f32 = 56.0;

/// `badge`: the Replaying badge goes beside the list's heading.
pub(super) fn incoming_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    commands: &mut Vec<Command>,
    rate: u64,
    badge: bool,
) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let listening = matches!(app.server.status(), ServerStatus::Listening(_));
    let server = &mut app.server;
    let heading = t(T::Incoming);
    let total_text = fill(t(T::ReceivedTotal), &[("total", &server.total)]);
    // The window's one pause: the list stops at the cursor's time; the
    // rows that came after it are kept (within the list's bound) and
    // counted where the rate stands.
    let shown = match app.time.time() {
        Some(t) => server.rows.partition_point(|r| r.rx.at <= t),
        None => server.rows.len(),
    };
    let paused = !app.time.is_live();
    let rate_text = if paused {
        fill(t(T::PausedNew), &[("count", &(server.rows.len() - shown))])
    } else {
        fill(t(T::RatePerSecond), &[("rate", &rate)])
    };
    let show_rate = listening || paused;
    // The controls stand right of the heading when all fit on one row
    // (a longer language, a narrow column: on the row below, never over it).
    let needed = {
        let text_width = |text: &str, style| text_width(ui, text, style);
        let button = 2.0 * ui.spacing().button_padding.x;
        let gap = ui.spacing().item_spacing.x;
        text_width(heading, egui::TextStyle::Body) * 1.1
            + text_width(&total_text, egui::TextStyle::Body)
            + if show_rate {
                text_width(&rate_text, egui::TextStyle::Body)
            } else {
                0.0
            }
            + text_width(t(T::Clear), egui::TextStyle::Button)
            + text_width(t(T::FilterIncoming), egui::TextStyle::Button)
            + 2.0 * button
            + 5.0 * gap
            + 8.0
    };
    let one_row = needed <= ui.available_width();
    if !one_row || badge {
        ui.horizontal(|ui| {
            ui.label(RichText::new(heading).strong());
            if badge {
                crate::app::style::replay_badge_ui(ui, lang, app.time.time(), true);
            }
        });
    }
    ui.horizontal(|ui| {
        if one_row && !badge {
            ui.label(RichText::new(heading).strong());
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .add_enabled(!server.rows.is_empty(), egui::Button::new(t(T::Clear)))
                .clicked()
            {
                commands.push(Command::ClearIncoming);
            }
            // The filter's field takes a row only while it is open, so the
            // list keeps its room on a projector.
            ui.toggle_value(&mut server.filter_open, t(T::FilterIncoming))
                .on_hover_text(t(T::FilterIncomingHint));
            ui.label(total_text);
            if paused {
                ui.label(RichText::new(rate_text).color(crate::app::style::warn_color(ui)));
            } else if show_rate {
                ui.label(rate_text);
            }
        });
    });
    let weak = ui.visuals().weak_text_color();
    let note = |ui: &mut egui::Ui, text: String| {
        ui.label(RichText::new(text).color(weak).small());
    };
    if server.rate_limited > 0 {
        note(
            ui,
            fill(t(T::RepliesHeldBack), &[("count", &server.rate_limited)]),
        );
    }
    if server.rows_dropped > 0 {
        note(
            ui,
            fill(t(T::RowsDropped), &[("count", &server.rows_dropped)]),
        );
    }
    let events_dropped = app.events_dropped();
    if events_dropped > 0 {
        note(ui, fill(t(T::EventsDropped), &[("count", &events_dropped)]));
    }

    ui.horizontal(|ui| {
        for (key, width) in [
            (T::ColTime, COL_TIME),
            (T::ColFrom, COL_FROM),
            (T::ColLength, COL_LEN),
        ] {
            crate::app::style::cell(
                ui,
                width,
                16.0,
                egui::Label::new(RichText::new(t(key)).color(weak)),
            );
        }
        ui.label(RichText::new(t(T::ColText)).color(weak));
    });
    if app.server.filter_open {
        ui.horizontal(|ui| {
            let label = ui.label(t(T::FilterContains));
            ui.add(egui::TextEdit::singleline(&mut app.server.filter).desired_width(160.0))
                .labelled_by(label.id)
                .on_hover_text(t(T::FilterIncomingHint));
        });
    } else {
        app.server.filter.clear();
    }
    if shown == 0 {
        ui.add_space(12.0);
        let empty = if matches!(app.server.status(), crate::app::ServerStatus::Listening(_)) {
            T::WaitingForFirst
        } else {
            T::NoDatagramsYet
        };
        ui.label(RichText::new(t(empty)).color(weak).italics());
        return;
    }
    // The rows up to the time cursor (`shown`), filtered.
    let encoding = app.settings.server_encoding;
    let upto = shown;
    let visible = app.server.filtered(upto, encoding);
    let rows = &app.server.rows;
    if let Some(visible) = &visible {
        ui.label(
            RichText::new(fill(
                t(T::FilterShowing),
                &[("shown", &visible.len()), ("total", &upto)],
            ))
            .color(weak)
            .small(),
        );
    }
    let count = visible.as_ref().map_or(upto, Vec::len);
    let row_height = ui.text_style_height(&egui::TextStyle::Body);
    // Only the visible rows are laid out, however many are kept. Paused,
    // the list grows only as the cursor moves on, so sticking to its end
    // follows the cursor; live again, a fresh scroll state starts at the
    // newest row.
    egui::ScrollArea::vertical()
        .id_salt(("incoming", app.time.is_live()))
        .auto_shrink([false, false])
        .stick_to_bottom(true)
        .show_rows(ui, row_height, count, |ui, range| match &visible {
            Some(visible) => {
                for &i in &visible[range] {
                    row_ui(ui, lang, &rows[i], row_height, encoding);
                }
            }
            None => {
                for row in rows.range(range) {
                    row_ui(ui, lang, row, row_height, encoding);
                }
            }
        });
}

pub(super) fn row_ui(
    ui: &mut egui::Ui,
    lang: crate::app::Lang,
    row: &crate::app::IncomingRow,
    height: f32,
    encoding: format::Encoding,
) {
    let rx = &row.rx;
    ui.horizontal(|ui| {
        crate::app::style::cell(
            ui,
            COL_TIME,
            height,
            egui::Label::new(RichText::new(format::clock(rx.at)).monospace()),
        );
        crate::app::style::cell(
            ui,
            COL_FROM,
            height,
            egui::Label::new(rx.from.to_string()).truncate(),
        );
        let len = if rx.truncated {
            RichText::new(format!("{}!", rx.len)).color(crate::app::style::error_color(ui))
        } else {
            RichText::new(rx.len.to_string())
        };
        let len_label = crate::app::style::cell(ui, COL_LEN, height, egui::Label::new(len));
        if rx.truncated {
            len_label.on_hover_text(fill(
                T::TRUNCATED.get(lang),
                &[("read", &rx.bytes.len()), ("len", &rx.len)],
            ));
        }
        // A zero-length datagram is a datagram too: said so, not a blank.
        let text = if encoding == format::Encoding::Utf8 {
            format::payload_line(&rx.bytes, 200, 16, lang)
        } else if rx.bytes.is_empty() {
            T::EmptyDatagram.get(lang).to_owned()
        } else {
            format::decoded_text(&rx.bytes, encoding, 200)
        };
        let reply = match &row.reply {
            Reply::Sent { bytes, .. } => format!("→ {}", format::payload_text(bytes, 40)),
            Reply::NotSent => String::new(),
            Reply::RateLimited => format!("→ ({})", T::RateLimited.get(lang)),
            Reply::Failed { error } => format!("→ {}", i18n::net_error(lang, error)),
        };
        ui.add(egui::Label::new(RichText::new(text).monospace()).truncate())
            .on_hover_text(format!("{}\n{}", format::hex(&rx.bytes, 64), reply));
    });
}
