//! A traced web server in the window (issue 28), on the real app
//! (kittest): a Kurose–Ross style server with no 404 branch, run from the
//! Python scripts window under the real tracer with python3, asked for
//! /favicon.ico over a real loopback connection; the window says why it
//! died, at its line.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::app::scripts::ConsoleLine;
use crate::app::test_util::*;
use crate::app::*;
use crate::net::trace::TracedAddr;

const NO_404: &str = "import os
import sys
from socket import *
os.chdir(sys.argv[1])
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('127.0.0.1', 0))
serverSocket.listen(1)
while True:
    connectionSocket, addr = serverSocket.accept()
    message = connectionSocket.recv(1024)
    f = open(message.split()[1][1:], 'rb')
    outputdata = f.read()
    connectionSocket.sendall(b'HTTP/1.1 200 OK\\r\\n\\r\\n' + outputdata)
    connectionSocket.close()
";

/// A folder of its own for the script and the files it serves.
struct Folder(std::path::PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The port the traced server bound, from its bind call in the console.
fn bound_port(h: &mut Harness<'static, UdpLabApp>) -> u16 {
    let port = |app: &UdpLabApp| {
        app.scripts
            .runs
            .first()?
            .console
            .iter()
            .find_map(|l| match l {
                ConsoleLine::Call { call, .. } if call.name == "bind" => {
                    match call.outcome.as_ref().ok()?.local.as_ref()? {
                        TracedAddr::Inet { port, .. } => Some(*port),
                        TracedAddr::Other(_) => None,
                    }
                }
                _ => None,
            })
    };
    wait_for(h, "the script's bind", |app| port(app).is_some());
    port(h.state()).unwrap_or_default()
}

#[test]
fn a_web_server_without_a_404_branch_is_said_in_the_scripts_window() {
    if !std::process::Command::new("python3")
        .arg("-c")
        .arg("pass")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        println!("SKIPPED a_web_server_without_a_404_branch: python3 is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("udp-lab-traced-http-{}", std::process::id()));
    let Ok(()) = std::fs::create_dir_all(&dir) else {
        panic!("cannot make {}", dir.display());
    };
    let folder = Folder(dir);
    let script = folder.0.join("webserver.py");
    assert!(std::fs::write(&script, NO_404).is_ok());
    let mut settings = Settings {
        lang: Some(Lang::En),
        ..Settings::default()
    };
    settings.scripts.path = script.display().to_string();
    settings.scripts.args = folder.0.display().to_string();
    let mut h = harness_with(settings);
    h.get_by_label("Run a Python script…").click();
    h.run_steps(4);
    h.get_by_label("Run").click();
    wait_for(&mut h, "the script to start", |app| {
        !app.scripts.runs.is_empty()
    });
    let port = bound_port(&mut h);
    let Ok(mut browser) = TcpStream::connect(("127.0.0.1", port)) else {
        panic!("the traced server does not accept on {port}");
    };
    assert!(
        browser
            .set_read_timeout(Some(Duration::from_secs(5)))
            .is_ok()
    );
    assert!(
        browser
            .write_all(b"GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .is_ok()
    );
    let mut answer = Vec::new();
    let _ = browser.read_to_end(&mut answer);
    assert!(answer.is_empty(), "the server died without answering");
    wait_for(&mut h, "the diagnosis", |app| {
        !app.scripts.runs[0].diagnoses.is_empty()
    });
    let line = NO_404
        .lines()
        .position(|l| l.contains("f = open"))
        .map_or(0, |i| i + 1);
    // In the diagnoses above the console, and in the console after the
    // call it concerns.
    let said = format!(
        "! webserver.py:{line}: the request GET /favicon.ico HTTP/1.1 named a file that is not there"
    );
    assert_eq!(h.get_all_by_label_contains(&said).count(), 2);
    assert_eq!(h.state().scripts.runs[0].diagnoses.len(), 1);
    // The panels stayed on UDP: the diagram still draws the script's
    // connection (its three lifelines), not "no datagrams yet".
    h.state_mut().scripts.open = false;
    h.state_mut().settings.view = crate::app::View::Diagram;
    h.run_steps(3);
    let drawn = &h.state().views.diagram.tcp;
    assert_eq!(drawn.heads.len(), 3, "the connection's lifelines");
    assert!(drawn.band.is_some(), "the handshake");
    // The script's one recv of the request; the test's own client is not
    // traced, so no send arrow is drawn (only what calls show is fact).
    assert_eq!(
        (drawn.sends.len(), drawn.brackets.len()),
        (0, 1),
        "{drawn:?}"
    );
}
