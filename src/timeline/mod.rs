//! The record of a run: every event as an `Entry` (time, actor, Region, call, result, effects with
//! their rule ids) when recording in full, and always a `Summary` of counts.
//!
//! Recording does not change what happens: full and summary-only runs of the same scenario and
//! seed reach the same world. Renderers: `text` (stable, for reading and snapshots), `jsonl`
//! (one JSON object per entry, for tools) and `Summary::render` (counts).

pub mod jsonl;
pub mod text;

use std::collections::BTreeMap;

use crate::model::{SimDuration, SimTime};
use crate::rules::{ApiError, Call, DelayClass, Effect, ErrorCode, Outcome, Response, RuleId};

/// How much a run records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recording {
    /// Every entry, plus the summary.
    Full,
    /// Counts only (what fuzzing uses).
    Summary,
}

/// Why an event happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A scheduled call: step `index` of a scenario or workload.
    Step {
        /// Index of the step.
        index: usize,
    },
    /// A retry of step `index` by its caller (the client's retry mode), after `backoff`.
    Retry {
        /// Index of the step.
        index: usize,
        /// Attempt number (2 for the first retry).
        attempt: u32,
        /// The backoff the caller waited after the previous response.
        backoff: SimDuration,
    },
    /// Follow-up work emitted by an earlier event.
    FollowUp {
        /// Its delay class.
        delay: DelayClass,
        /// When it was scheduled.
        scheduled_at: SimTime,
        /// The event number that emitted it.
        by: u64,
    },
}

/// One recorded event.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Event number (1-based, in execution order).
    pub number: u64,
    /// When it ran.
    pub at: SimTime,
    /// The caller's role at that moment (`management`, `admin`, `member`), if it has one.
    pub role: Option<&'static str>,
    /// The call.
    pub call: Call,
    /// Why it ran.
    pub origin: Origin,
    /// The response or error.
    pub result: Result<Response, ApiError>,
    /// What changed.
    pub effects: Vec<Effect>,
    /// A fault the simulator injected into this event, if any.
    pub injected: Option<&'static str>,
}

impl Entry {
    /// Who called, with its role at that moment: `111111111111 (management)`, `aws`.
    pub fn actor(&self) -> String {
        crate::rules::describe::actor_text(self.call.caller, self.role)
    }
}

/// Counts of one operation's results.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OperationCounts {
    /// Successful calls.
    pub ok: u64,
    /// Failed calls by error code.
    pub errors: BTreeMap<ErrorCode, u64>,
}

/// Counts over a whole run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Events processed.
    pub events: u64,
    /// Calls by operation (or work) name.
    pub operations: BTreeMap<&'static str, OperationCounts>,
    /// Effects by rule, indexed by `RuleId::index`.
    pub effects_by_rule: Vec<u64>,
    /// Time of the last event.
    pub last_event_at: SimTime,
    /// Faults injected.
    pub injected_faults: u64,
    /// Most events waiting in the queue at once.
    pub peak_queue: usize,
}

impl Default for Summary {
    fn default() -> Self {
        Summary {
            events: 0,
            operations: BTreeMap::new(),
            effects_by_rule: vec![0; RuleId::COUNT],
            last_event_at: SimTime::ZERO,
            injected_faults: 0,
            peak_queue: 0,
        }
    }
}

impl Summary {
    /// Counts one event, except a success, which the caller adds with `add_successes` (the
    /// simulator adds a run of successes of one operation at once), and except its effects, which
    /// the engine counts into `effects_by_rule` as it makes them (`rules::apply_scheduling`).
    pub fn count_all_but_success(&mut self, at: SimTime, call: &Call, outcome: &Outcome, injected: bool) {
        self.events += 1;
        self.last_event_at = at;
        self.injected_faults += injected as u64;
        if let Err(e) = &outcome.result {
            *self.operations.entry(call.name()).or_default().errors.entry(e.code).or_default() += 1;
        }
    }

    /// Adds `n` successful calls of `operation`.
    pub fn add_successes(&mut self, operation: &'static str, n: u64) {
        self.operations.entry(operation).or_default().ok += n;
    }

    /// Total effects.
    pub fn effects(&self) -> u64 {
        self.effects_by_rule.iter().sum()
    }

    /// Rules that produced at least one effect, with counts, in catalogue order.
    pub fn rules_fired(&self) -> impl Iterator<Item = (RuleId, u64)> + '_ {
        RuleId::all().map(|r| (r, self.effects_by_rule[r.index()])).filter(|(_, n)| *n > 0)
    }

    /// The summary as text: calls by operation and result, effects by rule, totals.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "events {}  effects {}  simulated duration {}  peak queue {}{}\n",
            self.events,
            self.effects(),
            self.last_event_at,
            self.peak_queue,
            if self.injected_faults > 0 {
                format!("  injected faults {}", self.injected_faults)
            } else {
                String::new()
            }
        ));
        out.push_str("calls by operation:\n");
        for (name, counts) in &self.operations {
            let errors: Vec<String> = counts.errors.iter().map(|(code, n)| format!("{code} {n}")).collect();
            out.push_str(&format!(
                "  {name:<42} ok {:>7}{}\n",
                counts.ok,
                if errors.is_empty() { String::new() } else { format!("  errors: {}", errors.join(", ")) }
            ));
        }
        out.push_str("effects by rule:\n");
        for (rule, n) in self.rules_fired() {
            out.push_str(&format!("  {:<12} {n:>8}  {}\n", rule.as_str(), rule.info().title));
        }
        out
    }
}

/// What a run recorded.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// Full or summary-only.
    pub recording: Recording,
    /// The entries (empty when summary-only).
    pub entries: Vec<Entry>,
    /// Counts.
    pub summary: Summary,
}

impl Timeline {
    /// An empty timeline.
    pub fn new(recording: Recording) -> Timeline {
        Timeline { recording, entries: Vec::new(), summary: Summary::default() }
    }
}

/// Renders `entries` one by one with `render` and writes them to `out` in chunks of about 64 KiB:
/// a 10,000-member run's timeline is a few hundred MiB of text, which is never held whole.
pub(crate) fn write_entries(
    entries: &[Entry],
    out: &mut dyn std::io::Write,
    mut render: impl FnMut(&mut Vec<u8>, &Entry),
) -> std::io::Result<()> {
    const CHUNK: usize = 64 * 1024;
    let mut buffer = Vec::with_capacity(CHUNK + 4096);
    for entry in entries {
        render(&mut buffer, entry);
        if buffer.len() >= CHUNK {
            out.write_all(&buffer)?;
            buffer.clear();
        }
    }
    out.write_all(&buffer)
}

/// What `write` wrote, as a string (the renderers only write UTF-8).
pub(crate) fn into_string(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut bytes = Vec::new();
    write(&mut bytes).expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("the renderers write UTF-8")
}
