//! The socket workers' events applied to the window's state: `logic`
//! drains them each frame within a time budget.

use std::rc::Rc;
use std::time::{Duration, SystemTime};

use super::{
    Command, HistoryRow, IncomingRow, MAX_HISTORY, Outcome, RttPoint, ServerStatus, UdpLabApp,
};
use crate::net::trace::Report;
use crate::net::{ClientEventKind, Drained, NetError, NetEvent, ScriptEventKind, ServerEventKind};

impl UdpLabApp {
    /// Events the channel had to drop because the window fell behind.
    pub fn events_dropped(&self) -> u64 {
        self.queue.dropped()
    }

    /// Applies waiting net events; true when the time budget ran out first.
    pub fn drain_events(&mut self, budget: Duration) -> bool {
        self.drain_counted(budget).more
    }

    /// Applies waiting net events within `budget`: how many, and whether
    /// more wait.
    pub(crate) fn drain_counted(&mut self, budget: Duration) -> Drained {
        // Shown a recording, live events go to the live state set aside.
        super::lesson::with_live(self, |app| app.drain_live(budget))
    }

    fn drain_live(&mut self, budget: Duration) -> Drained {
        // Each event is applied as it is taken, so the budget bounds the
        // work (not only the taking) and nothing is buffered in between.
        let queue = Rc::clone(&self.queue);
        let drained = queue.drain(budget, |e| self.apply_event(e));
        // Stop was pressed and the worker has ended (its socket is closed):
        // say so now, even while a flood's events still queue ahead of its
        // Stopped. They are still applied; that Stopped is then not current.
        let server = &mut self.server;
        if server.status == Some(ServerStatus::Stopping)
            && server.handle.as_ref().is_some_and(|h| h.is_finished())
        {
            server.status = Some(ServerStatus::Stopped);
            server.handle = None;
        }
        self.tcp_server_finished();
        if let Some(demo) = self.demo
            && !self.client.busy()
        {
            self.demo = None;
            // Its last arrows came with its end.
            self.views.diagram.scroll_to_end = true;
            demo.before.restore(&demo.during, &mut self.settings);
            self.run(Command::UpdateServer);
        }
        drained
    }

    /// One event into the state: live, or a saved session's replayed
    /// (lesson.rs), where the recording's server and client are current.
    pub(super) fn apply_event(&mut self, event: NetEvent) {
        self.session.record(&event);
        let replay = self.lesson.replaying;
        match event {
            NetEvent::Server(ev) => {
                let current = replay
                    || self
                        .server
                        .handle
                        .as_ref()
                        .is_some_and(|h| h.id == ev.server);
                match ev.kind {
                    ServerEventKind::Socket { .. } => {}
                    ServerEventKind::Listening { addr } if current => {
                        self.server.status = Some(ServerStatus::Listening(addr));
                        if replay {
                            return;
                        }
                        if std::mem::take(&mut self.send_when_listening) {
                            self.run(Command::Send);
                        }
                        if std::mem::take(&mut self.demo_when_listening) {
                            self.run(Command::StartDemoStepByStep);
                        }
                    }
                    ServerEventKind::Listening { .. } => {}
                    ServerEventKind::Datagram { rx, reply } => {
                        self.server.push_row(IncomingRow { rx, reply });
                    }
                    ServerEventKind::Failed { error } if current => {
                        self.server.status = Some(ServerStatus::Failed(error));
                        self.server.handle = None;
                        if !replay {
                            self.cancel_pending_send();
                        }
                    }
                    ServerEventKind::Failed { .. } => {}
                    ServerEventKind::Stopped if current => {
                        self.server.status = Some(ServerStatus::Stopped);
                        self.server.handle = None;
                    }
                    ServerEventKind::Stopped => {}
                    ServerEventKind::SockOpt(_) => {}
                }
            }
            NetEvent::Client(ev) => {
                let current = replay
                    || self
                        .client
                        .running
                        .as_ref()
                        .is_some_and(|(op, _)| *op == ev.op);
                if current {
                    self.apply_client_event(ev.op, ev.at, ev.kind);
                }
            }
            NetEvent::Tcp(ev) => self.apply_tcp_event(ev),
            NetEvent::Http(ev) => self.apply_http_event(ev),
            NetEvent::Script(ev) => {
                let bound = matches!(&ev.kind, ScriptEventKind::Report(r) if matches!(
                    &**r,
                    Report::Call(c) if c.name == "bind" && c.outcome.is_ok()
                ));
                self.scripts.apply(ev, &self.session);
                if bound && !replay && std::mem::take(&mut self.send_when_script_binds) {
                    self.run(Command::Send);
                }
            }
        }
    }

    fn apply_client_event(&mut self, op: u64, at: SystemTime, kind: ClientEventKind) {
        let client = &mut self.client;
        let since_start = |at: SystemTime| {
            client
                .started
                .and_then(|s| at.duration_since(s).ok())
                .map_or(0.0, |d| d.as_secs_f64())
        };
        let (seq, outcome) = match kind {
            ClientEventKind::Socket { .. }
            | ClientEventKind::KeptSocketOpened { .. }
            | ClientEventKind::SockOpt(_) => return,
            ClientEventKind::Sent {
                seq,
                to,
                bytes,
                sim,
                ..
            } => {
                client.stats.record_sent(sim.dropped);
                if client.history.len() >= MAX_HISTORY {
                    client.history.pop_front();
                }
                client.history.push_back(HistoryRow {
                    op,
                    seq,
                    at,
                    to: to.to_string(),
                    sent: bytes,
                    outcome: Outcome::Waiting,
                });
                return;
            }
            ClientEventKind::Response {
                seq,
                rx,
                rtt,
                other_source,
            } => {
                // A broadcast's datagram counts as answered once, however
                // many servers answered it.
                let first = !client.responders.iter().any(|r| r.seq == seq);
                if !client.collecting || first {
                    client.stats.record_answer(rtt, other_source.is_some());
                }
                if client.collecting {
                    client.responders.push(crate::app::state::Responder {
                        seq,
                        from: rx.from,
                        rtt,
                        bytes: rx.bytes.clone(),
                    });
                }
                let at_secs = since_start(rx.at);
                client.points.push(RttPoint {
                    seq,
                    at_secs,
                    rtt_ms: Some(rtt.as_secs_f64() * 1000.0),
                });
                let outcome = Outcome::Response {
                    from: rx.from,
                    bytes: rx.bytes,
                    truncated: rx.truncated,
                    len: rx.len,
                    rtt,
                    other_source,
                };
                (Some(seq), outcome)
            }
            ClientEventKind::TimedOut { seq, after } => {
                // The server's simulator dropped the answer: its loss, not the network's.
                if self.session.reply_dropped_by_simulator(op, seq) {
                    client.stats.dropped_by_simulator += 1;
                }
                client.points.push(RttPoint {
                    seq,
                    at_secs: since_start(at),
                    rtt_ms: None,
                });
                // Issue 15: "no answer and no error", with the port to allow.
                let to = client
                    .history
                    .iter()
                    .rev()
                    .find(|r| r.op == op && r.seq == seq)
                    .and_then(|r| r.to.parse().ok());
                (Some(seq), Outcome::Failed(NetError::no_answer(to, after)))
            }
            ClientEventKind::Failed { seq, error } => {
                if let Some(seq) = seq {
                    client.points.push(RttPoint {
                        seq,
                        at_secs: since_start(at),
                        rtt_ms: None,
                    });
                } else {
                    // It never started (a name that does not resolve, no
                    // socket): no Closed follows, so it is over now.
                    client.running = None;
                }
                (seq, Outcome::Failed(error))
            }
            ClientEventKind::Closed { .. } => {
                client.running = None;
                if client.outcome == Some(Outcome::Waiting) {
                    client.outcome = None;
                }
                return;
            }
        };
        if let Some(seq) = seq
            && let Some(row) = client
                .history
                .iter_mut()
                .rev()
                .find(|r| r.op == op && r.seq == seq)
        {
            row.outcome = outcome.clone();
        }
        client.outcome = Some(outcome);
    }
}
