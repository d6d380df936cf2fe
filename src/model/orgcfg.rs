//! Per-Region organization state in Security Hub: the designated administrator (ADMIN-*) and the
//! organization configuration record (ORGCFG-*, LOCAL-*).

use std::sync::Arc;

use super::ids::AccountIdx;

/// `AdminStatus` in `ListOrganizationAdminAccounts` (ADMIN-12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AdminStatus {
    /// Designated.
    Enabled,
    /// Removal requested, being processed (TIME-4).
    DisableInProgress,
}

/// The Security Hub administrator designation in one Region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Designation {
    /// The administrator account.
    pub account: AccountIdx,
    /// Its status.
    pub status: AdminStatus,
}

/// `AutoEnableStandards`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AutoEnableStandards {
    /// Enable the default standards for new members.
    Default,
    /// Enable none.
    None,
}

/// `ConfigurationType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConfigurationType {
    /// Local configuration.
    Local,
    /// Central configuration.
    Central,
}

/// `OrganizationConfiguration.Status` (ORGCFG-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrgConfigStatus {
    /// The switch to central configuration is in progress.
    Pending,
    /// In effect.
    Enabled,
    /// The switch failed.
    Failed,
}

/// The organization configuration record of one Region (ORGCFG-1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgConfig {
    /// `AutoEnable`.
    pub auto_enable: bool,
    /// `AutoEnableStandards`.
    pub auto_enable_standards: AutoEnableStandards,
    /// `ConfigurationType`.
    pub configuration_type: ConfigurationType,
    /// `Status`.
    pub status: OrgConfigStatus,
    /// `StatusMessage`.
    pub status_message: Option<Arc<str>>,
}

impl OrgConfig {
    /// The record a new designation creates (ORGCFG-1).
    pub fn fresh() -> OrgConfig {
        OrgConfig {
            auto_enable: false,
            auto_enable_standards: AutoEnableStandards::Default,
            configuration_type: ConfigurationType::Local,
            status: OrgConfigStatus::Enabled,
            status_message: None,
        }
    }

    /// The record of a Region under central configuration (ORGCFG-3): AutoEnable off, no
    /// standards, with the switch's status.
    pub fn central(status: OrgConfigStatus) -> OrgConfig {
        OrgConfig {
            auto_enable: false,
            auto_enable_standards: AutoEnableStandards::None,
            configuration_type: ConfigurationType::Central,
            status,
            status_message: None,
        }
    }
}

/// Security Hub's organization state in one Region.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegionOrg {
    /// The designated administrator.
    pub admin: Option<Designation>,
    /// The organization configuration record, while an administrator is designated.
    pub config: Option<OrgConfig>,
}
