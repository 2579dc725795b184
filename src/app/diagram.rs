//! Sequence diagram: a lifeline per socket, an arrow per datagram.

use super::UdpLabApp;

#[derive(Default)]
pub struct DiagramState {}

pub fn diagram_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let _ = (ui, app);
}
