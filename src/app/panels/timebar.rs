//! The time strip above the teaching views: Pause / Play at a speed, To
//! start, one datagram or one call back and forward, Live; where the cursor
//! stands and what came since. One pause for the whole window: every view
//! and panel follows the cursor (lab/timeline.rs).

use egui::RichText;

use crate::app::i18n::fill;
use crate::app::{Command, Lang, T, UdpLabApp};
use crate::lab::timeline::{Move, Speed};

/// The speed's name as the language writes numbers ("0,25×" in Russian).
pub fn speed_text(speed: Speed, lang: Lang) -> String {
    let factor = match speed {
        Speed::Quarter => "0.25",
        Speed::Half => "0.5",
        Speed::Real => "1",
        Speed::Double => "2",
        Speed::OnePerSecond => return T::TimeOnePerSecond.get(lang).to_owned(),
    };
    let factor = match lang {
        Lang::En => factor.to_owned(),
        Lang::Ru => factor.replace('.', ","),
    };
    format!("{factor}×")
}

/// The strip's keys, unless a widget has the keyboard (a text field takes
/// the arrows, a button focused with Tab takes Space, and arrows move the
/// focus): Space pause / play, Home, ← →, Shift+← →, End.
pub fn keys(ctx: &egui::Context, app: &mut UdpLabApp) {
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    use egui::{Key, Modifiers};
    let command = ctx.input_mut(|i| {
        if i.consume_key(Modifiers::SHIFT, Key::ArrowLeft) {
            Some(Command::MoveCursor(Move::PreviousDatagram))
        } else if i.consume_key(Modifiers::SHIFT, Key::ArrowRight) {
            Some(Command::MoveCursor(Move::NextDatagram))
        } else if i.consume_key(Modifiers::NONE, Key::ArrowLeft) {
            Some(Command::MoveCursor(Move::Back))
        } else if i.consume_key(Modifiers::NONE, Key::ArrowRight) {
            Some(Command::MoveCursor(Move::Forward))
        } else if i.consume_key(Modifiers::NONE, Key::Home) {
            Some(Command::MoveCursor(Move::ToStart))
        } else if i.consume_key(Modifiers::NONE, Key::End) {
            Some(Command::Live)
        } else if i.consume_key(Modifiers::NONE, Key::Space) {
            Some(if app.time.is_live() || app.time.is_playing() {
                Command::Pause
            } else {
                Command::Play(app.time.speed)
            })
        } else {
            None
        }
    });
    if let Some(command) = command {
        app.act(command);
    }
}

/// Below this window width (points) the strip shows symbols only.
const COMPACT_BELOW: f32 = 1000.0;

pub fn timebar_ui(ui: &mut egui::Ui, app: &mut UdpLabApp) {
    let lang = app.lang;
    let t = |k: T| k.get(lang);
    let live = app.time.is_live();
    let playing = app.time.is_playing();
    let has_calls = !app.session.trace.is_empty();
    let mut commands = Vec::new();
    // On the views' tab row (views_ui), wrapping there. Narrow (a
    // projector at 150 %): symbols without words (the names stay for screen
    // readers and tooltips), no badge of its own (both panels wear one).
    let compact = ui.ctx().content_rect().width() < COMPACT_BELOW;
    let word = |symbol: &str, key: T| {
        if compact {
            symbol.to_owned()
        } else {
            format!("{symbol} {}", t(key))
        }
    };
    let keys_hint = t(T::TimeKeys);
    if live || playing {
        let pause = ui
            .button(word("❚❚", T::TimePause))
            .accessible_name(t(T::TimePause))
            .on_hover_text(keys_hint);
        if pause.clicked() {
            commands.push(Command::Pause);
        }
    } else {
        let play = ui
            .add_enabled(has_calls, egui::Button::new(word("▶", T::TimePlay)))
            .accessible_name(t(T::TimePlay))
            .on_hover_text(keys_hint);
        if play.clicked() {
            commands.push(Command::Play(app.time.speed));
        }
    }
    let current = app.time.playing_speed().unwrap_or(app.time.speed);
    let combo = egui::ComboBox::from_id_salt("playback_speed")
        .selected_text(speed_text(current, lang))
        .width(70.0)
        .show_ui(ui, |ui| {
            for speed in Speed::ALL {
                if ui
                    .selectable_label(current == speed, speed_text(speed, lang))
                    .clicked()
                {
                    commands.push(Command::SetSpeed(speed));
                }
            }
        });
    combo
        .response
        .accessible_name(t(T::TimeSpeed))
        .on_hover_text(t(T::TimeSpeed));
    ui.separator();
    // DejaVu's shapes (egui's own fonts have no media symbols).
    for (icon, name, to) in [
        ("⇤", T::TimeToStart, Move::ToStart),
        ("◀◀", T::TimePreviousDatagram, Move::PreviousDatagram),
        ("◂", T::TimeStepBack, Move::Back),
        ("▸", T::TimeStepForward, Move::Forward),
        ("▶▶", T::TimeNextDatagram, Move::NextDatagram),
    ] {
        let button = ui
            .add_enabled(has_calls, egui::Button::new(icon))
            .accessible_name(t(name))
            .on_hover_text(t(name));
        if button.clicked() {
            commands.push(Command::MoveCursor(to));
        }
    }
    let to_live = ui
        .add_enabled(!live, egui::Button::new(word("⇥", T::TimeLive)))
        .accessible_name(t(T::TimeLive))
        .on_hover_text(keys_hint)
        .on_disabled_hover_text(t(T::TimeLiveNow));
    if to_live.clicked() {
        commands.push(Command::Live);
    }
    if !live {
        ui.separator();
        if !compact {
            crate::app::style::replay_badge_ui(ui, lang, app.time.time(), false);
        }
        let count = app.session.trace.len();
        let where_text = match app.time.index(&app.session) {
            Some(i) => fill(t(T::TimeCallOf), &[("index", &(i + 1)), ("count", &count)]),
            None => t(T::TimeBeforeFirst).to_owned(),
        };
        ui.label(where_text);
        let new = app.time.new_since(&app.session);
        if new > 0 {
            ui.label(
                RichText::new(fill(t(T::TimeNewSince), &[("count", &new)]))
                    .color(crate::app::style::warn_color(ui)),
            );
        }
    }
    for command in commands {
        app.act(command);
    }
}

#[cfg(test)]
mod tests;
