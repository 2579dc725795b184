//! Issue 28 in the window: the panels with HTTP chosen — UDP Lab's web
//! server started from the server panel on loopback (port 0), fetched by
//! the client panel, by python3's urllib and by headless chromium; a
//! traversal refused and taught; a refused GET said in both languages;
//! "Open in browser" through a real program; the log kept by a saved
//! session. Real sockets, real processes.

use std::process::Command as Process;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::app::lesson::LessonCommand;
use crate::app::test_util::{TempDir, harness_with, set_text, wait_for};
use crate::app::{Command, Lang, ServerStatus, Settings, T, UdpLabApp, View};
use crate::net::Protocol;
use crate::net::http::HttpClientError;

fn settings() -> Settings {
    Settings {
        lang: Some(Lang::En),
        http_bind: "127.0.0.1:0".into(),
        timeout_secs: 3.0,
        ..Settings::default()
    }
}

/// Clicks HTTP in both panels (the server's choice comes first).
fn choose_http(h: &mut Harness<'_, UdpLabApp>) {
    for i in 0..2 {
        let choices: Vec<_> = h.query_all_by_label("HTTP").collect();
        assert_eq!(choices.len(), 2, "a UDP | TCP | HTTP choice in each panel");
        choices[i].click();
        h.run_steps(2);
    }
    assert_eq!(h.state().settings.server_protocol, Protocol::Http);
    assert_eq!(h.state().settings.client_protocol, Protocol::Http);
}

/// Start in the server panel; the port the web server got.
fn start(h: &mut Harness<'_, UdpLabApp>) -> u16 {
    h.get_by_label("Start").click();
    wait_for(h, "the web server to listen", |app| {
        matches!(app.server.status(), ServerStatus::Listening(_))
    });
    match h.state().server.status() {
        ServerStatus::Listening(addr) => addr.port(),
        other => panic!("not listening: {other:?}"),
    }
}

/// Types the URL into the client panel and presses Send.
fn fetch(h: &mut Harness<'_, UdpLabApp>, url: &str) {
    set_text(h, "URL", url);
    h.get_by_label("Send").click();
    h.run_steps(1);
    wait_for(h, "the GET to end", |app| {
        !app.http.client.busy() && app.http.client.fetched.is_some()
    });
}

/// Waits for a log row naming `target`; its status.
fn logged(h: &mut Harness<'_, UdpLabApp>, target: &str) -> u16 {
    wait_for(h, &format!("a log row for {target}"), |app| {
        app.http.server.rows.iter().any(|r| r.log.target == target)
    });
    let rows = &h.state().http.server.rows;
    rows.iter()
        .find(|r| r.log.target == target)
        .map_or(0, |r| r.log.status)
}

#[test]
fn the_panels_serve_fetch_trace_and_draw_the_page() {
    let mut h = harness_with(settings());
    choose_http(&mut h);
    // The simulator's note: it does not act on HTTP.
    h.state_mut().settings.network.loss_percent = 10.0;
    h.run_steps(2);
    assert_eq!(
        h.query_all_by_label(T::HttpSimulatorNote.get(Lang::En))
            .count(),
        2,
        "said in both panels"
    );
    h.state_mut().settings.network = crate::net::Impairments::default();
    let port = start(&mut h);
    h.get_by_label(T::HttpWaitingForRequest.get(Lang::En));
    fetch(&mut h, &format!("http://127.0.0.1:{port}/HelloWorld.html"));
    h.get_by_label("HTTP/1.1 200 OK");
    h.get_by_label("Content-Type: text/html; charset=utf-8");
    h.get_by_label_contains(r#"<h1 id="hello">Hello World</h1>"#);
    assert_eq!(logged(&mut h, "/HelloWorld.html"), 200);
    h.get_by_label("GET /HelloWorld.html");
    let row = h.state().http.server.rows.back().cloned().expect("a row");
    let local = match &h
        .state()
        .http
        .client
        .fetched
        .as_ref()
        .expect("fetched")
        .result
    {
        Ok(reply) => reply.local,
        Err(e) => panic!("{e:?}"),
    };
    assert_eq!(
        row.log.peer, local,
        "the log names the client panel's socket"
    );

    // The picture, shown as a picture with its size.
    fetch(&mut h, &format!("http://127.0.0.1:{port}/socket.png"));
    h.run_steps(2);
    let decoded = h.state().http.client.image.as_ref().map(|(_, r)| r.clone());
    let texture = match decoded {
        Some(Ok(texture)) => texture,
        other => panic!("the picture was not decoded: {:?}", other.map(|r| r.err())),
    };
    let [w, h_px] = texture.size();
    assert!(w > 0 && h_px > 0);
    h.get_by_label_contains("image/png, ");
    h.get_by_label_contains(&format!(" bytes, {w}×{h_px}"));

    // Both ends of each connection reached the session as TCP calls: the
    // connection diagram draws them.
    let streams = &h.state().session.streams.list;
    assert!(
        streams.len() >= 2,
        "two GETs, two connections: {}",
        streams.len()
    );
    let first = streams.front().expect("a connection");
    assert!(
        !first.up.sends.is_empty() && !first.down.sends.is_empty(),
        "the request and the answer are in the stream"
    );
    h.state_mut().run(Command::ShowView(View::Diagram));
    h.run_steps(3);
    let drawn = h.state().views.diagram.tcp.clone();
    assert!(drawn.band.is_some(), "the handshake band: {drawn:?}");
    assert!(drawn.sends.len() >= 2, "the GET and the answer: {drawn:?}");
}

#[test]
fn urllib_and_chromium_requests_are_logged() {
    let mut h = harness_with(settings());
    choose_http(&mut h);
    let port = start(&mut h);
    let url = format!("http://127.0.0.1:{port}/HelloWorld.html");
    if crate::app::test_util::have_python() {
        let script =
            format!("import urllib.request as u; print(u.urlopen('{url}').read().decode())");
        let out = Process::new("python3")
            .args(["-c", &script])
            .output()
            .expect("python3 runs");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Hello World"),
            "{out:?}"
        );
        assert_eq!(logged(&mut h, "/HelloWorld.html"), 200);
        let agent = String::from_utf8_lossy(&h.state().http.server.rows[0].log.raw).into_owned();
        assert!(agent.contains("User-Agent: Python-urllib"), "{agent}");
    }
    let have_chromium = Process::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_chromium {
        println!("SKIPPED urllib_and_chromium_requests_are_logged (chromium part): not installed");
        return;
    }
    let profile = TempDir::new("udp-lab-g-chromium");
    let out = Process::new("chromium")
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
        ])
        .arg(format!("--user-data-dir={}", profile.0.display()))
        .arg("--dump-dom")
        .arg(&url)
        .stderr(std::process::Stdio::null())
        .output()
        .expect("run chromium");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Hello World"));
    assert_eq!(logged(&mut h, "/socket.png"), 200, "the page's picture");
    wait_for(&mut h, "chromium's page request", |app| {
        let rows = &app.http.server.rows;
        rows.iter().any(|r| {
            r.log.target == "/HelloWorld.html"
                && String::from_utf8_lossy(&r.log.raw).contains("Chrome")
        })
    });
    h.get_by_label("GET /socket.png");
}

#[test]
fn a_traversal_is_refused_and_its_row_teaches_why() {
    let mut h = harness_with(settings());
    choose_http(&mut h);
    let port = start(&mut h);
    fetch(&mut h, &format!("http://127.0.0.1:{port}/../etc/passwd"));
    h.get_by_label("HTTP/1.1 403 Forbidden");
    assert_eq!(logged(&mut h, "/../etc/passwd"), 403);
    h.get_by_label("GET /../etc/passwd").click();
    h.run_steps(2);
    let sentence = crate::lab::i18n::http::refusal(Lang::En, crate::net::http::Refusal::DotDot);
    // In the panel under the row's request, and in the page the client got.
    assert!(h.query_all_by_label(&sentence).count() >= 1, "{sentence}");
    h.get_by_label("GET /../etc/passwd HTTP/1.1\\r\\n");
    h.get_by_label("\\r\\n");
}

#[test]
fn a_refused_get_is_said_in_plain_words_in_both_languages() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let mut h = harness_with(settings());
    choose_http(&mut h);
    fetch(&mut h, &format!("http://127.0.0.1:{port}/HelloWorld.html"));
    let error = match &h
        .state()
        .http
        .client
        .fetched
        .as_ref()
        .expect("fetched")
        .result
    {
        Err(e) => e.clone(),
        Ok(reply) => panic!("an answer from nobody: {reply:?}"),
    };
    assert!(
        matches!(error, HttpClientError::Refused { .. }),
        "{error:?}"
    );
    for lang in [Lang::En, Lang::Ru] {
        h.state_mut().run(Command::SetLanguage(lang));
        h.run_steps(2);
        let text = crate::lab::i18n::http::client_error(lang, &error);
        assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
        h.get_by_label(&text);
    }
    // The connect's failure is in the trace as the client's TCP call.
    assert!(
        h.state()
            .session
            .trace
            .iter()
            .any(|r| format!("{:?}", r.call).contains("ConnectFailed")),
        "connect → refused in the trace"
    );
}

/// A program that writes its argument into `out`, as a browser would get it.
#[cfg(unix)]
fn recording_browser(dir: &std::path::Path, out: &std::path::Path) -> std::path::PathBuf {
    let script = dir.join("browser.sh");
    let body = format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", out.display());
    std::fs::write(&script, body).expect("write the script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .expect("make it runnable");
    }
    script
}

#[cfg(unix)]
#[test]
fn open_in_browser_gives_the_page_to_the_browser() {
    let dir = TempDir::new("udp-lab-g-browser");
    let out = dir.0.join("url.txt");
    let script = recording_browser(&dir.0, &out);
    let mut h = harness_with(Settings {
        http_bind: "0.0.0.0:0".into(),
        ..settings()
    });
    choose_http(&mut h);
    h.state_mut().tools.reveal_env.browser = Some(script.into_os_string());
    // All interfaces: said before it binds.
    h.get_by_label(T::ExposedAllInterfaces.get(Lang::En));
    let port = start(&mut h);
    h.get_by_label("Open in browser").click();
    h.run_steps(1);
    wait_for(&mut h, "the browser to start", |app| {
        !matches!(
            app.http.server.browser,
            Some(crate::app::http::Browser::Opening(_)) | None
        )
    });
    let url = format!("http://127.0.0.1:{port}/HelloWorld.html");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap_or_default(),
        url,
        "0.0.0.0 is opened at 127.0.0.1"
    );
    h.get_by_label(&format!("Asked the browser to open {url}."));

    // A browser that is not there: said in the panel.
    h.state_mut().tools.reveal_env.browser = Some(dir.0.join("no-such-browser").into());
    h.state_mut().tools.reveal_env.path = Some(dir.0.clone().into_os_string());
    h.get_by_label("Open in browser").click();
    h.run_steps(1);
    wait_for(&mut h, "the failure", |app| {
        matches!(
            app.http.server.browser,
            Some(crate::app::http::Browser::Failed { .. })
        )
    });
    h.get_by_label_contains(&format!("Could not open {url}: "));
}

#[test]
fn the_request_log_survives_save_and_reopen() {
    let dir = TempDir::new("udp-lab-g-lesson");
    let path = dir.0.join("web.pcapng");
    let mut h = harness_with(settings());
    choose_http(&mut h);
    let port = start(&mut h);
    fetch(&mut h, &format!("http://127.0.0.1:{port}/HelloWorld.html"));
    fetch(&mut h, &format!("http://127.0.0.1:{port}/missing.html"));
    assert_eq!(logged(&mut h, "/missing.html"), 404);
    let before: Vec<_> = h
        .state()
        .http
        .server
        .rows
        .iter()
        .map(|r| r.log.clone())
        .collect();
    h.state_mut()
        .run(Command::Lesson(LessonCommand::SaveTo(path.clone())));
    wait_for(&mut h, "the save", |app| app.tools.notice.is_some());
    assert!(path.exists(), "saved");
    h.run_steps(4);

    let mut fresh = harness_with(settings());
    choose_http(&mut fresh);
    fresh
        .state_mut()
        .run(Command::Lesson(LessonCommand::Open(path.clone())));
    wait_for(&mut fresh, "the file to be read", |app| {
        app.lesson.opening.is_none()
    });
    fresh.run_steps(2);
    let after: Vec<_> = fresh
        .state()
        .http
        .server
        .rows
        .iter()
        .map(|r| r.log.clone())
        .collect();
    assert_eq!(after, before, "the same requests, byte for byte");
    // The recording opens at its start: go to its last call.
    let last = fresh
        .state()
        .session
        .trace
        .back()
        .map(crate::lab::timeline::RowRef::of);
    let last = last.expect("recorded calls");
    fresh
        .state_mut()
        .run(Command::MoveCursor(crate::lab::timeline::Move::To(last)));
    fresh.run_steps(2);
    fresh.get_by_label("GET /missing.html");
    assert!(
        fresh.state().http.client.fetched.is_some(),
        "the client's last answer came back too"
    );
    fresh.get_by_label("HTTP/1.1 404 Not Found");
}

#[test]
fn all_interfaces_are_opened_at_loopback_and_crlf_is_shown() {
    use crate::app::http::{page_url, visible_lines};
    let at = |s: &str| s.parse::<std::net::SocketAddr>().expect("an address");
    assert_eq!(
        page_url(at("0.0.0.0:6789")),
        "http://127.0.0.1:6789/HelloWorld.html"
    );
    assert_eq!(
        page_url(at("[::]:8080")),
        "http://[::1]:8080/HelloWorld.html"
    );
    assert_eq!(
        page_url(at("192.168.1.5:80")),
        "http://192.168.1.5:80/HelloWorld.html"
    );
    assert_eq!(
        visible_lines(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 10),
        vec!["GET / HTTP/1.1\\r\\n", "Host: x\\r\\n", "\\r\\n"]
    );
    assert_eq!(visible_lines(b"a\nb\nc\n", 2), vec!["a\\n", "b\\n"]);
}

/// `udp-lab --protocol http --bind 127.0.0.1:0 --start-server`: both panels
/// on HTTP, the web server (not UDP's) listening on the address given, the
/// UDP address left as it was.
#[test]
fn the_protocol_option_starts_the_web_server() {
    let start = crate::app::StartOptions {
        protocol: Some(Protocol::Http),
        bind: Some("127.0.0.1:0".into()),
        to: Some("127.0.0.1:8080".into()),
        start_server: true,
        ..crate::app::StartOptions::default()
    };
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| UdpLabApp::with_settings(&cc.egui_ctx, settings(), start));
    wait_for(&mut h, "the web server to listen", |app| {
        matches!(app.server.status(), ServerStatus::Listening(_))
    });
    let app = h.state();
    assert_eq!(app.settings.server_protocol, Protocol::Http);
    assert_eq!(app.settings.client_protocol, Protocol::Http);
    assert!(app.http.server.running(), "HTTP's server, not UDP's");
    assert_eq!(app.settings.bind, Settings::default().bind);
    assert_eq!(
        app.settings.http_url,
        "http://127.0.0.1:8080/HelloWorld.html"
    );
    h.get_by_label("Stop").click();
    h.run_steps(3);
}
