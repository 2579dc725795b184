//! `UDP_LAB_TCP_BENCH=SECS udp-lab`: UDP Lab's TCP server with the real
//! window open (issue 27), against a bare std thread-per-connection echo
//! loop in the same process and run. For 1 and 8 connections, each
//! lock-step ("Hello, server" → the 13-byte answer) for SECS seconds: the
//! bare loop, the window's server (its events drained and drawn by the
//! window as they come), the bare loop again; the window is compared with
//! the mean of the two around it, as the machine's other load drifts. The
//! figures go to stdout and the window closes. Nothing is saved.

use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::app::UdpLabApp;
use crate::net::tcp::echo_load::{Rate, load, with_bare};

/// Connections of each round.
const CLIENTS: [usize; 2] = [1, 8];
/// Give up when the server has not listened by then.
const LIMIT: Duration = Duration::from_secs(30);

pub struct TcpBench {
    run_for: Duration,
    started: Instant,
    /// The round (an index into CLIENTS) and its phase.
    round: usize,
    phase: Phase,
    /// (clients, bare before, window, bare after) in exchanges/s.
    results: Vec<(usize, f64, f64, f64)>,
    bare_before: f64,
    frames_during: u64,
    reported: bool,
}

enum Phase {
    Starting,
    /// The load against the window's server runs on its own thread while
    /// the window draws.
    Loading(JoinHandle<Rate>),
    Done,
}

impl TcpBench {
    pub fn from_env() -> Option<Self> {
        let secs = std::env::var("UDP_LAB_TCP_BENCH")
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0)?;
        Some(Self {
            run_for: Duration::from_secs_f64(secs.min(600.0)),
            started: Instant::now(),
            round: 0,
            phase: Phase::Starting,
            results: Vec::new(),
            bare_before: 0.0,
            frames_during: 0,
            reported: false,
        })
    }
}

/// Called at the start of every frame.
pub fn on_frame(app: &mut UdpLabApp, ctx: &egui::Context) {
    let Some(mut bench) = app.tcp_bench.take() else {
        return;
    };
    let bound = app.tcp.server.bound;
    bench.phase = match std::mem::replace(&mut bench.phase, Phase::Done) {
        Phase::Starting => match bound {
            Some(addr) => {
                let clients = CLIENTS[bench.round];
                if bench.round == 0 {
                    println!(
                        "UDP Lab TCP benchmark (the real window; lock-step exchanges, {:.1} s each)",
                        bench.run_for.as_secs_f64()
                    );
                }
                // The bare loop first, the window idle meanwhile.
                bench.bare_before = bare_rate(clients, bench.run_for);
                let run_for = bench.run_for;
                let ctx = ctx.clone();
                bench.frames_during = 0;
                match std::thread::Builder::new()
                    .name("tcp-bench-load".into())
                    .spawn(move || {
                        let rate = load(addr, clients, run_for);
                        // Its end needs a frame to be noticed.
                        ctx.request_repaint();
                        rate
                    }) {
                    Ok(h) => Phase::Loading(h),
                    Err(e) => {
                        println!("TCP benchmark: no load thread: {e}");
                        Phase::Done
                    }
                }
            }
            None if bench.started.elapsed() > LIMIT => {
                println!("TCP benchmark: the window's TCP server did not start");
                Phase::Done
            }
            None => {
                ctx.request_repaint_after(Duration::from_millis(50));
                Phase::Starting
            }
        },
        Phase::Loading(h) if h.is_finished() => {
            let window = h.join().map_or(0.0, |rate| counted(rate, "window's"));
            let clients = CLIENTS[bench.round];
            let after = bare_rate(clients, bench.run_for);
            bench
                .results
                .push((clients, bench.bare_before, window, after));
            println!(
                "  {clients} connection(s): bare std {:.0}/s before, {after:.0}/s after; \
                 UDP Lab with the window {window:.0}/s ({} frames drawn): {:.2}× the bare loop",
                bench.bare_before,
                bench.frames_during,
                window / ((bench.bare_before + after) / 2.0).max(1e-9)
            );
            bench.round += 1;
            if bench.round < CLIENTS.len() {
                ctx.request_repaint();
                Phase::Starting
            } else {
                Phase::Done
            }
        }
        Phase::Loading(h) => {
            bench.frames_during += 1;
            // The events bring the frames at the window's own pace.
            ctx.request_repaint_after(Duration::from_millis(250));
            Phase::Loading(h)
        }
        Phase::Done => Phase::Done,
    };
    if matches!(bench.phase, Phase::Done) && !bench.reported {
        bench.reported = true;
        // Under such a load the window keeps every connection's opening
        // and closing and drops (and counts) traffic events it cannot draw.
        println!(
            "  traffic events dropped by the channel (counted, as the window says): {}",
            app.events_dropped()
        );
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
    app.tcp_bench = Some(bench);
}

/// The bare loop's rate (0, with a line saying why, when it could not run).
fn bare_rate(clients: usize, run_for: Duration) -> f64 {
    match with_bare(|a| load(a, clients, run_for)) {
        Ok(rate) => counted(rate, "bare"),
        Err(e) => {
            println!("TCP benchmark: the bare server could not bind: {e}");
            0.0
        }
    }
}

/// The rate, with a line for connections that failed (they would lower it).
fn counted(rate: Rate, server: &str) -> f64 {
    if rate.failed > 0 {
        println!(
            "TCP benchmark: {} connection(s) to the {server} server failed",
            rate.failed
        );
    }
    rate.per_sec
}
