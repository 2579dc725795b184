//! "Open folder". On Windows and macOS the opener crate starts the system's
//! file manager and says when it cannot. On Linux it asks the desktop over
//! D-Bus and otherwise starts xdg-open without waiting for it, so a desktop
//! with no file manager got no answer at all (issue 23). There UDP Lab asks
//! itself, and waits for a failure long enough to say why within a second.

use std::path::Path;

use super::RevealError;

/// What the helper programs run with. The default is the window's own
/// environment; tests take the file manager away (no PATH, no bus).
#[derive(Clone, Debug, Default)]
pub struct RevealEnv {
    /// PATH for xdg-open's lookup (and its own).
    pub path: Option<std::ffi::OsString>,
    /// The D-Bus session bus's address.
    pub bus: Option<String>,
    /// The browser "Open in browser" starts; None: `$BROWSER`, then the
    /// system's (tests give a script that records the URL).
    pub browser: Option<std::ffi::OsString>,
}

/// Why nothing on a Linux desktop could show the folder.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub enum BusMiss {
    /// No session bus could be reached.
    NoBus,
    /// The bus has no `org.freedesktop.FileManager1` (no file manager).
    NoService,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub enum XdgMiss {
    NotInstalled,
    /// It ran and failed: what it said (or its exit status).
    Failed(String),
}

/// Shows `path`, selected, in the file manager (on a worker thread).
#[cfg(not(target_os = "linux"))]
pub fn reveal(path: &Path, _env: &RevealEnv) -> Result<(), RevealError> {
    opener::reveal(path).map_err(|e| RevealError::from_opener(&e))
}

#[cfg(target_os = "linux")]
pub fn reveal(path: &Path, env: &RevealEnv) -> Result<(), RevealError> {
    if let Err(e) = std::fs::metadata(path) {
        return Err(if e.kind() == std::io::ErrorKind::NotFound {
            RevealError::FileGone
        } else {
            RevealError::Other(e.to_string())
        });
    }
    let bus = match linux::show_items(path, env) {
        Ok(()) => return Ok(()),
        Err(miss) => miss,
    };
    let folder = path.parent().unwrap_or(Path::new("/"));
    linux::xdg_open(folder, env).map_err(|xdg| RevealError::NoFileManager { bus, xdg })
}

/// Why "Open in browser" could not open the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrowserMiss {
    /// No `$BROWSER` and no xdg-open.
    NoOpener,
    /// It ran and failed: the program and what it said.
    Failed { program: String, said: String },
}

/// Opens `url` in the browser (on a worker thread): `$BROWSER` first (a
/// `:`-separated list, each entry a command with `%s` for the URL or the
/// URL after it), then xdg-open on Linux or the system's opener elsewhere.
pub fn open_url(url: &str, env: &RevealEnv) -> Result<(), BrowserMiss> {
    let browser = env
        .browser
        .clone()
        .or_else(|| std::env::var_os("BROWSER"))
        .filter(|b| !b.is_empty());
    let mut last = None;
    if let Some(browser) = browser {
        for entry in browser.to_string_lossy().split(':') {
            let mut words: Vec<String> = entry.split_whitespace().map(str::to_owned).collect();
            if words.is_empty() {
                continue;
            }
            if words.iter().any(|w| w.contains("%s")) {
                words = words.iter().map(|w| w.replace("%s", url)).collect();
            } else {
                words.push(url.to_owned());
            }
            let program = words.remove(0);
            match launch(&program, &words, env) {
                Ok(()) => return Ok(()),
                Err(miss) => last = Some(miss),
            }
        }
    }
    match system_open(url, env) {
        Ok(()) => Ok(()),
        // The user's own browser's failure says more than "no xdg-open".
        Err(BrowserMiss::NoOpener) => Err(last.unwrap_or(BrowserMiss::NoOpener)),
        Err(e) => Err(e),
    }
}

#[cfg(target_os = "linux")]
fn system_open(url: &str, env: &RevealEnv) -> Result<(), BrowserMiss> {
    launch("xdg-open", &[url.to_owned()], env)
}

#[cfg(not(target_os = "linux"))]
fn system_open(url: &str, _env: &RevealEnv) -> Result<(), BrowserMiss> {
    // ShellExecute on Windows, `open` on macOS.
    opener::open(url).map_err(|e| BrowserMiss::Failed {
        program: "open".into(),
        said: e.to_string(),
    })
}

/// Starts `program` and waits a moment for it to fail (as for xdg-open).
fn launch(program: &str, args: &[String], env: &RevealEnv) -> Result<(), BrowserMiss> {
    #[cfg(target_os = "linux")]
    let started = linux::run_waiting(program.as_ref(), args, env);
    #[cfg(not(target_os = "linux"))]
    let started = {
        let _ = env;
        std::process::Command::new(program)
            .args(args)
            .spawn()
            .map(drop)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => XdgMiss::NotInstalled,
                _ => XdgMiss::Failed(e.to_string()),
            })
    };
    started.map_err(|miss| match miss {
        XdgMiss::NotInstalled if program == "xdg-open" => BrowserMiss::NoOpener,
        XdgMiss::NotInstalled => BrowserMiss::Failed {
            program: program.to_owned(),
            said: std::io::Error::from(std::io::ErrorKind::NotFound).to_string(),
        },
        XdgMiss::Failed(said) => BrowserMiss::Failed {
            program: program.to_owned(),
            said,
        },
    })
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::Read;
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use super::{BusMiss, RevealEnv, XdgMiss};

    /// How long a D-Bus call may take: longer means a file manager is being
    /// started for it (then it shows the file when it is up).
    const BUS_TIMEOUT: Duration = Duration::from_millis(600);
    /// How long xdg-open is given to fail. One that runs longer has found a
    /// program (it may wait until that program ends).
    const XDG_WAIT: Duration = Duration::from_millis(700);

    /// `org.freedesktop.FileManager1.ShowItems`: the file, selected.
    pub(super) fn show_items(path: &Path, env: &RevealEnv) -> Result<(), BusMiss> {
        use zbus::blocking::connection::Builder;
        let builder = match &env.bus {
            Some(address) => Builder::address(address.as_str()),
            None => Builder::session(),
        };
        let connection = builder
            .and_then(|b| b.method_timeout(BUS_TIMEOUT).build())
            .map_err(|_| BusMiss::NoBus)?;
        let uri = file_uri(&path.canonicalize().unwrap_or_else(|_| path.to_owned()));
        let called = connection.call_method(
            Some("org.freedesktop.FileManager1"),
            "/org/freedesktop/FileManager1",
            Some("org.freedesktop.FileManager1"),
            "ShowItems",
            &(vec![uri], ""),
        );
        match called {
            Ok(_) => Ok(()),
            // Still starting: it will show the file when it is up.
            Err(zbus::Error::InputOutput(e)) if e.kind() == std::io::ErrorKind::TimedOut => Ok(()),
            Err(_) => Err(BusMiss::NoService),
        }
    }

    /// Opens the folder with xdg-open, and waits a moment for it to fail.
    pub(super) fn xdg_open(folder: &Path, env: &RevealEnv) -> Result<(), XdgMiss> {
        run_waiting("xdg-open".as_ref(), &[folder], env)
    }

    /// Starts `program` with `args`, and waits a moment for it to fail.
    pub(super) fn run_waiting<A: AsRef<std::ffi::OsStr>>(
        program: &std::ffi::OsStr,
        args: &[A],
        env: &RevealEnv,
    ) -> Result<(), XdgMiss> {
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(path) = &env.path {
            command.env("PATH", path);
        }
        if let Some(bus) = &env.bus {
            command.env("DBUS_SESSION_BUS_ADDRESS", bus);
        }
        let mut child = command.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => XdgMiss::NotInstalled,
            _ => XdgMiss::Failed(e.to_string()),
        })?;
        // Read on a thread of its own: a program xdg-open starts may keep
        // the pipe (and write to it) long after.
        let (tx, rx) = std::sync::mpsc::channel();
        if let Some(mut stderr) = child.stderr.take() {
            let _ = std::thread::Builder::new()
                .name("udp-lab-xdg-open-err".into())
                .spawn(move || {
                    let mut text = String::new();
                    let _ = stderr.read_to_string(&mut text);
                    let _ = tx.send(text);
                });
        }
        let deadline = Instant::now() + XDG_WAIT;
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => {
                    let said = rx
                        .recv_timeout(Duration::from_millis(200))
                        .unwrap_or_default();
                    let said = said.lines().rev().find(|l| !l.trim().is_empty());
                    return Err(XdgMiss::Failed(
                        said.map_or_else(|| status.to_string(), |l| l.trim().to_owned()),
                    ));
                }
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Ok(None) => {
                    // Running: it found a program. Reap it when it ends.
                    let _ = std::thread::Builder::new()
                        .name("udp-lab-xdg-open".into())
                        .spawn(move || child.wait());
                    return Ok(());
                }
                Err(e) => return Err(XdgMiss::Failed(e.to_string())),
            }
        }
    }

    /// `file://` and the path, every byte outside the URI's plain set
    /// percent-encoded.
    fn file_uri(path: &Path) -> String {
        use std::os::unix::ffi::OsStrExt;
        let mut uri = String::from("file://");
        for &b in path.as_os_str().as_bytes() {
            if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
                uri.push(char::from(b));
            } else {
                uri.push_str(&format!("%{b:02X}"));
            }
        }
        uri
    }

    #[cfg(test)]
    #[test]
    fn file_uris_encode_what_is_not_plain() {
        assert_eq!(
            file_uri(Path::new("/tmp/a b/при,вет.png")),
            "file:///tmp/a%20b/%D0%BF%D1%80%D0%B8%2C%D0%B2%D0%B5%D1%82.png"
        );
    }
}
