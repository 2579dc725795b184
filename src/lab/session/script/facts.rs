//! What the session saw of a script's datagrams at the other end, for the
//! script's diagnoses (issue 23): who received one, where, and how that
//! script ended.

use super::*;
use crate::lab::diagnose::{Receipt, SplitRead};
use crate::lab::stream::EndKey;
use crate::net::trace::Site;

/// What the session knows of one script's datagrams, for its diagnoses.
pub struct RunFacts<'a> {
    pub session: &'a Session,
    pub run: ScriptId,
}

impl crate::lab::diagnose::Facts for RunFacts<'_> {
    fn received(&self, to: SocketAddr) -> Option<Receipt> {
        self.session.received_by(self.run, to)
    }

    /// The socket's latest recv, when the session saw the peer's sends and
    /// the recv's bytes end inside one of them.
    fn split_read(&self, sock: u32) -> Option<SplitRead> {
        let end = EndKey::Script {
            run: self.run,
            sock,
        };
        let conn = self.session.streams.of_end(end)?;
        let read = conn.way(conn.sends_way(end)?.back());
        let recv = read.recvs.back().filter(|r| r.len > 0)?;
        let send = read
            .sends_of(recv)
            .find(|s| s.offset < recv.end() && recv.end() < s.end())?;
        Some(SplitRead {
            read: recv.len,
            send_len: send.len,
            left: send.end() - recv.end(),
        })
    }
}

impl Session {
    /// Who read the latest datagram script `run` sent to `to`: a traced
    /// script (its name, the line, the exception that ended it since) or
    /// UDP Lab's server. None when no one did, as far as the session saw.
    pub fn received_by(&self, run: ScriptId, to: SocketAddr) -> Option<Receipt> {
        let d = self
            .datagrams
            .iter()
            .rev()
            .take(1024)
            .find(|d| d.sender_script == Some(run) && d.to == to)?;
        d.received_at?;
        let row = self
            .trace
            .iter()
            .rev()
            .take(4096)
            .find(|r| r.datagram == Some(d.id) && matches!(r.call, Call::RecvFrom { .. }))?;
        match row.side {
            Side::Script(reader) => {
                let info = self.scripts.get(reader)?;
                let at = row
                    .script
                    .as_ref()
                    .and_then(|c| c.site.as_ref())
                    .map(|(file, line)| Site {
                        file: file.to_string(),
                        line: *line,
                    });
                Some(Receipt {
                    by: Some((info.name.clone(), at)),
                    ended_with: info.uncaught.clone(),
                })
            }
            Side::Server => Some(Receipt {
                by: None,
                ended_with: None,
            }),
            Side::Client => None,
        }
    }
}
