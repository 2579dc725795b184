//! The window. State is kept apart from drawing: each frame `logic` drains
//! the net events (with a time budget) into the state, then `ui` draws the
//! panels, which only read the state and push [`Command`]s that run after.

pub mod clear;
mod command;
mod events;
pub mod format;
pub mod http;
pub mod i18n;
pub mod layout;
mod lenient;
pub mod lesson;
mod pace;
pub mod panels;
pub mod scripts;
pub mod settings_file;
mod start;
mod state;
pub mod style;
pub mod tcp;
pub mod tools;
mod udp;
pub mod views;

pub use command::Command;
pub use i18n::{Lang, T};
pub use state::*;
pub use style::install_fonts;

use panels::{network as network_panel, scripts as scripts_panel, timebar, toolbar};
use tools::{flood_bench, presentation};

use std::time::{Duration, Instant, SystemTime};

use crate::net::{self, EventQueue, EventSink, NetEvent};

/// The reverse-DNS id: window class, settings folder and desktop entry.
pub const APP_ID: &str = "io.github.udplab.UdpLab";

/// When the process started (set first thing in `main`): the flood
/// benchmark says how long the window took to appear.
pub static LAUNCHED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
/// Undelivered events the channel holds before it drops (and counts) them.
const EVENT_CAPACITY: usize = 65_536;
/// Time per frame spent applying events, so a flood cannot freeze the window.
pub const DRAIN_BUDGET: Duration = Duration::from_millis(4);

pub struct UdpLabApp {
    pub settings: Settings,
    pub lang: Lang,
    pub server: ServerState,
    pub client: ClientState,
    /// Every socket call and datagram, for the teaching views and exports.
    pub session: crate::lab::session::Session,
    /// The datagram the anatomy view shows (picked in the diagram or trace).
    pub selected_datagram: Option<u64>,
    /// Live, or the recorded call every view shows (paused or playing).
    pub time: crate::lab::timeline::TimeCursor,
    pub views: views::ViewsState,
    sink: EventSink<NetEvent>,
    /// Shared only so `drain_events` can apply events while it takes them.
    queue: std::rc::Rc<EventQueue<NetEvent>>,
    /// Pushed while drawing (`act`), run when the frame's drawing is done.
    commands: Vec<Command>,
    /// For commands that talk to the window (theme, zoom, screenshot).
    ctx: egui::Context,
    /// Fewer frames while flooded (pace.rs).
    pace: pace::Pace,
    /// `--send`: send once the server is listening.
    send_when_listening: bool,
    /// `--demo-step-by-step`: start it once the server is listening.
    demo_when_listening: bool,
    /// `--run-script` with `--send`: send once the script has bound.
    send_when_script_binds: bool,
    /// Screenshot, exports, presentation mode, "This computer" (toolbar.rs).
    pub tools: tools::jobs::ToolsState,
    /// `UDP_LAB_FLOOD_BENCH=N`: frame times under a flood (flood_bench.rs).
    flood: Option<flood_bench::FloodBench>,
    /// `UDP_LAB_TCP_BENCH=SECS`: the TCP server with the window open.
    tcp_bench: Option<tools::tcp_bench::TcpBench>,
    /// The teacher's demo while its burst runs.
    pub demo: Option<Demo>,
    /// The settings as last written to (or read from) the storage.
    saved: Option<Settings>,
    /// The student's own Python scripts (issue 14).
    pub scripts: scripts::ScriptsState,
    /// Focus, help, the panels' fold (issue 24).
    pub layout: layout::LayoutState,
    /// Issue 26: saving, opening and the recording shown.
    pub lesson: lesson::LessonState,
    /// Issue 27: the TCP server's connections and the TCP client's exchange.
    pub tcp: tcp::TcpState,
    /// Issue 28: the web server's log and the client's GET.
    pub http: http::HttpState,
}

impl UdpLabApp {
    pub fn new(cc: &eframe::CreationContext<'_>, start: StartOptions) -> Self {
        let flood = flood_bench::FloodBench::from_env();
        let start = match flood {
            // The benchmark's own server: any free loopback port.
            Some(_) => StartOptions {
                bind: Some("127.0.0.1:0".into()),
                start_server: true,
                send: false,
                ..start
            },
            None => start,
        };
        let file = settings_file::path();
        let tcp_bench = tools::tcp_bench::TcpBench::from_env();
        let mut app = Self::from_storage(&cc.egui_ctx, cc.storage, file.as_deref(), start);
        app.flood = flood;
        if tcp_bench.is_some() {
            // The benchmark's own TCP server: any free loopback port, the
            // lab's fixed answer.
            app.settings.server_protocol = net::Protocol::Tcp;
            app.settings.bind = "127.0.0.1:0".into();
            app.settings.reply = ReplyKind::Fixed;
            app.settings.reply_text = net::DEFAULT_REPLY.into();
            app.tcp_bench = tcp_bench;
            app.run(Command::StartServer);
        }
        app
    }

    /// `settings` are taken as what the storage holds (`new` read them
    /// there); the command line's options go over them.
    pub fn with_settings(ctx: &egui::Context, mut settings: Settings, start: StartOptions) -> Self {
        let saved = Some(settings.clone());
        if let Some(protocol) = start.protocol {
            settings.server_protocol = protocol;
            settings.client_protocol = protocol;
        }
        let http = start.protocol == Some(net::Protocol::Http);
        if let Some(bind) = start.bind {
            if http {
                settings.http_bind = bind;
            } else {
                settings.bind = bind;
            }
        }
        if let Some(to) = start.to {
            if http {
                settings.http_url = format!("http://{to}/HelloWorld.html");
            } else {
                settings.target = to;
            }
        }
        if start.presentation {
            settings.tools.presentation = true;
        }
        if let Some(view) = start.view {
            settings.view = view;
        }
        if let Some(path) = &start.run_script {
            settings.scripts.path = path.clone();
            settings.scripts.args = start.script_args.clone().unwrap_or_default();
        }
        let lang = start
            .lang
            .or(settings.lang)
            .unwrap_or_else(Lang::from_system);
        let pace = pace::Pace::default();
        let (sink, queue) = net::event_channel(EVENT_CAPACITY, pace.waker(ctx));
        ctx.set_theme(settings.theme);
        install_fonts(ctx);
        let tools = tools::jobs::ToolsState::new(ctx, &settings);
        let mut app = Self {
            settings,
            lang,
            server: ServerState::default(),
            client: ClientState::default(),
            session: crate::lab::session::Session::default(),
            selected_datagram: None,
            time: Default::default(),
            views: views::ViewsState::default(),
            sink,
            queue: std::rc::Rc::new(queue),
            commands: Vec::new(),
            ctx: ctx.clone(),
            pace,
            send_when_listening: start.send,
            demo_when_listening: start.demo_step_by_step,
            send_when_script_binds: start.send && start.run_script.is_some(),
            tools,
            flood: None,
            tcp_bench: None,
            demo: None,
            saved,
            scripts: scripts::ScriptsState::default(),
            layout: layout::LayoutState::default(),
            lesson: lesson::LessonState::default(),
            tcp: tcp::TcpState::default(),
            http: http::HttpState::default(),
        };
        app.lesson.save_on_exit = start.save.clone();
        if let Some(path) = start.open.clone() {
            app.run(Command::Lesson(lesson::LessonCommand::Open(path)));
        }
        if start.run_script.is_some() {
            // Issue 23: the run is shown, not hidden.
            app.scripts.open = true;
            app.run(Command::RunScript);
        }
        if start.start_server || start.demo_step_by_step {
            app.run(Command::StartServer);
        } else if start.send && start.run_script.is_none() {
            app.run(Command::Send);
        }
        app
    }

    /// What a panel or view does when the user acts: the command runs once
    /// the frame is drawn.
    pub fn act(&mut self, command: Command) {
        self.commands.push(command);
    }

    pub fn t(&self, key: T) -> &'static str {
        key.get(self.lang)
    }

    /// After the time cursor moved: the anatomy, the diagram's highlight
    /// and the trace's outline show the datagram of the cursor's call, or
    /// the newest one before it.
    fn follow_cursor(&mut self) {
        let Some(i) = self.time.index(&self.session) else {
            if !self.time.is_live() {
                // Before the first call: no datagram yet.
                self.selected_datagram = None;
            }
            return;
        };
        // A burst's calls alternate with datagrams: a short look back finds one.
        self.selected_datagram = self
            .session
            .trace
            .range(..=i)
            .rev()
            .take(1024)
            .find_map(|row| row.datagram);
    }

    /// The settings as they should be on disk: the demo's changes left out.
    pub fn settings_to_save(&self) -> Settings {
        // A recording's settings are never the user's.
        let mut settings = lesson::live_settings(self).unwrap_or_else(|| self.settings.clone());
        if let Some(demo) = &self.demo {
            demo.before.restore(&demo.during, &mut settings);
        }
        settings
    }

    /// Whether the settings changed since they were last saved.
    pub fn settings_unsaved(&self) -> bool {
        // A benchmark run never saves (it changed the bind address).
        self.flood.is_none()
            && self.tcp_bench.is_none()
            && self.saved.as_ref() != Some(&self.settings_to_save())
    }

    /// Runs one command from the panels (or the command line).
    pub fn run(&mut self, command: Command) {
        lesson::before(self, &command);
        match command {
            Command::Lesson(command) => lesson::run(self, command),
            Command::StartServer if self.settings.server_protocol == net::Protocol::Tcp => {
                self.start_tcp_server();
            }
            Command::StartServer if self.settings.server_protocol == net::Protocol::Http => {
                self.start_http_server();
            }
            Command::StartServer => self.start_server(),
            Command::StopServer if self.tcp.server.handle.is_some() => self.stop_tcp_server(),
            Command::StopServer if self.http.server.running() => self.stop_http_server(),
            Command::OpenInBrowser => self.open_in_browser(),
            Command::SelectHttpRequest(n) => self.http.server.selected = n,
            Command::StopServer => {
                if let Some(h) = &self.server.handle {
                    h.stop();
                    self.server.status = Some(ServerStatus::Stopping);
                }
            }
            Command::UpdateServer => {
                if let Some(h) = &self.server.handle {
                    h.update(self.settings.server_settings());
                }
                if let Some(h) = &self.tcp.server.handle {
                    h.update(self.tcp_server_settings());
                }
            }
            Command::SetServerProtocol(protocol) => {
                // Chosen while stopped: the running server keeps its kind.
                if self.server.handle.is_none()
                    && self.tcp.server.handle.is_none()
                    && !self.http.server.running()
                {
                    self.settings.server_protocol = protocol;
                }
            }
            Command::SetClientProtocol(protocol) => {
                if !self.client.busy() && !self.tcp.client.busy() && !self.http.client.busy() {
                    self.settings.client_protocol = protocol;
                }
            }
            Command::ClearIncoming => clear::clear(self),
            Command::UndoClear => clear::undo(self),
            Command::Pause => {
                self.time.pause(&self.session);
                self.follow_cursor();
            }
            Command::Play(speed) => {
                let now = self.ctx.input(|i| i.time);
                self.time.play(&self.session, speed, now);
                self.follow_cursor();
            }
            Command::SetSpeed(speed) => {
                if self.time.is_playing() {
                    let now = self.ctx.input(|i| i.time);
                    self.time.play(&self.session, speed, now);
                } else {
                    self.time.speed = speed;
                }
            }
            Command::MoveCursor(to) => {
                let now = self.ctx.input(|i| i.time);
                self.time.go(&self.session, to, now);
                self.follow_cursor();
            }
            Command::Live => {
                self.time.live();
                // The anatomy follows the newest datagram again.
                self.selected_datagram = None;
            }
            Command::StartDemoStepByStep => {
                network_panel::start_demo(self);
                let now = self.ctx.input(|i| i.time);
                self.time.play_from_next(
                    &self.session,
                    crate::lab::timeline::Speed::OnePerSecond,
                    now,
                );
            }
            Command::Send if self.settings.client_protocol == net::Protocol::Tcp => {
                self.tcp_send();
            }
            Command::Send if self.settings.client_protocol == net::Protocol::Http => {
                self.http_send();
            }
            Command::Send => self.send(1),
            Command::SendBurst => self.send(self.settings.burst_count.max(1)),
            Command::CancelSend => {
                if let Some((_, handle)) = &self.client.running {
                    handle.cancel();
                }
                if let Some((_, handle)) = &self.tcp.client.running {
                    handle.cancel();
                }
            }
            Command::StartDemo => network_panel::start_demo(self),
            Command::SetLanguage(lang) => {
                self.lang = lang;
                self.settings.lang = Some(lang);
            }
            Command::SetTheme(theme) => {
                self.settings.theme = theme;
                // A choice made now is the one to keep after presenting.
                self.settings.tools.theme_before_presentation = None;
                self.ctx.set_theme(theme);
            }
            Command::SetPresentation(on) => {
                let ctx = self.ctx.clone();
                presentation::set(&ctx, self, on);
            }
            Command::ToggleThisComputer => {
                let ctx = self.ctx.clone();
                tools::this_computer::toggle(&ctx, self);
            }
            Command::RefreshAddresses => {
                let ctx = self.ctx.clone();
                tools::this_computer::refresh(&ctx, self);
            }
            Command::UseAsBind(ip) => {
                if self.server.handle.is_none() {
                    self.settings.bind =
                        tools::this_computer::bind_with_ip(&self.settings.bind, ip);
                    self.server.bind_error = None;
                }
            }
            Command::TakeScreenshot => {
                let ctx = self.ctx.clone();
                tools::screenshot::request(&ctx, self)
            }
            Command::Export(kind) => {
                let ctx = self.ctx.clone();
                tools::jobs::start_export(&ctx, self, kind);
            }
            Command::ShowView(view) => self.settings.view = view,
            Command::Layout(command) => layout::run(self, command),
            Command::View(command) => views::run(self, command),
            Command::SelectDatagram(id) => self.selected_datagram = id,
            Command::OpenDatagram(id) => {
                if !self.time.is_live() {
                    // In the past the cursor goes to the datagram's send
                    // (or its read, when UDP Lab did not send it).
                    let row = self.session.trace.iter().find(|r| r.datagram == Some(id));
                    if let Some(row) = row.map(crate::lab::timeline::RowRef::of) {
                        let now = self.ctx.input(|i| i.time);
                        self.time
                            .go(&self.session, crate::lab::timeline::Move::To(row), now);
                    }
                }
                self.selected_datagram = Some(id);
                self.settings.view = views::View::Anatomy;
            }
            Command::CopyCode(role) => {
                let ctx = self.ctx.clone();
                views::code::copy(&ctx, self, role);
            }
            Command::SaveCode(role) => {
                let ctx = self.ctx.clone();
                let program = views::code::program(self, role);
                tools::jobs::start_save_program(&ctx, self, program);
            }
            Command::FindServers => self.find_servers(),
            Command::UseAsTarget(addr) => {
                self.settings.target = addr.to_string();
                self.client.target_error = None;
            }
            Command::ToggleScripts => self.scripts.open = !self.scripts.open,
            Command::RunScript => {
                let sink = self.sink.clone();
                self.scripts.start(&mut self.settings.scripts, sink);
            }
            Command::StopScript(run) => self.scripts.stop(run),
            Command::RemoveScript(run) => self.scripts.remove(run),
            Command::ScriptInput(run) => self.scripts.send_input(run),
            Command::SetScriptPath(path) => {
                self.settings.scripts.path = path;
                self.scripts.open = true;
                self.scripts.picker = None;
            }
            Command::BrowseScripts(Some(dir)) => {
                self.scripts.picker = Some(tools::file_picker::FilePicker::at(&dir));
            }
            Command::BrowseScripts(None) => self.scripts.picker = None,
        }
    }
}

impl eframe::App for UdpLabApp {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        flood_bench::on_frame(self, ctx, frame);
        tools::tcp_bench::on_frame(self, ctx);
        tools::jobs::poll(ctx, self);
        if lesson::poll(self) {
            // The progress bar moves while a file is read.
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        let drained = self.drain_counted(DRAIN_BUDGET);
        // Playback steps by the frame's time (a test's frames drive it).
        let before = self.time.row();
        let next_step = self.time.tick(&self.session, ctx.input(|i| i.time));
        if self.time.row() != before {
            self.follow_cursor();
        }
        if let Some(after) = next_step {
            ctx.request_repaint_after(after);
        }
        // Events still waiting: come back next frame rather than freeze
        // this one (later while flooded).
        let arrived = self.queue.arrived();
        match self.pace.after_drain(arrived, drained.more, Instant::now()) {
            Some(Duration::ZERO) => ctx.request_repaint(),
            Some(after) => ctx.request_repaint_after(after),
            None => {}
        }
        pace::animate_unless_busy(ctx, self.pace.busy());
        // A script's receive blocked too long is said when it is due.
        if let Some(next) = self.scripts.tick(SystemTime::now(), &self.session) {
            let after = next
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO);
            ctx.request_repaint_after(after + Duration::from_millis(10));
        }
        if self.settings_unsaved() {
            // eframe saves at the end of a frame once `auto_save_interval`
            // has passed: make sure there is such a frame.
            ctx.request_repaint_after(SETTINGS_SAVE_DELAY);
        }
    }

    fn auto_save_interval(&self) -> Duration {
        if self.settings_unsaved() {
            SETTINGS_SAVE_DELAY
        } else {
            IDLE_SAVE_INTERVAL
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        presentation::keys(ui.ctx(), self);
        layout::keys(ui.ctx(), self);
        timebar::keys(ui.ctx(), self);
        clear::keys(ui.ctx(), self);
        toolbar::toolbar_panel_ui(ui, self);
        // After the toolbar took Ctrl+Shift+S (the screenshot).
        lesson::ui::keys(ui.ctx(), self);
        lesson::ui::banner_ui(ui, self);
        lesson::ui::picker_ui(ui.ctx(), self);
        scripts_panel::scripts_window_ui(ui, self);
        let mut commands = std::mem::take(&mut self.commands);
        layout::body_ui(ui, self, &mut commands);
        tools::help::help_window_ui(ui.ctx(), self);
        commands.append(&mut self.commands);
        for command in commands.drain(..) {
            self.run(command);
        }
        self.commands = commands;
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.flood.is_some() || self.tcp_bench.is_some() {
            // A benchmark run changed the bind address: keep the user's.
            return;
        }
        let settings = self.settings_to_save();
        eframe::set_value(storage, eframe::APP_KEY, &settings);
        self.saved = Some(settings);
    }

    /// Closing the window stops every script it started.
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.scripts.stop_all();
        // `udp-lab --save FILE`: what the window shows, written now.
        if let Some(path) = self.lesson.save_on_exit.take()
            && let Err(e) = lesson::save_now(self, &path)
        {
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr(), "udp-lab: {e}");
        }
    }
}

#[cfg(test)]
mod layout_tests;
#[cfg(test)]
pub(crate) mod test_util;
#[cfg(test)]
mod tests;
