//! The channel from socket workers to the UI. Events a remote peer can flood
//! (one per datagram) are bounded: past the limit they are counted as
//! dropped, never blocking the socket thread. Lifecycle events (listening,
//! stopped, closed, failed) always get through, so the UI never waits for
//! one that was thrown away. The receiver is woken at most once per drain,
//! so a flood costs one repaint request per frame, not one per datagram.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

/// Called from worker threads when events are waiting (the app hands in
/// `ctx.request_repaint`).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

struct Shared {
    /// Droppable events queued and not yet taken.
    queued: AtomicUsize,
    capacity: usize,
    dropped: AtomicU64,
    wake_pending: AtomicBool,
    wake: Waker,
}

struct Item<E> {
    droppable: bool,
    event: E,
}

/// The sending half, cloned into every worker.
pub struct EventSink<E> {
    tx: Sender<Item<E>>,
    shared: Arc<Shared>,
}

impl<E> Clone for EventSink<E> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
            shared: self.shared.clone(),
        }
    }
}

/// The receiving half, owned by the UI.
pub struct EventQueue<E> {
    rx: Receiver<Item<E>>,
    shared: Arc<Shared>,
    /// Droppable events taken so far (only the UI thread takes).
    taken: Cell<u64>,
}

/// A channel holding at most `capacity` undelivered droppable events.
pub fn event_channel<E>(capacity: usize, wake: Waker) -> (EventSink<E>, EventQueue<E>) {
    let (tx, rx) = channel();
    let shared = Arc::new(Shared {
        queued: AtomicUsize::new(0),
        capacity,
        dropped: AtomicU64::new(0),
        wake_pending: AtomicBool::new(false),
        wake,
    });
    (
        EventSink {
            tx,
            shared: shared.clone(),
        },
        EventQueue {
            rx,
            shared,
            taken: Cell::new(0),
        },
    )
}

impl<E> EventSink<E> {
    /// Never blocks: past the capacity the event is counted as dropped.
    pub fn send(&self, event: E) {
        if self.shared.queued.fetch_add(1, Ordering::AcqRel) >= self.shared.capacity {
            self.shared.queued.fetch_sub(1, Ordering::AcqRel);
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        } else if self
            .tx
            .send(Item {
                droppable: true,
                event,
            })
            .is_err()
        {
            // Nobody listens any more (the window closed).
            return;
        }
        self.wake();
    }

    /// Always delivered: for the few events per worker whose loss would
    /// leave the UI waiting (listening, stopped, closed, failed).
    pub fn send_always(&self, event: E) {
        if self
            .tx
            .send(Item {
                droppable: false,
                event,
            })
            .is_ok()
        {
            self.wake();
        }
    }

    fn wake(&self) {
        if !self.shared.wake_pending.swap(true, Ordering::AcqRel) {
            (self.shared.wake)();
        }
    }
}

/// What one [`EventQueue::drain`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Drained {
    pub count: usize,
    /// The time budget ran out with events still waiting.
    pub more: bool,
}

impl<E> EventQueue<E> {
    fn take(&self, item: Item<E>) -> E {
        if item.droppable {
            self.shared.queued.fetch_sub(1, Ordering::AcqRel);
            self.taken.set(self.taken.get() + 1);
        }
        item.event
    }

    /// Hands waiting events to `handle` until the queue is empty or `budget`
    /// is spent. When events remain, the caller should ask for another frame.
    pub fn drain(&self, budget: Duration, mut handle: impl FnMut(E)) -> Drained {
        // Clear first: an event sent from now on wakes us again.
        self.shared.wake_pending.store(false, Ordering::Release);
        let start = Instant::now();
        let mut drained = Drained::default();
        while let Ok(item) = self.rx.try_recv() {
            handle(self.take(item));
            drained.count += 1;
            // Checking the clock every event would cost more than the events.
            if drained.count % 64 == 0 && start.elapsed() >= budget {
                drained.more = true;
                break;
            }
        }
        drained
    }

    /// Blocks until one event arrives or `timeout` passes (CLI and tests only).
    pub fn recv_timeout(&self, timeout: Duration) -> Option<E> {
        self.rx
            .recv_timeout(timeout)
            .ok()
            .map(|item| self.take(item))
    }

    /// Droppable events handed to the channel so far: taken, waiting or
    /// dropped (what the window's pace judges a flood by).
    pub fn arrived(&self) -> u64 {
        self.taken.get() + self.shared.queued.load(Ordering::Acquire) as u64 + self.dropped()
    }

    /// Events lost because the channel was full.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_channel_counts_drops_and_wakes_once_per_drain() {
        let wakes = Arc::new(AtomicUsize::new(0));
        let w = wakes.clone();
        let (sink, queue) = event_channel::<u32>(
            4,
            Arc::new(move || {
                w.fetch_add(1, Ordering::Relaxed);
            }),
        );
        for i in 0..10 {
            sink.send(i);
        }
        sink.send_always(100);
        assert_eq!(wakes.load(Ordering::Relaxed), 1, "one wake-up for a burst");
        assert_eq!(queue.dropped(), 6);
        assert_eq!(queue.arrived(), 10, "waiting and dropped count as arrived");
        let mut got = Vec::new();
        let d = queue.drain(Duration::from_secs(1), |e| got.push(e));
        assert_eq!(
            got,
            vec![0, 1, 2, 3, 100],
            "lifecycle events pass a full channel"
        );
        assert_eq!(
            d,
            Drained {
                count: 5,
                more: false
            }
        );
        sink.send(99);
        assert_eq!(
            wakes.load(Ordering::Relaxed),
            2,
            "a new event after a drain wakes again"
        );
        assert_eq!(queue.recv_timeout(Duration::from_secs(1)), Some(99));
        // Room again after draining.
        for i in 0..4 {
            sink.send(i);
        }
        assert_eq!(queue.dropped(), 6);
    }
}
