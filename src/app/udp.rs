//! The UDP side of the window's actions: starting the server (with its
//! multicast group), sending from the client (a fresh or the kept
//! socket), finding servers. TCP's and HTTP's are in `tcp.rs` and
//! `http.rs`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::{Outcome, ServerStatus, Settings, UdpLabApp, state, tools};
use crate::net::{self, ClientRequest, ServerConfig};

impl UdpLabApp {
    pub(super) fn start_server(&mut self) {
        let Some(bind) = self.bind_for_start(|s| &s.bind) else {
            return;
        };
        let join = match join_of(&self.settings, &bind) {
            Ok(join) => join,
            Err(e) => {
                self.server.join_error = Some(e);
                self.cancel_pending_send();
                return;
            }
        };
        self.server.join_error = None;
        let config = ServerConfig {
            bind,
            settings: self.settings.server_settings(),
            join,
        };
        match net::spawn_server(config, self.sink.clone()) {
            Ok(handle) => {
                self.server.handle = Some(handle);
                self.server.status = Some(ServerStatus::Starting);
            }
            Err(e) => {
                self.server.status = Some(ServerStatus::Failed(e));
                self.cancel_pending_send();
            }
        }
    }

    /// A start that failed cancels the `--send` that waited on it: a later
    /// Start by hand must not send a message nobody asked for then.
    pub(crate) fn cancel_pending_send(&mut self) {
        self.demo_when_listening = false;
        if std::mem::take(&mut self.send_when_listening) {
            self.client.send_cancelled = true;
        }
    }

    /// The client's target and message as bytes, each error shown in its
    /// field (UDP's Send and TCP's share them).
    pub(crate) fn send_inputs(&mut self) -> Option<(net::ParsedAddr, Vec<u8>)> {
        let target = net::parse_addr(&self.settings.target, true)
            .map_err(|e| self.client.target_error = Some(e))
            .ok()?;
        self.client.target_error = None;
        let payload = self
            .settings
            .client_encoding
            .encode(&self.settings.message)
            .map_err(|e| self.client.message_error = Some(e))
            .ok()?;
        self.client.message_error = None;
        Some((target, payload))
    }

    pub(super) fn send(&mut self, count: u32) {
        if self.client.busy() || self.tcp.client.busy() || self.http.client.busy() {
            return;
        }
        self.client.send_cancelled = false;
        let Some((target, payload)) = self.send_inputs() else {
            return;
        };
        let reach = net::Reach {
            broadcast: self.settings.broadcast,
            ttl: None,
            multicast_loop: None,
        };
        // A name resolves later; only an address can be a group here.
        self.client.collecting =
            reach.broadcast || matches!(&target.host, net::Host::Ip(ip) if ip.is_multicast());
        self.client.responders.clear();
        self.client.next_op += 1;
        let op = self.client.next_op;
        let socket = if self.settings.new_socket_each_send {
            self.client.kept_socket = None;
            None
        } else {
            self.kept_socket(op, &target)
        };
        let request = ClientRequest {
            op,
            target,
            payload: Arc::from(payload),
            timeout: self.settings.timeout(),
            buffer: self.settings.client_buffer.clamp(1, net::MAX_DATAGRAM + 1),
            count,
            interval: Duration::from_millis(self.settings.burst_interval_ms.min(60_000)),
            socket,
            network: self.settings.network,
            reach,
        };
        // Issue 23: the client's simulator starts from the seed for every
        // operation; for a burst (the demo) the server's replies must too,
        // or the same seed gives another pattern the second time. Single
        // Sends leave its stream going, so their replies still vary.
        if let Some(server) = &self.server.handle
            && count > 1
            && !self.settings.network.is_off()
        {
            server.restart_simulator();
        }
        match net::spawn_client(request, self.sink.clone()) {
            Ok(handle) => {
                let client = &mut self.client;
                client.running = Some((op, handle));
                client.outcome = Some(Outcome::Waiting);
                client.requested = count;
                client.stats = net::BurstStats::default();
                client.points.clear();
                client.started = Some(SystemTime::now());
            }
            Err(e) => self.client.outcome = Some(Outcome::Failed(e)),
        }
    }

    /// "Find servers": on a worker (it waits the timeout), on the target's
    /// port; the result comes back as a job.
    pub(super) fn find_servers(&mut self) {
        if self.client.finding {
            return;
        }
        let port =
            net::parse_addr(&self.settings.target, true).map_or(net::DEFAULT_PORT, |t| t.port);
        let payload = self
            .settings
            .client_encoding
            .encode(&self.settings.message)
            .unwrap_or_else(|_| net::DEFAULT_REQUEST.as_bytes().to_vec());
        let timeout = self.settings.timeout();
        let ctx = self.ctx.clone();
        let asked = self.client.find_targets.clone();
        let started = tools::jobs::spawn(&ctx, &self.tools, "udp-lab-find", move || {
            let targets = asked.unwrap_or_else(|| net::broadcast_targets(port));
            tools::jobs::Job::Found(port, net::find_servers(&targets, &payload, timeout))
        });
        match started {
            Ok(()) => {
                self.client.finding = true;
                self.client.found = None;
            }
            Err(e) => {
                let error = net::NetError::Io {
                    call: "thread spawn",
                    message: e.to_string(),
                };
                self.client.found = Some((port, Err(error)));
            }
        }
    }

    /// The socket kept across sends, opened on first use for the target's
    /// family (socket() and bind(port 0) never block). Host names are
    /// resolved later, on the worker; IPv4 is preferred for them.
    pub(super) fn kept_socket(
        &mut self,
        op: u64,
        target: &net::ParsedAddr,
    ) -> Option<Arc<socket2::Socket>> {
        let family = match &target.host {
            net::Host::Ip(ip) if ip.is_ipv6() => net::Family::V6,
            _ => net::Family::V4,
        };
        let fits = self.client.kept_socket.as_ref().is_some_and(|s| {
            s.local_addr()
                .ok()
                .and_then(|a| a.as_socket())
                .is_some_and(|a| net::Family::of(&a) == family)
        });
        if !fits {
            // Failing here is not fatal: the worker opens a socket of its own.
            self.client.kept_socket = net::open_client_socket(family).ok().map(Arc::new);
            let local = self
                .client
                .kept_socket
                .as_ref()
                .and_then(|s| s.local_addr().ok().and_then(|a| a.as_socket()));
            if let Some(local) = local {
                self.apply_event(net::NetEvent::Client(net::ClientEvent {
                    op,
                    at: std::time::SystemTime::now(),
                    kind: net::ClientEventKind::KeptSocketOpened { family, local },
                }));
            }
        }
        self.client.kept_socket.clone()
    }
}

/// Issue 15: the multicast group the settings ask the server to join.
fn join_of(
    settings: &Settings,
    bind: &net::ParsedAddr,
) -> Result<Option<net::Join>, state::JoinError> {
    use state::JoinError;
    let text = settings.join_group.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let group: std::net::IpAddr = text
        .parse()
        .ok()
        .filter(|ip: &std::net::IpAddr| ip.is_multicast())
        .ok_or_else(|| JoinError::NotMulticast(text.to_owned()))?;
    let interface = match settings.join_interface.trim() {
        "" => None,
        ip => Some(
            ip.parse::<std::net::IpAddr>()
                .map_err(|_| JoinError::BadInterface(ip.to_owned()))?,
        ),
    };
    if let net::Host::Ip(ip) = bind.host
        && !ip.is_unspecified()
        && ip != group
    {
        return Err(JoinError::NeedsAllInterfaces { ip, group });
    }
    Ok(Some(net::Join {
        group,
        interface,
        ifindex: if group.is_ipv6() {
            net::ipv6_ifindex(interface)
        } else {
            0
        },
    }))
}
