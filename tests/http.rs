//! UDP Lab's web server and client (issue 28) against real peers on
//! loopback: headless chromium, curl, python3's urllib and nc as clients;
//! python3 servers that answer wrongly for the client. Traversals are
//! refused with 403; a slow client and a 10 MB request do not keep anyone
//! else from being served.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{ChildStdout, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{BIN, Running, WAIT, have, shared, spawn_reading_first_line};
use udp_lab::net::http::{self, HttpEvent, HttpEventKind, Limits, Root};

/// `udp-lab server --http` on a free loopback port: the child, its log
/// lines as they come, and its port.
fn web_server(extra: &[&str]) -> (Running, Receiver<String>, u16) {
    let (child, out, first) = spawn_reading_first_line(
        Command::new(BIN)
            .args(["server", "--http", "--bind", "127.0.0.1:0"])
            .args(extra)
            .stderr(Stdio::null()),
    );
    let port = first
        .trim()
        .rsplit_once("http://127.0.0.1:")
        .and_then(|(_, p)| p.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    (child, lines(out), port)
}

fn lines(out: BufReader<ChildStdout>) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next log line that contains `wanted` (earlier ones are skipped).
fn logged(log: &Receiver<String>, wanted: &str) -> String {
    loop {
        match log.recv_timeout(WAIT * 2) {
            Ok(line) if line.contains(wanted) => return line,
            Ok(_) => {}
            Err(_) => panic!("the server never logged {wanted:?}"),
        }
    }
}

/// One request written as is (no client tidies the path) and the answer.
fn raw_get(port: u16, target: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(WAIT * 2)).unwrap();
    write!(s, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn chromium_loads_hello_world_and_the_server_logs_each_request() {
    let _guard = shared();
    if !have("chromium") {
        println!("SKIPPED chromium_loads_hello_world: chromium is not installed");
        return;
    }
    let (_server, log, port) = web_server(&[]);
    let dom = common::chromium_dom(&format!("http://127.0.0.1:{port}/HelloWorld.html"), "http");
    assert!(dom.contains(r#"<h1 id="hello">Hello World</h1>"#), "{dom}");
    assert!(
        dom.contains(r#"<img id="picture" src="socket.png""#),
        "{dom}"
    );
    let page = logged(&log, "/HelloWorld.html");
    assert!(
        page.contains("127.0.0.1:") && page.contains("GET /HelloWorld.html → 200 OK"),
        "{page}"
    );
    let picture = logged(&log, "/socket.png");
    assert!(picture.contains("→ 200 OK"), "{picture}");
    // The icon a browser asks for unbidden, when it does: not in the folder.
    while let Ok(line) = log.try_recv() {
        if line.contains("/favicon.ico") {
            assert!(line.contains("→ 404 Not Found"), "{line}");
        }
    }
}

#[test]
fn curl_urllib_nc_and_udp_labs_client_are_served() {
    let _guard = shared();
    let (_server, log, port) = web_server(&["--lang", "ru"]);
    let url = format!("http://127.0.0.1:{port}/HelloWorld.html");
    if have("curl") {
        let out = Command::new("curl")
            .args(["-sS", "-i", &url])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(
            text.contains("Content-Type: text/html; charset=utf-8\r\n"),
            "{text}"
        );
        assert!(text.contains("Hello World"), "{text}");
        // Russian log: the lab's numbers, the table's words.
        let line = logged(&log, "GET /HelloWorld.html");
        assert!(line.contains("→ 200 OK, отправлено байт: 533"), "{line}");
    }
    let py = Command::new("python3")
        .args([
            "-c",
            "import sys, urllib.request as u\nr = u.urlopen(sys.argv[1])\nprint(r.status, r.headers['Content-Length'])\nsys.stdout.write(r.read().decode())",
            &url,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&py.stdout);
    assert!(
        text.starts_with("200 417\n") && text.contains("Hello World"),
        "{text}"
    );
    if have("nc") {
        let mut nc = Command::new("nc")
            .args(["-N", "127.0.0.1", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        nc.stdin
            .take()
            .unwrap()
            .write_all(b"HEAD /socket.png HTTP/1.0\r\n\r\n")
            .unwrap();
        let out = nc.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.starts_with("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"),
            "{text}"
        );
        assert!(text.ends_with("\r\n\r\n"), "HEAD has no body: {text}");
        assert!(logged(&log, "HEAD /socket.png").contains("→ 200 OK"));
    }
    let out = Command::new(BIN)
        .args(["client", "--http", &url, "--header", "Accept: text/html"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.starts_with(
            "HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nContent-Length: 417\n"
        ),
        "{text}"
    );
    assert!(text.contains("\n\n<!DOCTYPE html>"), "{text}");
    let missing = Command::new(BIN)
        .args([
            "client",
            "--http",
            &format!("http://127.0.0.1:{port}/favicon.ico"),
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&missing.stdout).starts_with("HTTP/1.1 404 Not Found\n"));
    let line = logged(&log, "/favicon.ico");
    assert!(
        line.contains("→ 404 Not Found") && line.contains("Не найдено (404)"),
        "{line}"
    );
}

#[test]
fn traversals_are_refused_with_403_and_a_reason() {
    let _guard = shared();
    let dir = std::env::temp_dir().join(format!("udp-lab-root-{}", std::process::id()));
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("sub")).unwrap();
    std::fs::write(site.join("index.html"), "<p>inside</p>").unwrap();
    std::fs::write(site.join("sub/a b.txt"), "spaced").unwrap();
    std::fs::write(dir.join("secret.txt"), "SECRET-OUTSIDE-ROOT").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("secret.txt"), site.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(&dir, site.join("up")).unwrap();
    }
    let (_server, log, port) = web_server(&["--root", site.to_str().unwrap()]);
    assert!(raw_get(port, "/").ends_with("<p>inside</p>"));
    assert!(raw_get(port, "/sub/a%20b.txt").ends_with("spaced"));
    assert!(raw_get(port, "/nothing.html").starts_with("HTTP/1.1 404 Not Found\r\n"));
    let attempts = [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/sub/..%2f..%2fsecret.txt",
        "/%252e%252e/secret.txt",
        "//etc/passwd",
        "/..\\secret.txt",
        "/index.html%00.txt",
        "/link.txt",
        "/up/secret.txt",
    ];
    for target in attempts {
        let answer = raw_get(port, target);
        assert!(
            answer.starts_with("HTTP/1.1 403 Forbidden\r\n"),
            "{target}: {answer}"
        );
        assert!(
            !answer.contains("SECRET-OUTSIDE-ROOT"),
            "{target}: {answer}"
        );
        assert!(answer.contains("Refused (403)"), "{target}: {answer}");
        let line = logged(&log, target);
        assert!(
            line.contains("→ 403 Forbidden,") && line.contains("— Refused (403)"),
            "{line}"
        );
    }
    if have("curl") {
        let out = Command::new("curl")
            .args([
                "-s",
                "--path-as-is",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
            ])
            .arg(format!("http://127.0.0.1:{port}/../secret.txt"))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "403");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The library's server with a short deadline, its events collected.
fn library_server(limits: Limits) -> (http::HttpServerHandle, Arc<Mutex<Vec<HttpEvent>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    let sink = udp_lab::net::inline_sink(move |events: Vec<HttpEvent>| {
        keep.lock().unwrap().extend(events);
    });
    let config = http::HttpServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        root: Root::Builtin,
        limits,
        pages: Arc::new(|status, _| format!("status {status}")),
        calls: None,
    };
    (http::spawn_http_server(config, sink).unwrap(), seen)
}

fn statuses(seen: &Mutex<Vec<HttpEvent>>) -> Vec<u16> {
    seen.lock()
        .unwrap()
        .iter()
        .filter_map(|e| match &e.kind {
            HttpEventKind::Request(log) => Some(log.status),
            _ => None,
        })
        .collect()
}

#[test]
fn a_slow_client_and_a_10_mb_request_do_not_block_the_server() {
    let _guard = shared();
    // The real limits: 16 KiB of head, 10 s to send it.
    let (mut server, seen) = library_server(Limits::default());
    let addr: SocketAddr = server.addr;
    // Slowloris: a byte a second, never the end of the head.
    let mut slow = TcpStream::connect(addr).unwrap();
    let slow_writer = slow.try_clone().unwrap();
    let dripping = std::thread::spawn(move || {
        let mut w = slow_writer;
        for b in b"GET /HelloWorld.html HTTP/1.1\r\nX-Slow: "
            .iter()
            .cycle()
            .take(60)
        {
            if w.write_all(&[*b]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
    // 10 MB of head: the server stops reading at 16 KiB.
    let mut big = TcpStream::connect(addr).unwrap();
    let big_writer = big.try_clone().unwrap();
    let flooding = std::thread::spawn(move || {
        let mut w = big_writer;
        let mut head = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
        head.resize(10 * 1024 * 1024, b'a');
        w.write_all(&head)
    });
    // Meanwhile another client is served in full.
    let url = http::parse_url(&format!("http://{addr}/HelloWorld.html")).unwrap();
    let reply = http::get(&url, &[], WAIT * 2).unwrap();
    assert!(reply.bytes.starts_with(b"HTTP/1.1 200 OK\r\n"));
    assert!(reply.bytes.ends_with(b"</html>\n"));
    // The 10 MB: refused at the limit (the answer, when the reset that
    // follows the unread rest leaves it to be read, says so).
    let _ = flooding.join().unwrap();
    let mut answer = Vec::new();
    big.set_read_timeout(Some(WAIT)).unwrap();
    let _ = big.read_to_end(&mut answer);
    if !answer.is_empty() {
        assert!(
            answer.starts_with(b"HTTP/1.1 431 "),
            "{:?}",
            String::from_utf8_lossy(&answer)
        );
    }
    // At the deadline the slow client gets 408 and is closed.
    slow.set_read_timeout(Some(WAIT * 3)).unwrap();
    let mut late = Vec::new();
    let _ = slow.read_to_end(&mut late);
    assert!(
        late.starts_with(b"HTTP/1.1 408 Request Timeout\r\n"),
        "{:?}",
        String::from_utf8_lossy(&late)
    );
    let _ = slow.shutdown(Shutdown::Both);
    dripping.join().unwrap();
    server.stop();
    // Served while the slow client still held its connection: the 200
    // came before the slow client's 408.
    let got = statuses(&seen);
    let at = |status| got.iter().position(|&s| s == status);
    assert!(at(200) < at(408) && at(408).is_some(), "{got:?}");
    assert!(at(431).is_some(), "{got:?}");
    assert_eq!(server.active(), 0);
}

#[test]
fn the_server_bounds_its_connections_and_answers_others_with_503() {
    let _guard = shared();
    let limits = Limits {
        max_connections: 2,
        ..Limits::default()
    };
    let (mut server, seen) = library_server(limits);
    let held: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    // Both taken once the server counts them.
    let since = std::time::Instant::now();
    while server.active() < 2 {
        assert!(
            since.elapsed() < WAIT * 2,
            "the two connections were never taken"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut third = TcpStream::connect(server.addr).unwrap();
    third.set_read_timeout(Some(WAIT)).unwrap();
    let mut answer = String::new();
    third.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{answer}"
    );
    drop(held);
    server.stop();
    assert_eq!(statuses(&seen), vec![503]);
}

#[test]
fn methods_other_than_get_and_head_get_405() {
    let _guard = shared();
    let (mut server, _seen) = library_server(Limits::default());
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.write_all(b"POST /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
        "{answer}"
    );
    assert!(answer.contains("Allow: GET, HEAD\r\n"), "{answer}");
    server.stop();
}

/// A python3 server that answers one connection with `answer` (Python
/// bytes literal) and closes.
fn wrong_server(answer: &str) -> (Running, u16) {
    let script = format!(
        "import socket, sys\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen(1)\nprint(s.getsockname()[1])\nsys.stdout.flush()\nc, a = s.accept()\nc.recv(65536)\nc.sendall({answer})\nc.close()\n"
    );
    let (child, _out, line) =
        spawn_reading_first_line(Command::new("python3").args(["-c", &script]));
    (child, line.trim().parse().unwrap())
}

fn udp_lab_client(port: u16, lang: &str) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(["--lang", lang, "client", "--timeout", "5", "--http"])
        .arg(format!("http://127.0.0.1:{port}/"))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_client_says_what_is_wrong_with_an_answer() {
    let _guard = shared();
    // The students' classic: headers, no empty line, then the page.
    let (_s, port) =
        wrong_server(r#"b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n<html>hi</html>""#);
    let (ok, out, err) = udp_lab_client(port, "en");
    assert!(!ok);
    assert!(
        out.starts_with("HTTP/1.1 200 OK\nContent-Type: text/html\n"),
        "{out}"
    );
    assert!(err.contains("no empty line"), "{err}");
    let (_s, port) = wrong_server(r#"b"Hello, client""#);
    let (ok, _, err) = udp_lab_client(port, "ru");
    assert!(!ok && err.contains("не HTTP-ответ"), "{err}");
    let (_s, port) = wrong_server(r#"b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort""#);
    let (ok, out, err) = udp_lab_client(port, "en");
    assert!(!ok && out.ends_with("\n\nshort"), "{out}");
    assert!(err.contains("95 bytes shorter"), "{err}");
    let (_s, port) = wrong_server(r#"b"""#);
    let (ok, _, err) = udp_lab_client(port, "en");
    assert!(!ok && err.contains("without answering"), "{err}");
    // Nothing listens: the RST, said so.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let (ok, _, err) = udp_lab_client(port, "en");
    assert!(!ok && err.contains("an RST came back"), "{err}");
}

/// The Code view's web server, saved beside a page and a picture and run
/// under python3 (and python2.7 when installed): curl and urllib get the
/// page, the picture byte for byte, a 404 and no way out of the folder.
#[test]
fn the_code_views_web_server_runs_and_serves_the_folder() {
    use udp_lab::lab::code::web::{WebCodeSettings, program};
    use udp_lab::lab::i18n::Lang;
    let _guard = shared();
    let dir = std::env::temp_dir().join(format!("udp-lab-webpy-{}", std::process::id()));
    let site = dir.join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(dir.join("secret.txt"), "SECRET-OUTSIDE-ROOT").unwrap();
    for (name, bytes) in http::resolve::BUILTIN {
        std::fs::write(site.join(name), bytes).unwrap();
    }
    let pythons: Vec<&str> = ["python3", "python2.7"]
        .into_iter()
        .filter(|p| {
            Command::new(p)
                .args(["-c", "pass"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .collect();
    for (python, lang) in pythons
        .iter()
        .flat_map(|p| [(*p, Lang::En), (*p, Lang::Ru)])
    {
        let settings = WebCodeSettings {
            bind: "127.0.0.1:0".into(),
            folder: Some(site.to_string_lossy().into_owned()),
            ..WebCodeSettings::default()
        };
        let source = program(&settings, lang).source;
        let file = dir.join(format!("webserver-{lang:?}.py"));
        std::fs::write(&file, &source).unwrap();
        let (_server, _out, first) = spawn_reading_first_line(
            Command::new(python)
                .arg("-u")
                .arg(&file)
                .stderr(Stdio::null()),
        );
        let base = first
            .trim()
            .strip_prefix("Ready to serve on ")
            .unwrap_or_else(|| panic!("{python}: {first:?}"))
            .to_owned();
        let url = format!("{base}HelloWorld.html");
        let py = Command::new("python3")
            .args([
                "-c",
                "import sys, urllib.request as u\nr = u.urlopen(sys.argv[1])\nsys.stdout.write(r.headers['Content-Type'] + '|' + r.read().decode())",
                &url,
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&py.stdout);
        assert!(
            text.starts_with("text/html|<!DOCTYPE html>"),
            "{python}: {text}"
        );
        if have("curl") {
            let png = Command::new("curl")
                .args(["-sS", &format!("{base}socket.png")])
                .output()
                .unwrap();
            assert_eq!(png.stdout, http::resolve::BUILTIN[1].1, "{python}");
            for (target, code) in [("nothing.html", "404"), ("../secret.txt", "404")] {
                let out = Command::new("curl")
                    .args(["-s", "--path-as-is", "-w", "|%{http_code}"])
                    .arg(format!("{base}{target}"))
                    .output()
                    .unwrap();
                let text = String::from_utf8_lossy(&out.stdout);
                assert!(
                    text.ends_with(&format!("|{code}")),
                    "{python} {target}: {text}"
                );
                assert!(!text.contains("SECRET"), "{python} {target}: {text}");
            }
        }
    }
    if have("vermin") {
        let files: Vec<_> = [Lang::En, Lang::Ru]
            .into_iter()
            .map(|lang| {
                let file = dir.join(format!("vermin-{lang:?}.py"));
                let settings = WebCodeSettings::default();
                std::fs::write(&file, program(&settings, lang).source).unwrap();
                file
            })
            .collect();
        common::assert_vermin_clean(&files);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The web server's socket calls reach the session as TCP calls (issue
/// 27's model): the connection's two streams hold the request and the
/// answer, byte for byte.
#[test]
fn the_web_servers_calls_are_recorded_as_tcp() {
    use udp_lab::lab::session::{Call, Session, TcpCall};
    let _guard = shared();
    let (calls, queue) = udp_lab::net::event_channel(4096, Arc::new(|| {}));
    let config = http::HttpServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        root: Root::Builtin,
        limits: Limits::default(),
        pages: Arc::new(|status, _| format!("status {status}")),
        calls: Some(calls),
    };
    let (log_sink, _log) = udp_lab::net::event_channel::<HttpEvent>(64, Arc::new(|| {}));
    let mut server = http::spawn_http_server(config, log_sink).unwrap();
    let url = http::parse_url(&format!("http://{}/HelloWorld.html", server.addr)).unwrap();
    let reply = http::get(&url, &[], WAIT * 2).unwrap();
    server.stop();
    let mut session = Session::default();
    // Until both sockets are closed: the listening one (0) and the
    // connection (1), whose thread ends on its own.
    let mut closed = [false, false];
    while closed != [true, true] {
        let event = queue.recv_timeout(WAIT * 2).expect("the server's calls");
        if let udp_lab::net::NetEvent::Tcp(ev) = &event
            && ev.kind == udp_lab::net::tcp::TcpEventKind::Closed
            && ev.conn < 2
        {
            closed[ev.conn as usize] = true;
        }
        session.record(&event);
    }
    let calls: Vec<&TcpCall> = session
        .trace
        .iter()
        .filter_map(|row| match &row.call {
            Call::Tcp(call) => Some(call),
            _ => None,
        })
        .collect();
    assert!(
        calls
            .iter()
            .any(|c| matches!(c, TcpCall::Listen { backlog: 128 })),
        "{calls:?}"
    );
    assert!(
        calls.iter().any(|c| matches!(c, TcpCall::Accept { .. })),
        "{calls:?}"
    );
    assert!(
        calls.iter().any(|c| matches!(c, TcpCall::Recv { .. })),
        "{calls:?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| matches!(c, TcpCall::Send { all: true, .. })),
        "{calls:?}"
    );
    let conn = session.streams.list.back().expect("a connection");
    assert_eq!(
        conn.up.bytes, reply.request,
        "the request, as the server read it"
    );
    assert_eq!(
        conn.down.bytes, reply.bytes,
        "the answer, as the client read it"
    );
}

/// UDP's and TCP's knobs do nothing to the web server or the GET: each is
/// refused by name (clap's refusal, in the CLI's language), the simulator's
/// with the reason — never taken and ignored.
#[test]
fn udp_and_tcp_knobs_are_refused_with_http_by_name() {
    let run = |args: &[&str]| {
        let out = Command::new(BIN).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let url = "http://127.0.0.1:9/";
    for (args, named) in [
        (vec!["server", "--http", "--echo"], "--echo"),
        (vec!["server", "--http", "--tcp"], "--tcp"),
        (vec!["server", "--http", "--save", "x.pcapng"], "--save"),
        (vec!["server", "--http", "--reply", "hi"], "--reply"),
        (vec!["client", "--http", url, "Hello"], "MESSAGE"),
        (vec!["client", "--http", url, "--count", "3"], "--count"),
        (vec!["client", "--http", url, "--to", "127.0.0.1:1"], "--to"),
    ] {
        let (code, err) = run(&args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(
            err.contains("--http") && err.contains(named),
            "{args:?}: {err}"
        );
    }
    for (lang, reason) in [("en", "does not apply"), ("ru", "неприменим")] {
        for args in [
            vec!["--lang", lang, "server", "--http", "--loss", "10"],
            vec!["--lang", lang, "client", "--http", url, "--delay", "5"],
        ] {
            let (code, err) = run(&args);
            assert_eq!(code, Some(1), "{args:?}: {err}");
            let line = err.trim();
            assert!(!line.contains('\n'), "one line: {err}");
            assert!(
                line.contains(reason) && line.contains("--http"),
                "{args:?}: {err}"
            );
            assert!(line.contains("--loss") || line.contains("--delay"), "{err}");
        }
    }
}

/// Issue 28: the Code view's http_client.py (the client role with HTTP)
/// runs against UDP Lab's web server under each Python there is, gets the
/// page whole (it reads until the server closes), and sends the window's
/// headers.
#[test]
fn the_code_views_http_client_runs_against_the_web_server() {
    use udp_lab::lab::code::web_client::program;
    use udp_lab::lab::i18n::Lang;
    let _guard = shared();
    let (mut server, seen) = library_server(Limits::default());
    let dir = std::env::temp_dir().join(format!("udp-lab-webclient-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("http://{}/HelloWorld.html", server.addr);
    let pythons: Vec<&str> = ["python3", "python2.7"]
        .into_iter()
        .filter(|p| {
            let there = Command::new(p)
                .args(["-c", "pass"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !there {
                println!("SKIPPED http_client.py under {p}: it does not run here");
            }
            there
        })
        .collect();
    let mut runs = 0;
    for (python, lang) in pythons
        .iter()
        .flat_map(|p| [(*p, Lang::En), (*p, Lang::Ru)])
    {
        let source = program(&url, "X-Lab: code view", lang).source;
        let file = dir.join(format!("http_client-{lang:?}.py"));
        std::fs::write(&file, &source).unwrap();
        let out = Command::new(python).arg(&file).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.starts_with("HTTP/1.1 200 OK\r\n"),
            "{python} {lang:?}: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let page = String::from_utf8_lossy(http::resolve::BUILTIN[0].1);
        assert!(text.contains(page.trim_end()), "{python}: {text}");
        runs += 1;
    }
    if have("vermin") {
        let files: Vec<_> = [Lang::En, Lang::Ru]
            .into_iter()
            .map(|lang| {
                let file = dir.join(format!("vermin-client-{lang:?}.py"));
                std::fs::write(&file, program(&url, "", lang).source).unwrap();
                file
            })
            .collect();
        common::assert_vermin_clean(&files);
    } else {
        println!("SKIPPED vermin on http_client.py: vermin is not installed");
    }
    println!("http_client.py ran {runs} times");
    // The server logs a request after its close: the client may be done
    // first. Wait for each log line (an event), not for a time.
    let deadline = std::time::Instant::now() + WAIT * 2;
    let logged = || {
        let seen = seen.lock().unwrap();
        let requests = seen
            .iter()
            .filter(|e| matches!(e.kind, HttpEventKind::Request(_)));
        requests.count()
    };
    while logged() < runs && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    server.stop();
    let logs: Vec<RequestLogged> = seen
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match &e.kind {
            HttpEventKind::Request(log) => Some(RequestLogged {
                status: log.status,
                raw: String::from_utf8_lossy(&log.raw).into_owned(),
            }),
            _ => None,
        })
        .collect();
    assert_eq!(logs.len(), runs, "{logs:?}");
    for log in &logs {
        assert_eq!(log.status, 200);
        assert!(
            log.raw.starts_with("GET /HelloWorld.html HTTP/1.1\r\n")
                && log.raw.contains("\r\nX-Lab: code view\r\n")
                && log.raw.ends_with("\r\n\r\n"),
            "{log:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[derive(Debug)]
struct RequestLogged {
    status: u16,
    raw: String,
}
