//! Issue 28: the client panel with HTTP chosen — the URL, extra headers,
//! Send (one GET), and the answer as it arrived: the status line, the
//! headers and the body (its text, or the picture itself) — or why there
//! is none, in plain words.

use egui::RichText;

use crate::app::i18n::{Lang, T, fill};
use crate::app::{Command, UdpLabApp};
use crate::lab::http::{self as model, HeadEnd, Kind};
use crate::lab::i18n::http as words;
use crate::net::http::FetchedReply;

/// Body lines shown at most, and characters of each.
const BODY_LINES: usize = 200;
const LINE_CHARS: usize = 300;
/// The picture's height at most, in points.
const PICTURE_HEIGHT: f32 = 220.0;

pub(super) fn http_body_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    commands: &mut Vec<Command>,
    fill_height: bool,
) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let width = ui.available_width();
    let busy = busy(app);
    egui::Grid::new("http_client_settings")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let label = ui.label(t(T::HttpUrl));
            ui.horizontal(|ui| {
                let width = (ui.available_width() - 90.0).clamp(140.0, 320.0);
                let field = ui.add(
                    egui::TextEdit::singleline(&mut app.settings.http_url).desired_width(width),
                );
                let field = field.labelled_by(label.id);
                if field.changed() {
                    app.http.client.url_error = None;
                }
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let send =
                    ui.add_enabled(!busy, egui::Button::new(RichText::new(t(T::Send)).strong()));
                if (send.clicked() || enter) && !busy {
                    commands.push(Command::Send);
                }
            });
            ui.end_row();
            if let Some(e) = &app.http.client.url_error {
                ui.label("");
                error_ui(ui, words::client_error(lang, e));
                ui.end_row();
            }

            let label = ui
                .label(t(T::HttpHeaders))
                .on_hover_text(t(T::HttpHeadersHint));
            let field = ui.add(
                egui::TextEdit::multiline(&mut app.settings.http_headers)
                    .desired_rows(2)
                    .hint_text("Accept: text/html")
                    .desired_width((ui.available_width() - 8.0).clamp(140.0, 320.0)),
            );
            if field
                .labelled_by(label.id)
                .on_hover_text(t(T::HttpHeadersHint))
                .changed()
            {
                app.http.client.header_error = None;
            }
            ui.end_row();
            if let Some(e) = &app.http.client.header_error {
                ui.label("");
                error_ui(ui, words::client_error(lang, e));
                ui.end_row();
            }

            let label = ui.label(t(T::Timeout));
            ui.horizontal(|ui| {
                super::timeout_drag_ui(ui, app, label.id);
            });
            ui.end_row();
        });
    if !app.settings.network.is_off() {
        crate::app::style::simulator_note_ui(ui, lang, width, crate::net::Protocol::Http);
    }
    ui.separator();
    ui.set_max_width(width);
    crate::app::style::list_area_ui(ui, fill_height, |ui| {
        egui::ScrollArea::vertical()
            .id_salt("http_answer")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                answer_ui(ui, app, false);
            });
    });
}

fn busy(app: &UdpLabApp) -> bool {
    app.http.client.busy() || app.client.busy() || app.tcp.client.busy()
}

fn error_ui(ui: &mut egui::Ui, text: String) {
    ui.scope(|ui| {
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
        ui.colored_label(crate::app::style::error_color(ui), text);
    });
}

/// The folded panel: the URL and Send, and the answer's first lines.
pub(super) fn compact_body_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, commands: &mut Vec<Command>) {
    let lang = app.lang;
    let busy = busy(app);
    ui.horizontal(|ui| {
        let send_width = text_width(ui, T::Send.get(lang)) + 2.0 * ui.spacing().button_padding.x;
        let field_width = ui.available_width() - send_width - 2.0 * ui.spacing().item_spacing.x;
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut app.settings.http_url)
                    .desired_width(field_width.max(80.0)),
            )
            .accessible_name(T::HttpUrl.get(lang))
            .on_hover_text(T::HttpUrl.get(lang));
        if field.changed() {
            app.http.client.url_error = None;
        }
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let send = ui.add_enabled(
            !busy,
            egui::Button::new(RichText::new(T::Send.get(lang)).strong()),
        );
        if (send.clicked() || enter) && !busy {
            commands.push(Command::Send);
        }
    });
    let rect = ui.available_rect_before_wrap();
    let mut answer = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    answer.set_clip_rect(rect.intersect(ui.clip_rect()));
    answer_ui(&mut answer, app, true);
    ui.advance_cursor_after_rect(rect);
}

/// The latest GET: waiting, the error, or the answer. `short`: its
/// status line and the body's first lines (the folded panel).
fn answer_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, short: bool) {
    let lang = app.lang;
    let client = &app.http.client;
    // Under their fields in the full panel; here the folded one has none.
    if short && let Some(e) = client.url_error.as_ref().or(client.header_error.as_ref()) {
        return error_ui(ui, words::client_error(lang, e));
    }
    if app.http.client.busy() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(T::HttpFetching.get(lang));
        });
        return;
    }
    let Some(fetched) = app.http.client.fetched.clone() else {
        return;
    };
    let reply = match &fetched.result {
        Ok(reply) => reply,
        Err(e) => return error_ui(ui, words::client_error(lang, e)),
    };
    let message = model::parse(&reply.bytes, Kind::Response);
    let Some(status) = message.status() else {
        error_ui(ui, T::HttpNotResponse.get(lang).to_owned());
        let first = reply.bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
        ui.label(RichText::new(crate::lab::text::payload_text(first, LINE_CHARS)).monospace());
        return;
    };
    let color = match status {
        200..=299 => crate::app::style::ok_color(ui),
        300..=399 => crate::app::style::warn_color(ui),
        _ => crate::app::style::error_color(ui),
    };
    let text_of = |range: std::ops::Range<usize>| {
        crate::lab::text::payload_text(&reply.bytes[range], LINE_CHARS)
    };
    let status_line = message.lines.first().map(|l| text_of(l.range.clone()));
    ui.label(
        RichText::new(status_line.unwrap_or_default())
            .monospace()
            .strong()
            .size(if short { 14.0 } else { 16.0 })
            .color(color),
    );
    let weak = ui.visuals().weak_text_color();
    if !short {
        ui.label(
            RichText::new(fill(
                T::HttpAnswerFrom.get(lang),
                &[("bytes", &reply.total), ("peer", &reply.peer)],
            ))
            .color(weak)
            .small(),
        );
        for line in message.lines.iter().skip(1) {
            ui.add(egui::Label::new(
                RichText::new(text_of(line.range.clone())).monospace(),
            ));
        }
        if message.head_end == HeadEnd::Missing {
            error_ui(ui, T::HttpNoEmptyLine.get(lang).to_owned());
        }
        if reply.total > reply.bytes.len() {
            ui.label(
                RichText::new(fill(
                    T::HttpAnswerCut.get(lang),
                    &[("kept", &reply.bytes.len()), ("total", &reply.total)],
                ))
                .color(weak),
            );
        }
        ui.separator();
    }
    let Some(body) = &message.body else {
        return;
    };
    // The folded panel: the body only where a whole line of it fits.
    if short && ui.available_height() < 1.5 * ui.text_style_height(&egui::TextStyle::Body) {
        return;
    }
    let bytes = &reply.bytes[body.range.clone()];
    let mime = message
        .header("content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if bytes.is_empty() {
        ui.label(
            RichText::new(T::HttpBodyEmpty.get(lang))
                .color(weak)
                .italics(),
        );
    } else if mime.starts_with("image/") {
        picture_ui(ui, app, &fetched.op, reply, bytes, &mime, short);
    } else if crate::lab::text::is_plain_text(bytes) || mime.starts_with("text/") {
        body_text_ui(ui, lang, bytes, short);
    } else {
        let info = fill(
            T::HttpBodyBinary.get(lang),
            &[("mime", &mime), ("bytes", &bytes.len())],
        );
        ui.label(info);
    }
}

fn body_text_ui(ui: &mut egui::Ui, lang: Lang, bytes: &[u8], short: bool) {
    let max = if short { 3 } else { BODY_LINES };
    let mut lines = 0;
    for line in bytes.split(|b| *b == b'\n').take(max) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let text = RichText::new(crate::lab::text::payload_text(line, LINE_CHARS)).monospace();
        ui.add(egui::Label::new(text).truncate());
        lines += 1;
    }
    let total = bytes.split(|b| *b == b'\n').count();
    if lines < total && !short {
        let shown: usize = bytes
            .split_inclusive(|b| *b == b'\n')
            .take(lines)
            .map(<[u8]>::len)
            .sum();
        ui.label(
            RichText::new(fill(
                T::HttpBodyCut.get(lang),
                &[("total", &bytes.len()), ("shown", &shown)],
            ))
            .color(ui.visuals().weak_text_color()),
        );
    }
}

/// The picture itself, decoded once per answer; its type, size and
/// dimensions beside it.
fn picture_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    op: &u64,
    _reply: &FetchedReply,
    bytes: &[u8],
    mime: &str,
    short: bool,
) {
    let lang = app.lang;
    let cached = matches!(&app.http.client.image, Some((o, _)) if o == op);
    if !cached {
        let decoded = decode(ui.ctx(), bytes);
        app.http.client.image = Some((*op, decoded));
    }
    let Some((_, decoded)) = &app.http.client.image else {
        return;
    };
    match decoded {
        Ok(texture) => {
            let [w, h] = texture.size();
            ui.label(fill(
                T::HttpImageInfo.get(lang),
                &[
                    ("mime", &mime),
                    ("bytes", &bytes.len()),
                    ("w", &w),
                    ("h", &h),
                ],
            ));
            if short {
                return;
            }
            let size = egui::vec2(w as f32, h as f32);
            let scale = (ui.available_width() / size.x)
                .min(PICTURE_HEIGHT / size.y)
                .min(1.0);
            ui.add(egui::Image::from_texture((texture.id(), size * scale)));
        }
        Err(reason) => {
            let text = fill(
                T::HttpImageBroken.get(lang),
                &[("mime", &mime), ("bytes", &bytes.len()), ("reason", reason)],
            );
            error_ui(ui, text);
        }
    }
}

/// The picture as a texture (PNG: the only format UDP Lab decodes).
fn decode(ctx: &egui::Context, bytes: &[u8]) -> Result<egui::TextureHandle, String> {
    let picture = image::load_from_memory(bytes).map_err(|e| e.to_string())?;
    let rgba = picture.to_rgba8();
    let size = [rgba.width() as usize, rgba.height() as usize];
    let color = egui::ColorImage::from_rgba_unmultiplied(size, rgba.as_raw());
    Ok(ctx.load_texture("udp-lab-http-picture", color, egui::TextureOptions::LINEAR))
}

fn text_width(ui: &egui::Ui, text: &str) -> f32 {
    crate::app::style::text_width(ui, text, egui::TextStyle::Button)
}
