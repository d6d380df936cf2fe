//! Security Hub console composite actions (OP-K1 … OP-K3): what the console does in one click,
//! as a call scenarios can script. They are not API operations; the console composes them from
//! API behaviour plus the console's own checks.
//!
//! Implements ADMIN-7 (the console insists on one administrator across Regions), ADMIN-10b (the
//! console removes the administrator everywhere) and LOCAL-6 (the "Enable" banner). OP-K4 (the
//! central-configuration wizard) is not a single call here: a scenario scripts its steps.

use serde_json::json;

use super::access;
use super::cascade;
use super::catalog::RuleId;
use super::change::Change;
use super::orgadmin;
use super::outcome::{ApiError, DelayClass, Response};
use super::{Ctx, Operation, ServiceWork, Tx};
use crate::model::{AccountId, AccountIdx, AdminStatus, CentralPhase, ConfigurationType, OrgConfig, StandardSet};

pub(super) fn apply(tx: &mut Tx, ctx: Ctx, operation: &Operation) -> Result<Response, ApiError> {
    match operation {
        Operation::DesignateDelegatedAdministrator { admin_account_id } => designate(tx, ctx, *admin_account_id),
        Operation::RemoveDelegatedAdministrator { admin_account_id } => remove(tx, ctx, *admin_account_id),
        Operation::EnableAllOrganizationAccounts {} => enable_all(tx, ctx),
        other => unreachable!("{} is not a console action", other.name()),
    }
}

/// OP-K1 / ADMIN-7: the target must match the administrator of every other Region that has one.
fn designate(tx: &mut Tx, ctx: Ctx, admin_account_id: AccountId) -> Result<Response, ApiError> {
    access::management(tx.w(), ctx)?;
    let w = tx.w();
    let target = w.account_idx(admin_account_id);
    if let Some(other) = w.regions.indices().filter_map(|r| w.sh_admin(r)).find(|a| Some(*a) != target) {
        return Err(access::invalid(
            RuleId::ADMIN_7,
            format!(
                "The console keeps one administrator in every Region: {} is the administrator elsewhere",
                w.account_id(other)
            ),
        ));
    }
    orgadmin::enable_organization_admin_account(tx, ctx, admin_account_id, None)
}

/// OP-K2 / ADMIN-10b: all Regions and the Organizations registration; refused while central
/// configuration is on (ADMIN-11).
fn remove(tx: &mut Tx, ctx: Ctx, admin_account_id: AccountId) -> Result<Response, ApiError> {
    access::management(tx.w(), ctx)?;
    let w = tx.w();
    if w.central.phase != CentralPhase::Off {
        return Err(access::invalid(
            RuleId::ADMIN_11,
            "The console cannot remove the delegated administrator while central configuration is on",
        ));
    }
    let Some(target) = w
        .account_idx(admin_account_id)
        .filter(|a| w.regions.indices().any(|r| w.sh_admin(r) == Some(*a)) || w.org.delegated_admin == Some(*a))
    else {
        return Err(access::invalid(RuleId::ADMIN_10, format!("Account {admin_account_id} is not the administrator")));
    };
    if w.org.delegated_admin == Some(target) {
        tx.emit(RuleId::ADMIN_10, Change::DelegatedAdministratorDeregistered { account: target });
    }
    for region in tx.w().regions.indices().collect::<Vec<_>>() {
        let designation = tx.w().designation(region);
        if designation.is_some_and(|d| d.account == target && d.status == AdminStatus::Enabled) {
            tx.emit(RuleId::ADMIN_10, Change::AdministratorRemovalStarted { region, account: target });
            tx.later(
                DelayClass::AdminRemoval,
                region,
                ServiceWork::CompleteAdministratorRemoval { region, account: target },
            );
        }
    }
    Ok(json!({}))
}

/// OP-K3 / LOCAL-6: every existing organization account becomes a member; AutoEnable turns on.
fn enable_all(tx: &mut Tx, ctx: Ctx) -> Result<Response, ApiError> {
    access::hub_on(tx.w(), ctx)?;
    access::sh_admin(tx.w(), ctx, true)?;
    if tx.w().is_central_region(ctx.region) {
        return Err(access::invalid(
            RuleId::LOCAL_6,
            "The Enable banner belongs to local configuration; central configuration is on here",
        ));
    }
    let candidates: Vec<AccountIdx> =
        tx.w().account_indices().filter(|a| *a != ctx.caller && tx.w().in_org(*a)).collect();
    for account in candidates {
        let w = tx.w();
        let skip = w.enabled_membership(account, ctx.region).is_some()
            || (w.is_management(account) && !w.hub_enabled(account, ctx.region))
            || !w.region_usable(account, ctx.region)
            || w.member_limit_reached(ctx.caller, ctx.region);
        if skip {
            continue;
        }
        if w.account(account).state.is_suspended() {
            cascade::mark_suspended(tx, ctx.region, ctx.caller, account, RuleId::MEMBER_7);
            continue;
        }
        cascade::enrol_org_member(tx, ctx.region, ctx.caller, account, StandardSet::defaults(), RuleId::LOCAL_6);
    }
    let config = tx.w().org_config(ctx.region).cloned().expect("ORGCFG-1: a designated Region has a record");
    if !config.auto_enable {
        let config = OrgConfig { auto_enable: true, configuration_type: ConfigurationType::Local, ..config };
        tx.emit(RuleId::LOCAL_6, Change::OrganizationConfiguration { region: ctx.region, config: Some(config) });
    }
    Ok(json!({}))
}
