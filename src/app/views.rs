//! The teaching views under the two panels: socket-call trace, sequence
//! diagram, datagram anatomy and the lab's code, one at a time behind tabs.

pub mod anatomy;
pub mod code;
pub mod connection;
pub mod diagram;
pub mod trace;

use crate::app::UdpLabApp;

pub use crate::app::state::View;

/// What a click in a view changes of the view itself (one [`Command`]
/// each, as every UI action is).
///
/// [`Command`]: crate::app::Command
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewCommand {
    /// The trace shows all calls, or one side's.
    TraceFilter(trace::TraceFilter),
    /// The TCP connection the diagram and the stream anatomy show.
    PickConnection(usize),
    /// The stream anatomy shows server → client (true) or client → server.
    StreamDown(bool),
    /// An HTTP connection shown as its plain stream (true) or as messages.
    HttpPlain(bool),
    /// Which message of a kept-alive connection the HTTP anatomy shows.
    HttpMessage(usize),
}

/// Applies a [`ViewCommand`].
pub fn run(app: &mut UdpLabApp, command: ViewCommand) {
    let views = &mut app.views;
    match command {
        ViewCommand::TraceFilter(filter) => views.trace_filter = filter,
        ViewCommand::PickConnection(pick) => {
            views.tcp_pick = Some(pick);
            views.http_message = None;
        }
        ViewCommand::StreamDown(down) => views.stream_down = down,
        ViewCommand::HttpPlain(plain) => views.http_plain = plain,
        ViewCommand::HttpMessage(index) => views.http_message = Some(index),
    }
}

/// The least a view's scroll area keeps (egui's default is 64 points): a
/// projector's short window has no more to give, and a views panel whose
/// content is taller than the panel loses its top row (the tabs).
pub const VIEW_MIN_SCROLL: f32 = 24.0;

/// What the views remember while the app runs (not saved).
#[derive(Default)]
pub struct ViewsState {
    pub trace_filter: trace::TraceFilter,
    /// The time cursor's call when the trace was last drawn (to scroll to
    /// it when it moves).
    pub trace_cursor: Option<crate::lab::timeline::RowRef>,
    /// The tab row's height in the last frame (the views panel's smallest
    /// height leaves room for it and a little of the view).
    pub tab_row_height: f32,
    pub diagram: diagram::DiagramState,
    pub code: code::CodeState,
    /// Where the view itself (under the tab row) was drawn last frame.
    pub content_rect: Option<egui::Rect>,
    /// Issue 27: the TCP connection the diagram and the stream anatomy
    /// show (an index into the session's list; None: the newest).
    pub tcp_pick: Option<usize>,
    /// The stream anatomy shows the server → client direction.
    pub stream_down: bool,
    /// What the stream anatomy drew last frame.
    pub stream: anatomy::StreamDrawn,
    /// Issue 28: the anatomy shows an HTTP connection as its plain stream.
    pub http_plain: bool,
    /// The message of a kept-alive connection the HTTP anatomy shows (the
    /// same number in both directions; None: the newest).
    pub http_message: Option<usize>,
    /// What the HTTP anatomy drew last frame.
    pub http: anatomy::HttpDrawn,
}

/// Issue 27: with TCP chosen in a panel, the diagram and the anatomy show
/// connections and streams instead of datagrams.
pub fn tcp_mode(app: &UdpLabApp) -> bool {
    app.settings.server_protocol.is_stream() || app.settings.client_protocol.is_stream()
}

/// The diagram and the anatomy show connections: a panel chose a stream
/// protocol, or the session has connections and no datagram (a traced web
/// server with the panels left on UDP).
pub fn shows_streams(app: &UdpLabApp) -> bool {
    tcp_mode(app) || (app.session.datagrams.is_empty() && !app.session.streams.list.is_empty())
}

/// What the connection views say before the first connection: HTTP's
/// way in is the web server and a browser.
pub fn no_connection_text(app: &UdpLabApp) -> crate::app::T {
    use crate::net::Protocol::Http;
    if app.settings.server_protocol == Http || app.settings.client_protocol == Http {
        crate::app::T::HttpDiagramEmpty
    } else {
        crate::app::T::TcpDiagramEmpty
    }
}

/// A tab's name: the anatomy tab names what it shows, a datagram or a stream.
pub fn tab_title(app: &UdpLabApp, view: View) -> crate::app::T {
    if view == View::Anatomy && anatomy::shows_http(app) {
        crate::app::T::ViewHttpAnatomy
    } else if view == View::Anatomy && anatomy::shows_streams(app) {
        crate::app::T::ViewStreamAnatomy
    } else {
        view.title()
    }
}

/// The tabs, then `strip` on their row (the time strip: drawn by the
/// caller, as views import no panel), wrapping when they do not fit; then
/// the view.
pub fn views_ui(
    ui: &mut egui::Ui,
    app: &mut UdpLabApp,
    strip: impl FnOnce(&mut egui::Ui, &mut UdpLabApp),
) {
    // Fill the panel: a panel otherwise shrinks to its first frame's content.
    ui.set_min_height(ui.available_height());
    let tabs = ui.horizontal_wrapped(|ui| {
        for view in View::ALL {
            let selected = app.settings.view == view;
            let mut text = egui::RichText::new(app.t(tab_title(app, view))).strong();
            if selected {
                // Strong text is black in a light theme: on the selection's
                // fill it needs the selection's own text colour.
                text = text.color(ui.visuals().selection.stroke.color);
            }
            if ui.selectable_label(selected, text).clicked() {
                app.act(crate::app::Command::ShowView(view));
            }
        }
        ui.separator();
        strip(ui, app);
    });
    app.views.tab_row_height = tabs.response.rect.height();
    ui.separator();
    // The view gets exactly the rest: a view taller than that is clipped
    // (it scrolls inside itself), never pushing its panel's edge over the
    // panels above, which would cover the tab row (issue 24).
    let rect = ui.available_rect_before_wrap();
    app.views.content_rect = Some(rect);
    let mut view_ui = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    view_ui.set_clip_rect(rect.intersect(ui.clip_rect()));
    match app.settings.view {
        View::Trace => trace::trace_ui(&mut view_ui, app),
        View::Diagram => diagram::diagram_ui(&mut view_ui, app),
        View::Anatomy => anatomy::anatomy_ui(&mut view_ui, app),
        View::Code => code::code_ui(&mut view_ui, app),
    }
    ui.advance_cursor_after_rect(rect);
}

#[cfg(test)]
mod traced_tests;

#[cfg(test)]
mod traced_http_tests;
