//! Issue 27 at the class sizes: with TCP chosen in the folded panels, a
//! connection whose message went in 3 pieces — the connection diagram
//! shows its heads, send arrows, recv brackets and the handshake band in
//! the view, the stream anatomy its ribbon with both kinds of marks and
//! the sentence; nothing is cut at the side.

use super::*;
use crate::app::ReplyKind;
use crate::net::Protocol;

#[test]
fn tcp_views_are_the_stage_at_every_class_size() {
    for (w, hgt) in SCREENS {
        for presentation in [false, true] {
            for lang in Lang::ALL {
                let at = format!("TCP, {w}×{hgt}, presentation {presentation}, {lang:?}");
                let mut h = app_at((w, hgt), lang, presentation);
                h.run_steps(2);
                // The choice is in the folded panels too (what a class
                // watches): UDP | TCP, or in a narrow column the server's
                // one button naming the protocol in use.
                let server_choice = if h.query_all_by_label("TCP").count() == 2 {
                    "TCP"
                } else {
                    "UDP"
                };
                h.query_all_by_label(server_choice)
                    .next()
                    .unwrap_or_else(|| panic!("{at}: no protocol choice in the server panel"))
                    .click();
                h.run_steps(2);
                // Then the client's (the last TCP, its panel comes second).
                h.query_all_by_label("TCP")
                    .last()
                    .unwrap_or_else(|| panic!("{at}: no protocol choice in the client panel"))
                    .click();
                h.run_steps(2);
                {
                    let s = &mut h.state_mut().settings;
                    assert_eq!(
                        (s.server_protocol, s.client_protocol),
                        (Protocol::Tcp, Protocol::Tcp),
                        "{at}"
                    );
                    s.reply = ReplyKind::Echo;
                    s.tcp_pieces = 3;
                    s.tcp_piece_delay_ms = 40;
                    s.tcp_shutdown = true;
                }
                serve(&mut h);
                h.state_mut().run(Command::ShowView(View::Diagram));
                h.state_mut().run(Command::Send);
                wait_for(&mut h, "the TCP exchange", |app| {
                    !app.tcp.client.busy() && app.tcp.server.rows.back().map(|r| r.read) == Some(13)
                });
                h.run_steps(4);
                let view = view_rect(&h, &at);
                let drawn = h.state().views.diagram.tcp.clone();
                assert_eq!(drawn.heads.len(), 3, "{at}");
                for head in &drawn.heads {
                    inside("a socket's head", *head, view, &at);
                }
                // 3 pieces and at least one echo (a busy server may read
                // two pieces at once and echo them as one).
                assert!(drawn.sends.len() >= 4, "{at}: {drawn:?}");
                let on_screen = drawn
                    .sends
                    .iter()
                    .filter(|(a, b)| view.contains(*a) && view.contains(*b))
                    .count();
                assert!(
                    on_screen >= 3,
                    "{at}: {on_screen} arrows in {view:?}: {drawn:?}"
                );
                let brackets = drawn
                    .brackets
                    .iter()
                    .filter(|(r, _)| view.expand(1.0).contains_rect(*r))
                    .count();
                assert!(
                    brackets >= 1,
                    "{at}: no recv bracket in the view: {drawn:?}"
                );
                assert!(drawn.band.is_some(), "{at}: the handshake band");
                assert_nothing_clipped(&h, &format!("{at}, connection diagram"));

                click_tab(&mut h, View::Anatomy, &at);
                let view = view_rect(&h, &at);
                let stream = h.state().views.stream.clone();
                assert_eq!(stream.cells, 13, "{at}: {stream:?}");
                assert_eq!(stream.send_marks, 3, "{at}");
                assert!(stream.recv_marks >= 1, "{at}");
                let ribbon = stream.rect.expect("the ribbon");
                assert!(
                    view.intersects(ribbon),
                    "{at}: the ribbon {ribbon:?} in {view:?}"
                );
                let sentence = stream.sentence.expect("the sentence");
                inside("the sentence", h.get_by_label(&sentence).rect(), view, &at);
                assert_nothing_clipped(&h, &format!("{at}, stream anatomy"));
            }
        }
    }
}
