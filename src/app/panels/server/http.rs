//! Issue 28: the server panel with HTTP chosen — the address, the folder
//! served, Start/Stop, "Open in browser", and the request log (time,
//! client, request, status, bytes); a row shows its request as it arrived
//! and, for a refusal, why.

use egui::RichText;

use crate::app::format;
use crate::app::http::{Browser, LogRow};
use crate::app::i18n::{Lang, T, fill};
use crate::app::{Command, ServerStatus, UdpLabApp};
use crate::lab::i18n::http as words;
use crate::net::http::Limits;

const COL_TIME: f32 = 92.0;
const COL_PEER: f32 = 140.0;
const COL_STATUS: f32 = 48.0;
const COL_BYTES: f32 = 72.0;
/// From this width a row has every column.
const FULL_ROW_WIDTH: f32 = 460.0;
/// Lines of a request shown at most (its head is at most 16 KiB).
const RAW_LINES: usize = 60;

pub(super) fn http_body_ui(
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
    let message_width = (width - 100.0).max(160.0);
    egui::Grid::new("http_server_settings")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let rows = super::BindRows {
                status,
                message_width,
                field: |s| &mut s.http_bind,
                choices: false,
                first_error: None,
            };
            super::bind_rows_ui(ui, app, commands, rows);

            let label = ui
                .label(t(T::HttpFolder))
                .on_hover_text(t(T::HttpFolderHint));
            let field = ui.add_enabled(
                !running,
                egui::TextEdit::singleline(&mut app.settings.http_root)
                    .hint_text(t(T::HttpBuiltinSite))
                    .desired_width((ui.available_width() - 8.0).clamp(110.0, 260.0)),
            );
            if field
                .labelled_by(label.id)
                .on_hover_text(t(T::HttpFolderHint))
                .changed()
            {
                app.http.server.root_error = None;
            }
            ui.end_row();
            if let Some(e) = &app.http.server.root_error {
                ui.label("");
                let error = crate::app::style::error_color(ui);
                super::wrapped_label(ui, message_width, e.clone(), error);
                ui.end_row();
            }

            ui.label("");
            // The page is there once the server listens.
            let listening = matches!(status, ServerStatus::Listening(_));
            let open = ui
                .add_enabled(listening, egui::Button::new(t(T::HttpOpenInBrowser)))
                .on_hover_text(t(T::HttpOpenInBrowserHint))
                .on_disabled_hover_text(t(T::HttpOpenInBrowserHint));
            if open.clicked() {
                commands.push(Command::OpenInBrowser);
            }
            ui.end_row();
            if let Some(browser) = &app.http.server.browser {
                ui.label("");
                let (text, color) = browser_text(ui, lang, browser);
                super::wrapped_label(ui, message_width, text, color);
                ui.end_row();
            }
        });
    if !app.settings.network.is_off() {
        crate::app::style::simulator_note_ui(
            ui,
            lang,
            message_width + 100.0,
            crate::net::Protocol::Http,
        );
    }
    ui.separator();
    ui.set_max_width(width);
    crate::app::style::list_area_ui(ui, fill_height, |ui| log_ui(ui, app, commands));
}

fn browser_text(ui: &egui::Ui, lang: Lang, browser: &Browser) -> (String, egui::Color32) {
    let t = |k: T| k.get(lang);
    match browser {
        Browser::Opening(url) => (
            fill(t(T::HttpBrowserOpening), &[("url", url)]),
            ui.visuals().weak_text_color(),
        ),
        Browser::Opened(url) => (
            fill(t(T::HttpBrowserOpened), &[("url", url)]),
            ui.visuals().weak_text_color(),
        ),
        Browser::Failed { url, reason } => (
            fill(
                t(T::HttpBrowserCouldNot),
                &[("url", url), ("reason", reason)],
            ),
            crate::app::style::error_color(ui),
        ),
    }
}

/// How many log rows come before the time cursor.
fn shown(app: &UdpLabApp) -> usize {
    let rows = &app.http.server.rows;
    match app.time.time() {
        Some(at) => rows.partition_point(|r| r.at <= at),
        None => rows.len(),
    }
}

fn empty_ui(ui: &mut egui::Ui, app: &UdpLabApp) {
    let empty = if matches!(app.server.status(), ServerStatus::Listening(_)) {
        T::HttpWaitingForRequest
    } else {
        T::HttpNoRequests
    };
    let weak = ui.visuals().weak_text_color();
    ui.label(RichText::new(empty.get(app.lang)).color(weak).italics());
}

/// The log's heading, the selected request, and the rows up to the cursor.
fn log_ui(ui: &mut egui::Ui, app: &UdpLabApp, commands: &mut Vec<Command>) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let server = &app.http.server;
    let weak = ui.visuals().weak_text_color();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(t(T::HttpRequests)).strong());
        ui.label(fill(t(T::HttpRequestsTotal), &[("total", &server.total)]));
    });
    if server.rows_dropped > 0 {
        ui.label(
            RichText::new(fill(
                t(T::HttpRequestsDropped),
                &[("count", &server.rows_dropped)],
            ))
            .color(weak)
            .small(),
        );
    }
    if let Some(row) = server.selected_row() {
        request_ui(ui, lang, row, commands);
        ui.separator();
    }
    let shown = shown(app);
    if shown == 0 {
        ui.add_space(8.0);
        return empty_ui(ui, app);
    }
    let full = ui.available_width() >= FULL_ROW_WIDTH;
    if full {
        ui.horizontal(|ui| {
            for (key, width) in [
                (T::ColTime, COL_TIME),
                (T::TcpColPeer, COL_PEER),
                (T::HttpColStatus, COL_STATUS),
                (T::HttpColBytes, COL_BYTES),
            ] {
                crate::app::style::cell(
                    ui,
                    width,
                    16.0,
                    egui::Label::new(RichText::new(t(key)).color(weak)),
                );
            }
            ui.label(RichText::new(t(T::HttpColRequest)).color(weak));
        });
    }
    let row_height = ui.text_style_height(&egui::TextStyle::Body);
    egui::ScrollArea::vertical()
        .id_salt(("http_log", app.time.is_live()))
        .auto_shrink([false, false])
        .stick_to_bottom(true)
        .show_rows(ui, row_height, shown, |ui, range| {
            for row in server.rows.range(range) {
                row_ui(ui, app, row, row_height, full, commands);
            }
        });
}

/// One request: a click shows it (or hides it again).
fn row_ui(
    ui: &mut egui::Ui,
    app: &UdpLabApp,
    row: &LogRow,
    height: f32,
    full: bool,
    commands: &mut Vec<Command>,
) {
    let lang = app.lang;
    let log = &row.log;
    let request = if log.method.is_empty() {
        T::HttpNoRequestLine.get(lang).to_owned()
    } else {
        format!(
            "{} {}",
            log.method,
            crate::lab::text::payload_text(log.target.as_bytes(), 120)
        )
    };
    let color = match log.status {
        200..=299 => crate::app::style::ok_color(ui),
        _ => crate::app::style::error_color(ui),
    };
    let selected = app.http.server.selected == Some(row.n);
    let clicked = ui
        .horizontal(|ui| {
            let mut clicked = false;
            if full {
                let time = egui::Label::new(RichText::new(format::clock(row.at)).monospace())
                    .sense(egui::Sense::click());
                clicked |= crate::app::style::cell(ui, COL_TIME, height, time).clicked();
                crate::app::style::cell(
                    ui,
                    COL_PEER,
                    height,
                    egui::Label::new(log.peer.to_string()).truncate(),
                );
                crate::app::style::cell(
                    ui,
                    COL_STATUS,
                    height,
                    egui::Label::new(RichText::new(log.status.to_string()).color(color).strong()),
                );
                crate::app::style::cell(
                    ui,
                    COL_BYTES,
                    height,
                    egui::Label::new(RichText::new(log.bytes.to_string()).monospace()),
                );
            } else {
                ui.label(RichText::new(log.status.to_string()).color(color).strong());
            }
            clicked |= ui
                .add(
                    egui::Button::selectable(selected, RichText::new(&request).monospace())
                        .truncate(),
                )
                .on_hover_text(T::HttpRowHint.get(lang))
                .clicked();
            clicked
        })
        .inner;
    if clicked {
        commands.push(Command::SelectHttpRequest((!selected).then_some(row.n)));
    }
}

/// The selected request's bytes, CR LF made visible, and for an answer
/// other than 200 what it means.
fn request_ui(ui: &mut egui::Ui, lang: Lang, row: &LogRow, commands: &mut Vec<Command>) {
    let log = &row.log;
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(fill(
                T::HttpRawRequest.get(lang),
                &[("n", &row.n), ("bytes", &log.raw.len())],
            ))
            .small(),
        );
        if ui.small_button("×").clicked() {
            commands.push(Command::SelectHttpRequest(None));
        }
    });
    if let Some(why) = words::status(lang, log.status, log.refusal, &Limits::default()) {
        ui.scope(|ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
            ui.label(RichText::new(why).color(crate::app::style::warn_color(ui)));
        });
    }
    if log.raw.is_empty() {
        let weak = ui.visuals().weak_text_color();
        ui.label(
            RichText::new(T::HttpRawEmpty.get(lang))
                .color(weak)
                .italics(),
        );
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("http_raw_request")
        .max_height(110.0)
        .show(ui, |ui| {
            for line in crate::app::http::visible_lines(&log.raw, RAW_LINES) {
                ui.add(egui::Label::new(RichText::new(line).monospace()).truncate());
            }
        });
}

/// The folded panel: as many of the newest requests as fit.
pub(super) fn newest_requests_ui(ui: &mut egui::Ui, app: &UdpLabApp, commands: &mut Vec<Command>) {
    let shown = shown(app);
    if shown == 0 {
        return empty_ui(ui, app);
    }
    let rows = &app.http.server.rows;
    let row_height = ui.text_style_height(&egui::TextStyle::Body);
    let pitch = row_height + ui.spacing().item_spacing.y + 2.0 * ui.spacing().button_padding.y;
    let fit = ((ui.available_height() + ui.spacing().item_spacing.y) / pitch).floor() as usize;
    let from = shown - fit.clamp(1, shown);
    let rect = ui.available_rect_before_wrap();
    let mut rows_ui = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    rows_ui.set_clip_rect(rect.intersect(ui.clip_rect()));
    let full = rect.width() >= FULL_ROW_WIDTH;
    for row in rows.range(from..shown) {
        row_ui(&mut rows_ui, app, row, row_height, full, commands);
    }
    ui.advance_cursor_after_rect(rect);
}
