//! UDP Lab's own web server and client (issue 28), beside UDP's workers:
//! a server that serves one folder safely (`resolve`), answers GET and
//! HEAD with `Connection: close`, and logs each request as an event; a
//! client that sends one GET and reads the answer until the server closes.

mod calls;
mod client;
pub mod resolve;
mod server;

pub use client::{
    HttpClientError, HttpReply, MAX_REPLY, Url, get, parse_header, parse_url, request_bytes,
};
pub use resolve::{Refusal, Resolved, Root};
pub use server::{
    HttpEvent, HttpEventKind, HttpServerConfig, HttpServerHandle, Limits, Pages, RequestLog,
    spawn_http_server,
};

/// The Kurose–Ross lab's port: `http://127.0.0.1:6789/HelloWorld.html`.
pub const DEFAULT_HTTP_PORT: u16 = 6789;
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:6789";

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
