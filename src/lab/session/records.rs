//! What the session records: each socket call (with its handout step) and
//! each datagram that crossed, with its addresses, bytes and fate.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Server,
    Client,
    /// A student's script UDP Lab traces (issue 14): its run.
    Script(ScriptId),
}

/// One socket call, with its real arguments and result.
#[derive(Clone, Debug, PartialEq)]
pub enum Call {
    Socket {
        family: Family,
    },
    Bind {
        addr: SocketAddr,
    },
    BindFailed {
        error: NetError,
    },
    RecvFrom {
        buffer: usize,
        read: usize,
        len: usize,
        from: SocketAddr,
        truncated: bool,
    },
    RecvTimedOut {
        buffer: usize,
        after: Duration,
    },
    RecvFailed {
        buffer: usize,
        error: NetError,
    },
    SendTo {
        len: usize,
        to: SocketAddr,
        /// What the network simulator did to it.
        sim: SimFate,
    },
    SendFailed {
        len: usize,
        to: SocketAddr,
        error: NetError,
    },
    /// The reply rate limit held a reply back (no sendto happened).
    ReplySuppressed {
        to: SocketAddr,
    },
    Close,
    /// `setsockopt` for broadcast or multicast (issue 15): SO_BROADCAST,
    /// IP_MULTICAST_TTL, IP_ADD_MEMBERSHIP, …
    SetSockOpt {
        level: &'static str,
        name: &'static str,
        value: String,
    },
    /// A TCP socket's call (issue 27), stepped by UDP Lab's TCP programs.
    Tcp(TcpCall),
}

impl Call {
    /// The step of the lab's handout (/work/shared/lab) this call is, or
    /// None for a call the lab's programs never make. The handout numbers
    /// the lines of each program, not only the socket calls:
    /// server 1 import, 2 main(), 3 IP and port, 4 socket, 5 bind,
    /// 6 print "listening", 7 recvfrom, 8 print, 9 build the answer,
    /// 10 sendto; client 1 import, 2 main(), 3 server's IP and port,
    /// 4 message, 5 socket, 6 sendto, 7 recvfrom, 8 print, 9 close.
    pub fn lab_step(&self, side: Side) -> Option<u8> {
        match (side, self) {
            (Side::Server, Call::Socket { .. }) => Some(4),
            (Side::Server, Call::Bind { .. } | Call::BindFailed { .. }) => Some(5),
            (
                Side::Server,
                Call::RecvFrom { .. } | Call::RecvTimedOut { .. } | Call::RecvFailed { .. },
            ) => Some(7),
            (Side::Server, Call::SendTo { .. } | Call::SendFailed { .. }) => Some(10),
            // The lab's server loops forever: it never closes; and a reply
            // the rate limit held back is no sendto at all.
            (Side::Server, Call::Close | Call::ReplySuppressed { .. }) => None,
            (Side::Client, Call::Socket { .. }) => Some(5),
            (Side::Client, Call::SendTo { .. } | Call::SendFailed { .. }) => Some(6),
            // A recvfrom that gave up is still the lab's recvfrom (step 7);
            // only the timeout itself is UDP Lab's (the hint says so).
            (
                Side::Client,
                Call::RecvFrom { .. } | Call::RecvTimedOut { .. } | Call::RecvFailed { .. },
            ) => Some(7),
            (Side::Client, Call::Close) => Some(9),
            // The lab's client never binds (sendto picks its port).
            (
                Side::Client,
                Call::Bind { .. } | Call::BindFailed { .. } | Call::ReplySuppressed { .. },
            ) => None,
            // The lab's programs set no socket options.
            (_, Call::SetSockOpt { .. }) => None,
            (side, Call::Tcp(c)) => c.lab_step(side),
            // Which program a script's socket plays is the row's to say
            // (see [`TraceRow::lab_step`]).
            (Side::Script(_), _) => None,
        }
    }

    /// Whether the call failed or gave up (drawn in the error colour).
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            Call::BindFailed { .. }
                | Call::RecvFailed { .. }
                | Call::SendFailed { .. }
                | Call::RecvTimedOut { .. }
        ) || matches!(self, Call::Tcp(c) if c.is_error())
    }

    /// Whether this is a TCP socket's call.
    pub fn is_tcp(&self) -> bool {
        matches!(self, Call::Tcp(_))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TraceRow {
    /// The order rows were recorded in (never reused, not their time
    /// order): names the row for the time cursor while rows are inserted
    /// before it or dropped from the front.
    pub seq: u64,
    pub at: SystemTime,
    pub side: Side,
    /// The client operation (Send or burst) this belongs to; 0 for the server.
    pub op: u64,
    pub call: Call,
    /// The datagram this call sent or read, if any.
    pub datagram: Option<u64>,
    /// A script's call: its socket, file:line and the program it plays.
    pub script: Option<ScriptCall>,
    /// A TCP call's connection and the bytes of its stream it moved.
    pub stream: Option<crate::lab::stream::StreamLink>,
    /// Issue 28: a call of UDP Lab's web server (its steps are those of
    /// webserver.py, not of the TCP server).
    pub web: bool,
}

impl TraceRow {
    /// Which of the lab's programs this call is a step of: UDP Lab's own
    /// sides are theirs; a script's socket plays the server once bound,
    /// the client when it sends unbound (unknown before either).
    pub fn lab_side(&self) -> Option<Side> {
        match self.side {
            Side::Script(_) => self.script.as_ref().and_then(|s| s.plays),
            side => Some(side),
        }
    }

    /// The handout's step this call is, for a script's call too.
    pub fn lab_step(&self) -> Option<u8> {
        match &self.call {
            Call::Tcp(c) if self.web => c.web_step(),
            call => call.lab_step(self.lab_side()?),
        }
    }
}

/// Where a script's call was made and what its socket is.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptCall {
    /// The script's socket, numbered from 1 as the tracer counts them.
    pub sock: u32,
    /// The file (as Python knows it) and the line.
    pub site: Option<(Arc<str>, u32)>,
    /// [`Side::Server`] or [`Side::Client`]: the lab program the socket
    /// plays, once its calls tell.
    pub plays: Option<Side>,
}

/// Which way a datagram goes in the lab's exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Request,
    Reply,
}

/// One datagram, seen from one or both ends.
#[derive(Clone, Debug, PartialEq)]
pub struct DatagramRecord {
    pub id: u64,
    pub direction: Direction,
    pub from: SocketAddr,
    pub to: SocketAddr,
    /// The payload as sent, or as read when UDP Lab only received it
    /// (then possibly truncated to the buffer).
    pub bytes: Arc<[u8]>,
    /// The payload's real length.
    pub len: usize,
    /// The receiver's buffer was too small: it read only `read` bytes.
    pub truncated: Option<Truncation>,
    pub sent_at: Option<SystemTime>,
    pub received_at: Option<SystemTime>,
    /// Client operation and sequence number for requests UDP Lab sent.
    pub client: Option<(u64, u32)>,
    /// No answer came: the client gave up at this time.
    pub gave_up_at: Option<SystemTime>,
    /// What the network simulator did to it (default: nothing).
    pub sim: SimFate,
    /// The traced script that sent it / read it, when one did.
    pub sender_script: Option<ScriptId>,
    pub receiver_script: Option<ScriptId>,
    /// Its header as a capture file recorded it (None for what UDP Lab saw
    /// through its sockets, whose header the anatomy computes).
    pub captured: Option<CapturedUdp>,
}

/// A datagram's UDP and IP header fields as captured on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapturedUdp {
    pub src_port: u16,
    pub dst_port: u16,
    /// The UDP length field (8 + payload).
    pub length: u16,
    pub checksum: u16,
    /// What the checksum should be for these bytes.
    pub checksum_expected: u16,
    /// Whether the checksum is right: None when it was not computed (0 over
    /// IPv4), the capture holds only part of the payload, or it is the
    /// partial sum a sender with checksum offload leaves for its network
    /// card (see `offloaded`).
    pub checksum_ok: Option<bool>,
    /// The field holds only the pseudo header's sum: the capture saw the
    /// datagram before the network card (or the loopback driver, which
    /// never needs it) filled it in.
    pub offloaded: bool,
    /// IPv4 TTL or IPv6 hop limit.
    pub hop_limit: u8,
    /// IPv4 identification (for fragments), None over IPv6 unless it was
    /// fragmented.
    pub ip_ident: Option<u32>,
    /// How many IP fragments it came in (1: not fragmented).
    pub fragments: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Truncation {
    pub read: usize,
    pub buffer: usize,
}
