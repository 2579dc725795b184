//! UDP Lab: a UDP server and client in one window, with every socket call and
//! datagram made visible. `net` is the socket layer (no UI), `app` the window.

#[cfg(feature = "gui")]
pub mod app;
pub mod lab;
pub mod net;
