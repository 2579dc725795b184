//! The diagram as data: a lifeline per socket, an arrow per datagram, and
//! the warped time axis that gives each event room.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LaneKind {
    Client,
    Server,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    pub kind: LaneKind,
    pub addr: SocketAddr,
    /// The traced script whose socket this is (issue 14): headed by its
    /// name, not "Client" or "Server".
    pub script: Option<ScriptId>,
}

/// How an arrow ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ArrowEnd {
    /// It arrived at this time.
    Delivered(SystemTime),
    /// It left UDP Lab towards a peer outside the app; no arrival is known.
    Sent,
    /// The simulator dropped it: drawn stopping half way with ✗.
    Dropped,
    /// The reply that never came: the client gave up at this time (✗).
    NeverCame(SystemTime),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    /// The datagram (None for a reply that never came).
    pub datagram: Option<u64>,
    pub from: usize,
    pub to: usize,
    pub start: SystemTime,
    pub end: ArrowEnd,
    pub len: usize,
    pub preview: String,
    pub truncated: bool,
    /// What the network simulator did to it.
    pub sim: SimFate,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiagramModel {
    pub lanes: Vec<Lane>,
    pub arrows: Vec<Arrow>,
    /// Datagrams on lifelines not drawn (older clients).
    pub hidden: usize,
}

/// A socket address with the "any" address made comparable to the one the
/// peer saw (the session already maps 0.0.0.0 to loopback where it can).
pub(super) fn lane_key(a: SocketAddr) -> SocketAddr {
    a
}

pub fn build_model(session: &Session) -> DiagramModel {
    build_model_with(session, MAX_CLIENT_LANES)
}

/// The model with at most `max_clients` client lifelines (the most
/// recently active; the others' datagrams are counted as hidden).
pub fn build_model_with(session: &Session, max_clients: usize) -> DiagramModel {
    let max_clients = max_clients.max(1);
    let records: Vec<&DatagramRecord> = session.datagrams.iter().collect();
    let client_end = |d: &DatagramRecord| match d.direction {
        Direction::Request => d.from,
        Direction::Reply => d.to,
    };
    let server_end = |d: &DatagramRecord| match d.direction {
        Direction::Request => d.to,
        Direction::Reply => d.from,
    };
    // The most recently active client sockets get lifelines.
    let mut clients: Vec<SocketAddr> = Vec::new();
    for d in records.iter().rev() {
        let c = lane_key(client_end(d));
        if !clients.contains(&c) {
            clients.push(c);
            if clients.len() == max_clients {
                break;
            }
        }
    }
    clients.reverse();
    let fans = fan_outs(&records);
    let mut servers: Vec<SocketAddr> = Vec::new();
    for d in &records {
        if fans.contains_key(&d.id) {
            // A broadcast or a group is no socket: the servers that
            // answered get the lanes.
            continue;
        }
        let s = lane_key(server_end(d));
        if !servers.contains(&s) {
            servers.push(s);
        }
    }
    let mut lanes: Vec<Lane> = clients
        .iter()
        .map(|&addr| Lane {
            kind: LaneKind::Client,
            addr,
            script: None,
        })
        .collect();
    lanes.extend(servers.iter().map(|&addr| Lane {
        kind: LaneKind::Server,
        addr,
        script: None,
    }));
    let index: HashMap<(LaneKind, SocketAddr), usize> = lanes
        .iter()
        .enumerate()
        .map(|(i, l)| ((l.kind, l.addr), i))
        .collect();
    // Whose socket each end is: a script's when a script sent or read there.
    for d in &records {
        let (client_script, server_script) = match d.direction {
            Direction::Request => (d.sender_script, d.receiver_script),
            Direction::Reply => (d.receiver_script, d.sender_script),
        };
        for (kind, addr, script) in [
            (LaneKind::Client, client_end(d), client_script),
            (LaneKind::Server, server_end(d), server_script),
        ] {
            if let (Some(script), Some(&i)) = (script, index.get(&(kind, lane_key(addr)))) {
                lanes[i].script = Some(script);
            }
        }
    }

    // When each server socket sent something to each client socket: a
    // request that timed out although a reply left (dropped, or too late)
    // is drawn as the client's wait, not as a reply that was never sent.
    let mut replies_sent: HashMap<(SocketAddr, SocketAddr), Vec<SystemTime>> = HashMap::new();
    for d in &records {
        if d.direction == Direction::Reply
            && let Some(at) = d.sent_at.or(d.received_at)
        {
            replies_sent
                .entry((lane_key(client_end(d)), lane_key(server_end(d))))
                .or_default()
                .push(at);
        }
    }
    let reply_left = |d: &DatagramRecord, from: SystemTime, until: SystemTime| {
        replies_sent
            .get(&(lane_key(client_end(d)), lane_key(server_end(d))))
            .is_some_and(|times| times.iter().any(|t| (from..=until).contains(t)))
    };

    let mut model = DiagramModel {
        lanes,
        arrows: Vec::new(),
        hidden: 0,
    };
    for d in records {
        if let Some(answered) = fans.get(&d.id) {
            // One request fanning out to every server that answered it,
            // each reached by the time it answered.
            let (Some(&c), Some(start)) = (
                index.get(&(LaneKind::Client, lane_key(client_end(d)))),
                d.sent_at,
            ) else {
                model.hidden += 1;
                continue;
            };
            for &(server, answered_at) in answered {
                let Some(&s) = index.get(&(LaneKind::Server, lane_key(server))) else {
                    continue;
                };
                model.arrows.push(Arrow {
                    datagram: Some(d.id),
                    from: c,
                    to: s,
                    start,
                    end: ArrowEnd::Delivered(answered_at.max(start)),
                    len: d.len,
                    preview: format::payload_text(&d.bytes, 24),
                    truncated: false,
                    sim: d.sim,
                });
            }
            continue;
        }
        let (Some(&c), Some(&s)) = (
            index.get(&(LaneKind::Client, lane_key(client_end(d)))),
            index.get(&(LaneKind::Server, lane_key(server_end(d)))),
        ) else {
            model.hidden += 1;
            continue;
        };
        let (from, to) = match d.direction {
            Direction::Request => (c, s),
            Direction::Reply => (s, c),
        };
        let end = match (d.received_at, d.sim.dropped) {
            (Some(at), _) => ArrowEnd::Delivered(at),
            (None, true) => ArrowEnd::Dropped,
            (None, false) => ArrowEnd::Sent,
        };
        let Some(start) = d.sent_at.or(d.received_at) else {
            continue;
        };
        model.arrows.push(Arrow {
            datagram: Some(d.id),
            from,
            to,
            start,
            end,
            len: d.len,
            preview: format::payload_text(&d.bytes, 24),
            truncated: d.truncated.is_some(),
            sim: d.sim,
        });
        if d.direction == Direction::Request
            && let Some(gave_up) = d.gave_up_at
        {
            // The reply this request waited for never came. If the server
            // never got the request, or its reply was lost on the way, an
            // arrow from the server would claim a reply that was not sent:
            // the wait is drawn down the client's own lifeline instead.
            let (from_lane, from_time) =
                if end == ArrowEnd::Dropped || reply_left(d, start, gave_up) {
                    (c, start)
                } else {
                    (s, d.received_at.unwrap_or(start))
                };
            model.arrows.push(Arrow {
                datagram: None,
                from: from_lane,
                to: c,
                start: from_time,
                end: ArrowEnd::NeverCame(gave_up),
                len: 0,
                preview: String::new(),
                truncated: false,
                sim: SimFate::default(),
            });
        }
    }
    model
}

/// A broadcast or multicast address: one datagram there reaches many.
fn is_group(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => v4.is_multicast() || v4.is_broadcast() || v4.octets()[3] == 255,
        std::net::IpAddr::V6(v6) => v6.is_multicast(),
    }
}

/// The requests UDP Lab's client sent to a broadcast or multicast address
/// that servers answered, with each answering server socket and when its
/// answer left: the replies to the same client socket after the request
/// and before its next one. By address and time, not record order or
/// operation: the server's reply may be recorded before the client's send
/// (another thread), and then carries no client operation.
pub(super) fn fan_outs(records: &[&DatagramRecord]) -> HashMap<u64, Vec<(SocketAddr, SystemTime)>> {
    // Each client socket's requests: (sent, the id when it went to a group).
    let mut requests: HashMap<SocketAddr, Vec<(SystemTime, Option<u64>)>> = HashMap::new();
    for d in records {
        if let (Direction::Request, Some(_), Some(sent)) = (d.direction, d.client, d.sent_at) {
            let group = is_group(d.to.ip()).then_some(d.id);
            requests.entry(d.from).or_default().push((sent, group));
        }
    }
    if !requests
        .values()
        .flatten()
        .any(|(_, group)| group.is_some())
    {
        return HashMap::new();
    }
    for list in requests.values_mut() {
        list.sort_by_key(|(sent, _)| *sent);
    }
    let mut fans: HashMap<u64, Vec<(SocketAddr, SystemTime)>> = HashMap::new();
    for d in records {
        let (Direction::Reply, Some(at)) = (d.direction, d.sent_at.or(d.received_at)) else {
            continue;
        };
        let latest = requests
            .get(&d.to)
            .and_then(|list| list.iter().rev().find(|(sent, _)| *sent <= at));
        if let Some((_, Some(request))) = latest {
            let answered = fans.entry(*request).or_default();
            if !answered.iter().any(|(s, _)| *s == d.from) {
                answered.push((d.from, at));
            }
        }
    }
    fans
}

impl Arrow {
    pub(super) fn end_time(&self) -> SystemTime {
        match self.end {
            ArrowEnd::Delivered(t) | ArrowEnd::NeverCame(t) => t,
            ArrowEnd::Sent | ArrowEnd::Dropped => self.start,
        }
    }
}

/// The least room a step of time gets (an arrow's label fits in it).
pub(super) const MIN_GAP: f32 = 26.0;
/// Steps longer than this are cut short and marked.
pub(super) const BREAK_GAP: f32 = 140.0;

/// Maps event times to y offsets: every distinct time gets at least
/// `min_gap`, real time adds `px_per_ms`, idle stretches are capped.
pub(super) struct TimeAxis {
    times: Vec<SystemTime>,
    ys: Vec<f32>,
    /// Where long idle gaps were cut: (y, seconds skipped).
    pub(super) breaks: Vec<(f32, f64)>,
}

impl TimeAxis {
    /// `gaps`: the least and the most one step of time takes (a short view
    /// fits more exchanges with less); longer than [`BREAK_GAP`] is marked
    /// as cut.
    pub(super) fn new(model: &DiagramModel, px_per_ms: f32, gaps: (f32, f32)) -> Self {
        let mut times: Vec<SystemTime> = model
            .arrows
            .iter()
            .flat_map(|a| [a.start, a.end_time()])
            .collect();
        times.sort();
        times.dedup();
        let (min_gap, max_gap) = gaps;
        let max_gap = max_gap.max(min_gap);
        let mut ys = Vec::with_capacity(times.len());
        let mut breaks = Vec::new();
        let mut y = 30.0_f32.min(min_gap + 4.0);
        for (i, t) in times.iter().enumerate() {
            if i > 0 {
                let dt = t
                    .duration_since(times[i - 1])
                    .map_or(0.0, |d| d.as_secs_f64());
                let real = (dt * 1000.0) as f32 * px_per_ms;
                if real > BREAK_GAP {
                    breaks.push((y + max_gap / 2.0, dt));
                }
                y += real.clamp(min_gap, max_gap);
            }
            ys.push(y);
        }
        Self { times, ys, breaks }
    }

    pub(super) fn y(&self, t: SystemTime) -> f32 {
        match self.times.binary_search(&t) {
            Ok(i) => self.ys[i],
            Err(i) => self.ys.get(i).or(self.ys.last()).copied().unwrap_or(0.0),
        }
    }

    pub(super) fn height(&self) -> f32 {
        self.ys.last().copied().unwrap_or(0.0) + 60.0
    }
}
