//! The headless command line. Speaks the user's language (`--lang`, else the
//! locale) but prints the lab's own lines ("Server is listening on …",
//! "Message from client: …", "Response from server: …") exactly as the
//! handout's scripts do, so students can compare.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use udp_lab::lab::i18n::{self, Lang, T, fill};
use udp_lab::lab::text as format;
use udp_lab::net::{
    self, Impairments, NetError, NetEvent, Received, ReplyMode, ServerConfig, ServerEventKind,
    ServerSettings,
};

mod args;
mod clap_error;
mod client;
mod http;
mod lesson;
mod localize;
pub use args::{Args, CliCommand};
pub use localize::{choose as choose_lang, lang, parse};

/// A windows-subsystem build has no console: attach to the terminal that
/// started us, so `udp-lab client` and `--help` still print there.
pub fn attach_parent_console() {
    #[cfg(windows)]
    // unsafe: AttachConsole is a raw Win32 call.
    // SAFETY: a plain Win32 call; failure (no parent console) is harmless.
    #[allow(unsafe_code)]
    unsafe {
        windows_sys::Win32::System::Console::AttachConsole(
            windows_sys::Win32::System::Console::ATTACH_PARENT_PROCESS,
        );
    }
}

pub fn run(command: CliCommand) -> ExitCode {
    let result = match command {
        CliCommand::Server {
            bind,
            reply,
            echo,
            no_reply,
            buffer,
            network,
            join,
            interface,
            encoding,
            save,
            tcp,
            backlog,
            reuse_addr,
            web,
        } => {
            if web.http {
                if let Err(e) = tcp::refuse_simulator(&network.into(), "--http") {
                    let _ = warn(format_args!("udp-lab: {e}"));
                    return ExitCode::FAILURE;
                }
                let bind = if http::bind_given() {
                    bind
                } else {
                    net::http::DEFAULT_HTTP_ADDR.to_owned()
                };
                return http::server(&bind, web.root);
            } else if web.root.is_some() {
                return http::stray_flag("--root");
            }
            set_encoding(encoding);
            if tcp && let Err(e) = tcp::refuse_simulator(&network.into(), "--tcp") {
                let _ = warn(format_args!("udp-lab: {e}"));
                return ExitCode::FAILURE;
            }
            let reply = if echo {
                ReplyMode::Echo
            } else if no_reply {
                ReplyMode::None
            } else {
                match encoding.encode(&reply) {
                    Ok(bytes) => ReplyMode::Fixed(Arc::from(bytes)),
                    Err(e) => {
                        let e = udp_lab::lab::text::encode_error(lang(), &e);
                        let _ = warn(format_args!("udp-lab: --reply: {e}"));
                        return ExitCode::FAILURE;
                    }
                }
            };
            let join = join.map(|group| net::Join {
                group,
                interface,
                ifindex: if group.is_ipv6() {
                    net::ipv6_ifindex(interface)
                } else {
                    0
                },
            });
            if tcp {
                tcp::server(&tcp::ServerOpts {
                    bind: &bind,
                    reply,
                    buffer,
                    backlog,
                    reuse_addr,
                    recorder: save.map(lesson::Recorder::new),
                })
            } else {
                let recorder = save.map(lesson::Recorder::new);
                server(&bind, reply, buffer, network.into(), join, recorder)
            }
        }
        CliCommand::Client {
            to,
            broadcast,
            ttl,
            no_multicast_loop,
            encoding,
            timeout,
            buffer,
            count,
            interval,
            network,
            save,
            tcp,
            pieces,
            piece_delay,
            shutdown,
            message,
            web,
        } => {
            if let Some(url) = web.url {
                if let Err(e) = tcp::refuse_simulator(&network.into(), "--http") {
                    let _ = warn(format_args!("udp-lab: {e}"));
                    return ExitCode::FAILURE;
                }
                return http::client(&url, &web.header, timeout);
            } else if !web.header.is_empty() {
                return http::stray_flag("--header");
            }
            set_encoding(encoding);
            let message = match encoding.encode(&message) {
                Ok(bytes) => bytes,
                Err(e) => {
                    let e = udp_lab::lab::text::encode_error(lang(), &e);
                    let _ = warn(format_args!("udp-lab: {e}"));
                    return ExitCode::FAILURE;
                }
            };
            if tcp {
                if let Err(e) = tcp::refuse_simulator(&network.into(), "--tcp") {
                    let _ = warn(format_args!("udp-lab: {e}"));
                    return ExitCode::FAILURE;
                }
                return finish(tcp::client(&tcp::ClientOpts {
                    to: to.unwrap_or_else(|| net::DEFAULT_ADDR.to_owned()),
                    message,
                    timeout,
                    buffer,
                    pieces,
                    piece_delay,
                    shutdown,
                    recorder: save.map(lesson::Recorder::new),
                }));
            }
            client::client(&client::ClientOpts {
                to: to.unwrap_or_else(|| {
                    if broadcast {
                        format!("255.255.255.255:{}", net::DEFAULT_PORT)
                    } else {
                        net::DEFAULT_ADDR.to_owned()
                    }
                }),
                reach: net::Reach {
                    broadcast,
                    ttl,
                    multicast_loop: no_multicast_loop.then_some(false),
                },
                timeout,
                buffer,
                count,
                interval,
                network: network.into(),
                message,
                save: save.map(lesson::Recorder::new),
            })
        }
        CliCommand::Find {
            port,
            timeout,
            message,
        } => client::find(port, timeout, &message),
        CliCommand::Trace {
            python,
            save,
            script,
            args,
        } => return trace::run(python, script, args, save.map(lesson::Recorder::new)),
        CliCommand::Show { file } => return lesson::show(&file),
    };
    finish(result)
}

/// The exit code, and the error said in plain words.
fn finish(result: Result<(), NetError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Nowhere to say it when stderr is closed too; the exit code says it.
            let _ = warn(format_args!("udp-lab: {}", error_text(&e)));
            ExitCode::FAILURE
        }
    }
}

mod output;
mod tcp;
mod trace;

use output::{Gone, Lines, signals};

fn say(line: std::fmt::Arguments<'_>) -> Result<(), Gone> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|_| Gone)
}

fn warn(line: std::fmt::Arguments<'_>) -> Result<(), Gone> {
    let mut err = std::io::stderr().lock();
    writeln!(err, "{line}")
        .and_then(|()| err.flush())
        .map_err(|_| Gone)
}

/// An error in the CLI's language, in the window's words. English keeps
/// the net layer's own wording (the same sentences; the table's English is
/// checked against it).
fn error_text(e: &NetError) -> String {
    match lang() {
        Lang::En => e.to_string(),
        lang => i18n::net_error(lang, e),
    }
}

/// The note after a truncated datagram, as the window words it.
fn truncation_note(rx: &Received) -> String {
    let read = rx.bytes.len();
    if rx.len > read {
        fill(
            T::TRUNCATED.get(lang()),
            &[("read", &read), ("len", &rx.len)],
        )
    } else {
        // The OS did not tell the real length (no MSG_TRUNC).
        fill(
            T::AnatomyTruncatedUnknownLen.get(lang()),
            &[("read", &read)],
        )
    }
}

/// The CLI's one encoding (`--encoding`), set once before anything prints.
static ENCODING: std::sync::OnceLock<format::Encoding> = std::sync::OnceLock::new();

fn set_encoding(encoding: format::Encoding) {
    let _ = ENCODING.set(encoding);
}

/// A payload on one line, as the window's incoming list shows it.
fn payload(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Some(&encoding) = ENCODING.get()
        && encoding != format::Encoding::Utf8
    {
        return encoding.decode(bytes).into();
    }
    // Printable ASCII but the backslash reads as it is, the common case
    // under a flood: no copy (formatting was a quarter of the server's
    // instructions per datagram).
    let as_is = |b: &u8| (b' '..=b'~').contains(b) && *b != b'\\';
    if !bytes.is_empty()
        && bytes.iter().all(as_is)
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return text.into();
    }
    format::payload_line(bytes, usize::MAX, 64, lang()).into()
}

fn channel() -> (net::EventSink<NetEvent>, net::EventQueue<NetEvent>) {
    net::event_channel(65_536, Arc::new(|| {}))
}

fn server(
    bind: &str,
    reply: ReplyMode,
    buffer: usize,
    network: Impairments,
    join: Option<net::Join>,
    recorder: Option<lesson::Recorder>,
) -> Result<(), NetError> {
    let bind = net::parse_addr(bind, false)?;
    if let (Some(join), net::Host::Ip(ip)) = (&join, &bind.host)
        && !ip.is_unspecified()
        && *ip != join.group
    {
        // Checked here, in the window's words: the kernel would join, and
        // the socket would never hear the group.
        let any = if join.group.is_ipv4() {
            "0.0.0.0"
        } else {
            "[::]"
        };
        return Err(NetError::Io {
            call: "bind",
            message: fill(
                T::ErrJoinNeedsAll.get(lang()),
                &[
                    ("ip", ip),
                    ("group", &join.group),
                    ("any", &format!("{any}:{}", bind.port)),
                ],
            ),
        });
    }
    let settings = ServerSettings {
        reply,
        buffer,
        reply_rate_limit: None,
        network,
    };
    // Before the worker starts, so it inherits the blocked signals; a
    // signal stops the worker, whose last events are printed below.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<Arc<net::ServerHandle>>();
    let caught = signals::catch(move || {
        if let Ok(handle) = stop_rx.recv() {
            handle.stop();
        }
    });
    // The socket thread prints each message itself, as the lab's server
    // does: handing each datagram to another thread cost more than printing
    // it. This thread writes buffered lines out when they are due and waits
    // for the end.
    let out = Arc::new(std::sync::Mutex::new(ServerOut {
        lines: Lines::stdout(caught),
        gone: false,
    }));
    let (note_tx, notes) = std::sync::mpsc::channel::<Note>();
    let printer = out.clone();
    let recorder_in_sink = recorder.clone();
    let sink = net::inline_sink(move |events: Vec<NetEvent>| {
        let Ok(mut p) = printer.lock() else { return };
        let note = |note| {
            let _ = note_tx.send(note);
        };
        let was_buffered = p.lines.is_buffered();
        for event in events {
            if let Some(recorder) = &recorder_in_sink {
                recorder.record(&event);
            }
            let ended = if p.gone {
                // Nothing can be shown any more; only the end matters.
                match event {
                    NetEvent::Server(ev) => match ev.kind {
                        ServerEventKind::Failed { error } => Some(Err(error)),
                        ServerEventKind::Stopped => Some(Ok(())),
                        _ => None,
                    },
                    _ => None,
                }
            } else {
                match print_event(event, &mut p.lines) {
                    Ok(end) => end,
                    Err(Gone) => {
                        p.gone = true;
                        note(Note::Gone);
                        None
                    }
                }
            };
            if let Some(end) = ended {
                note(Note::End(end));
            }
        }
        if !was_buffered && p.lines.is_buffered() {
            note(Note::Buffered);
        }
    });
    let handle = Arc::new(net::spawn_server(
        ServerConfig {
            bind,
            settings,
            join,
        },
        sink,
    )?);
    let _ = stop_tx.send(handle.clone());
    let result = wait_for_end(&out, &notes);
    let gone = out
        .lock()
        .map_or(true, |mut p| p.gone || p.lines.flush().is_err());
    // `--save`: before a caught signal ends the process by itself.
    if let Some(recorder) = &recorder {
        recorder.save();
    }
    match result {
        Some(Err(error)) if !gone => Err(error),
        // Stopped by a signal: end by it. A reader that went away ends the
        // server quietly, with exit 0.
        _ => {
            signals::end_if_caught();
            Ok(())
        }
    }
}

/// The CLI server's stdout, shared by its socket thread (printing) and the
/// main thread (flushing when lines are due).
struct ServerOut {
    lines: Lines,
    /// Stdout was closed: nothing more is printed.
    gone: bool,
}

/// What the socket thread tells the main thread.
enum Note {
    /// A line was buffered where none was: write it out within the time.
    Buffered,
    /// Stdout is gone: the server should end.
    Gone,
    /// The server stopped (Ok) or failed.
    End(Result<(), NetError>),
}

/// Writes buffered lines out when due, until the server ends (Some) or
/// stdout is gone (None).
fn wait_for_end(
    out: &std::sync::Mutex<ServerOut>,
    notes: &std::sync::mpsc::Receiver<Note>,
) -> Option<Result<(), NetError>> {
    use std::sync::mpsc::RecvTimeoutError;
    loop {
        // Idle: sleep until the next note, or until buffered lines are due.
        let wait = out
            .lock()
            .ok()?
            .lines
            .due_in()
            .unwrap_or(Duration::from_secs(3600));
        match notes.recv_timeout(wait) {
            Ok(Note::Buffered) => {}
            Ok(Note::Gone) | Err(RecvTimeoutError::Disconnected) => return None,
            Ok(Note::End(end)) => return Some(end),
            Err(RecvTimeoutError::Timeout) => {
                let mut p = out.lock().ok()?;
                if p.lines.flush_if_due().is_err() {
                    p.gone = true;
                    return None;
                }
            }
        }
    }
}

/// Prints one event; Some when the server has ended (stopped or failed).
fn print_event(event: NetEvent, out: &mut Lines) -> Result<Option<Result<(), NetError>>, Gone> {
    let NetEvent::Server(ev) = event else {
        return Ok(None);
    };
    match ev.kind {
        ServerEventKind::Listening { addr } => {
            out.line(format_args!(
                "Server is listening on {}",
                net::describe_addr(&addr)
            ))?;
            if addr.ip().is_unspecified() {
                out.before_stderr()?;
                warn(format_args!("{}", T::ExposedAllInterfaces.get(lang())))?;
            }
        }
        ServerEventKind::Datagram { rx, .. } => {
            out.message("Message from client: ", &payload(&rx.bytes))?;
            if rx.truncated {
                out.before_stderr()?;
                warn(format_args!("  ({})", truncation_note(&rx)))?;
            }
        }
        ServerEventKind::SockOpt(opt) => {
            out.line(format_args!("{opt}"))?;
        }
        ServerEventKind::Failed { error } => return Ok(Some(Err(error))),
        ServerEventKind::Stopped => return Ok(Some(Ok(()))),
        ServerEventKind::Socket { .. } => {}
    }
    Ok(None)
}

#[cfg(test)]
mod payload_tests;
