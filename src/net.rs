//! The socket layer. It knows nothing of the UI: sockets live on `std::thread`
//! workers, which report [`NetEvent`]s over a bounded channel and wake whoever
//! listens through a callback.

mod addr;
mod batch;
mod client;
mod error;
mod find;
mod holder;
pub mod http;
// "This computer" (the window) lists them; the CLI and fuzz targets need not.
#[cfg(feature = "gui")]
mod interfaces;
pub mod ports;
mod script;
mod serde_with;
mod server;
pub mod sim;
mod sink;
mod sock;
pub mod stats;
pub mod tcp;
pub mod trace;
pub mod udp_header;

pub use addr::{AddrError, Host, ParsedAddr, parse_addr, resolve};
pub use client::{
    ClientEvent, ClientEventKind, ClientHandle, ClientRequest, Reach, open_client_socket,
    spawn_client,
};
pub use error::{Holder, IcmpReport, NetError, fmt_secs};
pub use find::{Found, find_servers, subnet_broadcast};
#[cfg(feature = "gui")]
pub use find::{broadcast_targets, ipv6_ifindex};
#[cfg(feature = "gui")]
pub use interfaces::{LocalAddress, local_addresses};
pub use script::{
    Interpreter, ScriptError, ScriptEvent, ScriptEventKind, ScriptHandle, ScriptRequest, Stream,
    TRACER_SOURCE, find_python, spawn_script,
};
pub use server::{
    Join, Reply, ReplyMode, ServerConfig, ServerEvent, ServerEventKind, ServerHandle,
    ServerSettings, spawn_server,
};
pub use sim::{Impairments, Preset, SimFate, Simulator};
pub use sink::{Drained, EventQueue, EventSink, Waker, event_channel, inline_sink};
pub use stats::BurstStats;
pub use tcp::{
    Protocol, Shut, TcpClientHandle, TcpClientRequest, TcpEvent, TcpEventKind, TcpServerConfig,
    TcpServerHandle, TcpServerSettings, TcpSide, spawn_tcp_client, spawn_tcp_server,
};

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

/// The lab's defaults.
pub const DEFAULT_PORT: u16 = 12345;
pub const DEFAULT_ADDR: &str = "127.0.0.1:12345";
pub const DEFAULT_REQUEST: &str = "Hello, server";
pub const DEFAULT_REPLY: &str = "Hello, client";
pub const DEFAULT_BUFFER: usize = 1024;
/// The largest UDP payload over IPv4 (65 535 − 20 IP − 8 UDP).
pub const MAX_DATAGRAM: usize = 65_507;

/// Everything a worker reports.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum NetEvent {
    Server(ServerEvent),
    Client(ClientEvent),
    /// A traced Python script: its output, socket calls and end.
    Script(ScriptEvent),
    /// UDP Lab's TCP server or client (issue 27).
    Tcp(TcpEvent),
    /// UDP Lab's web server's log and the window's GET (issue 28); their
    /// socket calls come as `Tcp` events.
    Http(http::HttpEvent),
}

/// A datagram as it was read by `recvfrom`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Received {
    pub from: SocketAddr,
    /// The bytes read: at most the receive buffer.
    #[serde(with = "serde_with::bytes")]
    pub bytes: Arc<[u8]>,
    /// The datagram's real length when the OS tells it (Linux does with
    /// MSG_TRUNC); otherwise the bytes read.
    pub len: usize,
    /// The datagram was longer than the buffer; the rest was discarded.
    pub truncated: bool,
    /// The buffer `recvfrom` was given.
    pub buffer: usize,
    pub at: SystemTime,
}

/// `socket(AF_INET, …)` or `socket(AF_INET6, …)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub fn of(addr: &SocketAddr) -> Self {
        if addr.is_ipv4() {
            Family::V4
        } else {
            Family::V6
        }
    }
    pub fn af_name(self) -> &'static str {
        match self {
            Family::V4 => "AF_INET",
            Family::V6 => "AF_INET6",
        }
    }
}

/// A `setsockopt` call the trace shows, e.g. `setsockopt(SOL_SOCKET,
/// SO_BROADCAST, 1)`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SockOpt {
    #[serde(with = "serde_with::static_str")]
    pub level: serde_with::StaticStr,
    #[serde(with = "serde_with::static_str")]
    pub name: serde_with::StaticStr,
    pub value: String,
}

impl SockOpt {
    pub fn new(level: &'static str, name: &'static str, value: impl std::fmt::Display) -> Self {
        Self {
            level,
            name,
            value: value.to_string(),
        }
    }

    /// "setsockopt(IP_ADD_MEMBERSHIP)": the call, for an error message.
    pub fn call(&self) -> &'static str {
        match self.name {
            "SO_BROADCAST" => "setsockopt(SO_BROADCAST)",
            "IP_MULTICAST_TTL" => "setsockopt(IP_MULTICAST_TTL)",
            "IPV6_MULTICAST_HOPS" => "setsockopt(IPV6_MULTICAST_HOPS)",
            "IP_MULTICAST_LOOP" => "setsockopt(IP_MULTICAST_LOOP)",
            "IPV6_MULTICAST_LOOP" => "setsockopt(IPV6_MULTICAST_LOOP)",
            "IP_ADD_MEMBERSHIP" => "setsockopt(IP_ADD_MEMBERSHIP)",
            "IPV6_JOIN_GROUP" => "setsockopt(IPV6_JOIN_GROUP)",
            "IP_DROP_MEMBERSHIP" => "setsockopt(IP_DROP_MEMBERSHIP)",
            "IPV6_LEAVE_GROUP" => "setsockopt(IPV6_LEAVE_GROUP)",
            _ => "setsockopt",
        }
    }
}

impl std::fmt::Display for SockOpt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "setsockopt({}, {}, {})",
            self.level, self.name, self.value
        )
    }
}

/// "127.0.0.1 port 12345", the way the lab's server announces itself.
pub fn describe_addr(addr: &SocketAddr) -> String {
    format!("{} port {}", addr.ip(), addr.port())
}
