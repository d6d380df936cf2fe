//! `Call`: one request to the simulated AWS — who makes it, in which Region, and what: an API
//! operation with its parameters (named exactly as the AWS API names them), an event that AWS
//! itself causes (an account being suspended), or follow-up work the service does later.
//!
//! `Operation` serializes to, and deserializes from, the API's own JSON shape: the variant is the
//! operation name and the fields are the API parameters in PascalCase. Scenario files and JSON
//! Lines timelines therefore read like the AWS API reference.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{
    AccountId, AccountIdx, AutoEnableStandards, ConfigurationType, ControlFindingGenerator, NodeIdx, RegionIdx,
    RegionLinkingMode,
};

/// Who makes a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Caller {
    /// An AWS account signs the request.
    Account(AccountId),
    /// AWS itself: events no customer triggers and follow-up work.
    Service,
}

/// One call: the caller, the Region of the endpoint (GEN-2) and what is asked.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// Who calls.
    pub caller: Caller,
    /// The request Region (ignored by Organizations operations, GEN-2).
    pub region: RegionIdx,
    /// What is asked.
    pub op: Op,
    /// ACT-5: the scenario injects an IAM deny for this call.
    pub iam_deny: bool,
}

impl Call {
    /// A call by an account.
    pub fn by(caller: AccountId, region: RegionIdx, operation: Operation) -> Call {
        Call { caller: Caller::Account(caller), region, op: Op::Api(Box::new(operation)), iam_deny: false }
    }
    /// An event caused by AWS itself.
    pub fn by_aws(region: RegionIdx, operation: Operation) -> Call {
        Call { caller: Caller::Service, region, op: Op::Api(Box::new(operation)), iam_deny: false }
    }
    /// Follow-up work of the service.
    pub fn work(region: RegionIdx, work: ServiceWork) -> Call {
        Call { caller: Caller::Service, region, op: Op::Work(work), iam_deny: false }
    }
    /// The operation or work name, e.g. `CreateMembers`.
    pub fn name(&self) -> &'static str {
        match &self.op {
            Op::Api(operation) => operation.name(),
            Op::Work(work) => work.name(),
        }
    }
}

/// An API operation or a piece of service work.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// An operation of an AWS API (or an AWS-caused event); boxed, because operations are large
    /// and follow-up work, which is most of a run, is small.
    Api(Box<Operation>),
    /// Follow-up work emitted by an earlier call.
    Work(ServiceWork),
}

/// The AWS service an operation belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Service {
    /// AWS Organizations.
    Organizations,
    /// AWS Account Management.
    Account,
    /// AWS Config (recorder on/off only).
    Config,
    /// AWS Security Hub CSPM.
    SecurityHub,
    /// Security Hub console composite actions (OP-K*).
    Console,
    /// Events AWS itself causes.
    Aws,
}

impl Service {
    /// The prefix scenarios use, e.g. `securityhub`.
    pub fn prefix(self) -> &'static str {
        match self {
            Service::Organizations => "organizations",
            Service::Account => "account",
            Service::Config => "config",
            Service::SecurityHub => "securityhub",
            Service::Console => "console",
            Service::Aws => "aws",
        }
    }
    /// Parses a prefix.
    pub fn parse(prefix: &str) -> Option<Service> {
        [
            Service::Organizations,
            Service::Account,
            Service::Config,
            Service::SecurityHub,
            Service::Console,
            Service::Aws,
        ]
        .into_iter()
        .find(|s| s.prefix() == prefix)
    }
}

/// `ControlStatus` / `AssociationStatus` of a standard's control.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ControlStatus {
    /// Enabled.
    Enabled,
    /// Disabled.
    Disabled,
}

/// `AccountDetails` item of `CreateMembers`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AccountDetails {
    /// `AccountId`.
    pub account_id: AccountId,
    /// `Email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// `StandardsSubscriptionRequest` item of `BatchEnableStandards`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct StandardsSubscriptionRequest {
    /// `StandardsArn`.
    pub standards_arn: String,
    /// `StandardsInput` (accepted, not modelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standards_input: Option<BTreeMap<String, String>>,
}

/// `StandardsControlAssociationUpdate` item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct StandardsControlAssociationUpdate {
    /// `StandardsArn`.
    pub standards_arn: String,
    /// `SecurityControlId`.
    pub security_control_id: String,
    /// `AssociationStatus`.
    pub association_status: ControlStatus,
    /// `UpdatedReason`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_reason: Option<String>,
}

/// `ParameterValue`: a union with exactly one member set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ApiParameterValue {
    /// `Integer`.
    Integer(i64),
    /// `IntegerList`.
    IntegerList(Vec<i64>),
    /// `Double`.
    Double(f64),
    /// `String`.
    String(String),
    /// `StringList`.
    StringList(Vec<String>),
    /// `Boolean`.
    Boolean(bool),
    /// `Enum`.
    Enum(String),
    /// `EnumList`.
    EnumList(Vec<String>),
}

/// `ValueType` of a parameter configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ValueType {
    /// Use the control's default.
    Default,
    /// Use `Value`.
    Custom,
}

/// `ParameterConfiguration`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ParameterConfiguration {
    /// `ValueType`.
    pub value_type: ValueType,
    /// `Value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<ApiParameterValue>,
}

/// `SecurityControlCustomParameter`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SecurityControlCustomParameter {
    /// `SecurityControlId`.
    pub security_control_id: String,
    /// `Parameters`.
    pub parameters: BTreeMap<String, ParameterConfiguration>,
}

/// `SecurityControlsConfiguration`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SecurityControlsConfiguration {
    /// `EnabledSecurityControlIdentifiers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_security_control_identifiers: Option<Vec<String>>,
    /// `DisabledSecurityControlIdentifiers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_security_control_identifiers: Option<Vec<String>>,
    /// `SecurityControlCustomParameters`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_control_custom_parameters: Option<Vec<SecurityControlCustomParameter>>,
}

/// `SecurityHubPolicy`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SecurityHubPolicy {
    /// `ServiceEnabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_enabled: Option<bool>,
    /// `EnabledStandardIdentifiers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_standard_identifiers: Option<Vec<String>>,
    /// `SecurityControlsConfiguration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_controls_configuration: Option<SecurityControlsConfiguration>,
}

/// `Policy` (a union; Security Hub is its only member).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ConfigurationPolicySpec {
    /// `SecurityHub`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_hub: Option<SecurityHubPolicy>,
}

/// `Target`: a union with exactly one of its members (ASSOC-1).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TargetSpec {
    /// `AccountId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<AccountId>,
    /// `OrganizationalUnitId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizational_unit_id: Option<String>,
    /// `RootId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_id: Option<String>,
}

/// `ConfigurationPolicyAssociation` item of `BatchGetConfigurationPolicyAssociations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AssociationIdentifier {
    /// `Target`.
    pub target: TargetSpec,
}

/// `Filters` of `ListConfigurationPolicyAssociations`.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AssociationFilters {
    /// `ConfigurationPolicyId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_policy_id: Option<String>,
    /// `AssociationType` (`APPLIED` | `INHERITED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association_type: Option<String>,
    /// `AssociationStatus` (`PENDING` | `SUCCESS` | `FAILED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association_status: Option<String>,
}

/// Organizations `HandshakeParty` used as the target of `InviteAccountToOrganization`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct HandshakeParty {
    /// `Id`: the account id.
    pub id: AccountId,
    /// `Type`: `ACCOUNT` (email invitations are not modelled).
    #[serde(rename = "Type")]
    pub party_type: String,
}

/// Every operation the engine knows: the operations table of RULES.md §3.1 (API names), the
/// console composites OP-K1..K3, and the events AWS itself causes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "Operation", rename_all_fields = "PascalCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub enum Operation {
    // ---- AWS Organizations (OP-A1..A9) ----
    /// OP-A1.
    #[serde(rename = "EnableAWSServiceAccess")]
    EnableAwsServiceAccess { service_principal: String },
    /// OP-A2.
    #[serde(rename = "DisableAWSServiceAccess")]
    DisableAwsServiceAccess { service_principal: String },
    /// OP-A3.
    RegisterDelegatedAdministrator { account_id: AccountId, service_principal: String },
    /// OP-A4.
    DeregisterDelegatedAdministrator { account_id: AccountId, service_principal: String },
    /// OP-A5. `AccountId` is a hubsim extension: the id AWS will assign (generated if absent).
    CreateAccount {
        email: String,
        account_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<AccountId>,
    },
    /// OP-A5.
    InviteAccountToOrganization {
        target: HandshakeParty,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notes: Option<String>,
    },
    /// OP-A5 (called by the invitee).
    AcceptHandshake { handshake_id: String },
    /// The invitee declines.
    DeclineHandshake { handshake_id: String },
    /// OP-A6.
    RemoveAccountFromOrganization { account_id: AccountId },
    /// OP-A6 (called by the member).
    LeaveOrganization {},
    /// OP-A7.
    MoveAccount { account_id: AccountId, source_parent_id: String, destination_parent_id: String },
    /// OP-A8.
    CloseAccount { account_id: AccountId },
    /// OP-A9.
    CreateOrganizationalUnit { parent_id: String, name: String },
    /// OP-A9.
    DeleteOrganizationalUnit { organizational_unit_id: String },

    // ---- AWS Account Management (OP-A10) ----
    /// OP-A10.
    EnableRegion {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<AccountId>,
        region_name: String,
    },
    /// OP-A10.
    DisableRegion {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<AccountId>,
        region_name: String,
    },
    /// OP-A10 (read).
    GetRegionOptStatus {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<AccountId>,
        region_name: String,
    },

    // ---- AWS Config (prerequisite for control findings, ASSOC-16c) ----
    /// Turns AWS Config recording on in the request Region.
    StartConfigurationRecorder {
        #[serde(default = "default_recorder")]
        configuration_recorder_name: String,
    },
    /// Turns AWS Config recording off in the request Region.
    StopConfigurationRecorder {
        #[serde(default = "default_recorder")]
        configuration_recorder_name: String,
    },

    // ---- events AWS causes (caller `aws`) ----
    /// LIFE-3: AWS suspends an account (billing, policy).
    SuspendAccount { account_id: AccountId },
    /// LIFE-3: AWS reactivates a suspended account.
    ReactivateAccount { account_id: AccountId },

    // ---- Security Hub: hub, standards, controls (OP-B*) ----
    /// OP-B1.
    EnableSecurityHub {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tags: Option<BTreeMap<String, String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        enable_default_standards: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        control_finding_generator: Option<ControlFindingGenerator>,
    },
    /// OP-B2.
    DisableSecurityHub {},
    /// OP-B3.
    DescribeHub {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hub_arn: Option<String>,
    },
    /// OP-B3.
    GetEnabledStandards {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        standards_subscription_arns: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_results: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_token: Option<String>,
    },
    /// OP-B4.
    UpdateSecurityHubConfiguration {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        auto_enable_controls: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        control_finding_generator: Option<ControlFindingGenerator>,
    },
    /// OP-B5.
    BatchEnableStandards { standards_subscription_requests: Vec<StandardsSubscriptionRequest> },
    /// OP-B5.
    BatchDisableStandards { standards_subscription_arns: Vec<String> },
    /// OP-B6.
    UpdateStandardsControl {
        standards_control_arn: String,
        control_status: ControlStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disabled_reason: Option<String>,
    },
    /// OP-B6.
    BatchUpdateStandardsControlAssociations {
        standards_control_association_updates: Vec<StandardsControlAssociationUpdate>,
    },
    /// OP-B6.
    UpdateSecurityControl {
        security_control_id: String,
        parameters: BTreeMap<String, ParameterConfiguration>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_update_reason: Option<String>,
    },

    // ---- Security Hub: administrator and organization configuration (OP-C*) ----
    /// OP-C1.
    EnableOrganizationAdminAccount {
        admin_account_id: AccountId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feature: Option<String>,
    },
    /// OP-C2.
    DisableOrganizationAdminAccount {
        admin_account_id: AccountId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feature: Option<String>,
    },
    /// OP-C3.
    ListOrganizationAdminAccounts {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_results: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_token: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feature: Option<String>,
    },
    /// OP-C4.
    DescribeOrganizationConfiguration {},
    /// OP-C5.
    UpdateOrganizationConfiguration {
        auto_enable: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        auto_enable_standards: Option<AutoEnableStandards>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        organization_configuration: Option<OrganizationConfigurationSpec>,
    },

    // ---- Security Hub: members and invitations (OP-D*) ----
    /// OP-D1.
    CreateMembers { account_details: Vec<AccountDetails> },
    /// OP-D2.
    InviteMembers { account_ids: Vec<AccountId> },
    /// OP-D3.
    AcceptAdministratorInvitation { administrator_id: AccountId, invitation_id: String },
    /// OP-D3 (deprecated name).
    AcceptInvitation { master_id: AccountId, invitation_id: String },
    /// OP-D4.
    DeclineInvitations { account_ids: Vec<AccountId> },
    /// OP-D5.
    DeleteInvitations { account_ids: Vec<AccountId> },
    /// OP-D6.
    ListInvitations {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_results: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_token: Option<String>,
    },
    /// OP-D6.
    GetInvitationsCount {},
    /// OP-D7.
    GetAdministratorAccount {},
    /// OP-D7 (deprecated name).
    GetMasterAccount {},
    /// OP-D8.
    DisassociateFromAdministratorAccount {},
    /// OP-D8 (deprecated name).
    DisassociateFromMasterAccount {},
    /// OP-D9.
    DisassociateMembers { account_ids: Vec<AccountId> },
    /// OP-D10.
    DeleteMembers { account_ids: Vec<AccountId> },
    /// OP-D11.
    GetMembers { account_ids: Vec<AccountId> },
    /// OP-D11.
    ListMembers {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        only_associated: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_results: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_token: Option<String>,
    },

    // ---- Security Hub: finding aggregator (OP-E*) ----
    /// OP-E1.
    CreateFindingAggregator {
        region_linking_mode: RegionLinkingMode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        regions: Option<Vec<String>>,
    },
    /// OP-E2.
    UpdateFindingAggregator {
        finding_aggregator_arn: String,
        region_linking_mode: RegionLinkingMode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        regions: Option<Vec<String>>,
    },
    /// OP-E3.
    DeleteFindingAggregator { finding_aggregator_arn: String },
    /// OP-E4.
    GetFindingAggregator { finding_aggregator_arn: String },
    /// OP-E4.
    ListFindingAggregators {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_results: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_token: Option<String>,
    },

    // ---- Security Hub: central configuration (OP-G*) ----
    /// OP-G1.
    CreateConfigurationPolicy {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        configuration_policy: ConfigurationPolicySpec,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tags: Option<BTreeMap<String, String>>,
    },
    /// OP-G2.
    UpdateConfigurationPolicy {
        identifier: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        updated_reason: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        configuration_policy: Option<ConfigurationPolicySpec>,
    },
    /// OP-G3.
    DeleteConfigurationPolicy { identifier: String },
    /// OP-G4.
    GetConfigurationPolicy { identifier: String },
    /// OP-G4.
    ListConfigurationPolicies {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_results: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_token: Option<String>,
    },
    /// OP-G5.
    StartConfigurationPolicyAssociation { configuration_policy_identifier: String, target: TargetSpec },
    /// OP-G6.
    StartConfigurationPolicyDisassociation { configuration_policy_identifier: String, target: TargetSpec },
    /// OP-G7.
    GetConfigurationPolicyAssociation { target: TargetSpec },
    /// OP-G7.
    BatchGetConfigurationPolicyAssociations { configuration_policy_association_identifiers: Vec<AssociationIdentifier> },
    /// OP-G7.
    ListConfigurationPolicyAssociations {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_results: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_token: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filters: Option<AssociationFilters>,
    },

    // ---- Security Hub console composites (OP-K1..K3) ----
    /// OP-K1: console designation, which insists on the same administrator in every Region.
    DesignateDelegatedAdministrator { admin_account_id: AccountId },
    /// OP-K2: console removal: all Regions and the Organizations registration.
    RemoveDelegatedAdministrator { admin_account_id: AccountId },
    /// OP-K3 / LOCAL-6: the console's local-configuration "Enable" banner.
    EnableAllOrganizationAccounts {},
}

fn default_recorder() -> String {
    "default".to_string()
}

/// `OrganizationConfiguration` request shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OrganizationConfigurationSpec {
    /// `ConfigurationType`.
    pub configuration_type: ConfigurationType,
}

/// Every operation name, in declaration order.
pub const OPERATION_NAMES: &[&str] = &[
    "EnableAWSServiceAccess",
    "DisableAWSServiceAccess",
    "RegisterDelegatedAdministrator",
    "DeregisterDelegatedAdministrator",
    "CreateAccount",
    "InviteAccountToOrganization",
    "AcceptHandshake",
    "DeclineHandshake",
    "RemoveAccountFromOrganization",
    "LeaveOrganization",
    "MoveAccount",
    "CloseAccount",
    "CreateOrganizationalUnit",
    "DeleteOrganizationalUnit",
    "EnableRegion",
    "DisableRegion",
    "GetRegionOptStatus",
    "StartConfigurationRecorder",
    "StopConfigurationRecorder",
    "SuspendAccount",
    "ReactivateAccount",
    "EnableSecurityHub",
    "DisableSecurityHub",
    "DescribeHub",
    "GetEnabledStandards",
    "UpdateSecurityHubConfiguration",
    "BatchEnableStandards",
    "BatchDisableStandards",
    "UpdateStandardsControl",
    "BatchUpdateStandardsControlAssociations",
    "UpdateSecurityControl",
    "EnableOrganizationAdminAccount",
    "DisableOrganizationAdminAccount",
    "ListOrganizationAdminAccounts",
    "DescribeOrganizationConfiguration",
    "UpdateOrganizationConfiguration",
    "CreateMembers",
    "InviteMembers",
    "AcceptAdministratorInvitation",
    "AcceptInvitation",
    "DeclineInvitations",
    "DeleteInvitations",
    "ListInvitations",
    "GetInvitationsCount",
    "GetAdministratorAccount",
    "GetMasterAccount",
    "DisassociateFromAdministratorAccount",
    "DisassociateFromMasterAccount",
    "DisassociateMembers",
    "DeleteMembers",
    "GetMembers",
    "ListMembers",
    "CreateFindingAggregator",
    "UpdateFindingAggregator",
    "DeleteFindingAggregator",
    "GetFindingAggregator",
    "ListFindingAggregators",
    "CreateConfigurationPolicy",
    "UpdateConfigurationPolicy",
    "DeleteConfigurationPolicy",
    "GetConfigurationPolicy",
    "ListConfigurationPolicies",
    "StartConfigurationPolicyAssociation",
    "StartConfigurationPolicyDisassociation",
    "GetConfigurationPolicyAssociation",
    "BatchGetConfigurationPolicyAssociations",
    "ListConfigurationPolicyAssociations",
    "DesignateDelegatedAdministrator",
    "RemoveDelegatedAdministrator",
    "EnableAllOrganizationAccounts",
];

/// The service an operation name belongs to; `None` for an unknown name.
pub fn service_of(name: &str) -> Option<Service> {
    if !OPERATION_NAMES.contains(&name) {
        return None;
    }
    Some(match name {
        "EnableAWSServiceAccess"
        | "DisableAWSServiceAccess"
        | "RegisterDelegatedAdministrator"
        | "DeregisterDelegatedAdministrator"
        | "CreateAccount"
        | "InviteAccountToOrganization"
        | "AcceptHandshake"
        | "DeclineHandshake"
        | "RemoveAccountFromOrganization"
        | "LeaveOrganization"
        | "MoveAccount"
        | "CloseAccount"
        | "CreateOrganizationalUnit"
        | "DeleteOrganizationalUnit" => Service::Organizations,
        "EnableRegion" | "DisableRegion" | "GetRegionOptStatus" => Service::Account,
        "StartConfigurationRecorder" | "StopConfigurationRecorder" => Service::Config,
        "SuspendAccount" | "ReactivateAccount" => Service::Aws,
        "DesignateDelegatedAdministrator" | "RemoveDelegatedAdministrator" | "EnableAllOrganizationAccounts" => {
            Service::Console
        }
        _ => Service::SecurityHub,
    })
}

impl Operation {
    /// The API operation name, e.g. `CreateMembers`.
    pub fn name(&self) -> &'static str {
        use Operation::*;
        match self {
            EnableAwsServiceAccess { .. } => "EnableAWSServiceAccess",
            DisableAwsServiceAccess { .. } => "DisableAWSServiceAccess",
            RegisterDelegatedAdministrator { .. } => "RegisterDelegatedAdministrator",
            DeregisterDelegatedAdministrator { .. } => "DeregisterDelegatedAdministrator",
            CreateAccount { .. } => "CreateAccount",
            InviteAccountToOrganization { .. } => "InviteAccountToOrganization",
            AcceptHandshake { .. } => "AcceptHandshake",
            DeclineHandshake { .. } => "DeclineHandshake",
            RemoveAccountFromOrganization { .. } => "RemoveAccountFromOrganization",
            LeaveOrganization { .. } => "LeaveOrganization",
            MoveAccount { .. } => "MoveAccount",
            CloseAccount { .. } => "CloseAccount",
            CreateOrganizationalUnit { .. } => "CreateOrganizationalUnit",
            DeleteOrganizationalUnit { .. } => "DeleteOrganizationalUnit",
            EnableRegion { .. } => "EnableRegion",
            DisableRegion { .. } => "DisableRegion",
            GetRegionOptStatus { .. } => "GetRegionOptStatus",
            StartConfigurationRecorder { .. } => "StartConfigurationRecorder",
            StopConfigurationRecorder { .. } => "StopConfigurationRecorder",
            SuspendAccount { .. } => "SuspendAccount",
            ReactivateAccount { .. } => "ReactivateAccount",
            EnableSecurityHub { .. } => "EnableSecurityHub",
            DisableSecurityHub { .. } => "DisableSecurityHub",
            DescribeHub { .. } => "DescribeHub",
            GetEnabledStandards { .. } => "GetEnabledStandards",
            UpdateSecurityHubConfiguration { .. } => "UpdateSecurityHubConfiguration",
            BatchEnableStandards { .. } => "BatchEnableStandards",
            BatchDisableStandards { .. } => "BatchDisableStandards",
            UpdateStandardsControl { .. } => "UpdateStandardsControl",
            BatchUpdateStandardsControlAssociations { .. } => "BatchUpdateStandardsControlAssociations",
            UpdateSecurityControl { .. } => "UpdateSecurityControl",
            EnableOrganizationAdminAccount { .. } => "EnableOrganizationAdminAccount",
            DisableOrganizationAdminAccount { .. } => "DisableOrganizationAdminAccount",
            ListOrganizationAdminAccounts { .. } => "ListOrganizationAdminAccounts",
            DescribeOrganizationConfiguration { .. } => "DescribeOrganizationConfiguration",
            UpdateOrganizationConfiguration { .. } => "UpdateOrganizationConfiguration",
            CreateMembers { .. } => "CreateMembers",
            InviteMembers { .. } => "InviteMembers",
            AcceptAdministratorInvitation { .. } => "AcceptAdministratorInvitation",
            AcceptInvitation { .. } => "AcceptInvitation",
            DeclineInvitations { .. } => "DeclineInvitations",
            DeleteInvitations { .. } => "DeleteInvitations",
            ListInvitations { .. } => "ListInvitations",
            GetInvitationsCount { .. } => "GetInvitationsCount",
            GetAdministratorAccount { .. } => "GetAdministratorAccount",
            GetMasterAccount { .. } => "GetMasterAccount",
            DisassociateFromAdministratorAccount { .. } => "DisassociateFromAdministratorAccount",
            DisassociateFromMasterAccount { .. } => "DisassociateFromMasterAccount",
            DisassociateMembers { .. } => "DisassociateMembers",
            DeleteMembers { .. } => "DeleteMembers",
            GetMembers { .. } => "GetMembers",
            ListMembers { .. } => "ListMembers",
            CreateFindingAggregator { .. } => "CreateFindingAggregator",
            UpdateFindingAggregator { .. } => "UpdateFindingAggregator",
            DeleteFindingAggregator { .. } => "DeleteFindingAggregator",
            GetFindingAggregator { .. } => "GetFindingAggregator",
            ListFindingAggregators { .. } => "ListFindingAggregators",
            CreateConfigurationPolicy { .. } => "CreateConfigurationPolicy",
            UpdateConfigurationPolicy { .. } => "UpdateConfigurationPolicy",
            DeleteConfigurationPolicy { .. } => "DeleteConfigurationPolicy",
            GetConfigurationPolicy { .. } => "GetConfigurationPolicy",
            ListConfigurationPolicies { .. } => "ListConfigurationPolicies",
            StartConfigurationPolicyAssociation { .. } => "StartConfigurationPolicyAssociation",
            StartConfigurationPolicyDisassociation { .. } => "StartConfigurationPolicyDisassociation",
            GetConfigurationPolicyAssociation { .. } => "GetConfigurationPolicyAssociation",
            BatchGetConfigurationPolicyAssociations { .. } => "BatchGetConfigurationPolicyAssociations",
            ListConfigurationPolicyAssociations { .. } => "ListConfigurationPolicyAssociations",
            DesignateDelegatedAdministrator { .. } => "DesignateDelegatedAdministrator",
            RemoveDelegatedAdministrator { .. } => "RemoveDelegatedAdministrator",
            EnableAllOrganizationAccounts { .. } => "EnableAllOrganizationAccounts",
        }
    }

    /// The service the operation belongs to.
    pub fn service(&self) -> Service {
        service_of(self.name()).expect("every operation name is classified")
    }

    /// Whether the operation only reads (List/Get/Describe).
    pub fn is_read_only(&self) -> bool {
        let name = self.name();
        name.starts_with("List")
            || name.starts_with("Get")
            || name.starts_with("Describe")
            || name.starts_with("BatchGet")
    }
}

/// Follow-up work: what the service does after a call returns (GEN-4). Each carries what the
/// simulator needs to schedule it; the delay class is on the `FollowUp` that wraps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum ServiceWork {
    /// OP-A5 / TIME-10: `CreateAccount` finishes and the account joins.
    CompleteAccountCreation { account: AccountIdx },
    /// OP-A8 / TIME-10: a closing account reaches SUSPENDED (LIFE-4).
    CompleteAccountClosure { account: AccountIdx },
    /// LIFE-4 step 5 / TIME-9: 90 days after closure the account departs for good.
    ExpireClosedAccount { account: AccountIdx },
    /// REG-1 / TIME-8: an opt-in Region finishes enabling or disabling.
    CompleteRegionOptStatusChange { account: AccountIdx, region: RegionIdx, enable: bool },
    /// STD-2 / TIME-7: pending standards subscriptions become READY (or INCOMPLETE).
    SettleStandards { account: AccountIdx, region: RegionIdx },
    /// LOCAL-3 / TIME-5: auto-enable a new organization account. `fault` is set by the simulator's
    /// fault model.
    AutoEnableAccount { account: AccountIdx, region: RegionIdx, administrator: AccountIdx, fault: bool },
    /// ASSOC-10 / TIME-1: apply the effective configuration to one account-Region.
    ApplyConfigurationPolicy {
        account: AccountIdx,
        region: RegionIdx,
        generation: u32,
        parent: Option<(NodeIdx, u32)>,
        fault: bool,
    },
    /// CENTRAL-3 / TIME-3: the switch to central configuration settles.
    SettleCentralConfiguration { generation: u32 },
    /// ADMIN-12 / TIME-4: a `DisableOrganizationAdminAccount` removal completes (LIFE-9).
    CompleteAdministratorRemoval { region: RegionIdx, account: AccountIdx },
    /// LIFE-10 / TIME-6: the service finishes removing a deregistered delegated administrator.
    CompleteDeregistration { account: AccountIdx },
    /// LIFE-12 / TIME-6: the service finishes the trusted-access clean-up.
    CompleteTrustedAccessCleanup {},
}

impl ServiceWork {
    /// The account-Region whose state the work reads first, where it is one.
    pub fn account_region(&self) -> Option<(AccountIdx, RegionIdx)> {
        match *self {
            ServiceWork::CompleteRegionOptStatusChange { account, region, .. }
            | ServiceWork::SettleStandards { account, region }
            | ServiceWork::AutoEnableAccount { account, region, .. }
            | ServiceWork::ApplyConfigurationPolicy { account, region, .. } => Some((account, region)),
            _ => None,
        }
    }

    /// The work's name in timelines.
    pub fn name(&self) -> &'static str {
        match self {
            ServiceWork::CompleteAccountCreation { .. } => "CompleteAccountCreation",
            ServiceWork::CompleteAccountClosure { .. } => "CompleteAccountClosure",
            ServiceWork::ExpireClosedAccount { .. } => "ExpireClosedAccount",
            ServiceWork::CompleteRegionOptStatusChange { .. } => "CompleteRegionOptStatusChange",
            ServiceWork::SettleStandards { .. } => "SettleStandards",
            ServiceWork::AutoEnableAccount { .. } => "AutoEnableAccount",
            ServiceWork::ApplyConfigurationPolicy { .. } => "ApplyConfigurationPolicy",
            ServiceWork::SettleCentralConfiguration { .. } => "SettleCentralConfiguration",
            ServiceWork::CompleteAdministratorRemoval { .. } => "CompleteAdministratorRemoval",
            ServiceWork::CompleteDeregistration { .. } => "CompleteDeregistration",
            ServiceWork::CompleteTrustedAccessCleanup { .. } => "CompleteTrustedAccessCleanup",
        }
    }
}
