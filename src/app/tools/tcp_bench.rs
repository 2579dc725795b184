//! `UDP_LAB_TCP_BENCH=SECS udp-lab`: UDP Lab's TCP server with the real
//! window open (issue 27), against a bare std thread-per-connection echo
//! loop in the same process and run. For 1 and 8 connections, each
//! lock-step ("Hello, server" → the 13-byte answer) for SECS seconds: the
//! bare loop, the window's server (its events drained and drawn by the
//! window as they come), the bare loop again; the window is compared with
//! the mean of the two around it, as the machine's other load drifts. The
//! figures go to stdout and the window closes. Nothing is saved.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::app::UdpLabApp;

const REQUEST: &[u8] = b"Hello, server";
const REPLY: &[u8] = crate::net::DEFAULT_REPLY.as_bytes();
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
    Loading(JoinHandle<f64>),
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
                bench.bare_before = with_bare(|a| load(a, clients, bench.run_for));
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
            let window = h.join().unwrap_or(0.0);
            let clients = CLIENTS[bench.round];
            let after = with_bare(|a| load(a, clients, bench.run_for));
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

/// `clients` connections, each sending and reading its answer in turn for
/// `run_for`: exchanges per second, all together. A connection that fails
/// stops counting (its count so far stays).
fn load(addr: SocketAddr, clients: usize, run_for: Duration) -> f64 {
    let done = Arc::new(AtomicBool::new(false));
    let total = Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = (0..clients)
        .filter_map(|_| {
            let (done, total) = (done.clone(), total.clone());
            std::thread::Builder::new()
                .name("tcp-bench-client".into())
                .spawn(move || {
                    let Ok(mut s) = TcpStream::connect(addr) else {
                        return;
                    };
                    let _ = s.set_nodelay(true);
                    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut buf = [0u8; REPLY.len()];
                    let mut n = 0u64;
                    while !done.load(Ordering::Relaxed) {
                        if s.write_all(REQUEST).is_err() || s.read_exact(&mut buf).is_err() {
                            break;
                        }
                        n += 1;
                    }
                    total.fetch_add(n, Ordering::Relaxed);
                })
                .ok()
        })
        .collect();
    let start = Instant::now();
    std::thread::sleep(run_for);
    done.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    total.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64().max(1e-9)
}

/// A bare std server: a thread per connection, each read answered with the
/// fixed reply (what UDP Lab's server does, without reporting or a window).
fn with_bare(load: impl FnOnce(SocketAddr) -> f64) -> f64 {
    let Ok(listener) = TcpListener::bind("127.0.0.1:0") else {
        return 0.0;
    };
    let Ok(addr) = listener.local_addr() else {
        return 0.0;
    };
    let stop = Arc::new(AtomicBool::new(false));
    let acceptor = {
        let stop = stop.clone();
        std::thread::Builder::new()
            .name("bare-server".into())
            .spawn(move || {
                let mut conns = Vec::new();
                for s in listener.incoming() {
                    if stop.load(Ordering::Acquire) {
                        break;
                    }
                    let Ok(mut s) = s else { continue };
                    conns.push(std::thread::spawn(move || {
                        let mut buf = vec![0u8; crate::net::DEFAULT_BUFFER];
                        while let Ok(n) = s.read(&mut buf) {
                            if n == 0 || s.write_all(REPLY).is_err() {
                                break;
                            }
                        }
                    }));
                }
                for c in conns {
                    let _ = c.join();
                }
            })
    };
    let rate = load(addr);
    stop.store(true, Ordering::Release);
    // Wake the acceptor so it sees the stop.
    let _ = TcpStream::connect(addr);
    if let Ok(a) = acceptor {
        let _ = a.join();
    }
    rate
}
