//! Serde for the event fields serde has no impl for without extra crate
//! features: payloads (`Arc<[u8]>`, written as hex text: a third the size
//! of a JSON array of numbers) and the `&'static str` fields (a failed
//! call's name, a socket option's level and name). Texts read back by interning:
//! each distinct text is leaked once, and at most [`MAX_INTERNED`] of them,
//! so a hostile file cannot make a reader leak without bound (beyond the
//! cap a text reads as "?").

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};

use serde::{Deserialize, Deserializer, Serializer};

/// `&'static str` under another name: serde's derive borrows a field
/// typed `&str` from the input (`'de: 'static`), which no file can give.
pub type StaticStr = &'static str;

/// Far more than the distinct call and option names UDP Lab has.
pub const MAX_INTERNED: usize = 512;
/// Longer texts are no call names.
const MAX_LEN: usize = 64;

pub fn intern(text: &str) -> &'static str {
    static TABLE: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let table = TABLE.get_or_init(Default::default);
    let mut table = table.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = table.get(text) {
        return known;
    }
    if table.len() >= MAX_INTERNED || text.len() > MAX_LEN {
        return "?";
    }
    let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
    table.insert(leaked);
    leaked
}

pub mod static_str {
    use super::*;

    pub fn serialize<S: Serializer>(text: &&'static str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(intern(&text))
    }
}

pub mod bytes {
    use std::sync::Arc;

    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Arc<[u8]>, s: S) -> Result<S::Ok, S::Error> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = String::with_capacity(bytes.len() * 2);
        for b in bytes.iter() {
            text.push(char::from(DIGITS[usize::from(b >> 4)]));
            text.push(char::from(DIGITS[usize::from(b & 15)]));
        }
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<[u8]>, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        let digit = |c: u8| char::from(c).to_digit(16);
        let pairs = text.as_bytes().chunks(2);
        pairs
            .map(|pair| match pair {
                [hi, lo] => match (digit(*hi), digit(*lo)) {
                    (Some(h), Some(l)) => Ok((h * 16 + l) as u8),
                    _ => Err(D::Error::custom("a payload's hex has a non-hex digit")),
                },
                _ => Err(D::Error::custom("a payload's hex has an odd length")),
            })
            .collect()
    }
}
