//! The command line against peers UDP Lab did not write: python3's socket
//! module and netcat-openbsd, both directions, on loopback only.

// Test code: its helpers outside #[test] fns panic on failure too (the
// crate-wide unwrap/expect lints are for the program, Cargo.toml [lints]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{BIN, Running, cli_server, have};

fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

const PY_CLIENT: &str = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(sys.argv[2].encode(), ("127.0.0.1", int(sys.argv[1])))
data, addr = s.recvfrom(1024)
print("Response from server: " + data.decode())
s.close()
"#;

const PY_SERVER: &str = r#"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
data, addr = s.recvfrom(1024)
print("Message from client: " + data.decode(), flush=True)
s.sendto(b"Hello, client", addr)
s.close()
"#;

#[test]
fn python_client_talks_to_the_udp_lab_server() {
    let (_server, mut out, port) = cli_server(&[]);
    let py = Command::new("python3")
        .args(["-c", PY_CLIENT, &port.to_string(), "Hello, server"])
        .output()
        .expect("python3 runs");
    assert!(
        py.status.success(),
        "python client failed: {}",
        String::from_utf8_lossy(&py.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&py.stdout),
        "Response from server: Hello, client\n"
    );
    let mut line = String::new();
    out.read_line(&mut line).expect("server line");
    assert_eq!(line, "Message from client: Hello, server\n");
}

#[test]
fn udp_lab_client_talks_to_a_python_server() {
    let mut py = Command::new("python3")
        .args(["-c", PY_SERVER])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut out = BufReader::new(py.stdout.take().expect("stdout"));
    let _guard = Running(py);
    let mut line = String::new();
    out.read_line(&mut line).expect("port line");
    let port: u16 = line.trim().parse().expect("port number");
    let client = Command::new(BIN)
        .args(["client", "--to", &format!("127.0.0.1:{port}")])
        .output()
        .expect("client runs");
    assert!(
        client.status.success(),
        "{}",
        String::from_utf8_lossy(&client.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&client.stdout),
        "Response from server: Hello, client\n"
    );
    line.clear();
    out.read_line(&mut line).expect("python server line");
    assert_eq!(line, "Message from client: Hello, server\n");
}

#[test]
fn netcat_client_gets_the_reply_and_echo_mode_echoes() {
    if !have("nc") {
        eprintln!("netcat is not installed; .ci/run installs netcat-openbsd");
        return;
    }
    let (_server, mut out, port) = cli_server(&["--echo"]);
    let mut nc = Command::new("nc")
        .args(["-u", "-w1", "127.0.0.1", &port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("nc runs");
    nc.stdin
        .take()
        .expect("stdin")
        .write_all(b"hello from netcat")
        .expect("write");
    let mut reply = String::new();
    nc.stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut reply)
        .expect("read");
    let _ = nc.wait();
    assert_eq!(reply, "hello from netcat");
    let mut line = String::new();
    out.read_line(&mut line).expect("server line");
    assert_eq!(line, "Message from client: hello from netcat\n");
}

#[test]
fn udp_lab_client_reaches_a_netcat_listener() {
    if !have("nc") {
        eprintln!("netcat is not installed; .ci/run installs netcat-openbsd");
        return;
    }
    let port = free_port();
    let mut nc = Command::new("nc")
        .args(["-u", "-l", "127.0.0.1", &port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("nc runs");
    let mut nc_out = nc.stdout.take().expect("stdout");
    let _guard = Running(nc);
    // netcat needs a moment to bind; retry until its socket is there.
    let mut client = None;
    for _ in 0..50 {
        let out = Command::new(BIN)
            .args([
                "client",
                "--to",
                &format!("127.0.0.1:{port}"),
                "--timeout",
                "0.3",
                "Hello, netcat",
            ])
            .output()
            .expect("client runs");
        if !String::from_utf8_lossy(&out.stderr).contains("Nothing is listening") {
            client = Some(out);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let client = client.expect("netcat started listening");
    // netcat does not answer: the client says so and fails.
    assert!(!client.status.success());
    assert_eq!(
        String::from_utf8_lossy(&client.stderr),
        format!(
            "udp-lab: No server answered within 0.3 s: no answer and no error. The server may be \
             stopped, or a firewall drops UDP silently — on Windows allow UDP port {port} in \
             Windows Defender Firewall; on Linux check ufw/nft\n"
        )
    );
    let mut got = [0u8; 13];
    nc_out
        .read_exact(&mut got)
        .expect("netcat printed the message");
    assert_eq!(&got, b"Hello, netcat");
}

#[test]
fn client_reports_nothing_listening_and_timeouts_with_exit_codes() {
    let port = free_port();
    let out = Command::new(BIN)
        .args(["client", "--to", &format!("127.0.0.1:{port}")])
        .output()
        .expect("client runs");
    assert!(!out.status.success());
    if cfg!(target_os = "linux") {
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("udp-lab: Nothing is listening at 127.0.0.1:{port} (ICMP port unreachable)\n")
        );
    }
    let silent = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let to = silent.local_addr().expect("addr").to_string();
    let out = Command::new(BIN)
        .args(["client", "--to", &to, "--timeout", "0.05"])
        .output()
        .expect("client runs");
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "udp-lab: No server answered within 0.05 s: no answer and no error. The server may be \
             stopped, or a firewall drops UDP silently — on Windows allow UDP port {} in Windows \
             Defender Firewall; on Linux check ufw/nft\n",
            silent.local_addr().expect("addr").port()
        )
    );
}

#[test]
fn bad_arguments_are_explained() {
    for (args, message) in [
        (
            vec!["client", "--to", "127.0.0.1:99999"],
            "Port 99999 is out of range: ports go from 0 to 65535",
        ),
        (
            vec!["client", "--to", "hello"],
            "Add a port after a colon, for example 127.0.0.1:12345",
        ),
        (
            vec!["server", "--bind", "999.0.0.1:1"],
            "999.0.0.1 is not an IPv4 address (each part is 0–255)",
        ),
    ] {
        let out = Command::new(BIN).args(&args).output().expect("runs");
        assert!(!out.status.success(), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("udp-lab: {message}\n"),
            "{args:?}"
        );
    }
    let holder = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = holder.local_addr().expect("addr").port();
    let out = Command::new(BIN)
        .args(["server", "--bind", &format!("127.0.0.1:{port}")])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    // On Linux the message names the process holding the port: this test.
    let expected = if cfg!(target_os = "linux") {
        let name = std::fs::read_to_string("/proc/self/comm").expect("comm");
        format!(
            "udp-lab: Port {port} is already in use by {} (pid {})\n",
            name.trim(),
            std::process::id()
        )
    } else {
        format!("udp-lab: Port {port} is already in use\n")
    };
    assert_eq!(String::from_utf8_lossy(&out.stderr), expected);
}

#[test]
fn help_documents_every_option() {
    let help = |args: &[&str]| {
        let out = Command::new(BIN).args(args).output().expect("runs");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let top = help(&["--help"]);
    for word in ["--bind", "--start-server", "--lang", "server", "client"] {
        assert!(top.contains(word), "--help lacks {word}:\n{top}");
    }
    let server = help(&["server", "--help"]);
    for word in ["--bind", "--reply", "--echo", "--no-reply", "--buffer"] {
        assert!(server.contains(word), "server --help lacks {word}");
    }
    let client = help(&["client", "--help"]);
    for word in ["--to", "--timeout", "--buffer", "[MESSAGE]"] {
        assert!(client.contains(word), "client --help lacks {word}");
    }
}
