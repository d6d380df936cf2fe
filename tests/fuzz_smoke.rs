//! Fuzzing end to end through the binary: a small campaign finds no violation; the report is
//! identical for 1 and 2 worker threads; shards merge into the single-machine report; and a
//! deliberately broken invariant (the canary) is found, shrunk, written as a scenario, and that
//! scenario fails `hubsim run` the same way.

use std::process::Command;

fn hubsim(args: &[&str], canary: bool) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hubsim"));
    command.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    if canary {
        command.env("HUBSIM_CANARY", "1");
    } else {
        command.env_remove("HUBSIM_CANARY");
    }
    let output = command.output().expect("runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hubsim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_small_campaign_finds_no_violation_and_reaches_the_sometimes_situations() {
    let (code, out, err) =
        hubsim(&["fuzz", "--seeds", "0..48", "--members", "200", "--steps", "150", "--no-shrink"], false);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("violations: none"));
    assert!(out.contains("trusted-access-disabled-mid-propagation"));
}

#[test]
fn the_json_report_is_identical_for_one_and_two_threads() {
    let args = |jobs: &'static str| {
        [
            "fuzz",
            "--seeds",
            "0..24",
            "--members",
            "60",
            "--steps",
            "120",
            "--no-shrink",
            "--format",
            "json",
            "--jobs",
            jobs,
        ]
    };
    let (c1, one, _) = hubsim(&args("1"), false);
    let (c2, two, _) = hubsim(&args("2"), false);
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(one, two);
    assert!(serde_json::from_str::<serde_json::Value>(&one).unwrap()["runs"] == 24);
}

#[test]
fn shards_merge_into_the_single_machine_report() {
    let dir = temp_dir("shards");
    let base = ["fuzz", "--seeds", "0..20", "--members", "40", "--steps", "100", "--no-shrink", "--format", "json"];
    let (_, whole, _) = hubsim(&base, false);
    let mut files = Vec::new();
    for shard in ["0/3", "1/3", "2/3"] {
        let mut args = base.to_vec();
        args.extend(["--shard", shard]);
        let (code, out, _) = hubsim(&args, false);
        assert_eq!(code, 0);
        let file = dir.join(format!("shard-{}.json", &shard[..1]));
        std::fs::write(&file, out).unwrap();
        files.push(file.display().to_string());
    }
    let mut merge = vec!["fuzz", "merge", "--format", "json"];
    merge.extend(files.iter().map(String::as_str));
    let (code, merged, err) = hubsim(&merge, false);
    assert_eq!(code, 0, "{err}");
    assert_eq!(merged, whole);
}

/// Every scenario written to `dir` breaks the canary when replayed (exit 1, not 2 for a file that
/// does not load), passes without it, and is shrunk to at most `max_steps` steps.
fn every_written_scenario_replays_the_canary(dir: &std::path::Path, max_steps: usize) -> Vec<String> {
    let written: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(!written.is_empty(), "a shrunk scenario was written");
    let mut names = Vec::new();
    for file in written {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("# Regression found by fuzzing: breaks invariant `canary-no-account-leaves`"),
            "{text}"
        );
        assert!(text.contains("Found with seed"));
        let steps = text.matches("[[step]]").count();
        assert!(steps <= max_steps, "shrunk to a handful of steps, got {steps}:\n{text}");
        let path = file.display().to_string();
        let (code, replay, err) = hubsim(&["run", &path], true);
        assert_eq!(code, 1, "replaying fails the same way:\n{replay}{err}");
        assert!(replay.contains("canary-no-account-leaves"));
        let (code, _, _) = hubsim(&["run", &path], false);
        assert_eq!(code, 0, "without the broken invariant the scenario passes");
        names.push(file.file_name().unwrap().to_string_lossy().into_owned());
    }
    names.sort();
    names
}

#[test]
fn a_broken_invariant_is_shrunk_to_a_scenario_that_replays_it() {
    let dir = temp_dir("canary");
    let out = dir.display().to_string();
    let (code, report, err) =
        hubsim(&["fuzz", "--seeds", "0..6", "--members", "20", "--steps", "80", "--jobs", "1", "--out", &out], true);
    assert_eq!(code, 1, "the canary must be found:\n{report}{err}");
    assert!(report.contains("canary-no-account-leaves"), "{report}");
    assert!(!report.contains("does not replay"), "{report}");
    every_written_scenario_replays_the_canary(&dir, 3);
}

/// These seeds' workloads accept handshakes nobody offered and name policies no step creates. The
/// scenarios written for them used to be unloadable (exit 2) and unshrunk (80 steps and more): the
/// shrinker only keeps candidates that load, and the original never did.
#[test]
fn failures_of_workloads_naming_things_no_step_creates_are_shrunk_to_scenarios_that_replay() {
    let dir = temp_dir("canary-dangling");
    let out = dir.display().to_string();
    for seeds in ["9..11", "21..22", "31..32"] {
        let (code, report, err) =
            hubsim(&["fuzz", "--seeds", seeds, "--members", "30", "--steps", "80", "--jobs", "1", "--out", &out], true);
        assert_eq!(code, 1, "the canary must be found:\n{report}{err}");
        assert!(!report.contains("does not replay"), "{report}");
    }
    let names = every_written_scenario_replays_the_canary(&dir, 3);
    let expected: Vec<String> =
        [10, 21, 31, 9].iter().map(|seed| format!("seed-{seed}-canary-no-account-leaves.toml")).collect();
    assert_eq!(names, expected);
}

/// A scenario that cannot be written (here `--out` is below a plain file) is reported as such,
/// not as a fuzzer bug, and the failure itself is still reported.
#[test]
fn a_shrunk_scenario_that_cannot_be_written_is_reported_plainly() {
    let dir = temp_dir("unwritable");
    let file = dir.join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let out = file.join("regressions").display().to_string();
    let (code, report, err) =
        hubsim(&["fuzz", "--seeds", "0..1", "--members", "20", "--steps", "80", "--jobs", "1", "--out", &out], true);
    assert_eq!(code, 1, "the canary is still a failure:\n{report}{err}");
    assert!(report.contains("canary-no-account-leaves"), "{report}");
    assert!(report.contains("could not write the shrunk scenario to"), "{report}");
    assert!(!report.contains("FUZZER BUG"), "{report}");
}
