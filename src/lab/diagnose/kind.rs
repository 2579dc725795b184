//! The diagnoses and their words, through the translation table.

use std::net::SocketAddr;
use std::time::Duration;

use super::encoding::Fit;
use crate::lab::i18n::{Lang, T, fill};
use crate::lab::traced::py_bytes;
use crate::net::ports::Holder;
use crate::net::trace::Site;

/// One diagnosis: what went wrong, where.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnosis {
    pub site: Option<Site>,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// recvfrom read `read` of a `len`-byte datagram into `buffer` bytes.
    Truncated {
        len: u64,
        buffer: u64,
    },
    /// Windows' WinError 10040 for a datagram longer than the buffer.
    TooLongWindows {
        buffer: u64,
    },
    /// Windows' WinError 10054 on a server's receive: a client it answered
    /// had closed, and the ICMP port unreachable came back here.
    ResetWindows,
    /// decode() failed; `fits` names the encoding that reads the bytes.
    Undecodable {
        encoding: String,
        bytes: Vec<u8>,
        fits: Option<Fit>,
    },
    /// A receive without a timeout has been blocking for `waited`.
    WaitsForever {
        call: String,
        waited: Duration,
    },
    /// The datagram went where no socket is bound.
    NothingListens {
        to: SocketAddr,
    },
    /// The datagram went to `to`, but the port is bound to another address.
    LoopbackOnly {
        to: SocketAddr,
        holder: Holder,
    },
    AddrInUse {
        addr: String,
        holder: Option<Holder>,
    },
    SendStr,
    Unclosed,
    Uncaught {
        text: String,
    },
    /// The reply came from `from`, the request went to `to`.
    OtherPort {
        from: SocketAddr,
        to: SocketAddr,
    },
    /// A receive on a UDP socket never bound (nor sent from, nor
    /// connected): no client can know its port.
    NeverBound {
        call: String,
    },
    /// The datagram the client waits an answer to was received (the
    /// session saw both ends): by whom, where, and how that script ended.
    Received(Receipt),
    /// A mistake of a stream (TCP) socket's.
    Tcp(super::TcpKind),
    /// A mistake of a traced web server's.
    Http(super::HttpKind),
}

/// Who received a datagram, as the session recorded it.
#[derive(Clone, Debug, PartialEq)]
pub struct Receipt {
    /// The traced script that read it ("server.py") and the line; None:
    /// UDP Lab's own server.
    pub by: Option<(String, Option<Site>)>,
    /// The exception that ended that script since ("UnicodeDecodeError").
    pub ended_with: Option<String>,
}

fn site_text(site: Option<&Site>) -> String {
    site.map_or_else(|| "?".to_owned(), Site::short)
}

fn holder_text(lang: Lang, h: Option<&Holder>) -> String {
    match h.and_then(|h| Some((h.process.as_deref()?, h.pid?))) {
        Some((process, pid)) => fill(
            T::DiagAddrInUseHolder.get(lang),
            &[("process", &process), ("pid", &pid)],
        ),
        None => String::new(),
    }
}

impl Diagnosis {
    pub fn text(&self, lang: Lang) -> String {
        let site = site_text(self.site.as_ref());
        let site = &site;
        match &self.kind {
            Kind::Truncated { len, buffer } => fill(
                T::DiagTruncated.get(lang),
                &[
                    ("site", site),
                    ("lost", &len.saturating_sub(*buffer)),
                    ("len", len),
                    ("buffer", buffer),
                ],
            ),
            Kind::TooLongWindows { buffer } => fill(
                T::DiagTooLongWindows.get(lang),
                &[("site", site), ("buffer", buffer)],
            ),
            Kind::ResetWindows => fill(T::DiagResetWindows.get(lang), &[("site", site)]),
            Kind::Undecodable {
                encoding,
                bytes,
                fits,
            } => {
                let shown = py_bytes(bytes, 24);
                match fits {
                    Some(fit) => fill(
                        T::DiagUndecodable.get(lang),
                        &[
                            ("site", site),
                            ("encoding", encoding),
                            ("bytes", &shown),
                            ("fits", &fit.name),
                            ("text", &fit.text),
                            ("codec", &fit.codec),
                        ],
                    ),
                    None => fill(
                        T::DiagUndecodableNoFit.get(lang),
                        &[("site", site), ("encoding", encoding), ("bytes", &shown)],
                    ),
                }
            }
            Kind::WaitsForever { call, waited } => fill(
                T::DiagWaitsForever.get(lang),
                &[("site", site), ("call", call), ("secs", &waited.as_secs())],
            ),
            Kind::NothingListens { to } => fill(
                T::DiagNothingListens.get(lang),
                &[("site", site), ("addr", &crate::net::describe_addr(to))],
            ),
            Kind::LoopbackOnly { to, holder } => fill(
                T::DiagLoopbackOnly.get(lang),
                &[
                    ("site", site),
                    ("to", &crate::net::describe_addr(to)),
                    ("port", &to.port()),
                    ("holder", &holder_text(lang, Some(holder))),
                    ("bound", &holder.local.ip()),
                ],
            ),
            Kind::AddrInUse { addr, holder } => fill(
                T::DiagAddrInUse.get(lang),
                &[
                    ("site", site),
                    ("addr", addr),
                    ("holder", &holder_text(lang, holder.as_ref())),
                ],
            ),
            Kind::SendStr => fill(T::DiagSendStr.get(lang), &[("site", site)]),
            Kind::Unclosed => fill(T::DiagUnclosed.get(lang), &[("site", site)]),
            Kind::Uncaught { text } => {
                fill(T::DiagUncaught.get(lang), &[("site", site), ("text", text)])
            }
            Kind::OtherPort { from, to } => fill(
                T::DiagOtherPort.get(lang),
                &[("site", site), ("from", from), ("to", to)],
            ),
            Kind::NeverBound { call } => fill(
                T::DiagNeverBound.get(lang),
                &[("site", site), ("call", call)],
            ),
            Kind::Tcp(t) => t.text(site, lang),
            Kind::Http(h) => h.text(site, lang),
            Kind::Received(r) => match (&r.by, &r.ended_with) {
                (None, _) => fill(T::DiagReceivedByUdpLab.get(lang), &[("site", site)]),
                (Some((by, at)), ended) => {
                    let at = site_text(at.as_ref());
                    let key = match ended {
                        Some(_) => T::DiagReceivedThenEnded,
                        None => T::DiagReceivedNoAnswer,
                    };
                    fill(
                        key.get(lang),
                        &[
                            ("site", site),
                            ("by", by),
                            ("at", &at),
                            ("exception", &ended.as_deref().unwrap_or_default()),
                        ],
                    )
                }
            },
        }
    }
}
