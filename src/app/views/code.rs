//! The Code view: the lab's server.py and client.py with this window's
//! values (src/lab/code.rs writes them), side by side or behind tabs, the
//! running line lit ([`light`]), and Copy / Save as… for each.
//!
//! Lit lines: the calls UDP Lab's own server and client make play in
//! sequence, one step every quarter second, each lit for 1.5 s (the
//! newest brightly, with an outline); the steps that are no call light
//! right after the call they follow (6 after bind, 8 after recvfrom, 9
//! before sendto). The datagram picked in the trace, the diagram or the
//! anatomy lights its sendto and recvfrom lines in the accent colour.

pub mod light;
mod listing;
pub mod python;
pub mod script;

use std::time::{Duration, SystemTime};

use egui::RichText;

use crate::app::i18n::fill;
use crate::app::{Command, ReplyKind, Settings, T, UdpLabApp};
use crate::lab::code::{CodeSettings, Program, ReplyCode, Role};
use crate::lab::session::Session;
use crate::net;

pub use light::Glow;
use listing::{Listing, listing_ui};

/// How long "Copied server.py" stays.
const COPIED_FOR: f64 = 3.0;
/// From this height the view's caption wraps to its whole length.
const ROOMY_VIEW: f32 = 480.0;
/// The characters a program's column needs to stand beside the other.
const COLUMN_CHARS: f32 = 60.0;

/// What the view keeps while the app runs.
#[derive(Default)]
pub struct CodeState {
    /// The program shown when the two do not fit side by side.
    pub tab: Tab,
    pub lighting: light::Lighting,
    /// What the last frame drew lit: (program, step, how).
    pub drawn: Vec<(Role, u8, Glow)>,
    /// "Copied …" under the buttons, since this egui time.
    pub copied: Option<(Role, f64)>,
    /// Each program's newest step, to scroll to it once when it changes.
    last_now: [Option<u8>; 2],
    /// The selected datagram's lines, and what they were found for.
    selection: Option<(SelectionKey, Vec<(Role, u8)>)>,
    /// The lab's programs or a traced script's source.
    pub shown: script::Shown,
    /// The script line lit last frame (to scroll to it once it moves).
    script_line: Option<(crate::lab::session::ScriptId, usize)>,
    /// What the last frame lit in a script's source: (line, how).
    pub script_lit: Option<(usize, Glow)>,
}

/// (datagram, trace size): the selection's lines change with either.
type SelectionKey = (u64, u64);

/// Which program the tabs show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    #[default]
    Server,
    Client,
}

impl Tab {
    fn role(self) -> Role {
        match self {
            Tab::Server => Role::Server,
            Tab::Client => Role::Client,
        }
    }
}

fn index(role: Role) -> usize {
    match role {
        Role::Server => 0,
        Role::Client => 1,
    }
}

/// The window's values, as the programs show them.
pub fn code_settings(s: &Settings) -> CodeSettings {
    CodeSettings {
        bind: s.bind.clone(),
        target: s.target.clone(),
        message: s.message.clone(),
        reply: match s.reply {
            ReplyKind::Fixed => ReplyCode::Fixed(s.reply_text.clone()),
            ReplyKind::Echo => ReplyCode::Echo,
            ReplyKind::None => ReplyCode::None,
        },
        server_buffer: s.server_buffer.clamp(1, net::MAX_DATAGRAM + 1),
        client_buffer: s.client_buffer.clamp(1, net::MAX_DATAGRAM + 1),
        // UDP Lab's client always gives up after its timeout.
        timeout: Some(s.timeout()),
        // Each panel's protocol picks its program (issue 27).
        backlog: s.tcp_backlog,
        server_protocol: s.server_protocol,
        client_protocol: s.client_protocol,
        web: crate::lab::code::web::WebCodeSettings {
            bind: s.http_bind.clone(),
            folder: (!s.http_root.trim().is_empty()).then(|| s.http_root.trim().to_string()),
            url: s.http_url.clone(),
            headers: s.http_headers.clone(),
        },
    }
}

/// The program as the window's values and language write it now.
pub fn program(app: &UdpLabApp, role: Role) -> Program {
    role.program(&code_settings(&app.settings), app.lang)
}

/// The steps the trace rows of `datagram` are (its sendto, its recvfrom).
fn datagram_steps(session: &Session, datagram: u64) -> Vec<(Role, u8)> {
    let mut steps: Vec<(Role, u8)> = session
        .trace
        .iter()
        .rev()
        .filter(|row| row.datagram == Some(datagram))
        .filter_map(|row| Some((Role::of(row.side)?, row.lab_step()?)))
        .collect();
    steps.dedup();
    steps
}

/// Queues the new calls' steps and returns what is lit now, selection
/// included.
fn lit_now(app: &mut UdpLabApp, programs: &[Program; 2], now: f64) -> Vec<(Role, u8, Glow)> {
    let has = |role: Role, step: u8| programs[index(role)].line_of(step).is_some();
    if !app.time.is_live() {
        return at_cursor(&app.session, app.time.index(&app.session), has);
    }
    let state = &mut app.views.code;
    state
        .lighting
        .feed(&app.session, now, SystemTime::now(), has);
    let mut lit = state.lighting.lit(now);
    if let Some(id) = app.selected_datagram {
        let key = (
            id,
            app.session.trace_dropped + app.session.trace.len() as u64,
        );
        if state.selection.as_ref().is_none_or(|(k, _)| *k != key) {
            state.selection = Some((key, datagram_steps(&app.session, id)));
        }
        for &(role, step) in state.selection.iter().flat_map(|(_, s)| s) {
            if !lit
                .iter()
                .any(|(r, s, g)| *r == role && *s == step && *g == Glow::Now)
            {
                lit.retain(|(r, s, _)| !(*r == role && *s == step));
                lit.push((role, step, Glow::Selected));
            }
        }
    }
    lit
}

/// Paused or playing: the cursor's call lights its line (now), and the
/// other program's latest call before it its own (where that one stands).
fn at_cursor(
    session: &Session,
    cursor: Option<usize>,
    has: impl Fn(Role, u8) -> bool,
) -> Vec<(Role, u8, Glow)> {
    let Some(cursor) = cursor else {
        return Vec::new();
    };
    let step_of = |row: &crate::lab::session::TraceRow| {
        let role = Role::of(row.side)?;
        row.lab_step()
            .filter(|&step| has(role, step))
            .map(|step| (role, step))
    };
    let mut lit = Vec::new();
    let here = &session.trace[cursor];
    if let Some((role, step)) = step_of(here) {
        lit.push((role, step, Glow::Now));
    }
    let other = session
        .trace
        .range(..cursor)
        .rev()
        .take(1024)
        .filter(|row| row.side != here.side)
        .find_map(step_of);
    if let Some((role, step)) = other {
        lit.push((role, step, Glow::Fading));
    }
    lit
}

pub fn code_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    script::picker_ui(ui, app);
    if let Some(id) = script::shown_script(app) {
        script::script_ui(ui, app, id);
        return;
    }
    app.views.code.script_lit = None;
    let now = ui.input(|i| i.time);
    let programs = [program(app, Role::Server), program(app, Role::Client)];
    let lit = lit_now(app, &programs, now);
    let mut scroll_to = [None, None];
    for role in Role::ALL {
        let newest = lit
            .iter()
            .find(|(r, _, g)| *r == role && *g == Glow::Now)
            .map(|(_, s, _)| *s);
        let last = &mut app.views.code.last_now[index(role)];
        if newest.is_some() && newest != *last {
            scroll_to[index(role)] = newest.and_then(|s| programs[index(role)].line_of(s));
        }
        *last = newest;
    }
    app.views.code.drawn = lit.clone();
    if let Some(after) = app.views.code.lighting.next_change(now) {
        ui.ctx().request_repaint_after(after);
    }
    if let Some((_, since)) = app.views.code.copied {
        let left = since + COPIED_FOR - now;
        if left <= 0.0 {
            app.views.code.copied = None;
        } else {
            ui.ctx()
                .request_repaint_after(Duration::from_secs_f64(left));
        }
    }

    // In body text (a projector reads nothing smaller); one line in a
    // short view, the whole caption in its tooltip (issue 24).
    let weak = ui.visuals().weak_text_color();
    let caption = egui::Label::new(RichText::new(app.t(T::CodeHint)).color(weak));
    if ui.available_height() < ROOMY_VIEW {
        ui.add(caption.truncate());
    } else {
        ui.add(caption.wrap());
    }
    let font = listing::font(ui);
    let char_width = ui.ctx().fonts_mut(|f| f.glyph_width(&font, '0'));
    let wide = ui.available_width() >= 2.0 * COLUMN_CHARS * char_width;
    if wide {
        ui.columns(2, |cols| {
            for (col, role) in cols.iter_mut().zip(Role::ALL) {
                program_ui(
                    col,
                    app,
                    &programs[index(role)],
                    role,
                    &lit,
                    scroll_to[index(role)],
                    true,
                );
            }
        });
    } else {
        let tab = app.views.code.tab;
        let role = tab.role();
        // The program's tabs and its buttons share a row: a short view
        // keeps its lines for the code.
        ui.horizontal(|ui| {
            for (t, role) in [(Tab::Server, Role::Server), (Tab::Client, Role::Client)] {
                let text = RichText::new(programs[index(role)].file_name)
                    .monospace()
                    .strong();
                if ui.selectable_label(tab == t, text).clicked() {
                    app.views.code.tab = t;
                }
            }
            ui.separator();
            buttons_ui(ui, app, programs[index(role)].file_name, role);
        });
        program_ui(
            ui,
            app,
            &programs[index(role)],
            role,
            &lit,
            scroll_to[index(role)],
            false,
        );
    }
}

fn program_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    program: &Program,
    role: Role,
    lit: &[(Role, u8, Glow)],
    scroll_to: Option<usize>,
    header: bool,
) {
    let file = program.file_name;
    if header {
        ui.horizontal(|ui| {
            ui.label(RichText::new(file).monospace().strong());
            buttons_ui(ui, app, file, role);
        });
    }
    program_listing_ui(ui, app, program, role, lit, scroll_to);
}

/// Copy, Save as… and "Copied" for one program.
fn buttons_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, file: &str, role: Role) {
    {
        let copy = ui
            .button(app.t(T::Copy))
            .accessible_name(fill(app.t(T::CodeCopyName), &[("file", &file)]));
        if copy.clicked() {
            app.act(Command::CopyCode(role));
        }
        let dir = app.tools.output_dir();
        let save = ui
            .button(app.t(T::CodeSaveAs))
            .accessible_name(fill(app.t(T::CodeSaveAsName), &[("file", &file)]))
            .on_hover_text(fill(
                app.t(T::CodeSaveHint),
                &[("file", &file), ("dir", &dir.display())],
            ));
        if save.clicked() {
            app.act(Command::SaveCode(role));
        }
        if app.views.code.copied.is_some_and(|(r, _)| r == role) {
            ui.label(fill(app.t(T::Copied), &[("text", &file)]));
        }
    }
}

fn program_listing_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    program: &Program,
    role: Role,
    lit: &[(Role, u8, Glow)],
    scroll_to: Option<usize>,
) {
    let file = program.file_name;
    if program.address_invalid {
        let field = match role {
            Role::Server => T::BindAddress,
            Role::Client => T::Target,
        };
        let text = fill(
            app.t(T::CodeBadAddress),
            &[("field", &app.t(field)), ("addr", &net::DEFAULT_ADDR)],
        );
        ui.label(RichText::new(text).color(crate::app::style::warn_color(ui)));
    }
    let steps: Vec<(u8, Glow)> = lit
        .iter()
        .filter(|(r, _, _)| *r == role)
        .map(|(_, s, g)| (*s, *g))
        .collect();
    listing_ui(
        ui,
        &Listing {
            salt: file,
            source: &program.source,
            steps: &program.steps,
            lit: &steps,
            scroll_to,
        },
    );
}

/// `Command::CopyCode`: the program's text to the clipboard.
pub fn copy(ctx: &egui::Context, app: &mut UdpLabApp, role: Role) {
    let program = program(app, role);
    ctx.copy_text(program.source);
    app.views.code.copied = Some((role, ctx.input(|i| i.time)));
}

#[cfg(test)]
mod tests;
