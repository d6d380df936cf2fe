//! The binary: exit codes 0 (success), 1 (an expectation failed), 2 (bad input), and a precise
//! diagnostic — file, line, column, what was expected — for every malformed file in
//! `tests/malformed/`, none of which may panic.

use std::path::PathBuf;
use std::process::Command;

fn hubsim(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_hubsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn quickstart_runs_and_passes() {
    let (code, out, _) = hubsim(&["run", "scenarios/quickstart.toml"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("PASS:") && out.contains("[LIFE-12]"));
}

#[test]
fn a_failed_expectation_exits_1_and_says_what_and_where() {
    let dir = std::env::temp_dir().join(format!("hubsim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("failing.toml");
    std::fs::write(
        &file,
        r#"title = "The management account is never an administrator by itself"
regions = ["us-east-1"]
[org]
management = "111111111111"
[[expect]]
at = "end"
security_hub_admin = "111111111111"
"#,
    )
    .unwrap();
    let (code, out, _) = hubsim(&["run", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("failing.toml:5: at the end us-east-1 security_hub_admin: expected 111111111111, found none"),
        "{out}"
    );
}

#[test]
fn bench_repeats_the_lifecycle_and_reports_every_run() {
    let (code, out, err) = hubsim(&["bench", "lifecycle", "--members", "200", "--regions", "2", "--repeat", "3"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("stop: quiescent"), "{out}");
    assert!(out.contains("over 3 runs: best"), "{out}");
    // 202 accounts (with the management account and the DA) in 2 Regions each get the root
    // policy once (404 events), 20 members leave, and ten calls and follow-ups frame it.
    assert!(out.contains("events 434  effects 3510"), "{out}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(hubsim(&["run"]).0, 2);
    assert_eq!(hubsim(&["run", "no/such/file.toml"]).0, 2);
    assert_eq!(hubsim(&["bench", "lifecycle", "--regions", "99"]).0, 2);
    assert_eq!(hubsim(&["bench", "lifecycle", "--repeat", "0"]).0, 2);
    assert_eq!(hubsim(&["frobnicate"]).0, 2);
    let (code, out, _) = hubsim(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Examples:"));
}

#[test]
fn capacity_reports_a_table_csv_json_and_a_plot() {
    let dir = std::env::temp_dir().join(format!("hubsim-capacity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plot = dir.join("plot.svg");
    let grid = ["capacity", "--plan", "local-onboarding", "--members", "50,100", "--regions", "1,2", "--seeds", "2"];
    let (code, out, err) = hubsim(&[&grid[..], &["--plot", plot.to_str().unwrap()]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("regions  members  seeds  API calls") && out.lines().count() == 7, "{out}");
    assert!(std::fs::read_to_string(&plot).unwrap().starts_with("<svg"));
    let (code, csv, _) = hubsim(&[&grid[..], &["--format", "csv"]].concat());
    assert_eq!(code, 0);
    assert_eq!(csv.lines().count(), 1 + 8, "a header and one row per run: {csv}");
    let (code, json, _) = hubsim(&[&grid[..], &["--format", "json"]].concat());
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["runs"].as_array().unwrap().len(), 8);
    assert_eq!(json["runs"][0]["metrics"]["operations"]["CreateMembers"]["calls"], 2, "51 accounts, 50 per call");
    // Options of other plans are not checked against this one.
    let (code, _, err) = hubsim(&[&grid[..], &["--churn-per-hour", "0", "--format", "csv"]].concat());
    assert_eq!(code, 0, "{err}");
}

#[test]
fn capacity_usage_errors_exit_2_with_what_was_expected() {
    for (args, expected) in [
        (vec!["--plan", "nonsense"], "invalid value 'nonsense'"),
        (vec!["--plan", "local-onboarding", "--members", "0"], "--members takes counts from 1 to 10000"),
        (vec!["--plan", "local-onboarding", "--regions", "35"], "--regions takes counts from 1 to 34"),
        (vec!["--plan", "local-onboarding", "--seeds", "3..1"], "--seeds `3..1` must name 1 to 1000 seeds"),
        (vec!["--plan", "local-onboarding", "--retry", "eager"], "expected off, standard or adaptive"),
        (vec!["--plan", "local-onboarding", "--rate", "CreateMembers=1"], "expected OPERATION=RATE/BURST"),
        (vec!["--plan", "local-onboarding", "--rate", "Frob=1/1"], "`Frob` is not an operation hubsim knows"),
        (vec!["--plan", "steady-churn", "--churn-for", "soon"], "--churn-for: `soon`"),
        (vec!["--plan", "steady-churn", "--churn-for", "400d"], "at most 300d"),
        (vec!["--plan", "steady-churn", "--churn-per-hour", "0"], "--churn-per-hour must be at least 1"),
        (vec!["--plan", "steady-churn", "--churn-for", "0s"], "more than 0 and at most 300d"),
        (vec!["--plan", "steady-churn", "--churn-per-hour", "100000000"], "at most 1,000,000 per run"),
        (vec!["--plan", "local-onboarding", "--jobs", "0"], "--jobs must be at least 1"),
    ] {
        let (code, _, err) = hubsim(&[&["capacity"][..], &args].concat());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}

#[test]
fn run_reports_metrics_as_text_and_json() {
    let file = "scenarios/limits/throttled-create-members-retried.toml";
    let (code, out, _) = hubsim(&["run", file, "--metrics"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(step 3, attempt 2 after a"), "{out}");
    assert!(out.contains("API calls 4  throttled 1  retries 1  gave up 0"), "{out}");
    let (code, out, _) = hubsim(&["run", file, "--format", "json"]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["passed"], true);
    assert_eq!(report["metrics"]["operations"]["CreateMembers"]["throttled"], 1);
    assert_eq!(report["metrics"]["client"]["retries"], 1);
}

#[test]
fn check_and_explain_work_on_the_quickstart() {
    let (code, out, _) = hubsim(&["check", "scenarios/quickstart.toml"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("ok: scenarios/quickstart.toml"));
    let (code, out, _) = hubsim(&["explain", "scenarios/quickstart.toml"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("TRUST-3 Only the management account can turn trusted access off"), "{out}");
    assert!(out.contains("Final state:") && out.contains("Workloads"));
}

#[test]
fn jsonl_output_is_one_object_per_event() {
    let (code, out, _) = hubsim(&["run", "scenarios/quickstart.toml", "--format", "jsonl"]);
    assert_eq!(code, 0);
    for line in out.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        assert!(value["call"].is_string() && value["at_ms"].is_u64());
    }
}

#[test]
fn every_malformed_file_gets_a_precise_diagnostic_and_exit_2() {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/malformed"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 20, "at least twenty malformed files");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let header =
            text.lines().next().unwrap().strip_prefix("# expect: ").expect("first line: `# expect: LINE:COL message`");
        let (position, message) = header.split_once(' ').unwrap();
        let relative = format!("tests/malformed/{}", file.file_name().unwrap().to_string_lossy());
        let (code, _, err) = hubsim(&["check", &relative]);
        assert_eq!(code, 2, "{relative}: {err}");
        assert!(!err.contains("panicked"), "{relative} panicked: {err}");
        let location = format!("{relative}:{position}: error:");
        assert!(err.contains(&location), "{relative}: expected `{location}` in:\n{err}");
        assert!(err.contains(message.trim()), "{relative}: expected `{message}` in:\n{err}");
    }
}

/// The binary re-runs itself once with glibc asking for huge pages (Linux, glibc): arguments
/// (including `argv[0]`, which usage messages show, and arguments that are not UTF-8), exit code
/// and output are exactly those of a run with ordinary pages.
#[cfg(unix)]
#[test]
fn huge_pages_change_nothing_observable() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let run = |args: &[&OsStr], huge_pages: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hubsim"));
        command.args(args).current_dir(env!("CARGO_MANIFEST_DIR")).env_remove("GLIBC_TUNABLES");
        if huge_pages {
            command.env_remove("HUBSIM_HUGE_PAGES");
        } else {
            command.env("HUBSIM_HUGE_PAGES", "0");
        }
        let output = command.output().expect("runs");
        (output.status.code(), output.stdout, output.stderr)
    };
    let cases: [(&[&OsStr], i32); 3] = [
        (&[OsStr::new("run"), OsStr::new("scenarios/quickstart.toml"), OsStr::new("--format"), OsStr::new("jsonl")], 0),
        (&[OsStr::new("run"), OsStr::new("--no-such-option")], 2),
        (&[OsStr::new("run"), OsStr::from_bytes(b"scenarios/\xff.toml")], 2),
    ];
    for (args, code) in cases {
        let ordinary = run(args, false);
        assert_eq!(ordinary.0, Some(code), "{args:?}: {}", String::from_utf8_lossy(&ordinary.2));
        assert!(!ordinary.1.is_empty() || !ordinary.2.is_empty());
        assert_eq!(run(args, true), ordinary, "{args:?}");
    }
}

/// `--timing` reports on standard error, per scenario and for the process, and changes nothing
/// on standard output or in the exit code.
#[test]
fn timing_goes_to_standard_error_and_changes_no_output() {
    let plain = hubsim(&["run", "scenarios/quickstart.toml", "--format", "summary"]);
    let (code, out, err) = hubsim(&["run", "scenarios/quickstart.toml", "--format", "summary", "--timing"]);
    assert_eq!((code, out.as_str()), (plain.0, plain.1.as_str()));
    let timing: Vec<&str> = err.lines().filter(|l| l.starts_with("timing: ")).collect();
    assert!(timing[0].starts_with("timing: scenarios/quickstart.toml: loaded in "), "{err}");
    assert!(timing[0].contains(" events played in ") && timing[0].contains("M events/s"), "{err}");
    if cfg!(target_os = "linux") {
        assert!(timing.last().unwrap().starts_with("timing: peak memory (VmHWM) "), "{err}");
    }
}
