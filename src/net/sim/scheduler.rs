//! The scheduler thread: sends that must wait (delay, jitter, reordering)
//! sit in a binary heap of due times until it sends them.

use super::*;

/// One send the scheduler makes when `due` comes.
pub(super) struct Job {
    pub(super) due: Instant,
    pub(super) order: u64,
    /// Weak: a stopped server or finished client closes its socket (and
    /// frees its port) at once; what was still pending is then lost.
    pub(super) socket: Weak<Socket>,
    pub(super) bytes: Arc<[u8]>,
    pub(super) to: SocketAddr,
    pub(super) copies: u8,
    /// For a reordered datagram: set by whoever sends it first (the next
    /// send that overtakes it, or the scheduler when the hold runs out).
    pub(super) claim: Option<Arc<AtomicBool>>,
}

impl PartialEq for Job {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == CmpOrdering::Equal
    }
}

impl Eq for Job {}

impl PartialOrd for Job {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}

impl Ord for Job {
    /// Reversed: `BinaryHeap` is a max-heap and the earliest job comes first.
    fn cmp(&self, other: &Self) -> CmpOrdering {
        (other.due, other.order).cmp(&(self.due, self.order))
    }
}

pub(super) fn perform(job: &Job, failed: &AtomicU64) {
    if let Some(claim) = &job.claim
        && claim.swap(true, Ordering::AcqRel)
    {
        return; // The overtaking send already took it.
    }
    let Some(socket) = job.socket.upgrade() else {
        failed.fetch_add(u64::from(job.copies), Ordering::Relaxed);
        return;
    };
    for _ in 0..job.copies {
        if sock::send_to(&socket, &job.bytes, job.to).is_err() {
            failed.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[derive(Default)]
pub(super) struct Queue {
    jobs: BinaryHeap<Job>,
    /// The simulator is gone: finish what is pending, then end.
    closed: bool,
}

pub(super) struct SchedShared {
    queue: Mutex<Queue>,
    wake: Condvar,
}

/// The simulator's side of the scheduler thread. Dropping it lets the
/// thread end once nothing is pending (or every pending socket is closed).
pub(super) struct Scheduler {
    shared: Arc<SchedShared>,
}

/// Threads name themselves this, so tests can see that they end.
pub const SCHEDULER_THREAD: &str = "udp-lab-sim";

impl Scheduler {
    pub(super) fn start(failed: Arc<AtomicU64>) -> Option<Self> {
        let shared = Arc::new(SchedShared {
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
        });
        let worker = shared.clone();
        std::thread::Builder::new()
            .name(SCHEDULER_THREAD.into())
            .spawn(move || run_scheduler(&worker, &failed))
            .ok()?;
        Some(Self { shared })
    }

    pub(super) fn push(&self, job: Job) {
        lock(&self.shared.queue).jobs.push(job);
        self.shared.wake.notify_one();
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        lock(&self.shared.queue).closed = true;
        self.shared.wake.notify_one();
    }
}

pub(super) fn lock(m: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    // A panic while holding the lock leaves a consistent heap: carry on.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(super) fn run_scheduler(shared: &SchedShared, failed: &AtomicU64) {
    let mut queue = lock(&shared.queue);
    loop {
        if queue.closed {
            // Nobody will add more: what can no longer be sent is lost now,
            // not when its time comes, so the thread ends promptly.
            queue.jobs.retain(|j| {
                if j.claim_taken() {
                    return false; // Already sent by the send that overtook it.
                }
                let alive = j.socket.strong_count() > 0;
                if !alive {
                    failed.fetch_add(u64::from(j.copies), Ordering::Relaxed);
                }
                alive
            });
            if queue.jobs.is_empty() {
                return;
            }
        }
        let now = Instant::now();
        match queue.jobs.peek().map(|j| j.due) {
            Some(due) if due <= now => {
                if let Some(job) = queue.jobs.pop() {
                    // Never send while holding the lock: the sender must not wait.
                    drop(queue);
                    perform(&job, failed);
                    queue = lock(&shared.queue);
                }
            }
            Some(due) => {
                queue = shared
                    .wake
                    .wait_timeout(queue, due - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            None => {
                queue = shared
                    .wake
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
    }
}

impl Job {
    pub(super) fn claim_taken(&self) -> bool {
        self.claim
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Acquire))
    }
}
