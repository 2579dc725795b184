//! The Code view's programs (src/lab/code.rs), saved and run for real:
//! under python3 against each other and against UDP Lab's own CLI server
//! and client, on loopback; under Python 2.7 when one is installed; and
//! read by vermin for the oldest Python they need (2.7 and 3.0).

// Test code: a failed setup step should stop the test where it failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{BIN, cli_server, have, listening_port, spawn_reading_first_line};
use udp_lab::lab::code::{CodeSettings, ReplyCode, Role};
use udp_lab::lab::i18n::Lang;

/// A fresh folder under the system's temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!(
            "udp-lab-scripts-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the script");
    path
}

/// The window's defaults: the server on a free port (it prints the port
/// the OS picked), the client with UDP Lab's timeout.
fn settings(port: u16) -> CodeSettings {
    CodeSettings {
        bind: "127.0.0.1:0".into(),
        target: format!("127.0.0.1:{port}"),
        timeout: Some(Duration::from_secs(5)),
        ..CodeSettings::default()
    }
}

fn script(role: Role, settings: &CodeSettings, lang: Lang, dir: &Path) -> PathBuf {
    let program = role.program(settings, lang);
    write(dir, program.file_name, &program.source)
}

/// Starts the generated server (unbuffered, so its lines come at once)
/// and returns it, its output after the first line, and its port.
fn python_server(
    python: &str,
    path: &Path,
) -> (
    common::Running,
    std::io::BufReader<std::process::ChildStdout>,
    u16,
) {
    let (child, out, line) = spawn_reading_first_line(
        Command::new(python)
            .arg("-u")
            .arg(path)
            .stderr(Stdio::null()),
    );
    (child, out, listening_port(&line))
}

fn run_client(python: &str, path: &Path) -> String {
    let out = Command::new(python)
        .arg(path)
        .output()
        .expect("the client runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn next_line(out: &mut impl BufRead) -> String {
    let mut line = String::new();
    out.read_line(&mut line).expect("a line");
    line
}

fn exchange_under(python: &str, lang: Lang) {
    let dir = TempDir::new("pair");
    let server = script(Role::Server, &settings(0), lang, &dir.0);
    let (_server, mut out, port) = python_server(python, &server);
    let client = script(Role::Client, &settings(port), lang, &dir.0);
    assert_eq!(
        run_client(python, &client),
        "Response from server: Hello, client\n"
    );
    assert_eq!(next_line(&mut out), "Message from client: Hello, server\n");
}

#[test]
fn the_saved_server_and_client_print_the_labs_lines() {
    if !have("python3") {
        return;
    }
    // The first line was checked by python_server: "Server is listening
    // on 127.0.0.1 port N".
    exchange_under("python3", Lang::En);
    // Russian comments (a coding line) change nothing the programs print.
    exchange_under("python3", Lang::Ru);
}

#[test]
fn the_saved_programs_run_under_python_2_7_too() {
    // Not on every machine, and not installed by CI: checked when present
    // (vermin below checks the syntax on CI).
    let works = Command::new("python2.7")
        .args(["-c", "pass"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if works {
        exchange_under("python2.7", Lang::En);
        exchange_under("python2.7", Lang::Ru);
    }
}

#[test]
fn the_saved_client_talks_to_the_udp_lab_server() {
    if !have("python3") {
        return;
    }
    let (_server, mut out, port) = cli_server(&[]);
    let dir = TempDir::new("cli-server");
    let client = script(Role::Client, &settings(port), Lang::En, &dir.0);
    assert_eq!(
        run_client("python3", &client),
        "Response from server: Hello, client\n"
    );
    assert_eq!(next_line(&mut out), "Message from client: Hello, server\n");
}

#[test]
fn the_udp_lab_client_talks_to_the_saved_server() {
    if !have("python3") {
        return;
    }
    let dir = TempDir::new("cli-client");
    let server = script(Role::Server, &settings(0), Lang::En, &dir.0);
    let (_server, mut out, port) = python_server("python3", &server);
    let client = Command::new(BIN)
        .args(["client", "--to", &format!("127.0.0.1:{port}")])
        .output()
        .expect("the client runs");
    assert!(client.status.success());
    assert_eq!(
        String::from_utf8_lossy(&client.stdout),
        "Response from server: Hello, client\n"
    );
    assert_eq!(next_line(&mut out), "Message from client: Hello, server\n");
}

#[test]
fn an_echo_server_and_a_timeout_behave_as_their_code_says() {
    if !have("python3") {
        return;
    }
    let dir = TempDir::new("modes");
    let echo = CodeSettings {
        reply: ReplyCode::Echo,
        message: "Привет, сервер".into(),
        ..settings(0)
    };
    let server = script(Role::Server, &echo, Lang::En, &dir.0);
    let (_server, mut out, port) = python_server("python3", &server);
    let client = script(
        Role::Client,
        &CodeSettings {
            target: format!("127.0.0.1:{port}"),
            ..echo.clone()
        },
        Lang::En,
        &dir.0,
    );
    assert_eq!(
        run_client("python3", &client),
        "Response from server: Привет, сервер\n"
    );
    assert_eq!(next_line(&mut out), "Message from client: Привет, сервер\n");

    // No reply: the client's settimeout gives up and says so.
    let silent = CodeSettings {
        reply: ReplyCode::None,
        ..settings(0)
    };
    let dir2 = TempDir::new("silent");
    let server = script(Role::Server, &silent, Lang::En, &dir2.0);
    let (_silent, _out, port) = python_server("python3", &server);
    let client = script(
        Role::Client,
        &CodeSettings {
            target: format!("127.0.0.1:{port}"),
            timeout: Some(Duration::from_millis(300)),
            ..silent
        },
        Lang::En,
        &dir2.0,
    );
    assert_eq!(
        run_client("python3", &client),
        "No server answered within 0.3 s\n"
    );
}

/// Every variant of both programs, in both languages, needs nothing newer
/// than Python 2.7 and 3.0 (vermin reads the syntax and the modules).
#[test]
fn vermin_finds_the_programs_compatible_with_python_2_7_and_3_0() {
    if !have("vermin") {
        return;
    }
    let dir = TempDir::new("vermin");
    let mut files = Vec::new();
    for lang in Lang::ALL {
        for (i, reply) in [
            ReplyCode::Fixed("Hello, client".into()),
            ReplyCode::Echo,
            ReplyCode::None,
        ]
        .into_iter()
        .enumerate()
        {
            for timeout in [None, Some(Duration::from_secs(2))] {
                let settings = CodeSettings {
                    reply: reply.clone(),
                    timeout,
                    message: "Привет".into(),
                    ..settings(12345)
                };
                for role in Role::ALL {
                    let program = role.program(&settings, lang);
                    let name = format!("{lang:?}-{i}-{}-{}", timeout.is_some(), program.file_name);
                    files.push(write(&dir.0, &name, &program.source));
                }
            }
        }
    }
    common::assert_vermin_clean(&files);
}

/// The Code view's TCP pair (issue 27), run against each other: the
/// client reads until b'' and prints the whole answer; the server prints
/// the message. Echo, and a server that answers nothing (the client's
/// loop still ends: the server closes). Python 2 prints only ASCII into a
/// pipe (its stdout has no encoding there), as the UDP pair's test knows.
fn tcp_exchange_under(python: &str, lang: Lang, message: &str) {
    use udp_lab::lab::code::tcp;
    let dir = TempDir::new("tcp-pair");
    for (reply, answer) in [
        (
            ReplyCode::Fixed("Hello, client".into()),
            "Response from server: Hello, client\n".to_owned(),
        ),
        (
            ReplyCode::Echo,
            format!("Response from server: {message}\n"),
        ),
        (ReplyCode::None, "No answer from the server\n".to_owned()),
    ] {
        let settings = CodeSettings {
            reply,
            message: message.into(),
            ..settings(0)
        };
        let server = tcp::server(&settings, lang);
        let path = write(&dir.0, "tcp_server.py", &server.source);
        let (_server, mut out, port) = python_server(python, &path);
        let client = tcp::client(
            &CodeSettings {
                target: format!("127.0.0.1:{port}"),
                ..settings
            },
            lang,
        );
        let path = write(&dir.0, "tcp_client.py", &client.source);
        assert_eq!(run_client(python, &path), answer);
        assert_eq!(
            next_line(&mut out),
            format!("Message from client: {message}\n")
        );
    }
}

#[test]
fn the_saved_tcp_server_and_client_talk_until_the_server_closes() {
    if !have("python3") {
        println!("SKIPPED the_saved_tcp_server_and_client_talk: python3 is not installed");
        return;
    }
    tcp_exchange_under("python3", Lang::En, "Hello, server");
    tcp_exchange_under("python3", Lang::Ru, "Привет, сервер");
    let python2 = std::env::var("UDPLAB_PYTHON2").unwrap_or_else(|_| "python2.7".into());
    let works = Command::new(&python2)
        .args(["-c", "pass"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if works {
        tcp_exchange_under(&python2, Lang::Ru, "Hello, server");
    } else {
        println!("SKIPPED the TCP pair under Python 2.7: no {python2}");
    }
}
