use super::*;
use crate::app::test_util::{harness, set_text, start_server, wait_for};
use egui_kittest::kittest::Queryable;

#[test]
fn exposure_warning_only_for_addresses_others_can_reach() {
    assert_eq!(
        exposure_warning("0.0.0.0:12345"),
        Some(T::ExposedAllInterfaces)
    );
    assert_eq!(exposure_warning("[::]:1"), Some(T::ExposedAllInterfaces));
    assert_eq!(
        exposure_warning("192.168.1.20:12345"),
        Some(T::ExposedNetwork)
    );
    assert_eq!(exposure_warning("127.0.0.1:12345"), None);
    assert_eq!(exposure_warning("[::1]:0"), None);
    assert_eq!(exposure_warning("localhost:12345"), None);
    assert_eq!(exposure_warning("not an address"), None);
}

#[test]
fn bind_with_ip_keeps_the_port() {
    let v4: IpAddr = "10.0.0.7".parse().expect("literal");
    let v6: IpAddr = "2001:db8::7".parse().expect("literal");
    assert_eq!(bind_with_ip("127.0.0.1:4000", v4), "10.0.0.7:4000");
    assert_eq!(bind_with_ip("127.0.0.1:4000", v6), "[2001:db8::7]:4000");
    assert_eq!(bind_with_ip("garbage", v4), "10.0.0.7:12345");
    assert!(!bindable("fe80::1".parse().expect("literal")));
    assert!(bindable("2001:db8::1".parse().expect("literal")));
}

#[test]
fn the_list_has_loopback_and_matches_the_os() {
    let list = crate::net::local_addresses().expect("interfaces");
    assert!(
        list.iter().any(|a| a.ip == IpAddr::V4(Ipv4Addr::LOCALHOST)),
        "{list:?}"
    );
    // Loopback last: it is no use to a classmate.
    let first_loopback = list.iter().position(|a| a.ip.is_loopback());
    assert!(
        first_loopback.is_some_and(|i| list[i..].iter().all(|a| a.ip.is_loopback())),
        "{list:?}"
    );
}

#[test]
fn this_computer_box_lists_addresses_and_sets_the_bind_address() {
    let mut h = harness();
    h.state_mut().settings.bind = "127.0.0.1:4567".into();
    h.run_steps(2);
    h.get_by_label("This computer").click();
    wait_for(&mut h, "the address list", |app| {
        !app.tools.this_computer.loading && app.tools.this_computer.addresses.is_some()
    });
    h.get_by_label("Copy 127.0.0.1");
    h.get_by_label("Server bind address: 127.0.0.1:4567");
    assert!(
        h.query_all_by_label_contains("other computers")
            .next()
            .is_none(),
        "no warning for loopback"
    );

    // All interfaces: the port stays, the warning shows.
    h.get_by_label("Use 0.0.0.0 as bind address").click();
    h.run_steps(2);
    assert_eq!(h.state().settings.bind, "0.0.0.0:4567");
    h.get_by_label("Server bind address: 0.0.0.0:4567");
    assert!(
        h.get_all_by_label(T::ExposedAllInterfaces.get(crate::app::Lang::En))
            .count()
            >= 1
    );

    h.get_by_label("Copy 127.0.0.1").click();
    h.run_steps(2);
    h.get_by_label("Copied 127.0.0.1");
    let copied = h
        .output()
        .platform_output
        .commands
        .iter()
        .any(|c| matches!(c, egui::OutputCommand::CopyText(t) if t == "127.0.0.1"))
        || h.state().tools.this_computer.copied.as_deref() == Some("127.0.0.1");
    assert!(copied);

    // With the port, as the client's target field takes it.
    h.get_by_label("Copy 127.0.0.1:4567").click();
    h.run_steps(2);
    h.get_by_label("Copied 127.0.0.1:4567");
    assert_eq!(
        h.state().tools.this_computer.copied.as_deref(),
        Some("127.0.0.1:4567")
    );
    if h.query_by_label("Copy [::1]:4567").is_some() {
        h.get_by_label("Copy [::1]:4567").click();
        h.run_steps(2);
        h.get_by_label("Copied [::1]:4567");
    }

    h.get_by_label("Use 127.0.0.1 as bind address").click();
    h.run_steps(2);
    assert_eq!(h.state().settings.bind, "127.0.0.1:4567");
    assert!(
        h.query_all_by_label_contains("other computers")
            .next()
            .is_none()
    );
}

#[test]
fn the_bind_address_cannot_change_while_the_server_runs() {
    let mut h = harness();
    let port = start_server(&mut h);
    h.get_by_label("This computer").click();
    wait_for(&mut h, "the address list", |app| {
        app.tools.this_computer.addresses.is_some()
    });
    let before = h.state().settings.bind.clone();
    h.get_by_label("Use 0.0.0.0 as bind address").click();
    h.run_steps(2);
    assert_eq!(h.state().settings.bind, before);
    h.get_by_label("Stop the server first: the bind address applies when it starts");
    assert!(port > 0);
    // Typed by hand it still warns, in the box.
    h.get_by_label("Stop").click();
    wait_for(&mut h, "the server to stop", |app| {
        app.server.status() == ServerStatus::Stopped
    });
    set_text(&mut h, "Bind address", "0.0.0.0:0");
    assert!(
        h.get_all_by_label(T::ExposedAllInterfaces.get(crate::app::Lang::En))
            .count()
            >= 1
    );
}
