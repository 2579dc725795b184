//! UDP Lab's own TCP programs (issue 27; the handout has no TCP part): a
//! server and a client in the handout's style, numbered as COMMON to the
//! trace's step numbers for TCP calls (server 1–13, client 1–10). They
//! show the lesson of TCP in code: the client reads until `recv` returns
//! `b''` (the server closed), because one `recv` may return part of the
//! answer or more than one `send` of it.
//!
//! Like the UDP pair they run under Python 3 and 2.7 alike.

use super::{CodeSettings, Lines, Program, ReplyCode, family, host_literal, host_port, py_float};
use crate::lab::i18n::{Lang, T, fill};
use crate::net::fmt_secs;

/// The TCP server's file name (beside the UDP pair's server.py).
pub const SERVER_FILE: &str = "tcp_server.py";
pub const CLIENT_FILE: &str = "tcp_client.py";

pub fn server(settings: &CodeSettings, lang: Lang) -> Program {
    let (bind, invalid) = host_port(&settings.bind, false);
    let mut p = Lines::new(lang);
    p.header();
    p.step(
        3,
        &format!("    server_ip = {}", host_literal(&bind.host)),
        T::CodeStepAddress,
    );
    p.line(format!("    server_port = {}", bind.port));
    p.blank();
    p.step(
        4,
        &format!(
            "    server_socket = socket.socket({}, socket.SOCK_STREAM)",
            family(&bind.host)
        ),
        T::CodeTcpStepSocket,
    );
    p.step(
        5,
        "    server_socket.bind((server_ip, server_port))",
        T::CodeStepBind,
    );
    if bind.port == 0 {
        p.noted(
            "    server_port = server_socket.getsockname()[1]",
            T::CodeAnyPort.get(lang),
        );
    }
    p.step(
        6,
        &format!("    server_socket.listen({})", settings.backlog),
        T::CodeTcpStepListen,
    );
    p.blank();
    p.step(
        7,
        "    print(\"Server is listening on\", server_ip, \"port\", server_port)",
        T::CodeStepListening,
    );
    p.blank();
    p.line("    while True:");
    p.step(
        8,
        "        conn, client_address = server_socket.accept()",
        T::CodeTcpStepAccept,
    );
    p.line("        while True:");
    p.step(
        9,
        &format!("            data = conn.recv({})", settings.server_buffer),
        T::CodeTcpStepRecv,
    );
    p.line(format!("            # {}", T::CodeTcpServerWhy.get(lang)));
    p.step(10, "            if not data:", T::CodeTcpStepEof);
    p.line("                break");
    p.step(
        11,
        "            print(\"Message from client:\", data.decode(\"utf-8\", \"replace\"))",
        T::CodeStepPrintMessage,
    );
    match &settings.reply {
        ReplyCode::Fixed(text) => {
            p.line(format!("            response = {}", super::py_str(text)));
            p.step(
                12,
                "            conn.sendall(response.encode(\"utf-8\"))",
                T::CodeTcpStepSendall,
            );
        }
        ReplyCode::Echo => {
            p.step(12, "            conn.sendall(data)", T::CodeTcpStepEcho);
        }
        ReplyCode::None => {
            p.line(format!("            # {}", T::CodeNoReply.get(lang)));
        }
    }
    p.step(13, "        conn.close()", T::CodeTcpStepCloseConn);
    p.footer();
    p.finish(SERVER_FILE, invalid)
}

pub fn client(settings: &CodeSettings, lang: Lang) -> Program {
    let (target, invalid) = host_port(&settings.target, true);
    let mut p = Lines::new(lang);
    p.header();
    p.step(
        3,
        &format!("    server_ip = {}", host_literal(&target.host)),
        T::CodeStepServerAddress,
    );
    p.line(format!("    server_port = {}", target.port));
    p.step(
        4,
        &format!("    message = {}", super::py_str(&settings.message)),
        T::CodeStepMessage,
    );
    p.blank();
    p.step(
        5,
        &format!(
            "    client_socket = socket.socket({}, socket.SOCK_STREAM)",
            family(&target.host)
        ),
        T::CodeTcpStepSocket,
    );
    if let Some(timeout) = settings.timeout {
        p.noted(
            &format!("    client_socket.settimeout({})", py_float(timeout)),
            &fill(
                T::CodeTimeoutNote.get(lang),
                &[("secs", &super::secs(lang, timeout))],
            ),
        );
    }
    p.step(
        6,
        "    client_socket.connect((server_ip, server_port))",
        T::CodeTcpStepConnect,
    );
    p.step(
        7,
        "    client_socket.sendall(message.encode(\"utf-8\"))",
        T::CodeTcpStepClientSend,
    );
    p.noted(
        "    client_socket.shutdown(socket.SHUT_WR)",
        T::CodeTcpShutdownNote.get(lang),
    );
    p.blank();
    p.line(format!("    # {}", T::CodeTcpClientWhy.get(lang)));
    p.line("    response = b\"\"");
    let indent = if settings.timeout.is_some() {
        p.line("    try:");
        "        "
    } else {
        "    "
    };
    p.line(format!("{indent}while True:"));
    p.step(
        8,
        &format!(
            "{indent}    data = client_socket.recv({})",
            settings.client_buffer
        ),
        T::CodeTcpStepClientRecv,
    );
    p.line(format!("{indent}    if not data:"));
    p.line(format!("{indent}        break"));
    p.line(format!("{indent}    response += data"));
    if let Some(timeout) = settings.timeout {
        p.noted("    except socket.timeout:", T::CodeTimeoutBranch.get(lang));
        p.line(format!(
            "        print(\"The server did not close the connection within {}\")",
            fmt_secs(timeout)
        ));
    }
    p.line("    if response:");
    p.step(
        9,
        "        print(\"Response from server:\", response.decode(\"utf-8\", \"replace\"))",
        T::CodeStepPrintAnswer,
    );
    p.line("    else:");
    p.line("        print(\"No answer from the server\")");
    p.blank();
    p.step(10, "    client_socket.close()", T::CodeStepClose);
    p.footer();
    p.finish(CLIENT_FILE, invalid)
}

#[cfg(test)]
mod tests;
