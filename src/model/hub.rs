//! Per account-Region Security Hub state (GEN-1: the account-Region pair is the unit of state):
//! whether the hub is enabled, its standards subscriptions and control settings, AWS Config
//! recording, and the account-Region's central-configuration association result.
//!
//! Data only; standards subscriptions are kept as bit sets per status so that a 10,000-account,
//! 17-Region world stays small and cheap to clone.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::central::AssocValue;
use super::members::MemberRecord;
use super::standards::{Control, ControlSet, StandardSet};
use super::time::SimTime;

/// `ControlFindingGenerator` (HUB-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ControlFindingGenerator {
    /// Consolidated control findings (default since 2023-02-23).
    SecurityControl,
    /// One finding per standard.
    StandardControl,
}

/// A control parameter's value (POLICY-4); only the types the catalogue uses.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum ParamValue {
    /// `Integer`.
    Integer(i64),
    /// `IntegerList`.
    IntegerList(Vec<i64>),
    /// `StringList`.
    StringList(Vec<String>),
    /// `Boolean`.
    Boolean(bool),
}

/// Custom control parameters: (control, parameter name) → value. Parameters not listed are at
/// their defaults.
pub type ParamMap = BTreeMap<(Control, &'static str), ParamValue>;

/// No custom parameters, shared: a newly enabled hub allocates nothing for its parameters.
pub fn no_params() -> Arc<ParamMap> {
    static NONE: std::sync::LazyLock<Arc<ParamMap>> = std::sync::LazyLock::new(|| Arc::new(ParamMap::new()));
    Arc::clone(&NONE)
}

/// The hub of one account in one Region, present while Security Hub is enabled there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hub {
    /// When the account subscribed (`SubscribedAt`).
    pub subscribed_at: SimTime,
    /// `AutoEnableControls` (HUB-2, CTRL-4).
    pub auto_enable_controls: bool,
    /// `ControlFindingGenerator` (HUB-2).
    pub control_finding_generator: ControlFindingGenerator,
    /// Standards subscribed and `READY`.
    pub standards_ready: StandardSet,
    /// Standards subscribed and still `PENDING` (STD-2).
    pub standards_pending: StandardSet,
    /// Standards subscribed but `INCOMPLETE` (no configuration recorder, STD-2 MODEL CHOICE).
    pub standards_incomplete: StandardSet,
    /// Controls disabled (CTRL-1; one status per control, aligned across standards).
    pub disabled_controls: ControlSet,
    /// Custom parameter values; shared with the policy that set them.
    pub params: Arc<ParamMap>,
}

impl Hub {
    /// Every subscribed standard, whatever its status.
    pub fn standards(&self) -> StandardSet {
        StandardSet(self.standards_ready.0 | self.standards_pending.0 | self.standards_incomplete.0)
    }
}

/// Association status of one account-Region (ASSOC-13).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssocStatus {
    /// Being applied.
    Pending,
    /// Every setting applied.
    Success,
    /// At least one setting failed.
    Failed,
}

/// The central-configuration association result of one account-Region.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArAssociation {
    /// The value being applied or last applied here.
    pub value: Option<AssocValue>,
    /// Status (`None` when nothing was ever applied).
    pub status: Option<AssocStatus>,
    /// `AssociationStatusMessage` for failures.
    pub message: Option<Arc<str>>,
    /// Bumped whenever new work is scheduled; older work is superseded (TIME-11).
    pub generation: u32,
    /// When the status last changed.
    pub updated_at: SimTime,
}

/// A disabled hub's settings, kept for HUB-4 (QUOTA-9 keeps settings 90 days, archived findings
/// 30).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retained {
    /// The hub as it was.
    pub hub: Hub,
    /// When it was disabled (the retention clock starts here).
    pub disabled_at: SimTime,
}

/// Everything hubsim knows about one account in one Region. Aligned to a cache line, so that its
/// 128 bytes are exactly two.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[repr(align(64))]
pub struct ArState {
    /// The hub, while Security Hub is enabled.
    pub hub: Option<Hub>,
    /// The hub as it was when last disabled, and when: its settings come back if it is re-enabled
    /// within 90 days (HUB-4); its standards do not. Boxed: most account-Regions never have one.
    pub retained: Option<Box<Retained>>,
    /// MEMBER-9: the administrator that deleted this account's record, shown to the former member
    /// as `Deleted` until its membership changes again.
    pub deleted_by: Option<super::ids::AccountIdx>,
    /// Whether AWS Config is recording (decides whether control findings would be generated, and
    /// ASSOC-16c).
    pub config_recording: bool,
    /// Records in which this account is the member, one per administrator (almost always at most
    /// one, so it is stored inline).
    pub memberships: smallvec::SmallVec<[MemberRecord; 1]>,
    /// Central-configuration result.
    pub association: ArAssociation,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A policy reaching 170,000 account-Regions reads and writes each one's state in random
    /// order: two cache lines each, not three.
    #[test]
    fn an_account_region_state_fits_two_cache_lines() {
        assert_eq!(std::mem::size_of::<ArState>(), 128);
        assert_eq!(std::mem::align_of::<ArState>(), 64);
        // `ArStore::prefetch` fetches both lines through these two fields.
        assert!(std::mem::offset_of!(ArState, association) < 64);
        assert!(std::mem::offset_of!(ArState, memberships) >= 64);
    }
}
