//! Helpers the integration tests share. Every test binary compiles its own
//! copy and uses only some of them, hence the `dead_code` allowance.
#![allow(dead_code)]
// Test helpers: a failed step panics and fails the test that called it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

pub mod trace;

pub const BIN: &str = env!("CARGO_BIN_EXE_udp-lab");

/// How long to wait for anything that should happen: generous, so a loaded
/// machine is slow but never wrong.
pub const WAIT: Duration = Duration::from_secs(5);

// A test that counts the process's threads and descriptors runs alone
// (`exclusive`); every other test of that binary holds the shared side.
static PROCESS: RwLock<()> = RwLock::new(());

pub fn shared() -> RwLockReadGuard<'static, ()> {
    PROCESS.read().unwrap_or_else(PoisonError::into_inner)
}

pub fn exclusive() -> RwLockWriteGuard<'static, ()> {
    PROCESS.write().unwrap_or_else(PoisonError::into_inner)
}

/// Kills the child when the test ends, however it ends.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether a peer tool is installed. CI installs them, so there a missing
/// tool is a failure, not a skip.
pub fn have(tool: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    // The Windows build's tests run under Wine, which cannot start the
    // machine's Linux tools: those tests skip, saying so.
    if cfg!(windows) && !found {
        println!(
            "SKIPPED {}: {tool} does not run under Wine (a Linux program)",
            std::thread::current().name().unwrap_or("this test")
        );
        return false;
    }
    assert!(
        found || std::env::var_os("CI").is_none(),
        "{tool} is missing on CI"
    );
    found
}

/// Starts `command` with its stdout piped and reads the first line, where a
/// server says which port it got; returns the child, the rest of its
/// stdout, and that line.
pub fn spawn_reading_first_line(
    command: &mut Command,
) -> (Running, BufReader<ChildStdout>, String) {
    let mut child = Running(
        command
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the peer"),
    );
    let mut out = BufReader::new(child.0.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("first line");
    (child, out, line)
}

/// Starts `udp-lab server` on an ephemeral loopback port with `extra`
/// arguments; returns it, its stdout after the first line, and its port.
pub fn cli_server(extra: &[&str]) -> (Running, BufReader<ChildStdout>, u16) {
    let (server, out, line) = spawn_reading_first_line(
        Command::new(BIN)
            .args(["server", "--bind", "127.0.0.1:0"])
            .args(extra)
            .stderr(Stdio::null()),
    );
    (server, out, listening_port(&line))
}

/// The port in the CLI server's first line.
pub fn listening_port(line: &str) -> u16 {
    line.trim()
        .strip_prefix("Server is listening on 127.0.0.1 port ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
}

/// A server that receives on one socket and answers from a second one, the
/// student bug; returns its receiving port and the answering address.
pub fn answers_from_a_second_socket(count: usize) -> (u16, SocketAddr) {
    let rx = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let tx = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = rx.local_addr().expect("addr").port();
    let from = tx.local_addr().expect("addr");
    rx.set_read_timeout(Some(WAIT)).expect("timeout");
    std::thread::spawn(move || {
        let mut buf = [0u8; 2048];
        for _ in 0..count {
            let Ok((n, peer)) = rx.recv_from(&mut buf) else {
                return;
            };
            let _ = tx.send_to(&buf[..n], peer);
        }
    });
    (port, from)
}

/// The process's threads that UDP Lab started (they are all named
/// `udp-lab-…`). Counting every thread would also count a test-harness
/// thread of the test that ran before, still exiting when this one starts.
pub fn udp_lab_threads() -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|name| name.starts_with("udp-lab"))
        })
        .count()
}

/// The page at `url` as headless chromium builds it (`--dump-dom`), with
/// the flags a closed network needs and a throwaway profile named by `tag`.
pub fn chromium_dom(url: &str, tag: &str) -> String {
    let profile =
        std::env::temp_dir().join(format!("udp-lab-{tag}-chromium-{}", std::process::id()));
    let out = std::process::Command::new("chromium")
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(url)
        .stderr(std::process::Stdio::null())
        .output()
        .expect("run chromium");
    let _ = std::fs::remove_dir_all(&profile);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// vermin finds `paths` (files or folders of Python) compatible with
/// Python 2.7 and 3.0, as shipped Python must be; its complaints are the
/// failure's message.
pub fn assert_vermin_clean<P: AsRef<std::ffi::OsStr>>(paths: impl IntoIterator<Item = P>) {
    let out = Command::new("vermin")
        .args(["-t=2.7-", "-t=3.0-", "--no-tips", "--violations"])
        .args(paths)
        .output()
        .expect("vermin runs");
    assert!(
        out.status.success(),
        "vermin: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
