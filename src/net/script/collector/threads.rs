//! Without poll (libc is a dependency on Linux only): a thread per pipe
//! and per connection. Output and calls may then come in a slightly
//! different order than made.

use std::sync::Mutex;

use super::*;

fn pipe_thread<R: std::io::Read + Send + 'static>(
    this: &Arc<Collector>,
    reader: Option<R>,
    stream: Stream,
) -> Option<std::thread::JoinHandle<()>> {
    let this = this.clone();
    let mut pipe = Pipe::new(Some(reader?), stream);
    std::thread::Builder::new()
        .name("udp-lab-collector".into())
        .spawn(move || {
            while this.read_pipe(&mut pipe) {
                this.release(&mut pipe, None, false);
            }
            this.release(&mut pipe, None, true);
        })
        .ok()
}

impl Collector {
    pub(in crate::net) fn run(mut self) {
        let stdout = self.stdout.take();
        let stderr = self.stderr.take();
        let this = Arc::new(self);
        let pipes: Vec<_> = [
            pipe_thread(&this, stdout, Stream::Stdout),
            pipe_thread(&this, stderr, Stream::Stderr),
        ]
        .into_iter()
        .flatten()
        .collect();
        let _ = this.listener.set_nonblocking(true);
        let open = Arc::new(Mutex::new(0usize));
        let exit = loop {
            while let Ok((stream, _)) = this.listener.accept() {
                let mut count = open
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if *count >= MAX_CONNECTIONS {
                    continue;
                }
                *count += 1;
                let (this, open) = (this.clone(), open.clone());
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_read_timeout(Some(HELLO_WITHIN));
                let _ = std::thread::Builder::new()
                    .name("udp-lab-collector".into())
                    .spawn(move || {
                        this.serve(stream);
                        *open
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner) -= 1;
                    });
            }
            this.shared.kill_if_overdue();
            if let Some(status) = this.ended() {
                break status;
            }
            std::thread::sleep(TICK);
        };
        for p in pipes {
            let _ = p.join();
        }
        this.finish(exit);
    }

    fn serve(&self, mut stream: TcpStream) {
        let mut lines = LineSplitter::default();
        let mut trusted = false;
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match stream.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let mut keep = true;
            lines.feed(&buf[..n], |line| {
                if keep {
                    let (line, k) = self.parse(&mut trusted, line);
                    if let Some(line) = line {
                        self.report(line.report);
                    }
                    keep = k;
                }
            });
            if !keep {
                self.shared.strangers.fetch_add(1, Ordering::Relaxed);
                return;
            }
            if trusted {
                let _ = stream.set_read_timeout(None);
            }
        }
    }
}
