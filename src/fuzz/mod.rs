//! Fuzzing: seeded random lifecycles of organizations of up to `--members` accounts, run in
//! parallel over seeds with every invariant checked after every event; each failure is shrunk to
//! a minimal scenario file that replays it. Every written file is checked to replay — the shrinker
//! kept only candidates it had written, loaded back and seen fail, and checks the unshrunk run's
//! file when it kept none — and one that does not is reported as a fuzzer bug with the failure,
//! never silently.
//!
//! Results are collected in seed order and the report holds no wall-clock figure, so it is
//! byte-identical for any `--jobs`. `--shard I/N` takes the seeds `s` with `s % N == I`, and
//! `merge` adds shard reports up to the report one machine would have produced. A panic inside a
//! run becomes a failure that carries its seed.

mod generate;
mod shrink;
mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use generate::{Shape, TEMPLATES, shape};

use crate::invariants::{Invariant, Sometimes};
use crate::model::World;
use crate::rules::{RuleId, RuleKind};
use crate::scenario::{self, RunOptions, Scenario};
use crate::sim::{SimConfig, rng};
use crate::timeline::Recording;

/// A validated campaign.
#[derive(Clone, Debug)]
pub struct FuzzConfig {
    /// First seed (inclusive).
    pub seeds_start: u64,
    /// Last seed (exclusive).
    pub seeds_end: u64,
    /// Members per organization.
    pub members: usize,
    /// Calls per run.
    pub steps: usize,
    /// `(I, N)`: run only seeds with `seed % N == I`.
    pub shard: (u64, u64),
    /// Where shrunk scenarios go (`None`: do not shrink or write).
    pub out: Option<PathBuf>,
    /// Candidate runs the shrinker may spend per failure.
    pub shrink_budget: usize,
    /// The command line, for the header of written scenarios.
    pub command: String,
}

/// One failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The seed.
    pub seed: u64,
    /// The invariant (or `panic`).
    pub invariant: String,
    /// What happened.
    pub detail: String,
    /// The shrunk scenario file, if one was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// Steps left after shrinking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shrunk_steps: Option<usize>,
    /// Set, as the line the report prints, when the shrunk scenario could not be written (a disk or
    /// permission problem), or was written but does not replay the failure (it does not load, or
    /// runs without breaking the invariant: a bug of the fuzzer). Never left silent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario_problem: Option<String>,
}

/// What a campaign (or a merge of shard campaigns) found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FuzzReport {
    /// Runs.
    pub runs: u64,
    /// Events processed.
    pub events: u64,
    /// Violations by invariant (counting each invariant once per run).
    pub violations: BTreeMap<String, u64>,
    /// Every failure, in seed order.
    pub failures: Vec<Failure>,
    /// API error codes by operation.
    pub errors_by_operation: BTreeMap<String, BTreeMap<String, u64>>,
    /// Effects by rule id.
    pub rules_fired: BTreeMap<String, u64>,
    /// Sometimes-properties and how often they were reached.
    pub sometimes: BTreeMap<String, u64>,
    /// The campaign was interrupted (Ctrl-C); the runs that finished are reported.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

impl FuzzReport {
    /// Adds another report (a shard's, or one run's).
    pub fn merge(&mut self, other: FuzzReport) {
        self.runs += other.runs;
        self.interrupted |= other.interrupted;
        self.events += other.events;
        for (k, v) in other.violations {
            *self.violations.entry(k).or_default() += v;
        }
        self.failures.extend(other.failures);
        self.failures.sort_by(|a, b| (a.seed, &a.invariant).cmp(&(b.seed, &b.invariant)));
        for (op, codes) in other.errors_by_operation {
            let slot = self.errors_by_operation.entry(op).or_default();
            for (code, n) in codes {
                *slot.entry(code).or_default() += n;
            }
        }
        for (k, v) in other.rules_fired {
            *self.rules_fired.entry(k).or_default() += v;
        }
        for (k, v) in other.sometimes {
            *self.sometimes.entry(k).or_default() += v;
        }
    }

    /// Behavioural rules that never fired.
    pub fn rules_never_fired(&self) -> Vec<&'static str> {
        RuleId::all()
            .filter(|r| r.info().kind == RuleKind::Behaviour && !self.rules_fired.contains_key(r.as_str()))
            .map(|r| r.as_str())
            .collect()
    }

    /// Sometimes-properties never reached.
    pub fn sometimes_never(&self) -> Vec<&'static str> {
        Sometimes::ALL.iter().map(|s| s.name()).filter(|n| !self.sometimes.contains_key(*n)).collect()
    }

    /// The report as text.
    pub fn render(&self) -> String {
        let mut out = format!(
            "runs {}  events {}{}\n",
            self.runs,
            self.events,
            if self.interrupted { "  (interrupted)" } else { "" }
        );
        if self.failures.is_empty() {
            out.push_str("violations: none\n");
        } else {
            out.push_str("violations by invariant:\n");
            for (name, n) in &self.violations {
                out.push_str(&format!("  {name:<36} {n}\n"));
            }
            out.push_str("failures:\n");
            for f in &self.failures {
                out.push_str(&format!("  seed {}: {}: {}\n", f.seed, f.invariant, f.detail));
                if let Some(path) = &f.scenario {
                    out.push_str(&format!(
                        "    shrunk to {} steps: {path}  (replay: hubsim run {path})\n",
                        f.shrunk_steps.unwrap_or(0)
                    ));
                }
                if let Some(problem) = &f.scenario_problem {
                    out.push_str(&format!("    {problem}\n"));
                }
            }
        }
        out.push_str("sometimes reached:\n");
        for s in Sometimes::ALL {
            out.push_str(&format!("  {:<44} {}\n", s.name(), self.sometimes.get(s.name()).copied().unwrap_or(0)));
        }
        let never = self.rules_never_fired();
        out.push_str(&format!(
            "rules fired: {} of {} behavioural rules; never fired: {}\n",
            RuleId::all().filter(|r| r.info().kind == RuleKind::Behaviour).count() - never.len(),
            RuleId::all().filter(|r| r.info().kind == RuleKind::Behaviour).count(),
            never.join(" ")
        ));
        out.push_str("errors by operation:\n");
        for (op, codes) in &self.errors_by_operation {
            let list: Vec<String> = codes.iter().map(|(c, n)| format!("{c} {n}")).collect();
            out.push_str(&format!("  {op:<42} {}\n", list.join(", ")));
        }
        out
    }
}

/// The seeds this shard runs, in order.
pub fn seeds(config: &FuzzConfig) -> Vec<u64> {
    let (index, count) = config.shard;
    (config.seeds_start..config.seeds_end).filter(|s| s % count == index).collect()
}

/// Runs one seed against a prebuilt world of its template.
pub fn run_seed(config: &FuzzConfig, worlds: &[(Shape, World)], seed: u64) -> FuzzReport {
    let (shape, world) = &worlds[(seed as usize) % worlds.len()];
    let mut workload_rng = rng::stream(seed, rng::Concern::Workload);
    let steps = generate::workload(shape, &mut workload_rng, config.steps);
    let scenario = Scenario {
        name: format!("fuzz seed {seed}"),
        title: format!("fuzz seed {seed}"),
        about: None,
        world: world.clone(),
        admin_alias: None,
        config: SimConfig { seed, ..SimConfig::default() },
        steps: steps.clone(),
        expects: Vec::new(),
        covers: Vec::new(),
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        scenario::run(&scenario, &RunOptions { recording: Recording::Summary, seed: None, metrics: false })
    }));
    let mut report = FuzzReport { runs: 1, ..FuzzReport::default() };
    let run = match outcome {
        Ok(run) => run,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            report.failures.push(Failure {
                seed,
                invariant: "panic".into(),
                detail: message,
                scenario: None,
                shrunk_steps: None,
                scenario_problem: None,
            });
            *report.violations.entry("panic".into()).or_default() += 1;
            return report;
        }
    };
    let summary = &run.timeline.summary;
    report.events = summary.events;
    for (op, counts) in &summary.operations {
        for (code, n) in &counts.errors {
            *report
                .errors_by_operation
                .entry(op.to_string())
                .or_default()
                .entry(code.name().to_string())
                .or_default() += n;
        }
    }
    for (rule, n) in summary.rules_fired() {
        report.rules_fired.insert(rule.as_str().to_string(), n);
    }
    // Refusals, delay classes and skips exercise rules too; count them once per run.
    for rule in &run.exercised {
        report.rules_fired.entry(rule.as_str().to_string()).or_insert(1);
    }
    for (s, n) in &run.sometimes {
        report.sometimes.insert(s.name().to_string(), *n);
    }
    let mut seen = BTreeSet::new();
    for violation in &run.violations {
        if !seen.insert(violation.invariant) {
            continue;
        }
        *report.violations.entry(violation.invariant.name().to_string()).or_default() += 1;
        let detail = violation.to_string();
        let mut failure = Failure {
            seed,
            invariant: violation.invariant.name().to_string(),
            detail: detail.clone(),
            scenario: None,
            shrunk_steps: None,
            scenario_problem: None,
        };
        if let Some(dir) = &config.out {
            let provenance = write::Provenance {
                invariant: violation.invariant.name(),
                detail: &detail,
                seed,
                command: &config.command,
            };
            let shrunk = shrink::shrink(shape, &steps, seed, violation.invariant, &provenance, config.shrink_budget);
            // The text the shrinker checked (`shrunk.replays`) is the text written.
            let text = write::scenario_text(&shrunk.shape, &shrunk.steps, seed, &provenance);
            let path = dir.join(format!("seed-{seed}-{}.toml", violation.invariant.name()));
            match std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&path, text)) {
                Ok(()) => {
                    failure.scenario = Some(path.display().to_string());
                    failure.shrunk_steps = Some(shrunk.steps.len());
                    failure.scenario_problem = shrunk
                        .replays
                        .err()
                        .map(|why| format!("FUZZER BUG: the shrunk scenario does not replay the failure: {why}"));
                }
                Err(e) => {
                    failure.scenario_problem =
                        Some(format!("could not write the shrunk scenario to {}: {e}", path.display()))
                }
            }
        }
        report.failures.push(failure);
    }
    report
}

/// Runs the campaign on the current rayon pool; results are merged in seed order. Seeds not yet
/// started when `stop` is set are skipped, and the report says it was interrupted.
pub fn campaign(config: &FuzzConfig, progress: &(dyn Fn(u64) + Sync), stop: &AtomicBool) -> FuzzReport {
    let worlds: Vec<(Shape, World)> = (0..TEMPLATES)
        .map(|t| {
            let shape = generate::shape(t, config.members);
            let world = shape.build();
            (shape, world)
        })
        .collect();
    let seeds = seeds(config);
    let runs: Vec<Option<FuzzReport>> = seeds
        .par_iter()
        .map(|seed| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let report = run_seed(config, &worlds, *seed);
            progress(report.events);
            Some(report)
        })
        .collect();
    let mut total = FuzzReport { interrupted: runs.iter().any(Option::is_none), ..FuzzReport::default() };
    let runs = runs.into_iter().flatten();
    for run in runs {
        total.merge(run);
    }
    total
}

/// Whether an invariant name is known (for `merge` validation and tests).
pub fn known_invariant(name: &str) -> bool {
    name == "panic" || Invariant::parse(name).is_some()
}
