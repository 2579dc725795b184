//! `udp-lab trace` on a student's web server (issue 28): Kurose–Ross
//! style servers written here, serving a temporary folder (HelloWorld.html
//! and a PNG) on a port the system picks, traced, and fetched by real
//! clients (headless chromium, curl, python's urllib, plain sockets). The
//! correct one: every connection listed with its request line → status,
//! no diagnosis. Each classic mistake: exactly its diagnosis, at its line.

// Test code: a failed setup step should stop the test where it failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{ChildStdout, Command, Stdio};

use common::trace::{Dir, line_of, python, read_until, start};
#[cfg(target_os = "linux")]
use common::trace::{free_port, run};
use common::{Running, WAIT, have, listening_port};

const HELLO: &str = "<html><head><title>HelloWorld</title></head>\n<body><h1 id=\"hello\">Hello World</h1><img id=\"picture\" src=\"pic.png\"></body></html>\n";

/// A 4×4 PNG: bytes no UTF-8 decoder accepts (0x89 first).
fn png() -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    // IHDR, IDAT (a stored zlib stream of 4 rows of 4 grey pixels), IEND.
    let chunk = |out: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc_in = kind.to_vec();
        crc_in.extend_from_slice(data);
        out.extend_from_slice(&crc_in);
        out.extend_from_slice(&crc32(&crc_in).to_be_bytes());
    };
    chunk(&mut out, b"IHDR", &[0, 0, 0, 4, 0, 0, 0, 4, 8, 0, 0, 0, 0]);
    let raw: Vec<u8> = (0..4).flat_map(|_| [0u8, 0x80, 0x80, 0x80, 0x80]).collect();
    let mut zlib = vec![0x78, 0x01, 0x01, 20, 0, !20, 0xff];
    zlib.extend_from_slice(&raw);
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// The folder served: HelloWorld.html and pic.png.
fn site(tag: &str) -> Dir {
    let dir = Dir::new(tag);
    std::fs::write(dir.0.join("HelloWorld.html"), HELLO).unwrap();
    std::fs::write(dir.0.join("pic.png"), png()).unwrap();
    dir
}

/// Every server here starts the same way: the folder (argv[1]) served,
/// the port the system picked printed; `handler` answers each connection.
fn server(handler: &str) -> String {
    format!(
        r#"import os
import sys
from socket import *
os.chdir(sys.argv[1])
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('127.0.0.1', 0))
serverSocket.listen(5)
print('Server is listening on 127.0.0.1 port %d' % serverSocket.getsockname()[1])
sys.stdout.flush()
while True:
    connectionSocket, addr = serverSocket.accept()
{handler}"#
    )
}

/// The correct one: reads the whole head, 404 for a missing file, the
/// file's bytes with Content-Length, the connection closed.
const CORRECT: &str = r#"    message = b''
    while b'\r\n\r\n' not in message:
        chunk = connectionSocket.recv(1024)
        if not chunk:
            break
        message += chunk
    if not message:
        connectionSocket.close()
        continue
    filename = message.split()[1].decode('ascii')
    try:
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        f.close()
        kind = 'image/png' if filename.endswith('.png') else 'text/html'
        head = 'HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n' % (kind, len(outputdata))
        connectionSocket.sendall(head.encode('ascii') + outputdata)
    except IOError:
        connectionSocket.sendall(b'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
    connectionSocket.close()
"#;

/// Starts `udp-lab trace [pre] script folder` and waits for its port.
fn serve(
    pre: &[&str],
    script: &str,
    folder: &Dir,
) -> (Running, BufReader<ChildStdout>, Vec<String>, u16) {
    let folder = folder.0.to_str().unwrap();
    let mut args = pre.to_vec();
    args.extend([script, folder]);
    let (child, out, head) = start(&args, "Server is listening");
    let port = listening_port(head.last().unwrap());
    (child, out, head, port)
}

/// A plain socket's GET: what came back before the server closed (or
/// WAIT passed).
fn get(port: u16, path: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
        .unwrap();
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    got
}

/// The lines `udp-lab trace` printed until one starts with `prefix`; the
/// diagnoses among them.
fn said(out: &mut BufReader<ChildStdout>, prefix: &str) -> (Vec<String>, Vec<String>) {
    let lines = read_until(out, prefix);
    let said = lines
        .iter()
        .filter(|l| l.starts_with("  ! "))
        .cloned()
        .collect();
    (lines, said)
}

fn chromium_dom(port: u16) -> Option<String> {
    if !have("chromium") {
        println!("SKIPPED chromium part of the correct web server: chromium is not installed");
        return None;
    }
    Some(common::chromium_dom(
        &format!("http://127.0.0.1:{port}/HelloWorld.html"),
        "trace-http",
    ))
}

fn correct_server_under(pre: &[&str], browser: bool) {
    let folder = site("web-ok");
    let script = folder.script("webserver.py", &server(CORRECT));
    let (_srv, mut out, _, port) = serve(pre, &script, &folder);
    let mut browsers = 0;
    if browser && let Some(dom) = chromium_dom(port) {
        assert!(dom.contains(r#"<h1 id="hello">Hello World</h1>"#), "{dom}");
        browsers = 1;
    }
    if have("curl") {
        let png_path = folder.0.join("got.png");
        let status = Command::new("curl")
            .args(["-sS", "-o"])
            .arg(&png_path)
            .arg(format!("http://127.0.0.1:{port}/pic.png"))
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(std::fs::read(&png_path).unwrap(), png());
    }
    let urllib = Command::new("python3")
        .args([
            "-c",
            "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())",
            &format!("http://127.0.0.1:{port}/HelloWorld.html"),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&urllib.stdout), HELLO);
    let missing = get(port, "/missing-last.txt");
    assert!(missing.starts_with(b"HTTP/1.1 404 Not Found\r\n"));
    let (lines, said) = said(&mut out, "  = connection");
    let mut lines = lines;
    while !lines.last().unwrap().contains("GET /missing-last.txt") {
        lines.extend(read_until(&mut out, "  = connection"));
    }
    assert!(said.is_empty(), "{lines:#?}");
    assert!(!lines.iter().any(|l| l.starts_with("  ! ")), "{lines:#?}");
    let listed: Vec<&String> = lines.iter().filter(|l| l.starts_with("  = ")).collect();
    let count = |what: &str| listed.iter().filter(|l| l.contains(what)).count();
    assert!(
        count(": GET /HelloWorld.html HTTP/1.1 → 200 OK") > browsers,
        "{listed:#?}"
    );
    assert!(
        count(": GET /pic.png HTTP/1.1 → 200 OK") >= 1,
        "{listed:#?}"
    );
    assert_eq!(count("GET /missing-last.txt HTTP/1.1 → 404 Not Found"), 1);
    // Each connection is named by its socket and its peer.
    assert!(
        listed
            .iter()
            .all(|l| l.starts_with("  = connection #") && l.contains(" from 127.0.0.1:")),
        "{listed:#?}"
    );
    // The favicon a browser asks for unbidden, when it does: a 404.
    for l in listed.iter().filter(|l| l.contains("/favicon.ico")) {
        assert!(l.ends_with("→ 404 Not Found"), "{l}");
    }
}

#[test]
fn a_correct_web_server_lists_each_connection_and_says_nothing() {
    if !python() {
        return;
    }
    correct_server_under(&[], true);
}

#[test]
fn a_correct_web_server_is_traced_under_python_2_7_too() {
    let python2 = std::env::var("UDPLAB_PYTHON2").unwrap_or_else(|_| "python2.7".into());
    let works = Command::new(&python2)
        .arg("-c")
        .arg("pass")
        .output()
        .is_ok_and(|o| o.status.success());
    if !works || !python() {
        println!("SKIPPED a_correct_web_server_is_traced_under_python_2_7_too: no python2.7");
        return;
    }
    correct_server_under(&["--python", &python2], false);
}

/// A mistake's server: one request from a plain socket, then what the
/// trace printed up to its first diagnosis.
fn mistake(pre: &[&str], name: &str, handler: &str, path: &str) -> (Vec<String>, Vec<u8>) {
    let folder = site("web-bad");
    let script = folder.script(name, &server(handler));
    let (_srv, mut out, _, port) = serve(pre, &script, &folder);
    let path = path.to_owned();
    let client = std::thread::spawn(move || get(port, &path));
    let (_, said) = said(&mut out, "  ! ");
    (said, client.join().unwrap())
}

fn at(handler: &str, text: &str) -> usize {
    line_of(&server(handler), text)
}

const NO_EMPTY_LINE: &str = r#"    message = connectionSocket.recv(1024)
    connectionSocket.send(b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n')
    connectionSocket.send(open('HelloWorld.html', 'rb').read())
    connectionSocket.close()
"#;

#[test]
fn the_head_sent_without_its_empty_line_is_said() {
    if !python() {
        return;
    }
    let (said, _) = mistake(&[], "noempty.py", NO_EMPTY_LINE, "/HelloWorld.html");
    let line = at(NO_EMPTY_LINE, "200 OK");
    assert_eq!(
        said,
        [format!(
            "  ! noempty.py:{line}: the response's head has no empty line before the body: the browser reads \"<html><head><title>HelloWorld</title></h…\" as one more header, not as the page. End the headers with an empty line: \"\\r\\n\\r\\n\" after the last header."
        )]
    );
}

const NO_LENGTH_OPEN: &str = r#"    message = connectionSocket.recv(1024)
    connectionSocket.send(b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n')
    connectionSocket.send(open('HelloWorld.html', 'rb').read())
    keep = connectionSocket
"#;

#[test]
fn no_content_length_and_the_connection_open_is_said_in_english_and_russian() {
    if !python() {
        return;
    }
    let line = at(NO_LENGTH_OPEN, "200 OK");
    let (said, got) = mistake(&[], "nolength.py", NO_LENGTH_OPEN, "/HelloWorld.html");
    // The client got the page, and no end of it (it waited until WAIT).
    assert!(got.ends_with(HELLO.as_bytes()));
    assert_eq!(
        said,
        [format!(
            "  ! nolength.py:{line}: the response (200 OK) has no Content-Length and the connection is still open while the script waits for the next one: the browser cannot know the page has ended and keeps waiting (an endless spinner). Send Content-Length: <bytes of the body>, or close the connection after the body."
        )]
    );
    let (said, _) = mistake(
        &["--lang", "ru"],
        "nolength.py",
        NO_LENGTH_OPEN,
        "/HelloWorld.html",
    );
    assert_eq!(
        said,
        [format!(
            "  ! nolength.py:{line}: в ответе (200 OK) нет Content-Length, а подключение всё ещё открыто, хотя скрипт уже ждёт следующее: браузер не может узнать, что страница закончилась, и продолжает ждать (бесконечная загрузка). Отправьте Content-Length: <байт в теле> или закройте подключение после тела."
        )]
    );
}

const NOT_CLOSED: &str = r#"    message = connectionSocket.recv(1024)
    connectionSocket.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi')
"#;

#[test]
fn the_socket_not_closed_after_the_response_is_said() {
    if !python() {
        return;
    }
    let (said, got) = mistake(&[], "noclose.py", NOT_CLOSED, "/x");
    assert!(got.starts_with(b"HTTP/1.1 200 OK\r\n"));
    let line = line_of(&server(NOT_CLOSED), "serverSocket.accept()");
    assert_eq!(
        said,
        [format!(
            "  ! noclose.py:{line}: the connection accepted here answered GET /x HTTP/1.1, and the script never closed it: each request leaves a socket open, and a browser waiting on it gets no end. Call connectionSocket.close() after the response."
        )]
    );
}

const SENDS_STR: &str = r#"    message = connectionSocket.recv(1024)
    connectionSocket.send('HTTP/1.1 200 OK\r\n\r\n')
    connectionSocket.close()
"#;

#[test]
fn a_str_sent_in_python_3_is_said_once() {
    if !python() {
        return;
    }
    let (said, _) = mistake(&[], "sendstr.py", SENDS_STR, "/x");
    let line = at(SENDS_STR, "200 OK");
    assert_eq!(
        said,
        [format!(
            "  ! sendstr.py:{line}: send() takes bytes, and this is a str (TypeError: a bytes-like object is required): in Python 3 encode the text first: send(text.encode()), or write b\"HTTP/1.1 200 OK\\r\\n\"."
        )]
    );
}

const TEXT_MODE: &str = r#"    message = connectionSocket.recv(1024)
    f = open(message.split()[1][1:].decode())
    outputdata = f.read()
    connectionSocket.send(b'HTTP/1.1 200 OK\r\n\r\n' + outputdata.encode())
    connectionSocket.close()
"#;

#[test]
fn an_image_opened_in_text_mode_is_said_with_its_open() {
    if !python() {
        return;
    }
    let (said, _) = mistake(&[], "textmode.py", TEXT_MODE, "/pic.png");
    let (read, opened) = (at(TEXT_MODE, "f.read()"), at(TEXT_MODE, "f = open"));
    assert_eq!(
        said,
        [format!(
            "  ! textmode.py:{read}: pic.png was opened in text mode ('r') at textmode.py:{opened}, and its bytes are no utf-8 text (an image, for example): reading it failed. Open files to serve in binary mode, open(name, 'rb'), and send their bytes as they are."
        )]
    );
}

const DECODED: &str = r#"    message = connectionSocket.recv(1024)
    f = open(message.split()[1][1:].decode(), 'rb')
    outputdata = f.read().decode()
    connectionSocket.send(('HTTP/1.1 200 OK\r\n\r\n' + outputdata).encode())
    connectionSocket.close()
"#;

#[test]
fn an_image_read_in_binary_and_decoded_to_be_sent_is_said_with_its_open() {
    if !python() {
        return;
    }
    let (said, _) = mistake(&[], "decoded.py", DECODED, "/pic.png");
    let (decoded, opened) = (at(DECODED, "f.read().decode()"), at(DECODED, "f = open"));
    assert_eq!(
        said,
        [format!(
            "  ! decoded.py:{decoded}: the bytes of pic.png, opened in binary mode ('rb') at decoded.py:{opened}, were decoded as utf-8 text here, and they are no utf-8 text (an image, for example): decoding failed. Send a file's bytes as read: the head as bytes, then the file, b'HTTP/1.1 200 OK\\r\\n...\\r\\n\\r\\n' + data, never head + data.decode()."
        )]
    );
}

const NO_404: &str = r#"    message = connectionSocket.recv(1024)
    f = open(message.split()[1][1:], 'rb')
    outputdata = f.read()
    connectionSocket.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: ' + str(len(outputdata)).encode() + b'\r\n\r\n' + outputdata)
    connectionSocket.close()
"#;

#[test]
fn no_404_branch_is_said_when_the_favicon_kills_the_server() {
    if !python() {
        return;
    }
    let (said, got) = mistake(&[], "no404.py", NO_404, "/favicon.ico");
    assert!(got.is_empty());
    let line = at(NO_404, "f = open");
    assert_eq!(said.len(), 1, "{said:#?}");
    assert!(
        said[0].starts_with(&format!(
            "  ! no404.py:{line}: the request GET /favicon.ico HTTP/1.1 named a file that is not there, and nothing caught the error (FileNotFoundError: [Errno 2] No such file or directory: b'favicon.ico'): the server died on it."
        )),
        "{said:#?}"
    );
}

const ONE_RECV: &str = r#"    message = connectionSocket.recv(1024)
    connectionSocket.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi')
    connectionSocket.close()
"#;

/// The request's head in two pieces, the second sent only once the
/// server has answered the first: its one recv can only have read part.
#[test]
fn a_request_read_in_part_and_answered_is_said_at_the_recv() {
    if !python() {
        return;
    }
    let folder = site("web-part");
    let script = folder.script("onerecv.py", &server(ONE_RECV));
    let (_srv, mut out, _, port) = serve(&[], &script, &folder);
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"GET /HelloWorld.html HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200 OK"));
    let (lines, said) = said(&mut out, "  ! ");
    let (recv, send) = (at(ONE_RECV, ".recv("), at(ONE_RECV, ".sendall("));
    assert_eq!(
        said,
        [format!(
            "  ! onerecv.py:{recv}: recv() returned 48 bytes of the request, with no empty line yet (\"\\r\\n\\r\\n\" ends the head): the rest had not arrived. The script went on to sendall() at onerecv.py:{send} with part of the request. Read until the bytes hold \"\\r\\n\\r\\n\"."
        )],
        "{lines:#?}"
    );
}

/// `setpriv` (or `runuser`) to run as nobody: CI runs as root, who may
/// bind any port.
fn as_nobody() -> Option<Vec<&'static str>> {
    let ok = |c: &mut Command| c.output().is_ok_and(|o| o.status.success());
    if ok(Command::new("setpriv").args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "true",
    ])) {
        return Some(vec![
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ]);
    }
    if ok(Command::new("runuser").args(["-u", "nobody", "--", "true"])) {
        return Some(vec!["runuser", "-u", "nobody", "--"]);
    }
    None
}

/// A python 3 nobody can run (root's own may live in /root).
fn system_python() -> Option<&'static str> {
    ["/usr/bin/python3", "/usr/local/bin/python3"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

const LOW_PORT: &str = r#"from socket import *
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('127.0.0.1', 80))
serverSocket.listen(1)
"#;

#[test]
fn port_80_refused_to_a_user_is_said() {
    if !python() {
        return;
    }
    let (Some(nobody), Some(py)) = (as_nobody(), system_python()) else {
        println!(
            "SKIPPED port_80_refused_to_a_user_is_said: neither setpriv nor runuser runs as nobody here, or no system python3"
        );
        return;
    };
    let dir = Dir::new("low-port");
    let script = dir.script("port80.py", LOW_PORT);
    let out = Command::new(nobody[0])
        .args(&nobody[1..])
        .arg(common::BIN)
        .args(["trace", "--python", py, &script])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("bind(('127.0.0.1', 80)) → ok") {
        println!(
            "SKIPPED port_80_refused_to_a_user_is_said: this system lets users bind port 80 (net.ipv4.ip_unprivileged_port_start)"
        );
        return;
    }
    let line = line_of(LOW_PORT, "bind(");
    let said: Vec<&str> = text.lines().filter(|l| l.starts_with("  ! ")).collect();
    assert_eq!(
        said,
        [format!(
            "  ! port80.py:{line}: bind(('127.0.0.1', 80)) was refused (Permission denied): ports below 1024, such as 80, are for the administrator only. Use a port above 1023, such as 6789, and open http://127.0.0.1:6789/ in the browser."
        )],
        "{text}"
    );
}

#[cfg(target_os = "linux")]
const ONE_REQUEST_ON_A_PORT: &str = r#"import sys
from socket import *
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('127.0.0.1', int(sys.argv[1])))
serverSocket.listen(1)
print('Server is listening on 127.0.0.1 port %s' % sys.argv[1])
sys.stdout.flush()
connectionSocket, addr = serverSocket.accept()
message = connectionSocket.recv(1024)
connectionSocket.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi')
connectionSocket.close()
serverSocket.close()
"#;

/// The server closed its connection first (its side keeps TIME_WAIT) and
/// is started again at once on the same port: the TCP diagnosis says why.
#[cfg(target_os = "linux")]
#[test]
fn address_in_use_after_a_restart_is_time_wait() {
    if !python() {
        return;
    }
    let dir = Dir::new("web-restart");
    let script = dir.script("restart.py", ONE_REQUEST_ON_A_PORT);
    let port = free_port();
    let (mut first, mut out, _) = start(&[&script, &port.to_string()], "Server is listening");
    let got = get(port, "/");
    assert!(got.ends_with(b"hi"));
    read_until(&mut out, "restart.py ended");
    assert_eq!(first.0.wait().unwrap().code(), Some(0));
    let (out, text) = run(&[&script, &port.to_string()]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let line = line_of(ONE_REQUEST_ON_A_PORT, "serverSocket.bind");
    let said: Vec<&str> = text.lines().filter(|l| l.starts_with("  ! ")).collect();
    assert_eq!(said.len(), 1, "{text}");
    assert!(
        said[0].starts_with(&format!("  ! restart.py:{line}: bind(('127.0.0.1', {port})) failed: Address already in use, yet nothing listens there: connections closed a moment ago on this port are in TIME_WAIT")),
        "{text}"
    );
}

/// The request lines and statuses also come in Russian.
#[test]
fn the_exchange_lines_come_in_russian() {
    if !python() {
        return;
    }
    let folder = site("web-ru");
    let script = folder.script("webserver.py", &server(CORRECT));
    let (_srv, mut out, _, port) = serve(&["--lang", "ru"], &script, &folder);
    let got = get(port, "/HelloWorld.html");
    assert!(got.ends_with(HELLO.as_bytes()));
    let lines = read_until(&mut out, "  = ");
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("  = подключение #2 от 127.0.0.1:")
            && last.ends_with(": GET /HelloWorld.html HTTP/1.1 → 200 OK"),
        "{lines:#?}"
    );
}
