//! Choosing a Python script in a list of folders, inside the window (issue
//! 14): no system dialog, so nothing to install and the same on every
//! platform. Folders first, then `.py` files; hidden entries left out.
//! Issue 26: the same picker opens lessons and captures (.pcapng, .pcap,
//! .cap), its choice going to the lesson's command instead.

use std::path::{Path, PathBuf};

use crate::app::i18n::fill;
use crate::app::lesson::LessonCommand;
use crate::app::{Command, T};
use crate::lab::i18n::Lang;

/// Entries listed at most: a folder of thousands is typed, not scrolled.
const MAX_ENTRIES: usize = 2_000;

/// The picker while it is open: the folder shown and what is in it.
pub struct FilePicker {
    pub dir: PathBuf,
    listing: Result<Listing, String>,
    pub kind: PickKind,
}

/// What is picked, so which files are listed and where the choice goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickKind {
    Script,
    /// A lesson or capture to open (issue 26).
    Capture,
}

impl PickKind {
    fn extensions(self) -> &'static [&'static str] {
        match self {
            PickKind::Script => &["py"],
            PickKind::Capture => &["pcapng", "pcap", "cap"],
        }
    }

    fn browse(self, dir: Option<PathBuf>) -> Command {
        match self {
            PickKind::Script => Command::BrowseScripts(dir),
            PickKind::Capture => Command::Lesson(LessonCommand::Browse(dir)),
        }
    }

    fn chosen(self, path: PathBuf) -> Command {
        match self {
            PickKind::Script => Command::SetScriptPath(path.display().to_string()),
            PickKind::Capture => Command::Lesson(LessonCommand::Open(path)),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Listing {
    pub entries: Vec<Entry>,
    /// Entries past [`MAX_ENTRIES`], not listed.
    pub more: usize,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub is_dir: bool,
}

impl FilePicker {
    /// Opens at `dir` (made absolute), reading it at once.
    pub fn at(dir: &Path) -> Self {
        Self::of(PickKind::Script, dir)
    }

    /// Lessons and captures, at `dir`.
    pub fn captures_at(dir: &Path) -> Self {
        Self::of(PickKind::Capture, dir)
    }

    fn of(kind: PickKind, dir: &Path) -> Self {
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let listing = list_of(&dir, kind.extensions()).map_err(|e| e.to_string());
        Self { dir, listing, kind }
    }
}

/// Where the picker opens for the path typed so far: its folder if it has
/// one, else the current folder.
pub fn start_dir(typed: &str) -> PathBuf {
    let typed = Path::new(typed.trim());
    let dir = if typed.is_dir() {
        Some(typed)
    } else {
        typed.parent().filter(|p| p.is_dir())
    };
    let dir = dir
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// The folders and `.py` files in `dir`, folders first, each by name
/// without regard to case.
pub fn list(dir: &Path) -> std::io::Result<Listing> {
    list_of(dir, PickKind::Script.extensions())
}

/// The folders and files with one of `extensions` in `dir`, folders
/// first, each by name without regard to case.
fn list_of(dir: &Path, extensions: &[&str]) -> std::io::Result<Listing> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        // An entry that vanished or cannot be read is left out.
        let Ok(entry) = entry else { continue };
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // Follows links: a link to a folder is a folder.
        let is_dir = entry.path().is_dir();
        let wanted = Path::new(&name).extension().is_some_and(|e| {
            extensions
                .iter()
                .any(|x| e.eq_ignore_ascii_case(std::ffi::OsStr::new(x)))
        });
        if is_dir || wanted {
            entries.push(Entry { name, is_dir });
        }
    }
    entries.sort_by_cached_key(|e| (!e.is_dir, e.name.to_lowercase()));
    let more = entries.len().saturating_sub(MAX_ENTRIES);
    entries.truncate(MAX_ENTRIES);
    Ok(Listing { entries, more })
}

/// The picker's window; the choice goes out as a command
/// ([`Command::SetScriptPath`], which closes it).
pub fn file_picker_ui(
    ctx: &egui::Context,
    picker: &FilePicker,
    lang: Lang,
    commands: &mut Vec<Command>,
) {
    let t = |k: T| k.get(lang);
    let mut open = true;
    let kind = picker.kind;
    let title = match kind {
        PickKind::Script => t(T::ScriptBrowseTitle),
        PickKind::Capture => t(T::LessonBrowseTitle),
    };
    egui::Window::new(title)
        .id(egui::Id::unique("udp-lab-file-picker"))
        .open(&mut open)
        .collapsible(false)
        // In the middle, over the scripts window that opened it.
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .default_width(420.0)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                if let Some(parent) = picker.dir.parent()
                    && ui.button(t(T::ScriptBrowseUp)).clicked()
                {
                    commands.push(kind.browse(Some(parent.to_path_buf())));
                }
                if let Some(home) = home_dir()
                    && ui.button(t(T::ScriptBrowseHome)).clicked()
                {
                    commands.push(kind.browse(Some(home)));
                }
                if ui.button(t(T::ScriptBrowseCancel)).clicked() {
                    commands.push(kind.browse(None));
                }
            });
            ui.label(egui::RichText::new(picker.dir.display().to_string()).monospace());
            ui.separator();
            let listing = match &picker.listing {
                Ok(listing) => listing,
                Err(reason) => {
                    ui.colored_label(
                        crate::app::style::error_color(ui),
                        fill(t(T::ScriptBrowseUnreadable), &[("reason", reason)]),
                    );
                    return;
                }
            };
            if listing.entries.is_empty() {
                ui.weak(t(match kind {
                    PickKind::Script => T::ScriptBrowseEmpty,
                    PickKind::Capture => T::LessonBrowseEmpty,
                }));
            }
            let row_height = ui.spacing().interact_size.y;
            egui::ScrollArea::vertical()
                .auto_shrink([false, true])
                .show_rows(ui, row_height, listing.entries.len(), |ui, range| {
                    for entry in &listing.entries[range] {
                        let path = picker.dir.join(&entry.name);
                        if entry.is_dir {
                            let text = format!("{}{}", entry.name, std::path::MAIN_SEPARATOR);
                            if ui.selectable_label(false, text).clicked() {
                                commands.push(kind.browse(Some(path)));
                            }
                        } else if ui
                            .selectable_label(false, egui::RichText::new(&entry.name).strong())
                            .clicked()
                        {
                            commands.push(kind.chosen(path));
                        }
                    }
                });
            if listing.more > 0 {
                ui.weak(fill(t(T::ScriptBrowseMore), &[("count", &listing.more)]));
            }
        });
    if !open {
        commands.push(kind.browse(None));
    }
}

fn home_dir() -> Option<PathBuf> {
    let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_first_then_py_files_by_name_hidden_and_others_left_out() {
        let dir = std::env::temp_dir().join(format!("udp-lab-picker-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["labs", "Zeta", ".git"] {
            std::fs::create_dir_all(dir.join(sub)).expect("make a folder");
        }
        for file in ["server.py", "Client.PY", "notes.txt", ".hidden.py", "a.pyc"] {
            std::fs::write(dir.join(file), "").expect("write a file");
        }
        let listing = list(&dir).expect("list");
        let _ = std::fs::remove_dir_all(&dir);
        let names: Vec<(&str, bool)> = listing
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.is_dir))
            .collect();
        assert_eq!(
            names,
            vec![
                ("labs", true),
                ("Zeta", true),
                ("Client.PY", false),
                ("server.py", false)
            ]
        );
        assert_eq!(listing.more, 0);
    }

    #[test]
    fn a_folder_that_cannot_be_read_says_why() {
        let picker = FilePicker::at(Path::new("/no/such/folder/udp-lab"));
        let Err(reason) = &picker.listing else {
            panic!("a missing folder was listed");
        };
        // ERROR_PATH_NOT_FOUND on Windows, ENOENT elsewhere.
        let missing = if cfg!(windows) {
            "(os error 3)"
        } else {
            "No such file"
        };
        assert!(reason.contains(missing), "{reason}");
    }

    #[test]
    fn it_opens_at_the_typed_paths_folder() {
        let here = std::env::current_dir().expect("current dir");
        let typed = here.join("Cargo.toml");
        assert_eq!(start_dir(&typed.display().to_string()), here);
        assert_eq!(start_dir(""), here);
        assert_eq!(start_dir("no-such-dir/x.py"), here);
    }
}
