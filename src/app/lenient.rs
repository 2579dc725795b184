//! Reading a settings file written by another version of UDP Lab. serde
//! already skips fields it does not know and fills missing ones from the
//! defaults; this covers a value it cannot read — an enum variant from a
//! newer version, a nested struct that changed shape — which would otherwise
//! fail the whole file and lose every setting. Such a field alone falls back
//! to its default.

use serde::{Deserialize, Deserializer};

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
        KnownOrNot::Unknown(_) => T::default(),
    })
}
