//! Finding aggregators (home and linked Regions, AGG-*), central configuration (CENTRAL-*),
//! configuration policies (POLICY-*) and their associations with the root, OUs and accounts
//! (ASSOC-*).
//!
//! Only applied associations are stored; what a target inherits is derived by walking up the tree
//! (ASSOC-2), which costs the depth of the tree (at most six levels), never the size of the
//! organization.

use std::sync::Arc;

use super::hub::{AssocStatus, ParamMap};
use super::ids::{AccountIdx, NodeIdx, PolicyIdx};
use super::region::{RegionIdx, RegionSet};
use super::standards::{ControlSet, StandardSet};
use super::time::SimTime;

/// `RegionLinkingMode` (AGG-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RegionLinkingMode {
    /// Every Region (and future ones).
    AllRegions,
    /// Every Region except the listed ones.
    AllRegionsExceptSpecified,
    /// Exactly the listed Regions.
    SpecifiedRegions,
    /// None.
    NoRegions,
}

impl RegionLinkingMode {
    /// Parses the API spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ALL_REGIONS" => Some(Self::AllRegions),
            "ALL_REGIONS_EXCEPT_SPECIFIED" => Some(Self::AllRegionsExceptSpecified),
            "SPECIFIED_REGIONS" => Some(Self::SpecifiedRegions),
            "NO_REGIONS" => Some(Self::NoRegions),
            _ => None,
        }
    }
    /// The API spelling.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::AllRegions => "ALL_REGIONS",
            Self::AllRegionsExceptSpecified => "ALL_REGIONS_EXCEPT_SPECIFIED",
            Self::SpecifiedRegions => "SPECIFIED_REGIONS",
            Self::NoRegions => "NO_REGIONS",
        }
    }
}

/// A finding aggregator; its Region is the owner's home Region (AGG-1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aggregator {
    /// `FindingAggregatorArn`.
    pub arn: Arc<str>,
    /// The home (aggregation) Region.
    pub home: RegionIdx,
    /// The linking mode.
    pub mode: RegionLinkingMode,
    /// The `Regions` list as given.
    pub regions: RegionSet,
}

impl Aggregator {
    /// Linked Regions among `in_play` (AGG-2); never includes the home Region.
    pub fn linked(&self, in_play: RegionSet) -> RegionSet {
        let home = RegionSet::EMPTY.with(self.home);
        match self.mode {
            RegionLinkingMode::AllRegions => in_play.minus(home),
            RegionLinkingMode::AllRegionsExceptSpecified => in_play.minus(self.regions).minus(home),
            RegionLinkingMode::SpecifiedRegions => self.regions.minus(home),
            RegionLinkingMode::NoRegions => RegionSet::EMPTY,
        }
    }
}

/// Which controls a policy enables (POLICY-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlSelection {
    /// `EnabledSecurityControlIdentifiers`: these, and every other control is disabled.
    Enabled(ControlSet),
    /// `DisabledSecurityControlIdentifiers`: these off, every other control on.
    Disabled(ControlSet),
}

/// The `SecurityHub` content of a configuration policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyContent {
    /// `ServiceEnabled`.
    pub service_enabled: bool,
    /// `EnabledStandardIdentifiers`.
    pub standards: StandardSet,
    /// The control list (absent when the service is disabled, POLICY-3).
    pub controls: Option<ControlSelection>,
    /// `SecurityControlCustomParameters` with `ValueType=CUSTOM`.
    pub params: Arc<ParamMap>,
}

/// A configuration policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// UUID.
    pub id: Arc<str>,
    /// ARN.
    pub arn: Arc<str>,
    /// `Name` (unique, POLICY-5).
    pub name: Arc<str>,
    /// `Description`.
    pub description: Option<Arc<str>>,
    /// `CreatedAt`.
    pub created_at: SimTime,
    /// `UpdatedAt`.
    pub updated_at: SimTime,
    /// The settings.
    pub content: Arc<PolicyContent>,
}

/// What is associated with a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AssocValue {
    /// A configuration policy.
    Policy(PolicyIdx),
    /// `SELF_MANAGED_SECURITY_HUB`.
    SelfManaged,
}

/// An association target (ASSOC-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// The root (`NodeIdx::ROOT`) or an OU.
    Node(NodeIdx),
    /// An organization account.
    Account(AccountIdx),
}

/// Applied associations (ASSOC-1), a slot per node and per account: every policy application
/// resolves its account's effective configuration (ASSOC-2) by looking up the account and each of
/// its ancestors, an index each. Iterated like a tree map keyed by `Target`: nodes first, then
/// accounts, each in index order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    nodes: super::DenseMap<NodeIdx, AssocValue>,
    accounts: super::DenseMap<AccountIdx, AssocValue>,
}

impl Applied {
    /// The value applied to `target`, if any.
    pub fn get(&self, target: &Target) -> Option<&AssocValue> {
        match *target {
            Target::Node(node) => self.nodes.get(node),
            Target::Account(account) => self.accounts.get(account),
        }
    }
    /// Applies `value` to `target`, returning the value it replaces.
    pub fn insert(&mut self, target: Target, value: AssocValue) -> Option<AssocValue> {
        match target {
            Target::Node(node) => self.nodes.insert(node, value),
            Target::Account(account) => self.accounts.insert(account, value),
        }
    }
    /// Removes the association of `target`, returning its value.
    pub fn remove(&mut self, target: &Target) -> Option<AssocValue> {
        match *target {
            Target::Node(node) => self.nodes.remove(node),
            Target::Account(account) => self.accounts.remove(account),
        }
    }
    /// Whether nothing is applied anywhere.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.accounts.is_empty()
    }
    /// Every association, nodes first, then accounts.
    pub fn iter(&self) -> impl Iterator<Item = (Target, &AssocValue)> {
        let nodes = self.nodes.iter().map(|(node, value)| (Target::Node(node), value));
        nodes.chain(self.accounts.iter().map(|(account, value)| (Target::Account(account), value)))
    }
    /// Every target with an association, in `iter` order.
    pub fn keys(&self) -> impl Iterator<Item = Target> {
        self.iter().map(|(target, _)| target)
    }
    /// Every applied value, in `iter` order.
    pub fn values(&self) -> impl Iterator<Item = &AssocValue> {
        self.iter().map(|(_, value)| value)
    }
}

/// The status of a root or OU association, computed from a snapshot of its children at call
/// time (ASSOC-15).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeAssociationStatus {
    /// Bumped on every new `StartConfigurationPolicyAssociation` for the node.
    pub epoch: u32,
    /// Account-Region results still outstanding.
    pub outstanding: u32,
    /// Whether any child result failed.
    pub any_failed: bool,
    /// The resulting status.
    pub status: AssocStatus,
    /// When it last changed.
    pub updated_at: SimTime,
}

/// Phase of central configuration (CENTRAL-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CentralPhase {
    /// Local configuration.
    Off,
    /// The switch was requested and is being processed.
    Pending,
    /// Central configuration is in effect.
    Enabled,
}

/// Central configuration state of the organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Central {
    /// Phase.
    pub phase: CentralPhase,
    /// The delegated administrator that switched it on.
    pub da: Option<AccountIdx>,
    /// Home Region (the DA's aggregator Region at the time of the switch).
    pub home: Option<RegionIdx>,
    /// Policies by index; deleted policies leave `None` so indices are never reused.
    pub policies: Vec<Option<Policy>>,
    /// Names of every policy ever created, by index (kept after deletion, for timelines).
    pub policy_names: Vec<Arc<str>>,
    /// Applied associations.
    pub applied: Applied,
    /// Status of root/OU associations.
    pub node_status: super::NodeMap<NodeAssociationStatus>,
    /// Bumped on each switch request, so a stale settle event is recognised.
    pub switch_generation: u32,
    /// Account-Regions whose association status is `PENDING` (ASSOC-13): kept as their statuses
    /// change, so that "is a policy still propagating?" is answered without looking at 170,000
    /// states.
    pub(crate) pending_results: u32,
}

impl Default for Central {
    fn default() -> Self {
        Central {
            phase: CentralPhase::Off,
            da: None,
            home: None,
            policies: Vec::new(),
            policy_names: Vec::new(),
            applied: Applied::default(),
            node_status: super::NodeMap::default(),
            switch_generation: 0,
            pending_results: 0,
        }
    }
}

impl Central {
    /// The live policy at `idx`.
    pub fn policy(&self, idx: PolicyIdx) -> Option<&Policy> {
        self.policies.get(idx.0 as usize).and_then(|p| p.as_ref())
    }
    /// Live policies in index order.
    pub fn live_policies(&self) -> impl Iterator<Item = (PolicyIdx, &Policy)> {
        self.policies.iter().enumerate().filter_map(|(i, p)| p.as_ref().map(|p| (PolicyIdx(i as u32), p)))
    }
    /// Finds a live policy by UUID or ARN.
    pub fn policy_by_identifier(&self, identifier: &str) -> Option<PolicyIdx> {
        self.live_policies().find(|(_, p)| &*p.id == identifier || &*p.arn == identifier).map(|(idx, _)| idx)
    }
    /// Finds a live policy by name.
    pub fn policy_by_name(&self, name: &str) -> Option<PolicyIdx> {
        self.live_policies().find(|(_, p)| &*p.name == name).map(|(idx, _)| idx)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// Against the tree map keyed by `Target` it replaces: same answers, same iteration order.
    #[test]
    fn applied_behaves_like_a_tree_map_keyed_by_target() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut applied = Applied::default();
        let mut reference: BTreeMap<Target, AssocValue> = BTreeMap::new();
        for _ in 0..5_000 {
            let target = if rng.random_bool(0.5) {
                Target::Node(NodeIdx(rng.random_range(0..8)))
            } else {
                Target::Account(AccountIdx(rng.random_range(0..30)))
            };
            let value = if rng.random_bool(0.3) {
                AssocValue::SelfManaged
            } else {
                AssocValue::Policy(PolicyIdx(rng.random_range(0..3)))
            };
            if rng.random_bool(0.6) {
                assert_eq!(applied.insert(target, value), reference.insert(target, value));
            } else {
                assert_eq!(applied.remove(&target), reference.remove(&target));
            }
            assert_eq!(applied.get(&target), reference.get(&target));
            assert_eq!(applied.is_empty(), reference.is_empty());
            assert!(applied.iter().eq(reference.iter().map(|(t, v)| (*t, v))));
            assert!(applied.keys().eq(reference.keys().copied()));
            assert!(applied.values().eq(reference.values()));
        }
    }
}
