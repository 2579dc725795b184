//! The UDP side of the session: the server's and the client's events made
//! into trace rows and datagram records (TCP's are in `tcp.rs`).

use super::*;

impl Session {
    pub(super) fn record_server(&mut self, at: SystemTime, kind: &ServerEventKind) {
        let side = Side::Server;
        match kind {
            ServerEventKind::Socket { family } => {
                self.trace(at, side, 0, Call::Socket { family: *family }, None)
            }
            ServerEventKind::Listening { addr } => {
                self.server_addr = Some(*addr);
                self.trace(at, side, 0, Call::Bind { addr: *addr }, None);
            }
            ServerEventKind::Failed { error } => {
                let call = if self.server_addr.is_none()
                    || matches!(
                        error,
                        NetError::AddrInUse { .. }
                            | NetError::PermissionDenied { .. }
                            | NetError::AddrNotAvailable { .. }
                            | NetError::Resolve { .. }
                    ) {
                    Call::BindFailed {
                        error: error.clone(),
                    }
                } else {
                    Call::RecvFailed {
                        buffer: 0,
                        error: error.clone(),
                    }
                };
                self.trace(at, side, 0, call, None);
            }
            ServerEventKind::Stopped => {
                self.server_addr = None;
                self.trace(at, side, 0, Call::Close, None);
            }
            ServerEventKind::SockOpt(opt) => self.trace(at, side, 0, sockopt_call(opt), None),
            ServerEventKind::Datagram { rx, reply } => {
                let local = self
                    .server_addr
                    .map_or(rx.from, |a| concrete(a, rx.from.ip()));
                self.received(rx, local, Direction::Request, None, side, 0);
                match reply {
                    Reply::NotSent => {}
                    Reply::RateLimited => {
                        self.trace(at, side, 0, Call::ReplySuppressed { to: rx.from }, None)
                    }
                    Reply::Failed { error } => {
                        self.trace(
                            at,
                            side,
                            0,
                            Call::SendFailed {
                                len: 0,
                                to: rx.from,
                                error: error.clone(),
                            },
                            None,
                        );
                    }
                    Reply::Sent {
                        bytes,
                        at: sent_at,
                        sim,
                    } => {
                        let id = self.sent(DatagramRecord {
                            id: 0,
                            direction: Direction::Reply,
                            from: local,
                            to: rx.from,
                            bytes: bytes.clone(),
                            len: bytes.len(),
                            truncated: None,
                            sent_at: Some(*sent_at),
                            received_at: None,
                            client: None,
                            gave_up_at: None,
                            sim: *sim,
                            sender_script: None,
                            receiver_script: None,
                            captured: None,
                        });
                        self.trace(
                            *sent_at,
                            side,
                            0,
                            Call::SendTo {
                                len: bytes.len(),
                                to: rx.from,
                                sim: *sim,
                            },
                            Some(id),
                        );
                    }
                }
            }
        }
    }

    pub(super) fn record_client(&mut self, op: u64, at: SystemTime, kind: &ClientEventKind) {
        let side = Side::Client;
        match kind {
            // The kept socket serving again: no socket() call happened.
            ClientEventKind::Socket { reused: true, .. } => {}
            ClientEventKind::Socket { family, .. } => {
                self.trace(at, side, op, Call::Socket { family: *family }, None)
            }
            // socket() and the explicit bind that keeps the port.
            ClientEventKind::KeptSocketOpened { family, local } => {
                self.trace(at, side, op, Call::Socket { family: *family }, None);
                self.trace(at, side, op, Call::Bind { addr: *local }, None);
            }
            ClientEventKind::Sent {
                seq,
                to,
                local,
                bytes,
                sim,
            } => {
                let from = concrete(*local, to.ip());
                self.client_local.retain(|(o, _)| *o != op);
                self.client_local.push((op, from));
                let id = self.sent(DatagramRecord {
                    id: 0,
                    direction: Direction::Request,
                    from,
                    to: *to,
                    bytes: bytes.clone(),
                    len: bytes.len(),
                    truncated: None,
                    sent_at: Some(at),
                    received_at: None,
                    client: Some((op, *seq)),
                    gave_up_at: None,
                    sim: *sim,
                    sender_script: None,
                    receiver_script: None,
                    captured: None,
                });
                self.trace(
                    at,
                    side,
                    op,
                    Call::SendTo {
                        len: bytes.len(),
                        to: *to,
                        sim: *sim,
                    },
                    Some(id),
                );
            }
            ClientEventKind::Response { rx, .. } => {
                let local = self
                    .client_local
                    .iter()
                    .find(|(o, _)| *o == op)
                    .map_or(rx.from, |(_, a)| *a);
                self.received(rx, local, Direction::Reply, Some((op, 0)), side, op);
            }
            ClientEventKind::TimedOut { seq, after } => {
                if let Some(d) = self
                    .datagrams
                    .iter_mut()
                    .rev()
                    .find(|d| d.client == Some((op, *seq)) && d.direction == Direction::Request)
                {
                    d.gave_up_at = Some(at);
                }
                self.trace(
                    at,
                    side,
                    op,
                    Call::RecvTimedOut {
                        buffer: 0,
                        after: *after,
                    },
                    None,
                );
            }
            ClientEventKind::Failed { seq, error } => {
                let call = match (seq, error) {
                    (None, _) => Call::BindFailed {
                        error: error.clone(),
                    },
                    (Some(_), NetError::TooLong { len }) => Call::SendFailed {
                        len: *len,
                        to: unspecified(),
                        error: error.clone(),
                    },
                    (Some(s), _) => {
                        if let Some(d) = self.datagrams.iter_mut().rev().find(|d| {
                            d.client == Some((op, *s)) && d.direction == Direction::Request
                        }) {
                            d.gave_up_at = Some(at);
                        }
                        Call::RecvFailed {
                            buffer: 0,
                            error: error.clone(),
                        }
                    }
                };
                self.trace(at, side, op, call, None);
            }
            ClientEventKind::Closed { reused } => {
                self.client_local.retain(|(o, _)| *o != op);
                // The kept socket stays open for the next Send.
                if !reused {
                    self.trace(at, side, op, Call::Close, None);
                }
            }
            ClientEventKind::SockOpt(opt) => self.trace(at, side, op, sockopt_call(opt), None),
        }
    }
}
