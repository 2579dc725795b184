//! Issue 23, items 8 and 13: the command line in the user's language
//! (`--lang`, else the locale) — its messages, statistics, errors and help —
//! while the lab's own lines stay as the handout prints them; and numeric
//! knobs refusing a negative number or port 0 with the knob and its range.
//! Each run is the real binary against real sockets on loopback.

// Test code: its helpers outside #[test] fns panic on failure too (the
// crate-wide unwrap/expect lints are for the program, Cargo.toml [lints]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::process::{Command, Output, Stdio};

use common::{BIN, Running, listening_port};

/// `udp-lab` under a locale: LANG set, the variables that would override
/// it (as sys-locale reads them) removed.
fn udp_lab(lang: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("LANG", lang)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE");
    cmd
}

const RU: &str = "ru_RU.UTF-8";
const EN: &str = "C.UTF-8";

fn run(lang: &str, args: &[&str]) -> Output {
    udp_lab(lang).args(args).output().expect("udp-lab runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A CLI server under `lang`: the child, its stdout after the first line,
/// its port, and that first line.
fn server(lang: &str, extra: &[&str]) -> (Running, BufReader<std::process::ChildStdout>, u16) {
    let mut child = Running(
        udp_lab(lang)
            .args(["server", "--bind", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("server starts"),
    );
    let mut out = BufReader::new(child.0.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("first line");
    // The lab's line, as the handout's server prints it, in any language.
    let port = listening_port(&line);
    (child, out, port)
}

/// A port nothing listens on (bound, then closed).
fn dead_port() -> u16 {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
    s.local_addr().expect("addr").port()
}

#[test]
fn a_russian_locale_gets_russian_messages_and_the_lab_lines_unchanged() {
    let (_server, mut out, port) = server(RU, &[]);
    let to = format!("127.0.0.1:{port}");

    let one = run(RU, &["client", "--to", &to]);
    assert_eq!(text(&one.stdout), "Response from server: Hello, client\n");
    let mut line = String::new();
    out.read_line(&mut line).expect("the server's line");
    assert_eq!(line, "Message from client: Hello, server\n");

    let burst = run(
        RU,
        &["client", "--to", &to, "--count", "2", "--interval", "1"],
    );
    assert_eq!(burst.status.code(), Some(0));
    let stdout = text(&burst.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with(&format!("13 байт от {to}: seq=0 время=")),
        "{stdout}"
    );
    assert!(
        lines[0].ends_with(" мс") && lines[0].contains(','),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("--- статистика UDP для {to} ---")),
        "{stdout}"
    );
    assert!(
        stdout.contains("отправлено 2, ответов 2, потеряно 0%"),
        "{stdout}"
    );
    assert!(stdout.contains("rtt мин./сред./p99/макс. = "), "{stdout}");

    let dead = format!("127.0.0.1:{}", dead_port());
    let refused = run(RU, &["client", "--to", &dead, "--timeout", "0,5"]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        text(&refused.stderr),
        format!("udp-lab: По адресу {dead} никто не слушает (ICMP: порт недоступен)\n")
    );
}

#[test]
fn the_lang_flag_gets_russian_under_an_english_locale() {
    let (_server, _out, port) = server(EN, &[]);
    let to = format!("127.0.0.1:{port}");
    // After the subcommand too: --lang is global.
    let burst = run(
        EN,
        &[
            "client", "--lang", "ru", "--to", &to, "--count", "1", "--loss", "100",
        ],
    );
    let stdout = text(&burst.stdout);
    assert!(stdout.contains("seq=0 отброшено симулятором"), "{stdout}");
    assert!(
        stdout.contains(
            "отправлено 1, ответов 0, потеряно 100% (симулятор отбросил 1, сеть потеряла 0)"
        ),
        "{stdout}"
    );
    let missing = run(EN, &["--lang", "ru", "trace", "/nonexistent/client.py"]);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(
        text(&missing.stderr),
        "udp-lab: Скрипта /nonexistent/client.py нет: проверьте путь\n"
    );
    let nobody = run(
        EN,
        &[
            "--lang=ru",
            "find",
            "--port",
            &dead_port().to_string(),
            "--timeout",
            "0.1",
        ],
    );
    assert_eq!(nobody.status.code(), Some(1));
    assert!(
        text(&nobody.stderr).starts_with("udp-lab: Ни один сервер не ответил на порту "),
        "{}",
        text(&nobody.stderr)
    );
    assert!(
        text(&nobody.stderr).contains(" за 0,1 с "),
        "{}",
        text(&nobody.stderr)
    );
}

#[test]
fn the_lang_flag_gets_english_under_a_russian_locale() {
    let (_server, _out, port) = server(RU, &[]);
    let to = format!("127.0.0.1:{port}");
    let burst = run(
        RU,
        &[
            "--lang",
            "en",
            "client",
            "--to",
            &to,
            "--count",
            "2",
            "--interval",
            "1",
        ],
    );
    let stdout = text(&burst.stdout);
    assert!(
        stdout.contains(&format!("--- {to} UDP statistics ---")),
        "{stdout}"
    );
    assert!(stdout.contains("2 sent, 2 answered, 0% lost"), "{stdout}");
    let refusal = run(RU, &["client", "--lang", "en", "--timeout", "-1"]);
    let first = text(&refusal.stderr)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        first.starts_with("error: invalid value '-1' for '--timeout"),
        "{first}"
    );
    let help = run(RU, &["--lang", "en", "server", "--help"]);
    assert!(text(&help.stdout).contains("Usage: udp-lab server [OPTIONS]"));
}

/// The first line of a refusal's stderr; the exit code is clap's 2.
fn refusal(lang: &str, args: &[&str]) -> String {
    let out = run(lang, args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: {}",
        text(&out.stderr)
    );
    let err = text(&out.stderr);
    // Not clap's "use '-- -1'", which would send "-1" as the message.
    assert!(!err.contains("'-- "), "{args:?}: {err}");
    err.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn negative_numbers_and_port_zero_are_refused_with_the_knob_and_its_range() {
    // (arguments, value, English range, Russian range)
    let cases: &[(&[&str], &str, &str, &str)] = &[
        (
            &["find", "--port", "0"],
            "0",
            "--port takes 1 to 65535",
            "--port принимает значения от 1 до 65535",
        ),
        (
            &["find", "--port", "-1"],
            "-1",
            "--port takes 1 to 65535",
            "--port принимает значения от 1 до 65535",
        ),
        (
            &["find", "--timeout", "-1"],
            "-1",
            "--timeout takes 0.001 s to 3600 s",
            "--timeout принимает значения от 0,001 с до 3600 с",
        ),
        (
            &["client", "--timeout", "-1"],
            "-1",
            "--timeout takes 0.001 s to 3600 s",
            "--timeout принимает значения от 0,001 с до 3600 с",
        ),
        (
            &["client", "--interval", "-0,5"],
            "-0,5",
            "--interval takes 0 ms to 60000 ms",
            "--interval принимает значения от 0 мс до 60000 мс",
        ),
        (
            &["client", "--count", "-1"],
            "-1",
            "--count takes 1 to 1000000",
            "--count принимает значения от 1 до 1000000",
        ),
        (
            &["client", "--buffer", "-1"],
            "-1",
            "--buffer takes 1 to 65508 bytes",
            "--buffer принимает значения от 1 до 65508 байт",
        ),
        (
            &["client", "--ttl", "-1"],
            "-1",
            "--ttl takes 0 to 255",
            "--ttl принимает значения от 0 до 255",
        ),
        (
            &["client", "--ttl", "256"],
            "256",
            "--ttl takes 0 to 255",
            "--ttl принимает значения от 0 до 255",
        ),
        (
            &["client", "--loss", "-1"],
            "-1",
            "--loss takes a percentage from 0 to 100",
            "--loss принимает процент от 0 до 100",
        ),
        (
            &["client", "--delay", "-1"],
            "-1",
            "--delay takes 0 ms to 10000 ms",
            "--delay принимает значения от 0 мс до 10000 мс",
        ),
        (
            &["client", "--jitter", "-1"],
            "-1",
            "--jitter takes 0 ms to 10000 ms",
            "--jitter принимает значения от 0 мс до 10000 мс",
        ),
        (
            &["client", "--duplicate", "-1%"],
            "-1%",
            "--duplicate takes a percentage from 0 to 100",
            "--duplicate принимает процент от 0 до 100",
        ),
        (
            &["client", "--reorder", "-1"],
            "-1",
            "--reorder takes a percentage from 0 to 100",
            "--reorder принимает процент от 0 до 100",
        ),
        (
            &["client", "--seed", "-1"],
            "-1",
            "--seed takes 0 to 18446744073709551615",
            "--seed принимает значения от 0 до 18446744073709551615",
        ),
        (
            &["server", "--buffer", "-1"],
            "-1",
            "--buffer takes 1 to 65508 bytes",
            "--buffer принимает значения от 1 до 65508 байт",
        ),
        (
            &["server", "--loss", "-5"],
            "-5",
            "--loss takes a percentage from 0 to 100",
            "--loss принимает процент от 0 до 100",
        ),
    ];
    for (args, value, en, ru) in cases {
        let line = refusal(EN, args);
        assert!(
            line.starts_with(&format!("error: invalid value '{value}' for '")),
            "{args:?}: {line}"
        );
        assert!(line.ends_with(en), "{args:?}: {line}");
        let mut with_flag = vec!["--lang", "ru"];
        with_flag.extend_from_slice(args);
        for line in [refusal(RU, args), refusal(EN, &with_flag)] {
            assert!(
                line.starts_with(&format!("ошибка: недопустимое значение '{value}' для '")),
                "{args:?}: {line}"
            );
            assert!(line.ends_with(ru), "{args:?}: {line}");
        }
    }
}

#[test]
fn help_and_clap_errors_are_in_russian() {
    let help = run(RU, &["client", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    let help = text(&help.stdout);
    for needle in [
        "Использование: udp-lab client [ПАРАМЕТРЫ]",
        "Параметры:",
        "Сколько секунд ждать ответа",
        "[по умолчанию: 2]",
        "-h, --help",
        "Показать справку",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
    let top = text(&run(EN, &["--lang", "ru", "--help"]).stdout);
    assert!(
        top.contains("Команды:") && top.contains("Запустить сервер из лабораторной"),
        "{top}"
    );
    assert!(
        !top.contains("Usage:") && !top.contains("Print help"),
        "{top}"
    );

    let unknown = text(&run(RU, &["client", "--nope"]).stderr);
    assert!(
        unknown.starts_with("ошибка: неизвестный аргумент '--nope'\n"),
        "{unknown}"
    );
    assert!(unknown.ends_with("Подробнее: '--help'.\n"), "{unknown}");
    let conflict = text(&run(RU, &["server", "--echo", "--no-reply"]).stderr);
    assert!(
        conflict.starts_with("ошибка: аргумент '--echo' нельзя использовать вместе с '--no-reply'"),
        "{conflict}"
    );
}

#[test]
fn russian_output_into_a_closed_pipe_ends_quietly() {
    let (_server, out, port) = server(RU, &[]);
    std::thread::spawn(move || for _ in out.lines() {});
    for args in [
        vec![
            "client",
            "--to",
            &format!("127.0.0.1:{port}"),
            "--count",
            "50",
            "--interval",
            "20",
        ],
        vec!["client", "--help"],
        vec!["--help"],
    ] {
        let mut child = udp_lab(RU)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("a line");
        assert!(!line.is_empty(), "{args:?}");
        // The reader goes away, as `| head -1` does.
        drop(stdout);
        let out = child.wait_with_output().expect("ends");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(
            !text(&out.stderr).contains("panicked"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn a_traced_script_is_reported_in_russian_and_prints_its_own_lines() {
    if !common::have("python3") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("udp-lab-cli-lang-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let script = dir.join("client.py");
    std::fs::write(
        &script,
        "import socket\n\
         s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
         print('Hello from the script')\n\
         s.close()\n",
    )
    .expect("script");
    let out = run(RU, &["trace", &script.to_string_lossy()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Hello from the script\n"), "{stdout}");
    assert!(
        stdout.ends_with("client.py завершён: код выхода 0\n"),
        "{stdout}"
    );
}
