//! Burst statistics, as `ping` prints them: sent, answered, lost, and RTT
//! min/avg/p99/max. Shared by the client panel and the CLI.

use std::time::Duration;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BurstStats {
    pub sent: u32,
    pub answered: u32,
    /// Requests the network simulator dropped on purpose (counted apart
    /// from what the network lost).
    pub dropped_by_simulator: u32,
    /// Answers that came from another address or port than the one the
    /// request went to (counted among the answered, and shown apart).
    pub from_other_source: u32,
    /// RTT of each answer, in order of arrival.
    pub rtts: Vec<Duration>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RttSummary {
    pub min: Duration,
    pub avg: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl BurstStats {
    /// A request sent; `dropped_by_simulator` when the simulator threw it
    /// away instead.
    pub fn record_sent(&mut self, dropped_by_simulator: bool) {
        self.sent += 1;
        if dropped_by_simulator {
            self.dropped_by_simulator += 1;
        }
    }

    /// An answer and its RTT; `from_other_source` when it came from another
    /// address or port than the request went to.
    pub fn record_answer(&mut self, rtt: Duration, from_other_source: bool) {
        self.answered += 1;
        self.rtts.push(rtt);
        if from_other_source {
            self.from_other_source += 1;
        }
    }

    pub fn lost(&self) -> u32 {
        self.sent.saturating_sub(self.answered)
    }

    /// Lost as a percentage of sent (0 when nothing was sent).
    pub fn loss_percent(&self) -> f64 {
        if self.sent == 0 {
            0.0
        } else {
            100.0 * f64::from(self.lost()) / f64::from(self.sent)
        }
    }

    pub fn rtt(&self) -> Option<RttSummary> {
        let mut sorted = self.rtts.clone();
        sorted.sort_unstable();
        let (min, max) = (*sorted.first()?, *sorted.last()?);
        let total: Duration = sorted.iter().sum();
        let avg = total / u32::try_from(sorted.len()).unwrap_or(u32::MAX);
        // Nearest-rank percentile.
        let rank = ((sorted.len() as f64) * 0.99).ceil() as usize;
        let p99 = sorted[rank.clamp(1, sorted.len()) - 1];
        Some(RttSummary { min, avg, p99, max })
    }

    /// The ping-style summary lines (without the "--- … ---" header).
    pub fn summary_lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "{} sent, {} answered, {}% lost",
            self.sent,
            self.answered,
            fmt_percent(self.loss_percent())
        )];
        if self.dropped_by_simulator > 0 {
            lines[0].push_str(&format!(
                " ({} dropped by the simulator, {} lost by the network)",
                self.dropped_by_simulator,
                self.lost().saturating_sub(self.dropped_by_simulator)
            ));
        }
        if self.from_other_source > 0 {
            lines[0].push_str(&format!(
                "; {} answered from another address or port",
                self.from_other_source
            ));
        }
        if let Some(r) = self.rtt() {
            let ms = |d: Duration| format!("{:.3}", d.as_secs_f64() * 1000.0);
            lines.push(format!(
                "rtt min/avg/p99/max = {}/{}/{}/{} ms",
                ms(r.min),
                ms(r.avg),
                ms(r.p99),
                ms(r.max)
            ));
        }
        lines
    }
}

/// "0", "30", "12.5": no trailing zeros.
pub fn fmt_percent(p: f64) -> String {
    let s = format!("{p:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_like_ping() {
        let mut s = BurstStats::default();
        for ms in [41u64, 63, 250, 180] {
            s.record_sent(false);
            s.record_answer(Duration::from_micros(ms), false);
        }
        s.record_sent(false);
        assert_eq!(s.lost(), 1);
        let r = s.rtt().expect("answers");
        assert_eq!(r.min, Duration::from_micros(41));
        assert_eq!(r.max, Duration::from_micros(250));
        assert_eq!(r.p99, Duration::from_micros(250));
        assert_eq!(
            r.avg,
            Duration::from_micros(133) + Duration::from_nanos(500)
        );
        assert_eq!(
            s.summary_lines(),
            vec![
                "5 sent, 4 answered, 20% lost".to_owned(),
                "rtt min/avg/p99/max = 0.041/0.133/0.250/0.250 ms".to_owned()
            ]
        );
        s.from_other_source = 2;
        assert_eq!(
            s.summary_lines()[0],
            "5 sent, 4 answered, 20% lost; 2 answered from another address or port"
        );
        assert_eq!(
            BurstStats::default().summary_lines(),
            vec!["0 sent, 0 answered, 0% lost".to_owned()]
        );
    }
}
