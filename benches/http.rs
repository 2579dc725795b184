//! `cargo bench --bench http`: UDP Lab's web server against `python3 -m
//! http.server` on the same file (HelloWorld.html), with the same load:
//! this bench's own generator (N threads, one GET per connection, as both
//! servers close after each answer) and `wrk` when installed. Prints
//! requests per second and the ratio (issue 28's target: at least 5×);
//! asserts nothing — a figure, not a test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use udp_lab::net::http::{self, HttpEvent, Limits, Root};

const THREADS: usize = 4;
const SECONDS: u64 = 4;

/// Requests per second from `THREADS` threads, each connecting, sending one
/// GET and reading until the server closes, for `SECONDS`.
fn load(addr: SocketAddr, path: &str) -> (f64, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let started = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (stop, done, failed, request) =
                (stop.clone(), done.clone(), failed.clone(), request.clone());
            std::thread::spawn(move || {
                let mut answer = Vec::with_capacity(4096);
                while !stop.load(Ordering::Relaxed) {
                    answer.clear();
                    let ok = TcpStream::connect(addr)
                        .and_then(|mut s| {
                            s.write_all(request.as_bytes())?;
                            s.read_to_end(&mut answer)
                        })
                        .is_ok_and(|_| {
                            answer.starts_with(b"HTTP/1.") && answer.ends_with(b"</html>\n")
                        });
                    if ok {
                        done.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(SECONDS));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    let secs = started.elapsed().as_secs_f64();
    (
        done.load(Ordering::Relaxed) as f64 / secs,
        failed.load(Ordering::Relaxed),
    )
}

/// `wrk`'s requests/s, when wrk is installed.
fn wrk(addr: SocketAddr, path: &str) -> Option<f64> {
    let out = Command::new("wrk")
        .args(["-t2", "-c16", &format!("-d{SECONDS}s")])
        .arg(format!("http://{addr}{path}"))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
}

struct Python(Child);

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn python_server(dir: &std::path::Path) -> Option<(Python, SocketAddr)> {
    let mut child = Command::new("python3")
        .args([
            "-u",
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            "0",
            "--directory",
        ])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take()?)
        .read_line(&mut line)
        .ok()?;
    // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
    let port: u16 = line
        .split(" port ")
        .nth(1)?
        .split(' ')
        .next()?
        .parse()
        .ok()?;
    Some((Python(child), SocketAddr::from(([127, 0, 0, 1], port))))
}

fn main() {
    let dir = std::env::temp_dir().join(format!("udp-lab-bench-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in http::resolve::BUILTIN {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let root = Root::Dir(dir.canonicalize().unwrap());
    // The log is taken and dropped, as a window would take it.
    let logged = Arc::new(AtomicU64::new(0));
    let count = logged.clone();
    let sink = udp_lab::net::inline_sink(move |events: Vec<HttpEvent>| {
        count.fetch_add(events.len() as u64, Ordering::Relaxed);
    });
    // Its socket calls reported as TCP events, as the window takes them.
    let reported = Arc::new(AtomicU64::new(0));
    let count_calls = reported.clone();
    let calls = udp_lab::net::inline_sink(move |events: Vec<udp_lab::net::NetEvent>| {
        count_calls.fetch_add(events.len() as u64, Ordering::Relaxed);
    });
    let config = http::HttpServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        root,
        limits: Limits::default(),
        pages: Arc::new(|status, _| http::reason(status).to_owned()),
        calls: Some(calls),
    };
    let mut ours = http::spawn_http_server(config, sink).unwrap();
    let path = "/HelloWorld.html";
    println!(
        "HelloWorld.html ({} bytes), {THREADS} threads, {SECONDS} s each, one GET per connection",
        http::resolve::BUILTIN[0].1.len()
    );
    let (ours_rps, ours_failed) = load(ours.addr, path);
    println!(
        "UDP Lab's web server:   {ours_rps:>9.0} requests/s ({ours_failed} failed; {} log events, {} TCP call events reported)",
        logged.load(Ordering::Relaxed),
        reported.load(Ordering::Relaxed)
    );
    let python = python_server(&dir);
    let Some((_python, py_addr)) = python else {
        println!("SKIPPED python3 -m http.server: python3 did not start");
        return;
    };
    let (py_rps, py_failed) = load(py_addr, path);
    println!("python3 -m http.server: {py_rps:>9.0} requests/s ({py_failed} failed)");
    println!("ratio: {:.1}× (target ≥ 5×)", ours_rps / py_rps.max(1e-9));
    match (wrk(ours.addr, path), wrk(py_addr, path)) {
        (Some(a), Some(b)) => {
            println!(
                "wrk -t2 -c16: UDP Lab {a:.0} requests/s, python3 {b:.0} requests/s, ratio {:.1}×",
                a / b.max(1e-9)
            );
        }
        _ => println!("SKIPPED wrk: not installed (apt-get install wrk)"),
    }
    ours.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
