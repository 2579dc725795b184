//! The one way the UI acts: panels push a [`Command`], `UdpLabApp::run`
//! applies it after drawing (or a test or script calls `run` directly).

/// What the panels ask for; run after drawing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    StartServer,
    StopServer,
    /// The reply mode, text or buffer changed: tell the running server.
    UpdateServer,
    ClearIncoming,
    /// Send the message once.
    Send,
    /// Send `burst_count` datagrams, lock-step, `burst_interval_ms` apart.
    SendBurst,
    /// End a running burst early.
    CancelSend,
}
