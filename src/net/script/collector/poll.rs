//! One loop over the listener, the connections and both pipes.

use std::os::fd::AsRawFd;

use super::*;

/// How long a tracer line may wait for the output it says came first.
const MARK_WAIT: Duration = Duration::from_millis(500);

fn pollfd(fd: i32) -> libc::pollfd {
    libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }
}

/// Whether any of `fds` is readable (or closed) within `timeout_ms`.
// unsafe: poll has no std wrapper.
#[allow(unsafe_code)]
fn ready(fds: &mut [libc::pollfd], timeout_ms: i32) -> bool {
    for f in fds.iter_mut() {
        f.revents = 0;
    }
    let Ok(n) = libc::nfds_t::try_from(fds.len()) else {
        return false;
    };
    // SAFETY: `fds` is a live slice of initialised pollfd structs and
    // `n` its length.
    let got = unsafe { libc::poll(fds.as_mut_ptr(), n, timeout_ms) };
    got > 0
}

fn is_ready(f: &libc::pollfd) -> bool {
    f.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0
}

fn fd_of<R: AsRawFd>(pipe: &Pipe<R>) -> i32 {
    pipe.reader.as_ref().map_or(-1, AsRawFd::as_raw_fd)
}

struct Loop {
    out: Pipe<ChildStdout>,
    err: Pipe<ChildStderr>,
    conns: Vec<Conn>,
    /// Lines read, not yet shown.
    lines: Vec<Line>,
    /// A mark was once not met (output written past the counted
    /// streams): stop waiting for marks.
    marks_unreliable: bool,
}

impl Collector {
    /// Reads whatever the pipes hold now.
    fn drain_pipes(&self, l: &mut Loop) {
        for _ in 0..256 {
            let mut fds = [pollfd(fd_of(&l.out)), pollfd(fd_of(&l.err))];
            if !ready(&mut fds, 0) {
                return;
            }
            if is_ready(&fds[0]) {
                self.read_pipe(&mut l.out);
            }
            if is_ready(&fds[1]) {
                self.read_pipe(&mut l.err);
            }
        }
    }

    /// Reads a pipe until it holds `mark` bytes in all (they were
    /// written before the tracer's line was sent, so they are there).
    fn fill_to<R: std::io::Read + AsRawFd>(&self, pipe: &mut Pipe<R>, mark: u64) -> bool {
        let deadline = Instant::now() + MARK_WAIT;
        while pipe.read_total() < mark && pipe.reader.is_some() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            let mut fds = [pollfd(fd_of(pipe))];
            let ms = i32::try_from(left.as_millis()).unwrap_or(1).max(1);
            if ready(&mut fds, ms) {
                self.read_pipe(pipe);
            }
        }
        true
    }

    /// Reads what the connections hold now; drops closed and refused ones.
    fn drain_conns(&self, l: &mut Loop) {
        let mut i = 0;
        while i < l.conns.len() {
            let keep = self.read_conn(&mut l.conns[i], &mut l.lines);
            if keep {
                i += 1;
            } else {
                l.conns.remove(i);
            }
        }
    }

    fn read_conn(&self, conn: &mut Conn, lines: &mut Vec<Line>) -> bool {
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match conn.stream.read(&mut buf) {
                Ok(0) => return false,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return false,
            };
            let mut keep = true;
            let mut trusted = conn.trusted;
            conn.lines.feed(&buf[..n], |line| {
                if keep {
                    let (line, k) = self.parse(&mut trusted, line);
                    lines.extend(line);
                    keep = k;
                }
            });
            conn.trusted = trusted;
            if !keep {
                self.shared.strangers.fetch_add(1, Ordering::Relaxed);
                return false;
            }
        }
        if !conn.trusted && conn.since.elapsed() >= HELLO_WITHIN {
            self.shared.strangers.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    }

    fn accept(&self, conns: &mut Vec<Conn>) {
        while let Ok((stream, _)) = self.listener.accept() {
            if conns.len() >= MAX_CONNECTIONS {
                self.shared.strangers.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            let _ = stream.set_nonblocking(true);
            conns.push(Conn {
                stream,
                lines: LineSplitter::default(),
                trusted: false,
                since: Instant::now(),
            });
        }
    }

    /// Shows the tracer's lines, each after the output written before it.
    fn show_lines(&self, l: &mut Loop) {
        for line in std::mem::take(&mut l.lines) {
            if !l.marks_unreliable {
                let met = self.fill_to(&mut l.out, line.stdout_before)
                    && self.fill_to(&mut l.err, line.stderr_before);
                l.marks_unreliable = !met;
            }
            self.release(&mut l.out, Some(line.stdout_before), true);
            self.release(&mut l.err, Some(line.stderr_before), true);
            self.report(line.report);
        }
    }

    pub(in crate::net) fn run(mut self) {
        let mut l = Loop {
            out: Pipe::new(self.stdout.take(), Stream::Stdout),
            err: Pipe::new(self.stderr.take(), Stream::Stderr),
            conns: Vec::new(),
            lines: Vec::new(),
            marks_unreliable: false,
        };
        let _ = self.listener.set_nonblocking(true);
        let mut exit = None;
        loop {
            self.shared.kill_if_overdue();
            let mut fds = vec![
                pollfd(self.listener.as_raw_fd()),
                pollfd(fd_of(&l.out)),
                pollfd(fd_of(&l.err)),
            ];
            fds.extend(l.conns.iter().map(|c| pollfd(c.stream.as_raw_fd())));
            let pipes_open = l.out.reader.is_some() || l.err.reader.is_some();
            let timeout = if pipes_open && exit.is_none() {
                i32::try_from(TICK.as_millis()).unwrap_or(100)
            } else {
                // The script has ended: take what is still readable.
                0
            };
            let any = ready(&mut fds, timeout);
            // Pipes first, then the tracer: a line sent before some
            // output was written is then surely read with it.
            self.drain_pipes(&mut l);
            self.accept(&mut l.conns);
            self.drain_conns(&mut l);
            // A silent stranger does not keep its place for long.
            let before = l.conns.len();
            l.conns
                .retain(|c| c.trusted || c.since.elapsed() < HELLO_WITHIN);
            let gone = (before - l.conns.len()) as u64;
            self.shared.strangers.fetch_add(gone, Ordering::Relaxed);
            self.show_lines(&mut l);
            // Output after the last call; an unfinished line (a prompt)
            // once the script is quiet or gone.
            let quiet = !any || !pipes_open;
            let (out_gone, err_gone) = (l.out.reader.is_none(), l.err.reader.is_none());
            self.release(&mut l.out, None, quiet || out_gone);
            self.release(&mut l.err, None, quiet || err_gone);
            if let Some(status) = exit {
                if !any {
                    self.finish(status);
                    return;
                }
            } else if !pipes_open || !any {
                exit = self.ended();
                if exit.is_none() && !pipes_open {
                    // Pipes closed, process still there: wait a tick.
                    std::thread::sleep(TICK);
                }
            }
        }
    }
}
