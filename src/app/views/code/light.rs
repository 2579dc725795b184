//! Which lines of the two programs are lit, and until when. No drawing.
//!
//! A socket call that UDP Lab's own server or client makes lights its
//! step, and the steps that are no call light right after the call that
//! leads to them, as the handout runs them: server 5 bind → 6 "listening";
//! 7 recvfrom → 8 print; 9 (the answer) → 10 sendto; client 7 recvfrom →
//! 8 print. A real exchange takes well under a millisecond, so the steps
//! play in sequence, one every [`SLOT`], each lit for [`LIT_FOR`]: the
//! newest step of a program is lit brightly ("now"), the ones before it
//! fade. A burst faster than that skips ahead: the queue never lags more
//! than [`MAX_LAG`] behind.

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, SystemTime};

use crate::lab::code::Role;
use crate::lab::session::{Call, Session, Side, TcpCall, TraceRow};

/// How long a step stays lit.
pub const LIT_FOR: f64 = 1.5;
/// The time between two steps played in sequence.
pub const SLOT: f64 = 0.25;
/// A burst's steps are dropped when they would light later than this.
pub const MAX_LAG: f64 = 4.0;
/// Calls older than this (the view was not shown then) light nothing.
const STALE: Duration = Duration::from_secs(3);
/// Rows looked at behind the newest (a late report lands among them).
const LOOK_BACK: usize = 64;
/// Rows remembered as seen.
const SEEN: usize = 512;

/// How a line is lit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Glow {
    /// The step that runs now.
    Now,
    /// A step that ran a moment ago.
    Fading,
    /// The call picked in the trace, the diagram or the anatomy.
    Selected,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Flash {
    role: Role,
    step: u8,
    /// egui time (seconds) the step lights.
    at: f64,
}

/// Identifies a trace row well enough to tell new rows from seen ones.
type RowKey = (SystemTime, Side, u64, Option<u8>);

fn key(row: &TraceRow) -> RowKey {
    (row.at, row.side, row.op, row.lab_step())
}

#[derive(Default)]
pub struct Lighting {
    flashes: VecDeque<Flash>,
    /// `trace_dropped + trace.len()` when last looked at.
    seen_total: u64,
    seen: HashSet<RowKey>,
    seen_order: VecDeque<RowKey>,
}

/// The steps a call lights, in order: its own and those that follow it
/// before the next call.
pub fn moments(side: Side, call: &Call) -> &'static [u8] {
    match (side, call) {
        (Side::Server, Call::Socket { .. }) => &[4],
        (Side::Server, Call::Bind { .. }) => &[5, 6],
        (Side::Server, Call::BindFailed { .. }) => &[5],
        (Side::Server, Call::RecvFrom { .. }) => &[7, 8],
        (Side::Server, Call::RecvTimedOut { .. } | Call::RecvFailed { .. }) => &[7],
        (Side::Server, Call::SendTo { .. } | Call::SendFailed { .. }) => &[9, 10],
        (Side::Client, Call::Socket { .. }) => &[5],
        (Side::Client, Call::SendTo { .. } | Call::SendFailed { .. }) => &[6],
        (Side::Client, Call::RecvFrom { .. }) => &[7, 8],
        (Side::Client, Call::RecvTimedOut { .. } | Call::RecvFailed { .. }) => &[7],
        (Side::Client, Call::Close) => &[9],
        (side, Call::Tcp(c)) => tcp_moments(side, c),
        // Not in the lab: the server's close, the client's bind, a reply
        // the rate limit held back.
        _ => &[],
    }
}

/// The lines of UDP Lab's TCP programs a TCP call lights (issue 27): a
/// read lights the print after it, b'' the `if not data: break`.
fn tcp_moments(side: Side, call: &TcpCall) -> &'static [u8] {
    use TcpCall as C;
    match (side, call) {
        (Side::Server, C::Socket { .. }) => &[4],
        (Side::Server, C::Bind { .. } | C::BindFailed { .. }) => &[5],
        (Side::Server, C::Listen { .. }) => &[6, 7],
        (Side::Server, C::Accept { .. }) => &[8],
        (Side::Server, C::Recv { .. }) => &[9, 11],
        (Side::Server, C::RecvEof { .. }) => &[9, 10],
        (Side::Server, C::RecvTimedOut { .. } | C::RecvFailed { .. }) => &[9],
        (Side::Server, C::Send { .. } | C::SendFailed { .. }) => &[12],
        (Side::Server, C::Close { listener: false }) => &[13],
        (Side::Client, C::Socket { .. }) => &[5],
        (Side::Client, C::Connect { .. } | C::ConnectFailed { .. }) => &[6],
        (Side::Client, C::Send { .. } | C::SendFailed { .. }) => &[7],
        (Side::Client, C::Recv { .. } | C::RecvTimedOut { .. } | C::RecvFailed { .. }) => &[8],
        (Side::Client, C::RecvEof { .. }) => &[8, 9],
        (Side::Client, C::Close { .. }) => &[10],
        _ => &[],
    }
}

/// The lines of webserver.py a call of UDP Lab's web server lights
/// (issue 28): listen → the "Ready" print; a read → the path taken from
/// it; the answer's sendall → the status line and headers built before it.
fn web_moments(call: &TcpCall) -> &'static [u8] {
    use TcpCall as C;
    match call {
        C::Socket { .. } => &[4],
        C::Bind { .. } | C::BindFailed { .. } => &[5],
        C::Listen { .. } => &[6, 7],
        C::Accept { .. } => &[8],
        C::Recv { .. } => &[9, 10],
        C::RecvEof { .. } | C::RecvTimedOut { .. } | C::RecvFailed { .. } => &[9],
        C::Send { .. } => &[12, 13],
        C::SendFailed { .. } => &[13],
        C::Close { listener: false } => &[15],
        _ => &[],
    }
}

impl Lighting {
    /// Queues the steps of the calls the session recorded since the last
    /// look. `has` says whether a program has a line for a step (no reply:
    /// no 9 or 10). `now` is egui's time, `wall` the clock the rows carry.
    pub fn feed(
        &mut self,
        session: &Session,
        now: f64,
        wall: SystemTime,
        has: impl Fn(Role, u8) -> bool,
    ) {
        let total = session.trace_dropped + session.trace.len() as u64;
        if total < self.seen_total {
            // Cleared: everything there is new.
            self.seen.clear();
            self.seen_order.clear();
        }
        if total == self.seen_total {
            return;
        }
        let new = (total.saturating_sub(self.seen_total) as usize).min(LOOK_BACK);
        self.seen_total = total;
        let skip = session.trace.len().saturating_sub(new + LOOK_BACK);
        let fresh: Vec<&TraceRow> = session
            .trace
            .iter()
            .skip(skip)
            .filter(|row| !self.seen.contains(&key(row)))
            .collect();
        for row in fresh {
            self.remember(key(row));
            let stale = wall.duration_since(row.at).is_ok_and(|age| age > STALE);
            if stale {
                continue;
            }
            let Some(role) = Role::of(row.side) else {
                continue;
            };
            let steps = match &row.call {
                Call::Tcp(c) if row.web => web_moments(c),
                call => moments(row.side, call),
            };
            for &step in steps {
                if has(role, step) {
                    self.push(role, step, now);
                }
            }
        }
    }

    fn remember(&mut self, key: RowKey) {
        if self.seen.insert(key) {
            self.seen_order.push_back(key);
        }
        while self.seen_order.len() > SEEN {
            if let Some(old) = self.seen_order.pop_front() {
                self.seen.remove(&old);
            }
        }
    }

    /// Lights `step` of `role` one slot after the step queued before it
    /// (at once when nothing waits).
    pub fn push(&mut self, role: Role, step: u8, now: f64) {
        let mut at = self.flashes.back().map_or(now, |f| (f.at + SLOT).max(now));
        if at - now > MAX_LAG {
            // Too far behind: skip what has not lit yet.
            self.flashes.retain(|f| f.at <= now);
            at = now;
        }
        self.flashes.push_back(Flash { role, step, at });
    }

    /// The lines lit at `now`: each program's newest started step is
    /// [`Glow::Now`], the others still within [`LIT_FOR`] fade.
    pub fn lit(&mut self, now: f64) -> Vec<(Role, u8, Glow)> {
        while self.flashes.front().is_some_and(|f| f.at + LIT_FOR <= now) {
            self.flashes.pop_front();
        }
        let started = || self.flashes.iter().filter(|f| f.at <= now);
        let mut out = Vec::new();
        for role in Role::ALL {
            let newest = started().rfind(|f| f.role == role).copied();
            for f in started().filter(|f| f.role == role) {
                let glow = if Some(*f) == newest {
                    Glow::Now
                } else {
                    Glow::Fading
                };
                // A step lit twice in the window shows once, brightest.
                if let Some(seen) = out
                    .iter_mut()
                    .find(|(r, s, _): &&mut (Role, u8, Glow)| *r == role && *s == f.step)
                {
                    if glow == Glow::Now {
                        seen.2 = Glow::Now;
                    }
                } else {
                    out.push((role, f.step, glow));
                }
            }
        }
        out
    }

    /// When the lighting changes next (a step lights or goes out), for
    /// `request_repaint_after`; None when nothing is lit or waiting.
    pub fn next_change(&self, now: f64) -> Option<Duration> {
        self.flashes
            .iter()
            .flat_map(|f| [f.at, f.at + LIT_FOR])
            .filter(|&t| t > now)
            .min_by(f64::total_cmp)
            .map(|t| Duration::from_secs_f64(t - now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_play_in_sequence_and_fade() {
        let mut l = Lighting::default();
        l.push(Role::Server, 7, 10.0);
        l.push(Role::Server, 8, 10.0);
        assert_eq!(l.lit(10.0), vec![(Role::Server, 7, Glow::Now)]);
        assert_eq!(l.next_change(10.0), Some(Duration::from_secs_f64(SLOT)));
        assert_eq!(
            l.lit(10.0 + SLOT),
            vec![
                (Role::Server, 7, Glow::Fading),
                (Role::Server, 8, Glow::Now)
            ]
        );
        assert_eq!(l.lit(10.0 + LIT_FOR), vec![(Role::Server, 8, Glow::Now)]);
        assert_eq!(l.lit(10.0 + SLOT + LIT_FOR), vec![]);
        assert_eq!(l.next_change(10.0 + SLOT + LIT_FOR), None);
    }

    #[test]
    fn each_program_has_its_own_now() {
        let mut l = Lighting::default();
        l.push(Role::Client, 6, 0.0);
        l.push(Role::Server, 7, 0.0);
        assert_eq!(
            l.lit(SLOT),
            vec![(Role::Server, 7, Glow::Now), (Role::Client, 6, Glow::Now)]
        );
    }

    #[test]
    fn a_burst_never_lags_far_behind() {
        let mut l = Lighting::default();
        for _ in 0..1000 {
            l.push(Role::Client, 6, 0.0);
        }
        let last = l.flashes.back().map_or(0.0, |f| f.at);
        assert!(last <= MAX_LAG + SLOT, "{last}");
    }

    #[test]
    fn calls_light_their_steps_and_those_after_them() {
        use crate::net::Family;
        assert_eq!(
            moments(Side::Server, &Call::Socket { family: Family::V4 }),
            &[4]
        );
        assert_eq!(moments(Side::Server, &Call::Close), &[] as &[u8]);
        assert_eq!(moments(Side::Client, &Call::Close), &[9]);
        // UDP Lab's TCP programs: a read lights its print, b'' the break.
        let tcp = |c| Call::Tcp(c);
        assert_eq!(
            moments(
                Side::Server,
                &tcp(TcpCall::Recv {
                    buffer: 1024,
                    read: 13
                })
            ),
            &[9, 11]
        );
        assert_eq!(
            moments(Side::Server, &tcp(TcpCall::RecvEof { buffer: 1024 })),
            &[9, 10]
        );
        assert_eq!(
            moments(Side::Client, &tcp(TcpCall::Close { listener: false })),
            &[10]
        );
    }
}
