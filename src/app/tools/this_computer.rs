//! "This computer": the machine's addresses, per interface, so a student can
//! tell a classmate where to send, and pick one as the server's bind address.
//! Interfaces are listed on a worker thread each time the box opens.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::app::i18n::fill;
use crate::app::tools::worker::{self, Job};
use crate::app::{Command, ServerStatus, T, UdpLabApp};
use crate::net;

/// One address of one interface.
pub use crate::net::LocalAddress as Address;

#[derive(Default)]
pub struct ThisComputer {
    pub open: bool,
    /// None until the first listing arrives; Err: why it failed.
    pub addresses: Option<Result<Vec<Address>, String>>,
    pub loading: bool,
    /// The address just copied (acknowledged next to the list).
    copied: Option<String>,
}

/// Lists the interfaces again, off the UI thread.
pub fn refresh(ctx: &egui::Context, app: &mut UdpLabApp) {
    let tools = &mut app.tools;
    if tools.this_computer.loading {
        return;
    }
    // "Copied …" was about the old list.
    tools.this_computer.copied = None;
    let job = || Job::Addresses(net::local_addresses());
    match worker::spawn(ctx, tools.jobs_tx(), "udp-lab-interfaces", job) {
        Ok(_) => tools.this_computer.loading = true,
        Err(e) => tools.this_computer.addresses = Some(Err(e.to_string())),
    }
}

pub fn on_addresses(state: &mut ThisComputer, result: io::Result<Vec<Address>>) {
    state.loading = false;
    state.addresses = Some(result.map_err(|e| e.to_string()));
}

/// Opens or closes the box (a fresh listing each time it opens: a laptop
/// may have joined another network since).
pub fn toggle(ctx: &egui::Context, app: &mut UdpLabApp) {
    app.tools.this_computer.open = !app.tools.this_computer.open;
    if app.tools.this_computer.open {
        app.tools.this_computer.copied = None;
        refresh(ctx, app);
    }
}

/// The warning for a bind address other machines can reach: all interfaces
/// (0.0.0.0, ::) or one network address. None for loopback, host names and
/// text that does not parse (the server panel explains those).
pub fn exposure_warning(bind: &str) -> Option<T> {
    let parsed = net::parse_addr(bind, false).ok()?;
    match parsed.host {
        net::Host::Ip(ip) if ip.is_unspecified() => Some(T::ExposedAllInterfaces),
        net::Host::Ip(ip) if !ip.to_canonical().is_loopback() => Some(T::ExposedNetwork),
        _ => None,
    }
}

/// The exposure warning, in the warning colour, where the bind address is
/// edited (nothing when the address is private to this computer).
pub fn exposure_warning_ui(ui: &mut egui::Ui, app: &UdpLabApp) {
    if let Some(key) = exposure_warning(&app.settings.bind) {
        ui.label(egui::RichText::new(app.t(key)).color(crate::app::style::warn_color(ui)));
    }
}

/// `ip` with the port of the current bind address (the lab's port when the
/// current one does not parse).
pub fn bind_with_ip(current: &str, ip: IpAddr) -> String {
    let port = net::parse_addr(current, false)
        .map(|p| p.port)
        .or_else(|_| net::parse_addr(net::DEFAULT_ADDR, false).map(|p| p.port))
        .unwrap_or(12345);
    SocketAddr::new(ip, port).to_string()
}

/// A link-local IPv6 address needs an interface scope to bind, which the
/// address field cannot hold.
fn bindable(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(_) => true,
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) != 0xfe80,
    }
}

pub fn show_window(ctx: &egui::Context, app: &mut UdpLabApp) {
    if !app.tools.this_computer.open {
        return;
    }
    let mut open = true;
    egui::Window::new(app.t(T::ThisComputer))
        .id(egui::Id::unique("udp-lab-this-computer"))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .default_pos(ctx.content_rect().center_top() + egui::vec2(-200.0, 60.0))
        .show(ctx, |ui| this_computer_ui(ui, app));
    app.tools.this_computer.open &= open;
}

fn this_computer_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    ui.set_max_width(560.0);
    ui.label(app.t(T::ThisComputerIntro));
    ui.add_space(6.0);
    let stopped = matches!(
        app.server.status(),
        ServerStatus::Stopped | ServerStatus::Failed(_)
    );
    let mut rows: Vec<(String, IpAddr)> = Vec::new();
    match &app.tools.this_computer.addresses {
        None => {}
        Some(Err(reason)) => {
            let text = fill(app.t(T::InterfacesFailed), &[("reason", reason)]);
            ui.label(egui::RichText::new(text).color(crate::app::style::error_color(ui)));
        }
        Some(Ok(list)) if list.is_empty() => {
            ui.label(app.t(T::NoInterfaces));
        }
        Some(Ok(list)) => {
            for a in list {
                let name = if a.ip.to_canonical().is_loopback() {
                    format!("{} ({})", a.interface, app.t(T::LoopbackOnly))
                } else {
                    a.interface.clone()
                };
                rows.push((name, a.ip));
            }
        }
    }
    if app.tools.this_computer.addresses.is_some() {
        rows.push((
            app.t(T::AllInterfacesV4).to_owned(),
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        ));
        rows.push((
            app.t(T::AllInterfacesV6).to_owned(),
            IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        ));
    }
    if !rows.is_empty() {
        egui::Grid::new("udp-lab-addresses")
            .num_columns(5)
            .spacing([12.0, 6.0])
            .striped(true)
            .show(ui, |ui| {
                ui.label(egui::RichText::new(app.t(T::Interface)).strong());
                ui.label(egui::RichText::new(app.t(T::Address)).strong());
                ui.end_row();
                for (name, ip) in rows {
                    address_row_ui(ui, app, &name, ip, stopped);
                    ui.end_row();
                }
            });
    }
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        if app.tools.this_computer.loading {
            ui.spinner();
            ui.label(app.t(T::LookingUpAddresses));
        } else if ui.button(app.t(T::Refresh)).clicked() {
            app.act(Command::RefreshAddresses);
        }
        if let Some(text) = &app.tools.this_computer.copied {
            ui.label(fill(app.t(T::Copied), &[("text", text)]));
        }
    });
    ui.separator();
    ui.label(fill(app.t(T::CurrentBind), &[("addr", &app.settings.bind)]));
    exposure_warning_ui(ui, app);
    if !stopped {
        ui.label(egui::RichText::new(app.t(T::StopServerToRebind)).weak());
    }
}

/// The port a client should send to: the running server's, else the bind
/// field's, else the lab's.
fn server_port(app: &UdpLabApp) -> u16 {
    match app.server.status() {
        ServerStatus::Listening(addr) => addr.port(),
        _ => crate::net::parse_addr(&app.settings.bind, false)
            .ok()
            .map(|a| a.port)
            .filter(|&p| p != 0)
            .unwrap_or(crate::net::DEFAULT_PORT),
    }
}

fn address_row_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, name: &str, ip: IpAddr, stopped: bool) {
    ui.label(name);
    ui.label(egui::RichText::new(ip.to_string()).monospace());
    if !ip.is_unspecified() {
        // Every row's buttons read "Copy": the accessible name says which.
        // With the port (IPv6 in brackets) it pastes as the client's target.
        let with_port = SocketAddr::new(ip, server_port(app)).to_string();
        ui.horizontal(|ui| {
            for (text, label, name) in [
                (ip.to_string(), T::Copy, T::CopyAddress),
                (with_port.clone(), T::CopyWithPort, T::CopyAddress),
            ] {
                let copy = ui
                    .button(app.t(label))
                    .accessible_name(fill(app.t(name), &[("ip", &text)]));
                if copy.clicked() {
                    ui.ctx().copy_text(text.clone());
                    app.tools.this_computer.copied = Some(text);
                }
            }
        });
    } else {
        ui.label("");
    }
    let can_bind = bindable(ip);
    let use_it = ui
        .add_enabled(stopped && can_bind, egui::Button::new(app.t(T::UseAsBind)))
        .accessible_name(fill(app.t(T::UseAsBindAddress), &[("ip", &ip)]));
    let use_it = if !can_bind {
        use_it.on_disabled_hover_text(app.t(T::LinkLocalNoBind))
    } else if !stopped {
        use_it.on_disabled_hover_text(app.t(T::StopServerToRebind))
    } else {
        use_it
    };
    if use_it.clicked() {
        app.act(Command::UseAsBind(ip));
    }
}

#[cfg(test)]
mod tests;
