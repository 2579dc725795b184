//! Helpers the integration tests share. Every test binary compiles its own
//! copy and uses only some of them, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

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

/// Starts `udp-lab server` on an ephemeral loopback port with `extra`
/// arguments; returns it, its stdout after the first line, and its port.
pub fn cli_server(extra: &[&str]) -> (Running, BufReader<ChildStdout>, u16) {
    let mut child = Command::new(BIN)
        .args(["server", "--bind", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start udp-lab server");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("first line");
    let port = line
        .trim()
        .strip_prefix("Server is listening on 127.0.0.1 port ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    (Running(child), out, port)
}
