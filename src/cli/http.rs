//! `udp-lab server --http` and `udp-lab client --http URL` (issue 28): UDP
//! Lab's web server, one line per request, and its client, which prints the
//! status line, the headers and the body as they arrived.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args as ClapArgs;

use udp_lab::lab::http::{self as model, BodyCheck, HeadEnd, Kind, LineKind};
use udp_lab::lab::i18n::cli::C;
use udp_lab::lab::i18n::{T, fill, http as words};
use udp_lab::lab::text as format;
use udp_lab::net::{self, http};

use super::{lang, say, warn};

/// `server`'s web flags (kept apart from UDP's and TCP's).
#[derive(ClapArgs, Debug, Clone)]
pub struct HttpServerArgs {
    // UDP's and TCP's knobs do nothing to the web server: refused by name
    // rather than ignored (the simulator's, with a reason: cli.rs).
    #[arg(long, conflicts_with_all = ["tcp", "reply", "echo", "no_reply", "buffer", "join", "interface", "encoding", "save"])]
    pub http: bool,
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// `client`'s web flags.
#[derive(ClapArgs, Debug, Clone)]
pub struct HttpClientArgs {
    #[arg(long = "http", value_name = "URL", conflicts_with_all = ["tcp", "to", "message", "broadcast", "ttl", "no_multicast_loop", "encoding", "buffer", "count", "interval", "save"])]
    pub url: Option<String>,
    #[arg(long, value_name = "HEADER")]
    pub header: Vec<String>,
}

/// `--root` or `--header` without `--http`: one line naming the knob.
pub fn stray_flag(flag: &str) -> ExitCode {
    let _ = warn(format_args!(
        "udp-lab: {}",
        fill(C::HttpNeedsFlag.get(lang()), &[("flag", &flag)])
    ));
    ExitCode::FAILURE
}

/// Whether the user typed `--bind` (its default is UDP's port; the web
/// server's is 6789).
pub fn bind_given() -> bool {
    std::env::args_os().any(|a| {
        let a = a.to_string_lossy();
        a == "--bind" || a.starts_with("--bind=")
    })
}

fn fail(text: &str) -> ExitCode {
    let _ = warn(format_args!("udp-lab: {text}"));
    ExitCode::FAILURE
}

pub fn server(bind: &str, root: Option<PathBuf>) -> ExitCode {
    let lang = lang();
    let bind = match net::parse_addr(bind, false)
        .map_err(net::NetError::Addr)
        .and_then(|a| net::resolve(&a))
    {
        Ok(addr) => addr,
        Err(e) => return fail(&super::error_text(&e)),
    };
    let root = match root {
        None => http::Root::Builtin,
        Some(dir) => match dir.canonicalize() {
            Ok(real) if real.is_dir() => http::Root::Dir(real),
            result => {
                // The OS's words: "No such file or directory", "Not a directory".
                let reason = match result.and_then(std::fs::read_dir) {
                    Err(e) => e.to_string(),
                    Ok(_) => String::new(),
                };
                let text = fill(
                    C::HttpRootNotDir.get(lang),
                    &[("path", &dir.display()), ("reason", &reason)],
                );
                return fail(&text);
            }
        },
    };
    let limits = http::Limits::default();
    let pages: http::Pages = Arc::new(move |status, refusal| {
        words::status(lang, status, refusal, &limits)
            .unwrap_or_else(|| http::reason(status).to_owned())
    });
    let (gone_tx, gone_rx) = std::sync::mpsc::sync_channel::<()>(1);
    let sink = net::inline_sink(move |events: Vec<http::HttpEvent>| {
        for event in events {
            if print_event(&event, &limits).is_err() {
                let _ = gone_tx.try_send(());
            }
        }
    });
    let shown_root = match &root {
        http::Root::Builtin => C::HttpBuiltinSite.get(lang).to_owned(),
        http::Root::Dir(dir) => dir.display().to_string(),
    };
    let config = http::HttpServerConfig {
        bind,
        root,
        limits,
        pages,
        calls: None,
    };
    let handle = match http::spawn_http_server(config, sink) {
        Ok(handle) => handle,
        Err(e) => return fail(&super::error_text(&e)),
    };
    let addr = match handle.addr {
        std::net::SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
        a => a.to_string(),
    };
    let serving = fill(
        C::HttpServing.get(lang),
        &[("root", &shown_root), ("addr", &addr)],
    );
    if say(format_args!("{serving}")).is_err() {
        return ExitCode::FAILURE;
    }
    if handle.addr.ip().is_unspecified() {
        let _ = warn(format_args!("{}", T::ExposedAllInterfaces.get(lang)));
    }
    // Runs until a signal ends the process, or nobody reads its output.
    let _ = gone_rx.recv();
    drop(handle);
    ExitCode::SUCCESS
}

fn print_event(event: &http::HttpEvent, limits: &http::Limits) -> Result<(), super::Gone> {
    let lang = lang();
    match &event.kind {
        http::HttpEventKind::Request(log) => {
            let time = format::clock(event.at);
            let args: [(&str, &dyn std::fmt::Display); 7] = [
                ("time", &time),
                ("peer", &log.peer),
                ("method", &log.method),
                ("target", &log.target),
                ("status", &log.status),
                ("reason", &http::reason(log.status)),
                ("bytes", &log.bytes),
            ];
            let key = if log.method.is_empty() {
                C::HttpLogNoRequest
            } else {
                C::HttpLogLine
            };
            let mut line = fill(key.get(lang), &args);
            if let Some(why) = words::status(lang, log.status, log.refusal, limits) {
                line.push_str(" — ");
                line.push_str(&why);
            }
            say(format_args!("{line}"))
        }
        http::HttpEventKind::Failed { error } => {
            warn(format_args!("udp-lab: {}", super::error_text(error)))
        }
        http::HttpEventKind::Listening { .. }
        | http::HttpEventKind::Stopped
        | http::HttpEventKind::Fetched(_) => Ok(()),
    }
}

pub fn client(url: &str, headers: &[String], timeout: Duration) -> ExitCode {
    let lang = lang();
    let said = |e: &http::HttpClientError| fail(&words::client_error(lang, e));
    let headers: Result<Vec<_>, _> = headers.iter().map(|h| http::parse_header(h)).collect();
    let headers = match headers {
        Ok(h) => h,
        Err(e) => return said(&e),
    };
    let url = match http::parse_url(url) {
        Ok(u) => u,
        Err(e) => return said(&e),
    };
    let reply = match http::get(&url, &headers, timeout) {
        Ok(r) => r,
        Err(e) => return said(&e),
    };
    let bytes = &reply.bytes;
    let got: &dyn std::fmt::Display = &bytes.len();
    if bytes.is_empty() {
        return fail(T::HttpErrEmpty.get(lang));
    }
    let message = model::parse(bytes, Kind::Response);
    if !matches!(
        message.lines.first().map(|l| &l.kind),
        Some(LineKind::Status { .. })
    ) {
        return fail(&fill(T::HttpErrNotHttp.get(lang), &[("got", got)]));
    }
    let mut out = std::io::stdout().lock();
    for line in &message.lines {
        let text = String::from_utf8_lossy(&bytes[line.range.clone()]);
        if writeln!(out, "{text}").is_err() {
            return ExitCode::FAILURE;
        }
    }
    let HeadEnd::Found { .. } = message.head_end else {
        let _ = out.flush();
        return fail(&fill(T::HttpErrNoEmptyLine.get(lang), &[("got", got)]));
    };
    let Some(body) = &message.body else {
        return ExitCode::FAILURE;
    };
    let content = &bytes[body.range.clone()];
    let written = if content.is_empty() {
        writeln!(out)
    } else if std::str::from_utf8(content).is_ok() {
        writeln!(out).and_then(|()| out.write_all(content))
    } else {
        let mime = message.header("content-type").unwrap_or("?");
        let note = fill(
            C::HttpBinaryBody.get(lang),
            &[("len", &content.len()), ("mime", &mime)],
        );
        writeln!(out).and_then(|()| writeln!(out, "{note}"))
    };
    if written.and_then(|()| out.flush()).is_err() {
        return ExitCode::FAILURE;
    }
    if let BodyCheck::Short { missing } = body.check {
        return fail(&fill(
            T::HttpErrShortBody.get(lang),
            &[("missing", &missing)],
        ));
    }
    ExitCode::SUCCESS
}
