//! Shrinking: a failing run is reduced while it still breaks the same invariant — first its
//! steps (halves, quarters, … then one at a time), then its organization (each OU keeps only the
//! accounts the steps name) — and every candidate is checked by writing it as a scenario file,
//! loading it back and running it, so what comes out is known to replay.
//!
//! Dropping steps can drop the step that creates a policy or invites an account that a later step
//! names by symbol (`policy:p1`, `handshake:ACCOUNT`); such a candidate would not load. So each
//! candidate's dangling symbols are grounded (`scenario::ground_dangling_symbols`) before it is
//! tried. That is sound whatever grounding does, since a candidate is kept only if it still breaks
//! the invariant, and it loses nothing: a symbol nothing creates resolves to nothing at run time,
//! exactly like the literal that replaces it. The kept candidates are the grounded steps that were
//! checked, and they are what gets written.

use super::generate::Shape;
use super::write::{Provenance, scenario_text};
use crate::invariants::Invariant;
use crate::scenario::{self, CallerRef, RunOptions, Step};
use crate::timeline::Recording;

/// A shrunk failure.
pub struct Shrunk {
    /// The organization.
    pub shape: Shape,
    /// The steps, as checked (grounded).
    pub steps: Vec<Step>,
    /// `Ok` when the scenario written from `shape` and `steps` was loaded back, run, and broke the
    /// invariant; otherwise why not.
    pub replays: Result<(), String>,
}

/// Whether the candidate, written and loaded back as a scenario, breaks `invariant`: `Err` says
/// why not.
pub fn replay(
    shape: &Shape,
    steps: &[Step],
    seed: u64,
    invariant: Invariant,
    provenance: &Provenance<'_>,
) -> Result<(), String> {
    let text = scenario_text(shape, steps, seed, provenance);
    let loaded = scenario::from_str("the written scenario", &text).map_err(|diagnostics| {
        let first = diagnostics.0.first().map_or_else(String::new, |d| format!(": line {}: {}", d.line, d.message));
        format!("it does not load ({} problems{first})", diagnostics.0.len())
    })?;
    let report =
        scenario::run(&loaded, &RunOptions { recording: Recording::Summary, metrics: false, ..RunOptions::default() });
    if report.violations.iter().any(|v| v.invariant == invariant) {
        Ok(())
    } else {
        Err(format!("it loads and runs but does not break `{}`", invariant.name()))
    }
}

/// Shrinks within `budget` candidate runs. When no candidate was kept, the written form of the
/// unshrunk run is checked once more, so `Shrunk::replays` is always known.
pub fn shrink(
    shape: &Shape,
    steps: &[Step],
    seed: u64,
    invariant: Invariant,
    provenance: &Provenance<'_>,
    budget: usize,
) -> Shrunk {
    let still_fails = |shape: &Shape, steps: &[Step]| replay(shape, steps, seed, invariant, provenance).is_ok();
    let mut steps: Vec<Step> = steps.to_vec();
    // Generated steps come grounded; grounding again changes nothing, and makes sure of it.
    scenario::ground_dangling_symbols(shape.ou_paths(), &mut steps);
    let mut verified = false;
    let mut tries = 0;
    let mut chunk = (steps.len() / 2).max(1);
    loop {
        let mut start = 0;
        while start < steps.len() && tries < budget {
            let end = (start + chunk).min(steps.len());
            let mut candidate = steps.clone();
            candidate.drain(start..end);
            scenario::ground_dangling_symbols(shape.ou_paths(), &mut candidate);
            tries += 1;
            if !candidate.is_empty() && still_fails(shape, &candidate) {
                steps = candidate;
                verified = true;
            } else {
                start = end;
            }
        }
        if chunk == 1 || tries >= budget {
            break;
        }
        chunk = (chunk / 2).max(1);
    }
    for (i, step) in steps.iter_mut().enumerate() {
        step.index = i;
    }
    // The organization: each OU keeps only the accounts the steps name, if that still fails.
    let named: Vec<String> = steps
        .iter()
        .flat_map(|s| {
            let mut ids = vec![s.args.to_string()];
            if let CallerRef::Account(id) = s.caller {
                ids.push(id.to_string());
            }
            ids
        })
        .collect();
    let mentioned = |id: &crate::model::AccountId| named.iter().any(|text| text.contains(&id.to_string()));
    let mut shape = shape.clone();
    for ou in 1..shape.ous.len() {
        if tries >= budget {
            break;
        }
        let mut candidate = shape.clone();
        candidate.ous[ou].1.retain(|a| mentioned(a));
        candidate.opt_in.retain(|(a, _)| candidate.ous.iter().any(|(_, list)| list.contains(a)));
        tries += 1;
        if candidate != shape && still_fails(&candidate, &steps) {
            shape = candidate;
            verified = true;
        }
    }
    let replays = if verified { Ok(()) } else { replay(&shape, &steps, seed, invariant, provenance) };
    Shrunk { shape, steps, replays }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{replay, shrink};
    use crate::fuzz::generate::{ADMIN, shape};
    use crate::fuzz::write::Provenance;
    use crate::invariants::Invariant;
    use crate::model::{AccountId, RegionIdx, SimTime};
    use crate::scenario::{CallerRef, Step};

    fn delete_policy(identifier: &str) -> Step {
        Step::call(
            0,
            SimTime::ZERO,
            CallerRef::Account(AccountId::parse(ADMIN).unwrap()),
            RegionIdx(0),
            "DeleteConfigurationPolicy",
            json!({ "Identifier": identifier }),
        )
    }

    const PROVENANCE: Provenance<'static> =
        Provenance { invariant: "member-limit", detail: "test", seed: 0, command: "test" };

    /// A written scenario that does not load, or runs without breaking the invariant, does not
    /// replay, and says which.
    #[test]
    fn replay_says_why_a_written_scenario_does_not_replay() {
        let shape = shape(0, 3);
        let dangling = replay(&shape, &[delete_policy("policy:p2")], 0, Invariant::MemberLimit, &PROVENANCE);
        let why = dangling.unwrap_err();
        assert!(why.contains("does not load") && why.contains("policy:p2"), "{why}");
        let grounded = replay(&shape, &[delete_policy("never-created-p2")], 0, Invariant::MemberLimit, &PROVENANCE);
        assert_eq!(grounded, Err("it loads and runs but does not break `member-limit`".to_string()));
    }

    /// When no candidate is kept, nothing has checked the written form yet: `shrink` checks it and
    /// reports that it does not replay; and what it returns is grounded, as what it checked was.
    #[test]
    fn a_shrink_that_keeps_no_candidate_still_checks_what_it_returns() {
        let shape = shape(0, 3);
        let shrunk = shrink(&shape, &[delete_policy("policy:p2")], 0, Invariant::MemberLimit, &PROVENANCE, 300);
        assert_eq!(shrunk.steps.len(), 1);
        assert_eq!(shrunk.steps[0].args, json!({ "Identifier": "never-created-p2" }));
        assert_eq!(shrunk.replays, Err("it loads and runs but does not break `member-limit`".to_string()));
    }
}
