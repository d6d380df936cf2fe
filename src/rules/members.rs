//! Member management by an administrator (OP-D1, OP-D9, OP-D10, OP-D11): creating members (which
//! enrols organization accounts directly and creates invitation records for the rest),
//! disassociating, deleting and listing them.
//!
//! Implements MEMBER-1 … MEMBER-12, ADMIN-13, HUB-6, LIFE-16, QUOTA-1/2/3, ERR-6 and ERR-20, with
//! the choices. Acts in the request Region only. Sources: the seed boto3
//! `create_members` reference, the seed chapter's "Manually enabling" and "Disassociating" pages,
//! and the DeleteMembers / DisassociateMembers / ListMembers API reference.
//!
//! MEMBER-13: membership grants findings access in its Region only; hubsim models no findings, so
//! the grant is the `Enabled` record itself. MEMBER-10: the console's labels ("Not a member",
//! "Disassociated") map onto the API statuses shown here; the simulator speaks API statuses only.

use serde_json::{Value, json};

use super::access;
use super::call::AccountDetails;
use super::cascade;
use super::catalog::RuleId;
use super::change::Change;
use super::outcome::{ApiError, ErrorCode, Response};
use super::respond::{self, Unprocessed};
use super::{Ctx, Tx};
use crate::model::{AccountId, AccountIdx, Contact, MemberRecord, MemberStatus, MemberType, StandardSet, World};

pub(super) fn create_members(tx: &mut Tx, ctx: Ctx, details: &[AccountDetails]) -> Result<Response, ApiError> {
    access::batch_size(details.len(), tx.w().limits.batch_accounts, "AccountDetails")?;
    access::hub_on(tx.w(), ctx)?;
    access::not_enabled_member(tx.w(), ctx, ErrorCode::ResourceConflictException)?;
    access::not_being_removed(tx.w(), ctx)?;
    let designation = tx.w().designation(ctx.region);
    let caller_is_org_admin = designation.is_some_and(|d| d.account == ctx.caller) && tx.w().in_org(ctx.caller);
    let mut unprocessed = Vec::new();
    for detail in details {
        if let Err(item) = create_member(tx, ctx, detail, caller_is_org_admin) {
            unprocessed.push(item);
        }
    }
    Ok(respond::unprocessed(unprocessed))
}

fn create_member(tx: &mut Tx, ctx: Ctx, detail: &AccountDetails, caller_is_org_admin: bool) -> Result<(), Unprocessed> {
    let id = detail.account_id;
    let w = tx.w();
    let Some(member) = w.account_idx(id) else {
        return Err(Unprocessed::new(id, "NOT_MEMBER", "The account does not exist"));
    };
    let region = ctx.region;
    if member == ctx.caller {
        return Err(Unprocessed::new(id, "SELF", "An account cannot be its own member"));
    }
    let existing = w.record(ctx.caller, member, region).map(|r| r.status);
    if existing.is_some_and(|s| matches!(s, MemberStatus::Created | MemberStatus::Invited | MemberStatus::Enabled)) {
        return Err(Unprocessed::new(
            id,
            "ALREADY_MEMBER",
            "The request is rejected because the given account ID is already a member or associated member of the current account.",
        ));
    }
    if let Some(other) = w.enabled_membership(member, region) {
        return Err(Unprocessed::new(
            id,
            "MEMBER_OF_OTHER_ADMIN",
            format!("The account is a member of {} (MEMBER-3)", w.account_id(other.administrator)),
        ));
    }
    let same_org = w.in_org(member) && w.in_org(ctx.caller);
    if same_org && caller_is_org_admin {
        if w.is_centrally_managed(member, region) {
            // central policies own enablement of centrally managed accounts.
            return Err(Unprocessed::new(
                id,
                "CENTRALLY_MANAGED",
                "The account is centrally managed; a configuration policy enables it",
            ));
        }
        if w.is_management(member) && !w.hub_enabled(member, region) {
            return Err(Unprocessed::new(
                id,
                "MANAGEMENT_ACCOUNT_HUB_DISABLED",
                "The management account must enable Security Hub itself first (MEMBER-5)",
            ));
        }
        if !w.region_usable(member, region) {
            return Err(Unprocessed::new(
                id,
                "REGION_NOT_ENABLED",
                "The Region is not enabled for the account (REG-2)",
            ));
        }
        if w.account(member).state.is_suspended() {
            // MEMBER-7 / HUB-6: the attempt leaves the record in AccountSuspended.
            cascade::mark_suspended(tx, region, ctx.caller, member, RuleId::HUB_6);
            return Err(Unprocessed::new(id, "ACCOUNT_SUSPENDED", "The account is suspended (MEMBER-7)"));
        }
        if w.member_limit_reached(ctx.caller, region) {
            return Err(Unprocessed::new(
                id,
                "MEMBER_LIMIT_REACHED",
                "The administrator has reached its member limit (QUOTA-1, LIFE-16)",
            ));
        }
        // MEMBER-2: organization accounts are enabled directly, never invited; MEMBER-5: a hub that
        // is off is enabled with the default standards.
        cascade::enrol_org_member(tx, region, ctx.caller, member, StandardSet::defaults(), RuleId::MEMBER_2);
        return Ok(());
    }
    if same_org && w.sh_admin(region).is_some() {
        return Err(Unprocessed::new(
            id,
            "ORGANIZATION_ACCOUNT",
            "The account belongs to the organization; only its Security Hub administrator can enrol it (INV-1)",
        ));
    }
    // An invitation record (MEMBER-8 row 1); MEMBER-6: another organization's account can only be
    // invited. LIFE-2 step 3: a `Removed` organization record is replaced.
    if w.member_limit_reached(ctx.caller, region) {
        return Err(Unprocessed::new(
            id,
            "MEMBER_LIMIT_REACHED",
            "The administrator has reached its member limit (QUOTA-1)",
        ));
    }
    if w.roster(ctx.caller, region).is_some_and(|r| r.invitation_counted >= w.limits.invitation_members_per_admin) {
        return Err(Unprocessed::new(
            id,
            "INVITATION_LIMIT_REACHED",
            "The administrator has reached its invitation member limit (QUOTA-2)",
        ));
    }
    let rule = if matches!(w.account(member).placement, crate::model::Placement::Outside(Some(_))) {
        RuleId::MEMBER_6
    } else {
        RuleId::MEMBER_8
    };
    if existing.is_some() {
        cascade::purge_record(tx, region, ctx.caller, member, RuleId::LIFE_2);
    }
    let record = MemberRecord {
        administrator: ctx.caller,
        member_type: MemberType::Invitation,
        status: MemberStatus::Created,
        updated_at: tx.now,
        contact: None,
    }
    .with_contact(Contact { email: detail.email.as_deref().map(Into::into), ..Contact::default() });
    tx.emit(rule, Change::MemberRecord { region, member, record });
    Ok(())
}

/// Resolves ids to accounts that have a record with the caller, or reports which do not.
fn records_of(w: &World, ctx: Ctx, ids: &[AccountId]) -> Vec<(AccountId, Option<(AccountIdx, MemberRecord)>)> {
    ids.iter()
        .map(|id| {
            let found = w.account_idx(*id).and_then(|m| w.record(ctx.caller, m, ctx.region).map(|r| (m, r)));
            (*id, found)
        })
        .collect()
}

pub(super) fn disassociate_members(tx: &mut Tx, ctx: Ctx, ids: &[AccountId]) -> Result<Response, ApiError> {
    access::batch_size(ids.len(), tx.w().limits.batch_accounts, "AccountIds")?;
    access::hub_on(tx.w(), ctx)?;
    access::not_enabled_member(tx.w(), ctx, ErrorCode::InvalidAccessException)?;
    access::not_being_removed(tx.w(), ctx)?;
    let records = records_of(tx.w(), ctx, ids);
    // OP-D9 MODEL CHOICE: all-or-nothing (the response has no UnprocessedAccounts).
    for (id, found) in &records {
        match found {
            Some((_, record)) if record.status == MemberStatus::Enabled => {}
            _ => {
                return Err(ApiError::new(
                    RuleId::MEMBER_8,
                    ErrorCode::ResourceNotFoundException,
                    format!("Account {id} is not an enabled member of this administrator"),
                ));
            }
        }
    }
    for (id, found) in &records {
        let (member, record) = found.as_ref().expect("checked above");
        if record.member_type == MemberType::Organization && tx.w().is_centrally_managed(*member, ctx.region) {
            // ACT-2: a centrally managed member must first be made self-managed.
            return Err(access::invalid(
                RuleId::ACT_2,
                format!("Account {id} is centrally managed; make it self-managed before disassociating it"),
            ));
        }
    }
    for (_, found) in records {
        let (member, record) = found.expect("checked above");
        // MEMBER-8: Enabled → Removed; the member keeps its hub and settings.
        cascade::set_record(
            tx,
            ctx.region,
            ctx.caller,
            member,
            record.member_type,
            MemberStatus::Removed,
            RuleId::MEMBER_8,
        );
    }
    Ok(json!({}))
}

pub(super) fn delete_members(tx: &mut Tx, ctx: Ctx, ids: &[AccountId]) -> Result<Response, ApiError> {
    access::batch_size(ids.len(), tx.w().limits.batch_accounts, "AccountIds")?;
    access::hub_on(tx.w(), ctx)?;
    access::not_enabled_member(tx.w(), ctx, ErrorCode::InvalidAccessException)?;
    access::not_being_removed(tx.w(), ctx)?;
    let mut unprocessed = Vec::new();
    for (id, found) in records_of(tx.w(), ctx, ids) {
        let Some((member, record)) = found else {
            unprocessed.push(Unprocessed::new(id, "NOT_MEMBER", "The account is not a member of this administrator"));
            continue;
        };
        if record.member_type == MemberType::Organization && tx.w().in_org(member) {
            // organization records can only be Removed, never deleted.
            unprocessed.push(Unprocessed::new(
                id,
                "ORGANIZATION_ACCOUNT",
                "Organization accounts cannot be deleted; disassociate them instead",
            ));
            continue;
        }
        if record.status == MemberStatus::Enabled {
            unprocessed.push(Unprocessed::new(id, "INVALID_STATE", "Disassociate the member before deleting it"));
            continue;
        }
        // MEMBER-9: the record vanishes (and any pending invitation with it).
        cascade::delete_record(tx, ctx.region, ctx.caller, member);
    }
    Ok(respond::unprocessed(unprocessed))
}

pub(super) fn get_members(w: &World, ctx: Ctx, ids: &[AccountId]) -> Result<Response, ApiError> {
    access::batch_size(ids.len(), w.limits.batch_accounts, "AccountIds")?;
    access::hub_on(w, ctx)?;
    access::not_enabled_member(w, ctx, ErrorCode::InvalidAccessException)?;
    let mut members = Vec::new();
    let mut unprocessed = Vec::new();
    for (id, found) in records_of(w, ctx, ids) {
        match found {
            Some((member, record)) => members.push(respond::member(w, member, &record)),
            None => unprocessed.push(Unprocessed::new(
                id,
                "NOT_MEMBER",
                "The account is not a member of this administrator",
            )),
        }
    }
    let mut out = respond::unprocessed(unprocessed);
    out["Members"] = Value::Array(members);
    Ok(out)
}

pub(super) fn list_members(
    w: &World,
    ctx: Ctx,
    only_associated: Option<bool>,
    max_results: Option<u32>,
    next_token: Option<&str>,
) -> Result<Response, ApiError> {
    let page_size = access::page_size(max_results, 50)?;
    access::hub_on(w, ctx)?;
    access::not_enabled_member(w, ctx, ErrorCode::InvalidAccessException)?;
    // MEMBER-12: only Enabled records unless OnlyAssociated=false; MEMBER-11: organization accounts
    // without a record are not listed.
    let only_enabled = only_associated.unwrap_or(true);
    let listed: Vec<AccountIdx> = w
        .members_of(ctx.caller, ctx.region)
        .into_iter()
        .filter(|m| {
            !only_enabled || w.record(ctx.caller, *m, ctx.region).is_some_and(|r| r.status == MemberStatus::Enabled)
        })
        .collect();
    let (page, next) = respond::page(listed, page_size, next_token);
    let members: Vec<Value> = page
        .into_iter()
        .map(|m| respond::member(w, m, &w.record(ctx.caller, m, ctx.region).expect("listed from the records")))
        .collect();
    let mut out = json!({ "Members": members });
    if let Some(next) = next {
        out["NextToken"] = Value::String(next);
    }
    Ok(out)
}
