//! Administrator–member relationships (MEMBER-*) and Security Hub invitations (INV-*).
//!
//! A member record is keyed by (administrator, member, Region). It is stored on the member's side
//! (`ArState::memberships`, usually zero or one entry) and indexed on the administrator's side by a
//! roster per (administrator, Region) that also keeps the counts QUOTA-1 and QUOTA-2 need, so
//! neither direction requires scanning the organization.

use std::sync::Arc;

use super::dense::DenseMap;
use super::ids::AccountIdx;
use super::region::RegionIdx;
use super::time::SimTime;

/// Relationship type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MemberType {
    /// Managed through AWS Organizations.
    Organization,
    /// Managed by invitation.
    Invitation,
}

/// `MemberStatus` (MEMBER-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum MemberStatus {
    /// Added by the administrator, not yet invited.
    Created,
    /// Invitation sent, no answer yet.
    Invited,
    /// Active member.
    Enabled,
    /// The administrator disassociated the member.
    Removed,
    /// The member disassociated itself or declined.
    Resigned,
    /// Record deleted; only ever shown in the event log and to the former member (MEMBER-9).
    Deleted,
    /// Enable attempt while the account was suspended (MEMBER-7).
    AccountSuspended,
    // MEMBER-15 MODEL CHOICE: the legacy `Associated` status is never produced, so it has no variant.
}

impl MemberStatus {
    /// The API spelling.
    pub fn api_name(self) -> &'static str {
        match self {
            MemberStatus::Created => "Created",
            MemberStatus::Invited => "Invited",
            MemberStatus::Enabled => "Enabled",
            MemberStatus::Removed => "Removed",
            MemberStatus::Resigned => "Resigned",
            MemberStatus::Deleted => "Deleted",
            MemberStatus::AccountSuspended => "AccountSuspended",
        }
    }

    /// Every status.
    pub const ALL: [MemberStatus; 7] = [
        MemberStatus::Created,
        MemberStatus::Invited,
        MemberStatus::Enabled,
        MemberStatus::Removed,
        MemberStatus::Resigned,
        MemberStatus::Deleted,
        MemberStatus::AccountSuspended,
    ];

    /// Parses the API spelling.
    pub fn parse(text: &str) -> Option<MemberStatus> {
        MemberStatus::ALL.into_iter().find(|s| s.api_name() == text)
    }

    /// Whether the record counts toward the member quota (ORGCFG-4 MODEL CHOICE).
    pub fn counts_toward_quota(self) -> bool {
        matches!(self, MemberStatus::Enabled | MemberStatus::Created | MemberStatus::Invited)
    }
}

/// One administrator–member record in one Region (the Region is implied by where it is stored).
///
/// 24 bytes: the email and invitation that only invitation-type records carry live out of line, so
/// that an account-Region with an organization membership stays small (170,000 of them at 10,000
/// members in 17 Regions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRecord {
    /// The administrator account.
    pub administrator: AccountIdx,
    /// Organization or invitation.
    pub member_type: MemberType,
    /// Current status.
    pub status: MemberStatus,
    /// When the record last changed.
    pub updated_at: SimTime,
    /// Email and invitation, if the record has any (shared by the record's later versions).
    pub contact: Option<Arc<Contact>>,
}

/// What `CreateMembers` and `InviteMembers` recorded about a member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    /// Email given to `CreateMembers`.
    pub email: Option<Arc<str>>,
    /// The invitation, while one exists (pending, or accepted and still acceptable after a
    /// resignation — MEMBER-8).
    pub invitation_id: Option<Arc<str>>,
    /// When the last invitation was sent.
    pub invited_at: Option<SimTime>,
}

impl MemberRecord {
    /// Email given to `CreateMembers`.
    pub fn email(&self) -> Option<&Arc<str>> {
        self.contact.as_ref()?.email.as_ref()
    }
    /// The invitation, while one exists.
    pub fn invitation_id(&self) -> Option<&str> {
        self.contact.as_ref()?.invitation_id.as_deref()
    }
    /// When the last invitation was sent.
    pub fn invited_at(&self) -> Option<SimTime> {
        self.contact.as_ref()?.invited_at
    }
    /// The record with `contact` (kept out of line only when it says something).
    pub fn with_contact(mut self, contact: Contact) -> MemberRecord {
        self.contact = (contact != Contact::default()).then(|| Arc::new(contact));
        self
    }
    /// The record with its invitation deleted (email and invitation time kept).
    pub fn without_invitation(self) -> MemberRecord {
        let contact = self.contact.as_deref().cloned().unwrap_or_default();
        self.with_contact(Contact { invitation_id: None, ..contact })
    }
}

/// The counts of an administrator's records in one Region. The records themselves live with the
/// members; `World::members_of` finds them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Roster {
    /// Records in any status.
    pub total: u32,
    /// Records in `Enabled`, `Created` or `Invited` (QUOTA-1, ORGCFG-4).
    pub counted: u32,
    /// Of those, invitation-type records (QUOTA-2).
    pub invitation_counted: u32,
    /// Records in `Enabled`.
    pub enabled: u32,
    /// Invitation-type records in any status (ASSOC-16e looks for them only where there are any).
    pub invitations: u32,
}

impl Roster {
    /// Counts `record` in (`delta` 1) or out (`delta` -1).
    pub(crate) fn count(&mut self, record: &MemberRecord, delta: i64) {
        let apply = |n: &mut u32| *n = (*n as i64 + delta) as u32;
        apply(&mut self.total);
        if record.status.counts_toward_quota() {
            apply(&mut self.counted);
            if record.member_type == MemberType::Invitation {
                apply(&mut self.invitation_counted);
            }
        }
        if record.status == MemberStatus::Enabled {
            apply(&mut self.enabled);
        }
        if record.member_type == MemberType::Invitation {
            apply(&mut self.invitations);
        }
    }
}

/// Every administrator's rosters: a row of per-Region counts for each administrator with records.
pub type Rosters = DenseMap<AccountIdx, Box<[Roster]>>;

impl DenseMap<AccountIdx, Box<[Roster]>> {
    /// Counts `record` in (`delta` 1) or out (`delta` -1) of its administrator's roster in
    /// `region`, making the administrator a row of `n_regions` rosters if it has none.
    pub(crate) fn count(&mut self, n_regions: usize, region: RegionIdx, record: &MemberRecord, delta: i64) {
        let row = self.get_or_insert_with(record.administrator, || vec![Roster::default(); n_regions].into());
        row[region.index()].count(record, delta);
    }

    /// Every (administrator, Region) with records, in order, with its counts.
    pub fn entries(&self) -> impl Iterator<Item = ((AccountIdx, RegionIdx), &Roster)> {
        self.iter().flat_map(|(admin, row)| {
            row.iter().enumerate().filter(|(_, r)| r.total > 0).map(move |(i, r)| ((admin, RegionIdx(i as u8)), r))
        })
    }
}
