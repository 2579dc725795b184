//! "Screenshot": a PNG of the whole window for a lab report. eframe reads the
//! pixels of the frame painted after the request and hands them to a
//! callback; the PNG is encoded and written on a worker thread.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use image::ImageEncoder;

use crate::app::UdpLabApp;
use crate::app::tools::worker::{self, Job, NoticeKind, Saved};
use crate::lab::export;

/// Ctrl+Shift+S (Cmd+Shift+S on a Mac).
pub const SHORTCUT: egui::KeyboardShortcut = egui::KeyboardShortcut::new(
    egui::Modifiers::COMMAND.plus(egui::Modifiers::SHIFT),
    egui::Key::S,
);

/// A picture that has not come by then never will (the window was hidden,
/// or the renderer could not read its pixels).
const GIVE_UP_AFTER: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct ScreenshotState {
    /// A picture was asked for and has not arrived yet.
    waiting_since: Option<Instant>,
}

impl ScreenshotState {
    /// Between the request and the picture: the toolbar (if the user asked)
    /// and the notices stay out of the frame being captured.
    pub fn capturing(&self) -> bool {
        self.waiting_since.is_some()
    }
}

/// Asks eframe for a picture of the next painted frame.
pub fn request(ctx: &egui::Context, app: &mut UdpLabApp) {
    let tools = &mut app.tools;
    if tools.screenshot.capturing() {
        return;
    }
    let tx = tools.jobs_tx().clone();
    let repaint = ctx.clone();
    ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(
        egui::ScreenshotCallback::new(move |image| {
            // The app may be closing: then nobody needs the picture.
            let _ = tx.send(Job::Captured(image));
            repaint.request_repaint();
        }),
    ));
    tools.screenshot.waiting_since = Some(Instant::now());
    // The old notice would be in the picture.
    tools.notice = None;
}

/// Each frame: gives up on a picture that is not coming.
pub fn check_timeout(ctx: &egui::Context, app: &mut UdpLabApp) {
    let tools = &mut app.tools;
    let Some(since) = tools.screenshot.waiting_since else {
        return;
    };
    let waited = since.elapsed();
    if waited >= GIVE_UP_AFTER {
        tools.screenshot.waiting_since = None;
        tools.show(NoticeKind::ScreenshotNotDelivered);
    } else {
        ctx.request_repaint_after(GIVE_UP_AFTER - waited);
    }
}

/// The picture arrived: the toolbar comes back, the PNG is written off the
/// UI thread.
pub fn on_captured(ctx: &egui::Context, app: &mut UdpLabApp, image: Arc<egui::ColorImage>) {
    let tools = &mut app.tools;
    if !tools.screenshot.capturing() {
        return; // Already given up on; the user was told.
    }
    tools.screenshot.waiting_since = None;
    let dir = export::output_dir(tools.output_dir.as_deref());
    let job = move || {
        let result = save_png(&dir, &image, SystemTime::now());
        Job::Saved {
            what: Saved::Screenshot,
            dir,
            result,
            image: Some(image),
        }
    };
    if let Err(e) = worker::spawn(ctx, tools.jobs_tx(), "udp-lab-screenshot", job) {
        tools.show(NoticeKind::SaveFailed {
            what: Saved::Screenshot,
            dir: export::output_dir(tools.output_dir.as_deref()),
            kind: e.kind(),
            message: e.to_string(),
        });
    }
}

/// Writes the picture as `udp-lab-YYYYMMDD-HHMMSS.png` in `dir`. The window
/// is opaque, so the PNG is RGB (alpha would only make it bigger).
pub fn save_png(dir: &Path, image: &egui::ColorImage, at: SystemTime) -> io::Result<PathBuf> {
    let [w, h] = image.size;
    let (width, height) = (
        u32::try_from(w).map_err(io::Error::other)?,
        u32::try_from(h).map_err(io::Error::other)?,
    );
    let rgb: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|c| [c.r(), c.g(), c.b()])
        .collect();
    let (path, file) = export::create_timestamped(dir, "png", at)?;
    let written = (|| {
        let mut out = BufWriter::new(file);
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(&rgb, width, height, image::ExtendedColorType::Rgb8)
            .map_err(io::Error::other)?;
        out.flush()?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    match written {
        Ok(()) => Ok(path),
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests;
