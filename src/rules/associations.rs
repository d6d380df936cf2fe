//! Associations of configuration policies with the root, OUs and accounts (OP-G5 … OP-G7), and
//! the follow-up work that applies a target's effective configuration to each account-Region
//! (ASSOC-10).
//!
//! Implements ASSOC-1 … ASSOC-19, CTRL-3, POLICY-2, POLICY-8, POLICY-10, POLICY-11, CENTRAL-6
//! and the choices. Only applied associations are stored; inheritance is resolved
//! by walking up the tree (`World::effective`). INV-6: only organization accounts resolve to a
//! policy, so invitation members are never configured. ASSOC-7 MODEL CHOICE: starting central
//! configuration creates no association; "self-managed by default" is simply unassociated.
//! QUOTA-6: one target per request (the `Target` union); the console's 15 are 15 calls. Sources: the user guide's
//! configuration-policies-overview, central-configuration-management-type, create-associate-policy,
//! disassociate-policy and view-policy ("Troubleshooting association failure") pages.

use std::sync::Arc;

use serde_json::{Value, json};

use super::access;
use super::call::{AssociationFilters, AssociationIdentifier, TargetSpec};
use super::cascade;
use super::catalog::RuleId;
use super::change::{Change, StandardStatus};
use super::outcome::{ApiError, ErrorCode, Response};
use super::policies::resolve_policy;
use super::work::superseded;
use super::{Ctx, Tx};
use crate::model::{
    AccountIdx, AssocStatus, AssocValue, CentralPhase, Control, ControlSelection, ControlSet, Effective, MemberStatus,
    MemberType, NodeAssociationStatus, NodeIdx, Placement, PolicyContent, RegionIdx, StandardSet, Target, World,
};

/// `SELF_MANAGED_SECURITY_HUB`.
pub const SELF_MANAGED: &str = "SELF_MANAGED_SECURITY_HUB";

/// ASSOC-1 / ASSOC-19: resolves a `Target` union.
pub(super) fn resolve_target(w: &World, spec: &TargetSpec) -> Result<Target, ApiError> {
    let members =
        spec.account_id.is_some() as u8 + spec.organizational_unit_id.is_some() as u8 + spec.root_id.is_some() as u8;
    if members != 1 {
        return Err(access::invalid(
            RuleId::ASSOC_1,
            "Target must contain exactly one of AccountId, OrganizationalUnitId, RootId",
        ));
    }
    if let Some(root) = &spec.root_id {
        return match w.org.node_by_aws_id(root) {
            Some(node) if node.is_root() => Ok(Target::Node(node)),
            _ => Err(ApiError::new(
                RuleId::ERR_12,
                ErrorCode::ResourceNotFoundException,
                format!("Root {root} not found"),
            )),
        };
    }
    if let Some(ou) = &spec.organizational_unit_id {
        return match w.org.node_by_aws_id(ou) {
            Some(node) if !node.is_root() => Ok(Target::Node(node)),
            _ => Err(ApiError::new(RuleId::ERR_12, ErrorCode::ResourceNotFoundException, format!("OU {ou} not found"))),
        };
    }
    let id = spec.account_id.expect("one member is set");
    match w.account_idx(id) {
        Some(account) if w.in_org(account) => Ok(Target::Account(account)),
        _ => Err(access::invalid(
            RuleId::ASSOC_19,
            format!("Account {id} is not an account of the organization and cannot be a configuration target"),
        )),
    }
}

fn resolve_value(w: &World, identifier: &str) -> Result<AssocValue, ApiError> {
    if identifier == SELF_MANAGED {
        Ok(AssocValue::SelfManaged)
    } else {
        resolve_policy(w, identifier).map(AssocValue::Policy)
    }
}

/// The accounts whose effective value comes from `target` (ASSOC-2: nearest application wins).
fn accounts_governed_by(w: &World, target: Target) -> Vec<AccountIdx> {
    w.accounts_under(target).into_iter().filter(|a| w.effective(*a).source() == Some(target)).collect()
}

pub(super) fn start_association(
    tx: &mut Tx,
    ctx: Ctx,
    identifier: &str,
    spec: &TargetSpec,
) -> Result<Response, ApiError> {
    access::central_da(tx.w(), ctx)?;
    let target = resolve_target(tx.w(), spec)?;
    let value = resolve_value(tx.w(), identifier)?;
    if let (Target::Account(account), AssocValue::Policy(policy)) = (target, value) {
        let disables = tx.w().central.policy(policy).is_some_and(|p| !p.content.service_enabled);
        if disables && tx.w().central.da == Some(account) {
            return Err(access::invalid(
                RuleId::ASSOC_11,
                "A policy that disables Security Hub cannot be applied to the delegated administrator",
            ));
        }
    }
    let previous = tx.w().applied(target);
    // OP-G5: every account under the target whose effective value changes is re-targeted, not only
    // those now governed by the target (ASSOC-11 can move the DA's value elsewhere).
    let under = tx.w().accounts_under(target);
    let before: Vec<_> = under.iter().map(|a| tx.w().effective(*a)).collect();
    // ASSOC-18: the same value again restarts evaluation; a different one replaces it. ASSOC-6:
    // a policy on a self-managed target makes it centrally managed, and the reverse hands control
    // back with settings in place.
    let rule = match previous {
        None => RuleId::ASSOC_1,
        Some(prev) if (prev == AssocValue::SelfManaged) != (value == AssocValue::SelfManaged) => RuleId::ASSOC_6,
        Some(_) => RuleId::ASSOC_18,
    };
    tx.emit(rule, Change::AssociationApplied { target, value });
    let scope = tx.w().central_scope();
    let governed = accounts_governed_by(tx.w(), target);
    let changed: Vec<AccountIdx> = under
        .iter()
        .zip(&before)
        .filter(|(a, old)| {
            let now = tx.w().effective(**a);
            now != **old && now.source() != Some(target)
        })
        .map(|(a, _)| *a)
        .collect();
    let parent = match target {
        Target::Node(node) => {
            // ASSOC-15: the node's status is a snapshot of the account-Regions it governs now.
            let epoch = tx.w().central.node_status.get(node).map_or(1, |s| s.epoch.wrapping_add(1));
            let outstanding = match value {
                AssocValue::Policy(_) => (governed.len() * scope.len()) as u32,
                AssocValue::SelfManaged => 0,
            };
            let status = NodeAssociationStatus {
                epoch,
                outstanding,
                any_failed: false,
                status: if outstanding == 0 { AssocStatus::Success } else { AssocStatus::Pending },
                updated_at: tx.now,
            };
            tx.emit(RuleId::ASSOC_15, Change::NodeAssociationStatus { node, status: Some(status) });
            Some((node, epoch))
        }
        Target::Account(_) => None,
    };
    cascade::retarget_each(tx, &governed, scope, parent, RuleId::ASSOC_10);
    cascade::retarget_each(tx, &changed, scope, None, RuleId::ASSOC_11);
    let (target_id, target_type) = target_ids(tx.w(), target);
    Ok(json!({
        "ConfigurationPolicyId": value_id(tx.w(), value),
        "TargetId": target_id,
        "TargetType": target_type,
        "AssociationType": "APPLIED",
        "UpdatedAt": tx.now.to_string(),
        "AssociationStatus": "PENDING",
    }))
}

pub(super) fn start_disassociation(
    tx: &mut Tx,
    ctx: Ctx,
    identifier: &str,
    spec: &TargetSpec,
) -> Result<Response, ApiError> {
    access::central_da(tx.w(), ctx)?;
    let target = resolve_target(tx.w(), spec)?;
    let value = resolve_value(tx.w(), identifier)?;
    if tx.w().applied(target) != Some(value) {
        return Err(ApiError::new(
            RuleId::ASSOC_8,
            ErrorCode::ResourceNotFoundException,
            "No applied association with that identifier exists on the target (inherited associations cannot be disassociated)",
        ));
    }
    let governed = accounts_governed_by(tx.w(), target);
    tx.emit(RuleId::ASSOC_8, Change::AssociationRemoved { target });
    let scope = tx.w().central_scope();
    for account in governed {
        // POLICY-11: no revert; the account inherits anew or keeps its settings unassociated.
        cascade::retarget(tx, account, scope, None, RuleId::ASSOC_8);
    }
    Ok(json!({}))
}

/// `TargetId` and `TargetType` of a target.
fn target_ids(w: &World, target: Target) -> (String, &'static str) {
    match target {
        Target::Node(node) if node.is_root() => (w.org.node(node).aws_id.to_string(), "ROOT"),
        Target::Node(node) => (w.org.node(node).aws_id.to_string(), "ORGANIZATIONAL_UNIT"),
        Target::Account(account) => (w.account_id(account).to_string(), "ACCOUNT"),
    }
}

fn value_id(w: &World, value: AssocValue) -> String {
    match value {
        AssocValue::SelfManaged => SELF_MANAGED.to_string(),
        AssocValue::Policy(policy) => w.central.policy(policy).map(|p| p.id.to_string()).unwrap_or_default(),
    }
}

/// ASSOC-14: an account's status over the home and linked Regions.
pub fn account_status(w: &World, account: AccountIdx) -> Option<AssocStatus> {
    account_status_with_message(w, account).0
}

/// ASSOC-14 with the first failure's message.
fn account_status_with_message(w: &World, account: AccountIdx) -> (Option<AssocStatus>, Option<Arc<str>>) {
    let mut status = None;
    let mut message = None;
    for region in w.central_scope().iter() {
        let ar = w.ar(account, region);
        let association = ar.association();
        match association.status {
            Some(AssocStatus::Pending) => return (Some(AssocStatus::Pending), None),
            Some(AssocStatus::Failed) => {
                status = Some(AssocStatus::Failed);
                message = message.or_else(|| ar.association_message().cloned());
            }
            Some(AssocStatus::Success) if status.is_none() => status = Some(AssocStatus::Success),
            _ => {}
        }
    }
    (status, message)
}

/// The association summary of a target, or `None` if it is unassociated (ASSOC-3).
fn association_json(w: &World, target: Target) -> Option<Value> {
    let effective = match target {
        Target::Account(account) => w.effective(account),
        Target::Node(node) => w.effective_of_node(node),
    };
    let value = effective.value()?;
    let applied = effective.source() == Some(target);
    let (status, message, updated_at) = match target {
        Target::Account(account) => {
            let (status, message) = account_status_with_message(w, account);
            (status, message, None)
        }
        Target::Node(_) => {
            let Some(Target::Node(source)) = effective.source() else { unreachable!("a node inherits from a node") };
            let node_status = w.central.node_status.get(source);
            (node_status.map(|s| s.status), None, node_status.map(|s| s.updated_at))
        }
    };
    let (target_id, target_type) = target_ids(w, target);
    let mut out = json!({
        "ConfigurationPolicyId": value_id(w, value),
        "TargetId": target_id,
        "TargetType": target_type,
        "AssociationType": if applied { "APPLIED" } else { "INHERITED" },
        "AssociationStatus": status.map(|s| serde_json::to_value(s).expect("enum")).unwrap_or(Value::Null),
    });
    if let Some(message) = message {
        out["AssociationStatusMessage"] = Value::String(message.to_string());
    }
    if let Some(updated_at) = updated_at {
        out["UpdatedAt"] = Value::String(updated_at.to_string());
    }
    Some(out)
}

fn not_associated() -> ApiError {
    ApiError::new(
        RuleId::ASSOC_3,
        ErrorCode::ResourceNotFoundException,
        "The target has no configuration policy association",
    )
}

pub(super) fn get_association(w: &World, ctx: Ctx, spec: &TargetSpec) -> Result<Response, ApiError> {
    access::central_da_read(w, ctx)?;
    let target = resolve_target(w, spec)?;
    association_json(w, target).ok_or_else(not_associated)
}

pub(super) fn batch_get_associations(
    w: &World,
    ctx: Ctx,
    identifiers: &[AssociationIdentifier],
) -> Result<Response, ApiError> {
    access::batch_size(identifiers.len(), w.limits.batch_accounts, "ConfigurationPolicyAssociationIdentifiers")?;
    access::central_da_read(w, ctx)?;
    let mut found = Vec::new();
    let mut unprocessed = Vec::new();
    for identifier in identifiers {
        match resolve_target(w, &identifier.target).and_then(|t| association_json(w, t).ok_or_else(not_associated)) {
            Ok(value) => found.push(value),
            Err(error) => unprocessed.push(json!({
                "ConfigurationPolicyAssociationIdentifiers": { "Target": serde_json::to_value(&identifier.target).expect("serializable") },
                "ErrorCode": if error.code == ErrorCode::ResourceNotFoundException { "404" } else { "400" },
                "ErrorReason": error.message,
            })),
        }
    }
    Ok(json!({ "ConfigurationPolicyAssociations": found, "UnprocessedConfigurationPolicyAssociations": unprocessed }))
}

pub(super) fn list_associations(
    w: &World,
    ctx: Ctx,
    max_results: Option<u32>,
    filters: Option<&AssociationFilters>,
) -> Result<Response, ApiError> {
    let limit = access::page_size(max_results, 100)?;
    access::central_da_read(w, ctx)?;
    let policy_filter = filters
        .and_then(|f| f.configuration_policy_id.as_deref())
        .map(|id| {
            if id == SELF_MANAGED { Ok(AssocValue::SelfManaged) } else { resolve_policy(w, id).map(AssocValue::Policy) }
        })
        .transpose()?;
    let nodes = (0..w.org.nodes.len() as u32).map(NodeIdx).filter(|n| !w.org.node(*n).deleted).map(Target::Node);
    let accounts = w.account_indices().filter(|a| w.in_org(*a)).map(Target::Account);
    let items: Vec<Value> = nodes
        .chain(accounts)
        .filter_map(|t| association_json(w, t))
        .filter(|v| {
            let matches = |key: &str, wanted: Option<&str>| wanted.is_none_or(|want| v[key].as_str() == Some(want));
            matches("AssociationType", filters.and_then(|f| f.association_type.as_deref()))
                && matches("AssociationStatus", filters.and_then(|f| f.association_status.as_deref()))
                && policy_filter.is_none_or(|p| v["ConfigurationPolicyId"].as_str() == Some(&value_id(w, p)))
        })
        .take(limit)
        .collect();
    Ok(json!({ "ConfigurationPolicyAssociationSummaries": items }))
}

// ---- ASSOC-10: applying the effective configuration to one account-Region --------------------------

/// Disabled controls a policy sets in `region` (POLICY-2 with CTRL-3 for global-resource controls).
pub fn policy_disabled_controls(w: &World, content: &PolicyContent, region: RegionIdx) -> ControlSet {
    let mut disabled = listed_disabled_controls(content);
    let home = w.central.home;
    let home_code = home.map(|h| w.regions.get(h).code());
    let global_bound = ControlSet(ControlSet::GLOBAL.0 & ControlSet::REGION_BOUND.0);
    match (home, home_code) {
        // Every global control exists in the home Region, which is then where they all run.
        (Some(home), Some(code)) if global_bound.iter().all(|c| c.available_in(code)) => {
            if region != home {
                disabled.0 |= ControlSet::GLOBAL.0;
            }
        }
        _ => {
            for control in ControlSet::GLOBAL.iter() {
                if global_control_region(w, control) != Some(region) {
                    disabled.insert(control);
                }
            }
        }
    }
    // CTRL-3: a control that does not exist in this Region is skipped there, never set.
    let region_code = w.regions.get(region).code();
    for control in ControlSet::REGION_BOUND.iter().filter(|c| !c.available_in(region_code)) {
        disabled.remove(control);
    }
    disabled
}

/// How an account-Region's hub differs from what `content` asks for in `region`, if it does: what
/// an association reporting SUCCESS promises (ASSOC-10, POLICY-2).
pub fn policy_mismatch(w: &World, account: AccountIdx, region: RegionIdx, content: &PolicyContent) -> Option<String> {
    match w.hub(account, region) {
        None if content.service_enabled => Some("the hub is off".to_string()),
        Some(_) if !content.service_enabled => Some("the hub is on".to_string()),
        None => None,
        Some(hub) => {
            if hub.standards() != content.standards {
                Some("its standards differ from the policy's".into())
            } else if content.controls.is_some()
                && hub.disabled_controls != policy_disabled_controls(w, content, region)
            {
                Some(format!(
                    "its disabled controls differ from the policy's ({})",
                    match content.controls {
                        Some(ControlSelection::Enabled(_)) => "enabled list",
                        _ => "disabled list",
                    }
                ))
            } else {
                None
            }
        }
    }
}

/// CTRL-3 / Q-22: the one Region where a global-resource control stays on: the home Region if it
/// has the control, else the first linked Region in lexical order that has it.
fn global_control_region(w: &World, control: Control) -> Option<RegionIdx> {
    let home = w.central.home?;
    if control.available_in(w.regions.get(home).code()) {
        return Some(home);
    }
    let mut linked: Vec<RegionIdx> = w.central_scope().iter().filter(|r| *r != home).collect();
    linked.sort_by_key(|r| w.regions.get(*r).code());
    linked.into_iter().find(|r| control.available_in(w.regions.get(*r).code()))
}

/// ASSOC-16: why applying a policy fails in this account-Region, if it does.
fn failure_reason(
    w: &World,
    account: AccountIdx,
    region: RegionIdx,
    content: &PolicyContent,
    da: AccountIdx,
) -> Option<(RuleId, String)> {
    let acct = w.account(account);
    if acct.state.is_suspended() {
        return Some((RuleId::LIFE_3, "The account is suspended".into()));
    }
    if w.is_management(account) && !w.hub_enabled(account, region) {
        return Some((
            RuleId::ASSOC_12,
            "The management account must enable Security Hub in this Region before a policy can apply".into(),
        ));
    }
    // fail if either the DA or the target lacks the opt-in Region.
    if !w.region_usable(account, region) || !w.region_usable(da, region) {
        return Some((
            RuleId::ASSOC_16,
            format!(
                "Opt-in Region {} is not enabled for the account or the delegated administrator",
                w.regions.get(region)
            ),
        ));
    }
    // Only invitation records can be foreign: the roster says whether there are any, so that the
    // administrator's own account-Regions do not scan its 10,000 members.
    if w.roster(account, region).is_some_and(|r| r.invitations > 0) {
        let foreign = w.members_of(account, region).iter().any(|m| {
            w.record(account, *m, region).is_some_and(|r| r.member_type == MemberType::Invitation)
                && matches!(w.account(*m).placement, Placement::Outside(Some(_)))
        });
        if foreign {
            return Some((
                RuleId::ASSOC_16,
                "The account has invitation members of its own that belong to another organization".into(),
            ));
        }
    }
    if let Some(record) = w.enabled_membership(account, region)
        && record.administrator != da
    {
        return Some((
            RuleId::MEMBER_3,
            format!("The account is a member of another administrator ({})", w.account_id(record.administrator)),
        ));
    }
    let is_member = w.record(da, account, region).is_some_and(|r| r.status == MemberStatus::Enabled);
    if content.service_enabled && account != da && !is_member && w.member_limit_reached(da, region) {
        return Some((RuleId::LIFE_16, "The delegated administrator has reached its member limit (QUOTA-1)".into()));
    }
    None
}

/// TIME-2: a root or OU status settles when the last account-Region of its snapshot settles.
fn settle_node(tx: &mut Tx, parent: Option<(NodeIdx, u32)>, failed: bool) {
    let Some((node, epoch)) = parent else { return };
    let Some(current) = tx.w().central.node_status.get(node) else { return };
    if current.epoch != epoch || current.outstanding == 0 {
        return;
    }
    let mut status = current.clone();
    status.outstanding -= 1;
    status.any_failed |= failed;
    if status.outstanding == 0 {
        status.status = if status.any_failed { AssocStatus::Failed } else { AssocStatus::Success };
        status.updated_at = tx.now;
    }
    tx.emit(RuleId::ASSOC_15, Change::NodeAssociationStatus { node, status: Some(status) });
}

/// ASSOC-10 for one account-Region; ASSOC-13 status; ASSOC-15 parent snapshot.
pub(super) fn apply_policy_work(
    tx: &mut Tx,
    account: AccountIdx,
    region: RegionIdx,
    generation: u32,
    parent: Option<(NodeIdx, u32)>,
    fault: bool,
) -> Result<Response, ApiError> {
    let w = tx.w();
    // TIME-11: later work for the same account-Region supersedes this one. MODEL CHOICE: a
    // superseded result still counts as settled (not failed) in its parent's snapshot.
    let stale = w.ar(account, region).association().generation != generation;
    let gone = w.central.phase != CentralPhase::Enabled
        || !w.org.trusted_access
        || w.org.delegated_admin.is_none()
        || w.org.delegated_admin != w.central.da
        || !w.central_scope().contains(region)
        || !w.in_org(account);
    let effective = w.effective(account);
    let Effective::Policy { policy, .. } = effective else {
        settle_node(tx, parent, false);
        return Ok(superseded("the account is no longer governed by a policy"));
    };
    if stale || gone {
        settle_node(tx, parent, false);
        let why = if gone {
            "central configuration, trusted access or the Region's linking changed (LIFE-12, CENTRAL-9)"
        } else {
            "newer work for this account-Region (TIME-11)"
        };
        return Ok(superseded(why));
    }
    let da = w.central.da.expect("central configuration has a DA");
    // The policy's content is read where it lies, not cloned: a clone would touch its reference
    // count (two locked instructions) in each of 170,000 account-Regions.
    let failure = if fault {
        Some((RuleId::ERR_14, "Internal error while applying the configuration (injected fault)".to_string()))
    } else {
        failure_reason(w, account, region, content_of(w, policy), da)
    };
    if let Some((rule, message)) = failure {
        tx.emit(
            rule,
            Change::AccountRegionAssociation {
                account,
                region,
                value: Some(AssocValue::Policy(policy)),
                status: Some(AssocStatus::Failed),
                message: cascade::message(message.clone()),
                bump: false,
            },
        );
        settle_node(tx, parent, true);
        // The result is in the effects (ASSOC-13); work responses stay empty, so that the 170,000
        // account-Regions of a root policy allocate no response.
        return Ok(Value::Null);
    }
    let mut failed_message = None;
    let PolicyContent { service_enabled, standards, .. } = *content_of(tx.w(), policy);
    if service_enabled {
        if !tx.w().hub_enabled(account, region) {
            let generator = cascade::generator_for(tx, region, Some(da));
            cascade::enable_hub(tx, account, region, StandardSet::EMPTY, generator, RuleId::ASSOC_10);
        }
        let recording = tx.w().ar(account, region).config_recording();
        let hub = tx.w().hub(account, region).expect("enabled above");
        let current = hub.standards();
        let removing = StandardSet(current.0 & !standards.0);
        let adding = StandardSet(standards.0 & !current.0);
        let stuck = StandardSet(hub.standards_incomplete.0 & standards.0);
        if !removing.is_empty() {
            tx.emit(RuleId::POLICY_10, Change::StandardsStatus { account, region, standards: removing, status: None });
        }
        if recording && !stuck.is_empty() {
            // STD-2: with a recorder now running, a re-applied standard completes.
            tx.emit(
                RuleId::STD_2,
                Change::StandardsStatus { account, region, standards: stuck, status: Some(StandardStatus::Ready) },
            );
        }
        if !adding.is_empty() {
            // MODEL CHOICE (ASSOC-10): standards a policy enables are READY when the association
            // settles (its delay covers TIME-7); without a recorder they are INCOMPLETE and the
            // association FAILS (ASSOC-16c).
            let status = if recording { StandardStatus::Ready } else { StandardStatus::Incomplete };
            tx.emit(
                RuleId::ASSOC_10,
                Change::StandardsStatus { account, region, standards: adding, status: Some(status) },
            );
        }
        if !standards.is_empty() && !recording {
            failed_message = Some(
                "AWS Config is not recording in this Region; enabled standards cannot generate findings".to_string(),
            );
        }
        let w = tx.w();
        let content = content_of(w, policy);
        let disabled = policy_disabled_controls(w, content, region);
        let listed = listed_disabled_controls(content);
        let hub = w.hub(account, region).expect("enabled above");
        let params = (*content.params != *w.ar(account, region).params()).then(|| content.params.clone());
        if hub.disabled_controls != disabled {
            let rule = if disabled.0 != listed.0 { RuleId::CTRL_3 } else { RuleId::POLICY_2 };
            tx.emit(rule, Change::ControlsDisabled { account, region, disabled });
        }
        if let Some(params) = params {
            tx.emit(RuleId::POLICY_10, Change::ControlParameters { account, region, params });
        }
        let is_member = tx.w().record(da, account, region).is_some_and(|r| r.status == MemberStatus::Enabled);
        // MODEL CHOICE (ADMIN-13): an account that administers members of its own (invitation
        // members inside the organization or standalone; other organizations' fail above, ASSOC-16e)
        // gets the settings but is not made a member, since nobody is administrator and member at once.
        let administers_others = tx.w().administers(account, region);
        if account != da && !is_member && !administers_others {
            cascade::set_record(
                tx,
                region,
                da,
                account,
                MemberType::Organization,
                MemberStatus::Enabled,
                RuleId::CENTRAL_6,
            );
        }
    } else if tx.w().hub_enabled(account, region) {
        // ASSOC-10 / Q-13: a disabling policy turns the hub off; the membership record is purged.
        cascade::disable_hub(tx, account, region, RuleId::ASSOC_10);
    }
    let (status, rule) = match &failed_message {
        Some(_) => (AssocStatus::Failed, RuleId::ASSOC_16),
        None => (AssocStatus::Success, RuleId::ASSOC_13),
    };
    tx.emit(
        rule,
        Change::AccountRegionAssociation {
            account,
            region,
            value: Some(AssocValue::Policy(policy)),
            status: Some(status),
            message: failed_message.clone().and_then(cascade::message),
            bump: false,
        },
    );
    settle_node(tx, parent, failed_message.is_some());
    Ok(Value::Null)
}

/// The content of a live policy.
fn content_of(w: &World, policy: crate::model::PolicyIdx) -> &PolicyContent {
    &w.central.policy(policy).expect("effective policy is live").content
}

/// POLICY-2: the controls a policy's list disables, before CTRL-3.
fn listed_disabled_controls(content: &PolicyContent) -> ControlSet {
    match content.controls {
        Some(ControlSelection::Enabled(enabled)) => ControlSet(ControlSet::ALL.0 & !enabled.0),
        Some(ControlSelection::Disabled(disabled)) => disabled,
        None => ControlSet::EMPTY,
    }
}
