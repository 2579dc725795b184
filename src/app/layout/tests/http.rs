//! Issue 28 at the class sizes: with HTTP chosen in the folded panels,
//! UDP Lab's web server started and its page fetched by the client panel
//! — the server panel shows the request's row, the client panel its URL
//! field, Send and the status line; the connection diagram keeps the
//! stage with both ends' heads in the view; nothing is cut at the side.

use super::*;
use crate::net::Protocol;

/// Clicks the server's choice until it is HTTP (the full choice, or in a
/// narrow column the one button naming the protocol in use), then the
/// client's.
fn choose_http(h: &mut Harness<'_, UdpLabApp>, at: &str) {
    for _ in 0..3 {
        if h.state().settings.server_protocol == Protocol::Http {
            break;
        }
        let label = if h.query_all_by_label("HTTP").count() == 2 {
            "HTTP"
        } else {
            h.state().settings.server_protocol.name()
        };
        h.query_all_by_label(label)
            .next()
            .unwrap_or_else(|| panic!("{at}: no protocol choice in the server panel"))
            .click();
        h.run_steps(2);
    }
    h.query_all_by_label("HTTP")
        .last()
        .unwrap_or_else(|| panic!("{at}: no protocol choice in the client panel"))
        .click();
    h.run_steps(2);
    let s = &h.state().settings;
    assert_eq!(
        (s.server_protocol, s.client_protocol),
        (Protocol::Http, Protocol::Http),
        "{at}"
    );
}

#[test]
fn http_panels_and_views_fit_every_class_size() {
    for (w, hgt) in SCREENS {
        for presentation in [false, true] {
            for lang in Lang::ALL {
                let at = format!("HTTP, {w}×{hgt}, presentation {presentation}, {lang:?}");
                let mut h = app_at((w, hgt), lang, presentation);
                h.state_mut().settings.http_bind = "127.0.0.1:0".into();
                h.run_steps(2);
                choose_http(&mut h, &at);
                let window = h.ctx.content_rect();
                let url = h.get_by_label(T::HttpUrl.get(lang)).rect();
                inside("the URL field", url, window, &at);
                let send = h.get_by_label(T::Send.get(lang)).rect();
                inside("Send", send, window, &at);
                h.state_mut().run(Command::StartServer);
                wait_for(&mut h, "the web server to listen", |app| {
                    listening_port(app).is_some()
                });
                let port = listening_port(h.state()).unwrap_or_default();
                h.state_mut().settings.http_url =
                    format!("http://127.0.0.1:{port}/HelloWorld.html");
                h.state_mut().run(Command::ShowView(View::Diagram));
                h.state_mut().run(Command::Send);
                wait_for(&mut h, "the GET and its log row", |app| {
                    app.http.client.fetched.is_some() && !app.http.server.rows.is_empty()
                });
                h.run_steps(4);
                inside(
                    "the request's row",
                    h.get_by_label("GET /HelloWorld.html").rect(),
                    window,
                    &at,
                );
                inside(
                    "the status line",
                    h.get_by_label("HTTP/1.1 200 OK").rect(),
                    window,
                    &at,
                );
                let view = view_rect(&h, &at);
                let drawn = h.state().views.diagram.tcp.clone();
                assert!(drawn.heads.len() >= 2, "{at}: {drawn:?}");
                for head in &drawn.heads {
                    inside("a socket's head", *head, view, &at);
                }
                assert!(drawn.band.is_some(), "{at}: the handshake band");
                assert_nothing_clipped(&h, &at);
            }
        }
    }
}
