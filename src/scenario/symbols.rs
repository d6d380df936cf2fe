//! Symbolic ids: scenarios write ids that AWS generates by what they stand for — `root`,
//! `ou:Workloads/Prod`, `policy:NAME`, `handshake:ACCOUNT`, `invitation:ADMIN:MEMBER` — and they
//! are resolved against the world when the step runs (OU, policy, handshake and invitation ids
//! only exist once something created them). Real ids are accepted as they are.
//!
//! At load time each symbol is checked against what the scenario declares or creates, so a typo
//! is a diagnostic rather than a `ResourceNotFoundException` at run time.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde_json::Value;

use super::raw::RawScenario;
use crate::model::{AccountId, HandshakeState, NodeIdx, RegionIdx, World};

/// Argument names whose value `root` means the organization's root id.
const ROOT_KEYS: &[&str] = &["RootId", "ParentId", "SourceParentId", "DestinationParentId"];

/// What the scenario declares or creates, for checking symbols at load time.
pub struct StaticSymbols {
    ous: BTreeSet<String>,
    policies: BTreeSet<String>,
    handshakes: BTreeSet<String>,
}

impl StaticSymbols {
    /// Collects OU paths, policy names and invited accounts from the file.
    pub fn collect(raw: &RawScenario, _declared: &BTreeMap<AccountId, Range<usize>>) -> StaticSymbols {
        let mut ous = BTreeSet::new();
        for path in raw.org.ous.keys() {
            let mut prefix = String::new();
            for segment in path.split('/') {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(segment);
                ous.insert(prefix.clone());
            }
        }
        let mut policies = BTreeSet::new();
        let mut handshakes = BTreeSet::new();
        for step in &raw.steps {
            let Some(args) = step.args.as_ref().and_then(|a| a.get_ref().as_table()) else { continue };
            let op = step.call.get_ref().rsplit(':').next().unwrap_or_default();
            match op {
                "CreateOrganizationalUnit" => {
                    let parent = args.get("ParentId").and_then(|v| v.as_str()).unwrap_or_default();
                    let name = args.get("Name").and_then(|v| v.as_str()).unwrap_or_default();
                    let parent_path = if parent == "root" {
                        Some(String::new())
                    } else {
                        parent.strip_prefix("ou:").map(str::to_string)
                    };
                    if let Some(parent_path) = parent_path {
                        ous.insert(if parent_path.is_empty() {
                            name.to_string()
                        } else {
                            format!("{parent_path}/{name}")
                        });
                    }
                }
                "CreateConfigurationPolicy" | "UpdateConfigurationPolicy" => {
                    if let Some(name) = args.get("Name").and_then(|v| v.as_str()) {
                        policies.insert(name.to_string());
                    }
                }
                "InviteAccountToOrganization" => {
                    if let Some(id) = args.get("Target").and_then(|t| t.get("Id")).and_then(|v| v.as_str()) {
                        handshakes.insert(id.to_string());
                    }
                }
                _ => {}
            }
        }
        StaticSymbols { ous, policies, handshakes }
    }

    /// Problems with the symbols in `args`: (what is wrong, what was expected).
    pub fn check(&self, args: &Value) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        walk(args, None, &mut |_, text| {
            if let Some(path) = text.strip_prefix("ou:") {
                if !self.ous.contains(path) {
                    problems.push((
                        format!("`{text}` names an OU the scenario neither declares nor creates"),
                        list(&self.ous, "ou:", "an OU of [org.ous] or one a step creates"),
                    ));
                }
            } else if let Some(name) = text.strip_prefix("policy:") {
                if !self.policies.contains(name) {
                    problems.push((
                        format!("`{text}` names a policy no step creates"),
                        list(
                            &self.policies,
                            "policy:",
                            "the Name of a policy a securityhub:CreateConfigurationPolicy step creates",
                        ),
                    ));
                }
            } else if let Some(account) = text.strip_prefix("handshake:") {
                if !self.handshakes.contains(account) {
                    problems.push((
                        format!("`{text}`: no step invites account {account} to the organization"),
                        "an account invited with organizations:InviteAccountToOrganization".into(),
                    ));
                }
            } else if let Some(pair) = text.strip_prefix("invitation:") {
                let ok = pair
                    .split_once(':')
                    .is_some_and(|(a, m)| AccountId::parse(a).is_ok() && AccountId::parse(m).is_ok());
                if !ok {
                    problems.push((
                        format!("`{text}` is not an invitation symbol"),
                        "\"invitation:ADMINISTRATOR:MEMBER\" with two account ids".into(),
                    ));
                }
            }
        });
        problems
    }
}

fn list(set: &BTreeSet<String>, prefix: &str, otherwise: &str) -> String {
    if set.is_empty() {
        otherwise.to_string()
    } else {
        format!("one of {}", set.iter().map(|s| format!("\"{prefix}{s}\"")).collect::<Vec<_>>().join(", "))
    }
}

fn walk(value: &Value, key: Option<&str>, visit: &mut dyn FnMut(Option<&str>, &str)) {
    match value {
        Value::String(text) => visit(key, text),
        Value::Array(items) => items.iter().for_each(|v| walk(v, key, visit)),
        Value::Object(map) => map.iter().for_each(|(k, v)| walk(v, Some(k), visit)),
        _ => {}
    }
}

/// Replaces every symbol in `args` with the id it stands for in `world` now; symbols that resolve
/// to nothing stay as written (the API then reports the unknown id).
pub fn resolve(args: &Value, world: &World, region: RegionIdx) -> Value {
    resolve_value(args, None, world, region)
}

fn resolve_value(value: &Value, key: Option<&str>, w: &World, region: RegionIdx) -> Value {
    match value {
        Value::String(text) => Value::String(resolve_text(text, key, w, region).unwrap_or_else(|| text.clone())),
        Value::Array(items) => Value::Array(items.iter().map(|v| resolve_value(v, key, w, region)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), resolve_value(v, Some(k), w, region))).collect())
        }
        other => other.clone(),
    }
}

fn resolve_text(text: &str, key: Option<&str>, w: &World, region: RegionIdx) -> Option<String> {
    if text == "root" && key.is_some_and(|k| ROOT_KEYS.contains(&k)) {
        return Some(w.org.node(NodeIdx::ROOT).aws_id.to_string());
    }
    if let Some(path) = text.strip_prefix("ou:") {
        return w.org.node_by_path(path).map(|n| w.org.node(n).aws_id.to_string());
    }
    if let Some(name) = text.strip_prefix("policy:") {
        let idx = w.central.policy_by_name(name)?;
        let policy = w.central.policy(idx)?;
        return Some(if key.is_some_and(|k| k.ends_with("Arn")) {
            policy.arn.to_string()
        } else {
            policy.id.to_string()
        });
    }
    if let Some(account) = text.strip_prefix("handshake:") {
        let idx = w.account_idx(AccountId::parse(account).ok()?)?;
        return w
            .org
            .handshakes
            .iter()
            .rev()
            .find(|h| h.account == idx && h.state == HandshakeState::Open)
            .map(|h| h.aws_id.to_string());
    }
    if let Some((admin, member)) = text.strip_prefix("invitation:").and_then(|p| p.split_once(':')) {
        let admin = w.account_idx(AccountId::parse(admin).ok()?)?;
        let member = w.account_idx(AccountId::parse(member).ok()?)?;
        return w.record(admin, member, region)?.invitation_id().map(str::to_string);
    }
    None
}
