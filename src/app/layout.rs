//! The window's body under the toolbar (issue 24: the teaching view is the
//! stage). The view gets the larger part of the height; the panels above
//! it fold, in a short window, to what a class watches (the server's
//! status, Start/Stop and newest datagram; the client's target, message,
//! Send and answer), the rest one click away ("More"). Between them a
//! divider with a grip: dragged, remembered per mode, double-click for the
//! default. F (or the tab row's button) gives the view the whole window
//! under the toolbar; F1 (or "?") opens the help.

use egui::{RichText, Sense, Stroke, vec2};

use crate::app::panels::{
    client as client_panel, network as network_panel, server as server_panel, timebar,
};
use crate::app::{Command, T, UdpLabApp, i18n, style, views};

/// From this width (in points, after zoom) the panels stand side by side:
/// 1024×768 at presentation mode's 1.5× is 683 points wide.
pub const WIDE: f32 = 640.0;
/// A window shorter than this (points) is short: a projector's.
pub const SHORT_WINDOW: f32 = 800.0;
/// In a short window (or presenting) the view's content takes at least
/// this share of the window's height by default.
pub const VIEW_SHARE_SHORT: f32 = 0.6;
/// Elsewhere the default split still favours the view.
const VIEW_SHARE_TALL: f32 = 0.5;
/// Below this height the panels show their compact form.
pub const FOLD_BELOW: f32 = 330.0;
/// What the compact panels need (three rows each and their frames).
const COMPACT_PANELS: f32 = 104.0;
/// The view's least height (its tab row and a few rows).
const MIN_VIEWS: f32 = 140.0;
/// The divider's height: its grip is a handle, not a hairline.
const DIVIDER: f32 = 12.0;
/// The views' share while the panels are unfolded in a short window.
const UNFOLDED_VIEW_SHARE: f32 = 0.4;

/// What the layout keeps while the app runs (the split is in the settings).
#[derive(Default)]
pub struct LayoutState {
    /// The view in the whole window under the toolbar.
    pub focus: bool,
    /// The help window is open…
    pub help: bool,
    /// …showing the guide (issue 29) rather than the keys and views.
    pub guide: bool,
    /// A heading of the guide to scroll to (a contents link was clicked).
    pub guide_anchor: Option<String>,
    /// "More": the panels' full form even in a short window.
    pub unfolded: bool,
    /// Whether the last frame drew the panels in their compact form.
    pub folded: bool,
    /// The divider's rect in the last frame (tests drag it).
    pub divider: Option<egui::Rect>,
}

/// What the layout's controls ask for (one [`Command::Layout`] each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayoutCommand {
    ToggleFocus,
    ToggleHelp,
    CloseHelp,
    /// Help shows the guide (true) or the keys and views.
    Guide(bool),
    /// The guide scrolls to the heading with this anchor.
    GuideJump(String),
    /// The panels' full form (true) or their compact one in a short window.
    Unfold(bool),
    /// The view's share (‰) of the height the divider splits; None: the
    /// default. For the current mode.
    Split(Option<u16>),
}

pub fn run(app: &mut UdpLabApp, command: LayoutCommand) {
    let layout = &mut app.layout;
    match command {
        LayoutCommand::ToggleFocus => layout.focus = !layout.focus,
        LayoutCommand::ToggleHelp => layout.help = !layout.help,
        LayoutCommand::CloseHelp => layout.help = false,
        LayoutCommand::Guide(on) => layout.guide = on,
        LayoutCommand::GuideJump(anchor) => layout.guide_anchor = Some(anchor),
        LayoutCommand::Unfold(on) => layout.unfolded = on,
        LayoutCommand::Split(share) => {
            // A drag is the user's own split: the panels fold by height again.
            layout.unfolded = false;
            let tools = &mut app.settings.tools;
            if tools.presentation {
                tools.views_share_presentation = share;
            } else {
                tools.views_share = share;
            }
        }
    }
}

/// F: the view in the whole window (and back); Esc: back, or the help
/// closed; F1: the help; Enter in the whole-window view: Send. Letters and
/// Enter only while no text field has the keyboard.
pub fn keys(ctx: &egui::Context, app: &mut UdpLabApp) {
    use egui::{Key, Modifiers};
    if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::F1)) {
        app.act(Command::Layout(LayoutCommand::ToggleHelp));
    }
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    let (f, esc, enter) = ctx.input_mut(|i| {
        (
            i.consume_key(Modifiers::NONE, Key::F),
            i.key_pressed(Key::Escape),
            app.layout.focus && i.consume_key(Modifiers::NONE, Key::Enter),
        )
    });
    if f || (esc && app.layout.focus) {
        app.act(Command::Layout(LayoutCommand::ToggleFocus));
    } else if esc && app.layout.help {
        app.act(Command::Layout(LayoutCommand::CloseHelp));
    }
    if enter && !app.client.busy() {
        app.act(Command::Send);
    }
}

/// The network strip, the panels, the divider and the views; or, in focus,
/// a status line and the view alone.
pub fn body_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, commands: &mut Vec<Command>) {
    if app.layout.focus {
        egui::CentralPanel::default().show(ui, |ui| {
            status_line_ui(ui, app);
            ui.separator();
            views::views_ui(ui, app, strip_ui);
        });
        return;
    }
    egui::Panel::top("network").show(ui, |ui| network_panel::network_ui(ui, app));
    let wide = ui.available_width() >= WIDE;
    if !wide {
        stacked_ui(ui, app, commands);
        return;
    }
    let rest = ui.available_height();
    let bottom = ui.available_rect_before_wrap().bottom();
    let views_height = views_height(ui.ctx(), app, rest);
    egui::Panel::bottom("views")
        .resizable(false)
        .show_separator_line(false)
        .exact_size(views_height)
        .show(ui, |ui| views::views_ui(ui, app, strip_ui));
    egui::Panel::bottom("divider")
        .resizable(false)
        .show_separator_line(false)
        .frame(egui::Frame::NONE)
        .exact_size(DIVIDER)
        .show(ui, |ui| divider_ui(ui, app, rest, bottom));
    egui::CentralPanel::default().show(ui, |ui| {
        let short = short_window(ui.ctx(), app);
        let folded = !app.layout.unfolded && ui.available_height() < FOLD_BELOW;
        app.layout.folded = folded;
        if app.layout.unfolded && short {
            ui.horizontal(|ui| {
                if ui.button(app.t(T::LayoutFewer)).clicked() {
                    commands.push(Command::Layout(LayoutCommand::Unfold(false)));
                }
            });
        }
        ui.columns(2, |cols| {
            // Each column flows top-down without justification: a wrapped
            // label in a justified layout is stretched letter by letter.
            let width = cols[0].available_width();
            let layout = egui::Layout::top_down(egui::Align::Min);
            cols[0].with_layout(layout, |ui| {
                if folded {
                    server_panel::compact_ui(ui, app, commands);
                } else {
                    // Each panel scrolls on its own: what does not fit (the
                    // statistics, a long history) stays in reach. Text wraps
                    // and truncates at the column's width; only a row that
                    // cannot shrink scrolls sideways.
                    style::panel_scroll("server_scroll").show(ui, |ui| {
                        ui.set_max_width(width);
                        server_panel::server_ui(ui, app, commands, true);
                    });
                }
            });
            cols[1].with_layout(layout, |ui| {
                if folded {
                    client_panel::compact_ui(ui, app, commands);
                } else {
                    style::panel_scroll("client_scroll").show(ui, |ui| {
                        ui.set_max_width(width);
                        client_panel::client_ui(ui, app, commands, true);
                    });
                }
            });
        });
    });
}

/// A narrow window: the panels and the views one under the other, scrolled.
fn stacked_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, commands: &mut Vec<Command>) {
    app.layout.folded = false;
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                server_panel::server_ui(ui, app, commands, false);
                ui.add_space(8.0);
                client_panel::client_ui(ui, app, commands, false);
                ui.add_space(8.0);
                // A fixed height: the views scroll inside themselves.
                let size = egui::vec2(ui.available_width(), 380.0);
                ui.allocate_ui(size, |ui| views::views_ui(ui, app, strip_ui));
            });
        });
    });
}

/// Presenting, or a window under [`SHORT_WINDOW`] points high.
pub fn short_window(ctx: &egui::Context, app: &UdpLabApp) -> bool {
    app.settings.tools.presentation || ctx.content_rect().height() < SHORT_WINDOW
}

/// The views panel's height out of `rest` (under the network strip): the
/// user's split for this mode, else the default, which gives the view's
/// content most of a short window.
fn views_height(ctx: &egui::Context, app: &UdpLabApp, rest: f32) -> f32 {
    let window = ctx.content_rect().height();
    let short = short_window(ctx, app);
    let tools = &app.settings.tools;
    let stored = if tools.presentation {
        tools.views_share_presentation
    } else {
        tools.views_share
    };
    let max = (rest - DIVIDER - COMPACT_PANELS).max(MIN_VIEWS);
    let wanted = if app.layout.unfolded && short {
        rest * UNFOLDED_VIEW_SHARE
    } else if let Some(share) = stored {
        rest * f32::from(share) / 1000.0
    } else {
        default_views_height(app, window, rest, short)
    };
    wanted.clamp(MIN_VIEWS.min(max), max)
}

fn default_views_height(app: &UdpLabApp, window: f32, rest: f32, short: bool) -> f32 {
    // The tab row (with the time strip) and the panel's margins come on
    // top of the view's content.
    let chrome = app.views.tab_row_height.max(24.0) + 20.0;
    let share = if short {
        VIEW_SHARE_SHORT
    } else {
        VIEW_SHARE_TALL
    };
    (window * share + chrome).max(rest * 0.55)
}

/// The grip between the panels and the view.
fn divider_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, rest: f32, bottom: f32) {
    let rect = ui.max_rect();
    app.layout.divider = Some(rect);
    let id = egui::Id::unique("udp-lab-divider");
    let response = ui
        .interact(rect, id, Sense::click_and_drag())
        .on_hover_text(app.t(T::LayoutDividerHint));
    let response = response.accessible_name(app.t(T::LayoutDividerName));
    if response.hovered() || response.dragged() {
        ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeVertical);
    }
    let visuals = ui.visuals();
    let active = response.hovered() || response.dragged();
    let line = if active {
        visuals.widgets.hovered.fg_stroke.color
    } else {
        visuals.widgets.noninteractive.bg_stroke.color
    };
    let painter = ui.painter();
    painter.hline(rect.x_range(), rect.center().y, Stroke::new(1.0, line));
    // The grip: a short, thick bar in the middle, visible without hovering.
    let grip = egui::Rect::from_center_size(rect.center(), vec2(56.0, 6.0));
    let fill = if active {
        visuals.widgets.hovered.fg_stroke.color
    } else {
        visuals.widgets.inactive.fg_stroke.color
    };
    painter.rect_filled(grip, 3.0, fill);
    if response.double_clicked() {
        app.act(Command::Layout(LayoutCommand::Split(None)));
    } else if response.dragged()
        && let Some(pointer) = response.interact_pointer_pos()
    {
        let views = bottom - pointer.y - DIVIDER / 2.0;
        let share = (views / rest.max(1.0)).clamp(0.05, 0.95);
        let permille = (share * 1000.0).round() as u16;
        app.act(Command::Layout(LayoutCommand::Split(Some(permille))));
    }
}

/// The time strip on the tab row, then the whole-window and help buttons.
fn strip_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    timebar::timebar_ui(ui, app);
    ui.separator();
    let focus = app.layout.focus;
    let (text, name) = if focus {
        ("⊟", T::FocusLeave)
    } else {
        ("⊡", T::FocusName)
    };
    let button = ui
        .selectable_label(focus, RichText::new(text).strong())
        .accessible_name(app.t(name))
        .on_hover_text(app.t(name));
    if button.clicked() {
        app.act(Command::Layout(LayoutCommand::ToggleFocus));
    }
    let help = ui
        .selectable_label(app.layout.help, RichText::new("?").strong())
        .accessible_name(app.t(T::HelpName))
        .on_hover_text(app.t(T::HelpName));
    if help.clicked() {
        app.act(Command::Layout(LayoutCommand::ToggleHelp));
    }
}

/// In focus: the server's status and the client's answer, one line.
fn status_line_ui(ui: &mut egui::Ui, app: &UdpLabApp) {
    let lang = app.lang;
    let server = server_panel::status_text(lang, &app.server.status());
    let (answer, color) = match &app.client.outcome {
        Some(crate::app::Outcome::Response { bytes, .. }) => (
            i18n::fill(
                T::ResponseFromServer.get(lang),
                &[(
                    "text",
                    &crate::app::format::decoded_text(bytes, app.settings.client_encoding, 60),
                )],
            ),
            style::ok_color(ui),
        ),
        Some(crate::app::Outcome::Failed(e)) => (i18n::net_error(lang, e), style::error_color(ui)),
        Some(crate::app::Outcome::Waiting) => {
            (T::Sending.get(lang).to_owned(), ui.visuals().text_color())
        }
        None => (
            T::FocusNoAnswer.get(lang).to_owned(),
            ui.visuals().weak_text_color(),
        ),
    };
    let half = (ui.available_width() / 2.0 - 8.0).max(40.0);
    ui.horizontal(|ui| {
        for (who, text, color) in [
            (T::Server, server, ui.visuals().text_color()),
            (T::Client, answer, color),
        ] {
            ui.scope(|ui| {
                ui.set_width(half);
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("{}: {text}", T::get(who, lang)))
                            .strong()
                            .color(color),
                    )
                    .truncate(),
                );
            });
        }
    });
}

#[cfg(test)]
mod tests;
