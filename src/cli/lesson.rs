//! Issue 26 on the command line: `udp-lab show FILE` prints a lesson saved
//! by UDP Lab (its socket calls, as the window's Socket calls view words
//! them) or any capture (one line per UDP datagram, the handout's words);
//! `server`, `client` and `trace` take `--save FILE` and write their
//! session there when they end (Ctrl-C included).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use udp_lab::app::i18n::{call_text, step_text};
use udp_lab::lab::capture::{self, Progress, Recorded};
use udp_lab::lab::i18n::cli::C;
use udp_lab::lab::i18n::{T, fill};
use udp_lab::lab::session::{Session, Side};
use udp_lab::lab::text::{clock, payload_line};
use udp_lab::net::{EventSink, NetEvent};

use super::{lang, say, warn};

/// The session a CLI command records for `--save`.
#[derive(Clone)]
pub struct Recorder {
    session: Arc<Mutex<Session>>,
    path: PathBuf,
}

impl Recorder {
    pub fn new(path: PathBuf) -> Self {
        Self {
            session: Arc::default(),
            path,
        }
    }

    pub fn record(&self, event: &NetEvent) {
        if let Ok(mut session) = self.session.lock() {
            session.record(event);
        }
    }

    /// `sink`, with every event recorded on its way.
    pub fn tee(&self, sink: EventSink<NetEvent>) -> EventSink<NetEvent> {
        let recorder = self.clone();
        udp_lab::net::inline_sink(move |events: Vec<NetEvent>| {
            for event in &events {
                recorder.record(event);
            }
            sink.send_many(events);
        })
    }

    /// Writes the file and says so on stderr (stdout is the lab's lines);
    /// false when it could not be written.
    pub fn save(&self) -> bool {
        let Ok(session) = self.session.lock() else {
            return false;
        };
        let input = capture::SaveInput {
            session: &session,
            settings_ron: None,
        };
        match capture::save(&self.path, &input, &Progress::default()) {
            Ok(saved) => {
                let _ = warn(format_args!(
                    "{}",
                    fill(
                        C::SessionSaved.get(lang()),
                        &[("path", &self.path.display()), ("packets", &saved.packets)],
                    )
                ));
                let connections = session.streams.list.len();
                if connections > 0 {
                    let _ = warn(format_args!(
                        "{}",
                        fill(C::SessionTcpKept.get(lang()), &[("count", &connections)])
                    ));
                }
                true
            }
            Err(e) => {
                let _ = warn(format_args!(
                    "udp-lab: {}",
                    fill(
                        C::SessionNotSaved.get(lang()),
                        &[("reason", &e.text(lang()))]
                    )
                ));
                false
            }
        }
    }
}

/// `udp-lab show FILE`.
pub fn show(path: &Path) -> ExitCode {
    let lang = lang();
    let opened = match capture::open(path, &Progress::default()) {
        Ok(opened) => opened,
        Err(e) => {
            let _ = warn(format_args!("udp-lab: {}", e.text(lang)));
            return ExitCode::FAILURE;
        }
    };
    let file = path.display();
    let printed = match opened.recorded {
        Recorded::Session {
            events, saved_at, ..
        } => {
            let mut session = Session::default();
            for event in &events {
                session.record(event);
            }
            let local: chrono::DateTime<chrono::Local> = saved_at.into();
            let when = local.format("%Y-%m-%d %H:%M:%S").to_string();
            let head = fill(
                C::ShowSession.get(lang),
                &[
                    ("file", &file),
                    ("when", &when),
                    ("calls", &session.trace.len()),
                    ("datagrams", &session.datagrams.len()),
                ],
            );
            say(format_args!("{head}")).and_then(|()| print_session(&session))
        }
        Recorded::Capture(imported) => {
            let mut head = fill(
                C::ShowCapture.get(lang),
                &[
                    ("file", &file),
                    ("udp", &imported.udp),
                    ("packets", &imported.packets),
                ],
            );
            if !imported.skipped.is_empty() {
                let list = imported
                    .skipped
                    .iter()
                    .map(|(what, n)| format!("{n} {}", capture::skipped_name(what, lang)))
                    .collect::<Vec<_>>()
                    .join(", ");
                head.push_str(&fill(C::ShowSkipped.get(lang), &[("list", &list)]));
            }
            if imported.left_out > 0 {
                head.push_str(&fill(
                    C::ShowLeftOut.get(lang),
                    &[("n", &imported.left_out)],
                ));
            }
            say(format_args!("{head}")).and_then(|()| print_session(&imported.session))
        }
    };
    // A reader that went away (`| head`) is not the file's fault.
    let _ = printed;
    ExitCode::SUCCESS
}

/// The calls when there are any, else one line per datagram.
fn print_session(session: &Session) -> Result<(), super::output::Gone> {
    let lang = lang();
    if !session.trace.is_empty() {
        for row in &session.trace {
            let side = match row.side {
                Side::Server => T::Server.get(lang).to_owned(),
                Side::Client => T::Client.get(lang).to_owned(),
                Side::Script(id) => session
                    .scripts
                    .name(id)
                    .unwrap_or(T::ScriptForgotten.get(lang))
                    .to_owned(),
            };
            let site = row
                .script
                .as_ref()
                .and_then(|c| c.site.as_ref())
                .map(|(file, line)| format!("  {}:{line}", udp_lab::net::trace::file_name(file)))
                .unwrap_or_default();
            say(format_args!(
                "{}  {side}  {}{site}  {}",
                clock(row.at),
                step_text(lang, row.lab_step()),
                call_text(lang, &row.call)
            ))?;
        }
        return Ok(());
    }
    say(format_args!("{}", C::ShowNoCalls.get(lang)))?;
    for d in &session.datagrams {
        let at = d.sent_at.or(d.received_at);
        let at = at.map(clock).unwrap_or_default();
        let bytes = fill(T::TracedBytes.get(lang), &[("n", &d.len)]);
        say(format_args!(
            "{at} {} → {} {bytes} '{}'",
            d.from,
            d.to,
            payload_line(&d.bytes, 200, 64, lang)
        ))?;
    }
    Ok(())
}
