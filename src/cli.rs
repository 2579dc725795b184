//! The headless command line. Prints the same lines as the lab's scripts so
//! students can compare; always in English.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

use udp_lab::app::{Lang, format};
use udp_lab::net::{
    self, BurstStats, ClientEventKind, ClientRequest, Impairments, NetError, NetEvent, ReplyMode,
    ServerConfig, ServerEventKind, ServerSettings, SimFate, sim,
};

#[derive(Parser, Debug)]
#[command(
    name = "udp-lab",
    version,
    about = "Makes UDP visible: a UDP server and client in one window."
)]
#[command(
    long_about = "Makes UDP visible: a UDP server and client in one window.\n\n\
    With no subcommand UDP Lab opens its window. `server` and `client` run without a window \
    and print the same lines as the socket lab's scripts."
)]
pub struct Args {
    /// Window: the server's bind address (default 127.0.0.1:12345).
    #[arg(long, value_name = "ADDR", global = false)]
    pub bind: Option<String>,
    /// Window: start the server at once (a desktop shortcut for a demo).
    #[arg(long)]
    pub start_server: bool,
    /// Window: send the message once (after the server listens, with --start-server).
    #[arg(long)]
    pub send: bool,
    /// Window: the interface language (default: the system's).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Window: the client's server address (default 127.0.0.1:12345).
    #[arg(long, value_name = "ADDR")]
    pub to: Option<String>,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LangArg {
    En,
    Ru,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::En => Lang::En,
            LangArg::Ru => Lang::Ru,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum CliCommand {
    /// Run the lab's server without a window: print each message and answer it.
    Server {
        /// Address and port to bind (port 0: any free port).
        #[arg(long, value_name = "ADDR", default_value = net::DEFAULT_ADDR)]
        bind: String,
        /// Text to answer every datagram with.
        #[arg(long, value_name = "TEXT", default_value = net::DEFAULT_REPLY, conflicts_with_all = ["echo", "no_reply"])]
        reply: String,
        /// Send each datagram back as it came.
        #[arg(long)]
        echo: bool,
        /// Receive only, never answer.
        #[arg(long)]
        no_reply: bool,
        /// recvfrom's buffer size in bytes; longer datagrams are truncated.
        #[arg(long, value_name = "N", default_value_t = net::DEFAULT_BUFFER)]
        buffer: usize,
        /// The network simulator, applied to the replies.
        #[command(flatten)]
        network: SimArgs,
    },
    /// Send one message as the lab's client does and print the answer; with
    /// --count, send a burst and print statistics like ping.
    Client {
        /// The server's address and port.
        #[arg(long, value_name = "ADDR", default_value = net::DEFAULT_ADDR)]
        to: String,
        /// Seconds to wait for the answer (fractions allowed, e.g. 0.05).
        #[arg(long, value_name = "SECS", default_value_t = 2.0)]
        timeout: f64,
        /// recvfrom's buffer size in bytes.
        #[arg(long, value_name = "N", default_value_t = net::DEFAULT_BUFFER)]
        buffer: usize,
        /// Datagrams to send, each waiting for its answer (or the timeout)
        /// before the interval and the next; prints a line per datagram and
        /// ping-style statistics.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        count: Option<u32>,
        /// Milliseconds between one answer (or timeout) and the next send.
        #[arg(long, value_name = "MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(0..=60_000))]
        interval: u64,
        /// The network simulator, applied to the requests.
        #[command(flatten)]
        network: SimArgs,
        /// The message to send.
        #[arg(default_value = net::DEFAULT_REQUEST)]
        message: String,
    },
}

/// The network simulator's knobs, each 0 (off) by default.
#[derive(ClapArgs, Debug, Clone, Copy)]
pub struct SimArgs {
    /// Simulator: percent of datagrams dropped before sendto (0-100).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = percent)]
    loss: f64,
    /// Simulator: milliseconds each datagram is held back before sendto.
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=i64::from(sim::MAX_DELAY_MS)))]
    delay: u32,
    /// Simulator: the delay varies by up to plus or minus this many ms.
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=i64::from(sim::MAX_DELAY_MS)))]
    jitter: u32,
    /// Simulator: percent of datagrams sent twice (0-100).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = percent)]
    duplicate: f64,
    /// Simulator: percent of datagrams held back until the next has gone (0-100).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = percent)]
    reorder: f64,
    /// Simulator: the random seed; the same seed gives the same pattern.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
}

impl From<SimArgs> for Impairments {
    fn from(a: SimArgs) -> Self {
        Impairments {
            loss_percent: a.loss,
            delay_ms: a.delay,
            jitter_ms: a.jitter,
            duplicate_percent: a.duplicate,
            reorder_percent: a.reorder,
            seed: a.seed,
        }
    }
}

/// A percentage from 0 to 100 (fractions allowed).
fn percent(s: &str) -> Result<f64, String> {
    let p: f64 = s
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("\"{s}\" is not a number"))?;
    if (0.0..=100.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{s} is not between 0 and 100"))
    }
}

/// A windows-subsystem build has no console: attach to the terminal that
/// started us, so `udp-lab client` and `--help` still print there.
pub fn attach_parent_console() {
    #[cfg(windows)]
    // SAFETY: a plain Win32 call; failure (no parent console) is harmless.
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
        } => {
            let reply = if echo {
                ReplyMode::Echo
            } else if no_reply {
                ReplyMode::None
            } else {
                ReplyMode::Fixed(Arc::from(reply.as_bytes()))
            };
            server(&bind, reply, buffer, network.into())
        }
        CliCommand::Client {
            to,
            timeout,
            buffer,
            count,
            interval,
            network,
            message,
        } => client(&ClientOpts {
            to,
            timeout,
            buffer,
            count,
            interval: Duration::from_millis(interval),
            network: network.into(),
            message,
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("udp-lab: {e}");
            ExitCode::FAILURE
        }
    }
}

fn channel() -> (net::EventSink<NetEvent>, net::EventQueue<NetEvent>) {
    net::event_channel(65_536, Arc::new(|| {}))
}

fn server(
    bind: &str,
    reply: ReplyMode,
    buffer: usize,
    network: Impairments,
) -> Result<(), NetError> {
    let bind = net::parse_addr(bind, false)?;
    let (sink, queue) = channel();
    let settings = ServerSettings {
        reply,
        buffer: buffer.clamp(1, net::MAX_DATAGRAM + 1),
        reply_rate_limit: None,
        network,
    };
    let _handle = net::spawn_server(ServerConfig { bind, settings }, sink)?;
    loop {
        let Some(NetEvent::Server(ev)) = queue.recv_timeout(Duration::from_secs(3600)) else {
            continue;
        };
        match ev.kind {
            ServerEventKind::Listening { addr } => {
                println!("Server is listening on {}", net::describe_addr(&addr));
            }
            ServerEventKind::Datagram { rx, .. } => {
                println!(
                    "Message from client: {}",
                    format::payload_text(&rx.bytes, usize::MAX)
                );
                if rx.truncated {
                    eprintln!(
                        "  (read {} of {} bytes: the rest was discarded)",
                        rx.bytes.len(),
                        rx.len
                    );
                }
            }
            ServerEventKind::Failed { error } => return Err(error),
            ServerEventKind::Stopped => return Ok(()),
            ServerEventKind::Socket { .. } => {}
        }
    }
}

struct ClientOpts {
    to: String,
    timeout: f64,
    buffer: usize,
    count: Option<u32>,
    interval: Duration,
    network: Impairments,
    message: String,
}

fn client(opts: &ClientOpts) -> Result<(), NetError> {
    let target = net::parse_addr(&opts.to, true)?;
    let timeout = Duration::try_from_secs_f64(opts.timeout)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| NetError::Io {
            call: "--timeout",
            message: format!("{} is not a positive number of seconds", opts.timeout),
        })?;
    let count = opts.count.unwrap_or(1);
    let (sink, queue) = channel();
    let request = ClientRequest {
        op: 1,
        target,
        payload: Arc::from(opts.message.as_bytes()),
        timeout,
        buffer: opts.buffer.clamp(1, net::MAX_DATAGRAM + 1),
        count,
        interval: opts.interval,
        socket: None,
        network: opts.network,
    };
    let handle = net::spawn_client(request, sink)?;
    // The lab's single line, unless a burst or the simulator calls for
    // ping-style lines and statistics.
    let outcome = if count > 1 || !opts.network.is_off() {
        ping_report(&queue, &opts.to, timeout + opts.interval)
    } else {
        lab_report(&queue, timeout)
    };
    handle.join();
    outcome
}

/// Prints a line per datagram and the statistics; fails when nothing answered.
fn ping_report(
    queue: &net::EventQueue<NetEvent>,
    to: &str,
    step: Duration,
) -> Result<(), NetError> {
    let mut stats = BurstStats::default();
    let mut header = to.to_owned();
    // Lock-step: a timeout is about the latest send.
    let mut fate = SimFate::default();
    let mut last_error = None;
    let mut start_error = None;
    while let Some(NetEvent::Client(ev)) = queue.recv_timeout(step + Duration::from_secs(30)) {
        match ev.kind {
            ClientEventKind::Sent { to, sim, .. } => {
                stats.record_sent();
                header = to.to_string();
                fate = sim;
                if sim.dropped {
                    stats.dropped_by_simulator += 1;
                }
            }
            ClientEventKind::Response { seq, rx, rtt } => {
                stats.record_answer(rtt);
                println!(
                    "{} bytes from {}: seq={seq} time={:.3} ms",
                    rx.len,
                    rx.from,
                    rtt.as_secs_f64() * 1000.0
                );
            }
            ClientEventKind::TimedOut { seq, after } => {
                let secs = net::fmt_secs(after);
                if fate.dropped {
                    println!("seq={seq} dropped by the simulator");
                } else if fate.reordered {
                    println!(
                        "seq={seq} no answer within {secs} (held back by the simulator until the next one overtakes it)"
                    );
                } else {
                    println!("seq={seq} no answer within {secs}");
                }
                last_error = Some(NetError::TimedOut { after });
            }
            ClientEventKind::Failed {
                seq: Some(seq),
                error,
            } => {
                println!("seq={seq} {error}");
                last_error = Some(error);
            }
            ClientEventKind::Failed { seq: None, error } => start_error = Some(error),
            ClientEventKind::Closed { .. } => break,
            ClientEventKind::Socket { .. } => {}
        }
    }
    if let Some(error) = start_error {
        return Err(error);
    }
    println!();
    println!("--- {header} UDP statistics ---");
    for line in stats.summary_lines() {
        println!("{line}");
    }
    match last_error {
        Some(error) if stats.answered == 0 => Err(error),
        _ => Ok(()),
    }
}

/// Prints "Response from server: …" exactly as the lab's client does.
fn lab_report(queue: &net::EventQueue<NetEvent>, timeout: Duration) -> Result<(), NetError> {
    let mut outcome = Ok(());
    while let Some(NetEvent::Client(ev)) = queue.recv_timeout(timeout + Duration::from_secs(30)) {
        match ev.kind {
            ClientEventKind::Response { rx, .. } => {
                println!(
                    "Response from server: {}",
                    format::payload_text(&rx.bytes, usize::MAX)
                );
            }
            ClientEventKind::TimedOut { after, .. } => outcome = Err(NetError::TimedOut { after }),
            ClientEventKind::Failed { error, .. } => outcome = Err(error),
            ClientEventKind::Closed { .. } => break,
            ClientEventKind::Socket { .. } | ClientEventKind::Sent { .. } => {}
        }
    }
    outcome
}
