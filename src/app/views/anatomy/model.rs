//! What the header says about one datagram, worked out from the session's
//! record: ports, length, checksum and the addresses it covers.

use super::*;

/// What the view can say about a datagram's checksum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checksum {
    Known {
        value: u16,
        pseudo: PseudoHeader,
        /// A socket bound to the any-address, and the loopback address used
        /// in its place: (any, used).
        assumed: Option<(IpAddr, IpAddr)>,
    },
    /// The kernel discarded the end of the data before UDP Lab saw it.
    PayloadIncomplete,
    /// Bound to the any-address and the peer is not on loopback.
    NeedsAddress {
        any: IpAddr,
    },
    Impossible(HeaderError),
    /// As a capture file recorded it (lab::capture): the value on the wire,
    /// what these bytes give, and whether they agree (None: 0 = not
    /// computed, part of the data not captured, or checksum offload).
    Captured {
        value: u16,
        expected: u16,
        ok: Option<bool>,
        offloaded: bool,
    },
}

/// The header fields of one datagram record, as far as they are known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderInfo {
    pub src_port: u16,
    pub dst_port: u16,
    /// The data length; None when the OS did not say how long a truncated
    /// datagram really was.
    pub payload_len: Option<usize>,
    /// Bytes the receiver read, when its buffer was too small.
    pub read: Option<usize>,
    pub checksum: Checksum,
}

impl HeaderInfo {
    pub fn of(d: &DatagramRecord) -> Self {
        if let Some(c) = d.captured {
            return HeaderInfo {
                src_port: c.src_port,
                dst_port: c.dst_port,
                payload_len: usize::from(c.length).checked_sub(HEADER_LEN),
                read: None,
                checksum: Checksum::Captured {
                    value: c.checksum,
                    expected: c.checksum_expected,
                    ok: c.checksum_ok,
                    offloaded: c.offloaded,
                },
            };
        }
        // Linux reports the real length of a truncated datagram (MSG_TRUNC);
        // elsewhere `len` is only what was read.
        let length_known = d.truncated.is_none_or(|t| d.len > t.read);
        let payload = d.bytes.get(..d.len).filter(|_| length_known);
        let checksum = match payload {
            None => Checksum::PayloadIncomplete,
            Some(payload) => match (
                concrete(d.from.ip(), d.to.ip()),
                concrete(d.to.ip(), d.from.ip()),
            ) {
                (Err(any), _) | (_, Err(any)) => Checksum::NeedsAddress { any },
                (Ok(src), Ok(dst)) => match PseudoHeader::new(src, dst) {
                    None => Checksum::Impossible(HeaderError::MixedFamilies),
                    Some(pseudo) => {
                        match udp_header::checksum(&pseudo, d.from.port(), d.to.port(), payload) {
                            Ok(value) => Checksum::Known {
                                value,
                                pseudo,
                                assumed: assumed(d.from.ip(), src)
                                    .or_else(|| assumed(d.to.ip(), dst)),
                            },
                            Err(e) => Checksum::Impossible(e),
                        }
                    }
                },
            },
        };
        HeaderInfo {
            src_port: d.from.port(),
            dst_port: d.to.port(),
            payload_len: length_known.then_some(d.len),
            read: d.truncated.map(|t| t.read),
            checksum,
        }
    }

    /// The length field (8 + data), when known and representable.
    pub fn length(&self) -> Option<u16> {
        self.payload_len.and_then(|n| udp_header::length(n).ok())
    }

    /// The whole header, when every field is known.
    pub fn header(&self) -> Option<UdpHeader> {
        match self.checksum {
            Checksum::Known { value, .. } | Checksum::Captured { value, .. } => Some(UdpHeader {
                src_port: self.src_port,
                dst_port: self.dst_port,
                length: self.length()?,
                checksum: value,
            }),
            _ => None,
        }
    }
}

/// The address the kernel sends from (or to) for a socket bound to the
/// any-address: for a loopback peer it is the loopback address; otherwise
/// it depends on the route, so it is unknown (Err carries the any-address).
pub(super) fn concrete(own: IpAddr, peer: IpAddr) -> Result<IpAddr, IpAddr> {
    if !own.is_unspecified() {
        return Ok(own);
    }
    match peer.to_canonical() {
        IpAddr::V4(p) if p.is_loopback() => Ok(Ipv4Addr::LOCALHOST.into()),
        IpAddr::V6(p) if p.is_loopback() => Ok(Ipv6Addr::LOCALHOST.into()),
        _ => Err(own),
    }
}

pub(super) fn assumed(own: IpAddr, used: IpAddr) -> Option<(IpAddr, IpAddr)> {
    own.is_unspecified().then_some((own, used))
}

/// "53211 (0xCFDB)".
pub fn dec_hex(v: u16) -> String {
    format!("{v} (0x{v:04X})")
}
