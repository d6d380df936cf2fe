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
fn usage_errors_exit_2() {
    assert_eq!(hubsim(&["run"]).0, 2);
    assert_eq!(hubsim(&["run", "no/such/file.toml"]).0, 2);
    assert_eq!(hubsim(&["bench", "lifecycle", "--regions", "99"]).0, 2);
    assert_eq!(hubsim(&["frobnicate"]).0, 2);
    let (code, out, _) = hubsim(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Examples:"));
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
