//! A program listing: line numbers, Python colouring, lit lines. Its input
//! is any source text, a map from the handout's steps to its lines and the
//! steps that are lit, so the same listing can show a student's own file.

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, FontId, RichText, Stroke};

use super::light::Glow;
use super::python::{self, Kind};
use crate::app::style;

/// What to show.
pub struct Listing<'a> {
    /// Tells this listing's scroll state from another's.
    pub salt: &'a str,
    pub source: &'a str,
    /// (handout step, line from 1).
    pub steps: &'a [(u8, usize)],
    /// The lit steps and how.
    pub lit: &'a [(u8, Glow)],
    /// Bring this line (from 1) into view.
    pub scroll_to: Option<usize>,
}

/// The listing's monospace font: the style's, never smaller than its
/// small text (presentation mode lifts both).
pub fn font(ui: &egui::Ui) -> FontId {
    let size = egui::TextStyle::Monospace.resolve(ui.style()).size;
    FontId::monospace(style::legible(ui, size))
}

struct Colors {
    text: Color32,
    weak: Color32,
    keyword: Color32,
    string: Color32,
    comment: Color32,
    number: Color32,
}

impl Colors {
    fn of(ui: &egui::Ui) -> Self {
        let dark = ui.visuals().dark_mode;
        Self {
            text: ui.visuals().text_color(),
            weak: ui.visuals().weak_text_color(),
            keyword: if dark {
                Color32::from_rgb(205, 145, 255)
            } else {
                Color32::from_rgb(120, 40, 170)
            },
            string: style::ok_color(ui),
            comment: if dark {
                Color32::from_rgb(150, 160, 170)
            } else {
                Color32::from_rgb(95, 105, 115)
            },
            number: style::warn_color(ui),
        }
    }

    fn of_kind(&self, kind: Option<Kind>) -> Color32 {
        match kind {
            None => self.text,
            Some(Kind::Keyword) => self.keyword,
            Some(Kind::Str) => self.string,
            Some(Kind::Comment) => self.comment,
            Some(Kind::Number) => self.number,
        }
    }
}

/// The fill behind a lit line: light under dark text; in a dark theme
/// faint, so light text keeps its contrast (the edge marks "now").
fn glow_fill(ui: &egui::Ui, glow: Glow) -> Color32 {
    let dark = ui.visuals().dark_mode;
    let (r, g, b) = if dark { (255, 200, 40) } else { (255, 205, 0) };
    match glow {
        Glow::Now => Color32::from_rgba_unmultiplied(r, g, b, if dark { 55 } else { 130 }),
        Glow::Fading => Color32::from_rgba_unmultiplied(r, g, b, if dark { 24 } else { 55 }),
        Glow::Selected => style::accent_color(ui).gamma_multiply(0.25),
    }
}

/// One line's coloured text.
fn line_job(
    line: &str,
    start: usize,
    spans: &[(std::ops::Range<usize>, Kind)],
    font: &FontId,
    c: &Colors,
) -> LayoutJob {
    let mut job = LayoutJob::default();
    let end = start + line.len();
    let mut at = start;
    let add = |job: &mut LayoutJob, from: usize, to: usize, kind: Option<Kind>| {
        if from < to {
            let format = TextFormat {
                font_id: font.clone(),
                color: c.of_kind(kind),
                italics: kind == Some(Kind::Comment),
                ..TextFormat::default()
            };
            job.append(&line[from - start..to - start], 0.0, format);
        }
    };
    for (range, kind) in spans {
        if range.end <= start || range.start >= end {
            continue;
        }
        let (from, to) = (range.start.max(start), range.end.min(end));
        add(&mut job, at, from, None);
        add(&mut job, from, to, Some(*kind));
        at = to;
    }
    add(&mut job, at, end, None);
    job
}

pub fn listing_ui(ui: &mut egui::Ui, listing: &Listing<'_>) {
    let font = font(ui);
    let colors = Colors::of(ui);
    let spans = python::tokens(listing.source);
    let glow_of = |n: usize| {
        listing
            .steps
            .iter()
            .filter(|(_, line)| *line == n)
            .filter_map(|(step, _)| listing.lit.iter().find(|(s, _)| s == step))
            .map(|(_, g)| *g)
            // Now over Selected over Fading.
            .min_by_key(|g| match g {
                Glow::Now => 0,
                Glow::Selected => 1,
                Glow::Fading => 2,
            })
    };
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    for line in listing.source.split('\n') {
        lines.push((start, line));
        start += line.len() + 1;
    }
    if lines.last().is_some_and(|(_, l)| l.is_empty()) {
        lines.pop();
    }
    let digits = lines.len().max(1).to_string().len();
    // No fading at the edges: every line of a program stays readable.
    ui.spacing_mut().scroll.fade.strength = 0.0;
    egui::ScrollArea::both()
        .min_scrolled_height(crate::app::views::VIEW_MIN_SCROLL)
        .id_salt(listing.salt)
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.spacing_mut().item_spacing.y = 1.0;
            // A row as tall as its text, not a button: more lines in sight.
            ui.spacing_mut().interact_size.y = font.size;
            for (i, (start, line)) in lines.iter().enumerate() {
                let n = i + 1;
                let text = line.strip_suffix('\r').unwrap_or(line);
                let bg = ui.painter().add(egui::Shape::Noop);
                let row = ui
                    .horizontal(|ui| {
                        ui.add(
                            egui::Label::new(
                                RichText::new(format!("{n:>digits$}"))
                                    .font(font.clone())
                                    .color(colors.weak),
                            )
                            .selectable(false),
                        );
                        ui.add_space(font.size * 0.5);
                        ui.add(
                            egui::Label::new(line_job(text, *start, &spans, &font, &colors))
                                .extend(),
                        );
                    })
                    .response;
                let rect = egui::Rect::from_min_max(
                    egui::pos2(ui.max_rect().left(), row.rect.top()),
                    egui::pos2(
                        ui.max_rect().right().max(row.rect.right()),
                        row.rect.bottom(),
                    ),
                );
                if let Some(glow) = glow_of(n) {
                    let stroke = match glow {
                        Glow::Now => Stroke::new(1.5, style::warn_color(ui)),
                        Glow::Selected => Stroke::new(1.5, style::accent_color(ui)),
                        Glow::Fading => Stroke::NONE,
                    };
                    let fill = egui::Shape::rect_filled(rect, 2.0, glow_fill(ui, glow));
                    let edge =
                        egui::Shape::rect_stroke(rect, 2.0, stroke, egui::StrokeKind::Inside);
                    let shape = egui::Shape::Vec(vec![fill, edge]);
                    ui.painter().set(bg, shape);
                }
                if listing.scroll_to == Some(n) {
                    // In the middle: a line at the edge is faded by the scroll area.
                    // Up or down only: the visible columns stay.
                    let target =
                        egui::Rect::from_x_y_ranges(ui.clip_rect().x_range(), rect.y_range());
                    ui.scroll_to_rect(target, Some(egui::Align::Center));
                }
            }
        });
}
