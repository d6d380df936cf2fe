//! The AWS Organizations side of the world: accounts (in the organization, its management account,
//! or outside it), their lifecycle state and opt-in Regions, the OU tree, trusted access, the
//! delegated-administrator registration and open handshakes.
//!
//! Data only. The tree keeps, for every node, its child OUs and the accounts directly under it, so
//! that the accounts below a target can be walked without scanning the whole organization.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::ids::{AccountId, AccountIdx, HandshakeIdx, NodeIdx};
use super::region::RegionSet;
use super::time::SimTime;

/// Where an account stands relative to the simulated organization (ORG-1, ORG-10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// The organization's management account.
    Management,
    /// A member account of the organization.
    Member,
    /// Not in the simulated organization: standalone (`None`) or a member of another organization
    /// (`Some(n)`, n numbering the other organizations).
    Outside(Option<u32>),
}

/// Organizations account state (ORG-5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountState {
    /// `CreateAccount` has not finished yet.
    PendingActivation,
    /// Active.
    Active,
    /// Suspended by AWS (billing, policy); can be reactivated.
    Suspended,
    /// `CloseAccount` was called; closure is in progress.
    PendingClosure,
    /// Closed and within the 90-day reinstatement window; reported as SUSPENDED by the API.
    ClosedSuspended,
    /// Permanently closed (after 90 days).
    Closed,
}

impl AccountState {
    /// The `State` value Organizations reports.
    pub fn api_name(self) -> &'static str {
        match self {
            AccountState::PendingActivation => "PENDING_ACTIVATION",
            AccountState::Active => "ACTIVE",
            AccountState::Suspended | AccountState::ClosedSuspended => "SUSPENDED",
            AccountState::PendingClosure => "PENDING_CLOSURE",
            AccountState::Closed => "CLOSED",
        }
    }

    /// Whether the account is suspended in the sense of MEMBER-7 / LIFE-3 (no new enablement).
    pub fn is_suspended(self) -> bool {
        matches!(self, AccountState::Suspended | AccountState::ClosedSuspended | AccountState::Closed)
    }
}

/// How an account joined the organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JoinMethod {
    /// Created with `CreateAccount`.
    Created,
    /// Invited and accepted a handshake.
    Invited,
    /// Present when the world was built.
    Initial,
}

/// One AWS account.
///
/// The fields a policy application reads (placement, parent, state, opted-in Regions) come first
/// and the record is aligned to 32 bytes, so they share one cache line, the one the simulator
/// prefetches (`World::prefetch`); a test pins the layout.
#[derive(Clone, Debug)]
#[repr(C, align(32))]
pub struct Account {
    /// Where the account stands relative to the organization.
    pub placement: Placement,
    /// Parent node in the organization tree (management and member accounts only).
    pub parent: Option<NodeIdx>,
    /// Lifecycle state.
    pub state: AccountState,
    /// How it joined.
    pub join_method: Option<JoinMethod>,
    /// Opt-in Regions the account has enabled (REG-1).
    pub opted_in: RegionSet,
    /// Opt-in Regions being enabled (`ENABLING`).
    pub enabling: RegionSet,
    /// Opt-in Regions being disabled (`DISABLING`).
    pub disabling: RegionSet,
    /// The 12-digit id.
    pub id: AccountId,
    /// Email address (optional; scenarios rarely care).
    pub email: Option<Arc<str>>,
    /// When it joined the organization.
    pub joined_at: Option<SimTime>,
}

impl Account {
    /// Whether the account is in the organization (management or member).
    pub fn in_org(&self) -> bool {
        matches!(self.placement, Placement::Management | Placement::Member)
    }
}

/// A node of the organization tree: the root (`NodeIdx::ROOT`) or an OU.
#[derive(Clone, Debug)]
pub struct OrgNode {
    /// OU name (the root is called "Root").
    pub name: Arc<str>,
    /// Slash-separated path from the root, e.g. `Workloads/Prod` (empty for the root).
    pub path: Arc<str>,
    /// AWS id text (`r-…` or `ou-…-…`).
    pub aws_id: Arc<str>,
    /// Parent node (`None` for the root).
    pub parent: Option<NodeIdx>,
    /// Levels below the root (root 0, top-level OUs 1; ORG-2 allows 5).
    pub depth: u8,
    /// Child OUs.
    pub child_ous: BTreeSet<NodeIdx>,
    /// Accounts directly under this node.
    pub accounts: BTreeSet<AccountIdx>,
    /// Deleted OUs keep their slot so indices stay stable.
    pub deleted: bool,
}

/// The organization's feature set (ORG-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FeatureSet {
    /// All features (required for trusted access and delegated administrators).
    All,
    /// Consolidated billing only.
    ConsolidatedBilling,
}

/// State of an Organizations handshake (an invitation to join).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HandshakeState {
    /// Waiting for the invitee.
    Open,
    /// Accepted: the account joined.
    Accepted,
    /// Declined by the invitee.
    Declined,
    /// Canceled by the management account.
    Canceled,
}

/// An invitation to join the organization.
#[derive(Clone, Debug)]
pub struct Handshake {
    /// AWS id text (`h-…`).
    pub aws_id: Arc<str>,
    /// The invited account.
    pub account: AccountIdx,
    /// Its state.
    pub state: HandshakeState,
}

/// The organization.
#[derive(Clone, Debug)]
pub struct Organization {
    /// Seed number for generated ids (root and OU ids).
    pub number: u64,
    /// The management account.
    pub management: AccountIdx,
    /// Feature set (ORG-4).
    pub feature_set: FeatureSet,
    /// The tree; index 0 is the root.
    pub nodes: Vec<OrgNode>,
    /// Trusted access for `securityhub.amazonaws.com` (TRUST-1).
    pub trusted_access: bool,
    /// Trusted access for AWS Account Management (REG-3).
    pub account_management_trusted: bool,
    /// Whether the Organizations policy type `SECURITYHUB_POLICY` is enabled (TRUST-5).
    pub securityhub_policy_type_enabled: bool,
    /// The Organizations-registered delegated administrator for Security Hub (ADMIN-4, ADMIN-5).
    pub delegated_admin: Option<AccountIdx>,
    /// Handshakes, never removed.
    pub handshakes: Vec<Handshake>,
    /// Times of recent `CloseAccount` calls (QUOTA-12 rolling window).
    pub closures: Vec<SimTime>,
    /// Maximum number of accounts (QUOTA-11 `ACCOUNT_NUMBER_LIMIT_EXCEEDED`).
    pub max_accounts: u32,
    /// Number of accounts in the organization, management included.
    pub n_accounts: u32,
}

impl Organization {
    /// The node at `idx`.
    pub fn node(&self, idx: NodeIdx) -> &OrgNode {
        &self.nodes[idx.index()]
    }

    /// The live (not deleted) node with this AWS id text.
    pub fn node_by_aws_id(&self, text: &str) -> Option<NodeIdx> {
        self.nodes.iter().position(|n| !n.deleted && &*n.aws_id == text).map(|i| NodeIdx(i as u32))
    }

    /// The live OU with this path (`Workloads/Prod`); the empty path is the root.
    pub fn node_by_path(&self, path: &str) -> Option<NodeIdx> {
        self.nodes.iter().position(|n| !n.deleted && &*n.path == path).map(|i| NodeIdx(i as u32))
    }

    /// The chain from `node` up to and including the root.
    pub fn ancestors_inclusive(&self, node: NodeIdx) -> impl Iterator<Item = NodeIdx> + '_ {
        std::iter::successors(Some(node), move |n| self.node(*n).parent)
    }

    /// Whether `node` is `ancestor` or lies below it.
    pub fn is_within(&self, node: NodeIdx, ancestor: NodeIdx) -> bool {
        self.ancestors_inclusive(node).any(|n| n == ancestor)
    }

    /// The handshake with this id text.
    pub fn handshake_by_aws_id(&self, text: &str) -> Option<HandshakeIdx> {
        self.handshakes.iter().position(|h| &*h.aws_id == text).map(|i| HandshakeIdx(i as u32))
    }
}
#[cfg(test)]
mod tests {
    use std::mem::{align_of, offset_of, size_of};

    use super::Account;

    /// A policy application reads an account's placement, parent, state and opted-in Regions: they
    /// lie in the record's first 32 bytes, which its alignment keeps inside the one cache line
    /// `World::prefetch` asks for.
    #[test]
    fn the_fields_a_policy_application_reads_share_one_cache_line() {
        assert_eq!(align_of::<Account>(), 32);
        assert_eq!(size_of::<Account>(), 96);
        for end in [
            offset_of!(Account, placement) + size_of::<super::Placement>(),
            offset_of!(Account, parent) + size_of::<Option<super::NodeIdx>>(),
            offset_of!(Account, state) + size_of::<super::AccountState>(),
            offset_of!(Account, opted_in) + size_of::<super::RegionSet>(),
        ] {
            assert!(end <= 32, "a hot field ends at byte {end}");
        }
    }
}
