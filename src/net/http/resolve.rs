//! Which file a request target names, safely: only files under the root
//! folder are served. `..`, absolute and drive paths, backslashes, NUL,
//! encoded slashes, double encoding and symlinks that lead out of the root
//! are refused (403) with the reason, so the window can teach it; a file
//! that is not there is a 404. Files are read as bytes and never run.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the server serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Root {
    /// UDP Lab's own HelloWorld.html and its picture (no folder given).
    Builtin,
    /// A folder, canonical (symlinks resolved) so "inside it" can be checked.
    Dir(PathBuf),
}

/// The built-in site: as the Kurose–Ross web server lab's HelloWorld.html.
pub const BUILTIN: &[(&str, &[u8])] = &[
    (
        "HelloWorld.html",
        include_bytes!("../../../assets/web/HelloWorld.html"),
    ),
    (
        "socket.png",
        include_bytes!("../../../assets/web/socket.png"),
    ),
];

/// The largest file served: a lab's pages are small, and a file is read whole.
pub const MAX_FILE: u64 = 64 * 1024 * 1024;

/// Why a target was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Refusal {
    /// A `..` segment: a step up out of the folder.
    DotDot,
    /// Not a path from the root: `//etc/passwd`, `C:/…`, `etc/passwd`.
    Absolute,
    /// A backslash: Windows would read it as a folder separator.
    Backslash,
    /// A NUL byte (`%00`): C-based file APIs stop at it.
    Nul,
    /// `%2f` or `%5c`: a slash hidden from a check made before decoding.
    EncodedSlash,
    /// `%25…`: encoded twice, so a second decoding would reveal `..`.
    DoubleEncoded,
    /// A `%` not followed by two hex digits, or bytes that are not UTF-8.
    BadEncoding,
    /// The path leads out of the folder through a symbolic link.
    SymlinkOut,
    /// The file is larger than [`MAX_FILE`].
    TooLarge,
}

/// The answer for one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    File { body: Arc<[u8]>, mime: &'static str },
    Forbidden(Refusal),
    NotFound,
}

/// The path part of a target, without its query or fragment.
fn path_of(target: &str) -> &str {
    let end = target.find(['?', '#']).unwrap_or(target.len());
    &target[..end]
}

/// Decodes `%XX` once; refuses what would hide a separator or a second
/// round of decoding.
fn decode_segment(raw: &str) -> Result<String, Refusal> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(Refusal::BadEncoding)?;
            match hex {
                b'/' | b'\\' => return Err(Refusal::EncodedSlash),
                b'%' => return Err(Refusal::DoubleEncoded),
                0 => return Err(Refusal::Nul),
                _ => out.push(hex),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Refusal::BadEncoding)
}

/// The target's path as segments under the root, or why not.
pub fn segments(target: &str) -> Result<Vec<String>, Refusal> {
    let path = path_of(target);
    if path.contains('\\') {
        return Err(Refusal::Backslash);
    }
    if path.contains('\0') {
        return Err(Refusal::Nul);
    }
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(Refusal::Absolute);
    }
    let mut out = Vec::new();
    for raw in path[1..].split('/') {
        let segment = decode_segment(raw)?;
        match segment.as_str() {
            "" | "." => {}
            ".." => return Err(Refusal::DotDot),
            s if s.contains(':') => return Err(Refusal::Absolute),
            s if s.contains('\\') => return Err(Refusal::Backslash),
            _ => out.push(segment),
        }
    }
    Ok(out)
}

/// The MIME type for a file name, by its extension.
pub fn mime_of(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// The file `target` names under `root`. "/" is the folder's index.html
/// (the built-in site's HelloWorld.html).
pub fn resolve(root: &Root, target: &str) -> Resolved {
    let segments = match segments(target) {
        Ok(s) => s,
        Err(why) => return Resolved::Forbidden(why),
    };
    match root {
        Root::Builtin => {
            let name = match segments.as_slice() {
                [] => "HelloWorld.html",
                [one] => one.as_str(),
                _ => return Resolved::NotFound,
            };
            match BUILTIN.iter().find(|(n, _)| *n == name) {
                Some((n, bytes)) => Resolved::File {
                    body: Arc::from(*bytes),
                    mime: mime_of(n),
                },
                None => Resolved::NotFound,
            }
        }
        Root::Dir(dir) => from_dir(dir, &segments),
    }
}

fn from_dir(dir: &Path, segments: &[String]) -> Resolved {
    let mut path = dir.to_path_buf();
    path.extend(segments);
    // Symlinks resolved: whatever the path says, the file must be inside.
    let Ok(mut real) = path.canonicalize() else {
        return Resolved::NotFound;
    };
    if !real.starts_with(dir) {
        return Resolved::Forbidden(Refusal::SymlinkOut);
    }
    if real.is_dir() {
        match real.join("index.html").canonicalize() {
            Ok(index) if index.starts_with(dir) => real = index,
            Ok(_) => return Resolved::Forbidden(Refusal::SymlinkOut),
            Err(_) => return Resolved::NotFound,
        }
    }
    match std::fs::metadata(&real) {
        Ok(meta) if meta.len() > MAX_FILE => return Resolved::Forbidden(Refusal::TooLarge),
        Ok(meta) if meta.is_file() => {}
        _ => return Resolved::NotFound,
    }
    match std::fs::read(&real) {
        Ok(bytes) => Resolved::File {
            body: Arc::from(bytes),
            mime: mime_of(&real.to_string_lossy()),
        },
        // Unreadable (permissions, gone meanwhile): not served, as if absent.
        Err(_) => Resolved::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversals_are_refused_with_their_reason() {
        let cases = [
            ("/../etc/passwd", Refusal::DotDot),
            ("/a/../../x", Refusal::DotDot),
            ("/%2e%2e/etc/passwd", Refusal::DotDot),
            ("/%2E%2E%2Fetc", Refusal::EncodedSlash),
            ("/..%2fetc", Refusal::EncodedSlash),
            ("/%252e%252e/etc", Refusal::DoubleEncoded),
            ("//etc/passwd", Refusal::Absolute),
            ("etc/passwd", Refusal::Absolute),
            ("/C:/Windows/win.ini", Refusal::Absolute),
            ("/..\\..\\win.ini", Refusal::Backslash),
            ("/a%5c..", Refusal::EncodedSlash),
            ("/a%00.html", Refusal::Nul),
            ("/a%zz", Refusal::BadEncoding),
            ("/%ff", Refusal::BadEncoding),
        ];
        for (target, why) in cases {
            assert_eq!(
                resolve(&Root::Builtin, target),
                Resolved::Forbidden(why),
                "{target}"
            );
        }
    }

    #[test]
    fn the_builtin_site_and_its_types() {
        let page = resolve(&Root::Builtin, "/HelloWorld.html?x=1");
        assert!(
            matches!(page, Resolved::File { mime, ref body } if mime.starts_with("text/html") && body.starts_with(b"<!DOCTYPE html>"))
        );
        assert_eq!(resolve(&Root::Builtin, "/favicon.ico"), Resolved::NotFound);
        assert_eq!(mime_of("a.PNG"), "image/png");
        assert_eq!(mime_of("a.svg"), "image/svg+xml");
        assert_eq!(mime_of("a.jpeg"), "image/jpeg");
        assert_eq!(mime_of("Makefile"), "application/octet-stream");
    }
}
