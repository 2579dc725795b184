//! Issue 23: a damaged settings file. eframe keeps the settings as a RON
//! string inside its own RON file (`app.ron`); one unreadable value, or a
//! file cut short, used to fail the whole string (or the whole file), and
//! every setting came back as its default without a word. Here the string
//! is read field by field: a bad field resets alone, what was read is kept,
//! the damaged file is copied beside it (`app.ron.bak`) before eframe
//! writes over it, and the window says so once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::i18n::fill;
use super::{Lang, Settings, T, lenient};

/// What was wrong with the settings file, for the notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damage {
    /// Fields whose value could not be read: each took its default.
    pub unreadable: Vec<String>,
    /// The file ends in the middle: the settings read (of all) were kept.
    pub cut_short: Option<(usize, usize)>,
    /// Nothing at all could be read.
    pub nothing: bool,
    /// Where the file as it was is kept (Err: why it could not be).
    pub backup: Option<Result<PathBuf, String>>,
}

impl Damage {
    pub fn text(&self, lang: Lang) -> String {
        let t = |k: T| k.get(lang);
        let mut sentences = Vec::new();
        if self.nothing {
            sentences.push(t(T::SettingsUnreadable).to_owned());
        } else if let Some((read, all)) = self.cut_short {
            sentences.push(fill(
                t(T::SettingsCutShort),
                &[("read", &read), ("all", &all)],
            ));
        }
        match self.unreadable.as_slice() {
            [] => {}
            [field] => sentences.push(fill(t(T::SettingsFieldReset), &[("field", field)])),
            fields => sentences.push(fill(
                t(T::SettingsFieldsReset),
                &[("fields", &fields.join(", "))],
            )),
        }
        if sentences.is_empty() {
            sentences.push(t(T::SettingsFileDamaged).to_owned());
        }
        match &self.backup {
            Some(Ok(path)) => {
                sentences.push(fill(t(T::SettingsKeptAs), &[("path", &path.display())]))
            }
            Some(Err(reason)) => sentences.push(fill(t(T::SettingsNotKept), &[("reason", reason)])),
            None => {}
        }
        sentences.join(" ")
    }
}

impl super::UdpLabApp {
    /// The settings from eframe's storage (and its file), read field by
    /// field: a damaged file keeps what can be read and says so in a
    /// notice (settings_file.rs).
    pub fn from_storage(
        ctx: &egui::Context,
        storage: Option<&dyn eframe::Storage>,
        file: Option<&std::path::Path>,
        start: super::StartOptions,
    ) -> Self {
        let (settings, damage) = load(storage, file);
        let mut app = Self::with_settings(ctx, settings, start);
        if let Some(damage) = damage {
            app.tools
                .show(super::tools::jobs::NoticeKind::SettingsDamaged(damage));
            // Written again soon, so the notice is said once.
            app.saved = None;
        }
        app
    }
}

/// The file eframe keeps the window's settings in (as `run_window` sets it up).
pub fn path() -> Option<PathBuf> {
    eframe::storage_dir(super::APP_ID).map(|dir| dir.join("app.ron"))
}

/// The settings from eframe's storage, and what was wrong with them. `file`
/// is the storage's file: read directly when eframe could not read it at
/// all (cut short), and copied to `.bak` when anything was wrong.
pub fn load(
    storage: Option<&dyn eframe::Storage>,
    file: Option<&Path>,
) -> (Settings, Option<Damage>) {
    let stored = storage.and_then(|s| s.get_string(eframe::APP_KEY));
    let (text, file_damaged) = match stored {
        Some(text) => (Some(text), false),
        // eframe read nothing: no file yet, or one it could not read.
        None => match file.and_then(|f| std::fs::read(f).ok()) {
            Some(raw) if !raw.is_empty() => {
                let raw = String::from_utf8_lossy(&raw);
                let whole = ron::from_str::<HashMap<String, String>>(&raw);
                match whole {
                    Ok(map) => (map.get(eframe::APP_KEY).cloned(), false),
                    Err(_) => (salvage(&raw), true),
                }
            }
            _ => (None, false),
        },
    };
    let (settings, mut damage) = match text {
        Some(text) => read(&text),
        None if file_damaged => (
            Settings::default(),
            Some(Damage {
                unreadable: Vec::new(),
                cut_short: None,
                nothing: true,
                backup: None,
            }),
        ),
        None => (Settings::default(), None),
    };
    if file_damaged && damage.is_none() {
        // The rest of the file was damaged; every setting was read.
        damage = Some(Damage {
            unreadable: Vec::new(),
            cut_short: None,
            nothing: false,
            backup: None,
        });
    }
    if let (Some(damage), Some(file)) = (&mut damage, file) {
        damage.backup = Some(back_up(file));
    }
    (settings, damage)
}

/// Copies the file to `<name>.bak` beside it (replacing an older copy).
fn back_up(file: &Path) -> Result<PathBuf, String> {
    let mut name = file.file_name().unwrap_or_default().to_owned();
    name.push(".bak");
    let bak = file.with_file_name(name);
    std::fs::copy(file, &bak)
        .map(|_| bak)
        .map_err(|e| e.to_string())
}

/// The settings string from a file eframe could not read (cut short, or
/// damaged elsewhere): the RON string after `"app":`, up to its closing
/// quote or the end of what is there.
fn salvage(raw: &str) -> Option<String> {
    let key = format!("\"{}\"", eframe::APP_KEY);
    let after = &raw[raw.find(&key)? + key.len()..];
    let after = after.trim_start().strip_prefix(':')?.trim_start();
    let body = after.strip_prefix('"')?;
    let mut end = body.len();
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let mut body = &body[..end];
    // Cut inside an escape (`\u{4`): drop it, a character at a time.
    for _ in 0..12 {
        if let Ok(text) = ron::from_str::<String>(&format!("\"{body}\"")) {
            return Some(text);
        }
        let mut chars = body.chars();
        chars.next_back()?;
        body = chars.as_str();
    }
    None
}

/// Reads the settings string field by field.
pub fn read(text: &str) -> (Settings, Option<Damage>) {
    let nothing = || {
        let damage = Damage {
            unreadable: Vec::new(),
            cut_short: None,
            nothing: true,
            backup: None,
        };
        (Settings::default(), Some(damage))
    };
    // The usual case: all is well.
    let before = lenient::resets();
    if let Ok(settings) = ron::from_str::<Settings>(text)
        && lenient::resets() == before
    {
        return (settings, None);
    }
    let Some((pieces, closed)) = fields(text) else {
        return nothing();
    };
    let mut good: Vec<&str> = Vec::new();
    let mut unreadable = Vec::new();
    let mut read = 0;
    let last = pieces.len().saturating_sub(1);
    for (i, piece) in pieces.iter().enumerate() {
        let mut tried = good.clone();
        tried.push(piece);
        let before = lenient::resets();
        let ok = ron::from_str::<Settings>(&format!("({})", tried.join(","))).is_ok()
            && lenient::resets() == before;
        let name = piece.split(':').next().unwrap_or_default().trim();
        if ok {
            good.push(piece);
            read += usize::from(is_field(name));
        } else if closed || i != last {
            unreadable.push(name.to_owned());
        }
        // Else the piece the file was cut in: one of the rest.
    }
    let settings = ron::from_str::<Settings>(&format!("({})", good.join(","))).unwrap_or_default();
    let damage = Damage {
        unreadable,
        cut_short: (!closed).then(|| (read, field_names().len())),
        nothing: false,
        backup: None,
    };
    (settings, Some(damage))
}

/// The settings' field names, as this version writes them.
fn field_names() -> Vec<String> {
    let text = ron::to_string(&Settings::default()).unwrap_or_default();
    fields(&text)
        .map(|(pieces, _)| {
            pieces
                .iter()
                .filter_map(|p| p.split(':').next())
                .map(|n| n.trim().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn is_field(name: &str) -> bool {
    field_names().iter().any(|n| n == name)
}

/// The top-level `name: value` pieces of a RON struct `(…)` (an optional
/// struct name before it), and whether its closing `)` was reached. None:
/// not a struct at all.
fn fields(text: &str) -> Option<(Vec<&str>, bool)> {
    let text = text.trim_start();
    let text = text.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
    let body = text.trim_start().strip_prefix('(')?;
    let mut pieces = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    let (mut in_string, mut escaped) = (false, false);
    fn push<'a>(pieces: &mut Vec<&'a str>, piece: &'a str) {
        let piece = piece.trim();
        if !piece.is_empty() {
            pieces.push(piece);
        }
    }
    for (i, c) in body.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' if depth == 0 => {
                push(&mut pieces, &body[start..i]);
                return Some((pieces, true));
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                push(&mut pieces, &body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    push(&mut pieces, &body[start..]);
    Some((pieces, false))
}

#[cfg(test)]
mod tests;
