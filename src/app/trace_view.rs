//! The socket-call trace.

use super::UdpLabApp;

pub fn trace_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let _ = (ui, app);
}
