//! The "Python scripts" window on the real app (kittest), running the
//! fixtures in tests/fixtures/scripts under the real tracer, against a real
//! socket on loopback.

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::app::scripts::{ConsoleLine, RunStatus};
use crate::app::test_util::*;
use crate::app::*;

fn with_script(path: &str, args: &str) -> Harness<'static, UdpLabApp> {
    let mut settings = Settings {
        lang: Some(Lang::En),
        ..Settings::default()
    };
    settings.scripts.path = fixture(path);
    settings.scripts.args = args.into();
    harness_with(settings)
}

fn stdout_lines(app: &UdpLabApp) -> Vec<String> {
    app.scripts
        .runs
        .first()
        .map(|r| {
            r.console
                .iter()
                .filter_map(|l| match l {
                    ConsoleLine::Stdout(t) => Some(t.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The toolbar's button; the window shows after its sizing frame.
fn open_window(h: &mut Harness<'static, UdpLabApp>) {
    h.get_by_label("Run a Python script…").click();
    h.run_steps(4);
}

/// Opens the window from the toolbar and clicks Run; waits for the
/// server's "Server is listening" line and returns its port.
fn run_server(h: &mut Harness<'static, UdpLabApp>) -> u16 {
    open_window(h);
    h.get_by_label("Run").click();
    wait_for(h, "the script's first line", |app| {
        stdout_lines(app)
            .iter()
            .any(|l| l.starts_with("Server is listening"))
    });
    let lines = stdout_lines(h.state());
    lines
        .iter()
        .find_map(|l| l.strip_prefix("Server is listening on 127.0.0.1 port "))
        .and_then(|p| p.parse().ok())
        .unwrap_or_default()
}

fn pid_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

fn wait_gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while pid_alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    !pid_alive(pid)
}

#[test]
fn a_script_runs_with_its_calls_output_and_exit_code_in_its_console() {
    if !have_python() {
        return;
    }
    let mut h = with_script("server.py", "127.0.0.1 0 1");
    let port = run_server(&mut h);
    assert_ne!(port, 0);
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let from = sock.local_addr().unwrap().port();
    sock.send_to(b"hi", ("127.0.0.1", port)).unwrap();
    wait_for(&mut h, "the script to end", |app| {
        app.scripts
            .runs
            .first()
            .is_some_and(|r| r.status != RunStatus::Running)
    });
    h.get_by_label("Message from client: hi");
    h.get_by_label(&format!(
        "server.py:{}  bind(('127.0.0.1', 0)) → ok  [server step 5]",
        line_of("server.py", "sock.bind")
    ));
    h.get_by_label(&format!(
        "server.py:{}  recvfrom(1024) → 2 bytes from ('127.0.0.1', {from})  [server step 7]",
        line_of("server.py", "sock.recvfrom")
    ));
    h.get_by_label("server.py: ended, exit code 0");
    // Remembered for next time.
    assert_eq!(h.state().settings.scripts.recent, [fixture("server.py")]);
    h.get_by_label("Remove server.py").click();
    h.run_steps(2);
    assert!(h.state().scripts.runs.is_empty());
}

#[test]
fn stop_ends_the_script_and_closing_the_window_ends_the_rest() {
    if !have_python() {
        return;
    }
    let mut h = with_script("server.py", "127.0.0.1 0");
    run_server(&mut h);
    let pid = h.state().scripts.runs[0].pid;
    assert!(pid_alive(pid));
    h.get_by_label("Stop server.py").click();
    wait_for(&mut h, "the script to stop", |app| {
        app.scripts.runs[0].status != RunStatus::Running
    });
    // Ctrl-C first, as in a terminal: Python says KeyboardInterrupt.
    h.get_by_label("server.py: stopped by Ctrl-C");
    assert!(
        h.state().scripts.runs[0]
            .console
            .iter()
            .any(|l| matches!(l, ConsoleLine::Stderr(t) if t == "KeyboardInterrupt")),
        "KeyboardInterrupt in the console"
    );
    // A server that never stops is not told it never closed its socket.
    assert!(h.state().scripts.runs[0].diagnoses.is_empty());
    assert!(wait_gone(pid), "Stop leaves no process");

    // Another run, then the window closes.
    h.get_by_label("Run").click();
    wait_for(&mut h, "the second run", |app| {
        app.scripts.runs.len() == 2 && app.scripts.runs[0].pid != 0
    });
    let second = h.state().scripts.runs[0].pid;
    drop(h);
    assert!(wait_gone(second), "closing stops every script");
}

#[test]
fn the_input_line_feeds_the_scripts_stdin() {
    if !have_python() {
        return;
    }
    let mut h = with_script("ask.py", "");
    open_window(&mut h);
    h.get_by_label("Run").click();
    wait_for(&mut h, "the script to start", |app| {
        !app.scripts.runs.is_empty()
    });
    set_text(&mut h, "Input for ask.py", "hello");
    h.get_by_label("Send line").click();
    wait_for(&mut h, "the script's answer", |app| {
        stdout_lines(app).iter().any(|l| l == "You typed: hello")
    });
    wait_for(&mut h, "the script to end", |app| {
        app.scripts.runs[0].status != RunStatus::Running
    });
    h.get_by_label("ask.py: ended, exit code 0");
}

#[test]
fn an_interpreter_that_does_not_run_is_said_in_plain_words() {
    let mut h = with_script("ask.py", "");
    h.state_mut().settings.scripts.python = "/nonexistent/python3".into();
    open_window(&mut h);
    h.get_by_label("Run").click();
    h.run_steps(2);
    h.get_by_label_contains("The interpreter /nonexistent/python3 does not run");
    assert!(h.state().scripts.runs.is_empty());
}

#[test]
fn a_dropped_script_fills_the_path_and_the_window_speaks_russian() {
    let mut h = harness_with(Settings {
        lang: Some(Lang::Ru),
        ..Settings::default()
    });
    h.state_mut()
        .run(Command::SetScriptPath(fixture("client.py")));
    h.run_steps(2);
    assert!(h.state().scripts.open);
    assert_eq!(h.state().settings.scripts.path, fixture("client.py"));
    h.run_steps(2);
    h.get_by_label("Запустить скрипт Python…");
    h.get_by_label("Скрипты Python");
    h.get_by_label("Интерпретатор Python");
}

#[test]
fn a_mistake_is_listed_and_the_calls_are_worded_in_russian() {
    if !have_python() {
        return;
    }
    let mut settings = Settings {
        lang: Some(Lang::Ru),
        ..Settings::default()
    };
    settings.scripts.path = fixture("send_str.py");
    settings.scripts.args = "127.0.0.1 9".into();
    let mut h = harness_with(settings);
    h.get_by_label("Запустить скрипт Python…").click();
    h.run_steps(4);
    h.get_by_label("Интерпретатор Python");
    h.state_mut().run(Command::RunScript);
    wait_for(&mut h, "the script to end", |app| {
        app.scripts
            .runs
            .first()
            .is_some_and(|r| r.status != RunStatus::Running)
    });
    h.run_steps(2);
    let at = line_of("send_str.py", "sock.sendto");
    // In the list above the console and in the console after the call.
    let said = h
        .query_all_by_label_contains(&format!(
            "send_str.py:{at}: sendto() принимает байты, а это str"
        ))
        .count();
    assert_eq!(said, 2);
    h.get_by_label_contains(&format!(
        "send_str.py:{at}  sendto(\"Hello, server\", ('127.0.0.1', 9)) → TypeError"
    ));
    h.get_by_label_contains("[шаг 6 клиента]");
    h.get_by_label("send_str.py: завершён, код выхода 1");
}

#[test]
fn browse_lists_folders_and_py_files_and_the_picked_script_runs() {
    if !have_python() {
        return;
    }
    // A folder of its own: lab/server.py (the fixture) and a notes.txt.
    let root = std::env::temp_dir().join(format!("udp-lab-browse-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("lab")).unwrap();
    std::fs::copy(fixture("server.py"), root.join("lab").join("server.py")).unwrap();
    std::fs::write(root.join("notes.txt"), "not a script").unwrap();
    let mut h = with_script("server.py", "127.0.0.1 0 1");
    // Typed so far: a file not there yet, in that folder: it opens there.
    h.state_mut().settings.scripts.path = root.join("new.py").display().to_string();
    open_window(&mut h);
    h.get_by_label("Browse…").click();
    h.run_steps(3);
    h.get_by_label("Choose a Python script");
    h.get_by_label(&root.display().to_string());
    assert!(
        h.query_by_label("notes.txt").is_none(),
        "only folders and .py files are listed"
    );
    h.get_by_label("lab/").click();
    h.run_steps(3);
    h.get_by_label(&root.join("lab").display().to_string());
    // Up and back down: the folder's parent is the folder we came from.
    h.get_by_label("Up").click();
    h.run_steps(3);
    h.get_by_label("lab/").click();
    h.run_steps(3);
    h.get_by_label("server.py").click();
    h.run_steps(3);
    let picked = root.join("lab").join("server.py").display().to_string();
    assert_eq!(h.state().settings.scripts.path, picked);
    assert!(h.state().scripts.picker.is_none(), "picking closes it");
    h.get_by_label("Run").click();
    wait_for(&mut h, "the picked script's first line", |app| {
        stdout_lines(app)
            .iter()
            .any(|l| l.starts_with("Server is listening"))
    });
    let run = h.state().scripts.runs[0].run;
    h.state_mut().run(Command::StopScript(run));
    let _ = std::fs::remove_dir_all(&root);
}

/// Issue 23, 3: a traced server that forgot bind() waits in recvfrom; the
/// window's client, told nothing listens at the port, hears why, and the
/// script's console says where.
#[cfg(target_os = "linux")]
#[test]
fn a_server_without_bind_explains_the_clients_nothing_listens() {
    if !have_python() {
        return;
    }
    // A port that was free a moment ago.
    let port = UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .unwrap();
    let mut h = with_script("no_bind_server.py", &port.to_string());
    run_server(&mut h);
    wait_for(&mut h, "the unbound wait", |app| {
        app.session.scripts.unbound_receiver().is_some()
    });
    // In the run's list of mistakes and in its console.
    let said = format!(
        "! no_bind_server.py:{}: recvfrom() on a socket that was never bound: no client can know its port — bind((address, port)) first, the handout's step 5.",
        line_of("no_bind_server.py", "sock.recvfrom")
    );
    assert_eq!(h.query_all_by_label(&said).count(), 2);
    set_text(&mut h, "Server address", &format!("127.0.0.1:{port}"));
    h.get_by_label("Send").click();
    wait_for(&mut h, "the failure", |app| {
        matches!(app.client.outcome, Some(Outcome::Failed(_)))
    });
    h.get_by_label(&format!(
        "no_bind_server.py is running, but its socket is not bound to {port}: it receives on a port the system chose. bind((address, {port})) before recvfrom, the handout's step 5."
    ));
}
