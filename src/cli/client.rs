//! `udp-lab client` and `udp-lab find`: the lab's single line, ping-style
//! lines and statistics for a burst or the simulator, every answer for a
//! broadcast or a multicast group, and the servers found in the room.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use udp_lab::lab::i18n::cli::{C, decimal, millis};
use udp_lab::lab::i18n::{T, fill, secs};
use udp_lab::net::stats::fmt_percent;
use udp_lab::net::{
    self, BurstStats, ClientEventKind, ClientRequest, Impairments, NetError, NetEvent, SimFate,
};

use super::{channel, lang, payload, say, truncation_note, warn};
pub(super) struct ClientOpts {
    pub(super) to: String,
    pub(super) reach: net::Reach,
    pub(super) timeout: Duration,
    pub(super) buffer: usize,
    pub(super) count: Option<u32>,
    pub(super) interval: Duration,
    pub(super) network: Impairments,
    pub(super) message: Vec<u8>,
    /// `--save FILE`: the session written when the client ends.
    pub(super) save: Option<super::lesson::Recorder>,
}

pub(super) fn client(opts: &ClientOpts) -> Result<(), NetError> {
    let target = net::parse_addr(&opts.to, true)?;
    let timeout = opts.timeout;
    let count = opts.count.unwrap_or(1);
    // `--save`: Ctrl-C ends the burst early (not the process), so the
    // file is written; caught before the worker starts (it inherits the mask).
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<Box<dyn Fn() + Send>>();
    if opts.save.is_some() {
        super::output::signals::catch(move || {
            if let Ok(cancel) = stop_rx.recv() {
                cancel();
            }
        });
    }
    let (sink, queue) = channel();
    let sink = match &opts.save {
        Some(recorder) => recorder.tee(sink),
        None => sink,
    };
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
    let _ = stop_tx.send(Box::new(handle.canceller()));
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
    if let Some(recorder) = &opts.save {
        recorder.save();
        super::output::signals::end_if_caught();
    }
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
        T::AnswerFromOtherSource.get(lang()),
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
                    "{}",
                    fill(
                        C::PingAnswer.get(lang()),
                        &[
                            ("len", &rx.len),
                            ("from", &rx.from),
                            ("seq", &seq),
                            ("ms", &millis(lang(), rtt)),
                        ],
                    )
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
                let key = if fate.dropped {
                    C::PingDropped
                } else if fate.reordered {
                    C::PingHeldBack
                } else {
                    C::PingNoAnswer
                };
                let line = fill(
                    key.get(lang()),
                    &[("seq", &seq), ("secs", &secs(lang(), after))],
                );
                out.say(format_args!("{line}"));
                last_error = Some(NetError::no_answer(target, after));
            }
            ClientEventKind::Failed {
                seq: Some(seq),
                error,
            } => {
                out.say(format_args!(
                    "{}",
                    fill(
                        C::PingFailed.get(lang()),
                        &[("seq", &seq), ("error", &super::error_text(&error))],
                    )
                ));
                last_error = Some(error);
            }
            ClientEventKind::Failed { seq: None, error } => start_error = Some(error),
            ClientEventKind::Closed { .. } => break,
            ClientEventKind::Socket { .. }
            | ClientEventKind::KeptSocketOpened { .. }
            | ClientEventKind::SockOpt(_) => {}
        }
    }
    if let Some(error) = start_error {
        return Err(error);
    }
    out.say(format_args!(""));
    out.say(format_args!(
        "{}",
        fill(C::StatsHeader.get(lang()), &[("target", &header)])
    ));
    for line in summary_lines(&stats) {
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
                        T::ResponseFrom.get(lang()),
                        &[
                            ("from", &rx.from),
                            ("rtt", &millis(lang(), rtt)),
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
            ClientEventKind::Socket { .. } | ClientEventKind::KeptSocketOpened { .. } => {}
        }
    }
    if !servers.is_empty() {
        out.say(format_args!(
            "{}",
            fill(
                T::BroadcastAnswers.get(lang()),
                &[("count", &servers.len())]
            )
        ));
        // A later datagram of a burst that nobody answered does not undo
        // the answers the others got.
        return Ok(());
    }
    outcome
}

/// `udp-lab find`: the lab's request to every IPv4 interface's broadcast
/// address; a line per server that answered.
pub(super) fn find(port: u16, timeout: Duration, message: &str) -> Result<(), NetError> {
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
                T::FindNone.get(lang()),
                &[
                    ("port", &port),
                    ("secs", &secs(lang(), timeout)),
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
            T::FindFound.get(lang()),
            &[("count", &found.len()), ("port", &port)]
        )
    ));
    for server in &found {
        let _ = say(format_args!(
            "{}",
            fill(
                C::FoundServer.get(lang()),
                &[
                    ("from", &server.from),
                    ("ms", &millis(lang(), server.rtt)),
                    ("text", &payload(&server.reply)),
                ],
            )
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
                            T::OtherFamilyAnswered.get(lang()),
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
            ClientEventKind::Socket { .. }
            | ClientEventKind::KeptSocketOpened { .. }
            | ClientEventKind::SockOpt(_) => {}
        }
    }
    outcome
}

/// ping's statistics in the CLI's language ("3 sent, 3 answered, 0% lost",
/// then the round-trip times), numbers with a decimal comma in Russian.
fn summary_lines(stats: &BurstStats) -> Vec<String> {
    let lang = lang();
    let dec = |text: String| decimal(lang, &text);
    let mut first = fill(
        C::StatsSummary.get(lang),
        &[
            ("sent", &stats.sent),
            ("answered", &stats.answered),
            ("percent", &dec(fmt_percent(stats.loss_percent()))),
        ],
    );
    if stats.dropped_by_simulator > 0 {
        first.push_str(&fill(
            C::StatsSimulator.get(lang),
            &[
                ("dropped", &stats.dropped_by_simulator),
                (
                    "lost",
                    &stats.lost().saturating_sub(stats.dropped_by_simulator),
                ),
            ],
        ));
    }
    if stats.from_other_source > 0 {
        first.push_str(&fill(
            C::StatsOtherSource.get(lang),
            &[("count", &stats.from_other_source)],
        ));
    }
    let mut lines = vec![first];
    if let Some(r) = stats.rtt() {
        let ms = |d: Duration| dec(format!("{:.3}", d.as_secs_f64() * 1000.0));
        lines.push(fill(
            C::StatsRtt.get(lang),
            &[
                ("min", &ms(r.min)),
                ("avg", &ms(r.avg)),
                ("p99", &ms(r.p99)),
                ("max", &ms(r.max)),
            ],
        ));
    }
    lines
}
