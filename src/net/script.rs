//! Running a student's Python script under the tracer: finding Python,
//! starting it in its own process group with the tracer and a per-run
//! token, feeding its stdin, and stopping it with everything it started.
//! What it does comes back as [`ScriptEvent`]s from the collector.

use std::fmt;
use std::io::Write as _;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use super::trace::{LineError, Report};
use super::{EventSink, NetEvent};

/// The tracer, carried inside the binary and written out for each run.
pub const TRACER_SOURCE: &str = include_str!("../../assets/tracer/udplab_trace.py");
const TRACER_FILE: &str = "udplab_trace.py";
/// Stop sends Ctrl-C first; a script still running this long after it is
/// killed.
pub const STOP_GRACE: Duration = Duration::from_secs(1);

/// What to run.
#[derive(Clone, Debug, Default)]
pub struct ScriptRequest {
    pub script: PathBuf,
    /// The script's own arguments (its `sys.argv[1:]`).
    pub args: Vec<String>,
    /// The interpreter chosen by the user; None: look on PATH.
    pub python: Option<PathBuf>,
    /// Its working folder; None: ours.
    pub cwd: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Stream {
    Stdout,
    Stderr,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ScriptEvent {
    /// Which run (several scripts can run at once).
    pub run: u64,
    pub at: SystemTime,
    pub kind: ScriptEventKind,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum ScriptEventKind {
    /// The interpreter started: its process id (and group) and the script.
    Started {
        pid: u32,
        script: PathBuf,
        /// The script's text as it ran: None from the tracer (the session
        /// reads the file then); a saved session's log carries it, so a
        /// reopened lesson shows the source even if the file changed since.
        #[serde(default)]
        source: Option<String>,
    },
    /// A line from the tracer (boxed: a call is far larger than the rest).
    Report(Box<Report>),
    /// Output: one line (without its newline), or the start of one the
    /// script has not ended (a prompt) when `newline` is false.
    Output {
        stream: Stream,
        text: String,
        newline: bool,
    },
    /// The process ended: its exit code, or the signal that ended it.
    Exited {
        code: Option<i32>,
        signal: Option<i32>,
        /// Ended by Stop (Ctrl-C first, see [`ScriptHandle::stop`]).
        stopped: bool,
        /// Stop sent it Ctrl-C (SIGINT).
        interrupted: bool,
        /// Stop killed it: at once, or after Ctrl-C did not end it within
        /// [`STOP_GRACE`].
        killed: bool,
    },
}

/// Why a script could not start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptError {
    /// No python3, python (or py -3 on Windows) on PATH.
    PythonNotFound,
    /// The interpreter the user chose does not run.
    Interpreter {
        path: PathBuf,
        message: String,
    },
    ScriptMissing {
        path: PathBuf,
    },
    Io {
        what: &'static str,
        message: String,
    },
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptError::PythonNotFound => write!(
                f,
                "Python was not found: install it or choose the interpreter in Settings (udp-lab trace --python PATH)"
            ),
            ScriptError::Interpreter { path, message } => write!(
                f,
                "The interpreter {} does not run ({message}): choose another one",
                path.display()
            ),
            ScriptError::ScriptMissing { path } => {
                write!(f, "There is no script {}: check the path", path.display())
            }
            ScriptError::Io { what, message } => write!(f, "Cannot {what}: {message}"),
        }
    }
}

impl std::error::Error for ScriptError {}

/// 128 random bits as hex: only the tracer we started knows it.
fn new_token() -> String {
    let mut bytes = [0u8; 16];
    let from_os = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
    if from_os.is_err() {
        // No /dev/urandom (Windows): the standard library's random hash keys.
        use std::hash::{BuildHasher as _, Hasher as _};
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            h.write_u128(
                SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            chunk.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A folder only this user can read, holding the tracer; removed when
/// dropped.
pub(super) struct TracerDir(PathBuf);

impl TracerDir {
    fn create(run: u64, token: &str) -> Result<Self, ScriptError> {
        let io = |e: std::io::Error| ScriptError::Io {
            what: "write the tracer to the temp folder",
            message: e.to_string(),
        };
        let dir = std::env::temp_dir().join(format!(
            "udp-lab-trace-{}-{run}-{}",
            std::process::id(),
            &token[..8]
        ));
        // Only Unix sets a mode on it.
        #[cfg_attr(not(unix), allow(unused_mut))]
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir).map_err(io)?;
        let made = Self(dir);
        std::fs::write(made.0.join(TRACER_FILE), TRACER_SOURCE).map_err(io)?;
        Ok(made)
    }
}

impl Drop for TracerDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What the handle and the collector share.
pub(super) struct Shared {
    pub child: Mutex<Child>,
    /// Holds the script and what it starts; closing it kills them all.
    #[cfg(windows)]
    pub job: Option<windows::Job>,
    /// The process was waited for: its pid may belong to someone else now.
    pub reaped: AtomicBool,
    pub stopped: AtomicBool,
    /// When Stop sent Ctrl-C: the collector kills the script once
    /// [`STOP_GRACE`] has passed.
    pub stop_at: Mutex<Option<Instant>>,
    /// Stop sent it Ctrl-C.
    pub interrupted: AtomicBool,
    /// Stop had to kill it.
    pub killed: AtomicBool,
    /// Lines refused: without the token, too long, not UTF-8, not JSON.
    pub refused: AtomicU64,
    /// Connections closed for a first line without the token.
    pub strangers: AtomicU64,
}

impl Shared {
    pub fn child(&self) -> std::sync::MutexGuard<'_, Child> {
        self.child.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn refuse(&self, _why: LineError) {
        self.refused.fetch_add(1, Ordering::Relaxed);
    }

    /// Called by the collector on each turn: a script Stop interrupted
    /// that has not ended within [`STOP_GRACE`] is killed.
    pub fn kill_if_overdue(&self) {
        let due = self
            .stop_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|at| at.elapsed() >= STOP_GRACE);
        if due && !self.reaped.load(Ordering::Acquire) && !self.killed.swap(true, Ordering::AcqRel)
        {
            kill_group(self);
        }
    }
}

/// A running script. Dropping it stops the script.
pub struct ScriptHandle {
    pub run: u64,
    pub pid: u32,
    collector: SocketAddr,
    stdin: Mutex<Option<ChildStdin>>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

static NEXT_RUN: AtomicU64 = AtomicU64::new(1);

/// Starts `request.script` under the tracer. Its events (Started first,
/// Exited last) arrive over `sink` as [`NetEvent::Script`].
pub fn spawn_script(
    request: ScriptRequest,
    sink: EventSink<NetEvent>,
) -> Result<ScriptHandle, ScriptError> {
    if !request.script.is_file() {
        return Err(ScriptError::ScriptMissing {
            path: request.script,
        });
    }
    let python = find_python(request.python.as_deref())?;
    // Started in another folder, a relative path would be looked up there.
    let script = match &request.cwd {
        Some(_) => std::path::absolute(&request.script).unwrap_or(request.script.clone()),
        None => request.script.clone(),
    };
    let run = NEXT_RUN.fetch_add(1, Ordering::Relaxed);
    let token = new_token();
    let dir = TracerDir::create(run, &token)?;
    let io = |what: &'static str| {
        move |e: std::io::Error| ScriptError::Io {
            what,
            message: e.to_string(),
        }
    };
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io("listen for the tracer"))?;
    let collector = listener.local_addr().map_err(io("listen for the tracer"))?;
    let mut command = Command::new(&python.program);
    command
        .args(&python.pre_args)
        // Unbuffered: each print reaches the console when it is made.
        .arg("-u")
        .arg(dir.0.join(TRACER_FILE))
        .arg(&script)
        .args(&request.args)
        .env("PYTHONIOENCODING", "utf-8")
        .env("UDPLAB_TRACE_PORT", collector.port().to_string())
        .env("UDPLAB_TRACE_TOKEN", &token)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(cwd) = &request.cwd {
        command.current_dir(cwd);
    }
    // Its own process group, so Stop ends whatever it started too.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    #[cfg(target_os = "linux")]
    linux_child_setup(&mut command);
    #[cfg(windows)]
    windows::windows_child_setup(&mut command);
    let mut child = command.spawn().map_err(|e| ScriptError::Interpreter {
        path: python.program.clone(),
        message: e.to_string(),
    })?;
    let pid = child.id();
    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    // Python may start children before this; none start before its
    // interpreter has read the script, long after.
    #[cfg(windows)]
    let job = windows::Job::containing(&child);
    let shared = Arc::new(Shared {
        #[cfg(windows)]
        job,
        child: Mutex::new(child),
        reaped: AtomicBool::new(false),
        stopped: AtomicBool::new(false),
        stop_at: Mutex::new(None),
        interrupted: AtomicBool::new(false),
        killed: AtomicBool::new(false),
        refused: AtomicU64::new(0),
        strangers: AtomicU64::new(0),
    });
    sink.send_always(NetEvent::Script(ScriptEvent {
        run,
        at: SystemTime::now(),
        kind: ScriptEventKind::Started {
            pid,
            script,
            source: None,
        },
    }));
    let worker = collector::Collector {
        run,
        token,
        listener,
        stdout,
        stderr,
        shared: shared.clone(),
        sink,
        _dir: dir,
    };
    let thread = std::thread::Builder::new()
        .name("udp-lab-collector".into())
        .spawn(move || worker.run());
    let thread = match thread {
        Ok(t) => t,
        Err(e) => {
            kill_group(&shared);
            return Err(ScriptError::Io {
                what: "start the collector thread",
                message: e.to_string(),
            });
        }
    };
    Ok(ScriptHandle {
        run,
        pid,
        collector,
        stdin: Mutex::new(stdin),
        shared,
        thread: Some(thread),
    })
}

impl ScriptHandle {
    /// Ends the script and everything it started: Ctrl-C first (Python
    /// prints its KeyboardInterrupt, its `finally` and `atexit` run), killed
    /// when it has not ended within [`STOP_GRACE`] (the collector sees to
    /// it, so this never blocks). Exited follows.
    pub fn stop(&self) {
        // Ended on its own already: nothing to stop, nothing to report.
        if self.shared.reaped.load(Ordering::Acquire) {
            return;
        }
        if self.shared.stopped.swap(true, Ordering::AcqRel) {
            // A second Stop: no more waiting.
            if !self.shared.killed.swap(true, Ordering::AcqRel) {
                kill_group(&self.shared);
            }
            return;
        }
        if interrupt_group(&self.shared) {
            self.shared.interrupted.store(true, Ordering::Release);
            *self
                .shared
                .stop_at
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
        } else {
            self.shared.killed.store(true, Ordering::Release);
            kill_group(&self.shared);
        }
    }

    /// Writes to the script's stdin (a line for `input()`).
    pub fn write_stdin(&self, bytes: &[u8]) -> std::io::Result<()> {
        let mut stdin = self.stdin.lock().unwrap_or_else(PoisonError::into_inner);
        match stdin.as_mut() {
            Some(pipe) => pipe.write_all(bytes).and_then(|()| pipe.flush()),
            None => Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "the script's input is closed",
            )),
        }
    }

    /// Closes the script's stdin: its `input()` sees the end.
    pub fn close_stdin(&self) {
        self.stdin
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// Where the collector listens (tests try to feed it garbage).
    pub fn collector_addr(&self) -> SocketAddr {
        self.collector
    }

    /// Lines refused so far, and connections closed for lacking the token.
    pub fn refused(&self) -> (u64, u64) {
        (
            self.shared.refused.load(Ordering::Relaxed),
            self.shared.strangers.load(Ordering::Relaxed),
        )
    }

    /// Waits until the script has ended and its last events are sent.
    pub fn join(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ScriptHandle {
    fn drop(&mut self) {
        if let Some(t) = self.thread.take() {
            self.stop();
            let _ = t.join();
        }
    }
}

mod collector;
mod python;
pub use python::{Interpreter, find_python};
mod process;
#[cfg(windows)]
mod windows;

use process::exit_parts;
#[cfg(target_os = "linux")]
use process::linux_child_setup;
use process::{interrupt_group, kill_group};
