//! TCP calls in words (issue 27), for the window's views and the CLI:
//! `accept() → socket #3 from 127.0.0.1:50412`, `recv(1024) → b'' (the
//! peer closed)`, and what each call is in UDP Lab's TCP programs.

use super::{Lang, T, fill, net_error, secs};
use crate::lab::session::{Side, TcpCall};

/// The call as a C programmer writes it, with the result after "→".
pub fn tcp_call_text(lang: Lang, call: &TcpCall) -> String {
    let t = |k: T| k.get(lang);
    let bytes = |n: usize| {
        let key = if n == 1 {
            T::TcpTraceByte
        } else {
            T::TcpTraceBytes
        };
        fill(t(key), &[("n", &n)])
    };
    let error = |e| fill(t(T::TraceError), &[("message", &net_error(lang, e))]);
    match call {
        TcpCall::Socket { family } => format!("socket({}, SOCK_STREAM)", family.af_name()),
        TcpCall::SetReuseAddr => "setsockopt(SOL_SOCKET, SO_REUSEADDR, 1) → 0".to_owned(),
        TcpCall::Bind { addr } => format!("bind({addr}) → 0"),
        TcpCall::BindFailed { error: e } => format!("bind() → {}", error(e)),
        TcpCall::Listen { backlog } => format!("listen({backlog}) → 0"),
        TcpCall::Accept { peer, sock } => format!(
            "accept() → {}",
            fill(t(T::TcpTraceAccepted), &[("sock", sock), ("addr", peer)])
        ),
        TcpCall::Connect { to } => format!("connect({to}) → 0"),
        TcpCall::ConnectFailed { to, error: e } => format!("connect({to}) → {}", error(e)),
        TcpCall::Send { asked, sent, all } => {
            let name = if *all { "sendall" } else { "send" };
            if *all {
                // sendall returns None; what it moved is the point.
                format!("{name}({}) → {}", bytes(*asked), bytes(*sent))
            } else {
                format!("{name}({}) → {sent}", bytes(*asked))
            }
        }
        TcpCall::SendFailed {
            asked,
            sent,
            error: e,
        } if *sent > 0 => format!(
            "send({}) → {}",
            bytes(*asked),
            fill(
                t(T::TcpTraceSentPart),
                &[
                    ("sent", sent),
                    ("asked", asked),
                    ("message", &net_error(lang, e))
                ]
            )
        ),
        TcpCall::SendFailed {
            asked, error: e, ..
        } => {
            format!("send({}) → {}", bytes(*asked), error(e))
        }
        TcpCall::Recv { buffer, read } => format!("recv({buffer}) → {}", bytes(*read)),
        TcpCall::RecvEof { buffer } => format!("recv({buffer}) → {}", t(T::TcpTracePeerClosed)),
        TcpCall::RecvTimedOut { buffer, after } => format!(
            "recv({buffer}) → {}",
            fill(
                t(T::TcpTraceNothingWithin),
                &[("secs", &secs(lang, *after))]
            )
        ),
        TcpCall::RecvFailed { buffer, error: e } => format!("recv({buffer}) → {}", error(e)),
        TcpCall::Shutdown { how } => format!("shutdown({}) → 0", how.c_name()),
        TcpCall::Close { .. } => "close() → 0".to_owned(),
        TcpCall::AcceptPaused { open } => fill(t(T::TcpTraceAcceptPaused), &[("open", open)]),
        TcpCall::Failed { error: e } => error(e),
    }
}

/// What the call is in UDP Lab's TCP programs, or why they have none.
pub fn tcp_step_hint(lang: Lang, side: Side, call: &TcpCall) -> &'static str {
    use TcpCall as C;
    let key = match (side, call) {
        (_, C::Shutdown { .. }) => T::StepTcpShutdown,
        (_, C::SetReuseAddr) => T::StepTcpReuseAddr,
        (Side::Server, C::Socket { .. }) => T::StepTcpServerSocket,
        (Side::Server, C::Bind { .. } | C::BindFailed { .. }) => T::StepTcpServerBind,
        (Side::Server, C::Listen { .. }) => T::StepTcpServerListen,
        (Side::Server, C::Accept { .. } | C::AcceptPaused { .. }) => T::StepTcpServerAccept,
        (
            Side::Server,
            C::Recv { .. } | C::RecvEof { .. } | C::RecvTimedOut { .. } | C::RecvFailed { .. },
        ) => T::StepTcpServerRecv,
        (Side::Server, C::Send { .. } | C::SendFailed { .. }) => T::StepTcpServerSend,
        (Side::Server, C::Close { listener: false }) => T::StepTcpServerClose,
        (Side::Server, C::Close { listener: true }) => T::StepTcpListenerClose,
        (Side::Client, C::Socket { .. }) => T::StepTcpClientSocket,
        (Side::Client, C::Connect { .. } | C::ConnectFailed { .. }) => T::StepTcpClientConnect,
        (Side::Client, C::Send { .. } | C::SendFailed { .. }) => T::StepTcpClientSend,
        (
            Side::Client,
            C::Recv { .. } | C::RecvEof { .. } | C::RecvTimedOut { .. } | C::RecvFailed { .. },
        ) => T::StepTcpClientRecv,
        (Side::Client, C::Close { .. }) => T::StepTcpClientClose,
        _ => T::StepTcpNotInPrograms,
    };
    key.get(lang)
}
