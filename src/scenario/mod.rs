//! Scenario files: the TOML format in which users describe an organization, what happens to it
//! and what must hold; loading with diagnostics that name file, line and column; and running a
//! scenario through the simulator, checking every expectation.
//!
//! The format (every key is documented in `docs/scenario-format.md`):
//!
//! ```toml
//! title = "Designating the administrator enables its hub"
//! regions = ["us-east-1"]
//!
//! [org]
//! management = "111111111111"
//! [org.ous]
//! "Security" = ["222222222222"]
//!
//! [[step]]
//! at = "0s"
//! caller = "management"
//! call = "securityhub:EnableOrganizationAdminAccount"
//! args = { AdminAccountId = "222222222222" }
//! expect = "ok"
//!
//! [[expect]]
//! at = "end"
//! account = "222222222222"
//! hub = "enabled"
//! ```
//!
//! Loading validates everything once (`validate`); running never re-checks input.
//!
//! ```
//! let scenario = hubsim::scenario::from_str("example.toml", r#"
//! title = "Designating the administrator enables its hub"
//! regions = ["us-east-1"]
//! [org]
//! management = "111111111111"
//! [org.ous]
//! "Security" = ["222222222222"]
//! [[step]]
//! at = "0s"
//! caller = "management"
//! call = "securityhub:EnableOrganizationAdminAccount"
//! args = { AdminAccountId = "222222222222" }
//! [[expect]]
//! at = "end"
//! account = "222222222222"
//! hub = "enabled"
//! security_hub_admin = "222222222222"
//! "#).expect("a valid scenario");
//! let report = hubsim::scenario::run(&scenario, &hubsim::scenario::RunOptions::default());
//! assert!(report.passed(), "{}", report.render_results());
//! assert!(report.render_text().contains("[ADMIN-3]"));
//! ```

pub mod diagnostic;
pub mod duration;
mod each;
pub mod expect;
mod raw;
mod run;
mod symbols;
mod validate;

use std::path::Path;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use expect::{Check, CheckKind, StateExpect, StepExpect, TargetRef, When};
pub use run::{Mismatch, Report, RunOptions, run, run_owned};
pub use symbols::ground_dangling_symbols;

use crate::model::{AccountId, RegionIdx, SimTime, World};
use crate::rules::RuleId;
use crate::sim::SimConfig;

/// Who makes a step's call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallerRef {
    /// An account.
    Account(AccountId),
    /// AWS itself.
    Aws,
}

/// One `[[step]]`, validated; `args` may still hold symbolic ids.
#[derive(Clone, Debug)]
pub struct Step {
    /// Position among the scenario's calls (0-based): the file's position, except that a step run
    /// for each account of an OU takes one position per account.
    pub index: usize,
    /// When it runs.
    pub at: SimTime,
    /// Its line in the file.
    pub line: usize,
    /// Who calls.
    pub caller: CallerRef,
    /// The request Region.
    pub region: RegionIdx,
    /// The operation name.
    pub operation: String,
    /// The arguments in the API's JSON shape.
    pub args: serde_json::Value,
    /// What the result must be.
    pub expect: Option<StepExpect>,
    /// ACT-5: an injected IAM deny.
    pub iam_deny: bool,
    /// Free text for the reader.
    pub note: Option<String>,
    /// The account this call is for, when the step runs for each account of an OU
    /// (`for_each_account_in`).
    pub each: Option<AccountId>,
}

impl Step {
    /// A call made from code (a generated or shrunk workload, a test): no line in a file, no
    /// expectation, no IAM deny, no note, not one of a step's per-account calls.
    pub fn call(
        index: usize,
        at: SimTime,
        caller: CallerRef,
        region: RegionIdx,
        operation: impl Into<String>,
        args: serde_json::Value,
    ) -> Step {
        Step {
            index,
            at,
            line: 0,
            caller,
            region,
            operation: operation.into(),
            args,
            expect: None,
            iam_deny: false,
            note: None,
            each: None,
        }
    }
}

/// A validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The file name (or the name given with `from_str`).
    pub name: String,
    /// `title`.
    pub title: String,
    /// `about`.
    pub about: Option<String>,
    /// The world before time zero.
    pub world: World,
    /// The account the `admin` caller alias stands for.
    pub admin_alias: Option<AccountId>,
    /// Seed (the file's; `RunOptions` may override it), latency, faults and limits.
    pub config: SimConfig,
    /// The steps in file order (non-decreasing times).
    pub steps: Vec<Step>,
    /// State expectations.
    pub expects: Vec<StateExpect>,
    /// Rules the scenario demonstrates through expectations rather than effects.
    pub covers: Vec<RuleId>,
}

/// Loads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, Diagnostics> {
    let name = path.display().to_string();
    let source = std::fs::read_to_string(path)
        .map_err(|e| Diagnostics(vec![Diagnostic::whole_file(&name, format!("cannot read the file: {e}"))]))?;
    from_str(&name, &source)
}

/// Loads and validates a scenario given as text; `name` appears in diagnostics.
pub fn from_str(name: &str, source: &str) -> Result<Scenario, Diagnostics> {
    let raw: raw::RawScenario = toml::from_str(source).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Diagnostics(vec![Diagnostic::new(name, source, span, e.message().trim().to_string(), None)])
    })?;
    validate::validate(name, source, raw)
}
