//! What the window holds: the saved [`Settings`] (`state/settings.rs`) and
//! the runtime state of the server, the client and the demo (never saved).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

mod settings;
pub use settings::*;

use crate::app::T;
use crate::lab::i18n::Lang;
use crate::lab::text::Encoding;
use crate::net::{self, AddrError, ClientHandle, NetError, Received, Reply, ServerHandle};

/// Rows kept in the incoming list; older ones are dropped and counted.
pub const MAX_INCOMING_ROWS: usize = 10_000;
/// Exchanges kept in the client's history.
pub const MAX_HISTORY: usize = 200;

/// How the app was started (command line), applied over the saved settings.
#[derive(Clone, Debug, Default)]
pub struct StartOptions {
    pub bind: Option<String>,
    pub start_server: bool,
    /// Send the message once the server listens (demos and screenshots).
    pub send: bool,
    pub lang: Option<Lang>,
    /// The client's target (`--to`).
    pub to: Option<String>,
    /// `--presentation`: start in presentation mode.
    pub presentation: bool,
    /// `--demo-step-by-step`: start the server, then the demo played back.
    pub demo_step_by_step: bool,
    /// `--view`: the teaching view to show.
    pub view: Option<View>,
    /// `--protocol`: both panels' protocol; with HTTP, `--bind` is the web
    /// server's address and `--to` the page's host.
    pub protocol: Option<net::Protocol>,
    /// `--run-script PATH`: trace this Python script at once (with
    /// `--script-args`); `--send` then waits until it has bound.
    pub run_script: Option<String>,
    pub script_args: Option<String>,
    /// Issue 26: `udp-lab FILE` opens this lesson or capture.
    pub open: Option<std::path::PathBuf>,
    /// `--save FILE`: the session is written there when the window closes.
    pub save: Option<std::path::PathBuf>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerStatus {
    Stopped,
    Starting,
    Listening(SocketAddr),
    Stopping,
    Failed(NetError),
}

/// One row of the incoming list.
#[derive(Clone, Debug)]
pub struct IncomingRow {
    pub rx: Received,
    pub reply: Reply,
}

#[derive(Default)]
pub struct ServerState {
    pub status: Option<ServerStatus>,
    pub(crate) handle: Option<ServerHandle>,
    /// A bind address that did not parse (shown under the field).
    pub bind_error: Option<AddrError>,
    pub rows: VecDeque<IncomingRow>,
    pub total: u64,
    pub rows_dropped: u64,
    /// Replies the rate limit held back, among the rows counted in `total`.
    pub rate_limited: u64,
    /// The arrival rate (the server panel).
    pub view: IncomingView,
    /// Issue 15: only rows whose source or text contains this are shown.
    pub filter: String,
    /// The filter's field is shown.
    pub filter_open: bool,
    /// The filter's matches so far (see [`ServerState::filtered`]).
    pub filter_matches: FilterMatches,
    /// Why the multicast group cannot be joined (nothing started).
    pub join_error: Option<JoinError>,
    /// What the latest Clear took, while Undo is offered (clear.rs).
    pub(crate) cleared: Option<super::clear::ClearedIncoming>,
}

impl ServerState {
    pub fn status(&self) -> ServerStatus {
        self.status.clone().unwrap_or(ServerStatus::Stopped)
    }

    /// The indices of the first `upto` rows whose source or text (read in
    /// `encoding`) contains the filter, any case; None without a filter.
    /// Each row is decoded and searched once, when it first is asked for,
    /// not on every frame (10 000 rows at 60 frames a second).
    pub fn filtered(&mut self, upto: usize, encoding: Encoding) -> Option<Vec<usize>> {
        let needle = self.filter.trim().to_lowercase();
        if needle.is_empty() {
            self.filter_matches = FilterMatches::default();
            return None;
        }
        let first = self.rows_dropped;
        let end = first + self.rows.len() as u64;
        let cache = &mut self.filter_matches;
        // A new filter or encoding, or the list was cleared: start over.
        if cache.needle != needle || cache.encoding != encoding || cache.searched > end {
            *cache = FilterMatches {
                needle,
                encoding,
                matches: VecDeque::new(),
                searched: first,
            };
        }
        while cache.matches.front().is_some_and(|&m| m < first) {
            cache.matches.pop_front();
        }
        for number in cache.searched.max(first)..end {
            let row = &self.rows[(number - first) as usize];
            if row.rx.from.to_string().contains(&cache.needle)
                || crate::lab::text::decoded_text(&row.rx.bytes, encoding, usize::MAX)
                    .to_lowercase()
                    .contains(&cache.needle)
            {
                cache.matches.push_back(number);
            }
        }
        cache.searched = end;
        let upto = first + upto as u64;
        Some(
            cache
                .matches
                .iter()
                .take_while(|&&m| m < upto)
                .map(|&m| (m - first) as usize)
                .collect(),
        )
    }

    pub(crate) fn push_row(&mut self, row: IncomingRow) {
        if self.rows.len() >= MAX_INCOMING_ROWS {
            self.rows.pop_front();
            self.rows_dropped += 1;
        }
        if matches!(row.reply, Reply::RateLimited) {
            self.rate_limited += 1;
        }
        self.rows.push_back(row);
        self.total += 1;
    }
}

/// The incoming filter's matches, kept between frames. Rows are numbered
/// from the first ever kept (`rows_dropped` + index), so rows dropped from
/// the front do not shift them.
#[derive(Default)]
pub struct FilterMatches {
    needle: String,
    encoding: Encoding,
    /// Numbers of the matching rows, in order.
    matches: VecDeque<u64>,
    /// Rows before this number have been searched.
    searched: u64,
}

/// The result of the latest exchange, as the client panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Waiting,
    Response {
        from: SocketAddr,
        bytes: Arc<[u8]>,
        truncated: bool,
        len: usize,
        rtt: Duration,
        /// Where the request went, when the answer came from elsewhere.
        other_source: Option<SocketAddr>,
    },
    Failed(NetError),
}

#[derive(Clone, Debug)]
pub struct HistoryRow {
    pub op: u64,
    pub seq: u32,
    pub at: SystemTime,
    pub to: String,
    pub sent: Arc<[u8]>,
    pub outcome: Outcome,
}

/// One answered (or not) datagram of the latest operation, for the plots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RttPoint {
    pub seq: u32,
    /// Seconds since the operation started, when the answer came (or the
    /// client gave up).
    pub at_secs: f64,
    /// None: no answer.
    pub rtt_ms: Option<f64>,
}

#[derive(Default)]
pub struct ClientState {
    pub target_error: Option<AddrError>,
    pub(crate) running: Option<(u64, ClientHandle)>,
    pub(crate) next_op: u64,
    pub outcome: Option<Outcome>,
    pub history: VecDeque<HistoryRow>,
    /// Datagrams the latest operation was asked to send.
    pub requested: u32,
    /// Statistics of the latest operation.
    pub stats: net::BurstStats,
    pub points: Vec<RttPoint>,
    pub(crate) started: Option<SystemTime>,
    /// The kept socket when "new socket for each Send" is off.
    pub(crate) kept_socket: Option<Arc<socket2::Socket>>,
    /// `--send` waited for a server that did not start, so it was dropped
    /// (the panel says so until the next Send).
    pub send_cancelled: bool,
    /// Issue 15: the latest Send goes to a broadcast or multicast address,
    /// so every answer counts.
    pub collecting: bool,
    /// Every server that answered the latest broadcast or multicast Send.
    pub responders: Vec<Responder>,
    /// The message cannot be written in the chosen encoding (nothing sent).
    pub message_error: Option<crate::lab::text::EncodeError>,
    /// "Find servers" is running.
    pub finding: bool,
    /// Where "Find servers" asks (None: every interface's broadcast
    /// address); tests keep it on loopback.
    pub(crate) find_targets: Option<Vec<SocketAddr>>,
    /// What the latest "Find servers" found, and on which port.
    pub found: Option<(u16, Result<Vec<net::Found>, NetError>)>,
}

/// Why the server cannot join the group it was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinError {
    NotMulticast(String),
    BadInterface(String),
    /// Bound to one address: the socket would never hear the group.
    NeedsAllInterfaces {
        ip: std::net::IpAddr,
        group: std::net::IpAddr,
    },
}

impl JoinError {
    pub fn text(&self, lang: Lang) -> String {
        use crate::lab::i18n::fill;
        match self {
            JoinError::NotMulticast(text) => fill(T::ErrNotMulticast.get(lang), &[("text", text)]),
            JoinError::BadInterface(text) => fill(T::ErrBadInterface.get(lang), &[("text", text)]),
            JoinError::NeedsAllInterfaces { ip, group } => fill(
                T::ErrJoinNeedsAll.get(lang),
                &[
                    ("ip", ip),
                    ("group", group),
                    ("any", &if group.is_ipv4() { "0.0.0.0" } else { "::" }),
                ],
            ),
        }
    }
}

/// A server that answered a broadcast or multicast Send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Responder {
    /// The datagram of the burst it answered.
    pub seq: u32,
    pub from: SocketAddr,
    pub rtt: Duration,
    pub bytes: Arc<[u8]>,
}

impl ClientState {
    pub fn busy(&self) -> bool {
        self.running.is_some()
    }
}

/// How far back the arrival rate looks.
pub const RATE_WINDOW: Duration = Duration::from_secs(1);

/// The incoming list's arrival rate (what the list shows follows the
/// window's time cursor: app.time).
#[derive(Default)]
pub struct IncomingView {
    pub(crate) rate: RateMeter,
}

/// Datagrams per second, from a counter sampled each frame. Frames come
/// with traffic (each arrival requests one), so the samples are dense
/// while the rate changes; the rate is the count since the newest sample
/// at least a second old.
#[derive(Default)]
pub struct RateMeter {
    /// (when, counter) of recent frames, oldest first.
    pub(crate) samples: VecDeque<(Instant, u64)>,
    /// Which server the counter belongs to (a restart starts it at 0).
    source: Option<u64>,
}

impl RateMeter {
    /// Records the counter of server `source.0` (`source.1`) at `now` and
    /// returns the datagrams of the last second. None: no server, rate 0.
    pub fn update(&mut self, source: Option<(u64, u64)>, now: Instant) -> u64 {
        let Some((id, count)) = source else {
            self.samples.clear();
            self.source = None;
            return 0;
        };
        if self.source != Some(id) {
            self.samples.clear();
            self.source = Some(id);
        }
        // Keep one sample at least a window old, and nothing older.
        while self
            .samples
            .get(1)
            .is_some_and(|(t, _)| now.saturating_duration_since(*t) >= RATE_WINDOW)
        {
            self.samples.pop_front();
        }
        let rate = self
            .samples
            .front()
            .map_or(0, |(_, base)| count.saturating_sub(*base));
        // Samples closer than 10 ms add nothing but memory: the newest one
        // then moves forward instead (at most ~100 are kept).
        let n = self.samples.len();
        let crowded = n >= 2
            && now.saturating_duration_since(self.samples[n - 2].0) < Duration::from_millis(10);
        match self.samples.back_mut() {
            Some(back) if crowded => *back = (now, count),
            _ => self.samples.push_back((now, count)),
        }
        rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Received, Reply};

    fn row(text: &str) -> IncomingRow {
        IncomingRow {
            rx: Received {
                from: "127.0.0.1:5000".parse().expect("literal"),
                bytes: Arc::from(text.as_bytes()),
                len: text.len(),
                truncated: false,
                buffer: 1024,
                at: SystemTime::now(),
            },
            reply: Reply::NotSent,
        }
    }

    /// What `filtered` must return, searched from scratch.
    fn every_time(server: &ServerState, upto: usize, encoding: Encoding) -> Option<Vec<usize>> {
        let needle = server.filter.trim().to_lowercase();
        (!needle.is_empty()).then(|| {
            (0..upto)
                .filter(|&i| {
                    let row = &server.rows[i];
                    row.rx.from.to_string().contains(&needle)
                        || crate::lab::text::decoded_text(&row.rx.bytes, encoding, usize::MAX)
                            .to_lowercase()
                            .contains(&needle)
                })
                .collect()
        })
    }

    #[test]
    fn the_kept_filter_matches_equal_a_fresh_search_as_rows_come_and_go() {
        let mut server = ServerState::default();
        let utf8 = Encoding::default();
        let check = |server: &mut ServerState, upto: usize, what: &str| {
            let upto = upto.min(server.rows.len());
            let expected = every_time(server, upto, utf8);
            assert_eq!(server.filtered(upto, utf8), expected, "{what}");
        };
        server.filter = "Hello".into();
        for i in 0..30 {
            server.push_row(row(if i % 3 == 0 { "hello, server" } else { "ping" }));
        }
        check(&mut server, 30, "first search");
        check(&mut server, 12, "up to a paused cursor");
        for i in 0..MAX_INCOMING_ROWS {
            server.push_row(row(&format!(
                "{} {i}",
                if i % 7 == 0 { "HELLO" } else { "x" }
            )));
            if i % 997 == 0 {
                check(&mut server, usize::MAX, "while rows come and the oldest go");
            }
        }
        assert!(server.rows_dropped > 0, "the front was dropped");
        check(&mut server, usize::MAX, "after the front was dropped");
        server.filter = "5000".into();
        check(&mut server, usize::MAX, "a new filter (the source port)");
        server.filter = "  ".into();
        check(&mut server, usize::MAX, "no filter");
        // Clear (as Command::ClearIncoming does), then fewer rows than before.
        server.filter = "hello".into();
        check(&mut server, usize::MAX, "before clearing");
        server.rows.clear();
        server.rows_dropped = 0;
        server.total = 0;
        for _ in 0..3 {
            server.push_row(row("hello"));
        }
        check(&mut server, usize::MAX, "after clearing");
        assert_eq!(server.filtered(3, utf8), Some(vec![0, 1, 2]));
    }
}
