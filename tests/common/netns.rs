//! A classroom in network namespaces: a switch (a bridge in a namespace of
//! its own) and hosts, each a namespace with one veth "network card" on it.
//! Addresses only 10.213.0.0/24 and fd13::/64, inside these namespaces:
//! nothing reaches any other network. Every name carries the test process's
//! pid and a counter, so parallel tests (and runs) never share one; `Drop`
//! deletes them, killing what still runs there first.
//!
//! Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and `ip`. Without them
//! [`Classroom::new`] prints why the test is skipped and returns None; under
//! CI=true it fails instead, since CI must run these.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

static NEXT: AtomicU32 = AtomicU32::new(0);

/// One computer of the classroom.
pub struct Host {
    /// The namespace's name, for `ip netns exec`.
    pub ns: String,
    /// 10.213.0.N
    pub ip: String,
    /// fd13::N
    pub ip6: String,
}

impl Host {
    /// A command that runs `program` on this host.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.ns, program]);
        c
    }

    /// Runs a shell-free command on this host; panics when it fails.
    pub fn run(&self, program: &str, args: &[&str]) -> Output {
        let out = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{program} {args:?} on {}: {e}", self.ns));
        assert!(
            out.status.success(),
            "{program} {args:?} on {} failed: {}",
            self.ns,
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

pub struct Classroom {
    switch: String,
    pub hosts: Vec<Host>,
}

/// `ip ARGS`, or the reason it failed.
fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(2))
            == Some("0")
    })
}

/// Says why `test` cannot run here; None, or a panic under CI.
pub fn skip(test: &str, why: &str) -> Option<Classroom> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(!ci, "{test}: cannot run on CI: {why}");
    // Straight to stderr, past the harness's capture: a passing test's
    // output is not shown, and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: {why} (run as root, with iproute2, to build the classroom in network namespaces)"
    );
    None
}

impl Classroom {
    /// `count` hosts on one switch: host i (from 0) is 10.213.0.(i+1) and
    /// fd13::(i+1). None (after saying why) when namespaces cannot be made.
    pub fn new(test: &str, count: usize) -> Option<Self> {
        if !cfg!(target_os = "linux") {
            return skip(test, "network namespaces are Linux only");
        }
        if !is_root() {
            return skip(test, "not root");
        }
        let id = format!(
            "{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut room = Classroom {
            switch: format!("u15sw-{id}"),
            hosts: Vec::new(),
        };
        if let Err(why) = ip(&["netns", "add", &room.switch]) {
            // Nothing was made: nothing to delete.
            room.switch.clear();
            return skip(test, &why);
        }
        match room.build(&id, count) {
            Ok(()) => Some(room),
            Err(why) => {
                drop(room);
                skip(test, &why)
            }
        }
    }

    fn build(&mut self, id: &str, count: usize) -> Result<(), String> {
        let sw = self.switch.clone();
        ip(&["-n", &sw, "link", "add", "br0", "type", "bridge"])?;
        // No IGMP snooping: the switch floods multicast, so a host that did
        // not join is asked too (and its kernel ignores it), as on a cheap
        // classroom switch.
        ip(&[
            "-n",
            &sw,
            "link",
            "set",
            "br0",
            "type",
            "bridge",
            "mcast_snooping",
            "0",
        ])?;
        ip(&["-n", &sw, "link", "set", "br0", "up"])?;
        for i in 0..count {
            let n = i + 1;
            let host = Host {
                ns: format!("u15h{n}-{id}"),
                ip: format!("10.213.0.{n}"),
                ip6: format!("fd13::{n}"),
            };
            ip(&["netns", "add", &host.ns])?;
            let port = format!("p{n}");
            self.hosts.push(host);
            let host = &self.hosts[i];
            let h = host.ns.as_str();
            ip(&["-n", h, "link", "set", "lo", "up"])?;
            ip(&[
                "-n", &sw, "link", "add", &port, "type", "veth", "peer", "name", "eth0", "netns", h,
            ])?;
            ip(&["-n", &sw, "link", "set", &port, "master", "br0", "up"])?;
            ip(&[
                "-n",
                h,
                "addr",
                "add",
                &format!("{}/24", host.ip),
                "dev",
                "eth0",
            ])?;
            ip(&[
                "-n",
                h,
                "addr",
                "add",
                &format!("{}/64", host.ip6),
                "dev",
                "eth0",
                "nodad",
            ])?;
            ip(&["-n", h, "link", "set", "eth0", "up"])?;
            // No default route (so 10.88.0.1 is "not on any network"), but
            // the limited broadcast and multicast leave by the card, as
            // they would by a default route.
            ip(&["-n", h, "route", "add", "255.255.255.255/32", "dev", "eth0"])?;
            ip(&["-n", h, "route", "add", "224.0.0.0/4", "dev", "eth0"])?;
        }
        // A veth's carrier comes up a moment after `link set up`; until
        // then IPv6 drops what is sent (IPv4 is more forgiving).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        for host in &self.hosts {
            loop {
                let out = Command::new("ip")
                    .args(["-n", &host.ns, "-o", "link", "show", "eth0"])
                    .output()
                    .map_err(|e| format!("cannot run ip: {e}"))?;
                if String::from_utf8_lossy(&out.stdout).contains("state UP") {
                    break;
                }
                if std::time::Instant::now() > deadline {
                    return Err(format!("{}: eth0 did not come up", host.ns));
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
        Ok(())
    }
}

/// An /etc/hosts for one host, removed when dropped.
pub struct HostsFile(std::path::PathBuf);

impl Drop for HostsFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Classroom {
    /// `ip netns exec` bind-mounts /etc/netns/NAME/hosts over /etc/hosts:
    /// this host's names, without touching the real file.
    pub fn hosts_file(&self, host: &Host, contents: &str) -> HostsFile {
        let dir = std::path::Path::new("/etc/netns").join(&host.ns);
        std::fs::create_dir_all(&dir).expect("/etc/netns/NAME");
        std::fs::write(dir.join("hosts"), contents).expect("hosts");
        HostsFile(dir)
    }
}

impl Drop for Classroom {
    fn drop(&mut self) {
        for host in &self.hosts {
            // Whatever a failed test left running there.
            let _ = Command::new("ip")
                .args(["netns", "pids", &host.ns])
                .output()
                .map(|o| {
                    for pid in String::from_utf8_lossy(&o.stdout).split_whitespace() {
                        let _ = Command::new("kill").args(["-KILL", pid]).status();
                    }
                });
            let _ = ip(&["netns", "del", &host.ns]);
        }
        if !self.switch.is_empty() {
            let _ = ip(&["netns", "del", &self.switch]);
        }
    }
}
