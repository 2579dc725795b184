//! Issue 27: the client panel with TCP chosen — target, message, Send,
//! the message in N pieces D ms apart (the lever that shows a stream
//! joining or splitting them), `shutdown(SHUT_WR)`, and what came back or
//! why nothing did, in plain words.

use egui::RichText;

use crate::app::format;
use crate::app::i18n::{self, T, fill};
use crate::app::tcp::TcpExchange;
use crate::app::{Command, UdpLabApp};

pub(super) fn tcp_body_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, commands: &mut Vec<Command>) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let width = ui.available_width();
    let busy = app.tcp.client.busy() || app.client.busy();
    egui::Grid::new("tcp_client_settings")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let label = ui.label(t(T::Target));
            let field = ui.add(
                egui::TextEdit::singleline(&mut app.settings.target)
                    .desired_width(ui.available_width().clamp(110.0, 200.0)),
            );
            if field.labelled_by(label.id).changed() {
                app.client.target_error = None;
            }
            ui.end_row();

            let label = ui.label(t(T::Message));
            ui.horizontal(|ui| {
                let width = (ui.available_width() - 90.0).clamp(110.0, 200.0);
                let field = ui.add(
                    egui::TextEdit::singleline(&mut app.settings.message).desired_width(width),
                );
                let field = field.labelled_by(label.id);
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let send =
                    ui.add_enabled(!busy, egui::Button::new(RichText::new(t(T::Send)).strong()));
                if (send.clicked() || enter) && !busy {
                    commands.push(Command::Send);
                }
            });
            ui.end_row();

            let label = ui.label(t(T::TcpPieces));
            ui.horizontal_wrapped(|ui| {
                ui.add(egui::DragValue::new(&mut app.settings.tcp_pieces).range(1..=1000))
                    .labelled_by(label.id)
                    .on_hover_text(t(T::TcpPiecesHint));
                ui.label(t(T::TcpPiecesUnit));
                let delay = ui.add(
                    egui::DragValue::new(&mut app.settings.tcp_piece_delay_ms)
                        .range(0..=60_000)
                        .speed(5.0),
                );
                let unit = ui
                    .label(t(T::TcpPieceDelay))
                    .on_hover_text(t(T::TcpPiecesHint));
                delay.labelled_by(unit.id);
            });
            ui.end_row();

            let label = ui.label(t(T::Timeout));
            ui.horizontal_wrapped(|ui| {
                super::timeout_drag_ui(ui, app, label.id);
                ui.add_space(12.0);
                let label = ui.label(t(T::BufferSize));
                ui.add(egui::DragValue::new(&mut app.settings.client_buffer).range(1..=1 << 20))
                    .labelled_by(label.id);
                ui.label(t(T::Bytes));
            });
            ui.end_row();

            ui.label("");
            ui.checkbox(&mut app.settings.tcp_shutdown, t(T::TcpShutdown))
                .on_hover_text(t(T::TcpShutdownHint));
            ui.end_row();
        });
    if !app.settings.network.is_off() {
        crate::app::style::simulator_note_ui(ui, lang, width, crate::net::Protocol::Tcp);
    }
    ui.separator();
    ui.scope(|ui| {
        ui.set_max_width(width);
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
        exchange_ui(ui, app, false);
    });
}

/// The latest exchange: connecting, the answer, and how it ended — or the
/// error in plain words. `short`: one line each (the folded panel).
pub(super) fn exchange_ui(ui: &mut egui::Ui, app: &UdpLabApp, short: bool) {
    let lang = app.lang;
    let error = crate::app::style::error_color(ui);
    let line = |ui: &mut egui::Ui, text: RichText| {
        if short {
            ui.add(egui::Label::new(text).truncate());
        } else {
            ui.label(text);
        }
    };
    if let Some(e) = app.client.target_error.as_ref() {
        return line(ui, RichText::new(i18n::addr_error(lang, e)).color(error));
    }
    if let Some(e) = app.client.message_error.as_ref() {
        return line(ui, RichText::new(i18n::encode_error(lang, e)).color(error));
    }
    let Some(ex) = &app.tcp.client.exchange else {
        if app.client.send_cancelled {
            line(
                ui,
                RichText::new(T::SendCancelled.get(lang))
                    .color(crate::app::style::warn_color(ui))
                    .italics(),
            );
        }
        return;
    };
    if !ex.closed && ex.connected.is_none() && ex.error.is_none() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(T::TcpConnecting.get(lang));
        });
        return;
    }
    if !ex.answer.is_empty() {
        let text = format::decoded_text(&ex.answer, app.settings.client_encoding, 200);
        line(
            ui,
            RichText::new(fill(T::ResponseFromServer.get(lang), &[("text", &text)]))
                .size(if short { 14.0 } else { 18.0 })
                .strong()
                .color(crate::app::style::ok_color(ui)),
        );
    }
    if !ex.closed {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(T::Sending.get(lang));
        });
    }
    if let Some(e) = &ex.error {
        line(ui, RichText::new(i18n::net_error(lang, e)).color(error));
    } else if ex.closed {
        summary_ui(ui, lang, ex, short);
    }
}

/// How the connection ended: bytes each way, b'' or the timeout.
fn summary_ui(ui: &mut egui::Ui, lang: crate::app::Lang, ex: &TcpExchange, short: bool) {
    let weak = ui.visuals().weak_text_color();
    if ex.read == 0 && ex.connected.is_some() {
        ui.label(RichText::new(T::TcpNoReply.get(lang)).color(weak));
    }
    if short {
        return;
    }
    ui.label(
        RichText::new(fill(
            T::TcpClientClosed.get(lang),
            &[("sent", &ex.sent), ("read", &ex.read)],
        ))
        .color(weak),
    );
    if ex.peer_closed {
        ui.label(
            RichText::new(T::TcpEofMark.get(lang))
                .color(weak)
                .monospace(),
        );
    }
}
