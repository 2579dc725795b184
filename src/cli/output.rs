//! The CLI server's stdout, and what it does on SIGINT/SIGTERM/SIGHUP.
//!
//! A terminal sees every line at once, as before. Into a pipe or a file the
//! lines are buffered: one `write` per 64 KiB instead of one per message, so
//! printing every message costs the server almost nothing. Buffered lines go
//! out at most [`FLUSH_WITHIN`] after the first of them was printed (so a
//! reader sees them soon after traffic pauses), when the server ends, and
//! when a signal ends it: the signal stops the server, the lines still
//! queued are printed and flushed, then the process ends by that same signal
//! (as a shell expects of a program it interrupted; within 3 s even when a
//! stalled reader keeps the flush from finishing).

use std::io::{BufWriter, IsTerminal as _, Stdout, Write as _};
use std::time::{Duration, Instant};

/// A buffered line waits at most this long before it is written out.
pub const FLUSH_WITHIN: Duration = Duration::from_millis(50);
/// The buffer: 64 KiB, about 1 800 "Message from client" lines per write.
const CAPACITY: usize = 64 * 1024;

/// Stdout or stderr was closed (`| head -3`, a closed terminal), or a write
/// failed otherwise: nothing more can be shown, so the CLI stops printing
/// and ends quietly instead of panicking as `println!` does.
#[derive(Clone, Copy, Debug)]
pub struct Gone;

/// The server's stdout (its socket thread prints, the main thread flushes).
pub struct Lines {
    out: BufWriter<Stdout>,
    /// Each line is written out at once (a terminal, or signals cannot be
    /// caught to flush before the end).
    immediate: bool,
    /// When the oldest line not yet written out was printed.
    since: Option<Instant>,
}

impl Lines {
    /// Buffers only when stdout is not a terminal and `signals_caught` (a
    /// signal would otherwise end the process with lines still buffered).
    pub fn stdout(signals_caught: bool) -> Self {
        let stdout = std::io::stdout();
        let immediate = stdout.is_terminal() || !signals_caught;
        Self {
            out: BufWriter::with_capacity(CAPACITY, stdout),
            immediate,
            since: None,
        }
    }

    pub fn line(&mut self, line: std::fmt::Arguments<'_>) -> Result<(), Gone> {
        writeln!(self.out, "{line}").map_err(|_| Gone)?;
        self.written()
    }

    /// `prefix` and `text` as one line, written as they are (the flood's
    /// line: no formatting machinery per message).
    pub fn message(&mut self, prefix: &str, text: &str) -> Result<(), Gone> {
        self.out
            .write_all(prefix.as_bytes())
            .and_then(|()| self.out.write_all(text.as_bytes()))
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(|_| Gone)?;
        self.written()
    }

    /// After a line: out at once (a terminal), or buffered from now.
    fn written(&mut self) -> Result<(), Gone> {
        if self.immediate {
            self.flush()
        } else {
            self.since.get_or_insert_with(Instant::now);
            Ok(())
        }
    }

    /// Lines are waiting to be written out.
    pub fn is_buffered(&self) -> bool {
        self.since.is_some()
    }

    /// Writes out every buffered line.
    pub fn flush(&mut self) -> Result<(), Gone> {
        self.since = None;
        self.out.flush().map_err(|_| Gone)
    }

    /// How long the oldest buffered line may still wait (None: nothing is
    /// buffered; zero: it is due).
    pub fn due_in(&self) -> Option<Duration> {
        self.since.map(|t| FLUSH_WITHIN.saturating_sub(t.elapsed()))
    }

    /// Flushes when the oldest buffered line has waited long enough.
    pub fn flush_if_due(&mut self) -> Result<(), Gone> {
        match self.due_in() {
            Some(left) if left.is_zero() => self.flush(),
            _ => Ok(()),
        }
    }

    /// Flushes first when something is buffered, so a note on stderr comes
    /// after the line it is about (`2>&1`).
    pub fn before_stderr(&mut self) -> Result<(), Gone> {
        if self.since.is_some() {
            self.flush()
        } else {
            Ok(())
        }
    }
}

/// Catching SIGINT, SIGTERM and SIGHUP: blocked in every thread, taken by
/// one thread with `sigwait` (so no code runs inside a signal handler).
#[cfg(target_os = "linux")]
// unsafe: sigaction, pthread_sigmask, sigwait and raise have no std wrapper.
#[allow(unsafe_code)]
pub mod signals {
    use std::sync::atomic::{AtomicI32, Ordering};

    /// After a signal, the process ends within this time however the
    /// flush goes.
    const GRACE: std::time::Duration = std::time::Duration::from_secs(3);

    /// The first signal caught (0: none).
    static CAUGHT: AtomicI32 = AtomicI32::new(0);

    const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

    /// Call before any other thread starts (they inherit the blocked mask).
    /// A signal the parent set to be ignored (`nohup`, `cmd &` in a script)
    /// stays ignored. On a signal `stop` runs on the signal thread. False
    /// when nothing is caught.
    pub fn catch(stop: impl FnOnce() + Send + 'static) -> bool {
        // SAFETY: sigset_t and sigaction are plain C structs; all-zero bytes
        // are valid for both and every call gets pointers to live values.
        let set = unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for sig in SIGNALS {
                let mut old: libc::sigaction = std::mem::zeroed();
                let ignored = libc::sigaction(sig, std::ptr::null(), &mut old) == 0
                    && old.sa_sigaction == libc::SIG_IGN;
                if !ignored {
                    libc::sigaddset(&mut set, sig);
                }
            }
            set
        };
        let any = SIGNALS
            .iter()
            // SAFETY: `set` was initialised above.
            .any(|&sig| unsafe { libc::sigismember(&set, sig) } == 1);
        // SAFETY: as above; blocks them in this thread and those it starts.
        if !any
            || unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) } != 0
        {
            return false;
        }
        let waiter = std::thread::Builder::new()
            .name("udp-lab-signals".into())
            .spawn(move || {
                let mut sig: libc::c_int = 0;
                // SAFETY: `set` is a valid signal set, `sig` a live int.
                if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
                    return;
                }
                CAUGHT.store(sig, Ordering::Release);
                stop();
                // More signals are not taken: `timeout` and process-group
                // kills send the same one twice. Should the end not come
                // (a reader that stopped reading blocks the flush), the
                // signal ends the process anyway, with lines lost.
                std::thread::sleep(GRACE);
                die_by(sig);
            });
        if waiter.is_err() {
            // SAFETY: undoes the block above.
            unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
            return false;
        }
        true
    }

    /// After the output is flushed: the caught signal ends the process as
    /// it would have without being caught. Returns when none was caught.
    pub fn end_if_caught() {
        let sig = CAUGHT.load(Ordering::Acquire);
        if sig != 0 {
            die_by(sig);
        }
    }

    fn die_by(sig: libc::c_int) -> ! {
        // SAFETY: plain calls with valid arguments; with the default action
        // restored and the signal unblocked here, raise() ends the process.
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, sig);
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::raise(sig);
        }
        // Not reached; should the signal not end the process, still end.
        std::process::exit(128 + sig);
    }
}

/// Elsewhere nothing is caught, and every line is written out at once.
#[cfg(not(target_os = "linux"))]
pub mod signals {
    pub fn catch(_stop: impl FnOnce() + Send + 'static) -> bool {
        false
    }

    pub fn end_if_caught() {}
}
