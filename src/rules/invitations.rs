//! Invitation-based membership (OP-D2 … OP-D8): inviting, accepting, declining and deleting
//! invitations, the member's view of its administrator, and a member leaving its administrator.
//!
//! Implements INV-1 … INV-7, MEMBER-3, MEMBER-4, MEMBER-8, MEMBER-9, MEMBER-14, LIFE-17 and the
//! Q-5 choice (DeleteInvitations is called by the administrator). Acts in the request Region only
//! (INV-5). Sources: InviteMembers, AcceptAdministratorInvitation, DeclineInvitations,
//! DeleteInvitations, GetAdministratorAccount and DisassociateFromAdministratorAccount in the API
//! reference; the 2023 user guide pages on responding to invitations.

use serde_json::{Value, json};

use super::access;
use super::cascade;
use super::catalog::RuleId;
use super::change::Change;
use super::outcome::{ApiError, ErrorCode, Response};
use super::respond::{self, Unprocessed};
use super::{Ctx, Tx};
use crate::model::ids::invitation_id_text;
use crate::model::{AccountId, AccountIdx, Contact, MemberRecord, MemberStatus, MemberType, World};

pub(super) fn invite_members(tx: &mut Tx, ctx: Ctx, ids: &[AccountId]) -> Result<Response, ApiError> {
    access::batch_size(ids.len(), tx.w().limits.batch_accounts, "AccountIds")?;
    access::hub_on(tx.w(), ctx)?;
    access::not_enabled_member(tx.w(), ctx, ErrorCode::InvalidAccessException)?;
    access::not_being_removed(tx.w(), ctx)?;
    let mut unprocessed = Vec::new();
    for id in ids {
        let w = tx.w();
        let Some((member, record)) =
            w.account_idx(*id).and_then(|m| w.record(ctx.caller, m, ctx.region).map(|r| (m, r)))
        else {
            unprocessed.push(Unprocessed::new(id, "NOT_MEMBER", "Create the member with CreateMembers first (INV-2)"));
            continue;
        };
        let org_admin_here = w.sh_admin(ctx.region).is_some() && w.in_org(member) && w.in_org(ctx.caller);
        if record.member_type == MemberType::Organization || org_admin_here {
            unprocessed.push(Unprocessed::new(
                id,
                "ORGANIZATION_ACCOUNT",
                "Organization accounts are never invited (INV-1)",
            ));
            continue;
        }
        if record.status == MemberStatus::Enabled {
            unprocessed.push(Unprocessed::new(id, "ALREADY_MEMBER", "The account is already an enabled member"));
            continue;
        }
        if let Some(other) = w.enabled_membership(member, ctx.region) {
            // MEMBER-3: an account that accepted an invitation receives no other invitations.
            unprocessed.push(Unprocessed::new(
                id,
                "MEMBER_OF_OTHER_ADMIN",
                format!("The account is already a member of {} (MEMBER-3)", w.account_id(other.administrator)),
            ));
            continue;
        }
        if !record.status.counts_toward_quota() && w.member_limit_reached(ctx.caller, ctx.region) {
            // LIFE-16: a Removed or Resigned record would count again once invited.
            unprocessed.push(Unprocessed::new(
                id,
                "MEMBER_LIMIT_REACHED",
                "The administrator has reached its member limit (QUOTA-1)",
            ));
            continue;
        }
        if w.roster(ctx.caller, ctx.region)
            .is_some_and(|r| r.invitation_counted >= w.limits.invitation_members_per_admin)
            && !record.status.counts_toward_quota()
        {
            unprocessed.push(Unprocessed::new(
                id,
                "INVITATION_LIMIT_REACHED",
                "The invitation member limit is reached (QUOTA-2)",
            ));
            continue;
        }
        // MEMBER-8: Created/Removed/Resigned/Invited → Invited with a new invitation (a resend
        // replaces the previous invitation id).
        // Invitation ids derive from (organization, administrator, member, Region, time): unique
        // without a counter, and stable for the same scenario.
        let seed = tx.w().org.number.wrapping_mul(0x9E37_79B9)
            ^ ((ctx.caller.0 as u64) << 40)
            ^ ((member.0 as u64) << 16)
            ^ ((ctx.region.0 as u64) << 8)
            ^ tx.now.as_ms().rotate_left(23);
        let contact = Contact {
            invitation_id: Some(invitation_id_text(seed).into()),
            invited_at: Some(tx.now),
            email: record.email().cloned(),
        };
        let new = MemberRecord { status: MemberStatus::Invited, updated_at: tx.now, ..record }.with_contact(contact);
        tx.emit(RuleId::INV_2, Change::MemberRecord { region: ctx.region, member, record: new });
    }
    Ok(respond::unprocessed(unprocessed))
}

pub(super) fn accept_invitation(
    tx: &mut Tx,
    ctx: Ctx,
    administrator_id: AccountId,
    invitation_id: &str,
) -> Result<Response, ApiError> {
    // INV-3: the invitee needs its own hub.
    access::hub_on(tx.w(), ctx)?;
    let w = tx.w();
    let admin = w.account_idx(administrator_id);
    let record = admin.and_then(|a| w.record(a, ctx.caller, ctx.region));
    let acceptable = record.is_some_and(|r| {
        r.invitation_id() == Some(invitation_id) && matches!(r.status, MemberStatus::Invited | MemberStatus::Resigned)
    });
    if !acceptable {
        return Err(ApiError::new(
            RuleId::ERR_12,
            ErrorCode::ResourceNotFoundException,
            format!("No pending invitation {invitation_id} from {administrator_id} in this Region"),
        ));
    }
    let admin = admin.expect("found a record");
    if w.sh_admin(ctx.region) == Some(ctx.caller) {
        return Err(access::invalid(
            RuleId::ADMIN_13,
            "The organization's Security Hub administrator cannot become a member of another administrator (INV-4)",
        ));
    }
    if w.administers(ctx.caller, ctx.region) {
        return Err(access::invalid(RuleId::INV_4, "An administrator account cannot accept an invitation"));
    }
    if let Some(other) = w.enabled_membership(ctx.caller, ctx.region) {
        return Err(access::invalid(
            RuleId::MEMBER_3,
            format!(
                "The account is already a member of {} (INV-4: only one invitation can be accepted)",
                w.account_id(other.administrator)
            ),
        ));
    }
    let record = w.record(admin, ctx.caller, ctx.region).expect("checked above");
    if !record.status.counts_toward_quota() && w.member_limit_reached(admin, ctx.region) {
        // LIFE-16 / ERR-13: a resigned member returning would exceed the administrator's quota.
        return Err(ApiError::new(
            RuleId::LIFE_16,
            ErrorCode::LimitExceededException,
            format!("Administrator {administrator_id} has reached its member limit (QUOTA-1)"),
        ));
    }
    if w.in_org(ctx.caller) && w.in_org(admin) && w.sh_admin(ctx.region).is_some() {
        return Err(access::invalid(
            RuleId::INV_1,
            "Organization accounts are enrolled by the organization's administrator, not by invitation",
        ));
    }
    // MEMBER-14: the administrator sees the member's findings from now on.
    cascade::set_record(
        tx,
        ctx.region,
        admin,
        ctx.caller,
        MemberType::Invitation,
        MemberStatus::Enabled,
        RuleId::MEMBER_14,
    );
    Ok(json!({}))
}

/// Pending invitations the caller received here: records in `Invited`, or `Resigned` with a still
/// acceptable invitation (MEMBER-8).
fn pending_invitations(w: &World, ctx: Ctx) -> Vec<MemberRecord> {
    w.ar(ctx.caller, ctx.region)
        .memberships()
        .filter(|r| r.invitation_id().is_some() && matches!(r.status, MemberStatus::Invited | MemberStatus::Resigned))
        .collect()
}

pub(super) fn decline_invitations(tx: &mut Tx, ctx: Ctx, admin_ids: &[AccountId]) -> Result<Response, ApiError> {
    access::batch_size(admin_ids.len(), tx.w().limits.batch_accounts, "AccountIds")?;
    access::hub_on(tx.w(), ctx)?;
    let mut unprocessed = Vec::new();
    for id in admin_ids {
        let admin = tx.w().account_idx(*id);
        let pending = admin.filter(|a| pending_invitations(tx.w(), ctx).iter().any(|r| r.administrator == *a));
        match pending {
            None => unprocessed.push(Unprocessed::new(id, "NO_INVITATION", "No pending invitation from this account")),
            Some(admin) => {
                // MEMBER-8: Invited → Resigned; the invitation is deleted.
                let record = tx.w().record(admin, ctx.caller, ctx.region).expect("pending");
                let record =
                    MemberRecord { status: MemberStatus::Resigned, updated_at: tx.now, ..record }.without_invitation();
                tx.emit(RuleId::MEMBER_8, Change::MemberRecord { region: ctx.region, member: ctx.caller, record });
            }
        }
    }
    Ok(respond::unprocessed(unprocessed))
}

pub(super) fn delete_invitations(tx: &mut Tx, ctx: Ctx, member_ids: &[AccountId]) -> Result<Response, ApiError> {
    access::batch_size(member_ids.len(), tx.w().limits.batch_accounts, "AccountIds")?;
    access::hub_on(tx.w(), ctx)?;
    access::not_being_removed(tx.w(), ctx)?;
    let mut unprocessed = Vec::new();
    for id in member_ids {
        let member = tx.w().account_idx(*id);
        let record = member.and_then(|m| tx.w().record(ctx.caller, m, ctx.region));
        match (member, record) {
            (Some(member), Some(record)) if record.status == MemberStatus::Invited => {
                // Q-5 / MEMBER-8 MODEL CHOICE: the administrator withdraws it; back to Created.
                let record =
                    MemberRecord { status: MemberStatus::Created, updated_at: tx.now, ..record }.without_invitation();
                tx.emit(RuleId::Q_5, Change::MemberRecord { region: ctx.region, member, record });
            }
            _ => unprocessed.push(Unprocessed::new(id, "NO_INVITATION", "No pending invitation to this account")),
        }
    }
    Ok(respond::unprocessed(unprocessed))
}

fn invitation_json(w: &World, record: &MemberRecord) -> Value {
    json!({
        "AccountId": w.account_id(record.administrator).to_string(),
        "InvitationId": record.invitation_id(),
        "InvitedAt": record.invited_at().map(|t| t.to_string()),
        "MemberStatus": record.status.api_name(),
    })
}

pub(super) fn list_invitations(w: &World, ctx: Ctx, max_results: Option<u32>) -> Result<Response, ApiError> {
    let limit = access::page_size(max_results, 50)?;
    access::hub_on(w, ctx)?;
    let invitations: Vec<Value> =
        pending_invitations(w, ctx).into_iter().take(limit).map(|r| invitation_json(w, &r)).collect();
    Ok(json!({ "Invitations": invitations }))
}

pub(super) fn get_invitations_count(w: &World, ctx: Ctx) -> Result<Response, ApiError> {
    access::hub_on(w, ctx)?;
    // INV-7: invitations received, excluding the accepted one.
    Ok(json!({ "InvitationsCount": pending_invitations(w, ctx).len() }))
}

pub(super) fn get_administrator_account(w: &World, ctx: Ctx) -> Result<Response, ApiError> {
    access::hub_on(w, ctx)?;
    // OP-D7 MODEL CHOICE: no administrator → an empty response; organization members have no
    // InvitationId.
    let Some(record) = w.enabled_membership(ctx.caller, ctx.region) else {
        // MEMBER-9 MODEL CHOICE: a deleted member sees `Deleted` until its membership changes.
        return Ok(match w.ar(ctx.caller, ctx.region).deleted_by() {
            Some(admin) => {
                let administrator = json!({ "AccountId": w.account_id(admin).to_string(), "MemberStatus": "Deleted" });
                json!({ "Administrator": administrator, "Master": administrator })
            }
            None => json!({}),
        });
    };
    let mut administrator = invitation_json(w, &record);
    if record.member_type == MemberType::Organization {
        administrator.as_object_mut().expect("object").remove("InvitationId");
    }
    Ok(json!({ "Administrator": administrator, "Master": administrator }))
}

pub(super) fn disassociate_from_administrator_account(tx: &mut Tx, ctx: Ctx) -> Result<Response, ApiError> {
    access::hub_on(tx.w(), ctx)?;
    let w = tx.w();
    let Some(record) = w.enabled_membership(ctx.caller, ctx.region) else {
        return Err(ApiError::new(
            RuleId::ERR_12,
            ErrorCode::ResourceNotFoundException,
            "The account has no administrator in this Region",
        ));
    };
    if record.member_type == MemberType::Organization {
        return Err(access::invalid(
            RuleId::MEMBER_4,
            "Organization member accounts cannot disassociate themselves; only the administrator can",
        ));
    }
    let admin: AccountIdx = record.administrator;
    // MEMBER-8: Enabled → Resigned; the invitation stays acceptable.
    cascade::set_record(
        tx,
        ctx.region,
        admin,
        ctx.caller,
        MemberType::Invitation,
        MemberStatus::Resigned,
        RuleId::MEMBER_8,
    );
    Ok(json!({}))
}
