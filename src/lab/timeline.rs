//! The time cursor every teaching view follows: live (the newest call), or
//! standing on one recorded call, paused or playing the session back at a
//! speed. No drawing, no clock of its own: the caller passes its time in
//! seconds (egui's input time), so a test's frames drive playback.
//!
//! The cursor names its call by the row's `seq` and time, not its index:
//! a late report is inserted before newer rows, and the bounded trace drops
//! its oldest rows, while the cursor stays on the same call. Nothing stops
//! recording while the cursor is in the past; it counts what came since.

use std::time::{Duration, SystemTime};

use super::session::{Session, TraceRow};

/// Playback speed: a share of the real pace between calls, or one call a
/// second (what a class can follow).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Speed {
    Quarter,
    Half,
    Real,
    Double,
    #[default]
    OnePerSecond,
}

impl Speed {
    pub const ALL: [Speed; 5] = [
        Speed::Quarter,
        Speed::Half,
        Speed::Real,
        Speed::Double,
        Speed::OnePerSecond,
    ];

    /// Seconds of playback between two calls `gap` apart in real time.
    pub fn delay(self, gap: Duration) -> f64 {
        // A long idle gap (a minute between two Sends) plays as at most
        // this long, as the diagram cuts such gaps short.
        let gap = gap.min(MAX_GAP).as_secs_f64();
        match self {
            Speed::Quarter => gap * 4.0,
            Speed::Half => gap * 2.0,
            Speed::Real => gap,
            Speed::Double => gap / 2.0,
            Speed::OnePerSecond => 1.0,
        }
    }
}

/// The longest real-time gap between two calls that playback keeps.
pub const MAX_GAP: Duration = Duration::from_secs(2);

/// One recorded call, as the cursor names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowRef {
    pub seq: u64,
    pub at: SystemTime,
}

impl RowRef {
    pub fn of(row: &TraceRow) -> Self {
        Self {
            seq: row.seq,
            at: row.at,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Live,
    Paused,
    Playing {
        speed: Speed,
        /// When the cursor stepped last, and when it steps next (None:
        /// it stands on the newest call and waits for another).
        since: f64,
        next: Option<f64>,
    },
}

/// Where the cursor moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    ToStart,
    /// One call back or forward.
    Back,
    Forward,
    /// To the previous or next call that sent or read a datagram.
    PreviousDatagram,
    NextDatagram,
    /// To this call (a click in the trace).
    To(RowRef),
}

#[derive(Clone, Debug)]
pub struct TimeCursor {
    mode: Mode,
    /// The call the cursor stands on when not live; None: before the first
    /// call (nothing has happened yet at the cursor).
    row: Option<RowRef>,
    /// `Session::total_calls` when the cursor left live.
    total_then: u64,
    /// The speed Play uses (the last one chosen).
    pub speed: Speed,
}

impl Default for TimeCursor {
    fn default() -> Self {
        Self {
            mode: Mode::Live,
            row: None,
            total_then: 0,
            speed: Speed::default(),
        }
    }
}

impl TimeCursor {
    pub fn is_live(&self) -> bool {
        self.mode == Mode::Live
    }

    pub fn is_playing(&self) -> bool {
        matches!(self.mode, Mode::Playing { .. })
    }

    /// The call the cursor stands on (None when live or before the first).
    pub fn row(&self) -> Option<RowRef> {
        if self.is_live() { None } else { self.row }
    }

    /// The cursor's time: nothing after it has happened yet as the views
    /// show it. None when live.
    pub fn time(&self) -> Option<SystemTime> {
        match (self.is_live(), self.row) {
            (true, _) => None,
            (false, Some(row)) => Some(row.at),
            (false, None) => Some(SystemTime::UNIX_EPOCH),
        }
    }

    /// Calls recorded since the cursor left live (dropped ones counted).
    pub fn new_since(&self, session: &Session) -> u64 {
        if self.is_live() {
            0
        } else {
            session.total_calls().saturating_sub(self.total_then)
        }
    }

    /// The cursor's index in the trace: None when live or before the first
    /// call. A call dropped from the front (the trace is bounded) leaves
    /// the cursor on the oldest call kept.
    pub fn index(&self, session: &Session) -> Option<usize> {
        if self.is_live() {
            return None;
        }
        let row = self.row?;
        match session.trace_index(row.seq, row.at) {
            Some(i) => Some(i),
            None if session.trace.is_empty() => None,
            // Dropped: everything older is gone too.
            None if session.trace.front().is_some_and(|r| r.at >= row.at) => Some(0),
            // A row that vanished otherwise (the session was cleared).
            None => session.trace.len().checked_sub(1),
        }
    }

    /// Whether trace row `i` is later than the cursor (dimmed, not yet
    /// happened). Nothing is when live.
    pub fn is_after(&self, session: &Session, i: usize) -> bool {
        match (self.is_live(), self.index(session)) {
            (true, _) => false,
            (false, Some(cursor)) => i > cursor,
            (false, None) => true,
        }
    }

    /// Freezes the views on the newest call; recording goes on.
    pub fn pause(&mut self, session: &Session) {
        match self.mode {
            Mode::Live => {
                self.row = session.trace.back().map(RowRef::of);
                self.total_then = session.total_calls();
                self.mode = Mode::Paused;
            }
            Mode::Playing { .. } => self.mode = Mode::Paused,
            Mode::Paused => {}
        }
    }

    /// Back to the newest call, following it.
    pub fn live(&mut self) {
        self.mode = Mode::Live;
        self.row = None;
    }

    /// Plays from the cursor at `speed` (from the first call when live or
    /// standing on the newest; while playing, only the speed changes).
    pub fn play(&mut self, session: &Session, speed: Speed, now: f64) {
        self.speed = speed;
        if self.is_playing() {
            // Another speed: from here, at once.
            self.mode = Mode::Playing {
                speed,
                since: now,
                next: None,
            };
            self.schedule(session);
            return;
        }
        let at_end = self
            .index(session)
            .is_some_and(|i| i + 1 >= session.trace.len());
        if self.is_live() || at_end {
            self.pause(session);
            self.row = session.trace.front().map(RowRef::of);
        }
        self.mode = Mode::Playing {
            speed,
            since: now,
            next: None,
        };
        self.schedule(session);
    }

    /// Plays from just before the next call recorded (the demo step by
    /// step: its burst has not started yet).
    pub fn play_from_next(&mut self, session: &Session, speed: Speed, now: f64) {
        self.pause(session);
        self.row = session.trace.back().map(RowRef::of);
        self.total_then = session.total_calls();
        self.speed = speed;
        self.mode = Mode::Playing {
            speed,
            since: now,
            next: None,
        };
        self.schedule(session);
    }

    /// Moves the cursor (pausing it when live; playback goes on from the
    /// new place).
    pub fn go(&mut self, session: &Session, to: Move, now: f64) {
        self.pause_if_live(session);
        let current = self.index(session);
        let len = session.trace.len();
        let is_datagram = |i: &usize| session.trace[*i].datagram.is_some();
        let target = match to {
            Move::ToStart => (len > 0).then_some(0),
            Move::Back => current.map(|i| i.saturating_sub(1)),
            Move::Forward => match current {
                Some(i) => Some((i + 1).min(len.saturating_sub(1))),
                None => (len > 0).then_some(0),
            },
            Move::PreviousDatagram => match current {
                Some(i) => (0..i).rev().find(is_datagram).or(Some(i)),
                None => None,
            },
            Move::NextDatagram => {
                let from = current.map_or(0, |i| i + 1);
                (from..len).find(is_datagram).or(current)
            }
            Move::To(row) => session.trace_index(row.seq, row.at).or(current),
        };
        if let Some(i) = target {
            self.row = Some(RowRef::of(&session.trace[i]));
        }
        if let Mode::Playing { speed, .. } = self.mode {
            self.mode = Mode::Playing {
                speed,
                since: now,
                next: None,
            };
            self.schedule(session);
        }
    }

    fn pause_if_live(&mut self, session: &Session) {
        if self.is_live() {
            self.pause(session);
        }
    }

    /// When playing, when the next step is due (from the gap to the next
    /// call); None while it waits for a call to be recorded.
    fn schedule(&mut self, session: &Session) {
        let Mode::Playing { speed, since, .. } = self.mode else {
            return;
        };
        let next_row = match self.index(session) {
            Some(i) => session.trace.get(i + 1),
            None => session.trace.front(),
        };
        let next = next_row.map(|next| {
            let gap = match self.row {
                Some(row) => next.at.duration_since(row.at).unwrap_or_default(),
                // From before the first call: one step's time.
                None => Duration::from_secs(1),
            };
            since + speed.delay(gap)
        });
        self.mode = Mode::Playing { speed, since, next };
    }

    /// Advances playback to `now`: steps over every call that is due (at
    /// the real pace a loopback exchange is one frame). Returns how long
    /// until the next step, for `request_repaint_after`; None when nothing
    /// is scheduled.
    pub fn tick(&mut self, session: &Session, now: f64) -> Option<Duration> {
        // At most the whole trace in one frame.
        for _ in 0..=session.trace.len() {
            let Mode::Playing { speed, next, .. } = self.mode else {
                return None;
            };
            let Some(due) = next else {
                // Waiting for a call: did one come?
                self.schedule(session);
                if matches!(self.mode, Mode::Playing { next: None, .. }) {
                    return None;
                }
                continue;
            };
            if due > now {
                return Some(Duration::from_secs_f64(due - now));
            }
            let next_row = match self.index(session) {
                Some(i) => session.trace.get(i + 1),
                None => session.trace.front(),
            };
            let Some(next_row) = next_row else {
                self.mode = Mode::Playing {
                    speed,
                    since: due,
                    next: None,
                };
                continue;
            };
            self.row = Some(RowRef::of(next_row));
            self.mode = Mode::Playing {
                speed,
                since: due,
                next: None,
            };
            self.schedule(session);
        }
        None
    }

    /// How far playback is between this call and the next, 0..=1 (the
    /// animated dot on the diagram's arrow). None unless playing towards a
    /// scheduled step.
    pub fn progress(&self, now: f64) -> Option<f32> {
        let Mode::Playing {
            since,
            next: Some(next),
            ..
        } = self.mode
        else {
            return None;
        };
        if next <= since {
            return Some(1.0);
        }
        Some((((now - since) / (next - since)).clamp(0.0, 1.0)) as f32)
    }

    /// The playing speed (None when not playing).
    pub fn playing_speed(&self) -> Option<Speed> {
        match self.mode {
            Mode::Playing { speed, .. } => Some(speed),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
