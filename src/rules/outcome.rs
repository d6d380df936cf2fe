//! What applying a call produces: the API response or error, the ordered effects (each a typed
//! change of state with the rule behind it), and the follow-up work the service will do later.
//!
//! A simulated API error is an ordinary `Outcome`, not a Rust `Err`: `AccessDeniedException` is
//! behaviour to record, not a failure of hubsim. An error outcome never carries effects (GEN-3).

use std::fmt;

use serde::Serialize;

use super::call::{Call, ServiceWork};
use super::catalog::RuleId;
use super::change::Change;
use crate::model::RegionIdx;

/// The exception names AWS uses (Security Hub, Organizations, Account Management), plus the
/// simulator-level `RegionNotEnabledForAccount` of REG-4.
///
/// ERR-10: throttling (QUOTA-10 rates) is `LimitExceededException` for Security Hub and
/// `TooManyRequestsException` for Organizations; the simulator's quota and fault model produces
/// it before a call reaches the engine. ERR-11: state conflicts are `ResourceConflictException`;
/// ERR-13: whole-request quota refusals are `LimitExceededException`, member quotas per item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[allow(missing_docs)]
pub enum ErrorCode {
    // Security Hub (ERR catalogue).
    InvalidInputException,
    InvalidAccessException,
    AccessDeniedException,
    ResourceNotFoundException,
    ResourceConflictException,
    LimitExceededException,
    InternalException,
    ResourceInUseException,
    // Organizations.
    #[serde(rename = "AWSOrganizationsNotInUseException")]
    AwsOrganizationsNotInUseException,
    ConstraintViolationException,
    AccountNotFoundException,
    AccountNotRegisteredException,
    AccountAlreadyRegisteredException,
    AccountAlreadyClosedException,
    MasterCannotLeaveOrganizationException,
    OrganizationalUnitNotEmptyException,
    OrganizationalUnitNotFoundException,
    ParentNotFoundException,
    SourceParentNotFoundException,
    DestinationParentNotFoundException,
    DuplicateAccountException,
    DuplicateOrganizationalUnitException,
    DuplicateHandshakeException,
    HandshakeNotFoundException,
    InvalidHandshakeTransitionException,
    HandshakeConstraintViolationException,
    TooManyRequestsException,
    ServiceException,
    // Account Management.
    ValidationException,
    ConflictException,
    // Simulator-level (REG-4).
    RegionNotEnabledForAccount,
}

impl ErrorCode {
    /// The exception name.
    pub fn name(self) -> &'static str {
        use ErrorCode::*;
        match self {
            InvalidInputException => "InvalidInputException",
            InvalidAccessException => "InvalidAccessException",
            AccessDeniedException => "AccessDeniedException",
            ResourceNotFoundException => "ResourceNotFoundException",
            ResourceConflictException => "ResourceConflictException",
            LimitExceededException => "LimitExceededException",
            InternalException => "InternalException",
            ResourceInUseException => "ResourceInUseException",
            AwsOrganizationsNotInUseException => "AWSOrganizationsNotInUseException",
            ConstraintViolationException => "ConstraintViolationException",
            AccountNotFoundException => "AccountNotFoundException",
            AccountNotRegisteredException => "AccountNotRegisteredException",
            AccountAlreadyRegisteredException => "AccountAlreadyRegisteredException",
            AccountAlreadyClosedException => "AccountAlreadyClosedException",
            MasterCannotLeaveOrganizationException => "MasterCannotLeaveOrganizationException",
            OrganizationalUnitNotEmptyException => "OrganizationalUnitNotEmptyException",
            OrganizationalUnitNotFoundException => "OrganizationalUnitNotFoundException",
            ParentNotFoundException => "ParentNotFoundException",
            SourceParentNotFoundException => "SourceParentNotFoundException",
            DestinationParentNotFoundException => "DestinationParentNotFoundException",
            DuplicateAccountException => "DuplicateAccountException",
            DuplicateOrganizationalUnitException => "DuplicateOrganizationalUnitException",
            DuplicateHandshakeException => "DuplicateHandshakeException",
            HandshakeNotFoundException => "HandshakeNotFoundException",
            InvalidHandshakeTransitionException => "InvalidHandshakeTransitionException",
            HandshakeConstraintViolationException => "HandshakeConstraintViolationException",
            TooManyRequestsException => "TooManyRequestsException",
            ServiceException => "ServiceException",
            ValidationException => "ValidationException",
            ConflictException => "ConflictException",
            RegionNotEnabledForAccount => "RegionNotEnabledForAccount",
        }
    }

    /// Parses an exception name.
    pub fn parse(name: &str) -> Option<ErrorCode> {
        ALL_ERROR_CODES.iter().copied().find(|c| c.name() == name)
    }
}

/// Every error code, for parsing and listing.
pub const ALL_ERROR_CODES: &[ErrorCode] = {
    use ErrorCode::*;
    &[
        InvalidInputException,
        InvalidAccessException,
        AccessDeniedException,
        ResourceNotFoundException,
        ResourceConflictException,
        LimitExceededException,
        InternalException,
        ResourceInUseException,
        AwsOrganizationsNotInUseException,
        ConstraintViolationException,
        AccountNotFoundException,
        AccountNotRegisteredException,
        AccountAlreadyRegisteredException,
        AccountAlreadyClosedException,
        MasterCannotLeaveOrganizationException,
        OrganizationalUnitNotEmptyException,
        OrganizationalUnitNotFoundException,
        ParentNotFoundException,
        SourceParentNotFoundException,
        DestinationParentNotFoundException,
        DuplicateAccountException,
        DuplicateOrganizationalUnitException,
        DuplicateHandshakeException,
        HandshakeNotFoundException,
        InvalidHandshakeTransitionException,
        HandshakeConstraintViolationException,
        TooManyRequestsException,
        ServiceException,
        ValidationException,
        ConflictException,
        RegionNotEnabledForAccount,
    ]
};

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An API error: the exception, its message, the Organizations `Reason` where AWS gives one, and
/// the rule that decided it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiError {
    /// Exception name.
    pub code: ErrorCode,
    /// Message text.
    pub message: String,
    /// `ConstraintViolationException` reason, e.g. `OU_DEPTH_LIMIT_EXCEEDED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// The rule behind the refusal.
    pub rule: RuleId,
}

impl ApiError {
    /// An error with a message.
    pub fn new(rule: RuleId, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError { code, message: message.into(), reason: None, rule }
    }
    /// An Organizations `ConstraintViolationException` with its reason.
    pub fn constraint(rule: RuleId, reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { code: ErrorCode::ConstraintViolationException, message: message.into(), reason: Some(reason), rule }
    }
}

/// The response body, in the API's JSON shape (PascalCase members). `Null` for operations that
/// return nothing.
pub type Response = serde_json::Value;

/// One state change with the rule behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    /// The rule.
    pub rule: RuleId,
    /// The change.
    pub change: Change,
}

/// Which TIME-* delay class a follow-up belongs to; the simulator's latency model maps each to a
/// range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum DelayClass {
    /// TIME-1: association PENDING → terminal.
    AssociationApply,
    /// TIME-3: central configuration switch.
    CentralSwitch,
    /// TIME-4: administrator removal.
    AdminRemoval,
    /// TIME-5: auto-enable after joining.
    AutoEnable,
    /// TIME-6: trusted-access and deregistration clean-up.
    OrganizationsCleanup,
    /// TIME-7: standards PENDING → READY.
    StandardsReady,
    /// TIME-8: opt-in Region enabling/disabling.
    RegionOptIn,
    /// TIME-9: the 90-day closure and retention window (fixed).
    Retention90Days,
    /// TIME-10: account creation completes.
    AccountCreation,
    /// TIME-10: account closure reaches SUSPENDED.
    AccountClosure,
}

impl DelayClass {
    /// Every class.
    pub const ALL: [DelayClass; 10] = [
        DelayClass::AssociationApply,
        DelayClass::CentralSwitch,
        DelayClass::AdminRemoval,
        DelayClass::AutoEnable,
        DelayClass::OrganizationsCleanup,
        DelayClass::StandardsReady,
        DelayClass::RegionOptIn,
        DelayClass::Retention90Days,
        DelayClass::AccountCreation,
        DelayClass::AccountClosure,
    ];
    /// The TIME rule that defines the class.
    pub fn rule(self) -> RuleId {
        match self {
            DelayClass::AssociationApply => RuleId::TIME_1,
            DelayClass::CentralSwitch => RuleId::TIME_3,
            DelayClass::AdminRemoval => RuleId::TIME_4,
            DelayClass::AutoEnable => RuleId::TIME_5,
            DelayClass::OrganizationsCleanup => RuleId::TIME_6,
            DelayClass::StandardsReady => RuleId::TIME_7,
            DelayClass::RegionOptIn => RuleId::TIME_8,
            DelayClass::Retention90Days => RuleId::TIME_9,
            DelayClass::AccountCreation | DelayClass::AccountClosure => RuleId::TIME_10,
        }
    }
    /// The name used in scenario `[latency]` tables, e.g. `policy_propagation`.
    pub fn key(self) -> &'static str {
        match self {
            DelayClass::AssociationApply => "policy_propagation",
            DelayClass::CentralSwitch => "central_switch",
            DelayClass::AdminRemoval => "admin_removal",
            DelayClass::AutoEnable => "auto_enable",
            DelayClass::OrganizationsCleanup => "organizations_cleanup",
            DelayClass::StandardsReady => "standards_ready",
            DelayClass::RegionOptIn => "region_opt_in",
            DelayClass::Retention90Days => "closure_retention",
            DelayClass::AccountCreation => "account_creation",
            DelayClass::AccountClosure => "account_closure",
        }
    }
}

/// Work the service does later: what, in which Region, and its delay class. 28 bytes: a root
/// policy makes one per account-Region (170,000 at 10,000 members in 17 Regions).
#[derive(Clone, Debug, PartialEq)]
pub struct FollowUp {
    /// Delay class (TIME-*).
    pub delay: DelayClass,
    /// The Region the work runs in.
    pub region: RegionIdx,
    /// The work.
    pub work: ServiceWork,
}

impl FollowUp {
    /// The work as a call by the service.
    pub fn call(&self) -> Call {
        Call::work(self.region, self.work.clone())
    }
}

/// Everything applying one call produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The response, or the API error.
    pub result: Result<Response, ApiError>,
    /// State changes in the order they were made.
    pub effects: Vec<Effect>,
    /// Work scheduled for later, in the order it was emitted.
    pub follow_ups: Vec<FollowUp>,
}

impl Outcome {
    /// Whether the call succeeded.
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }
    /// The error code, if it failed.
    pub fn error_code(&self) -> Option<ErrorCode> {
        self.result.as_ref().err().map(|e| e.code)
    }
}
