//! Datagram anatomy: the RFC 768 header and the payload of the selected datagram.

use super::UdpLabApp;

pub fn anatomy_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let _ = (ui, app);
}
