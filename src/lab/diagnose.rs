//! The mistakes a traced script shows, in plain words: each found from its
//! reported calls (and, for where a datagram went, from who holds the port
//! on this machine). The CLI prints them after the calls they concern; the
//! window words them through the same table.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::{Duration, SystemTime};

use super::i18n::{Lang, T, fill};
use super::text::Encoding;
use super::traced::py_bytes;
use crate::net::ports::{self, Holder};
use crate::net::trace::{Report, Site, TracedAddr, TracedCall, TracedWait, Uncaught};

/// A receive blocked this long with no timeout is said to wait forever.
pub const WAIT_WARNING: Duration = Duration::from_secs(5);

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
}

/// A single-byte Cyrillic encoding that reads undecodable bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fit {
    /// "CP1251", "CP866", "KOI8-R".
    pub name: &'static str,
    /// Python's codec name.
    pub codec: &'static str,
    /// The bytes as that encoding reads them.
    pub text: String,
}

/// The Cyrillic encoding the bytes were most likely written in: the one
/// that reads most of their high bytes as lowercase Russian letters (text
/// is mostly lowercase; the wrong table gives capitals or box drawing).
pub fn cyrillic_fit(bytes: &[u8]) -> Option<Fit> {
    let high = bytes.iter().filter(|&&b| b >= 0x80).count();
    if high == 0 {
        return None;
    }
    // The code pages the window and the CLI speak (lab::text, encoding_rs).
    let candidates = [
        ("CP1251", "cp1251", Encoding::Cp1251),
        ("CP866", "cp866", Encoding::Cp866),
        ("KOI8-R", "koi8_r", Encoding::Koi8R),
    ];
    let lower = |c: char| ('а'..='я').contains(&c) || c == 'ё';
    let (name, codec, text, score) = candidates
        .into_iter()
        .map(|(name, codec, encoding)| {
            let text = encoding.decode(bytes);
            let score = text.chars().filter(|&c| lower(c)).count();
            (name, codec, text, score)
        })
        .max_by_key(|c| c.3)?;
    // Most high bytes must read as lowercase letters: otherwise it is not
    // Russian text in any of them (binary, or another language).
    if score * 2 < high {
        return None;
    }
    Some(Fit {
        name,
        codec,
        text: text.chars().take(60).collect(),
    })
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
        }
    }
}

/// An address the script named, with "localhost" read as 127.0.0.1.
fn socket_addr(a: &TracedAddr) -> Option<SocketAddr> {
    a.socket_addr().or_else(|| match a {
        TracedAddr::Inet { host, port } if host == "localhost" => {
            Some(SocketAddr::from(([127, 0, 0, 1], *port)))
        }
        _ => None,
    })
}

/// Whether `ip` is this machine's (loopback, or an address it can bind).
fn is_local(ip: IpAddr) -> bool {
    ip.is_loopback() || UdpSocket::bind(SocketAddr::new(ip, 0)).is_ok()
}

/// Follows one script's reports and says what went wrong.
#[derive(Default)]
pub struct Diagnoser {
    /// Where each socket last sent a datagram, and from which line.
    sent_to: HashMap<u32, (SocketAddr, Option<Site>)>,
    /// Where the script's own sockets are bound: a datagram it sends to
    /// itself says nothing about other programs.
    own: Vec<SocketAddr>,
    /// Sockets the script bound: servers, whose waiting is their job.
    bound: Vec<u32>,
    /// Receives still blocked, by id.
    waiting: HashMap<String, (TracedWait, bool)>,
    /// Sockets already said to get replies from elsewhere, or to have sent
    /// where nothing listens.
    told_other_port: Vec<u32>,
    told_nobody: Vec<SocketAddr>,
    /// An exception already explained by a call's diagnosis.
    explained: Option<(Option<Site>, String)>,
}

impl Diagnoser {
    /// The diagnoses that `report` brings.
    pub fn report(&mut self, report: &Report) -> Vec<Diagnosis> {
        match report {
            Report::Call(call) => self.call(call),
            Report::Wait(wait) => {
                self.waiting.insert(wait.id.clone(), (wait.clone(), false));
                Vec::new()
            }
            Report::Unclosed { site, .. } => vec![Diagnosis {
                site: site.clone(),
                kind: Kind::Unclosed,
            }],
            Report::Uncaught(u) => self.uncaught(u),
            Report::Hello { .. } => Vec::new(),
        }
    }

    /// Receives that have blocked past [`WAIT_WARNING`] with no timeout, by
    /// `now` (each said once).
    pub fn tick(&mut self, now: SystemTime) -> Vec<Diagnosis> {
        let now = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let mut out = Vec::new();
        let mut due = Vec::new();
        for (wait, told) in self.waiting.values_mut() {
            let waited = now - wait.time;
            // Only a client waiting for its answer: it sent, and never bound.
            let client = self.sent_to.contains_key(&wait.sock) && !self.bound.contains(&wait.sock);
            if client && !*told && wait.timeout.is_none() && waited >= WAIT_WARNING.as_secs_f64() {
                *told = true;
                due.push((wait.clone(), Duration::from_secs_f64(waited.max(0.0))));
            }
        }
        for (wait, waited) in due {
            out.push(Diagnosis {
                site: wait.site.clone(),
                kind: Kind::WaitsForever {
                    call: wait.name.clone(),
                    waited,
                },
            });
            out.extend(self.where_it_went(wait.sock));
        }
        out
    }

    /// The next time [`Self::tick`] may have something to say.
    pub fn next_tick(&self) -> Option<SystemTime> {
        self.waiting
            .values()
            .filter(|(w, told)| {
                !told
                    && w.timeout.is_none()
                    && self.sent_to.contains_key(&w.sock)
                    && !self.bound.contains(&w.sock)
            })
            .map(|(w, _)| {
                SystemTime::UNIX_EPOCH + Duration::from_secs_f64(w.time.max(0.0)) + WAIT_WARNING
            })
            .min()
    }

    /// When a socket waits in vain for a reply: is anything bound where
    /// its datagram went? (Only for this machine's addresses.)
    fn where_it_went(&mut self, sock: u32) -> Vec<Diagnosis> {
        let Some((to, site)) = self.sent_to.get(&sock).cloned() else {
            return Vec::new();
        };
        let own = self
            .own
            .iter()
            .any(|a| a.port() == to.port() && (a.ip() == to.ip() || a.ip().is_unspecified()));
        if own || !ports::can_tell() || !is_local(to.ip()) || self.told_nobody.contains(&to) {
            return Vec::new();
        }
        let holders = ports::udp_holders(to.port());
        if holders.iter().any(|h| h.receives(to)) {
            return Vec::new();
        }
        self.told_nobody.push(to);
        let kind = match holders.into_iter().next() {
            Some(holder) => Kind::LoopbackOnly { to, holder },
            None => Kind::NothingListens { to },
        };
        vec![Diagnosis { site, kind }]
    }

    fn call(&mut self, call: &TracedCall) -> Vec<Diagnosis> {
        if let Some(id) = &call.wait {
            self.waiting.remove(id);
        }
        let site = call.site.clone();
        let one = |kind| {
            vec![Diagnosis {
                site: site.clone(),
                kind,
            }]
        };
        let receive = matches!(
            call.name.as_str(),
            "recvfrom" | "recv" | "recvfrom_into" | "recv_into"
        );
        match (&call.outcome, call.name.as_str()) {
            (Ok(r), _) if receive => {
                let mut out = Vec::new();
                let read = r.data.as_ref().map_or(0, |d| d.len as u64);
                if let Some(real) = r.real_len
                    && real > read
                {
                    out.push(Diagnosis {
                        site: site.clone(),
                        kind: Kind::Truncated {
                            len: real,
                            buffer: call.args.bufsize.unwrap_or(read),
                        },
                    });
                }
                if let (Some(from), Some((to, _))) = (
                    r.from.as_ref().and_then(socket_addr),
                    self.sent_to.get(&call.sock),
                ) && from.port() != to.port()
                    && (from.ip() == to.ip() || (from.ip().is_loopback() && to.ip().is_loopback()))
                    && !self.told_other_port.contains(&call.sock)
                {
                    self.told_other_port.push(call.sock);
                    out.push(Diagnosis {
                        site: site.clone(),
                        kind: Kind::OtherPort { from, to: *to },
                    });
                }
                out
            }
            (Err(e), _) if receive && e.message_too_long() => one(Kind::TooLongWindows {
                buffer: call.args.bufsize.unwrap_or_default(),
            }),
            (Err(e), _) if receive && e.timeout => self.where_it_went(call.sock),
            (Ok(_), "sendto") => {
                if let Some(to) = call.args.addr.as_ref().and_then(socket_addr) {
                    self.sent_to.insert(call.sock, (to, site.clone()));
                }
                Vec::new()
            }
            (Err(e), "sendto" | "send")
                if e.py_type == "TypeError"
                    && call.args.data.as_ref().is_some_and(|d| d.py_type == "str") =>
            {
                self.explained = Some((site.clone(), e.py_type.clone()));
                one(Kind::SendStr)
            }
            (Err(e), "bind") if e.addr_in_use() => {
                let addr = call
                    .args
                    .addr
                    .as_ref()
                    .map(TracedAddr::python)
                    .unwrap_or_default();
                let holder = call
                    .args
                    .addr
                    .as_ref()
                    .and_then(socket_addr)
                    .and_then(|want| {
                        ports::udp_holders(want.port()).into_iter().find(|h| {
                            h.local.ip() == want.ip()
                                || h.local.ip().is_unspecified()
                                || want.ip().is_unspecified()
                        })
                    });
                self.explained = Some((site.clone(), "OSError".to_owned()));
                one(Kind::AddrInUse { addr, holder })
            }
            (Ok(r), "bind") => {
                self.bound.push(call.sock);
                if let Some(local) = r.local.as_ref().and_then(socket_addr) {
                    self.own.push(local);
                }
                Vec::new()
            }
            (Ok(_), "close") if call.args.gc => one(Kind::Unclosed),
            _ => Vec::new(),
        }
    }

    fn uncaught(&mut self, u: &Uncaught) -> Vec<Diagnosis> {
        if let Some(d) = &u.decode {
            return vec![Diagnosis {
                site: u.site.clone(),
                kind: Kind::Undecodable {
                    encoding: d.encoding.clone(),
                    fits: cyrillic_fit(&d.bytes),
                    bytes: d.bytes.clone(),
                },
            }];
        }
        // The same exception a call's diagnosis already explained.
        if let Some((site, py_type)) = &self.explained
            && *site == u.site
            && (u.py_type == *py_type || u.text.starts_with(py_type.as_str()))
        {
            return Vec::new();
        }
        vec![Diagnosis {
            site: u.site.clone(),
            kind: Kind::Uncaught {
                text: u.text.clone(),
            },
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encoding_that_reads_russian_is_named() {
        let text = "привет, сервер";
        // Python: "привет, сервер".encode(codec)
        let cp1251 = [
            0xef, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2, b',', b' ', 0xf1, 0xe5, 0xf0, 0xe2, 0xe5, 0xf0,
        ];
        let cp866 = [
            0xaf, 0xe0, 0xa8, 0xa2, 0xa5, 0xe2, b',', b' ', 0xe1, 0xa5, 0xe0, 0xa2, 0xa5, 0xe0,
        ];
        let koi8 = [
            0xd0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4, b',', b' ', 0xd3, 0xc5, 0xd2, 0xd7, 0xc5, 0xd2,
        ];
        for (bytes, name) in [(&cp1251, "CP1251"), (&cp866, "CP866"), (&koi8, "KOI8-R")] {
            let fit = cyrillic_fit(bytes);
            assert_eq!(fit.as_ref().map(|f| f.name), Some(name));
            assert_eq!(fit.map(|f| f.text), Some(text.to_owned()));
        }
        assert_eq!(cyrillic_fit(&[0xff, 0x00, 0x80, 0x81]), None);
        assert_eq!(cyrillic_fit(b"plain"), None);
    }
}
