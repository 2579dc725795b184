//! The machine's own addresses, per interface ("This computer" lists them
//! so a student can tell a classmate where to send).

use std::io;
use std::net::IpAddr;

/// One address of one interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalAddress {
    pub interface: String,
    pub ip: IpAddr,
}

/// The machine's addresses: other machines' view first (IPv4, then IPv6),
/// loopback last.
pub fn local_addresses() -> io::Result<Vec<LocalAddress>> {
    let mut list: Vec<LocalAddress> = if_addrs::get_if_addrs()?
        .into_iter()
        .map(|i| LocalAddress {
            ip: i.ip(),
            interface: i.name,
        })
        .collect();
    list.sort_by_key(|a| {
        (
            a.ip.is_loopback(),
            a.ip.is_ipv6(),
            a.interface.clone(),
            a.ip,
        )
    });
    list.dedup();
    Ok(list)
}
