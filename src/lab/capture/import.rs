//! A capture read into what the window shows: UDP Lab's own file back to
//! its events, any other capture's UDP datagrams into a session (bounded,
//! the rest counted), and everything else counted by protocol.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use super::blocks::{self, Item};
use super::decode::{Decoded, Decoder};
use super::error::{CaptureError, Corruption};
use super::write::{KIND_LOG, KIND_META, KIND_SETTINGS, Meta};
use super::{FORMAT_VERSION, Imported, MAGIC, Progress, Recorded};
use crate::lab::session::{DatagramRecord, Direction, MAX_DATAGRAMS, Session};
use crate::net::{DEFAULT_PORT, NetEvent, SimFate};

/// The event log's parts together may not exceed this (a saved log of
/// [`crate::lab::session::MAX_LOG`] events is far smaller).
const MAX_LOG_BYTES: usize = 256 << 20;

#[derive(Default)]
struct Reading {
    decoder: Decoder,
    session: Session,
    packets: u64,
    udp: u64,
    left_out: u64,
    skipped: HashMap<&'static str, u64>,
    link_types: Vec<u32>,
    /// The destination of the first datagram to the lab's port, and of the
    /// first datagram at all.
    lab_server: Option<SocketAddr>,
    first_server: Option<SocketAddr>,
    meta: Option<(u64, Meta)>,
    log: BTreeMap<u32, (u64, Vec<u8>)>,
    log_bytes: usize,
    settings: Option<String>,
}

impl Reading {
    fn item(&mut self, item: Item) -> Result<(), CaptureError> {
        match item {
            Item::Interface { link } => {
                if !self.link_types.contains(&link) {
                    self.link_types.push(link);
                }
            }
            Item::Packet { link, at, data } => {
                self.packets += 1;
                // UDP Lab's own file: its events say it all.
                if self.meta.is_some() {
                    return Ok(());
                }
                match self.decoder.packet(link, data) {
                    Decoded::Udp(u) => {
                        self.udp += 1;
                        if u.to.port() == DEFAULT_PORT {
                            self.lab_server.get_or_insert(u.to);
                        }
                        self.first_server.get_or_insert(u.to);
                        if self.session.datagrams.len() >= MAX_DATAGRAMS {
                            self.left_out += 1;
                            return Ok(());
                        }
                        self.session.push_captured(DatagramRecord {
                            id: 0,
                            direction: Direction::Request,
                            from: u.from,
                            to: u.to,
                            bytes: Arc::from(u.payload),
                            len: u.len,
                            truncated: None,
                            sent_at: Some(at),
                            received_at: Some(at),
                            client: None,
                            gave_up_at: None,
                            sim: SimFate::default(),
                            sender_script: None,
                            receiver_script: None,
                            captured: Some(u.header),
                        });
                    }
                    Decoded::Skipped(name) => *self.skipped.entry(name).or_default() += 1,
                    Decoded::Held => {}
                }
            }
            Item::Custom { at, data } => self.custom(at, data)?,
        }
        Ok(())
    }

    fn custom(&mut self, at: u64, data: &[u8]) -> Result<(), CaptureError> {
        // Another program's block under the same number: not ours.
        if data.len() < 24 || &data[..8] != MAGIC {
            return Ok(());
        }
        let kind = &data[8..12];
        let index = u32::from_le_bytes([data[12], data[13], data[14], data[15]]);
        let len = u32::from_le_bytes([data[20], data[21], data[22], data[23]]) as usize;
        let payload = &data[24..(24 + len).min(data.len())];
        let bad = |message: String| CaptureError::Corrupt {
            at,
            what: Corruption::BadLog { message },
        };
        if kind == KIND_META {
            if self.meta.is_none() {
                let meta: Meta = serde_json::from_slice(payload).map_err(|e| bad(e.to_string()))?;
                if meta.format > FORMAT_VERSION {
                    return Err(CaptureError::TooNew {
                        what: "UDP Lab session",
                        version: meta.format,
                    });
                }
                self.meta = Some((at, meta));
            }
        } else if kind == KIND_LOG {
            self.log_bytes += payload.len();
            if self.log_bytes > MAX_LOG_BYTES {
                return Err(bad("larger than any saved session".into()));
            }
            // A merged file may hold a second session's log: the first wins.
            self.log
                .entry(index)
                .or_insert_with(|| (at, payload.to_vec()));
        } else if kind == KIND_SETTINGS && self.settings.is_none() {
            self.settings = Some(String::from_utf8_lossy(payload).into_owned());
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Recorded, CaptureError> {
        if let Some((meta_at, meta)) = self.meta.take() {
            let mut events: Vec<NetEvent> = Vec::new();
            for index in 0..meta.log_parts {
                let Some((at, part)) = self.log.get(&index) else {
                    return Err(CaptureError::Corrupt {
                        at: meta_at,
                        what: Corruption::MissingLogPart {
                            index,
                            count: meta.log_parts,
                        },
                    });
                };
                let part: Vec<NetEvent> =
                    serde_json::from_slice(part).map_err(|e| CaptureError::Corrupt {
                        at: *at,
                        what: Corruption::BadLog {
                            message: e.to_string(),
                        },
                    })?;
                events.extend(part);
            }
            return Ok(Recorded::Session {
                events,
                events_dropped: meta.events_dropped,
                settings_ron: self.settings,
                saved_at: meta.saved_at.unwrap_or(UNIX_EPOCH),
            });
        }
        let unfinished = self.decoder.unfinished();
        if unfinished > 0 {
            *self.skipped.entry("IP fragments").or_default() += unfinished;
        }
        let mut skipped: Vec<(&'static str, u64)> = self.skipped.into_iter().collect();
        skipped.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        if self.udp == 0 {
            return Err(CaptureError::NoUdp {
                packets: self.packets,
                skipped,
            });
        }
        let server = self
            .lab_server
            .or_else(|| first_answered(&self.session))
            .or(self.first_server);
        for d in self.session.datagrams.iter_mut() {
            if Some(d.from) == server {
                d.direction = Direction::Reply;
            }
        }
        Ok(Recorded::Capture(Box::new(Imported {
            session: self.session,
            server,
            packets: self.packets,
            udp: self.udp,
            left_out: self.left_out,
            skipped,
            link_types: self.link_types,
        })))
    }
}

/// The destination of the first datagram that got an answer (one back
/// from it to its sender).
fn first_answered(session: &Session) -> Option<SocketAddr> {
    let pairs: HashSet<(SocketAddr, SocketAddr)> =
        session.datagrams.iter().map(|d| (d.from, d.to)).collect();
    session
        .datagrams
        .iter()
        .find(|d| pairs.contains(&(d.to, d.from)))
        .map(|d| d.to)
}

pub(super) fn read(
    input: impl Read,
    total: Option<u64>,
    progress: &Progress,
) -> Result<Recorded, CaptureError> {
    let mut reading = Reading::default();
    blocks::read(input, total, progress, &mut |item| reading.item(item))?;
    reading.finish()
}
