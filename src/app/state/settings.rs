//! The saved [`Settings`]: one serde struct with lenient fields, the
//! toolbar's part, the teaching view chosen, and what the demo changes for
//! its burst.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::super::lenient;
use crate::app::T;
use crate::lab::i18n::Lang;
use crate::lab::text::Encoding;
use crate::net::{self, ReplyMode, ServerSettings};

/// Everything that is saved between runs, and nothing else. A file from
/// another version still loads: unknown fields are skipped (never
/// `deny_unknown_fields`), missing ones take their defaults, and a value
/// this version cannot read resets that field alone (`lenient`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// None until the user picks one: the system locale decides.
    #[serde(deserialize_with = "lenient::or_default")]
    pub lang: Option<Lang>,
    #[serde(deserialize_with = "lenient::or_default")]
    pub theme: egui::ThemePreference,
    pub bind: String,
    #[serde(deserialize_with = "lenient::or_default")]
    pub reply: ReplyKind,
    pub reply_text: String,
    pub server_buffer: usize,
    pub target: String,
    pub message: String,
    pub timeout_secs: f64,
    pub client_buffer: usize,
    /// The teaching view shown under the panels.
    #[serde(deserialize_with = "lenient::or_default")]
    pub view: View,
    /// Datagrams in a burst ("Send N").
    pub burst_count: u32,
    /// Pause between one answer (or timeout) and the next send of a burst.
    pub burst_interval_ms: u64,
    /// A new socket, so a new source port, for every Send (as the lab's
    /// client does); off: one socket is kept and reused.
    pub new_socket_each_send: bool,
    /// Answer at most `reply_rate_limit` datagrams per second (off by
    /// default), so the server cannot be made a traffic amplifier.
    pub limit_replies: bool,
    pub reply_rate_limit: u32,
    /// The network simulator's knobs (both the requests and the replies).
    #[serde(deserialize_with = "lenient::or_default")]
    pub network: net::Impairments,
    /// Presentation mode and screenshot options (see toolbar.rs).
    #[serde(deserialize_with = "lenient::or_default")]
    pub tools: ToolSettings,
    /// Issue 15: the client may send to a broadcast address (SO_BROADCAST)
    /// and lists every server that answers.
    pub broadcast: bool,
    /// How the client's message is sent and its answers shown.
    #[serde(deserialize_with = "lenient::or_default")]
    pub client_encoding: Encoding,
    /// How the incoming list shows payloads and the reply text is sent.
    #[serde(deserialize_with = "lenient::or_default")]
    pub server_encoding: Encoding,
    /// A multicast group the server joins after bind (empty: none), and the
    /// address of the interface to join it on (empty: the OS's choice).
    pub join_group: String,
    pub join_interface: String,
    /// The "Python scripts" window: path, arguments, interpreter, recent.
    #[serde(deserialize_with = "lenient::or_default")]
    pub scripts: crate::app::scripts::ScriptSettings,
    /// Issue 26: lessons and captures opened last, newest first.
    #[serde(deserialize_with = "lenient::or_default")]
    pub recent_files: Vec<String>,
    /// Issue 27: UDP or TCP, chosen in each panel (UDP by default).
    #[serde(deserialize_with = "lenient::or_default")]
    pub server_protocol: net::Protocol,
    #[serde(deserialize_with = "lenient::or_default")]
    pub client_protocol: net::Protocol,
    /// The TCP server's `listen(backlog)`.
    pub tcp_backlog: u32,
    /// The TCP client sends its message in this many `send` calls…
    pub tcp_pieces: u32,
    /// …this far apart (the lever that shows coalescing and splitting).
    pub tcp_piece_delay_ms: u64,
    /// `shutdown(SHUT_WR)` once the message is sent, before reading.
    pub tcp_shutdown: bool,
    /// Issue 28: the web server's address…
    pub http_bind: String,
    /// …and the folder it serves (empty: the built-in HelloWorld.html and
    /// its image).
    pub http_root: String,
    /// The client's GET: its URL and extra headers ("Name: value", one a
    /// line).
    pub http_url: String,
    pub http_headers: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lang: None,
            theme: egui::ThemePreference::System,
            bind: net::DEFAULT_ADDR.into(),
            reply: ReplyKind::Fixed,
            reply_text: net::DEFAULT_REPLY.into(),
            server_buffer: net::DEFAULT_BUFFER,
            target: net::DEFAULT_ADDR.into(),
            message: net::DEFAULT_REQUEST.into(),
            timeout_secs: 2.0,
            client_buffer: net::DEFAULT_BUFFER,
            view: View::Trace,
            burst_count: 20,
            burst_interval_ms: 100,
            new_socket_each_send: true,
            limit_replies: false,
            reply_rate_limit: 10,
            network: net::Impairments::default(),
            tools: ToolSettings::default(),
            broadcast: false,
            client_encoding: Encoding::Utf8,
            server_encoding: Encoding::Utf8,
            join_group: String::new(),
            join_interface: String::new(),
            scripts: crate::app::scripts::ScriptSettings::default(),
            recent_files: Vec::new(),
            server_protocol: net::Protocol::Udp,
            client_protocol: net::Protocol::Udp,
            tcp_backlog: 5,
            tcp_pieces: 1,
            tcp_piece_delay_ms: 20,
            tcp_shutdown: false,
            http_bind: net::http::DEFAULT_HTTP_ADDR.into(),
            http_root: String::new(),
            http_url: format!("http://{}/HelloWorld.html", net::http::DEFAULT_HTTP_ADDR),
            http_headers: String::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplyKind {
    #[default]
    Fixed,
    Echo,
    None,
}

impl Settings {
    pub(crate) fn server_settings(&self) -> ServerSettings {
        ServerSettings {
            reply: match self.reply {
                // Text the encoding cannot hold goes as UTF-8; the panel
                // says so under the reply field.
                ReplyKind::Fixed => ReplyMode::Fixed(Arc::from(
                    self.server_encoding
                        .encode(&self.reply_text)
                        .unwrap_or_else(|_| self.reply_text.as_bytes().to_vec()),
                )),
                ReplyKind::Echo => ReplyMode::Echo,
                ReplyKind::None => ReplyMode::None,
            },
            buffer: self.server_buffer.clamp(1, net::MAX_DATAGRAM + 1),
            reply_rate_limit: self.limit_replies.then_some(self.reply_rate_limit.max(1)),
            network: self.network,
        }
    }

    pub(crate) fn timeout(&self) -> Duration {
        Duration::try_from_secs_f64(self.timeout_secs.clamp(0.001, 3600.0))
            .unwrap_or(Duration::from_secs(2))
    }
}

/// The settings the teacher's demo changes for its burst only.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DemoSettings {
    network: net::Impairments,
    burst_count: u32,
    timeout_secs: f64,
}

impl DemoSettings {
    pub fn of(settings: &Settings) -> Self {
        Self {
            network: settings.network,
            burst_count: settings.burst_count,
            timeout_secs: settings.timeout_secs,
        }
    }

    /// Puts back `self` wherever `settings` still hold the demo's value
    /// (`during`): a knob the user turned while the demo ran stays turned.
    pub(crate) fn restore(&self, during: &DemoSettings, settings: &mut Settings) {
        if settings.network == during.network {
            settings.network = self.network;
        }
        if settings.burst_count == during.burst_count {
            settings.burst_count = self.burst_count;
        }
        if settings.timeout_secs == during.timeout_secs {
            settings.timeout_secs = self.timeout_secs;
        }
    }
}

/// A running demo: what to put back when its burst ends.
#[derive(Clone, Copy, Debug)]
pub struct Demo {
    pub before: DemoSettings,
    pub during: DemoSettings,
}

/// How soon a changed setting is written to disk (eframe's autosave, asked
/// for sooner), so a killed or crashed window keeps it.
pub const SETTINGS_SAVE_DELAY: Duration = Duration::from_secs(1);
/// eframe's own interval, while nothing changed.
pub(crate) const IDLE_SAVE_INTERVAL: Duration = Duration::from_secs(30);

/// The toolbar's part of the saved settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ToolSettings {
    /// Presentation mode: zoom, thick lines, high contrast.
    pub presentation: bool,
    /// The theme to go back to when presentation mode ends.
    pub theme_before_presentation: Option<egui::ThemePreference>,
    /// Leave the toolbar out of screenshots.
    pub screenshot_hide_toolbar: bool,
    /// Issue 24: the view's share (‰) of the height under the network
    /// strip, as the divider was left in normal and in presentation mode
    /// (None: the default split).
    pub views_share: Option<u16>,
    pub views_share_presentation: Option<u16>,
}

/// The teaching view shown under the panels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum View {
    #[default]
    Trace,
    Diagram,
    Anatomy,
    /// The lab's programs, their running line lit (views/code.rs).
    Code,
}

impl View {
    pub const ALL: [View; 4] = [View::Trace, View::Diagram, View::Anatomy, View::Code];

    pub fn title(self) -> T {
        match self {
            View::Trace => T::ViewTrace,
            View::Diagram => T::ViewDiagram,
            View::Anatomy => T::ViewAnatomy,
            View::Code => T::ViewCode,
        }
    }
}
