//! UDP Lab's web server program (issue 28) in the handout's numbered
//! style, as the Kurose–Ross "Web Server" lab builds it: socket, bind,
//! listen, accept, recv, the path from `split()[1]`, open, the status line,
//! headers, the empty line and the file, a 404 branch, close. The window's
//! port and folder; Python 2.7 and 3. Its steps are UDP Lab's own numbers
//! (the handout has no web part), and it refuses `..` so the program it
//! teaches is not a hole in the student's computer.

use std::net::IpAddr;

use super::{Program, py_str};
use crate::lab::i18n::{Lang, T};
use crate::net::{self, Host};

/// The window's values the web program shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebCodeSettings {
    /// The server's bind address as typed ("127.0.0.1:6789").
    pub bind: String,
    /// The folder served; None: the script's own folder.
    pub folder: Option<String>,
    /// The client's URL and headers (one "Name: value" a line), for
    /// http_client.py.
    pub url: String,
    pub headers: String,
}

impl Default for WebCodeSettings {
    fn default() -> Self {
        Self {
            bind: net::http::DEFAULT_HTTP_ADDR.into(),
            folder: None,
            url: format!("http://{}/HelloWorld.html", net::http::DEFAULT_HTTP_ADDR),
            headers: String::new(),
        }
    }
}

pub const FILE_NAME: &str = "webserver.py";

struct Lines {
    lang: Lang,
    lines: Vec<String>,
    steps: Vec<(u8, usize)>,
}

impl Lines {
    fn line(&mut self, text: impl Into<String>) {
        self.lines.push(text.into());
    }

    fn step(&mut self, step: u8, code: &str, what: T) {
        self.lines
            .push(format!("{code}  # {step}. {}", what.get(self.lang)));
        self.steps.push((step, self.lines.len()));
    }

    fn noted(&mut self, code: &str, note: T) {
        self.lines
            .push(format!("{code}  # {}", note.get(self.lang)));
    }
}

/// The web server program for `settings`, its comments in `lang`.
pub fn program(settings: &WebCodeSettings, lang: Lang) -> Program {
    let (addr, address_invalid) = match net::parse_addr(&settings.bind, false) {
        Ok(a) => (a, false),
        Err(_) => (
            net::ParsedAddr {
                host: Host::Ip(IpAddr::from([127, 0, 0, 1])),
                port: net::http::DEFAULT_HTTP_PORT,
            },
            true,
        ),
    };
    let (host, family) = match &addr.host {
        Host::Ip(ip @ IpAddr::V6(_)) => (py_str(&ip.to_string()), "socket.AF_INET6"),
        Host::Ip(ip) => (py_str(&ip.to_string()), "socket.AF_INET"),
        Host::Name(name) => (py_str(name), "socket.AF_INET"),
    };
    let folder = match &settings.folder {
        Some(f) => py_str(f),
        None => "os.path.dirname(os.path.abspath(__file__))".to_owned(),
    };
    let mut p = Lines {
        lang,
        lines: Vec::new(),
        steps: Vec::new(),
    };
    p.noted("from __future__ import print_function", T::CodePython2);
    p.line("");
    p.step(1, "import socket", T::CodeStepImport);
    p.line("import os");
    p.line("");
    p.line(
        "TYPES = {\".html\": \"text/html\", \".css\": \"text/css\", \".js\": \"text/javascript\",",
    );
    p.line("         \".png\": \"image/png\", \".jpg\": \"image/jpeg\", \".gif\": \"image/gif\",");
    p.line("         \".ico\": \"image/x-icon\", \".svg\": \"image/svg+xml\", \".txt\": \"text/plain\"}");
    p.line("");
    p.line("");
    p.step(2, "def main():", T::CodeStepMain);
    p.step(3, &format!("    server_ip = {host}"), T::CodeStepAddress);
    p.line(format!("    server_port = {}", addr.port));
    p.noted(&format!("    folder = {folder}"), T::CodeWebFolder);
    p.line("");
    p.step(
        4,
        &format!("    server_socket = socket.socket({family}, socket.SOCK_STREAM)"),
        T::CodeWebSocket,
    );
    p.noted(
        "    server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
        T::CodeWebReuse,
    );
    p.step(
        5,
        "    server_socket.bind((server_ip, server_port))",
        T::CodeStepBind,
    );
    if addr.port == 0 {
        p.noted(
            "    server_port = server_socket.getsockname()[1]",
            T::CodeAnyPort,
        );
    }
    p.step(6, "    server_socket.listen(5)", T::CodeWebListen);
    p.step(
        7,
        "    print(\"Ready to serve on http://%s:%d/\" % (server_ip, server_port))",
        T::CodeWebReady,
    );
    p.line("");
    p.line("    while True:");
    p.step(
        8,
        "        connection_socket, client_address = server_socket.accept()",
        T::CodeWebAccept,
    );
    p.step(
        9,
        "        message = connection_socket.recv(1024)",
        T::CodeWebRecv,
    );
    p.line("        try:");
    p.step(
        10,
        "            filename = message.split()[1].decode(\"utf-8\")",
        T::CodeWebPath,
    );
    p.line("            name = filename.split(\"?\")[0].lstrip(\"/\") or \"HelloWorld.html\"");
    p.noted(
        "            if \"..\" in name.replace(\"\\\\\", \"/\").split(\"/\"):",
        T::CodeWebDotDot,
    );
    p.line("                raise IOError(\"outside the folder\")");
    p.step(
        11,
        "            f = open(os.path.join(folder, name), \"rb\")",
        T::CodeWebOpen,
    );
    p.line("            body = f.read()");
    p.line("            f.close()");
    p.line("            kind = TYPES.get(os.path.splitext(name)[1].lower(), \"application/octet-stream\")");
    p.step(
        12,
        "            head = \"HTTP/1.1 200 OK\\r\\nContent-Type: %s\\r\\nContent-Length: %d\\r\\n\\r\\n\" % (kind, len(body))",
        T::CodeWebHead,
    );
    p.step(
        13,
        "            connection_socket.sendall(head.encode(\"ascii\") + body)",
        T::CodeWebSend,
    );
    p.step(
        14,
        "        except (IOError, IndexError, UnicodeError):",
        T::CodeWeb404,
    );
    p.line("            body = b\"404 Not Found\"");
    p.line("            head = \"HTTP/1.1 404 Not Found\\r\\nContent-Type: text/plain\\r\\nContent-Length: %d\\r\\n\\r\\n\" % len(body)");
    p.line("            connection_socket.sendall(head.encode(\"ascii\") + body)");
    p.step(15, "        connection_socket.close()", T::CodeWebClose);
    p.line("");
    p.line("");
    p.line("if __name__ == \"__main__\":");
    p.line("    main()");
    let mut shift = 0;
    if p.lines.iter().any(|l| !l.is_ascii()) {
        p.lines.insert(0, "# -*- coding: utf-8 -*-".into());
        shift = 1;
    }
    let mut source = p.lines.join("\n");
    source.push('\n');
    Program {
        file_name: FILE_NAME,
        source,
        steps: p.steps.iter().map(|&(s, l)| (s, l + shift)).collect(),
        address_invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_is_on_its_line_in_both_languages() {
        for lang in [Lang::En, Lang::Ru] {
            let p = program(&WebCodeSettings::default(), lang);
            let lines: Vec<&str> = p.source.lines().collect();
            assert_eq!(p.steps.len(), 15);
            for (step, line) in &p.steps {
                let text = lines[line - 1];
                assert!(text.contains(&format!("# {step}. ")), "{step}: {text}");
            }
            assert_eq!(
                p.line_of(9).map(|l| lines[l - 1]
                    .trim_start()
                    .starts_with("message = connection_socket.recv(1024)")),
                Some(true)
            );
            assert!(p.source.contains("server_port = 6789\n"));
        }
        let odd = program(
            &WebCodeSettings {
                bind: "nonsense".into(),
                folder: Some("C:\\site \"x\"".into()),
                ..WebCodeSettings::default()
            },
            Lang::En,
        );
        assert!(odd.address_invalid);
        assert!(
            odd.source.contains(r#"folder = "C:\\site \"x\"""#),
            "{}",
            odd.source
        );
    }
}
