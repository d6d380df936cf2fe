//! Expectations: what a scenario says must hold — of a step's result, or of the world at a time
//! or at the end — and how each is observed in a `World`.
//!
//! Every check compares text: the expected value as the scenario writes it (normalized at load)
//! with the value observed, so a failure reads "expected X, found Y".

use std::fmt;

use crate::model::{
    AccountId, AssocStatus, CentralPhase, Effective, MemberStatus, NodeIdx, RegionIdx, SimTime, Target, World,
};
use crate::rules::{ErrorCode, RuleId};

/// When a state expectation is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum When {
    /// After every event at or before this time.
    At(SimTime),
    /// After quiescence.
    End,
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::At(t) => write!(f, "at {t}"),
            When::End => write!(f, "at the end"),
        }
    }
}

/// A target of central configuration, as a scenario names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetRef {
    /// `root`.
    Root,
    /// `ou:PATH`.
    Ou(String),
    /// An account id.
    Account(AccountId),
}

impl TargetRef {
    fn resolve(&self, w: &World) -> Option<Target> {
        match self {
            TargetRef::Root => Some(Target::Node(NodeIdx::ROOT)),
            TargetRef::Ou(path) => w.org.node_by_path(path).map(Target::Node),
            TargetRef::Account(id) => w.account_idx(*id).map(Target::Account),
        }
    }
}

impl fmt::Display for TargetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetRef::Root => write!(f, "root"),
            TargetRef::Ou(path) => write!(f, "ou:{path}"),
            TargetRef::Account(id) => write!(f, "{id}"),
        }
    }
}

/// What one check looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum CheckKind {
    Hub { account: AccountId, region: RegionIdx },
    Administrator { account: AccountId, region: RegionIdx },
    MemberStatus { account: AccountId, region: RegionIdx, administrator: Option<AccountId> },
    MemberType { account: AccountId, region: RegionIdx, administrator: Option<AccountId> },
    Standards { account: AccountId, region: RegionIdx },
    ControlsDisabled { account: AccountId, region: RegionIdx },
    AccountState { account: AccountId },
    InOrganization { account: AccountId },
    MemberCount { account: AccountId, region: RegionIdx },
    SecurityHubAdmin { region: RegionIdx },
    DelegatedAdmin,
    TrustedAccess,
    ConfigurationType { region: RegionIdx },
    ConfigurationStatus { region: RegionIdx },
    AutoEnable { region: RegionIdx },
    AutoEnableStandards { region: RegionIdx },
    Central,
    EffectivePolicy { target: TargetRef },
    ManagementType { target: TargetRef },
    AssociationStatus { target: TargetRef, region: Option<RegionIdx> },
    Policies,
}

/// One check: what to look at and the value expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// What.
    pub kind: CheckKind,
    /// The expected value, normalized.
    pub expected: String,
}

/// A `[[expect]]` table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateExpect {
    /// When it is checked.
    pub when: When,
    /// Its line in the file.
    pub line: usize,
    /// The checks.
    pub checks: Vec<Check>,
}

/// What a step's `expect` says about its result.
#[derive(Clone, Debug, PartialEq)]
pub enum StepExpect {
    /// Success; optionally parts of the response.
    Ok {
        /// A JSON object whose members must appear in the response (recursively, arrays in order).
        response: Option<serde_json::Value>,
        /// The account ids reported in `UnprocessedAccounts`, in order.
        unprocessed: Option<Vec<String>>,
    },
    /// The call fails with this exception (and, if given, this rule).
    Error {
        /// The exception.
        code: ErrorCode,
        /// The rule behind it.
        rule: Option<RuleId>,
    },
}

fn region_name(w: &World, region: RegionIdx) -> &'static str {
    w.regions.get(region).code()
}

impl CheckKind {
    /// What the check is about, for messages: `333333333333 eu-west-1 hub`.
    pub fn describe(&self, w: &World) -> String {
        use CheckKind::*;
        match self {
            Hub { account, region } => format!("{account} {} hub", region_name(w, *region)),
            Administrator { account, region } => format!("{account} {} administrator", region_name(w, *region)),
            MemberStatus { account, region, .. } => format!("{account} {} member_status", region_name(w, *region)),
            MemberType { account, region, .. } => format!("{account} {} member_type", region_name(w, *region)),
            Standards { account, region } => format!("{account} {} standards", region_name(w, *region)),
            ControlsDisabled { account, region } => format!("{account} {} controls_disabled", region_name(w, *region)),
            AccountState { account } => format!("{account} account_state"),
            InOrganization { account } => format!("{account} in_organization"),
            MemberCount { account, region } => format!("{account} {} member_count", region_name(w, *region)),
            SecurityHubAdmin { region } => format!("{} security_hub_admin", region_name(w, *region)),
            DelegatedAdmin => "delegated_admin".into(),
            TrustedAccess => "trusted_access".into(),
            ConfigurationType { region } => format!("{} configuration_type", region_name(w, *region)),
            ConfigurationStatus { region } => format!("{} configuration_status", region_name(w, *region)),
            AutoEnable { region } => format!("{} auto_enable", region_name(w, *region)),
            AutoEnableStandards { region } => format!("{} auto_enable_standards", region_name(w, *region)),
            Central => "central".into(),
            EffectivePolicy { target } => format!("{target} effective_policy"),
            ManagementType { target } => format!("{target} management_type"),
            AssociationStatus { target, region: Some(region) } => {
                format!("{target} {} association_status", region_name(w, *region))
            }
            AssociationStatus { target, region: None } => format!("{target} association_status"),
            Policies => "policies".into(),
        }
    }

    /// The value observed in `w`, in the same normalized form as expectations.
    pub fn observe(&self, w: &World) -> String {
        use CheckKind::*;
        let idx = |id: &AccountId| w.account_idx(*id);
        let none = || "none".to_string();
        let record = |account: &AccountId, region: &RegionIdx, admin: &Option<AccountId>| {
            let member = idx(account)?;
            match admin {
                Some(a) => w.record(idx(a)?, member, *region),
                None => w.enabled_membership(member, *region).or_else(|| w.ar(member, *region).memberships().next()),
            }
        };
        match self {
            Hub { account, region } => {
                let on = idx(account).is_some_and(|a| w.hub_enabled(a, *region));
                (if on { "enabled" } else { "disabled" }).into()
            }
            Administrator { account, region } => idx(account)
                .and_then(|a| w.enabled_membership(a, *region))
                .map(|r| w.account_id(r.administrator).to_string())
                .unwrap_or_else(none),
            MemberStatus { account, region, administrator } => {
                record(account, region, administrator).map(|r| r.status.api_name().to_string()).unwrap_or_else(none)
            }
            MemberType { account, region, administrator } => {
                record(account, region, administrator).map(|r| json_name(&r.member_type)).unwrap_or_else(none)
            }
            Standards { account, region } => idx(account)
                .and_then(|a| w.hub(a, *region))
                .map(|h| h.standards().iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
            ControlsDisabled { account, region } => idx(account)
                .and_then(|a| w.hub(a, *region))
                .map(|h| h.disabled_controls.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
            AccountState { account } => {
                idx(account).map(|a| w.account(a).state.api_name().to_string()).unwrap_or_else(none)
            }
            InOrganization { account } => idx(account).is_some_and(|a| w.in_org(a)).to_string(),
            MemberCount { account, region } => {
                idx(account).and_then(|a| w.roster(a, *region)).map_or(0, |r| r.enabled).to_string()
            }
            SecurityHubAdmin { region } => {
                w.designation(*region).map(|d| w.account_id(d.account).to_string()).unwrap_or_else(none)
            }
            DelegatedAdmin => w.org.delegated_admin.map(|a| w.account_id(a).to_string()).unwrap_or_else(none),
            TrustedAccess => w.org.trusted_access.to_string(),
            ConfigurationType { region } => {
                w.org_config(*region).map(|c| json_name(&c.configuration_type)).unwrap_or_else(none)
            }
            ConfigurationStatus { region } => w.org_config(*region).map(|c| json_name(&c.status)).unwrap_or_else(none),
            AutoEnable { region } => w.org_config(*region).map(|c| c.auto_enable.to_string()).unwrap_or_else(none),
            AutoEnableStandards { region } => {
                w.org_config(*region).map(|c| json_name(&c.auto_enable_standards)).unwrap_or_else(none)
            }
            Central => match w.central.phase {
                CentralPhase::Off => "off",
                CentralPhase::Pending => "pending",
                CentralPhase::Enabled => "on",
            }
            .into(),
            EffectivePolicy { target } => match effective(w, target) {
                Some(Effective::Policy { policy, .. }) => {
                    format!(
                        "policy:{}",
                        w.central.policy_names.get(policy.0 as usize).map(|n| n.to_string()).unwrap_or_default()
                    )
                }
                Some(Effective::SelfManaged { .. }) => "SELF_MANAGED_SECURITY_HUB".into(),
                _ => none(),
            },
            // Without central configuration every account configures itself (CENTRAL-8, CENTRAL-9:
            // accounts "become self-managed"); the unassociated/self-managed distinction of ASSOC-5
            // exists only while central configuration is on.
            ManagementType { target } => match effective(w, target) {
                _ if w.central.phase != CentralPhase::Enabled => "self-managed".into(),
                Some(Effective::Policy { .. }) => "centrally-managed".into(),
                Some(Effective::SelfManaged { .. }) => "self-managed".into(),
                _ => "unassociated".into(),
            },
            AssociationStatus { target, region } => {
                let status = match (target.resolve(w), region) {
                    (Some(Target::Account(a)), Some(r)) => w.ar(a, *r).association().status,
                    (Some(Target::Account(a)), None) => crate::rules::associations_status(w, a),
                    (Some(Target::Node(n)), _) => w.central.node_status.get(n).map(|s| s.status),
                    (None, _) => None,
                };
                status.map(status_name).unwrap_or_else(none)
            }
            Policies => w.central.live_policies().count().to_string(),
        }
    }
}

fn effective(w: &World, target: &TargetRef) -> Option<Effective> {
    match target.resolve(w)? {
        Target::Account(a) => Some(w.effective(a)),
        Target::Node(n) => Some(w.effective_of_node(n)),
    }
}

fn status_name(status: AssocStatus) -> String {
    json_name(&status)
}

fn json_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The member statuses scenarios may write (plus `none`).
pub fn member_status_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = MemberStatus::ALL.iter().map(|s| s.api_name()).collect();
    names.push("none");
    names
}

/// Whether every member of `expected` appears in `actual` (objects by key, arrays element-wise
/// in order and of equal length, scalars equal).
pub fn json_contains(actual: &serde_json::Value, expected: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|av| json_contains(av, v))),
        (Value::Array(a), Value::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(av, ev)| json_contains(av, ev))
        }
        (a, e) => a == e,
    }
}
