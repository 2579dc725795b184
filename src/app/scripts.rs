//! The student's own Python scripts in the window (issue 14): each run's
//! console (its output, its socket calls and the mistakes they show, in
//! the order they happened), its Stop and its end. The scripts run on
//! `net::spawn_script`; this is their state and how events change it.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::lab::diagnose::{Diagnoser, Diagnosis};
use crate::lab::i18n::{Lang, T, fill};
use crate::lab::session::{RunFacts, Session};
use crate::lab::traced::{Step, Steps, call_line};
use crate::net::trace::{Report, TracedCall, file_name};
use crate::net::{
    self, EventSink, NetEvent, ScriptError, ScriptEvent, ScriptEventKind, ScriptHandle,
    ScriptRequest, Stream,
};

/// Lines a console keeps; older ones are dropped (and counted).
pub const CONSOLE_LINES: usize = 2_000;
/// Diagnoses a run keeps in its list (each is in the console too).
pub const DIAGNOSES: usize = 100;
/// Scripts remembered in "Recent".
pub const RECENT: usize = 8;

/// What the script window remembers between sessions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScriptSettings {
    /// The .py file to run.
    pub path: String,
    /// Its arguments, as typed (quotes group words).
    pub args: String,
    /// The interpreter; empty: python3 or python on PATH.
    pub python: String,
    /// The last scripts run, newest first.
    pub recent: Vec<String>,
}

/// One line of a run's console.
#[derive(Clone, Debug, PartialEq)]
pub enum ConsoleLine {
    Stdout(String),
    Stderr(String),
    /// A socket call, worded when drawn (in the window's language):
    /// `server.py:12  bind(('127.0.0.1', 12345)) → ok  [server step 5]`.
    Call {
        call: Box<TracedCall>,
        step: Option<Step>,
    },
    Diagnosis(Diagnosis),
}

impl ConsoleLine {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            ConsoleLine::Stdout(t) | ConsoleLine::Stderr(t) => t.clone(),
            ConsoleLine::Call { call, step } => call_line(call, *step, lang),
            ConsoleLine::Diagnosis(d) => format!("! {}", d.text(lang)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Ended {
        code: Option<i32>,
        signal: Option<i32>,
        stopped: bool,
        /// Stop sent Ctrl-C; it was then killed (or it ended on it).
        interrupted: bool,
        killed: bool,
    },
}

/// One run of a script.
pub struct ScriptRun {
    pub run: u64,
    /// "server.py".
    pub file: String,
    pub pid: u32,
    pub status: RunStatus,
    pub console: VecDeque<ConsoleLine>,
    /// Lines dropped off the top of the console.
    pub dropped: u64,
    /// The mistakes found so far (the latest [`DIAGNOSES`]), listed above
    /// the console.
    pub diagnoses: VecDeque<Diagnosis>,
    /// The input line being typed for its stdin.
    pub input: String,
    handle: Option<ScriptHandle>,
    diagnoser: Diagnoser,
    steps: Steps,
}

impl ScriptRun {
    fn diagnosis(&mut self, d: Diagnosis) {
        if self.diagnoses.len() >= DIAGNOSES {
            self.diagnoses.pop_front();
        }
        self.diagnoses.push_back(d.clone());
        self.push(ConsoleLine::Diagnosis(d));
    }

    fn push(&mut self, line: ConsoleLine) {
        if self.console.len() >= CONSOLE_LINES {
            self.console.pop_front();
            self.dropped += 1;
        }
        self.console.push_back(line);
    }

    /// "server.py: running (pid 123)", "server.py: ended, exit code 0".
    pub fn status_text(&self, lang: Lang) -> String {
        let file = &self.file;
        match self.status {
            RunStatus::Running => fill(
                T::ScriptRunning.get(lang),
                &[("file", file), ("pid", &self.pid)],
            ),
            RunStatus::Ended {
                interrupted: true,
                killed,
                ..
            } => {
                let key = if killed {
                    T::ScriptKilledAfterCtrlC
                } else {
                    T::ScriptStoppedByCtrlC
                };
                fill(key.get(lang), &[("file", file)])
            }
            RunStatus::Ended {
                code,
                signal,
                stopped,
                ..
            } => {
                let mut text = match (code, signal) {
                    (Some(code), _) => fill(
                        T::ScriptExitCode.get(lang),
                        &[("file", file), ("code", &code)],
                    ),
                    (None, Some(signal)) => fill(
                        T::ScriptSignal.get(lang),
                        &[("file", file), ("signal", &signal)],
                    ),
                    (None, None) => fill(T::ScriptEnded.get(lang), &[("file", file)]),
                };
                if stopped {
                    text.push_str(T::ScriptStoppedNote.get(lang));
                }
                text
            }
        }
    }

    /// Stops the script and whatever it started.
    pub fn stop(&self) {
        if let Some(h) = &self.handle {
            h.stop();
        }
    }

    /// Sends a line to its stdin.
    pub fn send_line(&self, line: &str) -> bool {
        self.handle
            .as_ref()
            .is_some_and(|h| h.write_stdin(format!("{line}\n").as_bytes()).is_ok())
    }
}

/// Every script run in this window.
#[derive(Default)]
pub struct ScriptsState {
    /// The "Python scripts" window is shown.
    pub open: bool,
    pub runs: Vec<ScriptRun>,
    /// Why the last Run did not start.
    pub error: Option<ScriptError>,
    /// "Browse…": the script picker while it is open.
    pub picker: Option<crate::app::tools::file_picker::FilePicker>,
}

/// Words and quoted groups: `127.0.0.1 0 "Hello, server"`.
pub fn split_args(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    let mut any = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !current.is_empty() {
                    args.push(std::mem::take(&mut current));
                    any = false;
                }
            }
            (None, c) => current.push(c),
        }
    }
    if any || !current.is_empty() {
        args.push(current);
    }
    args
}

/// The window's words for why a script did not start.
pub fn error_text(lang: Lang, e: &ScriptError) -> String {
    match e {
        ScriptError::PythonNotFound => T::ScriptErrPythonNotFound.get(lang).to_owned(),
        ScriptError::Interpreter { path, message } => fill(
            T::ScriptErrInterpreter.get(lang),
            &[("path", &path.display()), ("reason", message)],
        ),
        ScriptError::ScriptMissing { path } => {
            fill(T::ScriptErrMissing.get(lang), &[("path", &path.display())])
        }
        ScriptError::Io { message, .. } => fill(T::ScriptErrIo.get(lang), &[("reason", message)]),
    }
}

impl ScriptsState {
    /// Runs the script the settings name; remembers it in Recent.
    pub fn start(&mut self, settings: &mut ScriptSettings, sink: EventSink<NetEvent>) {
        let path = settings.path.trim().to_owned();
        let python = settings.python.trim();
        let request = ScriptRequest {
            script: PathBuf::from(&path),
            args: split_args(&settings.args),
            python: (!python.is_empty()).then(|| PathBuf::from(python)),
            // Where the script is: it may open files beside it.
            cwd: PathBuf::from(&path)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(PathBuf::from),
        };
        match net::spawn_script(request, sink) {
            Ok(handle) => {
                self.error = None;
                settings.recent.retain(|p| *p != path);
                settings.recent.insert(0, path.clone());
                settings.recent.truncate(RECENT);
                self.runs.insert(
                    0,
                    ScriptRun {
                        run: handle.run,
                        file: file_name(&path).to_owned(),
                        pid: handle.pid,
                        status: RunStatus::Running,
                        console: VecDeque::new(),
                        dropped: 0,
                        diagnoses: VecDeque::new(),
                        input: String::new(),
                        handle: Some(handle),
                        diagnoser: Diagnoser::default(),
                        steps: Steps::default(),
                    },
                );
            }
            Err(e) => {
                self.error = Some(e);
                // Said where the user looks: the window, also when the run
                // was asked for on the command line (--run-script).
                self.open = true;
            }
        }
    }

    /// Issue 26: a saved lesson's run, replayed: its console and mistakes
    /// fill from its events as they did live, with no process behind it.
    pub(crate) fn replayed(&mut self, run: u64, script: &std::path::Path, pid: u32) {
        if self.runs.iter().any(|r| r.run == run) {
            return;
        }
        self.runs.insert(
            0,
            ScriptRun {
                run,
                file: file_name(&script.to_string_lossy()).to_owned(),
                pid,
                status: RunStatus::Running,
                console: VecDeque::new(),
                dropped: 0,
                diagnoses: VecDeque::new(),
                input: String::new(),
                handle: None,
                diagnoser: Diagnoser::default(),
                steps: Steps::default(),
            },
        );
    }

    pub fn find(&self, run: u64) -> Option<&ScriptRun> {
        self.runs.iter().find(|r| r.run == run)
    }

    pub fn stop(&self, run: u64) {
        if let Some(r) = self.find(run) {
            r.stop();
        }
    }

    /// Takes an ended run off the list.
    pub fn remove(&mut self, run: u64) {
        self.runs
            .retain(|r| r.run != run || r.status == RunStatus::Running);
    }

    /// Sends the run's input line to its stdin, shown in its console.
    pub fn send_input(&mut self, run: u64) {
        if let Some(r) = self.runs.iter_mut().find(|r| r.run == run) {
            let line = std::mem::take(&mut r.input);
            if r.send_line(&line) {
                r.push(ConsoleLine::Stdout(format!("> {line}")));
            }
        }
    }

    /// Stops every script (the window is closing).
    pub fn stop_all(&mut self) {
        for r in &self.runs {
            r.stop();
        }
    }

    /// Applies one event; `session` has recorded it already (its facts
    /// complete the diagnoses).
    pub fn apply(&mut self, ev: ScriptEvent, session: &Session) {
        let Some(r) = self.runs.iter_mut().find(|r| r.run == ev.run) else {
            return;
        };
        let facts = RunFacts {
            session,
            run: ev.run,
        };
        match ev.kind {
            ScriptEventKind::Started { pid, .. } => r.pid = pid,
            ScriptEventKind::Output { stream, text, .. } => r.push(match stream {
                Stream::Stdout => ConsoleLine::Stdout(text),
                Stream::Stderr => ConsoleLine::Stderr(text),
            }),
            ScriptEventKind::Report(report) => {
                // The call's line first, then what it shows.
                let found = r.diagnoser.report(&report, &facts);
                if let Report::Call(call) = *report {
                    let step = r.steps.step(&call);
                    r.push(ConsoleLine::Call {
                        call: Box::new(call),
                        step,
                    });
                }
                for d in found {
                    r.diagnosis(d);
                }
            }
            ScriptEventKind::Exited {
                code,
                signal,
                stopped,
                interrupted,
                killed,
            } => {
                for d in r.diagnoser.exited(code, stopped) {
                    r.diagnosis(d);
                }
                r.status = RunStatus::Ended {
                    code,
                    signal,
                    stopped,
                    interrupted,
                    killed,
                };
                // Waits for the collector, which has just sent its last event.
                if let Some(h) = r.handle.take() {
                    h.join();
                }
            }
        }
    }

    /// Diagnoses that come with time (a receive blocked too long), and
    /// when to look again.
    pub fn tick(&mut self, now: SystemTime, session: &Session) -> Option<SystemTime> {
        let mut next: Option<SystemTime> = None;
        for r in &mut self.runs {
            if r.status != RunStatus::Running {
                continue;
            }
            let facts = RunFacts {
                session,
                run: r.run,
            };
            for d in r.diagnoser.tick(now, &facts) {
                r.diagnosis(d);
            }
            if let Some(t) = r.diagnoser.next_tick() {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_split_like_a_shell_would() {
        assert_eq!(split_args("127.0.0.1  0 1"), ["127.0.0.1", "0", "1"]);
        assert_eq!(
            split_args(r#"a "Hello, server" 'x y' """#),
            ["a", "Hello, server", "x y", ""]
        );
        assert!(split_args("   ").is_empty());
    }
}
