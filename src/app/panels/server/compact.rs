//! The server panel in a short window (issue 24): what a class watches —
//! the status, the bind address with Start/Stop, the newest datagrams — and
//! "More" for the rest.

use egui::RichText;

use super::{bind_choices_ui, row_ui, status_ui};
use crate::app::format;
use crate::app::layout::LayoutCommand;
use crate::app::{Command, ServerStatus, T, UdpLabApp};

pub fn compact_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, commands: &mut Vec<Command>) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let status = app.server.status();
    crate::app::style::panel_frame(ui)
        .inner_margin(6.0)
        .show(ui, |ui| {
            ui.set_min_height(ui.available_height());
            ui.set_max_width(ui.available_width());
            let running = !matches!(status, ServerStatus::Stopped | ServerStatus::Failed(_));
            // UDP | TCP beside the heading when the status leaves room,
            // else first on the bind row (a projector's narrow column).
            let choice_beside = super::text_width(ui, t(T::Server), egui::TextStyle::Heading)
                + crate::app::style::protocol_choice_width(ui)
                + super::text_width(
                    ui,
                    &super::status_text(lang, &status),
                    egui::TextStyle::Body,
                )
                + 40.0
                <= ui.available_width();
            ui.horizontal(|ui| {
                ui.label(RichText::new(t(T::Server)).heading().strong());
                if choice_beside {
                    super::protocol_ui(ui, app, commands, !running);
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    status_ui(ui, app, &status);
                });
            });
            ui.horizontal(|ui| {
                if !choice_beside {
                    // One button with the protocol in use; a click takes the other.
                    let current = app.settings.server_protocol;
                    let other = current.next();
                    let button = ui
                        .add_enabled(!running, egui::Button::new(current.name()).selected(true))
                        .on_hover_text(t(T::ProtocolHint))
                        .on_disabled_hover_text(t(T::ProtocolHint));
                    if button.clicked() {
                        commands.push(Command::SetServerProtocol(other));
                    }
                }
                let more = t(T::LayoutMore);
                let button = 2.0 * ui.spacing().button_padding.x + ui.spacing().item_spacing.x;
                let others = super::text_width(ui, t(T::Stop), egui::TextStyle::Button)
                    + super::text_width(ui, more, egui::TextStyle::Button)
                    + 24.0
                    + 3.0 * button;
                let least = if choice_beside { 80.0 } else { 56.0 };
                let width = (ui.available_width() - others).clamp(least, 180.0);
                let http = app.settings.server_protocol == crate::net::Protocol::Http;
                let bind = if http {
                    &mut app.settings.http_bind
                } else {
                    &mut app.settings.bind
                };
                let field = ui
                    .add_enabled(
                        !running,
                        egui::TextEdit::singleline(bind).desired_width(width),
                    )
                    .accessible_name(t(T::BindAddress))
                    .on_hover_text(t(T::BindAddress));
                if field.changed() {
                    app.server.bind_error = None;
                }
                super::start_stop_ui(ui, lang, &status, &field, commands);
                if !http {
                    bind_choices_ui(ui, app, commands, !running);
                }
                more_button(ui, app, commands);
            });
            // Folded or not, a Start that could not bind says why here.
            let (field, join_error): (fn(&mut crate::app::Settings) -> &mut String, _) =
                match app.settings.server_protocol {
                    crate::net::Protocol::Http => (|s| &mut s.http_bind, None),
                    crate::net::Protocol::Tcp => (|s| &mut s.bind, None),
                    crate::net::Protocol::Udp => (
                        |s| &mut s.bind,
                        app.server.join_error.as_ref().map(|e| e.text(lang)),
                    ),
                };
            for (text, color) in super::bind_messages(ui, app, field, join_error) {
                ui.add(egui::Label::new(RichText::new(text).color(color)).wrap());
            }
            if app.settings.server_protocol == crate::net::Protocol::Tcp {
                super::tcp::newest_connections_ui(ui, app);
            } else if app.settings.server_protocol == crate::net::Protocol::Http {
                super::http::newest_requests_ui(ui, app, commands);
            } else {
                newest_rows_ui(ui, app);
            }
        });
}

/// "More ▾": both panels' full form.
fn more_button(ui: &mut egui::Ui, app: &UdpLabApp, commands: &mut Vec<Command>) {
    let more = ui
        .button(app.t(T::LayoutMore))
        .on_hover_text(app.t(T::LayoutMoreHint));
    if more.clicked() {
        commands.push(Command::Layout(LayoutCommand::Unfold(true)));
    }
}

/// As many of the newest datagrams (up to the time cursor) as fit.
fn newest_rows_ui(ui: &mut egui::Ui, app: &UdpLabApp) {
    let lang = app.lang;
    let rows = &app.server.rows;
    let shown = match app.time.time() {
        Some(t) => rows.partition_point(|r| r.rx.at <= t),
        None => rows.len(),
    };
    let weak = ui.visuals().weak_text_color();
    if shown == 0 {
        let empty = if matches!(app.server.status(), ServerStatus::Listening(_)) {
            T::WaitingForFirst
        } else {
            T::NoDatagramsYet
        };
        ui.label(RichText::new(empty.get(lang)).color(weak).italics());
        return;
    }
    let row_height = ui.text_style_height(&egui::TextStyle::Body);
    let pitch = row_height + ui.spacing().item_spacing.y;
    let fit = ((ui.available_height() + ui.spacing().item_spacing.y) / pitch).floor() as usize;
    let from = shown - fit.clamp(1, shown);
    let encoding = app.settings.server_encoding;
    // Cut at the column's edge: the row's fixed columns never widen the
    // panel over its neighbour (its text is truncated, its tooltip whole).
    let rect = ui.available_rect_before_wrap();
    let mut rows_ui = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    rows_ui.set_clip_rect(rect.intersect(ui.clip_rect()));
    for row in rows.range(from..shown) {
        if rect.width() >= FULL_ROW_WIDTH {
            row_ui(&mut rows_ui, lang, row, row_height, encoding);
        } else {
            short_row_ui(&mut rows_ui, lang, row, encoding);
        }
    }
    ui.advance_cursor_after_rect(rect);
}

/// From this width a row has all its columns (time, source, length, text).
const FULL_ROW_WIDTH: f32 = 420.0;

/// A narrow column's row: the time, the source and the text (what a class
/// reads), without the length column.
fn short_row_ui(
    ui: &mut egui::Ui,
    lang: crate::app::Lang,
    row: &crate::app::IncomingRow,
    encoding: format::Encoding,
) {
    let rx = &row.rx;
    let text = if encoding == format::Encoding::Utf8 {
        format::payload_line(&rx.bytes, 200, 16, lang)
    } else {
        format::decoded_text(&rx.bytes, encoding, 200)
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(format::clock(rx.at)).monospace());
        ui.label(rx.from.to_string());
        ui.add(egui::Label::new(RichText::new(text).monospace()).truncate());
    });
}
