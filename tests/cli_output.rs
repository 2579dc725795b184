//! Issue 16: `udp-lab server` buffers its lines into a pipe or a file, and
//! still loses none: they come out when traffic pauses, and when a signal
//! ends it. Each test runs the binary as a child process.

// Test code: its helpers outside #[test] fns panic on failure too (the
// crate-wide unwrap/expect lints are for the program, Cargo.toml [lints]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::BufRead;
use std::net::UdpSocket;
use std::sync::mpsc;
use std::time::Instant;

use common::{WAIT, cli_server};

const LINE: &str = "Message from client: ";

/// Sends `n` datagrams to the server one at a time, each waiting for its
/// answer; returns the answers received.
fn exchange(port: u16, n: usize) -> usize {
    let client = UdpSocket::bind("127.0.0.1:0").expect("bind");
    client.set_read_timeout(Some(WAIT)).expect("timeout");
    let mut buf = [0u8; 64];
    (0..n)
        .filter(|i| {
            client
                .send_to(format!("m{i}").as_bytes(), ("127.0.0.1", port))
                .is_ok()
                && client.recv_from(&mut buf).is_ok()
        })
        .count()
}

#[test]
fn lines_into_a_pipe_come_out_when_traffic_pauses() {
    let (mut server, out, port) = cli_server(&[]);
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in out.lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    // Far fewer than the buffer holds: only a flush on the pause sends them.
    let n = 500;
    for round in 0..2 {
        assert_eq!(
            exchange(port, n),
            n,
            "round {round}: every datagram answered"
        );
        // The client pauses here; the server goes on running.
        let paused = Instant::now();
        for i in 0..n {
            let line = lines
                .recv_timeout(WAIT.saturating_sub(paused.elapsed()))
                .unwrap_or_else(|_| {
                    panic!("round {round}: only {i} of {n} lines within {WAIT:?} of the pause")
                });
            assert_eq!(line, format!("{LINE}m{i}"));
        }
        assert!(
            server.0.try_wait().is_ok_and(|s| s.is_none()),
            "the server is still running"
        );
    }
}

#[cfg(target_os = "linux")]
mod signals {
    use super::*;
    use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
    use std::process::{Command, Stdio};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// A file of its own in the temporary directory, removed afterwards.
    struct TempFile(std::path::PathBuf);

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    /// Starts the server with stdout into a file, floods it with 32 requests
    /// in flight, sends `signal` mid-flood (`times` times in a row, as
    /// `timeout` does: to the child and to its process group), and checks that every answered
    /// request has its line in the file after the server ended by that
    /// signal, with nothing on stderr.
    // unsafe: kill(2) with a chosen signal has no std wrapper.
    #[allow(unsafe_code)]
    fn every_answered_line_is_in_the_file_after(signal: libc::c_int, times: usize, name: &str) {
        let file = TempFile(std::env::temp_dir().join(format!(
            "udp-lab-cli-output-{name}-{}.txt",
            std::process::id()
        )));
        let stdout = std::fs::File::create(&file.0).expect("create the output file");
        let mut command = Command::new(common::BIN);
        command
            .args(["server", "--bind", "127.0.0.1:0"])
            .stdout(stdout)
            .stderr(Stdio::piped());
        // As from a terminal: the signal at its default action. A test run
        // started in the background (`cargo test &` in a script) hands its
        // children SIGINT ignored, and the server rightly keeps it ignored.
        // SAFETY: signal(2) is async-signal-safe, fit for between fork and exec.
        unsafe {
            command.pre_exec(move || {
                libc::signal(signal, libc::SIG_DFL);
                Ok(())
            });
        }
        let mut server = common::Running(command.spawn().expect("server starts"));
        // The first line reaches the file when the server pauses after it.
        let started = Instant::now();
        let port = loop {
            let text = std::fs::read_to_string(&file.0).unwrap_or_default();
            if let Some(first) = text.lines().next().filter(|_| text.contains('\n')) {
                break common::listening_port(first);
            }
            assert!(started.elapsed() < WAIT, "no first line in the file");
            std::thread::sleep(std::time::Duration::from_millis(5));
        };

        let answered = Arc::new(AtomicUsize::new(0));
        let flooding = Arc::new(AtomicBool::new(true));
        let client = UdpSocket::bind("127.0.0.1:0").expect("bind");
        client
            .set_read_timeout(Some(std::time::Duration::from_millis(500)))
            .expect("timeout");
        let flood = {
            let (answered, flooding) = (answered.clone(), flooding.clone());
            std::thread::spawn(move || {
                let to = ("127.0.0.1", port);
                let mut buf = [0u8; 64];
                for _ in 0..32 {
                    let _ = client.send_to(b"flood", to);
                }
                // Until the server ends, and then until no answer is left.
                while client.recv_from(&mut buf).is_ok() {
                    answered.fetch_add(1, Ordering::Relaxed);
                    if flooding.load(Ordering::Relaxed) {
                        let _ = client.send_to(b"flood", to);
                    }
                }
            })
        };
        // Mid-flood: lines are being buffered when the signal comes.
        while answered.load(Ordering::Relaxed) < 20_000 {
            assert!(started.elapsed() < WAIT * 4, "the flood did not get going");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        // SAFETY: a plain kill(2) of our own child.
        let pid = libc::pid_t::try_from(server.0.id()).expect("a pid");
        for _ in 0..times {
            assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill");
        }
        let status = loop {
            if let Some(status) = server.0.try_wait().expect("wait") {
                break status;
            }
            assert!(started.elapsed() < WAIT * 6, "the server did not end");
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        flooding.store(false, Ordering::Relaxed);
        flood.join().expect("the flood thread");

        assert_eq!(
            status.signal(),
            Some(signal),
            "ends by the signal: {status:?}"
        );
        let mut err = String::new();
        if let Some(mut e) = server.0.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        assert_eq!(err, "", "quiet on stderr");
        let text = std::fs::read_to_string(&file.0).expect("read the output file");
        assert!(text.ends_with('\n'), "no line cut short");
        let lines = text
            .lines()
            .filter(|l| *l == format!("{LINE}flood"))
            .count();
        let answered = answered.load(Ordering::Relaxed);
        assert_eq!(lines, answered, "a line in the file for every answer");
        assert_eq!(text.lines().count(), answered + 1, "and nothing else");
    }

    #[test]
    fn sigterm_twice_flushes_every_answered_line_into_the_file() {
        every_answered_line_is_in_the_file_after(libc::SIGTERM, 2, "term");
    }

    #[test]
    fn sigint_flushes_every_answered_line_into_the_file() {
        every_answered_line_is_in_the_file_after(libc::SIGINT, 1, "int");
    }
}
