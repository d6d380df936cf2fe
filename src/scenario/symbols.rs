//! Symbolic ids: scenarios write ids that AWS generates by what they stand for — `root`,
//! `ou:Workloads/Prod`, `policy:NAME`, `handshake:ACCOUNT`, `invitation:ADMIN:MEMBER` — and they
//! are resolved against the world when the step runs (OU, policy, handshake and invitation ids
//! only exist once something created them). Real ids are accepted as they are.
//!
//! [`StaticSymbols`] knows what a scenario declares or creates — OU paths, policy names, invited
//! accounts — and is collected the same way whether the steps come from a file (at load time) or
//! from code (the fuzzer's generated and shrunk steps). It serves two purposes:
//!
//! - At load time each symbol is checked against it, so a typo in a hand-written file is a
//!   diagnostic rather than a `ResourceNotFoundException` at run time.
//! - [`ground_dangling_symbols`] replaces each `ou:`, `policy:` and `handshake:` symbol that
//!   nothing in the scenario creates by a literal id that exists nowhere. Generated steps name
//!   policies and handshakes at random, and shrinking removes the steps that create them;
//!   grounding keeps such steps loadable without weakening the check for hand-written files.
//!
//! Why grounding preserves behaviour: at run time a symbol resolves only to something the
//! declared organization or a step created — an OU path exists only if `[org.ous]` declares it or
//! a `CreateOrganizationalUnit` step creates it under `root` or an `ou:` parent; a policy name
//! only if a `CreateConfigurationPolicy` or `UpdateConfigurationPolicy` step gives it; an open
//! handshake only for an account an `InviteAccountToOrganization` step invites — and those are
//! what `StaticSymbols` collects (a superset: it does not ask whether the steps succeed). A symbol
//! outside them never resolves, so it stays as written and the API looks up an id no resource
//! has. The grounded literal is another id no resource has: every lookup (`node_by_aws_id`,
//! `policy_by_identifier`, `handshake_by_aws_id`) is an exact match against generated ids of
//! fixed shapes (`ou-xxxx-xxxxxxxx`, a UUID or an ARN, `h-xxxxxxxxxx`) that the literals cannot
//! take, and no rule looks at an id's text otherwise. So the call fails at the same check, with
//! the same error code and no effect; only the id quoted in the error message differs.
//!
//! One case is left alone: an OU created under a parent given by a literal id has a path the
//! scenario does not state, so when a step does that, no `ou:` symbol is grounded.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Step;
use crate::model::{AccountId, HandshakeState, NodeIdx, RegionIdx, World};

/// Argument names whose value `root` means the organization's root id.
const ROOT_KEYS: &[&str] = &["RootId", "ParentId", "SourceParentId", "DestinationParentId"];

/// What a grounded `ou:PATH` becomes: no generated OU id (`ou-` then 4 and 8 base-36 characters)
/// has this shape.
const NEVER_CREATED_OU: &str = "ou-never-created-";
/// What a grounded `policy:NAME` becomes: policies are found by UUID or ARN, never by this.
const NEVER_CREATED_POLICY: &str = "never-created-";
/// What a grounded `handshake:ACCOUNT` becomes: no generated handshake id (`h-` then 10 base-36
/// characters) has this shape.
const NOBODY_INVITED: &str = "h-nobody-invited-";

/// What the scenario declares or creates: the names its symbols may use.
pub struct StaticSymbols {
    ous: BTreeSet<String>,
    /// False when a step creates an OU under a parent given by a literal id: its path is not
    /// written anywhere, so `ous` may miss OUs that exist at run time.
    all_ous_known: bool,
    policies: BTreeSet<String>,
    handshakes: BTreeSet<String>,
}

impl StaticSymbols {
    /// Collects OU paths (the declared ones with every prefix, and those steps create), policy
    /// names and invited accounts from `calls` — `(operation name, arguments in the API's JSON
    /// shape)` — given however the scenario holds its steps.
    pub fn collect<'o, 'c>(
        declared_ous: impl IntoIterator<Item = &'o str>,
        calls: impl IntoIterator<Item = (&'c str, &'c Value)>,
    ) -> StaticSymbols {
        let mut ous = BTreeSet::new();
        for path in declared_ous {
            let mut prefix = String::new();
            for segment in path.split('/') {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(segment);
                ous.insert(prefix.clone());
            }
        }
        let mut all_ous_known = true;
        // (parent path, name) of OUs created under `root` ("") or an `ou:` parent.
        let mut created_ous: Vec<(String, String)> = Vec::new();
        let mut policies = BTreeSet::new();
        let mut handshakes = BTreeSet::new();
        for (operation, args) in calls {
            let text = |key: &str| args.get(key).and_then(Value::as_str);
            match operation {
                "CreateOrganizationalUnit" => {
                    let name = text("Name").unwrap_or_default();
                    match text("ParentId") {
                        Some("root") => created_ous.push((String::new(), name.to_string())),
                        Some(parent) => match parent.strip_prefix("ou:") {
                            Some(path) => created_ous.push((path.to_string(), name.to_string())),
                            // A grounded parent exists nowhere: the step creates nothing.
                            None if parent.starts_with(NEVER_CREATED_OU) => {}
                            None => all_ous_known = false,
                        },
                        None => {}
                    }
                }
                "CreateConfigurationPolicy" | "UpdateConfigurationPolicy" => {
                    if let Some(name) = text("Name") {
                        policies.insert(name.to_string());
                    }
                }
                "InviteAccountToOrganization" => {
                    if let Some(id) = args.get("Target").and_then(|t| t.get("Id")).and_then(Value::as_str) {
                        handshakes.insert(id.to_string());
                    }
                }
                _ => {}
            }
        }
        // An OU is created only under a parent that exists, whichever step creates the parent. (A
        // file whose `ou:` parent nothing creates is rejected for that parent anyway; leaving its
        // children out keeps grounding consistent: the grounded parent creates nothing.)
        let mut grew = true;
        while grew {
            grew = false;
            for (parent, name) in &created_ous {
                if parent.is_empty() {
                    grew |= ous.insert(name.clone());
                } else if ous.contains(parent) {
                    grew |= ous.insert(format!("{parent}/{name}"));
                }
            }
        }
        StaticSymbols { ous, all_ous_known, policies, handshakes }
    }

    /// What `steps` create, in an organization that declares `declared_ous`.
    pub fn of_steps<'o>(declared_ous: impl IntoIterator<Item = &'o str>, steps: &[Step]) -> StaticSymbols {
        StaticSymbols::collect(declared_ous, steps.iter().map(|s| (s.operation.as_str(), &s.args)))
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

    /// The literal id that stands for `text` if it is a symbol nothing in the scenario creates
    /// (see the module documentation); `None` for anything else, which stays as written.
    fn grounded(&self, text: &str) -> Option<String> {
        if let Some(path) = text.strip_prefix("ou:") {
            (self.all_ous_known && !self.ous.contains(path)).then(|| format!("{NEVER_CREATED_OU}{path}"))
        } else if let Some(name) = text.strip_prefix("policy:") {
            (!self.policies.contains(name)).then(|| format!("{NEVER_CREATED_POLICY}{name}"))
        } else if let Some(account) = text.strip_prefix("handshake:") {
            (!self.handshakes.contains(account)).then(|| format!("{NOBODY_INVITED}{account}"))
        } else {
            None
        }
    }

    /// Grounds the dangling symbols in `args`; whether any was.
    fn ground(&self, args: &mut Value) -> bool {
        match args {
            Value::String(text) => match self.grounded(text) {
                Some(literal) => {
                    *text = literal;
                    true
                }
                None => false,
            },
            Value::Array(items) => items.iter_mut().fold(false, |any, v| self.ground(v) | any),
            Value::Object(map) => map.values_mut().fold(false, |any, v| self.ground(v) | any),
            _ => false,
        }
    }
}

/// Replaces every `ou:`, `policy:` and `handshake:` symbol in `steps` that nothing in the scenario
/// (an organization declaring `declared_ous`, and `steps` themselves) creates by a literal id that
/// exists nowhere — `ou-never-created-PATH`, `never-created-NAME`, `h-nobody-invited-ACCOUNT` —
/// so that the steps, written as a file, pass the load-time check. The steps behave exactly as
/// before: such a symbol never resolves at run time (see the module documentation). Returns the
/// number of steps changed. Grounding grounded steps again changes nothing (unless a `Name` is
/// itself written as a symbol): the collection reads names and account ids as written, and a
/// grounded `ou:` parent created nothing it counted.
pub fn ground_dangling_symbols<'a>(declared_ous: impl IntoIterator<Item = &'a str>, steps: &mut [Step]) -> usize {
    let table = StaticSymbols::of_steps(declared_ous, steps);
    steps.iter_mut().map(|s| table.ground(&mut s.args)).filter(|changed| *changed).count()
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{NEVER_CREATED_OU, NEVER_CREATED_POLICY, NOBODY_INVITED, StaticSymbols, ground_dangling_symbols};
    use crate::model::ids::{is_ou_id_shape, is_root_id_shape, is_uuid_shape};
    use crate::model::{AccountId, RegionIdx, SimTime};
    use crate::scenario::{CallerRef, RunOptions, Step, from_str, run};
    use crate::timeline::Entry;

    fn step(operation: &str, args: Value) -> Step {
        let caller = CallerRef::Account(AccountId::parse("111111111111").unwrap());
        Step::call(0, SimTime::ZERO, caller, RegionIdx(0), operation, args)
    }

    fn grounded(declared: &[&str], steps: &[Step]) -> Vec<Value> {
        let mut steps = steps.to_vec();
        ground_dangling_symbols(declared.iter().copied(), &mut steps);
        // Grounded steps pass the load-time check, and grounding them again changes nothing.
        let table = StaticSymbols::of_steps(declared.iter().copied(), &steps);
        for s in &steps {
            assert_eq!(table.check(&s.args), Vec::new(), "{}", s.args);
        }
        let again = steps.clone();
        assert_eq!(ground_dangling_symbols(declared.iter().copied(), &mut steps), 0);
        assert_eq!(
            steps.iter().map(|s| &s.args).collect::<Vec<_>>(),
            again.iter().map(|s| &s.args).collect::<Vec<_>>()
        );
        steps.into_iter().map(|s| s.args).collect()
    }

    #[test]
    fn a_handshake_nobody_invites_is_grounded_and_an_invited_one_kept() {
        let steps = [
            step("InviteAccountToOrganization", json!({ "Target": { "Id": "555555555555", "Type": "ACCOUNT" } })),
            step("AcceptHandshake", json!({ "HandshakeId": "handshake:555555555555" })),
            step("AcceptHandshake", json!({ "HandshakeId": "handshake:555555555556" })),
            step("DeclineHandshake", json!({ "HandshakeId": "handshake:555555555556" })),
        ];
        let args = grounded(&[], &steps);
        assert_eq!(args[1], json!({ "HandshakeId": "handshake:555555555555" }));
        assert_eq!(args[2], json!({ "HandshakeId": "h-nobody-invited-555555555556" }));
        assert_eq!(args[3], args[2]);
    }

    #[test]
    fn a_policy_no_step_creates_is_grounded_and_a_created_or_renamed_one_kept() {
        let steps = [
            step("CreateConfigurationPolicy", json!({ "Name": "p0", "ConfigurationPolicy": {} })),
            step("UpdateConfigurationPolicy", json!({ "Identifier": "policy:p0", "Name": "p1" })),
            step(
                "StartConfigurationPolicyAssociation",
                json!({ "ConfigurationPolicyIdentifier": "policy:p1", "Target": { "RootId": "root" } }),
            ),
            step("DeleteConfigurationPolicy", json!({ "Identifier": "policy:p2" })),
            step(
                "StartConfigurationPolicyDisassociation",
                json!({ "ConfigurationPolicyIdentifier": "policy:p2", "Target": { "OrganizationalUnitId": "ou:A" } }),
            ),
        ];
        let args = grounded(&["A"], &steps);
        assert_eq!(args[1]["Identifier"], "policy:p0");
        assert_eq!(args[2]["ConfigurationPolicyIdentifier"], "policy:p1");
        assert_eq!(args[2]["Target"]["RootId"], "root", "`root` always exists");
        assert_eq!(args[3], json!({ "Identifier": "never-created-p2" }));
        assert_eq!(args[4]["ConfigurationPolicyIdentifier"], "never-created-p2");
        assert_eq!(args[4]["Target"]["OrganizationalUnitId"], "ou:A");
    }

    #[test]
    fn an_ou_neither_declared_nor_created_is_grounded_and_the_others_kept() {
        let steps = [
            step("CreateOrganizationalUnit", json!({ "ParentId": "ou:Workloads", "Name": "Test" })),
            step("CreateOrganizationalUnit", json!({ "ParentId": "root", "Name": "Sandbox" })),
            // Under a parent that never exists: creates nothing, and its parent is grounded.
            step("CreateOrganizationalUnit", json!({ "ParentId": "ou:Gone", "Name": "Child" })),
            step(
                "MoveAccount",
                json!({ "AccountId": "333333333333", "SourceParentId": "ou:Workloads/Prod",
                        "DestinationParentId": "ou:Workloads/Test" }),
            ),
            step("DeleteOrganizationalUnit", json!({ "OrganizationalUnitId": "ou:Workloads" })),
            step("DeleteOrganizationalUnit", json!({ "OrganizationalUnitId": "ou:Sandbox" })),
            step("DeleteOrganizationalUnit", json!({ "OrganizationalUnitId": "ou:Gone/Child" })),
            step("DeleteOrganizationalUnit", json!({ "OrganizationalUnitId": "ou:Workloads/Dev" })),
        ];
        let args = grounded(&["Workloads/Prod"], &steps);
        assert_eq!(args[0]["ParentId"], "ou:Workloads", "a declared path's prefix is declared too");
        assert_eq!(args[2]["ParentId"], "ou-never-created-Gone");
        assert_eq!(args[3]["SourceParentId"], "ou:Workloads/Prod");
        assert_eq!(args[3]["DestinationParentId"], "ou:Workloads/Test");
        assert_eq!(args[5]["OrganizationalUnitId"], "ou:Sandbox");
        assert_eq!(args[6]["OrganizationalUnitId"], "ou-never-created-Gone/Child");
        assert_eq!(args[7]["OrganizationalUnitId"], "ou-never-created-Workloads/Dev");
    }

    #[test]
    fn ou_symbols_stay_when_a_step_creates_an_ou_under_a_literal_parent() {
        // The new OU's path is not written anywhere: `ou:Anything` might name it.
        let mut steps = vec![
            step("CreateOrganizationalUnit", json!({ "ParentId": "r-abcd", "Name": "Anything" })),
            step("DeleteOrganizationalUnit", json!({ "OrganizationalUnitId": "ou:Anything" })),
            step("DeleteConfigurationPolicy", json!({ "Identifier": "policy:p2" })),
        ];
        assert_eq!(ground_dangling_symbols([], &mut steps), 1);
        assert_eq!(steps[1].args["OrganizationalUnitId"], "ou:Anything");
        assert_eq!(steps[2].args["Identifier"], "never-created-p2");
    }

    #[test]
    fn grounded_ids_cannot_be_ids_the_world_generates() {
        for id in [format!("{NEVER_CREATED_OU}abcd"), format!("{NEVER_CREATED_OU}Workloads/Prod")] {
            assert!(!is_ou_id_shape(&id) && !is_root_id_shape(&id), "{id}");
        }
        let policy = format!("{NEVER_CREATED_POLICY}p0");
        assert!(!is_uuid_shape(&policy) && !policy.starts_with("arn:"));
        let handshake = format!("{NOBODY_INVITED}555555555555");
        let generated = crate::model::ids::handshake_id_text(1);
        assert!(handshake.len() != generated.len() && handshake[2..].contains('-') && !generated[2..].contains('-'));
    }

    /// What an entry did, without the quoted ids: the call, the error code and rule or the
    /// response, and the effects.
    fn outcome(entry: &Entry) -> String {
        let result = match &entry.result {
            Ok(response) => response.to_string(),
            Err(e) => format!("{:?} {:?} {:?}", e.code, e.rule, e.reason),
        };
        format!(
            "{} {} {:?} {:?} {} {result} {:?}",
            entry.number,
            entry.at,
            entry.call.caller,
            entry.call.region,
            entry.call.name(),
            entry.effects
        )
    }

    /// Steps that create an OU, a policy and a handshake, then use them; without the creating
    /// steps (what shrinking does) the uses dangle. Grounded, they fail in the same way.
    #[test]
    fn grounded_steps_behave_exactly_like_dangling_ones() {
        let text = r#"
title = "uses of things another step creates"
regions = ["us-east-1", "eu-west-1"]
[org]
management = "111111111111"
root = ["222222222222"]
[org.ous]
"Workloads" = ["333333333333"]
[org.standalone]
accounts = ["555555555555"]
[[step]]
at = "0s"
caller = "management"
call = "securityhub:EnableOrganizationAdminAccount"
args = { AdminAccountId = "222222222222" }
[[step]]
at = "1m"
caller = "admin"
call = "securityhub:CreateFindingAggregator"
args = { RegionLinkingMode = "ALL_REGIONS" }
[[step]]
at = "2m"
caller = "admin"
call = "securityhub:UpdateOrganizationConfiguration"
args = { AutoEnable = false, AutoEnableStandards = "NONE", OrganizationConfiguration = { ConfigurationType = "CENTRAL" } }
[[step]]
at = "5m"
caller = "admin"
call = "securityhub:CreateConfigurationPolicy"
args = { Name = "p1", ConfigurationPolicy = { SecurityHub = { ServiceEnabled = true, EnabledStandardIdentifiers = [], SecurityControlsConfiguration = { DisabledSecurityControlIdentifiers = [] } } } }
[[step]]
at = "6m"
caller = "admin"
call = "securityhub:StartConfigurationPolicyAssociation"
args = { ConfigurationPolicyIdentifier = "policy:p1", Target = { AccountId = "333333333333" } }
[[step]]
at = "7m"
caller = "admin"
call = "securityhub:GetConfigurationPolicy"
args = { Identifier = "policy:p1" }
[[step]]
at = "8m"
caller = "management"
call = "organizations:InviteAccountToOrganization"
args = { Target = { Id = "555555555555", Type = "ACCOUNT" } }
[[step]]
at = "9m"
caller = "555555555555"
call = "organizations:AcceptHandshake"
args = { HandshakeId = "handshake:555555555555" }
[[step]]
at = "10m"
caller = "management"
call = "organizations:CreateOrganizationalUnit"
args = { ParentId = "root", Name = "New" }
[[step]]
at = "11m"
caller = "management"
call = "organizations:MoveAccount"
args = { AccountId = "333333333333", SourceParentId = "ou:Workloads", DestinationParentId = "ou:New" }
[[step]]
at = "12m"
caller = "admin"
call = "securityhub:StartConfigurationPolicyAssociation"
args = { ConfigurationPolicyIdentifier = "SELF_MANAGED_SECURITY_HUB", Target = { OrganizationalUnitId = "ou:New" } }
[[step]]
at = "13m"
caller = "management"
call = "organizations:DeleteOrganizationalUnit"
args = { OrganizationalUnitId = "ou:New" }
"#;
        let whole = from_str("whole", text).expect("loads");
        let full = run(&whole, &RunOptions::default());
        let failed =
            |report: &crate::scenario::Report| report.timeline.entries.iter().filter(|e| e.result.is_err()).count();
        // Every symbol resolves; only deleting the OU just filled is refused.
        assert_eq!(failed(&full), 1, "{}", full.render_text());

        let creates = ["CreateConfigurationPolicy", "InviteAccountToOrganization", "CreateOrganizationalUnit"];
        let mut dangling = whole.clone();
        dangling.steps.retain(|s| !creates.contains(&s.operation.as_str()));
        for (index, step) in dangling.steps.iter_mut().enumerate() {
            step.index = index;
        }
        let mut grounded = dangling.clone();
        assert_eq!(ground_dangling_symbols(["Workloads"], &mut grounded.steps), 6);
        let written: Vec<String> = grounded.steps.iter().map(|s| s.args.to_string()).collect();
        for literal in ["never-created-p1", "h-nobody-invited-555555555555", "ou-never-created-New"] {
            assert!(written.iter().any(|w| w.contains(literal)), "{literal} in {written:?}");
        }

        let options = RunOptions { metrics: false, ..RunOptions::default() };
        let (before, after) = (run(&dangling, &options), run(&grounded, &options));
        assert_eq!(failed(&before), 6, "each use of a missing thing fails:\n{}", before.render_text());
        let outcomes = |r: &crate::scenario::Report| r.timeline.entries.iter().map(outcome).collect::<Vec<_>>();
        assert_eq!(outcomes(&before), outcomes(&after));
        assert_eq!(format!("{:?}", before.world), format!("{:?}", after.world));
        assert_eq!(before.violations.len(), after.violations.len());
    }
}
