//! The intended state of one account-Region, for exposure windows: what "protected" means for it
//! in the world as it stands.
//!
//! MODEL CHOICE (issue 6, "reaching the intended state"):
//! - Under central configuration (ASSOC-9), with a policy in effect for the account: the
//!   account-Region's association reports SUCCESS and its hub matches the policy (ASSOC-10,
//!   the check the quiescent-policy-match invariant makes).
//! - Otherwise, where the Region has a Security Hub administrator (local configuration, or an
//!   account self-managed under central configuration): the hub is on and the account is an
//!   `Enabled` member of that administrator (the administrator itself: its hub is on).
//! - Otherwise nothing manages the account-Region yet: it is exposed.
//!
//! An account-Region that leaves the organization, is suspended or closing, or sits in a Region the
//! account has not enabled, has no goal any more: its window is dropped, not closed.

use crate::model::{AccountIdx, AccountState, AssocStatus, Effective, MemberStatus, RegionIdx, World};
use crate::rules::policy_mismatch;

/// Where an account-Region stands against its goal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// The intended state holds.
    Reached,
    /// Not (yet) in the intended state.
    Exposed,
    /// Out of scope: gone from the organization, not active, or the Region is not usable.
    OutOfScope,
}

/// Where `account` stands in `region`.
pub fn standing(w: &World, account: AccountIdx, region: RegionIdx) -> Standing {
    if !w.in_org(account) || w.account(account).state != AccountState::Active || !w.region_usable(account, region) {
        return Standing::OutOfScope;
    }
    if w.is_central_region(region)
        && let Effective::Policy { policy, .. } = w.effective(account)
    {
        let association = w.ar(account, region).association();
        let applied = association.status == Some(AssocStatus::Success)
            && w.central.policy(policy).is_some_and(|p| policy_mismatch(w, account, region, &p.content).is_none());
        return if applied { Standing::Reached } else { Standing::Exposed };
    }
    let Some(admin) = w.sh_admin(region) else { return Standing::Exposed };
    let member = admin == account
        || w.enabled_membership(account, region)
            .is_some_and(|r| r.administrator == admin && r.status == MemberStatus::Enabled);
    if member && w.hub_enabled(account, region) { Standing::Reached } else { Standing::Exposed }
}
