use egui::{Color32, ColorImage};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::*;
use crate::app::UdpLabApp;
use crate::app::test_util::TempDir;
use crate::app::test_util::{harness, wait_for};

/// The screenshot callback the app handed to eframe in the last frame.
fn screenshot_request(h: &Harness<'_, UdpLabApp>) -> Option<egui::ScreenshotCallback> {
    h.output()
        .viewport_output
        .values()
        .flat_map(|v| v.commands.iter())
        .find_map(|c| match c {
            egui::ViewportCommand::Screenshot(cb) => Some(cb.clone()),
            _ => None,
        })
}

/// What eframe would read back: a picture the size of the window in
/// pixels, with a marked corner to check the file really holds it.
fn window_picture(h: &Harness<'_, UdpLabApp>) -> ColorImage {
    let size = h.ctx.content_rect().size() * h.ctx.pixels_per_point();
    let mut image = ColorImage::filled(
        [size.x.round() as usize, size.y.round() as usize],
        Color32::from_rgb(10, 20, 30),
    );
    image.pixels[0] = Color32::from_rgb(255, 0, 0);
    image
}

fn saved_path(app: &UdpLabApp) -> Option<PathBuf> {
    match &app.tools.notice.as_ref()?.kind {
        NoticeKind::Saved { path, .. } => Some(path.clone()),
        _ => None,
    }
}

#[test]
fn screenshot_button_saves_a_png_of_the_window() {
    let mut h = harness();
    let out = TempDir::new("shot");
    h.state_mut().tools.output_dir = Some(out.0.clone());
    h.run_steps(2);
    assert!(screenshot_request(&h).is_none());
    h.get_by_label("Screenshot").click();
    h.step();
    let callback = screenshot_request(&h).expect("a Screenshot viewport command");
    let picture = window_picture(&h);
    assert_eq!(picture.size, [1100, 700]);
    callback.complete(Arc::new(picture));
    wait_for(&mut h, "the PNG", |app| app.tools.notice.is_some());
    let path = saved_path(h.state()).expect("saved");
    assert_eq!(path.parent(), Some(out.0.as_path()));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    assert!(
        name.starts_with("udp-lab-") && name.ends_with(".png") && name.len() == 27,
        "{name}"
    );
    h.get_by_label(&format!("Screenshot saved: {}", path.display()));
    h.get_by_label("Open folder");

    let png = image::open(&path).expect("a valid PNG").to_rgb8();
    assert_eq!(png.dimensions(), (1100, 700));
    assert_eq!(png.get_pixel(0, 0).0, [255, 0, 0]);
    assert_eq!(png.get_pixel(1099, 699).0, [10, 20, 30]);

    // "Copy image" hands the same picture to the clipboard.
    h.get_by_label("Copy image").click();
    h.step();
    let copied = h
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyImage(image) => Some(image.size),
            _ => None,
        });
    assert_eq!(copied, Some([1100, 700]));
    h.run_steps(2);
    h.get_by_label("Copied to the clipboard");
    h.get_by_label("Close").click();
    h.run_steps(2);
    assert!(h.state().tools.notice.is_none());
}

/// "Open folder" for a file that is gone (deleted since): the notice
/// stays, with its path and "Copy image", and says why under it.
#[test]
fn open_folder_failing_keeps_the_notice_and_says_why() {
    let mut h = harness();
    let out = TempDir::new("reveal");
    h.state_mut().tools.output_dir = Some(out.0.clone());
    h.run_steps(2);
    h.get_by_label("Screenshot").click();
    h.step();
    let callback = screenshot_request(&h).expect("a Screenshot viewport command");
    callback.complete(Arc::new(window_picture(&h)));
    wait_for(&mut h, "the PNG", |app| saved_path(app).is_some());
    let path = saved_path(h.state()).expect("saved");
    std::fs::remove_file(&path).expect("remove the PNG");
    h.get_by_label("Open folder").click();
    let failed = |app: &UdpLabApp| {
        matches!(
            app.tools.notice.as_ref().map(|n| &n.kind),
            Some(NoticeKind::Saved {
                reveal_failed: Some(_),
                ..
            })
        )
    };
    wait_for(&mut h, "the reveal's answer", failed);
    h.run_steps(2);
    let shown = path.display().to_string();
    h.get_by_label(&format!("Screenshot saved: {shown}"));
    h.get_by_label(&format!(
        "Could not show the folder: the file is no longer there ({shown})"
    ));
    h.get_by_label("Copy image");
    h.get_by_label("Open folder");
}

#[test]
fn ctrl_shift_s_takes_a_screenshot_too() {
    let mut h = harness();
    h.run_steps(2);
    // kittest runs one frame per queued event and keeps the last frame's
    // output, so the key goes in alone (its own modifiers say Ctrl+Shift).
    let key = |pressed| egui::Event::Key {
        key: egui::Key::S,
        physical_key: None,
        pressed,
        repeat: false,
        modifiers: egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
    };
    h.event(key(true));
    h.step();
    assert!(screenshot_request(&h).is_some());
    assert!(h.state().tools.screenshot.capturing());
    h.event(key(false));
    h.step();
    // Plain S (typing) does nothing.
    let mut h = harness();
    h.run_steps(2);
    h.key_press(egui::Key::S);
    h.run_steps(2);
    assert!(!h.state().tools.screenshot.capturing());
}

#[test]
fn without_toolbar_leaves_the_toolbar_out_of_the_picture() {
    let mut h = harness();
    let out = TempDir::new("shot-hidden");
    h.state_mut().tools.output_dir = Some(out.0.clone());
    h.run_steps(2);
    h.get_by_label("Screenshot without toolbar").click();
    h.run_steps(2);
    assert!(h.state().settings.tools.screenshot_hide_toolbar);
    h.get_by_label("Screenshot").click();
    h.step();
    let callback = screenshot_request(&h).expect("a Screenshot viewport command");
    // The frame eframe captures: no toolbar in it.
    h.step();
    assert!(h.query_by_label("Screenshot").is_none());
    assert!(h.query_by_label("Language").is_none());
    h.get_by_label("Start");
    callback.complete(Arc::new(window_picture(&h)));
    wait_for(&mut h, "the PNG", |app| saved_path(app).is_some());
    // And back it comes.
    h.get_by_label("Screenshot");
}

#[test]
fn a_folder_that_is_gone_is_reported_in_plain_words() {
    let mut h = harness();
    let out = TempDir::new("shot-gone");
    let gone = out.0.join("deleted");
    h.state_mut().tools.output_dir = Some(gone.clone());
    h.run_steps(2);
    h.get_by_label("Screenshot").click();
    h.step();
    let callback = screenshot_request(&h).expect("a Screenshot viewport command");
    callback.complete(Arc::new(window_picture(&h)));
    wait_for(&mut h, "the failure", |app| app.tools.notice.is_some());
    h.get_by_label(&format!(
        "Could not save the screenshot: the folder {} does not exist",
        gone.display()
    ));
    // A failure stays until closed, and the toolbar works again.
    h.get_by_label("Close");
    h.get_by_label("Screenshot");
}

#[test]
fn a_picture_that_never_comes_is_given_up_on() {
    let mut h = harness();
    h.state_mut().settings.tools.screenshot_hide_toolbar = true;
    h.run_steps(2);
    h.get_by_label("Screenshot").click();
    h.run_steps(2);
    assert!(h.query_by_label("Screenshot").is_none());
    let deadline = Instant::now() + GIVE_UP_AFTER + Duration::from_secs(5);
    while h.state().tools.notice.is_none() {
        assert!(Instant::now() < deadline, "never gave up");
        std::thread::sleep(Duration::from_millis(50));
        h.step();
    }
    h.run_steps(2);
    h.get_by_label("The window did not hand over a picture. Try again with the window visible.");
    h.get_by_label("Screenshot");
}
