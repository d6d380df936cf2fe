//! The Security Hub administrator and the organization configuration (OP-C1 … OP-C5), including
//! the switch to central configuration and back.
//!
//! Implements ADMIN-1 … ADMIN-14, TRUST-2, ORGCFG-1 … ORGCFG-4, LOCAL-1, CENTRAL-1 … CENTRAL-5,
//! CENTRAL-8, LIFE-8, LIFE-13, LIFE-14, LIFE-18. Designation and removal act in the request
//! Region only (ADMIN-2, ADMIN-10a). Sources: the seed chapter on Organizations (designating,
//! removing or changing the administrator), start- and stop-central-configuration pages, and the
//! Enable/Disable/ListOrganizationAdminAccounts and Describe/UpdateOrganizationConfiguration API
//! reference pages.

use serde_json::{Value, json};

use super::access;
use super::cascade;
use super::catalog::RuleId;
use super::change::Change;
use super::outcome::{ApiError, DelayClass, ErrorCode, Response};
use super::work::superseded;
use super::{Ctx, ServiceWork, Tx};
use crate::model::{
    AccountId, AccountIdx, AdminStatus, AutoEnableStandards, CentralPhase, ConfigurationType, FeatureSet, MemberStatus,
    MemberType, OrgConfig, OrgConfigStatus, RegionIdx, StandardSet, World,
};

fn check_feature(feature: Option<&str>) -> Result<(), ApiError> {
    match feature {
        None | Some("SecurityHub") => Ok(()),
        // Security Hub (v2) is out of scope.
        Some(other) => {
            Err(access::invalid(RuleId::Q_20, format!("Feature `{other}` is not modelled; only SecurityHub is")))
        }
    }
}

pub(super) fn enable_organization_admin_account(
    tx: &mut Tx,
    ctx: Ctx,
    admin_account_id: AccountId,
    feature: Option<&str>,
) -> Result<Response, ApiError> {
    check_feature(feature)?;
    access::management(tx.w(), ctx)?;
    let w = tx.w();
    if w.org.feature_set != FeatureSet::All {
        return Err(ApiError::new(
            RuleId::ORG_4,
            ErrorCode::AccessDeniedException,
            "The organization must have all features enabled",
        ));
    }
    let target = w.account_idx(admin_account_id).filter(|a| w.in_org(*a)).ok_or_else(|| {
        access::invalid(RuleId::ADMIN_6, format!("Account {admin_account_id} is not an account of the organization"))
    })?;
    if w.account(target).state.is_suspended() {
        return Err(access::invalid(RuleId::ORG_9, format!("Account {admin_account_id} is suspended")));
    }
    if !w.region_usable(target, ctx.region) {
        return Err(access::invalid(
            RuleId::REG_2,
            format!("Region {} is not enabled for account {admin_account_id}", w.regions.get(ctx.region)),
        ));
    }
    let is_management = w.is_management(target);
    if is_management && !w.hub_enabled(target, ctx.region) {
        return Err(access::invalid(
            RuleId::ADMIN_8,
            "The management account must enable Security Hub in this Region before it can be the administrator",
        ));
    }
    if let Some(registered) = w.org.delegated_admin
        && registered != target
        && !is_management
    {
        return Err(access::invalid(
            RuleId::ADMIN_6,
            format!(
                "Account {} is the organization's delegated administrator; the administrator must be it or the management account",
                w.account_id(registered)
            ),
        ));
    }
    match w.designation(ctx.region) {
        Some(d) if d.account == target && d.status == AdminStatus::Enabled => {
            return Ok(json!({ "AdminAccountId": admin_account_id.to_string(), "Feature": "SecurityHub" }));
        }
        Some(d) => {
            return Err(access::invalid(
                RuleId::ADMIN_9,
                format!(
                    "Account {} is already the administrator in this Region; remove it first",
                    w.account_id(d.account)
                ),
            ));
        }
        None => {}
    }
    if let Some(record) = w.enabled_membership(target, ctx.region) {
        return Err(access::invalid(
            RuleId::ADMIN_13,
            format!(
                "Account {admin_account_id} is a member of {}; an administrator cannot be a member",
                w.account_id(record.administrator)
            ),
        ));
    }
    designate(tx, ctx.region, target, true);
    Ok(json!({ "AdminAccountId": admin_account_id.to_string(), "Feature": "SecurityHub" }))
}

/// LIFE-8: designation effects in one Region (ADMIN-3, ADMIN-4, TRUST-2, ORGCFG-1, LIFE-18).
/// `default_standards`: a plain designation enables the default standards with the hub;
/// the start of central configuration does not.
pub(super) fn designate(tx: &mut Tx, region: RegionIdx, target: AccountIdx, default_standards: bool) {
    if !tx.w().org.trusted_access {
        tx.emit(RuleId::TRUST_2, Change::TrustedAccess { enabled: true });
    }
    if tx.w().org.delegated_admin.is_none() && !tx.w().is_management(target) {
        tx.emit(RuleId::ADMIN_4, Change::DelegatedAdministratorRegistered { account: target });
    }
    if !tx.w().hub_enabled(target, region) {
        let standards = if default_standards { StandardSet::defaults() } else { StandardSet::EMPTY };
        let rule = if default_standards { RuleId::ADMIN_3 } else { RuleId::CENTRAL_4 };
        let generator = cascade::generator_for(tx, region, None);
        cascade::enable_hub(tx, target, region, standards, generator, rule);
    }
    tx.emit(RuleId::ADMIN_2, Change::AdministratorDesignated { region, account: target });
    tx.emit(RuleId::ORGCFG_1, Change::OrganizationConfiguration { region, config: Some(OrgConfig::fresh()) });
    // LIFE-18: enabled invitation members that are organization accounts become organization type.
    let members: Vec<AccountIdx> = tx.w().members_of(target, region);
    for member in members {
        let record = tx.w().record(target, member, region).expect("roster lists existing records");
        if record.member_type == MemberType::Invitation
            && record.status == MemberStatus::Enabled
            && tx.w().in_org(member)
        {
            cascade::set_record(
                tx,
                region,
                target,
                member,
                MemberType::Organization,
                MemberStatus::Enabled,
                RuleId::LIFE_18,
            );
        }
    }
}

pub(super) fn disable_organization_admin_account(
    tx: &mut Tx,
    ctx: Ctx,
    admin_account_id: AccountId,
    feature: Option<&str>,
) -> Result<Response, ApiError> {
    check_feature(feature)?;
    access::management(tx.w(), ctx)?;
    let w = tx.w();
    let designation = w.designation(ctx.region);
    let target = w.account_idx(admin_account_id);
    let Some(designation) = designation.filter(|d| Some(d.account) == target) else {
        return Err(access::invalid(
            RuleId::ADMIN_10,
            format!("Account {admin_account_id} is not the Security Hub administrator in this Region"),
        ));
    };
    if w.is_central_region(ctx.region)
        || (w.central.phase == CentralPhase::Pending && w.configuration_scope().contains(ctx.region))
    {
        return Err(access::invalid(
            RuleId::ADMIN_11,
            "The administrator cannot be removed with the Security Hub API while central configuration is on; deregister it in Organizations",
        ));
    }
    if designation.status == AdminStatus::DisableInProgress {
        return Ok(json!({}));
    }
    // ADMIN-10a: this Region only; the Organizations registration is untouched.
    tx.emit(RuleId::ADMIN_12, Change::AdministratorRemovalStarted { region: ctx.region, account: designation.account });
    tx.later(
        DelayClass::AdminRemoval,
        ctx.region,
        ServiceWork::CompleteAdministratorRemoval { region: ctx.region, account: designation.account },
    );
    Ok(json!({}))
}

pub(super) fn list_organization_admin_accounts(
    w: &World,
    ctx: Ctx,
    max_results: Option<u32>,
    feature: Option<&str>,
) -> Result<Response, ApiError> {
    access::page_size(max_results, 10)?;
    check_feature(feature)?;
    access::management(w, ctx)?;
    // OP-C3 MODEL CHOICE: Region-scoped, 0 or 1 entry with ADMIN-12's status.
    let accounts: Vec<Value> = w
        .designation(ctx.region)
        .map(|d| json!({ "AccountId": w.account_id(d.account).to_string(), "AdminAccountId": w.account_id(d.account).to_string(), "Status": d.status }))
        .into_iter()
        .collect();
    Ok(json!({ "AdminAccounts": accounts, "Feature": "SecurityHub" }))
}

pub(super) fn describe_organization_configuration(w: &World, ctx: Ctx) -> Result<Response, ApiError> {
    access::hub_on(w, ctx)?;
    access::sh_admin(w, ctx, false)?;
    let config = w.org_config(ctx.region).expect("ORGCFG-1: a designated Region has a record");
    let mut org = json!({ "ConfigurationType": config.configuration_type, "Status": config.status });
    if let Some(message) = &config.status_message {
        org["StatusMessage"] = Value::String(message.to_string());
    }
    Ok(json!({
        "AutoEnable": config.auto_enable,
        // ORGCFG-4: derived from the member count.
        "MemberAccountLimitReached": w.member_limit_reached(ctx.caller, ctx.region),
        "AutoEnableStandards": config.auto_enable_standards,
        "OrganizationConfiguration": org,
    }))
}

pub(super) fn update_organization_configuration(
    tx: &mut Tx,
    ctx: Ctx,
    auto_enable: bool,
    auto_enable_standards: Option<AutoEnableStandards>,
    configuration_type: Option<ConfigurationType>,
) -> Result<Response, ApiError> {
    access::hub_on(tx.w(), ctx)?;
    access::sh_admin(tx.w(), ctx, true)?;
    let w = tx.w();
    let config = w.org_config(ctx.region).cloned().expect("ORGCFG-1: a designated Region has a record");
    let central_here = w.is_central_region(ctx.region);
    let is_home = w.central.home == Some(ctx.region);
    let wants_local_settings_only = !auto_enable && auto_enable_standards != Some(AutoEnableStandards::Default);
    match configuration_type {
        _ if w.central.phase == CentralPhase::Pending && w.configuration_scope().contains(ctx.region) => {
            Err(ApiError::new(
                RuleId::CENTRAL_3,
                ErrorCode::ResourceConflictException,
                "The switch to central configuration is still in progress",
            ))
        }
        Some(ConfigurationType::Central) if central_here && is_home => {
            if wants_local_settings_only {
                Ok(json!({}))
            } else {
                Err(access::invalid(
                    RuleId::CENTRAL_2,
                    "Auto Enable and AutoEnableStandards can not be enabled for Central Configuration",
                ))
            }
        }
        Some(_) if central_here && !is_home => {
            Err(access::invalid(RuleId::CENTRAL_7, "The configuration type can only be changed from the home Region"))
        }
        Some(ConfigurationType::Central) => start_central(tx, ctx, auto_enable, auto_enable_standards),
        Some(ConfigurationType::Local) if central_here => stop_central(tx, ctx, auto_enable, auto_enable_standards),
        None if central_here => {
            if wants_local_settings_only {
                Ok(json!({}))
            } else {
                Err(access::invalid(
                    RuleId::ORGCFG_3,
                    "Auto Enable and AutoEnableStandards can not be enabled for Central Configuration",
                ))
            }
        }
        _ => {
            // Case L (LOCAL-1): this Region only, for accounts that join afterwards.
            let new = OrgConfig {
                auto_enable,
                auto_enable_standards: auto_enable_standards.unwrap_or(config.auto_enable_standards),
                configuration_type: ConfigurationType::Local,
                status: OrgConfigStatus::Enabled,
                status_message: None,
            };
            if new != config {
                tx.emit(RuleId::LOCAL_1, Change::OrganizationConfiguration { region: ctx.region, config: Some(new) });
            }
            Ok(json!({}))
        }
    }
}

/// Case C-on: CENTRAL-2 checks, then PENDING (CENTRAL-3) and the settle work (LIFE-13).
fn start_central(
    tx: &mut Tx,
    ctx: Ctx,
    auto_enable: bool,
    standards: Option<AutoEnableStandards>,
) -> Result<Response, ApiError> {
    let w = tx.w();
    if auto_enable || standards == Some(AutoEnableStandards::Default) {
        return Err(access::invalid(
            RuleId::CENTRAL_2,
            "Auto Enable and AutoEnableStandards can not be enabled for Central Configuration",
        ));
    }
    if w.is_management(ctx.caller) {
        return Err(access::invalid(
            RuleId::ADMIN_14,
            "The management account cannot use central configuration; designate a delegated administrator",
        ));
    }
    if w.org.delegated_admin != Some(ctx.caller) {
        return Err(access::invalid(
            RuleId::CENTRAL_1,
            "Central configuration needs the Organizations-registered delegated administrator",
        ));
    }
    match w.aggregators.get(&ctx.caller) {
        Some(aggregator) if aggregator.home == ctx.region => {}
        _ => {
            return Err(access::invalid(
                RuleId::AGG_5,
                "Central configuration needs a finding aggregator whose home Region is the request Region",
            ));
        }
    }
    let generation = w.central.switch_generation.wrapping_add(1);
    tx.emit(RuleId::CENTRAL_1, Change::CentralConfigurationRequested { da: ctx.caller, home: ctx.region, generation });
    let pending = OrgConfig::central(OrgConfigStatus::Pending);
    tx.emit(RuleId::CENTRAL_3, Change::OrganizationConfiguration { region: ctx.region, config: Some(pending) });
    tx.later(DelayClass::CentralSwitch, ctx.region, ServiceWork::SettleCentralConfiguration { generation });
    Ok(json!({}))
}

/// CENTRAL-3 / CENTRAL-4: the switch settles, ENABLED or FAILED.
pub(super) fn settle_central(tx: &mut Tx, generation: u32) -> Result<Response, ApiError> {
    let w = tx.w();
    if w.central.phase != CentralPhase::Pending || w.central.switch_generation != generation {
        return Ok(superseded("the switch was overtaken by a later change"));
    }
    let da = w.central.da.expect("a pending switch has a DA");
    let home = w.central.home.expect("a pending switch has a home Region");
    let scope = w.configuration_scope();
    // A linked Region conflicts if another account administers it, or if the DA's own designation
    // there is being removed (it would vanish under central configuration once the removal ends).
    let conflict =
        scope.iter().find(|r| w.designation(*r).is_some_and(|d| d.account != da || d.status != AdminStatus::Enabled));
    // The switch is lost if the DA stopped being the home Region's administrator (even one being
    // removed, TIME-6), was deregistered, or lost its aggregator or trusted access.
    let lost = w.designation(home).is_none_or(|d| d.account != da || d.status != AdminStatus::Enabled)
        || w.org.delegated_admin != Some(da)
        || !w.org.trusted_access
        || w.aggregators.get(&da).is_none_or(|a| a.home != home);
    if let Some(region) = conflict.filter(|_| !lost).or(if lost { Some(home) } else { None }) {
        // CENTRAL-3 MODEL CHOICE: FAILED reverts to LOCAL everywhere, naming the Region.
        let message = if lost {
            "The delegated administrator, its aggregator or trusted access changed before the switch completed"
                .to_string()
        } else {
            format!("Region {} has a different Security Hub administrator, or one being removed", w.regions.get(region))
        };
        tx.emit(RuleId::CENTRAL_3, Change::CentralConfigurationEnded);
        if tx.w().org_config(home).is_some() {
            let failed = OrgConfig {
                status: OrgConfigStatus::Failed,
                status_message: cascade::message(message.clone()),
                ..OrgConfig::fresh()
            };
            tx.emit(RuleId::CENTRAL_3, Change::OrganizationConfiguration { region: home, config: Some(failed) });
        }
        return Ok(json!({ "Status": "FAILED", "StatusMessage": message }));
    }
    // CENTRAL-4: organization accounts whose hub is already on become members. Found for every
    // Region in one pass: nothing below turns another account's hub on (`designate` enables the
    // DA's own, which is never a candidate).
    let mut hubs_on = tx.w().org_hubs_in(scope, da).into_iter();
    for region in scope.iter() {
        let candidates = hubs_on.next().map(|(_, list)| list).unwrap_or_default();
        // CENTRAL-5: the DA is designated in every linked Region it can use.
        if !tx.w().region_usable(da, region) {
            continue;
        }
        if tx.w().sh_admin(region).is_none() {
            designate(tx, region, da, false);
        }
        let central = OrgConfig::central(OrgConfigStatus::Enabled);
        tx.emit(RuleId::ORGCFG_3, Change::OrganizationConfiguration { region, config: Some(central) });
        for account in candidates {
            let w = tx.w();
            // ADMIN-13: an administrator of others (even by invitation) is not made a member.
            if w.enabled_membership(account, region).is_some()
                || w.administers(account, region)
                || w.member_limit_reached(da, region)
            {
                continue;
            }
            if w.account(account).state.is_suspended() {
                cascade::mark_suspended(tx, region, da, account, RuleId::MEMBER_7);
                continue;
            }
            cascade::set_record(
                tx,
                region,
                da,
                account,
                MemberType::Organization,
                MemberStatus::Enabled,
                RuleId::CENTRAL_4,
            );
        }
    }
    tx.emit(RuleId::CENTRAL_3, Change::CentralConfigurationEnabled);
    Ok(json!({ "Status": "ENABLED" }))
}

/// Case C-off (CENTRAL-8, LIFE-14): only with no policy and no applied association left.
fn stop_central(
    tx: &mut Tx,
    ctx: Ctx,
    auto_enable: bool,
    standards: Option<AutoEnableStandards>,
) -> Result<Response, ApiError> {
    let w = tx.w();
    if w.central.live_policies().next().is_some() || !w.central.applied.is_empty() {
        return Err(ApiError::new(
            RuleId::CENTRAL_8,
            ErrorCode::ResourceConflictException,
            "Delete every configuration policy and association (including self-managed ones) before stopping central configuration",
        ));
    }
    cascade::end_central(tx, RuleId::LIFE_14, false);
    let home = OrgConfig {
        auto_enable,
        auto_enable_standards: standards.unwrap_or(AutoEnableStandards::Default),
        ..OrgConfig::fresh()
    };
    tx.emit(RuleId::CENTRAL_8, Change::OrganizationConfiguration { region: ctx.region, config: Some(home) });
    Ok(json!({}))
}
