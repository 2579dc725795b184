use std::collections::HashMap;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::*;
use crate::app::test_util::TempDir;
use crate::app::{StartOptions, UdpLabApp, View};

/// eframe's file storage as eframe reads it: the whole file, or nothing.
struct FileStorage(HashMap<String, String>);

impl FileStorage {
    fn read(path: &Path) -> Self {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        Self(ron::from_str(&text).unwrap_or_default())
    }
}

impl eframe::Storage for FileStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

fn mine() -> Settings {
    Settings {
        lang: Some(Lang::En),
        bind: "127.0.0.1:23456".into(),
        target: "127.0.0.1:4444".into(),
        message: "Привет, сервер".into(),
        timeout_secs: 0.5,
        view: View::Diagram,
        burst_count: 7,
        ..Settings::default()
    }
}

/// The file as eframe writes it (a pretty RON map holding the settings'
/// RON string), then changed by `damage`.
fn settings_file(dir: &TempDir, damage: impl Fn(String) -> String) -> (PathBuf, String) {
    let mut map = HashMap::new();
    map.insert(
        eframe::APP_KEY.to_owned(),
        ron::to_string(&mine()).expect("serialize"),
    );
    let text = ron::ser::to_string_pretty(&map, Default::default()).expect("serialize");
    let damaged = damage(text.clone());
    assert_ne!(damaged, text, "the damage was done");
    let path = dir.0.join("app.ron");
    std::fs::write(&path, &damaged).expect("write the settings file");
    (path, damaged)
}

fn open_window(path: &Path) -> Harness<'static, UdpLabApp> {
    let storage = FileStorage::read(path);
    let path = path.to_owned();
    let mut h = Harness::builder()
        .with_size([1100.0, 700.0])
        .build_eframe(move |cc| {
            UdpLabApp::from_storage(
                &cc.egui_ctx,
                Some(&storage),
                Some(&path),
                StartOptions::default(),
            )
        });
    h.run_steps(2);
    h
}

/// Issue 23: `bind:"…"` changed by hand to `bind:23456` used to reset every
/// setting without a word.
#[test]
fn a_field_of_the_wrong_type_resets_alone_and_the_notice_says_so() {
    let dir = TempDir::new("settings-type");
    let (path, damaged) = settings_file(&dir, |text| {
        text.replace(r#"bind:\"127.0.0.1:23456\""#, "bind:23456")
    });
    // eframe itself reads the file: only the settings string is bad.
    assert!(FileStorage::read(&path).0.contains_key(eframe::APP_KEY));
    let h = open_window(&path);
    let settings = &h.state().settings;
    assert_eq!(settings.bind, Settings::default().bind);
    let kept = mine();
    assert_eq!(
        (&settings.lang, &settings.target, &settings.message),
        (&kept.lang, &kept.target, &kept.message)
    );
    assert_eq!(
        (settings.timeout_secs, settings.view, settings.burst_count),
        (0.5, View::Diagram, 7)
    );
    let bak = dir.0.join("app.ron.bak");
    h.get_by_label_contains(&format!(
        "The settings file had an unreadable field (bind); it was reset. \
         The file as it was is kept as {}",
        bak.display()
    ));
    assert_eq!(std::fs::read_to_string(&bak).expect("the .bak"), damaged);
    // Written again soon, so the next start says nothing.
    assert!(h.state().settings_unsaved());
}

#[test]
fn a_settings_file_cut_short_keeps_what_it_has_and_says_so() {
    let dir = TempDir::new("settings-cut");
    let (path, damaged) = settings_file(&dir, |text| {
        let cut = text.find("client_buffer").expect("the field") + 5;
        text[..cut].to_owned()
    });
    // eframe cannot read the file at all.
    assert!(FileStorage::read(&path).0.is_empty());
    let h = open_window(&path);
    let settings = &h.state().settings;
    let kept = mine();
    // Everything before the cut is kept, the rest is the default.
    assert_eq!(
        (
            &settings.lang,
            &settings.bind,
            &settings.target,
            &settings.message
        ),
        (&kept.lang, &kept.bind, &kept.target, &kept.message)
    );
    assert_eq!(settings.timeout_secs, 0.5);
    assert_eq!(
        (settings.view, settings.burst_count),
        (View::Trace, Settings::default().burst_count)
    );
    let bak = dir.0.join("app.ron.bak");
    h.get_by_label_contains(&format!(
        "The settings file ends in the middle: 9 of {} settings were read and kept, \
         the rest were reset. The file as it was is kept as {}",
        field_names().len(),
        bak.display()
    ));
    assert_eq!(std::fs::read_to_string(&bak).expect("the .bak"), damaged);
}

#[test]
fn a_good_file_says_nothing_and_keeps_no_copy() {
    let dir = TempDir::new("settings-good");
    let (path, _) = settings_file(&dir, |text| text.replace("Diagram", "Code"));
    let h = open_window(&path);
    assert_eq!(h.state().settings.view, View::Code);
    assert!(h.state().tools.notice.is_none());
    assert!(!dir.0.join("app.ron.bak").exists());
}

#[test]
fn each_unreadable_field_is_named_and_the_rest_kept() {
    // A value this version cannot read in a lenient field is named too.
    let (s, damage) =
        read(r#"(lang:5,bind:"127.0.0.1:1",view:Hologram,timeout_secs:"two",message:"hi")"#);
    let damage = damage.expect("damage");
    assert_eq!(damage.unreadable, ["lang", "view", "timeout_secs"]);
    assert_eq!(damage.cut_short, None);
    assert_eq!((s.bind.as_str(), s.message.as_str()), ("127.0.0.1:1", "hi"));
    assert_eq!(
        damage.text(Lang::Ru),
        "В файле настроек были нечитаемые поля (lang, view, timeout_secs); они сброшены."
    );
    // Fields from a newer version, or missing ones from an older: no damage.
    let (s, damage) = read(r#"(bind:"127.0.0.1:2",colour:"teal")"#);
    assert_eq!((s.bind.as_str(), damage), ("127.0.0.1:2", None));
    // Not settings at all.
    let (s, damage) = read("[1, 2");
    assert_eq!(s, Settings::default());
    assert!(damage.is_some_and(|d| d.nothing));
}
