//! Issue 28: `http_client.py`, a web client at the socket level in the
//! handout's numbered style — socket, connect, `sendall` a GET whose head
//! ends with the empty line, `recv` until b'', print, close — for the
//! window's URL and headers (the same request UDP Lab's own client sends).
//! Its steps share the TCP client's numbers (5 socket, 6 connect,
//! 7 sendall, 8 recv, 10 close). Python 2.7 and 3.

use super::{Lines, Program, py_str};
use crate::lab::i18n::{Lang, T};
use crate::net::http::{self, Url};

pub const FILE_NAME: &str = "http_client.py";

/// The client program for `url` (as typed) and `headers` (one "Name:
/// value" a line); the default URL when `url` is not one.
pub fn program(url: &str, headers: &str, lang: Lang) -> Program {
    let (url, address_invalid) = match http::parse_url(url) {
        Ok(u) => (u, false),
        Err(_) => (
            Url {
                host: "127.0.0.1".into(),
                port: http::DEFAULT_HTTP_PORT,
                target: "/HelloWorld.html".into(),
            },
            true,
        ),
    };
    // A header line that is not one is left out, as the window's client
    // refuses it.
    let headers: Vec<(String, String)> = headers
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| http::parse_header(l.trim()).ok())
        .collect();
    let request = String::from_utf8_lossy(&http::request_bytes(&url, &headers)).into_owned();
    let mut p = Lines::new(lang);
    p.header();
    p.step(
        3,
        &format!("    host = {}", py_str(&url.host)),
        T::CodeWebClientUrl,
    );
    p.line(format!("    port = {}", url.port));
    p.step_comment(4, "    ", T::CodeWebClientRequest);
    let parts: Vec<&str> = request.split_inclusive("\r\n").collect();
    for (i, part) in parts.iter().enumerate() {
        let (open, close) = (
            if i == 0 {
                "    request = ("
            } else {
                "               "
            },
            if i + 1 == parts.len() { ")" } else { "" },
        );
        p.line(format!("{open}{}{close}", py_str(part)));
    }
    p.blank();
    p.step(
        5,
        "    client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        T::CodeWebClientSocket,
    );
    p.step(
        6,
        "    client_socket.connect((host, port))",
        T::CodeWebClientConnect,
    );
    p.step(
        7,
        "    client_socket.sendall(request.encode(\"utf-8\"))",
        T::CodeWebClientSend,
    );
    p.line("    response = b\"\"");
    p.line("    while True:");
    p.step(
        8,
        "        data = client_socket.recv(4096)",
        T::CodeWebClientRecv,
    );
    p.line("        if not data:");
    p.line("            break");
    p.line("        response += data");
    p.step(
        9,
        "    print(response.decode(\"utf-8\", \"replace\"))",
        T::CodeWebClientPrint,
    );
    p.step(10, "    client_socket.close()", T::CodeWebClientClose);
    p.footer();
    p.finish(FILE_NAME, address_invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_ends_with_the_empty_line_and_every_step_is_marked() {
        for lang in [Lang::En, Lang::Ru] {
            let p = program(
                "http://127.0.0.1:6789/HelloWorld.html",
                "Accept: text/html\nnot a header",
                lang,
            );
            assert!(!p.address_invalid);
            let lines: Vec<&str> = p.source.lines().collect();
            let steps: Vec<u8> = p.steps.iter().map(|(s, _)| *s).collect();
            assert_eq!(steps, (1..=10).collect::<Vec<u8>>());
            for (step, line) in &p.steps {
                assert!(lines[line - 1].contains(&format!("# {step}. ")), "{step}");
            }
            assert!(
                p.source
                    .contains(r#"request = ("GET /HelloWorld.html HTTP/1.1\r\n""#),
                "{}",
                p.source
            );
            assert!(p.source.contains(r#""Accept: text/html\r\n""#));
            assert!(!p.source.contains("not a header"));
            assert!(p.source.contains(r#"               "\r\n")"#));
            assert!(p.source.contains("port = 6789\n"));
        }
        let odd = program("ftp://x", "", Lang::En);
        assert!(odd.address_invalid);
        assert!(odd.source.contains("port = 6789\n"));
    }
}
