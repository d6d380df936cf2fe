//! `Checker`: an `Observer` that checks every invariant after each event from that event's
//! effects, and everything again over the whole world at quiescence; it also counts the
//! "sometimes" situations a run reached.

use std::collections::{BTreeMap, BTreeSet};

use super::{Invariant, Sometimes, Violation};
use crate::model::{
    AccountIdx, AdminStatus, AssocStatus, CentralPhase, Effective, MemberStatus, MemberType, RegionIdx, Roster,
    Rosters, SimTime, World,
};
use crate::rules::{Call, Caller, Change, ChangeKind, EffectInterest, Op, Operation, RuleId, Service, policy_mismatch};
use crate::sim::{EventView, Observer};

/// The changes to what `central_admin_problems` reads (designations, central configuration's phase
/// and DA, the aggregator, opted-in Regions): after an event with none of them, its earlier
/// findings still hold.
const CENTRAL_ADMIN_INPUTS: EffectInterest = EffectInterest::kinds(&[
    ChangeKind::AdministratorDesignated,
    ChangeKind::AdministratorRemovalStarted,
    ChangeKind::AdministratorRemoved,
    ChangeKind::AggregatorSet,
    ChangeKind::AggregatorDeleted,
    ChangeKind::CentralConfigurationRequested,
    ChangeKind::CentralConfigurationEnabled,
    ChangeKind::CentralConfigurationEnded,
    ChangeKind::RegionOptStatusChanged,
]);

/// Checks invariants during a run.
#[derive(Default)]
pub struct Checker {
    /// Violations found, in order.
    pub violations: Vec<Violation>,
    /// How often each sometimes-situation was reached.
    pub sometimes: BTreeMap<Sometimes, u64>,
    /// Stop recording after this many violations (a broken rule repeats itself).
    pub limit: usize,
    /// Invariants switched off for this run (tests break one on purpose).
    pub disabled: BTreeSet<Invariant>,
    /// Whether the deliberately wrong `Invariant::Canary` is checked.
    pub canary: bool,
    /// What `central_admin_problems` found after the last event that changed what it reads
    /// (`None` before the first event): reported again after each event that changes none of it.
    central_admin_problems: Option<Vec<String>>,
}

impl Checker {
    /// A checker that keeps at most 100 violations; the canary is on when `HUBSIM_CANARY=1`.
    pub fn new() -> Checker {
        Checker { limit: 100, canary: std::env::var("HUBSIM_CANARY").is_ok_and(|v| v == "1"), ..Checker::default() }
    }

    fn violate(&mut self, invariant: Invariant, event: u64, at: SimTime, detail: String) {
        if self.violations.len() < self.limit && !self.disabled.contains(&invariant) {
            self.violations.push(Violation { invariant, event, at, detail });
        }
    }

    /// Every invariant over the whole world (what runs at quiescence).
    pub fn full_check(&mut self, w: &World, at: SimTime) {
        let mut recounted = Rosters::default();
        for account in w.account_indices() {
            for region in w.regions.indices() {
                let ar = w.ar(account, region);
                let enabled = ar.count_memberships(|_, status| status == MemberStatus::Enabled);
                if enabled > 1 {
                    self.violate(
                        Invariant::OneAdministratorPerMember,
                        0,
                        at,
                        format!("{} has {enabled} administrators in {}", w.account_id(account), w.regions.get(region)),
                    );
                }
                for record in ar.memberships() {
                    recounted.count(w.regions.len(), region, &record, 1);
                    if record.member_type == MemberType::Organization
                        && record.status == MemberStatus::Enabled
                        && !w.in_org(account)
                    {
                        self.violate(
                            Invariant::NoOutsiderOrganizationMember,
                            0,
                            at,
                            format!(
                                "{} is outside the organization but an enabled organization member of {} in {}",
                                w.account_id(account),
                                w.account_id(record.administrator),
                                w.regions.get(region)
                            ),
                        );
                    }
                }
                if ar.association().status == Some(AssocStatus::Pending) {
                    self.violate(
                        Invariant::QuiescentPolicyMatch,
                        0,
                        at,
                        format!("{} {} is still PENDING at quiescence", w.account_id(account), w.regions.get(region)),
                    );
                }
            }
        }
        let kept: Vec<_> = w.rosters().collect();
        let counted: Vec<_> = recounted.entries().collect();
        if kept != counted {
            let first = (0..kept.len().max(counted.len())).find(|i| kept.get(*i) != counted.get(*i)).unwrap_or(0);
            let describe = |entry: Option<&((AccountIdx, RegionIdx), &Roster)>| match entry {
                Some(((admin, region), r)) => format!(
                    "{} in {}: total {}, counted {}, invitations counted {}, enabled {}, invitations {}",
                    w.account_id(*admin),
                    w.regions.get(*region),
                    r.total,
                    r.counted,
                    r.invitation_counted,
                    r.enabled,
                    r.invitations
                ),
                None => "nothing".to_string(),
            };
            self.violate(
                Invariant::RosterMatchesRecords,
                0,
                at,
                format!(
                    "the rosters say {}; the records say {}",
                    describe(kept.get(first)),
                    describe(counted.get(first))
                ),
            );
        }
        for ((admin, region), roster) in w.rosters() {
            if roster.counted > w.limits.members_per_admin {
                self.violate(
                    Invariant::MemberLimit,
                    0,
                    at,
                    format!("{} has {} members in {}", w.account_id(admin), roster.counted, w.regions.get(region)),
                );
            }
        }
        if !w.org.trusted_access {
            let anything = w.regions.indices().find_map(|r| w.designation(r).map(|d| (r, d)));
            if let Some((region, d)) = anything {
                self.violate(
                    Invariant::NothingWithoutTrustedAccess,
                    0,
                    at,
                    format!("{} is still administrator in {}", w.account_id(d.account), w.regions.get(region)),
                );
            }
            if w.central.phase != CentralPhase::Off
                || w.central.live_policies().next().is_some()
                || !w.central.applied.is_empty()
            {
                self.violate(
                    Invariant::NothingWithoutTrustedAccess,
                    0,
                    at,
                    "central configuration, a policy or an association outlived trusted access".into(),
                );
            }
        }
        self.report_central_admins(&central_admin_problems(w), 0, at);
        self.policy_match(w, at);
    }

    fn report_central_admins(&mut self, problems: &[String], event: u64, at: SimTime) {
        for detail in problems {
            self.violate(Invariant::SameAdministratorUnderCentral, event, at, detail.clone());
        }
    }

    fn policy_match(&mut self, w: &World, at: SimTime) {
        if w.central.phase != CentralPhase::Enabled {
            return;
        }
        let scope = w.central_scope();
        for account in w.account_indices().filter(|a| w.in_org(*a)) {
            let Effective::Policy { policy, .. } = w.effective(account) else { continue };
            let content = &w.central.policy(policy).expect("effective policy is live").content;
            for region in scope.iter() {
                if w.ar(account, region).association().status != Some(AssocStatus::Success) {
                    continue;
                }
                let mismatch = policy_mismatch(w, account, region, content);
                if let Some(why) = mismatch {
                    self.violate(
                        Invariant::QuiescentPolicyMatch,
                        0,
                        at,
                        format!(
                            "{} {} reports SUCCESS for {} but {why}",
                            w.account_id(account),
                            w.regions.get(region),
                            crate::rules::describe::policy(w, policy)
                        ),
                    );
                }
            }
        }
    }

    fn forbidden(&mut self, w: &World, event: &EventView<'_>) {
        let Call { caller: Caller::Account(id), op: Op::Api(operation), region, .. } = event.call else { return };
        if event.outcome.result.is_err() {
            return;
        }
        let Some(caller) = w.account_idx(*id) else { return };
        let management_only = matches!(operation.service(), Service::Organizations)
            && !matches!(
                **operation,
                Operation::AcceptHandshake { .. }
                    | Operation::DeclineHandshake { .. }
                    | Operation::LeaveOrganization {}
            )
            || matches!(
                **operation,
                Operation::EnableOrganizationAdminAccount { .. }
                    | Operation::DisableOrganizationAdminAccount { .. }
                    | Operation::ListOrganizationAdminAccounts { .. }
                    | Operation::DesignateDelegatedAdministrator { .. }
                    | Operation::RemoveDelegatedAdministrator { .. }
            );
        let central_only = matches!(
            **operation,
            Operation::CreateConfigurationPolicy { .. }
                | Operation::UpdateConfigurationPolicy { .. }
                | Operation::DeleteConfigurationPolicy { .. }
                | Operation::GetConfigurationPolicy { .. }
                | Operation::ListConfigurationPolicies { .. }
                | Operation::StartConfigurationPolicyAssociation { .. }
                | Operation::StartConfigurationPolicyDisassociation { .. }
                | Operation::GetConfigurationPolicyAssociation { .. }
                | Operation::BatchGetConfigurationPolicyAssociations { .. }
                | Operation::ListConfigurationPolicyAssociations { .. }
        );
        let admin_only = matches!(
            **operation,
            Operation::DescribeOrganizationConfiguration {} | Operation::EnableAllOrganizationAccounts {}
        ) || matches!(**operation, Operation::UpdateOrganizationConfiguration { .. });
        let why = if w.account(caller).state.is_suspended() {
            Some("the caller is suspended or closed")
        } else if management_only && !w.is_management(caller) {
            Some("only the management account may call it")
        } else if central_only && (w.central.da != Some(caller) || w.central.home != Some(*region)) {
            Some("only the central-configuration DA, from the home Region, may call it")
        } else if admin_only && w.sh_admin(*region) != Some(caller) {
            Some("only the Region's Security Hub administrator may call it")
        } else {
            None
        };
        if let Some(why) = why {
            self.violate(
                Invariant::ForbiddenCallNeverSucceeds,
                event.number,
                event.at,
                format!("{} by {id} in {} succeeded, but {why}", operation.name(), w.regions.get(*region)),
            );
        }
    }
}

/// Regions under central configuration whose Security Hub administrator is not the DA: one
/// sentence each.
fn central_admin_problems(w: &World) -> Vec<String> {
    if w.central.phase != CentralPhase::Enabled {
        return Vec::new();
    }
    let Some(da) = w.central.da else { return Vec::new() };
    w.central_scope()
        .iter()
        .filter(|region| w.region_usable(da, *region) && w.sh_admin(*region) != Some(da))
        .map(|region| {
            let found = w.sh_admin(region).map(|a| w.account_id(a).to_string()).unwrap_or_else(|| "none".into());
            format!("{} has administrator {found}, not the central DA {}", w.regions.get(region), w.account_id(da))
        })
        .collect()
}

/// Whether a string anywhere in `value` contains `needle` (a response is searched where it lies:
/// printing each of 170,000 responses to search the text cost 7 % of a 10,000-member run). Keys
/// are not searched: the refusal codes it looks for are values.
fn any_text_contains(value: &serde_json::Value, needle: &str) -> bool {
    use serde_json::Value;
    match value {
        Value::String(text) => text.contains(needle),
        Value::Array(items) => items.iter().any(|v| any_text_contains(v, needle)),
        Value::Object(map) => map.values().any(|v| any_text_contains(v, needle)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

impl Observer for Checker {
    /// The effects `after_event` looks at: records, hubs, what the same-administrator check reads,
    /// the member limit (LIFE-16), and with the canary on, departures.
    fn effect_interest(&self) -> EffectInterest {
        const READS: EffectInterest = CENTRAL_ADMIN_INPUTS
            .with_kind(ChangeKind::MemberRecord)
            .with_kind(ChangeKind::HubEnabled)
            .with_rule(RuleId::LIFE_16);
        const READS_WITH_CANARY: EffectInterest = READS.with_kind(ChangeKind::AccountLeft);
        if self.canary { READS_WITH_CANARY } else { READS }
    }

    fn after_event(&mut self, w: &World, event: &EventView<'_>) {
        let (n, at) = (event.number, event.at);
        // Whether the event made a change among `CENTRAL_ADMIN_INPUTS`.
        let mut central_admins_inputs = false;
        let mut limit_hit = false;
        // Only what `effect_interest` names, also when the event lists more (full recording):
        // the checks are then the same whichever way the run records.
        let reads = self.effect_interest();
        for effect in event.outcome.effects.iter().filter(|e| reads.keeps_effect(e)) {
            limit_hit |= effect.rule == RuleId::LIFE_16;
            central_admins_inputs |= CENTRAL_ADMIN_INPUTS.has_kind(ChangeKind::from(&effect.change));
            match &effect.change {
                Change::MemberRecord { region, member, record } => {
                    let enabled = w.ar(*member, *region).count_memberships(|_, status| status == MemberStatus::Enabled);
                    if enabled > 1 {
                        self.violate(
                            Invariant::OneAdministratorPerMember,
                            n,
                            at,
                            format!(
                                "{} now has {enabled} administrators in {}",
                                w.account_id(*member),
                                w.regions.get(*region)
                            ),
                        );
                    }
                    if let Some(roster) = w.roster(record.administrator, *region)
                        && roster.counted > w.limits.members_per_admin
                    {
                        self.violate(
                            Invariant::MemberLimit,
                            n,
                            at,
                            format!(
                                "{} has {} members in {}",
                                w.account_id(record.administrator),
                                roster.counted,
                                w.regions.get(*region)
                            ),
                        );
                    }
                    if record.status == MemberStatus::Enabled {
                        if record.member_type == MemberType::Organization && !w.in_org(*member) {
                            self.violate(
                                Invariant::NoOutsiderOrganizationMember,
                                n,
                                at,
                                format!(
                                    "{} enrolled as an organization member from outside the organization",
                                    w.account_id(*member)
                                ),
                            );
                        }
                        if w.account(*member).state.is_suspended() {
                            self.violate(
                                Invariant::SuspendedGetsNoEnablement,
                                n,
                                at,
                                format!(
                                    "suspended {} became an enabled member [{}]",
                                    w.account_id(*member),
                                    effect.rule
                                ),
                            );
                        }
                    }
                }
                Change::HubEnabled { account, region, .. } => {
                    if w.is_management(*account) && effect.rule != RuleId::HUB_1 {
                        self.violate(
                            Invariant::ManagementNeverAutoEnabled,
                            n,
                            at,
                            format!(
                                "the management account's hub in {} was enabled by [{}]",
                                w.regions.get(*region),
                                effect.rule
                            ),
                        );
                    }
                    if w.account(*account).state.is_suspended() {
                        self.violate(
                            Invariant::SuspendedGetsNoEnablement,
                            n,
                            at,
                            format!(
                                "suspended {}'s hub in {} was enabled by [{}]",
                                w.account_id(*account),
                                w.regions.get(*region),
                                effect.rule
                            ),
                        );
                    }
                }
                Change::AccountLeft { account } if self.canary => {
                    self.violate(Invariant::Canary, n, at, format!("{} left the organization", w.account_id(*account)));
                }
                _ => {}
            }
        }
        if let Op::Api(operation) = &event.call.op
            && event.outcome.result.is_ok()
        {
            let key = match **operation {
                Operation::DisableAwsServiceAccess { .. } if w.pending_results() > 0 => {
                    Some(Sometimes::TrustedAccessDisabledMidPropagation)
                }
                Operation::MoveAccount { account_id, .. }
                    if w.account_idx(account_id).is_some_and(|a| w.has_pending_result(a)) =>
                {
                    Some(Sometimes::AccountMovedMidPropagation)
                }
                Operation::DeregisterDelegatedAdministrator { .. } if w.central.phase == CentralPhase::Enabled => {
                    Some(Sometimes::AdministratorChangedUnderCentral)
                }
                _ => None,
            };
            if let Some(key) = key {
                *self.sometimes.entry(key).or_default() += 1;
            }
        }
        let limit_hit =
            limit_hit || event.outcome.result.as_ref().is_ok_and(|r| any_text_contains(r, "MEMBER_LIMIT_REACHED"));
        if limit_hit {
            *self.sometimes.entry(Sometimes::MemberLimitHit).or_default() += 1;
        }
        self.forbidden(w, event);
        // Recomputed only when the event changed what it reads; otherwise its earlier findings
        // still hold and are reported again, as after every event.
        let problems = match self.central_admin_problems.take() {
            Some(kept) if !central_admins_inputs => kept,
            _ => central_admin_problems(w),
        };
        self.report_central_admins(&problems, n, at);
        self.central_admin_problems = Some(problems);
        if !w.org.trusted_access {
            for region in w.regions.indices() {
                if let Some(d) = w.designation(region)
                    && d.status == AdminStatus::Enabled
                {
                    self.violate(
                        Invariant::NothingWithoutTrustedAccess,
                        n,
                        at,
                        format!(
                            "{} is an ENABLED administrator in {} without trusted access",
                            w.account_id(d.account),
                            w.regions.get(region)
                        ),
                    );
                }
            }
        }
    }

    fn at_quiescence(&mut self, w: &World, now: SimTime) {
        self.full_check(w, now);
    }
}
