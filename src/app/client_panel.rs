//! The client panel: target, message, Send (or Enter), timeout, the answer
//! in the lab's words, and a short history.

use egui::RichText;

use super::format;
use super::i18n::{self, T, fill};
use super::{Command, Outcome, UdpLabApp};
use crate::net;

/// `fill`: stretch to the full height (side by side) rather than fit (stacked).
pub fn client_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, commands: &mut Vec<Command>, fill: bool) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    super::panel_frame(ui).show(ui, |ui| {
        if fill {
            ui.set_min_height(ui.available_height());
        }
        ui.heading(RichText::new(t(T::Client)).strong());
        ui.separator();
        let busy = app.client.busy();
        egui::Grid::new("client_settings")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let label = ui.label(t(T::Target));
                let field = ui
                    .add(egui::TextEdit::singleline(&mut app.settings.target).desired_width(200.0));
                if field.labelled_by(label.id).changed() {
                    app.client.target_error = None;
                }
                ui.end_row();
                if let Some(e) = &app.client.target_error {
                    ui.label("");
                    ui.colored_label(super::error_color(ui), i18n::addr_error(lang, e));
                    ui.end_row();
                }

                let label = ui.label(t(T::Message));
                ui.horizontal(|ui| {
                    let field = ui.add(
                        egui::TextEdit::singleline(&mut app.settings.message).desired_width(200.0),
                    );
                    let field = field.labelled_by(label.id);
                    let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    let send = ui
                        .add_enabled(!busy, egui::Button::new(RichText::new(t(T::Send)).strong()));
                    if (send.clicked() || enter) && !busy {
                        commands.push(Command::Send);
                    }
                });
                ui.end_row();

                let label = ui.label(t(T::Timeout));
                ui.horizontal(|ui| {
                    ui.add(
                        egui::DragValue::new(&mut app.settings.timeout_secs)
                            .range(0.01..=600.0)
                            .speed(0.05)
                            .max_decimals(2),
                    )
                    .labelled_by(label.id);
                    ui.label(t(T::Seconds));
                });
                ui.end_row();

                let label = ui.label(t(T::BufferSize));
                ui.horizontal(|ui| {
                    ui.add(
                        egui::DragValue::new(&mut app.settings.client_buffer)
                            .range(1..=net::MAX_DATAGRAM + 1),
                    )
                    .labelled_by(label.id);
                    ui.label(t(T::Bytes));
                });
                ui.end_row();
            });
        ui.separator();
        outcome_ui(ui, app);
        ui.separator();
        history_ui(ui, app);
    });
}

fn outcome_ui(ui: &mut egui::Ui, app: &UdpLabApp) {
    let lang = app.lang;
    match &app.client.outcome {
        None => {
            ui.label(RichText::new(" ").size(18.0));
        }
        Some(Outcome::Waiting) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(T::Sending.get(lang));
            });
        }
        Some(Outcome::Response {
            from,
            bytes,
            truncated,
            len,
            rtt,
        }) => {
            let text = format::payload_text(bytes, 500);
            ui.label(
                RichText::new(fill(T::ResponseFromServer.get(lang), &[("text", &text)]))
                    .size(18.0)
                    .strong()
                    .color(super::ok_color(ui)),
            );
            ui.label(fill(
                T::ResponseDetails.get(lang),
                &[("from", from), ("rtt", &format::rtt(*rtt))],
            ));
            if *truncated {
                ui.colored_label(
                    super::error_color(ui),
                    fill(
                        T::Truncated.get(lang),
                        &[("read", &bytes.len()), ("len", len)],
                    ),
                );
            }
        }
        Some(Outcome::Failed(e)) => {
            ui.label(
                RichText::new(i18n::net_error(lang, e))
                    .size(16.0)
                    .color(super::error_color(ui)),
            );
        }
    }
}

fn history_ui(ui: &mut egui::Ui, app: &UdpLabApp) {
    let lang = app.lang;
    let weak = ui.visuals().weak_text_color();
    ui.label(RichText::new(T::History.get(lang)).strong());
    if app.client.history.is_empty() {
        ui.label(
            RichText::new(T::NoExchangesYet.get(lang))
                .color(weak)
                .italics(),
        );
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("history")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for row in app.client.history.iter().rev() {
                ui.horizontal(|ui| {
                    ui.label(RichText::new(format::clock(row.at)).monospace().color(weak));
                    ui.label(format!(
                        "→ {}  \"{}\"",
                        row.to,
                        format::payload_text(&row.sent, 40)
                    ));
                    let (text, color) = match &row.outcome {
                        Outcome::Waiting => ("…".to_owned(), weak),
                        Outcome::Response { bytes, rtt, .. } => (
                            format!(
                                "← \"{}\"  {}",
                                format::payload_text(bytes, 40),
                                format::rtt(*rtt)
                            ),
                            super::ok_color(ui),
                        ),
                        Outcome::Failed(net::NetError::TimedOut { .. }) => (
                            format!("✗ {}", T::HistoryTimedOut.get(lang)),
                            super::error_color(ui),
                        ),
                        Outcome::Failed(e) => (
                            format!("✗ {}", i18n::net_error(lang, e)),
                            super::error_color(ui),
                        ),
                    };
                    ui.add(egui::Label::new(RichText::new(text).color(color)).truncate());
                });
            }
        });
}
