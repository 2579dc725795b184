use super::*;

fn lab() -> CodeSettings {
    CodeSettings::default()
}

fn line(p: &Program, step: u8) -> &str {
    let n = p.line_of(step).unwrap_or_else(|| panic!("no step {step}"));
    p.source.lines().nth(n - 1).unwrap_or_default()
}

#[test]
fn the_server_is_the_handouts_with_its_steps_marked() {
    let p = server(&lab(), Lang::En);
    assert_eq!(p.file_name, "server.py");
    let steps: Vec<u8> = p.steps.iter().map(|(s, _)| *s).collect();
    assert_eq!(steps, (1..=10).collect::<Vec<_>>());
    // Lines in the handout's order.
    let lines: Vec<usize> = p.steps.iter().map(|(_, l)| *l).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
    assert_eq!(line(&p, 1), "import socket  # 1. import");
    assert_eq!(line(&p, 2), "def main():  # 2. main()");
    assert_eq!(
        line(&p, 3),
        "    server_ip = \"127.0.0.1\"  # 3. IP address and port"
    );
    assert_eq!(
        line(&p, 4),
        "    server_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # 4. socket (IPv4, UDP)"
    );
    assert_eq!(
        line(&p, 5),
        "    server_socket.bind((server_ip, server_port))  # 5. bind"
    );
    assert!(
        line(&p, 6).contains("print(\"Server is listening on\", server_ip, \"port\", server_port)")
    );
    assert!(line(&p, 7).contains("server_socket.recvfrom(1024)  # 7. recvfrom"));
    assert!(line(&p, 8).contains("print(\"Message from client:\", message.decode("));
    assert!(line(&p, 9).contains("response = \"Hello, client\"  # 9. the answer"));
    assert!(
        line(&p, 10).contains("server_socket.sendto(response.encode(\"utf-8\"), client_address)")
    );
    assert!(p.source.contains("    server_port = 12345\n"));
    assert!(
        p.source
            .ends_with("if __name__ == \"__main__\":\n    main()\n")
    );
    assert!(
        p.source
            .starts_with("from __future__ import print_function, unicode_literals")
    );
    // English only: no coding line needed.
    assert!(p.source.is_ascii());
    assert!(!p.address_invalid);
}

#[test]
fn the_client_is_the_handouts_with_its_steps_marked() {
    let p = client(&lab(), Lang::En);
    assert_eq!(p.file_name, "client.py");
    let steps: Vec<u8> = p.steps.iter().map(|(s, _)| *s).collect();
    assert_eq!(steps, (1..=9).collect::<Vec<_>>());
    let lines: Vec<usize> = p.steps.iter().map(|(_, l)| *l).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
    assert!(line(&p, 3).starts_with("    server_ip = \"127.0.0.1\"  # 3."));
    assert!(line(&p, 4).starts_with("    message = \"Hello, server\"  # 4."));
    assert!(line(&p, 5).contains("socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"));
    assert!(
        line(&p, 6)
            .contains("client_socket.sendto(message.encode(\"utf-8\"), (server_ip, server_port))")
    );
    assert_eq!(
        line(&p, 7),
        "    response, _ = client_socket.recvfrom(1024)  # 7. recvfrom: the answer"
    );
    assert!(line(&p, 8).contains("print(\"Response from server:\", response.decode("));
    assert_eq!(line(&p, 9), "    client_socket.close()  # 9. close");
    // The lab's client waits forever: no timeout, no try.
    assert!(!p.source.contains("settimeout"));
    assert!(!p.source.contains("try:"));
}

#[test]
fn every_value_of_the_window_shows() {
    let settings = CodeSettings {
        bind: "0.0.0.0:5000".into(),
        target: "[::1]:6000".into(),
        message: "ping".into(),
        reply: ReplyCode::Fixed("pong".into()),
        server_buffer: 2048,
        client_buffer: 512,
        timeout: Some(Duration::from_millis(2500)),
        ..CodeSettings::default()
    };
    let s = server(&settings, Lang::En);
    assert!(line(&s, 3).contains("server_ip = \"0.0.0.0\""));
    assert!(s.source.contains("server_port = 5000\n"));
    assert!(line(&s, 7).contains("recvfrom(2048)"));
    assert!(line(&s, 9).contains("response = \"pong\""));
    let c = client(&settings, Lang::En);
    assert!(line(&c, 3).contains("server_ip = \"::1\""));
    assert!(c.source.contains("server_port = 6000\n"));
    assert!(line(&c, 4).contains("message = \"ping\""));
    assert!(line(&c, 5).contains("socket.AF_INET6"));
    assert!(line(&c, 7).contains("recvfrom(512)"));
    assert!(
        c.source
            .contains("    client_socket.settimeout(2.5)  # not in the lab: wait at most 2.5 s\n")
    );
    assert!(c.source.contains("    try:\n"));
    assert!(c.source.contains("    except socket.timeout:"));
    assert!(
        c.source
            .contains("print(\"No server answered within 2.5 s\")")
    );
    // The timeout goes after socket (5) and before sendto (6).
    let settimeout = c
        .source
        .lines()
        .position(|l| l.contains("settimeout"))
        .unwrap_or(0)
        + 1;
    assert!(c.line_of(5) < Some(settimeout) && Some(settimeout) < c.line_of(6));
}

#[test]
fn echo_sends_the_message_back_and_no_reply_drops_the_sendto() {
    let echo = server(
        &CodeSettings {
            reply: ReplyCode::Echo,
            ..lab()
        },
        Lang::En,
    );
    assert!(line(&echo, 10).contains("server_socket.sendto(message, client_address)"));
    assert_eq!(
        line(&echo, 9).trim(),
        "# 9. the answer is the message itself (echo)"
    );
    assert!(!echo.source.contains("response"));
    let none = server(
        &CodeSettings {
            reply: ReplyCode::None,
            ..lab()
        },
        Lang::En,
    );
    assert!(!none.source.contains("sendto"));
    assert_eq!(none.line_of(9), None);
    assert_eq!(none.line_of(10), None);
    assert!(
        none.source
            .contains("# No reply: the server sends nothing back")
    );
}

#[test]
fn russian_comments_get_a_coding_line_and_the_steps_move_with_it() {
    let en = server(&lab(), Lang::En);
    let ru = server(&lab(), Lang::Ru);
    assert!(ru.source.starts_with("# -*- coding: utf-8 -*-\n"));
    assert_eq!(
        line(&ru, 5),
        "    server_socket.bind((server_ip, server_port))  # 5. привязка"
    );
    for (&(s, l_en), &(s_ru, l_ru)) in en.steps.iter().zip(&ru.steps) {
        assert_eq!((s, l_en + 1), (s_ru, l_ru));
    }
    // The code itself, and what it prints, stay the lab's (English).
    assert!(line(&ru, 6).contains("print(\"Server is listening on\""));
}

#[test]
fn port_zero_prints_the_port_the_os_picked() {
    let p = server(
        &CodeSettings {
            bind: "127.0.0.1:0".into(),
            ..lab()
        },
        Lang::En,
    );
    let bind = p.line_of(5).unwrap_or(0);
    let next = p.source.lines().nth(bind).unwrap_or_default();
    assert!(
        next.starts_with("    server_port = server_socket.getsockname()[1]"),
        "{next}"
    );
}

#[test]
fn an_invalid_address_shows_the_default_and_says_so() {
    let p = client(
        &CodeSettings {
            target: "127.0.0.1:abc".into(),
            ..lab()
        },
        Lang::En,
    );
    assert!(p.address_invalid);
    assert!(p.source.contains("server_port = 12345\n"));
}

#[test]
fn texts_become_python_literals_that_mean_the_same() {
    assert_eq!(py_str("Hello, client"), "\"Hello, client\"");
    assert_eq!(py_str("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
    assert_eq!(py_str("a\nb\tc\r\u{0}"), "\"a\\nb\\tc\\r\\x00\"");
    assert_eq!(py_str("Привет"), "\"Привет\"");
    assert_eq!(py_str("x\u{2028}y\u{85}"), "\"x\\u2028y\\x85\"");
    // A message with a quote cannot break out of its line.
    let p = client(
        &CodeSettings {
            message: "\"); import os #\n".into(),
            ..lab()
        },
        Lang::En,
    );
    assert!(line(&p, 4).starts_with("    message = \"\\\"); import os #\\n\"  # 4."));
}

#[test]
fn saving_never_overwrites_a_file() {
    let dir = crate::lab::export::tests::TempDir::new("code-save");
    let p = server(&lab(), Lang::En);
    let first = save(&dir.0, &p).expect("save");
    let second = save(&dir.0, &p).expect("save again");
    let third = save(&dir.0, &p).expect("and again");
    let names: Vec<_> = [&first, &second, &third]
        .iter()
        .map(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(names, ["server.py", "server-2.py", "server-3.py"]);
    assert_eq!(std::fs::read_to_string(&first).expect("read"), p.source);
    // A folder that is not there is an error, not a panic.
    assert!(save(&dir.0.join("missing"), &p).is_err());
}
