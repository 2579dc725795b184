//! The guide in the help window (issue 29): docs/guide.<lang>.md, built into
//! the program (lab/guide.rs), drawn in the window's language. Contents
//! links scroll to their heading; a link to another document names it.

use egui::{RichText, TextStyle};

use crate::app::layout::LayoutCommand;
use crate::app::{Command, T, UdpLabApp};
use crate::lab::guide::{self, Block, Span};
use crate::lab::i18n::fill;

pub fn guide_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let lang = app.lang;
    let blocks = guide::parse(guide::source(lang));
    let jump = app.layout.guide_anchor.take();
    let mut clicked: Option<String> = None;
    for block in &blocks {
        match block {
            Block::Heading {
                level,
                text,
                anchor,
            } => {
                ui.add_space(if *level <= 2 { 10.0 } else { 4.0 });
                let size = match level {
                    1 => TextStyle::Heading,
                    2 => TextStyle::Heading,
                    _ => TextStyle::Body,
                };
                let mut rich = RichText::new(text).text_style(size).strong();
                if *level == 2 {
                    rich = rich.size(ui.text_style_height(&TextStyle::Body) * 1.2);
                }
                let response = ui.horizontal(|ui| {
                    let heading = ui.add(egui::Label::new(rich).wrap());
                    if *level == 2 && ui.small_button(T::GuideTop.get(lang)).clicked() {
                        clicked = Some(first_anchor(&blocks));
                    }
                    heading
                });
                if jump.as_deref() == Some(anchor.as_str()) {
                    response.inner.scroll_to_me(Some(egui::Align::TOP));
                }
            }
            Block::Paragraph(spans) => {
                line_ui(ui, app, spans, &mut clicked);
                ui.add_space(4.0);
            }
            Block::Item {
                marker,
                depth,
                spans,
            } => {
                ui.horizontal_top(|ui| {
                    ui.add_space(12.0 * (*depth as f32 + 1.0));
                    ui.label(marker);
                    ui.vertical(|ui| line_ui(ui, app, spans, &mut clicked));
                });
            }
            Block::Code(code) => {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.add(egui::Label::new(RichText::new(code).monospace()).wrap());
                });
            }
            Block::Table(rows) => {
                egui::Grid::new(ui.next_auto_id())
                    .striped(true)
                    .num_columns(rows.first().map_or(0, Vec::len))
                    .show(ui, |ui| {
                        for (i, row) in rows.iter().enumerate() {
                            for cell in row {
                                let text = plain(cell);
                                let rich = if i == 0 {
                                    RichText::new(text).strong()
                                } else {
                                    RichText::new(text)
                                };
                                ui.add(egui::Label::new(rich).wrap());
                            }
                            ui.end_row();
                        }
                    });
                ui.add_space(4.0);
            }
            Block::Image(alt) => {
                ui.label(RichText::new(fill(T::GuidePicture.get(lang), &[("alt", alt)])).italics())
                    .on_hover_text(T::GuidePictureHint.get(lang));
            }
        }
    }
    if let Some(anchor) = clicked {
        app.act(Command::Layout(LayoutCommand::GuideJump(anchor)));
    }
}

/// The first heading's anchor (the top, with the contents under it).
fn first_anchor(blocks: &[Block]) -> String {
    blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading { anchor, .. } => Some(anchor.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

fn plain(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(t) | Span::Bold(t) | Span::Code(t) | Span::Link(t, _) => t.as_str(),
        })
        .collect()
}

/// One paragraph or item: its spans wrapped as one text; links to a heading
/// of the guide are buttons, others name their document.
fn line_ui(ui: &mut egui::Ui, app: &UdpLabApp, spans: &[Span], clicked: &mut Option<String>) {
    let lang = app.lang;
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        for span in spans {
            match span {
                Span::Text(t) => {
                    ui.label(t);
                }
                Span::Bold(t) => {
                    ui.label(RichText::new(t).strong());
                }
                Span::Code(t) => {
                    ui.label(RichText::new(t).code());
                }
                Span::Link(words, target) => {
                    if let Some(anchor) = target.strip_prefix('#') {
                        if ui.link(words).clicked() {
                            *clicked = Some(anchor.to_owned());
                        }
                    } else if target.contains("://") {
                        ui.hyperlink_to(words, target);
                    } else if words == target {
                        ui.label(fill(T::GuideFile.get(lang), &[("target", target)]));
                    } else {
                        ui.label(fill(
                            T::GuideElsewhere.get(lang),
                            &[("words", words), ("target", target)],
                        ));
                    }
                }
            }
        }
    });
}
