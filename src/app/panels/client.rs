//! The client panel: target, message, Send (or Enter), timeout, the answer
//! in the lab's words, and a short history.

use egui::RichText;

use crate::app::format;
use crate::app::i18n::{self, Lang, T, fill};
use crate::app::{Command, Outcome, UdpLabApp};
use crate::net;

/// `fill`: stretch to the full height (side by side) rather than fit (stacked).
pub fn client_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    commands: &mut Vec<Command>,
    fill_height: bool,
) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    crate::app::style::panel_frame(ui).show(ui, |ui| {
        if fill_height {
            ui.set_min_height(ui.available_height());
        }
        ui.horizontal(|ui| {
            ui.heading(RichText::new(t(T::Client)).strong());
            protocol_ui(ui, app, commands);
            crate::app::style::replay_badge_ui(ui, lang, app.time.time(), false);
        });
        ui.separator();
        if app.settings.client_protocol == net::Protocol::Tcp {
            tcp::tcp_body_ui(ui, app, commands);
            return;
        }
        if app.settings.client_protocol == net::Protocol::Http {
            http::http_body_ui(ui, app, commands, fill_height);
            return;
        }
        // The column's width before a settings row wider than a narrow
        // column widens the panel: the answer wraps and truncates to it.
        let width = ui.available_width();
        let busy = app.client.busy();
        egui::Grid::new("client_settings")
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
                if let Some(e) = &app.client.target_error {
                    ui.label("");
                    ui.colored_label(
                        crate::app::style::error_color(ui),
                        i18n::addr_error(lang, e),
                    );
                    ui.end_row();
                }

                let label = ui.label(t(T::Message));
                ui.horizontal(|ui| {
                    // Room for Send beside it in a narrow column.
                    let width = (ui.available_width() - 90.0).clamp(110.0, 200.0);
                    let field = ui.add(
                        egui::TextEdit::singleline(&mut app.settings.message).desired_width(width),
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
                if let Some(e) = &app.client.message_error {
                    ui.label("");
                    ui.colored_label(
                        crate::app::style::error_color(ui),
                        i18n::encode_error(lang, e),
                    );
                    ui.end_row();
                }

                let label = ui.label(t(T::Timeout));
                ui.horizontal(|ui| {
                    timeout_drag_ui(ui, app, label.id);
                    ui.add_space(12.0);
                    let label = ui.label(t(T::BufferSize));
                    ui.add(
                        egui::DragValue::new(&mut app.settings.client_buffer)
                            .range(1..=net::MAX_DATAGRAM + 1),
                    )
                    .labelled_by(label.id);
                    ui.label(t(T::Bytes));
                });
                ui.end_row();

                let label = ui.label(t(T::Burst));
                ui.horizontal(|ui| {
                    ui.add(egui::DragValue::new(&mut app.settings.burst_count).range(1..=100_000))
                        .labelled_by(label.id);
                    let interval = ui.label(t(T::Interval));
                    ui.add(
                        egui::DragValue::new(&mut app.settings.burst_interval_ms)
                            .range(0..=60_000)
                            .speed(5.0),
                    )
                    .labelled_by(interval.id);
                    ui.label(t(T::Milliseconds));
                    if busy && app.client.requested > 1 {
                        if ui.button(t(T::Cancel)).clicked() {
                            commands.push(Command::CancelSend);
                        }
                    } else if ui
                        .add_enabled(
                            !busy,
                            egui::Button::new(fill(
                                t(T::SendBurst),
                                &[("count", &app.settings.burst_count)],
                            )),
                        )
                        .clicked()
                    {
                        commands.push(Command::SendBurst);
                    }
                });
                ui.end_row();

                ui.label("");
                ui.checkbox(
                    &mut app.settings.new_socket_each_send,
                    t(T::NewSocketEachSend),
                )
                .on_hover_text(t(T::NewSocketEachSendHint));
                ui.end_row();

                ui.label("");
                // Wraps in a narrow column (Russian's longer words).
                ui.horizontal_wrapped(|ui| classroom_row_ui(ui, app, commands));
                ui.end_row();
            });
        ui.separator();
        ui.scope(|ui| {
            ui.set_max_width(width);
            outcome_ui(ui, app);
            responders_ui(ui, app);
            found_ui(ui, app, commands);
            if app.client.requested > 1 || app.client.stats.sent > 1 {
                ui.separator();
                stats_ui(ui, app);
            }
        });
        ui.separator();
        crate::app::style::list_area_ui(ui, fill_height, |ui| history_ui(ui, app));
    });
}

/// Issue 27: UDP | TCP beside the heading (the full and the folded panel).
fn protocol_ui(ui: &mut egui::Ui, app: &UdpLabApp, commands: &mut Vec<Command>) {
    let current = app.settings.client_protocol;
    let idle = !app.client.busy() && !app.tcp.client.busy() && !app.http.client.busy();
    if let Some(picked) = format::protocol_choice_ui(ui, current, app.lang, idle) {
        commands.push(Command::SetClientProtocol(picked));
    }
}

mod http;
mod tcp;

fn outcome_ui(ui: &mut egui::Ui, app: &UdpLabApp) {
    let lang = app.lang;
    match &app.client.outcome {
        None if app.client.send_cancelled => {
            ui.label(
                RichText::new(T::SendCancelled.get(lang))
                    .color(crate::app::style::warn_color(ui))
                    .italics(),
            );
        }
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
            other_source,
        }) => {
            // The line keeps its size; a long payload is cut to one line
            // here and previewed in a bounded box under it, so the notes and
            // the history below stay in reach.
            let long = bytes.len() > RESPONSE_LINE_CHARS;
            let text =
                format::decoded_text(bytes, app.settings.client_encoding, RESPONSE_LINE_CHARS);
            ui.add(
                egui::Label::new(
                    RichText::new(fill(T::ResponseFromServer.get(lang), &[("text", &text)]))
                        .size(18.0)
                        .strong()
                        .color(crate::app::style::ok_color(ui)),
                )
                .truncate(),
            );
            if long {
                long_payload_ui(ui, bytes, lang);
            }
            ui.label(fill(
                T::ResponseDetails.get(lang),
                &[("from", from), ("rtt", &format::rtt(*rtt, lang))],
            ));
            if let Some(to) = other_source {
                ui.colored_label(
                    crate::app::style::warn_color(ui),
                    fill(
                        T::AnswerFromOtherSource.get(lang),
                        &[("from", from), ("to", to)],
                    ),
                );
            }
            if *truncated {
                ui.colored_label(
                    crate::app::style::error_color(ui),
                    fill(
                        T::TRUNCATED.get(lang),
                        &[("read", &bytes.len()), ("len", len)],
                    ),
                );
            }
        }
        Some(Outcome::Failed(e)) => {
            ui.label(
                RichText::new(i18n::net_error(lang, e))
                    .size(16.0)
                    .color(crate::app::style::error_color(ui)),
            );
            // Issue 15: this window's own server, bound to loopback, asked
            // for by a LAN address: that is why nothing listens there.
            if let net::NetError::Unreachable { addr } = e
                && let crate::app::ServerStatus::Listening(bind) = app.server.status()
                && bind.ip().is_loopback()
                && bind.port() == addr.port()
                && !addr.ip().is_loopback()
            {
                ui.colored_label(
                    crate::app::style::warn_color(ui),
                    fill(T::OnlyThisComputer.get(lang), &[("bind", &bind)]),
                );
            }
            // Issue 23: a traced server waiting in recvfrom with no bind().
            if let net::NetError::Unreachable { addr } = e
                && let Some(file) = app.session.scripts.unbound_receiver()
            {
                ui.colored_label(
                    crate::app::style::warn_color(ui),
                    fill(
                        T::ScriptNotBoundThere.get(lang),
                        &[("file", &file), ("port", &addr.port())],
                    ),
                );
            }
        }
    }
}

/// Characters of the answer on the response line itself.
const RESPONSE_LINE_CHARS: usize = 60;
/// Characters of a long answer in its preview box (the anatomy view shows all).
const PREVIEW_CHARS: usize = 600;
/// Height of that box: a few lines, whatever the payload.
const PREVIEW_HEIGHT: f32 = 72.0;

/// The start of a long answer in a box of bounded height, and how long the
/// whole one is and where to read it.
fn long_payload_ui(ui: &mut egui::Ui, bytes: &[u8], lang: Lang) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        egui::ScrollArea::vertical()
            .id_salt("response_preview")
            .max_height(PREVIEW_HEIGHT)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                ui.add(
                    egui::Label::new(
                        RichText::new(format::payload_text(bytes, PREVIEW_CHARS)).monospace(),
                    )
                    .wrap(),
                );
            });
    });
    ui.label(fill(
        T::ResponsePreviewNote.get(lang),
        &[("bytes", &format::grouped(bytes.len() as u64, lang))],
    ));
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
                                format::rtt(*rtt, lang)
                            ),
                            crate::app::style::ok_color(ui),
                        ),
                        Outcome::Failed(
                            net::NetError::TimedOut { .. } | net::NetError::NoAnswer { .. },
                        ) => (
                            format!("✗ {}", T::HistoryTimedOut.get(lang)),
                            crate::app::style::error_color(ui),
                        ),
                        Outcome::Failed(e) => (
                            format!("✗ {}", i18n::net_error(lang, e)),
                            crate::app::style::error_color(ui),
                        ),
                    };
                    ui.add(egui::Label::new(RichText::new(text).color(color)).truncate());
                });
            }
        });
}

/// Sent, answered, lost and RTT figures of the latest burst, with the RTT of
/// each datagram (a loss is a gap) and the answers per second.
fn stats_ui(ui: &mut egui::Ui, app: &UdpLabApp) {
    let lang = app.lang;
    let stats = &app.client.stats;
    let weak = ui.visuals().weak_text_color();
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(fill(
                T::BurstSummary.get(lang),
                &[
                    ("sent", &stats.sent),
                    ("requested", &app.client.requested),
                    ("answered", &stats.answered),
                    ("lost", &stats.lost()),
                    (
                        "percent",
                        &crate::app::format::percent(stats.loss_percent(), lang),
                    ),
                ],
            ))
            .strong(),
        );
        if stats.dropped_by_simulator > 0 {
            ui.label(
                RichText::new(fill(
                    T::DroppedBySimulatorCount.get(lang),
                    &[("count", &stats.dropped_by_simulator)],
                ))
                .color(crate::app::style::warn_color(ui)),
            );
        }
        if stats.from_other_source > 0 {
            ui.label(
                RichText::new(fill(
                    T::FromOtherSourceCount.get(lang),
                    &[("count", &stats.from_other_source)],
                ))
                .color(crate::app::style::warn_color(ui)),
            );
        }
    });
    if let Some(r) = stats.rtt() {
        ui.label(
            RichText::new(fill(
                T::RttSummary.get(lang),
                &[
                    ("min", &format::rtt(r.min, lang)),
                    ("avg", &format::rtt(r.avg, lang)),
                    ("p99", &format::rtt(r.p99, lang)),
                    ("max", &format::rtt(r.max, lang)),
                ],
            ))
            .monospace(),
        );
    }
    let points = &app.client.points;
    if points.is_empty() {
        return;
    }
    let height = 110.0;
    let presenting = app.settings.tools.presentation;
    ui.columns(2, |cols| {
        cols[0].label(RichText::new(T::RttPlotTitle.get(lang)).small().color(weak));
        rtt_plot_ui(&mut cols[0], points, height, lang, presenting);
        cols[1].label(
            RichText::new(T::RatePlotTitle.get(lang))
                .small()
                .color(weak),
        );
        rate_plot_ui(&mut cols[1], points, height, lang, presenting);
    });
}

/// How long a client waits for the answer, in seconds (decimal comma in
/// Russian); the UDP, TCP and HTTP forms share it.
fn timeout_drag_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, label: egui::Id) {
    let lang = app.lang;
    ui.add(
        format::decimal_drag(&mut app.settings.timeout_secs, lang, 2)
            .range(0.01..=600.0)
            .speed(0.05),
    )
    .labelled_by(label);
    ui.label(T::Seconds.get(lang));
}

mod classroom;
use classroom::{classroom_row_ui, found_ui, responders_ui};
mod compact;
mod plots;
pub use compact::compact_ui;
use plots::{rate_plot_ui, rtt_plot_ui};

#[cfg(test)]
mod tests;
