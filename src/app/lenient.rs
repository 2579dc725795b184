//! Reading a settings file written by another version of UDP Lab. serde
//! already skips fields it does not know and fills missing ones from the
//! defaults; this covers a value it cannot read — an enum variant from a
//! newer version, a nested struct that changed shape — which would otherwise
//! fail the whole file and lose every setting. Such a field alone falls back
//! to its default.

// RESETS's initializer is const already; clippy 1.96 (Debian's, the
// Windows build's) flags it all the same.
#![allow(clippy::missing_const_for_thread_local)]

use std::cell::Cell;

use serde::{Deserialize, Deserializer};

thread_local! {
    /// Fields reset here on this thread: the settings file's reader
    /// (settings_file.rs) says which field it was, not only that one was.
    static RESETS: Cell<u64> = const { Cell::new(0) };
}

/// How many fields this thread has reset so far.
pub fn resets() -> u64 {
    RESETS.with(Cell::get)
}

/// Either the value, or anything else (skipped).
#[derive(Deserialize)]
#[serde(untagged)]
enum KnownOrNot<T> {
    Known(T),
    Unknown(serde::de::IgnoredAny),
}

/// `#[serde(deserialize_with = "lenient::or_default")]`: the field's value,
/// or its default when this version cannot read it.
pub fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(match KnownOrNot::<T>::deserialize(d)? {
        KnownOrNot::Known(v) => v,
        KnownOrNot::Unknown(_) => {
            RESETS.with(|r| r.set(r.get() + 1));
            T::default()
        }
    })
}
