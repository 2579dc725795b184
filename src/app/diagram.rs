//! Sequence diagram: a lifeline per socket, an arrow per datagram.

use super::UdpLabApp;

pub fn diagram_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let _ = (ui, app);
}
