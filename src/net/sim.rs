//! The unreliable-network simulator. Loopback never loses, delays, duplicates
//! or reorders anything, so UDP Lab does it on purpose to the datagrams it
//! sends itself (the client's requests and the server's replies): addresses
//! and ports stay real, and every impaired datagram is marked with its
//! [`SimFate`] so no one mistakes the effect for a bug.
//!
//! Decisions come from a small seeded PRNG, so the same seed gives the same
//! pattern for the same sequence of sends. Sends that must wait go to a
//! scheduler thread (a binary heap of due times), so neither the sending
//! thread nor the UI ever sleeps for them.

use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use socket2::Socket;

use super::sock;

/// The fate the simulator gave one sent datagram. The default is "sent as is".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SimFate {
    /// Never handed to the OS.
    pub dropped: bool,
    /// Held back this long before `sendto`.
    pub delay: Duration,
    /// Sent twice.
    pub duplicated: bool,
    /// Held back so that a later datagram overtakes it.
    pub reordered: bool,
}

impl SimFate {
    pub fn is_impaired(&self) -> bool {
        *self != SimFate::default()
    }
}

/// The longest delay (and jitter) the knobs accept.
pub const MAX_DELAY_MS: u32 = 10_000;

/// The simulator's knobs. All zero (the default) means "perfect": datagrams
/// go straight to `sendto` with no overhead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Impairments {
    /// Chance (0–100) that a datagram is never sent.
    pub loss_percent: f64,
    /// Added before each `sendto`, one way (so a round trip gets it twice).
    pub delay_ms: u32,
    /// The delay varies uniformly by up to ± this much.
    pub jitter_ms: u32,
    /// Chance (0–100) that a datagram is sent twice.
    pub duplicate_percent: f64,
    /// Chance (0–100) that a datagram is held back until the next one has
    /// gone out, so the receiver sees them in the wrong order.
    pub reorder_percent: f64,
    /// The PRNG's seed: the same seed gives the same pattern.
    pub seed: u64,
}

impl Impairments {
    /// Whether every knob is zero (the seed does not matter then).
    pub fn is_off(&self) -> bool {
        let n = self.normalized();
        n.loss_percent == 0.0
            && n.delay_ms == 0
            && n.jitter_ms == 0
            && n.duplicate_percent == 0.0
            && n.reorder_percent == 0.0
    }

    /// Percentages within 0–100 (NaN counts as 0), delays within
    /// [`MAX_DELAY_MS`]: a hand-edited settings file cannot break the sender.
    pub fn normalized(&self) -> Self {
        let pct = |p: f64| if p.is_nan() { 0.0 } else { p.clamp(0.0, 100.0) };
        Self {
            loss_percent: pct(self.loss_percent),
            delay_ms: self.delay_ms.min(MAX_DELAY_MS),
            jitter_ms: self.jitter_ms.min(MAX_DELAY_MS),
            duplicate_percent: pct(self.duplicate_percent),
            reorder_percent: pct(self.reorder_percent),
            seed: self.seed,
        }
    }
}

/// Ready-made networks for the classroom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Perfect,
    WiFi,
    BadMobile,
    Satellite,
}

impl Preset {
    pub const ALL: [Preset; 4] = [
        Preset::Perfect,
        Preset::WiFi,
        Preset::BadMobile,
        Preset::Satellite,
    ];

    /// The preset's knobs, keeping the caller's seed.
    pub fn impairments(self, seed: u64) -> Impairments {
        let (loss, delay, jitter, duplicate, reorder) = match self {
            Preset::Perfect => (0.0, 0, 0, 0.0, 0.0),
            // A busy home network: a little loss, a few ms, some jitter.
            Preset::WiFi => (2.0, 5, 3, 0.0, 1.0),
            // A weak cell signal: real loss, long and jittery delays.
            Preset::BadMobile => (10.0, 80, 40, 1.0, 5.0),
            // Geostationary: ~600 ms round trip, little loss.
            Preset::Satellite => (1.0, 300, 20, 0.0, 0.0),
        };
        Impairments {
            loss_percent: loss,
            delay_ms: delay,
            jitter_ms: jitter,
            duplicate_percent: duplicate,
            reorder_percent: reorder,
            seed,
        }
    }

    /// The preset these knobs are, if any (the seed does not count).
    pub fn matching(imp: &Impairments) -> Option<Preset> {
        Preset::ALL
            .into_iter()
            .find(|p| p.impairments(imp.seed) == *imp)
    }
}

/// SplitMix64: tiny, fast and good enough to decide fates; no dependency.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Which end sends: the client and the server draw from different streams,
/// so with one seed a dropped request does not mean a dropped reply.
const CLIENT_SALT: u64 = 0x636c_6965_6e74_0001;
const SERVER_SALT: u64 = 0x7365_7276_6572_0002;

/// How long a reordered datagram waits for a later one to overtake it
/// before it goes anyway (a server's default; a client uses its timeout).
pub const DEFAULT_MAX_HOLD: Duration = Duration::from_secs(5);

/// Decides each datagram's fate and sends it (now, later, twice or never).
/// One per sending thread: the server worker has one, each client operation
/// has its own.
pub struct Simulator {
    /// The knobs as given (to tell cheaply whether new ones came).
    given: Impairments,
    imp: Impairments,
    off: bool,
    rng: Rng,
    max_hold: Duration,
    scheduler: Option<Scheduler>,
    /// A reordered datagram waiting for the next send to overtake it.
    held: Option<Held>,
    /// Tie-break for jobs due at the same instant: first scheduled, first sent.
    order: u64,
    /// Sends the scheduler could not make (socket closed meanwhile, or an
    /// error); shared with it.
    failed: Arc<AtomicU64>,
}

struct Held {
    claim: Arc<AtomicBool>,
    socket: Weak<Socket>,
    bytes: Arc<[u8]>,
    to: SocketAddr,
    copies: u8,
}

impl Simulator {
    pub fn for_client(imp: Impairments) -> Self {
        Self::new(imp, CLIENT_SALT)
    }

    pub fn for_server(imp: Impairments) -> Self {
        Self::new(imp, SERVER_SALT)
    }

    fn new(given: Impairments, salt: u64) -> Self {
        let imp = given.normalized();
        Self {
            given,
            off: imp.is_off(),
            rng: Rng(imp.seed ^ salt),
            imp,
            max_hold: DEFAULT_MAX_HOLD,
            scheduler: None,
            held: None,
            order: 0,
            failed: Arc::new(AtomicU64::new(0)),
        }
    }

    /// How long a reordered datagram may wait for a later one. A lock-step
    /// client sets its timeout plus interval, so the next request really
    /// does overtake the held one.
    pub fn with_max_hold(mut self, hold: Duration) -> Self {
        self.max_hold = hold;
        self
    }

    /// The knobs in force (normalised).
    pub fn impairments(&self) -> &Impairments {
        &self.imp
    }

    pub fn is_off(&self) -> bool {
        self.off
    }

    /// Whether this simulator was built from these knobs (the usual case
    /// costs one comparison; a NaN from a hand-edited file still matches).
    pub fn is_for(&self, knobs: &Impairments) -> bool {
        self.given == *knobs || self.imp == knobs.normalized()
    }

    /// Delayed or held sends that failed when their time came.
    pub fn late_failures(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }

    /// The next datagram's fate. Always draws four numbers, so the pattern
    /// of drops for a seed does not depend on the other knobs.
    pub fn decide(&mut self) -> SimFate {
        let (u_loss, u_jitter, u_dup, u_reorder) = (
            self.rng.next_f64(),
            self.rng.next_f64(),
            self.rng.next_f64(),
            self.rng.next_f64(),
        );
        let imp = &self.imp;
        let chance = |u: f64, percent: f64| u * 100.0 < percent;
        if chance(u_loss, imp.loss_percent) {
            return SimFate {
                dropped: true,
                ..SimFate::default()
            };
        }
        let jitter = (2.0 * u_jitter - 1.0) * f64::from(imp.jitter_ms);
        let delay_ms = (f64::from(imp.delay_ms) + jitter).max(0.0);
        SimFate {
            dropped: false,
            delay: Duration::from_micros((delay_ms * 1000.0).round() as u64),
            duplicated: chance(u_dup, imp.duplicate_percent),
            reordered: chance(u_reorder, imp.reorder_percent),
        }
    }

    /// `sendto` through the simulator. An error is returned only for a send
    /// made now; one made later by the scheduler that fails is counted in
    /// [`Simulator::late_failures`].
    pub fn send(
        &mut self,
        socket: &Arc<Socket>,
        bytes: &Arc<[u8]>,
        to: SocketAddr,
    ) -> io::Result<SimFate> {
        if self.off {
            // The server's hot path: nothing but the syscall.
            sock::send_to(socket, bytes, to)?;
            return Ok(SimFate::default());
        }
        let mut fate = self.decide();
        let now = Instant::now();
        // A datagram held back earlier goes right after this one (a dropped
        // datagram overtakes nothing, so it keeps waiting).
        let release = if fate.dropped {
            None
        } else {
            self.held
                .take()
                .filter(|h| !h.claim.swap(true, Ordering::AcqRel))
        };
        if release.is_some() || self.held.is_some() {
            // This one is the overtaker (or one is held already): not held itself.
            fate.reordered = false;
        }
        let copies = if fate.duplicated { 2 } else { 1 };
        let mut result = Ok(());
        let mut due = now;
        if fate.dropped {
        } else if fate.reordered {
            let claim = Arc::new(AtomicBool::new(false));
            let job = Job {
                due: now + fate.delay + self.max_hold,
                order: 0,
                socket: Arc::downgrade(socket),
                bytes: bytes.clone(),
                to,
                copies,
                claim: Some(claim.clone()),
            };
            self.schedule(job);
            self.held = Some(Held {
                claim,
                socket: Arc::downgrade(socket),
                bytes: bytes.clone(),
                to,
                copies,
            });
        } else if fate.delay.is_zero() {
            result = sock::send_to(socket, bytes, to).map(|_| ());
            if result.is_ok() && copies == 2 && sock::send_to(socket, bytes, to).is_err() {
                self.failed.fetch_add(1, Ordering::Relaxed);
            }
        } else {
            due = now + fate.delay;
            let job = Job {
                due,
                order: 0,
                socket: Arc::downgrade(socket),
                bytes: bytes.clone(),
                to,
                copies,
                claim: None,
            };
            self.schedule(job);
        }
        if let Some(h) = release {
            let job = Job {
                due,
                order: 0,
                socket: h.socket,
                bytes: h.bytes,
                to: h.to,
                copies: h.copies,
                claim: None,
            };
            if due <= now {
                perform(&job, &self.failed);
            } else {
                self.schedule(job);
            }
        }
        result.map(|()| fate)
    }

    fn schedule(&mut self, mut job: Job) {
        self.order += 1;
        job.order = self.order;
        if self.scheduler.is_none() {
            self.scheduler = Scheduler::start(self.failed.clone());
        }
        match &self.scheduler {
            Some(s) => s.push(job),
            // No thread for the scheduler: send now rather than never.
            None => perform(&job, &self.failed),
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        // A held datagram has nothing left to wait for: it goes now (if its
        // socket is still open), as the network would deliver it eventually.
        if let Some(h) = self.held.take()
            && !h.claim.swap(true, Ordering::AcqRel)
        {
            let job = Job {
                due: Instant::now(),
                order: 0,
                socket: h.socket,
                bytes: h.bytes,
                to: h.to,
                copies: h.copies,
                claim: None,
            };
            perform(&job, &self.failed);
        }
    }
}

mod scheduler;
pub use scheduler::SCHEDULER_THREAD;
use scheduler::{Job, Scheduler, perform};

#[cfg(test)]
mod tests;
