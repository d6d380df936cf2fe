//! Stable, human-readable text for effects and calls: the words timelines, snapshots and
//! `hubsim explain` show.
//!
//! The text is an interface (snapshots depend on it), so it names things the way a reader of the
//! AWS documentation would (account ids, Region codes, OU paths, policy names) and never prints
//! Rust `Debug` output. It reads the world only for names, all of which survive deletion (accounts,
//! OU slots and policy names are never reused), so a timeline can be rendered after the run.

use std::fmt::Write;

use super::call::{Call, Caller, Op, ServiceWork};
use super::change::{Change, RegionOptStatus, StandardStatus};
use crate::model::{
    AccountIdx, AssocStatus, AssocValue, ControlSet, NodeIdx, PolicyIdx, RegionIdx, StandardSet, Target, World,
};

/// `111111111111`.
pub fn account(w: &World, account: AccountIdx) -> String {
    w.account_id(account).to_string()
}

/// `Root` or `Workloads/Prod`.
pub fn node(w: &World, node: NodeIdx) -> String {
    if node.is_root() { "Root".to_string() } else { w.org.node(node).path.to_string() }
}

/// `ou-ab12-3cd4ef56 (Workloads/Prod)` or `r-ab12 (Root)`.
pub fn node_with_id(w: &World, n: NodeIdx) -> String {
    format!("{} ({})", w.org.node(n).aws_id, node(w, n))
}

/// A target as the timeline shows it.
pub fn target(w: &World, target: Target) -> String {
    match target {
        Target::Node(n) => node_with_id(w, n),
        Target::Account(a) => format!("account {}", account(w, a)),
    }
}

/// A policy by name.
pub fn policy(w: &World, policy: PolicyIdx) -> String {
    w.central
        .policy_names
        .get(policy.0 as usize)
        .map(|n| format!("policy {n}"))
        .unwrap_or_else(|| format!("policy #{}", policy.0))
}

/// An associated value.
pub fn value(w: &World, value: AssocValue) -> String {
    match value {
        AssocValue::Policy(p) => policy(w, p),
        AssocValue::SelfManaged => "SELF_MANAGED_SECURITY_HUB".to_string(),
    }
}

fn region(w: &World, region: RegionIdx) -> &'static str {
    w.regions.get(region).code()
}

fn standards(set: StandardSet) -> String {
    set.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
}

fn controls(set: ControlSet) -> String {
    if set.is_empty() { "none".to_string() } else { set.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ") }
}

fn status(s: AssocStatus) -> &'static str {
    match s {
        AssocStatus::Pending => "PENDING",
        AssocStatus::Success => "SUCCESS",
        AssocStatus::Failed => "FAILED",
    }
}

/// One effect's change as a sentence.
pub fn change(w: &World, change: &Change) -> String {
    let ar = |a: &AccountIdx, r: &RegionIdx| format!("{} {}", account(w, *a), region(w, *r));
    match change {
        Change::TrustedAccess { enabled } => {
            format!("trusted access for securityhub.amazonaws.com {}", on_off(*enabled))
        }
        Change::AccountManagementTrustedAccess { enabled } => {
            format!("trusted access for account.amazonaws.com {}", on_off(*enabled))
        }
        Change::DelegatedAdministratorRegistered { account: a } => {
            format!("{} registered as delegated administrator for securityhub.amazonaws.com", account(w, *a))
        }
        Change::DelegatedAdministratorDeregistered { account: a } => {
            format!("{} deregistered as delegated administrator for securityhub.amazonaws.com", account(w, *a))
        }
        Change::AccountCreated { account_id, .. } => format!("account {account_id} created"),
        Change::AccountJoined { account: a, method } => {
            format!(
                "account {} joined the organization under Root ({})",
                account(w, *a),
                format!("{method:?}").to_lowercase()
            )
        }
        Change::AccountLeft { account: a } => format!("account {} left the organization", account(w, *a)),
        Change::AccountMoved { account: a, from, to } => {
            format!("account {} moved from {} to {}", account(w, *a), node(w, *from), node(w, *to))
        }
        Change::AccountStateChanged { account: a, state } => {
            format!("account {} state {}", account(w, *a), state.api_name())
        }
        Change::OrganizationalUnitCreated { parent, name } => format!("OU {name} created under {}", node(w, *parent)),
        Change::OrganizationalUnitDeleted { node: n } => format!("OU {} deleted", node_with_id(w, *n)),
        Change::HandshakeOpened { account: a } => format!("handshake opened inviting account {}", account(w, *a)),
        Change::HandshakeStateChanged { handshake, state } => {
            format!("handshake {} {}", w.org.handshakes[handshake.0 as usize].aws_id, json_name(state))
        }
        Change::RegionOptStatusChanged { account: a, region: r, status } => format!(
            "{}: opt-in status {}",
            ar(a, r),
            match status {
                RegionOptStatus::Enabling => "ENABLING",
                RegionOptStatus::Enabled => "ENABLED",
                RegionOptStatus::Disabling => "DISABLING",
                RegionOptStatus::Disabled => "DISABLED",
            }
        ),
        Change::ConfigRecording { account: a, region: r, on } => {
            format!("{}: AWS Config recording {}", ar(a, r), on_off(*on))
        }
        Change::HubEnabled { account: a, region: r, .. } => format!("{}: Security Hub enabled", ar(a, r)),
        Change::HubDisabled { account: a, region: r } => format!("{}: Security Hub disabled", ar(a, r)),
        Change::StandardsStatus { account: a, region: r, standards: s, status: st } => match st {
            Some(st) => format!(
                "{}: standards {} {}",
                ar(a, r),
                standards(*s),
                match st {
                    StandardStatus::Pending => "PENDING",
                    StandardStatus::Ready => "READY",
                    StandardStatus::Incomplete => "INCOMPLETE",
                }
            ),
            None => format!("{}: standards {} disabled", ar(a, r), standards(*s)),
        },
        Change::ControlsDisabled { account: a, region: r, disabled } => {
            format!("{}: disabled controls = {}", ar(a, r), controls(*disabled))
        }
        Change::ControlParameters { account: a, region: r, params } => {
            let mut text = format!("{}: custom control parameters =", ar(a, r));
            if params.is_empty() {
                text.push_str(" none");
            }
            for ((control, name), value) in params.iter() {
                let _ = write!(text, " {control}.{name}={}", super::policies::param_value_json(value));
            }
            text
        }
        Change::HubSettings { account: a, region: r, auto_enable_controls, generator } => format!(
            "{}: AutoEnableControls={auto_enable_controls} ControlFindingGenerator={}",
            ar(a, r),
            serde_json::to_value(generator).expect("enum").as_str().unwrap_or_default()
        ),
        Change::AdministratorDesignated { region: r, account: a } => {
            format!("{}: Security Hub administrator = {}", region(w, *r), account(w, *a))
        }
        Change::AdministratorRemovalStarted { region: r, account: a } => {
            format!("{}: administrator {} DISABLE_IN_PROGRESS", region(w, *r), account(w, *a))
        }
        Change::AdministratorRemoved { region: r, account: a } => {
            format!("{}: administrator {} removed", region(w, *r), account(w, *a))
        }
        Change::OrganizationConfiguration { region: r, config } => match config {
            None => format!("{}: organization configuration deleted", region(w, *r)),
            Some(c) => {
                let mut text = format!(
                    "{}: organization configuration {} {} AutoEnable={} AutoEnableStandards={}",
                    region(w, *r),
                    json_name(&c.configuration_type),
                    json_name(&c.status),
                    c.auto_enable,
                    json_name(&c.auto_enable_standards)
                );
                if let Some(message) = &c.status_message {
                    let _ = write!(text, " ({message})");
                }
                text
            }
        },
        Change::MemberRecord { region: r, member, record } => format!(
            "{}: {} member of {}: {} ({})",
            region(w, *r),
            account(w, *member),
            account(w, record.administrator),
            record.status.api_name(),
            json_name(&record.member_type)
        ),
        Change::MemberRecordPurged { region: r, administrator, member, last_status, .. } => format!(
            "{}: record of {} under {} purged (was {})",
            region(w, *r),
            account(w, *member),
            account(w, *administrator),
            last_status.api_name()
        ),
        Change::AggregatorSet { owner, aggregator } => {
            let linked = aggregator.linked(w.regions.all());
            format!(
                "finding aggregator of {}: home {}, {}, linked [{}]",
                account(w, *owner),
                region(w, aggregator.home),
                aggregator.mode.api_name(),
                linked.iter().map(|r| region(w, r)).collect::<Vec<_>>().join(", ")
            )
        }
        Change::AggregatorDeleted { owner } => format!("finding aggregator of {} deleted", account(w, *owner)),
        Change::CentralConfigurationRequested { da, home, .. } => {
            format!(
                "central configuration PENDING (delegated administrator {}, home {})",
                account(w, *da),
                region(w, *home)
            )
        }
        Change::CentralConfigurationEnabled => "central configuration ENABLED".to_string(),
        Change::CentralConfigurationEnded => {
            "central configuration ended: every account keeps its settings".to_string()
        }
        Change::PolicyStored { value: p, .. } => {
            let c = &p.content;
            if c.service_enabled {
                format!(
                    "{} stored: ServiceEnabled=true, standards [{}]",
                    format_args!("policy {}", p.name),
                    standards(c.standards)
                )
            } else {
                format!("policy {} stored: ServiceEnabled=false", p.name)
            }
        }
        Change::PolicyDeleted { policy: p } => format!("{} deleted", policy(w, *p)),
        Change::AssociationApplied { target: t, value: v } => format!("{} applied to {}", value(w, *v), target(w, *t)),
        Change::AssociationRemoved { target: t } => format!("association removed from {}", target(w, *t)),
        Change::AccountRegionAssociation { account: a, region: r, value: v, status: s, message, .. } => match (v, s) {
            (Some(v), Some(s)) => {
                let mut text = format!("{}: {} {}", ar(a, r), value(w, *v), status(*s));
                if let Some(message) = message {
                    let _ = write!(text, " ({message})");
                }
                text
            }
            _ => format!("{}: association cleared (settings kept)", ar(a, r)),
        },
        Change::NodeAssociationStatus { node: n, status: s } => match s {
            Some(s) if s.status == AssocStatus::Pending => {
                format!(
                    "association status of {}: PENDING ({} account-Regions outstanding)",
                    node(w, *n),
                    s.outstanding
                )
            }
            Some(s) => format!("association status of {}: {}", node(w, *n), status(s.status)),
            None => format!("association status of {} cleared", node(w, *n)),
        },
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

fn json_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The role of the caller at the moment of the call: `management`, `admin` (the delegated or
/// Region's Security Hub administrator) or `member` (any other organization account).
pub fn role(w: &World, call: &Call) -> Option<&'static str> {
    let Caller::Account(id) = call.caller else { return None };
    let idx = w.account_idx(id)?;
    if w.is_management(idx) {
        Some("management")
    } else if w.org.delegated_admin == Some(idx) || w.sh_admin(call.region) == Some(idx) {
        Some("admin")
    } else if w.in_org(idx) {
        Some("member")
    } else {
        None
    }
}

/// The caller as a timeline shows it, with its role where it has one.
pub fn caller(w: &World, call: &Call) -> String {
    actor_text(call.caller, role(w, call))
}

/// `111111111111 (management)`, `555555555555` or `aws`.
pub fn actor_text(caller: Caller, role: Option<&'static str>) -> String {
    match (caller, role) {
        (Caller::Service, _) => "aws".to_string(),
        (Caller::Account(id), Some(role)) => format!("{id} ({role})"),
        (Caller::Account(id), None) => id.to_string(),
    }
}

/// The call's name and arguments on one line: `CreateMembers AccountDetails=[…]`.
pub fn call(w: &World, call: &Call) -> String {
    match &call.op {
        Op::Api(operation) => {
            let mut value = serde_json::to_value(operation).expect("operations serialize");
            let object = value.as_object_mut().expect("operations serialize to objects");
            object.remove("Operation");
            let mut text = format!("{}:{}", operation.service().prefix(), operation.name());
            for (key, value) in object.iter() {
                let _ = write!(text, " {key}={}", compact(value));
            }
            text
        }
        Op::Work(work) => format!("service:{} {}", work.name(), work_args(w, work)),
    }
}

fn compact(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn work_args(w: &World, work: &ServiceWork) -> String {
    match *work {
        ServiceWork::CompleteAccountCreation { account: a }
        | ServiceWork::CompleteAccountClosure { account: a }
        | ServiceWork::ExpireClosedAccount { account: a }
        | ServiceWork::CompleteDeregistration { account: a } => format!("account={}", account(w, a)),
        ServiceWork::CompleteRegionOptStatusChange { account: a, region: r, enable } => {
            format!("account={} region={} enable={enable}", account(w, a), region(w, r))
        }
        ServiceWork::SettleStandards { account: a, region: r } => {
            format!("account={} region={}", account(w, a), region(w, r))
        }
        ServiceWork::AutoEnableAccount { account: a, region: r, administrator, fault } => format!(
            "account={} region={} administrator={}{}",
            account(w, a),
            region(w, r),
            account(w, administrator),
            if fault { " fault=injected" } else { "" }
        ),
        ServiceWork::ApplyConfigurationPolicy { account: a, region: r, fault, .. } => {
            format!("account={} region={}{}", account(w, a), region(w, r), if fault { " fault=injected" } else { "" })
        }
        ServiceWork::SettleCentralConfiguration { .. } | ServiceWork::CompleteTrustedAccessCleanup {} => String::new(),
        ServiceWork::CompleteAdministratorRemoval { region: r, account: a } => {
            format!("account={} region={}", account(w, a), region(w, r))
        }
    }
}
