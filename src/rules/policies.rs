//! Configuration policies (OP-G1 … OP-G4): validating a policy's content, creating, updating,
//! deleting and reading policies.
//!
//! Implements POLICY-1 … POLICY-7, POLICY-12, QUOTA-5 and the CENTRAL-7 gate; an update
//! re-applies the policy to every account that uses it (LIFE-15, ASSOC-17). Sources:
//! CreateConfigurationPolicy / UpdateConfigurationPolicy in the API reference, the user guide's
//! create-associate-policy, update-policy and delete-policy pages.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{Value, json};

use super::access;
use super::call::{ApiParameterValue, ConfigurationPolicySpec, ParameterConfiguration, ValueType};
use super::cascade;
use super::catalog::RuleId;
use super::change::Change;
use super::outcome::{ApiError, ErrorCode, Response};
use super::{Ctx, Tx};
use crate::model::ids::uuid_text;
use crate::model::standards::ParamType;
use crate::model::{
    AccountIdx, AssocValue, Control, ControlSelection, ControlSet, Effective, ParamMap, ParamValue, Policy,
    PolicyContent, PolicyIdx, Standard, StandardSet, World,
};

/// POLICY-4: checks parameter configurations of one control; returns, per parameter, the custom
/// value to store (`None` for DEFAULT).
pub(super) fn parse_parameters(
    control: Control,
    parameters: &BTreeMap<String, ParameterConfiguration>,
) -> Result<Vec<(&'static str, Option<ParamValue>)>, ApiError> {
    let mut out = Vec::new();
    for (name, config) in parameters {
        let info = control
            .param(name)
            .ok_or_else(|| access::invalid(RuleId::POLICY_4, format!("Control {control} has no parameter `{name}`")))?;
        let value = match config.value_type {
            ValueType::Default => None,
            ValueType::Custom => {
                let value = config.value.as_ref().ok_or_else(|| {
                    access::invalid(
                        RuleId::POLICY_4,
                        format!("Parameter {control}.{name} with ValueType CUSTOM needs a Value"),
                    )
                })?;
                Some(typed_value(control, info.name, info.kind, value)?)
            }
        };
        out.push((info.name, value));
    }
    Ok(out)
}

fn typed_value(
    control: Control,
    name: &str,
    kind: ParamType,
    value: &ApiParameterValue,
) -> Result<ParamValue, ApiError> {
    let wrong = || {
        access::invalid(RuleId::POLICY_4, format!("Parameter {control}.{name} expects a {kind:?} value; got {value:?}"))
    };
    match (kind, value) {
        (ParamType::Integer { min, max }, ApiParameterValue::Integer(n)) if (min..=max).contains(n) => {
            Ok(ParamValue::Integer(*n))
        }
        (ParamType::IntegerList { min, max }, ApiParameterValue::IntegerList(list))
            if !list.is_empty() && list.iter().all(|n| (min..=max).contains(n)) =>
        {
            Ok(ParamValue::IntegerList(list.clone()))
        }
        (ParamType::StringList, ApiParameterValue::StringList(list)) if !list.is_empty() => {
            Ok(ParamValue::StringList(list.clone()))
        }
        (ParamType::Boolean, ApiParameterValue::Boolean(b)) => Ok(ParamValue::Boolean(*b)),
        _ => Err(wrong()),
    }
}

/// POLICY-3: validates the `ConfigurationPolicy` union into stored content.
pub(super) fn parse_content(spec: &ConfigurationPolicySpec) -> Result<PolicyContent, ApiError> {
    let hub = spec.security_hub.as_ref().ok_or_else(|| {
        access::invalid(RuleId::POLICY_3, "ConfigurationPolicy must contain exactly one member: SecurityHub")
    })?;
    let service_enabled = hub
        .service_enabled
        .ok_or_else(|| access::invalid(RuleId::POLICY_3, "SecurityHub.ServiceEnabled is required"))?;
    if !service_enabled {
        // POLICY-3: standards and controls content is ignored and dropped.
        return Ok(PolicyContent {
            service_enabled,
            standards: StandardSet::EMPTY,
            controls: None,
            params: crate::model::no_params(),
        });
    }
    let mut standards = StandardSet::EMPTY;
    for id in hub.enabled_standard_identifiers.iter().flatten() {
        standards.insert(
            Standard::parse(id).ok_or_else(|| access::invalid(RuleId::POLICY_3, format!("Unknown standard `{id}`")))?,
        );
    }
    let controls = hub.security_controls_configuration.as_ref().ok_or_else(|| {
        access::invalid(RuleId::POLICY_3, "SecurityControlsConfiguration is required when ServiceEnabled is true")
    })?;
    let parse_list = |list: &Vec<String>| -> Result<ControlSet, ApiError> {
        list.iter()
            .map(|id| {
                Control::parse(id)
                    .ok_or_else(|| access::invalid(RuleId::POLICY_3, format!("Unknown security control `{id}`")))
            })
            .collect()
    };
    let selection = match (
        &controls.enabled_security_control_identifiers,
        &controls.disabled_security_control_identifiers,
    ) {
        (Some(enabled), None) => ControlSelection::Enabled(parse_list(enabled)?),
        (None, Some(disabled)) => ControlSelection::Disabled(parse_list(disabled)?),
        _ => {
            return Err(access::invalid(
                RuleId::POLICY_3,
                "Exactly one of EnabledSecurityControlIdentifiers and DisabledSecurityControlIdentifiers must be given",
            ));
        }
    };
    let mut params = ParamMap::new();
    for custom in controls.security_control_custom_parameters.iter().flatten() {
        let control = Control::parse(&custom.security_control_id).ok_or_else(|| {
            access::invalid(RuleId::POLICY_4, format!("Unknown security control `{}`", custom.security_control_id))
        })?;
        for (name, value) in parse_parameters(control, &custom.parameters)? {
            if let Some(value) = value {
                params.insert((control, name), value);
            }
        }
    }
    Ok(PolicyContent { service_enabled, standards, controls: Some(selection), params: Arc::new(params) })
}

/// POLICY-5: allowed characters and length of a policy name.
fn check_name(name: &str) -> Result<(), ApiError> {
    let ok =
        !name.is_empty() && name.len() <= 128 && name.chars().all(|c| c.is_ascii_alphanumeric() || "-.!*/".contains(c));
    if ok {
        Ok(())
    } else {
        Err(access::invalid(
            RuleId::POLICY_5,
            format!("Policy name `{name}` may contain only letters, digits and - . ! * / (1 to 128 characters)"),
        ))
    }
}

pub(super) fn resolve_policy(w: &World, identifier: &str) -> Result<PolicyIdx, ApiError> {
    w.central.policy_by_identifier(identifier).ok_or_else(|| {
        ApiError::new(
            RuleId::ERR_12,
            ErrorCode::ResourceNotFoundException,
            format!("Configuration policy {identifier} not found"),
        )
    })
}

pub(super) fn create_configuration_policy(
    tx: &mut Tx,
    ctx: Ctx,
    name: &str,
    description: Option<&str>,
    spec: &ConfigurationPolicySpec,
    tags: Option<&BTreeMap<String, String>>,
) -> Result<Response, ApiError> {
    check_name(name)?;
    if description.is_some_and(|d| d.len() > 512) || tags.is_some_and(|t| t.is_empty() || t.len() > 50) {
        return Err(access::invalid(RuleId::ERR_2, "Description is at most 512 characters and Tags 1 to 50 entries"));
    }
    let content = parse_content(spec)?;
    access::central_da(tx.w(), ctx)?;
    if tx.w().central.policy_by_name(name).is_some() {
        return Err(ApiError::new(
            RuleId::POLICY_5,
            ErrorCode::ResourceConflictException,
            format!("A configuration policy named {name} already exists"),
        ));
    }
    if tx.w().central.live_policies().count() as u32 >= tx.w().limits.policies {
        return Err(ApiError::new(
            RuleId::QUOTA_5,
            ErrorCode::LimitExceededException,
            format!(
                "The organization already has the maximum of {} configuration policies (POLICY-6)",
                tx.w().limits.policies
            ),
        ));
    }
    let w = tx.w();
    let idx = PolicyIdx(w.central.policies.len() as u32);
    let id = uuid_text(w.org.number.wrapping_mul(1_000_003).wrapping_add(w.counters.policies));
    let arn = format!(
        "arn:aws:securityhub:{}:{}:configuration-policy/{id}",
        w.regions.get(ctx.region),
        w.account_id(ctx.caller)
    );
    let policy = Policy {
        id: id.into(),
        arn: arn.into(),
        name: name.into(),
        description: description.map(Into::into),
        created_at: tx.now,
        updated_at: tx.now,
        content: Arc::new(content),
    };
    // POLICY-8: a policy takes effect only once associated; creating one changes no account.
    tx.emit(RuleId::POLICY_1, Change::PolicyStored { policy: idx, value: Box::new(policy) });
    Ok(policy_json(tx.w(), idx))
}

pub(super) fn update_configuration_policy(
    tx: &mut Tx,
    ctx: Ctx,
    identifier: &str,
    name: Option<&str>,
    description: Option<&str>,
    spec: Option<&ConfigurationPolicySpec>,
) -> Result<Response, ApiError> {
    if let Some(name) = name {
        check_name(name)?;
    }
    let content = spec.map(parse_content).transpose()?;
    access::central_da(tx.w(), ctx)?;
    let idx = resolve_policy(tx.w(), identifier)?;
    if let Some(name) = name
        && tx.w().central.policy_by_name(name).is_some_and(|other| other != idx)
    {
        return Err(ApiError::new(
            RuleId::POLICY_5,
            ErrorCode::ResourceConflictException,
            format!("A configuration policy named {name} already exists"),
        ));
    }
    let mut policy = tx.w().central.policy(idx).expect("resolved").clone();
    if let Some(name) = name {
        policy.name = name.into();
    }
    if let Some(description) = description {
        policy.description = Some(description.into());
    }
    let reconfigure = content.is_some();
    // The accounts the policy governs before the update: one that turns the service off stops
    // governing the delegated administrator (ASSOC-11: it skips the DA, whose resolution goes on
    // upwards), one that turns it back on governs the DA again. Both are re-evaluated below.
    let governed_before = if reconfigure { accounts_using(tx.w(), idx) } else { Vec::new() };
    if let Some(content) = content {
        // POLICY-7: the four lists are replaced wholesale.
        policy.content = Arc::new(content);
    }
    policy.updated_at = tx.now;
    tx.emit(RuleId::POLICY_7, Change::PolicyStored { policy: idx, value: Box::new(policy) });
    if reconfigure {
        // LIFE-15 / ASSOC-17. MODEL CHOICE (ASSOC-17): every account whose effective policy this
        // is, or was, is evaluated again (in index order): it gets the policy applied again, or, if
        // it no longer resolves to it, whatever it resolves to now (an unassociated DA's pending
        // result is cleared, ASSOC-5).
        let scope = tx.w().central_scope();
        let mut affected: BTreeSet<AccountIdx> = governed_before.into_iter().collect();
        affected.extend(accounts_using(tx.w(), idx));
        for account in affected {
            cascade::retarget(tx, account, scope, None, RuleId::ASSOC_17);
        }
    }
    Ok(policy_json(tx.w(), idx))
}

/// Accounts whose effective configuration is the policy, in index order.
pub(super) fn accounts_using(w: &World, policy: PolicyIdx) -> Vec<AccountIdx> {
    let mut accounts = BTreeSet::new();
    for (target, value) in w.central.applied.iter() {
        if *value == AssocValue::Policy(policy) {
            for account in w.accounts_under(target) {
                if matches!(w.effective(account), Effective::Policy { policy: p, .. } if p == policy) {
                    accounts.insert(account);
                }
            }
        }
    }
    accounts.into_iter().collect()
}

pub(super) fn delete_configuration_policy(tx: &mut Tx, ctx: Ctx, identifier: &str) -> Result<Response, ApiError> {
    access::central_da(tx.w(), ctx)?;
    let idx = resolve_policy(tx.w(), identifier)?;
    if tx.w().central.applied.values().any(|v| *v == AssocValue::Policy(idx)) {
        return Err(ApiError::new(
            RuleId::POLICY_12,
            ErrorCode::ResourceConflictException,
            format!("Configuration policy {identifier} is still associated; disassociate it first"),
        ));
    }
    tx.emit(RuleId::POLICY_12, Change::PolicyDeleted { policy: idx });
    Ok(json!({}))
}

pub(super) fn get_configuration_policy(w: &World, ctx: Ctx, identifier: &str) -> Result<Response, ApiError> {
    access::central_da_read(w, ctx)?;
    let idx = resolve_policy(w, identifier)?;
    Ok(policy_json(w, idx))
}

pub(super) fn list_configuration_policies(w: &World, ctx: Ctx, max_results: Option<u32>) -> Result<Response, ApiError> {
    let limit = access::page_size(max_results, 100)?;
    access::central_da_read(w, ctx)?;
    let summaries: Vec<Value> = w
        .central
        .live_policies()
        .take(limit)
        .map(|(_, p)| {
            json!({
                "Arn": p.arn.to_string(),
                "Id": p.id.to_string(),
                "Name": p.name.to_string(),
                "Description": p.description.as_deref(),
                "UpdatedAt": p.updated_at.to_string(),
                "ServiceEnabled": p.content.service_enabled,
            })
        })
        .collect();
    Ok(json!({ "ConfigurationPolicySummaries": summaries }))
}

/// The full policy as Create/Get/UpdateConfigurationPolicy return it.
pub(super) fn policy_json(w: &World, idx: PolicyIdx) -> Value {
    let policy = w.central.policy(idx).expect("live policy");
    let home = w.central.home.map(|h| w.regions.get(h).code()).unwrap_or("us-east-1");
    let content = &policy.content;
    let mut hub = json!({ "ServiceEnabled": content.service_enabled });
    if content.service_enabled {
        hub["EnabledStandardIdentifiers"] = json!(content.standards.iter().map(|s| s.arn(home)).collect::<Vec<_>>());
        let ids = |set: ControlSet| set.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let mut controls = match content.controls {
            Some(ControlSelection::Enabled(set)) => json!({ "EnabledSecurityControlIdentifiers": ids(set) }),
            Some(ControlSelection::Disabled(set)) => json!({ "DisabledSecurityControlIdentifiers": ids(set) }),
            None => json!({}),
        };
        let mut by_control: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
        for ((control, name), value) in content.params.iter() {
            by_control
                .entry(control.to_string())
                .or_default()
                .insert(name.to_string(), json!({ "ValueType": "CUSTOM", "Value": param_value_json(value) }));
        }
        if !by_control.is_empty() {
            controls["SecurityControlCustomParameters"] = json!(
                by_control
                    .into_iter()
                    .map(|(id, params)| json!({ "SecurityControlId": id, "Parameters": params }))
                    .collect::<Vec<_>>()
            );
        }
        hub["SecurityControlsConfiguration"] = controls;
    }
    json!({
        "Arn": policy.arn.to_string(),
        "Id": policy.id.to_string(),
        "Name": policy.name.to_string(),
        "Description": policy.description.as_deref(),
        "CreatedAt": policy.created_at.to_string(),
        "UpdatedAt": policy.updated_at.to_string(),
        "ConfigurationPolicy": { "SecurityHub": hub },
    })
}

/// A stored parameter value in the API's `ParameterValue` union shape.
pub(super) fn param_value_json(value: &ParamValue) -> Value {
    match value {
        ParamValue::Integer(n) => json!({ "Integer": n }),
        ParamValue::IntegerList(list) => json!({ "IntegerList": list }),
        ParamValue::StringList(list) => json!({ "StringList": list }),
        ParamValue::Boolean(b) => json!({ "Boolean": b }),
    }
}
