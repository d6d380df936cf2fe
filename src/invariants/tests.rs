//! Each invariant broken on purpose, in a hand-built world or with a faulty event, and caught.

use serde_json::json;

use super::*;
use crate::model::{
    AccountId, AccountIdx, AccountState, MemberRecord, MemberStatus, MemberType, Region, RegionIdx, RegionSet, SimTime,
    World, WorldBuilder,
};
use crate::rules::{self, Call, Change, Effect, Operation, Outcome, RuleId};
use crate::sim::{EventView, Observer};
use crate::timeline::Origin;

fn id(text: &str) -> AccountId {
    AccountId::parse(text).unwrap()
}

fn world() -> World {
    let regions = vec![Region::parse("us-east-1").unwrap(), Region::parse("eu-west-1").unwrap()];
    WorldBuilder::new(regions, id("111111111111"))
        .account_in(id("222222222222"), "Security")
        .account_in(id("333333333333"), "Workloads")
        .standalone(id("555555555555"))
        .build()
        .unwrap()
}

fn record(admin: AccountIdx, member_type: MemberType, status: MemberStatus) -> MemberRecord {
    MemberRecord { administrator: admin, member_type, status, updated_at: SimTime::ZERO, contact: None }
}

fn caught(checker: &Checker, invariant: Invariant) -> bool {
    checker.violations.iter().any(|v| v.invariant == invariant)
}

fn full(w: &World) -> Checker {
    let mut checker = Checker::new();
    checker.full_check(w, SimTime(1));
    checker
}

/// The effects a simulator recording only a summary lists for `checker`: those it says it reads. A
/// check reading an effect it did not ask for misses it in the tests that feed events through this.
fn listed(checker: &Checker, effects: Vec<Effect>) -> Vec<Effect> {
    let interest = checker.effect_interest();
    effects.into_iter().filter(|e| interest.keeps_effect(e)).collect()
}

/// Feeds one hand-made event to the incremental check, listing what the checker reads.
fn event(w: &World, call: &Call, effects: Vec<Effect>, ok: bool) -> Checker {
    let mut checker = Checker::new();
    let effects = listed(&checker, effects);
    let outcome = Outcome {
        result: if ok {
            Ok(serde_json::Value::Null)
        } else {
            Err(rules::ApiError::new(RuleId::ERR_2, rules::ErrorCode::InvalidInputException, "x"))
        },
        effects,
        follow_ups: vec![],
    };
    checker.after_event(
        w,
        &EventView { number: 1, at: SimTime(1), call, origin: Origin::Step { index: 0 }, outcome: &outcome },
    );
    checker
}

fn op(value: serde_json::Value) -> Operation {
    serde_json::from_value(value).unwrap()
}

/// Applies a call in the first Region, then all its follow-up work, and returns the call's outcome.
fn drive(w: &mut World, now: &mut SimTime, caller: &str, value: serde_json::Value) -> Outcome {
    *now = now.after(crate::model::SimDuration::from_secs(1));
    let outcome = rules::apply(w, *now, &Call::by(id(caller), RegionIdx(0), op(value)));
    assert!(outcome.is_ok(), "{:?}", outcome.result);
    let mut queue: Vec<_> = outcome.follow_ups.clone();
    while let Some(f) = queue.pop() {
        queue.extend(rules::apply(w, *now, &f.call()).follow_ups);
    }
    outcome
}

/// Designates the DA, gives it an ALL_REGIONS aggregator and turns central configuration on.
fn start_central(w: &mut World, now: &mut SimTime) {
    drive(
        w,
        now,
        "111111111111",
        json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": "222222222222"}),
    );
    drive(w, now, "222222222222", json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "ALL_REGIONS"}));
    drive(
        w,
        now,
        "222222222222",
        json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": false, "AutoEnableStandards": "NONE", "OrganizationConfiguration": {"ConfigurationType": "CENTRAL"}}),
    );
}

#[test]
fn a_member_with_two_administrators_is_caught() {
    let mut w = world();
    let (da, member, other) = (AccountIdx(1), AccountIdx(2), AccountIdx(3));
    w.put_record(RegionIdx(0), member, record(da, MemberType::Organization, MemberStatus::Enabled));
    w.put_record(RegionIdx(0), member, record(other, MemberType::Invitation, MemberStatus::Enabled));
    assert!(caught(&full(&w), Invariant::OneAdministratorPerMember));
}

#[test]
fn a_replaced_record_moves_to_the_end_and_the_roster_counts_it_once() {
    let mut w = world();
    let (da, member, other) = (AccountIdx(1), AccountIdx(2), AccountIdx(3));
    w.put_record(RegionIdx(0), member, record(da, MemberType::Organization, MemberStatus::Created));
    w.put_record(RegionIdx(0), member, record(other, MemberType::Invitation, MemberStatus::Invited));
    w.put_record(RegionIdx(0), member, record(da, MemberType::Organization, MemberStatus::Enabled));
    let admins: Vec<_> = w.ar(member, RegionIdx(0)).memberships().map(|r| r.administrator).collect();
    assert_eq!(admins, vec![other, da]);
    let roster = w.roster(da, RegionIdx(0)).expect("da has a roster");
    assert_eq!((roster.total, roster.counted, roster.enabled, roster.invitations), (1, 1, 1, 0));
    let theirs = w.roster(other, RegionIdx(0)).expect("other has a roster");
    assert_eq!((theirs.total, theirs.counted, theirs.invitation_counted, theirs.invitations), (1, 1, 1, 1));
    // An invitation record that no longer counts toward the quota is still an invitation record.
    w.put_record(RegionIdx(0), member, record(other, MemberType::Invitation, MemberStatus::Removed));
    let theirs = w.roster(other, RegionIdx(0)).expect("other has a roster");
    assert_eq!((theirs.total, theirs.counted, theirs.invitation_counted, theirs.invitations), (1, 0, 0, 1));
    // A purge by DeleteMembers leaves MEMBER-9's marker; a new record clears it.
    w.take_record(RegionIdx(0), da, member, true).expect("the record exists");
    assert_eq!(w.ar(member, RegionIdx(0)).deleted_by(), Some(da));
    assert!(w.roster(da, RegionIdx(0)).is_none(), "an empty roster is dropped");
    w.put_record(RegionIdx(0), member, record(da, MemberType::Organization, MemberStatus::Enabled));
    assert_eq!(w.ar(member, RegionIdx(0)).deleted_by(), None);
}

#[test]
fn members_in_several_regions_match_members_of_each() {
    let mut w = world();
    let da = AccountIdx(1);
    for (member, region) in [(0, 0), (2, 0), (2, 1), (3, 1)] {
        w.put_record(
            RegionIdx(region),
            AccountIdx(member),
            record(da, MemberType::Organization, MemberStatus::Enabled),
        );
    }
    let all = RegionSet::EMPTY.with(RegionIdx(0)).with(RegionIdx(1));
    let lists = w.members_in(da, all);
    assert_eq!(lists.len(), 2);
    for (region, list) in lists {
        assert_eq!(list, w.members_of(da, region));
        assert_eq!(list.len(), 2);
    }
    assert!(w.members_in(AccountIdx(2), all).is_empty(), "no roster, no lists");
}

#[test]
fn too_many_members_are_caught() {
    let mut w = world();
    w.limits.members_per_admin = 1;
    w.put_record(RegionIdx(0), AccountIdx(2), record(AccountIdx(1), MemberType::Organization, MemberStatus::Enabled));
    w.put_record(RegionIdx(0), AccountIdx(3), record(AccountIdx(1), MemberType::Invitation, MemberStatus::Created));
    assert!(caught(&full(&w), Invariant::MemberLimit));
}

#[test]
fn the_management_account_enabled_by_someone_else_is_caught() {
    let w = world();
    let call = Call::by(
        id("222222222222"),
        RegionIdx(0),
        op(json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": "111111111111"}]})),
    );
    let effects = vec![Effect {
        rule: RuleId::MEMBER_5,
        change: Change::HubEnabled {
            account: AccountIdx(0),
            region: RegionIdx(0),
            generator: crate::model::ControlFindingGenerator::SecurityControl,
        },
    }];
    assert!(caught(&event(&w, &call, effects, true), Invariant::ManagementNeverAutoEnabled));
}

#[test]
fn a_forbidden_call_that_succeeds_is_caught() {
    let w = world();
    let call = Call::by(
        id("333333333333"),
        RegionIdx(0),
        op(json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": "333333333333"})),
    );
    assert!(caught(&event(&w, &call, vec![], true), Invariant::ForbiddenCallNeverSucceeds));
    assert!(!caught(&event(&w, &call, vec![], false), Invariant::ForbiddenCallNeverSucceeds), "a refusal is fine");
}

#[test]
fn an_administrator_without_trusted_access_is_caught() {
    let mut w = world();
    rules::change::commit(
        &mut w,
        SimTime(0),
        &Change::AdministratorDesignated { region: RegionIdx(0), account: AccountIdx(1) },
    );
    assert!(!w.org.trusted_access);
    assert!(caught(&full(&w), Invariant::NothingWithoutTrustedAccess));
}

#[test]
fn central_configuration_with_another_administrator_in_a_linked_region_is_caught() {
    let mut w = world();
    let mut now = SimTime(0);
    start_central(&mut w, &mut now);
    assert!(full(&w).violations.is_empty(), "{:?}", full(&w).violations);
    rules::change::commit(&mut w, now, &Change::AdministratorRemoved { region: RegionIdx(1), account: AccountIdx(1) });
    assert!(caught(&full(&w), Invariant::SameAdministratorUnderCentral));
}

#[test]
fn a_success_that_does_not_match_the_policy_is_caught_at_quiescence() {
    let mut w = world();
    let mut now = SimTime(0);
    start_central(&mut w, &mut now);
    let created = drive(
        &mut w,
        &mut now,
        "222222222222",
        json!({"Operation": "CreateConfigurationPolicy", "Name": "p", "ConfigurationPolicy": {"SecurityHub": {"ServiceEnabled": true, "EnabledStandardIdentifiers": ["aws-foundational-security-best-practices/v/1.0.0"], "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": []}}}}),
    );
    let policy = created.result.unwrap()["Id"].as_str().unwrap().to_string();
    drive(
        &mut w,
        &mut now,
        "222222222222",
        json!({"Operation": "StartConfigurationPolicyAssociation", "ConfigurationPolicyIdentifier": policy, "Target": {"AccountId": "333333333333"}}),
    );
    assert!(!caught(&full(&w), Invariant::QuiescentPolicyMatch), "{:?}", full(&w).violations);
    // A faulty rule turns the hub off behind the policy's back.
    rules::change::commit(&mut w, now, &Change::HubDisabled { account: AccountIdx(2), region: RegionIdx(1) });
    assert!(caught(&full(&w), Invariant::QuiescentPolicyMatch));
}

#[test]
fn an_outsider_enabled_as_organization_member_is_caught() {
    let mut w = world();
    w.put_record(RegionIdx(0), AccountIdx(3), record(AccountIdx(1), MemberType::Organization, MemberStatus::Enabled));
    assert!(caught(&full(&w), Invariant::NoOutsiderOrganizationMember));
}

#[test]
fn enabling_a_suspended_account_is_caught() {
    let mut w = world();
    rules::change::commit(
        &mut w,
        SimTime(0),
        &Change::AccountStateChanged { account: AccountIdx(2), state: AccountState::Suspended },
    );
    let call = Call::by(
        id("222222222222"),
        RegionIdx(0),
        op(json!({"Operation": "CreateMembers", "AccountDetails": [{"AccountId": "333333333333"}]})),
    );
    let effects = vec![Effect {
        rule: RuleId::MEMBER_2,
        change: Change::MemberRecord {
            region: RegionIdx(0),
            member: AccountIdx(2),
            record: record(AccountIdx(1), MemberType::Organization, MemberStatus::Enabled),
        },
    }];
    w.put_record(RegionIdx(0), AccountIdx(2), record(AccountIdx(1), MemberType::Organization, MemberStatus::Enabled));
    assert!(caught(&event(&w, &call, effects, true), Invariant::SuspendedGetsNoEnablement));
}

#[test]
fn every_invariant_has_a_name_and_rules() {
    for invariant in Invariant::ALL {
        assert_eq!(Invariant::parse(invariant.name()), Some(invariant));
        assert!(!invariant.rules().is_empty());
    }
}

#[test]
fn a_roster_that_miscounts_its_records_is_caught() {
    let mut w = world();
    let (da, member, other) = (AccountIdx(1), AccountIdx(2), AccountIdx(3));
    w.put_record(RegionIdx(0), member, record(da, MemberType::Organization, MemberStatus::Enabled));
    w.put_record(RegionIdx(1), other, record(da, MemberType::Invitation, MemberStatus::Invited));
    w.put_record(RegionIdx(1), other, record(da, MemberType::Invitation, MemberStatus::Removed));
    w.take_record(RegionIdx(0), da, member, false).expect("the record exists");
    w.put_record(RegionIdx(0), member, record(da, MemberType::Organization, MemberStatus::Created));
    assert!(!caught(&full(&w), Invariant::RosterMatchesRecords), "records kept through put/take are counted");
    // A record written behind the roster's back.
    w.ar_mut(other, RegionIdx(0)).put_membership(record(da, MemberType::Organization, MemberStatus::Enabled));
    let checker = full(&w);
    assert!(caught(&checker, Invariant::RosterMatchesRecords));
    let detail = &checker.violations.iter().find(|v| v.invariant == Invariant::RosterMatchesRecords).unwrap().detail;
    assert!(detail.contains("total 1") && detail.contains("total 2"), "{detail}");
}

/// A response that refuses an account with MEMBER_LIMIT_REACHED, at any depth, counts as reaching
/// the member limit; other responses do not.
#[test]
fn a_member_limit_refusal_in_a_response_is_counted() {
    let w = world();
    let call = Call::by(id("222222222222"), RegionIdx(0), op(json!({"Operation": "GetInvitationsCount"})));
    let count = |response: serde_json::Value| {
        let mut checker = Checker::new();
        let outcome = Outcome { result: Ok(response), effects: vec![], follow_ups: vec![] };
        let view =
            EventView { number: 1, at: SimTime(1), call: &call, origin: Origin::Step { index: 0 }, outcome: &outcome };
        checker.after_event(&w, &view);
        checker.sometimes.get(&Sometimes::MemberLimitHit).copied().unwrap_or(0)
    };
    let refused = json!({"UnprocessedAccounts": [{"AccountId": "333333333333",
        "ProcessingResult": "MEMBER_LIMIT_REACHED: The administrator has reached its member limit (QUOTA-1)"}]});
    assert_eq!(count(refused), 1);
    assert_eq!(count(json!({"Applied": false, "Reason": "MEMBER_LIMIT_REACHED"})), 1);
    assert_eq!(count(json!({"UnprocessedAccounts": []})), 0);
    assert_eq!(count(serde_json::Value::Null), 0);
}

/// After every event, not only at quiescence: the event that removes the administrator from a
/// linked Region is caught, and so is each later event while the mismatch lasts, even one that
/// changes nothing the check reads; once the mismatch is gone, nothing is reported.
#[test]
fn another_administrator_under_central_is_caught_after_each_event_while_it_lasts() {
    let mut w = world();
    let mut now = SimTime(0);
    start_central(&mut w, &mut now);
    let call = Call::by(id("222222222222"), RegionIdx(0), op(json!({"Operation": "GetInvitationsCount"})));
    let mut checker = Checker::new();
    let feed = |checker: &mut Checker, w: &World, effects: Vec<Effect>| {
        let effects = listed(checker, effects);
        let outcome = Outcome { result: Ok(serde_json::Value::Null), effects, follow_ups: vec![] };
        let before = checker.violations.len();
        let view =
            EventView { number: 1, at: SimTime(1), call: &call, origin: Origin::Step { index: 0 }, outcome: &outcome };
        checker.after_event(w, &view);
        checker.violations[before..].iter().filter(|v| v.invariant == Invariant::SameAdministratorUnderCentral).count()
    };
    assert_eq!(feed(&mut checker, &w, vec![]), 0, "central configuration with the DA everywhere");
    let removed = Change::AdministratorRemoved { region: RegionIdx(1), account: AccountIdx(1) };
    rules::change::commit(&mut w, now, &removed);
    assert_eq!(feed(&mut checker, &w, vec![Effect { rule: RuleId::ADMIN_12, change: removed }]), 1);
    assert_eq!(feed(&mut checker, &w, vec![]), 1, "the mismatch lasts");
    let designated = Change::AdministratorDesignated { region: RegionIdx(1), account: AccountIdx(1) };
    rules::change::commit(&mut w, now, &designated);
    assert_eq!(feed(&mut checker, &w, vec![Effect { rule: RuleId::ADMIN_2, change: designated }]), 0);
    assert_eq!(feed(&mut checker, &w, vec![]), 0);
}
