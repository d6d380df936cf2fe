//! `WorldBuilder`: assembles the initial world of a scenario, a test or a fuzz run — the
//! organization tree, accounts in and outside it, opt-in Regions, and any Security Hub state the
//! accounts already have before the story starts.
//!
//! Building is the one place that creates state without a rule: it describes the world as it was
//! before time zero. Generated account ids are deterministic (a counter, skipping ids already
//! taken), so the same description always gives the same world.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::hub::{ArState, ControlFindingGenerator, Hub};
use super::ids::{self, AccountId, AccountIdx, NodeIdx};
use super::org::{Account, AccountState, FeatureSet, JoinMethod, OrgNode, Organization, Placement};
use super::orgcfg::RegionOrg;
use super::region::{Region, RegionSet, RegionTable};
use super::standards::{ControlSet, StandardSet};
use super::time::SimTime;
use super::{Central, Counters, Limits, World};

/// OUs may be nested at most this many levels below the root (ORG-2).
pub const MAX_OU_DEPTH: usize = 5;

/// Why a world description cannot be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// The Region list is empty, repeats a Region, or is too long.
    Regions(String),
    /// The same account id is placed twice.
    DuplicateAccount(AccountId),
    /// An OU path is empty or has an empty segment.
    BadPath(String),
    /// An OU path nests deeper than five levels (ORG-2).
    OuTooDeep(String),
    /// A Region named for an account is not in play.
    RegionNotInPlay(String),
    /// A Region named for an opt-in is not an opt-in Region.
    NotOptIn(String),
    /// An account named for hub state is not declared.
    UnknownAccount(AccountId),
    /// Generated ids ran out.
    TooManyAccounts,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Regions(why) => write!(f, "bad Region list: {why}"),
            BuildError::DuplicateAccount(id) => write!(f, "account {id} is declared more than once"),
            BuildError::BadPath(path) => {
                write!(f, "OU path `{path}` is not of the form `Name/Child/...` with non-empty names")
            }
            BuildError::OuTooDeep(path) => {
                write!(f, "OU path `{path}` nests more than {MAX_OU_DEPTH} levels below the root (ORG-2)")
            }
            BuildError::RegionNotInPlay(region) => write!(f, "Region `{region}` is not in the scenario's `regions`"),
            BuildError::NotOptIn(region) => {
                write!(f, "Region `{region}` is enabled by default; only opt-in Regions are activated")
            }
            BuildError::UnknownAccount(id) => {
                write!(f, "account {id} is not declared in the organization or as standalone")
            }
            BuildError::TooManyAccounts => write!(f, "no more generated account ids are available"),
        }
    }
}

impl std::error::Error for BuildError {}

#[derive(Clone, Debug)]
enum Where {
    Path(String),
    Standalone,
    OtherOrg(u32),
}

#[derive(Clone, Debug)]
struct PresetHub {
    account: AccountId,
    region: Region,
    standards: StandardSet,
}

/// Describes an initial world; `build` checks it and produces the `World`.
#[derive(Clone, Debug)]
pub struct WorldBuilder {
    regions: Vec<Region>,
    management: AccountId,
    org_number: u64,
    feature_set: FeatureSet,
    ous: Vec<String>,
    accounts: Vec<(AccountId, Where)>,
    generated: Vec<(String, usize)>,
    opt_ins: Vec<(AccountId, Region)>,
    hubs: Vec<PresetHub>,
    config_off: Vec<(AccountId, Region)>,
    limits: Limits,
    max_accounts: u32,
    account_management_trusted: bool,
    securityhub_policy_type_enabled: bool,
}

impl WorldBuilder {
    /// A world with these Regions in play and this management account.
    pub fn new(regions: Vec<Region>, management: AccountId) -> Self {
        WorldBuilder {
            regions,
            management,
            org_number: 1,
            feature_set: FeatureSet::All,
            ous: Vec::new(),
            accounts: Vec::new(),
            generated: Vec::new(),
            opt_ins: Vec::new(),
            hubs: Vec::new(),
            config_off: Vec::new(),
            limits: Limits::default(),
            max_accounts: 20_000,
            account_management_trusted: true,
            securityhub_policy_type_enabled: false,
        }
    }

    /// Declares an OU path (parents are created as needed).
    pub fn ou(mut self, path: &str) -> Self {
        self.ous.push(path.to_string());
        self
    }
    /// Places an account directly under the root.
    pub fn account_under_root(self, id: AccountId) -> Self {
        self.account_in(id, "")
    }
    /// Places an account in the OU at `path` (`""` is the root).
    pub fn account_in(mut self, id: AccountId, path: &str) -> Self {
        if !path.is_empty() {
            self.ous.push(path.to_string());
        }
        self.accounts.push((id, Where::Path(path.to_string())));
        self
    }
    /// Places `n` accounts with generated ids in the OU at `path`.
    pub fn generate_in(mut self, path: &str, n: usize) -> Self {
        if !path.is_empty() {
            self.ous.push(path.to_string());
        }
        self.generated.push((path.to_string(), n));
        self
    }
    /// Declares a standalone account (not in any organization).
    pub fn standalone(mut self, id: AccountId) -> Self {
        self.accounts.push((id, Where::Standalone));
        self
    }
    /// Declares an account that belongs to another organization (number `n`).
    pub fn in_other_org(mut self, id: AccountId, n: u32) -> Self {
        self.accounts.push((id, Where::OtherOrg(n)));
        self
    }
    /// The account has activated an opt-in Region.
    pub fn opt_in(mut self, id: AccountId, region: Region) -> Self {
        self.opt_ins.push((id, region));
        self
    }
    /// The account already has Security Hub on in `region`, with these standards (READY).
    pub fn hub_enabled(mut self, id: AccountId, region: Region, standards: StandardSet) -> Self {
        self.hubs.push(PresetHub { account: id, region, standards });
        self
    }
    /// The account has AWS Config recording off in `region` (it is on by default).
    pub fn config_recording_off(mut self, id: AccountId, region: Region) -> Self {
        self.config_off.push((id, region));
        self
    }
    /// The organization's feature set (ORG-4).
    pub fn feature_set(mut self, feature_set: FeatureSet) -> Self {
        self.feature_set = feature_set;
        self
    }
    /// Quotas.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
    /// Maximum number of accounts in the organization (QUOTA-11).
    pub fn max_accounts(mut self, n: u32) -> Self {
        self.max_accounts = n;
        self
    }
    /// Whether the `SECURITYHUB_POLICY` policy type is enabled (TRUST-5).
    pub fn securityhub_policy_type(mut self, enabled: bool) -> Self {
        self.securityhub_policy_type_enabled = enabled;
        self
    }
    /// Whether trusted access for AWS Account Management is on (REG-3).
    pub fn account_management_trusted(mut self, on: bool) -> Self {
        self.account_management_trusted = on;
        self
    }
    /// Seed number for generated root and OU ids.
    pub fn org_number(mut self, n: u64) -> Self {
        self.org_number = n;
        self
    }

    /// Checks the description and builds the world.
    pub fn build(self) -> Result<World, BuildError> {
        let table = RegionTable::new(self.regions.clone()).map_err(|e| BuildError::Regions(format!("{e:?}")))?;
        let n_regions = table.len();
        let root_id = ids::root_id_text(self.org_number);
        let mut nodes = vec![OrgNode {
            name: "Root".into(),
            path: "".into(),
            aws_id: root_id.into(),
            parent: None,
            depth: 0,
            child_ous: Default::default(),
            accounts: Default::default(),
            deleted: false,
        }];
        let mut by_path: BTreeMap<String, NodeIdx> = BTreeMap::new();
        by_path.insert(String::new(), NodeIdx::ROOT);
        for path in &self.ous {
            ensure_path(&mut nodes, &mut by_path, path, self.org_number)?;
        }

        // Sized once: `Account` is 32-byte aligned, and growing a vector of such copies it each time.
        let n_generated: usize = self.generated.iter().map(|(_, n)| *n).sum();
        let mut accounts: Vec<Account> = Vec::with_capacity(1 + self.accounts.len() + n_generated);
        let mut index: BTreeMap<AccountId, AccountIdx> = BTreeMap::new();
        let management =
            add_account(&mut accounts, &mut index, self.management, Placement::Management, Some(NodeIdx::ROOT))?;
        nodes[0].accounts.insert(management);
        for (id, place) in &self.accounts {
            match place {
                Where::Path(path) => {
                    let node = by_path[path.as_str()];
                    let idx = add_account(&mut accounts, &mut index, *id, Placement::Member, Some(node))?;
                    nodes[node.index()].accounts.insert(idx);
                }
                Where::Standalone => {
                    add_account(&mut accounts, &mut index, *id, Placement::Outside(None), None)?;
                }
                Where::OtherOrg(n) => {
                    add_account(&mut accounts, &mut index, *id, Placement::Outside(Some(*n)), None)?;
                }
            }
        }
        // Generated ids count up, so they can only collide with declared ones; the index and each
        // OU's set are rebuilt from sorted lists at the end, which is linear, where inserting
        // 10,000 accounts one by one searches the trees each time.
        let mut next_generated = 100_000_000_000u64;
        let mut generated: Vec<(AccountId, AccountIdx)> = Vec::with_capacity(n_generated);
        for (path, n) in &self.generated {
            let node = by_path[path.as_str()];
            let mut placed = Vec::with_capacity(*n);
            for _ in 0..*n {
                let id = loop {
                    let id = AccountId::from_number(next_generated).ok_or(BuildError::TooManyAccounts)?;
                    next_generated += 1;
                    if !index.contains_key(&id) {
                        break id;
                    }
                };
                let idx = AccountIdx(accounts.len() as u32);
                accounts.push(Account::initial(id, Placement::Member, Some(node)));
                generated.push((id, idx));
                placed.push(idx);
            }
            let set = &mut nodes[node.index()].accounts;
            *set = std::mem::take(set).into_iter().chain(placed).collect();
        }
        if !generated.is_empty() {
            index = std::mem::take(&mut index).into_iter().chain(generated).collect();
        }

        let region_idx =
            |region: Region| table.idx_of(region).ok_or_else(|| BuildError::RegionNotInPlay(region.to_string()));
        for (id, region) in &self.opt_ins {
            if !region.is_opt_in() {
                return Err(BuildError::NotOptIn(region.to_string()));
            }
            let r = region_idx(*region)?;
            let idx = *index.get(id).ok_or(BuildError::UnknownAccount(*id))?;
            accounts[idx.index()].opted_in.insert(r);
        }

        let blank = ArState::blank;
        let mut ars = super::store::ArStore::filled(n_regions, accounts.len(), blank);
        for preset in &self.hubs {
            let r = region_idx(preset.region)?;
            let idx = *index.get(&preset.account).ok_or(BuildError::UnknownAccount(preset.account))?;
            ars.get_mut(idx, r).hub = Some(Hub {
                subscribed_at: SimTime::ZERO,
                auto_enable_controls: true,
                control_finding_generator: ControlFindingGenerator::SecurityControl,
                standards_ready: preset.standards,
                standards_pending: StandardSet::EMPTY,
                standards_incomplete: StandardSet::EMPTY,
                disabled_controls: ControlSet::EMPTY,
            });
        }
        for (id, region) in &self.config_off {
            let r = region_idx(*region)?;
            let idx = *index.get(id).ok_or(BuildError::UnknownAccount(*id))?;
            ars.get_mut(idx, r).set_config_recording(false);
        }
        let n_in_org = accounts.iter().filter(|a| a.in_org()).count() as u32;
        // A built world is a template: its clones share its states until they write them.
        ars.share();

        Ok(World {
            regions: Arc::new(table),
            accounts,
            account_index: Arc::new(index),
            ars,
            org: Organization {
                number: self.org_number,
                management,
                feature_set: self.feature_set,
                nodes,
                trusted_access: false,
                account_management_trusted: self.account_management_trusted,
                securityhub_policy_type_enabled: self.securityhub_policy_type_enabled,
                delegated_admin: None,
                handshakes: Vec::new(),
                closures: Vec::new(),
                max_accounts: self.max_accounts,
                n_accounts: n_in_org,
            },
            region_org: vec![RegionOrg::default(); n_regions],
            rosters: super::Rosters::default(),
            aggregators: BTreeMap::new(),
            central: Central::default(),
            counters: Counters::default(),
            limits: self.limits,
        })
    }
}

fn add_account(
    accounts: &mut Vec<Account>,
    index: &mut BTreeMap<AccountId, AccountIdx>,
    id: AccountId,
    placement: Placement,
    parent: Option<NodeIdx>,
) -> Result<AccountIdx, BuildError> {
    if index.contains_key(&id) {
        return Err(BuildError::DuplicateAccount(id));
    }
    let idx = AccountIdx(accounts.len() as u32);
    index.insert(id, idx);
    accounts.push(Account::initial(id, placement, parent));
    Ok(idx)
}

impl Account {
    /// An active account as the world starts with it: a member under `parent` since time zero, or
    /// outside the organization (`parent` is `None`).
    fn initial(id: AccountId, placement: Placement, parent: Option<NodeIdx>) -> Account {
        Account {
            id,
            email: None,
            placement,
            parent,
            state: AccountState::Active,
            joined_at: parent.map(|_| SimTime::ZERO),
            join_method: parent.map(|_| JoinMethod::Initial),
            opted_in: RegionSet::EMPTY,
            enabling: RegionSet::EMPTY,
            disabling: RegionSet::EMPTY,
        }
    }
}

fn ensure_path(
    nodes: &mut Vec<OrgNode>,
    by_path: &mut BTreeMap<String, NodeIdx>,
    path: &str,
    org_number: u64,
) -> Result<NodeIdx, BuildError> {
    if let Some(idx) = by_path.get(path) {
        return Ok(*idx);
    }
    let segments: Vec<&str> = path.split('/').collect();
    if segments.iter().any(|s| s.trim().is_empty()) {
        return Err(BuildError::BadPath(path.to_string()));
    }
    if segments.len() > MAX_OU_DEPTH {
        return Err(BuildError::OuTooDeep(path.to_string()));
    }
    let (parent_path, name) = match path.rsplit_once('/') {
        Some((parent, name)) => (parent, name),
        None => ("", path),
    };
    let parent = ensure_path(nodes, by_path, parent_path, org_number)?;
    let idx = NodeIdx(nodes.len() as u32);
    nodes.push(OrgNode {
        name: name.into(),
        path: path.into(),
        aws_id: ids::ou_id_text(org_number, idx).into(),
        parent: Some(parent),
        depth: segments.len() as u8,
        child_ous: Default::default(),
        accounts: Default::default(),
        deleted: false,
    });
    nodes[parent.index()].child_ous.insert(idx);
    by_path.insert(path.to_string(), idx);
    Ok(idx)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generated ids count up from 100000000000 and skip declared ones, wherever those are
    /// declared; every account is found by id and sits in its OU's set.
    #[test]
    fn generated_accounts_skip_declared_ids_and_are_indexed() {
        let id = |n: u64| AccountId::from_number(n).unwrap();
        let us_east_1 = Region::parse("us-east-1").unwrap();
        let world = WorldBuilder::new(vec![us_east_1], id(111_111_111_111))
            .account_in(id(100_000_000_001), "Declared")
            .generate_in("Generated", 3)
            .generate_in("Declared", 1)
            .build()
            .unwrap();
        let generated = world.org.node(world.org.node_by_path("Generated").unwrap());
        let ids: Vec<AccountId> = generated.accounts.iter().map(|a| world.account_id(*a)).collect();
        assert_eq!(ids, vec![id(100_000_000_000), id(100_000_000_002), id(100_000_000_003)]);
        let declared = world.org.node(world.org.node_by_path("Declared").unwrap());
        let ids: Vec<AccountId> = declared.accounts.iter().map(|a| world.account_id(*a)).collect();
        assert_eq!(ids, vec![id(100_000_000_001), id(100_000_000_004)]);
        for account in world.account_indices() {
            assert_eq!(world.account_idx(world.account_id(account)), Some(account));
        }
        assert_eq!(world.accounts.len(), 6);
    }
}
