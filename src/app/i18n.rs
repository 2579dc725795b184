//! The window's sentences: the compile-checked table lives in the lab (the
//! CLI prints the same ones) and is used from here; the builders below put
//! a call, a step or the simulator's knobs into words for every view.

pub use crate::lab::i18n::*;
pub use crate::lab::text::encode_error;

use crate::lab::session::{Call, Side};
use crate::net::{Impairments, SimFate};

/// The call as a C programmer writes it, with the result after "→".
pub fn call_text(lang: Lang, call: &Call) -> String {
    let t = |k: T| k.get(lang);
    match call {
        Call::Socket { family } => format!("socket({}, SOCK_DGRAM)", family.af_name()),
        Call::Bind { addr } => format!("bind({addr}) → 0"),
        Call::BindFailed { error } => format!(
            "bind() → {}",
            fill(t(T::TraceError), &[("message", &net_error(lang, error))])
        ),
        Call::RecvFrom {
            buffer,
            read,
            len,
            from,
            truncated,
        } => {
            let got = fill(
                t(one_or_many(*read, T::TraceByteFrom, T::TraceBytesFrom)),
                &[("n", read), ("addr", from)],
            );
            let mut s = format!("recvfrom({buffer}) → {got}");
            if *truncated {
                s.push_str(" — ");
                s.push_str(&fill(t(T::TRUNCATED), &[("read", read), ("len", len)]));
            }
            s
        }
        Call::RecvTimedOut { after, .. } => {
            format!(
                "recvfrom() → {}",
                fill(t(T::TraceTimedOut), &[("secs", &secs(lang, *after))])
            )
        }
        Call::RecvFailed { error, .. } => {
            format!(
                "recvfrom() → {}",
                fill(t(T::TraceError), &[("message", &net_error(lang, error))])
            )
        }
        Call::SendTo { len, to, sim } => {
            let mut s = format!(
                "sendto({}) → {len}",
                fill(
                    t(one_or_many(*len, T::TraceByteTo, T::TraceBytesTo)),
                    &[("n", len), ("addr", to)]
                )
            );
            for note in sim_notes(lang, sim) {
                s.push_str(" — ");
                s.push_str(&note);
            }
            s
        }
        Call::SendFailed { len, to, error } => format!(
            "sendto({}) → {}",
            fill(
                t(one_or_many(*len, T::TraceByteTo, T::TraceBytesTo)),
                &[("n", len), ("addr", to)]
            ),
            fill(t(T::TraceError), &[("message", &net_error(lang, error))])
        ),
        Call::ReplySuppressed { to } => fill(t(T::TraceRateLimited), &[("addr", to)]),
        Call::Close => "close() → 0".to_owned(),
        Call::SetSockOpt { level, name, value } => {
            format!("setsockopt({level}, {name}, {value}) → 0")
        }
        Call::Tcp(c) => tcp_call_text(lang, c),
    }
}

/// What the network simulator did, in words ("dropped by the simulator").
pub fn sim_notes(lang: Lang, sim: &SimFate) -> Vec<String> {
    let mut notes = Vec::new();
    if sim.dropped {
        notes.push(T::SimDropped.get(lang).to_owned());
    }
    if !sim.delay.is_zero() {
        notes.push(fill(
            T::SimDelayed.get(lang),
            &[("ms", &sim.delay.as_millis())],
        ));
    }
    if sim.duplicated {
        notes.push(T::SimDuplicated.get(lang).to_owned());
    }
    if sim.reordered {
        notes.push(T::SimReordered.get(lang).to_owned());
    }
    notes
}

/// "step 7", or "not in the lab" for a call the handout never makes.
pub fn step_text(lang: Lang, step: Option<u8>) -> String {
    match step {
        Some(n) => fill(T::Step.get(lang), &[("n", &n)]),
        None => T::StepNotInLab.get(lang).to_owned(),
    }
}

/// What the handout says at this call's step, or why the lab has no such
/// call.
pub fn step_hint(lang: Lang, side: Side, call: &Call) -> &'static str {
    let key = match (side, call) {
        (side, Call::Tcp(c)) => return tcp_step_hint(lang, side, c),
        (Side::Server, Call::Socket { .. }) => T::StepServerSocket,
        (Side::Server, Call::Bind { .. } | Call::BindFailed { .. }) => T::StepServerBind,
        (
            Side::Server,
            Call::RecvFrom { .. } | Call::RecvTimedOut { .. } | Call::RecvFailed { .. },
        ) => T::StepServerRecv,
        (Side::Server, Call::SendTo { .. } | Call::SendFailed { .. }) => T::StepServerSend,
        (Side::Server, Call::Close) => T::StepServerClose,
        (_, Call::ReplySuppressed { .. }) => T::StepReplySuppressed,
        (Side::Client, Call::Socket { .. }) => T::StepClientSocket,
        (Side::Client, Call::Bind { .. }) => T::StepClientBind,
        (Side::Client, Call::BindFailed { .. }) => T::StepClientNoStart,
        (Side::Client, Call::SendTo { .. } | Call::SendFailed { .. }) => T::StepClientSend,
        (Side::Client, Call::RecvFrom { .. } | Call::RecvFailed { .. }) => T::StepClientRecv,
        (Side::Client, Call::RecvTimedOut { .. }) => T::StepClientTimedOut,
        (Side::Client, Call::Close) => T::StepClientClose,
        (Side::Script(_), _) => T::StepScriptUnknown,
        (_, Call::SetSockOpt { .. }) => T::StepSetSockOpt,
    };
    key.get(lang)
}

/// "1 byte" but "13 bytes" (Russian says "байт" for both).
fn one_or_many(n: usize, one: T, many: T) -> T {
    if n == 1 { one } else { many }
}

/// "30% loss, 50 ms delay, ±10 ms jitter": the knobs that are on.
pub fn describe(lang: Lang, net: &Impairments) -> String {
    let net = net.normalized();
    let t = |k: T| k.get(lang);
    let mut parts = Vec::new();
    if net.loss_percent > 0.0 {
        parts.push(fill(
            t(T::SimOnLoss),
            &[("p", &crate::app::format::percent(net.loss_percent, lang))],
        ));
    }
    if net.delay_ms > 0 {
        parts.push(fill(t(T::SimOnDelay), &[("ms", &net.delay_ms)]));
    }
    if net.jitter_ms > 0 {
        parts.push(fill(t(T::SimOnJitter), &[("ms", &net.jitter_ms)]));
    }
    if net.duplicate_percent > 0.0 {
        parts.push(fill(
            t(T::SimOnDuplicate),
            &[(
                "p",
                &crate::app::format::percent(net.duplicate_percent, lang),
            )],
        ));
    }
    if net.reorder_percent > 0.0 {
        parts.push(fill(
            t(T::SimOnReorder),
            &[("p", &crate::app::format::percent(net.reorder_percent, lang))],
        ));
    }
    parts.join(", ")
}
