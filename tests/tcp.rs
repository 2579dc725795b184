//! UDP Lab's TCP server and client (issue 27) against real peers on
//! loopback: python3 scripts in the handout's style written here, `nc -l`
//! and `socat`, and plain std sockets. Every port is ephemeral. The
//! coalescing and splitting cases are made deterministic by delays (a peer
//! sleeps before its recv), never asserted on timing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{BIN, Running, WAIT, exclusive, have, shared};
use udp_lab::lab::i18n::{Lang, net_error, tcp_call_text};
use udp_lab::lab::session::{Call, Session, Side, StreamCall, TcpCall};
use udp_lab::lab::stream::{EndKey, Way};
use udp_lab::net::{
    EventQueue, EventSink, NetError, NetEvent, ReplyMode, TcpClientRequest, TcpEvent, TcpEventKind,
    TcpServerConfig, TcpServerHandle, TcpSide, event_channel, parse_addr, spawn_tcp_client,
    spawn_tcp_server,
};

fn channel() -> (EventSink<NetEvent>, EventQueue<NetEvent>) {
    event_channel(100_000, Arc::new(|| {}))
}

fn request(op: u64, to: SocketAddr, message: &[u8]) -> TcpClientRequest {
    let target = parse_addr(&to.to_string(), true).expect("target");
    TcpClientRequest::new(op, target, Arc::from(message))
}

/// TCP events until `done` returns true for one (returned with all before
/// it), or a generous wait passes (then the caller's checks fail).
fn events_until(queue: &EventQueue<NetEvent>, done: impl Fn(&TcpEvent) -> bool) -> Vec<TcpEvent> {
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Some(NetEvent::Tcp(ev)) = queue.recv_timeout(Duration::from_millis(100)) {
            let end = done(&ev);
            got.push(ev);
            if end {
                break;
            }
        }
    }
    got
}

fn client_closed(ev: &TcpEvent) -> bool {
    matches!(ev.side, TcpSide::Client(_)) && ev.kind == TcpEventKind::Closed
}

/// Received bytes of one side, each recv's.
fn reads(events: &[TcpEvent], client: bool) -> Vec<Vec<u8>> {
    events
        .iter()
        .filter(|e| matches!(e.side, TcpSide::Client(_)) == client)
        .filter_map(|e| match &e.kind {
            TcpEventKind::Received { bytes, .. } => Some(bytes.to_vec()),
            _ => None,
        })
        .collect()
}

/// Starts UDP Lab's TCP server on 127.0.0.1:0; returns it and its port.
fn start_server(
    reply: ReplyMode,
    sink: EventSink<NetEvent>,
    queue: &EventQueue<NetEvent>,
) -> (TcpServerHandle, SocketAddr) {
    let mut config = TcpServerConfig::new(parse_addr("127.0.0.1:0", false).expect("addr"));
    config.settings.reply = reply;
    let server = spawn_tcp_server(config, sink).expect("spawn");
    let events = events_until(queue, |e| {
        matches!(
            e.kind,
            TcpEventKind::Listening { .. } | TcpEventKind::BindFailed { .. }
        )
    });
    let addr = events
        .iter()
        .find_map(|e| match e.kind {
            TcpEventKind::Bound { addr } => Some(addr),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the server should bind: {events:?}"));
    (server, addr)
}

/// A python3 program given on the command line; its first stdout line (the
/// port it listens on, for servers) is read before returning.
fn python(
    source: &str,
    args: &[&str],
) -> (
    Running,
    std::io::BufReader<std::process::ChildStdout>,
    String,
) {
    common::spawn_reading_first_line(
        Command::new("python3")
            .arg("-c")
            .arg(source)
            .args(args)
            .stderr(Stdio::inherit()),
    )
}

/// The handout's style, over TCP: bind, listen, accept; this one sleeps
/// before its one recv so the client's pieces are all there by then.
const SLEEPY_SERVER: &str = r#"
import socket, sys, time
server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server_socket.bind(("127.0.0.1", 0))
server_socket.listen(5)
print(server_socket.getsockname()[1])
sys.stdout.flush()
conn, client_address = server_socket.accept()
time.sleep(0.3)
data = conn.recv(1024)
print("Message from client:", data.decode("utf-8", "replace"))
print(len(data))
sys.stdout.flush()
conn.sendall(b"Hello, client")
conn.close()
server_socket.close()
"#;

#[test]
fn three_pieces_arrive_in_one_recv_of_a_python_server() {
    let _g = shared();
    if !have("python3") {
        return println!("SKIPPED three_pieces_arrive_in_one_recv_of_a_python_server: no python3");
    }
    let (_py, mut out, port) = python(SLEEPY_SERVER, &[]);
    let port: u16 = port.trim().parse().expect("port");
    let (sink, queue) = channel();
    let mut req = request(
        1,
        SocketAddr::from(([127, 0, 0, 1], port)),
        b"Hello, server",
    );
    req.pieces = 3;
    req.piece_delay = Duration::from_millis(20);
    let client = spawn_tcp_client(req, sink).expect("spawn");
    let events = events_until(&queue, client_closed);
    client.join();
    let mut lines = String::new();
    out.read_to_string(&mut lines).expect("python's output");
    assert_eq!(
        lines, "Message from client: Hello, server\n13\n",
        "one recv got all three sends"
    );
    let sent: Vec<usize> = events
        .iter()
        .filter_map(|e| match e.kind {
            TcpEventKind::Sent { sent, .. } => Some(sent),
            _ => None,
        })
        .collect();
    assert_eq!(sent, [4, 4, 5], "three sendalls");
    assert_eq!(
        reads(&events, true),
        [b"Hello, client".to_vec(), Vec::new()],
        "the answer, then b'' when python closed"
    );
}

/// The session (the model the diagram and the stream anatomy draw): UDP
/// Lab's client sends 3 pieces, the peer's one recv is recorded through
/// the entry point a traced script's calls use — one recv spanning three
/// sends.
#[test]
fn the_session_shows_one_recv_spanning_three_sends() {
    let _g = shared();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let peer = std::thread::spawn(move || {
        let (mut conn, from) = listener.accept().expect("accept");
        std::thread::sleep(Duration::from_millis(300));
        let mut buf = [0u8; 1024];
        let n = conn.read(&mut buf).expect("recv");
        conn.write_all(b"Hello, client").expect("send");
        (buf[..n].to_vec(), from)
    });
    let (sink, queue) = channel();
    let mut req = request(5, addr, b"Hello, server");
    req.pieces = 3;
    req.piece_delay = Duration::from_millis(20);
    let client = spawn_tcp_client(req, sink).expect("spawn");
    let events = events_until(&queue, client_closed);
    client.join();
    let (read, from) = peer.join().expect("peer");
    let mut session = Session::default();
    for ev in &events {
        session.record(&NetEvent::Tcp(ev.clone()));
    }
    // The peer's calls, as the tracer reports a script's.
    let end = EndKey::Script { run: 1, sock: 2 };
    let at = events[1].at;
    session.record_stream_call(StreamCall {
        at,
        side: Side::Script(1),
        op: 0,
        end: Some(end),
        call: TcpCall::Accept {
            peer: from,
            sock: 2,
        },
        addrs: Some((addr, from)),
        bytes: &[],
        script: None,
    });
    let seq = session.record_stream_call(StreamCall {
        at: events.last().expect("events").at,
        side: Side::Script(1),
        op: 0,
        end: Some(end),
        call: TcpCall::Recv {
            buffer: 1024,
            read: read.len(),
        },
        addrs: None,
        bytes: &read,
        script: None,
    });
    assert_eq!(session.streams.list.len(), 1, "both ends joined");
    let up = session.streams.list[0].way(Way::Up);
    assert_eq!(up.sends.len(), 3);
    assert_eq!(up.recvs.len(), 1);
    let recv = up.recvs[0];
    assert_eq!((recv.offset, recv.len, recv.seq), (0, 13, seq));
    assert_eq!(
        up.sends_of(&recv).count(),
        3,
        "one recv spanning three sends"
    );
    assert!(up.sends.iter().all(|s| up.recvs_of(s).count() == 1));
    assert_eq!(up.slice(recv.offset, recv.len), b"Hello, server");
    let row = session
        .trace
        .iter()
        .find(|r| r.seq == seq)
        .expect("the recv's row");
    assert_eq!(row.stream.map(|l| (l.way, l.len)), Some((Way::Up, 13)));
}

/// A server that answers in two sends before the client reads: the
/// client's one recv gets both (the client reaches recv after its second
/// piece, 300 ms later).
#[test]
fn a_python_server_answering_in_two_sends_is_read_by_one_recv() {
    let _g = shared();
    if !have("python3") {
        return println!(
            "SKIPPED a_python_server_answering_in_two_sends_is_read_by_one_recv: no python3"
        );
    }
    let source = r#"
import socket, sys
server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server_socket.bind(("127.0.0.1", 0))
server_socket.listen(5)
print(server_socket.getsockname()[1])
sys.stdout.flush()
conn, client_address = server_socket.accept()
conn.sendall(b"Hello, ")
conn.sendall(b"client")
while True:
    data = conn.recv(1024)
    if not data:
        break
conn.close()
"#;
    let (_py, _out, port) = python(source, &[]);
    let port: u16 = port.trim().parse().expect("port");
    let (sink, queue) = channel();
    let mut req = request(2, SocketAddr::from(([127, 0, 0, 1], port)), b"ab");
    req.pieces = 2;
    req.piece_delay = Duration::from_millis(300);
    req.shutdown_write = true;
    let client = spawn_tcp_client(req, sink).expect("spawn");
    let events = events_until(&queue, client_closed);
    client.join();
    assert_eq!(
        reads(&events, true),
        [b"Hello, client".to_vec(), Vec::new()],
        "two sends, one recv; then b''"
    );
    assert!(events.iter().any(|e| e.kind
        == TcpEventKind::Shutdown {
            how: udp_lab::net::Shut::Write
        }));
}

/// `nc -l` sends its stdin and shuts its side at EOF (-N): the client
/// reads the text, then b''.
#[test]
fn nc_closing_gives_the_client_b_empty() {
    let _g = shared();
    if !have("nc") {
        return println!("SKIPPED nc_closing_gives_the_client_b_empty: no nc");
    }
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let mut nc = Running(
        Command::new("nc")
            .args(["-N", "-l", "127.0.0.1", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("nc"),
    );
    let mut stdin = nc.0.stdin.take().expect("stdin");
    // nc listens once it runs: connect until it does (refused before).
    let (sink, queue) = channel();
    let deadline = Instant::now() + WAIT;
    let events = loop {
        let client = spawn_tcp_client(
            request(
                3,
                SocketAddr::from(([127, 0, 0, 1], port)),
                b"Hello, server",
            ),
            sink.clone(),
        )
        .expect("spawn");
        let connected = events_until(&queue, |e| {
            matches!(
                e.kind,
                TcpEventKind::Connected { .. } | TcpEventKind::ConnectFailed { .. }
            )
        });
        if connected
            .iter()
            .any(|e| matches!(e.kind, TcpEventKind::Connected { .. }))
        {
            stdin.write_all(b"Hello, client").expect("nc's stdin");
            drop(stdin);
            let rest = events_until(&queue, client_closed);
            client.join();
            break [connected, rest].concat();
        }
        client.join();
        events_until(&queue, client_closed);
        assert!(Instant::now() < deadline, "nc never listened");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut heard = String::new();
    nc.0.stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut heard)
        .expect("nc's output");
    assert_eq!(heard, "Hello, server");
    let got = reads(&events, true);
    assert_eq!(got.concat(), b"Hello, client");
    assert_eq!(got.last(), Some(&Vec::new()), "b'' last: {got:?}");
    let mut session = Session::default();
    for ev in events {
        session.record(&NetEvent::Tcp(ev));
    }
    assert!(session.trace.iter().any(|r| {
        matches!(&r.call, Call::Tcp(c @ TcpCall::RecvEof { .. })
            if tcp_call_text(Lang::En, c) == "recv(1024) → b'' (the peer closed)")
    }));
}

/// socat as the client of UDP Lab's echo server: it sends, shuts down its
/// side at EOF, and prints what came back; the server reads b'' and closes.
#[test]
fn socat_talks_to_udp_labs_echo_server() {
    let _g = shared();
    if !have("socat") {
        return println!("SKIPPED socat_talks_to_udp_labs_echo_server: no socat");
    }
    let (sink, queue) = channel();
    let (server, addr) = start_server(ReplyMode::Echo, sink, &queue);
    let mut socat = Command::new("socat")
        .args(["-t", "5", "-", &format!("TCP:{addr}")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("socat");
    socat
        .stdin
        .take()
        .expect("stdin")
        .write_all("Привет, server".as_bytes())
        .expect("write");
    let out = socat.wait_with_output().expect("socat ends");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Привет, server");
    let events = events_until(&queue, |e| e.conn == 1 && e.kind == TcpEventKind::Closed);
    server.join();
    let got = reads(&events, false);
    assert_eq!(got.concat(), "Привет, server".as_bytes());
    assert_eq!(
        got.last(),
        Some(&Vec::new()),
        "the server read b'': {got:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, TcpEventKind::Accepted { .. }))
    );
}

/// A python client in the handout's style gets UDP Lab's fixed answer.
#[test]
fn a_python_client_gets_the_fixed_answer() {
    let _g = shared();
    if !have("python3") {
        return println!("SKIPPED a_python_client_gets_the_fixed_answer: no python3");
    }
    let (sink, queue) = channel();
    let (server, addr) = start_server(
        ReplyMode::Fixed(Arc::from(&b"Hello, client"[..])),
        sink,
        &queue,
    );
    let source = r#"
import socket, sys
client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client_socket.connect(("127.0.0.1", int(sys.argv[1])))
client_socket.sendall(b"Hello, server")
data = client_socket.recv(1024)
print("Response from server:", data.decode("utf-8"))
client_socket.close()
"#;
    let (_py, _out, line) = python(source, &[&addr.port().to_string()]);
    assert_eq!(line.trim(), "Response from server: Hello, client");
    let events = events_until(&queue, |e| e.conn == 1 && e.kind == TcpEventKind::Closed);
    server.join();
    assert_eq!(
        reads(&events, false),
        [b"Hello, server".to_vec(), Vec::new()]
    );
}

/// Nothing listens: the kernel answers the SYN with an RST — refused, and
/// said so (not ICMP, unlike UDP).
#[test]
fn a_closed_port_refuses_with_an_rst() {
    let _g = shared();
    let addr = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let (sink, queue) = channel();
    let client = spawn_tcp_client(request(4, addr, b"x"), sink).expect("spawn");
    let events = events_until(&queue, client_closed);
    client.join();
    let error = events
        .iter()
        .find_map(|e| match &e.kind {
            TcpEventKind::ConnectFailed { error, .. } => Some(error.clone()),
            _ => None,
        })
        .expect("connect failed");
    assert_eq!(error, NetError::Refused { addr });
    assert!(error.to_string().contains("RST, not ICMP"), "{error}");
    assert!(net_error(Lang::Ru, &error).contains("RST"));
}

/// Runs UDP Lab's echo server (`reuse`: with SO_REUSEADDR) with one
/// connection open and stops it: the server closes first, so once the peer
/// has closed too its side is in TIME_WAIT. Returns the port's address.
fn leave_time_wait(
    reuse: bool,
    sink: &EventSink<NetEvent>,
    queue: &EventQueue<NetEvent>,
) -> SocketAddr {
    let mut config = TcpServerConfig::new(parse_addr("127.0.0.1:0", false).expect("addr"));
    config.settings.reply = ReplyMode::Echo;
    config.reuse_addr = reuse;
    let server = spawn_tcp_server(config, sink.clone()).expect("spawn");
    let events = events_until(queue, |e| matches!(e.kind, TcpEventKind::Listening { .. }));
    let addr = events
        .iter()
        .find_map(|e| match e.kind {
            TcpEventKind::Bound { addr } => Some(addr),
            _ => None,
        })
        .expect("bound");
    let mut peer = TcpStream::connect(addr).expect("connect");
    peer.write_all(b"ping").expect("send");
    let mut buf = [0u8; 4];
    peer.read_exact(&mut buf).expect("echo");
    server.join();
    let mut rest = Vec::new();
    let _ = peer.read_to_end(&mut rest);
    drop(peer);
    events_until(queue, |e| e.conn == 0 && e.kind == TcpEventKind::Closed);
    let deadline = Instant::now() + WAIT;
    while !udp_lab::net::ports::tcp_port_states(addr.port())
        .contains(&udp_lab::net::ports::TCP_TIME_WAIT)
    {
        assert!(Instant::now() < deadline, "no TIME_WAIT on {addr}");
        std::thread::sleep(Duration::from_millis(10));
    }
    addr
}

/// Starts a server at `addr` and says how bind went.
fn restart(
    addr: SocketAddr,
    reuse: bool,
    sink: &EventSink<NetEvent>,
    queue: &EventQueue<NetEvent>,
) -> Option<TcpEventKind> {
    let mut config = TcpServerConfig::new(parse_addr(&addr.to_string(), false).expect("addr"));
    config.reuse_addr = reuse;
    let server = spawn_tcp_server(config, sink.clone()).expect("spawn");
    let events = events_until(queue, |e| {
        e.conn == 0
            && matches!(
                e.kind,
                TcpEventKind::Listening { .. } | TcpEventKind::BindFailed { .. }
            )
    });
    server.join();
    events_until(queue, |e| e.conn == 0 && e.kind == TcpEventKind::Closed);
    events.last().map(|e| e.kind.clone())
}

/// A server that closed a connection first leaves it in TIME_WAIT: a
/// restart without SO_REUSEADDR fails, said so; with it (on both runs, as
/// Linux wants) it listens. A first run without it holds the port even
/// against a restart with it — said so too.
#[test]
fn a_restart_in_time_wait_needs_so_reuseaddr() {
    let _g = shared();
    if !cfg!(target_os = "linux") {
        return println!("SKIPPED a_restart_in_time_wait_needs_so_reuseaddr: reads /proc/net/tcp");
    }
    let (sink, queue) = channel();
    let addr = leave_time_wait(true, &sink, &queue);
    assert_eq!(
        restart(addr, false, &sink, &queue),
        Some(TcpEventKind::BindFailed {
            error: NetError::TimeWait { addr, reuse: false }
        })
    );
    let text = net_error(Lang::En, &NetError::TimeWait { addr, reuse: false });
    assert!(
        text.contains("TIME_WAIT") && text.contains("SO_REUSEADDR"),
        "{text}"
    );
    let with = restart(addr, true, &sink, &queue);
    assert!(
        matches!(with, Some(TcpEventKind::Listening { .. })),
        "{with:?}"
    );

    let addr = leave_time_wait(false, &sink, &queue);
    assert_eq!(
        restart(addr, true, &sink, &queue),
        Some(TcpEventKind::BindFailed {
            error: NetError::TimeWait { addr, reuse: true }
        }),
        "Linux: the TIME_WAIT socket of a run without SO_REUSEADDR still holds the port"
    );
}

/// 1 000 connections opened and closed leave no thread or descriptor of
/// UDP Lab's behind, and every one was answered.
#[test]
fn a_thousand_connections_leave_nothing_behind() {
    let _g = exclusive();
    let count = |path: &str| std::fs::read_dir(path).map_or(0, |d| d.count());
    let (threads, fds) = (common::udp_lab_threads(), count("/proc/self/fd"));
    let (sink, queue) = channel();
    let (server, addr) = start_server(ReplyMode::Echo, sink, &queue);
    for i in 0..1000u32 {
        let mut s = TcpStream::connect(addr).expect("connect");
        let msg = i.to_string();
        s.write_all(msg.as_bytes()).expect("send");
        let mut back = vec![0u8; msg.len()];
        s.read_exact(&mut back).expect("echo");
        assert_eq!(back, msg.as_bytes());
    }
    assert_eq!(server.accepted(), 1000);
    server.join();
    // Joined threads may linger in /proc for a moment.
    let deadline = Instant::now() + WAIT;
    loop {
        let (t, f) = (common::udp_lab_threads(), count("/proc/self/fd"));
        if t <= threads && f <= fds {
            println!("threads {threads} -> {t}, fds {fds} -> {f}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "left behind: threads {threads} -> {t}, fds {fds} -> {f}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(queue);
}

/// A peer that sends and never reads fills the server's send buffer: that
/// connection's sendall waits, another client is still answered, and Stop
/// still ends the server.
#[test]
fn a_peer_that_never_reads_blocks_nothing() {
    let _g = shared();
    let (sink, queue) = channel();
    let (server, addr) = start_server(ReplyMode::Echo, sink.clone(), &queue);
    let hog = TcpStream::connect(addr).expect("connect");
    hog.set_write_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    let chunk = vec![b'x'; 64 * 1024];
    let mut pushed = 0usize;
    // Until the kernel's buffers both ways are full: the server blocks in
    // sendall (the hog never reads), so it stops reading too.
    while (&hog).write(&chunk).map(|n| pushed += n).is_ok() {
        assert!(pushed < 1 << 30, "the buffers never filled");
    }
    let client = spawn_tcp_client(request(6, addr, b"still there?"), sink).expect("spawn");
    let events = events_until(&queue, client_closed);
    client.join();
    let answer: Vec<u8> = reads(&events, true).concat();
    assert_eq!(answer, b"still there?");
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        server.join();
        let _ = done_tx.send(());
    });
    assert!(
        done_rx.recv_timeout(Duration::from_secs(30)).is_ok(),
        "Stop did not end the server while a peer would not read"
    );
    drop(hog);
}

/// The CLI: `server --tcp` and `client --tcp --pieces` against each other;
/// the simulator's knobs refused with --tcp.
#[test]
fn the_cli_speaks_tcp() {
    let _g = shared();
    let (server, mut out, line) = common::spawn_reading_first_line(
        Command::new(BIN)
            .args([
                "server",
                "--tcp",
                "--bind",
                "127.0.0.1:0",
                "--reply",
                "Hello, client",
            ])
            .stderr(Stdio::null()),
    );
    let port = common::listening_port(&line);
    let client = Command::new(BIN)
        .args(["client", "--tcp", "--to", &format!("127.0.0.1:{port}")])
        .args([
            "--pieces",
            "3",
            "--piece-delay",
            "50",
            "--shutdown",
            "Hello, server",
        ])
        .output()
        .expect("client");
    assert!(client.status.success(), "{client:?}");
    // Each of the server's reads is answered: three pieces read apart,
    // three answers (read as the client's recvs happen to find them).
    let stdout = String::from_utf8_lossy(&client.stdout);
    let reads = stdout.matches("Hello, client").count();
    assert!(
        stdout.starts_with("Response from server: Hello, client") && (1..=3).contains(&reads),
        "{client:?}"
    );
    let err = String::from_utf8_lossy(&client.stderr);
    assert!(err.contains("sent 3 pieces: 4 + 4 + 5 bytes"), "{err}");
    let mut first = String::new();
    out.read_line(&mut first).expect("server line");
    assert!(first.starts_with("Message from client: "), "{first:?}");
    drop(server);
    let refused = Command::new(BIN)
        .args(["--lang", "ru", "client", "--tcp", "--loss", "10"])
        .output()
        .expect("client");
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("--tcp") && err.contains("--loss") && err.contains("ядро"),
        "{err}"
    );
}

/// A listener whose accept queue is full drops new SYNs (Linux): connect
/// gets no answer and gives up after its timeout, said so.
#[test]
fn a_connect_without_an_answer_times_out() {
    let _g = shared();
    if !cfg!(target_os = "linux") {
        return println!(
            "SKIPPED a_connect_without_an_answer_times_out: Linux drops SYNs to a full queue"
        );
    }
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    listener
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .expect("bind");
    listener.listen(0).expect("listen");
    let addr = listener
        .local_addr()
        .expect("addr")
        .as_socket()
        .expect("ip");
    // Never accepted: fill the queue until a connect goes unanswered.
    let mut held = Vec::new();
    let full =
        (0..64).any(
            |_| match TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
                Ok(s) => {
                    held.push(s);
                    false
                }
                Err(_) => true,
            },
        );
    assert!(full, "the accept queue never filled");
    let (sink, queue) = channel();
    let mut req = request(8, addr, b"x");
    req.connect_timeout = Duration::from_millis(300);
    let client = spawn_tcp_client(req, sink).expect("spawn");
    let events = events_until(&queue, client_closed);
    client.join();
    let error = events.iter().find_map(|e| match &e.kind {
        TcpEventKind::ConnectFailed { error, .. } => Some(error.clone()),
        _ => None,
    });
    assert_eq!(
        error,
        Some(NetError::ConnectTimedOut {
            addr,
            after: Duration::from_millis(300)
        })
    );
    drop(held);
}

/// A peer that closes with our bytes unread sends an RST: the client's
/// recv fails with "reset", said so.
#[test]
fn a_peer_closing_with_unread_data_resets_the_connection() {
    let _g = shared();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let peer = std::thread::spawn(move || {
        let (conn, _) = listener.accept().expect("accept");
        // Wait until the client's bytes are there, then close unread.
        let mut one = [0u8; 1];
        conn.peek(&mut one).expect("peek");
        drop(conn);
    });
    let (sink, queue) = channel();
    let client = spawn_tcp_client(request(9, addr, b"Hello, server"), sink).expect("spawn");
    let events = events_until(&queue, client_closed);
    client.join();
    peer.join().expect("peer");
    let error = events.iter().find_map(|e| match &e.kind {
        TcpEventKind::RecvFailed { error, .. } => Some(error.clone()),
        _ => None,
    });
    assert_eq!(error, Some(NetError::Reset { addr }), "{events:?}");
    let mut session = Session::default();
    for ev in events {
        session.record(&NetEvent::Tcp(ev));
    }
    assert!(session.streams.list[0].reset);
    assert!(net_error(Lang::Ru, &NetError::Reset { addr }).contains("RST"));
}
