//! Permission and precondition checks shared by the operation families: the allowed-actions
//! matrix (ACT-1, ACT-2) expressed as the error each forbidden caller gets (ERR-3 … ERR-9), plus
//! the request-shape checks of ERR-2 and QUOTA-3/4.
//!
//! Each check returns `Err(ApiError)` citing the rule that refuses; handlers call them in ERR-1
//! order and only then decide effects.

use super::Ctx;
use super::catalog::RuleId;
use super::outcome::{ApiError, ErrorCode};
use crate::model::{AccountIdx, AdminStatus, CentralPhase, World};

/// Work and AWS events can only be performed by the service itself.
pub(super) fn service_only(name: &str) -> ApiError {
    ApiError::new(
        RuleId::GEN_2,
        ErrorCode::AccessDeniedException,
        format!("{name} is performed by AWS itself, not by an account"),
    )
}

/// REG-4: the request Region must be usable for the caller.
pub(super) fn usable_region(w: &World, ctx: Ctx) -> Result<(), ApiError> {
    if w.region_usable(ctx.caller, ctx.region) {
        Ok(())
    } else {
        Err(ApiError::new(
            RuleId::REG_4,
            ErrorCode::RegionNotEnabledForAccount,
            format!("Region {} is not enabled for account {}", w.regions.get(ctx.region), w.account_id(ctx.caller)),
        ))
    }
}

/// ERR-3: the caller's hub must be on in the request Region.
pub(super) fn hub_on(w: &World, ctx: Ctx) -> Result<(), ApiError> {
    if w.hub_enabled(ctx.caller, ctx.region) {
        Ok(())
    } else {
        Err(ApiError::new(
            RuleId::ERR_3,
            ErrorCode::InvalidAccessException,
            format!("Account {} is not subscribed to AWS Security Hub", w.account_id(ctx.caller)),
        ))
    }
}

/// ERR-4: organization-admin operations are for the management account only (ADMIN-1). ACT-4:
/// without being the Security Hub administrator the management account has no member rights,
/// which the role checks below (ERR-5, ERR-6) enforce.
pub(super) fn management(w: &World, ctx: Ctx) -> Result<(), ApiError> {
    if !w.in_org(ctx.caller) {
        return Err(ApiError::new(
            RuleId::ERR_4,
            ErrorCode::AccessDeniedException,
            "Your account is not a member of an organization",
        ));
    }
    if !w.is_management(ctx.caller) {
        return Err(ApiError::new(
            RuleId::ADMIN_1,
            ErrorCode::AccessDeniedException,
            format!(
                "Account {} is not the management account of the organization; only it can manage the Security Hub administrator",
                w.account_id(ctx.caller)
            ),
        ));
    }
    Ok(())
}

/// ERR-5: the caller must be the Security Hub administrator of the request Region. With `write`,
/// a designation being removed no longer allows changes (TIME-6 MODEL CHOICE: reads see the old
/// state, admin-only writes fail).
pub(super) fn sh_admin(w: &World, ctx: Ctx, write: bool) -> Result<(), ApiError> {
    match w.designation(ctx.region) {
        Some(d) if d.account == ctx.caller && (!write || d.status == AdminStatus::Enabled) => Ok(()),
        _ => Err(not_admin(w, ctx.caller)),
    }
}

/// The ERR-5 refusal.
pub(super) fn not_admin(w: &World, account: AccountIdx) -> ApiError {
    ApiError::new(
        RuleId::ERR_5,
        ErrorCode::InvalidAccessException,
        format!("Account {} is not an administrator for this organization", w.account_id(account)),
    )
}

/// TIME-6 MODEL CHOICE: while the caller's designation is being removed, its administrator-only
/// writes (member management) fail with ERR-5.
pub(super) fn not_being_removed(w: &World, ctx: Ctx) -> Result<(), ApiError> {
    match w.designation(ctx.region) {
        Some(d) if d.account == ctx.caller && d.status == AdminStatus::DisableInProgress => {
            Err(not_admin(w, ctx.caller))
        }
        _ => Ok(()),
    }
}

/// ERR-6: an `Enabled` member cannot act as an administrator of others (ADMIN-13).
pub(super) fn not_enabled_member(w: &World, ctx: Ctx, code: ErrorCode) -> Result<(), ApiError> {
    match w.enabled_membership(ctx.caller, ctx.region) {
        None => Ok(()),
        Some(record) => Err(ApiError::new(
            RuleId::ERR_6,
            code,
            format!(
                "Account {} is a member of administrator {} and cannot manage members of its own",
                w.account_id(ctx.caller),
                w.account_id(record.administrator)
            ),
        )),
    }
}

/// HUB-5 / ERR-9: account-specific configuration is refused for centrally managed accounts in the
/// home and linked Regions. ACT-3: this includes the DA itself when a policy governs it.
pub(super) fn not_centrally_managed(w: &World, ctx: Ctx) -> Result<(), ApiError> {
    if w.is_centrally_managed(ctx.caller, ctx.region) {
        Err(ApiError::new(
            RuleId::HUB_5,
            ErrorCode::AccessDeniedException,
            "This account is currently associated with a central configuration policy, so only the administrator can access this operation.",
        ))
    } else {
        Ok(())
    }
}

/// CENTRAL-7: central-configuration operations are for the DA, from the home Region, while
/// central configuration is ENABLED (ERR-7, ERR-8).
pub(super) fn central_da(w: &World, ctx: Ctx) -> Result<(), ApiError> {
    central_da_for(w, ctx, true)
}

/// CENTRAL-7 for reads: during a trusted-access or deregistration clean-up (TIME-6 MODEL CHOICE)
/// reads still see the old state, so they need only the DA of a central configuration that is on.
pub(super) fn central_da_read(w: &World, ctx: Ctx) -> Result<(), ApiError> {
    central_da_for(w, ctx, false)
}

fn central_da_for(w: &World, ctx: Ctx, write: bool) -> Result<(), ApiError> {
    hub_on(w, ctx)?;
    let organizations_intact = w.org.trusted_access && w.org.delegated_admin == Some(ctx.caller);
    let is_da = w.central.da == Some(ctx.caller)
        && w.central.phase == CentralPhase::Enabled
        && (organizations_intact || !write);
    if !is_da {
        return Err(ApiError::new(
            RuleId::ERR_7,
            ErrorCode::AccessDeniedException,
            "Must be a Security Hub delegated administrator with Central Configuration enabled",
        ));
    }
    if w.central.home != Some(ctx.region) {
        return Err(ApiError::new(
            RuleId::ERR_8,
            ErrorCode::AccessDeniedException,
            "Central Configuration APIs can only be called from the aggregation region",
        ));
    }
    Ok(())
}

/// ERR-2 / QUOTA-3: an account-id list must hold 1 to `max` items.
pub(super) fn batch_size(len: usize, max: usize, what: &str) -> Result<(), ApiError> {
    if len == 0 || len > max {
        Err(ApiError::new(
            RuleId::QUOTA_3,
            ErrorCode::InvalidInputException,
            format!("{what} must contain between 1 and {max} items; got {len}"),
        ))
    } else {
        Ok(())
    }
}

/// ERR-2 / QUOTA-4: `MaxResults` must be within the operation's page bounds.
pub(super) fn page_size(max_results: Option<u32>, max: u32) -> Result<usize, ApiError> {
    match max_results {
        None => Ok(max as usize),
        Some(n) if (1..=max).contains(&n) => Ok(n as usize),
        Some(n) => Err(ApiError::new(
            RuleId::QUOTA_4,
            ErrorCode::InvalidInputException,
            format!("MaxResults must be between 1 and {max}; got {n}"),
        )),
    }
}

/// ERR-2: an invalid request value.
pub(super) fn invalid(rule: RuleId, message: impl Into<String>) -> ApiError {
    ApiError::new(rule, ErrorCode::InvalidInputException, message)
}
