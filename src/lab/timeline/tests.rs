use std::net::SocketAddr;

use super::*;
use crate::lab::session::{Call, Side};
use crate::net::{Family, SimFate};

fn at(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000) + Duration::from_millis(ms)
}

/// A session whose trace holds calls at these milliseconds; every second
/// one a sendto of datagram n.
fn session(times: &[u64]) -> Session {
    let mut s = Session::default();
    let peer: SocketAddr = "127.0.0.1:12345".parse().unwrap();
    for (i, &ms) in times.iter().enumerate() {
        let datagram = i % 2 == 1;
        s.trace.push_back(TraceRow {
            seq: i as u64 + 1,
            at: at(ms),
            side: Side::Client,
            op: 1,
            call: if datagram {
                Call::SendTo {
                    len: 13,
                    to: peer,
                    sim: SimFate::default(),
                }
            } else {
                Call::Socket { family: Family::V4 }
            },
            datagram: datagram.then_some(i as u64),
            script: None,
            stream: None,
            web: false,
        });
    }
    s
}

#[test]
fn pausing_stands_on_the_newest_call_and_counts_what_comes_after() {
    let mut s = session(&[0, 10, 20]);
    let mut c = TimeCursor::default();
    assert!(c.is_live());
    assert_eq!(c.index(&s), None);
    c.pause(&s);
    assert_eq!(c.index(&s), Some(2));
    assert_eq!(c.time(), Some(at(20)));
    let more = session(&[0, 10, 20, 30, 40]);
    s.trace.push_back(more.trace[3].clone());
    s.trace.push_back(more.trace[4].clone());
    assert_eq!(c.new_since(&s), 2);
    assert_eq!(c.index(&s), Some(2), "recording does not move the cursor");
    assert!(c.is_after(&s, 3));
    assert!(!c.is_after(&s, 2));
    c.live();
    assert_eq!(c.new_since(&s), 0);
    assert!(!c.is_after(&s, 4));
}

#[test]
fn steps_move_one_call_and_stop_at_the_ends() {
    let s = session(&[0, 10, 20, 30]);
    let mut c = TimeCursor::default();
    c.go(&s, Move::Back, 0.0);
    assert_eq!(
        c.index(&s),
        Some(2),
        "from live, back is the call before the newest"
    );
    c.go(&s, Move::ToStart, 0.0);
    assert_eq!(c.index(&s), Some(0));
    c.go(&s, Move::Back, 0.0);
    assert_eq!(c.index(&s), Some(0));
    c.go(&s, Move::Forward, 0.0);
    assert_eq!(c.index(&s), Some(1));
    for _ in 0..5 {
        c.go(&s, Move::Forward, 0.0);
    }
    assert_eq!(c.index(&s), Some(3));
    assert!(!c.is_live(), "the end of the recording is not live");
}

#[test]
fn datagram_steps_skip_the_calls_that_move_nothing() {
    let s = session(&[0, 10, 20, 30, 40, 50]);
    let mut c = TimeCursor::default();
    c.go(&s, Move::ToStart, 0.0);
    c.go(&s, Move::NextDatagram, 0.0);
    assert_eq!(c.index(&s), Some(1));
    c.go(&s, Move::NextDatagram, 0.0);
    assert_eq!(c.index(&s), Some(3));
    c.go(&s, Move::PreviousDatagram, 0.0);
    assert_eq!(c.index(&s), Some(1));
    c.go(&s, Move::PreviousDatagram, 0.0);
    assert_eq!(c.index(&s), Some(1), "no datagram before the first");
}

#[test]
fn the_cursor_keeps_its_call_when_rows_are_inserted_before_it_or_dropped() {
    let mut s = session(&[0, 10, 20, 30]);
    let mut c = TimeCursor::default();
    c.go(&s, Move::To(RowRef::of(&s.trace[2])), 0.0);
    assert_eq!(c.index(&s), Some(2));
    // A late report of an older call lands before it.
    let mut late = s.trace[0].clone();
    late.seq = 99;
    late.at = at(5);
    s.trace.insert(1, late);
    assert_eq!(c.index(&s), Some(3));
    assert_eq!(s.trace[3].seq, 3);
    // The bounded trace drops its oldest rows.
    s.trace.pop_front();
    s.trace.pop_front();
    assert_eq!(c.index(&s), Some(1));
    s.trace.pop_front();
    s.trace.pop_front();
    assert_eq!(c.index(&s), Some(0), "its call dropped: the oldest kept");
}

#[test]
fn playback_follows_the_real_gaps_at_each_speed() {
    // Calls 100 ms apart.
    let s = session(&[0, 100, 200, 300]);
    for (speed, step) in [
        (Speed::Quarter, 0.4),
        (Speed::Half, 0.2),
        (Speed::Real, 0.1),
        (Speed::Double, 0.05),
        (Speed::OnePerSecond, 1.0),
    ] {
        let mut c = TimeCursor::default();
        c.play(&s, speed, 10.0);
        assert_eq!(
            c.index(&s),
            Some(0),
            "{speed:?}: play from live starts at the start"
        );
        let wait = c.tick(&s, 10.0).unwrap();
        assert!(
            (wait.as_secs_f64() - step).abs() < 1e-6,
            "{speed:?}: {wait:?}"
        );
        c.tick(&s, 10.0 + step * 0.99);
        assert_eq!(c.index(&s), Some(0), "{speed:?}: not yet");
        c.tick(&s, 10.0 + step);
        assert_eq!(c.index(&s), Some(1), "{speed:?}");
        // Frames late: every call due is stepped over, none more.
        c.tick(&s, 10.0 + step * 2.5);
        assert_eq!(c.index(&s), Some(2), "{speed:?}");
        assert!(c.is_playing());
    }
}

#[test]
fn a_long_idle_gap_plays_short() {
    let s = session(&[0, 600_000]);
    let mut c = TimeCursor::default();
    c.play(&s, Speed::Real, 0.0);
    let wait = c.tick(&s, 0.0).unwrap();
    assert_eq!(wait, MAX_GAP);
}

#[test]
fn playing_at_the_end_waits_for_the_next_call() {
    let mut s = session(&[0, 10]);
    let mut c = TimeCursor::default();
    c.go(&s, Move::ToStart, 0.0);
    c.play(&s, Speed::OnePerSecond, 0.0);
    c.tick(&s, 1.0);
    assert_eq!(c.index(&s), Some(1));
    assert_eq!(c.tick(&s, 5.0), None, "nothing to play: no repaint asked");
    assert!(c.is_playing());
    let more = session(&[0, 10, 20]);
    s.trace.push_back(more.trace[2].clone());
    c.tick(&s, 5.5);
    assert_eq!(
        c.index(&s),
        Some(2),
        "a call that came late is played at once"
    );
}

#[test]
fn play_from_next_starts_with_the_first_call_recorded_after_it() {
    let mut s = session(&[0, 10]);
    let mut c = TimeCursor::default();
    c.play_from_next(&s, Speed::OnePerSecond, 0.0);
    assert_eq!(c.index(&s), Some(1));
    assert_eq!(c.tick(&s, 0.5), None);
    let more = session(&[0, 10, 20, 30]);
    s.trace.push_back(more.trace[2].clone());
    s.trace.push_back(more.trace[3].clone());
    c.tick(&s, 1.0);
    assert_eq!(c.index(&s), Some(2));
    let wait = c.tick(&s, 1.0).unwrap();
    assert_eq!(wait, Duration::from_secs(1));
    c.tick(&s, 2.0);
    assert_eq!(c.index(&s), Some(3));
    assert_eq!(c.progress(2.0), None, "waiting: no dot");
}

#[test]
fn play_from_an_empty_session_starts_with_the_first_call() {
    let mut s = Session::default();
    let mut c = TimeCursor::default();
    c.play_from_next(&s, Speed::OnePerSecond, 0.0);
    assert_eq!(c.index(&s), None);
    assert_eq!(
        c.time(),
        Some(SystemTime::UNIX_EPOCH),
        "nothing has happened"
    );
    s = session(&[0, 10]);
    c.tick(&s, 0.0);
    c.tick(&s, 1.0);
    assert_eq!(c.index(&s), Some(0));
}

#[test]
fn progress_runs_from_one_step_to_the_next() {
    let s = session(&[0, 1000]);
    let mut c = TimeCursor::default();
    c.play(&s, Speed::Real, 0.0);
    assert_eq!(c.progress(0.0), Some(0.0));
    assert_eq!(c.progress(0.5), Some(0.5));
    c.pause(&s);
    assert_eq!(c.progress(0.5), None);
}
