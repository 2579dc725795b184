//! Time's part of the diagnoses: a receive that waits for ever, an
//! accepted connection (or a web server's answered one) left open while
//! the script waits for the next, said once they have lasted long enough.

use std::time::{Duration, SystemTime};

use super::{Diagnoser, Diagnosis, Facts, Kind, TcpKind, WAIT_WARNING};

impl Diagnoser {
    /// Receives that have blocked past [`WAIT_WARNING`] with no timeout, by
    /// `now` (each said once).
    pub fn tick(&mut self, now: SystemTime, facts: &dyn Facts) -> Vec<Diagnosis> {
        let (mut out, told) = self.http.tick(now, self.tcp.accepting_since());
        for sock in told {
            self.tcp.hush(sock, "unclosed");
        }
        out.extend(self.tcp.tick(now));
        let now = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let mut due = Vec::new();
        for (wait, told) in self.waiting.values_mut() {
            let waited = now - wait.time;
            // Only a client waiting for its answer: it sent, and never bound
            // (or a TCP client, which connected).
            let client = (self.sent_to.contains_key(&wait.sock)
                && !self.bound.contains(&wait.sock))
                || self.tcp.is_client(wait.sock);
            if client && !*told && wait.timeout.is_none() && waited >= WAIT_WARNING.as_secs_f64() {
                *told = true;
                due.push((wait.clone(), Duration::from_secs_f64(waited.max(0.0))));
            }
        }
        for (wait, waited) in due {
            if let Some(read) = self.tcp.read_so_far(wait.sock) {
                out.push(Diagnosis {
                    site: wait.site.clone(),
                    kind: Kind::Tcp(TcpKind::WaitsForClose {
                        call: wait.name.clone(),
                        waited,
                        read,
                    }),
                });
                continue;
            }
            out.push(Diagnosis {
                site: wait.site.clone(),
                kind: Kind::WaitsForever {
                    call: wait.name.clone(),
                    waited,
                },
            });
            out.extend(self.where_it_went(wait.sock, facts));
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
                    && ((self.sent_to.contains_key(&w.sock) && !self.bound.contains(&w.sock))
                        || self.tcp.is_client(w.sock))
            })
            .map(|(w, _)| {
                SystemTime::UNIX_EPOCH + Duration::from_secs_f64(w.time.max(0.0)) + WAIT_WARNING
            })
            .chain(self.tcp.next_tick())
            .min()
    }

    /// When a socket waits in vain for a reply: what the session saw of
    /// its datagram (received, by whom, and what became of the receiver).
    pub(super) fn where_it_went(&mut self, sock: u32, facts: &dyn Facts) -> Vec<Diagnosis> {
        let Some((to, site)) = self.sent_to.get(&sock).cloned() else {
            return Vec::new();
        };
        if self.told_received.contains(&to) || self.told_nobody.contains(&to) {
            return Vec::new();
        }
        let Some(received) = facts.received(to) else {
            return Vec::new();
        };
        self.told_received.push(to);
        vec![Diagnosis {
            site,
            kind: Kind::Received(received),
        }]
    }
}
