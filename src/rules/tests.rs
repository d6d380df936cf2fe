//! Unit tests of the rules engine, one section per family, all through one helper: `Lab` builds a
//! small organization, applies calls written in the API's own JSON shape, and runs follow-up work
//! in the order it was emitted (the simulator adds timing; here only order matters).
//!
//! The standard organization: management 111111111111; 222222222222 in `Security` (the usual
//! delegated administrator); 333333333333 in `Workloads/Prod`; 444444444444 in `Workloads/Dev`;
//! 555555555555 standalone; 666666666666 in another organization. Regions us-east-1, eu-west-1
//! and the opt-in af-south-1.

use std::collections::VecDeque;

use serde_json::{Value, json};

use super::*;
use crate::model::{
    AccountId, AssocStatus, MemberStatus, MemberType, Region, RegionIdx, SimDuration, SimTime, StandardSet, World,
    WorldBuilder,
};

const MGMT: &str = "111111111111";
const DA: &str = "222222222222";
const PROD: &str = "333333333333";
const DEV: &str = "444444444444";
const OUTSIDE: &str = "555555555555";
const OTHER_ORG: &str = "666666666666";
const US: &str = "us-east-1";
const EU: &str = "eu-west-1";
const AF: &str = "af-south-1";

fn id(text: &str) -> AccountId {
    AccountId::parse(text).unwrap()
}

fn builder() -> WorldBuilder {
    let regions = [US, EU, AF].iter().map(|r| Region::parse(r).unwrap()).collect();
    WorldBuilder::new(regions, id(MGMT))
        .account_in(id(DA), "Security")
        .account_in(id(PROD), "Workloads/Prod")
        .account_in(id(DEV), "Workloads/Dev")
        .standalone(id(OUTSIDE))
        .in_other_org(id(OTHER_ORG), 2)
}

struct Lab {
    world: World,
    now: SimTime,
    pending: VecDeque<FollowUp>,
}

/// What one call (and, with `settle`, its follow-ups) did.
struct Seen {
    outcome: Outcome,
    work: Vec<Outcome>,
    text: String,
}

impl Seen {
    fn ok(&self) -> &Self {
        assert!(self.outcome.is_ok(), "expected success, got:\n{}", self.text);
        self
    }
    fn err(&self, code: &str, rule: &str) -> &Self {
        match &self.outcome.result {
            Err(e) => {
                assert_eq!((e.code.name(), e.rule.as_str()), (code, rule), "wrong refusal:\n{}", self.text);
                assert!(self.outcome.effects.is_empty(), "GEN-3: a refused call changed state");
            }
            Ok(_) => panic!("expected {code} [{rule}], got success:\n{}", self.text),
        }
        self
    }
    /// Asserts an effect line `[RULE] text` (from the call or its follow-ups).
    fn has(&self, rule: &str, text: &str) -> &Self {
        let line = format!("[{rule}] {text}");
        assert!(self.text.lines().any(|l| l.trim() == line), "missing `{line}` in:\n{}", self.text);
        self
    }
    fn lacks(&self, fragment: &str) -> &Self {
        assert!(!self.text.contains(fragment), "unexpected `{fragment}` in:\n{}", self.text);
        self
    }
    fn response(&self) -> &Value {
        self.outcome.result.as_ref().expect("success")
    }
    fn unprocessed(&self) -> Vec<String> {
        self.response()["UnprocessedAccounts"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|u| {
                        format!(
                            "{} {}",
                            u["AccountId"].as_str().unwrap(),
                            u["ProcessingResult"].as_str().unwrap().split(':').next().unwrap()
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn render(w: &World, outcome: &Outcome, out: &mut String) {
    match &outcome.result {
        Ok(_) => out.push_str("ok\n"),
        Err(e) => out.push_str(&format!("{} [{}]: {}\n", e.code, e.rule, e.message)),
    }
    for effect in &outcome.effects {
        out.push_str(&format!("  [{}] {}\n", effect.rule, describe::change(w, &effect.change)));
    }
}

impl Lab {
    fn new() -> Lab {
        Lab::from(builder())
    }
    fn from(builder: WorldBuilder) -> Lab {
        Lab { world: builder.build().unwrap(), now: SimTime::ZERO, pending: VecDeque::new() }
    }
    fn region(&self, code: &str) -> RegionIdx {
        self.world.regions.idx_of_code(code).unwrap()
    }
    /// Applies a call without running its follow-ups.
    fn call(&mut self, caller: &str, region: &str, operation: Value) -> Seen {
        let operation: Operation = serde_json::from_value(operation).expect("operation JSON");
        let call = Call::by(id(caller), self.region(region), operation);
        self.apply(call)
    }
    fn aws(&mut self, operation: Value) -> Seen {
        let operation: Operation = serde_json::from_value(operation).expect("operation JSON");
        let call = Call::by_aws(RegionIdx(0), operation);
        self.apply(call)
    }
    fn apply(&mut self, call: Call) -> Seen {
        self.now = self.now.after(SimDuration::from_secs(1));
        let outcome = apply(&mut self.world, self.now, &call);
        self.pending.extend(outcome.follow_ups.iter().cloned());
        let mut text = String::new();
        render(&self.world, &outcome, &mut text);
        Seen { outcome, work: Vec::new(), text }
    }
    /// Applies a call and then every follow-up (and theirs) in emission order.
    fn run(&mut self, caller: &str, region: &str, operation: Value) -> Seen {
        let mut seen = self.call(caller, region, operation);
        self.drain(&mut seen);
        seen
    }
    fn drain(&mut self, seen: &mut Seen) {
        while let Some(follow_up) = self.pending.pop_front() {
            self.now = self.now.after(SimDuration::from_secs(1));
            let outcome = apply(&mut self.world, self.now, &follow_up.call());
            self.pending.extend(outcome.follow_ups.iter().cloned());
            seen.text.push_str(&format!("later {}\n", follow_up.work.name()));
            render(&self.world, &outcome, &mut seen.text);
            seen.work.push(outcome);
        }
    }
    fn settle(&mut self) -> Seen {
        let mut seen = Seen {
            outcome: Outcome { result: Ok(Value::Null), effects: vec![], follow_ups: vec![] },
            work: vec![],
            text: String::new(),
        };
        self.drain(&mut seen);
        seen
    }
    fn idx(&self, account: &str) -> crate::model::AccountIdx {
        self.world.account_idx(id(account)).unwrap()
    }
    fn hub(&self, account: &str, region: &str) -> bool {
        self.world.hub_enabled(self.idx(account), self.region(region))
    }
    fn status(&self, admin: &str, member: &str, region: &str) -> Option<(MemberStatus, MemberType)> {
        self.world.record(self.idx(admin), self.idx(member), self.region(region)).map(|r| (r.status, r.member_type))
    }
    fn root(&self) -> String {
        self.world.org.node(crate::model::NodeIdx::ROOT).aws_id.to_string()
    }
    fn ou(&self, path: &str) -> String {
        let n = self.world.org.node_by_path(path).unwrap();
        self.world.org.node(n).aws_id.to_string()
    }

    // ---- common set-ups ----

    fn designate(&mut self, region: &str) {
        self.run(MGMT, region, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": DA})).ok();
    }
    /// Trusted access, the DA in us-east-1 and eu-west-1, an aggregator, central configuration ON.
    fn central(&mut self) {
        self.run(
            MGMT,
            US,
            json!({"Operation": "EnableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}),
        )
        .ok();
        self.designate(US);
        self.run(
            DA,
            US,
            json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "SPECIFIED_REGIONS", "Regions": [EU]}),
        )
        .ok();
        self.run(
            DA,
            US,
            json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": false, "AutoEnableStandards": "NONE",
            "OrganizationConfiguration": {"ConfigurationType": "CENTRAL"}}),
        )
        .ok();
        assert_eq!(self.world.central.phase, crate::model::CentralPhase::Enabled);
    }
    fn create_policy(&mut self, name: &str, enabled: bool) -> String {
        let hub = if enabled {
            json!({"ServiceEnabled": true, "EnabledStandardIdentifiers": ["aws-foundational-security-best-practices/v/1.0.0"],
                "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": ["EC2.2"]}})
        } else {
            json!({"ServiceEnabled": false})
        };
        let seen = self.run(DA, US, json!({"Operation": "CreateConfigurationPolicy", "Name": name, "ConfigurationPolicy": {"SecurityHub": hub}}));
        seen.ok();
        seen.response()["Id"].as_str().unwrap().to_string()
    }
    fn associate(&mut self, policy: &str, target: Value) -> Seen {
        self.run(DA, US, json!({"Operation": "StartConfigurationPolicyAssociation", "ConfigurationPolicyIdentifier": policy, "Target": target}))
    }
}

// ---- catalogue and citations ---------------------------------------------------------------------

#[test]
fn every_behavioural_rule_is_cited_in_the_code() {
    let mut sources = String::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("catalog_data.rs")
                && !path.ends_with("tests.rs")
            {
                sources.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let uncited: Vec<&str> = RuleId::all()
        .filter(|r| r.info().kind == RuleKind::Behaviour)
        .map(|r| r.as_str())
        .filter(|id| !sources.contains(&id.replace('-', "_")) && !contains_word(&sources, id))
        .collect();
    assert!(uncited.is_empty(), "rule ids never cited in src/: {uncited:?}");
}

fn contains_word(haystack: &str, word: &str) -> bool {
    haystack.match_indices(word).any(|(i, _)| {
        let after = haystack[i + word.len()..].chars().next();
        !after.is_some_and(|c| c.is_ascii_digit())
    })
}

// ---- Organizations: trusted access, delegated administrator, accounts ------------------------------

#[test]
fn trusted_access_is_management_only_and_creates_no_administrator() {
    let mut lab = Lab::new();
    lab.call(DA, US, json!({"Operation": "EnableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}))
        .err("AccessDeniedException", "TRUST-1");
    lab.call(
        OUTSIDE,
        US,
        json!({"Operation": "EnableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}),
    )
    .err("AWSOrganizationsNotInUseException", "ORG-10");
    lab.call(MGMT, US, json!({"Operation": "EnableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}))
        .ok()
        .has("TRUST-1", "trusted access for securityhub.amazonaws.com on")
        .lacks("administrator");
    assert!(lab.world.sh_admin(RegionIdx(0)).is_none(), "TRUST-4");
}

#[test]
fn consolidated_billing_organizations_cannot_use_trusted_access() {
    let mut lab = Lab::from(builder().feature_set(crate::model::FeatureSet::ConsolidatedBilling));
    lab.call(MGMT, US, json!({"Operation": "EnableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}))
        .err("ConstraintViolationException", "ORG-4");
}

#[test]
fn disabling_trusted_access_is_refused_while_the_securityhub_policy_type_is_enabled() {
    let mut lab = Lab::from(builder().securityhub_policy_type(true));
    lab.designate(US);
    lab.call(
        MGMT,
        US,
        json!({"Operation": "DisableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}),
    )
    .err("ConstraintViolationException", "TRUST-5");
}

#[test]
fn registering_through_organizations_makes_no_security_hub_administrator() {
    let mut lab = Lab::new();
    lab.call(MGMT, US, json!({"Operation": "RegisterDelegatedAdministrator", "AccountId": DA, "ServicePrincipal": "securityhub.amazonaws.com"}))
        .err("ConstraintViolationException", "ADMIN-5");
    lab.run(MGMT, US, json!({"Operation": "EnableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}));
    lab.call(MGMT, US, json!({"Operation": "RegisterDelegatedAdministrator", "AccountId": MGMT, "ServicePrincipal": "securityhub.amazonaws.com"}))
        .err("ConstraintViolationException", "ORG-7");
    lab.call(MGMT, US, json!({"Operation": "RegisterDelegatedAdministrator", "AccountId": DA, "ServicePrincipal": "securityhub.amazonaws.com"}))
        .ok()
        .has("ADMIN-5", "222222222222 registered as delegated administrator for securityhub.amazonaws.com");
    lab.call(MGMT, US, json!({"Operation": "RegisterDelegatedAdministrator", "AccountId": DA, "ServicePrincipal": "securityhub.amazonaws.com"}))
        .err("AccountAlreadyRegisteredException", "ADMIN-6");
    lab.call(MGMT, US, json!({"Operation": "RegisterDelegatedAdministrator", "AccountId": PROD, "ServicePrincipal": "securityhub.amazonaws.com"}))
        .err("ConstraintViolationException", "QUOTA-8");
    // ADMIN-5: the registered account is no Security Hub administrator.
    lab.run(DA, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.call(DA, US, json!({"Operation": "DescribeOrganizationConfiguration"})).err("InvalidAccessException", "ERR-5");
}

#[test]
fn suspended_accounts_cannot_be_registered() {
    let mut lab = Lab::new();
    lab.run(MGMT, US, json!({"Operation": "EnableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}));
    lab.aws(json!({"Operation": "SuspendAccount", "AccountId": DA}))
        .ok()
        .has("LIFE-3", "account 222222222222 state SUSPENDED");
    lab.call(MGMT, US, json!({"Operation": "RegisterDelegatedAdministrator", "AccountId": DA, "ServicePrincipal": "securityhub.amazonaws.com"}))
        .err("ConstraintViolationException", "ORG-9");
    lab.call(MGMT, US, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": DA}))
        .err("InvalidInputException", "ORG-9");
}

#[test]
fn only_customers_call_apis_and_only_aws_suspends() {
    let mut lab = Lab::new();
    lab.call(MGMT, US, json!({"Operation": "SuspendAccount", "AccountId": PROD})).err("AccessDeniedException", "GEN-2");
    let work = Call {
        caller: Caller::Account(id(MGMT)),
        region: RegionIdx(0),
        op: Op::Work(ServiceWork::CompleteTrustedAccessCleanup {}),
        iam_deny: false,
    };
    assert_eq!(lab.apply(work).outcome.error_code(), Some(ErrorCode::AccessDeniedException));
    let mut denied =
        Call::by(id(MGMT), RegionIdx(0), serde_json::from_value(json!({"Operation": "EnableSecurityHub"})).unwrap());
    denied.iam_deny = true;
    lab.apply(denied).err("AccessDeniedException", "ACT-5");
}

#[test]
fn ou_depth_and_emptiness_are_enforced() {
    let mut lab = Lab::from(builder().ou("A/B/C/D/E"));
    let deepest = lab.ou("A/B/C/D/E");
    lab.call(MGMT, US, json!({"Operation": "CreateOrganizationalUnit", "ParentId": deepest, "Name": "F"}))
        .err("ConstraintViolationException", "ORG-2");
    let prod = lab.ou("Workloads/Prod");
    lab.call(MGMT, US, json!({"Operation": "DeleteOrganizationalUnit", "OrganizationalUnitId": prod}))
        .err("OrganizationalUnitNotEmptyException", "ORG-3");
    let e = lab.ou("A/B/C/D/E");
    lab.call(MGMT, US, json!({"Operation": "DeleteOrganizationalUnit", "OrganizationalUnitId": e}))
        .ok()
        .has("ORG-3", &format!("OU {e} (A/B/C/D/E) deleted"));
    let root = lab.root();
    let created =
        lab.call(MGMT, US, json!({"Operation": "CreateOrganizationalUnit", "ParentId": root, "Name": "Sandbox"}));
    created.ok().has("ORG-1", "OU Sandbox created under Root");
    assert!(crate::model::ids::is_ou_id_shape(created.response()["OrganizationalUnit"]["Id"].as_str().unwrap()));
}

#[test]
fn the_management_account_and_the_delegated_administrator_cannot_leave() {
    let mut lab = Lab::new();
    lab.call(MGMT, US, json!({"Operation": "LeaveOrganization"}))
        .err("MasterCannotLeaveOrganizationException", "ORG-7");
    lab.call(MGMT, US, json!({"Operation": "CloseAccount", "AccountId": MGMT}))
        .err("ConstraintViolationException", "ORG-7");
    lab.designate(US);
    lab.call(MGMT, US, json!({"Operation": "RemoveAccountFromOrganization", "AccountId": DA}))
        .err("ConstraintViolationException", "ORG-8");
    lab.call(DA, US, json!({"Operation": "LeaveOrganization"})).err("ConstraintViolationException", "ORG-8");
}

#[test]
fn a_created_account_joins_under_the_root_and_is_auto_enabled() {
    let mut lab = Lab::new();
    lab.designate(US);
    lab.run(DA, US, json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": true})).ok().has(
        "LOCAL-1",
        "us-east-1: organization configuration LOCAL ENABLED AutoEnable=true AutoEnableStandards=DEFAULT",
    );
    let seen = lab.run(MGMT, US, json!({"Operation": "CreateAccount", "Email": "new@example.com", "AccountName": "new", "AccountId": "777777777777"}));
    seen.ok()
        .has("ORG-6", "account 777777777777 joined the organization under Root (created)")
        .has("MEMBER-5", "777777777777 us-east-1: Security Hub enabled")
        .has("STD-2", "777777777777 us-east-1: standards aws-foundational-security-best-practices/v/1.0.0, cis-aws-foundations-benchmark/v/1.2.0 PENDING")
        .has("LOCAL-3", "us-east-1: 777777777777 member of 222222222222: Enabled (ORGANIZATION)")
        .lacks("777777777777 eu-west-1");
    // LOCAL-1: existing accounts are not affected.
    assert_eq!(lab.status(DA, PROD, US), None);
    // An account created less than four days ago cannot leave yet.
    lab.call("777777777777", US, json!({"Operation": "LeaveOrganization"}))
        .err("ConstraintViolationException", "LIFE-2");
}

#[test]
fn auto_enable_skips_the_management_account_suspended_and_other_admins_members() {
    let mut lab = Lab::from(builder().standalone(id("888888888888")).standalone(id("999999999999")));
    lab.designate(US);
    lab.run(DA, US, json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": true})).ok();
    // 999999999999 is an invitation member of standalone 888888888888 before it joins.
    lab.run("888888888888", US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.run("999999999999", US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.run(
        "888888888888",
        US,
        json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": "999999999999"}]}),
    )
    .ok();
    let invite = lab.run("888888888888", US, json!({"Operation": "InviteMembers", "AccountIds": ["999999999999"]}));
    invite.ok().has("INV-2", "us-east-1: 999999999999 member of 888888888888: Invited (INVITATION)");
    let invitation = lab
        .world
        .record(lab.idx("888888888888"), lab.idx("999999999999"), RegionIdx(0))
        .unwrap()
        .invitation_id()
        .unwrap()
        .to_string();
    lab.run("999999999999", US, json!({"Operation": "AcceptAdministratorInvitation", "AdministratorId": "888888888888", "InvitationId": &*invitation}))
        .ok()
        .has("MEMBER-14", "us-east-1: 999999999999 member of 888888888888: Enabled (INVITATION)");
    let handshake = lab.run(
        MGMT,
        US,
        json!({"Operation": "InviteAccountToOrganization", "Target": {"Id": "999999999999", "Type": "ACCOUNT"}}),
    );
    let handshake_id = handshake.response()["Handshake"]["Id"].as_str().unwrap().to_string();
    let joined = lab.run("999999999999", US, json!({"Operation": "AcceptHandshake", "HandshakeId": handshake_id}));
    joined.ok().has("ORG-6", "account 999999999999 joined the organization under Root (invited)");
    let auto = joined
        .work
        .iter()
        .find(|o| o.result.as_ref().is_ok_and(|v| v.get("Reason").is_some()))
        .expect("a skipped auto-enable");
    assert_eq!(auto.result.as_ref().unwrap()["Reason"], "MEMBER_OF_OTHER_ADMIN");
    assert_eq!(lab.status("888888888888", "999999999999", US), Some((MemberStatus::Enabled, MemberType::Invitation)));
}

#[test]
fn moving_an_account_reapplies_its_new_effective_policy() {
    let mut lab = Lab::new();
    lab.central();
    let strict = lab.create_policy("strict", true);
    let off = lab.create_policy("off", false);
    lab.associate(&strict, json!({"OrganizationalUnitId": lab.ou("Workloads/Prod")})).ok();
    assert!(lab.hub(PROD, EU));
    lab.associate(&off, json!({"OrganizationalUnitId": lab.ou("Workloads/Dev")})).ok();
    let prod_ou = lab.ou("Workloads/Prod");
    let dev_ou = lab.ou("Workloads/Dev");
    let moved = lab.run(MGMT, US, json!({"Operation": "MoveAccount", "AccountId": PROD, "SourceParentId": prod_ou, "DestinationParentId": dev_ou}));
    moved
        .ok()
        .has("ORG-1", "account 333333333333 moved from Workloads/Prod to Workloads/Dev")
        .has("LIFE-5", "333333333333 us-east-1: policy off PENDING")
        .has("ASSOC-10", "333333333333 eu-west-1: Security Hub disabled")
        .has("MEMBER-8", "eu-west-1: record of 333333333333 under 222222222222 purged (was Enabled)");
    assert!(!lab.hub(PROD, EU) && !lab.hub(PROD, US));
}

#[test]
fn leaving_marks_organization_records_removed_and_keeps_settings() {
    let mut lab = Lab::new();
    lab.designate(US);
    lab.run(DA, US, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": PROD}]}))
        .ok()
        .has("MEMBER-2", "us-east-1: 333333333333 member of 222222222222: Enabled (ORGANIZATION)");
    lab.run(MGMT, US, json!({"Operation": "RemoveAccountFromOrganization", "AccountId": PROD}))
        .ok()
        .has("LIFE-2", "us-east-1: 333333333333 member of 222222222222: Removed (ORGANIZATION)")
        .has("LIFE-2", "account 333333333333 left the organization");
    assert!(lab.hub(PROD, US), "LIFE-2: the account keeps its hub");
    // LIFE-2 step 3: the administrator may now invite it; the Removed record is replaced.
    lab.run(DA, US, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": PROD}]}))
        .ok()
        .has("LIFE-2", "us-east-1: record of 333333333333 under 222222222222 purged (was Removed)")
        .has("MEMBER-8", "us-east-1: 333333333333 member of 222222222222: Created (INVITATION)");
}

#[test]
fn closing_an_account_suspends_it_purges_its_membership_and_it_departs_after_90_days() {
    let mut lab = Lab::new();
    lab.designate(US);
    lab.run(DA, US, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": PROD}]})).ok();
    let closed = lab.run(MGMT, US, json!({"Operation": "CloseAccount", "AccountId": PROD}));
    closed
        .ok()
        .has("ORG-5", "account 333333333333 state PENDING_CLOSURE")
        .has("LIFE-4", "account 333333333333 state SUSPENDED")
        .has("LIFE-4", "us-east-1: record of 333333333333 under 222222222222 purged (was Enabled)")
        .has("TIME-9", "account 333333333333 state CLOSED")
        .has("LIFE-4", "account 333333333333 left the organization");
    lab.call(MGMT, US, json!({"Operation": "CloseAccount", "AccountId": DEV})).ok();
    lab.call(MGMT, US, json!({"Operation": "CloseAccount", "AccountId": DEV}))
        .err("AccountAlreadyClosedException", "ORG-5");
}

#[test]
fn closing_the_administrator_removes_it_everywhere() {
    let mut lab = Lab::new();
    lab.designate(US);
    lab.designate(EU);
    lab.run(MGMT, US, json!({"Operation": "CloseAccount", "AccountId": DA}))
        .ok()
        .has("LIFE-4", "222222222222 deregistered as delegated administrator for securityhub.amazonaws.com")
        .has("LIFE-4", "us-east-1: administrator 222222222222 removed")
        .has("LIFE-4", "eu-west-1: administrator 222222222222 removed");
}

#[test]
fn close_account_quota_is_rolling_30_days() {
    let mut b = builder();
    for n in 0..251u64 {
        b = b.account_under_root(AccountId::from_number(700_000_000_000 + n).unwrap());
    }
    let mut lab = Lab::from(b);
    for n in 0..250u64 {
        lab.call(MGMT, US, json!({"Operation": "CloseAccount", "AccountId": format!("{}", 700_000_000_000 + n)})).ok();
    }
    lab.call(MGMT, US, json!({"Operation": "CloseAccount", "AccountId": "700000000250"}))
        .err("ConstraintViolationException", "QUOTA-12");
}

#[test]
fn account_limit_is_enforced() {
    let mut lab = Lab::from(builder().max_accounts(4));
    lab.call(MGMT, US, json!({"Operation": "CreateAccount", "Email": "x@example.com", "AccountName": "x"}))
        .err("ConstraintViolationException", "QUOTA-11");
}

#[test]
fn opt_in_regions_take_time_and_gate_security_hub() {
    let mut lab = Lab::new();
    lab.call(PROD, AF, json!({"Operation": "EnableSecurityHub"})).err("RegionNotEnabledForAccount", "REG-4");
    lab.call(PROD, US, json!({"Operation": "EnableRegion", "RegionName": "us-east-1"}))
        .err("ValidationException", "REG-1");
    lab.call(PROD, US, json!({"Operation": "EnableRegion", "AccountId": DEV, "RegionName": AF}))
        .err("AccessDeniedException", "REG-3");
    let enabling = lab.call(MGMT, US, json!({"Operation": "EnableRegion", "AccountId": PROD, "RegionName": AF}));
    enabling.ok().has("REG-1", "333333333333 af-south-1: opt-in status ENABLING");
    lab.call(PROD, AF, json!({"Operation": "EnableSecurityHub"})).err("RegionNotEnabledForAccount", "REG-4");
    lab.settle().has("REG-1", "333333333333 af-south-1: opt-in status ENABLED");
    lab.run(PROD, AF, json!({"Operation": "EnableSecurityHub"})).ok();
    // LIFE-7 step 2: disabling the Region treats the hub as disabled.
    lab.run(PROD, US, json!({"Operation": "DisableRegion", "RegionName": AF}))
        .ok()
        .has("LIFE-7", "333333333333 af-south-1: Security Hub disabled");
    let status = lab.call(PROD, US, json!({"Operation": "GetRegionOptStatus", "RegionName": AF}));
    assert_eq!(status.response()["RegionOptStatus"], "DISABLED");
}

// ---- hub, standards, controls ----------------------------------------------------------------------

#[test]
fn enabling_a_hub_subscribes_default_standards_and_twice_conflicts() {
    let mut lab = Lab::new();
    lab.call(PROD, US, json!({"Operation": "DescribeHub"})).err("InvalidAccessException", "ERR-3");
    let seen = lab.run(PROD, US, json!({"Operation": "EnableSecurityHub"}));
    seen.ok()
        .has("HUB-1", "333333333333 us-east-1: Security Hub enabled")
        .has("STD-2", "333333333333 us-east-1: standards aws-foundational-security-best-practices/v/1.0.0, cis-aws-foundations-benchmark/v/1.2.0 READY");
    lab.call(PROD, US, json!({"Operation": "EnableSecurityHub"})).err("ResourceConflictException", "HUB-1");
    lab.run(DEV, US, json!({"Operation": "EnableSecurityHub", "EnableDefaultStandards": false}))
        .ok()
        .lacks("standards");
    let hub = lab.call(PROD, US, json!({"Operation": "DescribeHub"}));
    assert_eq!(hub.response()["ControlFindingGenerator"], "SECURITY_CONTROL");
    assert_eq!(hub.response()["AutoEnableControls"], true);
}

#[test]
fn standards_without_a_config_recorder_end_incomplete() {
    let us = Region::parse(US).unwrap();
    let mut lab = Lab::from(builder().config_recording_off(id(PROD), us));
    lab.run(PROD, US, json!({"Operation": "EnableSecurityHub"}))
        .ok()
        .has("STD-2", "333333333333 us-east-1: standards aws-foundational-security-best-practices/v/1.0.0, cis-aws-foundations-benchmark/v/1.2.0 INCOMPLETE");
    lab.run(PROD, US, json!({"Operation": "StartConfigurationRecorder"}))
        .ok()
        .has("POLICY-9", "333333333333 us-east-1: AWS Config recording on");
}

#[test]
fn standards_batches_and_control_updates() {
    let mut lab = Lab::new();
    lab.call(PROD, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.call(PROD, US, json!({"Operation": "UpdateStandardsControl",
        "StandardsControlArn": "arn:aws:securityhub:us-east-1:333333333333:control/aws-foundational-security-best-practices/v/1.0.0/IAM.1",
        "ControlStatus": "DISABLED", "DisabledReason": "not used"}))
        .err("ResourceNotFoundException", "CTRL-2");
    lab.settle();
    lab.call(PROD, US, json!({"Operation": "UpdateStandardsControl",
        "StandardsControlArn": "arn:aws:securityhub:us-east-1:333333333333:control/aws-foundational-security-best-practices/v/1.0.0/IAM.1",
        "ControlStatus": "DISABLED"}))
        .err("InvalidInputException", "ERR-2");
    lab.call(PROD, US, json!({"Operation": "UpdateStandardsControl",
        "StandardsControlArn": "arn:aws:securityhub:us-east-1:333333333333:control/aws-foundational-security-best-practices/v/1.0.0/IAM.1",
        "ControlStatus": "DISABLED", "DisabledReason": "not used"}))
        .ok()
        .has("CTRL-1", "333333333333 us-east-1: disabled controls = IAM.1");
    lab.call(PROD, US, json!({"Operation": "BatchEnableStandards", "StandardsSubscriptionRequests": []}))
        .err("InvalidInputException", "STD-3");
    lab.run(PROD, US, json!({"Operation": "BatchEnableStandards", "StandardsSubscriptionRequests": [{"StandardsArn": "arn:aws:securityhub:us-east-1::standards/nist-800-53/v/5.0.0"}]}))
        .ok()
        .has("STD-2", "333333333333 us-east-1: standards nist-800-53/v/5.0.0 PENDING");
    lab.call(PROD, US, json!({"Operation": "BatchDisableStandards", "StandardsSubscriptionArns": ["arn:aws:securityhub:us-east-1:333333333333:subscription/nist-800-53/v/5.0.0"]}))
        .ok()
        .has("STD-2", "333333333333 us-east-1: standards nist-800-53/v/5.0.0 disabled");
    lab.call(
        PROD,
        US,
        json!({"Operation": "UpdateSecurityControl", "SecurityControlId": "ACM.1",
        "Parameters": {"daysToExpiration": {"ValueType": "CUSTOM", "Value": {"Integer": 7}}}}),
    )
    .err("InvalidInputException", "POLICY-4");
    lab.call(
        PROD,
        US,
        json!({"Operation": "UpdateSecurityControl", "SecurityControlId": "ACM.1",
        "Parameters": {"daysToExpiration": {"ValueType": "CUSTOM", "Value": {"Integer": 60}}}}),
    )
    .ok()
    .has("POLICY-4", "333333333333 us-east-1: custom control parameters = ACM.1.daysToExpiration={\"Integer\":60}");
    let enabled = lab.call(PROD, US, json!({"Operation": "GetEnabledStandards"}));
    assert_eq!(enabled.response()["StandardsSubscriptions"].as_array().unwrap().len(), 2);
}

/// HUB-4: a hub re-enabled within 90 days gets its custom control parameters back with its other
/// settings; a hub turned on again starts from the defaults until then, and a parameter set back
/// to its default leaves nothing custom.
#[test]
fn custom_parameters_come_back_with_a_hub_reenabled_within_90_days() {
    let mut lab = Lab::new();
    let (prod, us) = (lab.idx(PROD), lab.region(US));
    let acm = |value: Value| {
        json!({"Operation": "UpdateSecurityControl", "SecurityControlId": "ACM.1",
            "Parameters": {"daysToExpiration": value}})
    };
    lab.run(PROD, US, json!({"Operation": "EnableSecurityHub", "EnableDefaultStandards": false})).ok();
    lab.call(PROD, US, acm(json!({"ValueType": "CUSTOM", "Value": {"Integer": 60}}))).ok();
    lab.run(PROD, US, json!({"Operation": "DisableSecurityHub"}))
        .ok()
        .has("HUB-4", "333333333333 us-east-1: Security Hub disabled");
    assert!(lab.world.ar(prod, us).params().is_empty(), "kept with the retained hub, not in force");
    lab.run(PROD, US, json!({"Operation": "EnableSecurityHub", "EnableDefaultStandards": false}))
        .ok()
        .has("HUB-4", "333333333333 us-east-1: custom control parameters = ACM.1.daysToExpiration={\"Integer\":60}");
    assert_eq!(lab.world.ar(prod, us).params().len(), 1);
    lab.call(PROD, US, acm(json!({"ValueType": "DEFAULT"}))).ok();
    assert!(lab.world.ar(prod, us).params().is_empty(), "back at the default");
}

#[test]
fn disabling_security_hub_is_refused_for_administrators_and_members() {
    let mut lab = Lab::new();
    lab.call(PROD, US, json!({"Operation": "DisableSecurityHub"})).err("ResourceNotFoundException", "ERR-12");
    lab.designate(US);
    lab.run(DA, US, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": PROD}]})).ok();
    lab.call(DA, US, json!({"Operation": "DisableSecurityHub"})).err("InvalidAccessException", "HUB-3");
    lab.call(PROD, US, json!({"Operation": "DisableSecurityHub"})).err("InvalidAccessException", "HUB-3");
    lab.run(DA, US, json!({"Operation": "DisassociateMembers", "AccountIds": [PROD]}))
        .ok()
        .has("MEMBER-8", "us-east-1: 333333333333 member of 222222222222: Removed (ORGANIZATION)");
    lab.run(PROD, US, json!({"Operation": "DisableSecurityHub"}))
        .ok()
        .has("MEMBER-8", "us-east-1: record of 333333333333 under 222222222222 purged (was Removed)")
        .has("HUB-4", "333333333333 us-east-1: Security Hub disabled");
}

#[test]
fn a_members_generator_follows_its_administrator() {
    let mut lab = Lab::new();
    lab.designate(US);
    lab.run(DA, US, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": PROD}]})).ok();
    lab.call(
        PROD,
        US,
        json!({"Operation": "UpdateSecurityHubConfiguration", "ControlFindingGenerator": "STANDARD_CONTROL"}),
    )
    .err("InvalidInputException", "HUB-2");
    lab.call(
        DA,
        US,
        json!({"Operation": "UpdateSecurityHubConfiguration", "ControlFindingGenerator": "STANDARD_CONTROL"}),
    )
    .ok()
    .has("HUB-2", "333333333333 us-east-1: AutoEnableControls=true ControlFindingGenerator=STANDARD_CONTROL");
    lab.call(PROD, US, json!({"Operation": "UpdateSecurityHubConfiguration", "AutoEnableControls": false}))
        .ok()
        .has("CTRL-4", "333333333333 us-east-1: AutoEnableControls=false ControlFindingGenerator=STANDARD_CONTROL");
}

// ---- administrator designation -----------------------------------------------------------------

#[test]
fn designation_enables_the_admin_hub_registers_it_and_turns_trusted_access_on() {
    let mut lab = Lab::new();
    lab.call(DA, US, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": DA}))
        .err("AccessDeniedException", "ADMIN-1");
    lab.call(OUTSIDE, US, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": DA}))
        .err("AccessDeniedException", "ERR-4");
    lab.call(MGMT, US, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": OUTSIDE}))
        .err("InvalidInputException", "ADMIN-6");
    lab.call(
        MGMT,
        US,
        json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": DA, "Feature": "SecurityHubV2"}),
    )
    .err("InvalidInputException", "Q-20");
    let seen = lab.run(MGMT, US, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": DA}));
    seen.ok()
        .has("TRUST-2", "trusted access for securityhub.amazonaws.com on")
        .has("ADMIN-4", "222222222222 registered as delegated administrator for securityhub.amazonaws.com")
        .has("ADMIN-3", "222222222222 us-east-1: Security Hub enabled")
        .has("ADMIN-2", "us-east-1: Security Hub administrator = 222222222222")
        .has(
            "ORGCFG-1",
            "us-east-1: organization configuration LOCAL ENABLED AutoEnable=false AutoEnableStandards=DEFAULT",
        )
        .lacks("eu-west-1");
    // Idempotent for the same account; ADMIN-9 for a different one.
    lab.call(MGMT, US, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": DA})).ok().lacks("[");
    lab.call(MGMT, US, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": PROD}))
        .err("InvalidInputException", "ADMIN-6");
    // LIFE-8: existing accounts do not become members.
    assert_eq!(lab.status(DA, PROD, US), None);
    let listed = lab.call(MGMT, US, json!({"Operation": "ListOrganizationAdminAccounts"}));
    assert_eq!(listed.response()["AdminAccounts"][0]["Status"], "ENABLED");
    lab.call(MGMT, EU, json!({"Operation": "ListOrganizationAdminAccounts"})).ok();
    lab.call(MGMT, US, json!({"Operation": "ListOrganizationAdminAccounts", "MaxResults": 11}))
        .err("InvalidInputException", "QUOTA-4");
}

#[test]
fn the_management_account_can_be_administrator_only_with_its_hub_on() {
    let mut lab = Lab::new();
    lab.call(MGMT, US, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": MGMT}))
        .err("InvalidInputException", "ADMIN-8");
    lab.run(MGMT, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.run(MGMT, US, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": MGMT}))
        .ok()
        .has("ADMIN-2", "us-east-1: Security Hub administrator = 111111111111")
        .lacks("registered");
    // ADMIN-7 MODEL CHOICE: the API allows the registered DA elsewhere; the console does not.
    lab.run(MGMT, EU, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": DA})).ok();
    lab.run(MGMT, US, json!({"Operation": "EnableSecurityHub"})).err("ResourceConflictException", "HUB-1");
    lab.call(MGMT, EU, json!({"Operation": "DesignateDelegatedAdministrator", "AdminAccountId": PROD}))
        .err("InvalidInputException", "ADMIN-7");
    // ADMIN-14: the management account cannot run central configuration.
    lab.run(MGMT, US, json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "NO_REGIONS"})).ok();
    lab.call(
        MGMT,
        US,
        json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": false, "AutoEnableStandards": "NONE",
        "OrganizationConfiguration": {"ConfigurationType": "CENTRAL"}}),
    )
    .err("InvalidInputException", "ADMIN-14");
}

#[test]
fn removing_the_administrator_in_one_region_dissolves_its_organization_members_there_only() {
    let mut lab = Lab::from(builder().standalone(id("888888888888")));
    lab.designate(US);
    lab.designate(EU);
    lab.run(
        DA,
        US,
        json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": PROD}, {"AccountId": "888888888888"}]}),
    )
    .ok();
    lab.run(DA, EU, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": PROD}]})).ok();
    lab.call(MGMT, US, json!({"Operation": "DisableOrganizationAdminAccount", "AdminAccountId": PROD}))
        .err("InvalidInputException", "ADMIN-10");
    let removal = lab.call(MGMT, US, json!({"Operation": "DisableOrganizationAdminAccount", "AdminAccountId": DA}));
    removal.ok().has("ADMIN-12", "us-east-1: administrator 222222222222 DISABLE_IN_PROGRESS");
    // TIME-6 MODEL CHOICE: reads see the old state, admin-only writes fail.
    lab.call(DA, US, json!({"Operation": "DescribeOrganizationConfiguration"})).ok();
    lab.call(DA, US, json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": true}))
        .err("InvalidAccessException", "ERR-5");
    lab.settle()
        .has("LIFE-9", "us-east-1: record of 333333333333 under 222222222222 purged (was Enabled)")
        .has("ORGCFG-1", "us-east-1: organization configuration deleted")
        .has("ADMIN-12", "us-east-1: administrator 222222222222 removed")
        .lacks("eu-west-1")
        .lacks("888888888888");
    assert_eq!(lab.status(DA, PROD, EU), Some((MemberStatus::Enabled, MemberType::Organization)));
    assert!(lab.world.org.delegated_admin.is_some(), "ADMIN-10a: registration untouched");
    assert!(lab.hub(PROD, US), "LIFE-9: members keep their hub");
}

#[test]
fn deregistering_the_delegated_administrator_removes_it_in_every_region() {
    let mut lab = Lab::new();
    lab.designate(US);
    lab.designate(EU);
    lab.run(DA, EU, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": PROD}]})).ok();
    lab.run(MGMT, US, json!({"Operation": "DeregisterDelegatedAdministrator", "AccountId": DA, "ServicePrincipal": "securityhub.amazonaws.com"}))
        .ok()
        .has("ADMIN-10", "222222222222 deregistered as delegated administrator for securityhub.amazonaws.com")
        .has("LIFE-10", "us-east-1: administrator 222222222222 removed")
        .has("LIFE-9", "eu-west-1: record of 333333333333 under 222222222222 purged (was Enabled)")
        .has("LIFE-10", "eu-west-1: administrator 222222222222 removed");
    lab.call(MGMT, US, json!({"Operation": "DeregisterDelegatedAdministrator", "AccountId": DA, "ServicePrincipal": "securityhub.amazonaws.com"}))
        .err("AccountNotRegisteredException", "ADMIN-10");
    // ADMIN-9 / LIFE-10 step 4: a new DA can now be designated; nothing is inherited.
    lab.run(MGMT, US, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": PROD})).ok();
    assert_eq!(lab.status(PROD, DEV, US), None);
}

#[test]
fn console_removal_removes_everywhere_and_is_refused_under_central_configuration() {
    let mut lab = Lab::new();
    lab.designate(US);
    lab.designate(EU);
    lab.run(MGMT, US, json!({"Operation": "RemoveDelegatedAdministrator", "AdminAccountId": DA}))
        .ok()
        .has("ADMIN-10", "us-east-1: administrator 222222222222 DISABLE_IN_PROGRESS")
        .has("ADMIN-10", "eu-west-1: administrator 222222222222 DISABLE_IN_PROGRESS")
        .has("ADMIN-12", "eu-west-1: administrator 222222222222 removed");
    let mut central = Lab::new();
    central.central();
    central
        .call(MGMT, US, json!({"Operation": "RemoveDelegatedAdministrator", "AdminAccountId": DA}))
        .err("InvalidInputException", "ADMIN-11");
    central
        .call(MGMT, US, json!({"Operation": "DisableOrganizationAdminAccount", "AdminAccountId": DA}))
        .err("InvalidInputException", "ADMIN-11");
}

#[test]
fn the_console_banner_enables_every_organization_account() {
    let mut lab = Lab::new();
    lab.designate(US);
    lab.run(DA, US, json!({"Operation": "EnableAllOrganizationAccounts"}))
        .ok()
        .has("LOCAL-6", "us-east-1: 333333333333 member of 222222222222: Enabled (ORGANIZATION)")
        .has("LOCAL-6", "us-east-1: 444444444444 member of 222222222222: Enabled (ORGANIZATION)")
        .has(
            "LOCAL-6",
            "us-east-1: organization configuration LOCAL ENABLED AutoEnable=true AutoEnableStandards=DEFAULT",
        )
        .lacks("111111111111 member");
}

// ---- members and invitations -----------------------------------------------------------------------

#[test]
fn create_members_reports_each_unprocessed_reason() {
    let mut lab = Lab::from(builder().limits(crate::model::Limits { members_per_admin: 2, ..Default::default() }));
    lab.designate(US);
    lab.aws(json!({"Operation": "SuspendAccount", "AccountId": DEV})).ok();
    let seen = lab.run(
        DA,
        US,
        json!({"Operation": "CreateMembers", "AccountDetails": [
        {"AccountId": DA}, {"AccountId": MGMT}, {"AccountId": DEV}, {"AccountId": PROD}, {"AccountId": PROD},
        {"AccountId": OTHER_ORG}, {"AccountId": OUTSIDE}, {"AccountId": "123456789012"}]}),
    );
    seen.ok().has("HUB-6", "us-east-1: 444444444444 member of 222222222222: AccountSuspended (ORGANIZATION)");
    assert_eq!(
        seen.unprocessed(),
        vec![
            "222222222222 SELF",
            "111111111111 MANAGEMENT_ACCOUNT_HUB_DISABLED",
            "444444444444 ACCOUNT_SUSPENDED",
            "333333333333 ALREADY_MEMBER",
            "555555555555 MEMBER_LIMIT_REACHED",
            "123456789012 NOT_MEMBER",
        ]
    );
    assert_eq!(lab.status(DA, OTHER_ORG, US), Some((MemberStatus::Created, MemberType::Invitation)));
    let config = lab.call(DA, US, json!({"Operation": "DescribeOrganizationConfiguration"}));
    assert_eq!(config.response()["MemberAccountLimitReached"], true, "ORGCFG-4");
    lab.call(DA, US, json!({"Operation": "CreateMembers", "AccountDetails": []}))
        .err("InvalidInputException", "QUOTA-3");
    let too_many: Vec<Value> = (0..51).map(|n| json!({"AccountId": format!("{:012}", 100 + n)})).collect();
    lab.call(DA, US, json!({"Operation": "CreateMembers", "AccountDetails": too_many}))
        .err("InvalidInputException", "QUOTA-3");
    // MEMBER-7: after reactivation the administrator enables it again manually.
    lab.aws(json!({"Operation": "ReactivateAccount", "AccountId": DEV})).ok();
    lab.run(DA, US, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": DEV}]}));
    assert_eq!(lab.status(DA, DEV, US).map(|s| s.0), Some(MemberStatus::AccountSuspended), "limit of 2 reached");
}

#[test]
fn members_cannot_manage_members_and_other_admins_cannot_enrol_org_accounts() {
    let mut lab = Lab::new();
    lab.designate(US);
    lab.run(DA, US, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": PROD}]})).ok();
    lab.call(PROD, US, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": DEV}]}))
        .err("ResourceConflictException", "ERR-6");
    lab.call(PROD, US, json!({"Operation": "ListMembers"})).err("InvalidAccessException", "ERR-6");
    lab.run(DEV, US, json!({"Operation": "EnableSecurityHub"})).ok();
    let seen = lab.run(
        DEV,
        US,
        json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": MGMT}, {"AccountId": PROD}]}),
    );
    assert_eq!(seen.unprocessed(), vec!["111111111111 ORGANIZATION_ACCOUNT", "333333333333 MEMBER_OF_OTHER_ADMIN"]);
    lab.call(PROD, US, json!({"Operation": "DisassociateFromAdministratorAccount"}))
        .err("InvalidInputException", "MEMBER-4");
    let admin = lab.call(PROD, US, json!({"Operation": "GetAdministratorAccount"}));
    assert_eq!(admin.response()["Administrator"]["AccountId"], DA);
    assert!(admin.response()["Administrator"].get("InvitationId").is_none());
    lab.call(DA, US, json!({"Operation": "DeleteMembers", "AccountIds": [PROD]})).ok();
    assert_eq!(
        lab.call(DA, US, json!({"Operation": "DeleteMembers", "AccountIds": [PROD]})).unprocessed(),
        vec!["333333333333 ORGANIZATION_ACCOUNT"]
    );
    let listed = lab.call(DA, US, json!({"Operation": "ListMembers"}));
    assert_eq!(listed.response()["Members"][0]["MemberStatus"], "Enabled");
    lab.call(DA, US, json!({"Operation": "DisassociateMembers", "AccountIds": [DEV]}))
        .err("ResourceNotFoundException", "MEMBER-8");
}

#[test]
fn invitation_lifecycle_follows_the_member_status_table() {
    let mut lab = Lab::new();
    lab.designate(US);
    lab.run(OUTSIDE, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.call(DA, US, json!({"Operation": "InviteMembers", "AccountIds": [OUTSIDE]})).ok();
    assert_eq!(
        lab.call(DA, US, json!({"Operation": "InviteMembers", "AccountIds": [OUTSIDE, PROD]})).unprocessed(),
        vec!["555555555555 NOT_MEMBER", "333333333333 NOT_MEMBER"]
    );
    lab.run(
        DA,
        US,
        json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": OUTSIDE, "Email": "o@example.com"}]}),
    )
    .ok()
    .has("MEMBER-8", "us-east-1: 555555555555 member of 222222222222: Created (INVITATION)");
    lab.run(DA, US, json!({"Operation": "InviteMembers", "AccountIds": [OUTSIDE]})).ok();
    let count = lab.call(OUTSIDE, US, json!({"Operation": "GetInvitationsCount"}));
    assert_eq!(count.response()["InvitationsCount"], 1);
    let listed = lab.call(OUTSIDE, US, json!({"Operation": "ListInvitations"}));
    let invitation = listed.response()["Invitations"][0]["InvitationId"].as_str().unwrap().to_string();
    lab.call(
        OUTSIDE,
        US,
        json!({"Operation": "AcceptAdministratorInvitation", "AdministratorId": DA, "InvitationId": "nope"}),
    )
    .err("ResourceNotFoundException", "ERR-12");
    lab.call(OUTSIDE, US, json!({"Operation": "AcceptInvitation", "MasterId": DA, "InvitationId": invitation})).ok();
    let count = lab.call(OUTSIDE, US, json!({"Operation": "GetInvitationsCount"}));
    assert_eq!(count.response()["InvitationsCount"], 0, "INV-7");
    lab.call(DA, US, json!({"Operation": "DeleteMembers", "AccountIds": [OUTSIDE]})).ok();
    assert_eq!(lab.status(DA, OUTSIDE, US).map(|s| s.0), Some(MemberStatus::Enabled), "INVALID_STATE keeps it");
    lab.run(OUTSIDE, US, json!({"Operation": "DisassociateFromMasterAccount"}))
        .ok()
        .has("MEMBER-8", "us-east-1: 555555555555 member of 222222222222: Resigned (INVITATION)");
    // MEMBER-8: a resigned member can accept the still-valid invitation again.
    lab.run(
        OUTSIDE,
        US,
        json!({"Operation": "AcceptAdministratorInvitation", "AdministratorId": DA, "InvitationId": invitation}),
    )
    .ok();
    lab.run(DA, US, json!({"Operation": "DisassociateMembers", "AccountIds": [OUTSIDE]})).ok();
    lab.run(DA, US, json!({"Operation": "DeleteMembers", "AccountIds": [OUTSIDE]}))
        .ok()
        .has("MEMBER-9", "us-east-1: record of 555555555555 under 222222222222 purged (was Removed)");
}

#[test]
fn invitations_can_be_declined_and_withdrawn() {
    let mut lab = Lab::new();
    lab.run(OUTSIDE, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.run(OTHER_ORG, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.run(OUTSIDE, US, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": OTHER_ORG}]})).ok();
    lab.run(OUTSIDE, US, json!({"Operation": "InviteMembers", "AccountIds": [OTHER_ORG]})).ok();
    lab.run(OUTSIDE, US, json!({"Operation": "DeleteInvitations", "AccountIds": [OTHER_ORG]}))
        .ok()
        .has("Q-5", "us-east-1: 666666666666 member of 555555555555: Created (INVITATION)");
    assert_eq!(
        lab.call(OUTSIDE, US, json!({"Operation": "DeleteInvitations", "AccountIds": [OTHER_ORG]})).unprocessed(),
        vec!["666666666666 NO_INVITATION"]
    );
    lab.run(OUTSIDE, US, json!({"Operation": "InviteMembers", "AccountIds": [OTHER_ORG]})).ok();
    lab.run(OTHER_ORG, US, json!({"Operation": "DeclineInvitations", "AccountIds": [OUTSIDE]}))
        .ok()
        .has("MEMBER-8", "us-east-1: 666666666666 member of 555555555555: Resigned (INVITATION)");
    // INV-4: an administrator (one with a record that counts) cannot accept an invitation.
    lab.run(OUTSIDE, US, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": DA}]})).ok();
    lab.run(OTHER_ORG, US, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": OUTSIDE}]})).ok();
    lab.run(OTHER_ORG, US, json!({"Operation": "InviteMembers", "AccountIds": [OUTSIDE]})).ok();
    let inv = lab
        .world
        .record(lab.idx(OTHER_ORG), lab.idx(OUTSIDE), RegionIdx(0))
        .unwrap()
        .invitation_id()
        .unwrap()
        .to_string();
    lab.call(
        OUTSIDE,
        US,
        json!({"Operation": "AcceptAdministratorInvitation", "AdministratorId": OTHER_ORG, "InvitationId": &*inv}),
    )
    .err("InvalidInputException", "INV-4");
}

#[test]
fn designating_the_invitation_administrator_converts_its_org_members() {
    let mut lab = Lab::new();
    lab.run(DA, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.run(PROD, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.run(OUTSIDE, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.run(
        DA,
        US,
        json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": PROD}, {"AccountId": OUTSIDE}]}),
    )
    .ok();
    lab.run(DA, US, json!({"Operation": "InviteMembers", "AccountIds": [PROD, OUTSIDE]})).ok();
    for member in [PROD, OUTSIDE] {
        let inv =
            lab.world.record(lab.idx(DA), lab.idx(member), RegionIdx(0)).unwrap().invitation_id().unwrap().to_string();
        lab.run(
            member,
            US,
            json!({"Operation": "AcceptAdministratorInvitation", "AdministratorId": DA, "InvitationId": &*inv}),
        )
        .ok();
    }
    lab.run(MGMT, US, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": DA}))
        .ok()
        .has("LIFE-18", "us-east-1: 333333333333 member of 222222222222: Enabled (ORGANIZATION)")
        .lacks("555555555555 member");
}

// ---- finding aggregator and central configuration ------------------------------------------------

#[test]
fn aggregator_rules() {
    let mut lab = Lab::from(builder().opt_in(id(DA), Region::parse(AF).unwrap()));
    lab.call(DA, US, json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "ALL_REGIONS"}))
        .err("InvalidAccessException", "ERR-3");
    lab.run(DA, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.run(DA, AF, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.call(DA, AF, json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "ALL_REGIONS"}))
        .err("InvalidInputException", "REG-5");
    lab.call(
        DA,
        US,
        json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "NO_REGIONS", "Regions": [EU]}),
    )
    .err("InvalidInputException", "AGG-2");
    let created = lab.run(DA, US, json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "ALL_REGIONS_EXCEPT_SPECIFIED", "Regions": [EU]}));
    created.ok().has(
        "AGG-1",
        "finding aggregator of 222222222222: home us-east-1, ALL_REGIONS_EXCEPT_SPECIFIED, linked [af-south-1]",
    );
    let arn = created.response()["FindingAggregatorArn"].as_str().unwrap().to_string();
    lab.call(DA, US, json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "ALL_REGIONS"}))
        .err("InvalidInputException", "AGG-1");
    lab.run(DA, EU, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.call(DA, EU, json!({"Operation": "UpdateFindingAggregator", "FindingAggregatorArn": arn, "RegionLinkingMode": "ALL_REGIONS"}))
        .err("InvalidInputException", "AGG-3");
    lab.call(DA, EU, json!({"Operation": "GetFindingAggregator", "FindingAggregatorArn": arn})).ok();
    lab.call(DA, US, json!({"Operation": "DeleteFindingAggregator", "FindingAggregatorArn": arn}))
        .ok()
        .has("AGG-7", "finding aggregator of 222222222222 deleted");
    // AGG-4: members cannot create one.
    lab.designate(US);
    lab.run(DA, US, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": PROD}]})).ok();
    lab.call(PROD, US, json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "ALL_REGIONS"}))
        .err("InvalidInputException", "AGG-4");
}

#[test]
fn starting_central_configuration_checks_preconditions_and_enrols_hub_accounts() {
    let mut lab = Lab::new();
    lab.designate(US);
    lab.run(PROD, EU, json!({"Operation": "EnableSecurityHub"})).ok();
    let start = json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": false, "AutoEnableStandards": "NONE",
        "OrganizationConfiguration": {"ConfigurationType": "CENTRAL"}});
    lab.call(DA, US, start.clone()).err("InvalidInputException", "AGG-5");
    lab.call(DA, US, json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": true, "OrganizationConfiguration": {"ConfigurationType": "CENTRAL"}}))
        .err("InvalidInputException", "CENTRAL-2");
    lab.run(
        DA,
        US,
        json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "SPECIFIED_REGIONS", "Regions": [EU]}),
    )
    .ok();
    let started = lab.call(DA, US, start.clone());
    started
        .ok()
        .has("CENTRAL-1", "central configuration PENDING (delegated administrator 222222222222, home us-east-1)")
        .has(
            "CENTRAL-3",
            "us-east-1: organization configuration CENTRAL PENDING AutoEnable=false AutoEnableStandards=NONE",
        );
    lab.call(DA, US, start.clone()).err("ResourceConflictException", "CENTRAL-3");
    lab.settle()
        .has("ADMIN-2", "eu-west-1: Security Hub administrator = 222222222222")
        .has("CENTRAL-4", "222222222222 eu-west-1: Security Hub enabled")
        .has(
            "ORGCFG-3",
            "eu-west-1: organization configuration CENTRAL ENABLED AutoEnable=false AutoEnableStandards=NONE",
        )
        .has("CENTRAL-4", "eu-west-1: 333333333333 member of 222222222222: Enabled (ORGANIZATION)")
        .has("CENTRAL-3", "central configuration ENABLED")
        .lacks("222222222222 eu-west-1: standards");
    lab.call(DA, EU, json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": true}))
        .err("InvalidInputException", "ORGCFG-3");
    lab.call(DA, EU, start).err("InvalidInputException", "CENTRAL-7");
    let eu = lab.call(DA, EU, json!({"Operation": "DescribeOrganizationConfiguration"}));
    assert_eq!(eu.response()["OrganizationConfiguration"]["ConfigurationType"], "CENTRAL");
}

#[test]
fn central_start_fails_when_a_linked_region_has_another_administrator() {
    let mut lab = Lab::new();
    lab.designate(US);
    lab.run(MGMT, EU, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.run(MGMT, EU, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": MGMT})).ok();
    lab.run(DA, US, json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "ALL_REGIONS"})).ok();
    lab.run(DA, US, json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": false, "AutoEnableStandards": "NONE",
        "OrganizationConfiguration": {"ConfigurationType": "CENTRAL"}}))
        .ok()
        .has("CENTRAL-3", "central configuration ended: every account keeps its settings")
        .has("CENTRAL-3", "us-east-1: organization configuration LOCAL FAILED AutoEnable=false AutoEnableStandards=DEFAULT (Region eu-west-1 has a different Security Hub administrator, or one being removed)");
}

#[test]
fn central_apis_are_for_the_da_in_the_home_region_only() {
    let mut lab = Lab::new();
    lab.designate(US);
    let create = json!({"Operation": "CreateConfigurationPolicy", "Name": "p", "ConfigurationPolicy": {"SecurityHub": {"ServiceEnabled": false}}});
    lab.call(DA, US, create.clone()).err("AccessDeniedException", "ERR-7");
    lab.central();
    lab.call(PROD, US, create.clone()).err("InvalidAccessException", "ERR-3");
    lab.run(PROD, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.call(PROD, US, create.clone()).err("AccessDeniedException", "ERR-7");
    lab.call(DA, EU, create.clone()).err("AccessDeniedException", "ERR-8");
    lab.call(DA, US, create).ok();
}

#[test]
fn policy_validation() {
    let mut lab = Lab::new();
    lab.central();
    let policy = |hub: Value| json!({"Operation": "CreateConfigurationPolicy", "Name": "p", "ConfigurationPolicy": {"SecurityHub": hub}});
    lab.call(DA, US, json!({"Operation": "CreateConfigurationPolicy", "Name": "p", "ConfigurationPolicy": {}}))
        .err("InvalidInputException", "POLICY-3");
    lab.call(DA, US, policy(json!({"ServiceEnabled": true}))).err("InvalidInputException", "POLICY-3");
    lab.call(DA, US, policy(json!({"ServiceEnabled": true, "SecurityControlsConfiguration": {}})))
        .err("InvalidInputException", "POLICY-3");
    lab.call(DA, US, policy(json!({"ServiceEnabled": true, "EnabledStandardIdentifiers": ["x"], "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": []}})))
        .err("InvalidInputException", "POLICY-3");
    lab.call(DA, US, policy(json!({"ServiceEnabled": true, "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": [],
        "SecurityControlCustomParameters": [{"SecurityControlId": "IAM.7", "Parameters": {"MinimumPasswordLength": {"ValueType": "CUSTOM"}}}]}})))
        .err("InvalidInputException", "POLICY-4");
    lab.call(DA, US, json!({"Operation": "CreateConfigurationPolicy", "Name": "bad name", "ConfigurationPolicy": {"SecurityHub": {"ServiceEnabled": false}}}))
        .err("InvalidInputException", "POLICY-5");
    lab.call(DA, US, policy(json!({"ServiceEnabled": false, "EnabledStandardIdentifiers": ["nist-800-53/v/5.0.0"]})))
        .ok()
        .has("POLICY-1", "policy p stored: ServiceEnabled=false");
    lab.call(DA, US, policy(json!({"ServiceEnabled": false}))).err("ResourceConflictException", "POLICY-5");
    for n in 1..20 {
        lab.call(DA, US, json!({"Operation": "CreateConfigurationPolicy", "Name": format!("p{n}"), "ConfigurationPolicy": {"SecurityHub": {"ServiceEnabled": false}}})).ok();
    }
    lab.call(DA, US, json!({"Operation": "CreateConfigurationPolicy", "Name": "p21", "ConfigurationPolicy": {"SecurityHub": {"ServiceEnabled": false}}}))
        .err("LimitExceededException", "QUOTA-5");
    let listed = lab.call(DA, US, json!({"Operation": "ListConfigurationPolicies"}));
    assert_eq!(listed.response()["ConfigurationPolicySummaries"].as_array().unwrap().len(), 20);
}

#[test]
fn a_root_policy_reaches_every_account_region_and_the_root_status_settles() {
    let mut lab = Lab::new();
    lab.central();
    let policy = lab.create_policy("baseline", true);
    let root = lab.root();
    let seen = lab.associate(&policy, json!({"RootId": root}));
    seen.ok()
        .has("ASSOC-15", "association status of Root: PENDING (8 account-Regions outstanding)")
        .has("ASSOC-10", "333333333333 eu-west-1: policy baseline PENDING")
        .has("ASSOC-10", "333333333333 eu-west-1: Security Hub enabled")
        .has("ASSOC-10", "333333333333 eu-west-1: standards aws-foundational-security-best-practices/v/1.0.0 READY")
        .has("CENTRAL-6", "eu-west-1: 333333333333 member of 222222222222: Enabled (ORGANIZATION)")
        .has("ASSOC-13", "333333333333 eu-west-1: policy baseline SUCCESS")
        .has("ASSOC-12", "111111111111 us-east-1: policy baseline FAILED (The management account must enable Security Hub in this Region before a policy can apply)")
        .has("ASSOC-15", "association status of Root: FAILED")
        .lacks("af-south-1");
    // CTRL-3: global controls stay on in the home Region only.
    let eu_hub = lab.world.hub(lab.idx(PROD), lab.region(EU)).unwrap();
    let us_hub = lab.world.hub(lab.idx(PROD), lab.region(US)).unwrap();
    let iam1 = crate::model::Control::parse("IAM.1").unwrap();
    let ec22 = crate::model::Control::parse("EC2.2").unwrap();
    assert!(eu_hub.disabled_controls.contains(iam1) && !us_hub.disabled_controls.contains(iam1));
    assert!(eu_hub.disabled_controls.contains(ec22) && us_hub.disabled_controls.contains(ec22), "POLICY-2");
    // HUB-5: a centrally managed account cannot change its own configuration.
    lab.call(PROD, EU, json!({"Operation": "DisableSecurityHub"})).err("InvalidAccessException", "HUB-3");
    lab.call(PROD, EU, json!({"Operation": "BatchEnableStandards", "StandardsSubscriptionRequests": [{"StandardsArn": "nist-800-53/v/5.0.0"}]}))
        .err("AccessDeniedException", "HUB-5");
    lab.call(PROD, EU, json!({"Operation": "DescribeHub"})).ok();
    let assoc =
        lab.call(DA, US, json!({"Operation": "GetConfigurationPolicyAssociation", "Target": {"AccountId": PROD}}));
    assert_eq!(assoc.response()["AssociationType"], "INHERITED");
    assert_eq!(assoc.response()["AssociationStatus"], "SUCCESS");
    let root_assoc =
        lab.call(DA, US, json!({"Operation": "GetConfigurationPolicyAssociation", "Target": {"RootId": root}}));
    assert_eq!(root_assoc.response()["AssociationStatus"], "FAILED");
    lab.call(DA, US, json!({"Operation": "DeleteConfigurationPolicy", "Identifier": policy}))
        .err("ResourceConflictException", "POLICY-12");
}

#[test]
fn application_beats_inheritance_and_self_managed_is_inherited() {
    let mut lab = Lab::new();
    lab.central();
    let on = lab.create_policy("on", true);
    let off = lab.create_policy("off", false);
    lab.associate(&on, json!({"RootId": lab.root()})).ok();
    lab.associate("SELF_MANAGED_SECURITY_HUB", json!({"OrganizationalUnitId": lab.ou("Workloads")}))
        .ok()
        .has("ASSOC-6", "333333333333 us-east-1: SELF_MANAGED_SECURITY_HUB SUCCESS");
    assert!(lab.hub(PROD, US), "ASSOC-6: settings stay in place");
    assert!(!lab.world.is_centrally_managed(lab.idx(PROD), RegionIdx(0)));
    lab.associate(&off, json!({"AccountId": PROD}))
        .ok()
        .has("ASSOC-10", "333333333333 us-east-1: Security Hub disabled");
    lab.call(DA, US, json!({"Operation": "StartConfigurationPolicyAssociation", "ConfigurationPolicyIdentifier": off, "Target": {"AccountId": DA}}))
        .err("InvalidInputException", "ASSOC-11");
    // ASSOC-11: inherited, a disabling policy skips the DA.
    lab.associate(&off, json!({"OrganizationalUnitId": lab.ou("Security")}))
        .ok()
        .lacks("222222222222 us-east-1: Security Hub disabled");
    // ASSOC-8: only the applied value can be removed; the account then inherits again.
    lab.call(DA, US, json!({"Operation": "StartConfigurationPolicyDisassociation", "ConfigurationPolicyIdentifier": on, "Target": {"AccountId": PROD}}))
        .err("ResourceNotFoundException", "ASSOC-8");
    lab.run(DA, US, json!({"Operation": "StartConfigurationPolicyDisassociation", "ConfigurationPolicyIdentifier": off, "Target": {"AccountId": PROD}}))
        .ok()
        .has("ASSOC-8", "association removed from account 333333333333")
        .has("ASSOC-6", "333333333333 us-east-1: SELF_MANAGED_SECURITY_HUB SUCCESS");
    lab.call(DA, US, json!({"Operation": "StartConfigurationPolicyAssociation", "ConfigurationPolicyIdentifier": on, "Target": {"AccountId": OUTSIDE}}))
        .err("InvalidInputException", "ASSOC-19");
    lab.call(DA, US, json!({"Operation": "StartConfigurationPolicyAssociation", "ConfigurationPolicyIdentifier": on, "Target": {"AccountId": PROD, "RootId": lab.root()}}))
        .err("InvalidInputException", "ASSOC-1");
    lab.call(DA, US, json!({"Operation": "GetConfigurationPolicyAssociation", "Target": {"OrganizationalUnitId": "ou-zzzz-zzzzzzzz"}}))
        .err("ResourceNotFoundException", "ERR-12");
}

#[test]
fn unassociated_accounts_report_no_association() {
    let mut lab = Lab::new();
    lab.central();
    lab.call(DA, US, json!({"Operation": "GetConfigurationPolicyAssociation", "Target": {"AccountId": PROD}}))
        .err("ResourceNotFoundException", "ASSOC-3");
    let policy = lab.create_policy("p", true);
    lab.associate(&policy, json!({"AccountId": PROD})).ok();
    let batch = lab.call(DA, US, json!({"Operation": "BatchGetConfigurationPolicyAssociations",
        "ConfigurationPolicyAssociationIdentifiers": [{"Target": {"AccountId": PROD}}, {"Target": {"AccountId": DEV}}]}));
    assert_eq!(batch.response()["ConfigurationPolicyAssociations"].as_array().unwrap().len(), 1);
    assert_eq!(batch.response()["UnprocessedConfigurationPolicyAssociations"][0]["ErrorCode"], "404");
    let list = lab.call(
        DA,
        US,
        json!({"Operation": "ListConfigurationPolicyAssociations", "Filters": {"AssociationType": "APPLIED"}}),
    );
    assert_eq!(list.response()["ConfigurationPolicyAssociationSummaries"].as_array().unwrap().len(), 1);
}

#[test]
fn updating_a_policy_reapplies_it_and_stopping_requires_a_clean_slate() {
    let mut lab = Lab::new();
    lab.central();
    let policy = lab.create_policy("p", true);
    lab.associate(&policy, json!({"OrganizationalUnitId": lab.ou("Workloads/Prod")})).ok();
    lab.run(DA, US, json!({"Operation": "UpdateConfigurationPolicy", "Identifier": policy, "ConfigurationPolicy": {"SecurityHub": {
        "ServiceEnabled": true, "EnabledStandardIdentifiers": ["nist-800-53/v/5.0.0"], "SecurityControlsConfiguration": {"EnabledSecurityControlIdentifiers": ["S3.1"]}}}}))
        .ok()
        .has("POLICY-7", "policy p stored: ServiceEnabled=true, standards [nist-800-53/v/5.0.0]")
        .has("ASSOC-17", "333333333333 us-east-1: policy p PENDING")
        .has("POLICY-10", "333333333333 us-east-1: standards aws-foundational-security-best-practices/v/1.0.0 disabled")
        .has("ASSOC-10", "333333333333 us-east-1: standards nist-800-53/v/5.0.0 READY");
    let stop = json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": true, "OrganizationConfiguration": {"ConfigurationType": "LOCAL"}});
    lab.call(DA, US, stop.clone()).err("ResourceConflictException", "CENTRAL-8");
    lab.run(DA, US, json!({"Operation": "StartConfigurationPolicyDisassociation", "ConfigurationPolicyIdentifier": policy, "Target": {"OrganizationalUnitId": lab.ou("Workloads/Prod")}}))
        .ok()
        .has("ASSOC-5", "333333333333 us-east-1: association cleared (settings kept)");
    lab.run(DA, US, json!({"Operation": "DeleteConfigurationPolicy", "Identifier": policy}))
        .ok()
        .has("POLICY-12", "policy p deleted");
    lab.run(DA, US, stop)
        .ok()
        .has(
            "LIFE-14",
            "eu-west-1: organization configuration LOCAL ENABLED AutoEnable=false AutoEnableStandards=DEFAULT",
        )
        .has("LIFE-14", "central configuration ended: every account keeps its settings")
        .has(
            "CENTRAL-8",
            "us-east-1: organization configuration LOCAL ENABLED AutoEnable=true AutoEnableStandards=DEFAULT",
        );
    assert!(lab.hub(PROD, EU), "POLICY-11: nothing reverted");
}

#[test]
fn deleting_the_home_aggregator_ends_central_configuration() {
    let mut lab = Lab::new();
    lab.central();
    let policy = lab.create_policy("p", true);
    lab.associate(&policy, json!({"RootId": lab.root()})).ok();
    let arn = lab.world.aggregators.values().next().unwrap().arn.to_string();
    lab.run(DA, US, json!({"Operation": "DeleteFindingAggregator", "FindingAggregatorArn": arn}))
        .ok()
        .has("CENTRAL-9", &format!("association removed from {} (Root)", lab.root()))
        .has("CENTRAL-9", "policy p deleted")
        .has("LIFE-11", "central configuration ended: every account keeps its settings");
    assert!(lab.hub(PROD, EU));
}

#[test]
fn linking_a_region_under_central_configuration_extends_policies() {
    let mut lab = Lab::from(builder().ou("Empty"));
    lab.run(MGMT, US, json!({"Operation": "EnableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}));
    lab.designate(US);
    let agg = lab.run(DA, US, json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "NO_REGIONS"}));
    let arn = agg.response()["FindingAggregatorArn"].as_str().unwrap().to_string();
    lab.run(
        DA,
        US,
        json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": false, "AutoEnableStandards": "NONE",
        "OrganizationConfiguration": {"ConfigurationType": "CENTRAL"}}),
    )
    .ok();
    let policy = lab.create_policy("p", true);
    lab.associate(&policy, json!({"OrganizationalUnitId": lab.ou("Workloads")})).ok();
    assert!(!lab.hub(PROD, EU));
    lab.run(DA, US, json!({"Operation": "UpdateFindingAggregator", "FindingAggregatorArn": arn, "RegionLinkingMode": "SPECIFIED_REGIONS", "Regions": [EU]}))
        .ok()
        .has("ADMIN-2", "eu-west-1: Security Hub administrator = 222222222222")
        .has("AGG-6", "333333333333 eu-west-1: policy p PENDING")
        .has("ASSOC-13", "444444444444 eu-west-1: policy p SUCCESS");
    lab.run(
        DA,
        US,
        json!({"Operation": "UpdateFindingAggregator", "FindingAggregatorArn": arn, "RegionLinkingMode": "NO_REGIONS"}),
    )
    .ok()
    .has("AGG-6", "333333333333 eu-west-1: association cleared (settings kept)");
    assert!(lab.hub(PROD, EU));
    // An empty OU's association settles at once (ASSOC-15 MODEL CHOICE).
    lab.associate(&policy, json!({"OrganizationalUnitId": lab.ou("Empty")}))
        .ok()
        .has("ASSOC-15", "association status of Empty: SUCCESS");
}

#[test]
fn policies_fail_in_opt_in_regions_and_for_suspended_or_foreign_member_accounts() {
    let af = Region::parse(AF).unwrap();
    let mut lab = Lab::from(builder().opt_in(id(DA), af));
    lab.run(MGMT, US, json!({"Operation": "EnableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}));
    lab.designate(US);
    lab.run(DA, US, json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "ALL_REGIONS"})).ok();
    lab.run(
        DA,
        US,
        json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": false, "AutoEnableStandards": "NONE",
        "OrganizationConfiguration": {"ConfigurationType": "CENTRAL"}}),
    )
    .ok();
    lab.aws(json!({"Operation": "SuspendAccount", "AccountId": DEV})).ok();
    lab.run(PROD, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.run(OTHER_ORG, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.run(PROD, US, json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": OTHER_ORG}]})).ok();
    let policy = lab.create_policy("p", true);
    let seen = lab.associate(&policy, json!({"OrganizationalUnitId": lab.ou("Workloads")}));
    seen.ok()
        .has("ASSOC-16", "333333333333 af-south-1: policy p FAILED (Opt-in Region af-south-1 is not enabled for the account or the delegated administrator)")
        .has("ASSOC-16", "333333333333 us-east-1: policy p FAILED (The account has invitation members of its own that belong to another organization)")
        .has("LIFE-3", "444444444444 us-east-1: policy p FAILED (The account is suspended)");
    // LIFE-7: enabling the Region retries automatically.
    lab.run(PROD, US, json!({"Operation": "EnableRegion", "RegionName": AF}))
        .ok()
        .has("LIFE-7", "333333333333 af-south-1: policy p PENDING")
        .has("ASSOC-13", "333333333333 af-south-1: policy p SUCCESS");
}

#[test]
fn a_policy_fails_where_aws_config_is_not_recording() {
    let mut lab = Lab::from(builder().config_recording_off(id(PROD), Region::parse(EU).unwrap()));
    lab.central();
    let policy = lab.create_policy("p", true);
    lab.associate(&policy, json!({"AccountId": PROD}))
        .ok()
        .has("ASSOC-10", "333333333333 eu-west-1: standards aws-foundational-security-best-practices/v/1.0.0 INCOMPLETE")
        .has("ASSOC-16", "333333333333 eu-west-1: policy p FAILED (AWS Config is not recording in this Region; enabled standards cannot generate findings)");
}

#[test]
fn the_member_limit_fails_policy_enrolment() {
    let mut lab = Lab::from(builder().limits(crate::model::Limits { members_per_admin: 1, ..Default::default() }));
    lab.central();
    let policy = lab.create_policy("p", true);
    lab.associate(&policy, json!({"OrganizationalUnitId": lab.ou("Workloads")}))
        .ok()
        .has("CENTRAL-6", "us-east-1: 333333333333 member of 222222222222: Enabled (ORGANIZATION)")
        .has("LIFE-16", "444444444444 us-east-1: policy p FAILED (The delegated administrator has reached its member limit (QUOTA-1))");
}

#[test]
fn a_new_account_under_a_root_policy_is_configured_by_central_configuration() {
    let mut lab = Lab::new();
    lab.central();
    let policy = lab.create_policy("p", true);
    lab.associate(&policy, json!({"RootId": lab.root()})).ok();
    lab.run(MGMT, US, json!({"Operation": "CreateAccount", "Email": "n@example.com", "AccountName": "n", "AccountId": "777777777777"}))
        .ok()
        .has("LIFE-1", "777777777777 eu-west-1: policy p PENDING")
        .has("CENTRAL-6", "eu-west-1: 777777777777 member of 222222222222: Enabled (ORGANIZATION)");
}

// ---- cascades: trusted access, deregistration under central configuration ------------------------

/// Golden: the exact effects of disabling trusted access in a 3-account, 2-Region organization
/// under central configuration with a root policy.
#[test]
fn golden_disabling_trusted_access_under_central_configuration() {
    let regions = [US, EU].iter().map(|r| Region::parse(r).unwrap()).collect();
    let mut lab = Lab::from(
        WorldBuilder::new(regions, id(MGMT)).account_in(id(DA), "Security").account_in(id(PROD), "Workloads"),
    );
    lab.central();
    let policy = lab.create_policy("baseline", true);
    lab.associate(&policy, json!({"RootId": lab.root()})).ok();
    let seen = lab.run(
        MGMT,
        US,
        json!({"Operation": "DisableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}),
    );
    let root = lab.root();
    let expected = format!(
        "ok
  [TRUST-3] trusted access for securityhub.amazonaws.com off
  [TIME-6] us-east-1: administrator 222222222222 DISABLE_IN_PROGRESS
  [TIME-6] eu-west-1: administrator 222222222222 DISABLE_IN_PROGRESS
later CompleteTrustedAccessCleanup
ok
  [CENTRAL-9] association removed from {root} (Root)
  [CENTRAL-9] policy baseline deleted
  [LIFE-12] 111111111111 us-east-1: association cleared (settings kept)
  [LIFE-12] 111111111111 eu-west-1: association cleared (settings kept)
  [LIFE-12] 222222222222 us-east-1: association cleared (settings kept)
  [LIFE-12] 222222222222 eu-west-1: association cleared (settings kept)
  [LIFE-12] 333333333333 us-east-1: association cleared (settings kept)
  [LIFE-12] 333333333333 eu-west-1: association cleared (settings kept)
  [LIFE-12] us-east-1: organization configuration LOCAL ENABLED AutoEnable=false AutoEnableStandards=DEFAULT
  [LIFE-12] eu-west-1: organization configuration LOCAL ENABLED AutoEnable=false AutoEnableStandards=DEFAULT
  [LIFE-12] central configuration ended: every account keeps its settings
  [LIFE-12] us-east-1: record of 333333333333 under 222222222222 purged (was Enabled)
  [ORGCFG-1] us-east-1: organization configuration deleted
  [LIFE-12] us-east-1: administrator 222222222222 removed
  [LIFE-12] eu-west-1: record of 333333333333 under 222222222222 purged (was Enabled)
  [ORGCFG-1] eu-west-1: organization configuration deleted
  [LIFE-12] eu-west-1: administrator 222222222222 removed
  [LIFE-12] 222222222222 deregistered as delegated administrator for securityhub.amazonaws.com
"
    );
    assert_eq!(seen.text, expected);
    assert!(lab.hub(PROD, EU) && lab.hub(PROD, US), "LIFE-12 step 4: members keep their hubs");
    assert!(lab.world.central.applied.is_empty() && lab.world.central.live_policies().next().is_none());
}

#[test]
fn policy_work_overtaken_by_disabling_trusted_access_is_superseded() {
    let mut lab = Lab::new();
    lab.central();
    let policy = lab.create_policy("p", true);
    let seen = lab.associate(&policy, json!({"RootId": lab.root()}));
    drop(seen);
    // Re-associate without running the work, then disable trusted access before it runs.
    lab.call(DA, US, json!({"Operation": "StartConfigurationPolicyAssociation", "ConfigurationPolicyIdentifier": policy, "Target": {"RootId": lab.root()}})).ok();
    lab.call(
        MGMT,
        US,
        json!({"Operation": "DisableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}),
    )
    .ok();
    let rest = lab.settle();
    let superseded =
        rest.work.iter().filter(|o| o.result.as_ref().is_ok_and(|v| v.get("Superseded").is_some())).count();
    assert_eq!(superseded, 8, "every pending account-Region is superseded:\n{}", rest.text);
    for account in lab.world.account_indices() {
        for region in lab.world.regions.indices() {
            assert_eq!(lab.world.ar(account, region).association().status, None::<AssocStatus>);
        }
    }
}

#[test]
fn deregistering_the_da_under_central_configuration_stops_it_and_keeps_settings() {
    let mut lab = Lab::new();
    lab.central();
    let policy = lab.create_policy("p", true);
    lab.associate(&policy, json!({"RootId": lab.root()})).ok();
    lab.run(MGMT, US, json!({"Operation": "DeregisterDelegatedAdministrator", "AccountId": DA, "ServicePrincipal": "securityhub.amazonaws.com"}))
        .ok()
        .has("CENTRAL-9", "policy p deleted")
        .has("LIFE-10", "central configuration ended: every account keeps its settings")
        .has("LIFE-10", "us-east-1: administrator 222222222222 removed");
    assert!(lab.hub(PROD, EU));
    assert!(lab.world.org.trusted_access, "trusted access stays on");
}

#[test]
fn an_ou_deleted_with_an_association_loses_it() {
    let mut lab = Lab::from(builder().ou("Empty"));
    lab.central();
    let policy = lab.create_policy("p", true);
    let empty = lab.ou("Empty");
    lab.associate(&policy, json!({"OrganizationalUnitId": empty})).ok();
    lab.run(MGMT, US, json!({"Operation": "DeleteOrganizationalUnit", "OrganizationalUnitId": empty}))
        .ok()
        .has("LIFE-6", &format!("association removed from {empty} (Empty)"));
}

#[test]
fn requests_from_unusable_regions_and_bad_pages_are_refused() {
    let mut lab = Lab::new();
    lab.call(PROD, AF, json!({"Operation": "ListMembers"})).err("RegionNotEnabledForAccount", "REG-4");
    lab.run(PROD, US, json!({"Operation": "EnableSecurityHub"})).ok();
    lab.call(PROD, US, json!({"Operation": "ListMembers", "MaxResults": 0})).err("InvalidInputException", "QUOTA-4");
    lab.call(PROD, US, json!({"Operation": "ListInvitations", "MaxResults": 51}))
        .err("InvalidInputException", "QUOTA-4");
}

#[test]
fn no_call_panics_on_unknown_ids_or_wrong_callers() {
    let mut lab = Lab::new();
    lab.central();
    let unknown = "987654321098";
    let calls = [
        json!({"Operation": "MoveAccount", "AccountId": unknown, "SourceParentId": "r-zzzz", "DestinationParentId": "ou-zz-zzzzzzzz"}),
        json!({"Operation": "AcceptHandshake", "HandshakeId": "h-nothing"}),
        json!({"Operation": "DeleteOrganizationalUnit", "OrganizationalUnitId": lab.root()}),
        json!({"Operation": "GetMembers", "AccountIds": [unknown]}),
        json!({"Operation": "DeclineInvitations", "AccountIds": [unknown]}),
        json!({"Operation": "UpdateConfigurationPolicy", "Identifier": "nope"}),
        json!({"Operation": "StartConfigurationPolicyDisassociation", "ConfigurationPolicyIdentifier": "SELF_MANAGED_SECURITY_HUB", "Target": {"RootId": "r-0000"}}),
        json!({"Operation": "GetFindingAggregator", "FindingAggregatorArn": "arn:nope"}),
        json!({"Operation": "UpdateStandardsControl", "StandardsControlArn": "arn:nope", "ControlStatus": "ENABLED"}),
        json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": unknown}]}),
    ];
    for caller in [MGMT, DA, PROD, OUTSIDE] {
        for region in [US, EU, AF] {
            for call in &calls {
                let _ = lab.call(caller, region, call.clone());
            }
        }
    }
    assert_eq!(
        lab.call(unknown, US, json!({"Operation": "EnableSecurityHub"})).outcome.error_code(),
        Some(ErrorCode::AccessDeniedException)
    );
}

#[test]
fn world_clone_shares_account_region_state() {
    let regions: Vec<Region> = Region::default_enabled().collect();
    let world = WorldBuilder::new(regions, id(MGMT)).generate_in("Workloads", 10_000).build().unwrap();
    let mut copy = world.clone();
    assert_eq!(copy.n_accounts(), 10_001);
    assert!(copy.shares_states_with(&world), "a clone of a built world copies pointers, not states");
    // A write to the copy leaves the original untouched (copy-on-write per account).
    let outcome = apply(
        &mut copy,
        SimTime(1),
        &Call::by(
            AccountId::parse("100000000000").unwrap(),
            RegionIdx(0),
            serde_json::from_value(json!({"Operation": "EnableSecurityHub"})).unwrap(),
        ),
    );
    assert!(outcome.is_ok());
    assert!(copy.hub_enabled(crate::model::AccountIdx(1), RegionIdx(0)));
    assert!(!world.hub_enabled(crate::model::AccountIdx(1), RegionIdx(0)));
    assert_eq!(StandardSet::defaults(), copy.hub(crate::model::AccountIdx(1), RegionIdx(0)).unwrap().standards());
    assert!(!copy.shares_states_with(&world), "the written chunk is the copy's own now");
}
