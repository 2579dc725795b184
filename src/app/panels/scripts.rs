//! "Python scripts": run the student's own `server.py` or `client.py`
//! under the tracer. A path (typed, picked from Recent, or a .py file
//! dropped on the window), its arguments and the interpreter; then for each
//! run a console with its output, its socket calls with file:line and
//! handout step, and the mistakes they show; an input line for its stdin;
//! Stop; its exit code. Reads the state and pushes commands.

use egui::RichText;

use crate::app::scripts::{ConsoleLine, RunStatus, ScriptRun, error_text};
use crate::app::style;
use crate::app::{Command, T, UdpLabApp};
use crate::lab::i18n::fill;

/// The console's height for one run.
const CONSOLE_HEIGHT: f32 = 130.0;
/// The list of a run's mistakes, above its console.
const DIAGNOSES_HEIGHT: f32 = 60.0;
/// Room the window takes at first above the bottom edge.
const WINDOW_HEIGHT: f32 = 370.0;

/// Characters that would hide, reorder or break a console line, shown as
/// escapes instead (a script may print anything).
fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let hidden = (c.is_control() && c != '\t')
            || matches!(c, '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
        if hidden {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// The window (when open), and a .py file dropped anywhere on UDP Lab.
pub fn scripts_window_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let ctx = ui.ctx().clone();
    let dropped = ctx.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .find(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("py")))
    });
    if let Some(path) = dropped {
        app.act(Command::SetScriptPath(path.display().to_string()));
    }
    if !app.scripts.open {
        return;
    }
    if let Some(picker) = &app.scripts.picker {
        let mut commands = Vec::new();
        crate::app::tools::file_picker::file_picker_ui(&ctx, picker, app.lang, &mut commands);
        for c in commands {
            app.act(c);
        }
    }
    let width = ctx.content_rect().width();
    let height = ctx.content_rect().height();
    // Issue 24: docked at the right where the panels keep their two
    // columns beside it; else docked at the bottom, under the views: a
    // floating window would hide part of them.
    let panel = if width >= crate::app::layout::WIDE + DOCK_WIDTH {
        egui::Panel::right("udp-lab-scripts-dock")
            .default_size(DOCK_WIDTH.max(width * 0.35))
            .min_size(DOCK_WIDTH)
            .max_size(width - crate::app::layout::WIDE)
    } else {
        egui::Panel::bottom("udp-lab-scripts-bottom")
            // The views stay the stage: the console takes under a third.
            .default_size(WINDOW_HEIGHT.min(height * 0.3))
            .min_size(120.0)
            .max_size(height * 0.6)
    };
    panel.resizable(true).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(app.t(T::ScriptsTitle)).heading().strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let close = ui.button("✕").accessible_name(app.t(T::Close));
                if close.on_hover_text(app.t(T::Close)).clicked() {
                    app.act(Command::ToggleScripts);
                }
            });
        });
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("scripts-dock")
            .show(ui, |ui| scripts_ui(ui, app));
    });
}

/// The docked scripts panel's least width.
const DOCK_WIDTH: f32 = 420.0;

fn scripts_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    egui::Grid::new("script_settings")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let label = ui.label(t(T::ScriptPath));
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut app.settings.scripts.path).desired_width(260.0),
                )
                .labelled_by(label.id)
                .on_hover_text(t(T::ScriptPathHint));
                if ui
                    .button(t(T::ScriptBrowse))
                    .on_hover_text(t(T::ScriptBrowseHint))
                    .clicked()
                {
                    let dir = crate::app::tools::file_picker::start_dir(&app.settings.scripts.path);
                    app.act(Command::BrowseScripts(Some(dir)));
                }
                if !app.settings.scripts.recent.is_empty() {
                    ui.menu_button(t(T::ScriptRecent), |ui| {
                        for path in app.settings.scripts.recent.clone() {
                            if ui.button(&path).clicked() {
                                app.act(Command::SetScriptPath(path));
                                ui.close();
                            }
                        }
                    });
                }
            });
            ui.end_row();
            let label = ui.label(t(T::ScriptArgs));
            ui.add(egui::TextEdit::singleline(&mut app.settings.scripts.args).desired_width(260.0))
                .labelled_by(label.id)
                .on_hover_text(t(T::ScriptArgsHint));
            ui.end_row();
            let label = ui.label(t(T::ScriptPython));
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut app.settings.scripts.python)
                        .hint_text("python3")
                        .desired_width(200.0),
                )
                .labelled_by(label.id)
                .on_hover_text(t(T::ScriptPythonHint));
                let can_run = !app.settings.scripts.path.trim().is_empty();
                if ui
                    .add_enabled(
                        can_run,
                        egui::Button::new(RichText::new(t(T::ScriptStart)).strong()),
                    )
                    .clicked()
                {
                    app.act(Command::RunScript);
                }
            });
            ui.end_row();
        });
    if let Some(e) = &app.scripts.error {
        ui.colored_label(style::error_color(ui), error_text(lang, e));
    }
    ui.separator();
    if app.scripts.runs.is_empty() {
        ui.weak(t(T::ScriptNone));
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("script_runs")
        .auto_shrink([false, true])
        .show(ui, |ui| {
            let mut commands = Vec::new();
            for run in &mut app.scripts.runs {
                run_ui(ui, run, lang, &mut commands);
                ui.add_space(8.0);
            }
            for c in commands {
                app.act(c);
            }
        });
}

fn run_ui(
    ui: &mut egui::Ui,
    run: &mut ScriptRun,
    lang: crate::lab::i18n::Lang,
    commands: &mut Vec<Command>,
) {
    let t = |k: T| k.get(lang);
    let file = run.file.clone();
    ui.horizontal(|ui| {
        let running = run.status == RunStatus::Running;
        let color = match run.status {
            RunStatus::Running => style::ok_color(ui),
            RunStatus::Ended { code: Some(0), .. } => style::accent_color(ui),
            RunStatus::Ended { .. } => style::error_color(ui),
        };
        style::status_dot(ui, color);
        ui.label(RichText::new(run.status_text(lang)).strong());
        if running {
            if ui
                .button(fill(t(T::ScriptStop), &[("file", &file)]))
                .clicked()
            {
                commands.push(Command::StopScript(run.run));
            }
        } else if ui
            .button(fill(t(T::ScriptRemove), &[("file", &file)]))
            .clicked()
        {
            commands.push(Command::RemoveScript(run.run));
        }
    });
    if !run.diagnoses.is_empty() {
        // The mistakes, wrapped to be read; each is in the console too,
        // after the call it concerns.
        egui::ScrollArea::vertical()
            .id_salt(("script_diagnoses", run.run))
            .max_height(DIAGNOSES_HEIGHT)
            .auto_shrink([false, true])
            .stick_to_bottom(true)
            .show(ui, |ui| {
                for d in &run.diagnoses {
                    ui.label(
                        RichText::new(format!("! {}", safe(&d.text(lang))))
                            .color(style::warn_color(ui)),
                    );
                }
            });
    }
    egui::Frame::group(ui.style()).show(ui, |ui| {
        if run.dropped > 0 {
            ui.weak(fill(t(T::ScriptConsoleDropped), &[("n", &run.dropped)]));
        }
        // One line per row, unwrapped: only the rows in sight are laid out
        // (a flooded server fills the console fast).
        let row_height = ui.text_style_height(&egui::TextStyle::Monospace);
        egui::ScrollArea::both()
            .id_salt(("script_console", run.run))
            .max_height(CONSOLE_HEIGHT)
            .auto_shrink([false, true])
            .stick_to_bottom(true)
            .show_rows(ui, row_height, run.console.len(), |ui, rows| {
                for line in run.console.range(rows) {
                    let text = RichText::new(safe(&line.text(lang))).monospace();
                    let text = match line {
                        ConsoleLine::Stdout(_) => text,
                        ConsoleLine::Stderr(_) => text.color(style::error_color(ui)),
                        ConsoleLine::Call { .. } => text.color(style::accent_color(ui)),
                        ConsoleLine::Diagnosis(_) => text.color(style::warn_color(ui)),
                    };
                    ui.add(egui::Label::new(text).wrap_mode(egui::TextWrapMode::Extend));
                }
            });
    });
    if run.status == RunStatus::Running {
        ui.horizontal(|ui| {
            let label = ui.label(fill(t(T::ScriptInput), &[("file", &file)]));
            let field = ui
                .add(egui::TextEdit::singleline(&mut run.input).desired_width(240.0))
                .labelled_by(label.id);
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button(t(T::ScriptSendInput)).clicked() || enter {
                commands.push(Command::ScriptInput(run.run));
            }
        });
    }
}

#[cfg(test)]
mod tests;
