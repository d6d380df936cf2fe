//! Every behavioural rule of RULES.md is exercised by at least one bundled scenario: cited by an
//! effect or a refusal, by a follow-up's delay class, by a skipped auto-enable, or listed in a
//! scenario's `covers` (rules that forbid or leave state unchanged, shown by its expectations).

use std::collections::BTreeSet;

use hubsim::rules::{RuleId, RuleKind};
use hubsim::scenario::{self, RunOptions};
use hubsim::timeline::Recording;

use crate::scenarios::scenario_files;

#[test]
fn every_behavioural_rule_is_exercised_by_a_scenario() {
    let mut exercised: BTreeSet<RuleId> = BTreeSet::new();
    for path in scenario_files() {
        let scenario = scenario::load(&path).unwrap_or_else(|d| panic!("{d}"));
        let report = scenario::run(&scenario, &RunOptions { recording: Recording::Summary, ..RunOptions::default() });
        exercised.extend(report.exercised);
    }
    let missing: Vec<&str> = RuleId::all()
        .filter(|r| r.info().kind == RuleKind::Behaviour && !exercised.contains(r))
        .map(|r| r.as_str())
        .collect();
    assert!(missing.is_empty(), "{} behavioural rules are exercised by no scenario: {missing:?}", missing.len());
}
