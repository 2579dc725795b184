//! One captured frame down to its UDP datagram: the link layer (Ethernet
//! with VLAN tags, raw IP, Linux cooked SLL and SLL2, BSD null/loopback),
//! IPv4 or IPv6 (extension headers walked), IP fragments reassembled in a
//! bounded table, and the UDP header with its checksum checked. Anything
//! else is named for the "skipped" count.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::lab::session::CapturedUdp;
use crate::net::udp_header::{PseudoHeader, checksum};

/// Datagrams being reassembled at once; the oldest is given up beyond.
const MAX_PENDING: usize = 64;
/// A datagram whose fragments are not all in within this many packets is
/// given up (its fragments count as skipped).
const TIMEOUT_PACKETS: u64 = 10_000;
/// The largest reassembled IP payload (the 16-bit length's limit).
const MAX_REASSEMBLED: usize = 65_535;

/// A UDP datagram found in a frame.
pub(super) struct Udp {
    pub from: SocketAddr,
    pub to: SocketAddr,
    /// The payload as captured (shorter than `len` when the capture cut it).
    pub payload: Vec<u8>,
    pub len: usize,
    pub header: CapturedUdp,
}

pub(super) enum Decoded {
    Udp(Udp),
    /// Not UDP: its protocol's name.
    Skipped(&'static str),
    /// A fragment kept until its datagram is whole.
    Held,
}

struct Pending {
    key: (IpAddr, IpAddr, u32),
    first_packet: u64,
    parts: Vec<(usize, Vec<u8>)>,
    bytes: usize,
    end: Option<usize>,
    hop_limit: u8,
}

#[derive(Default)]
pub(super) struct Decoder {
    packets: u64,
    pending: Vec<Pending>,
    /// Fragments of datagrams given up (never completed).
    pub lost_fragments: u64,
}

impl Decoder {
    pub fn packet(&mut self, link: u32, frame: &[u8]) -> Decoded {
        self.packets += 1;
        match network(link, frame) {
            Ok((4, ip)) => self.ipv4(ip),
            Ok((_, ip)) => self.ipv6(ip),
            Err(name) => Decoded::Skipped(name),
        }
    }

    /// Fragments still waiting when the file ended.
    pub fn unfinished(&self) -> u64 {
        self.lost_fragments
            + self
                .pending
                .iter()
                .map(|p| p.parts.len() as u64)
                .sum::<u64>()
    }

    fn ipv4(&mut self, ip: &[u8]) -> Decoded {
        if ip.len() < 20 || ip[0] >> 4 != 4 {
            return Decoded::Skipped("malformed");
        }
        let ihl = usize::from(ip[0] & 15) * 4;
        let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
        if ihl < 20 || ihl > ip.len() || total < ihl {
            return Decoded::Skipped("malformed");
        }
        // Ethernet pads short frames: the IP length says where it ends.
        let payload = &ip[ihl..total.min(ip.len())];
        let ident = u16::from_be_bytes([ip[4], ip[5]]);
        let frag = u16::from_be_bytes([ip[6], ip[7]]);
        let (more, offset) = (frag & 0x2000 != 0, usize::from(frag & 0x1fff) * 8);
        let (ttl, proto) = (ip[8], ip[9]);
        let src = IpAddr::V4(Ipv4Addr::new(ip[12], ip[13], ip[14], ip[15]));
        let dst = IpAddr::V4(Ipv4Addr::new(ip[16], ip[17], ip[18], ip[19]));
        if proto != 17 {
            return Decoded::Skipped(protocol_name(proto));
        }
        let ident = u32::from(ident);
        if more || offset > 0 {
            return self.fragment((src, dst, ident), offset, more, payload, ttl);
        }
        udp(src, dst, payload, ttl, Some(ident), 1)
    }

    fn ipv6(&mut self, ip: &[u8]) -> Decoded {
        if ip.len() < 40 || ip[0] >> 4 != 6 {
            return Decoded::Skipped("malformed");
        }
        let payload_len = usize::from(u16::from_be_bytes([ip[4], ip[5]]));
        let end = if payload_len == 0 {
            ip.len()
        } else {
            (40 + payload_len).min(ip.len())
        };
        let mut next = ip[6];
        let hop = ip[7];
        let octets = |at: usize| {
            let mut a = [0u8; 16];
            a.copy_from_slice(&ip[at..at + 16]);
            IpAddr::V6(Ipv6Addr::from(a))
        };
        let (src, dst) = (octets(8), octets(24));
        let mut at = 40;
        let mut fragment = None;
        // Extension headers; a bound on their number keeps a loop of them finite.
        for _ in 0..16 {
            if !matches!(next, 0 | 43 | 44 | 51 | 60) {
                break;
            }
            let Some(h) = ip.get(at..at + 8) else {
                return Decoded::Skipped("malformed");
            };
            let len = match next {
                44 => {
                    let off = u16::from_be_bytes([h[2], h[3]]);
                    let ident = u32::from_be_bytes([h[4], h[5], h[6], h[7]]);
                    fragment = Some((usize::from(off & 0xfff8), off & 1 != 0, ident));
                    8
                }
                51 => (usize::from(h[1]) + 2) * 4,
                _ => (usize::from(h[1]) + 1) * 8,
            };
            next = h[0];
            at += len;
        }
        if at > end {
            return Decoded::Skipped("malformed");
        }
        if next != 17 {
            return Decoded::Skipped(protocol_name(next));
        }
        let payload = &ip[at..end];
        match fragment {
            Some((offset, more, ident)) if more || offset > 0 => {
                self.fragment((src, dst, ident), offset, more, payload, hop)
            }
            Some((_, _, ident)) => udp(src, dst, payload, hop, Some(ident), 1),
            None => udp(src, dst, payload, hop, None, 1),
        }
    }

    fn fragment(
        &mut self,
        key: (IpAddr, IpAddr, u32),
        offset: usize,
        more: bool,
        data: &[u8],
        hop: u8,
    ) -> Decoded {
        let now = self.packets;
        let mut lost = 0;
        self.pending.retain(|p| {
            let keep = now - p.first_packet <= TIMEOUT_PACKETS;
            if !keep {
                lost += p.parts.len() as u64;
            }
            keep
        });
        if offset + data.len() > MAX_REASSEMBLED {
            self.lost_fragments += lost;
            return Decoded::Skipped("malformed");
        }
        let index = match self.pending.iter().position(|p| p.key == key) {
            Some(i) => i,
            None => {
                if self.pending.len() >= MAX_PENDING {
                    lost += self.pending.remove(0).parts.len() as u64;
                }
                self.pending.push(Pending {
                    key,
                    first_packet: now,
                    parts: Vec::new(),
                    bytes: 0,
                    end: None,
                    hop_limit: hop,
                });
                self.pending.len() - 1
            }
        };
        self.lost_fragments += lost;
        let p = &mut self.pending[index];
        if p.bytes + data.len() > 2 * MAX_REASSEMBLED {
            // Overlapping copies beyond reason: give the datagram up.
            let p = self.pending.remove(index);
            self.lost_fragments += p.parts.len() as u64 + 1;
            return Decoded::Held;
        }
        p.bytes += data.len();
        p.parts.push((offset, data.to_vec()));
        if offset == 0 {
            p.hop_limit = hop;
        }
        if !more {
            p.end = Some(offset + data.len());
        }
        let Some(end) = p.end else {
            return Decoded::Held;
        };
        p.parts.sort_by_key(|(o, _)| *o);
        let mut covered = 0;
        for (o, d) in &p.parts {
            if *o > covered {
                return Decoded::Held;
            }
            covered = covered.max(o + d.len());
        }
        if covered < end {
            return Decoded::Held;
        }
        let p = self.pending.remove(index);
        let mut whole = vec![0u8; end];
        for (o, d) in &p.parts {
            let stop = (o + d.len()).min(end);
            if *o < stop {
                whole[*o..stop].copy_from_slice(&d[..stop - o]);
            }
        }
        let count = u16::try_from(p.parts.len()).unwrap_or(u16::MAX);
        udp(key.0, key.1, &whole, p.hop_limit, Some(key.2), count)
    }
}

/// The IP version (4 or 6) and the IP packet of a frame, or the name of
/// what it carries instead.
fn network(link: u32, f: &[u8]) -> Result<(u8, &[u8]), &'static str> {
    match link {
        // Ethernet, with 802.1Q / 802.1ad tags.
        1 => {
            let mut at = 12;
            loop {
                let Some(t) = f.get(at..at + 2) else {
                    return Err("malformed");
                };
                let ethertype = u16::from_be_bytes([t[0], t[1]]);
                if matches!(ethertype, 0x8100 | 0x88a8 | 0x9100) {
                    at += 4;
                    continue;
                }
                return by_ethertype(ethertype, &f[at + 2..]);
            }
        }
        // Raw IP (101; 12 and 14 on some systems), IPv4 (228), IPv6 (229).
        101 | 12 | 14 | 228 | 229 => by_version(f),
        // Linux cooked capture v1: the protocol at 14.
        113 => match f.get(14..16) {
            Some(t) => by_ethertype(u16::from_be_bytes([t[0], t[1]]), &f[16..]),
            None => Err("malformed"),
        },
        // SLL2 (tcpdump -i any): the protocol first, 20 bytes in all.
        276 => match (f.get(0..2), f.get(20..)) {
            (Some(t), Some(rest)) => by_ethertype(u16::from_be_bytes([t[0], t[1]]), rest),
            _ => Err("malformed"),
        },
        // BSD loopback: the address family, in the capturing machine's
        // byte order (0, DLT_NULL) or network order (108, DLT_LOOP).
        0 | 108 => {
            let Some(h) = f.get(0..4) else {
                return Err("malformed");
            };
            let le = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
            let family = if link == 108 || le > 0xFFFF {
                u32::from_be_bytes([h[0], h[1], h[2], h[3]])
            } else {
                le
            };
            match family {
                2 => by_version(&f[4..]),
                // AF_INET6: BSD 24, FreeBSD 28, macOS 30, Linux 10, Windows 23.
                24 | 28 | 30 | 10 | 23 => by_version(&f[4..]),
                _ => Err("other link"),
            }
        }
        _ => Err("other link"),
    }
}

fn by_version(ip: &[u8]) -> Result<(u8, &[u8]), &'static str> {
    match ip.first().map(|b| b >> 4) {
        Some(4) => Ok((4, ip)),
        Some(6) => Ok((6, ip)),
        _ => Err("malformed"),
    }
}

fn by_ethertype(ethertype: u16, rest: &[u8]) -> Result<(u8, &[u8]), &'static str> {
    match ethertype {
        0x0800 if rest.first().map(|b| b >> 4) == Some(4) => Ok((4, rest)),
        0x86dd if rest.first().map(|b| b >> 4) == Some(6) => Ok((6, rest)),
        0x0800 | 0x86dd => Err("malformed"),
        0x0806 => Err("ARP"),
        0x8035 => Err("RARP"),
        0x88cc => Err("LLDP"),
        0x888e => Err("EAPOL"),
        0x8863 | 0x8864 => Err("PPPoE"),
        0x8847 | 0x8848 => Err("MPLS"),
        // An 802.3 length (LLC: STP, NetBIOS…), or SLL's LLC marker.
        t if t < 0x0600 => Err("LLC"),
        _ => Err("other Ethernet"),
    }
}

fn protocol_name(proto: u8) -> &'static str {
    match proto {
        1 => "ICMP",
        2 => "IGMP",
        6 => "TCP",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "ICMPv6",
        89 => "OSPF",
        103 => "PIM",
        112 => "VRRP",
        132 => "SCTP",
        _ => "other IP",
    }
}

/// The UDP datagram in an IP payload, its checksum checked.
fn udp(
    src: IpAddr,
    dst: IpAddr,
    seg: &[u8],
    hop: u8,
    ident: Option<u32>,
    fragments: u16,
) -> Decoded {
    if seg.len() < 8 {
        return Decoded::Skipped("malformed");
    }
    let src_port = u16::from_be_bytes([seg[0], seg[1]]);
    let dst_port = u16::from_be_bytes([seg[2], seg[3]]);
    let length = u16::from_be_bytes([seg[4], seg[5]]);
    let sum = u16::from_be_bytes([seg[6], seg[7]]);
    if length < 8 {
        return Decoded::Skipped("malformed");
    }
    let complete = seg.len() >= usize::from(length);
    let payload = &seg[8..usize::from(length).min(seg.len())];
    let Some(pseudo) = PseudoHeader::new(src, dst) else {
        return Decoded::Skipped("malformed");
    };
    let expected = if complete {
        checksum(&pseudo, src_port, dst_port, payload).unwrap_or(0)
    } else {
        0
    };
    // Checksum offload: the sender left the pseudo header's sum for its
    // network card, and the capture saw the datagram before the card.
    let partial = pseudo_sum(&pseudo.bytes(length));
    let offloaded = complete && sum != expected && (sum == partial || sum == !partial);
    let v4 = matches!(pseudo, PseudoHeader::V4 { .. });
    let checksum_ok = if (sum == 0 && v4) || !complete || offloaded {
        None
    } else {
        Some(sum == expected)
    };
    Decoded::Udp(Udp {
        from: SocketAddr::new(src, src_port),
        to: SocketAddr::new(dst, dst_port),
        payload: payload.to_vec(),
        len: usize::from(length) - 8,
        header: CapturedUdp {
            src_port,
            dst_port,
            length,
            checksum: sum,
            checksum_expected: expected,
            checksum_ok,
            offloaded,
            hop_limit: hop,
            ip_ident: ident,
            fragments,
        },
    })
}

fn pseudo_sum(bytes: &[u8]) -> u16 {
    let mut s: u32 = bytes
        .chunks(2)
        .map(|w| u32::from(u16::from_be_bytes([w[0], *w.get(1).unwrap_or(&0)])))
        .sum();
    while s > 0xFFFF {
        s = (s & 0xFFFF) + (s >> 16);
    }
    s as u16
}
