//! `udp-lab trace` driven from the integration tests: a folder for the
//! test's scripts, the command run to its end or read line by line, and
//! where a text sits in a script (its diagnoses name lines).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{ChildStdout, Command, Output, Stdio};

use super::{BIN, Running, have};

/// A fresh folder for the test's scripts, removed when dropped.
pub struct Dir(pub PathBuf);

impl Dir {
    pub fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!(
            "udp-lab-trace-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn script(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The 1-based line of `text` in `source` (the first holding it).
pub fn line_of(source: &str, text: &str) -> usize {
    source
        .lines()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("{text:?} not in the script"))
        + 1
}

pub fn trace(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("trace").args(args);
    c
}

pub fn run(args: &[&str]) -> (Output, String) {
    let out = trace(args)
        .stdin(Stdio::null())
        .output()
        .expect("udp-lab runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, text)
}

pub fn start(args: &[&str], prefix: &str) -> (Running, BufReader<ChildStdout>, Vec<String>) {
    let mut child = Running(
        trace(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("udp-lab runs"),
    );
    let mut out = BufReader::new(child.0.stdout.take().unwrap());
    let lines = read_until(&mut out, prefix);
    (child, out, lines)
}

pub fn read_until(out: &mut impl BufRead, prefix: &str) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            panic!("no line starting with {prefix:?} in {lines:#?}");
        }
        let line = line.trim_end().to_owned();
        let done = line.starts_with(prefix);
        lines.push(line);
        if done {
            return lines;
        }
    }
}

pub fn python() -> bool {
    let found = have("python3");
    if !found {
        println!("SKIPPED: python3 is not installed");
    }
    found
}

/// A port nothing listens on (bound by the system, then let go).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
