//! UDP Lab: a UDP server and client in one window, with every socket call and
//! datagram made visible. `net` is the socket layer (no UI), `lab` the model
//! without a window, `app` the window (the default `gui` feature).

#[cfg(feature = "gui")]
pub mod app;
pub mod lab;
pub mod net;
