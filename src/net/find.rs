//! "Find servers in this room": the lab's "Hello, server" to broadcast
//! addresses, listing every server that answered within the timeout. It
//! blocks for the timeout: call it on a worker (the CLI's main thread, or a
//! background job in the window).

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Family, NetError, client::open_client_socket, sock};

/// A server that answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub from: SocketAddr,
    pub rtt: Duration,
    pub reply: Arc<[u8]>,
}

/// Sends `payload` to each of `targets` — IPv4 broadcast addresses (with
/// `SO_BROADCAST` on) from one socket, IPv6 groups (the all-nodes group
/// ff02::1 on each interface) from another, side by side — and collects
/// one answer per server socket until `timeout`, in the order they came. A
/// server bound to `::` answers on both families: a row each. Fails only
/// when no send went out.
pub fn find_servers(
    targets: &[SocketAddr],
    payload: &[u8],
    timeout: Duration,
) -> Result<Vec<Found>, NetError> {
    let started = Instant::now();
    let v4: Vec<SocketAddr> = targets
        .iter()
        .copied()
        .filter(SocketAddr::is_ipv4)
        .collect();
    let v6: Vec<SocketAddr> = targets
        .iter()
        .copied()
        .filter(SocketAddr::is_ipv6)
        .collect();
    let (on_v4, on_v6) = std::thread::scope(|scope| {
        let v6_side = (!v6.is_empty()).then(|| {
            std::thread::Builder::new()
                .name("udp-lab-find6".into())
                .spawn_scoped(scope, || ask(Family::V6, &v6, payload, started, timeout))
        });
        let on_v4 = (!v4.is_empty()).then(|| ask(Family::V4, &v4, payload, started, timeout));
        let on_v6 = match v6_side {
            Some(Ok(handle)) => handle.join().ok(),
            // No thread: IPv6 is left out (IPv4 still answers).
            Some(Err(_)) | None => None,
        };
        (on_v4, on_v6)
    });
    let mut found = Vec::new();
    let mut first_error = None;
    let mut asked = false;
    for side in [on_v4, on_v6].into_iter().flatten() {
        match side {
            Ok(answers) => {
                asked = true;
                found.extend(answers);
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if !asked {
        return Err(first_error.unwrap_or(NetError::NetUnreachable {
            addr: SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::BROADCAST, 0)),
        }));
    }
    found.sort_by_key(|f| f.rtt);
    Ok(found)
}

/// One family's part of [`find_servers`].
fn ask(
    family: Family,
    targets: &[SocketAddr],
    payload: &[u8],
    started: Instant,
    timeout: Duration,
) -> Result<Vec<Found>, NetError> {
    let socket = open_client_socket(family)?;
    if family == Family::V4 {
        socket.set_broadcast(true).map_err(|e| NetError::Io {
            call: "setsockopt(SO_BROADCAST)",
            message: e.to_string(),
        })?;
    }
    let mut sent = 0;
    let mut first_error = None;
    for &to in targets {
        match sock::send_to(&socket, payload, to) {
            Ok(_) => sent += 1,
            Err(e) => {
                let error = sock::classify(&socket, "sendto", to, &e);
                first_error.get_or_insert(error);
            }
        }
    }
    if sent == 0 {
        return Err(first_error.unwrap_or(NetError::NetUnreachable {
            addr: SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::BROADCAST, 0)),
        }));
    }
    let mut found: Vec<Found> = Vec::new();
    let mut buf = vec![0u8; super::MAX_DATAGRAM + 1];
    let deadline = started + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(found);
        }
        if sock::set_timeout(&socket, left).is_err() {
            return Ok(found);
        }
        match sock::recv_from(&socket, &mut buf) {
            Ok(read) => {
                // A server reached through two broadcast addresses answers
                // twice: one row each.
                if !found.iter().any(|f| f.from == read.from) {
                    found.push(Found {
                        from: read.from,
                        rtt: started.elapsed(),
                        reply: Arc::from(&buf[..read.read]),
                    });
                }
            }
            // Timeouts, and ICMP errors from one address: keep listening.
            Err(_) => {
                let _ = sock::take_icmp_report(&socket);
            }
        }
    }
}

#[cfg(feature = "gui")]
/// The broadcast address of every IPv4 interface that has one (not
/// loopback), or 255.255.255.255 when none has; and the IPv6 all-nodes
/// group (ff02::1) on every interface with an IPv6 address.
pub fn broadcast_targets(port: u16) -> Vec<SocketAddr> {
    let interfaces: Vec<if_addrs::Interface> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback())
        .collect();
    let mut all_nodes: Vec<SocketAddr> = interfaces
        .iter()
        .filter(|i| i.ip().is_ipv6())
        .filter_map(|i| i.index)
        .map(|index| {
            let group = std::net::Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
            SocketAddr::V6(std::net::SocketAddrV6::new(group, port, 0, index))
        })
        .collect();
    all_nodes.dedup();
    let mut targets: Vec<SocketAddr> = interfaces
        .into_iter()
        .filter_map(|i| match i.addr {
            // From the address and its mask: the interface's own broadcast
            // field is unset when the address was added without one (`ip
            // addr add` without `brd +`), and then reads as the address.
            if_addrs::IfAddr::V4(v4) => subnet_broadcast(v4.ip, v4.netmask),
            if_addrs::IfAddr::V6(_) => None,
        })
        .map(|b| SocketAddr::from((b, port)))
        .collect();
    targets.sort();
    targets.dedup();
    if targets.is_empty() {
        targets.push(SocketAddr::from(([255, 255, 255, 255], port)));
    }
    targets.extend(all_nodes);
    targets
}

/// 10.213.0.255 for 10.213.0.7/24; None for /31 and /32 (no broadcast).
pub fn subnet_broadcast(
    ip: std::net::Ipv4Addr,
    mask: std::net::Ipv4Addr,
) -> Option<std::net::Ipv4Addr> {
    let mask = u32::from(mask);
    (mask.count_ones() < 31).then(|| std::net::Ipv4Addr::from(u32::from(ip) | !mask))
}

#[cfg(feature = "gui")]
/// The index of the interface an IPv6 group is joined on: the one with
/// address `interface`, or else the first (not loopback) with an IPv6
/// address; 0 (the kernel's choice) when there is none.
pub fn ipv6_ifindex(interface: Option<std::net::IpAddr>) -> u32 {
    let list = if_addrs::get_if_addrs().unwrap_or_default();
    let chosen = match interface {
        Some(ip) => list.iter().find(|i| i.ip() == ip),
        None => list.iter().find(|i| !i.is_loopback() && i.ip().is_ipv6()),
    };
    chosen.and_then(|i| i.index).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnet_broadcast_comes_from_the_mask() {
        let b = |ip: [u8; 4], mask: [u8; 4]| subnet_broadcast(ip.into(), mask.into());
        assert_eq!(
            b([10, 213, 0, 7], [255, 255, 255, 0]),
            Some([10, 213, 0, 255].into())
        );
        assert_eq!(
            b([192, 168, 1, 20], [255, 255, 252, 0]),
            Some([192, 168, 3, 255].into())
        );
        assert_eq!(b([10, 0, 0, 1], [255, 255, 255, 255]), None);
    }
}
