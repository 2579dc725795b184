//! The network simulator on real loopback sockets (every port ephemeral),
//! with fixed seeds so every run sees the same pattern.

// Test code: its helpers outside #[test] fns panic on failure too (the
// crate-wide unwrap/expect lints are for the program, Cargo.toml [lints]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{WAIT, shared};
use socket2::Socket;
use udp_lab::net::{
    ClientEvent, ClientEventKind, ClientRequest, EventQueue, Family, Impairments, NetEvent,
    ParsedAddr, Reply, ReplyMode, ServerConfig, ServerEventKind, ServerHandle, ServerSettings,
    SimFate, Simulator, event_channel, open_client_socket, parse_addr, spawn_client, spawn_server,
};

fn loss(percent: f64, seed: u64) -> Impairments {
    Impairments {
        loss_percent: percent,
        seed,
        ..Impairments::default()
    }
}

fn delay(ms: u32) -> Impairments {
    Impairments {
        delay_ms: ms,
        ..Impairments::default()
    }
}

struct Server {
    handle: ServerHandle,
    queue: EventQueue<NetEvent>,
    addr: SocketAddr,
}

impl Server {
    fn start(network: Impairments) -> Self {
        let (sink, queue) = event_channel(65_536, Arc::new(|| {}));
        let settings = ServerSettings {
            reply: ReplyMode::Echo,
            network,
            ..ServerSettings::default()
        };
        let bind = parse_addr("127.0.0.1:0", false).expect("bind address");
        let handle = spawn_server(
            ServerConfig {
                bind,
                settings,
                join: None,
            },
            sink,
        )
        .expect("spawn server");
        loop {
            match queue.recv_timeout(WAIT) {
                Some(NetEvent::Server(ev)) => match ev.kind {
                    ServerEventKind::Listening { addr } => {
                        return Server {
                            handle,
                            queue,
                            addr,
                        };
                    }
                    ServerEventKind::Failed { error } => panic!("server failed: {error}"),
                    _ => {}
                },
                other => panic!("no Listening: {other:?}"),
            }
        }
    }

    fn target(&self) -> ParsedAddr {
        parse_addr(&self.addr.to_string(), true).expect("target")
    }

    /// Every datagram event the server has reported so far.
    fn datagrams(&self) -> Vec<(Vec<u8>, Reply)> {
        let mut out = Vec::new();
        while let Some(NetEvent::Server(ev)) = self.queue.recv_timeout(Duration::from_millis(50)) {
            if let ServerEventKind::Datagram { rx, reply } = ev.kind {
                out.push((rx.bytes.to_vec(), reply));
            }
        }
        out
    }
}

fn request(
    target: ParsedAddr,
    count: u32,
    timeout: Duration,
    network: Impairments,
) -> ClientRequest {
    ClientRequest {
        op: 1,
        target,
        payload: Arc::from(&b"Hello, server"[..]),
        timeout,
        buffer: 1024,
        count,
        interval: Duration::ZERO,
        socket: None,
        network,
        reach: Default::default(),
    }
}

/// Runs a client operation to its end and returns its events, `Closed` last.
fn run_client(req: ClientRequest) -> Vec<ClientEvent> {
    let (sink, queue) = event_channel(65_536, Arc::new(|| {}));
    let step = req.timeout + WAIT;
    let handle = spawn_client(req, sink).expect("spawn client");
    let mut events = Vec::new();
    loop {
        match queue.recv_timeout(step) {
            Some(NetEvent::Client(ev)) => {
                let closed = matches!(ev.kind, ClientEventKind::Closed { .. });
                events.push(ev);
                if closed {
                    break;
                }
            }
            other => panic!("client stalled: {other:?}"),
        }
    }
    handle.join();
    events
}

fn sent_fates(events: &[ClientEvent]) -> Vec<SimFate> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            ClientEventKind::Sent { sim, .. } => Some(*sim),
            _ => None,
        })
        .collect()
}

fn rtts(events: &[ClientEvent]) -> Vec<Duration> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            ClientEventKind::Response { rtt, .. } => Some(*rtt),
            _ => None,
        })
        .collect()
}

/// A plain receiver and a UDP Lab socket to send to it through a simulator.
fn pair() -> (UdpSocket, SocketAddr, Arc<Socket>) {
    let rx = UdpSocket::bind("127.0.0.1:0").expect("bind receiver");
    rx.set_read_timeout(Some(WAIT)).expect("read timeout");
    let addr = rx.local_addr().expect("receiver address");
    let tx = open_client_socket(Family::V4).expect("sender socket");
    (rx, addr, Arc::new(tx))
}

fn recv_u32(rx: &UdpSocket) -> u32 {
    let mut buf = [0u8; 16];
    let (n, _) = rx.recv_from(&mut buf).expect("a datagram");
    assert_eq!(n, 4);
    u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]])
}

fn payload(seq: u32) -> Arc<[u8]> {
    Arc::from(&seq.to_be_bytes()[..])
}

fn nothing_more(rx: &UdpSocket, within: Duration) {
    rx.set_read_timeout(Some(within)).expect("read timeout");
    let mut buf = [0u8; 16];
    if let Ok((n, _)) = rx.recv_from(&mut buf) {
        panic!("unexpected datagram {:?}", &buf[..n]);
    }
}

#[test]
fn full_loss_makes_the_client_time_out_and_the_server_receives_nothing() {
    let _g = shared();
    let server = Server::start(Impairments::default());
    let events = run_client(request(
        server.target(),
        3,
        Duration::from_millis(150),
        loss(100.0, 1),
    ));
    let fates = sent_fates(&events);
    assert_eq!(fates.len(), 3);
    assert!(fates.iter().all(|f| f.dropped), "{fates:?}");
    let timeouts = events
        .iter()
        .filter(|e| matches!(e.kind, ClientEventKind::TimedOut { .. }))
        .count();
    assert_eq!(timeouts, 3, "the client waits and times out for each");
    assert!(rtts(&events).is_empty());
    assert_eq!(server.handle.received(), 0);
    assert!(server.datagrams().is_empty());
}

#[test]
fn thirty_percent_loss_over_2000_datagrams_is_within_three_sigma() {
    let _g = shared();
    let (rx, to, tx) = pair();
    let imp = loss(30.0, 1234);
    let mut simulator = Simulator::for_client(imp);
    let mut dropped = Vec::new();
    // Lock-step, so no receive buffer can overflow: each datagram that went
    // out is read before the next is sent, and must be that one.
    for seq in 0..2000u32 {
        let fate = simulator.send(&tx, &payload(seq), to).expect("sendto");
        if fate.dropped {
            dropped.push(seq);
        } else {
            assert_eq!(recv_u32(&rx), seq);
        }
    }
    nothing_more(&rx, Duration::from_millis(50));
    let n = 2000.0_f64;
    let sigma = (n * 0.3 * 0.7).sqrt();
    let lost = dropped.len() as f64;
    println!(
        "lost {lost} of 2000 ({:.2}%), expected 600 ± {:.1}",
        lost / 20.0,
        3.0 * sigma
    );
    assert!((lost - n * 0.3).abs() <= 3.0 * sigma, "lost {lost}");
    // What went missing on the wire is exactly the pattern the seed gives.
    let mut again = Simulator::for_client(imp);
    let expected: Vec<u32> = (0..2000).filter(|_| again.decide().dropped).collect();
    assert_eq!(dropped, expected);
}

#[test]
fn delay_of_50_ms_each_way_makes_every_rtt_at_least_100_ms() {
    let _g = shared();
    let server = Server::start(delay(50));
    let events = run_client(request(
        server.target(),
        5,
        Duration::from_secs(2),
        delay(50),
    ));
    let rtts = rtts(&events);
    assert_eq!(rtts.len(), 5, "{events:?}");
    for rtt in &rtts {
        assert!(*rtt >= Duration::from_millis(100), "rtt {rtt:?}");
        assert!(*rtt < Duration::from_secs(1), "rtt {rtt:?}");
    }
    for fate in sent_fates(&events) {
        assert_eq!(fate.delay, Duration::from_millis(50));
        assert!(!fate.dropped && !fate.duplicated && !fate.reordered);
    }
    let replies = server.datagrams();
    assert_eq!(replies.len(), 5);
    for (_, reply) in replies {
        match reply {
            Reply::Sent { sim, .. } => assert_eq!(sim.delay, Duration::from_millis(50)),
            other => panic!("reply not sent: {other:?}"),
        }
    }
}

#[test]
fn a_delayed_send_returns_at_once_and_arrives_later() {
    let _g = shared();
    let (rx, to, tx) = pair();
    let mut simulator = Simulator::for_server(delay(300));
    let start = Instant::now();
    let fate = simulator.send(&tx, &payload(7), to).expect("sendto");
    let returned = start.elapsed();
    assert!(
        returned < Duration::from_millis(50),
        "the sender waited {returned:?}"
    );
    assert_eq!(fate.delay, Duration::from_millis(300));
    assert_eq!(recv_u32(&rx), 7);
    let arrived = start.elapsed();
    assert!(arrived >= Duration::from_millis(300), "{arrived:?}");
}

#[test]
fn duplicate_100_percent_delivers_every_datagram_twice() {
    let _g = shared();
    let imp = Impairments {
        duplicate_percent: 100.0,
        ..Impairments::default()
    };
    // On the wire, with sequence numbers: 0 0 1 1 2 2 …
    let (rx, to, tx) = pair();
    let mut simulator = Simulator::for_client(imp);
    for seq in 0..50u32 {
        let fate = simulator.send(&tx, &payload(seq), to).expect("sendto");
        assert!(fate.duplicated);
        assert_eq!((recv_u32(&rx), recv_u32(&rx)), (seq, seq));
    }
    nothing_more(&rx, Duration::from_millis(50));

    // Through the client to UDP Lab's server: each request read twice.
    let server = Server::start(Impairments::default());
    let events = run_client(request(server.target(), 4, Duration::from_millis(500), imp));
    assert_eq!(rtts(&events).len(), 4);
    let seen = server.datagrams();
    assert_eq!(seen.len(), 8, "{seen:?}");
    assert_eq!(server.handle.received(), 8);
}

#[test]
fn reordering_makes_the_receiver_see_sequence_numbers_out_of_order() {
    let _g = shared();
    let (rx, to, tx) = pair();
    let imp = Impairments {
        reorder_percent: 25.0,
        seed: 5,
        ..Impairments::default()
    };
    let mut simulator = Simulator::for_client(imp);
    let mut reordered = Vec::new();
    for seq in 0..200u32 {
        if simulator
            .send(&tx, &payload(seq), to)
            .expect("sendto")
            .reordered
        {
            reordered.push(seq);
        }
    }
    // Nothing is held for ever: the last held one goes when the simulator ends.
    drop(simulator);
    let order: Vec<u32> = (0..200).map(|_| recv_u32(&rx)).collect();
    nothing_more(&rx, Duration::from_millis(50));
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        (0..200).collect::<Vec<_>>(),
        "none lost, none twice"
    );
    assert!(reordered.len() > 20, "{} of 200 reordered", reordered.len());
    let position = |seq: u32| order.iter().position(|s| *s == seq).expect("arrived");
    for seq in &reordered {
        if *seq < 199 {
            // Overtaken by the very next one.
            assert_eq!(position(*seq), position(seq + 1) + 1, "{order:?}");
        }
    }
    // One inversion per held datagram (the last one has nothing to overtake it).
    let inversions = order.windows(2).filter(|w| w[0] > w[1]).count();
    assert_eq!(inversions, reordered.iter().filter(|s| **s < 199).count());
}

#[test]
fn the_same_seed_gives_the_same_drops_through_the_client() {
    let _g = shared();
    let burst = |seed: u64| {
        let server = Server::start(Impairments::default());
        let events = run_client(request(
            server.target(),
            40,
            Duration::from_millis(30),
            loss(40.0, seed),
        ));
        let dropped: Vec<bool> = sent_fates(&events).iter().map(|f| f.dropped).collect();
        assert_eq!(dropped.len(), 40);
        // The server got exactly the ones the simulator let through.
        let through = dropped.iter().filter(|d| !**d).count() as u64;
        assert_eq!(server.handle.received(), through);
        dropped
    };
    let first = burst(99);
    assert_eq!(first, burst(99));
    assert_ne!(first, burst(100));
    assert!(first.iter().any(|d| *d) && first.iter().any(|d| !*d));
}

#[test]
fn a_running_server_takes_new_knobs() {
    let _g = shared();
    let server = Server::start(Impairments::default());
    let exchange = || {
        let events = run_client(request(
            server.target(),
            1,
            Duration::from_millis(300),
            Impairments::default(),
        ));
        rtts(&events).len()
    };
    assert_eq!(exchange(), 1);
    server.handle.update(ServerSettings {
        reply: ReplyMode::Echo,
        network: loss(100.0, 3),
        ..ServerSettings::default()
    });
    assert_eq!(exchange(), 0, "the reply is dropped now");
    server.handle.update(ServerSettings {
        reply: ReplyMode::Echo,
        ..ServerSettings::default()
    });
    assert_eq!(exchange(), 1);
    let fates: Vec<bool> = server
        .datagrams()
        .into_iter()
        .map(|(_, reply)| matches!(reply, Reply::Sent { sim, .. } if sim.dropped))
        .collect();
    assert_eq!(fates, vec![false, true, false]);
}

#[test]
fn stopping_a_server_with_replies_pending_frees_its_port_at_once() {
    let _g = shared();
    let server = Server::start(delay(2000));
    let port = server.addr.port();
    let peer = UdpSocket::bind("127.0.0.1:0").expect("peer");
    peer.send_to(b"hi", server.addr).expect("send");
    let deadline = Instant::now() + WAIT;
    while server.handle.received() == 0 {
        assert!(Instant::now() < deadline, "the server never read it");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.handle.join();
    // The reply still waiting in the scheduler does not keep the port.
    UdpSocket::bind(("127.0.0.1", port)).expect("the port is free again");
}

#[cfg(target_os = "linux")]
fn scheduler_threads() -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok())
        .filter(|name| name.trim() == udp_lab::net::sim::SCHEDULER_THREAD)
        .count()
}

#[cfg(target_os = "linux")]
fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn the_scheduler_thread_exists_only_while_needed() {
    let _g = common::exclusive();
    wait_until("other tests' schedulers to end", || {
        scheduler_threads() == 0
    });
    let (rx, to, tx) = pair();

    // All knobs at zero: straight to sendto, no thread at all.
    let mut perfect = Simulator::for_client(Impairments::default());
    assert_eq!(
        perfect.send(&tx, &payload(1), to).expect("sendto"),
        SimFate::default()
    );
    assert_eq!(recv_u32(&rx), 1);
    assert_eq!(scheduler_threads(), 0);

    // Delayed sends start one; it ends once they are out and the simulator is gone.
    let mut delayed = Simulator::for_client(delay(100));
    for seq in 0..5 {
        delayed.send(&tx, &payload(seq), to).expect("sendto");
    }
    // The thread names itself once it runs.
    wait_until("the scheduler to start", || scheduler_threads() == 1);
    drop(delayed);
    let got: Vec<u32> = (0..5).map(|_| recv_u32(&rx)).collect();
    assert_eq!(got, vec![0, 1, 2, 3, 4]);
    wait_until("the scheduler to end", || scheduler_threads() == 0);

    // A send whose socket closed before its time is counted, not sent.
    let (_rx2, to2, tx2) = pair();
    let mut orphan = Simulator::for_client(delay(100));
    orphan.send(&tx2, &payload(9), to2).expect("sendto");
    drop(tx2);
    wait_until("the late send to fail", || orphan.late_failures() == 1);
    drop(orphan);
    wait_until("the scheduler to end", || scheduler_threads() == 0);

    // Closing the socket ends the thread at once, not when the send is due.
    let (_rx3, to3, tx3) = pair();
    let mut long = Simulator::for_client(delay(udp_lab::net::sim::MAX_DELAY_MS));
    long.send(&tx3, &payload(3), to3).expect("sendto");
    let start = Instant::now();
    drop(tx3);
    drop(long);
    wait_until("the scheduler to end", || scheduler_threads() == 0);
    assert!(start.elapsed() < Duration::from_secs(2));
}
