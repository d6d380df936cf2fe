//! Invariants: named properties that must hold in every reachable world, each citing the rules it
//! follows from. They are checked incrementally after every event from that event's effects
//! (cost proportional to the effects) and fully at quiescence; a failure is a `Violation` value
//! that fuzzing reports and shrinks against.
//!
//! They are the other half of the engine's paired assertions: `rules::change::commit` asserts what
//! each change expects to find; the invariants check the same facts from the outside, so a wrong
//! decision in a handler is caught even when the change itself was well-formed. "Sometimes"
//! properties record situations a fuzzing campaign should reach (STYLE §9).

mod check;

use std::fmt;

pub use check::Checker;

use crate::model::SimTime;
use crate::rules::RuleId;

/// A property that must always hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Invariant {
    /// A member has at most one administrator (an `Enabled` record) per Region.
    OneAdministratorPerMember,
    /// No administrator has more members than the quota in a Region.
    MemberLimit,
    /// The management account's hub is never enabled by anyone but itself.
    ManagementNeverAutoEnabled,
    /// No call succeeds for a caller the allowed-actions matrix forbids.
    ForbiddenCallNeverSucceeds,
    /// With trusted access disabled (and its clean-up done) there is no administrator, no central
    /// configuration, no policy, no association and no organization member.
    NothingWithoutTrustedAccess,
    /// Under central configuration the administrator is the DA in the home and every linked Region.
    SameAdministratorUnderCentral,
    /// After quiescence every centrally managed account-Region matches its effective policy and
    /// every association has settled.
    QuiescentPolicyMatch,
    /// No account outside the organization is an enabled organization-type member.
    NoOutsiderOrganizationMember,
    /// A suspended or closed account gets no new enablement.
    SuspendedGetsNoEnablement,
    /// Every administrator's roster counts exactly the records it has (the quotas are decided on
    /// these counts, never on the records themselves).
    RosterMatchesRecords,
    /// Testing aid, off unless `Checker::canary` is set (or `HUBSIM_CANARY=1` for the CLI): a
    /// deliberately wrong property ("no account ever leaves the organization") that fuzzing finds
    /// and shrinks, to test that round trip end to end.
    Canary,
}

impl Invariant {
    /// Every invariant.
    pub const ALL: [Invariant; 10] = [
        Invariant::OneAdministratorPerMember,
        Invariant::MemberLimit,
        Invariant::ManagementNeverAutoEnabled,
        Invariant::ForbiddenCallNeverSucceeds,
        Invariant::NothingWithoutTrustedAccess,
        Invariant::SameAdministratorUnderCentral,
        Invariant::QuiescentPolicyMatch,
        Invariant::NoOutsiderOrganizationMember,
        Invariant::SuspendedGetsNoEnablement,
        Invariant::RosterMatchesRecords,
    ];

    /// A stable name, e.g. `one-administrator-per-member`.
    pub fn name(self) -> &'static str {
        match self {
            Invariant::OneAdministratorPerMember => "one-administrator-per-member",
            Invariant::MemberLimit => "member-limit",
            Invariant::ManagementNeverAutoEnabled => "management-never-auto-enabled",
            Invariant::ForbiddenCallNeverSucceeds => "forbidden-call-never-succeeds",
            Invariant::NothingWithoutTrustedAccess => "nothing-without-trusted-access",
            Invariant::SameAdministratorUnderCentral => "same-administrator-under-central",
            Invariant::QuiescentPolicyMatch => "quiescent-policy-match",
            Invariant::NoOutsiderOrganizationMember => "no-outsider-organization-member",
            Invariant::SuspendedGetsNoEnablement => "suspended-gets-no-enablement",
            Invariant::RosterMatchesRecords => "roster-matches-records",
            Invariant::Canary => "canary-no-account-leaves",
        }
    }

    /// Parses a name.
    pub fn parse(name: &str) -> Option<Invariant> {
        Invariant::ALL.into_iter().chain([Invariant::Canary]).find(|i| i.name() == name)
    }

    /// The rules the property follows from.
    pub fn rules(self) -> &'static [RuleId] {
        match self {
            Invariant::OneAdministratorPerMember => &[RuleId::MEMBER_3, RuleId::ADMIN_13],
            Invariant::MemberLimit => &[RuleId::QUOTA_1, RuleId::LIFE_16],
            Invariant::ManagementNeverAutoEnabled => &[RuleId::MEMBER_5, RuleId::ADMIN_8, RuleId::ASSOC_12],
            Invariant::ForbiddenCallNeverSucceeds => &[RuleId::ACT_1, RuleId::ACT_2, RuleId::ACT_4],
            Invariant::NothingWithoutTrustedAccess => &[RuleId::LIFE_12, RuleId::CENTRAL_9],
            Invariant::SameAdministratorUnderCentral => &[RuleId::CENTRAL_4, RuleId::CENTRAL_5],
            Invariant::QuiescentPolicyMatch => &[RuleId::ASSOC_10, RuleId::ASSOC_13, RuleId::POLICY_10],
            Invariant::NoOutsiderOrganizationMember => &[RuleId::LIFE_2, RuleId::MEMBER_6],
            Invariant::SuspendedGetsNoEnablement => &[RuleId::MEMBER_7, RuleId::LIFE_3, RuleId::HUB_6],
            Invariant::RosterMatchesRecords => &[RuleId::QUOTA_1, RuleId::QUOTA_2, RuleId::ORGCFG_4],
            Invariant::Canary => &[RuleId::LIFE_2],
        }
    }
}

impl fmt::Display for Invariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Which.
    pub invariant: Invariant,
    /// The event after which it was found (0 for the check at quiescence).
    pub event: u64,
    /// When.
    pub at: SimTime,
    /// What exactly.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rules: Vec<&str> = self.invariant.rules().iter().map(|r| r.as_str()).collect();
        if self.event == 0 {
            write!(f, "{} [{}] at quiescence ({}): {}", self.invariant, rules.join(", "), self.at, self.detail)
        } else {
            write!(
                f,
                "{} [{}] after event #{} at {}: {}",
                self.invariant,
                rules.join(", "),
                self.event,
                self.at,
                self.detail
            )
        }
    }
}

/// A situation a campaign should reach at least once ("sometimes" properties).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sometimes {
    /// Trusted access disabled while a policy is still propagating.
    TrustedAccessDisabledMidPropagation,
    /// An account moved while its policy work is pending.
    AccountMovedMidPropagation,
    /// The member limit refused an enrolment.
    MemberLimitHit,
    /// The delegated administrator removed through Organizations under central configuration.
    AdministratorChangedUnderCentral,
}

impl Sometimes {
    /// Every sometimes-property.
    pub const ALL: [Sometimes; 4] = [
        Sometimes::TrustedAccessDisabledMidPropagation,
        Sometimes::AccountMovedMidPropagation,
        Sometimes::MemberLimitHit,
        Sometimes::AdministratorChangedUnderCentral,
    ];
    /// A stable name.
    pub fn name(self) -> &'static str {
        match self {
            Sometimes::TrustedAccessDisabledMidPropagation => "trusted-access-disabled-mid-propagation",
            Sometimes::AccountMovedMidPropagation => "account-moved-mid-propagation",
            Sometimes::MemberLimitHit => "member-limit-hit",
            Sometimes::AdministratorChangedUnderCentral => "administrator-changed-under-central",
        }
    }
}

#[cfg(test)]
mod tests;
