//! UDP Lab's own web server and client (issue 28), beside UDP's workers:
//! a server that serves one folder safely (`resolve`), answers GET and
//! HEAD with `Connection: close`, and logs each request as an event; a
//! client that sends one GET and reads the answer until the server closes.

mod calls;
mod client;
pub mod resolve;
mod server;

pub use client::{
    Fetched, FetchedReply, HttpClientError, HttpReply, MAX_FETCH_KEPT, MAX_REPLY, Url, get,
    get_traced, parse_header, parse_url, request_bytes,
};
pub use resolve::{Refusal, Resolved, Root};
pub use server::{
    HttpEvent, HttpEventKind, HttpServerConfig, HttpServerHandle, Limits, Pages, RequestLog,
    spawn_http_server,
};

/// The Kurose–Ross lab's port: `http://127.0.0.1:6789/HelloWorld.html`.
pub const DEFAULT_HTTP_PORT: u16 = 6789;
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:6789";

/// Whether a [`crate::net::TcpSide::Server`] id is a web server's (its
/// calls are steps of webserver.py, not of the TCP server).
pub fn is_web_server(id: u64) -> bool {
    id >= calls::FIRST_WEB_SERVER
}

/// The reason phrase of each status the server sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}
