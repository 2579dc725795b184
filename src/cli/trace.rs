//! `udp-lab trace SCRIPT.py ARGS…`: runs the student's script under the
//! tracer and prints, in the order they happened, its output and one line
//! per socket call (`server.py:12  bind(('127.0.0.1', 12345)) → ok`), each
//! mistake in plain words after the call it concerns. Exits with the
//! script's exit code.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use udp_lab::lab::diagnose::{Diagnoser, NoFacts};
use udp_lab::lab::traced::{Steps, call_line};
use udp_lab::net::trace::{Report, file_name};
use udp_lab::net::{
    self, NetEvent, ScriptEvent, ScriptEventKind, ScriptHandle, ScriptRequest, Stream,
};

use udp_lab::lab::i18n::cli::C;
use udp_lab::lab::i18n::{T, fill};
use udp_lab::net::ScriptError;

use super::output::signals;
use super::{lang, say, warn};

pub fn run(
    python: Option<PathBuf>,
    script: PathBuf,
    args: Vec<String>,
    recorder: Option<super::lesson::Recorder>,
) -> ExitCode {
    // Before any thread starts (they inherit the blocked signals): Ctrl-C
    // stops the script, which runs in a process group of its own and so
    // does not get the terminal's signal itself.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<Arc<ScriptHandle>>();
    let caught = signals::catch(move || {
        if let Ok(handle) = stop_rx.recv() {
            handle.stop();
        }
    });
    // Without caught signals (not Linux) Ctrl-C reaches only us; the
    // script's process group is still killed when the handle drops.
    let _ = caught;
    let (sink, queue) = net::event_channel(65_536, Arc::new(|| {}));
    // `--save`: every event recorded on its way to the printer.
    let sink = match &recorder {
        Some(recorder) => recorder.tee(sink),
        None => sink,
    };
    let name = file_name(&script.to_string_lossy()).to_owned();
    let request = ScriptRequest {
        script,
        args,
        python,
        cwd: None,
    };
    let handle = match net::spawn_script(request, sink) {
        Ok(h) => Arc::new(h),
        Err(e) => {
            let _ = warn(format_args!("udp-lab: {}", error_text(&e)));
            return ExitCode::from(2);
        }
    };
    let _ = stop_tx.send(handle.clone());
    forward_stdin(&handle);
    let mut printer = Printer {
        diagnoser: Diagnoser::default(),
        steps: Steps::default(),
        gone: false,
        handle: &handle,
    };
    let status = loop {
        let wait = printer
            .diagnoser
            .next_tick()
            .and_then(|t| t.duration_since(SystemTime::now()).ok())
            .unwrap_or(Duration::from_secs(3600));
        match queue.recv_timeout(wait) {
            Some(NetEvent::Script(ev)) => {
                if let Some(status) = printer.event(ev, &name) {
                    break status;
                }
            }
            Some(_) => {}
            None => {
                let found = printer.diagnoser.tick(SystemTime::now(), &NoFacts);
                for d in found {
                    printer.say(format_args!("  ! {}", d.text(lang())));
                }
                printer.exchanges();
            }
        }
    };
    drop(printer);
    if let Some(recorder) = &recorder {
        recorder.save();
    }
    signals::end_if_caught();
    let (code, signal) = status;
    match (code, signal) {
        (Some(code), _) => ExitCode::from(u8::try_from(code & 0xff).unwrap_or(1)),
        (None, Some(sig)) => ExitCode::from(u8::try_from(128 + (sig & 0x7f)).unwrap_or(1)),
        (None, None) => ExitCode::FAILURE,
    }
}

/// Our stdin goes to the script's (for its `input()`); at our end, its
/// stdin closes too.
fn forward_stdin(handle: &Arc<ScriptHandle>) {
    let handle = handle.clone();
    let _ = std::thread::Builder::new()
        .name("udp-lab-stdin".into())
        .spawn(move || {
            let mut buf = [0u8; 4096];
            let mut stdin = std::io::stdin();
            loop {
                match stdin.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if handle.write_stdin(&buf[..n]).is_err() {
                            break;
                        }
                    }
                }
            }
            handle.close_stdin();
        });
}

struct Printer<'a> {
    diagnoser: Diagnoser,
    steps: Steps,
    /// Our stdout was closed (`| head -1`): the script is stopped, as
    /// `python script.py | head -1` would end by its broken pipe.
    gone: bool,
    handle: &'a ScriptHandle,
}

impl Printer<'_> {
    fn say(&mut self, line: std::fmt::Arguments<'_>) {
        if !self.gone && say(line).is_err() {
            self.lost();
        }
    }

    fn warn(&mut self, line: std::fmt::Arguments<'_>) {
        if !self.gone && warn(line).is_err() {
            self.lost();
        }
    }

    /// The web server's requests answered (or not) since the last call:
    /// one line each, naming the connection.
    fn exchanges(&mut self) {
        let lang = lang();
        for ex in self.diagnoser.take_exchanges() {
            let request = ex
                .request
                .unwrap_or_else(|| C::TraceHttpNoRequest.get(lang).to_owned());
            let status = ex
                .status
                .unwrap_or_else(|| C::TraceHttpNoResponse.get(lang).to_owned());
            let line = fill(
                C::TraceHttpExchange.get(lang),
                &[
                    ("sock", &ex.sock),
                    ("peer", &ex.peer),
                    ("request", &request),
                    ("status", &status),
                ],
            );
            self.say(format_args!("{line}"));
        }
    }

    fn lost(&mut self) {
        self.gone = true;
        self.handle.stop();
    }

    /// Prints one event; Some((code, signal)) when the script has ended.
    fn event(&mut self, ev: ScriptEvent, name: &str) -> Option<(Option<i32>, Option<i32>)> {
        match ev.kind {
            ScriptEventKind::Started { .. } => {}
            ScriptEventKind::Output { stream, text, .. } => match stream {
                Stream::Stdout => self.say(format_args!("{text}")),
                Stream::Stderr => self.warn(format_args!("{text}")),
            },
            ScriptEventKind::Report(report) => {
                if let Report::Call(call) = report.as_ref() {
                    let step = self.steps.step(call);
                    let line = call_line(call, step, lang());
                    self.say(format_args!("{line}"));
                }
                for d in self.diagnoser.report(&report, &NoFacts) {
                    self.say(format_args!("  ! {}", d.text(lang())));
                }
                self.exchanges();
            }
            ScriptEventKind::Exited {
                code,
                signal,
                stopped,
                interrupted,
                killed,
            } => {
                let lang = lang();
                for d in self.diagnoser.exited(code, stopped) {
                    self.say(format_args!("  ! {}", d.text(lang)));
                }
                self.exchanges();
                let file: &dyn std::fmt::Display = &name;
                match (interrupted, killed) {
                    (true, false) => self.say(format_args!(
                        "{}",
                        fill(T::ScriptStoppedByCtrlC.get(lang), &[("file", file)])
                    )),
                    (true, true) => self.say(format_args!(
                        "{}",
                        fill(T::ScriptKilledAfterCtrlC.get(lang), &[("file", file)])
                    )),
                    _ => {
                        let mut how = match (code, signal) {
                            (Some(c), _) => fill(C::ScriptExitCode.get(lang), &[("code", &c)]),
                            (None, Some(s)) => fill(C::ScriptSignal.get(lang), &[("signal", &s)]),
                            (None, None) => C::ScriptEndedPlain.get(lang).to_owned(),
                        };
                        if stopped {
                            how.push_str(C::ScriptStopped.get(lang));
                        }
                        let line = fill(
                            C::ScriptEndedLine.get(lang),
                            &[("file", &name), ("how", &how)],
                        );
                        self.say(format_args!("{line}"));
                    }
                }
                return Some((code, signal));
            }
        }
        None
    }
}

/// Why the script did not start, in the window's words where they fit the
/// command line too.
fn error_text(e: &ScriptError) -> String {
    let lang = lang();
    match e {
        // The window's sentence points at its own settings.
        ScriptError::PythonNotFound => C::PythonNotFound.get(lang).to_owned(),
        ScriptError::Interpreter { path, message } => fill(
            T::ScriptErrInterpreter.get(lang),
            &[("path", &path.display()), ("reason", message)],
        ),
        ScriptError::ScriptMissing { path } => {
            fill(T::ScriptErrMissing.get(lang), &[("path", &path.display())])
        }
        // The English keeps the net layer's "Cannot <what>: …".
        ScriptError::Io { .. } if lang == udp_lab::lab::i18n::Lang::En => e.to_string(),
        ScriptError::Io { message, .. } => fill(T::ScriptErrIo.get(lang), &[("reason", message)]),
    }
}
