//! What starting a server takes in every protocol: one server at a time
//! (the three share the server panel), and the bind address parsed, its
//! error said under the field.

use super::{Settings, UdpLabApp};
use crate::net;

impl UdpLabApp {
    /// Whether the UDP, the TCP or the web server runs.
    pub(crate) fn any_server_running(&self) -> bool {
        self.server.handle.is_some()
            || self.tcp.server.handle.is_some()
            || self.http.server.running()
    }

    /// The address a Start binds, from the setting `text` picks; None when
    /// a server already runs, or when the address does not parse (said
    /// under the field, and a Send waiting for the server given up).
    pub(crate) fn bind_for_start(
        &mut self,
        text: fn(&Settings) -> &String,
    ) -> Option<net::ParsedAddr> {
        if self.any_server_running() {
            return None;
        }
        match net::parse_addr(text(&self.settings), false) {
            Ok(bind) => {
                self.server.bind_error = None;
                Some(bind)
            }
            Err(e) => {
                self.server.bind_error = Some(e);
                self.cancel_pending_send();
                None
            }
        }
    }
}
