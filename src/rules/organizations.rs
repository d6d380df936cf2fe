//! AWS Organizations and Account Management operations (OP-A1 … OP-A10), the AWS Config recorder
//! switch, and the events AWS itself causes (suspension, reactivation).
//!
//! Implements ORG-*, REG-1/2/3, TRUST-1/3/4/5, ADMIN-5, ADMIN-10c and the lifecycle cascades they
//! start (LIFE-1 … LIFE-7, LIFE-12). Organizations is global (GEN-2): the request Region is
//! ignored. Sources: the Organizations and Account Management API references (RULES.md §3.2).

use serde_json::{Value, json};

use super::access;
use super::cascade;
use super::catalog::RuleId;
use super::change::{Change, RegionOptStatus};
use super::outcome::{ApiError, DelayClass, ErrorCode, Response};
use super::{Ctx, Operation, ServiceWork, Tx};
use crate::model::{
    AccountId, AccountIdx, AccountState, AdminStatus, FeatureSet, HandshakeState, JoinMethod, NodeIdx, Placement,
    SimDuration, World,
};

/// The service principal of Security Hub.
pub const SECURITYHUB_PRINCIPAL: &str = "securityhub.amazonaws.com";
/// The service principal of AWS Account Management (REG-3).
pub const ACCOUNT_PRINCIPAL: &str = "account.amazonaws.com";

pub(super) fn apply(tx: &mut Tx, ctx: Ctx, operation: &Operation) -> Result<Response, ApiError> {
    use Operation::*;
    match operation {
        EnableAwsServiceAccess { service_principal } => enable_service_access(tx, ctx, service_principal),
        DisableAwsServiceAccess { service_principal } => disable_service_access(tx, ctx, service_principal),
        RegisterDelegatedAdministrator { account_id, service_principal } => {
            register_delegated_administrator(tx, ctx, *account_id, service_principal)
        }
        DeregisterDelegatedAdministrator { account_id, service_principal } => {
            deregister_delegated_administrator(tx, ctx, *account_id, service_principal)
        }
        CreateAccount { email, account_name, account_id } => create_account(tx, ctx, email, account_name, *account_id),
        InviteAccountToOrganization { target, .. } => invite_account(tx, ctx, target.id, &target.party_type),
        AcceptHandshake { handshake_id } => respond_to_handshake(tx, ctx, handshake_id, true),
        DeclineHandshake { handshake_id } => respond_to_handshake(tx, ctx, handshake_id, false),
        RemoveAccountFromOrganization { account_id } => remove_account(tx, ctx, *account_id),
        LeaveOrganization {} => leave_organization(tx, ctx),
        MoveAccount { account_id, source_parent_id, destination_parent_id } => {
            move_account(tx, ctx, *account_id, source_parent_id, destination_parent_id)
        }
        CloseAccount { account_id } => close_account(tx, ctx, *account_id),
        CreateOrganizationalUnit { parent_id, name } => create_ou(tx, ctx, parent_id, name),
        DeleteOrganizationalUnit { organizational_unit_id } => delete_ou(tx, ctx, organizational_unit_id),
        other => unreachable!("{} is not an Organizations operation", other.name()),
    }
}

/// Account Management and AWS Config operations.
pub(super) fn apply_account(tx: &mut Tx, ctx: Ctx, operation: &Operation) -> Result<Response, ApiError> {
    use Operation::*;
    match operation {
        EnableRegion { account_id, region_name } => change_region_opt_in(tx, ctx, *account_id, region_name, true),
        DisableRegion { account_id, region_name } => change_region_opt_in(tx, ctx, *account_id, region_name, false),
        GetRegionOptStatus { account_id, region_name } => get_region_opt_status(tx.w(), ctx, *account_id, region_name),
        StartConfigurationRecorder { .. } | StopConfigurationRecorder { .. } => {
            access::usable_region(tx.w(), ctx)?;
            let on = matches!(operation, StartConfigurationRecorder { .. });
            if tx.w().ar(ctx.caller, ctx.region).config_recording() != on {
                // POLICY-9: recording is the account's own setting; no policy carries it.
                tx.emit(RuleId::POLICY_9, Change::ConfigRecording { account: ctx.caller, region: ctx.region, on });
            }
            Ok(Value::Null)
        }
        other => unreachable!("{} is not an Account Management or Config operation", other.name()),
    }
}

/// Events caused by AWS itself (caller `aws`): LIFE-3 suspension and reactivation.
pub(super) fn aws_event(tx: &mut Tx, operation: &Operation) -> Result<Response, ApiError> {
    let (account_id, suspend) = match operation {
        Operation::SuspendAccount { account_id } => (*account_id, true),
        Operation::ReactivateAccount { account_id } => (*account_id, false),
        other => unreachable!("{} is not an AWS event", other.name()),
    };
    let account = known_account(tx.w(), account_id)?;
    let state = tx.w().account(account).state;
    match (suspend, state) {
        (true, AccountState::Active) => {
            tx.emit(RuleId::LIFE_3, Change::AccountStateChanged { account, state: AccountState::Suspended })
        }
        // LIFE-4 step 4: reopening within 90 days restores the account but not its memberships.
        (false, AccountState::Suspended | AccountState::ClosedSuspended) => {
            let rule = if state == AccountState::ClosedSuspended { RuleId::LIFE_4 } else { RuleId::LIFE_3 };
            tx.emit(rule, Change::AccountStateChanged { account, state: AccountState::Active })
        }
        _ => {}
    }
    Ok(json!({ "AccountId": account_id.to_string(), "State": tx.w().account(account).state.api_name() }))
}

// ---- checks -------------------------------------------------------------------------------------

fn org_management(w: &World, ctx: Ctx) -> Result<(), ApiError> {
    if !w.in_org(ctx.caller) {
        return Err(ApiError::new(
            RuleId::ORG_10,
            ErrorCode::AwsOrganizationsNotInUseException,
            "Your account is not a member of an organization.",
        ));
    }
    if !w.is_management(ctx.caller) {
        return Err(ApiError::new(
            RuleId::TRUST_1,
            ErrorCode::AccessDeniedException,
            "You don't have permissions to access this resource: only the management account can perform this operation.",
        ));
    }
    Ok(())
}

fn all_features(w: &World) -> Result<(), ApiError> {
    if w.org.feature_set == FeatureSet::All {
        Ok(())
    } else {
        Err(ApiError::constraint(
            RuleId::ORG_4,
            "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
            "The organization must have all features enabled.",
        ))
    }
}

fn principal(service_principal: &str, allow_account: bool) -> Result<bool, ApiError> {
    match service_principal {
        SECURITYHUB_PRINCIPAL => Ok(true),
        ACCOUNT_PRINCIPAL if allow_account => Ok(false),
        other => Err(ApiError::new(
            RuleId::TRUST_1,
            ErrorCode::InvalidInputException,
            format!(
                "hubsim models the service principal {SECURITYHUB_PRINCIPAL} (and {ACCOUNT_PRINCIPAL} for trusted access); got `{other}`"
            ),
        )),
    }
}

fn known_account(w: &World, id: AccountId) -> Result<AccountIdx, ApiError> {
    w.account_idx(id).ok_or_else(|| {
        ApiError::new(RuleId::ORG_1, ErrorCode::AccountNotFoundException, format!("Account {id} could not be found."))
    })
}

fn member_of_org(w: &World, id: AccountId) -> Result<AccountIdx, ApiError> {
    let account = known_account(w, id)?;
    if w.in_org(account) {
        Ok(account)
    } else {
        Err(ApiError::new(
            RuleId::ORG_1,
            ErrorCode::AccountNotFoundException,
            format!("Account {id} is not a member of this organization."),
        ))
    }
}

/// Resolves a root or OU id to a live node.
pub(super) fn parent_node(w: &World, text: &str) -> Option<NodeIdx> {
    w.org.node_by_aws_id(text)
}

// ---- trusted access and delegated administrator (OP-A1 … OP-A4) --------------------------------

fn enable_service_access(tx: &mut Tx, ctx: Ctx, service_principal: &str) -> Result<Response, ApiError> {
    let is_securityhub = principal(service_principal, true)?;
    org_management(tx.w(), ctx)?;
    all_features(tx.w())?;
    if is_securityhub {
        if !tx.w().org.trusted_access {
            // TRUST-4: trusted access alone creates no administrator and no members.
            tx.emit(RuleId::TRUST_1, Change::TrustedAccess { enabled: true });
        }
    } else if !tx.w().org.account_management_trusted {
        tx.emit(RuleId::REG_3, Change::AccountManagementTrustedAccess { enabled: true });
    }
    Ok(Value::Null)
}

fn disable_service_access(tx: &mut Tx, ctx: Ctx, service_principal: &str) -> Result<Response, ApiError> {
    let is_securityhub = principal(service_principal, true)?;
    org_management(tx.w(), ctx)?;
    if !is_securityhub {
        if tx.w().org.account_management_trusted {
            tx.emit(RuleId::REG_3, Change::AccountManagementTrustedAccess { enabled: false });
        }
        return Ok(Value::Null);
    }
    if tx.w().org.securityhub_policy_type_enabled {
        return Err(ApiError::constraint(
            RuleId::TRUST_5,
            "POLICY_TYPE_ENABLED_FOR_THIS_SERVICE",
            "Disable the SECURITYHUB_POLICY policy type before disabling trusted access for Security Hub.",
        ));
    }
    if !tx.w().org.trusted_access {
        return Ok(Value::Null);
    }
    tx.emit(RuleId::TRUST_3, Change::TrustedAccess { enabled: false });
    // LIFE-12 / TIME-6: designations show DISABLE_IN_PROGRESS until the clean-up completes.
    for region in tx.w().regions.indices().collect::<Vec<_>>() {
        if let Some(d) = tx.w().designation(region)
            && d.status == AdminStatus::Enabled
        {
            tx.emit(RuleId::TIME_6, Change::AdministratorRemovalStarted { region, account: d.account });
        }
    }
    let home = tx.w().central.home.unwrap_or(ctx.region);
    tx.later(DelayClass::OrganizationsCleanup, home, ServiceWork::CompleteTrustedAccessCleanup {});
    Ok(Value::Null)
}

fn register_delegated_administrator(
    tx: &mut Tx,
    ctx: Ctx,
    account_id: AccountId,
    service_principal: &str,
) -> Result<Response, ApiError> {
    principal(service_principal, false)?;
    org_management(tx.w(), ctx)?;
    all_features(tx.w())?;
    if !tx.w().org.trusted_access {
        return Err(ApiError::constraint(
            RuleId::ADMIN_5,
            "SERVICE_ACCESS_NOT_ENABLED",
            "Trusted access for securityhub.amazonaws.com must be enabled first.",
        ));
    }
    let account = member_of_org(tx.w(), account_id)?;
    if tx.w().is_management(account) {
        return Err(ApiError::constraint(
            RuleId::ORG_7,
            "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
            "The management account cannot be registered as a delegated administrator.",
        ));
    }
    if tx.w().account(account).state.is_suspended() {
        return Err(ApiError::constraint(
            RuleId::ORG_9,
            "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
            format!("Account {account_id} is suspended."),
        ));
    }
    match tx.w().org.delegated_admin {
        Some(existing) if existing == account => {
            return Err(ApiError::new(
                RuleId::ADMIN_6,
                ErrorCode::AccountAlreadyRegisteredException,
                format!(
                    "Account {account_id} is already registered as a delegated administrator for securityhub.amazonaws.com."
                ),
            ));
        }
        Some(existing) => {
            return Err(ApiError::constraint(
                RuleId::QUOTA_8,
                "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE",
                format!(
                    "Account {} is already the delegated administrator for securityhub.amazonaws.com.",
                    tx.w().account_id(existing)
                ),
            ));
        }
        None => {}
    }
    // ADMIN-5: registration only; no Security Hub administrator anywhere.
    tx.emit(RuleId::ADMIN_5, Change::DelegatedAdministratorRegistered { account });
    Ok(Value::Null)
}

fn deregister_delegated_administrator(
    tx: &mut Tx,
    ctx: Ctx,
    account_id: AccountId,
    service_principal: &str,
) -> Result<Response, ApiError> {
    principal(service_principal, false)?;
    org_management(tx.w(), ctx)?;
    let account = tx.w().account_idx(account_id);
    if account.is_none() || tx.w().org.delegated_admin != account {
        return Err(ApiError::new(
            RuleId::ADMIN_10,
            ErrorCode::AccountNotRegisteredException,
            format!(
                "Account {account_id} is not registered as a delegated administrator for securityhub.amazonaws.com."
            ),
        ));
    }
    let account = account.expect("checked above");
    tx.emit(RuleId::ADMIN_10, Change::DelegatedAdministratorDeregistered { account });
    for region in tx.w().regions.indices().collect::<Vec<_>>() {
        if let Some(d) = tx.w().designation(region)
            && d.account == account
            && d.status == AdminStatus::Enabled
        {
            tx.emit(RuleId::ADMIN_12, Change::AdministratorRemovalStarted { region, account });
        }
    }
    tx.later(DelayClass::OrganizationsCleanup, ctx.region, ServiceWork::CompleteDeregistration { account });
    Ok(Value::Null)
}

// ---- accounts joining, leaving, moving, closing (OP-A5 … OP-A8) -----------------------------------

fn account_limit(w: &World) -> Result<(), ApiError> {
    // Accounts still being created will join: they count against the limit already.
    let creating =
        w.accounts.iter().filter(|a| a.state == AccountState::PendingActivation && !a.in_org()).count() as u32;
    if w.org.n_accounts + creating >= w.org.max_accounts {
        Err(ApiError::constraint(
            RuleId::QUOTA_11,
            "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
            format!("The organization already has its maximum of {} accounts.", w.org.max_accounts),
        ))
    } else {
        Ok(())
    }
}

fn create_account(
    tx: &mut Tx,
    ctx: Ctx,
    email: &str,
    account_name: &str,
    account_id: Option<AccountId>,
) -> Result<Response, ApiError> {
    if email.len() < 6 || !email.contains('@') || account_name.is_empty() || account_name.len() > 50 {
        return Err(ApiError::new(
            RuleId::ORG_5,
            ErrorCode::InvalidInputException,
            "Email must be an address of 6 to 64 characters and AccountName 1 to 50 characters.",
        ));
    }
    org_management(tx.w(), ctx)?;
    account_limit(tx.w())?;
    let id = match account_id {
        Some(id) if tx.w().account_idx(id).is_some() => {
            return Err(ApiError::new(
                RuleId::ORG_10,
                ErrorCode::DuplicateAccountException,
                format!("Account {id} already exists; CreateAccount makes a new account."),
            ));
        }
        Some(id) => id,
        None => {
            let mut n = 200_000_000_000 + tx.w().counters.created_accounts;
            loop {
                let id = AccountId::from_number(n).expect("generated ids stay below 10^12");
                if tx.w().account_idx(id).is_none() {
                    break id;
                }
                n += 1;
            }
        }
    };
    tx.emit(RuleId::ORG_5, Change::AccountCreated { account_id: id, email: Some(email.into()) });
    let account = tx.w().account_idx(id).expect("just created");
    tx.emit(RuleId::ORG_5, Change::AccountStateChanged { account, state: AccountState::PendingActivation });
    tx.later(DelayClass::AccountCreation, ctx.region, ServiceWork::CompleteAccountCreation { account });
    Ok(json!({ "CreateAccountStatus": {
        "Id": format!("car-{:032x}", id.number()),
        "AccountName": account_name,
        "AccountId": id.to_string(),
        "State": "IN_PROGRESS",
    }}))
}

fn invite_account(tx: &mut Tx, ctx: Ctx, account_id: AccountId, party_type: &str) -> Result<Response, ApiError> {
    if party_type != "ACCOUNT" {
        return Err(ApiError::new(
            RuleId::ORG_10,
            ErrorCode::InvalidInputException,
            format!("Target Type must be ACCOUNT (email invitations are not modelled); got `{party_type}`"),
        ));
    }
    org_management(tx.w(), ctx)?;
    let account = known_account(tx.w(), account_id)?;
    if tx.w().in_org(account) {
        return Err(ApiError::new(
            RuleId::ORG_10,
            ErrorCode::DuplicateAccountException,
            format!("Account {account_id} is already a member of this organization."),
        ));
    }
    if tx.w().org.handshakes.iter().any(|h| h.account == account && h.state == HandshakeState::Open) {
        return Err(ApiError::new(
            RuleId::ORG_10,
            ErrorCode::DuplicateHandshakeException,
            format!("An open invitation for account {account_id} already exists."),
        ));
    }
    account_limit(tx.w())?;
    tx.emit(RuleId::ORG_10, Change::HandshakeOpened { account });
    let handshake = tx.w().org.handshakes.last().expect("just opened");
    Ok(json!({ "Handshake": { "Id": handshake.aws_id.to_string(), "State": "OPEN", "Action": "INVITE",
        "Parties": [{ "Id": account_id.to_string(), "Type": "ACCOUNT" }] } }))
}

fn respond_to_handshake(tx: &mut Tx, ctx: Ctx, handshake_id: &str, accept: bool) -> Result<Response, ApiError> {
    let Some(idx) = tx.w().org.handshake_by_aws_id(handshake_id) else {
        return Err(ApiError::new(
            RuleId::ORG_10,
            ErrorCode::HandshakeNotFoundException,
            format!("Handshake {handshake_id} not found."),
        ));
    };
    let handshake = &tx.w().org.handshakes[idx.0 as usize];
    if handshake.account != ctx.caller {
        return Err(ApiError::new(
            RuleId::ORG_10,
            ErrorCode::HandshakeNotFoundException,
            format!("Handshake {handshake_id} is not addressed to account {}.", tx.w().account_id(ctx.caller)),
        ));
    }
    if handshake.state != HandshakeState::Open {
        return Err(ApiError::new(
            RuleId::ORG_10,
            ErrorCode::InvalidHandshakeTransitionException,
            format!("Handshake {handshake_id} is {:?}, not OPEN.", handshake.state),
        ));
    }
    if !accept {
        tx.emit(RuleId::ORG_10, Change::HandshakeStateChanged { handshake: idx, state: HandshakeState::Declined });
        return Ok(json!({ "Handshake": { "Id": handshake_id, "State": "DECLINED" } }));
    }
    if let Placement::Outside(Some(_)) = tx.w().account(ctx.caller).placement {
        return Err(ApiError::new(
            RuleId::ORG_10,
            ErrorCode::HandshakeConstraintViolationException,
            "The account is already a member of another organization; it must leave it first.",
        ));
    }
    account_limit(tx.w())?;
    tx.emit(RuleId::ORG_10, Change::HandshakeStateChanged { handshake: idx, state: HandshakeState::Accepted });
    cascade::account_joined(tx, ctx.caller, JoinMethod::Invited);
    Ok(json!({ "Handshake": { "Id": handshake_id, "State": "ACCEPTED" } }))
}

fn check_can_leave(w: &World, account: AccountIdx) -> Result<(), ApiError> {
    if w.is_management(account) {
        return Err(ApiError::new(
            RuleId::ORG_7,
            ErrorCode::MasterCannotLeaveOrganizationException,
            "The management account cannot leave or be removed from the organization.",
        ));
    }
    if w.org.delegated_admin == Some(account) {
        return Err(ApiError::constraint(
            RuleId::ORG_8,
            "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
            format!("Account {} is a registered delegated administrator; deregister it first.", w.account_id(account)),
        ));
    }
    Ok(())
}

fn remove_account(tx: &mut Tx, ctx: Ctx, account_id: AccountId) -> Result<Response, ApiError> {
    org_management(tx.w(), ctx)?;
    let account = member_of_org(tx.w(), account_id)?;
    check_can_leave(tx.w(), account)?;
    cascade::account_left(tx, account, RuleId::LIFE_2);
    Ok(Value::Null)
}

fn leave_organization(tx: &mut Tx, ctx: Ctx) -> Result<Response, ApiError> {
    if !tx.w().in_org(ctx.caller) {
        return Err(ApiError::new(
            RuleId::ORG_10,
            ErrorCode::AwsOrganizationsNotInUseException,
            "Your account is not a member of an organization.",
        ));
    }
    check_can_leave(tx.w(), ctx.caller)?;
    let account = tx.w().account(ctx.caller);
    if account.join_method == Some(JoinMethod::Created)
        && account.joined_at.is_some_and(|t| tx.now.since(t) < SimDuration::from_days(4))
    {
        return Err(ApiError::constraint(
            RuleId::LIFE_2,
            "ACCOUNT_CANNOT_LEAVE_ORGANIZATION",
            "An account created in the organization can leave only after it is at least four days old.",
        ));
    }
    cascade::account_left(tx, ctx.caller, RuleId::LIFE_2);
    Ok(Value::Null)
}

fn move_account(
    tx: &mut Tx,
    ctx: Ctx,
    account_id: AccountId,
    source: &str,
    destination: &str,
) -> Result<Response, ApiError> {
    org_management(tx.w(), ctx)?;
    let account = member_of_org(tx.w(), account_id)?;
    let from = parent_node(tx.w(), source).ok_or_else(|| {
        ApiError::new(
            RuleId::ORG_1,
            ErrorCode::SourceParentNotFoundException,
            format!("Source parent {source} not found."),
        )
    })?;
    let to = parent_node(tx.w(), destination).ok_or_else(|| {
        ApiError::new(
            RuleId::ORG_1,
            ErrorCode::DestinationParentNotFoundException,
            format!("Destination parent {destination} not found."),
        )
    })?;
    if tx.w().account(account).parent != Some(from) {
        return Err(ApiError::new(
            RuleId::ORG_1,
            ErrorCode::AccountNotFoundException,
            format!("Account {account_id} is not under {source}."),
        ));
    }
    if from == to {
        return Err(ApiError::new(
            RuleId::ORG_1,
            ErrorCode::DuplicateAccountException,
            format!("Account {account_id} is already under {destination}."),
        ));
    }
    let before = tx.w().effective(account).value();
    tx.emit(RuleId::ORG_1, Change::AccountMoved { account, from, to });
    // LIFE-5: under central configuration a changed effective value is applied anew (ASSOC-17).
    let scope = tx.w().central_scope();
    if !scope.is_empty() && tx.w().effective(account).value() != before {
        cascade::retarget(tx, account, scope, None, RuleId::LIFE_5);
    }
    Ok(Value::Null)
}

fn close_account(tx: &mut Tx, ctx: Ctx, account_id: AccountId) -> Result<Response, ApiError> {
    org_management(tx.w(), ctx)?;
    let account = member_of_org(tx.w(), account_id)?;
    if tx.w().is_management(account) {
        return Err(ApiError::constraint(
            RuleId::ORG_7,
            "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
            "The management account cannot be closed with CloseAccount.",
        ));
    }
    let state = tx.w().account(account).state;
    if matches!(state, AccountState::PendingClosure | AccountState::ClosedSuspended | AccountState::Closed) {
        return Err(ApiError::new(
            RuleId::ORG_5,
            ErrorCode::AccountAlreadyClosedException,
            format!("Account {account_id} is already closed or closing."),
        ));
    }
    let window = SimDuration::from_days(30);
    let recent = tx.w().org.closures.iter().filter(|t| tx.now.since(**t) < window).count() as u32;
    let members = tx.w().org.n_accounts.saturating_sub(1);
    let quota = (members / 5).clamp(250, 1_000);
    if recent >= quota {
        return Err(ApiError::constraint(
            RuleId::QUOTA_12,
            "CLOSE_ACCOUNT_QUOTA_EXCEEDED",
            format!("At most {quota} accounts can be closed within 30 days."),
        ));
    }
    tx.emit(RuleId::ORG_5, Change::AccountStateChanged { account, state: AccountState::PendingClosure });
    tx.later(DelayClass::AccountClosure, ctx.region, ServiceWork::CompleteAccountClosure { account });
    Ok(Value::Null)
}

fn create_ou(tx: &mut Tx, ctx: Ctx, parent_id: &str, name: &str) -> Result<Response, ApiError> {
    if name.is_empty() || name.len() > 128 || name.contains('/') {
        return Err(ApiError::new(
            RuleId::ORG_1,
            ErrorCode::InvalidInputException,
            "Name must be 1 to 128 characters (hubsim also reserves `/` for OU paths).",
        ));
    }
    org_management(tx.w(), ctx)?;
    let parent = parent_node(tx.w(), parent_id).ok_or_else(|| {
        ApiError::new(RuleId::ORG_1, ErrorCode::ParentNotFoundException, format!("Parent {parent_id} not found."))
    })?;
    let parent_node = tx.w().org.node(parent);
    if parent_node.depth as usize >= crate::model::MAX_OU_DEPTH {
        return Err(ApiError::constraint(
            RuleId::ORG_2,
            "OU_DEPTH_LIMIT_EXCEEDED",
            "OUs can be nested at most five levels below the root.",
        ));
    }
    if parent_node.child_ous.iter().any(|c| &*tx.w().org.node(*c).name == name) {
        return Err(ApiError::new(
            RuleId::ORG_1,
            ErrorCode::DuplicateOrganizationalUnitException,
            format!("An OU named {name} already exists under {parent_id}."),
        ));
    }
    tx.emit(RuleId::ORG_1, Change::OrganizationalUnitCreated { parent, name: name.into() });
    let node = tx.w().org.nodes.last().expect("just created");
    Ok(json!({ "OrganizationalUnit": { "Id": node.aws_id.to_string(), "Name": name, "Path": node.path.to_string() } }))
}

fn delete_ou(tx: &mut Tx, ctx: Ctx, ou_id: &str) -> Result<Response, ApiError> {
    org_management(tx.w(), ctx)?;
    let node = parent_node(tx.w(), ou_id).filter(|n| !n.is_root()).ok_or_else(|| {
        ApiError::new(RuleId::ORG_1, ErrorCode::OrganizationalUnitNotFoundException, format!("OU {ou_id} not found."))
    })?;
    let n = tx.w().org.node(node);
    if !n.accounts.is_empty() || !n.child_ous.is_empty() {
        return Err(ApiError::new(
            RuleId::ORG_3,
            ErrorCode::OrganizationalUnitNotEmptyException,
            format!("OU {ou_id} still contains accounts or OUs."),
        ));
    }
    let target = crate::model::Target::Node(node);
    if tx.w().applied(target).is_some() {
        tx.emit(RuleId::LIFE_6, Change::AssociationRemoved { target });
    }
    tx.emit(RuleId::ORG_3, Change::OrganizationalUnitDeleted { node });
    Ok(Value::Null)
}

// ---- opt-in Regions (OP-A10) --------------------------------------------------------------------

fn target_for_region_op(w: &World, ctx: Ctx, account_id: Option<AccountId>) -> Result<AccountIdx, ApiError> {
    let Some(id) = account_id else { return Ok(ctx.caller) };
    let target = w.account_idx(id).ok_or_else(|| {
        ApiError::new(RuleId::REG_3, ErrorCode::AccessDeniedException, format!("Account {id} is not known."))
    })?;
    if target == ctx.caller {
        return Ok(target);
    }
    // REG-3 MODEL CHOICE: the management account may act for members when Account Management
    // has trusted access.
    if w.is_management(ctx.caller) && w.org.account_management_trusted && w.in_org(target) {
        Ok(target)
    } else {
        Err(ApiError::new(
            RuleId::REG_3,
            ErrorCode::AccessDeniedException,
            format!(
                "Account {} may not change Regions of account {id}: only the account itself, or the management account with trusted access for AWS Account Management",
                w.account_id(ctx.caller)
            ),
        ))
    }
}

fn opt_in_region(w: &World, region_name: &str) -> Result<crate::model::RegionIdx, ApiError> {
    let region = crate::model::Region::parse(region_name).ok_or_else(|| {
        ApiError::new(RuleId::REG_1, ErrorCode::ValidationException, format!("`{region_name}` is not a Region code."))
    })?;
    if !region.is_opt_in() {
        return Err(ApiError::new(
            RuleId::REG_1,
            ErrorCode::ValidationException,
            format!("{region_name} is enabled by default and cannot be enabled or disabled."),
        ));
    }
    w.regions.idx_of(region).ok_or_else(|| {
        ApiError::new(
            RuleId::REG_1,
            ErrorCode::ValidationException,
            format!("{region_name} is not among the scenario's Regions."),
        )
    })
}

fn change_region_opt_in(
    tx: &mut Tx,
    ctx: Ctx,
    account_id: Option<AccountId>,
    region_name: &str,
    enable: bool,
) -> Result<Response, ApiError> {
    let region = opt_in_region(tx.w(), region_name)?;
    let account = target_for_region_op(tx.w(), ctx, account_id)?;
    let acct = tx.w().account(account);
    let (busy, done) = if enable {
        (acct.disabling.contains(region), acct.opted_in.contains(region) || acct.enabling.contains(region))
    } else {
        (acct.enabling.contains(region), !acct.opted_in.contains(region) && !acct.enabling.contains(region))
    };
    if busy {
        return Err(ApiError::new(
            RuleId::REG_1,
            ErrorCode::ConflictException,
            format!("{region_name} is being {} for this account.", if enable { "disabled" } else { "enabled" }),
        ));
    }
    if done {
        return Ok(Value::Null);
    }
    let status = if enable { RegionOptStatus::Enabling } else { RegionOptStatus::Disabling };
    tx.emit(RuleId::REG_1, Change::RegionOptStatusChanged { account, region, status });
    tx.later(DelayClass::RegionOptIn, region, ServiceWork::CompleteRegionOptStatusChange { account, region, enable });
    Ok(Value::Null)
}

fn get_region_opt_status(
    w: &World,
    ctx: Ctx,
    account_id: Option<AccountId>,
    region_name: &str,
) -> Result<Response, ApiError> {
    let region = crate::model::Region::parse(region_name).ok_or_else(|| {
        ApiError::new(RuleId::REG_1, ErrorCode::ValidationException, format!("`{region_name}` is not a Region code."))
    })?;
    let account = target_for_region_op(w, ctx, account_id)?;
    let status = match w.regions.idx_of(region) {
        _ if !region.is_opt_in() => "ENABLED_BY_DEFAULT",
        Some(idx) if w.account(account).opted_in.contains(idx) => "ENABLED",
        Some(idx) if w.account(account).enabling.contains(idx) => "ENABLING",
        Some(idx) if w.account(account).disabling.contains(idx) => "DISABLING",
        _ => "DISABLED",
    };
    Ok(json!({ "RegionName": region_name, "RegionOptStatus": status }))
}
