//! Running a scenario: the steps are scheduled at their times (each one's symbolic ids resolved
//! against the world as it is when the step is due), the simulator plays everything out, and
//! every expectation is checked — a step's right after it runs, a state expectation at its time
//! or after quiescence.
//!
//! Steps are queued before the run starts, so a step due at the same instant as service work runs
//! first (it was scheduled first); its call is built only when it is due.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::expect::{StepExpect, When, json_contains};
use super::{CallerRef, Scenario, Step, symbols};
use crate::invariants::{Checker, Sometimes, Violation};
use crate::metrics::{Metrics, MetricsReport};
use crate::model::{AccountId, Region, SimTime, World, WorldBuilder};
use crate::rules::{ApiError, Call, EffectInterest, Operation, RuleId};
use crate::sim::{EventView, Observer, SimConfig, Simulation, Stop};
use crate::timeline::{Origin, Recording, Timeline, text};

/// Timelines longer than this are snapshotted as summaries.
pub const SNAPSHOT_EVENTS: usize = 1_000;

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Full timeline or counts only.
    pub recording: Recording,
    /// Whether to measure the run's metrics (`Report::metrics`): a fuzzer that only wants
    /// violations skips their cost.
    pub metrics: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { seed: None, recording: Recording::Full, metrics: true }
    }
}

/// One expectation that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The line of the step or `[[expect]]`.
    pub line: usize,
    /// What was checked and when.
    pub what: String,
    /// What the scenario expected.
    pub expected: String,
    /// What happened.
    pub found: String,
}

/// Everything a run produced.
pub struct Report {
    /// The scenario's file name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// The seed used.
    pub seed: u64,
    /// The final world.
    pub world: World,
    /// The record.
    pub timeline: Timeline,
    /// How the run stopped.
    pub stop: Stop,
    /// Checks made.
    pub checks: usize,
    /// Checks that failed.
    pub mismatches: Vec<Mismatch>,
    /// Rules that fired (effects, refusals, delay classes, skips) or that the scenario covers.
    pub exercised: BTreeSet<RuleId>,
    /// Invariant violations (also listed among the mismatches).
    pub violations: Vec<Violation>,
    /// How often each "sometimes" situation was reached.
    pub sometimes: BTreeMap<Sometimes, u64>,
    /// Calls, throttles, retries, exposure windows and settle times of the run, when measured
    /// (`RunOptions::metrics`).
    pub metrics: Option<MetricsReport>,
}

impl Report {
    /// Whether every expectation held and the run reached quiescence.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }

    /// Header, timeline and results: what `hubsim run` prints and snapshots pin.
    pub fn render_text(&self) -> String {
        crate::timeline::into_string(|bytes| self.write_text(bytes))
    }

    /// `render_text`, written to `out` as it is rendered.
    pub fn write_text(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        write!(out, "# {}\n# seed {}\n\n", self.title, self.seed)?;
        text::write(&self.timeline, &self.world, out)?;
        writeln!(out)?;
        out.write_all(self.render_results().as_bytes())
    }

    /// What a snapshot pins: the full text for timelines a person can review (up to
    /// `SNAPSHOT_EVENTS` events), the summary by operation and rule for larger ones.
    pub fn render_snapshot(&self) -> String {
        if self.timeline.entries.len() <= SNAPSHOT_EVENTS {
            return self.render_text();
        }
        format!(
            "# {}
# seed {}
# {} events: summary only

{}
{}",
            self.title,
            self.seed,
            self.timeline.entries.len(),
            self.timeline.summary.render(),
            self.render_results()
        )
    }

    /// The results and metrics as one JSON object (`hubsim run --format json`).
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "scenario": self.name,
            "title": self.title,
            "seed": self.seed,
            "stop": self.stop.to_string(),
            "events": self.timeline.summary.events,
            "passed": self.passed(),
            "checks": self.checks,
            "mismatches": self.mismatches.iter().map(|m| serde_json::json!({
                "line": m.line, "what": m.what, "expected": m.expected, "found": m.found,
            })).collect::<Vec<_>>(),
            "metrics": self.metrics,
        })
    }

    /// The results: stop reason, counts, and each mismatch.
    pub fn render_results(&self) -> String {
        let mut out = format!(
            "stop: {}; {} events, simulated {}\n",
            self.stop, self.timeline.summary.events, self.timeline.summary.last_event_at
        );
        if self.mismatches.is_empty() {
            out.push_str(&format!("PASS: {} checks held\n", self.checks));
        } else {
            out.push_str(&format!("FAIL: {} of {} checks failed\n", self.mismatches.len(), self.checks));
            for m in &self.mismatches {
                out.push_str(&format!(
                    "  {}:{}: {}: expected {}, found {}\n",
                    self.name, m.line, m.what, m.expected, m.found
                ));
            }
        }
        out
    }
}

struct Watcher {
    step_results: BTreeMap<usize, Result<Value, ApiError>>,
    /// By `RuleId::index`: whether the rule fired (a flag per rule, set for each of a run's
    /// million effects, where a tree set would search each time).
    exercised: Vec<bool>,
    invariants: Checker,
    metrics: Option<Metrics>,
}

impl Watcher {
    fn exercise(&mut self, rule: RuleId) {
        self.exercised[rule.index()] = true;
    }
}

impl Observer for Watcher {
    /// The checker's and, when on, the metrics' (expectations read results, not effects; the
    /// rules behind effects come from the timeline's counts).
    fn effect_interest(&self) -> EffectInterest {
        let checked = self.invariants.effect_interest();
        match &self.metrics {
            Some(metrics) => checked.union(metrics.effect_interest()),
            None => checked,
        }
    }

    fn at_quiescence(&mut self, world: &World, now: SimTime) {
        self.invariants.at_quiescence(world, now);
    }

    fn after_event(&mut self, world: &World, event: &EventView<'_>) {
        self.invariants.after_event(world, event);
        if let Some(metrics) = &mut self.metrics {
            metrics.after_event(world, event);
        }
        match event.origin {
            Origin::Step { index } | Origin::Retry { index, .. } => {
                self.step_results.insert(index, event.outcome.result.clone());
            }
            Origin::FollowUp { delay, .. } => {
                self.exercise(delay.rule());
            }
        }
        // The rules behind effects are read from the timeline's counts at the end (every effect is
        // counted there by rule): a flag per effect here would repeat that for each of a
        // 10,000-member run's 1.5 million effects.
        match &event.outcome.result {
            Err(error) => {
                self.exercise(error.rule);
            }
            Ok(Value::Object(response)) => {
                for key in ["Rule", "SkippedBy"] {
                    if let Some(rule) = response.get(key).and_then(|v| v.as_str()).and_then(RuleId::parse) {
                        self.exercise(rule);
                    }
                }
            }
            Ok(_) => {}
        }
    }
}

/// A step's call with its symbols resolved. Symbols only ever stand in string-typed ids, and the
/// arguments were checked against the API at load time, so this cannot fail.
fn build_call(step: &Step, world: &World) -> Call {
    let mut args = symbols::resolve(&step.args, world, step.region);
    args.as_object_mut().expect("args are an object").insert("Operation".into(), Value::String(step.operation.clone()));
    let operation: Operation = serde_json::from_value(args).unwrap_or_else(|e| {
        panic!("step {} was validated at load time, yet its arguments no longer parse: {e}", step.index + 1)
    });
    let mut call = match step.caller {
        CallerRef::Aws => Call::by_aws(step.region, operation),
        CallerRef::Account(id) => Call::by(id, step.region, operation),
    };
    call.iam_deny = step.iam_deny;
    call
}

/// Runs a scenario and checks its expectations; the scenario stays as it was (its world is
/// cloned, copy on write).
pub fn run(scenario: &Scenario, options: &RunOptions) -> Report {
    play(scenario, scenario.world.clone(), options)
}

/// `run` for a caller that is done with the scenario: its world is played itself, so the run
/// writes the account-Region states in place instead of copying each chunk it writes (at 10,000
/// accounts in 17 Regions that is 22 MiB less memory to fault in).
pub fn run_owned(mut scenario: Scenario, options: &RunOptions) -> Report {
    let world = std::mem::replace(&mut scenario.world, stand_in_world());
    play(&scenario, world, options)
}

/// What stays in a scenario whose world is being played: an organization of one account in one
/// Region, never read (`play` does not look at `scenario.world`).
fn stand_in_world() -> World {
    let region = Region::parse("us-east-1").expect("a known Region");
    let management = AccountId::parse("111111111111").expect("a valid id");
    WorldBuilder::new(vec![region], management).build().expect("a one-account organization builds")
}

/// Plays `world` through the scenario's steps; `scenario.world` is not read.
fn play(scenario: &Scenario, world: World, options: &RunOptions) -> Report {
    let seed = options.seed.unwrap_or(scenario.config.seed);
    let config = SimConfig { seed, recording: options.recording, ..scenario.config.clone() };
    let metrics = options.metrics.then(|| Metrics::new(&world, true));
    let mut sim = Simulation::new(world, config);
    let mut watcher = Watcher {
        step_results: BTreeMap::new(),
        exercised: vec![false; RuleId::COUNT],
        invariants: Checker::new(),
        metrics,
    };
    for rule in &scenario.covers {
        watcher.exercise(*rule);
    }
    let mut mismatches = Vec::new();
    let mut checks = 0;

    // Every step is queued up front, so steps run before service work due at the same instant;
    // each one's call is built when it is due, against the world as it stands then.
    for step in &scenario.steps {
        sim.schedule_planned(step.at, step.index);
    }
    let steps = scenario.steps.clone();
    sim.set_step_builder(Box::new(move |world, index| build_call(&steps[index], world)));
    let mut times: Vec<SimTime> = scenario
        .expects
        .iter()
        .filter_map(|e| match e.when {
            When::At(t) => Some(t),
            When::End => None,
        })
        .collect();
    times.sort();
    times.dedup();
    let mut stopped = None;
    for t in times {
        stopped = sim.run_until(t, &mut watcher);
        if stopped.is_some() {
            break;
        }
        for expect in scenario.expects.iter().filter(|e| e.when == When::At(t)) {
            check_state(sim.world(), expect, &mut checks, &mut mismatches);
        }
    }
    let stop = match stopped {
        Some(stop) => stop,
        None => sim.run(&mut watcher),
    };
    if stop != Stop::Quiescent {
        mismatches.push(Mismatch {
            line: 1,
            what: "the run".into(),
            expected: "quiescence".into(),
            found: stop.to_string(),
        });
    }
    for expect in scenario.expects.iter().filter(|e| e.when == When::End) {
        check_state(sim.world(), expect, &mut checks, &mut mismatches);
    }
    for step in &scenario.steps {
        if let Some(expect) = &step.expect {
            checks += 1;
            check_step(step, expect, watcher.step_results.get(&step.index), &mut mismatches);
        }
    }
    // Every scenario run is also an invariant check (`invariants`): a violation fails it.
    for violation in &watcher.invariants.violations {
        mismatches.push(Mismatch {
            line: 1,
            what: "invariant".into(),
            expected: "no violation".into(),
            found: violation.to_string(),
        });
    }
    let metrics = watcher.metrics.take().map(|metrics| metrics.report(&sim, stop == Stop::Quiescent));
    let effects_by_rule = &sim.timeline().summary.effects_by_rule;
    let exercised =
        RuleId::all().filter(|rule| watcher.exercised[rule.index()] || effects_by_rule[rule.index()] > 0).collect();
    let violations = watcher.invariants.violations;
    let sometimes = watcher.invariants.sometimes;
    let (world, timeline) = sim.into_parts();
    Report {
        name: scenario.name.clone(),
        title: scenario.title.clone(),
        seed,
        world,
        timeline,
        stop,
        checks,
        mismatches,
        exercised,
        violations,
        sometimes,
        metrics,
    }
}

fn check_step(
    step: &Step,
    expect: &StepExpect,
    result: Option<&Result<Value, ApiError>>,
    mismatches: &mut Vec<Mismatch>,
) {
    let what = match step.each {
        Some(account) => format!("step {} ({} for {account} at {})", step.index + 1, step.operation, step.at),
        None => format!("step {} ({} at {})", step.index + 1, step.operation, step.at),
    };
    let mut fail = |expected: String, found: String| {
        mismatches.push(Mismatch { line: step.line, what: what.clone(), expected, found })
    };
    let Some(result) = result else {
        fail("the step to run".into(), "it never ran (a limit stopped the run first)".into());
        return;
    };
    let found_text = |r: &Result<Value, ApiError>| match r {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("{} [{}]: {}", e.code, e.rule, e.message),
    };
    match (expect, result) {
        (StepExpect::Ok { response, unprocessed }, Ok(value)) => {
            if let Some(wanted) = response
                && !json_contains(value, wanted)
            {
                fail(format!("a response containing {wanted}"), value.to_string());
            }
            if let Some(wanted) = unprocessed {
                let got: Vec<String> = value["UnprocessedAccounts"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|u| u["AccountId"].as_str().map(str::to_string)).collect())
                    .unwrap_or_default();
                if &got != wanted {
                    fail(
                        format!("UnprocessedAccounts {wanted:?}"),
                        format!("{got:?} ({})", value["UnprocessedAccounts"]),
                    );
                }
            }
        }
        (StepExpect::Ok { .. }, Err(_)) => fail("ok".into(), found_text(result)),
        (StepExpect::Error { code, rule }, Err(e)) => {
            if e.code != *code || rule.is_some_and(|r| r != e.rule) {
                let wanted = match rule {
                    Some(r) => format!("{code} [{r}]"),
                    None => code.to_string(),
                };
                fail(wanted, found_text(result));
            }
        }
        (StepExpect::Error { code, .. }, Ok(_)) => fail(code.to_string(), "ok".into()),
    }
}

fn check_state(world: &World, expect: &super::StateExpect, checks: &mut usize, mismatches: &mut Vec<Mismatch>) {
    for check in &expect.checks {
        *checks += 1;
        let found = check.kind.observe(world);
        if found != check.expected {
            let show = |s: &str| if s.is_empty() { "(none)".to_string() } else { s.to_string() };
            mismatches.push(Mismatch {
                line: expect.line,
                what: format!("{} {}", expect.when, check.kind.describe(world)),
                expected: show(&check.expected),
                found: show(&found),
            });
        }
    }
}
