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

use super::{ScriptEvent, ScriptEventKind, Shared, Stream, TracerDir, exit_parts};
use crate::net::trace::{Line, LineError, LineSplitter, MAX_LINE, Report, parse_line};
use crate::net::{EventSink, NetEvent};

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
mod poll;

#[cfg(not(target_os = "linux"))]
mod threads;
