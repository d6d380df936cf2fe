//! Finding aggregators (home and linked Regions, AGG-*), central configuration (CENTRAL-*),
//! configuration policies (POLICY-*) and their associations with the root, OUs and accounts
//! (ASSOC-*).
//!
//! Only applied associations are stored; what a target inherits is derived by walking up the tree
//! (ASSOC-2), which costs the depth of the tree (at most six levels), never the size of the
//! organization.

use std::collections::BTreeMap;
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
    pub applied: BTreeMap<Target, AssocValue>,
    /// Status of root/OU associations.
    pub node_status: super::NodeMap<NodeAssociationStatus>,
    /// Bumped on each switch request, so a stale settle event is recognised.
    pub switch_generation: u32,
}

impl Default for Central {
    fn default() -> Self {
        Central {
            phase: CentralPhase::Off,
            da: None,
            home: None,
            policies: Vec::new(),
            policy_names: Vec::new(),
            applied: BTreeMap::new(),
            node_status: super::NodeMap::default(),
            switch_generation: 0,
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
