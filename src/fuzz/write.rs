//! Writes a fuzzed run — organization shape and steps — as a scenario file that `hubsim run`
//! replays, with a header that says which invariant it breaks, the seed it came from and the
//! command that found it.

use serde::Serialize;

use super::generate::{ADMIN, MANAGEMENT, Shape};
use crate::scenario::{CallerRef, Step};

#[derive(Serialize)]
struct File<'a> {
    title: String,
    about: String,
    seed: u64,
    regions: Vec<&'static str>,
    org: Org<'a>,
    #[serde(rename = "step")]
    steps: Vec<StepOut>,
}

#[derive(Serialize)]
struct Org<'a> {
    management: &'static str,
    admin: &'static str,
    ous: toml::Table,
    standalone: Standalone,
    #[serde(skip_serializing_if = "toml::Table::is_empty")]
    opt_in: toml::Table,
    #[serde(skip)]
    _shape: &'a (),
}

#[derive(Serialize)]
struct Standalone {
    accounts: Vec<String>,
    other_org: Vec<String>,
}

#[derive(Serialize)]
struct StepOut {
    at: String,
    caller: String,
    region: &'static str,
    call: String,
    #[serde(skip_serializing_if = "toml::Table::is_empty")]
    args: toml::Table,
}

/// What the header says about the failure.
pub struct Provenance<'a> {
    /// The invariant's name.
    pub invariant: &'a str,
    /// The violation, as reported.
    pub detail: &'a str,
    /// The seed.
    pub seed: u64,
    /// The command that found it.
    pub command: &'a str,
}

/// The scenario file text.
pub fn scenario_text(shape: &Shape, steps: &[Step], seed: u64, provenance: &Provenance<'_>) -> String {
    let unit = ();
    let mut ous = toml::Table::new();
    for (path, accounts) in &shape.ous {
        ous.insert(
            path.clone(),
            toml::Value::Array(accounts.iter().map(|a| toml::Value::String(a.to_string())).collect()),
        );
    }
    let mut opt_in = toml::Table::new();
    for (account, region) in &shape.opt_in {
        let entry = opt_in.entry(account.to_string()).or_insert_with(|| toml::Value::Array(Vec::new()));
        if let toml::Value::Array(list) = entry {
            list.push(toml::Value::String(region.code().to_string()));
        }
    }
    let file = File {
        title: format!("Fuzz seed {seed} breaks {}", provenance.invariant),
        about: format!("Shrunk by hubsim fuzz. Invariant {}: {}", provenance.invariant, provenance.detail),
        seed,
        regions: shape.regions.iter().map(|r| r.code()).collect(),
        org: Org {
            management: MANAGEMENT,
            admin: ADMIN,
            ous,
            standalone: Standalone {
                accounts: shape.standalone.iter().map(|a| a.to_string()).collect(),
                other_org: shape.other_org.iter().map(|a| a.to_string()).collect(),
            },
            opt_in,
            _shape: &unit,
        },
        steps: steps
            .iter()
            .map(|s| StepOut {
                at: format!("{}ms", s.at.as_ms()),
                caller: match s.caller {
                    CallerRef::Aws => "aws".into(),
                    CallerRef::Account(id) => id.to_string(),
                },
                region: shape.regions[s.region.index()].code(),
                call: format!(
                    "{}:{}",
                    crate::rules::call::service_of(&s.operation).expect("known operation").prefix(),
                    s.operation
                ),
                args: match toml::Value::try_from(&s.args) {
                    Ok(toml::Value::Table(t)) => t,
                    _ => toml::Table::new(),
                },
            })
            .collect(),
    };
    let body = toml::to_string(&file).expect("the scenario serializes");
    format!(
        "# Regression found by fuzzing: breaks invariant `{}`.\n# {}\n# Found with seed {} by: {}\n# Replay: hubsim run <this file>\n\n{body}",
        provenance.invariant,
        provenance.detail.replace('\n', " "),
        provenance.seed,
        provenance.command,
    )
}
