//! Per account-Region Security Hub state (GEN-1: the account-Region pair is the unit of state):
//! whether the hub is enabled, its standards subscriptions and control settings, AWS Config
//! recording, and the account-Region's central-configuration association result.
//!
//! Data only; standards subscriptions are kept as bit sets per status so that a 10,000-account,
//! 17-Region world stays small and cheap to clone.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::central::AssocValue;
use super::ids::{AccountIdx, PolicyIdx};
use super::members::{MemberRecord, MemberStatus, MemberType};
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

/// No custom parameters, shared: an empty parameter map allocates nothing.
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

/// The central-configuration association result of one account-Region, as `ArState::association`
/// reads it (the failure message is read apart, with `ArState::association_message`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArAssociation {
    /// The value being applied or last applied here.
    pub value: Option<AssocValue>,
    /// Status (`None` when nothing was ever applied).
    pub status: Option<AssocStatus>,
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
    /// Its custom parameter values.
    pub params: Arc<ParamMap>,
    /// When it was disabled (the retention clock starts here).
    pub disabled_at: SimTime,
}

/// Everything hubsim knows about one account in one Region, in one 64-byte cache line.
///
/// A policy reaching 170,000 account-Regions reads and writes each one's state in random order,
/// so the size of this state is the working set of a 10,000-member run. What almost every
/// account-Region has lives inline: the hub's settings, one membership, the association result and
/// whether AWS Config records. What few have lives in one boxed `ColdState`, present only while
/// something is in it: a disabled hub's retained settings, MEMBER-9's deleted marker, an
/// association's failure message, custom control parameters, and every membership after the
/// inline one. The inline slot holds the first membership unless that one has an email or
/// invitation (then every membership is out of line); each change keeps this one layout, so that
/// equal states compare equal and a box exists only while something rare is in it.
///
/// The fields other than `hub` are private so that the two halves stay in step; the accessors read
/// like fields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[repr(align(64))]
pub struct ArState {
    /// The hub, while Security Hub is enabled.
    pub hub: Option<Hub>,
    /// What few account-Regions have; `None` when all of it is empty.
    cold: Option<Box<ColdState>>,
    /// The inline membership, if any: the record's type (its presence marks the slot as used).
    member_type: Option<MemberType>,
    member_status: MemberStatus,
    member_administrator: AccountIdx,
    member_updated_at: SimTime,
    /// `association_value` packed: 0 none, 1 self-managed, `n + 2` policy `n`.
    association_value: u32,
    association_status: Option<AssocStatus>,
    association_generation: u32,
    association_updated_at: SimTime,
    /// Whether AWS Config is recording (decides whether control findings would be generated, and
    /// ASSOC-16c).
    config_recording: bool,
}

/// The rarely present part of an `ArState`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ColdState {
    /// The hub as it was when last disabled, and when (HUB-4).
    retained: Option<Retained>,
    /// MEMBER-9: the administrator that deleted this account's record.
    deleted_by: Option<AccountIdx>,
    /// `AssociationStatusMessage` of a failed association.
    association_message: Option<Arc<str>>,
    /// The enabled hub's custom parameter values (POLICY-4); `None` when all are at defaults.
    params: Option<Arc<ParamMap>>,
    /// Memberships after the inline one (every one, when the first has a contact), in order.
    memberships: Vec<MemberRecord>,
}

impl ColdState {
    fn is_empty(&self) -> bool {
        self.retained.is_none()
            && self.deleted_by.is_none()
            && self.association_message.is_none()
            && self.params.is_none()
            && self.memberships.is_empty()
    }
}

/// `Option<AssocValue>` in the 32 bits `ArState` keeps it in.
fn pack_value(value: Option<AssocValue>) -> u32 {
    match value {
        None => 0,
        Some(AssocValue::SelfManaged) => 1,
        Some(AssocValue::Policy(p)) => p.0.checked_add(2).expect("fewer than 2^32 - 2 policies are ever created"),
    }
}

fn unpack_value(packed: u32) -> Option<AssocValue> {
    match packed {
        0 => None,
        1 => Some(AssocValue::SelfManaged),
        n => Some(AssocValue::Policy(PolicyIdx(n - 2))),
    }
}

impl Default for ArState {
    /// No hub, no membership, no association, AWS Config not recording.
    fn default() -> ArState {
        ArState {
            hub: None,
            cold: None,
            member_type: None,
            member_status: MemberStatus::Created,
            member_administrator: AccountIdx(0),
            member_updated_at: SimTime::ZERO,
            association_value: 0,
            association_status: None,
            association_generation: 0,
            association_updated_at: SimTime::ZERO,
            config_recording: false,
        }
    }
}

impl ArState {
    /// A state with nothing in it: no hub, no membership, no association, AWS Config recording.
    pub fn blank() -> ArState {
        ArState { config_recording: true, ..ArState::default() }
    }

    // ---- AWS Config ----

    /// Whether AWS Config is recording.
    #[inline]
    pub fn config_recording(&self) -> bool {
        self.config_recording
    }
    /// Turns AWS Config recording on or off.
    pub fn set_config_recording(&mut self, on: bool) {
        self.config_recording = on;
    }

    // ---- association ----

    /// The central-configuration result.
    #[inline]
    pub fn association(&self) -> ArAssociation {
        ArAssociation {
            value: unpack_value(self.association_value),
            status: self.association_status,
            generation: self.association_generation,
            updated_at: self.association_updated_at,
        }
    }
    /// `AssociationStatusMessage` of a failed association.
    pub fn association_message(&self) -> Option<&Arc<str>> {
        self.cold.as_ref()?.association_message.as_ref()
    }
    /// Sets the result (value, status, message, time) and, with `bump`, supersedes older work.
    #[inline]
    pub fn set_association(
        &mut self,
        value: Option<AssocValue>,
        status: Option<AssocStatus>,
        message: Option<Arc<str>>,
        now: SimTime,
        bump: bool,
    ) {
        self.association_value = pack_value(value);
        self.association_status = status;
        self.association_updated_at = now;
        if bump {
            self.association_generation = self.association_generation.wrapping_add(1);
        }
        if message.is_some() || self.cold.is_some() {
            self.edit_cold(|cold| cold.association_message = message);
        }
    }

    // ---- hub settings kept out of line ----

    /// The enabled hub's custom parameter values (empty when all are at their defaults).
    pub fn params(&self) -> &ParamMap {
        static DEFAULTS: ParamMap = ParamMap::new();
        self.cold.as_ref().and_then(|c| c.params.as_deref()).unwrap_or(&DEFAULTS)
    }
    /// Sets the enabled hub's custom parameter values.
    pub fn set_params(&mut self, params: Arc<ParamMap>) {
        let params = (!params.is_empty()).then_some(params);
        if params.is_some() || self.cold.is_some() {
            self.edit_cold(|cold| cold.params = params);
        }
    }
    /// The hub as it was when last disabled, and when (HUB-4).
    pub fn retained(&self) -> Option<&Retained> {
        self.cold.as_ref()?.retained.as_ref()
    }
    /// Turns the hub off, keeping its settings and parameters for HUB-4.
    pub fn disable_hub(&mut self, now: SimTime) -> Option<()> {
        let hub = self.hub.take()?;
        self.edit_cold(|cold| {
            let params = cold.params.take().unwrap_or_else(no_params);
            cold.retained = Some(Retained { hub, params, disabled_at: now });
        });
        Some(())
    }

    // ---- memberships ----

    /// MEMBER-9: the administrator that deleted this account's record, shown to the former member
    /// as `Deleted` until its membership changes again.
    pub fn deleted_by(&self) -> Option<AccountIdx> {
        self.cold.as_ref()?.deleted_by
    }
    /// Sets or clears MEMBER-9's marker.
    #[inline]
    pub fn set_deleted_by(&mut self, admin: Option<AccountIdx>) {
        if admin.is_some() || self.cold.is_some() {
            self.edit_cold(|cold| cold.deleted_by = admin);
        }
    }
    /// The records in which this account is the member, one per administrator, oldest first.
    pub fn memberships(&self) -> impl Iterator<Item = MemberRecord> + '_ {
        self.inline_membership().into_iter().chain(self.more_memberships().iter().cloned())
    }
    /// The first record that `matches`, in `memberships` order.
    #[inline]
    pub fn find_membership(&self, matches: impl Fn(AccountIdx, MemberStatus) -> bool) -> Option<MemberRecord> {
        match self.member_type {
            Some(_) if matches(self.member_administrator, self.member_status) => self.inline_membership(),
            _ if self.cold.is_none() => None,
            _ => self.more_memberships().iter().find(|r| matches(r.administrator, r.status)).cloned(),
        }
    }
    /// How many records `match`.
    #[inline]
    pub fn count_memberships(&self, matches: impl Fn(AccountIdx, MemberStatus) -> bool) -> usize {
        let inline = self.member_type.is_some() && matches(self.member_administrator, self.member_status);
        usize::from(inline) + self.more_memberships().iter().filter(|r| matches(r.administrator, r.status)).count()
    }
    /// The record with `admin`, if any.
    #[inline]
    pub fn membership_with(&self, admin: AccountIdx) -> Option<MemberRecord> {
        self.find_membership(|a, _| a == admin)
    }
    /// Whether this account has a record with `admin`.
    #[inline]
    pub fn is_member_of(&self, admin: AccountIdx) -> bool {
        (self.member_type.is_some() && self.member_administrator == admin)
            || self.more_memberships().iter().any(|r| r.administrator == admin)
    }
    /// Adds `record` at the end of the list, replacing (and returning) the record with the same
    /// administrator, if any.
    #[inline]
    pub fn put_membership(&mut self, record: MemberRecord) -> Option<MemberRecord> {
        let inline_is_admins = self.member_type.is_some() && self.member_administrator == record.administrator;
        if record.contact.is_none() && self.cold.is_none() && (self.member_type.is_none() || inline_is_admins) {
            // The only record (or none): it stays the only one, inline.
            let previous = self.inline_membership();
            self.put_inline(Some(&record));
            return previous;
        }
        let previous = self.take_membership(record.administrator);
        if self.member_type.is_none() && self.more_memberships().is_empty() && record.contact.is_none() {
            self.put_inline(Some(&record));
        } else {
            self.edit_cold(|cold| cold.memberships.push(record));
        }
        previous
    }
    /// Removes and returns the record with `admin`, if any.
    #[inline]
    pub fn take_membership(&mut self, admin: AccountIdx) -> Option<MemberRecord> {
        let record = if self.member_type.is_some() && self.member_administrator == admin {
            let record = self.inline_membership();
            self.put_inline(None);
            record
        } else {
            let position = self.more_memberships().iter().position(|r| r.administrator == admin)?;
            let mut record = None;
            self.edit_cold(|cold| record = Some(cold.memberships.remove(position)));
            record
        };
        if self.member_type.is_none() && self.more_memberships().first().is_some_and(|r| r.contact.is_none()) {
            // The new first record has no contact: it moves inline, as if it had been put alone.
            let mut first = None;
            self.edit_cold(|cold| first = Some(cold.memberships.remove(0)));
            self.put_inline(first.as_ref());
        }
        record
    }

    #[inline]
    fn inline_membership(&self) -> Option<MemberRecord> {
        Some(MemberRecord {
            administrator: self.member_administrator,
            member_type: self.member_type?,
            status: self.member_status,
            updated_at: self.member_updated_at,
            contact: None,
        })
    }

    /// Fills (or with `None` empties, back to the default values) the inline membership.
    #[inline]
    fn put_inline(&mut self, record: Option<&MemberRecord>) {
        self.member_type = record.map(|r| r.member_type);
        self.member_status = record.map_or(MemberStatus::Created, |r| r.status);
        self.member_administrator = record.map_or(AccountIdx(0), |r| r.administrator);
        self.member_updated_at = record.map_or(SimTime::ZERO, |r| r.updated_at);
    }

    #[inline]
    fn more_memberships(&self) -> &[MemberRecord] {
        self.cold.as_ref().map(|c| c.memberships.as_slice()).unwrap_or_default()
    }

    /// Changes the cold part (creating it if absent) and drops it again if `edit` left it empty,
    /// so that equal states compare equal.
    #[cold]
    fn edit_cold(&mut self, edit: impl FnOnce(&mut ColdState)) {
        let cold = self.cold.get_or_insert_with(Box::default);
        edit(cold);
        if cold.is_empty() {
            self.cold = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A policy reaching 170,000 account-Regions reads and writes each one's state in random
    /// order: one cache line each.
    #[test]
    fn an_account_region_state_fits_one_cache_line() {
        assert_eq!(std::mem::size_of::<ArState>(), 64);
        assert_eq!(std::mem::align_of::<ArState>(), 64);
    }

    fn record(admin: u32, status: MemberStatus, contact: bool) -> MemberRecord {
        let record = MemberRecord {
            administrator: AccountIdx(admin),
            member_type: if contact { MemberType::Invitation } else { MemberType::Organization },
            status,
            updated_at: SimTime(u64::from(admin) * 1000),
            contact: None,
        };
        if contact {
            let email = Some(Arc::from(format!("member{admin}@example.com").as_str()));
            record.with_contact(crate::model::members::Contact { email, ..Default::default() })
        } else {
            record
        }
    }

    /// Memberships behave as the plain list they stand for (replace moves to the end, take
    /// removes, order kept), whichever of them sit inline or out of line, also beside other rare
    /// settings; and after every change the state is laid out as one built from the list alone
    /// would be, so equal states compare equal.
    #[test]
    fn memberships_behave_as_a_list_wherever_they_are_kept() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let statuses = [MemberStatus::Enabled, MemberStatus::Invited, MemberStatus::Removed];
        for round in 0..300 {
            // Some rounds keep something else out of line all along.
            let others = |state: &mut ArState| {
                if round % 3 == 1 {
                    state.set_deleted_by(Some(AccountIdx(9)));
                }
                if round % 3 == 2 {
                    let params = ParamMap::from([((Control(0), "daysToExpiration"), ParamValue::Integer(3))]);
                    state.set_params(Arc::new(params));
                }
            };
            let mut state = ArState::blank();
            others(&mut state);
            let mut list: Vec<MemberRecord> = Vec::new();
            for _ in 0..40 {
                let admin = rng.random_range(0..4);
                let expected = list.iter().position(|r| r.administrator.0 == admin).map(|at| list.remove(at));
                if rng.random_bool(0.6) {
                    let new = record(admin, statuses[rng.random_range(0..3)], rng.random_bool(0.3));
                    list.push(new.clone());
                    assert_eq!(state.put_membership(new), expected);
                } else {
                    assert_eq!(state.take_membership(AccountIdx(admin)), expected);
                }
                assert_eq!(state.memberships().collect::<Vec<_>>(), list);
                for admin in 0..4 {
                    let expected = list.iter().find(|r| r.administrator.0 == admin);
                    assert_eq!(state.membership_with(AccountIdx(admin)).as_ref(), expected);
                    assert_eq!(state.is_member_of(AccountIdx(admin)), expected.is_some());
                }
                let enabled = list.iter().filter(|r| r.status == MemberStatus::Enabled);
                assert_eq!(state.count_memberships(|_, s| s == MemberStatus::Enabled), enabled.clone().count());
                assert_eq!(state.find_membership(|_, s| s == MemberStatus::Enabled).as_ref(), enabled.clone().next());
                let mut rebuilt = ArState::blank();
                others(&mut rebuilt);
                for record in &list {
                    rebuilt.put_membership(record.clone());
                }
                assert_eq!(state, rebuilt, "laid out as the list alone would be");
            }
            for admin in 0..4 {
                state.take_membership(AccountIdx(admin));
            }
            let mut expected = ArState::blank();
            others(&mut expected);
            assert_eq!(state, expected, "the other settings survive; nothing else is left out of line");
        }
    }

    /// The rare settings come back as they were put, disabling a hub keeps its settings and
    /// parameters, and clearing every rare setting, in any order, frees the out-of-line part.
    #[test]
    fn rare_settings_are_kept_out_of_line_only_while_set() {
        let hub = Hub {
            subscribed_at: SimTime(5),
            auto_enable_controls: false,
            control_finding_generator: ControlFindingGenerator::StandardControl,
            standards_ready: StandardSet::EMPTY,
            standards_pending: StandardSet::EMPTY,
            standards_incomplete: StandardSet::EMPTY,
            disabled_controls: ControlSet::EMPTY,
        };
        let params = Arc::new(ParamMap::from([((Control(0), "daysToExpiration"), ParamValue::Integer(14))]));
        let message: Arc<str> = Arc::from("AWS Config is not recording");
        let policy = Some(AssocValue::Policy(PolicyIdx(u32::MAX - 2)));

        // Set and cleared in each order: the getters follow, and the box goes with the last one.
        let orders: [[usize; 3]; 6] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        for order in orders {
            let mut state = ArState::blank();
            state.hub = Some(hub.clone());
            state.set_params(params.clone());
            state.set_deleted_by(Some(AccountIdx(3)));
            state.set_association(policy, Some(AssocStatus::Failed), Some(message.clone()), SimTime(9), true);
            assert_eq!(state.params(), &*params);
            assert_eq!(state.deleted_by(), Some(AccountIdx(3)));
            assert_eq!(state.association_message(), Some(&message));
            let association = state.association();
            assert_eq!(
                (association.value, association.status, association.generation),
                (policy, Some(AssocStatus::Failed), 1)
            );
            for (cleared, &which) in order.iter().enumerate() {
                match which {
                    0 => state.set_params(Arc::new(ParamMap::new())),
                    1 => state.set_deleted_by(None),
                    _ => state.set_association(policy, Some(AssocStatus::Failed), None, SimTime(9), false),
                }
                assert_eq!(state.params().is_empty(), order[..=cleared].contains(&0));
                assert_eq!(state.deleted_by().is_none(), order[..=cleared].contains(&1));
                assert_eq!(state.association_message().is_none(), order[..=cleared].contains(&2));
            }
            let mut inline_only = ArState::blank();
            inline_only.hub = Some(hub.clone());
            inline_only.set_association(policy, Some(AssocStatus::Failed), None, SimTime(9), true);
            assert_eq!(state, inline_only, "nothing left out of line");
        }

        // HUB-4: disabling keeps the settings and their parameters.
        let mut state = ArState::blank();
        state.hub = Some(hub.clone());
        state.set_params(params.clone());
        state.disable_hub(SimTime(20)).expect("was on");
        assert!(state.hub.is_none() && state.params().is_empty(), "a disabled hub has no parameters in force");
        let retained = state.retained().expect("kept");
        assert_eq!((&retained.hub, &retained.params, retained.disabled_at), (&hub, &params, SimTime(20)));
        assert_eq!(state.disable_hub(SimTime(21)), None, "nothing to disable twice");

        state.set_association(Some(AssocValue::SelfManaged), None, None, SimTime::ZERO, false);
        assert_eq!(state.association().value, Some(AssocValue::SelfManaged));
    }
}
