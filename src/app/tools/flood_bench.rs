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
const IN_FLIGHT: u64 = 64;
/// Give up when the flood has not been shown by then.
const LIMIT: Duration = Duration::from_secs(120);

pub struct FloodBench {
    count: u64,
    phase: Phase,
    started: Instant,
    /// The phase the previous frame was drawn in: eframe reports a frame's
    /// time during the next one.
    last_phase: Option<Measured>,
    during: Vec<f32>,
    after: Vec<f32>,
    generator: Option<JoinHandle<Generated>>,
    generated: Option<Generated>,
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
            last_phase: None,
            during: Vec::new(),
            after: Vec::new(),
            generator: None,
            generated: None,
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
    let timed_out = bench.started.elapsed() > LIMIT;
    match bench.phase {
        Phase::Starting => match app.server.status() {
            ServerStatus::Listening(addr) => {
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
                bench.generator = std::thread::Builder::new()
                    .name("flood-generator".into())
                    .spawn(move || flood(addr, count))
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
                bench.phase = Phase::After(Instant::now() + AFTER);
            }
            ctx.request_repaint();
        }
        Phase::After(until) => {
            bench.last_phase = Some(Measured::After);
            if Instant::now() >= until {
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
    }
}

impl FloodBench {
    fn print(&self, app: &UdpLabApp) {
        let received = app.server.handle.as_ref().map_or(0, |h| h.received());
        println!("UDP Lab flood benchmark (the real window, eframe's frame time)");
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
        }
        println!(
            "  incoming list: {} rows kept, {} older rows not kept; {} events dropped by the channel",
            app.server.rows.len(),
            app.server.rows_dropped,
            app.events_dropped()
        );
        print_frames("during the flood", &self.during);
        print_frames("after, list full", &self.after);
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
