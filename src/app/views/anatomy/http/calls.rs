//! The HTTP anatomy's list of calls: each `send` and `recv` of the
//! direction with the parts of the message its bytes were.

use egui::RichText;

use super::{HttpDrawn, MAX_CALLS};
use crate::app::i18n::{Lang, T, fill};
use crate::app::views::connection::Direction;
use crate::lab::http::{Kind, Message, Part};

/// Each call of this direction and the parts its bytes were.
pub(super) fn calls_ui(
    ui: &mut egui::Ui,
    m: &Message,
    d: &Direction,
    lang: Lang,
    drawn: &mut HttpDrawn,
) {
    let t = |k: T| k.get(lang);
    let cuts = d
        .sends
        .iter()
        .enumerate()
        .map(|(n, c)| ("send", n, c))
        .chain(d.recvs.iter().enumerate().map(|(n, c)| ("recv", n, c)));
    let total = d.sends.len() + d.recvs.len();
    if total == 0 {
        return;
    }
    ui.label(RichText::new(t(T::HttpCallsTitle)).strong());
    for (word, n, cut) in cuts.take(MAX_CALLS) {
        let start = usize::try_from(cut.offset).unwrap_or(usize::MAX);
        let end = usize::try_from(cut.end()).unwrap_or(usize::MAX);
        let parts = parts_text(m, start..end, lang);
        let text = fill(
            t(T::HttpCallParts),
            &[
                ("call", &word),
                ("n", &(n + 1)),
                ("bytes", &cut.len),
                ("parts", &parts),
            ],
        );
        ui.add(egui::Label::new(RichText::new(&text).monospace()).wrap());
        drawn.calls.push(text);
    }
    if total > MAX_CALLS {
        ui.label(RichText::new(format!("… +{}", total - MAX_CALLS)).weak());
    }
}

/// "status line, headers: 3, empty line, part of the body".
fn parts_text(m: &Message, span: std::ops::Range<usize>, lang: Lang) -> String {
    let t = |k: T| k.get(lang);
    let spans = m.spans();
    let whole = |part: Part| spans.iter().find(|(p, _)| *p == part).map(|(_, r)| r.len());
    let mut out: Vec<String> = Vec::new();
    let mut headers = 0usize;
    let flush = |headers: &mut usize, out: &mut Vec<String>| {
        if *headers > 0 {
            out.push(fill(t(T::HttpHeaderCount), &[("n", &*headers)]));
            *headers = 0;
        }
    };
    for (part, range) in m.parts_in(span) {
        let complete = whole(part) == Some(range.len());
        let name = match part {
            Part::Line(0) => match m.kind {
                Kind::Request => t(T::HttpRequestLine),
                _ => t(T::HttpStatusLine),
            },
            Part::Line(_) if complete => {
                headers += 1;
                continue;
            }
            Part::Line(_) => t(T::HttpHeader),
            Part::EmptyLine => t(T::HttpEmptyLine),
            Part::Body => t(T::HttpBody),
            Part::Extra => t(T::HttpExtra),
        };
        flush(&mut headers, &mut out);
        out.push(if complete {
            name.to_owned()
        } else {
            fill(t(T::HttpPartOf), &[("part", &name)])
        });
    }
    flush(&mut headers, &mut out);
    out.join(", ")
}
