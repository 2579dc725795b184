use std::time::Duration;

use super::*;

fn line(p: &Program, step: u8) -> &str {
    let n = p.line_of(step).unwrap_or_else(|| panic!("no step {step}"));
    p.source.lines().nth(n - 1).unwrap_or_default()
}

fn in_order(p: &Program, count: u8) {
    let steps: Vec<u8> = p.steps.iter().map(|(s, _)| *s).collect();
    assert_eq!(steps, (1..=count).collect::<Vec<_>>());
    let lines: Vec<usize> = p.steps.iter().map(|(_, l)| *l).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
}

#[test]
fn the_tcp_server_is_numbered_as_the_trace_numbers_its_calls() {
    let p = server(&CodeSettings::default(), Lang::En);
    assert_eq!(p.file_name, "tcp_server.py");
    in_order(&p, 13);
    assert_eq!(line(&p, 1), "import socket  # 1. import");
    assert_eq!(
        line(&p, 4),
        "    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # 4. socket (IPv4, TCP)"
    );
    assert_eq!(
        line(&p, 6),
        "    server_socket.listen(5)  # 6. listen: wait for connections"
    );
    assert!(line(&p, 7).contains("print(\"Server is listening on\""));
    assert!(line(&p, 8).starts_with("        conn, client_address = server_socket.accept()  # 8."));
    assert!(line(&p, 9).starts_with("            data = conn.recv(1024)  # 9."));
    assert!(line(&p, 10).starts_with("            if not data:  # 10. b'': the client closed"));
    assert!(line(&p, 11).contains("print(\"Message from client:\", data.decode("));
    assert!(
        line(&p, 12).starts_with("            conn.sendall(response.encode(\"utf-8\"))  # 12.")
    );
    assert!(
        p.source
            .contains("            response = \"Hello, client\"\n")
    );
    // The connection is closed after its loop, at the loop's indent.
    assert!(line(&p, 13).starts_with("        conn.close()  # 13."));
    // The comment on why a read is no message.
    assert!(p.source.contains("# TCP keeps bytes, not messages"));
    assert!(p.source.is_ascii());
}

#[test]
fn the_tcp_client_reads_until_b_empty_and_says_why() {
    let p = client(&CodeSettings::default(), Lang::En);
    assert_eq!(p.file_name, "tcp_client.py");
    in_order(&p, 10);
    assert!(line(&p, 5).contains("socket.socket(socket.AF_INET, socket.SOCK_STREAM)"));
    assert!(line(&p, 6).starts_with("    client_socket.connect((server_ip, server_port))  # 6."));
    assert!(line(&p, 7).starts_with("    client_socket.sendall(message.encode(\"utf-8\"))  # 7."));
    assert!(line(&p, 8).starts_with("        data = client_socket.recv(1024)  # 8."));
    assert!(line(&p, 9).contains("print(\"Response from server:\", response.decode("));
    assert_eq!(line(&p, 10), "    client_socket.close()  # 10. close");
    // The loop: ended by b'', the bytes gathered before they are decoded.
    let after_recv: Vec<&str> = p
        .source
        .lines()
        .skip(p.line_of(8).unwrap_or(0))
        .take(3)
        .collect();
    assert_eq!(
        after_recv,
        [
            "        if not data:",
            "            break",
            "        response += data"
        ]
    );
    assert!(
        p.source
            .contains("    client_socket.shutdown(socket.SHUT_WR)  # nothing more to send")
    );
    assert!(
        p.source
            .contains("# TCP keeps bytes, not messages: one recv() may return part of the answer.")
    );
    // The lab's client waits forever: no timeout, no try.
    assert!(!p.source.contains("settimeout"));
    assert!(!p.source.contains("try:"));
}

#[test]
fn the_windows_values_show_in_the_tcp_programs() {
    let settings = CodeSettings {
        bind: "0.0.0.0:5000".into(),
        target: "[::1]:6000".into(),
        message: "ping".into(),
        reply: ReplyCode::Echo,
        server_buffer: 16,
        client_buffer: 8,
        timeout: Some(Duration::from_millis(1500)),
        backlog: 1,
        ..CodeSettings::default()
    };
    let s = server(&settings, Lang::En);
    assert!(line(&s, 3).contains("server_ip = \"0.0.0.0\""));
    assert!(s.source.contains("server_port = 5000\n"));
    assert!(line(&s, 6).contains("listen(1)"));
    assert!(line(&s, 9).contains("conn.recv(16)"));
    assert!(line(&s, 12).starts_with("            conn.sendall(data)  # 12."));
    assert!(!s.source.contains("response"));
    let c = client(&settings, Lang::En);
    assert!(line(&c, 5).contains("socket.AF_INET6"));
    assert!(line(&c, 4).contains("message = \"ping\""));
    assert!(line(&c, 8).starts_with("            data = client_socket.recv(8)  # 8."));
    assert!(
        c.source
            .contains("    client_socket.settimeout(1.5)  # not in the lab: wait at most 1.5 s\n")
    );
    assert!(c.source.contains("    try:\n"));
    assert!(c.source.contains("    except socket.timeout:"));
    assert!(
        c.source
            .contains("The server did not close the connection within 1.5 s")
    );
    // No reply: no sendall in the server, its steps 12 left out.
    let none = server(
        &CodeSettings {
            reply: ReplyCode::None,
            ..CodeSettings::default()
        },
        Lang::En,
    );
    assert!(!none.source.contains("sendall"));
    assert_eq!(none.line_of(12), None);
    assert!(none.line_of(13).is_some());
}

#[test]
fn russian_tcp_comments_get_a_coding_line() {
    let ru = client(&CodeSettings::default(), Lang::Ru);
    assert!(ru.source.starts_with("# -*- coding: utf-8 -*-\n"));
    assert_eq!(
        line(&ru, 6),
        "    client_socket.connect((server_ip, server_port))  # 6. connect: тройное рукопожатие"
    );
    assert!(ru.source.contains("# TCP хранит байты, а не сообщения"));
    // What it prints stays the lab's English.
    assert!(line(&ru, 9).contains("print(\"Response from server:\""));
}

#[test]
fn each_side_shows_the_program_of_its_protocol() {
    use crate::lab::code::Role;
    use crate::net::Protocol;
    let tcp_server = CodeSettings {
        server_protocol: Protocol::Tcp,
        ..CodeSettings::default()
    };
    assert_eq!(
        Role::Server.program(&tcp_server, Lang::En).file_name,
        "tcp_server.py"
    );
    assert_eq!(
        Role::Client.program(&tcp_server, Lang::En).file_name,
        "client.py"
    );
    let tcp_client = CodeSettings {
        client_protocol: Protocol::Tcp,
        ..CodeSettings::default()
    };
    assert_eq!(
        Role::Server.program(&tcp_client, Lang::En).file_name,
        "server.py"
    );
    assert_eq!(
        Role::Client.program(&tcp_client, Lang::En).file_name,
        "tcp_client.py"
    );
}
