//! Every bundled scenario: its text timeline is a reviewed snapshot in `snapshots/`, and every
//! expectation it states holds. Review changes with `cargo insta review`.

use std::path::{Path, PathBuf};

use hubsim::scenario::{self, RunOptions};

pub fn scenario_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("scenarios/ is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The path under `scenarios/`, as snapshots are named.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
        .expect("under scenarios/")
        .display()
        .to_string()
}

#[test]
fn scenario_timelines() {
    insta::glob!("../scenarios", "**/*.toml", |path| {
        let scenario = scenario::load(path).unwrap_or_else(|d| panic!("{d}"));
        let report = scenario::run(&scenario, &RunOptions::default());
        assert!(report.passed(), "{}: expectations failed\n{}", relative(path), report.render_results());
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("../snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.set_description(scenario.title.clone());
        settings.bind(|| insta::assert_snapshot!(report.render_snapshot()));
    });
}

/// A snapshot whose scenario is gone is stale: it would never be checked again.
#[test]
fn no_stale_snapshots() {
    let scenarios: Vec<String> = scenario_files().iter().map(|p| relative(p).replace('/', "__")).collect();
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("snapshots/ is readable") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        let Some(scenario) =
            name.strip_prefix("scenarios__scenario_timelines@").or_else(|| name.strip_prefix("scenario_timelines@"))
        else {
            continue;
        };
        let scenario = scenario.trim_end_matches(".snap").trim_end_matches(".new");
        if !scenarios.iter().any(|s| s == scenario) {
            stale.push(name);
        }
    }
    assert!(stale.is_empty(), "snapshots without a scenario (delete them): {stale:?}");
}
