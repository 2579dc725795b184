//! The help window (F1, or "?" on the views' tab row): the keys, what each
//! view shows and the handout's steps, in the window's language.

use egui::RichText;

use crate::app::layout::LayoutCommand;
use crate::app::{Command, T, UdpLabApp};

/// Its lines, by section: a heading, then its entries.
pub const SECTIONS: [(T, &[T]); 3] = [
    (
        T::HelpKeysTitle,
        &[
            T::HelpKeySpace,
            T::HelpKeyArrows,
            T::HelpKeyHomeEnd,
            T::HelpKeyFocus,
            T::HelpKeyEnter,
            T::HelpKeyScreenshot,
            T::HelpKeyZoom,
            T::HelpKeyHelp,
        ],
    ),
    (
        T::HelpViewsTitle,
        &[
            T::HelpViewTrace,
            T::HelpViewDiagram,
            T::HelpViewAnatomy,
            T::HelpViewCode,
        ],
    ),
    (
        T::HelpStepsTitle,
        &[T::HelpStep1, T::HelpStep2, T::HelpStep3, T::HelpStep4],
    ),
];

/// The views each line of "The views" names, in order.
const VIEWS: [T; 4] = [T::ViewTrace, T::ViewDiagram, T::ViewAnatomy, T::ViewCode];

pub fn help_window_ui(ctx: &egui::Context, app: &mut UdpLabApp) {
    if !app.layout.help {
        return;
    }
    let mut open = true;
    let content = ctx.content_rect();
    let guide = app.layout.guide;
    egui::Window::new(app.t(T::HelpTitle))
        .id(egui::Id::unique("udp-lab-help"))
        .open(&mut open)
        .collapsible(false)
        .default_width((content.width() * 0.6).min(640.0))
        .max_height(content.height() - 40.0)
        .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-8.0, 40.0))
        .show(ctx, |ui| {
            // Issue 29: the keys and views, or the whole guide.
            ui.horizontal(|ui| {
                if ui
                    .selectable_label(!guide, app.t(T::HelpShortTab))
                    .clicked()
                {
                    app.act(Command::Layout(LayoutCommand::Guide(false)));
                }
                let tab = ui
                    .selectable_label(guide, app.t(T::HelpGuideTab))
                    .on_hover_text(app.t(T::HelpGuideHint));
                if tab.clicked() {
                    app.act(Command::Layout(LayoutCommand::Guide(true)));
                }
            });
            ui.separator();
            egui::ScrollArea::vertical().id_salt(guide).show(ui, |ui| {
                if guide {
                    // Wide enough to read: the guide is prose.
                    ui.set_min_width((content.width() * 0.6).min(640.0) - 16.0);
                    super::guide::guide_ui(ui, app);
                } else {
                    help_ui(ui, app);
                }
            });
        });
    if !open {
        app.act(Command::Layout(LayoutCommand::CloseHelp));
    }
}

fn help_ui(ui: &mut egui::Ui, app: &UdpLabApp) {
    let lang = app.lang;
    for (heading, lines) in SECTIONS {
        ui.label(RichText::new(heading.get(lang)).strong());
        for (i, line) in lines.iter().enumerate() {
            let text = match heading {
                T::HelpViewsTitle => format!("{} — {}", VIEWS[i].get(lang), line.get(lang)),
                T::HelpStepsTitle => format!("{}. {}", i + 1, line.get(lang)),
                _ => line.get(lang).to_owned(),
            };
            ui.add(egui::Label::new(text).wrap());
        }
        ui.add_space(6.0);
    }
}
