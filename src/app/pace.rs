//! How often the window draws while datagrams pour in. Each event wakes the
//! window at most once per frame; under a flood that is every frame, and
//! drawing a full window sixty times a second (on a lab PC's software GL)
//! takes the CPU the socket thread needs, for a list nobody can read at
//! that speed. So while many events arrive per frame the window draws at
//! most [`BUSY_FPS`] frames a second and goes back to drawing at once when
//! traffic calms down. Each frame applies events for the same time budget
//! either way (`DRAIN_BUDGET`): a longer one would make the frame late,
//! and what the window cannot apply waits in the channel or is counted as
//! dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::net::Waker;

/// From this many events applied in one frame the window counts as flooded.
pub const BUSY_EVENTS: usize = 200;
/// Frames a second while flooded. Each frame of this window costs Mesa's
/// software renderer ~18 ms of CPU at 1280×800 (the flood benchmark prints
/// it): at 15 frames a second the drawing took half a core from the
/// socket thread; at 4 it takes ~15 %, and the rate and the newest rows
/// still change four times a second. Input (a click, the mouse) still
/// brings a frame at once.
pub const BUSY_FPS: u64 = 4;
#[derive(Default)]
pub struct Pace {
    /// 0: wake at once; otherwise the frame interval in milliseconds. Shared
    /// with the waker the socket threads call.
    wake_delay_ms: Arc<AtomicU64>,
    /// The channel's arrival count at the previous frame.
    arrived: u64,
    /// While flooded: arrivals and time since the flood was last judged.
    window: (u64, Duration),
    last_frame: Option<Instant>,
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

    /// After a frame's draining. `arrived`: every droppable event the
    /// channel has been handed so far (applied, waiting or dropped);
    /// `more`: events still wait. Returns when the next frame should come
    /// (None: calm and nothing left; the waker brings the next frame).
    ///
    /// Flooded is judged by arrivals, not by what waits: when a flood
    /// stops, the events it left in the channel are applied at the full
    /// frame rate (a fraction of a second), not at the flood's pace.
    pub fn after_drain(&mut self, arrived: u64, more: bool, now: Instant) -> Option<Duration> {
        let new = arrived.saturating_sub(self.arrived);
        self.arrived = arrived;
        let since = self
            .last_frame
            .map_or(Duration::ZERO, |t| now.saturating_duration_since(t));
        self.last_frame = Some(now);
        let interval = Duration::from_millis(1000 / BUSY_FPS);
        if !self.busy() {
            if new >= BUSY_EVENTS as u64 {
                self.window = (0, Duration::ZERO);
                self.wake_delay_ms
                    .store(interval.as_millis() as u64, Ordering::Relaxed);
            }
        } else {
            // Judged over a whole busy interval at least, so frames that
            // input brings in between do not end the flood early.
            self.window.0 += new;
            self.window.1 += since;
            if self.window.1 >= interval {
                if self.window.0 < BUSY_EVENTS as u64 {
                    self.wake_delay_ms.store(0, Ordering::Relaxed);
                }
                self.window = (0, Duration::ZERO);
            }
        }
        if self.busy() {
            // Also when nothing arrives: the frame that tells the flood is
            // over must come even when no datagram brings it.
            Some(interval)
        } else {
            more.then_some(Duration::ZERO)
        }
    }
}

/// egui's `Style::animation_time`, which UDP Lab does not change.
const ANIMATION_TIME: f32 = 0.2;

/// While flooded, animations end at once: each asks for a frame every
/// sixtieth of a second while it runs (a list's scroll bar appearing when
/// a flood fills it: 0.2 s of full-rate frames, the flood benchmark's
/// costliest frames), which is what the busy pace is there to avoid.
pub fn animate_unless_busy(ctx: &egui::Context, busy: bool) {
    let time = if busy { 0.0 } else { ANIMATION_TIME };
    if ctx.global_style().animation_time != time {
        ctx.all_styles_mut(|style| style.animation_time = time);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_slows_the_frames_and_calm_brings_them_back() {
        let interval = Duration::from_millis(1000 / BUSY_FPS);
        let t0 = Instant::now();
        let mut pace = Pace::default();
        assert_eq!(pace.after_drain(3, false, t0), None);
        assert!(!pace.busy(), "a few events: draw at once");
        let mut arrived = 3 + BUSY_EVENTS as u64;
        let mut now = t0 + Duration::from_millis(16);
        assert_eq!(pace.after_drain(arrived, true, now), Some(interval));
        assert!(pace.busy(), "a frame's worth of events: flooded");
        // Frames brought by input in between do not end the flood.
        now += Duration::from_millis(20);
        assert_eq!(pace.after_drain(arrived, true, now), Some(interval));
        assert!(pace.busy());
        // The flood goes on: still busy a whole interval later.
        arrived += 50_000;
        now += interval;
        assert_eq!(pace.after_drain(arrived, true, now), Some(interval));
        assert!(pace.busy());
        // It stops with events left in the channel: they are applied at
        // once, frame after frame, not at the flood's pace.
        now += interval;
        assert_eq!(
            pace.after_drain(arrived + 1, true, now),
            Some(Duration::ZERO)
        );
        assert!(!pace.busy());
        now += Duration::from_millis(16);
        assert_eq!(pace.after_drain(arrived + 1, false, now), None);
        assert!(!pace.busy(), "calm and nothing left: idle");
    }

    #[test]
    fn animations_stop_while_flooded_and_come_back_as_egui_made_them() {
        assert_eq!(ANIMATION_TIME, egui::Style::default().animation_time);
        let ctx = egui::Context::default();
        animate_unless_busy(&ctx, true);
        assert_eq!(ctx.style_of(egui::Theme::Dark).animation_time, 0.0);
        assert_eq!(ctx.style_of(egui::Theme::Light).animation_time, 0.0);
        animate_unless_busy(&ctx, false);
        assert_eq!(
            ctx.style_of(egui::Theme::Dark).animation_time,
            ANIMATION_TIME
        );
        assert_eq!(
            ctx.style_of(egui::Theme::Light).animation_time,
            ANIMATION_TIME
        );
    }
}
