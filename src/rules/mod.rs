//! The rules engine: `apply(&mut World, now, &Call) -> Outcome`.
//!
//! One call goes in; out come the API response or error, the effects (each a typed change with
//! the RULES.md id behind it) and the follow-up work the service does later. The engine is a pure
//! function of the world and the call: it reads no clock, draws no random number and does no I/O;
//! anything that happens later is a `FollowUp`, listed in the outcome (`apply`) or handed to the
//! caller's `FollowUpSink` as it is scheduled (`apply_scheduling`), for the simulator to queue.
//!
//! Checks run in the order ERR-1 fixes (validation, caller identity, hub subscription, role,
//! Region, state, per-item), and a failing call changes nothing (GEN-3). One file per family of
//! operations; shared cascades live in `cascade`, permission checks in `access`.

mod access;
mod aggregator;
mod associations;
pub mod call;
mod cascade;
pub mod catalog;
mod catalog_data;
pub mod change;
mod console;
pub mod describe;
mod hub;
mod interest;
mod invitations;
mod members;
mod orgadmin;
mod organizations;
pub mod outcome;
mod policies;
mod respond;
mod work;

#[cfg(test)]
mod tests;

pub use associations::account_status as associations_status;
pub use associations::{policy_disabled_controls as associations_disabled_controls, policy_mismatch};
pub use call::{Call, Caller, Op, Operation, Service, ServiceWork};
pub use catalog::{RuleId, RuleInfo, RuleKind};
pub use change::{Change, ChangeKind, RegionOptStatus, StandardStatus};
pub use interest::EffectInterest;
pub use outcome::{ApiError, DelayClass, Effect, ErrorCode, FollowUp, Outcome, Response};

use crate::model::{AccountIdx, RegionIdx, SimTime, World};

/// Applies one call to the world and reports what happened.
pub fn apply(world: &mut World, now: SimTime, call: &Call) -> Outcome {
    apply_reusing(world, now, call, Buffers::default())
}

/// `apply`, recording the effects and follow-ups in `buffers` (emptied first): a caller that
/// applies many calls and is done with each outcome's lists can hand them back and save the
/// allocations.
pub fn apply_reusing(world: &mut World, now: SimTime, call: &Call, buffers: Buffers) -> Outcome {
    let Buffers { effects, mut follow_ups } = buffers;
    follow_ups.clear();
    let mut effects_by_rule = [0; RuleId::COUNT];
    let (result, effects) =
        apply_scheduling(world, now, call, effects, &mut follow_ups, &mut effects_by_rule, EffectInterest::ALL);
    Outcome { result, effects, follow_ups }
}

/// Where the engine hands the follow-up work a call schedules, in the order the call schedules it.
pub trait FollowUpSink {
    /// Takes one follow-up.
    fn schedule(&mut self, follow_up: FollowUp);
}

impl FollowUpSink for Vec<FollowUp> {
    fn schedule(&mut self, follow_up: FollowUp) {
        self.push(follow_up);
    }
}

/// `apply`, listing in `effects` (emptied first) the effects `listed` asks for, counting every
/// effect in `effects_by_rule` (indexed by `RuleId::index`) as it is made, and handing each
/// follow-up to `follow_ups` as it is scheduled: a simulator queues a policy's 170,000
/// applications directly, without listing them first, and counts the 323,000 effects of a removed
/// administrator without writing them down when nobody reads them.
pub fn apply_scheduling(
    world: &mut World,
    now: SimTime,
    call: &Call,
    mut effects: Vec<Effect>,
    follow_ups: &mut dyn FollowUpSink,
    effects_by_rule: &mut [u64],
    listed: EffectInterest,
) -> (Result<Response, ApiError>, Vec<Effect>) {
    effects.clear();
    // Most events have at most six effects; an exact first allocation keeps full timelines small.
    effects.reserve_exact(6);
    let mut tx = Tx { world, now, effects, follow_ups, effects_by_rule, listed, changed: false };
    let result = dispatch(&mut tx, call);
    assert!(
        result.is_ok() || !tx.changed,
        "GEN-3: the failed call {} changed state (effects listed: {:?})",
        call.name(),
        tx.effects
    );
    (result, tx.effects)
}

/// Space for an outcome's effects and follow-ups, handed back by a caller that has done with the
/// previous outcome's: an event that fans out to 170,000 account-Regions then allocates (and
/// faults in) its lists once per run, not once per such event.
#[derive(Debug, Default)]
pub struct Buffers {
    /// For the effects.
    pub effects: Vec<Effect>,
    /// For the follow-ups.
    pub follow_ups: Vec<FollowUp>,
}

/// A call being applied: the world, the time, and what has been done so far.
pub(crate) struct Tx<'w> {
    world: &'w mut World,
    now: SimTime,
    effects: Vec<Effect>,
    follow_ups: &'w mut dyn FollowUpSink,
    /// Effects made so far by rule, indexed by `RuleId::index`.
    effects_by_rule: &'w mut [u64],
    /// Which effects go into `effects`.
    listed: EffectInterest,
    /// Whether any change was made (listed or not).
    changed: bool,
}

impl Tx<'_> {
    /// The world as it stands after the effects so far.
    fn w(&self) -> &World {
        self.world
    }
    /// Makes a change, citing its rule.
    #[inline(always)]
    fn emit(&mut self, rule: RuleId, change: Change) {
        change::commit(self.world, self.now, &change);
        self.effects_by_rule[rule.index()] += 1;
        self.changed = true;
        if self.listed.keeps(rule, ChangeKind::from(&change)) {
            self.effects.push(Effect { rule, change });
        } else if !change.owns_heap_data() {
            // Nothing to free: skip the call into the enum's drop glue (the variant is known here,
            // so this branch folds away), once for each of a big run's million unlisted effects.
            std::mem::forget(change);
        }
    }
    /// Schedules follow-up work.
    fn later(&mut self, delay: DelayClass, region: RegionIdx, work: ServiceWork) {
        self.follow_ups.schedule(FollowUp { delay, region, work });
    }
}

/// The caller and Region of an API call, once the caller is known to the world.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctx {
    caller: AccountIdx,
    region: RegionIdx,
}

fn dispatch(tx: &mut Tx, call: &Call) -> Result<Response, ApiError> {
    if call.iam_deny {
        return Err(ApiError::new(
            RuleId::ACT_5,
            ErrorCode::AccessDeniedException,
            format!(
                "User is not authorized to perform: {} with an explicit deny in an identity-based policy",
                call.name()
            ),
        ));
    }
    let operation = match &call.op {
        Op::Work(work) => {
            return match call.caller {
                Caller::Service => work::run(tx, call.region, work),
                Caller::Account(_) => Err(access::service_only(call.name())),
            };
        }
        Op::Api(operation) => operation,
    };
    let caller = match (call.caller, operation.service()) {
        (Caller::Service, Service::Aws) => return organizations::aws_event(tx, operation),
        (Caller::Account(_), Service::Aws) => return Err(access::service_only(operation.name())),
        (Caller::Service, _) => {
            return Err(ApiError::new(
                RuleId::GEN_2,
                ErrorCode::AccessDeniedException,
                format!("{} is a customer operation; AWS itself does not call it", operation.name()),
            ));
        }
        (Caller::Account(id), _) => tx.w().account_idx(id).ok_or_else(|| {
            ApiError::new(
                RuleId::GEN_2,
                ErrorCode::AccessDeniedException,
                format!("The security token of account {id} is not valid"),
            )
        })?,
    };
    // LIFE-3 / LIFE-4: a suspended or closed account cannot use AWS; its credentials no longer work.
    if tx.w().account(caller).state.is_suspended() {
        return Err(ApiError::new(
            RuleId::LIFE_3,
            ErrorCode::AccessDeniedException,
            format!(
                "Account {} is suspended or closed and cannot call {}",
                tx.w().account_id(caller),
                operation.name()
            ),
        ));
    }
    let ctx = Ctx { caller, region: call.region };
    match operation.service() {
        Service::Organizations => organizations::apply(tx, ctx, operation),
        Service::Account | Service::Config => organizations::apply_account(tx, ctx, operation),
        Service::Console => {
            access::usable_region(tx.w(), ctx)?;
            console::apply(tx, ctx, operation)
        }
        Service::SecurityHub => {
            access::usable_region(tx.w(), ctx)?;
            securityhub(tx, ctx, operation)
        }
        Service::Aws => unreachable!("AWS events were dispatched above"),
    }
}

fn securityhub(tx: &mut Tx, ctx: Ctx, operation: &Operation) -> Result<Response, ApiError> {
    use Operation::*;
    match operation {
        EnableSecurityHub { tags, enable_default_standards, control_finding_generator } => {
            hub::enable_security_hub(tx, ctx, tags.as_ref(), *enable_default_standards, *control_finding_generator)
        }
        DisableSecurityHub {} => hub::disable_security_hub(tx, ctx),
        DescribeHub { hub_arn } => hub::describe_hub(tx.w(), ctx, hub_arn.as_deref()),
        GetEnabledStandards { standards_subscription_arns, max_results, .. } => {
            hub::get_enabled_standards(tx.w(), ctx, standards_subscription_arns.as_deref(), *max_results)
        }
        UpdateSecurityHubConfiguration { auto_enable_controls, control_finding_generator } => {
            hub::update_security_hub_configuration(tx, ctx, *auto_enable_controls, *control_finding_generator)
        }
        BatchEnableStandards { standards_subscription_requests } => {
            hub::batch_enable_standards(tx, ctx, standards_subscription_requests)
        }
        BatchDisableStandards { standards_subscription_arns } => {
            hub::batch_disable_standards(tx, ctx, standards_subscription_arns)
        }
        UpdateStandardsControl { standards_control_arn, control_status, disabled_reason } => {
            hub::update_standards_control(tx, ctx, standards_control_arn, *control_status, disabled_reason.as_deref())
        }
        BatchUpdateStandardsControlAssociations { standards_control_association_updates } => {
            hub::batch_update_standards_control_associations(tx, ctx, standards_control_association_updates)
        }
        UpdateSecurityControl { security_control_id, parameters, .. } => {
            hub::update_security_control(tx, ctx, security_control_id, parameters)
        }
        EnableOrganizationAdminAccount { admin_account_id, feature } => {
            orgadmin::enable_organization_admin_account(tx, ctx, *admin_account_id, feature.as_deref())
        }
        DisableOrganizationAdminAccount { admin_account_id, feature } => {
            orgadmin::disable_organization_admin_account(tx, ctx, *admin_account_id, feature.as_deref())
        }
        ListOrganizationAdminAccounts { max_results, feature, .. } => {
            orgadmin::list_organization_admin_accounts(tx.w(), ctx, *max_results, feature.as_deref())
        }
        DescribeOrganizationConfiguration {} => orgadmin::describe_organization_configuration(tx.w(), ctx),
        UpdateOrganizationConfiguration { auto_enable, auto_enable_standards, organization_configuration } => {
            orgadmin::update_organization_configuration(
                tx,
                ctx,
                *auto_enable,
                *auto_enable_standards,
                organization_configuration.map(|c| c.configuration_type),
            )
        }
        CreateMembers { account_details } => members::create_members(tx, ctx, account_details),
        InviteMembers { account_ids } => invitations::invite_members(tx, ctx, account_ids),
        AcceptAdministratorInvitation { administrator_id, invitation_id }
        | AcceptInvitation { master_id: administrator_id, invitation_id } => {
            invitations::accept_invitation(tx, ctx, *administrator_id, invitation_id)
        }
        DeclineInvitations { account_ids } => invitations::decline_invitations(tx, ctx, account_ids),
        DeleteInvitations { account_ids } => invitations::delete_invitations(tx, ctx, account_ids),
        ListInvitations { max_results, .. } => invitations::list_invitations(tx.w(), ctx, *max_results),
        GetInvitationsCount {} => invitations::get_invitations_count(tx.w(), ctx),
        GetAdministratorAccount {} | GetMasterAccount {} => invitations::get_administrator_account(tx.w(), ctx),
        DisassociateFromAdministratorAccount {} | DisassociateFromMasterAccount {} => {
            invitations::disassociate_from_administrator_account(tx, ctx)
        }
        DisassociateMembers { account_ids } => members::disassociate_members(tx, ctx, account_ids),
        DeleteMembers { account_ids } => members::delete_members(tx, ctx, account_ids),
        GetMembers { account_ids } => members::get_members(tx.w(), ctx, account_ids),
        ListMembers { only_associated, max_results, next_token } => {
            members::list_members(tx.w(), ctx, *only_associated, *max_results, next_token.as_deref())
        }
        CreateFindingAggregator { region_linking_mode, regions } => {
            aggregator::create_finding_aggregator(tx, ctx, *region_linking_mode, regions.as_deref())
        }
        UpdateFindingAggregator { finding_aggregator_arn, region_linking_mode, regions } => {
            aggregator::update_finding_aggregator(
                tx,
                ctx,
                finding_aggregator_arn,
                *region_linking_mode,
                regions.as_deref(),
            )
        }
        DeleteFindingAggregator { finding_aggregator_arn } => {
            aggregator::delete_finding_aggregator(tx, ctx, finding_aggregator_arn)
        }
        GetFindingAggregator { finding_aggregator_arn } => {
            aggregator::get_finding_aggregator(tx.w(), ctx, finding_aggregator_arn)
        }
        ListFindingAggregators { max_results, .. } => aggregator::list_finding_aggregators(tx.w(), ctx, *max_results),
        CreateConfigurationPolicy { name, description, configuration_policy, tags } => {
            policies::create_configuration_policy(
                tx,
                ctx,
                name,
                description.as_deref(),
                configuration_policy,
                tags.as_ref(),
            )
        }
        UpdateConfigurationPolicy { identifier, name, description, configuration_policy, .. } => {
            policies::update_configuration_policy(
                tx,
                ctx,
                identifier,
                name.as_deref(),
                description.as_deref(),
                configuration_policy.as_ref(),
            )
        }
        DeleteConfigurationPolicy { identifier } => policies::delete_configuration_policy(tx, ctx, identifier),
        GetConfigurationPolicy { identifier } => policies::get_configuration_policy(tx.w(), ctx, identifier),
        ListConfigurationPolicies { max_results, .. } => {
            policies::list_configuration_policies(tx.w(), ctx, *max_results)
        }
        StartConfigurationPolicyAssociation { configuration_policy_identifier, target } => {
            associations::start_association(tx, ctx, configuration_policy_identifier, target)
        }
        StartConfigurationPolicyDisassociation { configuration_policy_identifier, target } => {
            associations::start_disassociation(tx, ctx, configuration_policy_identifier, target)
        }
        GetConfigurationPolicyAssociation { target } => associations::get_association(tx.w(), ctx, target),
        BatchGetConfigurationPolicyAssociations { configuration_policy_association_identifiers } => {
            associations::batch_get_associations(tx.w(), ctx, configuration_policy_association_identifiers)
        }
        ListConfigurationPolicyAssociations { max_results, filters, .. } => {
            associations::list_associations(tx.w(), ctx, *max_results, filters.as_ref())
        }
        other => unreachable!("{} is not a Security Hub operation", other.name()),
    }
}
