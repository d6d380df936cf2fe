//! The scenario file as TOML gives it: serde types with `deny_unknown_fields`, values that need
//! checking kept with their spans so that diagnostics can point at them. Nothing here is
//! validated; `validate` turns a `RawScenario` into a typed `Scenario`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub title: Spanned<String>,
    #[serde(default)]
    pub about: Option<String>,
    #[serde(default)]
    pub seed: Option<u64>,
    pub regions: Spanned<Vec<Spanned<String>>>,
    /// Rule ids this scenario demonstrates through its expectations even though no effect cites
    /// them (rules that forbid or leave something unchanged).
    #[serde(default)]
    pub covers: Vec<Spanned<String>>,
    pub org: RawOrg,
    #[serde(default)]
    pub latency: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub faults: Option<RawFaults>,
    #[serde(default)]
    pub limits: Option<RawLimits>,
    #[serde(default)]
    pub client: Option<RawClient>,
    #[serde(default, rename = "step")]
    pub steps: Vec<RawStep>,
    #[serde(default, rename = "expect")]
    pub expects: Vec<Spanned<RawExpect>>,
}

/// `[org]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOrg {
    pub management: Spanned<String>,
    /// The account the `admin` caller alias stands for.
    #[serde(default)]
    pub admin: Option<Spanned<String>>,
    #[serde(default)]
    pub root: Vec<Spanned<String>>,
    #[serde(default)]
    pub ous: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    pub standalone: Option<RawStandalone>,
    #[serde(default)]
    pub feature_set: Option<Spanned<String>>,
    #[serde(default)]
    pub max_accounts: Option<u32>,
    #[serde(default)]
    pub securityhub_policy_type: Option<bool>,
    #[serde(default)]
    pub account_management_trusted_access: Option<bool>,
    /// Opt-in Regions already activated, per account.
    #[serde(default)]
    pub opt_in: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    /// Accounts whose Security Hub is already on before the story starts.
    #[serde(default)]
    pub hubs: Vec<Spanned<RawHub>>,
    /// Account-Regions where AWS Config is not recording.
    #[serde(default)]
    pub config_recording_off: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
}

/// `[org.standalone]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStandalone {
    #[serde(default)]
    pub accounts: Vec<Spanned<String>>,
    /// Accounts that belong to another organization (MEMBER-6).
    #[serde(default)]
    pub other_org: Vec<Spanned<String>>,
}

/// `[[org.hubs]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHub {
    pub account: Spanned<String>,
    #[serde(default)]
    pub regions: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub standards: Option<Vec<Spanned<String>>>,
}

/// `[faults]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFaults {
    #[serde(default)]
    pub throttle: Option<Spanned<f64>>,
    #[serde(default)]
    pub internal_error: Option<Spanned<f64>>,
    #[serde(default)]
    pub follow_up_failure: Option<Spanned<f64>>,
}

/// `[limits]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    #[serde(default)]
    pub members_per_admin: Option<u32>,
    #[serde(default)]
    pub invitation_members_per_admin: Option<u32>,
    #[serde(default)]
    pub policies: Option<u32>,
    #[serde(default)]
    pub max_time: Option<Spanned<String>>,
    #[serde(default)]
    pub max_events: Option<u64>,
    /// QUOTA-10 request-rate limits (default on).
    #[serde(default)]
    pub api_rate_limits: Option<bool>,
    /// QUOTA-10 overrides by operation name.
    #[serde(default)]
    pub api_rates: BTreeMap<String, Spanned<RawRate>>,
}

/// One `[limits.api_rates]` entry.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRate {
    pub rate: u64,
    pub burst: u64,
}

/// `[client]`: how the caller of the steps retries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClient {
    #[serde(default)]
    pub retry: Option<Spanned<String>>,
    #[serde(default)]
    pub max_attempts: Option<Spanned<u32>>,
    #[serde(default)]
    pub base_backoff: Option<Spanned<String>>,
    #[serde(default)]
    pub max_backoff: Option<Spanned<String>>,
    #[serde(default)]
    pub round_trip: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `[[step]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub at: Spanned<String>,
    pub caller: Spanned<String>,
    #[serde(default)]
    pub region: Option<Spanned<String>>,
    pub call: Spanned<String>,
    #[serde(default)]
    pub args: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub expect: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub iam_deny: bool,
    /// `root` or `ou:PATH`: the step runs once for each account the OU holds at time zero.
    #[serde(default)]
    pub for_each_account_in: Option<Spanned<String>>,
    /// With `for_each_account_in`: the time between one account's call and the next.
    #[serde(default)]
    pub every: Option<Spanned<String>>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `[[expect]]`: a check of the state at a time. Every field but `at` is optional; each one given
/// is checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    pub at: Spanned<String>,
    #[serde(default)]
    pub account: Option<Spanned<String>>,
    #[serde(default)]
    pub region: Option<Spanned<String>>,
    #[serde(default)]
    pub target: Option<Spanned<String>>,
    #[serde(default)]
    pub hub: Option<Spanned<String>>,
    #[serde(default)]
    pub administrator: Option<Spanned<String>>,
    #[serde(default)]
    pub member_status: Option<Spanned<String>>,
    #[serde(default)]
    pub member_type: Option<Spanned<String>>,
    #[serde(default)]
    pub standards: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub controls_disabled: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub account_state: Option<Spanned<String>>,
    #[serde(default)]
    pub in_organization: Option<bool>,
    #[serde(default)]
    pub member_count: Option<u32>,
    #[serde(default)]
    pub security_hub_admin: Option<Spanned<String>>,
    #[serde(default)]
    pub delegated_admin: Option<Spanned<String>>,
    #[serde(default)]
    pub trusted_access: Option<bool>,
    #[serde(default)]
    pub configuration_type: Option<Spanned<String>>,
    #[serde(default)]
    pub configuration_status: Option<Spanned<String>>,
    #[serde(default)]
    pub auto_enable: Option<bool>,
    #[serde(default)]
    pub auto_enable_standards: Option<Spanned<String>>,
    #[serde(default)]
    pub central: Option<Spanned<String>>,
    #[serde(default)]
    pub effective_policy: Option<Spanned<String>>,
    #[serde(default)]
    pub management_type: Option<Spanned<String>>,
    #[serde(default)]
    pub association_status: Option<Spanned<String>>,
    #[serde(default)]
    pub policies: Option<u32>,
}
