//! The traced web server's mistakes, in words through the table.

use crate::lab::i18n::{Lang, T, fill};
use crate::net::trace::{Opened, Site};

#[derive(Clone, Debug, PartialEq)]
pub enum HttpKind {
    /// The response head has no empty line before the body: `line` (the
    /// body's first line) is read as a header; empty when the connection
    /// closed with the head unended.
    NoEmptyLine { line: String },
    /// A response without `Content-Length` on a connection left open.
    NoLengthOpen { status: String },
    /// A response with its length sent, the connection left open.
    NotClosed { request: String },
    /// The server died on a file it could not open: no 404 branch.
    NoNotFound { request: String, text: String },
    /// `call`() was given a str on a TCP socket.
    SendStr { call: String },
    /// A file opened in text mode could not be decoded (an image).
    TextMode { opened: Opened, encoding: String },
    /// A file opened in binary mode, its bytes then decoded as text (to be
    /// sent with the head as one str), and they are no such text.
    Decoded { opened: Opened, encoding: String },
    /// recv read part of the request head and the script answered.
    PartialRequest {
        read: u64,
        next: String,
        next_site: Option<Site>,
    },
    /// bind to a port below 1024 refused: only root may.
    LowPort { addr: String, port: u16 },
}

impl HttpKind {
    pub fn text(&self, site: &str, lang: Lang) -> String {
        let at = |s: &Option<Site>| s.as_ref().map_or("?".into(), Site::short);
        match self {
            HttpKind::NoEmptyLine { line } if line.is_empty() => {
                fill(T::DiagHttpNoEmptyLineClosed.get(lang), &[("site", &site)])
            }
            HttpKind::NoEmptyLine { line } => fill(
                T::DiagHttpNoEmptyLine.get(lang),
                &[("site", &site), ("line", line)],
            ),
            HttpKind::NoLengthOpen { status } => fill(
                T::DiagHttpNoLengthOpen.get(lang),
                &[("site", &site), ("status", status)],
            ),
            HttpKind::NotClosed { request } => fill(
                T::DiagHttpNotClosed.get(lang),
                &[("site", &site), ("request", request)],
            ),
            HttpKind::NoNotFound { request, text } => fill(
                T::DiagHttpNoNotFound.get(lang),
                &[("site", &site), ("request", request), ("text", text)],
            ),
            HttpKind::SendStr { call } => fill(
                T::DiagHttpSendStr.get(lang),
                &[("site", &site), ("call", call)],
            ),
            HttpKind::TextMode { opened, encoding } => fill(
                T::DiagHttpTextMode.get(lang),
                &[
                    ("site", &site),
                    ("path", &crate::net::trace::file_name(&opened.path)),
                    ("mode", &opened.mode),
                    ("opened", &at(&opened.site)),
                    ("encoding", encoding),
                ],
            ),
            HttpKind::Decoded { opened, encoding } => fill(
                T::DiagHttpDecoded.get(lang),
                &[
                    ("site", &site),
                    ("path", &crate::net::trace::file_name(&opened.path)),
                    ("mode", &opened.mode),
                    ("opened", &at(&opened.site)),
                    ("encoding", encoding),
                ],
            ),
            HttpKind::PartialRequest {
                read,
                next,
                next_site,
            } => fill(
                T::DiagHttpPartialRequest.get(lang),
                &[
                    ("site", &site),
                    ("read", read),
                    ("next", next),
                    ("next_site", &at(next_site)),
                ],
            ),
            HttpKind::LowPort { addr, port } => fill(
                T::DiagHttpLowPort.get(lang),
                &[("site", &site), ("addr", addr), ("port", port)],
            ),
        }
    }
}
