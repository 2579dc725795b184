//! The window's panels: toolbar, network strip, server, client, and the
//! time strip over the views. Each reads
//! the app and pushes [`super::Command`]s; none imports another.

pub mod client;
pub mod network;
pub mod scripts;
pub mod server;
pub mod timebar;
pub mod toolbar;
