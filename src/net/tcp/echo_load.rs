//! The load both TCP benchmarks put on a server (the bench's and the
//! window's, src/app/tools/tcp_bench.rs): lock-step exchanges of the lab's
//! two messages, and the bare std server they compare UDP Lab's with.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What each exchange sends, and the answer it waits for.
pub const REQUEST: &[u8] = b"Hello, server";
pub const REPLY: &[u8] = crate::net::DEFAULT_REPLY.as_bytes();

/// What a [`load`] measured.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rate {
    /// Exchanges per second, all connections together.
    pub per_sec: f64,
    /// Connections that failed (could not connect, or an exchange failed:
    /// they stopped counting, their count so far kept).
    pub failed: usize,
}

/// `clients` connections, each sending and reading its answer in turn for
/// `run_for`.
pub fn load(addr: SocketAddr, clients: usize, run_for: Duration) -> Rate {
    let done = Arc::new(AtomicBool::new(false));
    let total = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..clients)
        .filter_map(|_| {
            let (done, total, failed) = (done.clone(), total.clone(), failed.clone());
            let spawned = std::thread::Builder::new()
                .name("tcp-bench-client".into())
                .spawn(move || {
                    let Ok(mut s) = TcpStream::connect(addr) else {
                        failed.fetch_add(1, Ordering::Relaxed);
                        return;
                    };
                    let _ = s.set_nodelay(true);
                    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut buf = [0u8; REPLY.len()];
                    let mut n = 0u64;
                    while !done.load(Ordering::Relaxed) {
                        if s.write_all(REQUEST).is_err() || s.read_exact(&mut buf).is_err() {
                            failed.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                        n += 1;
                    }
                    total.fetch_add(n, Ordering::Relaxed);
                });
            spawned.ok()
        })
        .collect();
    let not_started = clients - threads.len();
    let start = Instant::now();
    std::thread::sleep(run_for);
    done.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    Rate {
        per_sec: total.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64().max(1e-9),
        failed: failed.load(Ordering::Relaxed) + not_started,
    }
}

/// A bare std server: a thread per connection, each read answered with the
/// fixed reply (what UDP Lab's server does, without reporting or a
/// window), running while `load` runs against it. Err: it could not bind.
pub fn with_bare<R>(load: impl FnOnce(SocketAddr) -> R) -> std::io::Result<R> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
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
    Ok(rate)
}
