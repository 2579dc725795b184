//! A traced script's source, read when it starts (the Code view shows it).

use std::path::Path;
use std::sync::Arc;

/// The longest source kept for the Code view.
pub const MAX_SOURCE: u64 = 256 * 1024;

/// The script's source, read when it started.
#[derive(Clone, Debug, PartialEq)]
pub enum ScriptSource {
    Text(Arc<str>),
    /// Longer than [`MAX_SOURCE`]: its length.
    TooLong(u64),
    /// Could not be read: the system's words.
    Unreadable(String),
}

/// The file's text when it is small enough and readable.
pub fn read_source(path: &Path) -> ScriptSource {
    use std::io::Read as _;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return ScriptSource::Unreadable(e.to_string()),
    };
    let mut bytes = Vec::new();
    // One byte more than allowed tells a file that is too long.
    if let Err(e) = file.take(MAX_SOURCE + 1).read_to_end(&mut bytes) {
        return ScriptSource::Unreadable(e.to_string());
    }
    if bytes.len() as u64 > MAX_SOURCE {
        let len = std::fs::metadata(path).map_or(MAX_SOURCE + 1, |m| m.len());
        return ScriptSource::TooLong(len);
    }
    ScriptSource::Text(String::from_utf8_lossy(&bytes).into())
}
