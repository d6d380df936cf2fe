//! Hub, standards and control operations (OP-B1 … OP-B6): enabling and disabling Security Hub in
//! a Region, reading the hub and its standards, hub settings, standards subscriptions and control
//! settings.
//!
//! Implements HUB-1 … HUB-5, STD-1 … STD-3, CTRL-1, CTRL-2, CTRL-4, POLICY-4 (parameter checks
//! shared with policies). LOCAL-7: under local configuration every non-default standard and
//! control setting is made here, per account and Region, by the account itself. Every operation acts in the request Region only (GEN-1). Sources:
//! EnableSecurityHub, DisableSecurityHub, UpdateSecurityHubConfiguration, BatchEnableStandards,
//! UpdateStandardsControl, UpdateSecurityControl in the Security Hub API reference.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::access;
use super::call::{
    ControlStatus, ParameterConfiguration, StandardsControlAssociationUpdate, StandardsSubscriptionRequest,
};
use super::cascade;
use super::catalog::RuleId;
use super::change::{Change, StandardStatus};
use super::outcome::{ApiError, DelayClass, ErrorCode, Response};
use super::policies::parse_parameters;
use super::{Ctx, ServiceWork, Tx};
use crate::model::{AccountIdx, Control, ControlFindingGenerator, Standard, StandardSet, World};

pub(super) fn enable_security_hub(
    tx: &mut Tx,
    ctx: Ctx,
    tags: Option<&BTreeMap<String, String>>,
    enable_default_standards: Option<bool>,
    generator: Option<ControlFindingGenerator>,
) -> Result<Response, ApiError> {
    if tags.is_some_and(|t| t.is_empty() || t.len() > 50) {
        return Err(access::invalid(RuleId::QUOTA_4, "Tags must hold 1 to 50 entries"));
    }
    access::not_centrally_managed(tx.w(), ctx)?;
    if tx.w().hub_enabled(ctx.caller, ctx.region) {
        return Err(ApiError::new(
            RuleId::HUB_1,
            ErrorCode::ResourceConflictException,
            "Account is already subscribed to Security Hub",
        ));
    }
    // STD-1: the defaults are FSBP and CIS v1.2.0 unless EnableDefaultStandards is false.
    let standards = if enable_default_standards.unwrap_or(true) { StandardSet::defaults() } else { StandardSet::EMPTY };
    // HUB-2: SECURITY_CONTROL unless the caller asks otherwise. A self-enabled organization
    // account gets no membership (OP-B1 MODEL CHOICE).
    let generator = generator.unwrap_or(ControlFindingGenerator::SecurityControl);
    cascade::enable_hub(tx, ctx.caller, ctx.region, standards, generator, RuleId::HUB_1);
    Ok(json!({}))
}

pub(super) fn disable_security_hub(tx: &mut Tx, ctx: Ctx) -> Result<Response, ApiError> {
    let w = tx.w();
    if !w.hub_enabled(ctx.caller, ctx.region) {
        return Err(ApiError::new(
            RuleId::ERR_12,
            ErrorCode::ResourceNotFoundException,
            "Account is not subscribed to Security Hub",
        ));
    }
    // HUB-3: administrators with members and members that were not disassociated are refused.
    if w.sh_admin(ctx.region) == Some(ctx.caller) {
        return Err(ApiError::new(
            RuleId::HUB_3,
            ErrorCode::InvalidAccessException,
            "The organization's Security Hub administrator cannot disable Security Hub; remove it as administrator first",
        ));
    }
    if w.roster(ctx.caller, ctx.region).is_some_and(|r| r.enabled > 0) {
        return Err(ApiError::new(
            RuleId::HUB_3,
            ErrorCode::InvalidAccessException,
            "An administrator account with enabled member accounts cannot disable Security Hub; disassociate them first",
        ));
    }
    if let Some(record) = w.enabled_membership(ctx.caller, ctx.region) {
        return Err(ApiError::new(
            RuleId::HUB_3,
            ErrorCode::InvalidAccessException,
            format!(
                "Account {} is a member of {}; it can disable Security Hub only after it is disassociated",
                w.account_id(ctx.caller),
                w.account_id(record.administrator)
            ),
        ));
    }
    access::not_centrally_managed(w, ctx)?;
    cascade::disable_hub(tx, ctx.caller, ctx.region, RuleId::HUB_4);
    Ok(json!({}))
}

/// The hub ARN of an account in a Region.
pub(super) fn hub_arn(w: &World, account: AccountIdx, region: crate::model::RegionIdx) -> String {
    format!("arn:aws:securityhub:{}:{}:hub/default", w.regions.get(region), w.account_id(account))
}

pub(super) fn describe_hub(w: &World, ctx: Ctx, requested: Option<&str>) -> Result<Response, ApiError> {
    access::hub_on(w, ctx)?;
    let arn = hub_arn(w, ctx.caller, ctx.region);
    if let Some(requested) = requested
        && requested != arn
    {
        return Err(ApiError::new(
            RuleId::ERR_12,
            ErrorCode::ResourceNotFoundException,
            format!("Hub {requested} not found"),
        ));
    }
    let hub = w.hub(ctx.caller, ctx.region).expect("checked by hub_on");
    Ok(json!({
        "HubArn": arn,
        "SubscribedAt": hub.subscribed_at.to_string(),
        "AutoEnableControls": hub.auto_enable_controls,
        "ControlFindingGenerator": hub.control_finding_generator,
    }))
}

pub(super) fn get_enabled_standards(
    w: &World,
    ctx: Ctx,
    subscription_arns: Option<&[String]>,
    max_results: Option<u32>,
) -> Result<Response, ApiError> {
    let limit = access::page_size(max_results, 100)?;
    if subscription_arns.is_some_and(|a| a.is_empty() || a.len() > 25) {
        return Err(access::invalid(RuleId::STD_3, "StandardsSubscriptionArns must hold 1 to 25 ARNs"));
    }
    access::hub_on(w, ctx)?;
    let hub = w.hub(ctx.caller, ctx.region).expect("checked by hub_on");
    let region = w.regions.get(ctx.region).code();
    let account = w.account_id(ctx.caller).to_string();
    let wanted: Option<StandardSet> =
        subscription_arns.map(|arns| arns.iter().filter_map(|a| Standard::parse(a)).collect());
    let subscriptions: Vec<Value> = hub
        .standards()
        .iter()
        .filter(|s| wanted.is_none_or(|set| set.contains(*s)))
        .take(limit)
        .map(|standard| {
            let (status, updatable, reason) = if hub.standards_ready.contains(standard) {
                ("READY", "READY_FOR_UPDATES", None)
            } else if hub.standards_pending.contains(standard) {
                ("PENDING", "NOT_READY_FOR_UPDATES", None)
            } else {
                ("INCOMPLETE", "READY_FOR_UPDATES", Some("NO_AVAILABLE_CONFIGURATION_RECORDER"))
            };
            let mut value = json!({
                "StandardsSubscriptionArn": standard.subscription_arn(region, &account),
                "StandardsArn": standard.arn(region),
                "StandardsStatus": status,
                "StandardsControlsUpdatable": updatable,
            });
            if let Some(reason) = reason {
                value["StandardsStatusReason"] = json!({ "StatusReasonCode": reason });
            }
            value
        })
        .collect();
    Ok(json!({ "StandardsSubscriptions": subscriptions }))
}

pub(super) fn update_security_hub_configuration(
    tx: &mut Tx,
    ctx: Ctx,
    auto_enable_controls: Option<bool>,
    generator: Option<ControlFindingGenerator>,
) -> Result<Response, ApiError> {
    access::hub_on(tx.w(), ctx)?;
    access::not_centrally_managed(tx.w(), ctx)?;
    let hub = tx.w().hub(ctx.caller, ctx.region).expect("checked by hub_on");
    // HUB-2: a member follows its administrator's generator; only the administrator changes it.
    if let Some(g) = generator
        && g != hub.control_finding_generator
        && tx.w().enabled_membership(ctx.caller, ctx.region).is_some()
    {
        return Err(access::invalid(
            RuleId::HUB_2,
            "ControlFindingGenerator of a member account follows its administrator and can only be changed there",
        ));
    }
    let new_auto = auto_enable_controls.unwrap_or(hub.auto_enable_controls);
    let new_generator = generator.unwrap_or(hub.control_finding_generator);
    if new_auto != hub.auto_enable_controls || new_generator != hub.control_finding_generator {
        // CTRL-4: AutoEnableControls decides whether newly released controls come on by themselves.
        let rule = if new_generator != hub.control_finding_generator { RuleId::HUB_2 } else { RuleId::CTRL_4 };
        let generator_changed = new_generator != hub.control_finding_generator;
        tx.emit(
            rule,
            Change::HubSettings {
                account: ctx.caller,
                region: ctx.region,
                auto_enable_controls: new_auto,
                generator: new_generator,
            },
        );
        // HUB-2 MODEL CHOICE: an administrator's generator reaches its enabled members at once.
        if generator_changed {
            let members: Vec<AccountIdx> = tx.w().members_of(ctx.caller, ctx.region);
            for member in members {
                let enabled = tx
                    .w()
                    .record(ctx.caller, member, ctx.region)
                    .is_some_and(|r| r.status == crate::model::MemberStatus::Enabled);
                if let (true, Some(member_hub)) = (enabled, tx.w().hub(member, ctx.region)) {
                    let auto = member_hub.auto_enable_controls;
                    tx.emit(
                        RuleId::HUB_2,
                        Change::HubSettings {
                            account: member,
                            region: ctx.region,
                            auto_enable_controls: auto,
                            generator: new_generator,
                        },
                    );
                }
            }
        }
    }
    Ok(json!({}))
}

pub(super) fn batch_enable_standards(
    tx: &mut Tx,
    ctx: Ctx,
    requests: &[StandardsSubscriptionRequest],
) -> Result<Response, ApiError> {
    if requests.is_empty() || requests.len() > 25 {
        return Err(access::invalid(RuleId::STD_3, "StandardsSubscriptionRequests must hold 1 to 25 items"));
    }
    let mut standards = StandardSet::EMPTY;
    for request in requests {
        let standard = Standard::parse(&request.standards_arn)
            .ok_or_else(|| access::invalid(RuleId::ERR_2, format!("Unknown standard {}", request.standards_arn)))?;
        standards.insert(standard);
    }
    access::hub_on(tx.w(), ctx)?;
    access::not_centrally_managed(tx.w(), ctx)?;
    let current = tx.w().hub(ctx.caller, ctx.region).expect("checked by hub_on").standards();
    let new = StandardSet(standards.0 & !current.0);
    if !new.is_empty() {
        tx.emit(
            RuleId::STD_2,
            Change::StandardsStatus {
                account: ctx.caller,
                region: ctx.region,
                standards: new,
                status: Some(StandardStatus::Pending),
            },
        );
        tx.later(
            DelayClass::StandardsReady,
            ctx.region,
            ServiceWork::SettleStandards { account: ctx.caller, region: ctx.region },
        );
    }
    Ok(subscriptions_response(tx.w(), ctx, standards, None))
}

pub(super) fn batch_disable_standards(tx: &mut Tx, ctx: Ctx, arns: &[String]) -> Result<Response, ApiError> {
    if arns.is_empty() || arns.len() > 25 {
        return Err(access::invalid(RuleId::STD_3, "StandardsSubscriptionArns must hold 1 to 25 ARNs"));
    }
    let region = tx.w().regions.get(ctx.region).code().to_string();
    let account = tx.w().account_id(ctx.caller).to_string();
    let mut standards = StandardSet::EMPTY;
    for arn in arns {
        let standard =
            Standard::parse(arn).filter(|s| s.subscription_arn(&region, &account) == *arn).ok_or_else(|| {
                access::invalid(
                    RuleId::ERR_2,
                    format!("{arn} is not a standards subscription ARN of this account and Region"),
                )
            })?;
        standards.insert(standard);
    }
    access::hub_on(tx.w(), ctx)?;
    access::not_centrally_managed(tx.w(), ctx)?;
    let current = tx.w().hub(ctx.caller, ctx.region).expect("checked by hub_on").standards();
    let removing = StandardSet(standards.0 & current.0);
    if !removing.is_empty() {
        // STD-2: DELETING → removed; the simulator removes at once and reports DELETING.
        tx.emit(
            RuleId::STD_2,
            Change::StandardsStatus { account: ctx.caller, region: ctx.region, standards: removing, status: None },
        );
    }
    Ok(subscriptions_response(tx.w(), ctx, standards, Some("DELETING")))
}

fn subscriptions_response(w: &World, ctx: Ctx, standards: StandardSet, status: Option<&str>) -> Value {
    let region = w.regions.get(ctx.region).code();
    let account = w.account_id(ctx.caller).to_string();
    let pending = w.hub(ctx.caller, ctx.region).map(|h| h.standards_pending).unwrap_or_default();
    let items: Vec<Value> = standards
        .iter()
        .map(|s| {
            let st = status.unwrap_or(if pending.contains(s) { "PENDING" } else { "READY" });
            json!({ "StandardsSubscriptionArn": s.subscription_arn(region, &account), "StandardsArn": s.arn(region), "StandardsStatus": st })
        })
        .collect();
    json!({ "StandardsSubscriptions": items })
}

/// Parses `arn:aws:securityhub:REGION:ACCOUNT:control/STANDARD/CONTROL`.
fn parse_standards_control_arn(arn: &str) -> Option<(Standard, Control)> {
    let rest = arn.strip_prefix("arn:aws:securityhub:")?;
    let resource = rest.splitn(3, ':').nth(2)?.strip_prefix("control/")?;
    let (standard, control) = resource.rsplit_once('/')?;
    let standard = Standard::parse(standard)?;
    // CIS v1.2.0's numbered controls (`1.1`) are not in the catalogue; only security control ids are.
    let control = Control::parse(control)?;
    Some((standard, control))
}

/// CTRL-2: controls of a standard can be updated only once its subscription is ready.
fn control_updatable(w: &World, ctx: Ctx, standard: Standard, control: Control) -> Result<(), ApiError> {
    let hub = w.hub(ctx.caller, ctx.region).expect("checked by hub_on");
    if !control.info().standards.contains(standard) {
        return Err(ApiError::new(
            RuleId::ERR_12,
            ErrorCode::ResourceNotFoundException,
            format!("Control {control} is not part of {standard}"),
        ));
    }
    if !hub.standards().contains(standard) || hub.standards_pending.contains(standard) {
        return Err(ApiError::new(
            RuleId::CTRL_2,
            ErrorCode::ResourceNotFoundException,
            format!("The subscription to {standard} is not ready for control updates (NOT_READY_FOR_UPDATES)"),
        ));
    }
    Ok(())
}

fn set_control(tx: &mut Tx, ctx: Ctx, control: Control, status: ControlStatus) {
    let hub = tx.w().hub(ctx.caller, ctx.region).expect("hub on");
    let mut disabled = hub.disabled_controls;
    match status {
        ControlStatus::Enabled => disabled.remove(control),
        ControlStatus::Disabled => disabled.insert(control),
    }
    if disabled != hub.disabled_controls {
        // CTRL-1 MODEL CHOICE: one status per control, aligned across the account's standards.
        tx.emit(RuleId::CTRL_1, Change::ControlsDisabled { account: ctx.caller, region: ctx.region, disabled });
    }
}

pub(super) fn update_standards_control(
    tx: &mut Tx,
    ctx: Ctx,
    arn: &str,
    status: ControlStatus,
    disabled_reason: Option<&str>,
) -> Result<Response, ApiError> {
    let (standard, control) = parse_standards_control_arn(arn)
        .ok_or_else(|| access::invalid(RuleId::ERR_2, format!("{arn} is not a standards control ARN")))?;
    if status == ControlStatus::Disabled && disabled_reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(access::invalid(RuleId::ERR_2, "DisabledReason is required when disabling a control"));
    }
    access::hub_on(tx.w(), ctx)?;
    access::not_centrally_managed(tx.w(), ctx)?;
    control_updatable(tx.w(), ctx, standard, control)?;
    set_control(tx, ctx, control, status);
    Ok(json!({}))
}

pub(super) fn batch_update_standards_control_associations(
    tx: &mut Tx,
    ctx: Ctx,
    updates: &[StandardsControlAssociationUpdate],
) -> Result<Response, ApiError> {
    if updates.is_empty() || updates.len() > 50 {
        return Err(access::invalid(RuleId::QUOTA_3, "StandardsControlAssociationUpdates must hold 1 to 50 items"));
    }
    access::hub_on(tx.w(), ctx)?;
    access::not_centrally_managed(tx.w(), ctx)?;
    let mut unprocessed = Vec::new();
    for update in updates {
        let parsed = Standard::parse(&update.standards_arn).zip(Control::parse(&update.security_control_id));
        let outcome = match parsed {
            None => Err(("INVALID_INPUT", "unknown standard or control".to_string())),
            Some((standard, control)) => match control_updatable(tx.w(), ctx, standard, control) {
                Err(e) => Err(("RESOURCE_NOT_FOUND", e.message)),
                Ok(()) if update.association_status == ControlStatus::Disabled && update.updated_reason.is_none() => {
                    Err(("INVALID_INPUT", "UpdatedReason is required when disabling".to_string()))
                }
                Ok(()) => Ok(control),
            },
        };
        match outcome {
            Ok(control) => set_control(tx, ctx, control, update.association_status),
            Err((code, reason)) => unprocessed.push(json!({
                "StandardsControlAssociationUpdate": { "StandardsArn": update.standards_arn, "SecurityControlId": update.security_control_id },
                "ErrorCode": code,
                "ErrorReason": reason,
            })),
        }
    }
    Ok(json!({ "UnprocessedAssociationUpdates": unprocessed }))
}

pub(super) fn update_security_control(
    tx: &mut Tx,
    ctx: Ctx,
    control_id: &str,
    parameters: &BTreeMap<String, ParameterConfiguration>,
) -> Result<Response, ApiError> {
    let control = Control::parse(control_id).ok_or_else(|| {
        ApiError::new(RuleId::ERR_12, ErrorCode::ResourceNotFoundException, format!("Control {control_id} not found"))
    })?;
    access::hub_on(tx.w(), ctx)?;
    access::not_centrally_managed(tx.w(), ctx)?;
    let changes = parse_parameters(control, parameters)?;
    // Control updates are immediate here, so ResourceInUseException (control UPDATING) never
    // arises (documented in the module header).
    let current = tx.w().ar(ctx.caller, ctx.region).params();
    let mut params = current.clone();
    for (name, value) in changes {
        match value {
            Some(value) => params.insert((control, name), value),
            None => params.remove(&(control, name)),
        };
    }
    if params != *current {
        tx.emit(
            RuleId::POLICY_4,
            Change::ControlParameters { account: ctx.caller, region: ctx.region, params: Arc::new(params) },
        );
    }
    Ok(json!({}))
}
