//! The headless command line. Prints the same lines as the lab's scripts so
//! students can compare; always in English.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use udp_lab::app::{Lang, format};
use udp_lab::net::{
    self, ClientEventKind, ClientRequest, NetError, NetEvent, ReplyMode, ServerConfig,
    ServerEventKind, ServerSettings,
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
    },
    /// Send one message as the lab's client does and print the answer.
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
        /// The message to send.
        #[arg(default_value = net::DEFAULT_REQUEST)]
        message: String,
    },
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
        } => {
            let reply = if echo {
                ReplyMode::Echo
            } else if no_reply {
                ReplyMode::None
            } else {
                ReplyMode::Fixed(Arc::from(reply.as_bytes()))
            };
            server(&bind, reply, buffer)
        }
        CliCommand::Client {
            to,
            timeout,
            buffer,
            message,
        } => client(&to, timeout, buffer, &message),
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

fn server(bind: &str, reply: ReplyMode, buffer: usize) -> Result<(), NetError> {
    let bind = net::parse_addr(bind, false)?;
    let (sink, queue) = channel();
    let settings = ServerSettings {
        reply,
        buffer: buffer.clamp(1, net::MAX_DATAGRAM + 1),
        reply_rate_limit: None,
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

fn client(to: &str, timeout: f64, buffer: usize, message: &str) -> Result<(), NetError> {
    let target = net::parse_addr(to, true)?;
    let timeout = Duration::try_from_secs_f64(timeout)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| NetError::Io {
            call: "--timeout",
            message: format!("{timeout} is not a positive number of seconds"),
        })?;
    let (sink, queue) = channel();
    let request = ClientRequest {
        op: 1,
        target,
        payload: Arc::from(message.as_bytes()),
        timeout,
        buffer: buffer.clamp(1, net::MAX_DATAGRAM + 1),
        count: 1,
        interval: Duration::ZERO,
        socket: None,
    };
    let handle = net::spawn_client(request, sink)?;
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
    handle.join();
    outcome
}
