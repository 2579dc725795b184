//! How often the window draws while datagrams pour in. Each event wakes the
//! window at most once per frame; under a flood that is every frame, and
//! drawing a full window sixty times a second (on a lab PC's software GL)
//! takes the CPU the socket thread needs, for a list nobody can read at
//! that speed. So while many events arrive per frame the window draws at
//! most [`BUSY_FPS`] frames a second, each applying a bigger batch, and goes
//! back to drawing at once when traffic calms down.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::net::Waker;

/// From this many events applied in one frame the window counts as flooded.
pub const BUSY_EVENTS: usize = 200;
/// Frames a second while flooded.
pub const BUSY_FPS: u64 = 15;
/// Calm frames in a row before drawing at once again.
const CALM_FRAMES: u32 = 3;
/// The time per frame spent applying events while flooded: fewer frames,
/// so each takes a bigger batch.
pub const BUSY_DRAIN_BUDGET: Duration = Duration::from_millis(8);

#[derive(Default)]
pub struct Pace {
    /// 0: wake at once; otherwise the frame interval in milliseconds. Shared
    /// with the waker the socket threads call.
    wake_delay_ms: Arc<AtomicU64>,
    calm: u32,
}

impl Pace {
    /// The waker for the event channel: a repaint at once when calm, after
    /// the busy frame interval when flooded.
    pub fn waker(&self, ctx: &egui::Context) -> Waker {
        let delay = Arc::clone(&self.wake_delay_ms);
        let ctx = ctx.clone();
        Arc::new(move || match delay.load(Ordering::Relaxed) {
            0 => ctx.request_repaint(),
            ms => ctx.request_repaint_after(Duration::from_millis(ms)),
        })
    }

    pub fn busy(&self) -> bool {
        self.wake_delay_ms.load(Ordering::Relaxed) != 0
    }

    /// The budget for this frame's draining.
    pub fn drain_budget(&self) -> Duration {
        if self.busy() {
            BUSY_DRAIN_BUDGET
        } else {
            super::DRAIN_BUDGET
        }
    }

    /// After a frame's draining: `applied` events, `more` still waiting.
    /// Returns when the next frame should come (None: calm and nothing
    /// left; the waker brings the next frame).
    pub fn after_drain(&mut self, applied: usize, more: bool) -> Option<Duration> {
        if applied >= BUSY_EVENTS || more {
            self.calm = 0;
            self.wake_delay_ms.store(1000 / BUSY_FPS, Ordering::Relaxed);
        } else if self.busy() {
            self.calm += 1;
            if self.calm >= CALM_FRAMES {
                self.wake_delay_ms.store(0, Ordering::Relaxed);
            }
        }
        if self.busy() {
            // Also after a calm frame: the frames that tell the flood is
            // over must come even when no datagram brings them.
            Some(Duration::from_millis(1000 / BUSY_FPS))
        } else {
            more.then_some(Duration::ZERO)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_slows_the_frames_and_calm_brings_them_back() {
        let mut pace = Pace::default();
        assert!(!pace.busy());
        assert_eq!(pace.after_drain(3, false), None);
        assert!(!pace.busy(), "a few events: draw at once");
        assert_eq!(
            pace.after_drain(BUSY_EVENTS, true),
            Some(Duration::from_millis(1000 / BUSY_FPS))
        );
        assert!(pace.busy());
        assert_eq!(pace.drain_budget(), BUSY_DRAIN_BUDGET);
        for _ in 0..CALM_FRAMES - 1 {
            let next = pace.after_drain(1, false);
            assert!(pace.busy(), "one calm frame is not calm yet");
            assert!(next.is_some(), "the next calm frame is asked for");
        }
        assert_eq!(pace.after_drain(0, false), None, "calm: idle again");
        assert!(!pace.busy());
        assert_eq!(pace.drain_budget(), super::super::DRAIN_BUDGET);
    }
}
