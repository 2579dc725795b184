//! The command line's grammar: subcommands, flags and the parsers that turn
//! each value into a number or an error in plain words. The help and the
//! refusals are in the table (lab/i18n/cli.rs), set by `localize`.

use std::time::Duration;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

use udp_lab::app::View;
use udp_lab::lab::i18n::cli::{C, decimal as decimal_text};
use udp_lab::lab::i18n::{Lang, T, fill};
use udp_lab::lab::text::Encoding;
use udp_lab::net::{self, Impairments, sim};

use super::http::{HttpClientArgs, HttpServerArgs};
use super::localize::lang;

#[derive(Parser, Debug)]
#[command(name = "udp-lab", version)]
// Each argument's help is the table's (lab/i18n/cli.rs), found by its id in
// `localize::help_key`. A numeric knob takes hyphen values, so "-1" reaches
// its parser and is refused with the knob's range (not clap's "use '-- -1'").
pub struct Args {
    #[arg(long, value_name = "ADDR", global = false)]
    pub bind: Option<String>,
    #[arg(long)]
    pub start_server: bool,
    #[arg(long)]
    pub send: bool,
    #[arg(long)]
    pub presentation: bool,
    // The window's and the command line's language, after any subcommand.
    #[arg(long, value_enum, global = true)]
    pub lang: Option<LangArg>,
    #[arg(long)]
    pub demo_step_by_step: bool,
    #[arg(long, value_enum)]
    pub view: Option<ViewArg>,
    // Issue 28: both panels' protocol (UDP, TCP or HTTP).
    #[arg(long, value_enum)]
    pub protocol: Option<ProtocolArg>,
    #[arg(long, value_name = "ADDR")]
    pub to: Option<String>,
    #[arg(long, value_name = "PATH")]
    pub run_script: Option<String>,
    #[arg(
        long,
        value_name = "ARGS",
        requires = "run_script",
        allow_hyphen_values = true
    )]
    pub script_args: Option<String>,
    // Issue 26: the session to a .pcapng file when the window closes, and
    // a lesson or capture to open (a word that is no subcommand).
    #[arg(long, value_name = "FILE")]
    pub save: Option<std::path::PathBuf>,
    #[arg(value_name = "FILE")]
    pub file: Option<std::path::PathBuf>,
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
pub enum ProtocolArg {
    Udp,
    Tcp,
    Http,
}

impl From<ProtocolArg> for net::Protocol {
    fn from(p: ProtocolArg) -> Self {
        match p {
            ProtocolArg::Udp => net::Protocol::Udp,
            ProtocolArg::Tcp => net::Protocol::Tcp,
            ProtocolArg::Http => net::Protocol::Http,
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
    Server {
        #[arg(long, value_name = "ADDR", default_value = net::DEFAULT_ADDR)]
        bind: String,
        #[arg(long, value_name = "TEXT", default_value = net::DEFAULT_REPLY, conflicts_with_all = ["echo", "no_reply"])]
        reply: String,
        #[arg(long, conflicts_with = "no_reply")]
        echo: bool,
        #[arg(long)]
        no_reply: bool,
        #[arg(long, value_name = "N", default_value_t = net::DEFAULT_BUFFER, value_parser = buffer_bytes, allow_hyphen_values = true)]
        buffer: usize,
        #[command(flatten)]
        network: SimArgs,
        #[arg(long, value_name = "GROUP", value_parser = multicast_group)]
        join: Option<std::net::IpAddr>,
        #[arg(long, value_name = "IP", requires = "join")]
        interface: Option<std::net::IpAddr>,
        #[arg(long, value_name = "ENC", default_value = "utf-8", value_parser = encoding)]
        encoding: Encoding,
        #[arg(long, value_name = "FILE")]
        save: Option<std::path::PathBuf>,
        #[arg(long, conflicts_with_all = ["join", "interface"])]
        tcp: bool,
        #[arg(long, value_name = "N", default_value_t = 5, value_parser = backlog, allow_hyphen_values = true, requires = "tcp")]
        backlog: u32,
        #[arg(long, requires = "tcp")]
        reuse_addr: bool,
        // Issue 28: the web server's flags.
        #[command(flatten)]
        web: HttpServerArgs,
    },
    Client {
        #[arg(long, value_name = "ADDR")]
        to: Option<String>,
        #[arg(long)]
        broadcast: bool,
        #[arg(long, value_name = "N", value_parser = ttl, allow_hyphen_values = true)]
        ttl: Option<u32>,
        #[arg(long)]
        no_multicast_loop: bool,
        #[arg(long, value_name = "ENC", default_value = "utf-8", value_parser = encoding)]
        encoding: Encoding,
        #[arg(long, value_name = "SECS", default_value = "2", value_parser = timeout_secs, allow_hyphen_values = true)]
        timeout: Duration,
        #[arg(long, value_name = "N", default_value_t = net::DEFAULT_BUFFER, value_parser = buffer_bytes, allow_hyphen_values = true)]
        buffer: usize,
        #[arg(long, value_name = "N", value_parser = count, allow_hyphen_values = true)]
        count: Option<u32>,
        #[arg(long, value_name = "MS", default_value = "100", value_parser = interval_ms, allow_hyphen_values = true)]
        interval: Duration,
        #[command(flatten)]
        network: SimArgs,
        #[arg(long, value_name = "FILE")]
        save: Option<std::path::PathBuf>,
        #[arg(long, conflicts_with_all = ["broadcast", "ttl", "no_multicast_loop", "count"])]
        tcp: bool,
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = pieces, allow_hyphen_values = true, requires = "tcp")]
        pieces: u32,
        #[arg(long, value_name = "MS", default_value = "0", value_parser = interval_ms, allow_hyphen_values = true, requires = "tcp")]
        piece_delay: Duration,
        #[arg(long, requires = "tcp")]
        shutdown: bool,
        #[arg(default_value = net::DEFAULT_REQUEST)]
        message: String,
        // Issue 28: the web client's flags.
        #[command(flatten)]
        web: HttpClientArgs,
    },
    Find {
        #[arg(long, value_name = "N", default_value_t = net::DEFAULT_PORT, value_parser = server_port, allow_hyphen_values = true)]
        port: u16,
        #[arg(long, value_name = "SECS", default_value = "2", value_parser = timeout_secs, allow_hyphen_values = true)]
        timeout: Duration,
        #[arg(long, value_name = "TEXT", default_value = net::DEFAULT_REQUEST)]
        message: String,
    },
    Trace {
        #[arg(long, value_name = "PATH")]
        python: Option<std::path::PathBuf>,
        #[arg(long, value_name = "FILE")]
        save: Option<std::path::PathBuf>,
        script: std::path::PathBuf,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Issue 26: print a saved lesson or a capture.
    Show {
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
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
            say(
                C::UnknownEncoding,
                &[("text", &s.trim()), ("names", &names.join(", "))],
            )
        })
}

/// `--join`: a multicast group address.
fn multicast_group(s: &str) -> Result<std::net::IpAddr, String> {
    let text = s.trim();
    let ip: std::net::IpAddr = text
        .parse()
        .map_err(|_| say(C::JoinNotIp, &[("text", &text)]))?;
    if ip.is_multicast() {
        Ok(ip)
    } else {
        // The window's words for the same mistake.
        Err(fill(T::ErrNotMulticast.get(lang()), &[("text", &ip)]))
    }
}

/// A refusal from the table, in the CLI's language.
fn say(key: C, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    fill(key.get(lang()), args)
}

/// The network simulator's knobs, each 0 (off) by default.
#[derive(ClapArgs, Debug, Clone, Copy)]
pub struct SimArgs {
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = |s: &str| percent(s, "--loss"), allow_hyphen_values = true)]
    loss: f64,
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = |s: &str| sim_ms(s, "--delay"), allow_hyphen_values = true)]
    delay: u32,
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = |s: &str| sim_ms(s, "--jitter"), allow_hyphen_values = true)]
    jitter: u32,
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = |s: &str| percent(s, "--duplicate"), allow_hyphen_values = true)]
    duplicate: f64,
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = |s: &str| percent(s, "--reorder"), allow_hyphen_values = true)]
    reorder: f64,
    #[arg(long, value_name = "S", default_value_t = 0, value_parser = seed, allow_hyphen_values = true)]
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
// '--knob'"; each says what is wrong and the knob's range, on that one line,
// in the CLI's language (numbers with a decimal comma in Russian).

/// "what is wrong; the knob's range".
fn refused(what: String, range: &str) -> String {
    format!("{what}; {range}")
}

/// A decimal number as a person types it: "0.5", "0,5", "1e3".
fn decimal(s: &str) -> Result<f64, String> {
    let text = s.trim();
    match text.replace(',', ".").parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        // "1e400" overflows to infinity: a number, just far too large.
        Ok(v) if v == f64::INFINITY && !text.to_ascii_lowercase().contains("inf") => {
            Err(say(C::TooLarge, &[("text", &text)]))
        }
        _ => Err(say(C::NotANumber, &[("text", &text)])),
    }
}

/// A percentage from 0 to 100 (fractions allowed, "12.5%" too).
fn percent(s: &str, knob: &str) -> Result<f64, String> {
    let range = say(C::KnobPercent, &[("knob", &knob)]);
    let p = decimal(s.trim().trim_end_matches('%')).map_err(|e| refused(e, &range))?;
    if (0.0..=100.0).contains(&p) {
        Ok(p)
    } else {
        Err(refused(say(C::NotBetween, &[("text", &s.trim())]), &range))
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
    let lang = lang();
    let shown = |ms: f64| {
        let (v, unit) = if unit == "s" {
            (ms / 1000.0, T::Seconds)
        } else {
            (ms, T::Milliseconds)
        };
        format!("{} {}", decimal_text(lang, &v.to_string()), unit.get(lang))
    };
    let range = say(
        C::KnobRange,
        &[
            ("knob", &knob),
            ("min", &shown(min_ms)),
            ("max", &shown(max_ms)),
        ],
    );
    let text = s.trim();
    let ms = time_ms(text, unit).map_err(|e| refused(e, &range))?;
    if ms > max_ms {
        let what = say(
            C::TooLargeAtMost,
            &[("text", &text), ("max", &shown(max_ms))],
        );
        Err(refused(what, &range))
    } else if ms < min_ms {
        let what = say(
            C::TooSmallAtLeast,
            &[("text", &text), ("min", &shown(min_ms))],
        );
        Err(refused(what, &range))
    } else if whole && (ms - ms.round()).abs() > 1e-6 {
        Err(refused(say(C::NotWholeMs, &[("text", &text)]), &range))
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
/// a whole number too); `unit` after the maximum ("bytes").
fn whole(s: &str, knob: &str, (min, max): (u64, u64), unit: Option<T>) -> Result<u64, String> {
    let text = s.trim();
    let max_shown = match unit {
        Some(unit) => format!("{max} {}", unit.get(lang())),
        None => max.to_string(),
    };
    let range = say(
        C::KnobRange,
        &[("knob", &knob), ("min", &min), ("max", &max_shown)],
    );
    let too_small = || refused(say(C::TooSmall, &[("text", &text)]), &range);
    let too_large = || refused(say(C::TooLarge, &[("text", &text)]), &range);
    let value = match text.parse::<u64>() {
        Ok(v) => v,
        Err(_) => match decimal(text) {
            Ok(v) if v < 0.0 => return Err(too_small()),
            Ok(v) if v.fract() != 0.0 => {
                return Err(refused(say(C::NotWhole, &[("text", &text)]), &range));
            }
            // Digits past u64 are far above any maximum here.
            Ok(v) if v >= 2f64.powi(64) => return Err(too_large()),
            // Whole and below 2^64: the cast is exact.
            Ok(v) => v as u64,
            Err(e) => return Err(refused(e, &range)),
        },
    };
    if value < min {
        Err(too_small())
    } else if value > max {
        Err(too_large())
    } else {
        Ok(value)
    }
}

/// `--buffer`: recvfrom reads nothing into 0 bytes, and no datagram is
/// longer than 65 507 bytes.
fn buffer_bytes(s: &str) -> Result<usize, String> {
    let max = net::MAX_DATAGRAM + 1;
    if s.trim() == "0" {
        let range = say(
            C::KnobRange,
            &[
                ("knob", &"--buffer"),
                ("min", &1),
                ("max", &format!("{max} {}", T::Bytes.get(lang()))),
            ],
        );
        return Err(refused(say(C::BufferNeedsRoom, &[]), &range));
    }
    let n = whole(s, "--buffer", (1, max as u64), Some(T::Bytes))?;
    usize::try_from(n).map_err(|e| e.to_string())
}

fn count(s: &str) -> Result<u32, String> {
    let n = whole(s, "--count", (1, 1_000_000), None)?;
    u32::try_from(n).map_err(|e| e.to_string())
}

/// `--pieces`: the TCP client's message in 1 to 1000 sends.
fn pieces(s: &str) -> Result<u32, String> {
    let n = whole(s, "--pieces", (1, 1000), None)?;
    u32::try_from(n).map_err(|e| e.to_string())
}

/// `--backlog`: listen()'s queue of completed handshakes.
fn backlog(s: &str) -> Result<u32, String> {
    let n = whole(s, "--backlog", (1, 4096), None)?;
    u32::try_from(n).map_err(|e| e.to_string())
}

fn seed(s: &str) -> Result<u64, String> {
    whole(s, "--seed", (0, u64::MAX), None)
}

/// `--ttl`: IP_MULTICAST_TTL is one byte.
fn ttl(s: &str) -> Result<u32, String> {
    let n = whole(s, "--ttl", (0, 255), None)?;
    u32::try_from(n).map_err(|e| e.to_string())
}

/// `find --port`: the servers' port. Port 0 is nobody's (sendto refuses
/// it with "Invalid argument"), so it is refused here with the range.
fn server_port(s: &str) -> Result<u16, String> {
    if s.trim() == "0" {
        let range = say(
            C::KnobRange,
            &[("knob", &"--port"), ("min", &1), ("max", &65535)],
        );
        return Err(refused(say(C::PortZeroNoServer, &[]), &range));
    }
    let n = whole(s, "--port", (1, 65_535), None)?;
    u16::try_from(n).map_err(|e| e.to_string())
}
