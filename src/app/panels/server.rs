//! The server panel: bind address, Start/Stop, status, reply, and the list
//! of incoming datagrams, with its arrival rate and a pause for reading.

use std::time::Instant;

use egui::{Color32, RichText};

use crate::app::format;
use crate::app::i18n::{self, T, fill};
use crate::app::tools::this_computer;
use crate::app::{Command, RATE_WINDOW, ReplyKind, ServerStatus, UdpLabApp};
use crate::net;

/// `fill`: stretch to the full height (side by side) rather than fit (stacked).
pub fn server_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, commands: &mut Vec<Command>, fill: bool) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let status = app.server.status();
    crate::app::style::panel_frame(ui).show(ui, |ui| {
        if fill {
            ui.set_min_height(ui.available_height());
        }
        // Replaying, the badge stands beside the heading when it fits
        // there with the status, else beside the incoming list's heading
        // (a projector's narrow column has no row to spare).
        let badge = crate::app::style::replay_text(lang, app.time.time());
        let beside = badge.as_ref().is_some_and(|badge| {
            let needed = text_width(ui, t(T::Server), egui::TextStyle::Heading)
                + text_width(ui, badge, egui::TextStyle::Body)
                + crate::app::style::BADGE_MARGIN
                + text_width(ui, &status_text(lang, &status), egui::TextStyle::Body)
                + crate::app::style::protocol_choice_width(ui)
                + 40.0;
            needed <= ui.available_width()
        });
        // The status is never cut: when the heading's row has no room for
        // it beside the choice, it takes a row of its own.
        let status_beside = text_width(ui, t(T::Server), egui::TextStyle::Heading)
            + crate::app::style::protocol_choice_width(ui)
            + text_width(ui, &status_text(lang, &status), egui::TextStyle::Body)
            + 40.0
            <= ui.available_width();
        let running = !matches!(status, ServerStatus::Stopped | ServerStatus::Failed(_));
        ui.horizontal(|ui| {
            ui.heading(RichText::new(t(T::Server)).strong());
            protocol_ui(ui, app, commands, !running);
            if beside {
                crate::app::style::replay_badge_ui(ui, lang, app.time.time(), false);
            }
            if status_beside {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    status_ui(ui, app, &status);
                });
            }
        });
        if !status_beside {
            ui.horizontal_wrapped(|ui| status_ui(ui, app, &status));
        }
        ui.separator();
        if app.settings.server_protocol == net::Protocol::Tcp {
            tcp::tcp_body_ui(ui, app, commands, fill, &status);
            return;
        }
        if app.settings.server_protocol == net::Protocol::Http {
            http::http_body_ui(ui, app, commands, fill, &status);
            return;
        }
        // The column's width, before a row too wide for it widens the panel.
        let width = ui.available_width();

        // Messages under the bind field wrap within the panel rather than
        // widen the grid (a grid cell would grow to the longest line).
        let message_width = (ui.available_width() - 130.0).max(160.0);
        // The encoding beside the reply text, without its word where both
        // would not fit (Russian's longer words in a half-window column).
        let compact_encoding = width < ENCODING_LABEL_WIDTH;
        egui::Grid::new("server_settings")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let join_error = app.server.join_error.as_ref().map(|e| e.text(lang));
                let rows = BindRows {
                    status: &status,
                    message_width,
                    field: |s| &mut s.bind,
                    choices: true,
                    first_error: join_error,
                };
                bind_rows_ui(ui, app, commands, rows);

                ui.label(t(T::Reply));
                ui.horizontal(|ui| {
                    let before = app.settings.reply;
                    for (kind, key) in [
                        (ReplyKind::Fixed, T::ReplyFixed),
                        (ReplyKind::Echo, T::ReplyEcho),
                        (ReplyKind::None, T::ReplyNone),
                    ] {
                        ui.radio_value(&mut app.settings.reply, kind, t(key));
                    }
                    if app.settings.reply != before {
                        commands.push(Command::UpdateServer);
                    }
                });
                ui.end_row();

                let label = ui.label(t(T::ReplyText));
                ui.horizontal(|ui| {
                    let field = ui.add_enabled(
                        app.settings.reply == ReplyKind::Fixed,
                        egui::TextEdit::singleline(&mut app.settings.reply_text)
                            .desired_width((ui.available_width() - 160.0).clamp(90.0, 240.0)),
                    );
                    if field.labelled_by(label.id).changed() {
                        commands.push(Command::UpdateServer);
                    }
                    if crate::app::format::encoding_picker_ui(
                        ui,
                        "server_encoding",
                        &mut app.settings.server_encoding,
                        lang,
                        !compact_encoding,
                    ) {
                        commands.push(Command::UpdateServer);
                    }
                });
                ui.end_row();
                if app.settings.reply == ReplyKind::Fixed
                    && let Err(e) = app
                        .settings
                        .server_encoding
                        .encode(&app.settings.reply_text)
                {
                    ui.label("");
                    let text = i18n::fill(
                        t(T::ReplyNotEncodable),
                        &[("reason", &i18n::encode_error(lang, &e))],
                    );
                    let warn = crate::app::style::warn_color(ui);
                    wrapped_label(ui, message_width, text, warn);
                    ui.end_row();
                }

                // The rate limit shares the buffer's row: a short window
                // leaves the incoming list room for more rows.
                let label = ui.label(t(T::BufferSize));
                let limit_ui =
                    |ui: &mut egui::Ui, app: &mut UdpLabApp, commands: &mut Vec<Command>| {
                        let on = ui
                            .checkbox(&mut app.settings.limit_replies, t(T::LimitRepliesTo))
                            .on_hover_text(t(T::ReplyLimitHint));
                        let value = ui.add_enabled(
                            app.settings.limit_replies,
                            egui::DragValue::new(&mut app.settings.reply_rate_limit)
                                .range(1..=1_000_000)
                                .speed(1.0),
                        );
                        let unit = ui
                            .label(t(T::RepliesPerSecond))
                            .on_hover_text(t(T::ReplyLimitHint));
                        if on.changed() || value.labelled_by(unit.id).changed() {
                            commands.push(Command::UpdateServer);
                        }
                    };
                // The limit shares the buffer's row when it fits there; in a
                // narrow column it is one button that opens it.
                let beside = {
                    let texts = [
                        t(T::BufferSize),
                        t(T::Bytes),
                        t(T::LimitRepliesTo),
                        t(T::RepliesPerSecond),
                    ];
                    let words: f32 = texts
                        .iter()
                        .map(|text| text_width(ui, text, egui::TextStyle::Body))
                        .sum();
                    // Two numbers, the checkbox, the separator and the gaps.
                    words + 2.0 * 60.0 + 30.0 + 8.0 * ui.spacing().item_spacing.x <= width
                };
                ui.horizontal(|ui| {
                    let r = ui.add(
                        egui::DragValue::new(&mut app.settings.server_buffer)
                            .range(1..=net::MAX_DATAGRAM + 1)
                            .speed(8.0),
                    );
                    if r.labelled_by(label.id).changed() {
                        commands.push(Command::UpdateServer);
                    }
                    ui.label(t(T::Bytes));
                    ui.separator();
                    if beside {
                        limit_ui(ui, app, commands);
                    } else {
                        let caption = if app.settings.limit_replies {
                            i18n::fill(
                                t(T::LimitShortOn),
                                &[("rate", &app.settings.reply_rate_limit)],
                            )
                        } else {
                            t(T::LimitShort).to_owned()
                        };
                        ui.menu_button(caption, |ui| {
                            ui.horizontal(|ui| limit_ui(ui, app, commands));
                        })
                        .response
                        .on_hover_text(t(T::ReplyLimitHint));
                    }
                });

                ui.end_row();
            });

        ui.separator();
        let source = app.server.handle.as_ref().map(|h| (h.id, h.received()));
        let rate = app.server.view.rate.update(source, Instant::now());
        if rate > 0 {
            // Traffic drives the repaints; this one lets the rate fall to 0
            // when it stops. None while idle: no repaint loop.
            ui.ctx().request_repaint_after(RATE_WINDOW);
        }
        ui.set_max_width(width);
        crate::app::style::list_area_ui(ui, fill, |ui| {
            incoming_ui(ui, app, commands, rate, badge.is_some() && !beside)
        });
    });
}

/// Issue 27: UDP | TCP beside the heading (the full and the folded panel).
fn protocol_ui(ui: &mut egui::Ui, app: &UdpLabApp, commands: &mut Vec<Command>, enabled: bool) {
    let current = app.settings.server_protocol;
    if let Some(picked) = format::protocol_choice_ui(ui, current, app.lang, enabled) {
        commands.push(Command::SetServerProtocol(picked));
    }
}

/// The column width (points) from which the encoding picker has its word.
const ENCODING_LABEL_WIDTH: f32 = 560.0;

/// The status line's words (the focus view's status line shows them too).
pub fn status_text(lang: crate::app::Lang, status: &ServerStatus) -> String {
    match status {
        ServerStatus::Stopped => T::Stopped.get(lang).to_owned(),
        ServerStatus::Starting => T::Starting.get(lang).to_owned(),
        ServerStatus::Stopping => T::Stopping.get(lang).to_owned(),
        ServerStatus::Listening(addr) => fill(
            T::ListeningOn.get(lang),
            &[("ip", &addr.ip()), ("port", &addr.port())],
        ),
        ServerStatus::Failed(e) => i18n::net_error(lang, e),
    }
}

fn status_ui(ui: &mut egui::Ui, app: &UdpLabApp, status: &ServerStatus) {
    let text = status_text(app.lang, status);
    let dot = match status {
        ServerStatus::Stopped => ui.visuals().weak_text_color(),
        ServerStatus::Starting | ServerStatus::Stopping => Color32::from_rgb(220, 160, 0),
        ServerStatus::Listening(_) => crate::app::style::ok_color(ui),
        ServerStatus::Failed(_) => crate::app::style::error_color(ui),
    };
    let color = if matches!(status, ServerStatus::Failed(_)) {
        dot
    } else {
        ui.visuals().text_color()
    };
    ui.label(RichText::new(text).color(color).strong());
    crate::app::style::status_dot(ui, dot);
}

use crate::app::style::text_width;

/// The bind address field of a server form (`field`: UDP's and TCP's
/// address, or the web server's), labelled by `label`, with room for the
/// Start/Stop button beside it in a narrow column; an edit clears the last
/// bind error.
fn bind_field_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    label: egui::Id,
    running: bool,
    field: impl FnOnce(&mut crate::app::Settings) -> &mut String,
) -> egui::Response {
    let width = (ui.available_width() - 80.0).clamp(110.0, 180.0);
    let response = ui.add_enabled(
        !running,
        egui::TextEdit::singleline(field(&mut app.settings)).desired_width(width),
    );
    let response = response.labelled_by(label);
    if response.changed() {
        app.server.bind_error = None;
    }
    response
}

/// What [`bind_rows_ui`] draws for one form.
struct BindRows<'a> {
    status: &'a ServerStatus,
    /// Messages under the field wrap at this width rather than widen the
    /// grid (a grid cell would grow to the longest line).
    message_width: f32,
    /// The setting the field edits (UDP and TCP share `bind`).
    field: fn(&mut crate::app::Settings) -> &mut String,
    /// The ▾ menu of this computer's addresses after Start/Stop.
    choices: bool,
    /// An error of the form's own, said before the bind error (UDP's
    /// multicast group).
    first_error: Option<String>,
}

/// Where a server form binds, inside its two-column grid: the address row
/// (label, field, Start/Stop, the address menu), then the rows that appear
/// only when needed: the form's own error, the bind error, and the warning
/// for an address other machines can reach (said before it binds).
fn bind_rows_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    commands: &mut Vec<Command>,
    rows: BindRows<'_>,
) {
    let lang = app.lang;
    let running = !matches!(rows.status, ServerStatus::Stopped | ServerStatus::Failed(_));
    let label = ui.label(T::BindAddress.get(lang));
    ui.horizontal(|ui| {
        let field = bind_field_ui(ui, app, label.id, running, rows.field);
        start_stop_ui(ui, lang, rows.status, &field, commands);
        // After Start/Stop, which keeps its place.
        if rows.choices {
            bind_choices_ui(ui, app, commands, !running);
        }
    });
    ui.end_row();
    for (text, color) in bind_messages(ui, app, rows.field, rows.first_error) {
        ui.label("");
        wrapped_label(ui, rows.message_width, text, color);
        ui.end_row();
    }
}

/// A message under a form's field, in `color`, wrapped at `width` rather
/// than widening the form's grid (a grid cell grows to its longest line).
fn wrapped_label(ui: &mut egui::Ui, width: f32, text: String, color: Color32) {
    ui.scope(|ui| {
        ui.set_max_width(width);
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
        ui.colored_label(color, text);
    });
}

/// What is said under a bind field, in its colour: the form's own error,
/// the bind error, and the warning for an address other machines can
/// reach (said before it binds). The full forms and the folded one.
fn bind_messages(
    ui: &egui::Ui,
    app: &mut UdpLabApp,
    field: fn(&mut crate::app::Settings) -> &mut String,
    first_error: Option<String>,
) -> Vec<(String, Color32)> {
    let lang = app.lang;
    let error = crate::app::style::error_color(ui);
    let bind_error = app
        .server
        .bind_error
        .as_ref()
        .map(|e| i18n::addr_error(lang, e));
    let exposure = this_computer::exposure_warning(field(&mut app.settings))
        .map(|key| (key.get(lang).to_owned(), crate::app::style::warn_color(ui)));
    [first_error, bind_error]
        .into_iter()
        .flatten()
        .map(|text| (text, error))
        .chain(exposure)
        .collect()
}

/// Issue 15: the bind address from a list: loopback, all interfaces, and
/// this computer's addresses ("This computer" lists them).
fn bind_choices_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    commands: &mut Vec<Command>,
    enabled: bool,
) {
    let lang = app.lang;
    ui.add_enabled_ui(enabled, |ui| {
        let menu = ui.menu_button("▾", |ui| {
            let mut choices: Vec<(std::net::IpAddr, String)> = vec![
                (
                    std::net::Ipv4Addr::LOCALHOST.into(),
                    T::LoopbackOnly.get(lang).to_owned(),
                ),
                (
                    std::net::Ipv4Addr::UNSPECIFIED.into(),
                    T::AllInterfacesV4.get(lang).to_owned(),
                ),
                (
                    std::net::Ipv6Addr::UNSPECIFIED.into(),
                    T::AllInterfacesV6.get(lang).to_owned(),
                ),
            ];
            if let Some(Ok(list)) = &app.tools.this_computer.addresses {
                for a in list {
                    // Link-local needs a scope the bind field cannot hold.
                    let link_local = match a.ip {
                        std::net::IpAddr::V6(v6) => v6.is_unicast_link_local(),
                        std::net::IpAddr::V4(_) => false,
                    };
                    if !a.ip.is_loopback() && !link_local {
                        choices.push((a.ip, a.interface.clone()));
                    }
                }
            }
            for (ip, what) in choices {
                if ui.button(format!("{ip}  ({what})")).clicked() {
                    commands.push(Command::UseAsBind(ip));
                    ui.close();
                }
            }
            // The multicast group joined after bind (empty: none).
            ui.separator();
            let t = |k: T| k.get(lang);
            let label = ui.label(t(T::JoinGroup)).on_hover_text(t(T::JoinHint));
            ui.add(egui::TextEdit::singleline(&mut app.settings.join_group).desired_width(180.0))
                .labelled_by(label.id);
            let label = ui.label(t(T::JoinInterface));
            ui.add(
                egui::TextEdit::singleline(&mut app.settings.join_interface).desired_width(180.0),
            )
            .labelled_by(label.id);
        });
        let menu = menu.response.on_hover_text(T::BindChoices.get(lang));
        // The list of addresses comes from a worker: ask once, on first use.
        if menu.clicked() && app.tools.this_computer.addresses.is_none() {
            commands.push(Command::RefreshAddresses);
        }
    });
}

mod compact;
pub use compact::compact_ui;
mod incoming;
use incoming::{incoming_ui, row_ui};
mod http;
mod tcp;

#[cfg(test)]
mod tests;

/// Start (or Enter in the bind field) while stopped, Stop while listening;
/// the full panel and the folded one share it.
fn start_stop_ui(
    ui: &mut egui::Ui,
    lang: crate::app::i18n::Lang,
    status: &ServerStatus,
    field: &egui::Response,
    commands: &mut Vec<Command>,
) {
    let t = |k: T| k.get(lang);
    let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    match status {
        ServerStatus::Stopped | ServerStatus::Failed(_) => {
            if ui.button(t(T::Start)).clicked() || enter {
                commands.push(Command::StartServer);
            }
        }
        ServerStatus::Listening(_) => {
            if ui.button(t(T::Stop)).clicked() {
                commands.push(Command::StopServer);
            }
        }
        ServerStatus::Starting | ServerStatus::Stopping => {
            ui.add_enabled(false, egui::Button::new(t(T::Stop)));
        }
    }
}
