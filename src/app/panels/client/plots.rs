//! The latest burst's plots: the RTT of each datagram and the answers per
//! second.

use crate::app::format;
use egui_plot::AxisHints;

use crate::app::i18n::{Lang, T};

/// An axis with numbers in the language's decimal mark. Presenting, its
/// numbers are all or nothing: egui_plot fades a tick label in as its
/// neighbours move apart, too pale for a projector.
fn axis(x: bool, name: Option<T>, lang: Lang, presenting: bool) -> AxisHints<'static> {
    let hints = if x {
        AxisHints::new_x()
    } else {
        AxisHints::new_y()
    };
    let hints = hints.formatter(move |mark, _| axis_number(mark.value, lang));
    let hints = match name {
        Some(name) => hints.label(name.get(lang)),
        None => hints,
    };
    if presenting {
        // A label closer to its neighbour than the fade's far end (egui_plot's
        // default) is not drawn; a range of a hair gives the rest full
        // strength.
        let full = if x { 80.0 } else { 30.0 };
        hints.label_spacing(full..=full + 0.01)
    } else {
        hints
    }
}

/// A tick label with the language's decimal mark ("0,5" in Russian).
fn axis_number(value: f64, lang: Lang) -> String {
    // Ticks are round numbers: up to three decimals, no trailing zeros.
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format::decimal_point(text.to_owned(), lang)
}

pub(super) fn rtt_plot_ui(
    ui: &mut egui::Ui,
    points: &[crate::app::RttPoint],
    height: f32,
    lang: Lang,
    presenting: bool,
) {
    use egui_plot::{Line, Plot, PlotPoints, Points};
    // One line segment per run of answers, so a loss leaves a visible gap.
    let mut runs: Vec<Vec<[f64; 2]>> = vec![Vec::new()];
    let mut lost = Vec::new();
    let mut sorted: Vec<_> = points.to_vec();
    sorted.sort_by_key(|p| p.seq);
    for p in &sorted {
        match p.rtt_ms {
            Some(ms) => runs
                .last_mut()
                .map_or((), |r| r.push([f64::from(p.seq), ms])),
            None => {
                lost.push(f64::from(p.seq));
                runs.push(Vec::new());
            }
        }
    }
    let color = crate::app::style::ok_color(ui);
    let bad = crate::app::style::error_color(ui);
    Plot::new("rtt_plot")
        .height(height)
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .include_y(0.0)
        .custom_x_axes(vec![axis(true, None, lang, presenting)])
        .custom_y_axes(vec![axis(false, Some(T::Milliseconds), lang, presenting)])
        .show(ui, |plot| {
            for (i, run) in runs.into_iter().filter(|r| !r.is_empty()).enumerate() {
                plot.line(Line::new(format!("rtt{i}"), PlotPoints::from(run.clone())).color(color));
                plot.points(
                    Points::new(format!("rttp{i}"), PlotPoints::from(run))
                        .color(color)
                        .radius(2.0),
                );
            }
            if !lost.is_empty() {
                let marks: Vec<[f64; 2]> = lost.iter().map(|&x| [x, 0.0]).collect();
                plot.points(
                    Points::new("lost", PlotPoints::from(marks))
                        .color(bad)
                        .radius(4.0)
                        .shape(egui_plot::MarkerShape::Cross),
                );
            }
        });
}

pub(super) fn rate_plot_ui(
    ui: &mut egui::Ui,
    points: &[crate::app::RttPoint],
    height: f32,
    lang: Lang,
    presenting: bool,
) {
    use egui_plot::{Bar, BarChart, Plot};
    let last = points.iter().map(|p| p.at_secs).fold(0.0, f64::max);
    let mut per_second = vec![0u32; last.floor() as usize + 1];
    for p in points.iter().filter(|p| p.rtt_ms.is_some()) {
        if let Some(n) = per_second.get_mut(p.at_secs.floor() as usize) {
            *n += 1;
        }
    }
    let bars: Vec<Bar> = per_second
        .iter()
        .enumerate()
        .map(|(s, &n)| Bar::new(s as f64 + 0.5, f64::from(n)).width(0.9))
        .collect();
    let accent = crate::app::style::accent_color(ui);
    Plot::new("rate_plot")
        .height(height)
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .include_y(0.0)
        .custom_x_axes(vec![axis(true, Some(T::Seconds), lang, presenting)])
        .custom_y_axes(vec![axis(false, None, lang, presenting)])
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("answers", bars).color(accent));
        });
}
