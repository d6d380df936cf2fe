//! The whole state of the simulated world as one `World` value: the organization, every account's
//! per-Region Security Hub state, administrators and members, organization configuration, finding
//! aggregators and central configuration.
//!
//! `model` holds data and the read-only queries everything else needs (who is the administrator
//! here, which policy does this account inherit); it decides nothing and changes nothing on its
//! own. The rules engine changes a `World` only through `rules::change::commit`, which calls the
//! few `pub(crate)` mutators at the bottom of this file.
//!
//! Cloning a built world is cheap: its account-Region states sit in chunks shared behind `Arc`s
//! (`store`), copied by the world that first writes them, so cloning a 10,000-account, 17-Region
//! world copies pointers, not 170,000 account-Region states. A world that has run owns its chunks
//! and writes them without any check; `World::share` makes it cheap to clone again.

mod build;
pub mod central;
mod dense;
pub mod hub;
pub mod ids;
pub mod members;
pub mod org;
pub mod orgcfg;
pub mod region;
pub mod standards;
mod store;
pub mod time;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use build::{BuildError, MAX_OU_DEPTH, WorldBuilder};
pub use central::{
    Aggregator, AssocValue, Central, CentralPhase, ControlSelection, NodeAssociationStatus, Policy, PolicyContent,
    RegionLinkingMode, Target,
};
pub use dense::{DenseKey, DenseMap, NodeMap};
pub use hub::{
    ArAssociation, ArState, AssocStatus, ControlFindingGenerator, Hub, ParamMap, ParamValue, Retained, no_params,
};
pub use ids::{AccountId, AccountIdx, HandshakeIdx, NodeIdx, PolicyIdx};
pub use members::{Contact, MemberRecord, MemberStatus, MemberType, Roster, Rosters};
pub use org::{
    Account, AccountState, FeatureSet, Handshake, HandshakeState, JoinMethod, OrgNode, Organization, Placement,
};
pub use orgcfg::{
    AdminStatus, AutoEnableStandards, ConfigurationType, Designation, OrgConfig, OrgConfigStatus, RegionOrg,
};
pub use region::{Region, RegionIdx, RegionSet, RegionTable};
pub use standards::{Control, ControlSet, Standard, StandardSet};
pub use time::{SimDuration, SimTime};

/// Limits that scenarios may change (QUOTA-*).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Members per administrator per Region (QUOTA-1).
    pub members_per_admin: u32,
    /// Invitation-type members per administrator per Region (QUOTA-2).
    pub invitation_members_per_admin: u32,
    /// Configuration policies per organization (QUOTA-5).
    pub policies: u32,
    /// Account ids per batch call (QUOTA-3).
    pub batch_accounts: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { members_per_admin: 10_000, invitation_members_per_admin: 1_000, policies: 20, batch_accounts: 50 }
    }
}

/// Counters from which generated ids are derived; they only grow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Invitations sent.
    pub invitations: u64,
    /// Policies created.
    pub policies: u64,
    /// Handshakes opened.
    pub handshakes: u64,
    /// Accounts created with `CreateAccount`.
    pub created_accounts: u64,
}

/// What a target's effective configuration is (ASSOC-2, ASSOC-4, ASSOC-5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effective {
    /// Nothing applied on the target or above it.
    Unassociated,
    /// `SELF_MANAGED_SECURITY_HUB`, applied at `from`.
    SelfManaged {
        /// Where it was applied.
        from: Target,
    },
    /// A policy, applied at `from`.
    Policy {
        /// The policy.
        policy: PolicyIdx,
        /// Where it was applied.
        from: Target,
    },
}

impl Effective {
    /// The associated value, if any.
    pub fn value(self) -> Option<AssocValue> {
        match self {
            Effective::Unassociated => None,
            Effective::SelfManaged { .. } => Some(AssocValue::SelfManaged),
            Effective::Policy { policy, .. } => Some(AssocValue::Policy(policy)),
        }
    }
    /// Where the value was applied.
    pub fn source(self) -> Option<Target> {
        match self {
            Effective::Unassociated => None,
            Effective::SelfManaged { from } | Effective::Policy { from, .. } => Some(from),
        }
    }
}

/// The simulated world.
#[derive(Clone, Debug)]
pub struct World {
    /// Regions in play.
    pub regions: Arc<RegionTable>,
    /// Every account the world knows, by `AccountIdx`.
    pub accounts: Vec<Account>,
    account_index: Arc<BTreeMap<AccountId, AccountIdx>>,
    /// Per account, per Region state.
    ars: store::ArStore,
    /// The organization.
    pub org: Organization,
    /// Security Hub organization state per Region.
    pub region_org: Vec<RegionOrg>,
    /// Administrator rosters per (administrator, Region).
    /// One row per administrator with records anywhere, one roster per Region in play (a lookup
    /// finds the administrator among the few there are, then indexes the Region); a roster with no
    /// records counts as absent.
    rosters: Rosters,
    /// Finding aggregators by owner.
    pub aggregators: BTreeMap<AccountIdx, Aggregator>,
    /// Central configuration.
    pub central: Central,
    /// Id counters.
    pub counters: Counters,
    /// Quotas.
    pub limits: Limits,
}

impl World {
    // ---- accounts -------------------------------------------------------------------------

    /// The index of an account id the world knows.
    pub fn account_idx(&self, id: AccountId) -> Option<AccountIdx> {
        self.account_index.get(&id).copied()
    }
    /// The account at `idx`.
    #[inline]
    pub fn account(&self, idx: AccountIdx) -> &Account {
        &self.accounts[idx.index()]
    }
    /// The id of the account at `idx`.
    pub fn account_id(&self, idx: AccountIdx) -> AccountId {
        self.accounts[idx.index()].id
    }
    /// Number of accounts the world knows.
    pub fn n_accounts(&self) -> usize {
        self.accounts.len()
    }
    /// All account indices.
    pub fn account_indices(&self) -> impl Iterator<Item = AccountIdx> {
        (0..self.accounts.len() as u32).map(AccountIdx)
    }
    /// Whether `idx` is in the organization (management or member).
    #[inline]
    pub fn in_org(&self, idx: AccountIdx) -> bool {
        self.account(idx).in_org()
    }
    /// Whether `idx` is the management account.
    pub fn is_management(&self, idx: AccountIdx) -> bool {
        self.org.management == idx
    }
    /// Whether the account can use `region` (REG-2): default-enabled, or opted in.
    pub fn region_usable(&self, account: AccountIdx, region: RegionIdx) -> bool {
        !self.regions.get(region).is_opt_in() || self.account(account).opted_in.contains(region)
    }

    // ---- account-Region state -----------------------------------------------------------------

    /// The state of one account-Region.
    #[inline]
    pub fn ar(&self, account: AccountIdx, region: RegionIdx) -> &ArState {
        self.ars.get(account, region)
    }
    /// Starts fetching what applying work to one account-Region reads first into the cache: the
    /// account's record and the account-Region's state (a hint; changes nothing).
    /// Out of range, it does nothing: a hint never panics.
    pub fn prefetch(&self, account: AccountIdx, region: RegionIdx) {
        if let Some(record) = self.accounts.get(account.index()) {
            crate::hint::prefetch(&record.placement);
            self.prefetch_state(account, region);
        }
    }
    /// Starts fetching one account-Region's state into the cache (a hint, like `prefetch`): for
    /// cascades that walk many accounts in an order the hardware cannot guess.
    pub fn prefetch_state(&self, account: AccountIdx, region: RegionIdx) {
        self.ars.prefetch(account, region);
    }
    /// Lets clones share the account-Region states as they stand: after this, a clone copies one
    /// pointer per eight accounts, and each world copies a shared group of states when it first
    /// writes one (a built world is already shared; a world that has run copies its states on
    /// every clone until it is shared again).
    pub fn share(&mut self) {
        self.ars.share();
    }
    /// Whether this world's account-Region states are all shared with `other`'s (a clone of a
    /// built world, before either writes).
    #[cfg(test)]
    pub(crate) fn shares_states_with(&self, other: &World) -> bool {
        self.ars.shares_every_chunk_with(&other.ars)
    }
    /// The hub of one account-Region, if enabled.
    #[inline]
    pub fn hub(&self, account: AccountIdx, region: RegionIdx) -> Option<&Hub> {
        self.ar(account, region).hub.as_ref()
    }
    /// Whether Security Hub is enabled for the account in the Region.
    #[inline]
    pub fn hub_enabled(&self, account: AccountIdx, region: RegionIdx) -> bool {
        self.ar(account, region).hub.is_some()
    }

    // ---- administrators and members ---------------------------------------------------------

    /// The Security Hub administrator designation of a Region.
    pub fn designation(&self, region: RegionIdx) -> Option<Designation> {
        self.region_org[region.index()].admin
    }
    /// The designated administrator of a Region, in either status.
    pub fn sh_admin(&self, region: RegionIdx) -> Option<AccountIdx> {
        self.designation(region).map(|d| d.account)
    }
    /// The organization configuration of a Region.
    pub fn org_config(&self, region: RegionIdx) -> Option<&OrgConfig> {
        self.region_org[region.index()].config.as_ref()
    }
    /// The record between `admin` and `member` in `region`.
    #[inline]
    pub fn record(&self, admin: AccountIdx, member: AccountIdx, region: RegionIdx) -> Option<MemberRecord> {
        self.ar(member, region).membership_with(admin)
    }
    /// The record in which `member` is `Enabled` in `region`, if any (MEMBER-3: at most one).
    #[inline]
    pub fn enabled_membership(&self, member: AccountIdx, region: RegionIdx) -> Option<MemberRecord> {
        self.ar(member, region).find_membership(|_, status| status == MemberStatus::Enabled)
    }
    /// The roster of `admin` in `region` (empty if it has none).
    #[inline]
    pub fn roster(&self, admin: AccountIdx, region: RegionIdx) -> Option<&Roster> {
        self.rosters.get(admin).map(|row| &row[region.index()]).filter(|r| r.total > 0)
    }
    /// Every (administrator, Region) that has a roster, in order.
    pub fn rosters(&self) -> impl Iterator<Item = ((AccountIdx, RegionIdx), &Roster)> {
        self.rosters.entries()
    }
    /// The accounts that have a record with `admin` in `region`, in index order. Scans the accounts
    /// (only when the administrator has records): rosters keep counts, not lists, so that enrolling
    /// a member costs the same in an organization of 10 or 10,000.
    pub fn members_of(&self, admin: AccountIdx, region: RegionIdx) -> Vec<AccountIdx> {
        if !self.has_members(admin, region) {
            return Vec::new();
        }
        self.account_indices().filter(|m| self.ar(*m, region).is_member_of(admin)).collect()
    }
    /// `members_of` for those of `regions` where `admin` has records, in Region order: one pass
    /// over the states in memory order, where a pass per Region would stride across all of them.
    pub fn members_in(&self, admin: AccountIdx, regions: RegionSet) -> Vec<(RegionIdx, Vec<AccountIdx>)> {
        let regions = regions.iter().filter(|r| self.has_members(admin, *r)).collect();
        self.accounts_per_region(regions, |_, state| state.is_member_of(admin))
    }
    /// The organization accounts other than `except` whose hub is on, for each of `regions` in
    /// Region order: one pass, like `members_in`.
    pub fn org_hubs_in(&self, regions: RegionSet, except: AccountIdx) -> Vec<(RegionIdx, Vec<AccountIdx>)> {
        self.accounts_per_region(regions, |account, state| {
            state.hub.is_some() && account != except && self.in_org(account)
        })
    }
    /// For each of `regions`, the accounts (in index order) whose state `keep` keeps there, in one
    /// pass over the states in the order they lie in memory.
    fn accounts_per_region(
        &self,
        regions: RegionSet,
        keep: impl Fn(AccountIdx, &ArState) -> bool,
    ) -> Vec<(RegionIdx, Vec<AccountIdx>)> {
        let order: Vec<RegionIdx> = regions.iter().collect();
        if order.is_empty() {
            return Vec::new();
        }
        let mut lists: Vec<(RegionIdx, Vec<AccountIdx>)> = order.iter().map(|r| (*r, Vec::new())).collect();
        self.ars.visit_in_memory_order(&order, |position, account, _, state| {
            if keep(account, state) {
                lists[position].1.push(account);
            }
        });
        lists
    }
    /// Whether `admin` has reached QUOTA-1 in `region`.
    #[inline]
    pub fn member_limit_reached(&self, admin: AccountIdx, region: RegionIdx) -> bool {
        self.roster(admin, region).is_some_and(|r| r.counted >= self.limits.members_per_admin)
    }
    /// Whether `account` is an administrator of anyone in `region` (has records as administrator).
    pub fn has_members(&self, account: AccountIdx, region: RegionIdx) -> bool {
        self.roster(account, region).is_some_and(|r| r.total > 0)
    }

    /// Whether `account` administers members in `region`: records that count (Created, Invited,
    /// Enabled), as ADMIN-13 means it.
    #[inline]
    pub fn administers(&self, account: AccountIdx, region: RegionIdx) -> bool {
        self.roster(account, region).is_some_and(|r| r.counted > 0)
    }

    // ---- central configuration --------------------------------------------------------------

    /// The home and linked Regions while central configuration is in effect (empty otherwise).
    #[inline]
    pub fn central_scope(&self) -> RegionSet {
        if self.central.phase != CentralPhase::Enabled {
            return RegionSet::EMPTY;
        }
        self.configuration_scope()
    }
    /// Home plus linked Regions of the central-configuration DA's aggregator, whatever the phase.
    #[inline]
    pub fn configuration_scope(&self) -> RegionSet {
        let Some(da) = self.central.da else { return RegionSet::EMPTY };
        let Some(aggregator) = self.aggregators.get(&da) else { return RegionSet::EMPTY };
        aggregator.linked(self.regions.all()).with(aggregator.home)
    }
    /// How many account-Regions have an association result still `PENDING` (ASSOC-13).
    pub fn pending_results(&self) -> u32 {
        self.central.pending_results
    }
    /// Whether `account` has an association result still `PENDING` in some Region.
    pub fn has_pending_result(&self, account: AccountIdx) -> bool {
        self.regions.indices().any(|region| self.ar(account, region).association().status == Some(AssocStatus::Pending))
    }
    /// Whether `region` is under central configuration ("central(R)" in RULES.md §4).
    pub fn is_central_region(&self, region: RegionIdx) -> bool {
        self.central_scope().contains(region)
    }
    /// The applied value on a target.
    pub fn applied(&self, target: Target) -> Option<AssocValue> {
        self.central.applied.get(&target).copied()
    }
    /// The effective configuration of an organization account (ASSOC-2). ASSOC-11: a policy that
    /// disables the service is skipped for the delegated administrator, and resolution continues
    /// upwards.
    pub fn effective(&self, account: AccountIdx) -> Effective {
        if !self.in_org(account) {
            return Effective::Unassociated;
        }
        let skip_disabling = self.central.da == Some(account);
        let candidate = |target: Target| -> Option<Effective> {
            match self.applied(target)? {
                AssocValue::SelfManaged => Some(Effective::SelfManaged { from: target }),
                AssocValue::Policy(policy) => {
                    let disables = self.central.policy(policy).is_some_and(|p| !p.content.service_enabled);
                    (!(skip_disabling && disables)).then_some(Effective::Policy { policy, from: target })
                }
            }
        };
        if let Some(found) = candidate(Target::Account(account)) {
            return found;
        }
        let Some(parent) = self.account(account).parent else { return Effective::Unassociated };
        self.org
            .ancestors_inclusive(parent)
            .find_map(|node| candidate(Target::Node(node)))
            .unwrap_or(Effective::Unassociated)
    }
    /// The effective configuration of a root or OU target.
    pub fn effective_of_node(&self, node: NodeIdx) -> Effective {
        self.org
            .ancestors_inclusive(node)
            .find_map(|n| {
                let target = Target::Node(n);
                self.applied(target).map(|value| match value {
                    AssocValue::SelfManaged => Effective::SelfManaged { from: target },
                    AssocValue::Policy(policy) => Effective::Policy { policy, from: target },
                })
            })
            .unwrap_or(Effective::Unassociated)
    }
    /// Whether the account is centrally managed in `region` (ASSOC-9, HUB-5).
    pub fn is_centrally_managed(&self, account: AccountIdx, region: RegionIdx) -> bool {
        self.is_central_region(region) && matches!(self.effective(account), Effective::Policy { .. })
    }
    /// The accounts a target covers: the account itself, or every account below a node, in
    /// index order of a depth-first walk.
    pub fn accounts_under(&self, target: Target) -> Vec<AccountIdx> {
        match target {
            Target::Account(account) => vec![account],
            Target::Node(node) => {
                let mut out = Vec::new();
                let mut stack = vec![node];
                while let Some(n) = stack.pop() {
                    let node = self.org.node(n);
                    out.extend(node.accounts.iter().copied());
                    stack.extend(node.child_ous.iter().rev().copied());
                }
                out
            }
        }
    }

    // ---- mutators: called only by rules::change::commit ----------------------------------------

    #[inline]
    pub(crate) fn ar_mut(&mut self, account: AccountIdx, region: RegionIdx) -> &mut ArState {
        self.ars.get_mut(account, region)
    }

    pub(crate) fn account_mut(&mut self, account: AccountIdx) -> &mut Account {
        &mut self.accounts[account.index()]
    }

    /// Adds an account the world did not know; it starts outside the organization.
    pub(crate) fn push_account(&mut self, id: AccountId, email: Option<Arc<str>>) -> AccountIdx {
        assert!(self.account_idx(id).is_none(), "account {id} already exists");
        let idx = AccountIdx(self.accounts.len() as u32);
        self.accounts.push(Account {
            id,
            email,
            placement: Placement::Outside(None),
            parent: None,
            state: AccountState::Active,
            joined_at: None,
            join_method: None,
            opted_in: RegionSet::EMPTY,
            enabling: RegionSet::EMPTY,
            disabling: RegionSet::EMPTY,
        });
        self.ars.push(ArState::blank());
        Arc::make_mut(&mut self.account_index).insert(id, idx);
        idx
    }

    /// Inserts or replaces the record between `record.administrator` and `member` in `region`
    /// (a replaced record moves to the end of the member's list, as a new one would), keeping the
    /// administrator's roster and counts in step. A new record ends MEMBER-9's `Deleted` marker.
    pub(crate) fn put_record(&mut self, region: RegionIdx, member: AccountIdx, record: MemberRecord) {
        let n_regions = self.regions.len();
        self.rosters.count(n_regions, region, &record, 1);
        let ar = self.ars.get_mut(member, region);
        ar.set_deleted_by(None);
        let previous = ar.put_membership(record);
        if let Some(previous) = previous {
            self.rosters.count(n_regions, region, &previous, -1);
        }
    }

    /// Removes the record between `admin` and `member` in `region` and returns it; `deleted` leaves
    /// MEMBER-9's `Deleted` marker on the member (otherwise the marker is cleared).
    pub(crate) fn take_record(
        &mut self,
        region: RegionIdx,
        admin: AccountIdx,
        member: AccountIdx,
        deleted: bool,
    ) -> Option<MemberRecord> {
        let ar = self.ars.get_mut(member, region);
        let record = ar.take_membership(admin)?;
        ar.set_deleted_by(deleted.then_some(admin));
        let row = self.rosters.get_mut(admin).expect("a record always has a roster entry");
        row[region.index()].count(&record, -1);
        if row[region.index()].total == 0 && row.iter().all(|r| r.total == 0) {
            self.rosters.remove(admin);
        }
        Some(record)
    }
}
