//! A sweep as a table (one row per grid point, the spread over seeds as `min–max`) and as CSV (one
//! row per run, durations in milliseconds).

use std::fmt::Write;

use super::{PlanRun, Sweep};
use crate::metrics::compact_duration;

/// A metric a sweep reports and can plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Metric {
    /// API attempts, retries included.
    ApiCalls,
    /// Attempts refused by throttling.
    Throttled,
    /// Retries.
    Retries,
    /// Calls that ended on a retryable error: their work was never done.
    GaveUp,
    /// Accounts batch calls left unprocessed (member limit, suspended, …).
    Unprocessed,
    /// From the start of measuring to the last event.
    TimeToQuiescence,
    /// Exposure window, median.
    ExposureP50,
    /// Exposure window, 90th percentile.
    ExposureP90,
    /// Exposure window, 99th percentile.
    ExposureP99,
    /// Longest exposure window.
    ExposureMax,
    /// Account-Regions never reaching their intended state.
    StillExposed,
    /// Association settle time, 90th percentile.
    SettleP90,
    /// Events processed.
    Events,
}

impl Metric {
    /// Every metric, in column order.
    pub const ALL: [Metric; 13] = [
        Metric::ApiCalls,
        Metric::Throttled,
        Metric::Retries,
        Metric::GaveUp,
        Metric::Unprocessed,
        Metric::TimeToQuiescence,
        Metric::ExposureP50,
        Metric::ExposureP90,
        Metric::ExposureP99,
        Metric::ExposureMax,
        Metric::StillExposed,
        Metric::SettleP90,
        Metric::Events,
    ];

    /// Column header.
    pub fn header(self) -> &'static str {
        match self {
            Metric::ApiCalls => "API calls",
            Metric::Throttled => "throttled",
            Metric::Retries => "retries",
            Metric::GaveUp => "gave up",
            Metric::Unprocessed => "unprocessed",
            Metric::TimeToQuiescence => "to quiescence",
            Metric::ExposureP50 => "exposure p50",
            Metric::ExposureP90 => "exposure p90",
            Metric::ExposureP99 => "exposure p99",
            Metric::ExposureMax => "exposure max",
            Metric::StillExposed => "still exposed",
            Metric::SettleP90 => "settle p90",
            Metric::Events => "events",
        }
    }

    /// CSV column name.
    pub fn column(self) -> &'static str {
        match self {
            Metric::ApiCalls => "api_calls",
            Metric::Throttled => "throttled",
            Metric::Retries => "retries",
            Metric::GaveUp => "gave_up",
            Metric::Unprocessed => "unprocessed_accounts",
            Metric::TimeToQuiescence => "time_to_quiescence_ms",
            Metric::ExposureP50 => "exposure_p50_ms",
            Metric::ExposureP90 => "exposure_p90_ms",
            Metric::ExposureP99 => "exposure_p99_ms",
            Metric::ExposureMax => "exposure_max_ms",
            Metric::StillExposed => "still_exposed",
            Metric::SettleP90 => "settle_p90_ms",
            Metric::Events => "events",
        }
    }

    /// Whether the value is a duration in milliseconds.
    pub fn is_duration(self) -> bool {
        self.column().ends_with("_ms")
    }

    /// The value in one run; `None` where there is none: a distribution without samples, or an
    /// exposure percentile that falls among account-Regions never reached.
    pub fn of(self, run: &PlanRun) -> Option<u64> {
        let m = &run.metrics;
        let exposed = m.exposure.windows > 0;
        match self {
            Metric::ApiCalls => Some(m.api_calls),
            Metric::Throttled => Some(m.throttled),
            Metric::Retries => Some(m.client.retries),
            Metric::GaveUp => Some(m.client.gave_up),
            Metric::Unprocessed => Some(m.operations.values().flat_map(|o| o.unprocessed.values()).sum()),
            Metric::TimeToQuiescence => Some(m.time_to_quiescence_ms),
            Metric::ExposureP50 => m.exposure.p50_ms.filter(|_| exposed),
            Metric::ExposureP90 => m.exposure.p90_ms.filter(|_| exposed),
            Metric::ExposureP99 => m.exposure.p99_ms.filter(|_| exposed),
            Metric::ExposureMax => m.exposure.max_ms.filter(|_| exposed),
            Metric::StillExposed => Some(m.exposure.still_exposed),
            Metric::SettleP90 => (m.association.settled.count > 0).then_some(m.association.settled.p90_ms),
            Metric::Events => Some(m.events),
        }
    }

    /// The value as the table shows it: `never` for an exposure percentile among account-Regions
    /// never reached, `-` where there is nothing to measure, `>` before a time cut short by a
    /// run limit.
    pub fn show(self, run: &PlanRun) -> String {
        match self.of(run) {
            Some(value) if self.is_duration() => {
                let cut = self == Metric::TimeToQuiescence && !run.metrics.quiescent;
                format!("{}{}", if cut { ">" } else { "" }, compact_duration(value))
            }
            Some(value) => value.to_string(),
            None if self.column().starts_with("exposure") && run.metrics.exposure.windows > 0 => "never".into(),
            None => "-".into(),
        }
    }
}

/// The least and the greatest value of a metric over the runs of a grid point (a missing value,
/// such as `never`, counts as the greatest).
fn spread(metric: Metric, runs: &[&PlanRun]) -> String {
    let order = |run: &&&PlanRun| (metric.of(run).is_none(), metric.of(run));
    let (Some(low), Some(high)) = (runs.iter().min_by_key(order), runs.iter().max_by_key(order)) else {
        return "-".into();
    };
    let (low, high) = (metric.show(low), metric.show(high));
    if low == high { low } else { format!("{low}–{high}") }
}

/// The sweep as an aligned table: one row per grid point; a range where seeds disagree.
pub fn render_table(sweep: &Sweep) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec!["regions".to_string(), "members".to_string(), "seeds".to_string()];
    header.extend(Metric::ALL.iter().map(|m| m.header().to_string()));
    rows.push(header);
    for (members, regions) in sweep.points() {
        let runs: Vec<&PlanRun> = sweep.point(members, regions).collect();
        let mut row = vec![regions.to_string(), members.to_string(), runs.len().to_string()];
        row.extend(Metric::ALL.iter().map(|m| spread(*m, &runs)));
        rows.push(row);
    }
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:>w$}", w = *w)).collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
        if i == 0 {
            let _ = writeln!(out, "{}", widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "));
        }
    }
    out
}

/// The sweep as CSV: one row per run; an empty cell where a metric has no value (see
/// `Metric::of`).
pub fn render_csv(sweep: &Sweep) -> String {
    let mut out = String::from("plan,regions,members,seed,");
    out.push_str(&Metric::ALL.iter().map(|m| m.column()).collect::<Vec<_>>().join(","));
    out.push_str(",dropped,settled,settle_failed,peak_queue,quiescent\n");
    for run in &sweep.runs {
        let m = &run.metrics;
        let values: Vec<String> =
            Metric::ALL.iter().map(|metric| metric.of(run).map(|v| v.to_string()).unwrap_or_default()).collect();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            sweep.plan.as_str(),
            run.regions,
            run.members,
            run.seed,
            values.join(","),
            m.exposure.dropped,
            m.association.settled.count,
            m.association.failed,
            m.peak_queue,
            m.quiescent
        );
    }
    out
}
