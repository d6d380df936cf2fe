//! Follow-up work: what the service does after a call has returned (GEN-4). Each piece re-checks
//! the world as it is when the work runs, because anything may have happened in between: that is
//! where races play out (TIME-11: work overtaken by a later change is superseded, not applied).
//!
//! Implements the asynchronous halves of ORG-5 / LIFE-4 (account creation and closure), REG-1 /
//! LIFE-7 (opt-in Regions), STD-2 (standards readiness), LOCAL-3 / LOCAL-4 (auto-enable), ADMIN-12 /
//! LIFE-9 (administrator removal), LIFE-10 and LIFE-12 (organization clean-ups). Policy
//! application (ASSOC-10) lives in `associations`, the central switch (CENTRAL-3) in `orgadmin`.

use serde_json::{Value, json};

use super::associations;
use super::cascade;
use super::catalog::RuleId;
use super::change::{Change, RegionOptStatus, StandardStatus};
use super::orgadmin;
use super::outcome::{ApiError, DelayClass, Response};
use super::{ServiceWork, Tx};
use crate::model::{
    AccountIdx, AccountState, AdminStatus, AutoEnableStandards, JoinMethod, MemberStatus, RegionIdx, StandardSet,
};

pub(super) fn run(tx: &mut Tx, region: RegionIdx, work: &ServiceWork) -> Result<Response, ApiError> {
    match *work {
        ServiceWork::CompleteAccountCreation { account } => {
            if tx.w().account(account).state == AccountState::PendingActivation && !tx.w().in_org(account) {
                tx.emit(RuleId::ORG_5, Change::AccountStateChanged { account, state: AccountState::Active });
                cascade::account_joined(tx, account, JoinMethod::Created);
            }
            Ok(Value::Null)
        }
        ServiceWork::CompleteAccountClosure { account } => complete_closure(tx, region, account),
        ServiceWork::ExpireClosedAccount { account } => {
            if tx.w().account(account).state == AccountState::ClosedSuspended {
                tx.emit(RuleId::TIME_9, Change::AccountStateChanged { account, state: AccountState::Closed });
                if tx.w().in_org(account) {
                    cascade::account_left(tx, account, RuleId::LIFE_4);
                }
            }
            Ok(Value::Null)
        }
        ServiceWork::CompleteRegionOptStatusChange { account, region, enable } => {
            region_opt_in_done(tx, account, region, enable)
        }
        ServiceWork::SettleStandards { account, region } => {
            let Some(hub) = tx.w().hub(account, region) else { return Ok(superseded("the hub is off")) };
            let pending = hub.standards_pending;
            if !pending.is_empty() {
                // STD-2 MODEL CHOICE: without a configuration recorder the standard ends INCOMPLETE.
                let status = if tx.w().ar(account, region).config_recording() {
                    StandardStatus::Ready
                } else {
                    StandardStatus::Incomplete
                };
                tx.emit(
                    RuleId::STD_2,
                    Change::StandardsStatus { account, region, standards: pending, status: Some(status) },
                );
            }
            Ok(Value::Null)
        }
        ServiceWork::AutoEnableAccount { account, region, administrator, fault } => {
            auto_enable(tx, account, region, administrator, fault)
        }
        ServiceWork::ApplyConfigurationPolicy { account, region, generation, parent, fault } => {
            associations::apply_policy_work(tx, account, region, generation, parent, fault)
        }
        ServiceWork::SettleCentralConfiguration { generation } => orgadmin::settle_central(tx, generation),
        ServiceWork::CompleteAdministratorRemoval { region, account } => match tx.w().designation(region) {
            Some(d) if d.account == account && d.status == AdminStatus::DisableInProgress => {
                cascade::remove_admin_in_region(tx, region, account, RuleId::ADMIN_12);
                Ok(Value::Null)
            }
            _ => Ok(superseded("the designation changed in the meantime")),
        },
        ServiceWork::CompleteDeregistration { account } => {
            cascade::remove_da_everywhere(tx, account, RuleId::LIFE_10);
            Ok(Value::Null)
        }
        ServiceWork::CompleteTrustedAccessCleanup {} => {
            // MODEL CHOICE (LIFE-12): the clean-up, once started, completes even if trusted access
            // was turned on again in the meantime.
            cascade::trusted_access_cleanup(tx);
            Ok(Value::Null)
        }
    }
}

/// A response saying the work found nothing left to do.
pub(super) fn superseded(why: &str) -> Value {
    json!({ "Superseded": why })
}

/// LIFE-4: closure reaches SUSPENDED (closed, reinstatable for 90 days).
fn complete_closure(tx: &mut Tx, region: RegionIdx, account: AccountIdx) -> Result<Response, ApiError> {
    if tx.w().account(account).state != AccountState::PendingClosure {
        return Ok(superseded("the account is no longer closing"));
    }
    tx.emit(RuleId::LIFE_4, Change::AccountStateChanged { account, state: AccountState::ClosedSuspended });
    // Step 3 MODEL CHOICE: a closed administrator is treated as removed through Organizations.
    let is_admin = tx.w().regions.indices().any(|r| tx.w().sh_admin(r) == Some(account));
    if tx.w().org.delegated_admin == Some(account) {
        tx.emit(RuleId::LIFE_4, Change::DelegatedAdministratorDeregistered { account });
    }
    if is_admin || tx.w().central.da == Some(account) {
        cascade::remove_da_everywhere(tx, account, RuleId::LIFE_4);
    }
    // Step 2 MODEL CHOICE: its membership records are purged, not left `Removed`.
    for r in tx.w().regions.indices().collect::<Vec<_>>() {
        let admins: Vec<AccountIdx> = tx.w().ar(account, r).memberships().map(|m| m.administrator).collect();
        for admin in admins {
            cascade::purge_record(tx, r, admin, account, RuleId::LIFE_4);
        }
        // Step 3: a closed administrator (organization or invitation) keeps no members.
        for member in tx.w().members_of(account, r) {
            cascade::purge_record(tx, r, account, member, RuleId::LIFE_4);
        }
    }
    tx.later(DelayClass::Retention90Days, region, ServiceWork::ExpireClosedAccount { account });
    Ok(Value::Null)
}

/// REG-1 / LIFE-7: an opt-in Region finished enabling or disabling.
fn region_opt_in_done(tx: &mut Tx, account: AccountIdx, region: RegionIdx, enable: bool) -> Result<Response, ApiError> {
    let acct = tx.w().account(account);
    let in_progress = if enable { acct.enabling.contains(region) } else { acct.disabling.contains(region) };
    if !in_progress {
        return Ok(superseded("the opt-in status changed in the meantime"));
    }
    let status = if enable { RegionOptStatus::Enabled } else { RegionOptStatus::Disabled };
    tx.emit(RuleId::REG_1, Change::RegionOptStatusChanged { account, region, status });
    if enable {
        // LOCAL-5: nothing happens retroactively under local configuration. LIFE-7 step 1 MODEL
        // CHOICE: under central configuration a centrally managed account is retried here.
        if tx.w().is_centrally_managed(account, region) {
            cascade::retarget(tx, account, crate::model::RegionSet::EMPTY.with(region), None, RuleId::LIFE_7);
        }
    } else if tx.w().hub_enabled(account, region) {
        // LIFE-7 step 2 MODEL CHOICE: an unreachable Region is treated like disabling the hub.
        cascade::disable_hub(tx, account, region, RuleId::LIFE_7);
    }
    Ok(Value::Null)
}

/// LOCAL-3 with the skips of LOCAL-4.
fn auto_enable(
    tx: &mut Tx,
    account: AccountIdx,
    region: RegionIdx,
    admin: AccountIdx,
    fault: bool,
) -> Result<Response, ApiError> {
    let w = tx.w();
    let still_admin = w.designation(region).is_some_and(|d| d.account == admin && d.status == AdminStatus::Enabled);
    if !still_admin || !w.in_org(account) || w.is_central_region(region) {
        return Ok(superseded("the administrator or the account changed in the meantime"));
    }
    if fault {
        return Ok(json!({ "Applied": false, "Reason": "injected fault: auto-enable not applied" }));
    }
    let skip = if w.is_management(account) {
        Some(("MANAGEMENT_ACCOUNT", RuleId::MEMBER_5))
    } else if !w.region_usable(account, region) {
        Some(("REGION_NOT_ENABLED", RuleId::REG_2))
    } else if w.enabled_membership(account, region).is_some_and(|r| r.administrator != admin) {
        Some(("MEMBER_OF_OTHER_ADMIN", RuleId::MEMBER_3))
    } else if w.record(admin, account, region).is_some_and(|r| r.status == MemberStatus::Enabled) {
        Some(("ALREADY_MEMBER", RuleId::MEMBER_3))
    } else if w.account(account).state.is_suspended() {
        Some(("ACCOUNT_SUSPENDED", RuleId::MEMBER_7))
    } else if w.member_limit_reached(admin, region) {
        Some(("MEMBER_LIMIT_REACHED", RuleId::LIFE_16))
    } else {
        None
    };
    match skip {
        Some(("ACCOUNT_SUSPENDED", rule)) => {
            cascade::mark_suspended(tx, region, admin, account, rule);
            Ok(
                json!({ "Applied": false, "Reason": "ACCOUNT_SUSPENDED", "Rule": rule.as_str(), "SkippedBy": RuleId::LOCAL_4.as_str() }),
            )
        }
        // LOCAL-4: the skip is reported with the rule behind it; nothing changes.
        Some((reason, rule)) => Ok(
            json!({ "Applied": false, "Reason": reason, "Rule": rule.as_str(), "SkippedBy": RuleId::LOCAL_4.as_str() }),
        ),
        None => {
            let standards = match tx.w().org_config(region).map(|c| c.auto_enable_standards) {
                Some(AutoEnableStandards::Default) => StandardSet::defaults(),
                _ => StandardSet::EMPTY,
            };
            cascade::enrol_org_member(tx, region, admin, account, standards, RuleId::LOCAL_3);
            Ok(json!({ "Applied": true }))
        }
    }
}
