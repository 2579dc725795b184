//! A traced script's TCP calls (issue 27) in the session: the same
//! [`TcpCall`] rows and connection streams as UDP Lab's own TCP server and
//! client, through [`Session::record_stream_call`]; a connection between
//! two traced scripts (or a script and UDP Lab) is one connection, joined
//! by its two addresses.

use super::*;
use crate::lab::stream::EndKey;
use crate::net::Shut;

/// SHUT_RD / SHUT_WR / SHUT_RDWR as the tracer names them.
fn shut(how: Option<&str>) -> Option<Shut> {
    match how? {
        "SHUT_RD" => Some(Shut::Read),
        "SHUT_WR" => Some(Shut::Write),
        "SHUT_RDWR" => Some(Shut::Both),
        _ => None,
    }
}

impl Session {
    /// Records a call of a script's stream socket; false when the call is
    /// none of TCP's rows (a setsockopt other than SO_REUSEADDR, a
    /// settimeout), left to the shared code.
    pub(super) fn script_stream_call(
        &mut self,
        run: ScriptId,
        at: SystemTime,
        began: SystemTime,
        call: &TracedCall,
    ) -> bool {
        let sock = call.sock;
        let s = self.scripts.socket(run, sock).clone();
        let site = self.scripts.site(call);
        let end = Some(EndKey::Script { run, sock });
        let to = addr_of(call.args.addr.as_ref());
        let data = call.args.data.as_ref();
        let asked = data.map_or(0, |d| d.len);
        let buffer = call
            .args
            .bufsize
            .and_then(|b| usize::try_from(b).ok())
            .unwrap_or(0);
        let mut addrs = None;
        let mut bytes: &[u8] = &[];
        let mut at = at;
        let mut plays = s.plays;
        let (end, tcp) = match (call.name.as_str(), &call.outcome) {
            ("setsockopt", Ok(_)) if call.args.opt.as_deref() == Some("SO_REUSEADDR") => {
                (None, TcpCall::SetReuseAddr)
            }
            ("bind", Ok(res)) => {
                let Some(addr) = addr_of(res.local.as_ref()).or(to) else {
                    return true;
                };
                self.scripts.socket(run, sock).local = Some(addr);
                plays = Some(Side::Server);
                (None, TcpCall::Bind { addr })
            }
            ("bind", Err(e)) => {
                plays = Some(Side::Server);
                let error = net_error("bind", to.unwrap_or_else(unspecified), e);
                (None, TcpCall::BindFailed { error })
            }
            ("listen", Ok(_)) => {
                self.scripts.socket(run, sock).listening = true;
                plays = Some(Side::Server);
                let backlog = call
                    .args
                    .backlog
                    .and_then(|b| u32::try_from(b).ok())
                    .unwrap_or(0);
                (None, TcpCall::Listen { backlog })
            }
            ("accept", Ok(res)) => {
                let (Some(conn), Some(peer)) = (res.accepted, addr_of(res.from.as_ref())) else {
                    return true;
                };
                let local = addr_of(res.local.as_ref())
                    .or(s.local)
                    .unwrap_or_else(unspecified);
                let local = concrete(local, peer.ip());
                let c = self.scripts.socket(run, conn);
                c.udp = false;
                c.local = Some(local);
                c.peer = Some(peer);
                c.plays = Some(Side::Server);
                plays = Some(Side::Server);
                addrs = Some((local, peer));
                (
                    Some(EndKey::Script { run, sock: conn }),
                    TcpCall::Accept { peer, sock: conn },
                )
            }
            ("accept", Err(e)) => {
                let error = net_error("accept", s.local.unwrap_or_else(unspecified), e);
                (None, TcpCall::Failed { error })
            }
            ("connect" | "connect_ex", outcome) => {
                let Some(to) = to else { return true };
                plays = Some(Side::Client);
                let code = match outcome {
                    Ok(r) => r.code.filter(|c| *c != 0),
                    Err(e) => Some(e.errno.unwrap_or(-1)),
                };
                match (outcome, code) {
                    (Ok(res), None) => {
                        let local = addr_of(res.local.as_ref()).unwrap_or_else(unspecified);
                        let local = concrete(local, to.ip());
                        let c = self.scripts.socket(run, sock);
                        c.local = Some(local);
                        c.peer = Some(to);
                        addrs = Some((local, to));
                        (end, TcpCall::Connect { to })
                    }
                    (Err(e), _) => {
                        let error = net_error("connect", to, e);
                        (None, TcpCall::ConnectFailed { to, error })
                    }
                    (Ok(_), Some(code)) => {
                        let error = NetError::from_io(
                            "connect",
                            to,
                            &std::io::Error::from_raw_os_error(
                                i32::try_from(code).unwrap_or(i32::MAX),
                            ),
                        );
                        (None, TcpCall::ConnectFailed { to, error })
                    }
                }
            }
            ("send" | "sendall", Ok(res)) => {
                let sent = res
                    .sent
                    .and_then(|n| usize::try_from(n).ok())
                    .unwrap_or(asked);
                let preview = data.and_then(|d| d.bytes.as_deref()).unwrap_or_default();
                bytes = &preview[..preview.len().min(sent)];
                at = began;
                let all = call.name == "sendall";
                (end, TcpCall::Send { asked, sent, all })
            }
            ("send" | "sendall", Err(e)) => {
                let error = net_error("send", s.peer.unwrap_or_else(unspecified), e);
                (
                    end,
                    TcpCall::SendFailed {
                        asked,
                        sent: 0,
                        error,
                    },
                )
            }
            ("recv" | "recv_into", Ok(res)) => {
                let read = res.data.as_ref().map_or(0, |d| d.len);
                bytes = res
                    .data
                    .as_ref()
                    .and_then(|d| d.bytes.as_deref())
                    .unwrap_or_default();
                if read == 0 {
                    (end, TcpCall::RecvEof { buffer })
                } else {
                    (end, TcpCall::Recv { buffer, read })
                }
            }
            ("recv" | "recv_into", Err(e)) if e.timeout => {
                let after = s.timeout.unwrap_or_default();
                (end, TcpCall::RecvTimedOut { buffer, after })
            }
            ("recv" | "recv_into", Err(e)) => {
                let error = net_error("recv", s.peer.unwrap_or_else(unspecified), e);
                (end, TcpCall::RecvFailed { buffer, error })
            }
            ("shutdown", Ok(_)) => {
                let Some(how) = shut(call.args.how.as_deref()) else {
                    return true;
                };
                (end, TcpCall::Shutdown { how })
            }
            ("close", _) => {
                self.scripts.closed(run, sock);
                let end = (!s.listening).then_some(EndKey::Script { run, sock });
                (
                    end,
                    TcpCall::Close {
                        listener: s.listening,
                    },
                )
            }
            _ => return false,
        };
        // (A closed socket is forgotten: not made again here.)
        if plays.is_some() && call.name != "close" {
            self.scripts.socket(run, sock).plays = plays;
        }
        if let (None, Some(learnt)) = (s.plays, plays) {
            // Its calls before (socket, setsockopt) get their step now.
            for row in self.trace.iter_mut().rev().take(1024) {
                if row.side == Side::Script(run)
                    && let Some(c) = row.script.as_mut().filter(|c| c.sock == sock)
                {
                    c.plays.get_or_insert(learnt);
                }
            }
        }
        self.record_stream_call(StreamCall {
            at,
            side: Side::Script(run),
            op: u64::from(sock),
            end,
            call: tcp,
            addrs,
            bytes,
            script: Some(ScriptCall { sock, site, plays }),
        });
        true
    }
}
