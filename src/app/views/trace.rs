//! The socket-call trace: every call UDP Lab makes, server and client, with
//! its real arguments and result, the time and the lab's step number.

use egui::RichText;

use super::ViewCommand;
use crate::app::Command;
use crate::app::UdpLabApp;
use crate::app::format;
use crate::app::i18n::{Lang, T, call_text, fill, step_hint, step_text};
use crate::lab::session::{Call, Scripts, Side, TraceRow};
use crate::lab::timeline::{Move, RowRef};
use crate::net::SimFate;
use crate::net::trace::file_name;

/// Which side's calls the trace shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TraceFilter {
    #[default]
    All,
    Only(Side),
}

impl TraceFilter {
    fn admits(self, side: Side) -> bool {
        match self {
            TraceFilter::All => true,
            TraceFilter::Only(s) => s == side,
        }
    }
}

pub fn trace_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let weak = ui.visuals().weak_text_color();
    ui.horizontal(|ui| {
        for (filter, key) in [
            (TraceFilter::All, T::FilterAll),
            (TraceFilter::Only(Side::Server), T::FilterServer),
            (TraceFilter::Only(Side::Client), T::FilterClient),
        ] {
            if ui
                .selectable_label(app.views.trace_filter == filter, t(key))
                .clicked()
            {
                app.act(Command::View(ViewCommand::TraceFilter(filter)));
            }
        }
        // One chip per traced script (the latest few: the row stays one row).
        let scripts = &app.session.scripts.list;
        let mut picked = None;
        for info in scripts
            .iter()
            .skip(scripts.len().saturating_sub(SCRIPT_CHIPS))
        {
            let filter = TraceFilter::Only(Side::Script(info.id));
            let chip = egui::RichText::new(&info.name).monospace();
            if ui
                .selectable_label(app.views.trace_filter == filter, chip)
                .clicked()
            {
                picked = Some(filter);
            }
        }
        if let Some(filter) = picked {
            app.act(Command::View(ViewCommand::TraceFilter(filter)));
        }
        ui.separator();
        ui.label(
            RichText::new(fill(
                t(T::TraceCount),
                &[("count", &app.session.trace.len())],
            ))
            .color(weak),
        );
        if app.session.trace_dropped > 0 {
            ui.label(
                RichText::new(fill(
                    t(T::RowsDropped),
                    &[("count", &app.session.trace_dropped)],
                ))
                .color(weak)
                .small(),
            );
        }
    });
    let filter = app.views.trace_filter;
    let rows: Vec<usize> = app
        .session
        .trace
        .iter()
        .enumerate()
        .filter(|(_, r)| filter.admits(r.side))
        .map(|(i, _)| i)
        .collect();
    if rows.is_empty() {
        ui.add_space(8.0);
        // Issue 26: a capture has datagrams, not calls.
        let empty = if app.lesson.shows_capture() {
            T::LessonCaptureNoCalls
        } else {
            T::TraceEmpty
        };
        ui.label(RichText::new(t(empty)).color(weak).italics());
        return;
    }
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace).max(18.0);
    let live = app.time.is_live();
    let cursor = app.time.index(&app.session);
    // The cursor moved since the last frame: bring its row to the middle.
    let moved = app.views.trace_cursor != app.time.row();
    app.views.trace_cursor = app.time.row();
    let mut scroll = egui::ScrollArea::vertical()
        .min_scrolled_height(crate::app::views::VIEW_MIN_SCROLL)
        .id_salt(("trace", live))
        .auto_shrink([false, false])
        .stick_to_bottom(live);
    if moved && let Some(cursor) = cursor {
        // Rows are laid out at a fixed pitch (show_rows).
        let pitch = row_height + ui.spacing().item_spacing.y;
        let position = rows.partition_point(|&i| i < cursor) as f32;
        let offset = position * pitch - (ui.available_height() - pitch) / 2.0;
        scroll = scroll.vertical_scroll_offset(offset.max(0.0));
    }
    let mut clicked = None;
    // With traced scripts, the side is a file name and the rows say where
    // in the script each call was made.
    let scripts = (!app.session.scripts.list.is_empty()).then_some(&app.session.scripts);
    scroll.show_rows(ui, row_height, rows.len(), |ui, range| {
        for &i in &rows[range] {
            let row = &app.session.trace[i];
            let look = RowLook {
                selected: row.datagram.is_some() && row.datagram == app.selected_datagram,
                at_cursor: cursor == Some(i),
                later: app.time.is_after(&app.session, i),
                clickable: row.datagram.is_some() || !live,
            };
            if row_ui(ui, lang, row, scripts, look, row_height).clicked() {
                clicked = Some((RowRef::of(row), row.datagram));
            }
        }
    });
    match clicked {
        // Paused: a click puts the cursor on that call (all views follow).
        Some((row, _)) if !live => app.act(Command::MoveCursor(Move::To(row))),
        Some((_, datagram)) => app.act(Command::SelectDatagram(datagram)),
        None => {}
    }
}

/// How a row is drawn.
#[derive(Clone, Copy)]
struct RowLook {
    /// Its datagram is the one the anatomy shows.
    selected: bool,
    /// The time cursor stands on it.
    at_cursor: bool,
    /// It happens after the cursor: dimmed.
    later: bool,
    clickable: bool,
}

fn row_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    row: &TraceRow,
    scripts: Option<&Scripts>,
    look: RowLook,
    height: f32,
) -> egui::Response {
    if look.at_cursor {
        let rect = egui::Rect::from_min_size(
            ui.cursor().min - egui::vec2(2.0, 0.0),
            egui::vec2(ui.available_width() + 2.0, height),
        );
        ui.painter().rect_filled(
            rect,
            3.0,
            ui.visuals().selection.bg_fill.gamma_multiply(0.45),
        );
    }

    let (side_text, side_color) = match row.side {
        Side::Server => (T::Server.get(lang), crate::app::style::accent_color(ui)),
        Side::Client => (T::Client.get(lang), crate::app::style::warn_color(ui)),
        Side::Script(id) => (
            scripts
                .and_then(|s| s.name(id))
                .unwrap_or(T::ScriptForgotten.get(lang)),
            crate::app::style::ok_color(ui),
        ),
    };
    let step = row.lab_step();
    let color = if row.call.is_error() {
        crate::app::style::error_color(ui)
    } else if sim_of(&row.call).is_some_and(|s| s.is_impaired()) {
        crate::app::style::warn_color(ui)
    } else {
        ui.visuals().text_color()
    };
    let text = call_text(lang, &row.call);
    ui.horizontal(|ui| {
        if look.later {
            // Not happened yet at the cursor: there, but faint.
            ui.multiply_opacity(0.35);
        }
        crate::app::style::cell(
            ui,
            92.0,
            height,
            egui::Label::new(RichText::new(format::clock(row.at)).monospace()),
        );
        let side_width = if scripts.is_some() {
            SCRIPT_SIDE_WIDTH
        } else {
            64.0
        };
        crate::app::style::cell(
            ui,
            side_width,
            height,
            egui::Label::new(RichText::new(side_text).color(side_color).strong()).truncate(),
        )
        .on_hover_text(side_text);
        let step_text = step_text(lang, step);
        crate::app::style::cell(
            ui,
            STEP_WIDTH,
            height,
            egui::Label::new(RichText::new(step_text).color(ui.visuals().weak_text_color()))
                .truncate(),
        )
        .on_hover_text(match &row.call {
            // Issue 28: the web server's calls are webserver.py's steps.
            Call::Tcp(c) if row.web => web_step_hint(lang, c),
            call => step_hint(lang, row.lab_side().unwrap_or(row.side), call),
        });
        if scripts.is_some() {
            // file:line of a script's call; UDP Lab's own calls have none.
            let site = row
                .script
                .as_ref()
                .and_then(|c| c.site.as_ref())
                .map(|(file, line)| format!("{}:{line}", file_name(file)))
                .unwrap_or_default();
            crate::app::style::cell(
                ui,
                SITE_WIDTH,
                height,
                egui::Label::new(
                    RichText::new(&site)
                        .monospace()
                        .color(ui.visuals().weak_text_color()),
                )
                .truncate(),
            );
        }
        let label = egui::Label::new(RichText::new(&text).monospace().color(color)).truncate();
        let label = if look.clickable {
            label.sense(egui::Sense::click())
        } else {
            label
        };
        let r = ui.add(label);
        if look.selected {
            ui.painter().rect_stroke(
                r.rect.expand(2.0),
                3.0,
                egui::Stroke::new(1.5, crate::app::style::accent_color(ui)),
                egui::StrokeKind::Outside,
            );
        }
        r
    })
    .inner
}

fn sim_of(call: &Call) -> Option<SimFate> {
    match call {
        Call::SendTo { sim, .. } => Some(*sim),
        _ => None,
    }
}

/// Wide enough for «нет в методичке» as well as "step 10".
const STEP_WIDTH: f32 = 112.0;
/// "server.py (2)"; longer names are cut (the full one on hover).
const SCRIPT_SIDE_WIDTH: f32 = 100.0;
/// Traced scripts with a filter chip of their own.
const SCRIPT_CHIPS: usize = 3;
/// "server.py:123".
const SITE_WIDTH: f32 = 110.0;

#[cfg(test)]
mod tests;

/// What webserver.py does at a call of UDP Lab's web server (issue 28).
fn web_step_hint(lang: Lang, call: &crate::lab::session::TcpCall) -> &'static str {
    use crate::lab::session::TcpCall as C;
    let key = match call {
        C::Socket { .. } => T::WebStepSocket,
        C::Bind { .. } | C::BindFailed { .. } => T::WebStepBind,
        C::Listen { .. } => T::WebStepListen,
        C::Accept { .. } => T::WebStepAccept,
        C::Recv { .. } | C::RecvEof { .. } | C::RecvTimedOut { .. } | C::RecvFailed { .. } => {
            T::WebStepRecv
        }
        C::Send { .. } | C::SendFailed { .. } => T::WebStepSend,
        C::Close { listener: false } => T::WebStepClose,
        other => return crate::app::i18n::tcp_step_hint(lang, Side::Server, other),
    };
    key.get(lang)
}
