//! `udp-lab server --tcp` and `udp-lab client --tcp` (issue 27): UDP Lab's
//! TCP workers without a window. Stdout carries the lines UDP Lab's TCP
//! programs print (the Code view's: "Server is listening on …", "Message
//! from client: …" per recv, "Response from server: …"); UDP Lab's own
//! remarks (connections, pieces and recvs) go to stderr in the CLI's
//! language.

use std::sync::Arc;
use std::time::Duration;

use udp_lab::lab::i18n::cli::C;
use udp_lab::lab::i18n::fill;
use udp_lab::net::{
    self, NetError, NetEvent, ReplyMode, TcpClientRequest, TcpEventKind, TcpServerConfig,
    TcpServerSettings, TcpSide,
};

use super::{lang, payload, say, signals, warn};

/// Refuses the simulator's knobs with --tcp or --http (`flag`): they act
/// on datagrams.
pub fn refuse_simulator(network: &net::Impairments, flag: &str) -> Result<(), String> {
    let n = network.normalized();
    let mut flags = Vec::new();
    for (on, flag) in [
        (n.loss_percent > 0.0, "--loss"),
        (n.delay_ms > 0, "--delay"),
        (n.jitter_ms > 0, "--jitter"),
        (n.duplicate_percent > 0.0, "--duplicate"),
        (n.reorder_percent > 0.0, "--reorder"),
    ] {
        if on {
            flags.push(flag);
        }
    }
    if flags.is_empty() {
        Ok(())
    } else {
        Err(fill(
            C::TcpNoSimulator.get(lang()),
            &[("flags", &flags.join(", ")), ("protocol", &flag)],
        ))
    }
}

pub struct ServerOpts<'a> {
    pub bind: &'a str,
    pub reply: ReplyMode,
    pub buffer: usize,
    pub backlog: u32,
    pub reuse_addr: bool,
    /// `--save FILE`: every event recorded, the file written at the end.
    pub recorder: Option<super::lesson::Recorder>,
}

/// Bytes read and sent on one connection, for its closing line.
#[derive(Default)]
struct ConnCount {
    peer: Option<std::net::SocketAddr>,
    read: u64,
    sent: u64,
}

pub fn server(opts: &ServerOpts) -> Result<(), NetError> {
    let bind = net::parse_addr(opts.bind, false)?;
    let (sink, queue) = super::channel();
    let sink = tee(&opts.recorder, sink);
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<Arc<net::TcpServerHandle>>();
    signals::catch(move || {
        if let Ok(handle) = stop_rx.recv() {
            handle.stop();
        }
    });
    let handle = Arc::new(net::spawn_tcp_server(
        TcpServerConfig {
            bind,
            backlog: opts.backlog,
            reuse_addr: opts.reuse_addr,
            settings: TcpServerSettings {
                reply: opts.reply.clone(),
                buffer: opts.buffer,
            },
        },
        sink,
    )?);
    let _ = stop_tx.send(handle.clone());
    let mut conns: std::collections::HashMap<u64, ConnCount> = Default::default();
    let mut failed = None;
    loop {
        let Some(NetEvent::Tcp(ev)) = queue.recv_timeout(Duration::from_secs(3600)) else {
            continue;
        };
        let printed = match ev.kind {
            TcpEventKind::Bound { addr } => {
                conns.entry(0).or_default().peer = Some(addr);
                Ok(())
            }
            TcpEventKind::Listening { .. } => match conns.get(&0).and_then(|c| c.peer) {
                Some(addr) => say(format_args!(
                    "Server is listening on {}",
                    net::describe_addr(&addr)
                )),
                None => Ok(()),
            },
            TcpEventKind::Accepted { peer, .. } => {
                conns.insert(
                    ev.conn,
                    ConnCount {
                        peer: Some(peer),
                        ..ConnCount::default()
                    },
                );
                warn(format_args!(
                    "{}",
                    fill(C::TcpConnectionFrom.get(lang()), &[("addr", &peer)])
                ))
            }
            TcpEventKind::Received { ref bytes, .. } if !bytes.is_empty() => {
                conns.entry(ev.conn).or_default().read += bytes.len() as u64;
                say(format_args!("Message from client: {}", payload(bytes)))
            }
            TcpEventKind::Sent { sent, .. } => {
                conns.entry(ev.conn).or_default().sent += sent as u64;
                Ok(())
            }
            TcpEventKind::Full { open } => warn(format_args!(
                "{}",
                fill(C::TcpServerFull.get(lang()), &[("open", &open)])
            )),
            TcpEventKind::BindFailed { error } => return Err(error),
            TcpEventKind::Failed { error } if ev.conn == 0 => {
                failed = Some(error);
                Ok(())
            }
            TcpEventKind::RecvFailed { error, .. }
            | TcpEventKind::SendFailed { error, .. }
            | TcpEventKind::Failed { error } => {
                warn(format_args!("udp-lab: {}", super::error_text(&error)))
            }
            TcpEventKind::Closed if ev.conn == 0 => break,
            TcpEventKind::Closed => match conns.remove(&ev.conn) {
                Some(ConnCount {
                    peer: Some(peer),
                    read,
                    sent,
                }) => warn(format_args!(
                    "{}",
                    fill(
                        C::TcpConnectionClosed.get(lang()),
                        &[("addr", &peer), ("read", &read), ("sent", &sent)]
                    )
                )),
                _ => Ok(()),
            },
            _ => Ok(()),
        };
        if printed.is_err() {
            // Nobody reads any more: end quietly, as the UDP server does.
            handle.stop();
        }
    }
    // `--save`: before a caught signal ends the process by itself.
    if let Some(recorder) = &opts.recorder {
        recorder.save();
    }
    match failed {
        Some(error) => Err(error),
        None => {
            signals::end_if_caught();
            Ok(())
        }
    }
}

pub struct ClientOpts {
    pub to: String,
    pub message: Vec<u8>,
    pub timeout: Duration,
    pub buffer: usize,
    pub pieces: u32,
    pub piece_delay: Duration,
    pub shutdown: bool,
    /// `--save FILE`: every event recorded, the file written at the end.
    pub recorder: Option<super::lesson::Recorder>,
}

pub fn client(opts: &ClientOpts) -> Result<(), NetError> {
    let target = net::parse_addr(&opts.to, true)?;
    let mut req = TcpClientRequest::new(1, target, Arc::from(opts.message.as_slice()));
    req.timeout = opts.timeout;
    req.buffer = opts.buffer;
    req.pieces = opts.pieces;
    req.piece_delay = opts.piece_delay;
    req.shutdown_write = opts.shutdown;
    let (sink, queue) = super::channel();
    let handle = net::spawn_tcp_client(req, tee(&opts.recorder, sink))?;
    let mut response = Vec::new();
    let (mut sends, mut recvs) = (Vec::new(), Vec::new());
    let mut timed_out = None;
    let mut error = None;
    while let Some(NetEvent::Tcp(ev)) = queue.recv_timeout(opts.timeout + Duration::from_secs(60)) {
        if !matches!(ev.side, TcpSide::Client(_)) {
            continue;
        }
        match ev.kind {
            TcpEventKind::Sent { sent, .. } => sends.push(sent),
            TcpEventKind::Received { bytes, .. } if !bytes.is_empty() => {
                recvs.push(bytes.len());
                response.extend_from_slice(&bytes);
            }
            TcpEventKind::RecvTimedOut { after, .. } => timed_out = Some(after),
            TcpEventKind::ConnectFailed { error: e, .. }
            | TcpEventKind::SendFailed { error: e, .. }
            | TcpEventKind::RecvFailed { error: e, .. }
            | TcpEventKind::Failed { error: e } => error = Some(e),
            TcpEventKind::Closed => break,
            _ => {}
        }
    }
    handle.join();
    if let Some(recorder) = &opts.recorder {
        recorder.save();
    }
    let sizes = |v: &[usize]| {
        v.iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(" + ")
    };
    // What the pieces became: the lesson of --pieces.
    if opts.pieces > 1 && !sends.is_empty() {
        let _ = warn(format_args!(
            "{}",
            fill(
                C::TcpSentPieces.get(lang()),
                &[("n", &sends.len()), ("sizes", &sizes(&sends))]
            )
        ));
    }
    if let Some(e) = error
        && response.is_empty()
    {
        return Err(e);
    }
    if let Some(after) = timed_out {
        let _ = say(format_args!(
            "The server did not close the connection within {}",
            net::fmt_secs(after)
        ));
    }
    if response.is_empty() {
        return Err(NetError::TimedOut {
            after: opts.timeout,
        });
    }
    let _ = say(format_args!("Response from server: {}", payload(&response)));
    if recvs.len() > 1 || opts.pieces > 1 {
        let _ = warn(format_args!(
            "{}",
            fill(
                C::TcpReadAs.get(lang()),
                &[("n", &recvs.len()), ("sizes", &sizes(&recvs))]
            )
        ));
    }
    Ok(())
}

/// `sink`, recording every event on its way when `--save` asked for it.
fn tee(
    recorder: &Option<super::lesson::Recorder>,
    sink: net::EventSink<NetEvent>,
) -> net::EventSink<NetEvent> {
    match recorder {
        Some(recorder) => recorder.tee(sink),
        None => sink,
    }
}
