//! A traced script's own source in the Code view (issue 14): the file as
//! it was when the run started, with the line of its latest socket call
//! lit; with the time cursor paused, the line of the cursor's call (or of
//! the script's latest call before it, fading).

use egui::RichText;

use super::light::Glow;
use super::listing::{Listing, listing_ui};
use crate::app::UdpLabApp;
use crate::app::i18n::{T, fill};
use crate::lab::session::{ScriptId, ScriptInfo, ScriptSource, Session, Side, TraceRow};

/// Which source the Code view shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shown {
    /// The traced script making the calls (the cursor's when paused), or
    /// the lab's programs when no script ran.
    #[default]
    Auto,
    Lab,
    Script(ScriptId),
}

/// The line a script's call was made on, in the script's own file.
fn own_line(info: &ScriptInfo, row: &TraceRow) -> Option<usize> {
    let (file, line) = row.script.as_ref()?.site.as_ref()?;
    info.owns(file).then_some(*line as usize)
}

/// The script `Shown::Auto` stands for: the one of the cursor's call, else
/// the one that called last (before the cursor when paused).
fn auto_script(session: &Session, cursor: Option<usize>) -> Option<ScriptId> {
    let upto = cursor.map_or(session.trace.len(), |c| c + 1);
    let latest = session
        .trace
        .range(..upto)
        .rev()
        .take(4096)
        .find_map(|r| match r.side {
            Side::Script(id) => Some(id),
            _ => None,
        });
    latest
        .filter(|id| session.scripts.get(*id).is_some())
        .or_else(|| session.scripts.list.back().map(|s| s.id))
}

/// The script shown now, or None for the lab's programs.
pub fn shown_script(app: &UdpLabApp) -> Option<ScriptId> {
    match app.views.code.shown {
        Shown::Lab => None,
        Shown::Script(id) => app.session.scripts.get(id).map(|s| s.id),
        Shown::Auto => auto_script(&app.session, app.time.index(&app.session)),
    }
}

/// The lit line of script `id`: live, the receive it is blocked in, else
/// its latest call's; paused, the cursor's call when it is the script's,
/// else its latest call before.
pub fn lit_line(app: &UdpLabApp, id: ScriptId) -> Option<(usize, Glow)> {
    let info = app.session.scripts.get(id)?;
    if app.time.is_live()
        && let Some((_, Some((file, line)))) = &info.waiting
        && info.owns(file)
    {
        return Some((*line as usize, Glow::Now));
    }
    let trace = &app.session.trace;
    let cursor = app.time.index(&app.session);
    let upto = cursor.map_or(trace.len(), |c| c + 1);
    let (i, line) = trace
        .range(..upto)
        .enumerate()
        .rev()
        .take(4096)
        .filter(|(_, r)| r.side == Side::Script(id))
        .find_map(|(i, r)| Some((i, own_line(info, r)?)))?;
    let glow = match cursor {
        Some(c) if c != i => Glow::Fading,
        _ => Glow::Now,
    };
    Some((line, glow))
}

/// The picker: the lab's programs or a traced script.
pub fn picker_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    if app.session.scripts.list.is_empty() {
        return;
    }
    let current = shown_script(app);
    let mut picked = None;
    ui.horizontal_wrapped(|ui| {
        if ui
            .selectable_label(current.is_none(), app.t(T::CodeLabPrograms))
            .clicked()
        {
            picked = Some(Shown::Lab);
        }
        for info in &app.session.scripts.list {
            let text = fill(app.t(T::CodeTraced), &[("file", &info.name)]);
            let label = RichText::new(text).monospace();
            if ui
                .selectable_label(current == Some(info.id), label)
                .clicked()
            {
                picked = Some(Shown::Script(info.id));
            }
        }
    });
    if let Some(shown) = picked {
        // The view's own state, as its tabs are.
        app.views.code.shown = shown;
    }
}

/// Below this height the view shows no explanation above the source.
const SHORT_VIEW: f32 = 240.0;

/// The script's source, its lit line and why it cannot be shown.
pub fn script_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, id: ScriptId) {
    let Some(info) = app.session.scripts.get(id) else {
        return;
    };
    let weak = ui.visuals().weak_text_color();
    let hint = app.t(T::CodeScriptHint);
    // A short view (a projector at 1024×768) keeps its lines for the code:
    // the explanation goes to the name's tooltip.
    let short = ui.available_height() < SHORT_VIEW;
    if !short {
        ui.add(egui::Label::new(RichText::new(hint).color(weak).small()).wrap());
    }
    ui.horizontal(|ui| {
        let name = ui.label(RichText::new(&info.name).monospace().strong());
        if short {
            name.on_hover_text(hint);
        }
        ui.add(
            egui::Label::new(RichText::new(info.path.display().to_string()).color(weak)).truncate(),
        );
    });
    let source = match &info.source {
        ScriptSource::Text(text) => text.clone(),
        ScriptSource::TooLong(len) => {
            let text = fill(
                app.t(T::CodeScriptTooLong),
                &[("file", &info.name), ("kib", &(len / 1024))],
            );
            ui.label(RichText::new(text).color(crate::app::style::warn_color(ui)));
            return;
        }
        ScriptSource::Unreadable(reason) => {
            let text = fill(
                app.t(T::CodeScriptUnreadable),
                &[("file", &info.name), ("reason", reason)],
            );
            ui.label(RichText::new(text).color(crate::app::style::warn_color(ui)));
            return;
        }
    };
    let salt = format!("script-{id}");
    let lit = lit_line(app, id);
    // Scroll only when the lit line moves, so the student can scroll away.
    let scroll_to = lit
        .map(|(line, _)| line)
        .filter(|&line| app.views.code.script_line != Some((id, line)));
    app.views.code.script_line = lit.map(|(line, _)| (id, line));
    app.views.code.script_lit = lit;
    // The listing lights steps; a script's one lit line is "step" 0.
    let steps: Vec<(u8, usize)> = lit.map(|(line, _)| (0, line)).into_iter().collect();
    let glows: Vec<(u8, Glow)> = lit.map(|(_, glow)| (0, glow)).into_iter().collect();
    listing_ui(
        ui,
        &Listing {
            salt: &salt,
            source: &source,
            steps: &steps,
            lit: &glows,
            scroll_to,
        },
    );
}
