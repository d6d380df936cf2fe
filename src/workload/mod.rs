//! Ready-made workloads: organizations of a given shape and schedules of calls that play out a
//! story on them, for benchmarks and capacity questions.
//!
//! A workload only produces data (a `World` and timed `Call`s, or a `plans::Plan`); the simulator
//! runs it.

pub mod plans;

use serde_json::json;

use crate::model::{AccountId, AccountIdx, BuildError, Region, RegionIdx, SimDuration, SimTime, World, WorldBuilder};
use crate::rules::{Call, Operation};

/// The management account of generated organizations.
pub const MANAGEMENT: &str = "111111111111";
/// The delegated administrator of generated organizations.
pub const ADMIN: &str = "222222222222";

/// The first `n` commercial Regions in a fixed order that starts with us-east-1 (the home Region)
/// and takes the 17 default-enabled Regions before any opt-in one.
pub fn regions(n: usize) -> Vec<Region> {
    let mut all: Vec<Region> = Region::default_enabled().collect();
    all.sort_by_key(|r| (r.code() != "us-east-1", r.code()));
    all.extend(Region::all().filter(|r| r.is_opt_in()));
    all.into_iter().take(n.max(1)).collect()
}

/// An organization with `members` generated accounts spread over `Workloads/Team-N` OUs (100
/// accounts per OU), the delegated administrator in `Security`.
pub fn organization(members: usize, n_regions: usize) -> Result<World, BuildError> {
    organization_shaped(members, n_regions, 100, 20_000)
}

/// An organization with `members` generated accounts, `per_ou` to each `Workloads/Team-N` OU, and
/// room for `max_accounts` accounts (QUOTA-11).
pub fn organization_shaped(
    members: usize,
    n_regions: usize,
    per_ou: usize,
    max_accounts: usize,
) -> Result<World, BuildError> {
    let id = |text: &str| AccountId::parse(text).expect("constant ids are valid");
    let mut builder = WorldBuilder::new(regions(n_regions), id(MANAGEMENT))
        .account_in(id(ADMIN), "Security")
        .max_accounts(max_accounts.min(u32::MAX as usize) as u32);
    let per_ou = per_ou.max(1);
    for team in 0..members.div_ceil(per_ou) {
        let n = per_ou.min(members - team * per_ou);
        builder = builder.generate_in(&format!("Workloads/Team-{team:03}"), n);
    }
    builder.build()
}

fn call(caller: &str, region: RegionIdx, operation: serde_json::Value) -> Call {
    let operation: Operation = serde_json::from_value(operation).expect("built-in workloads are well-formed");
    Call::by(AccountId::parse(caller).expect("valid"), region, operation)
}

/// The full lifecycle of issue 3's benchmark: trusted access, the administrator, central
/// configuration with a root policy in every Region, `leave_percent` % of the accounts leaving,
/// and the administrator removed through Organizations.
pub fn lifecycle(world: &World, leave_percent: usize) -> Vec<(SimTime, Call)> {
    let home = RegionIdx(0);
    let minutes = |n: u64| SimTime::ZERO.after(SimDuration::from_mins(n));
    let root = world.org.nodes[0].aws_id.to_string();
    let policy_id = crate::model::ids::uuid_text(world.org.number.wrapping_mul(1_000_003));
    let mut steps = vec![
        (
            minutes(0),
            call(
                MANAGEMENT,
                home,
                json!({"Operation": "EnableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"}),
            ),
        ),
        (
            minutes(1),
            call(MANAGEMENT, home, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": ADMIN})),
        ),
        (
            minutes(2),
            call(ADMIN, home, json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "ALL_REGIONS"})),
        ),
        (
            minutes(3),
            call(
                ADMIN,
                home,
                json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": false,
                "AutoEnableStandards": "NONE", "OrganizationConfiguration": {"ConfigurationType": "CENTRAL"}}),
            ),
        ),
        (
            minutes(10),
            call(
                ADMIN,
                home,
                json!({"Operation": "CreateConfigurationPolicy", "Name": "baseline", "ConfigurationPolicy": {
                "SecurityHub": {"ServiceEnabled": true,
                    "EnabledStandardIdentifiers": ["aws-foundational-security-best-practices/v/1.0.0"],
                    "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": []}}}}),
            ),
        ),
        (
            minutes(11),
            call(
                ADMIN,
                home,
                json!({"Operation": "StartConfigurationPolicyAssociation",
                "ConfigurationPolicyIdentifier": policy_id, "Target": {"RootId": root}}),
            ),
        ),
    ];
    let members: Vec<AccountIdx> = world
        .account_indices()
        .filter(|a| world.in_org(*a) && !world.is_management(*a) && world.account_id(*a).to_string() != ADMIN)
        .collect();
    let leaving = members.len() * leave_percent / 100;
    for (i, account) in members.iter().step_by((members.len() / leaving.max(1)).max(1)).take(leaving).enumerate() {
        let at = minutes(120).after(SimDuration::from_ms(i as u64 * 100));
        let id = world.account_id(*account).to_string();
        steps
            .push((at, call(MANAGEMENT, home, json!({"Operation": "RemoveAccountFromOrganization", "AccountId": id}))));
    }
    steps.push((
        minutes(180),
        call(
            MANAGEMENT,
            home,
            json!({"Operation": "DeregisterDelegatedAdministrator", "AccountId": ADMIN,
            "ServicePrincipal": "securityhub.amazonaws.com"}),
        ),
    ));
    steps
}
