//! `Change`: every kind of state change the engine can make, and `commit`, the one function that
//! applies a change to a `World`.
//!
//! Deciding and doing are kept apart: operation handlers read the world and decide which changes
//! to make; `commit` makes them, asserting what each change expects to find (a hub being enabled
//! was off; a record being purged exists). Those assertions pair with the invariants checked from
//! the other side, so a wrong decision fails loudly where it happens.

use std::sync::Arc;

use crate::model::{
    AccountId, AccountIdx, AccountState, AdminStatus, Aggregator, AssocStatus, AssocValue, CentralPhase,
    ControlFindingGenerator, ControlSet, Designation, Handshake, HandshakeIdx, HandshakeState, Hub, JoinMethod,
    MemberRecord, MemberStatus, NodeAssociationStatus, NodeIdx, OrgConfig, OrgNode, ParamMap, Placement, Policy,
    PolicyIdx, RegionIdx, SimTime, StandardSet, Target, World,
};

/// Status of a standards subscription (STD-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StandardStatus {
    /// Being set up.
    Pending,
    /// Ready.
    Ready,
    /// Enabled but incomplete (no configuration recorder).
    Incomplete,
}

/// Opt-in status of a Region for an account (REG-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RegionOptStatus {
    /// Being enabled.
    Enabling,
    /// Enabled.
    Enabled,
    /// Being disabled.
    Disabling,
    /// Disabled.
    Disabled,
}

/// One state change. `ChangeKind` names its variants without their data (what an observer asks
/// for, `EffectInterest`).
#[derive(Clone, Debug, PartialEq, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(ChangeKind),
    vis(pub),
    derive(strum::IntoStaticStr, strum::VariantArray),
    allow(missing_docs)
)]
#[allow(missing_docs)]
pub enum Change {
    // ---- Organizations ----
    TrustedAccess {
        enabled: bool,
    },
    /// Trusted access for AWS Account Management (REG-3).
    AccountManagementTrustedAccess {
        enabled: bool,
    },
    DelegatedAdministratorRegistered {
        account: AccountIdx,
    },
    DelegatedAdministratorDeregistered {
        account: AccountIdx,
    },
    /// A new account comes into existence (it starts outside the organization).
    AccountCreated {
        account_id: AccountId,
        email: Option<Arc<str>>,
    },
    AccountJoined {
        account: AccountIdx,
        method: JoinMethod,
    },
    AccountLeft {
        account: AccountIdx,
    },
    AccountMoved {
        account: AccountIdx,
        from: NodeIdx,
        to: NodeIdx,
    },
    AccountStateChanged {
        account: AccountIdx,
        state: AccountState,
    },
    OrganizationalUnitCreated {
        parent: NodeIdx,
        name: Arc<str>,
    },
    OrganizationalUnitDeleted {
        node: NodeIdx,
    },
    HandshakeOpened {
        account: AccountIdx,
    },
    HandshakeStateChanged {
        handshake: HandshakeIdx,
        state: HandshakeState,
    },
    RegionOptStatusChanged {
        account: AccountIdx,
        region: RegionIdx,
        status: RegionOptStatus,
    },
    ConfigRecording {
        account: AccountIdx,
        region: RegionIdx,
        on: bool,
    },

    // ---- hub, standards, controls ----
    HubEnabled {
        account: AccountIdx,
        region: RegionIdx,
        generator: ControlFindingGenerator,
    },
    HubDisabled {
        account: AccountIdx,
        region: RegionIdx,
    },
    StandardsStatus {
        account: AccountIdx,
        region: RegionIdx,
        standards: StandardSet,
        status: Option<StandardStatus>,
    },
    ControlsDisabled {
        account: AccountIdx,
        region: RegionIdx,
        disabled: ControlSet,
    },
    ControlParameters {
        account: AccountIdx,
        region: RegionIdx,
        params: Arc<ParamMap>,
    },
    HubSettings {
        account: AccountIdx,
        region: RegionIdx,
        auto_enable_controls: bool,
        generator: ControlFindingGenerator,
    },

    // ---- administrators and organization configuration ----
    AdministratorDesignated {
        region: RegionIdx,
        account: AccountIdx,
    },
    AdministratorRemovalStarted {
        region: RegionIdx,
        account: AccountIdx,
    },
    AdministratorRemoved {
        region: RegionIdx,
        account: AccountIdx,
    },
    OrganizationConfiguration {
        region: RegionIdx,
        config: Option<OrgConfig>,
    },

    // ---- members ----
    MemberRecord {
        region: RegionIdx,
        member: AccountIdx,
        record: MemberRecord,
    },
    MemberRecordPurged {
        /// MEMBER-9: purged by `DeleteMembers` (the former member then sees `Deleted`).
        deleted: bool,
        region: RegionIdx,
        administrator: AccountIdx,
        member: AccountIdx,
        last_status: MemberStatus,
    },

    // ---- aggregator and central configuration ----
    AggregatorSet {
        owner: AccountIdx,
        /// Boxed: a rare change, and the largest; inline it would make every effect 8 bytes larger.
        aggregator: Box<Aggregator>,
    },
    AggregatorDeleted {
        owner: AccountIdx,
    },
    CentralConfigurationRequested {
        da: AccountIdx,
        home: RegionIdx,
        generation: u32,
    },
    CentralConfigurationEnabled,
    CentralConfigurationEnded,
    PolicyStored {
        policy: PolicyIdx,
        value: Box<Policy>,
    },
    PolicyDeleted {
        policy: PolicyIdx,
    },
    AssociationApplied {
        target: Target,
        value: AssocValue,
    },
    AssociationRemoved {
        target: Target,
    },
    /// The association result of one account-Region; `bump` starts new work (TIME-11).
    AccountRegionAssociation {
        account: AccountIdx,
        region: RegionIdx,
        value: Option<AssocValue>,
        status: Option<AssocStatus>,
        message: Option<Arc<str>>,
        bump: bool,
    },
    NodeAssociationStatus {
        node: NodeIdx,
        status: Option<NodeAssociationStatus>,
    },
}

impl Change {
    /// The variant name, e.g. `MemberRecord` (for JSON output and counters).
    pub fn kind(&self) -> &'static str {
        ChangeKind::from(self).into()
    }

    /// Whether dropping this change frees anything (a shared string, record contact, parameters
    /// or boxed value). Every variant is named, so that a new one must say.
    #[inline(always)]
    pub(crate) fn owns_heap_data(&self) -> bool {
        match self {
            Change::AccountCreated { email, .. } => email.is_some(),
            Change::OrganizationConfiguration { config, .. } => {
                config.as_ref().is_some_and(|c| c.status_message.is_some())
            }
            Change::MemberRecord { record, .. } => record.contact.is_some(),
            Change::AccountRegionAssociation { message, .. } => message.is_some(),
            Change::OrganizationalUnitCreated { .. }
            | Change::ControlParameters { .. }
            | Change::AggregatorSet { .. }
            | Change::PolicyStored { .. } => true,
            Change::TrustedAccess { .. }
            | Change::AccountManagementTrustedAccess { .. }
            | Change::DelegatedAdministratorRegistered { .. }
            | Change::DelegatedAdministratorDeregistered { .. }
            | Change::AccountJoined { .. }
            | Change::AccountLeft { .. }
            | Change::AccountMoved { .. }
            | Change::AccountStateChanged { .. }
            | Change::OrganizationalUnitDeleted { .. }
            | Change::HandshakeOpened { .. }
            | Change::HandshakeStateChanged { .. }
            | Change::RegionOptStatusChanged { .. }
            | Change::ConfigRecording { .. }
            | Change::HubEnabled { .. }
            | Change::HubDisabled { .. }
            | Change::StandardsStatus { .. }
            | Change::ControlsDisabled { .. }
            | Change::HubSettings { .. }
            | Change::AdministratorDesignated { .. }
            | Change::AdministratorRemovalStarted { .. }
            | Change::AdministratorRemoved { .. }
            | Change::MemberRecordPurged { .. }
            | Change::AggregatorDeleted { .. }
            | Change::CentralConfigurationRequested { .. }
            | Change::CentralConfigurationEnabled
            | Change::CentralConfigurationEnded
            | Change::PolicyDeleted { .. }
            | Change::AssociationApplied { .. }
            | Change::AssociationRemoved { .. }
            | Change::NodeAssociationStatus { .. } => false,
        }
    }
}

/// Applies one change. The only place that mutates a `World`.
#[inline(always)]
pub fn commit(world: &mut World, now: SimTime, change: &Change) {
    match change {
        Change::TrustedAccess { enabled } => world.org.trusted_access = *enabled,
        Change::AccountManagementTrustedAccess { enabled } => world.org.account_management_trusted = *enabled,
        Change::DelegatedAdministratorRegistered { account } => {
            assert!(world.org.delegated_admin.is_none(), "ADMIN-6: one registered delegated administrator");
            world.org.delegated_admin = Some(*account);
        }
        Change::DelegatedAdministratorDeregistered { account } => {
            assert_eq!(world.org.delegated_admin, Some(*account), "deregistering the registered account");
            world.org.delegated_admin = None;
        }
        Change::AccountCreated { account_id, email } => {
            world.counters.created_accounts += 1;
            world.push_account(*account_id, email.clone());
        }
        Change::AccountJoined { account, method } => {
            let acct = world.account_mut(*account);
            assert!(!acct.in_org(), "ORG-10: account {} joins while already in the organization", acct.id);
            acct.placement = Placement::Member;
            acct.parent = Some(NodeIdx::ROOT);
            acct.state = AccountState::Active;
            acct.joined_at = Some(now);
            acct.join_method = Some(*method);
            world.org.nodes[0].accounts.insert(*account);
            world.org.n_accounts += 1;
        }
        Change::AccountLeft { account } => {
            let acct = world.account_mut(*account);
            assert_eq!(acct.placement, Placement::Member, "only member accounts leave");
            let parent = acct.parent.take().expect("a member account has a parent");
            acct.placement = Placement::Outside(None);
            acct.joined_at = None;
            world.org.nodes[parent.index()].accounts.remove(account);
            world.org.n_accounts -= 1;
        }
        Change::AccountMoved { account, from, to } => {
            assert_eq!(world.account(*account).parent, Some(*from), "account moves from its parent");
            world.org.nodes[from.index()].accounts.remove(account);
            world.org.nodes[to.index()].accounts.insert(*account);
            world.account_mut(*account).parent = Some(*to);
        }
        Change::AccountStateChanged { account, state } => {
            if *state == AccountState::PendingClosure {
                world.org.closures.push(now);
            }
            world.account_mut(*account).state = *state;
        }
        Change::OrganizationalUnitCreated { parent, name } => {
            let idx = NodeIdx(world.org.nodes.len() as u32);
            let parent_node = world.org.node(*parent);
            let path: Arc<str> =
                if parent.is_root() { name.clone() } else { format!("{}/{}", parent_node.path, name).into() };
            let depth = parent_node.depth + 1;
            world.org.nodes.push(OrgNode {
                name: name.clone(),
                path,
                aws_id: crate::model::ids::ou_id_text(world.org.number, idx).into(),
                parent: Some(*parent),
                depth,
                child_ous: Default::default(),
                accounts: Default::default(),
                deleted: false,
            });
            world.org.nodes[parent.index()].child_ous.insert(idx);
        }
        Change::OrganizationalUnitDeleted { node } => {
            let n = &world.org.nodes[node.index()];
            assert!(n.accounts.is_empty() && n.child_ous.is_empty(), "ORG-3: only empty OUs are deleted");
            let parent = n.parent.expect("an OU has a parent");
            world.org.nodes[node.index()].deleted = true;
            world.org.nodes[parent.index()].child_ous.remove(node);
        }
        Change::HandshakeOpened { account } => {
            world.counters.handshakes += 1;
            let aws_id = crate::model::ids::handshake_id_text(world.counters.handshakes).into();
            world.org.handshakes.push(Handshake { aws_id, account: *account, state: HandshakeState::Open });
        }
        Change::HandshakeStateChanged { handshake, state } => {
            world.org.handshakes[handshake.0 as usize].state = *state;
        }
        Change::RegionOptStatusChanged { account, region, status } => {
            let acct = world.account_mut(*account);
            acct.enabling.remove(*region);
            acct.disabling.remove(*region);
            match status {
                RegionOptStatus::Enabling => acct.enabling.insert(*region),
                RegionOptStatus::Enabled => acct.opted_in.insert(*region),
                RegionOptStatus::Disabling => {
                    acct.opted_in.remove(*region);
                    acct.disabling.insert(*region)
                }
                RegionOptStatus::Disabled => acct.opted_in.remove(*region),
            }
        }
        Change::ConfigRecording { account, region, on } => world.ar_mut(*account, *region).set_config_recording(*on),
        Change::HubEnabled { account, region, generator } => {
            let ar = world.ar_mut(*account, *region);
            assert!(ar.hub.is_none(), "HUB-1: enabling a hub that is already on");
            assert!(ar.params().is_empty(), "HUB-4: a disabled hub's parameters are retained, not left in place");
            ar.hub = Some(Hub {
                subscribed_at: now,
                auto_enable_controls: true,
                control_finding_generator: *generator,
                standards_ready: StandardSet::EMPTY,
                standards_pending: StandardSet::EMPTY,
                standards_incomplete: StandardSet::EMPTY,
                disabled_controls: ControlSet::EMPTY,
            });
        }
        Change::HubDisabled { account, region } => {
            world.ar_mut(*account, *region).disable_hub(now).expect("HUB-4: disabling a hub that is off");
        }
        Change::StandardsStatus { account, region, standards, status } => {
            let hub = world.ar_mut(*account, *region).hub.as_mut().expect("STD-2: standards live in an enabled hub");
            let bits = standards.0;
            hub.standards_ready.0 &= !bits;
            hub.standards_pending.0 &= !bits;
            hub.standards_incomplete.0 &= !bits;
            match status {
                Some(StandardStatus::Ready) => hub.standards_ready.0 |= bits,
                Some(StandardStatus::Pending) => hub.standards_pending.0 |= bits,
                Some(StandardStatus::Incomplete) => hub.standards_incomplete.0 |= bits,
                None => {}
            }
        }
        Change::ControlsDisabled { account, region, disabled } => {
            world
                .ar_mut(*account, *region)
                .hub
                .as_mut()
                .expect("CTRL-1: controls live in an enabled hub")
                .disabled_controls = *disabled;
        }
        Change::ControlParameters { account, region, params } => {
            let ar = world.ar_mut(*account, *region);
            assert!(ar.hub.is_some(), "POLICY-4: parameters live in an enabled hub");
            ar.set_params(params.clone());
        }
        Change::HubSettings { account, region, auto_enable_controls, generator } => {
            let hub = world.ar_mut(*account, *region).hub.as_mut().expect("HUB-2: settings of an enabled hub");
            hub.auto_enable_controls = *auto_enable_controls;
            hub.control_finding_generator = *generator;
        }
        Change::AdministratorDesignated { region, account } => {
            let slot = &mut world.region_org[region.index()].admin;
            assert!(slot.is_none_or(|d| d.account == *account), "ADMIN-9: one administrator per Region");
            *slot = Some(Designation { account: *account, status: AdminStatus::Enabled });
        }
        Change::AdministratorRemovalStarted { region, account } => {
            let slot = world.region_org[region.index()].admin.as_mut().expect("ADMIN-12: removing a designation");
            assert_eq!(slot.account, *account);
            slot.status = AdminStatus::DisableInProgress;
        }
        Change::AdministratorRemoved { region, account } => {
            let slot = &mut world.region_org[region.index()].admin;
            assert_eq!(slot.map(|d| d.account), Some(*account), "LIFE-9: removing the designated administrator");
            *slot = None;
        }
        Change::OrganizationConfiguration { region, config } => {
            world.region_org[region.index()].config = config.clone()
        }
        Change::MemberRecord { region, member, record } => {
            world.put_record(*region, *member, record.clone());
        }
        Change::MemberRecordPurged { region, administrator, member, deleted, .. } => {
            let removed = world.take_record(*region, *administrator, *member, *deleted);
            assert!(removed.is_some(), "MEMBER-8: purging a record that exists");
        }
        Change::AggregatorSet { owner, aggregator } => {
            world.aggregators.insert(*owner, (**aggregator).clone());
        }
        Change::AggregatorDeleted { owner } => {
            assert!(world.aggregators.remove(owner).is_some(), "AGG-3: deleting an existing aggregator");
        }
        Change::CentralConfigurationRequested { da, home, generation } => {
            let central = &mut world.central;
            central.phase = CentralPhase::Pending;
            central.da = Some(*da);
            central.home = Some(*home);
            central.switch_generation = *generation;
        }
        Change::CentralConfigurationEnabled => {
            assert_eq!(world.central.phase, CentralPhase::Pending, "CENTRAL-3: PENDING before ENABLED");
            world.central.phase = CentralPhase::Enabled;
        }
        Change::CentralConfigurationEnded => {
            assert!(world.central.applied.is_empty(), "CENTRAL-8: no association survives central configuration");
            assert!(
                world.central.live_policies().next().is_none(),
                "CENTRAL-8: no policy survives central configuration"
            );
            let central = &mut world.central;
            central.phase = CentralPhase::Off;
            central.da = None;
            central.home = None;
            central.node_status.clear();
        }
        Change::PolicyStored { policy, value } => {
            let slot = policy.0 as usize;
            if slot == world.central.policies.len() {
                world.central.policies.push(Some((**value).clone()));
                world.central.policy_names.push(value.name.clone());
                world.counters.policies += 1;
            } else {
                assert!(world.central.policies[slot].is_some(), "POLICY-7: updating a live policy");
                world.central.policies[slot] = Some((**value).clone());
                world.central.policy_names[slot] = value.name.clone();
            }
        }
        Change::PolicyDeleted { policy } => {
            let slot = &mut world.central.policies[policy.0 as usize];
            assert!(slot.is_some(), "POLICY-12: deleting a live policy");
            *slot = None;
        }
        Change::AssociationApplied { target, value } => {
            world.central.applied.insert(*target, *value);
        }
        Change::AssociationRemoved { target } => {
            assert!(world.central.applied.remove(target).is_some(), "ASSOC-8: removing an applied association");
            if let Target::Node(node) = target {
                world.central.node_status.remove(*node);
            }
        }
        Change::AccountRegionAssociation { account, region, value, status, message, bump } => {
            let ar = world.ar_mut(*account, *region);
            let was_pending = ar.association().status == Some(AssocStatus::Pending);
            let is_pending = *status == Some(AssocStatus::Pending);
            ar.set_association(*value, *status, message.clone(), now, *bump);
            world.central.pending_results = world.central.pending_results + is_pending as u32 - was_pending as u32;
        }
        Change::NodeAssociationStatus { node, status } => match status {
            Some(status) => {
                world.central.node_status.insert(*node, status.clone());
            }
            None => {
                world.central.node_status.remove(*node);
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use std::mem::needs_drop;

    use super::*;

    /// `Tx::emit` forgets, instead of dropping, an unlisted change that `owns_heap_data` says owns
    /// nothing. The match names every variant, so a new variant must say; this pins the field
    /// types of the variants it calls heap-free, so that one gaining an owning field cannot leak
    /// silently.
    #[test]
    fn the_changes_called_heap_free_hold_only_types_without_drop_glue() {
        assert!(!needs_drop::<AccountIdx>());
        assert!(!needs_drop::<AccountState>());
        assert!(!needs_drop::<JoinMethod>());
        assert!(!needs_drop::<NodeIdx>());
        assert!(!needs_drop::<HandshakeIdx>());
        assert!(!needs_drop::<HandshakeState>());
        assert!(!needs_drop::<RegionIdx>());
        assert!(!needs_drop::<RegionOptStatus>());
        assert!(!needs_drop::<ControlFindingGenerator>());
        assert!(!needs_drop::<StandardSet>());
        assert!(!needs_drop::<Option<StandardStatus>>());
        assert!(!needs_drop::<ControlSet>());
        assert!(!needs_drop::<MemberStatus>());
        assert!(!needs_drop::<PolicyIdx>());
        assert!(!needs_drop::<Target>());
        assert!(!needs_drop::<AssocValue>());
        assert!(!needs_drop::<Option<AssocStatus>>());
        assert!(!needs_drop::<Option<NodeAssociationStatus>>());
        // The variants whose answer depends on the value: what they own, they own only there.
        let record = MemberRecord {
            administrator: AccountIdx(1),
            member_type: crate::model::MemberType::Organization,
            status: MemberStatus::Enabled,
            updated_at: SimTime::ZERO,
            contact: None,
        };
        assert!(!Change::MemberRecord { region: RegionIdx(0), member: AccountIdx(2), record }.owns_heap_data());
        let association = Change::AccountRegionAssociation {
            account: AccountIdx(2),
            region: RegionIdx(0),
            value: None,
            status: None,
            message: None,
            bump: false,
        };
        assert!(!association.owns_heap_data());
        assert!(
            Change::AccountCreated { account_id: AccountId::parse("123456789012").unwrap(), email: Some("a@b".into()) }
                .owns_heap_data()
        );
    }
}
