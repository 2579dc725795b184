//! The client panel in a short window (issue 24): what a class watches —
//! the target, the message, Send and the answer (and a burst's summary) —
//! and "More" for the rest.

use egui::RichText;

use crate::app::format;
use crate::app::i18n::{self, T, fill};
use crate::app::layout::LayoutCommand;
use crate::app::style::text_width;
use crate::app::{Command, Outcome, UdpLabApp};

pub fn compact_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, commands: &mut Vec<Command>) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    crate::app::style::panel_frame(ui)
        .inner_margin(6.0)
        .show(ui, |ui| {
            ui.set_min_height(ui.available_height());
            ui.set_max_width(ui.available_width());
            ui.horizontal(|ui| {
                let badge = crate::app::style::replay_text(lang, app.time.time());
                let more_width = text_width(ui, t(T::LayoutMore), egui::TextStyle::Button) + 24.0;
                let heading_width = text_width(ui, t(T::Client), egui::TextStyle::Heading)
                    + 12.0
                    + crate::app::style::protocol_choice_width(ui);
                let badge_width = badge.as_ref().map_or(0.0, |b| {
                    text_width(ui, b, egui::TextStyle::Body) + crate::app::style::BADGE_MARGIN
                });
                let room = ui.available_width();
                let badge_fits = heading_width + badge_width + more_width <= room;
                // Replaying in a narrow column, the badge stands for the heading.
                if badge_fits {
                    ui.label(RichText::new(t(T::Client)).heading().strong());
                }
                // UDP | TCP | HTTP when it fits beside the badge, else one
                // button naming the protocol in use (a click takes the next).
                let choice_fits = badge_fits
                    || crate::app::style::protocol_choice_width(ui) + badge_width + more_width
                        <= room;
                if choice_fits {
                    super::protocol_ui(ui, app, commands);
                } else {
                    let current = app.settings.client_protocol;
                    let idle =
                        !app.client.busy() && !app.tcp.client.busy() && !app.http.client.busy();
                    let button = ui
                        .add_enabled(idle, egui::Button::new(current.name()).selected(true))
                        .on_hover_text(t(T::ProtocolHint))
                        .on_disabled_hover_text(t(T::ProtocolHint));
                    if button.clicked() {
                        commands.push(Command::SetClientProtocol(current.next()));
                    }
                }
                crate::app::style::replay_badge_ui(ui, lang, app.time.time(), false);
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let more = ui
                        .button(t(T::LayoutMore))
                        .on_hover_text(t(T::LayoutMoreHint));
                    if more.clicked() {
                        commands.push(Command::Layout(LayoutCommand::Unfold(true)));
                    }
                });
            });
            if app.settings.client_protocol == crate::net::Protocol::Http {
                return super::http::compact_body_ui(ui, app, commands);
            }
            let busy = app.client.busy() || app.tcp.client.busy();
            ui.horizontal(|ui| {
                let send_width = text_width(ui, t(T::Send), egui::TextStyle::Button)
                    + 2.0 * ui.spacing().button_padding.x;
                let fields = ui.available_width() - send_width - 3.0 * ui.spacing().item_spacing.x;
                let target = ui
                    .add(
                        egui::TextEdit::singleline(&mut app.settings.target)
                            .desired_width((fields * 0.55).max(60.0)),
                    )
                    .accessible_name(t(T::Target))
                    .on_hover_text(t(T::Target));
                if target.changed() {
                    app.client.target_error = None;
                }
                let message = ui
                    .add(
                        egui::TextEdit::singleline(&mut app.settings.message)
                            .desired_width((fields * 0.45).max(60.0)),
                    )
                    .accessible_name(t(T::Message))
                    .on_hover_text(t(T::Message));
                let enter = message.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let send =
                    ui.add_enabled(!busy, egui::Button::new(RichText::new(t(T::Send)).strong()));
                if (send.clicked() || enter) && !busy {
                    commands.push(Command::Send);
                }
            });
            if app.settings.client_protocol == crate::net::Protocol::Tcp {
                super::tcp::exchange_ui(ui, app, true);
            } else {
                answer_ui(ui, app);
            }
        });
}

/// The answer (or why there is none) on one line, the burst's summary on
/// the next.
fn answer_ui(ui: &mut egui::Ui, app: &UdpLabApp) {
    let lang = app.lang;
    let error = crate::app::style::error_color(ui);
    let line = |ui: &mut egui::Ui, text: RichText| {
        ui.add(egui::Label::new(text).truncate());
    };
    if let Some(e) = app.client.target_error.as_ref() {
        line(ui, RichText::new(i18n::addr_error(lang, e)).color(error));
    } else if let Some(e) = app.client.message_error.as_ref() {
        line(ui, RichText::new(i18n::encode_error(lang, e)).color(error));
    } else {
        match &app.client.outcome {
            None if app.client.send_cancelled => line(
                ui,
                RichText::new(T::SendCancelled.get(lang))
                    .color(crate::app::style::warn_color(ui))
                    .italics(),
            ),
            None => {}
            Some(Outcome::Waiting) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(T::Sending.get(lang));
                });
            }
            Some(Outcome::Response { bytes, rtt, .. }) => {
                let text = format::decoded_text(bytes, app.settings.client_encoding, 60);
                let response = fill(T::ResponseFromServer.get(lang), &[("text", &text)]);
                ui.add(
                    egui::Label::new(
                        RichText::new(response)
                            .strong()
                            .color(crate::app::style::ok_color(ui)),
                    )
                    .truncate(),
                )
                .on_hover_text(format::rtt(*rtt, lang));
            }
            Some(Outcome::Failed(e)) => {
                line(ui, RichText::new(i18n::net_error(lang, e)).color(error))
            }
        }
    }
    let stats = &app.client.stats;
    if app.client.requested > 1 || stats.sent > 1 {
        let summary = fill(
            T::BurstSummary.get(lang),
            &[
                ("sent", &stats.sent),
                ("requested", &app.client.requested),
                ("answered", &stats.answered),
                ("lost", &stats.lost()),
                ("percent", &format::percent(stats.loss_percent(), lang)),
            ],
        );
        line(ui, RichText::new(summary));
    }
}
