//! Same scenario and seed ⇒ byte-identical output, run after run and whatever the thread count.

use rayon::prelude::*;

use hubsim::scenario::{self, RunOptions};
use hubsim::timeline::jsonl;

use crate::scenarios::scenario_files;

fn render(path: &std::path::Path) -> String {
    let scenario = scenario::load(path).unwrap_or_else(|d| panic!("{d}"));
    let report = scenario::run(&scenario, &RunOptions::default());
    format!("{}{}", report.render_text(), jsonl::render(&report.timeline, &report.world))
}

#[test]
fn same_seed_twice_and_one_versus_four_threads_give_identical_output() {
    let files: Vec<_> = scenario_files().into_iter().filter(|p| !p.to_string_lossy().contains("10000")).collect();
    let sequential: Vec<String> = files.iter().map(|p| render(p)).collect();
    let again: Vec<String> = files.iter().map(|p| render(p)).collect();
    assert_eq!(sequential, again);
    for threads in [1, 4] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let parallel: Vec<String> = pool.install(|| files.par_iter().map(|p| render(p)).collect());
        assert_eq!(sequential, parallel, "{threads} threads changed the output");
    }
}

#[test]
fn the_seed_option_changes_follow_up_times_only_through_the_latency_stream() {
    let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml"));
    let scenario = scenario::load(path).unwrap();
    let a = scenario::run(&scenario, &RunOptions { seed: Some(1), ..RunOptions::default() });
    let b = scenario::run(&scenario, &RunOptions { seed: Some(2), ..RunOptions::default() });
    assert_ne!(a.render_text(), b.render_text());
    let steps = |r: &scenario::Report| {
        r.timeline
            .entries
            .iter()
            .filter(|e| matches!(e.origin, hubsim::timeline::Origin::Step { .. }))
            .map(|e| e.at)
            .collect::<Vec<_>>()
    };
    assert_eq!(steps(&a), steps(&b), "steps run at their scheduled times whatever the seed");
}
