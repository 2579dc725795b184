//! The client panel's classroom row (issue 15): Broadcast, the encoding,
//! "Find servers", and who answered.

use egui::RichText;

use crate::app::format;
use crate::app::i18n::{self, T, fill};
use crate::app::{Command, UdpLabApp};
use crate::net;

/// Issue 15: the Broadcast switch, the encoding and "Find servers".
pub(super) fn classroom_row_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    commands: &mut Vec<Command>,
) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    ui.checkbox(&mut app.settings.broadcast, t(T::Broadcast))
        .on_hover_text(t(T::BroadcastHint));
    crate::app::format::encoding_picker_ui(
        ui,
        "client_encoding",
        &mut app.settings.client_encoding,
        lang,
        true,
    );
    let find = ui
        .add_enabled(!app.client.finding, egui::Button::new(t(T::FindServers)))
        .on_hover_text(t(T::FindServersHint));
    if find.clicked() {
        commands.push(Command::FindServers);
    }
}

/// Every server that answered a broadcast or multicast Send, one row each.
pub(super) fn responders_ui(ui: &mut egui::Ui, app: &UdpLabApp) {
    let client = &app.client;
    if !client.collecting || client.responders.is_empty() {
        return;
    }
    let lang = app.lang;
    ui.label(
        RichText::new(fill(
            T::BroadcastAnswers.get(lang),
            &[("count", &client.responders.len())],
        ))
        .strong(),
    );
    egui::ScrollArea::vertical()
        .id_salt("responders")
        .max_height(120.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for r in &client.responders {
                ui.add(
                    egui::Label::new(
                        RichText::new(format!(
                            "{}  {}  {}",
                            r.from,
                            format::rtt(r.rtt, lang),
                            format::decoded_text(&r.bytes, app.settings.client_encoding, 60)
                        ))
                        .monospace(),
                    )
                    .truncate(),
                );
            }
        });
}

/// "Find servers": running, nobody, or a row per server with "Use as target".
pub(super) fn found_ui(ui: &mut egui::Ui, app: &UdpLabApp, commands: &mut Vec<Command>) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    if app.client.finding {
        let port =
            net::parse_addr(&app.settings.target, true).map_or(net::DEFAULT_PORT, |a| a.port);
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(fill(t(T::FindingServers), &[("port", &port)]));
        });
        return;
    }
    let Some((port, result)) = &app.client.found else {
        return;
    };
    ui.separator();
    match result {
        Err(e) => {
            ui.colored_label(crate::app::style::error_color(ui), i18n::net_error(lang, e));
        }
        Ok(found) if found.is_empty() => {
            ui.colored_label(
                crate::app::style::warn_color(ui),
                fill(
                    t(T::FindNoneHere),
                    &[
                        ("port", port),
                        ("secs", &i18n::secs(lang, app.settings.timeout())),
                    ],
                ),
            );
        }
        Ok(found) => {
            ui.label(
                RichText::new(fill(
                    t(T::FindFound),
                    &[("count", &found.len()), ("port", port)],
                ))
                .strong(),
            );
            for server in found {
                ui.horizontal(|ui| {
                    let use_it = ui
                        .button(t(T::UseAsTarget))
                        .on_hover_text(fill(t(T::UseAsTargetName), &[("addr", &server.from)]));
                    if use_it.clicked() {
                        commands.push(Command::UseAsTarget(server.from));
                    }
                    ui.add(
                        egui::Label::new(
                            RichText::new(format!(
                                "{}  {}  {}",
                                server.from,
                                format::rtt(server.rtt, lang),
                                format::decoded_text(
                                    &server.reply,
                                    app.settings.client_encoding,
                                    40
                                )
                            ))
                            .monospace(),
                        )
                        .truncate(),
                    );
                });
            }
        }
    }
}
