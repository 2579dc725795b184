use super::*;

fn imp(loss: f64, seed: u64) -> Impairments {
    Impairments {
        loss_percent: loss,
        seed,
        ..Impairments::default()
    }
}

#[test]
fn splitmix_matches_the_reference_sequence() {
    // From the reference implementation, seed 1234567.
    let mut r = Rng(1_234_567);
    assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
    assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
    for _ in 0..1000 {
        let u = r.next_f64();
        assert!((0.0..1.0).contains(&u));
    }
}

#[test]
fn all_zero_is_off_and_decides_nothing() {
    let mut s = Simulator::for_client(Impairments {
        seed: 99,
        ..Impairments::default()
    });
    assert!(s.is_off());
    for _ in 0..100 {
        assert!(!s.decide().is_impaired());
    }
}

#[test]
fn extremes_are_exact() {
    let mut all = Simulator::for_client(imp(100.0, 1));
    let mut none = Simulator::for_client(imp(0.0, 1));
    for _ in 0..1000 {
        assert!(all.decide().dropped);
        assert!(!none.decide().dropped);
    }
    let mut dup = Simulator::for_server(Impairments {
        duplicate_percent: 100.0,
        delay_ms: 50,
        ..Impairments::default()
    });
    for _ in 0..100 {
        let f = dup.decide();
        assert!(f.duplicated && !f.dropped);
        assert_eq!(f.delay, Duration::from_millis(50));
    }
}

#[test]
fn jitter_stays_within_its_band() {
    let mut s = Simulator::for_client(Impairments {
        delay_ms: 20,
        jitter_ms: 30,
        ..Impairments::default()
    });
    let delays: Vec<Duration> = (0..2000).map(|_| s.decide().delay).collect();
    assert!(delays.iter().all(|d| *d <= Duration::from_millis(50)));
    // Negative totals clamp to zero; both ends of the band occur.
    assert!(delays.iter().any(|d| d.is_zero()));
    assert!(delays.iter().any(|d| *d > Duration::from_millis(45)));
}

#[test]
fn drop_pattern_depends_on_seed_and_side_only() {
    let pattern = |s: &mut Simulator| (0..500).map(|_| s.decide().dropped).collect::<Vec<_>>();
    let a = pattern(&mut Simulator::for_client(imp(30.0, 7)));
    let b = pattern(&mut Simulator::for_client(Impairments {
        delay_ms: 40,
        jitter_ms: 10,
        duplicate_percent: 50.0,
        ..imp(30.0, 7)
    }));
    assert_eq!(a, b, "other knobs do not change the drops");
    assert_ne!(a, pattern(&mut Simulator::for_client(imp(30.0, 8))));
    assert_ne!(a, pattern(&mut Simulator::for_server(imp(30.0, 7))));
}

#[test]
fn normalizing_clamps_bad_values() {
    let n = Impairments {
        loss_percent: f64::NAN,
        delay_ms: u32::MAX,
        jitter_ms: 5,
        duplicate_percent: 250.0,
        reorder_percent: -3.0,
        seed: 4,
    }
    .normalized();
    assert_eq!(n.loss_percent, 0.0);
    assert_eq!(n.delay_ms, MAX_DELAY_MS);
    assert_eq!(n.duplicate_percent, 100.0);
    assert_eq!(n.reorder_percent, 0.0);
    assert!(!n.is_off());
    // The server rebuilds its simulator only when the knobs change.
    let nan = Impairments {
        loss_percent: f64::NAN,
        ..Impairments::default()
    };
    let s = Simulator::for_server(nan);
    assert!(s.is_off() && s.is_for(&nan) && s.is_for(&Impairments::default()));
    assert!(!s.is_for(&imp(1.0, 0)));
}

#[test]
fn presets_are_recognised_and_perfect_is_off() {
    for p in Preset::ALL {
        let i = p.impairments(42);
        assert_eq!(i.seed, 42);
        assert_eq!(Preset::matching(&i), Some(p));
        assert_eq!(i.is_off(), p == Preset::Perfect);
    }
    assert_eq!(Preset::matching(&imp(33.0, 0)), None);
}

#[test]
fn jobs_come_out_earliest_first_then_in_order() {
    let t = Instant::now();
    let job = |ms: u64, order: u64| Job {
        due: t + Duration::from_millis(ms),
        order,
        socket: Weak::new(),
        bytes: Arc::from(&b""[..]),
        to: SocketAddr::from(([127, 0, 0, 1], 9)),
        copies: 1,
        claim: None,
    };
    let mut heap = BinaryHeap::from(vec![job(30, 1), job(10, 3), job(10, 2), job(20, 4)]);
    let mut out = Vec::new();
    while let Some(j) = heap.pop() {
        out.push(j.order);
    }
    assert_eq!(out, vec![2, 3, 4, 1]);
}
