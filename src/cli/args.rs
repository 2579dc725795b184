//! The command line's grammar: subcommands, flags and the parsers that turn
//! each value into a number or an error in plain words.

use std::time::Duration;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

use udp_lab::app::View;
use udp_lab::lab::i18n::Lang;
use udp_lab::lab::text::Encoding;
use udp_lab::net::{self, Impairments, sim};

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
    /// Window: start in presentation mode (larger text, thicker lines, high
    /// contrast), for a projector.
    #[arg(long)]
    pub presentation: bool,
    /// Window: the interface language (default: the system's).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Window: start the server, then the demo (20 datagrams at 30 % loss)
    /// played back one call a second (a desktop shortcut for a class).
    #[arg(long)]
    pub demo_step_by_step: bool,
    /// Window: the teaching view to show (default: the one last shown).
    #[arg(long, value_enum)]
    pub view: Option<ViewArg>,
    /// Window: the client's server address (default 127.0.0.1:12345).
    #[arg(long, value_name = "ADDR")]
    pub to: Option<String>,
    /// Window: trace this Python script at once, as Run in the Python
    /// scripts window does (with --send: send once the script has bound).
    #[arg(long, value_name = "PATH")]
    pub run_script: Option<String>,
    /// Window: the --run-script script's arguments, as one string
    /// ("127.0.0.1 12345").
    #[arg(
        long,
        value_name = "ARGS",
        requires = "run_script",
        allow_hyphen_values = true
    )]
    pub script_args: Option<String>,
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

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ViewArg {
    Trace,
    Diagram,
    Anatomy,
    Code,
}

impl From<ViewArg> for View {
    fn from(v: ViewArg) -> Self {
        match v {
            ViewArg::Trace => View::Trace,
            ViewArg::Diagram => View::Diagram,
            ViewArg::Anatomy => View::Anatomy,
            ViewArg::Code => View::Code,
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
        #[arg(long, conflicts_with = "no_reply")]
        echo: bool,
        /// Receive only, never answer.
        #[arg(long)]
        no_reply: bool,
        /// recvfrom's buffer size in bytes (1-65508); longer datagrams are truncated.
        #[arg(long, value_name = "N", default_value_t = net::DEFAULT_BUFFER, value_parser = buffer_bytes)]
        buffer: usize,
        /// The network simulator, applied to the replies.
        #[command(flatten)]
        network: SimArgs,
        /// Join this multicast group (IPv4 224.0.0.0/4, e.g. 239.1.2.3, or
        /// IPv6 ff0x::…) after bind, and leave it on stop. Bind to
        /// 0.0.0.0:PORT (or [::]:PORT): a socket bound to one address does
        /// not hear the group.
        #[arg(long, value_name = "GROUP", value_parser = multicast_group)]
        join: Option<std::net::IpAddr>,
        /// The address of the interface to join the group on (default: the
        /// one the routing table picks for IPv4, the first with an IPv6
        /// address for IPv6).
        #[arg(long, value_name = "IP", requires = "join")]
        interface: Option<std::net::IpAddr>,
        /// How messages are printed and the reply is sent: utf-8, cp1251,
        /// cp866, koi8-r, latin-1 or hex. Bytes that do not decode print as
        /// \xNN.
        #[arg(long, value_name = "ENC", default_value = "utf-8", value_parser = encoding)]
        encoding: Encoding,
    },
    /// Send one message as the lab's client does and print the answer; with
    /// --count, send a burst and print statistics like ping.
    Client {
        /// The server's address and port (default 127.0.0.1:12345; with
        /// --broadcast 255.255.255.255:12345). A multicast group (239.1.2.3:12345)
        /// collects every member's answer.
        #[arg(long, value_name = "ADDR")]
        to: Option<String>,
        /// Allow sending to a broadcast address (SO_BROADCAST) and print
        /// every server that answers within the timeout, one line each.
        #[arg(long)]
        broadcast: bool,
        /// Multicast: how many routers the request may cross (IP_MULTICAST_TTL,
        /// 0-255; the OS's default is 1, this network only).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=255))]
        ttl: Option<u32>,
        /// Multicast: members on this computer do not hear the request
        /// (IP_MULTICAST_LOOP 0).
        #[arg(long)]
        no_multicast_loop: bool,
        /// How the message is sent and the answer printed: utf-8, cp1251,
        /// cp866, koi8-r, latin-1 or hex (the message as hex pairs).
        #[arg(long, value_name = "ENC", default_value = "utf-8", value_parser = encoding)]
        encoding: Encoding,
        /// Seconds to wait for the answer, 0.001-3600 (fractions allowed, e.g.
        /// 0.05; "50ms" works too).
        #[arg(long, value_name = "SECS", default_value = "2", value_parser = timeout_secs)]
        timeout: Duration,
        /// recvfrom's buffer size in bytes (1-65508).
        #[arg(long, value_name = "N", default_value_t = net::DEFAULT_BUFFER, value_parser = buffer_bytes)]
        buffer: usize,
        /// Datagrams to send (1-1000000), each waiting for its answer (or the
        /// timeout) before the interval and the next; prints a line per
        /// datagram and ping-style statistics.
        #[arg(long, value_name = "N", value_parser = count)]
        count: Option<u32>,
        /// Milliseconds between one answer (or timeout) and the next send,
        /// 0-60000 (fractions allowed; "0.5s" works too).
        #[arg(long, value_name = "MS", default_value = "100", value_parser = interval_ms)]
        interval: Duration,
        /// The network simulator, applied to the requests.
        #[command(flatten)]
        network: SimArgs,
        /// The message to send.
        #[arg(default_value = net::DEFAULT_REQUEST)]
        message: String,
    },
    /// Find the servers in this room: send the lab's "Hello, server" to the
    /// broadcast address of every IPv4 interface and list who answered.
    Find {
        /// The servers' port.
        #[arg(long, value_name = "N", default_value_t = net::DEFAULT_PORT)]
        port: u16,
        /// Seconds to wait for answers (0.001-3600).
        #[arg(long, value_name = "SECS", default_value = "2", value_parser = timeout_secs)]
        timeout: Duration,
        /// The message to send.
        #[arg(long, value_name = "TEXT", default_value = net::DEFAULT_REQUEST)]
        message: String,
    },
    /// Run your own Python script and print its output interleaved with its
    /// socket calls (file:line, arguments, result) and the mistakes they
    /// show. The exit code is the script's.
    Trace {
        /// The Python interpreter (default: python3 or python on PATH).
        #[arg(long, value_name = "PATH")]
        python: Option<std::path::PathBuf>,
        /// The script to run, e.g. server.py.
        script: std::path::PathBuf,
        /// The script's own arguments (its sys.argv[1:]).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// `--encoding`: a name as Python spells it ("cp1251"), or as the window
/// shows it ("CP1251").
fn encoding(s: &str) -> Result<Encoding, String> {
    let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
    Encoding::ALL
        .into_iter()
        .find(|e| e.python_name() == wanted || e.name().to_ascii_lowercase() == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = Encoding::ALL.iter().map(|e| e.python_name()).collect();
            format!(
                "\"{}\" is not an encoding UDP Lab knows; choose one of {}",
                s.trim(),
                names.join(", ")
            )
        })
}

/// `--join`: a multicast group address.
fn multicast_group(s: &str) -> Result<std::net::IpAddr, String> {
    let text = s.trim();
    let ip: std::net::IpAddr = text.parse().map_err(|_| {
        format!("\"{text}\" is not an IP address; --join takes a multicast group such as 239.1.2.3")
    })?;
    if ip.is_multicast() {
        Ok(ip)
    } else {
        Err(format!(
            "{ip} is not a multicast address (IPv4 224.0.0.0 to 239.255.255.255, IPv6 ff00::/8); try 239.1.2.3"
        ))
    }
}

/// The network simulator's knobs, each 0 (off) by default.
#[derive(ClapArgs, Debug, Clone, Copy)]
pub struct SimArgs {
    /// Simulator: percent of datagrams dropped before sendto (0-100).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = |s: &str| percent(s, "--loss"))]
    loss: f64,
    /// Simulator: milliseconds each datagram is held back before sendto (0-10000).
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = |s: &str| sim_ms(s, "--delay"))]
    delay: u32,
    /// Simulator: the delay varies by up to plus or minus this many ms (0-10000).
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = |s: &str| sim_ms(s, "--jitter"))]
    jitter: u32,
    /// Simulator: percent of datagrams sent twice (0-100).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = |s: &str| percent(s, "--duplicate"))]
    duplicate: f64,
    /// Simulator: percent of datagrams held back until the next has gone (0-100).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = |s: &str| percent(s, "--reorder"))]
    reorder: f64,
    /// Simulator: the random seed; the same seed gives the same pattern.
    #[arg(long, value_name = "S", default_value_t = 0, value_parser = seed)]
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

// The knobs' parsers. clap puts their message after "invalid value 'X' for
// '--knob'"; each says what is wrong and the knob's range, on that one line.

/// A decimal number as a person types it: "0.5", "0,5", "1e3".
fn decimal(s: &str) -> Result<f64, String> {
    let text = s.trim();
    match text.replace(',', ".").parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        // "1e400" overflows to infinity: a number, just far too large.
        Ok(v) if v == f64::INFINITY && !text.to_ascii_lowercase().contains("inf") => {
            Err(format!("{text} is too large"))
        }
        _ => Err(format!("\"{text}\" is not a number")),
    }
}

/// A percentage from 0 to 100 (fractions allowed, "12.5%" too).
fn percent(s: &str, knob: &str) -> Result<f64, String> {
    let range = format!("{knob} takes a percentage from 0 to 100");
    let p = decimal(s.trim().trim_end_matches('%')).map_err(|e| format!("{e}; {range}"))?;
    if (0.0..=100.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{} is not between 0 and 100; {range}", s.trim()))
    }
}

/// A time in milliseconds; a bare number is in `unit` ("s" or "ms", the
/// knob's unit as it always was), "ms" or "s" after it says otherwise.
fn time_ms(s: &str, unit: &str) -> Result<f64, String> {
    let text = s.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else if unit == "s" {
        (text, 1000.0)
    } else {
        (text, 1.0)
    };
    Ok(decimal(number)? * scale)
}

/// Checks a time against its range; `whole` when only whole milliseconds can
/// be honoured (rounding would change what the user typed).
fn time_in_range(
    s: &str,
    knob: &str,
    unit: &str,
    (min_ms, max_ms): (f64, f64),
    whole: bool,
) -> Result<f64, String> {
    let shown = |ms: f64| {
        let v = if unit == "s" { ms / 1000.0 } else { ms };
        format!("{v} {unit}")
    };
    let range = format!("{knob} takes {} to {}", shown(min_ms), shown(max_ms));
    let text = s.trim();
    let ms = time_ms(text, unit).map_err(|e| format!("{e}; {range}"))?;
    if ms > max_ms {
        Err(format!(
            "{text} is too large: at most {}; {range}",
            shown(max_ms)
        ))
    } else if ms < min_ms {
        Err(format!(
            "{text} is too small: at least {}; {range}",
            shown(min_ms)
        ))
    } else if whole && (ms - ms.round()).abs() > 1e-6 {
        Err(format!(
            "{text} is not a whole number of milliseconds; {range}"
        ))
    } else if whole {
        Ok(ms.round())
    } else {
        Ok(ms)
    }
}

/// `--timeout`: seconds, to the millisecond (SO_RCVTIMEO's useful grain, and
/// what "within N s" can show).
fn timeout_secs(s: &str) -> Result<Duration, String> {
    let ms = time_in_range(s, "--timeout", "s", (1.0, 3_600_000.0), true)?;
    Ok(Duration::from_secs_f64(ms / 1000.0))
}

/// `--interval`: milliseconds, fractions allowed.
fn interval_ms(s: &str) -> Result<Duration, String> {
    let ms = time_in_range(s, "--interval", "ms", (0.0, 60_000.0), false)?;
    Ok(Duration::from_secs_f64(ms / 1000.0))
}

/// `--delay`, `--jitter`: the simulator works in whole milliseconds.
fn sim_ms(s: &str, knob: &str) -> Result<u32, String> {
    let ms = time_in_range(s, knob, "ms", (0.0, f64::from(sim::MAX_DELAY_MS)), true)?;
    // In range and whole: the cast is exact.
    Ok(ms as u32)
}

/// A whole number in `min..=max`, named by `knob` when refused ("1e3" is
/// a whole number too).
fn whole(s: &str, knob: &str, (min, max): (u64, u64), unit: &str) -> Result<u64, String> {
    let text = s.trim();
    let range = format!("{knob} takes {min} to {max}{unit}");
    let value = match text.parse::<u64>() {
        Ok(v) => v,
        Err(_) => match decimal(text) {
            Ok(v) if v < 0.0 => return Err(format!("{text} is too small; {range}")),
            Ok(v) if v.fract() != 0.0 => {
                return Err(format!("{text} is not a whole number; {range}"));
            }
            // Digits past u64 are far above any maximum here.
            Ok(v) if v >= 2f64.powi(64) => return Err(format!("{text} is too large; {range}")),
            // Whole and below 2^64: the cast is exact.
            Ok(v) => v as u64,
            Err(e) => return Err(format!("{e}; {range}")),
        },
    };
    if value < min {
        Err(format!("{text} is too small; {range}"))
    } else if value > max {
        Err(format!("{text} is too large; {range}"))
    } else {
        Ok(value)
    }
}

/// `--buffer`: recvfrom reads nothing into 0 bytes, and no datagram is
/// longer than 65 507 bytes.
fn buffer_bytes(s: &str) -> Result<usize, String> {
    let max = net::MAX_DATAGRAM + 1;
    if s.trim() == "0" {
        return Err(format!(
            "recvfrom needs room for at least 1 byte; --buffer takes 1 to {max} bytes"
        ));
    }
    let n = whole(s, "--buffer", (1, max as u64), " bytes")?;
    usize::try_from(n).map_err(|e| e.to_string())
}

fn count(s: &str) -> Result<u32, String> {
    let n = whole(s, "--count", (1, 1_000_000), "")?;
    u32::try_from(n).map_err(|e| e.to_string())
}

fn seed(s: &str) -> Result<u64, String> {
    whole(s, "--seed", (0, u64::MAX), "")
}
