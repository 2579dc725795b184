//! Blocking calls that look up now and then, so Stop and Cancel are
//! honoured promptly without a busy loop: `accept` (Linux honours
//! SO_RCVTIMEO on a listening socket; elsewhere the socket is non-blocking
//! and polled) and `recv`/`send` with their timeouts.

use std::io;
use std::time::Duration;

use socket2::Socket;

/// How often a blocked call looks up to see whether Stop was pressed.
pub const STOP_POLL: Duration = Duration::from_millis(50);

/// Makes `accept` return at least every [`STOP_POLL`].
pub fn prepare_listener(listener: &Socket) -> io::Result<()> {
    if cfg!(target_os = "linux") {
        listener.set_read_timeout(Some(STOP_POLL))
    } else {
        listener.set_nonblocking(true)
    }
}

/// Where the listener is non-blocking, a short nap before trying again.
pub fn accept_would_block() {
    if !cfg!(target_os = "linux") {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A connected socket whose reads and writes return at least every
/// [`STOP_POLL`] (accepted sockets may inherit non-blocking mode on some
/// systems: blocking with timeouts here).
pub fn prepare_stream(stream: &Socket) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(STOP_POLL))?;
    stream.set_write_timeout(Some(STOP_POLL))
}

/// Whether the error only means "the timeout passed, nothing happened".
pub fn is_timeout(e: &io::Error) -> bool {
    crate::net::sock::is_timeout(e) || e.kind() == io::ErrorKind::Interrupted
}

/// `sendall`: writes every byte unless `stop()` turns true while the peer
/// does not read (the socket's send buffer is full). Returns the bytes sent
/// and the error that ended it early, if any (None with fewer bytes sent:
/// stopped).
pub fn send_all(
    stream: &Socket,
    bytes: &[u8],
    stop: &dyn Fn() -> bool,
) -> (usize, Option<io::Error>) {
    let mut sent = 0;
    while sent < bytes.len() {
        match stream.send(&bytes[sent..]) {
            Ok(0) => return (sent, Some(io::ErrorKind::WriteZero.into())),
            Ok(n) => sent += n,
            Err(e) if is_timeout(&e) => {
                if stop() {
                    return (sent, None);
                }
            }
            Err(e) => return (sent, Some(e)),
        }
    }
    (sent, None)
}

/// `recv(buf)` into initialised memory.
pub fn recv(stream: &Socket, buf: &mut [u8]) -> io::Result<usize> {
    use std::io::Read;
    let mut s: &Socket = stream;
    s.read(buf)
}
