//! The RFC 768 header of a datagram, computed the way the kernel does it:
//! ports, length (8 + payload) and the checksum over the IPv4 pseudo header
//! (RFC 768) or the IPv6 one (RFC 8200 §8.1). Pure computation, so the
//! anatomy view can show what went on the wire without capturing packets.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Bytes in a UDP header.
pub const HEADER_LEN: usize = 8;
/// The IP protocol number of UDP (the pseudo header carries it).
pub const PROTOCOL_UDP: u8 = 17;
/// The largest payload the 16-bit length field can describe.
pub const MAX_PAYLOAD: usize = u16::MAX as usize - HEADER_LEN;

/// The addresses the checksum covers. IPv4-mapped IPv6 addresses
/// (`::ffff:a.b.c.d`) travel as IPv4, so they count as IPv4 here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PseudoHeader {
    V4 { src: Ipv4Addr, dst: Ipv4Addr },
    V6 { src: Ipv6Addr, dst: Ipv6Addr },
}

impl PseudoHeader {
    /// None when one end is IPv4 and the other IPv6: no datagram has that.
    pub fn new(src: IpAddr, dst: IpAddr) -> Option<Self> {
        match (src.to_canonical(), dst.to_canonical()) {
            (IpAddr::V4(src), IpAddr::V4(dst)) => Some(PseudoHeader::V4 { src, dst }),
            (IpAddr::V6(src), IpAddr::V6(dst)) => Some(PseudoHeader::V6 { src, dst }),
            _ => None,
        }
    }

    /// The pseudo header as RFC 768 (12 bytes) or RFC 8200 §8.1 (40 bytes)
    /// lays it out, for a UDP length of `udp_len` (header + payload).
    pub fn bytes(&self, udp_len: u16) -> Vec<u8> {
        match self {
            PseudoHeader::V4 { src, dst } => {
                let mut b = Vec::with_capacity(12);
                b.extend_from_slice(&src.octets());
                b.extend_from_slice(&dst.octets());
                b.extend_from_slice(&[0, PROTOCOL_UDP]);
                b.extend_from_slice(&udp_len.to_be_bytes());
                b
            }
            PseudoHeader::V6 { src, dst } => {
                let mut b = Vec::with_capacity(40);
                b.extend_from_slice(&src.octets());
                b.extend_from_slice(&dst.octets());
                // Upper-layer packet length (32 bits), 3 zero bytes, next header.
                b.extend_from_slice(&u32::from(udp_len).to_be_bytes());
                b.extend_from_slice(&[0, 0, 0, PROTOCOL_UDP]);
                b
            }
        }
    }
}

/// Why a header cannot be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// The payload does not fit the 16-bit length field.
    TooLong { len: usize },
    /// One address is IPv4, the other IPv6.
    MixedFamilies,
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::TooLong { len } => write!(
                f,
                "a {len}-byte payload does not fit one UDP datagram (at most {MAX_PAYLOAD})"
            ),
            HeaderError::MixedFamilies => write!(f, "one address is IPv4, the other IPv6"),
        }
    }
}

impl std::error::Error for HeaderError {}

/// The four 16-bit fields of RFC 768.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UdpHeader {
    pub src_port: u16,
    pub dst_port: u16,
    /// Header and payload, in bytes.
    pub length: u16,
    pub checksum: u16,
}

impl UdpHeader {
    /// The header a datagram from `from` to `to` carrying `payload` has.
    pub fn for_datagram(
        from: SocketAddr,
        to: SocketAddr,
        payload: &[u8],
    ) -> Result<Self, HeaderError> {
        let pseudo = PseudoHeader::new(from.ip(), to.ip()).ok_or(HeaderError::MixedFamilies)?;
        Ok(UdpHeader {
            src_port: from.port(),
            dst_port: to.port(),
            length: length(payload.len())?,
            checksum: checksum(&pseudo, from.port(), to.port(), payload)?,
        })
    }

    /// The 8 bytes on the wire, each field big-endian (network order).
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let [s0, s1] = self.src_port.to_be_bytes();
        let [d0, d1] = self.dst_port.to_be_bytes();
        let [l0, l1] = self.length.to_be_bytes();
        let [c0, c1] = self.checksum.to_be_bytes();
        [s0, s1, d0, d1, l0, l1, c0, c1]
    }
}

/// The length field: 8 header bytes plus the payload.
pub fn length(payload_len: usize) -> Result<u16, HeaderError> {
    if payload_len > MAX_PAYLOAD {
        return Err(HeaderError::TooLong { len: payload_len });
    }
    // Fits: checked just above.
    Ok((HEADER_LEN + payload_len) as u16)
}

/// The RFC 768 checksum: the one's complement of the one's complement sum
/// of the pseudo header, the header (checksum field zero) and the payload
/// padded to an even length. A result of 0 is sent as 0xFFFF, because 0
/// in the field means "no checksum" (and is not allowed over IPv6).
pub fn checksum(
    pseudo: &PseudoHeader,
    src_port: u16,
    dst_port: u16,
    payload: &[u8],
) -> Result<u16, HeaderError> {
    let len = length(payload.len())?;
    let header = UdpHeader {
        src_port,
        dst_port,
        length: len,
        checksum: 0,
    };
    let mut sum = OnesComplementSum::default();
    sum.add(&pseudo.bytes(len));
    sum.add(&header.to_bytes());
    sum.add(payload);
    Ok(match !sum.folded() {
        0 => 0xFFFF,
        c => c,
    })
}

/// The sum over whole datagrams the receiver checks: 0xFFFF when the
/// checksum in `header` is right.
pub fn verify_sum(pseudo: &PseudoHeader, header: &UdpHeader, payload: &[u8]) -> u16 {
    let mut sum = OnesComplementSum::default();
    sum.add(&pseudo.bytes(header.length));
    sum.add(&header.to_bytes());
    sum.add(payload);
    sum.folded()
}

/// 16-bit big-endian words summed with end-around carry. Only the last
/// slice added may have an odd length (it is padded with a zero byte).
#[derive(Default)]
struct OnesComplementSum(u64);

impl OnesComplementSum {
    fn add(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(2);
        for w in &mut words {
            self.0 += u64::from(u16::from_be_bytes([w[0], w[1]]));
        }
        if let [last] = words.remainder() {
            self.0 += u64::from(u16::from_be_bytes([*last, 0]));
        }
    }

    fn folded(&self) -> u16 {
        let mut s = self.0;
        while s > 0xFFFF {
            s = (s & 0xFFFF) + (s >> 16);
        }
        s as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().expect("literal")
    }

    #[test]
    fn the_lab_request_checked_by_hand() {
        // 7f00+0001+7f00+0001+0011+0015 (pseudo) + cfdb+3039+0015+0000
        // (header) + 4865+6c6c+6f2c+2073+6572+7665+7200 ("Hello, server"
        // padded) = 0x49098; folded 0x909c; complement 0x6f63.
        let h = UdpHeader::for_datagram(
            addr("127.0.0.1:53211"),
            addr("127.0.0.1:12345"),
            b"Hello, server",
        )
        .expect("header");
        assert_eq!(
            h,
            UdpHeader {
                src_port: 53211,
                dst_port: 12345,
                length: 21,
                checksum: 0x6F63,
            }
        );
        assert_eq!(
            h.to_bytes(),
            [0xCF, 0xDB, 0x30, 0x39, 0x00, 0x15, 0x6F, 0x63]
        );
        let pseudo = PseudoHeader::new(addr("127.0.0.1:0").ip(), addr("127.0.0.1:0").ip())
            .expect("same family");
        assert_eq!(verify_sum(&pseudo, &h, b"Hello, server"), 0xFFFF);
    }

    #[test]
    fn a_computed_zero_is_sent_as_ffff() {
        let from = addr("10.0.0.1:1000");
        let to = addr("10.0.0.2:2000");
        // With a 2-byte payload equal to the checksum of the zero payload,
        // the sum becomes 0xFFFF: its complement is 0.
        let base = UdpHeader::for_datagram(from, to, &[0, 0]).expect("header");
        let payload = base.checksum.to_be_bytes();
        let h = UdpHeader::for_datagram(from, to, &payload).expect("header");
        assert_eq!(h.checksum, 0xFFFF);
        let ether = etherparse::UdpHeader::without_ipv4_checksum(1000, 2000, 2)
            .expect("fits")
            .calc_checksum_ipv4_raw([10, 0, 0, 1], [10, 0, 0, 2], &payload)
            .expect("fits");
        assert_eq!(ether, 0xFFFF);
    }

    #[test]
    fn pseudo_headers_have_the_rfc_layouts() {
        let v4 = PseudoHeader::new(
            "1.2.3.4".parse().expect("ip"),
            "5.6.7.8".parse().expect("ip"),
        )
        .expect("v4");
        assert_eq!(v4.bytes(21), [1, 2, 3, 4, 5, 6, 7, 8, 0, 17, 0, 21]);
        let v6 =
            PseudoHeader::new("::1".parse().expect("ip"), "::2".parse().expect("ip")).expect("v6");
        let b = v6.bytes(300);
        assert_eq!(b.len(), 40);
        assert_eq!(b[15], 1);
        assert_eq!(b[31], 2);
        assert_eq!(&b[32..], &[0, 0, 1, 44, 0, 0, 0, 17]);
        // A mapped address travels as IPv4.
        let mapped = PseudoHeader::new(
            "::ffff:127.0.0.1".parse().expect("ip"),
            "127.0.0.1".parse().expect("ip"),
        );
        assert!(matches!(mapped, Some(PseudoHeader::V4 { .. })));
        assert_eq!(
            PseudoHeader::new("::1".parse().expect("ip"), "127.0.0.1".parse().expect("ip")),
            None
        );
    }

    #[test]
    fn impossible_datagrams_are_errors() {
        let big = vec![0u8; MAX_PAYLOAD + 1];
        assert_eq!(
            UdpHeader::for_datagram(addr("127.0.0.1:1"), addr("127.0.0.1:2"), &big),
            Err(HeaderError::TooLong {
                len: MAX_PAYLOAD + 1
            })
        );
        assert_eq!(
            UdpHeader::for_datagram(addr("127.0.0.1:1"), addr("[::1]:2"), b"x"),
            Err(HeaderError::MixedFamilies)
        );
        let max = vec![0xABu8; MAX_PAYLOAD];
        let h = UdpHeader::for_datagram(addr("127.0.0.1:1"), addr("127.0.0.1:2"), &max)
            .expect("the largest payload fits");
        assert_eq!(h.length, u16::MAX);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn ipv4_matches_etherparse(
            src in any::<[u8; 4]>(),
            dst in any::<[u8; 4]>(),
            sp in any::<u16>(),
            dp in any::<u16>(),
            payload in prop::collection::vec(any::<u8>(), 0..2000),
        ) {
            let from = SocketAddr::from((src, sp));
            let to = SocketAddr::from((dst, dp));
            let ours = UdpHeader::for_datagram(from, to, &payload).expect("header");
            let ip = etherparse::Ipv4Header::new(
                (payload.len() + HEADER_LEN) as u16,
                64,
                etherparse::IpNumber::UDP,
                src,
                dst,
            )
            .expect("fits");
            let theirs = etherparse::UdpHeader::with_ipv4_checksum(sp, dp, &ip, &payload)
                .expect("fits");
            prop_assert_eq!(ours.to_bytes(), theirs.to_bytes());
            prop_assert_ne!(ours.checksum, 0);
            let pseudo = PseudoHeader::new(from.ip(), to.ip()).expect("v4");
            prop_assert_eq!(verify_sum(&pseudo, &ours, &payload), 0xFFFF);
        }

        #[test]
        fn ipv6_matches_etherparse(
            src in any::<[u8; 16]>(),
            dst in any::<[u8; 16]>(),
            sp in any::<u16>(),
            dp in any::<u16>(),
            payload in prop::collection::vec(any::<u8>(), 0..2000),
        ) {
            // Mapped addresses count as IPv4 here; etherparse would use the
            // IPv6 pseudo header, so skip them (they are covered above).
            let (s6, d6) = (Ipv6Addr::from(src), Ipv6Addr::from(dst));
            prop_assume!(s6.to_ipv4_mapped().is_none() && d6.to_ipv4_mapped().is_none());
            let from = SocketAddr::from((s6, sp));
            let to = SocketAddr::from((d6, dp));
            let ours = UdpHeader::for_datagram(from, to, &payload).expect("header");
            let ip = etherparse::Ipv6Header {
                payload_length: (payload.len() + HEADER_LEN) as u16,
                next_header: etherparse::IpNumber::UDP,
                hop_limit: 64,
                source: src,
                destination: dst,
                ..Default::default()
            };
            let theirs = etherparse::UdpHeader::with_ipv6_checksum(sp, dp, &ip, &payload)
                .expect("fits");
            prop_assert_eq!(ours.to_bytes(), theirs.to_bytes());
            let pseudo = PseudoHeader::new(from.ip(), to.ip()).expect("v6");
            prop_assert_eq!(verify_sum(&pseudo, &ours, &payload), 0xFFFF);
        }
    }
}
