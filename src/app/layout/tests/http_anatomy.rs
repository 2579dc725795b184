//! Issue 28 at the class sizes: UDP Lab's web server answered a real GET;
//! with HTTP chosen for the server, the anatomy tab reads "HTTP anatomy"
//! and shows the request and the response as lines — the first line, the
//! headers, the empty line's `\r\n`, the body's check and the bytes in hex
//! — inside the view, nothing cut at the side.

use super::*;
use crate::net::Protocol;

#[test]
fn the_http_anatomy_is_readable_at_every_class_size() {
    let (events, page) = crate::app::views::anatomy::http::tests::web_server_get();
    for (w, hgt) in SCREENS {
        for presentation in [false, true] {
            for lang in Lang::ALL {
                let at = format!("HTTP anatomy, {w}×{hgt}, presentation {presentation}, {lang:?}");
                let mut h = app_at((w, hgt), lang, presentation);
                h.run_steps(2);
                h.state_mut()
                    .run(Command::SetServerProtocol(Protocol::Http));
                for event in &events {
                    h.state_mut().session.record(event);
                }
                h.run_steps(2);
                click_tab(&mut h, View::Anatomy, &at);
                let title = crate::app::views::tab_title(h.state(), View::Anatomy);
                assert_eq!(title, crate::app::T::ViewHttpAnatomy, "{at}");

                for down in [false, true] {
                    let at = format!("{at}, down {down}");
                    h.state_mut().views.stream_down = down;
                    h.run_steps(3);
                    let view = view_rect(&h, &at);
                    let drawn = h.state().views.http.clone();
                    let first = drawn.lines.first().cloned().unwrap_or_default();
                    assert!(
                        first.starts_with(if down { "HTTP/1.1 200" } else { "GET /" }),
                        "{at}: {drawn:?}"
                    );
                    inside("the first line", h.get_by_label(&first).rect(), view, &at);
                    // Its CR LF and its bytes follow it in the view.
                    let crlf = h
                        .query_all_by_label("\\r\\n")
                        .filter(|n| view.expand(0.5).contains_rect(n.rect()))
                        .count();
                    assert!(crlf >= 1, "{at}: no \\r\\n mark in the view");
                    let hex = if down {
                        "48 54 54 50 2f 31 2e 31"
                    } else {
                        "47 45 54 20 2f"
                    };
                    let row = h.get_by_label_contains(hex).rect();
                    inside("the first line's bytes", row, view, &at);
                    // The headers that fit: at least the first two.
                    let shown = shown_in(&h, &drawn.lines, view);
                    assert!(
                        shown >= 2.min(drawn.lines.len()),
                        "{at}: {shown} lines shown"
                    );
                    let check = drawn.body_check.clone().expect("the body's check");
                    inside("the body's check", h.get_by_label(&check).rect(), view, &at);
                    if down {
                        let complete = fill(
                            crate::app::T::HttpBodyComplete.get(lang),
                            &[("bytes", &page)],
                        );
                        assert_eq!(check, complete, "{at}");
                    }
                    assert_nothing_clipped(&h, &at);
                }
            }
        }
    }
}
