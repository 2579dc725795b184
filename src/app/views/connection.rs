//! Issue 27: one TCP connection as the connection diagram and the stream
//! anatomy draw it — the sockets, the handshake's two ends, and each
//! direction's bytes with the send and recv boundaries — taken from the
//! session's stream model up to the time cursor.

use std::net::SocketAddr;
use std::time::SystemTime;

use crate::lab::session::{Call, Session, TcpCall};
use crate::lab::stream;

/// Where a call cut a direction's stream: bytes `offset..offset + len`
/// moved by one `send` or returned by one `recv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cut {
    pub offset: u64,
    pub len: u64,
    pub at: SystemTime,
}

impl Cut {
    pub fn end(&self) -> u64 {
        self.offset + self.len
    }

    /// Whether the two cuts share a byte.
    pub fn overlaps(&self, other: &Cut) -> bool {
        self.offset < other.end() && other.offset < self.end()
    }
}

/// One direction of a connection (client → server or back).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Direction {
    /// The first bytes of the stream (the model keeps a bounded prefix).
    pub bytes: Vec<u8>,
    /// Bytes in the stream, kept or not.
    pub total: u64,
    pub sends: Vec<Cut>,
    /// Reads that returned bytes.
    pub recvs: Vec<Cut>,
    /// The reader's `recv` returned b'': the writer closed (or shut down)
    /// and every byte before was read.
    pub eof: Option<SystemTime>,
    /// The writer's `shutdown(SHUT_WR)` or `close()`: the kernel sends FIN.
    pub fin: Option<(SystemTime, Fin)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fin {
    Shutdown,
    Close,
}

impl Direction {
    /// Bytes sent but not (yet) returned by a recv.
    pub fn unread(&self) -> u64 {
        let sent = self.sends.iter().map(|c| c.end()).max().unwrap_or(0);
        let read = self.recvs.iter().map(|c| c.end()).max().unwrap_or(0);
        sent.saturating_sub(read)
    }

    /// Whether every recv returned exactly one send's bytes (the
    /// boundaries happened to match).
    pub fn boundaries_match(&self) -> bool {
        self.sends.len() == self.recvs.len()
            && self
                .sends
                .iter()
                .zip(&self.recvs)
                .all(|(s, r)| s.offset == r.offset && s.len == r.len)
    }

    /// The sends whose bytes `recv` returned (all or part of each).
    pub fn covered_by(&self, recv: &Cut) -> std::ops::Range<usize> {
        let first = self.sends.iter().position(|s| s.overlaps(recv));
        match first {
            Some(first) => {
                let count = self.sends[first..]
                    .iter()
                    .take_while(|s| s.overlaps(recv))
                    .count();
                first..first + count
            }
            None => 0..0,
        }
    }

    /// The bytes `range` as a direction of their own (one message of a
    /// kept-alive connection): the calls that moved any of them, cut to
    /// the range and counted from its start; the stream's end only with
    /// its `last` bytes.
    pub fn window(&self, range: std::ops::Range<usize>, last: bool) -> Direction {
        let (start, end) = (range.start as u64, range.end as u64);
        let cut = |c: &Cut| {
            let from = c.offset.max(start);
            let to = c.end().min(end);
            (from < to).then(|| Cut {
                offset: from - start,
                len: to - from,
                at: c.at,
            })
        };
        Direction {
            bytes: self.bytes.get(range).unwrap_or_default().to_vec(),
            total: end - start,
            sends: self.sends.iter().filter_map(cut).collect(),
            recvs: self.recvs.iter().filter_map(cut).collect(),
            eof: self.eof.filter(|_| last),
            fin: self.fin.filter(|_| last),
        }
    }

    /// Only what happened up to `at` (the time cursor).
    pub fn up_to(&self, at: SystemTime) -> Direction {
        Direction {
            bytes: self.bytes.clone(),
            total: self.total,
            sends: self.sends.iter().filter(|c| c.at <= at).copied().collect(),
            recvs: self.recvs.iter().filter(|c| c.at <= at).copied().collect(),
            eof: self.eof.filter(|&t| t <= at),
            fin: self.fin.filter(|&(t, _)| t <= at),
        }
    }
}

/// A connection: the client's socket, the server's listening socket and
/// the socket `accept` returned for it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Connection {
    /// The model's id for it (the views' pick).
    pub id: u64,
    pub client: Option<SocketAddr>,
    /// The accepted socket's (and so the listening socket's) address.
    pub server: Option<SocketAddr>,
    /// `connect` returned (the handshake's client end).
    pub connected: Option<SystemTime>,
    /// `accept` returned this connection (the handshake's server end).
    pub accepted: Option<SystemTime>,
    /// Client → server.
    pub up: Direction,
    /// Server → client.
    pub down: Direction,
}

impl Connection {
    pub fn direction(&self, up: bool) -> &Direction {
        if up { &self.up } else { &self.down }
    }
}

/// "Connection 2 of 3" with ◀ ▶, over the diagram and the anatomy.
pub fn pick_ui(
    ui: &mut egui::Ui,
    lang: crate::app::Lang,
    index: usize,
    total: usize,
) -> Option<usize> {
    let mut pick = None;
    ui.horizontal_wrapped(|ui| {
        pick = arrows_ui(ui, index, total);
        ui.label(crate::app::i18n::fill(
            crate::app::T::TcpConnectionOf.get(lang),
            &[("n", &(index + 1)), ("total", &total)],
        ));
        ui.add(
            egui::Label::new(egui::RichText::new(crate::app::T::TcpKernelLegend.get(lang)).weak())
                .wrap(),
        );
    });
    pick
}

/// ◀ ▶ over `total` things with `index` shown: the one a click picks.
pub fn arrows_ui(ui: &mut egui::Ui, index: usize, total: usize) -> Option<usize> {
    let mut pick = None;
    if ui.add_enabled(index > 0, egui::Button::new("◀")).clicked() {
        pick = Some(index - 1);
    }
    if ui
        .add_enabled(index + 1 < total, egui::Button::new("▶"))
        .clicked()
    {
        pick = Some(index + 1);
    }
    pick
}

/// The connection the views show: the picked one, else the newest (the
/// newest the time cursor has reached, paused): its index, the count,
/// and the connection.
pub fn picked(app: &crate::app::UdpLabApp) -> Option<(usize, usize, Connection)> {
    let list = &app.session.streams.list;
    let index = picked_index(app)?;
    let conn = list.get(index)?;
    Some((index, list.len(), of_stream(&app.session, conn)))
}

/// The index in the session's list of the connection the views show.
pub fn picked_index(app: &crate::app::UdpLabApp) -> Option<usize> {
    let list = &app.session.streams.list;
    let newest = list.len().checked_sub(1)?;
    Some(match (app.views.tcp_pick, app.time.time()) {
        (Some(i), _) => i.min(newest),
        (None, Some(at)) => list.iter().rposition(|c| c.opened <= at).unwrap_or(0),
        (None, None) => newest,
    })
}

/// The session's record of a connection (lab/stream.rs) as the views draw
/// it; `connect` and `accept` are found by their trace rows.
pub fn of_stream(session: &Session, c: &stream::Connection) -> Connection {
    let mut connected = None;
    let mut accepted = None;
    for row in session.trace.iter().rev() {
        if row.stream.is_none_or(|l| l.conn != c.id) {
            continue;
        }
        match row.call {
            Call::Tcp(TcpCall::Connect { .. }) => connected = Some(row.at),
            Call::Tcp(TcpCall::Accept { .. }) => accepted = Some(row.at),
            _ => {}
        }
        if connected.is_some() && accepted.is_some() {
            break;
        }
    }
    let direction = |d: &stream::Direction, writer_closed: Option<SystemTime>| {
        let cut = |b: &stream::Boundary| Cut {
            offset: b.offset,
            len: b.len,
            at: b.at,
        };
        Direction {
            bytes: d.bytes.clone(),
            total: d.sent.max(d.read),
            sends: d.sends.iter().filter(|b| b.len > 0).map(cut).collect(),
            recvs: d.recvs.iter().filter(|b| b.len > 0).map(cut).collect(),
            eof: d.eof_read.map(|(at, _)| at),
            fin: d.ended_at.map(|at| {
                let how = if writer_closed == Some(at) {
                    Fin::Close
                } else {
                    Fin::Shutdown
                };
                (at, how)
            }),
        }
    };
    Connection {
        id: c.id,
        client: Some(c.client),
        server: Some(c.server),
        connected,
        accepted,
        up: direction(&c.up, c.client_closed),
        down: direction(&c.down, c.server_closed),
    }
}

/// Russian counts take one of three forms (1 вызов, 3 вызова, 5 вызовов);
/// English one of two.
pub fn count_text(
    lang: crate::app::Lang,
    n: usize,
    [one, few, many]: [crate::app::T; 3],
) -> String {
    let key = match lang {
        crate::app::Lang::En if n == 1 => one,
        crate::app::Lang::En => many,
        crate::app::Lang::Ru => {
            let (d10, d100) = (n % 10, n % 100);
            if d10 == 1 && d100 != 11 {
                one
            } else if (2..=4).contains(&d10) && !(12..=14).contains(&d100) {
                few
            } else {
                many
            }
        }
    };
    crate::app::i18n::fill(key.get(lang), &[("n", &n)])
}

/// The stream anatomy's sentence: "3 sends, 1 recv: TCP kept the bytes and
/// lost the boundaries; UDP would have delivered 3 datagrams".
pub fn stream_sentence(lang: crate::app::Lang, direction: &Direction) -> Option<String> {
    use crate::app::T;
    let sends = direction.sends.iter().filter(|c| c.len > 0).count();
    let recvs = direction.recvs.len();
    if sends == 0 || recvs == 0 {
        return None;
    }
    let template = if direction.boundaries_match() {
        T::StreamSentenceSame
    } else {
        T::StreamSentence
    };
    Some(crate::app::i18n::fill(
        template.get(lang),
        &[
            (
                "sends",
                &count_text(
                    lang,
                    sends,
                    [T::StreamSendOne, T::StreamSendFew, T::StreamSendMany],
                ),
            ),
            (
                "recvs",
                &count_text(
                    lang,
                    recvs,
                    [T::StreamRecvOne, T::StreamRecvFew, T::StreamRecvMany],
                ),
            ),
            (
                "datagrams",
                &count_text(
                    lang,
                    sends,
                    [
                        T::StreamDatagramOne,
                        T::StreamDatagramFew,
                        T::StreamDatagramMany,
                    ],
                ),
            ),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Lang, T};
    use std::time::Duration;

    fn cut(offset: u64, len: u64, ms: u64) -> Cut {
        Cut {
            offset,
            len,
            at: SystemTime::UNIX_EPOCH + Duration::from_millis(ms),
        }
    }

    #[test]
    fn a_recv_covers_the_sends_it_shares_bytes_with() {
        let d = Direction {
            sends: vec![cut(0, 5, 1), cut(5, 3, 2), cut(8, 5, 3)],
            recvs: vec![cut(0, 13, 4)],
            ..Direction::default()
        };
        assert_eq!(d.covered_by(&d.recvs[0]), 0..3);
        assert!(!d.boundaries_match());
        let split = Direction {
            sends: vec![cut(0, 13, 1)],
            recvs: vec![cut(0, 4, 2), cut(4, 4, 3), cut(8, 5, 4)],
            ..Direction::default()
        };
        assert_eq!(split.covered_by(&split.recvs[1]), 0..1);
        assert_eq!(split.unread(), 0);
    }

    #[test]
    fn the_sentence_counts_in_both_languages() {
        let d = Direction {
            sends: vec![cut(0, 5, 1), cut(5, 3, 2), cut(8, 5, 3)],
            recvs: vec![cut(0, 13, 4)],
            ..Direction::default()
        };
        assert_eq!(
            stream_sentence(Lang::En, &d).as_deref(),
            Some(
                "3 sends, 1 recv: TCP kept the bytes and lost the boundaries; \
                 UDP would have delivered 3 datagrams"
            )
        );
        assert_eq!(
            stream_sentence(Lang::Ru, &d).as_deref(),
            Some(
                "3 вызова send, 1 вызов recv: TCP сохранил байты и потерял границы; \
                 UDP доставил бы 3 датаграммы"
            )
        );
        let many = [T::StreamSendOne, T::StreamSendFew, T::StreamSendMany];
        assert_eq!(count_text(Lang::Ru, 11, many), "11 вызовов send");
        assert_eq!(count_text(Lang::Ru, 21, many), "21 вызов send");
        assert_eq!(count_text(Lang::En, 1, many), "1 send");
    }
}
