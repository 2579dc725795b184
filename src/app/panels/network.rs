//! The "Network" strip under the toolbar: the simulator's knobs (loss,
//! delay, jitter, duplicates, reordering, seed), presets, the teacher's demo,
//! and a warning-coloured note whenever anything is impaired, so nobody
//! mistakes a lost datagram for a bug in UDP Lab.

use egui::RichText;

use crate::app::i18n::{self, T, fill};
use crate::app::{Command, Lang, UdpLabApp};
use crate::net::sim::MAX_DELAY_MS;
use crate::net::{Impairments, Preset};

/// The demo's burst: "send 20 with 30 % loss", always the same pattern.
pub const DEMO_COUNT: u32 = 20;
pub const DEMO_LOSS_PERCENT: f64 = 30.0;
pub const DEMO_SEED: u64 = 2024;
/// The demo should not keep a class waiting: at most this per lost answer.
const DEMO_MAX_TIMEOUT_SECS: f64 = 1.0;

/// Below this width the window stacks its panels; the knobs fold away
/// behind a header so the panels keep their room.
const NARROW: f32 = 760.0;
/// Below this height (in points) the knobs fold away as well.
const SHORT: f32 = 600.0;

pub fn network_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let before = app.settings.network;
    // A short window (a projector, presentation mode) folds the knobs too.
    let narrow = ui.available_width() < NARROW || ui.ctx().content_rect().height() < SHORT;
    let demo = if narrow {
        // One row: the folded knobs' header, what is on and the teacher's
        // demo; the knobs open under it.
        let id = ui.make_persistent_id("network_knobs");
        let state =
            egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, false);
        let mut demo = None;
        let mut toggle = false;
        state
            .show_header(ui, |ui| {
                // The word opens the knobs too, not only the triangle.
                let header = egui::Label::new(RichText::new(t(T::Network)).strong())
                    .sense(egui::Sense::click());
                toggle = ui.add(header).clicked();
                ui.add_space(8.0);
                ui.horizontal_wrapped(|ui| demo = status_and_demo_ui(ui, app, true));
            })
            .body(|ui| knobs_ui(ui, app, false));
        if toggle
            && let Some(mut state) = egui::collapsing_header::CollapsingState::load(ui.ctx(), id)
        {
            state.toggle(ui);
            state.store(ui.ctx());
        }
        demo
    } else {
        knobs_ui(ui, app, true)
    };
    if let Some(demo) = demo {
        app.act(demo);
    } else if app.settings.network != before {
        // The running server takes new knobs at once; the client's next
        // Send takes them when it starts.
        app.act(Command::UpdateServer);
    }
}

/// The knobs, the seed and the presets, wrapping as the width allows; in a
/// wide window followed in the same flow by what is on and the demo button
/// (whether it was pressed is returned), so a language with longer words
/// takes two rows, not three.
fn knobs_ui(ui: &mut egui::Ui, app: &mut UdpLabApp, wide: bool) -> Option<Command> {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    ui.horizontal_wrapped(|ui| {
        if wide {
            ui.label(RichText::new(t(T::Network)).strong())
                .on_hover_text(t(T::NetworkHint));
            ui.separator();
        }
        let net = &mut app.settings.network;
        percent_knob(ui, lang, T::SimLoss, T::SimLossHint, &mut net.loss_percent);
        ms_knob(
            ui,
            lang,
            T::SimDelay,
            T::SimDelayHint,
            &mut net.delay_ms,
            "",
        );
        ms_knob(
            ui,
            lang,
            T::SimJitter,
            T::SimJitterHint,
            &mut net.jitter_ms,
            t(T::PlusMinus),
        );
        percent_knob(
            ui,
            lang,
            T::SimDuplicate,
            T::SimDuplicateHint,
            &mut net.duplicate_percent,
        );
        percent_knob(
            ui,
            lang,
            T::SimReorder,
            T::SimReorderHint,
            &mut net.reorder_percent,
        );
        wrap_unless_fits(ui, &[t(T::SimSeed)], VALUE_WIDTH);
        let label = ui.label(t(T::SimSeed)).on_hover_text(t(T::SimSeedHint));
        ui.add(egui::DragValue::new(&mut net.seed).range(0..=u64::from(u32::MAX)))
            .labelled_by(label.id)
            .on_hover_text(t(T::SimSeedHint));
        // The presets wrap as a group, never one orphaned on its own row.
        let names = Preset::ALL.map(|p| t(preset_name(p)));
        let padding = 2.0 * ui.spacing().button_padding.x * names.len() as f32;
        if !wrap_unless_fits(ui, &names, padding + ui.spacing().item_spacing.x) {
            ui.separator();
        }
        let current = Preset::matching(net);
        for preset in Preset::ALL {
            if ui
                .selectable_label(current == Some(preset), t(preset_name(preset)))
                .clicked()
            {
                *net = preset.impairments(net.seed);
            }
        }
        if wide {
            ui.add_space(12.0);
            status_and_demo_ui(ui, app, false)
        } else {
            None
        }
    })
    .inner
}

/// What the simulator does (or that the network is perfect) and the demo
/// buttons (the demo, and the demo played back step by step), kept together
/// on one row when they fit. Returns the demo asked for.
fn status_and_demo_ui(ui: &mut egui::Ui, app: &UdpLabApp, narrow: bool) -> Option<Command> {
    let lang = app.lang;
    let net = &app.settings.network;
    let on = !net.is_off();
    // A narrow strip (a projector) names the demo in fewer words, so the
    // note and both demo buttons share one row.
    let demo_text = if narrow {
        T::SimDemoShort.get(lang)
    } else {
        T::SimDemo.get(lang)
    };
    let note = if on {
        // Narrow, in fewer words: what is on, not how it applies.
        let template = if narrow { T::SimOnShort } else { T::SimOn };
        fill(template.get(lang), &[("what", &i18n::describe(lang, net))])
    } else {
        T::SimOff.get(lang).to_owned()
    };
    if on || !narrow {
        // Frame margins, button padding and the gap between them.
        wrap_unless_fits(
            ui,
            &[&note, demo_text, T::DemoStepByStepShort.get(lang)],
            64.0,
        );
        note_ui(ui, on, note);
        ui.add_space(12.0);
    }
    let idle = !app.client.busy();
    let mut demo = None;
    if ui
        .add_enabled(idle, egui::Button::new(demo_text))
        .accessible_name(T::SimDemo.get(lang))
        .on_hover_text(T::SimDemoHint.get(lang))
        .clicked()
    {
        demo = Some(Command::StartDemo);
    }
    // Beside the demo, in few words; its full name for screen readers.
    if ui
        .add_enabled(idle, egui::Button::new(T::DemoStepByStepShort.get(lang)))
        .accessible_name(T::DemoStepByStep.get(lang))
        .on_hover_text(T::DemoStepByStepHint.get(lang))
        .clicked()
    {
        demo = Some(Command::StartDemoStepByStep);
    }
    demo
}

/// The teacher's demo: 30 % loss each way with a fixed seed (nothing else
/// impaired), a burst of 20, and the sequence diagram to watch it in,
/// scrolled to the demo's datagrams. What it changes is for the demo only:
/// the settings come back when the burst ends, and are never saved.
pub fn start_demo(app: &mut UdpLabApp) {
    let before = crate::app::DemoSettings::of(&app.settings);
    app.settings.network = Impairments {
        loss_percent: DEMO_LOSS_PERCENT,
        seed: DEMO_SEED,
        ..Impairments::default()
    };
    app.settings.burst_count = DEMO_COUNT;
    app.settings.timeout_secs = app.settings.timeout_secs.min(DEMO_MAX_TIMEOUT_SECS);
    app.settings.view = crate::app::View::Diagram;
    app.views.diagram.scroll_to_end = true;
    app.demo = Some(crate::app::Demo {
        before,
        during: crate::app::DemoSettings::of(&app.settings),
    });
    app.run(Command::UpdateServer);
    app.run(Command::SendBurst);
}

fn preset_name(p: Preset) -> T {
    match p {
        Preset::Perfect => T::PresetPerfect,
        Preset::WiFi => T::PresetWiFi,
        Preset::BadMobile => T::PresetBadMobile,
        Preset::Satellite => T::PresetSatellite,
    }
}

/// Room for a DragValue's number.
const VALUE_WIDTH: f32 = 50.0;

/// In the wrapping strip, starts a new row unless `texts` and `extra` pixels
/// of widgets fit on this one, so a label never wraps away from its value.
/// True when it started a new row.
fn wrap_unless_fits(ui: &mut egui::Ui, texts: &[&str], extra: f32) -> bool {
    let font = egui::TextStyle::Button.resolve(ui.style());
    let spacing = ui.spacing().item_spacing.x;
    let width: f32 = texts
        .iter()
        .map(|t| {
            let galley =
                ui.painter()
                    .layout_no_wrap((*t).to_owned(), font.clone(), egui::Color32::WHITE);
            galley.size().x + spacing
        })
        .sum::<f32>()
        + extra;
    let left = ui.available_size_before_wrap().x;
    let row_started = left < ui.max_rect().width() - 1.0;
    let wrap = row_started && left < width;
    if wrap {
        ui.end_row();
    }
    wrap
}

fn percent_knob(ui: &mut egui::Ui, lang: Lang, name: T, hint: T, value: &mut f64) {
    let unit = T::PercentSign.get(lang);
    wrap_unless_fits(ui, &[name.get(lang), unit], VALUE_WIDTH);
    let label = ui.label(name.get(lang)).on_hover_text(hint.get(lang));
    ui.add(
        crate::app::format::decimal_drag(value, lang, 1)
            .range(0.0..=100.0)
            .speed(0.5),
    )
    .labelled_by(label.id)
    .on_hover_text(hint.get(lang));
    ui.label(unit);
    ui.add_space(4.0);
}

fn ms_knob(ui: &mut egui::Ui, lang: Lang, name: T, hint: T, value: &mut u32, prefix: &str) {
    let unit = T::Milliseconds.get(lang);
    wrap_unless_fits(ui, &[name.get(lang), unit], VALUE_WIDTH);
    let label = ui.label(name.get(lang)).on_hover_text(hint.get(lang));
    ui.add(
        egui::DragValue::new(value)
            .range(0..=MAX_DELAY_MS)
            .speed(1.0)
            .prefix(prefix),
    )
    .labelled_by(label.id)
    .on_hover_text(hint.get(lang));
    ui.label(unit);
    ui.add_space(4.0);
}

/// The simulator's state: a quiet line when it is off, a warning box when on.
fn note_ui(ui: &mut egui::Ui, on: bool, text: String) {
    if !on {
        ui.label(
            RichText::new(text)
                .color(ui.visuals().weak_text_color())
                .italics(),
        );
        return;
    }
    let warn = crate::app::style::warn_color(ui);
    egui::Frame::new()
        .fill(warn.gamma_multiply(0.12))
        .stroke((1.0, warn))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(8, 3))
        .show(ui, |ui| {
            ui.label(RichText::new(text).color(warn).strong());
        });
}

#[cfg(test)]
mod tests;
