//! The headless command line. Prints the same lines as the lab's scripts so
//! students can compare; always in English.

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use udp_lab::lab::i18n::{Lang, T, fill};
use udp_lab::lab::text as format;
use udp_lab::net::{
    self, BurstStats, ClientEventKind, ClientRequest, Impairments, NetError, NetEvent, Received,
    ReplyMode, ServerConfig, ServerEventKind, ServerSettings, SimFate,
};

mod args;
pub use args::{Args, CliCommand};

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
        } => {
            set_encoding(encoding);
            let reply = if echo {
                ReplyMode::Echo
            } else if no_reply {
                ReplyMode::None
            } else {
                match encoding.encode(&reply) {
                    Ok(bytes) => ReplyMode::Fixed(Arc::from(bytes)),
                    Err(e) => {
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
            server(&bind, reply, buffer, network.into(), join)
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
            message,
        } => {
            set_encoding(encoding);
            let message = match encoding.encode(&message) {
                Ok(bytes) => bytes,
                Err(e) => {
                    let _ = warn(format_args!("udp-lab: {e}"));
                    return ExitCode::FAILURE;
                }
            };
            client(&ClientOpts {
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
            })
        }
        CliCommand::Find {
            port,
            timeout,
            message,
        } => find(port, timeout, &message),
        CliCommand::Trace {
            python,
            script,
            args,
        } => return trace::run(python, script, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Nowhere to say it when stderr is closed too; the exit code says it.
            let _ = warn(format_args!("udp-lab: {e}"));
            ExitCode::FAILURE
        }
    }
}

mod output;
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

/// The CLI prints English (the lab's own words); the window's texts are
/// shared so both say the same.
const LANG: Lang = Lang::En;

/// The note after a truncated datagram, as the window words it.
fn truncation_note(rx: &Received) -> String {
    let read = rx.bytes.len();
    if rx.len > read {
        fill(T::TRUNCATED.get(LANG), &[("read", &read), ("len", &rx.len)])
    } else {
        // The OS did not tell the real length (no MSG_TRUNC).
        fill(T::AnatomyTruncatedUnknownLen.get(LANG), &[("read", &read)])
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
    format::payload_line(bytes, usize::MAX, 64, LANG).into()
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
) -> Result<(), NetError> {
    let bind = net::parse_addr(bind, false)?;
    if let (Some(join), net::Host::Ip(ip)) = (&join, &bind.host)
        && !ip.is_unspecified()
        && *ip != join.group
    {
        // Checked here (the window has its own words): the kernel would
        // join, and the socket would never hear the group.
        return Err(NetError::Io {
            call: "bind",
            message: format!(
                "a socket bound to {ip} does not hear the group {}: bind to {}:{} instead",
                join.group,
                if join.group.is_ipv4() {
                    "0.0.0.0"
                } else {
                    "[::]"
                },
                bind.port
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
    let sink = net::inline_sink(move |events: Vec<NetEvent>| {
        let Ok(mut p) = printer.lock() else { return };
        let note = |note| {
            let _ = note_tx.send(note);
        };
        let was_buffered = p.lines.is_buffered();
        for event in events {
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
                warn(format_args!("{}", T::ExposedAllInterfaces.get(LANG)))?;
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

struct ClientOpts {
    to: String,
    reach: net::Reach,
    timeout: Duration,
    buffer: usize,
    count: Option<u32>,
    interval: Duration,
    network: Impairments,
    message: Vec<u8>,
}

fn client(opts: &ClientOpts) -> Result<(), NetError> {
    let target = net::parse_addr(&opts.to, true)?;
    let timeout = opts.timeout;
    let count = opts.count.unwrap_or(1);
    let (sink, queue) = channel();
    let request = ClientRequest {
        op: 1,
        target,
        payload: Arc::from(opts.message.as_slice()),
        timeout,
        buffer: opts.buffer,
        count,
        interval: opts.interval,
        socket: None,
        network: opts.network,
        reach: opts.reach,
    };
    let handle = net::spawn_client(request, sink)?;
    let mut out = Printer {
        handle: &handle,
        gone: false,
    };
    // The lab's single line, unless a burst or the simulator calls for
    // ping-style lines and statistics.
    let collects = net::resolve(&request_target(opts)?).is_ok_and(|t| opts.reach.collects(t));
    let outcome = if collects {
        collect_report(&queue, timeout, &mut out)
    } else if count > 1 || !opts.network.is_off() {
        ping_report(&queue, &opts.to, timeout + opts.interval, &mut out)
    } else {
        lab_report(&queue, timeout, &mut out)
    };
    handle.join();
    outcome
}

/// The client's output. Once stdout or stderr is gone the client prints
/// nothing more and cancels the rest of a burst (nobody reads it); its exit
/// code still says whether it got its answers.
struct Printer<'a> {
    handle: &'a net::ClientHandle,
    gone: bool,
}

impl Printer<'_> {
    fn say(&mut self, line: std::fmt::Arguments<'_>) {
        if !self.gone && say(line).is_err() {
            self.stop();
        }
    }

    fn warn(&mut self, line: std::fmt::Arguments<'_>) {
        if !self.gone && warn(line).is_err() {
            self.stop();
        }
    }

    fn stop(&mut self) {
        self.gone = true;
        self.handle.cancel();
    }
}

/// "The answer came from A, not from B where the request went".
fn other_source_note(from: SocketAddr, to: SocketAddr) -> String {
    fill(
        T::AnswerFromOtherSource.get(LANG),
        &[("from", &from), ("to", &to)],
    )
}

/// Prints a line per datagram and the statistics; fails when nothing answered.
fn ping_report(
    queue: &net::EventQueue<NetEvent>,
    to: &str,
    step: Duration,
    out: &mut Printer<'_>,
) -> Result<(), NetError> {
    let mut stats = BurstStats::default();
    let mut header = to.to_owned();
    // Lock-step: a timeout is about the latest send.
    let mut fate = SimFate::default();
    let mut target = None;
    let mut last_error = None;
    let mut start_error = None;
    while let Some(NetEvent::Client(ev)) = queue.recv_timeout(step + Duration::from_secs(30)) {
        match ev.kind {
            ClientEventKind::Sent { to, sim, .. } => {
                stats.record_sent(sim.dropped);
                header = to.to_string();
                target = Some(to);
                fate = sim;
            }
            ClientEventKind::Response {
                seq,
                rx,
                rtt,
                other_source,
            } => {
                stats.record_answer(rtt, other_source.is_some());
                out.say(format_args!(
                    "{} bytes from {}: seq={seq} time={:.3} ms",
                    rx.len,
                    rx.from,
                    rtt.as_secs_f64() * 1000.0
                ));
                if rx.truncated {
                    out.warn(format_args!("  ({})", truncation_note(&rx)));
                }
                if let Some(sent_to) = other_source {
                    // Said once (the first such answer); the summary counts them all.
                    if stats.from_other_source == 1 {
                        out.warn(format_args!("  ({})", other_source_note(rx.from, sent_to)));
                    }
                }
            }
            ClientEventKind::TimedOut { seq, after } => {
                let secs = net::fmt_secs(after);
                if fate.dropped {
                    out.say(format_args!("seq={seq} dropped by the simulator"));
                } else if fate.reordered {
                    out.say(format_args!(
                        "seq={seq} no answer within {secs} (held back by the simulator until the next one overtakes it)"
                    ));
                } else {
                    out.say(format_args!("seq={seq} no answer within {secs}"));
                }
                last_error = Some(NetError::no_answer(target, after));
            }
            ClientEventKind::Failed {
                seq: Some(seq),
                error,
            } => {
                out.say(format_args!("seq={seq} {error}"));
                last_error = Some(error);
            }
            ClientEventKind::Failed { seq: None, error } => start_error = Some(error),
            ClientEventKind::Closed { .. } => break,
            ClientEventKind::Socket { .. } | ClientEventKind::SockOpt(_) => {}
        }
    }
    if let Some(error) = start_error {
        return Err(error);
    }
    out.say(format_args!(""));
    out.say(format_args!("--- {header} UDP statistics ---"));
    for line in stats.summary_lines() {
        out.say(format_args!("{line}"));
    }
    match last_error {
        Some(error) if stats.answered == 0 => Err(error),
        _ => Ok(()),
    }
}

fn request_target(opts: &ClientOpts) -> Result<net::ParsedAddr, NetError> {
    Ok(net::parse_addr(&opts.to, true)?)
}

/// Broadcast and multicast: a line per answer (each server once per
/// request), then how many answered; fails when none did.
fn collect_report(
    queue: &net::EventQueue<NetEvent>,
    timeout: Duration,
    out: &mut Printer<'_>,
) -> Result<(), NetError> {
    // Each server once, however many datagrams of a burst it answered.
    let mut servers: Vec<SocketAddr> = Vec::new();
    let mut outcome = Ok(());
    let mut to = None;
    while let Some(NetEvent::Client(ev)) = queue.recv_timeout(timeout + Duration::from_secs(30)) {
        match ev.kind {
            ClientEventKind::SockOpt(opt) => out.warn(format_args!("{opt}")),
            ClientEventKind::Sent { to: t, .. } => to = Some(t),
            ClientEventKind::Response { rx, rtt, .. } => {
                if !servers.contains(&rx.from) {
                    servers.push(rx.from);
                }
                out.say(format_args!(
                    "{}",
                    fill(
                        T::ResponseFrom.get(LANG),
                        &[
                            ("from", &rx.from),
                            ("rtt", &format!("{:.3} ms", rtt.as_secs_f64() * 1000.0)),
                            ("text", &payload(&rx.bytes)),
                        ],
                    )
                ));
                if rx.truncated {
                    out.warn(format_args!("  ({})", truncation_note(&rx)));
                }
            }
            ClientEventKind::TimedOut { after, .. } => {
                outcome = Err(NetError::no_answer(to, after))
            }
            ClientEventKind::Failed { error, .. } => outcome = Err(error),
            ClientEventKind::Closed { .. } => break,
            ClientEventKind::Socket { .. } => {}
        }
    }
    if !servers.is_empty() {
        out.say(format_args!(
            "{}",
            fill(T::BroadcastAnswers.get(LANG), &[("count", &servers.len())])
        ));
        // A later datagram of a burst that nobody answered does not undo
        // the answers the others got.
        return Ok(());
    }
    outcome
}

/// `udp-lab find`: the lab's request to every IPv4 interface's broadcast
/// address; a line per server that answered.
fn find(port: u16, timeout: Duration, message: &str) -> Result<(), NetError> {
    let targets = net::broadcast_targets(port);
    let found = net::find_servers(&targets, message.as_bytes(), timeout)?;
    let asked = targets
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if found.is_empty() {
        let _ = warn(format_args!(
            "udp-lab: {}",
            fill(
                T::FindNone.get(LANG),
                &[
                    ("port", &port),
                    ("secs", &net::fmt_secs(timeout)),
                    ("asked", &asked)
                ],
            )
        ));
        // The exit code says "nobody": a script can tell.
        std::process::exit(1);
    }
    let _ = say(format_args!(
        "{}",
        fill(
            T::FindFound.get(LANG),
            &[("count", &found.len()), ("port", &port)]
        )
    ));
    for server in &found {
        let _ = say(format_args!(
            "{}\t{:.3} ms\t{}",
            server.from,
            server.rtt.as_secs_f64() * 1000.0,
            payload(&server.reply)
        ));
    }
    Ok(())
}

/// Prints "Response from server: …" exactly as the lab's client does, with
/// a note on stderr when the answer was cut short or came from elsewhere.
fn lab_report(
    queue: &net::EventQueue<NetEvent>,
    timeout: Duration,
    out: &mut Printer<'_>,
) -> Result<(), NetError> {
    let mut outcome = Ok(());
    let mut to = None;
    let mut first_to = None;
    while let Some(NetEvent::Client(ev)) = queue.recv_timeout(timeout + Duration::from_secs(30)) {
        match ev.kind {
            ClientEventKind::Response {
                rx, other_source, ..
            } => {
                out.say(format_args!("Response from server: {}", payload(&rx.bytes)));
                // "localhost": 127.0.0.1 said nothing listens, ::1 answered.
                if let (Some(tried), Some(other)) = (first_to, to)
                    && tried != other
                {
                    out.warn(format_args!(
                        "  ({})",
                        fill(
                            T::OtherFamilyAnswered.get(LANG),
                            &[("tried", &tried), ("other", &other)]
                        )
                    ));
                }
                if rx.truncated {
                    out.warn(format_args!("  ({})", truncation_note(&rx)));
                }
                if let Some(sent_to) = other_source {
                    out.warn(format_args!("  ({})", other_source_note(rx.from, sent_to)));
                }
            }
            ClientEventKind::Sent { to: t, .. } => {
                first_to.get_or_insert(t);
                to = Some(t);
            }
            ClientEventKind::TimedOut { after, .. } => {
                outcome = Err(NetError::no_answer(to, after))
            }
            ClientEventKind::Failed { error, .. } => outcome = Err(error),
            ClientEventKind::Closed { .. } => break,
            ClientEventKind::Socket { .. } | ClientEventKind::SockOpt(_) => {}
        }
    }
    outcome
}

#[cfg(test)]
mod payload_tests {
    use super::*;

    #[test]
    fn the_fast_path_prints_what_the_window_shows() {
        let mut cases: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        cases.extend(
            [
                &b""[..],
                b"Hello, server",
                b"a\\b",
                b"tab\there",
                b"~ !",
                "\u{202e}rtl".as_bytes(),
                "привет".as_bytes(),
                b"\xff\xfe(",
            ]
            .map(<[u8]>::to_vec),
        );
        for bytes in cases {
            assert_eq!(
                payload(&bytes),
                format::payload_line(&bytes, usize::MAX, 64, LANG),
                "{bytes:?}"
            );
        }
    }
}
