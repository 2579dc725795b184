//! The channel from socket workers to the UI. Events a remote peer can flood
//! (one per datagram) are bounded: past the limit they are counted as
//! dropped, never blocking the socket thread. Lifecycle events (listening,
//! stopped, closed, failed) always get through, so the UI never waits for
//! one that was thrown away. The receiver is woken at most once per drain,
//! so a flood costs one repaint request per frame, not one per datagram.
//! A server's datagrams come in batches (one per `recvmmsg`), one channel
//! message each. The CLI server, which has no UI to keep responsive, takes
//! its events on the socket thread itself ([`inline_sink`]).

use std::cell::{Cell, RefCell};
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
    events: Batch<E>,
}

/// One event, or the events of one `recvmmsg` batch: under a flood one
/// channel message (and one round of the shared counters between the two
/// threads' caches) carries up to 32 datagrams.
enum Batch<E> {
    One(E),
    Many(Vec<E>),
}

/// The sending half, cloned into every worker.
pub struct EventSink<E> {
    route: Route<E>,
}

enum Route<E> {
    /// To the UI (or a CLI command) over the bounded channel.
    Channel {
        tx: Sender<Item<E>>,
        shared: Arc<Shared>,
    },
    /// Handed over on the sending thread itself (the CLI server prints on
    /// its socket thread, as the lab's server does: no hand-over between
    /// threads per datagram, and nothing to drop).
    Inline(Arc<dyn Fn(Vec<E>) + Send + Sync>),
}

impl<E> Clone for EventSink<E> {
    fn clone(&self) -> Self {
        Self {
            route: match &self.route {
                Route::Channel { tx, shared } => Route::Channel {
                    tx: tx.clone(),
                    shared: shared.clone(),
                },
                Route::Inline(deliver) => Route::Inline(deliver.clone()),
            },
        }
    }
}

/// A sink that calls `deliver` with the events, in order, on the worker's
/// thread (a batch's at once). `deliver` should not block for long: the
/// socket waits meanwhile.
pub fn inline_sink<E>(deliver: impl Fn(Vec<E>) + Send + Sync + 'static) -> EventSink<E> {
    EventSink {
        route: Route::Inline(Arc::new(deliver)),
    }
}

/// The receiving half, owned by the UI.
pub struct EventQueue<E> {
    rx: Receiver<Item<E>>,
    shared: Arc<Shared>,
    /// Droppable events taken so far (only the UI thread takes).
    taken: Cell<u64>,
    /// The rest of a batch taken from the channel, handed out first.
    rest: RefCell<std::collections::VecDeque<E>>,
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
            route: Route::Channel {
                tx,
                shared: shared.clone(),
            },
        },
        EventQueue {
            rx,
            shared,
            taken: Cell::new(0),
            rest: RefCell::new(std::collections::VecDeque::new()),
        },
    )
}

impl<E> EventSink<E> {
    /// Never blocks: past the capacity the event is counted as dropped.
    pub fn send(&self, event: E) {
        let (tx, shared) = match &self.route {
            Route::Channel { tx, shared } => (tx, shared),
            Route::Inline(deliver) => return deliver(vec![event]),
        };
        if shared.queued.fetch_add(1, Ordering::AcqRel) >= shared.capacity {
            shared.queued.fetch_sub(1, Ordering::AcqRel);
            shared.dropped.fetch_add(1, Ordering::Relaxed);
        } else if tx
            .send(Item {
                droppable: true,
                events: Batch::One(event),
            })
            .is_err()
        {
            // Nobody listens any more (the window closed).
            return;
        }
        wake(shared);
    }

    /// [`send`](Self::send) for several at once, in order, as one message;
    /// those past the capacity are counted as dropped.
    pub fn send_many(&self, mut events: Vec<E>) {
        let (tx, shared) = match &self.route {
            Route::Channel { tx, shared } if events.len() > 1 => (tx, shared),
            Route::Channel { .. } => return events.into_iter().for_each(|e| self.send(e)),
            Route::Inline(deliver) => return deliver(events),
        };
        let n = events.len();
        let before = shared.queued.fetch_add(n, Ordering::AcqRel);
        let room = shared.capacity.saturating_sub(before).min(n);
        if room < n {
            shared.queued.fetch_sub(n - room, Ordering::AcqRel);
            shared
                .dropped
                .fetch_add((n - room) as u64, Ordering::Relaxed);
            events.truncate(room);
        }
        if room > 0
            && tx
                .send(Item {
                    droppable: true,
                    events: Batch::Many(events),
                })
                .is_err()
        {
            return;
        }
        wake(shared);
    }

    /// Always delivered: for the few events per worker whose loss would
    /// leave the UI waiting (listening, stopped, closed, failed).
    pub fn send_always(&self, event: E) {
        match &self.route {
            Route::Channel { tx, shared } => {
                if tx
                    .send(Item {
                        droppable: false,
                        events: Batch::One(event),
                    })
                    .is_ok()
                {
                    wake(shared);
                }
            }
            Route::Inline(deliver) => deliver(vec![event]),
        }
    }
}

fn wake(shared: &Shared) {
    if !shared.wake_pending.swap(true, Ordering::AcqRel) {
        (shared.wake)();
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
    fn take(&self, item: Item<E>) -> Option<E> {
        let n = match &item.events {
            Batch::One(_) => 1,
            Batch::Many(events) => events.len(),
        };
        if item.droppable {
            self.shared.queued.fetch_sub(n, Ordering::AcqRel);
            self.taken.set(self.taken.get() + n as u64);
        }
        match item.events {
            Batch::One(event) => Some(event),
            Batch::Many(events) => {
                let mut rest = self.rest.borrow_mut();
                rest.extend(events);
                rest.pop_front()
            }
        }
    }

    /// The next event: the rest of a batch first, then the channel's.
    fn try_next(&self) -> Option<E> {
        if let Some(event) = self.rest.borrow_mut().pop_front() {
            return Some(event);
        }
        while let Ok(item) = self.rx.try_recv() {
            if let Some(event) = self.take(item) {
                return Some(event);
            }
        }
        None
    }

    /// Hands waiting events to `handle` until the queue is empty or `budget`
    /// is spent. When events remain, the caller should ask for another frame.
    pub fn drain(&self, budget: Duration, mut handle: impl FnMut(E)) -> Drained {
        // Clear first: an event sent from now on wakes us again.
        self.shared.wake_pending.store(false, Ordering::Release);
        let start = Instant::now();
        let mut drained = Drained::default();
        while let Some(event) = self.try_next() {
            handle(event);
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
        if let Some(event) = self.try_next() {
            return Some(event);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let item = self
                .rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .ok()?;
            if let Some(event) = self.take(item) {
                return Some(event);
            }
        }
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

    /// A channel whose wake-ups are counted.
    fn counted_channel(capacity: usize) -> (EventSink<u32>, EventQueue<u32>, Arc<AtomicUsize>) {
        let wakes = Arc::new(AtomicUsize::new(0));
        let w = wakes.clone();
        let (sink, queue) = event_channel(
            capacity,
            Arc::new(move || {
                w.fetch_add(1, Ordering::Relaxed);
            }),
        );
        (sink, queue, wakes)
    }

    #[test]
    fn full_channel_counts_drops_and_wakes_once_per_drain() {
        let (sink, queue, wakes) = counted_channel(4);
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

    #[test]
    fn a_batch_is_one_message_and_what_does_not_fit_is_counted() {
        let (sink, queue, wakes) = counted_channel(5);
        sink.send(0);
        sink.send_many(vec![1, 2, 3]);
        // Room for one more of these three.
        sink.send_many(vec![4, 5, 6]);
        sink.send_always(100);
        assert_eq!(wakes.load(Ordering::Relaxed), 1, "one wake-up for a burst");
        assert_eq!(queue.dropped(), 2);
        assert_eq!(queue.arrived(), 7);
        // A batch is handed out one event at a time, across calls.
        assert_eq!(queue.recv_timeout(Duration::from_secs(1)), Some(0));
        assert_eq!(queue.recv_timeout(Duration::from_secs(1)), Some(1));
        let mut got = Vec::new();
        let d = queue.drain(Duration::from_secs(1), |e| got.push(e));
        assert_eq!(got, vec![2, 3, 4, 100]);
        assert_eq!(d.count, 4);
        assert_eq!(queue.arrived(), 7, "taken, no more waiting");
        // Taken: room for a whole batch again.
        sink.send_many(vec![7, 8, 9, 10, 11]);
        assert_eq!(queue.dropped(), 2);
        let mut got = Vec::new();
        queue.drain(Duration::from_secs(1), |e| got.push(e));
        assert_eq!(got, vec![7, 8, 9, 10, 11]);
    }

    #[test]
    fn an_inline_sink_delivers_on_the_sending_thread_in_order() {
        let got = Arc::new(std::sync::Mutex::new(Vec::new()));
        let into = got.clone();
        let sink = inline_sink(move |events: Vec<u32>| {
            let thread = std::thread::current().name().map(str::to_owned);
            if let Ok(mut g) = into.lock() {
                g.extend(events.into_iter().map(|e| (e, thread.clone())));
            }
        });
        let worker = std::thread::Builder::new()
            .name("worker".into())
            .spawn(move || {
                sink.send(1);
                sink.send_many(vec![2, 3]);
                sink.send_always(4);
            })
            .expect("spawn");
        worker.join().expect("worker");
        let worker = Some("worker".to_owned());
        assert_eq!(
            *got.lock().expect("not poisoned"),
            vec![
                (1, worker.clone()),
                (2, worker.clone()),
                (3, worker.clone()),
                (4, worker)
            ]
        );
    }
}
