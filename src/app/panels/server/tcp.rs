//! Issue 27: the server panel with TCP chosen — bind, `listen(backlog)`,
//! the answer to each read, and the list of connections (client, state,
//! bytes each way). The UDP panel above is left as it was.

use egui::RichText;

use crate::app::i18n::{self, T, fill};
use crate::app::tcp::{ConnRow, ConnState};
use crate::app::{Command, ReplyKind, ServerStatus, UdpLabApp};

const COL_PEER: f32 = 150.0;
const COL_STATE: f32 = 110.0;
const COL_BYTES: f32 = 80.0;

/// The settings under the heading and the connections, in place of the
/// UDP form and its incoming list.
pub(super) fn tcp_body_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    commands: &mut Vec<Command>,
    fill_height: bool,
    status: &ServerStatus,
) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let width = ui.available_width();
    let running = !matches!(status, ServerStatus::Stopped | ServerStatus::Failed(_));
    let message_width = (width - 130.0).max(160.0);
    egui::Grid::new("tcp_server_settings")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let rows = super::BindRows {
                status,
                message_width,
                field: |s| &mut s.bind,
                choices: true,
                first_error: None,
            };
            super::bind_rows_ui(ui, app, commands, rows);

            ui.label(t(T::Reply));
            ui.horizontal_wrapped(|ui| {
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
                let field = ui.add_enabled(
                    app.settings.reply == ReplyKind::Fixed,
                    egui::TextEdit::singleline(&mut app.settings.reply_text)
                        .desired_width((ui.available_width() - 8.0).clamp(90.0, 200.0)),
                );
                if field.accessible_name(t(T::ReplyText)).changed() {
                    commands.push(Command::UpdateServer);
                }
            });
            ui.end_row();

            let label = ui.label(t(T::BufferSize));
            ui.horizontal_wrapped(|ui| {
                let r = ui.add(
                    egui::DragValue::new(&mut app.settings.server_buffer)
                        .range(1..=1 << 20)
                        .speed(8.0),
                );
                if r.labelled_by(label.id).changed() {
                    commands.push(Command::UpdateServer);
                }
                ui.label(t(T::Bytes));
                ui.separator();
                let backlog = ui
                    .label(t(T::TcpBacklog))
                    .on_hover_text(t(T::TcpBacklogHint));
                ui.add_enabled(
                    !running,
                    egui::DragValue::new(&mut app.settings.tcp_backlog).range(1..=4096),
                )
                .labelled_by(backlog.id)
                .on_hover_text(t(T::TcpBacklogHint));
            });
            ui.end_row();
        });
    if !app.settings.network.is_off() {
        crate::app::style::simulator_note_ui(
            ui,
            lang,
            message_width + 130.0,
            crate::net::Protocol::Tcp,
        );
    }
    ui.separator();
    ui.set_max_width(width);
    crate::app::style::list_area_ui(ui, fill_height, |ui| connections_ui(ui, app));
}

/// The connections accepted, up to the time cursor: client, state, bytes.
fn connections_ui(ui: &mut egui::Ui, app: &UdpLabApp) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let server = &app.tcp.server;
    let weak = ui.visuals().weak_text_color();
    ui.horizontal(|ui| {
        ui.label(RichText::new(t(T::TcpConnections)).strong());
        ui.label(fill(
            t(T::TcpConnectionsTotal),
            &[("total", &server.accepted)],
        ));
    });
    if server.rows_dropped > 0 {
        ui.label(
            RichText::new(fill(
                t(T::TcpConnectionsDropped),
                &[("count", &server.rows_dropped)],
            ))
            .color(weak)
            .small(),
        );
    }
    let shown = match app.time.time() {
        Some(at) => server.rows.partition_point(|r| r.opened <= at),
        None => server.rows.len(),
    };
    if shown == 0 {
        ui.add_space(8.0);
        let empty = if matches!(app.server.status(), ServerStatus::Listening(_)) {
            T::TcpWaitingForConnection
        } else {
            T::TcpNoConnections
        };
        ui.label(RichText::new(t(empty)).color(weak).italics());
        return;
    }
    headings_ui(ui, lang);
    let row_height = ui.text_style_height(&egui::TextStyle::Body);
    egui::ScrollArea::vertical()
        .id_salt(("tcp_connections", app.time.is_live()))
        .auto_shrink([false, false])
        .stick_to_bottom(true)
        .show_rows(ui, row_height, shown, |ui, range| {
            for row in server.rows.range(range) {
                row_ui(ui, lang, row, row_height, full_row(ui));
            }
        });
}

/// The columns' names over the rows (client, state, bytes read, sent).
fn headings_ui(ui: &mut egui::Ui, lang: crate::app::Lang) {
    let weak = ui.visuals().weak_text_color();
    ui.horizontal(|ui| {
        for (key, width) in [
            (T::TcpColPeer, COL_PEER),
            (T::TcpColState, COL_STATE),
            (T::TcpColIn, COL_BYTES),
        ] {
            crate::app::style::cell(
                ui,
                width,
                16.0,
                egui::Label::new(RichText::new(key.get(lang)).color(weak)),
            );
        }
        ui.label(RichText::new(T::TcpColOut.get(lang)).color(weak));
    });
}

fn full_row(ui: &egui::Ui) -> bool {
    ui.available_width() >= COL_PEER + COL_STATE + 2.0 * COL_BYTES
}

/// One connection; `full`: every column (else client, state and bytes in
/// one short text).
pub(super) fn row_ui(
    ui: &mut egui::Ui,
    lang: crate::app::Lang,
    row: &ConnRow,
    height: f32,
    full: bool,
) {
    let state = state_text(lang, row);
    let color = match (row.state, &row.error) {
        (_, Some(_)) => crate::app::style::error_color(ui),
        (ConnState::Open, None) => crate::app::style::ok_color(ui),
        _ => ui.visuals().text_color(),
    };
    let hover = row
        .error
        .as_ref()
        .map(|e| i18n::net_error(lang, e))
        .unwrap_or_default();
    ui.horizontal(|ui| {
        if full {
            crate::app::style::cell(
                ui,
                COL_PEER,
                height,
                egui::Label::new(row.peer.to_string()).truncate(),
            );
            let state = crate::app::style::cell(
                ui,
                COL_STATE,
                height,
                egui::Label::new(RichText::new(state).color(color)).truncate(),
            );
            if !hover.is_empty() {
                state.on_hover_text(hover);
            }
            crate::app::style::cell(
                ui,
                COL_BYTES,
                height,
                egui::Label::new(RichText::new(row.read.to_string()).monospace()),
            );
            ui.label(RichText::new(row.sent.to_string()).monospace());
        } else {
            ui.label(row.peer.to_string());
            ui.label(RichText::new(state).color(color));
            ui.add(
                egui::Label::new(RichText::new(format!("{} / {}", row.read, row.sent)).monospace())
                    .truncate(),
            );
        }
    });
}

fn state_text(lang: crate::app::Lang, row: &ConnRow) -> String {
    let key = match row.state {
        ConnState::Open => T::TcpStateOpen,
        ConnState::PeerClosed => T::TcpStatePeerClosed,
        ConnState::Closed => T::TcpStateClosed,
    };
    key.get(lang).to_owned()
}

/// The folded panel: as many of the newest connections (up to the time
/// cursor) as fit, or why there are none.
pub(super) fn newest_connections_ui(ui: &mut egui::Ui, app: &UdpLabApp) {
    let lang = app.lang;
    let rows = &app.tcp.server.rows;
    let shown = match app.time.time() {
        Some(at) => rows.partition_point(|r| r.opened <= at),
        None => rows.len(),
    };
    if shown == 0 {
        let empty = if matches!(app.server.status(), ServerStatus::Listening(_)) {
            T::TcpWaitingForConnection
        } else {
            T::TcpNoConnections
        };
        let weak = ui.visuals().weak_text_color();
        ui.label(RichText::new(empty.get(lang)).color(weak).italics());
        return;
    }
    let row_height = ui.text_style_height(&egui::TextStyle::Body);
    let pitch = row_height + ui.spacing().item_spacing.y;
    let mut fit = ((ui.available_height() + ui.spacing().item_spacing.y) / pitch).floor() as usize;
    let rect = ui.available_rect_before_wrap();
    let mut rows_ui = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    rows_ui.set_clip_rect(rect.intersect(ui.clip_rect()));
    // Columns of bare numbers need their names, when a row is left for
    // them (a single row says its numbers in one short text instead).
    let full = full_row(&rows_ui) && fit >= 2;
    if full {
        headings_ui(&mut rows_ui, lang);
        fit -= 1;
    }
    let from = shown - fit.clamp(1, shown);
    for row in rows.range(from..shown) {
        row_ui(&mut rows_ui, lang, row, row_height, full);
    }
    ui.advance_cursor_after_rect(rect);
}
