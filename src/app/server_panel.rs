//! The server panel: bind address, Start/Stop, status, reply, and the list
//! of incoming datagrams.

use egui::{Color32, RichText};

use super::format;
use super::i18n::{self, T, fill};
use super::{Command, ReplyKind, ServerStatus, UdpLabApp};
use crate::net::{self, Reply};

/// Wide enough for "[ffff:…]:65535"-style sources without jumping.
const COL_TIME: f32 = 92.0;
const COL_FROM: f32 = 150.0;
const COL_LEN: f32 = 56.0;

/// `fill`: stretch to the full height (side by side) rather than fit (stacked).
pub fn server_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, commands: &mut Vec<Command>, fill: bool) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let status = app.server.status();
    super::panel_frame(ui).show(ui, |ui| {
        if fill {
            ui.set_min_height(ui.available_height());
        }
        ui.horizontal(|ui| {
            ui.heading(RichText::new(t(T::Server)).strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                status_ui(ui, app, &status);
            });
        });
        ui.separator();

        let running = !matches!(status, ServerStatus::Stopped | ServerStatus::Failed(_));
        egui::Grid::new("server_settings")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let label = ui.label(t(T::BindAddress));
                ui.horizontal(|ui| {
                    let field = ui.add_enabled(
                        !running,
                        egui::TextEdit::singleline(&mut app.settings.bind).desired_width(180.0),
                    );
                    let field = field.labelled_by(label.id);
                    if field.changed() {
                        app.server.bind_error = None;
                    }
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
                });
                ui.end_row();
                if let Some(e) = &app.server.bind_error {
                    ui.label("");
                    ui.colored_label(super::error_color(ui), i18n::addr_error(lang, e));
                    ui.end_row();
                }

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
                let field = ui.add_enabled(
                    app.settings.reply == ReplyKind::Fixed,
                    egui::TextEdit::singleline(&mut app.settings.reply_text).desired_width(240.0),
                );
                if field.labelled_by(label.id).changed() {
                    commands.push(Command::UpdateServer);
                }
                ui.end_row();

                let label = ui.label(t(T::BufferSize));
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
                });
                ui.end_row();
            });

        ui.separator();
        incoming_ui(ui, app, commands);
    });
}

fn status_ui(ui: &mut egui::Ui, app: &UdpLabApp, status: &ServerStatus) {
    let lang = app.lang;
    let (dot, text) = match status {
        ServerStatus::Stopped => (
            ui.visuals().weak_text_color(),
            T::Stopped.get(lang).to_owned(),
        ),
        ServerStatus::Starting => (
            Color32::from_rgb(220, 160, 0),
            T::Starting.get(lang).to_owned(),
        ),
        ServerStatus::Stopping => (
            Color32::from_rgb(220, 160, 0),
            T::Stopping.get(lang).to_owned(),
        ),
        ServerStatus::Listening(addr) => (
            super::ok_color(ui),
            fill(
                T::ListeningOn.get(lang),
                &[("ip", &addr.ip()), ("port", &addr.port())],
            ),
        ),
        ServerStatus::Failed(e) => (super::error_color(ui), i18n::net_error(lang, e)),
    };
    let color = if matches!(status, ServerStatus::Failed(_)) {
        dot
    } else {
        ui.visuals().text_color()
    };
    ui.label(RichText::new(text).color(color).strong());
    super::status_dot(ui, dot);
}

fn incoming_ui(ui: &mut egui::Ui, app: &UdpLabApp, commands: &mut Vec<Command>) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let server = &app.server;
    ui.horizontal(|ui| {
        ui.label(RichText::new(t(T::Incoming)).strong());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .add_enabled(!server.rows.is_empty(), egui::Button::new(t(T::Clear)))
                .clicked()
            {
                commands.push(Command::ClearIncoming);
            }
            ui.label(fill(t(T::ReceivedTotal), &[("total", &server.total)]));
        });
    });
    let weak = ui.visuals().weak_text_color();
    if server.rows_dropped > 0 {
        ui.label(
            RichText::new(fill(t(T::RowsDropped), &[("count", &server.rows_dropped)]))
                .color(weak)
                .small(),
        );
    }
    let events_dropped = app.events_dropped();
    if events_dropped > 0 {
        ui.label(
            RichText::new(fill(t(T::EventsDropped), &[("count", &events_dropped)]))
                .color(weak)
                .small(),
        );
    }

    ui.horizontal(|ui| {
        for (key, width) in [
            (T::ColTime, COL_TIME),
            (T::ColFrom, COL_FROM),
            (T::ColLength, COL_LEN),
        ] {
            super::cell(
                ui,
                width,
                16.0,
                egui::Label::new(RichText::new(t(key)).color(weak)),
            );
        }
        ui.label(RichText::new(t(T::ColText)).color(weak));
    });
    if server.rows.is_empty() {
        ui.add_space(12.0);
        ui.label(RichText::new(t(T::NoDatagramsYet)).color(weak).italics());
        return;
    }
    let row_height = ui.text_style_height(&egui::TextStyle::Body);
    egui::ScrollArea::vertical()
        .id_salt("incoming")
        .auto_shrink([false, false])
        .stick_to_bottom(true)
        .show_rows(ui, row_height, server.rows.len(), |ui, range| {
            for row in server.rows.range(range) {
                row_ui(ui, lang, row, row_height);
            }
        });
}

fn row_ui(ui: &mut egui::Ui, lang: super::Lang, row: &super::IncomingRow, height: f32) {
    let rx = &row.rx;
    ui.horizontal(|ui| {
        super::cell(
            ui,
            COL_TIME,
            height,
            egui::Label::new(RichText::new(format::clock(rx.at)).monospace()),
        );
        super::cell(
            ui,
            COL_FROM,
            height,
            egui::Label::new(rx.from.to_string()).truncate(),
        );
        let len = if rx.truncated {
            RichText::new(format!("{}!", rx.len)).color(super::error_color(ui))
        } else {
            RichText::new(rx.len.to_string())
        };
        let len_label = super::cell(ui, COL_LEN, height, egui::Label::new(len));
        if rx.truncated {
            len_label.on_hover_text(fill(
                T::Truncated.get(lang),
                &[("read", &rx.bytes.len()), ("len", &rx.len)],
            ));
        }
        let mut text = format::payload_text(&rx.bytes, 200);
        if !format::is_plain_text(&rx.bytes) {
            text = format!("{text}   [{}]", format::hex(&rx.bytes, 16));
        }
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
