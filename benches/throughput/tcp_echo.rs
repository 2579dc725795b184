//! TCP (issue 27): UDP Lab's TCP server — its worker threads, the event
//! channel, and a thread recording every event into the lab's session (the
//! trace rows and the streams the views draw), waking as the window does
//! at most once a frame — next to a bare std thread-per-connection loop
//! that answers each read the same way, measured in the same run with the
//! same load: `clients` connections, each lock-step (send "Hello, server",
//! read the 13-byte answer). Prints exchanges/s and the ratio (target
//! ≥ 0.9). `UDP_LAB_BENCH_ONLY=tcp` runs this table alone.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use udp_lab::lab::session::Session;
use udp_lab::net::tcp::echo_load::{REPLY, Rate, load, with_bare};
use udp_lab::net::{self, NetEvent, ReplyMode, TcpEventKind, TcpServerConfig};

const FRAME: Duration = Duration::from_micros(16_667);

pub fn run(run_for: Duration, rounds: usize) {
    println!(
        "TCP: {:<10} {:>11} {:>11} {:>6}   events recorded / dropped (UDP Lab)",
        "clients", "bare std/s", "UDP Lab/s", "ratio"
    );
    for clients in [1usize, 8] {
        let (mut bare, mut lab) = (Vec::new(), Vec::new());
        let mut counts = (0u64, 0u64);
        for _ in 0..rounds {
            bare.push(per_sec(
                with_bare(|addr| load(addr, clients, run_for)).expect("bare server binds"),
            ));
            let (rate, recorded, dropped) = with_lab(|addr| per_sec(load(addr, clients, run_for)));
            lab.push(rate);
            counts = (recorded, dropped);
        }
        let (b, l) = (median(bare), median(lab));
        println!(
            "     {clients:<10} {b:>11.0} {l:>11.0} {:>6.2}   {} / {}",
            l / b,
            counts.0,
            counts.1
        );
    }
}

/// The rate of a load in which every connection kept going.
fn per_sec(rate: Rate) -> f64 {
    assert_eq!(
        rate.failed, 0,
        "a connection failed: the figure would be wrong"
    );
    rate.per_sec
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

#[derive(Default)]
struct Wake {
    pending: Mutex<bool>,
    cv: Condvar,
}

/// UDP Lab's TCP server, with a thread recording its events into a
/// session at most once a frame, as the window drains them.
fn with_lab(load: impl FnOnce(SocketAddr) -> f64) -> (f64, u64, u64) {
    let wake = Arc::new(Wake::default());
    let waker = wake.clone();
    let (sink, queue) = net::event_channel::<NetEvent>(
        65_536,
        Arc::new(move || {
            if let Ok(mut p) = waker.pending.lock() {
                *p = true;
                waker.cv.notify_one();
            }
        }),
    );
    let mut config = TcpServerConfig::new(net::parse_addr("127.0.0.1:0", false).expect("addr"));
    config.settings.reply = ReplyMode::Fixed(Arc::from(REPLY));
    let server = net::spawn_tcp_server(config, sink).expect("spawn");
    let mut session = Session::default();
    // Bound names the port; connecting waits for Listening (listen()).
    let mut bound = None;
    let addr = loop {
        match queue.recv_timeout(Duration::from_secs(5)) {
            Some(NetEvent::Tcp(ev)) => {
                session.record(&NetEvent::Tcp(ev.clone()));
                match ev.kind {
                    TcpEventKind::Bound { addr } => bound = Some(addr),
                    TcpEventKind::Listening { .. } => break bound.expect("bound first"),
                    _ => {}
                }
            }
            Some(_) => {}
            None => panic!("the TCP server did not start"),
        }
    };
    let done = Arc::new(AtomicBool::new(false));
    let recorder = {
        let done = done.clone();
        let wake = wake.clone();
        std::thread::spawn(move || {
            let mut recorded = 0u64;
            let mut last = Instant::now() - FRAME;
            while !done.load(Ordering::Acquire) {
                if let Ok(p) = wake.pending.lock() {
                    let mut p = wake
                        .cv
                        .wait_timeout_while(p, Duration::from_millis(100), |p| !*p)
                        .map(|(p, _)| p)
                        .expect("wait");
                    *p = false;
                }
                if let Some(wait) = (last + FRAME).checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                last = Instant::now();
                queue.drain(Duration::from_millis(8), |ev| {
                    session.record(&ev);
                    recorded += 1;
                });
            }
            queue.drain(Duration::from_secs(60), |ev| {
                session.record(&ev);
                recorded += 1;
            });
            (recorded, queue.dropped())
        })
    };
    let rate = load(addr);
    server.join();
    done.store(true, Ordering::Release);
    wake.cv.notify_one();
    let (recorded, dropped) = recorder.join().expect("recorder");
    (rate, recorded, dropped)
}
