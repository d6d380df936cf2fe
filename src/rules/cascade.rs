//! Cascades shared by several operations: enabling and disabling a hub with everything that hangs
//! off it, writing member records, re-targeting accounts after their effective configuration
//! changes, and the organization-wide clean-ups (LIFE-1, LIFE-2, LIFE-9, LIFE-10, LIFE-12,
//! CENTRAL-8/9).
//!
//! These are the places where one call touches many accounts; each walks only what the rule
//! touches (a roster, a subtree, the accounts with an association), never the whole world unless
//! the rule itself is organization-wide.

use std::sync::Arc;

use super::catalog::RuleId;
use super::change::{Change, StandardStatus};
use super::outcome::DelayClass;
use super::{ServiceWork, Tx};
use crate::model::{
    AccountIdx, AdminStatus, AssocStatus, AssocValue, CentralPhase, ConfigurationType, ControlFindingGenerator,
    Effective, JoinMethod, MemberRecord, MemberStatus, MemberType, NodeIdx, OrgConfig, RegionIdx, RegionSet,
    StandardSet, Target,
};

/// Turns a hub on with `standards` subscribed (PENDING until SettleStandards, STD-2).
pub(super) fn enable_hub(
    tx: &mut Tx,
    account: AccountIdx,
    region: RegionIdx,
    standards: StandardSet,
    generator: ControlFindingGenerator,
    rule: RuleId,
) {
    tx.emit(rule, Change::HubEnabled { account, region, generator });
    // HUB-4 / QUOTA-9: re-enabled within 90 days, the hub gets its settings back (not its
    // standards, which must be enabled again).
    let retained = tx.w().ar(account, region).retained();
    let now = tx.now;
    if let Some((old, old_params)) = retained
        .filter(|r| now.since(r.disabled_at) < crate::model::SimDuration::from_days(90))
        .map(|r| (r.hub.clone(), r.params.clone()))
    {
        let hub = tx.w().hub(account, region).expect("just enabled");
        if old.auto_enable_controls != hub.auto_enable_controls {
            tx.emit(
                RuleId::HUB_4,
                Change::HubSettings { account, region, auto_enable_controls: old.auto_enable_controls, generator },
            );
        }
        if !old.disabled_controls.is_empty() {
            tx.emit(RuleId::HUB_4, Change::ControlsDisabled { account, region, disabled: old.disabled_controls });
        }
        if !old_params.is_empty() {
            tx.emit(RuleId::HUB_4, Change::ControlParameters { account, region, params: old_params });
        }
    }
    if !standards.is_empty() {
        tx.emit(
            RuleId::STD_2,
            Change::StandardsStatus { account, region, standards, status: Some(StandardStatus::Pending) },
        );
        tx.later(DelayClass::StandardsReady, region, ServiceWork::SettleStandards { account, region });
    }
}

/// The generator a newly enabled hub gets: its administrator's, for a member (HUB-2).
pub(super) fn generator_for(tx: &Tx, region: RegionIdx, admin: Option<AccountIdx>) -> ControlFindingGenerator {
    admin
        .and_then(|a| tx.w().hub(a, region))
        .map(|h| h.control_finding_generator)
        .unwrap_or(ControlFindingGenerator::SecurityControl)
}

/// HUB-4: turns a hub off; every record in which the account is member or administrator in that
/// Region is purged first (MEMBER-8, "member or administrator disables its hub").
pub(super) fn disable_hub(tx: &mut Tx, account: AccountIdx, region: RegionIdx, rule: RuleId) {
    let as_member: Vec<AccountIdx> = tx.w().ar(account, region).memberships().map(|r| r.administrator).collect();
    for admin in as_member {
        purge_record(tx, region, admin, account, RuleId::MEMBER_8);
    }
    let as_admin: Vec<AccountIdx> = tx.w().members_of(account, region);
    for member in as_admin {
        purge_record(tx, region, account, member, RuleId::MEMBER_8);
    }
    tx.emit(rule, Change::HubDisabled { account, region });
}

/// Purges the record between `admin` and `member`.
pub(super) fn purge_record(tx: &mut Tx, region: RegionIdx, admin: AccountIdx, member: AccountIdx, rule: RuleId) {
    purge(tx, region, admin, member, rule, false);
}

/// MEMBER-9: `DeleteMembers` purges the record; the former member then sees `Deleted`.
pub(super) fn delete_record(tx: &mut Tx, region: RegionIdx, admin: AccountIdx, member: AccountIdx) {
    purge(tx, region, admin, member, RuleId::MEMBER_9, true);
}

fn purge(tx: &mut Tx, region: RegionIdx, admin: AccountIdx, member: AccountIdx, rule: RuleId, deleted: bool) {
    let last_status = tx.w().record(admin, member, region).expect("purging an existing record").status;
    purge_known(tx, region, admin, member, last_status, rule, deleted);
}

/// `purge` of a record whose status the caller has just read.
fn purge_known(
    tx: &mut Tx,
    region: RegionIdx,
    admin: AccountIdx,
    member: AccountIdx,
    last_status: MemberStatus,
    rule: RuleId,
    deleted: bool,
) {
    tx.emit(rule, Change::MemberRecordPurged { deleted, region, administrator: admin, member, last_status });
}

/// Writes a record with a new type and status, keeping email and invitation of an existing one.
pub(super) fn set_record(
    tx: &mut Tx,
    region: RegionIdx,
    admin: AccountIdx,
    member: AccountIdx,
    member_type: MemberType,
    status: MemberStatus,
    rule: RuleId,
) {
    let previous = tx.w().record(admin, member, region);
    let record = MemberRecord {
        administrator: admin,
        member_type,
        status,
        updated_at: tx.now,
        contact: previous.and_then(|p| p.contact),
    };
    tx.emit(rule, Change::MemberRecord { region, member, record });
}

/// MEMBER-7 / HUB-6: an attempt to enable a suspended organization account leaves its record in
/// `AccountSuspended` (written once; a repeated attempt changes nothing).
pub(super) fn mark_suspended(tx: &mut Tx, region: RegionIdx, admin: AccountIdx, member: AccountIdx, rule: RuleId) {
    if tx.w().record(admin, member, region).is_none_or(|r| r.status != MemberStatus::AccountSuspended) {
        set_record(tx, region, admin, member, MemberType::Organization, MemberStatus::AccountSuspended, rule);
    }
}

/// Makes `member` an organization-type `Enabled` member of `admin` (MEMBER-2), enabling its hub
/// with `standards` if it is off (MEMBER-5: otherwise nothing but the membership changes).
pub(super) fn enrol_org_member(
    tx: &mut Tx,
    region: RegionIdx,
    admin: AccountIdx,
    member: AccountIdx,
    standards: StandardSet,
    rule: RuleId,
) {
    if !tx.w().hub_enabled(member, region) {
        let generator = generator_for(tx, region, Some(admin));
        enable_hub(tx, member, region, standards, generator, RuleId::MEMBER_5);
    }
    set_record(tx, region, admin, member, MemberType::Organization, MemberStatus::Enabled, rule);
}

/// `retarget` for each of `accounts` in turn, asking for the next account's states ahead: one
/// account's states lie half a kilobyte apart, Region after Region, a stride the hardware prefetcher
/// does not carry from one account to the next (a root policy re-targets 10,000 accounts).
pub(super) fn retarget_each(
    tx: &mut Tx,
    accounts: &[AccountIdx],
    regions: RegionSet,
    parent: Option<(NodeIdx, u32)>,
    rule: RuleId,
) {
    for (i, &account) in accounts.iter().enumerate() {
        prefetch_regions(tx.w(), accounts.get(i + 1).copied(), regions);
        retarget(tx, account, regions, parent, rule);
    }
}

/// Asks for `account`'s states in `regions` (a hint; nothing if `None`).
fn prefetch_regions(w: &crate::model::World, account: Option<AccountIdx>, regions: RegionSet) {
    if let Some(account) = account {
        for region in regions.iter() {
            w.prefetch_state(account, region);
        }
    }
}

/// Re-evaluates an account's effective configuration in `regions` (ASSOC-10, ASSOC-17): a policy
/// schedules its application (PENDING); self-managed settles at once, settings kept (ASSOC-6);
/// unassociated clears the result, settings kept (ASSOC-5, POLICY-11). Returns how many
/// account-Regions were scheduled.
pub(super) fn retarget(
    tx: &mut Tx,
    account: AccountIdx,
    regions: RegionSet,
    parent: Option<(NodeIdx, u32)>,
    rule: RuleId,
) -> u32 {
    let effective = tx.w().effective(account);
    let mut scheduled = 0;
    for region in regions.iter() {
        match effective {
            Effective::Policy { policy, .. } => {
                tx.emit(
                    rule,
                    Change::AccountRegionAssociation {
                        account,
                        region,
                        value: Some(AssocValue::Policy(policy)),
                        status: Some(AssocStatus::Pending),
                        message: None,
                        bump: true,
                    },
                );
                let generation = tx.w().ar(account, region).association().generation;
                tx.later(
                    DelayClass::AssociationApply,
                    region,
                    ServiceWork::ApplyConfigurationPolicy { account, region, generation, parent, fault: false },
                );
                scheduled += 1;
            }
            Effective::SelfManaged { .. } => tx.emit(
                RuleId::ASSOC_6,
                Change::AccountRegionAssociation {
                    account,
                    region,
                    value: Some(AssocValue::SelfManaged),
                    status: Some(AssocStatus::Success),
                    message: None,
                    bump: true,
                },
            ),
            Effective::Unassociated => {
                if tx.w().ar(account, region).association().value.is_some() {
                    clear_result(tx, account, region, RuleId::ASSOC_5);
                }
            }
        }
    }
    scheduled
}

/// Clears an account-Region's association result and cancels pending work for it (TIME-11).
pub(super) fn clear_result(tx: &mut Tx, account: AccountIdx, region: RegionIdx, rule: RuleId) {
    tx.emit(
        rule,
        Change::AccountRegionAssociation { account, region, value: None, status: None, message: None, bump: true },
    );
}

/// CENTRAL-8 / CENTRAL-9: ends central configuration. With `forced`, every association and policy
/// is deleted first (LIFE-10, LIFE-11, LIFE-12); a voluntary stop has none left to delete. Every
/// account keeps its settings and becomes self-managed (POLICY-11); nothing is reverted.
pub(super) fn end_central(tx: &mut Tx, rule: RuleId, forced: bool) {
    if tx.w().central.phase == CentralPhase::Off {
        return;
    }
    let scope = tx.w().configuration_scope();
    if forced {
        let targets: Vec<Target> = tx.w().central.applied.keys().collect();
        for target in targets {
            tx.emit(RuleId::CENTRAL_9, Change::AssociationRemoved { target });
        }
        let policies: Vec<_> = tx.w().central.live_policies().map(|(idx, _)| idx).collect();
        for policy in policies {
            tx.emit(RuleId::CENTRAL_9, Change::PolicyDeleted { policy });
        }
    }
    // Outstanding results would never settle now: clear them all (the rule is organization-wide).
    let accounts: Vec<AccountIdx> = tx.w().account_indices().collect();
    for (i, &account) in accounts.iter().enumerate() {
        prefetch_regions(tx.w(), accounts.get(i + 1).copied(), scope);
        for region in scope.iter() {
            if tx.w().ar(account, region).association().value.is_some() {
                clear_result(tx, account, region, rule);
            }
        }
    }
    for region in scope.iter() {
        if let Some(config) = tx.w().org_config(region).cloned()
            && config.configuration_type == ConfigurationType::Central
        {
            let config = OrgConfig::fresh();
            let cited = if forced { rule } else { RuleId::LIFE_14 };
            tx.emit(cited, Change::OrganizationConfiguration { region, config: Some(config) });
        }
    }
    tx.emit(rule, Change::CentralConfigurationEnded);
}

/// LIFE-9: the administrator of one Region is removed: its organization-type records there are
/// dissolved (invitation records kept) and the Region's ORGCFG record is deleted.
pub(super) fn remove_admin_in_region(tx: &mut Tx, region: RegionIdx, admin: AccountIdx, rule: RuleId) {
    let members = tx.w().members_of(admin, region);
    remove_admin_with_members(tx, region, admin, members, rule);
}

/// How many accounts ahead a cascade over one Region's accounts prefetches their states.
const CASCADE_PREFETCH: usize = 8;

/// `remove_admin_in_region` once the administrator's `members` in `region` are known.
fn remove_admin_with_members(
    tx: &mut Tx,
    region: RegionIdx,
    admin: AccountIdx,
    members: Vec<AccountIdx>,
    rule: RuleId,
) {
    for (i, &member) in members.iter().enumerate() {
        // Members are spread over the states' chunks, so the next ones are far apart in memory:
        // fetch a few members ahead.
        if let Some(&ahead) = members.get(i + CASCADE_PREFETCH) {
            tx.w().prefetch_state(ahead, region);
        }
        let record = tx.w().record(admin, member, region).expect("roster lists existing records");
        if record.member_type == MemberType::Organization {
            let status = record.status;
            purge_known(tx, region, admin, member, status, RuleId::LIFE_9, false);
        }
    }
    if tx.w().org_config(region).is_some() {
        tx.emit(RuleId::ORGCFG_1, Change::OrganizationConfiguration { region, config: None });
    }
    tx.emit(rule, Change::AdministratorRemoved { region, account: admin });
}

/// LIFE-10: the delegated administrator is removed in every Region where it is administrator, and
/// central configuration, if it ran it, stops with every policy and association deleted.
pub(super) fn remove_da_everywhere(tx: &mut Tx, account: AccountIdx, rule: RuleId) {
    if tx.w().central.da == Some(account) {
        end_central(tx, RuleId::LIFE_10, true);
    }
    let w = tx.w();
    let regions: RegionSet = w.regions.indices().filter(|r| w.sh_admin(*r) == Some(account)).collect();
    let mut members = w.members_in(account, regions).into_iter().peekable();
    for region in regions.iter() {
        // Regions where it has no members are not in `members`; it is removed there all the same.
        let here = members.next_if(|(r, _)| *r == region).map(|(_, list)| list).unwrap_or_default();
        remove_admin_with_members(tx, region, account, here, rule);
    }
}

/// LIFE-12 steps 2–4: after trusted access is disabled every organization-type record is purged in
/// every Region, the DA's invitation records too (MODEL CHOICE), every designation and the
/// Organizations registration are removed, and central configuration stops.
pub(super) fn trusted_access_cleanup(tx: &mut Tx) {
    end_central(tx, RuleId::LIFE_12, true);
    let da = tx.w().org.delegated_admin;
    for region in tx.w().regions.indices().collect::<Vec<_>>() {
        let rosters: Vec<(AccountIdx, Vec<AccountIdx>)> = tx
            .w()
            .rosters()
            .filter(|((_, r), _)| *r == region)
            .map(|((admin, _), _)| (admin, tx.w().members_of(admin, region)))
            .collect();
        let admin_here = tx.w().sh_admin(region);
        for (admin, members) in rosters {
            for member in members {
                let record = tx.w().record(admin, member, region).expect("roster lists existing records");
                let of_org_admin = Some(admin) == admin_here || Some(admin) == da;
                if record.member_type == MemberType::Organization || of_org_admin {
                    let status = record.status;
                    purge_known(tx, region, admin, member, status, RuleId::LIFE_12, false);
                }
            }
        }
        if let Some(admin) = admin_here {
            if tx.w().org_config(region).is_some() {
                tx.emit(RuleId::ORGCFG_1, Change::OrganizationConfiguration { region, config: None });
            }
            tx.emit(RuleId::LIFE_12, Change::AdministratorRemoved { region, account: admin });
        }
    }
    if let Some(account) = tx.w().org.delegated_admin {
        tx.emit(RuleId::LIFE_12, Change::DelegatedAdministratorDeregistered { account });
    }
}

/// LIFE-1: an account has joined the organization (it is under the root now, ORG-6).
pub(super) fn account_joined(tx: &mut Tx, account: AccountIdx, method: JoinMethod) {
    tx.emit(RuleId::ORG_6, Change::AccountJoined { account, method });
    for region in tx.w().regions.indices().collect::<Vec<_>>() {
        let Some(designation) = tx.w().designation(region) else { continue };
        let admin = designation.account;
        // Step 5: an invitation member of this Region's administrator becomes organization type.
        // Step 4: an account re-joining after leaving is new; its old `Removed` organization
        // record does not stop auto-enable.
        // MEMBER-2: organization records never sit in Created/Invited, so only an Enabled
        // invitation converts; a pending one is withdrawn (INV-1) and the joiner is treated like
        // any other.
        if let Some(record) = tx.w().record(admin, account, region)
            && record.member_type == MemberType::Invitation
        {
            if record.status == MemberStatus::Enabled {
                set_record(tx, region, admin, account, MemberType::Organization, MemberStatus::Enabled, RuleId::LIFE_1);
                continue;
            }
            purge_record(tx, region, admin, account, RuleId::INV_1);
        }
        if tx.w().is_central_region(region) || designation.status != AdminStatus::Enabled {
            continue;
        }
        // Step 2: local configuration auto-enables only with AutoEnable on (LOCAL-3, LOCAL-2).
        if tx.w().org_config(region).is_some_and(|c| c.auto_enable) {
            tx.later(
                DelayClass::AutoEnable,
                region,
                ServiceWork::AutoEnableAccount { account, region, administrator: admin, fault: false },
            );
        }
    }
    // Step 3: under central configuration the new account inherits the root's value.
    let scope = tx.w().central_scope();
    if !scope.is_empty() {
        retarget(tx, account, scope, None, RuleId::LIFE_1);
    }
}

/// LIFE-2: an account leaves or is removed. Its organization-type records become `Removed`, its
/// applied association is deleted and its results cleared; it keeps every setting (POLICY-11).
pub(super) fn account_left(tx: &mut Tx, account: AccountIdx, rule: RuleId) {
    for region in tx.w().regions.indices().collect::<Vec<_>>() {
        let org_records: Vec<(AccountIdx, MemberStatus)> = tx
            .w()
            .ar(account, region)
            .memberships()
            .filter(|r| r.member_type == MemberType::Organization)
            .map(|r| (r.administrator, r.status))
            .collect();
        for (admin, status) in org_records {
            if status == MemberStatus::Enabled {
                set_record(tx, region, admin, account, MemberType::Organization, MemberStatus::Removed, RuleId::LIFE_2);
            }
        }
        if tx.w().ar(account, region).association().value.is_some() {
            clear_result(tx, account, region, RuleId::LIFE_2);
        }
    }
    if tx.w().applied(Target::Account(account)).is_some() {
        tx.emit(RuleId::LIFE_2, Change::AssociationRemoved { target: Target::Account(account) });
    }
    tx.emit(rule, Change::AccountLeft { account });
}

/// Shorthand for an `Arc<str>` message.
pub(super) fn message(text: impl Into<String>) -> Option<Arc<str>> {
    Some(Arc::from(text.into()))
}
