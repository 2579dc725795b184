//! Streaming pcap and pcapng reading: one record or block at a time into a
//! reused buffer, every length checked against the file before it is
//! trusted, the byte offset kept for the error message. Both byte orders,
//! µs and ns pcap, pcapng sections with their interfaces' timestamp
//! resolution and offset.

use std::io::Read;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::error::{CaptureError, Corruption, LooksLike, Part};
use super::{CUSTOM_BLOCK, CUSTOM_BLOCK_NO_COPY, PEN, Progress};

/// A block or packet longer than this, when the file's size is unknown, is
/// a lie (pcapng allows 4 GiB; nothing real comes near).
const MAX_BLOCK: u64 = 256 << 20;
/// A block claiming more than the file has left is taken for a cut file
/// when its length is plausible, for a lying length when it is not.
const PLAUSIBLE_BLOCK: u64 = 16 << 20;
/// The longest packet in a pcap (snap lengths are at most 256 KiB; some
/// tools allow more).
const MAX_PCAP_PACKET: u64 = 16 << 20;

/// What the reader hands on.
pub(super) enum Item<'a> {
    /// An interface (pcapng) or the file's link type (pcap).
    Interface { link: u32 },
    Packet {
        link: u32,
        at: SystemTime,
        data: &'a [u8],
    },
    /// A Custom Block under UDP Lab's enterprise number: its data after
    /// the number, and where the block starts.
    Custom { at: u64, data: &'a [u8] },
}

pub(super) type Sink<'s> = dyn FnMut(Item) -> Result<(), CaptureError> + 's;

struct Input<'p, R> {
    r: R,
    at: u64,
    total: Option<u64>,
    progress: &'p Progress,
}

impl<R: Read> Input<'_, R> {
    /// Reads until `buf` is full or the file ends; how many bytes came.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, CaptureError> {
        let mut n = 0;
        while n < buf.len() {
            match self.r.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(CaptureError::Io {
                        path: String::new(),
                        message: e.to_string(),
                    });
                }
            }
        }
        self.at += n as u64;
        Ok(n)
    }

    fn exact(&mut self, buf: &mut [u8], part: Part) -> Result<(), CaptureError> {
        if self.fill(buf)? < buf.len() {
            return Err(CaptureError::Truncated { at: self.at, part });
        }
        Ok(())
    }

    fn left(&self) -> Option<u64> {
        self.total.map(|t| t.saturating_sub(self.at))
    }

    /// Checks a length read at `start` (the block or record) that says
    /// `rest` more bytes follow from here.
    fn check_rest(
        &self,
        start: u64,
        length: u64,
        rest: u64,
        part: Part,
    ) -> Result<(), CaptureError> {
        match self.left() {
            Some(left) if rest > left => {
                if length <= PLAUSIBLE_BLOCK {
                    Err(CaptureError::Truncated {
                        at: self.total.unwrap_or(self.at),
                        part,
                    })
                } else {
                    Err(CaptureError::Corrupt {
                        at: start,
                        what: Corruption::LengthPastEnd {
                            length,
                            left: left + (self.at - start),
                        },
                    })
                }
            }
            None if length > MAX_BLOCK => Err(CaptureError::Corrupt {
                at: start,
                what: Corruption::BadBlockLength { length },
            }),
            _ => Ok(()),
        }
    }

    fn step(&self) -> Result<(), CaptureError> {
        self.progress.done.store(self.at, Ordering::Relaxed);
        if self.progress.cancelled() {
            return Err(CaptureError::Cancelled);
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
struct Order {
    big: bool,
}

impl Order {
    fn u16(self, b: &[u8], at: usize) -> u16 {
        let v = [b[at], b[at + 1]];
        if self.big {
            u16::from_be_bytes(v)
        } else {
            u16::from_le_bytes(v)
        }
    }
    fn u32(self, b: &[u8], at: usize) -> u32 {
        let v = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if self.big {
            u32::from_be_bytes(v)
        } else {
            u32::from_le_bytes(v)
        }
    }
    fn u64(self, b: &[u8], at: usize) -> u64 {
        let mut v = [0u8; 8];
        v.copy_from_slice(&b[at..at + 8]);
        if self.big {
            u64::from_be_bytes(v)
        } else {
            u64::from_le_bytes(v)
        }
    }
}

/// Reads a whole capture, handing each item to `sink`.
pub(super) fn read(
    r: impl Read,
    total: Option<u64>,
    progress: &Progress,
    sink: &mut Sink,
) -> Result<(), CaptureError> {
    let mut input = Input {
        r,
        at: 0,
        total,
        progress,
    };
    let mut magic = [0u8; 4];
    let got = input.fill(&mut magic)?;
    if got == 0 {
        return Err(CaptureError::Empty);
    }
    let pcap = match magic {
        [0xd4, 0xc3, 0xb2, 0xa1] => Some((false, 1_000, 0)),
        [0xa1, 0xb2, 0xc3, 0xd4] => Some((true, 1_000, 0)),
        [0x4d, 0x3c, 0xb2, 0xa1] => Some((false, 1, 0)),
        [0xa1, 0xb2, 0x3c, 0x4d] => Some((true, 1, 0)),
        // Kuznetzov's modified pcap: 8 more bytes per record.
        [0x34, 0xcd, 0xb2, 0xa1] => Some((false, 1_000, 8)),
        [0xa1, 0xb2, 0xcd, 0x34] => Some((true, 1_000, 8)),
        _ => None,
    };
    if let Some((big, ns_per_unit, extra)) = pcap {
        return read_pcap(&mut input, Order { big }, ns_per_unit, extra, sink);
    }
    if magic == [0x0a, 0x0d, 0x0d, 0x0a] {
        return read_pcapng(&mut input, sink);
    }
    if got < 4 && LooksLike::sniff(&magic[..got]) == LooksLike::Unknown {
        return Err(CaptureError::Truncated {
            at: input.at,
            part: Part::FileHeader,
        });
    }
    let mut head = [0u8; 512];
    head[..4].copy_from_slice(&magic);
    let more = if got == 4 {
        input.fill(&mut head[4..])?
    } else {
        0
    };
    Err(CaptureError::NotACapture {
        looks_like: LooksLike::sniff(&head[..got + more]),
    })
}

fn read_pcap<R: Read>(
    input: &mut Input<R>,
    order: Order,
    ns_per_unit: u32,
    extra: usize,
    sink: &mut Sink,
) -> Result<(), CaptureError> {
    let mut header = [0u8; 20];
    input.exact(&mut header, Part::FileHeader)?;
    let major = order.u16(&header, 0);
    if major > 2 {
        return Err(CaptureError::TooNew {
            what: "pcap",
            version: u32::from(major),
        });
    }
    // The link type is the low 16 bits; the high ones may tell the FCS.
    let link = order.u32(&header, 16) & 0xFFFF;
    sink(Item::Interface { link })?;
    let mut record = vec![0u8; 16 + extra];
    let mut data = Vec::new();
    loop {
        let start = input.at;
        let got = input.fill(&mut record)?;
        if got == 0 {
            return Ok(());
        }
        if got < record.len() {
            return Err(CaptureError::Truncated {
                at: input.at,
                part: Part::Packet,
            });
        }
        let secs = order.u32(&record, 0);
        let frac = order.u32(&record, 4);
        let caplen = u64::from(order.u32(&record, 8));
        if caplen > MAX_PCAP_PACKET {
            return Err(CaptureError::Corrupt {
                at: start,
                what: Corruption::PacketTooLong { length: caplen },
            });
        }
        input.check_rest(start, caplen, caplen, Part::Packet)?;
        data.resize(caplen as usize, 0);
        input.exact(&mut data, Part::Packet)?;
        let at = UNIX_EPOCH
            + Duration::from_secs(u64::from(secs))
            + Duration::from_nanos(u64::from(frac) * u64::from(ns_per_unit));
        sink(Item::Packet {
            link,
            at,
            data: &data,
        })?;
        input.step()?;
    }
}

/// An interface of a pcapng section.
struct Interface {
    link: u32,
    /// Timestamp units per second (if_tsresol; 10^6 by default).
    per_sec: u128,
    /// if_tsoffset, in seconds.
    offset: i64,
}

impl Interface {
    fn time(&self, ts: u64) -> SystemTime {
        let ts = u128::from(ts);
        let secs = u64::try_from(ts / self.per_sec).unwrap_or(u64::MAX);
        let nanos = ((ts % self.per_sec) * 1_000_000_000 / self.per_sec) as u64;
        let base = if self.offset >= 0 {
            UNIX_EPOCH.checked_add(Duration::from_secs(self.offset.unsigned_abs()))
        } else {
            UNIX_EPOCH.checked_sub(Duration::from_secs(self.offset.unsigned_abs()))
        };
        base.and_then(|b| b.checked_add(Duration::from_secs(secs)))
            .and_then(|b| b.checked_add(Duration::from_nanos(nanos)))
            .unwrap_or(UNIX_EPOCH)
    }
}

fn read_pcapng<R: Read>(input: &mut Input<R>, sink: &mut Sink) -> Result<(), CaptureError> {
    let mut order = Order { big: false };
    let mut interfaces: Vec<Interface> = Vec::new();
    let mut body: Vec<u8> = Vec::new();
    let mut last_time = UNIX_EPOCH;
    // The first block's type was read by the sniffing.
    let mut head = [0u8; 8];
    head[..4].copy_from_slice(&[0x0a, 0x0d, 0x0d, 0x0a]);
    let mut have_type = true;
    loop {
        let start = input.at - if have_type { 4 } else { 0 };
        let from = if have_type { 4 } else { 0 };
        let got = input.fill(&mut head[from..])?;
        if got == 0 && !have_type {
            return Ok(());
        }
        if got < 8 - from {
            return Err(CaptureError::Truncated {
                at: input.at,
                part: Part::BlockHeader,
            });
        }
        have_type = false;
        let shb = head[..4] == [0x0a, 0x0d, 0x0d, 0x0a];
        if shb {
            let mut bom = [0u8; 4];
            input.exact(&mut bom, Part::BlockHeader)?;
            order = match bom {
                [0x1a, 0x2b, 0x3c, 0x4d] => Order { big: true },
                [0x4d, 0x3c, 0x2b, 0x1a] => Order { big: false },
                _ => {
                    return Err(CaptureError::Corrupt {
                        at: start + 8,
                        what: Corruption::BadByteOrder,
                    });
                }
            };
            interfaces.clear();
        }
        let kind = order.u32(&head, 0);
        let length = u64::from(order.u32(&head, 4));
        if length < 12 || length % 4 != 0 || (shb && length < 28) {
            return Err(CaptureError::Corrupt {
                at: start,
                what: Corruption::BadBlockLength { length },
            });
        }
        let read_so_far = input.at - start;
        input.check_rest(start, length, length - read_so_far, Part::Block)?;
        // The body (without the type, length, and SHB's byte-order mark).
        body.resize((length - 12 - if shb { 4 } else { 0 }) as usize, 0);
        input.exact(&mut body, Part::Block)?;
        let mut tail = [0u8; 4];
        input.exact(&mut tail, Part::Block)?;
        let tail = u64::from(order.u32(&tail, 0));
        if tail != length {
            return Err(CaptureError::Corrupt {
                at: start,
                what: Corruption::LengthMismatch { head: length, tail },
            });
        }
        let bad = |block: &'static str| CaptureError::Corrupt {
            at: start,
            what: Corruption::BadBlock { block },
        };
        match kind {
            0x0A0D_0D0A => {
                let major = order.u16(&body, 0);
                if major != 1 {
                    return Err(CaptureError::TooNew {
                        what: "pcapng",
                        version: u32::from(major),
                    });
                }
            }
            1 => {
                if body.len() < 8 {
                    return Err(bad("interface description"));
                }
                let link = u32::from(order.u16(&body, 0));
                let mut iface = Interface {
                    link,
                    per_sec: 1_000_000,
                    offset: 0,
                };
                for (code, value) in options(order, &body[8..]) {
                    match (code, value) {
                        (9, [resol, ..]) => {
                            iface.per_sec = if resol & 0x80 == 0 {
                                10u128.pow(u32::from(*resol).min(38))
                            } else {
                                1u128 << u32::from(resol & 0x7f).min(126)
                            };
                        }
                        (14, v) if v.len() >= 8 => iface.offset = order.u64(v, 0) as i64,
                        _ => {}
                    }
                }
                interfaces.push(iface);
                sink(Item::Interface { link })?;
            }
            // Enhanced (6) and the obsolete Packet Block (2).
            6 | 2 => {
                if body.len() < 20 {
                    return Err(bad(if kind == 6 {
                        "enhanced packet"
                    } else {
                        "packet"
                    }));
                }
                let id = if kind == 6 {
                    order.u32(&body, 0)
                } else {
                    u32::from(order.u16(&body, 0))
                };
                let ts = (u64::from(order.u32(&body, 4)) << 32) | u64::from(order.u32(&body, 8));
                let caplen = order.u32(&body, 12) as usize;
                if caplen > body.len() - 20 {
                    return Err(bad(if kind == 6 {
                        "enhanced packet"
                    } else {
                        "packet"
                    }));
                }
                let iface = interfaces.get(id as usize).ok_or(CaptureError::Corrupt {
                    at: start,
                    what: Corruption::UnknownInterface { id },
                })?;
                last_time = iface.time(ts);
                sink(Item::Packet {
                    link: iface.link,
                    at: last_time,
                    data: &body[20..20 + caplen],
                })?;
            }
            // Simple Packet Block: interface 0, no timestamp.
            3 => {
                if body.len() < 4 {
                    return Err(bad("simple packet"));
                }
                let len = (order.u32(&body, 0) as usize).min(body.len() - 4);
                let iface = interfaces.first().ok_or(CaptureError::Corrupt {
                    at: start,
                    what: Corruption::UnknownInterface { id: 0 },
                })?;
                sink(Item::Packet {
                    link: iface.link,
                    at: last_time,
                    data: &body[4..4 + len],
                })?;
            }
            CUSTOM_BLOCK | CUSTOM_BLOCK_NO_COPY
                if body.len() >= 4 && order.u32(&body, 0) == PEN =>
            {
                sink(Item::Custom {
                    at: start,
                    data: &body[4..],
                })?;
            }
            _ => {}
        }
        input.step()?;
    }
}

/// A block's options: (code, value), until opt_endofopt or the end.
fn options(order: Order, mut b: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        if b.len() < 4 {
            return None;
        }
        let code = order.u16(b, 0);
        let len = usize::from(order.u16(b, 2));
        if code == 0 || 4 + len > b.len() {
            return None;
        }
        let value = &b[4..4 + len];
        b = &b[(4 + len.next_multiple_of(4)).min(b.len())..];
        Some((code, value))
    })
}
