//! The collector: one worker per traced script (thread `udp-lab-collector`).
//! It listens on 127.0.0.1 for the tracer's connection, takes only lines
//! carrying the run's token (at most 64 KiB each; anything else is counted
//! and dropped, never a panic), reads the script's stdout and stderr, and
//! reports all of it as [`NetEvent::Script`] events, in the order the
//! script did it: before each tracer line is handled, the output already
//! in the pipes is read, so a `print` made before a call is shown before
//! it. It ends when the script has ended, with `Exited`.

use std::io::Read as _;
use std::net::{TcpListener, TcpStream};
use std::process::{ChildStderr, ChildStdout};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

use super::script::{ScriptEvent, ScriptEventKind, Shared, Stream, TracerDir, exit_parts};
use super::trace::{Line, LineError, LineSplitter, MAX_LINE, Report, parse_line};
use super::{EventSink, NetEvent};

/// How often the worker looks whether the script has ended while its
/// pipes stay open (a program it started may hold them).
const TICK: Duration = Duration::from_millis(100);
/// At most this many tracer connections at once (a forked script may open
/// a second one; strangers may try).
const MAX_CONNECTIONS: usize = 8;
/// A connection has this long to send its first line with the token.
const HELLO_WITHIN: Duration = Duration::from_secs(5);

pub(super) struct Collector {
    pub run: u64,
    pub token: String,
    pub listener: TcpListener,
    pub stdout: Option<ChildStdout>,
    pub stderr: Option<ChildStderr>,
    pub shared: Arc<Shared>,
    pub sink: EventSink<NetEvent>,
    /// Held (not read) until the script has ended; removed on drop.
    pub _dir: TracerDir,
}

/// One stream of the script's output: what was read and not yet shown.
struct Pipe<R> {
    reader: Option<R>,
    stream: Stream,
    held: Vec<u8>,
    /// Bytes shown so far (the tracer counts bytes written the same way).
    shown: u64,
}

impl<R> Pipe<R> {
    fn new(reader: Option<R>, stream: Stream) -> Self {
        Self {
            reader,
            stream,
            held: Vec::new(),
            shown: 0,
        }
    }

    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    fn read_total(&self) -> u64 {
        self.shown + self.held.len() as u64
    }
}

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
struct Conn {
    stream: TcpStream,
    lines: LineSplitter,
    /// Its first line carried the token.
    trusted: bool,
    since: Instant,
}

impl Collector {
    fn emit(&self, kind: ScriptEventKind, always: bool) {
        let event = NetEvent::Script(ScriptEvent {
            run: self.run,
            at: SystemTime::now(),
            kind,
        });
        if always {
            self.sink.send_always(event);
        } else {
            self.sink.send(event);
        }
    }

    /// Shows held output: up to `upto` bytes in all (a tracer line's mark:
    /// what the script wrote before that call, an unfinished line too), or
    /// everything held when None (an unfinished line only if `partial`).
    fn release<R>(&self, pipe: &mut Pipe<R>, upto: Option<u64>, partial: bool) {
        let n = match upto {
            Some(mark) => usize::try_from(mark.saturating_sub(pipe.shown))
                .unwrap_or(usize::MAX)
                .min(pipe.held.len()),
            None => pipe.held.len(),
        };
        if n == 0 {
            return;
        }
        let rest = pipe.held.split_off(n);
        let mut taken = std::mem::replace(&mut pipe.held, rest);
        let mut start = 0;
        while let Some(i) = taken[start..].iter().position(|&b| b == b'\n') {
            let line = &taken[start..start + i];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            self.emit_output(pipe.stream, line, true);
            start += i + 1;
        }
        // A line longer than the cap goes out in pieces.
        while taken.len() - start >= MAX_LINE {
            self.emit_output(pipe.stream, &taken[start..start + MAX_LINE], false);
            start += MAX_LINE;
        }
        let tail = taken.split_off(start);
        pipe.shown += start as u64;
        if tail.is_empty() {
            return;
        }
        if upto.is_some() || partial {
            pipe.shown += tail.len() as u64;
            self.emit_output(pipe.stream, &tail, false);
        } else {
            // Not ended yet: wait for the rest of the line.
            let mut held = tail;
            held.append(&mut pipe.held);
            pipe.held = held;
        }
    }

    fn emit_output(&self, stream: Stream, bytes: &[u8], newline: bool) {
        self.emit(
            ScriptEventKind::Output {
                stream,
                text: String::from_utf8_lossy(bytes).into_owned(),
                newline,
            },
            false,
        );
    }

    /// Reads once from a pipe that is ready; false at its end.
    fn read_pipe<R: std::io::Read>(&self, pipe: &mut Pipe<R>) -> bool {
        let Some(reader) = pipe.reader.as_mut() else {
            return false;
        };
        let mut buf = [0u8; 16 * 1024];
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => {
                pipe.reader = None;
                false
            }
            Ok(n) => {
                pipe.held.extend_from_slice(&buf[..n]);
                true
            }
        }
    }

    /// A line from a connection: Some(line) when it carries the token.
    /// A refused one is counted; `trusted` tells whether to keep the
    /// connection after it.
    fn parse(&self, trusted: &mut bool, line: Result<&[u8], LineError>) -> (Option<Line>, bool) {
        match line.and_then(|l| parse_line(l, &self.token)) {
            Ok(line) => {
                *trusted = true;
                (Some(line), true)
            }
            Err(why) => {
                self.shared.refuse(why);
                // A stranger's first line: hang up on it.
                (None, *trusted)
            }
        }
    }

    fn report(&self, report: Report) {
        // The script's end and its mistakes are few and must arrive.
        let always = matches!(
            report,
            Report::Uncaught(_) | Report::Unclosed { .. } | Report::Icmp { .. }
        );
        self.emit(ScriptEventKind::Report(Box::new(report)), always);
    }

    /// Waits for the script without blocking Stop; Some once it ended.
    fn ended(&self) -> Option<(Option<i32>, Option<i32>)> {
        let mut child = self.shared.child();
        match child.try_wait() {
            Ok(Some(status)) => {
                self.shared.reaped.store(true, Ordering::Release);
                Some(exit_parts(status))
            }
            Ok(None) => None,
            // Cannot be waited for: treat as ended.
            Err(_) => {
                self.shared.reaped.store(true, Ordering::Release);
                Some((None, None))
            }
        }
    }

    fn finish(&self, (code, signal): (Option<i32>, Option<i32>)) {
        self.emit(
            ScriptEventKind::Exited {
                code,
                signal,
                stopped: self.shared.stopped.load(Ordering::Acquire),
                interrupted: self.shared.interrupted.load(Ordering::Acquire),
                killed: self.shared.killed.load(Ordering::Acquire),
            },
            true,
        );
    }
}

#[cfg(target_os = "linux")]
mod poll {
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
}

#[cfg(not(target_os = "linux"))]
mod threads {
    //! Without poll (libc is a dependency on Linux only): a thread per pipe
    //! and per connection. Output and calls may then come in a slightly
    //! different order than made.

    use std::sync::Mutex;

    use super::*;

    fn pipe_thread<R: std::io::Read + Send + 'static>(
        this: &Arc<Collector>,
        reader: Option<R>,
        stream: Stream,
    ) -> Option<std::thread::JoinHandle<()>> {
        let this = this.clone();
        let mut pipe = Pipe::new(Some(reader?), stream);
        std::thread::Builder::new()
            .name("udp-lab-collector".into())
            .spawn(move || {
                while this.read_pipe(&mut pipe) {
                    this.release(&mut pipe, None, false);
                }
                this.release(&mut pipe, None, true);
            })
            .ok()
    }

    impl Collector {
        pub(in crate::net) fn run(mut self) {
            let stdout = self.stdout.take();
            let stderr = self.stderr.take();
            let this = Arc::new(self);
            let pipes: Vec<_> = [
                pipe_thread(&this, stdout, Stream::Stdout),
                pipe_thread(&this, stderr, Stream::Stderr),
            ]
            .into_iter()
            .flatten()
            .collect();
            let _ = this.listener.set_nonblocking(true);
            let open = Arc::new(Mutex::new(0usize));
            let exit = loop {
                while let Ok((stream, _)) = this.listener.accept() {
                    let mut count = open
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    if *count >= MAX_CONNECTIONS {
                        continue;
                    }
                    *count += 1;
                    let (this, open) = (this.clone(), open.clone());
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_read_timeout(Some(HELLO_WITHIN));
                    let _ = std::thread::Builder::new()
                        .name("udp-lab-collector".into())
                        .spawn(move || {
                            this.serve(stream);
                            *open
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner) -= 1;
                        });
                }
                this.shared.kill_if_overdue();
                if let Some(status) = this.ended() {
                    break status;
                }
                std::thread::sleep(TICK);
            };
            for p in pipes {
                let _ = p.join();
            }
            this.finish(exit);
        }

        fn serve(&self, mut stream: TcpStream) {
            let mut lines = LineSplitter::default();
            let mut trusted = false;
            let mut buf = [0u8; 16 * 1024];
            loop {
                let n = match stream.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let mut keep = true;
                lines.feed(&buf[..n], |line| {
                    if keep {
                        let (line, k) = self.parse(&mut trusted, line);
                        if let Some(line) = line {
                            self.report(line.report);
                        }
                        keep = k;
                    }
                });
                if !keep {
                    self.shared.strangers.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                if trusted {
                    let _ = stream.set_read_timeout(None);
                }
            }
        }
    }
}
