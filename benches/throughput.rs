//! `cargo bench --bench throughput`: how many requests per second UDP Lab's
//! server answers on loopback, next to a bare std `recv_from`/`send_to` loop
//! measured in the same run with the same load generator.
//!
//! UDP Lab's path is the whole of it: the real server worker, the event
//! channel, and the app's state update (incoming list, session, trace) run
//! by a thread that drains events the way the window does — woken by the
//! repaint request, at most one frame per 1/60 s, with the app's time budget.
//!
//! Prints requests/s for each and their ratio (target ≥ 0.9); the server
//! side's CPU time per request (less sensitive to other load on the
//! machine); the wake-ups per event; and the RSS after 1 000 000 datagrams
//! (target < 200 MB).
//!
//! The generator and the server's socket thread are pinned to two different
//! CPUs: left to the scheduler, a loopback exchange costs 2 µs or 20 µs
//! depending on whether the two threads happen to share a CPU, and runs do
//! not compare. Other load on the machine still shows: run it on a quiet one.
//!
//! Then the command-line servers, 32 requests in flight, alternating with
//! the bare loop again: `udp-lab server` (the release binary cargo builds
//! for this bench, `target/release/udp-lab`) printing every "Message from
//! client" line into a pipe (a thread here drains it) and into a file, and
//! the lab handout's Python server doing the same (when `python3` exists;
//! its default buffering, i.e. without PYTHONUNBUFFERED). Each prints its
//! replies/s, the ratio to the bare loop (target ≥ 0.9) and, for UDP Lab's,
//! to Python's printing the same way (target ≥ 1.5), each ratio taken run
//! by run within a round and the median shown; the process's CPU time per
//! request, and lines printed per request answered (1.00: none lost). The
//! CLI server's socket thread (which prints, too) and the Python process
//! are pinned to the server's CPU.
//!
//! `UDP_LAB_BENCH_SECS` sets the length of each run (default 2),
//! `UDP_LAB_BENCH_ROUNDS` the runs of each kind (default 5, median shown),
//! `UDP_LAB_BENCH_ONLY=bare|lab|worker` runs one path of the first table
//! alone (for a profiler), `=cli` the command-line table alone, and
//! `=cli-pipe|cli-file|python-pipe|python-file` one of its servers alone,
//! `=window` the windows alone, `=tcp` the TCP table alone (tcp_echo.rs),
//! `=window-tcp` the TCP server with the window open alone.
//!
//! Last, the real window under a flood: the release binary with
//! `UDP_LAB_FLOOD_BENCH=1000000` (its own generator, the same algorithm,
//! drives a bare loop before and after the window's server), in a window on
//! the display when there is one, else under `xvfb-run`; its report (the
//! ratio to the bare loop, the drawing's CPU share, frame times, RSS, the
//! first frame) is printed as it comes. Then the TCP server with the real
//! window open (`UDP_LAB_TCP_BENCH=3`, src/app/tools/tcp_bench.rs): 1 and 8
//! lock-step connections against a bare std echo loop before and after.

// Bench code: a failed setup step ends the run with its message (the
// crate-wide unwrap/expect lints are for the program, Cargo.toml [lints]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use udp_lab::app::{Command, DRAIN_BUDGET, Lang, ServerStatus, Settings, StartOptions, UdpLabApp};
use udp_lab::net::{self, NetEvent, ServerConfig, ServerEvent, ServerEventKind, ServerSettings};

// TCP (issue 27): UDP Lab's TCP server against a bare std loop.
// In a folder of its own: a file beside this one would be a bench target.
#[path = "throughput/tcp_echo.rs"]
mod tcp_echo;

const REQUEST: &[u8] = b"Hello, server";
const REPLY: &[u8] = b"Hello, client";
/// A display's frame interval: the window drains events at most this often.
const FRAME: Duration = Duration::from_micros(16_667);
const SERVER_THREAD: &str = "udp-lab-server";
const BARE_THREAD: &str = "bare-server";

fn main() {
    let env_num = |name: &str, default: f64| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(default)
    };
    let secs = env_num("UDP_LAB_BENCH_SECS", 2.0);
    let rounds = env_num("UDP_LAB_BENCH_ROUNDS", 5.0) as usize;
    let run_for = Duration::from_secs_f64(secs);
    let only = std::env::var("UDP_LAB_BENCH_ONLY")
        .ok()
        .filter(|s| !s.is_empty());
    let only = only.as_deref();
    let wanted = |path: &str| only.is_none_or(|o| o == path);

    println!(
        "UDP Lab throughput on loopback, {} CPUs ({rounds} runs of {secs} s each, median shown)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<13} {:>11} {:>11} {:>6} {:>13}   server-side CPU µs per request: bare / UDP Lab (worker + UI)",
        "load", "bare std/s", "UDP Lab/s", "ratio", "worker only/s",
    );
    let cli_kinds = CliKind::ALL.map(CliKind::name);
    let only_cli = only.is_some_and(|o| o == "cli" || cli_kinds.contains(&o));
    let only_window = only == Some("window");
    let only_tcp = only == Some("tcp") || only == Some("window-tcp");
    for in_flight in [1, 32]
        .into_iter()
        .filter(|_| !only_cli && !only_window && !only_tcp)
    {
        let (mut bare, mut lab, mut worker) = (Vec::new(), Vec::new(), Vec::new());
        // Alternate, so changes in the machine's other load hit all alike.
        for _ in 0..rounds {
            let load = |addr| generate(addr, in_flight, run_for, u64::MAX);
            if wanted("bare") {
                bare.push(with_bare_server(load));
            }
            if wanted("lab") {
                lab.push(with_lab_server(load).0);
            }
            if wanted("worker") {
                worker.push(with_worker_only(load));
            }
        }
        let rate = |v: &[Run]| median(v.iter().map(Run::rate).collect());
        let cpu = |v: &[Run]| median(v.iter().map(Run::cpu_us_per_request).collect());
        let (b, l, w) = (rate(&bare), rate(&lab), rate(&worker));
        let load = if in_flight == 1 {
            "lock-step".to_owned()
        } else {
            format!("{in_flight} in flight")
        };
        let lab_ui = median(lab.iter().map(|r| r.ui_cpu_us_per_request()).collect());
        println!(
            "{load:<13} {b:>11.0} {l:>11.0} {:>6.2} {w:>13.0}   {:.2} / {:.2} ({:.2} + {:.2})",
            l / b,
            cpu(&bare),
            cpu(&lab),
            cpu(&lab) - lab_ui,
            lab_ui,
        );
    }
    if only.is_none() || only_cli {
        println!();
        cli_servers(run_for, rounds, only.filter(|o| *o != "cli"));
    }
    if only.is_none() || only_window {
        println!();
        window_flood();
    }
    if only.is_none() || only_window || only == Some("window-tcp") {
        println!();
        // Issue 27: the TCP server with the window open, 3 s a load.
        window_run(
            "UDP_LAB_TCP_BENCH",
            "3",
            "The TCP server with the window open",
        );
    }
    if only.is_none() || only == Some("tcp") {
        println!();
        tcp_echo::run(run_for, rounds);
    }
    if only.is_some() {
        return;
    }

    // Memory and wake-ups after a million datagrams through the whole path.
    let million = 1_000_000;
    let (run, report) =
        with_lab_server(|addr| generate(addr, 32, Duration::from_secs(600), million));
    println!();
    println!(
        "1 000 000 datagrams through UDP Lab's server path in {:.1} s ({:.0}/s)",
        run.elapsed.as_secs_f64(),
        run.rate()
    );
    println!(
        "  RSS after: {:.1} MB (VmRSS; target < 200 MB); before the server started: {:.1} MB",
        report.rss_after_mb, report.rss_before_mb
    );
    println!(
        "  wake-ups (repaint requests): {} for {} events, 1 per {:.0} events; frames: {}",
        report.wakeups,
        report.events,
        report.events as f64 / report.wakeups.max(1) as f64,
        report.frames
    );
    println!(
        "  UI thread applying events: {:.2} µs CPU per event",
        run.ui_cpu_us_per_request()
    );
    println!(
        "  incoming list: {} rows kept, {} older rows not kept; {} events dropped by the channel",
        report.rows, report.rows_dropped, report.events_dropped
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// What one load run achieved, and what it cost the server side.
#[derive(Default)]
struct Run {
    answered: u64,
    elapsed: Duration,
    /// CPU time of the server's threads (worker, and the UI thread for UDP Lab).
    server_cpu: Duration,
    /// The UI thread's part of it.
    ui_cpu: Duration,
}

impl Run {
    fn rate(&self) -> f64 {
        self.answered as f64 / self.elapsed.as_secs_f64()
    }
    fn cpu_us_per_request(&self) -> f64 {
        self.server_cpu.as_secs_f64() * 1e6 / self.answered.max(1) as f64
    }
    fn ui_cpu_us_per_request(&self) -> f64 {
        self.ui_cpu.as_secs_f64() * 1e6 / self.answered.max(1) as f64
    }
}

/// The load generator: keeps `in_flight` requests outstanding (1 is
/// lock-step, like the lab's client) until `run_for` passes or `limit`
/// answers came. A window lost to the kernel is sent again after a pause.
fn generate(target: SocketAddr, in_flight: usize, run_for: Duration, limit: u64) -> Run {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind the generator");
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .expect("read timeout");
    // Connected: the cheapest send and receive a UDP client has, so the
    // generator is not what limits the servers measured.
    socket.connect(target).expect("connect the generator");
    let mut buf = [0u8; 2048];
    // Warm up: the first exchanges pay for page faults and thread start.
    for _ in 0..200 {
        socket.send(REQUEST).expect("send");
        let _ = socket.recv(&mut buf);
    }
    let start = Instant::now();
    let mut answered = 0u64;
    for _ in 0..in_flight {
        socket.send(REQUEST).expect("send");
    }
    while answered < limit {
        match socket.recv(&mut buf) {
            Ok(_) => {
                answered += 1;
                // Checking the clock each answer would cost more than the answer.
                if answered.is_multiple_of(256) && start.elapsed() >= run_for {
                    break;
                }
                socket.send(REQUEST).expect("send");
            }
            // The whole window was lost (a full socket buffer): send it again.
            // The pause counts against the server measured.
            Err(_) => {
                if start.elapsed() >= run_for {
                    break;
                }
                for _ in 0..in_flight {
                    socket.send(REQUEST).expect("send");
                }
            }
        }
    }
    Run {
        answered,
        elapsed: start.elapsed(),
        ..Run::default()
    }
}

/// Runs the load on a thread of its own while `serve` runs on this one
/// (draining events, or just waiting) until `done` is set.
fn with_load(
    addr: SocketAddr,
    load: impl FnOnce(SocketAddr) -> Run + Send,
    serve: impl FnOnce(&AtomicBool),
) -> Run {
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let generator = std::thread::Builder::new()
            .name("load-generator".into())
            .spawn_scoped(s, || {
                pin(&placement().generator);
                let run = load(addr);
                done.store(true, Ordering::Release);
                run
            })
            .expect("spawn the generator");
        serve(&done);
        generator.join().expect("generator thread")
    })
}

/// The reference: the lab's server in plain std, on its own thread.
fn with_bare_server(load: impl FnOnce(SocketAddr) -> Run + Send) -> Run {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind the bare server");
    socket
        .set_read_timeout(Some(Duration::from_millis(50)))
        .expect("read timeout");
    let addr = socket.local_addr().expect("local addr");
    let stop = Arc::new(AtomicBool::new(false));
    let stop_worker = stop.clone();
    let worker = on_server_cpu(|| {
        std::thread::Builder::new()
            .name(BARE_THREAD.into())
            .spawn(move || {
                let mut buf = [0u8; 1024];
                while !stop_worker.load(Ordering::Relaxed) {
                    if let Ok((_, from)) = socket.recv_from(&mut buf) {
                        let _ = socket.send_to(REPLY, from);
                    }
                }
            })
    })
    .expect("spawn the bare server");
    let before = thread_cpu(BARE_THREAD);
    let mut run = with_load(addr, load, |done| {
        while !done.load(Ordering::Acquire) {
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    run.server_cpu = thread_cpu(BARE_THREAD).saturating_sub(before);
    stop.store(true, Ordering::Relaxed);
    worker.join().expect("bare server thread");
    run
}

/// The server worker alone, its events taken and thrown away: tells the
/// worker's share of the cost from the app's.
fn with_worker_only(load: impl FnOnce(SocketAddr) -> Run + Send) -> Run {
    let (sink, queue) = net::event_channel::<NetEvent>(65_536, Arc::new(|| {}));
    let config = ServerConfig {
        bind: net::parse_addr("127.0.0.1:0", false).expect("bind address"),
        settings: ServerSettings::default(),
        join: None,
    };
    let handle = on_server_cpu(|| net::spawn_server(config, sink)).expect("spawn the server");
    let addr = loop {
        match queue.recv_timeout(Duration::from_secs(5)) {
            Some(NetEvent::Server(ServerEvent {
                kind: ServerEventKind::Listening { addr },
                ..
            })) => break addr,
            Some(_) => {}
            None => panic!("the server did not start"),
        }
    };
    let before = thread_cpu(SERVER_THREAD);
    let mut run = with_load(addr, load, |done| {
        while !done.load(Ordering::Acquire) {
            std::thread::sleep(FRAME);
            queue.drain(Duration::from_secs(1), drop);
        }
    });
    run.server_cpu = thread_cpu(SERVER_THREAD).saturating_sub(before);
    handle.join();
    run
}

struct LabReport {
    wakeups: u64,
    events: u64,
    frames: u64,
    rows: usize,
    rows_dropped: u64,
    events_dropped: u64,
    rss_before_mb: f64,
    rss_after_mb: f64,
}

/// Wake-ups from the worker threads, as a window's event loop sees them.
#[derive(Default)]
struct Wakes {
    count: AtomicU64,
    pending: Mutex<bool>,
    cv: Condvar,
}

impl Wakes {
    fn wake(&self) {
        if let Ok(mut p) = self.pending.lock() {
            *p = true;
            self.cv.notify_one();
        }
    }

    /// Sleeps until woken (or `done`), and clears the wake-up.
    fn wait(&self, done: &AtomicBool) {
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        while !*pending && !done.load(Ordering::Acquire) {
            match self.cv.wait_timeout(pending, Duration::from_millis(20)) {
                Ok((p, _)) => pending = p,
                Err(_) => return,
            }
        }
        *pending = false;
    }
}

/// UDP Lab's server started through the app, with this thread draining
/// events into the app's state while the load runs on another.
fn with_lab_server(load: impl FnOnce(SocketAddr) -> Run + Send) -> (Run, LabReport) {
    let ctx = egui::Context::default();
    let wakes = Arc::new(Wakes::default());
    let observer = wakes.clone();
    // Called for every repaint request: each one would wake the window.
    ctx.set_repaint_observer(move |_| {
        observer.count.fetch_add(1, Ordering::Relaxed);
        observer.wake();
    });
    let settings = Settings {
        lang: Some(Lang::En),
        bind: "127.0.0.1:0".into(),
        ..Settings::default()
    };
    let mut app = UdpLabApp::with_settings(&ctx, settings, StartOptions::default());
    let rss_before_mb = rss_mb();
    on_server_cpu(|| app.run(Command::StartServer));
    let deadline = Instant::now() + Duration::from_secs(5);
    let addr = loop {
        app.drain_events(DRAIN_BUDGET);
        if let ServerStatus::Listening(addr) = app.server.status() {
            break addr;
        }
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(1));
    };
    let wakes_before = wakes.count.load(Ordering::Relaxed);
    let worker_before = thread_cpu(SERVER_THREAD);
    let ui_before = own_cpu();
    let mut frames = 0u64;
    let mut run = with_load(addr, load, |done| {
        // The UI thread: sleep until woken, drain with the frame's budget,
        // never more often than a display refreshes.
        let mut last_frame = Instant::now() - FRAME;
        while !done.load(Ordering::Acquire) {
            wakes.wait(done);
            if let Some(wait) = (last_frame + FRAME).checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            last_frame = Instant::now();
            frames += 1;
            if app.drain_events(DRAIN_BUDGET) {
                // Events still waiting: the app asks for another frame.
                wakes.wake();
            }
        }
    });
    // Apply what is still queued, so the counts below are complete.
    while app.drain_events(DRAIN_BUDGET) {}
    run.ui_cpu = own_cpu().saturating_sub(ui_before);
    run.server_cpu = thread_cpu(SERVER_THREAD).saturating_sub(worker_before) + run.ui_cpu;
    let report = LabReport {
        wakeups: wakes.count.load(Ordering::Relaxed) - wakes_before,
        events: app.server.total,
        frames,
        rows: app.server.rows.len(),
        rows_dropped: app.server.rows_dropped,
        events_dropped: app.events_dropped(),
        rss_before_mb,
        rss_after_mb: rss_mb(),
    };
    app.run(Command::StopServer);
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.server.status() != ServerStatus::Stopped && Instant::now() < deadline {
        app.drain_events(DRAIN_BUDGET);
        std::thread::sleep(Duration::from_millis(1));
    }
    (run, report)
}

/// The CPUs this process may use, as the kernel lists them.
// unsafe: sched_getaffinity has no std wrapper.
#[allow(unsafe_code)]
fn allowed_cpus() -> Vec<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: a zeroed cpu_set_t is valid and the size is its own.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        let ok =
            unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) }
                == 0;
        if ok {
            return (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
                .collect();
        }
    }
    Vec::new()
}

/// Keeps the calling thread (and threads it starts from now on) on these
/// CPUs. A placement the scheduler picks anew each run makes a loopback
/// exchange cost anything from 2 to 20 µs; fixed, runs compare.
// unsafe: sched_setaffinity has no std wrapper.
#[allow(unsafe_code)]
fn pin(cpus: &[usize]) {
    #[cfg(target_os = "linux")]
    if !cpus.is_empty() {
        // SAFETY: as above; CPU_SET only writes inside the set.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        for &c in cpus {
            unsafe { libc::CPU_SET(c, &mut set) };
        }
        unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cpus;
}

/// Where each side runs: the generator on one CPU, the server's socket
/// thread on another (bare or UDP Lab's alike), the UI thread wherever the
/// scheduler puts it, as a window's thread would be. One CPU: no pinning.
struct Placement {
    all: Vec<usize>,
    generator: Vec<usize>,
    server: Vec<usize>,
}

impl Placement {
    fn new() -> Self {
        let all = allowed_cpus();
        match all.as_slice() {
            [g, s, ..] => Self {
                generator: vec![*g],
                server: vec![*s],
                all,
            },
            _ => Self {
                generator: Vec::new(),
                server: Vec::new(),
                all,
            },
        }
    }
}

static PLACEMENT: std::sync::OnceLock<Placement> = std::sync::OnceLock::new();

fn placement() -> &'static Placement {
    PLACEMENT.get_or_init(Placement::new)
}

/// Starts a server thread through `spawn` on the server's CPU; the calling
/// thread goes back to all CPUs afterwards.
fn on_server_cpu<T>(spawn: impl FnOnce() -> T) -> T {
    pin(&placement().server);
    let t = spawn();
    pin(&placement().all);
    t
}

/// CPU time of this process's threads called `name` (Linux: schedstat, in
/// nanoseconds; zero elsewhere).
fn thread_cpu(name: &str) -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    tasks
        .flatten()
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim_end() == name)
        })
        .map(|t| schedstat(&t.path().join("schedstat")))
        .sum()
}

/// CPU time of the calling thread.
fn own_cpu() -> Duration {
    schedstat(std::path::Path::new("/proc/thread-self/schedstat"))
}

fn schedstat(path: &std::path::Path) -> Duration {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

/// Resident memory from /proc/self/status (0 where there is none).
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The command-line servers measured against the bare loop and each other.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CliKind {
    UdpLabPipe,
    UdpLabFile,
    PythonPipe,
    PythonFile,
}

impl CliKind {
    const ALL: [CliKind; 4] = [
        CliKind::UdpLabPipe,
        CliKind::UdpLabFile,
        CliKind::PythonPipe,
        CliKind::PythonFile,
    ];

    fn name(self) -> &'static str {
        match self {
            CliKind::UdpLabPipe => "cli-pipe",
            CliKind::UdpLabFile => "cli-file",
            CliKind::PythonPipe => "python-pipe",
            CliKind::PythonFile => "python-file",
        }
    }

    fn label(self) -> &'static str {
        match self {
            CliKind::UdpLabPipe => "udp-lab server > pipe",
            CliKind::UdpLabFile => "udp-lab server > file",
            CliKind::PythonPipe => "lab's Python server > pipe",
            CliKind::PythonFile => "lab's Python server > file",
        }
    }

    fn python(self) -> bool {
        matches!(self, CliKind::PythonPipe | CliKind::PythonFile)
    }

    fn to_file(self) -> bool {
        matches!(self, CliKind::UdpLabFile | CliKind::PythonFile)
    }
}

/// The handout's server as printed there, but on any free port, which its
/// first line says (flushed, so the bench can read it; every other line is
/// printed as the handout prints it).
const PYTHON_SERVER: &str = r#"import socket


def main():
    server_ip = "127.0.0.1"
    server_port = 0

    server_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server_socket.bind((server_ip, server_port))
    server_port = server_socket.getsockname()[1]

    print("Server is listening on", server_ip, "port", server_port, flush=True)

    while True:
        message, client_address = server_socket.recvfrom(1024)
        print("Message from client:", message.decode())

        response = "Hello, client"
        server_socket.sendto(response.encode(), client_address)


if __name__ == "__main__":
    main()
"#;

/// A CLI run: the load's figures and the lines the server printed.
struct CliRun {
    run: Run,
    /// Lines printed per request answered, warm-up included (1.00: none lost).
    lines_per_answer: f64,
}

fn cli_servers(run_for: Duration, rounds: usize, only: Option<&str>) {
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let dir = std::env::temp_dir().join(format!("udp-lab-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let script = dir.join("server.py");
    std::fs::write(&script, PYTHON_SERVER).expect("write the Python server");
    let kinds: Vec<CliKind> = CliKind::ALL
        .into_iter()
        .filter(|k| only.is_none_or(|o| o == k.name()))
        .filter(|k| python || !k.python())
        .collect();
    let with_bare = only.is_none();
    println!(
        "Command-line servers, 32 in flight, printing every message ({rounds} runs of {} s, median; bare loop alternated with them){}",
        run_for.as_secs_f64(),
        if python { "" } else { "; no python3 here" }
    );
    let mut bare = Vec::new();
    let mut runs: Vec<Vec<CliRun>> = kinds.iter().map(|_| Vec::new()).collect();
    let load = |addr| generate(addr, 32, run_for, u64::MAX);
    for _ in 0..rounds {
        if with_bare {
            bare.push(with_bare_server(load));
        }
        for (kind, runs) in kinds.iter().zip(&mut runs) {
            runs.push(with_cli_server(*kind, &script, &dir, load));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let rate = |v: &[CliRun]| median(v.iter().map(|r| r.run.rate()).collect());
    let b = median(bare.iter().map(Run::rate).collect());
    println!(
        "{:<28} {:>10} {:>12} {:>13} {:>16} {:>12}",
        "server", "replies/s", "× bare loop", "× Python", "CPU µs/request", "lines/reply"
    );
    if with_bare {
        println!(
            "{:<28} {b:>10.0} {:>12.2} {:>13} {:>16.2} {:>12}",
            "bare std loop (no printing)",
            1.0,
            "",
            median(bare.iter().map(Run::cpu_us_per_request).collect()),
            ""
        );
    }
    // Ratios are paired by round (each run against the ones next to it in
    // time), then the median: the machine's other load drifts over seconds,
    // and a ratio of two medians taken minutes apart carries that drift.
    let paired =
        |a: &[CliRun], b: &[f64]| median(a.iter().zip(b).map(|(a, b)| a.run.rate() / b).collect());
    let bare_rates: Vec<f64> = bare.iter().map(Run::rate).collect();
    let python_rates = |to_file: bool| {
        kinds
            .iter()
            .zip(&runs)
            .find(|(k, _)| k.python() && k.to_file() == to_file)
            .map(|(_, r)| r.iter().map(|r| r.run.rate()).collect::<Vec<f64>>())
    };
    for (kind, runs) in kinds.iter().zip(&runs) {
        let r = rate(runs);
        let vs_python = match python_rates(kind.to_file()) {
            Some(p) if !kind.python() => format!("{:.2}", paired(runs, &p)),
            _ => String::new(),
        };
        println!(
            "{:<28} {r:>10.0} {:>12} {vs_python:>13} {:>16.2} {:>12.2}",
            kind.label(),
            if with_bare {
                format!("{:.2}", paired(runs, &bare_rates))
            } else {
                String::new()
            },
            median(runs.iter().map(|r| r.run.cpu_us_per_request()).collect()),
            median(runs.iter().map(|r| r.lines_per_answer).collect()),
        );
    }
    println!(
        "targets: udp-lab server ≥ 0.90 × the bare loop and ≥ 1.50 × Python, into a pipe and into a file"
    );
}

/// Starts one command-line server, waits for its first line, drives it with
/// `load`, then ends it (SIGTERM for UDP Lab's, which flushes first).
fn with_cli_server(
    kind: CliKind,
    script: &std::path::Path,
    dir: &std::path::Path,
    load: impl FnOnce(SocketAddr) -> Run + Send,
) -> CliRun {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};

    let mut command = if kind.python() {
        let mut c = Command::new("python3");
        c.arg(script).env_remove("PYTHONUNBUFFERED");
        c
    } else {
        let mut c = Command::new(env!("CARGO_BIN_EXE_udp-lab"));
        c.args(["server", "--bind", "127.0.0.1:0"]);
        c
    };
    let out_path = dir.join(format!("{}.txt", kind.name()));
    if kind.to_file() {
        command.stdout(std::fs::File::create(&out_path).expect("the output file"));
    } else {
        command.stdout(Stdio::piped());
    }
    let mut child = command
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the server");
    let pid = child.id();
    // The first line, and then (pipe) a thread that reads all the rest.
    let (first, reader) = if let Some(stdout) = child.stdout.take() {
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        stdout.read_line(&mut line).expect("the first line");
        let reader = std::thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 16];
            let mut lines = 0u64;
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            }
            lines
        });
        (line, Some(reader))
    } else {
        let deadline = Instant::now() + Duration::from_secs(10);
        let line = loop {
            let text = std::fs::read_to_string(&out_path).unwrap_or_default();
            if let Some((line, _)) = text.split_once('\n') {
                break line.to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no first line from {}",
                kind.name()
            );
            std::thread::sleep(Duration::from_millis(5));
        };
        (line, None)
    };
    let port: u16 = first
        .trim()
        .rsplit(' ')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    // The socket thread on the server's CPU: UDP Lab's by its name, Python's
    // whole process (it has one thread).
    let socket_thread = if kind.python() {
        Some(pid)
    } else {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(tid) = task_named(pid, SERVER_THREAD) {
                break Some(tid);
            }
            if Instant::now() > deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    if let Some(tid) = socket_thread {
        pin_task(tid, &placement().server);
    }
    let before = process_cpu(pid);
    let mut run = with_load(SocketAddr::from(([127, 0, 0, 1], port)), load, |done| {
        while !done.load(Ordering::Acquire) {
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    run.server_cpu = process_cpu(pid).saturating_sub(before);
    if kind.python() {
        let _ = child.kill();
    } else {
        // unsafe: SIGTERM (not Child::kill's SIGKILL) has no std wrapper.
        // SAFETY: a plain kill(2) of our own child.
        #[cfg(target_os = "linux")]
        #[allow(unsafe_code)]
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGTERM);
        }
        #[cfg(not(target_os = "linux"))]
        let _ = child.kill();
    }
    let _ = child.wait();
    let lines = match reader {
        Some(reader) => reader.join().unwrap_or(0),
        None => std::fs::read(&out_path)
            .map(|b| b.iter().filter(|&&c| c == b'\n').count() as u64)
            .unwrap_or(0)
            .saturating_sub(1),
    };
    // The warm-up's 200 are answered and printed too.
    let lines_per_answer = lines as f64 / (run.answered + 200).max(1) as f64;
    CliRun {
        run,
        lines_per_answer,
    }
}

/// The thread of process `pid` called `name`.
fn task_named(pid: u32, name: &str) -> Option<u32> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .ok()?
        .flatten()
        .find(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim_end() == name)
        })
        .and_then(|t| t.file_name().to_str()?.parse().ok())
}

/// CPU time of every thread of process `pid` (Linux; zero elsewhere).
fn process_cpu(pid: u32) -> Duration {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Duration::ZERO;
    };
    tasks
        .flatten()
        .map(|t| schedstat(&t.path().join("schedstat")))
        .sum()
}

/// Keeps thread `tid` (of any process of ours) on these CPUs.
// unsafe: sched_setaffinity has no std wrapper.
#[allow(unsafe_code)]
fn pin_task(tid: u32, cpus: &[usize]) {
    #[cfg(target_os = "linux")]
    if !cpus.is_empty() {
        // SAFETY: as in `pin`.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        for &c in cpus {
            unsafe { libc::CPU_SET(c, &mut set) };
        }
        unsafe {
            libc::sched_setaffinity(
                tid as libc::pid_t,
                std::mem::size_of::<libc::cpu_set_t>(),
                &set,
            )
        };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (tid, cpus);
}

/// The real window under a flood (see the top of this file); says why when
/// it cannot run.
fn window_flood() {
    window_run("UDP_LAB_FLOOD_BENCH", "1000000", "The window under a flood");
}

/// The release binary in a window with `var=value`: it prints its figures
/// and closes.
fn window_run(var: &str, value: &str, what: &str) {
    use std::process::Command;
    let exe = env!("CARGO_BIN_EXE_udp-lab");
    let display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
    let xvfb = Command::new("xvfb-run").arg("--help").output().is_ok();
    let mut command = if display {
        Command::new(exe)
    } else if xvfb {
        let mut c = Command::new("xvfb-run");
        c.args(["-a", "-s", "-screen 0 1280x800x24", exe]);
        c
    } else {
        println!("{what}: skipped (no display, and no xvfb-run to make one)");
        return;
    };
    // Its own settings folder: saved settings (a language, a smaller
    // window) would change what is measured.
    let data = std::env::temp_dir().join(format!("udp-lab-bench-window-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    command
        .env(var, value)
        .env("XDG_DATA_HOME", &data)
        .env("XDG_CONFIG_HOME", &data);
    match command.output() {
        Ok(out) if out.status.success() && !out.stdout.is_empty() => {
            print!("{}", String::from_utf8_lossy(&out.stdout));
        }
        Ok(out) => println!(
            "{what} did not report ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => println!("{what} could not start: {e}"),
    }
    let _ = std::fs::remove_dir_all(&data);
}
