//! The lab's two Python programs, written from the window's values: the
//! same calls in the same order as the handout (/work/shared/lab), a
//! `main()` and the `if __name__ == "__main__":` guard, each handout step
//! marked with its number in a comment in the UI language. Each program
//! knows the line of every step, so a view can light the line that runs.
//!
//! The scripts run under Python 3 and 2.7 alike: `from __future__` makes
//! `print` a function and every literal text, and `encode`/`decode` name
//! UTF-8 (Python 2's default is ASCII). No egui here.

pub mod web;
pub mod web_client;

use std::io::{self, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::lab::i18n::{Lang, T, fill};
use crate::net::{self, Host, ParsedAddr, Protocol, fmt_secs};

/// What the server answers, as the window's reply mode says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyCode {
    Fixed(String),
    Echo,
    None,
}

/// The window's values the programs show.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeSettings {
    /// The server's bind address as typed ("127.0.0.1:12345").
    pub bind: String,
    /// The client's server address as typed.
    pub target: String,
    pub message: String,
    pub reply: ReplyCode,
    pub server_buffer: usize,
    pub client_buffer: usize,
    /// The client's `settimeout` (None: it waits forever, as the lab's).
    pub timeout: Option<Duration>,
    /// The TCP server's `listen` backlog.
    pub backlog: u32,
    /// Which program each side shows: the lab's UDP pair, or UDP Lab's
    /// TCP programs (issue 27).
    pub server_protocol: Protocol,
    pub client_protocol: Protocol,
    /// Issue 28: the web server's address and folder.
    pub web: web::WebCodeSettings,
}

impl Default for CodeSettings {
    /// The handout's own values.
    fn default() -> Self {
        Self {
            bind: net::DEFAULT_ADDR.into(),
            target: net::DEFAULT_ADDR.into(),
            message: net::DEFAULT_REQUEST.into(),
            reply: ReplyCode::Fixed(net::DEFAULT_REPLY.into()),
            server_buffer: net::DEFAULT_BUFFER,
            client_buffer: net::DEFAULT_BUFFER,
            timeout: None,
            backlog: 5,
            server_protocol: Protocol::Udp,
            client_protocol: Protocol::Udp,
            web: web::WebCodeSettings::default(),
        }
    }
}

/// One program's text and where each handout step is in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub file_name: &'static str,
    pub source: String,
    /// (handout step, line number from 1), in step order. A step the
    /// program leaves out (no reply: 9 and 10) has no line.
    pub steps: Vec<(u8, usize)>,
    /// The address field was not valid: the program shows the default.
    pub address_invalid: bool,
}

impl Program {
    /// The line (from 1) of a handout step.
    pub fn line_of(&self, step: u8) -> Option<usize> {
        self.steps.iter().find(|(s, _)| *s == step).map(|(_, l)| *l)
    }
}

/// Which of the two programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Server,
    Client,
}

impl Role {
    /// The program UDP Lab's own side runs; a traced script runs its own
    /// source, not these.
    pub fn of(side: crate::lab::session::Side) -> Option<Self> {
        match side {
            crate::lab::session::Side::Server => Some(Role::Server),
            crate::lab::session::Side::Client => Some(Role::Client),
            crate::lab::session::Side::Script(_) => None,
        }
    }
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Server, Role::Client];

    pub fn file_name(self) -> &'static str {
        match self {
            Role::Server => "server.py",
            Role::Client => "client.py",
        }
    }

    /// The program of this side, in the protocol the window chose for it.
    pub fn program(self, settings: &CodeSettings, lang: Lang) -> Program {
        match (self, settings.server_protocol, settings.client_protocol) {
            (Role::Server, Protocol::Udp, _) => server(settings, lang),
            (Role::Server, Protocol::Tcp, _) => tcp::server(settings, lang),
            // Issue 28: the web server, with the window's port and folder.
            (Role::Server, Protocol::Http, _) => web::program(&settings.web, lang),
            (Role::Client, _, Protocol::Udp) => client(settings, lang),
            (Role::Client, _, Protocol::Tcp) => tcp::client(settings, lang),
            // Issue 28: a socket-level GET of the window's URL.
            (Role::Client, _, Protocol::Http) => {
                web_client::program(&settings.web.url, &settings.web.headers, lang)
            }
        }
    }
}

/// Lines with their steps, numbered as they are added.
struct Lines {
    lang: Lang,
    lines: Vec<String>,
    steps: Vec<(u8, usize)>,
}

impl Lines {
    fn new(lang: Lang) -> Self {
        Self {
            lang,
            lines: Vec::new(),
            steps: Vec::new(),
        }
    }

    fn line(&mut self, text: impl Into<String>) {
        self.lines.push(text.into());
    }

    fn blank(&mut self) {
        self.line("");
    }

    /// `code  # N. what`, the line of step N.
    fn step(&mut self, step: u8, code: &str, what: T) {
        self.lines
            .push(format!("{code}  # {step}. {}", what.get(self.lang)));
        self.steps.push((step, self.lines.len()));
    }

    /// A line that is only the step's comment (`# 9. …`), indented.
    fn step_comment(&mut self, step: u8, indent: &str, what: T) {
        self.lines
            .push(format!("{indent}# {step}. {}", what.get(self.lang)));
        self.steps.push((step, self.lines.len()));
    }

    /// `code  # note` (not a handout step).
    fn noted(&mut self, code: &str, note: &str) {
        self.lines.push(format!("{code}  # {note}"));
    }

    fn header(&mut self) {
        let note = T::CodePython2.get(self.lang);
        self.noted(
            "from __future__ import print_function, unicode_literals",
            note,
        );
        self.blank();
        self.step(1, "import socket", T::CodeStepImport);
        self.blank();
        self.blank();
        self.step(2, "def main():", T::CodeStepMain);
    }

    fn footer(&mut self) {
        self.blank();
        self.blank();
        self.line("if __name__ == \"__main__\":");
        self.line("    main()");
    }

    fn finish(mut self, file_name: &'static str, address_invalid: bool) -> Program {
        // Python 2 reads a file with anything but ASCII only when told.
        let mut shift = 0;
        if self.lines.iter().any(|l| !l.is_ascii()) {
            self.lines.insert(0, "# -*- coding: utf-8 -*-".into());
            shift = 1;
        }
        let mut source = self.lines.join("\n");
        source.push('\n');
        let mut steps: Vec<(u8, usize)> = self.steps.iter().map(|&(s, l)| (s, l + shift)).collect();
        steps.sort_unstable();
        Program {
            file_name,
            source,
            steps,
            address_invalid,
        }
    }
}

/// An address field's host and port, or the handout's when it is not valid.
fn host_port(text: &str, for_target: bool) -> (ParsedAddr, bool) {
    match net::parse_addr(text, for_target) {
        Ok(a) => (a, false),
        Err(_) => (
            ParsedAddr {
                host: Host::Ip(IpAddr::from([127, 0, 0, 1])),
                port: net::DEFAULT_PORT,
            },
            true,
        ),
    }
}

fn host_literal(host: &Host) -> String {
    match host {
        Host::Ip(ip) => py_str(&ip.to_string()),
        Host::Name(name) => py_str(name),
    }
}

fn family(host: &Host) -> &'static str {
    match host {
        Host::Ip(IpAddr::V6(_)) => "socket.AF_INET6",
        _ => "socket.AF_INET",
    }
}

pub fn server(settings: &CodeSettings, lang: Lang) -> Program {
    let (bind, invalid) = host_port(&settings.bind, false);
    let mut p = Lines::new(lang);
    p.header();
    p.step(
        3,
        &format!("    server_ip = {}", host_literal(&bind.host)),
        T::CodeStepAddress,
    );
    p.line(format!("    server_port = {}", bind.port));
    p.blank();
    p.step(
        4,
        &format!(
            "    server_socket = socket.socket({}, socket.SOCK_DGRAM)",
            family(&bind.host)
        ),
        T::CodeStepSocket,
    );
    p.step(
        5,
        "    server_socket.bind((server_ip, server_port))",
        T::CodeStepBind,
    );
    if bind.port == 0 {
        p.noted(
            "    server_port = server_socket.getsockname()[1]",
            T::CodeAnyPort.get(lang),
        );
    }
    p.blank();
    p.step(
        6,
        "    print(\"Server is listening on\", server_ip, \"port\", server_port)",
        T::CodeStepListening,
    );
    p.blank();
    p.line("    while True:");
    p.step(
        7,
        &format!(
            "        message, client_address = server_socket.recvfrom({})",
            settings.server_buffer
        ),
        T::CodeStepRecv,
    );
    p.step(
        8,
        "        print(\"Message from client:\", message.decode(\"utf-8\", \"replace\"))",
        T::CodeStepPrintMessage,
    );
    p.blank();
    match &settings.reply {
        ReplyCode::Fixed(text) => {
            p.step(
                9,
                &format!("        response = {}", py_str(text)),
                T::CodeStepAnswer,
            );
            p.step(
                10,
                "        server_socket.sendto(response.encode(\"utf-8\"), client_address)",
                T::CodeStepSend,
            );
        }
        ReplyCode::Echo => {
            p.step_comment(9, "        ", T::CodeStepAnswerEcho);
            p.step(
                10,
                "        server_socket.sendto(message, client_address)",
                T::CodeStepSend,
            );
        }
        ReplyCode::None => {
            p.line(format!("        # {}", T::CodeNoReply.get(lang)));
        }
    }
    p.footer();
    p.finish(Role::Server.file_name(), invalid)
}

pub fn client(settings: &CodeSettings, lang: Lang) -> Program {
    let (target, invalid) = host_port(&settings.target, true);
    let mut p = Lines::new(lang);
    p.header();
    p.step(
        3,
        &format!("    server_ip = {}", host_literal(&target.host)),
        T::CodeStepServerAddress,
    );
    p.line(format!("    server_port = {}", target.port));
    p.step(
        4,
        &format!("    message = {}", py_str(&settings.message)),
        T::CodeStepMessage,
    );
    p.blank();
    p.step(
        5,
        &format!(
            "    client_socket = socket.socket({}, socket.SOCK_DGRAM)",
            family(&target.host)
        ),
        T::CodeStepSocket,
    );
    if let Some(timeout) = settings.timeout {
        p.noted(
            &format!("    client_socket.settimeout({})", py_float(timeout)),
            &fill(
                T::CodeTimeoutNote.get(lang),
                &[("secs", &secs(lang, timeout))],
            ),
        );
    }
    p.step(
        6,
        "    client_socket.sendto(message.encode(\"utf-8\"), (server_ip, server_port))",
        T::CodeStepClientSend,
    );
    p.blank();
    let recv = format!(
        "response, _ = client_socket.recvfrom({})",
        settings.client_buffer
    );
    let print = "print(\"Response from server:\", response.decode(\"utf-8\", \"replace\"))";
    match settings.timeout {
        Some(timeout) => {
            p.line("    try:");
            p.step(7, &format!("        {recv}"), T::CodeStepClientRecv);
            p.step(8, &format!("        {print}"), T::CodeStepPrintAnswer);
            p.noted("    except socket.timeout:", T::CodeTimeoutBranch.get(lang));
            p.line(format!(
                "        print(\"No server answered within {}\")",
                fmt_secs(timeout)
            ));
        }
        None => {
            p.step(7, &format!("    {recv}"), T::CodeStepClientRecv);
            p.step(8, &format!("    {print}"), T::CodeStepPrintAnswer);
        }
    }
    p.blank();
    p.step(9, "    client_socket.close()", T::CodeStepClose);
    p.footer();
    p.finish(Role::Client.file_name(), invalid)
}

/// Writes `program` into `dir` under its own name, never over a file
/// that is there: "server.py", then "server-2.py", "server-3.py", …
pub fn save(dir: &Path, program: &Program) -> io::Result<PathBuf> {
    let (stem, ext) = program
        .file_name
        .rsplit_once('.')
        .unwrap_or((program.file_name, "py"));
    let (path, mut file) = super::export::create_numbered(dir, stem, ext)?;
    match file
        .write_all(program.source.as_bytes())
        .and_then(|()| file.sync_all())
    {
        Ok(()) => Ok(path),
        Err(e) => {
            // A half-written program is worse than none.
            let _ = std::fs::remove_file(&path);
            Err(e)
        }
    }
}

/// "2 s" / "2 с" for a comment.
fn secs(lang: Lang, d: Duration) -> String {
    crate::lab::i18n::secs(lang, d)
}

/// A float literal Python reads back as the same number ("2.0", "0.25").
fn py_float(d: Duration) -> String {
    format!("{:?}", d.as_secs_f64())
}

/// A double-quoted Python literal that means `s` in Python 3 and, with
/// `unicode_literals`, in Python 2.7: quotes and backslashes escaped,
/// control and invisible separator characters written as escapes, the
/// rest (Cyrillic too) as it is.
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_invisible_separator(c) => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters that end a line for some editors, or show as nothing.
fn is_invisible_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}')
}

pub mod tcp;

#[cfg(test)]
mod tests;
