//! The classroom network (issue 15) across real separate hosts: network
//! namespaces on one switch (tests/common/netns.rs), UDP Lab's CLI run on
//! each with `ip netns exec`, and UDP Lab's own words asserted. Needs root;
//! without it each test says it was skipped and why (CI fails instead).
//!
//! The servers use the lab's port 12345: each host is a namespace of its
//! own, so nothing else can hold it, and a broadcast or a multicast group
//! needs the same port on every server.

// Test code: a failed step panics and fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/netns.rs"]
mod netns;

use std::io::{BufRead, BufReader, Read};
use std::process::{ChildStdout, Command, Output, Stdio};

use common::{BIN, Running, spawn_reading_first_line};
use netns::{Classroom, Host};

const PORT: u16 = 12345;

/// `udp-lab server ARGS` on `host`; waits until it listens.
fn server(host: &Host, args: &[&str]) -> (Running, BufReader<ChildStdout>) {
    let (child, out, first) = spawn_reading_first_line(
        host.command(BIN)
            .arg("server")
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null()),
    );
    assert!(
        first.starts_with("Server is listening on "),
        "{}: {first:?}",
        host.ns
    );
    (child, out)
}

/// The lab's server on every interface of `host`, answering with its name.
fn named_server(host: &Host, name: &str) -> (Running, BufReader<ChildStdout>) {
    server(
        host,
        &["--bind", &format!("0.0.0.0:{PORT}"), "--reply", name],
    )
}

/// Runs `udp-lab ARGS` on `host` to its end.
fn udp_lab(host: &Host, args: &[&str]) -> Output {
    host.command(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("udp-lab runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The responder addresses of "Response from ADDR in …" lines, sorted.
fn responders(stdout: &str) -> Vec<String> {
    let mut from: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Response from "))
        .filter_map(|l| l.split_once(" in ").map(|(a, _)| a.to_owned()))
        .collect();
    from.sort();
    from
}

#[test]
fn broadcast_is_answered_by_servers_on_two_hosts() {
    let Some(room) = Classroom::new("broadcast_is_answered_by_servers_on_two_hosts", 3) else {
        return;
    };
    let [client, a, b] = &room.hosts[..] else {
        unreachable!()
    };
    let _a = named_server(a, "Hello from A");
    let _b = named_server(b, "Hello from B");
    // The subnet's broadcast address and the limited broadcast (the CLI's
    // default with --broadcast).
    for to in [
        vec!["--to".to_owned(), format!("10.213.0.255:{PORT}")],
        vec![],
    ] {
        let mut args = vec!["client", "--broadcast", "--timeout", "1"];
        args.extend(to.iter().map(String::as_str));
        let out = udp_lab(client, &args);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert_eq!(
            responders(&stdout),
            [format!("{}:{PORT}", a.ip), format!("{}:{PORT}", b.ip)],
            "{stdout}"
        );
        assert!(stdout.contains(": Hello from A\n"), "{stdout}");
        assert!(stdout.contains(": Hello from B\n"), "{stdout}");
        assert!(stdout.ends_with("Servers that answered: 2\n"), "{stdout}");
        assert!(
            text(&out.stderr).contains("setsockopt(SOL_SOCKET, SO_BROADCAST, 1)"),
            "{out:?}"
        );
    }
    // Without the switch the OS refuses, and UDP Lab says what to do.
    let out = udp_lab(client, &["client", "--to", &format!("10.213.0.255:{PORT}")]);
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr),
        "udp-lab: 10.213.0.255 is a broadcast address: turn Broadcast on (SO_BROADCAST; \
         --broadcast on the command line) to send to it\n"
    );
}

#[test]
fn a_multicast_group_is_answered_by_its_members_only() {
    let Some(room) = Classroom::new("a_multicast_group_is_answered_by_its_members_only", 4) else {
        return;
    };
    let [client, m1, m2, outsider] = &room.hosts[..] else {
        unreachable!()
    };
    let join = |host: &Host, name: &str| {
        let (child, mut out) = server(
            host,
            &[
                "--bind",
                &format!("0.0.0.0:{PORT}"),
                "--reply",
                name,
                "--join",
                "239.1.2.3",
                "--interface",
                &host.ip,
            ],
        );
        let mut line = String::new();
        out.read_line(&mut line).expect("the join is printed");
        assert_eq!(
            line,
            format!(
                "setsockopt(IPPROTO_IP, IP_ADD_MEMBERSHIP, {{239.1.2.3, {}}})\n",
                host.ip
            )
        );
        (child, out)
    };
    let (m1_child, mut m1_out) = join(m1, "member 1");
    let _m2 = join(m2, "member 2");
    let _outsider = named_server(outsider, "not a member");
    let out = udp_lab(
        client,
        &[
            "client",
            "--to",
            &format!("239.1.2.3:{PORT}"),
            "--ttl",
            "1",
            "--timeout",
            "1",
        ],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        responders(&stdout),
        [format!("{}:{PORT}", m1.ip), format!("{}:{PORT}", m2.ip)],
        "{stdout}"
    );
    assert!(!stdout.contains("not a member"), "{stdout}");
    assert!(stdout.ends_with("Servers that answered: 2\n"), "{stdout}");
    assert!(
        text(&out.stderr).contains("setsockopt(IPPROTO_IP, IP_MULTICAST_TTL, 1)"),
        "{out:?}"
    );
    // Stopping leaves the group, and says so.
    let status = Command::new("kill")
        .args(["-TERM", &m1_child.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let mut rest = String::new();
    m1_out
        .read_to_string(&mut rest)
        .expect("the server's last lines");
    assert!(
        rest.contains(&format!(
            "setsockopt(IPPROTO_IP, IP_DROP_MEMBERSHIP, {{239.1.2.3, {}}})",
            m1.ip
        )),
        "{rest}"
    );
    drop(m1_child);
}

#[test]
fn an_ipv6_group_is_answered_by_its_member_only() {
    let Some(room) = Classroom::new("an_ipv6_group_is_answered_by_its_member_only", 3) else {
        return;
    };
    let [client, member, outsider] = &room.hosts[..] else {
        unreachable!()
    };
    let (_member, mut out) = server(
        member,
        &[
            "--bind",
            &format!("[::]:{PORT}"),
            "--reply",
            "member",
            "--join",
            "ff05::1:3",
            "--interface",
            &member.ip6,
        ],
    );
    let mut line = String::new();
    out.read_line(&mut line).expect("the join is printed");
    assert!(
        line.starts_with("setsockopt(IPPROTO_IPV6, IPV6_JOIN_GROUP, {ff05::1:3, "),
        "{line}"
    );
    let _outsider = server(outsider, &["--bind", &format!("[::]:{PORT}")]);
    let out = udp_lab(
        client,
        &[
            "client",
            "--to",
            &format!("[ff05::1:3]:{PORT}"),
            "--ttl",
            "1",
            "--timeout",
            "1",
        ],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        responders(&stdout),
        [format!("[{}]:{PORT}", member.ip6)],
        "{stdout}"
    );
    assert!(stdout.ends_with("Servers that answered: 1\n"), "{stdout}");
}

#[test]
fn find_lists_exactly_the_hosts_that_run_a_server() {
    let Some(room) = Classroom::new("find_lists_exactly_the_hosts_that_run_a_server", 4) else {
        return;
    };
    let [finder, teacher, _idle, student] = &room.hosts[..] else {
        unreachable!()
    };
    let _t = named_server(teacher, "teacher");
    let _s = named_server(student, "student");
    let out = udp_lab(
        finder,
        &["find", "--port", &PORT.to_string(), "--timeout", "1"],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("Servers that answered on port 12345: 2"));
    let mut rows: Vec<(String, String)> = lines
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 3, "{l:?}");
            assert!(cols[1].ends_with(" ms"), "{l:?}");
            (cols[0].to_owned(), cols[2].to_owned())
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            (format!("{}:{PORT}", teacher.ip), "teacher".to_owned()),
            (format!("{}:{PORT}", student.ip), "student".to_owned()),
        ]
    );
    // Nobody: said, with what was asked, and exit code 1.
    let out = udp_lab(finder, &["find", "--port", "12346", "--timeout", "0.3"]);
    assert_eq!(out.status.code(), Some(1));
    // The IPv4 broadcast first, then the IPv6 all-nodes group.
    let said = text(&out.stderr);
    assert!(
        said.starts_with(
            "udp-lab: No server answered on port 12346 within 0.3 s (asked 10.213.0.255:12346, [ff02::1%"
        ),
        "{said}"
    );
}

#[test]
fn find_asks_the_ipv6_all_nodes_group_too() {
    let Some(room) = Classroom::new("find_asks_the_ipv6_all_nodes_group_too", 3) else {
        return;
    };
    let [finder, v6_teacher, _idle] = &room.hosts[..] else {
        unreachable!()
    };
    let _t = server(
        v6_teacher,
        &["--bind", &format!("[::]:{PORT}"), "--reply", "six"],
    );
    let out = udp_lab(
        finder,
        &["find", "--port", &PORT.to_string(), "--timeout", "1"],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    // The dual-stack server answers the IPv4 broadcast and the all-nodes
    // group: a row for each family, both its answer.
    assert!(
        rows.iter()
            .any(|r| r[0] == format!("{}:{PORT}", v6_teacher.ip) && r[2] == "six"),
        "{stdout}"
    );
    assert!(
        rows.iter().any(|r| r[0].starts_with('[') && r[2] == "six"),
        "no IPv6 row: {stdout}"
    );
    // Nobody on another port: both families were asked.
    let out = udp_lab(finder, &["find", "--port", "12346", "--timeout", "0.3"]);
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stderr);
    assert!(
        said.contains("10.213.0.255:12346") && said.contains("[ff02::1%"),
        "{said}"
    );
}

#[test]
fn a_server_bound_to_loopback_is_not_reachable_by_its_lan_address() {
    let Some(room) = Classroom::new(
        "a_server_bound_to_loopback_is_not_reachable_by_its_lan_address",
        2,
    ) else {
        return;
    };
    let [client, host] = &room.hosts[..] else {
        unreachable!()
    };
    let _server = server(host, &["--bind", &format!("127.0.0.1:{PORT}")]);
    // It runs: on its own computer it answers.
    let out = udp_lab(host, &["client", "--to", &format!("127.0.0.1:{PORT}")]);
    assert_eq!(text(&out.stdout), "Response from server: Hello, client\n");
    let out = udp_lab(client, &["client", "--to", &format!("{}:{PORT}", host.ip)]);
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr),
        format!(
            "udp-lab: Nothing is listening at {}:{PORT} (ICMP port unreachable)\n",
            host.ip
        )
    );
    // And over IPv6: ICMPv6 port unreachable.
    let out = udp_lab(
        client,
        &["client", "--to", &format!("[{}]:{PORT}", host.ip6)],
    );
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr),
        format!(
            "udp-lab: Nothing is listening at [{}]:{PORT} (ICMP port unreachable)\n",
            host.ip6
        )
    );
}

#[test]
fn a_computer_that_is_off_is_named() {
    let Some(room) = Classroom::new("a_computer_that_is_off_is_named", 1) else {
        return;
    };
    // Nobody has .99: the kernel's ARP asks three times, a second apart,
    // then reports "host unreachable" to the socket; the timeout outlasts it.
    let out = udp_lab(
        &room.hosts[0],
        &[
            "client",
            "--to",
            &format!("10.213.0.99:{PORT}"),
            "--timeout",
            "10",
        ],
    );
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr),
        "udp-lab: No computer answered at 10.213.0.99: it may be off, or the address is wrong\n"
    );
}

#[test]
fn an_address_on_no_connected_network_is_named() {
    let Some(room) = Classroom::new("an_address_on_no_connected_network_is_named", 1) else {
        return;
    };
    let out = udp_lab(&room.hosts[0], &["client", "--to", "10.88.0.1:12345"]);
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr),
        "udp-lab: 10.88.0.1 is not on any network this computer is connected to\n"
    );
}

/// An nftables rule on `host` for UDP to the lab's port.
fn firewall(host: &Host, verdict: &str) {
    host.run(
        "nft",
        &[&format!(
            "add table inet u15lab; \
             add chain inet u15lab input {{ type filter hook input priority 0; policy accept; }}; \
             add rule inet u15lab input udp dport {PORT} {verdict}"
        )],
    );
}

fn have_nft(test: &str) -> bool {
    common::have("nft") || {
        let _ = netns::skip(test, "nft (nftables) is not installed");
        false
    }
}

#[test]
fn a_firewall_that_rejects_is_named() {
    let test = "a_firewall_that_rejects_is_named";
    if !have_nft(test) {
        return;
    }
    let Some(room) = Classroom::new(test, 2) else {
        return;
    };
    let [client, host] = &room.hosts[..] else {
        unreachable!()
    };
    let _server = named_server(host, "behind a firewall");
    firewall(host, "reject with icmpx type admin-prohibited");
    let out = udp_lab(client, &["client", "--to", &format!("{}:{PORT}", host.ip)]);
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr),
        format!(
            "udp-lab: A firewall on the way refused the datagram to {}:{PORT} (ICMP administratively prohibited)\n",
            host.ip
        )
    );
    // The same over IPv6 (ICMPv6 type 1 code 1, read through IPV6_RECVERR).
    let _server6 = server(host, &["--bind", &format!("[{}]:{PORT}", host.ip6)]);
    let out = udp_lab(
        client,
        &["client", "--to", &format!("[{}]:{PORT}", host.ip6)],
    );
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr),
        format!(
            "udp-lab: A firewall on the way refused the datagram to [{}]:{PORT} (ICMP administratively prohibited)\n",
            host.ip6
        )
    );
}

#[test]
fn a_firewall_that_drops_gets_the_silent_message() {
    let test = "a_firewall_that_drops_gets_the_silent_message";
    if !have_nft(test) {
        return;
    }
    let Some(room) = Classroom::new(test, 2) else {
        return;
    };
    let [client, host] = &room.hosts[..] else {
        unreachable!()
    };
    let _server = named_server(host, "behind a firewall");
    firewall(host, "drop");
    let out = udp_lab(
        client,
        &[
            "client",
            "--to",
            &format!("{}:{PORT}", host.ip),
            "--timeout",
            "0.5",
        ],
    );
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr),
        "udp-lab: No server answered within 0.5 s: no answer and no error. The server may be \
         stopped, or a firewall drops UDP silently — on Windows allow UDP port 12345 in Windows \
         Defender Firewall; on Linux check ufw/nft\n"
    );
}

/// Not across hosts, and without root: a port held by a Python program is
/// named with the program and its pid (Linux reads them from /proc).
#[test]
fn a_port_held_by_python3_names_it() {
    if !common::have("python3") {
        let _ = netns::skip(
            "a_port_held_by_python3_names_it",
            "python3 is not installed",
        );
        return;
    }
    let (python, _out, line) = spawn_reading_first_line(
        Command::new("python3")
            .args([
                "-c",
                "import socket, sys\n\
                 s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
                 s.bind(('127.0.0.1', 0))\n\
                 print(s.getsockname()[1])\n\
                 sys.stdout.flush()\n\
                 sys.stdin.read()\n",
            ])
            .stdin(Stdio::piped()),
    );
    let port: u16 = line.trim().parse().expect("python3 printed its port");
    let pid = python.0.id();
    let out = Command::new(BIN)
        .args(["server", "--bind", &format!("127.0.0.1:{port}")])
        .output()
        .expect("udp-lab runs");
    assert!(!out.status.success());
    if cfg!(target_os = "linux") {
        // "python3", or the versioned binary a wrapper (pyenv) runs.
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).expect("comm");
        assert!(name.starts_with("python"), "{name}");
        assert_eq!(
            text(&out.stderr),
            format!(
                "udp-lab: Port {port} is already in use by {} (pid {pid})\n",
                name.trim()
            )
        );
    } else {
        assert_eq!(
            text(&out.stderr),
            format!("udp-lab: Port {port} is already in use\n")
        );
    }
}

/// A Windows classroom's Python 2.7 sends CP1251: a server set to CP1251
/// prints it right; one left at UTF-8 shows the bytes, not mojibake.
#[test]
fn cyrillic_in_cp1251_reads_right_only_where_cp1251_is_set() {
    let (_cp1251, mut cp1251_out, port) = common::cli_server(&["--encoding", "cp1251"]);
    let out = Command::new(BIN)
        .args([
            "client",
            "--to",
            &format!("127.0.0.1:{port}"),
            "--encoding",
            "cp1251",
            "Привет, сервер",
        ])
        .output()
        .expect("client runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(text(&out.stdout), "Response from server: Hello, client\n");
    let mut line = String::new();
    cp1251_out.read_line(&mut line).expect("the message");
    assert_eq!(line, "Message from client: Привет, сервер\n");

    let (_utf8, mut utf8_out, port) = common::cli_server(&[]);
    let out = Command::new(BIN)
        .args([
            "client",
            "--to",
            &format!("127.0.0.1:{port}"),
            "--encoding",
            "cp1251",
            "Привет",
        ])
        .output()
        .expect("client runs");
    assert!(out.status.success(), "{out:?}");
    let mut line = String::new();
    utf8_out.read_line(&mut line).expect("the message");
    assert_eq!(
        line,
        "Message from client: \u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}   [cf f0 e8 e2 e5 f2]\n"
    );
    // What CP1251 cannot hold is refused before anything is sent.
    let out = Command::new(BIN)
        .args([
            "client",
            "--to",
            &format!("127.0.0.1:{port}"),
            "--encoding",
            "cp1251",
            "✓",
        ])
        .output()
        .expect("client runs");
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr),
        "udp-lab: \"✓\" cannot be written in CP1251: choose UTF-8 or remove it\n"
    );
}

/// "localhost" is 127.0.0.1 and ::1: a server on ::1 is still found, and
/// the client says which one answered. On a host whose /etc/hosts names
/// both (`ip netns exec` reads /etc/netns/NAME/hosts in its place).
#[test]
fn localhost_tries_the_other_family_and_says_which_answered() {
    let test = "localhost_tries_the_other_family_and_says_which_answered";
    let Some(room) = Classroom::new(test, 1) else {
        return;
    };
    let host = &room.hosts[0];
    let _hosts = room.hosts_file(host, "127.0.0.1 localhost\n::1 localhost\n");
    let (_server, _out) = server(host, &["--bind", &format!("[::1]:{PORT}")]);
    let out = udp_lab(host, &["client", "--to", &format!("localhost:{PORT}")]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(text(&out.stdout), "Response from server: Hello, client\n");
    assert_eq!(
        text(&out.stderr),
        format!(
            "  (Nothing listens on 127.0.0.1:{PORT}; the name also means [::1]:{PORT}, which answered)\n"
        )
    );
}
