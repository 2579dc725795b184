//! The pcapng writer: a section header naming UDP Lab, one interface per
//! address family used (LINKTYPE_IPV4 228 / LINKTYPE_IPV6 229, nanosecond
//! timestamps), UDP Lab's Custom Blocks (format, event log in parts of
//! about [`PART_BYTES`], settings), then one Enhanced Packet Block per
//! datagram that reached the wire, oldest first, flagged inbound or
//! outbound and commented with its calls.

use std::collections::HashMap;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::{CUSTOM_BLOCK, CaptureError, FORMAT_VERSION, MAGIC, PEN, Progress, SaveInput, Saved};
use crate::lab::export::{ip_packet, record_time};
use crate::lab::i18n::{Lang, T, fill};
use crate::lab::session::{Call, DatagramRecord, ScriptSource, Session, Side, TraceRow};
use crate::net::{NetEvent, ScriptEventKind};

/// A log part's size: big enough to be few, small enough that no block is
/// huge (Wireshark holds each block whole in memory).
pub const PART_BYTES: usize = 1 << 20;
pub const LINKTYPE_IPV4: u16 = 228;
pub const LINKTYPE_IPV6: u16 = 229;

/// The Custom Blocks' kinds.
pub const KIND_META: &[u8; 4] = b"META";
pub const KIND_LOG: &[u8; 4] = b"LOG_";
pub const KIND_SETTINGS: &[u8; 4] = b"RON_";

/// What the META block says (JSON).
#[derive(Serialize, serde::Deserialize, Debug, Default)]
#[serde(default)]
pub struct Meta {
    pub format: u32,
    pub app: String,
    pub events: u64,
    pub events_dropped: u64,
    pub log_parts: u32,
    pub saved_at: Option<SystemTime>,
}

struct Counting<'a> {
    out: &'a mut dyn Write,
    bytes: u64,
    progress: &'a Progress,
}

impl Counting<'_> {
    fn block(&mut self, kind: u32, body: &[u8]) -> Result<(), CaptureError> {
        if self.progress.cancelled() {
            return Err(CaptureError::Cancelled);
        }
        let padded = body.len().next_multiple_of(4);
        let total = u32::try_from(12 + padded).map_err(|_| CaptureError::Io {
            path: String::new(),
            message: "a block does not fit pcapng's 32-bit length".into(),
        })?;
        let mut write = |bytes: &[u8]| {
            self.out.write_all(bytes).map_err(|e| CaptureError::Io {
                path: String::new(),
                message: e.to_string(),
            })
        };
        write(&kind.to_le_bytes())?;
        write(&total.to_le_bytes())?;
        write(body)?;
        write(&[0u8; 3][..padded - body.len()])?;
        write(&total.to_le_bytes())?;
        self.bytes += u64::from(total);
        self.progress
            .done
            .store(self.bytes, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
}

/// Appends a pcapng option (code, length, value padded to 4).
fn option(body: &mut Vec<u8>, code: u16, value: &[u8]) {
    let len = value.len().min(usize::from(u16::MAX));
    body.extend_from_slice(&code.to_le_bytes());
    body.extend_from_slice(&(len as u16).to_le_bytes());
    body.extend_from_slice(&value[..len]);
    body.resize(body.len().next_multiple_of(4), 0);
}

fn end_of_options(body: &mut Vec<u8>) {
    body.extend_from_slice(&[0, 0, 0, 0]);
}

fn custom(kind: &[u8; 4], index: u32, count: u32, payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(24 + payload.len());
    body.extend_from_slice(&PEN.to_le_bytes());
    body.extend_from_slice(MAGIC);
    body.extend_from_slice(kind);
    body.extend_from_slice(&index.to_le_bytes());
    body.extend_from_slice(&count.to_le_bytes());
    // The block is padded to 4 bytes: the payload's own length says where it ends.
    body.extend_from_slice(
        &u32::try_from(payload.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    body.extend_from_slice(payload);
    body
}

pub(super) fn write(
    out: &mut dyn Write,
    input: &SaveInput,
    progress: &Progress,
    lang: Lang,
) -> Result<Saved, CaptureError> {
    let session = input.session;
    let parts = log_parts(session)?;
    let mut wire: Vec<(&DatagramRecord, SystemTime, Vec<u8>, usize)> = Vec::new();
    for d in session.datagrams.iter().filter(|d| !d.sim.dropped) {
        let Some(at) = record_time(d) else { continue };
        // A datagram no packet can carry (mixed families) is in the log only.
        if let Ok((packet, on_wire)) = ip_packet(d) {
            wire.push((d, at, packet, on_wire));
        }
    }
    wire.sort_by_key(|(_, at, ..)| *at);
    let estimate = parts.iter().map(Vec::len).sum::<usize>()
        + wire.iter().map(|w| w.2.len() + 120).sum::<usize>()
        + input.settings_ron.map_or(0, str::len);
    progress
        .total
        .store(estimate as u64, std::sync::atomic::Ordering::Relaxed);

    let mut out = Counting {
        out,
        bytes: 0,
        progress,
    };
    let app = format!("UDP Lab {}", env!("CARGO_PKG_VERSION"));
    let mut shb = Vec::new();
    shb.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
    shb.extend_from_slice(&1u16.to_le_bytes());
    shb.extend_from_slice(&0u16.to_le_bytes());
    shb.extend_from_slice(&(-1i64).to_le_bytes());
    option(&mut shb, 3, std::env::consts::OS.as_bytes());
    option(&mut shb, 4, app.as_bytes());
    end_of_options(&mut shb);
    out.block(0x0A0D_0D0A, &shb)?;

    // Interface ids in the order the families first appear.
    let mut families: Vec<u16> = Vec::new();
    for (_, _, packet, _) in &wire {
        let link = link_type(packet);
        if !families.contains(&link) {
            families.push(link);
        }
    }
    for link in &families {
        let mut idb = Vec::new();
        idb.extend_from_slice(&link.to_le_bytes());
        idb.extend_from_slice(&0u16.to_le_bytes());
        idb.extend_from_slice(&0u32.to_le_bytes());
        let name = if *link == LINKTYPE_IPV4 {
            "UDP Lab IPv4"
        } else {
            "UDP Lab IPv6"
        };
        option(&mut idb, 2, name.as_bytes());
        option(&mut idb, 9, &[9]);
        end_of_options(&mut idb);
        out.block(1, &idb)?;
    }

    let count = u32::try_from(parts.len()).unwrap_or(u32::MAX);
    let meta = Meta {
        format: FORMAT_VERSION,
        app,
        events: session.log.len() as u64,
        events_dropped: session.log_dropped,
        log_parts: count,
        saved_at: Some(SystemTime::now()),
    };
    let meta = serde_json::to_vec(&meta).map_err(|e| CaptureError::Io {
        path: String::new(),
        message: e.to_string(),
    })?;
    out.block(CUSTOM_BLOCK, &custom(KIND_META, 0, 1, &meta))?;
    for (i, part) in parts.iter().enumerate() {
        out.block(CUSTOM_BLOCK, &custom(KIND_LOG, i as u32, count, part))?;
    }
    if let Some(ron) = input.settings_ron {
        out.block(CUSTOM_BLOCK, &custom(KIND_SETTINGS, 0, 1, ron.as_bytes()))?;
    }

    let rows = rows_by_datagram(session);
    for (d, at, packet, on_wire) in &wire {
        let link = link_type(packet);
        let iface = families.iter().position(|l| *l == link).unwrap_or(0) as u32;
        let ns = at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |t| u64::try_from(t.as_nanos()).unwrap_or(u64::MAX));
        let mut epb = Vec::with_capacity(packet.len() + 128);
        epb.extend_from_slice(&iface.to_le_bytes());
        epb.extend_from_slice(&((ns >> 32) as u32).to_le_bytes());
        epb.extend_from_slice(&(ns as u32).to_le_bytes());
        epb.extend_from_slice(&(packet.len() as u32).to_le_bytes());
        epb.extend_from_slice(&u32::try_from(*on_wire).unwrap_or(u32::MAX).to_le_bytes());
        epb.extend_from_slice(packet);
        epb.resize(epb.len().next_multiple_of(4), 0);
        let comment = comment(
            session,
            d,
            rows.get(&d.id).map_or(&[][..], Vec::as_slice),
            lang,
        );
        if !comment.is_empty() {
            option(&mut epb, 1, comment.as_bytes());
        }
        // epb_flags bits 0-1: 1 inbound, 2 outbound. Sent by UDP Lab (its
        // client, server or a traced script): outbound; only read: inbound.
        let flags: u32 = if d.sent_at.is_some() { 2 } else { 1 };
        option(&mut epb, 2, &flags.to_le_bytes());
        end_of_options(&mut epb);
        out.block(6, &epb)?;
    }
    Ok(Saved {
        packets: wire.len() as u64,
        events: session.log.len() as u64,
        bytes: out.bytes,
    })
}

fn link_type(packet: &[u8]) -> u16 {
    match packet.first().map(|b| b >> 4) {
        Some(6) => LINKTYPE_IPV6,
        _ => LINKTYPE_IPV4,
    }
}

/// The event log as JSON arrays of about [`PART_BYTES`] each. A script's
/// start carries its source as it ran (the session read it then).
fn log_parts(session: &Session) -> Result<Vec<Vec<u8>>, CaptureError> {
    let mut parts = Vec::new();
    let mut part = b"[".to_vec();
    for event in &session.log {
        let with_source;
        let event = match event {
            NetEvent::Script(ev) => match &ev.kind {
                ScriptEventKind::Started { source: None, .. } => {
                    let text = session.scripts.get(ev.run).and_then(|s| match &s.source {
                        ScriptSource::Text(text) => Some(text.to_string()),
                        _ => None,
                    });
                    let mut ev = ev.clone();
                    if let ScriptEventKind::Started { source, .. } = &mut ev.kind {
                        *source = text;
                    }
                    with_source = NetEvent::Script(ev);
                    &with_source
                }
                _ => event,
            },
            _ => event,
        };
        if part.len() > 1 {
            part.push(b',');
        }
        serde_json::to_writer(&mut part, event).map_err(|e| CaptureError::Io {
            path: String::new(),
            message: e.to_string(),
        })?;
        if part.len() >= PART_BYTES {
            part.push(b']');
            parts.push(std::mem::replace(&mut part, b"[".to_vec()));
        }
    }
    if part.len() > 1 || parts.is_empty() {
        part.push(b']');
        parts.push(part);
    }
    Ok(parts)
}

fn rows_by_datagram(session: &Session) -> HashMap<u64, Vec<&TraceRow>> {
    let mut rows: HashMap<u64, Vec<&TraceRow>> = HashMap::new();
    for row in &session.trace {
        if let Some(id) = row.datagram {
            rows.entry(id).or_default().push(row);
        }
    }
    rows
}

/// "client step 6 sendto(13 bytes → 127.0.0.1:12345); server step 7
/// recvfrom(1024) → 13 bytes", and what the simulator did.
pub fn comment(session: &Session, d: &DatagramRecord, rows: &[&TraceRow], lang: Lang) -> String {
    let t = |k: T| k.get(lang);
    let mut parts: Vec<String> = Vec::new();
    // The send first: the clocks of the two ends may put its row after
    // the receive's (sendto's time is taken when it returns).
    let mut rows = rows.to_vec();
    rows.sort_by_key(|r| matches!(r.call, Call::RecvFrom { .. }));
    for row in rows {
        let side = match row.side {
            Side::Server => t(T::CapCommentServer).to_owned(),
            Side::Client => t(T::CapCommentClient).to_owned(),
            Side::Script(run) => {
                let name = session
                    .scripts
                    .get(run)
                    .map_or_else(|| run.to_string(), |s| s.name.clone());
                let name = match row.script.as_ref().and_then(|s| s.site.as_ref()) {
                    Some((_, line)) => format!("{name}:{line}"),
                    None => name,
                };
                fill(t(T::CapCommentScript), &[("name", &name)])
            }
        };
        let call = match &row.call {
            Call::SendTo { len, to, .. } => {
                fill(t(T::CapCommentSendTo), &[("len", len), ("to", to)])
            }
            Call::RecvFrom { buffer, read, .. } => fill(
                t(T::CapCommentRecvFrom),
                &[("buffer", buffer), ("read", read)],
            ),
            _ => continue,
        };
        parts.push(match row.lab_step() {
            Some(step) => fill(
                t(T::CapCommentStep),
                &[("side", &side), ("step", &step), ("call", &call)],
            ),
            None => fill(t(T::CapCommentNoStep), &[("side", &side), ("call", &call)]),
        });
    }
    if let Some(cut) = d.truncated {
        parts.push(fill(
            t(T::CapCommentCut),
            &[("read", &cut.read), ("len", &d.len)],
        ));
    }
    if d.sim.duplicated {
        parts.push(t(T::CapCommentDuplicated).into());
    }
    if !d.sim.delay.is_zero() {
        let ms = d.sim.delay.as_millis();
        parts.push(fill(t(T::CapCommentDelayed), &[("ms", &ms)]));
    }
    if d.sim.reordered {
        parts.push(t(T::CapCommentReordered).into());
    }
    if d.gave_up_at.is_some() && d.received_at.is_none() {
        parts.push(t(T::CapCommentGaveUp).into());
    }
    parts.join("; ")
}
