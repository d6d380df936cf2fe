//! The text form of a `MetricsReport`: what `hubsim run --metrics` prints after the results.

use std::fmt::Write;

use super::{Distribution, MetricsReport};
use crate::model::SimTime;

fn duration(ms: u64) -> String {
    compact_duration(ms)
}

/// A duration for reports, to three significant figures or so: `850ms`, `12.3s`, `4m05s`, `2h07m`.
pub fn compact_duration(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1_000.0)
    } else if ms < 3_600_000 {
        format!("{}m{:02}s", ms / 60_000, (ms / 1_000) % 60)
    } else {
        format!("{}h{:02}m", ms / 3_600_000, (ms / 60_000) % 60)
    }
}

impl Distribution {
    /// `p50 … p90 … p99 … max …` (or `none` without samples).
    pub fn render(&self) -> String {
        if self.count == 0 {
            return "none".into();
        }
        format!(
            "{} samples: p50 {}  p90 {}  p99 {}  max {}",
            self.count,
            duration(self.p50_ms),
            duration(self.p90_ms),
            duration(self.p99_ms),
            duration(self.max_ms)
        )
    }
}

impl MetricsReport {
    /// The report as aligned text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "metrics (measured from {}):", SimTime(self.measured_from_ms));
        let _ = writeln!(
            out,
            "  events {}  API calls {}  throttled {}  retries {}  gave up {}  failed calls {}  peak queue {}",
            self.events,
            self.api_calls,
            self.throttled,
            self.client.retries,
            self.client.gave_up,
            self.client.failed,
            self.peak_queue
        );
        if self.setup_failed > 0 {
            let _ = writeln!(out, "  warning: {} calls of the plan's setup failed", self.setup_failed);
        }
        let _ = writeln!(
            out,
            "  time to quiescence {}{}",
            duration(self.time_to_quiescence_ms),
            if self.quiescent { "" } else { " (stopped by a limit with events left)" }
        );
        if self.client.backoff_ms > 0 || self.client.held_back_ms > 0 {
            let _ = writeln!(
                out,
                "  waited in backoff {}  held back by adaptive rate limiting {}",
                duration(self.client.backoff_ms),
                duration(self.client.held_back_ms)
            );
        }
        let e = &self.exposure;
        if e.windows == 0 {
            let _ = writeln!(out, "  exposure windows: none; dropped {}", e.dropped);
        } else {
            let show = |v: Option<u64>| v.map_or_else(|| "never".to_string(), compact_duration);
            let _ = writeln!(
                out,
                "  exposure windows: {}: p50 {}  p90 {}  p99 {}  max {}; still exposed {}, dropped {}",
                e.windows,
                show(e.p50_ms),
                show(e.p90_ms),
                show(e.p99_ms),
                show(e.max_ms),
                e.still_exposed,
                e.dropped
            );
        }
        let _ = writeln!(
            out,
            "  association settle: {}; failed {}, still pending {}",
            self.association.settled.render(),
            self.association.failed,
            self.association.pending
        );
        if !self.operations.is_empty() {
            let _ = writeln!(out, "  calls by operation:");
        }
        for (name, op) in &self.operations {
            let list = |label: &str, counts: &std::collections::BTreeMap<String, u64>| {
                let items: Vec<String> = counts.iter().map(|(code, n)| format!("{code} {n}")).collect();
                if items.is_empty() { String::new() } else { format!("  {label}: {}", items.join(", ")) }
            };
            let _ = writeln!(
                out,
                "    {name:<42} calls {:>6}  ok {:>6}  throttled {:>5}  retries {:>5}{}{}",
                op.calls,
                op.ok,
                op.throttled,
                op.retries,
                list("errors", &op.errors),
                list("unprocessed accounts", &op.unprocessed)
            );
        }
        out
    }
}
