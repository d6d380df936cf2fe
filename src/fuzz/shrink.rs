//! Shrinking: a failing run is reduced while it still breaks the same invariant — first its
//! steps (halves, quarters, … then one at a time), then its organization (each OU keeps only the
//! accounts the steps name) — and every candidate is checked by writing it as a scenario file,
//! loading it back and running it, so what comes out is known to replay.

use super::generate::Shape;
use super::write::{Provenance, scenario_text};
use crate::invariants::Invariant;
use crate::scenario::{self, CallerRef, RunOptions, Step};
use crate::timeline::Recording;

/// Whether the candidate, written and loaded back as a scenario, breaks `invariant`.
pub fn still_fails(
    shape: &Shape,
    steps: &[Step],
    seed: u64,
    invariant: Invariant,
    provenance: &Provenance<'_>,
) -> bool {
    let text = scenario_text(shape, steps, seed, provenance);
    let Ok(loaded) = scenario::from_str("shrink candidate", &text) else { return false };
    let report =
        scenario::run(&loaded, &RunOptions { recording: Recording::Summary, metrics: false, ..RunOptions::default() });
    report.violations.iter().any(|v| v.invariant == invariant)
}

/// Shrinks within `budget` candidate runs.
pub fn shrink(
    shape: &Shape,
    steps: &[Step],
    seed: u64,
    invariant: Invariant,
    provenance: &Provenance<'_>,
    budget: usize,
) -> (Shape, Vec<Step>) {
    let mut steps: Vec<Step> = steps.to_vec();
    let mut tries = 0;
    let mut chunk = (steps.len() / 2).max(1);
    loop {
        let mut start = 0;
        while start < steps.len() && tries < budget {
            let end = (start + chunk).min(steps.len());
            let mut candidate = steps.clone();
            candidate.drain(start..end);
            tries += 1;
            if !candidate.is_empty() && still_fails(shape, &candidate, seed, invariant, provenance) {
                steps = candidate;
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
        if candidate != shape && still_fails(&candidate, &steps, seed, invariant, provenance) {
            shape = candidate;
        }
    }
    (shape, steps)
}
