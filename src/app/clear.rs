//! Issue 23: Clear can be taken back. The cleared rows (and their counters)
//! are kept for [`UNDO_PERIOD`]; meanwhile the notice offers Undo (and
//! Ctrl+Z), as mail and file managers do.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::tools::jobs::NoticeKind;
use super::{Command, IncomingRow, MAX_INCOMING_ROWS, ServerState, UdpLabApp};

/// How long Undo is offered after Clear.
pub const UNDO_PERIOD: Duration = Duration::from_secs(10);

/// What Clear took away, until the offer runs out.
pub struct ClearedIncoming {
    rows: VecDeque<IncomingRow>,
    total: u64,
    rows_dropped: u64,
    rate_limited: u64,
    /// When the offer started (moved on while the pointer is on the notice).
    pub(crate) since: Instant,
}

impl ClearedIncoming {
    /// The rows Undo would bring back.
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// How long Undo is still offered (None: no longer).
    pub fn left(&self, now: Instant) -> Option<Duration> {
        let left = UNDO_PERIOD.checked_sub(now.saturating_duration_since(self.since))?;
        (!left.is_zero()).then_some(left)
    }
}

impl ServerState {
    /// Empties the incoming list, keeping what it held for Undo. A second
    /// Clear while Undo is offered adds to what the first kept, so Undo
    /// brings back both.
    pub(crate) fn clear_incoming(&mut self, now: Instant) {
        let rows = std::mem::take(&mut self.rows);
        let mut cleared = ClearedIncoming {
            rows,
            total: std::mem::take(&mut self.total),
            rows_dropped: std::mem::take(&mut self.rows_dropped),
            rate_limited: std::mem::take(&mut self.rate_limited),
            since: now,
        };
        if let Some(earlier) = self.cleared.take().filter(|c| c.left(now).is_some()) {
            cleared = earlier.followed_by(cleared);
        }
        self.filter_matches = Default::default();
        self.cleared = Some(cleared);
    }

    /// Puts the cleared rows back before any that came since (the list's
    /// bound still holds: what no longer fits is dropped from the front
    /// and counted). False: nothing to undo (any more).
    pub(crate) fn undo_clear(&mut self, now: Instant) -> bool {
        let Some(cleared) = self.cleared.take().filter(|c| c.left(now).is_some()) else {
            return false;
        };
        let since = ClearedIncoming {
            rows: std::mem::take(&mut self.rows),
            total: self.total,
            rows_dropped: self.rows_dropped,
            rate_limited: self.rate_limited,
            since: now,
        };
        let all = cleared.followed_by(since);
        self.rows = all.rows;
        self.total = all.total;
        self.rows_dropped = all.rows_dropped;
        self.rate_limited = all.rate_limited;
        // The rows are numbered anew: the filter searches again.
        self.filter_matches = Default::default();
        true
    }

    /// The Undo offer, while it lasts.
    pub fn undo_offer(&self, now: Instant) -> Option<&ClearedIncoming> {
        self.cleared.as_ref().filter(|c| c.left(now).is_some())
    }
}

impl ClearedIncoming {
    /// `self`'s rows, then `later`'s, within the list's bound.
    fn followed_by(mut self, later: ClearedIncoming) -> ClearedIncoming {
        self.rows.extend(later.rows);
        let over = self.rows.len().saturating_sub(MAX_INCOMING_ROWS);
        self.rows.drain(..over);
        ClearedIncoming {
            rows: self.rows,
            total: self.total + later.total,
            rows_dropped: self.rows_dropped + later.rows_dropped + over as u64,
            rate_limited: self.rate_limited + later.rate_limited,
            since: later.since,
        }
    }
}

/// `Command::ClearIncoming`: clear, and offer Undo in the notice.
pub(crate) fn clear(app: &mut UdpLabApp) {
    let now = Instant::now();
    app.server.clear_incoming(now);
    let rows = app.server.undo_offer(now).map_or(0, ClearedIncoming::rows);
    app.tools.show(NoticeKind::Cleared { rows });
}

/// `Command::UndoClear`: the rows back; the notice goes.
pub(crate) fn undo(app: &mut UdpLabApp) {
    if app.server.undo_clear(Instant::now())
        && matches!(
            app.tools.notice.as_ref().map(|n| &n.kind),
            Some(NoticeKind::Cleared { .. })
        )
    {
        app.tools.notice = None;
    }
}

/// Ctrl+Z while Undo is offered (not while a field is being edited: it
/// undoes typing there). Also lets the offer go once its time is up.
pub fn keys(ctx: &egui::Context, app: &mut UdpLabApp) {
    let now = Instant::now();
    if app.server.cleared.is_some() && app.server.undo_offer(now).is_none() {
        app.server.cleared = None;
    }
    if app.server.cleared.is_none() || ctx.egui_wants_keyboard_input() {
        return;
    }
    if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Z)) {
        app.act(Command::UndoClear);
    }
}

#[cfg(test)]
mod tests;
