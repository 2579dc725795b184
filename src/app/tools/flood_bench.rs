//! `UDP_LAB_FLOOD_BENCH=100000 udp-lab`: the real window under a flood. The
//! server starts on 127.0.0.1:0, a thread sends it that many datagrams as
//! fast as it can, and each frame's time as eframe measures it
//! (`frame.info().cpu_usage`: `ui` and painting, without waiting for vsync)
//! is recorded while the flood arrives and for two seconds after, with the
//! incoming list full. The figures go to stdout and the window closes.
//! Nothing of the run is saved to the settings.

use std::net::{SocketAddr, UdpSocket};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::app::{ServerStatus, UdpLabApp};

/// Frames drawn before the flood starts.
const WARM_UP: Duration = Duration::from_millis(500);
/// How long frames are measured after the flood was shown.
const AFTER: Duration = Duration::from_secs(2);
/// Requests the generator keeps unanswered.
const IN_FLIGHT: u64 = 32;
/// Give up when the flood has not been shown by then.
const LIMIT: Duration = Duration::from_secs(120);

pub struct FloodBench {
    count: u64,
    phase: Phase,
    started: Instant,
    /// Frames begun so far, and when the first one had been drawn (the
    /// second began), after launch.
    frames: u64,
    first_drawn: Option<Duration>,
    /// The phase the previous frame was drawn in: eframe reports a frame's
    /// time during the next one.
    last_phase: Option<Measured>,
    during: Vec<f32>,
    after: Vec<f32>,
    generator: Option<JoinHandle<Generated>>,
    generated: Option<Generated>,
    /// The same generator against a bare std loop, run first, same process.
    bare: Option<Generated>,
    /// And again after the window's run: the machine's other load drifts
    /// over seconds, so the window is compared with the two around it.
    bare_after: Option<Generated>,
    /// Per-thread CPU when the flood started (see `cpu_by_role`).
    cpu_at_start: Option<(Instant, CpuByRole)>,
    cpu_share: Option<CpuShare>,
    /// Per-thread CPU when the frames after the flood began.
    cpu_after_start: Option<CpuByRole>,
    /// CPU per frame after the flood (list full, nothing arriving):
    /// (UI thread, GL threads) in ms.
    cpu_per_frame_after: Option<(f64, f64)>,
}

/// CPU seconds so far of the socket worker, the generator, and the rest
/// of the process (the drawing: the UI thread, the GL driver's threads and
/// any other).
#[derive(Clone, Copy, Default)]
struct CpuByRole {
    socket: f64,
    generator: f64,
    /// The bare loop's server thread.
    bare: f64,
    /// The main thread: `logic` (draining events) and `ui`.
    ui: f64,
    /// Mesa's rasterizer threads (llvmpipe-N).
    gl: f64,
    other: f64,
}

/// CPU shares over the flood, in % of one core.
#[derive(Clone, Copy)]
struct CpuShare {
    socket: f64,
    generator: f64,
    ui: f64,
    gl: f64,
    other: f64,
}

#[cfg(target_os = "linux")]
// unsafe: sysconf(_SC_CLK_TCK) has no std wrapper.
#[allow(unsafe_code)]
fn cpu_by_role() -> CpuByRole {
    let mut cpu = CpuByRole::default();
    // SAFETY: a plain libc call.
    let tick = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return cpu;
    };
    let main_task = std::process::id().to_string();
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state …": the fields after the comm's ')'.
        let Some((head, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let comm = head.split_once('(').map_or("", |(_, c)| c);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime are fields 14 and 15; `rest` starts at field 3.
        let secs = fields.get(11..13).map_or(0.0, |f| {
            f.iter().filter_map(|v| v.parse::<f64>().ok()).sum()
        }) / tick;
        match comm {
            "udp-lab-server" => cpu.socket += secs,
            "flood-generator" => cpu.generator += secs,
            "bare-server" => cpu.bare += secs,
            c if c.starts_with("llvmpipe") => cpu.gl += secs,
            // The main thread's task id is the process id.
            _ if task.file_name() == main_task.as_str() => cpu.ui += secs,
            _ => cpu.other += secs,
        }
    }
    cpu
}

#[cfg(not(target_os = "linux"))]
fn cpu_by_role() -> CpuByRole {
    CpuByRole::default()
}

/// The same generator against a bare std `recv_from`/`send_to` loop.
fn bare_loop(count: u64) -> Option<Generated> {
    let server = UdpSocket::bind("127.0.0.1:0").ok()?;
    let addr = server.local_addr().ok()?;
    server
        .set_read_timeout(Some(Duration::from_millis(200)))
        .ok()?;
    let worker = std::thread::Builder::new()
        .name("bare-server".into())
        .spawn(move || {
            let mut buf = [0u8; 1500];
            while let Ok((n, from)) = server.recv_from(&mut buf) {
                let _ = server.send_to(&buf[..n], from);
            }
        })
        .ok()?;
    let start = (Instant::now(), cpu_by_role());
    // On a thread of its own, as against the window: the generator lowers
    // its own thread's priority, which must not be the UI thread's.
    let (mut generated, end) = std::thread::Builder::new()
        .name("flood-generator".into())
        // Read before the thread ends: an ended thread's CPU is not listed.
        .spawn(move || (flood(addr, count), (Instant::now(), cpu_by_role())))
        .ok()?
        .join()
        .ok()?;
    let wall = end.0.duration_since(start.0).as_secs_f64().max(1e-9);
    generated.bare_cpu = Some((
        100.0 * (end.1.bare - start.1.bare) / wall,
        100.0 * (end.1.generator - start.1.generator) / wall,
    ));
    let _ = worker.join();
    Some(generated)
}

#[derive(Clone, Copy, PartialEq)]
enum Measured {
    During,
    After,
}

enum Phase {
    /// Waiting for the server to listen.
    Starting,
    /// The first frames build font atlases and caches: not measured.
    WarmUp(Instant, SocketAddr),
    Flooding,
    /// The flood is shown; frames keep coming until this time.
    After(Instant),
    Done,
}

struct Generated {
    sent: u64,
    took: Duration,
    /// Per-thread CPU when the generator finished.
    cpu_at_end: Option<(Instant, CpuByRole)>,
    /// Against the bare loop: (its server thread, the generator), % of a core.
    bare_cpu: Option<(f64, f64)>,
}

impl FloodBench {
    /// Read once, when the window opens.
    pub fn from_env() -> Option<Self> {
        let count = std::env::var("UDP_LAB_FLOOD_BENCH")
            .ok()?
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&n| n > 0)?;
        Some(Self {
            count,
            phase: Phase::Starting,
            started: Instant::now(),
            frames: 0,
            first_drawn: None,
            last_phase: None,
            during: Vec::new(),
            after: Vec::new(),
            generator: None,
            generated: None,
            bare: None,
            bare_after: None,
            cpu_at_start: None,
            cpu_share: None,
            cpu_after_start: None,
            cpu_per_frame_after: None,
        })
    }
}

/// Called at the start of every frame.
pub fn on_frame(app: &mut UdpLabApp, ctx: &egui::Context, frame: &eframe::Frame) {
    let Some(mut bench) = app.flood.take() else {
        return;
    };
    if let (Some(phase), Some(secs)) = (bench.last_phase, frame.info().cpu_usage) {
        match phase {
            Measured::During => bench.during.push(secs),
            Measured::After => bench.after.push(secs),
        }
    }
    bench.last_phase = None;
    bench.frames += 1;
    if bench.frames == 2 {
        bench.first_drawn = crate::app::LAUNCHED.get().map(Instant::elapsed);
    }
    let timed_out = bench.started.elapsed() > LIMIT;
    match bench.phase {
        Phase::Starting => match app.server.status() {
            ServerStatus::Listening(addr) => {
                // The bare loop first (the window idles meanwhile).
                bench.bare = bare_loop(bench.count);
                bench.phase = Phase::WarmUp(Instant::now() + WARM_UP, addr);
                ctx.request_repaint();
            }
            ServerStatus::Failed(e) => {
                println!("flood benchmark: the server did not start: {e}");
                bench.phase = Phase::Done;
            }
            _ if timed_out => bench.phase = Phase::Done,
            _ => {}
        },
        Phase::WarmUp(until, addr) => {
            if Instant::now() >= until {
                let count = bench.count;
                bench.cpu_at_start = Some((Instant::now(), cpu_by_role()));
                let ctx = ctx.clone();
                bench.generator = std::thread::Builder::new()
                    .name("flood-generator".into())
                    .spawn(move || {
                        let mut generated = flood(addr, count);
                        // The shares are of the flood's own time, not of the
                        // frames that drain it afterwards.
                        generated.cpu_at_end = Some((Instant::now(), cpu_by_role()));
                        // Its end needs a frame to be noticed.
                        ctx.request_repaint();
                        generated
                    })
                    .ok();
                bench.phase = Phase::Flooding;
            }
            ctx.request_repaint();
        }
        Phase::Flooding => {
            bench.last_phase = Some(Measured::During);
            if bench.generator.as_ref().is_some_and(|g| g.is_finished()) {
                bench.generated = bench.generator.take().and_then(|g| g.join().ok());
            }
            // Shown: the generator is done and every datagram the worker
            // read is in the list or counted as dropped.
            let received = app.server.handle.as_ref().map_or(0, |h| h.received());
            let shown = app.server.total + app.events_dropped();
            if (bench.generated.is_some() && shown >= received) || timed_out {
                let end = bench.generated.as_ref().and_then(|g| g.cpu_at_end);
                if let (Some((since, start)), Some((until, now))) = (bench.cpu_at_start, end) {
                    let wall = until.duration_since(since).as_secs_f64().max(1e-9);
                    let share = |now: f64, then: f64| 100.0 * (now - then) / wall;
                    bench.cpu_share = Some(CpuShare {
                        socket: share(now.socket, start.socket),
                        generator: share(now.generator, start.generator),
                        ui: share(now.ui, start.ui),
                        gl: share(now.gl, start.gl),
                        other: share(now.other, start.other),
                    });
                }
                bench.cpu_after_start = Some(cpu_by_role());
                bench.phase = Phase::After(Instant::now() + AFTER);
            }
            // The flood's events bring the frames at the window's own pace
            // (polling here would add frames of its own); the generator
            // wakes the window when it is done, and the last events may
            // arrive a frame later.
            ctx.request_repaint_after(Duration::from_secs(1));
        }
        Phase::After(until) => {
            bench.last_phase = Some(Measured::After);
            if Instant::now() >= until {
                if let Some(start) = bench.cpu_after_start {
                    let now = cpu_by_role();
                    let frames = bench.after.len().max(1) as f64;
                    bench.cpu_per_frame_after = Some((
                        1000.0 * (now.ui - start.ui) / frames,
                        1000.0 * (now.gl - start.gl) / frames,
                    ));
                }
                bench.bare_after = bare_loop(bench.count);
                bench.print(app);
                bench.phase = Phase::Done;
            }
            // Continuous frames only here: the list holds its maximum.
            ctx.request_repaint();
        }
        Phase::Done => {}
    }
    if matches!(bench.phase, Phase::Done) {
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
    app.flood = Some(bench);
}

/// Sends `count` datagrams to `to` as fast as the server answers them,
/// with up to `IN_FLIGHT` unanswered (a window lost to a full socket buffer
/// is sent again after 50 ms), so the whole flood arrives.
fn flood(to: SocketAddr, count: u64) -> Generated {
    // The flood stands in for other machines: it should not take the CPU
    // from the window it measures (nice 19, this thread only).
    #[cfg(target_os = "linux")]
    // unsafe: gettid/setpriority have no std wrapper.
    // SAFETY: plain syscalls on the calling thread.
    #[allow(unsafe_code)]
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
    }
    let start = Instant::now();
    let mut sent = 0;
    let Ok(socket) = UdpSocket::bind("127.0.0.1:0") else {
        return Generated {
            sent,
            took: start.elapsed(),
            cpu_at_end: None,
            bare_cpu: None,
        };
    };
    let _ = socket.set_read_timeout(Some(Duration::from_millis(50)));
    let send = |sent: &mut u64| {
        if *sent < count
            && socket
                .send_to(format!("flood {sent}").as_bytes(), to)
                .is_ok()
        {
            *sent += 1;
        }
    };
    for _ in 0..IN_FLIGHT {
        send(&mut sent);
    }
    let mut buf = [0u8; 1500];
    let mut answered = 0;
    while answered < sent && start.elapsed() < LIMIT {
        match socket.recv_from(&mut buf) {
            Ok(_) => {
                answered += 1;
                send(&mut sent);
            }
            Err(_) => {
                // Lost to a full buffer (or the reply mode is "none").
                answered = sent;
                for _ in 0..IN_FLIGHT {
                    send(&mut sent);
                }
            }
        }
    }
    Generated {
        sent,
        took: start.elapsed(),
        cpu_at_end: None,
        bare_cpu: None,
    }
}

impl FloodBench {
    fn print(&self, app: &UdpLabApp) {
        let received = app.server.handle.as_ref().map_or(0, |h| h.received());
        println!("UDP Lab flood benchmark (the real window, eframe's frame time)");
        if let Some(first) = self.first_drawn {
            println!(
                "  the first frame was drawn {:.0} ms after launch",
                first.as_secs_f64() * 1000.0
            );
        }
        let rate = |g: &Generated| g.sent as f64 / g.took.as_secs_f64().max(1e-9);
        if let Some(g) = &self.generated {
            println!(
                "  {} of {} datagrams sent in {:.2} s from a loopback generator ({} in flight); \
                 the server read {}",
                g.sent,
                self.count,
                g.took.as_secs_f64(),
                IN_FLIGHT,
                received
            );
            if let Some(bare) = &self.bare {
                let after = self.bare_after.as_ref().map_or(rate(bare), rate);
                let reference = (rate(bare) + after) / 2.0;
                println!(
                    "  replies/s: window {:.0}, bare std loop {:.0} before and {after:.0} after \
                     (same generator, same run): {:.2}× the bare loop (their mean)",
                    rate(g),
                    rate(bare),
                    rate(g) / reference.max(1e-9)
                );
                if let Some((server, generator)) = bare.bare_cpu {
                    println!(
                        "  CPU against the bare loop, % of one core: its server thread {server:.0}, \
                         the generator {generator:.0}"
                    );
                }
            }
        }
        if let Some(cpu) = self.cpu_share {
            println!(
                "  CPU during the flood, % of one core: socket thread {:.0}, drawing {:.0} \
                 (UI thread {:.0}, GL threads {:.0}, other {:.0}); the generator {:.0}",
                cpu.socket,
                cpu.ui + cpu.gl + cpu.other,
                cpu.ui,
                cpu.gl,
                cpu.other,
                cpu.generator
            );
        }
        println!(
            "  incoming list: {} rows kept, {} older rows not kept; {} events dropped by the channel",
            app.server.rows.len(),
            app.server.rows_dropped,
            app.events_dropped()
        );
        print_frames("during the flood", &self.during);
        print_frames("after, list full", &self.after);
        if let Some((ui, gl)) = self.cpu_per_frame_after {
            println!(
                "  CPU per frame after the flood: UI thread {ui:.1} ms, GL threads {gl:.1} ms"
            );
        }
        if let Some(rss) = rss_mb() {
            println!("  RSS: {rss:.1} MB");
        }
    }
}

fn print_frames(what: &str, secs: &[f32]) {
    let mut ms: Vec<f32> = secs.iter().map(|s| s * 1000.0).collect();
    ms.sort_by(f32::total_cmp);
    let at = |q: f64| {
        // Nearest rank.
        let rank = ((ms.len() as f64) * q).ceil() as usize;
        ms.get(rank.clamp(1, ms.len().max(1)) - 1)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "  frame time {what} ({} frames): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms.len(),
        at(0.5),
        at(0.99),
        ms.last().copied().unwrap_or(0.0)
    );
}

fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}
