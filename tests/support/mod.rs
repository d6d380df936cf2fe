//! Shared helpers for the integration tests: a standard small organization, calls written in the
//! API's JSON shape, and running a simulation to the end.

#![allow(dead_code)]

use hubsim::model::{AccountId, Region, RegionIdx, SimTime, World, WorldBuilder};
use hubsim::rules::{Call, Operation};
use hubsim::sim::{NoObserver, SimConfig, Simulation, Stop};

pub const MGMT: &str = "111111111111";
pub const DA: &str = "222222222222";

pub fn id(text: &str) -> AccountId {
    AccountId::parse(text).unwrap()
}

/// Management account, the DA in `Security`, `n` generated accounts in `Workloads`, in `regions`.
pub fn org(regions: &[&str], n: usize) -> World {
    let regions = regions.iter().map(|r| Region::parse(r).unwrap()).collect();
    WorldBuilder::new(regions, id(MGMT)).account_in(id(DA), "Security").generate_in("Workloads", n).build().unwrap()
}

/// A call by `caller` in Region `region` (an index into the world's Regions).
pub fn call(caller: &str, region: u8, operation: serde_json::Value) -> Call {
    let operation: Operation = serde_json::from_value(operation).expect("operation JSON");
    Call::by(id(caller), RegionIdx(region), operation)
}

/// The calls that turn on central configuration with an ALL_REGIONS aggregator and a root
/// policy, one minute apart from `start`; returns the schedule.
pub fn central_with_root_policy(world: &World) -> Vec<(SimTime, Call)> {
    let root = world.org.nodes[0].aws_id.to_string();
    let minute = |n: u64| SimTime(n * 60_000);
    vec![
        (
            minute(0),
            call(MGMT, 0, serde_json::json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": DA})),
        ),
        (
            minute(1),
            call(
                DA,
                0,
                serde_json::json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "ALL_REGIONS"}),
            ),
        ),
        (
            minute(2),
            call(
                DA,
                0,
                serde_json::json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": false, "AutoEnableStandards": "NONE",
                "OrganizationConfiguration": {"ConfigurationType": "CENTRAL"}}),
            ),
        ),
        (
            minute(10),
            call(
                DA,
                0,
                serde_json::json!({"Operation": "CreateConfigurationPolicy", "Name": "baseline", "ConfigurationPolicy": {"SecurityHub": {
                "ServiceEnabled": true, "EnabledStandardIdentifiers": ["aws-foundational-security-best-practices/v/1.0.0"],
                "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": []}}}}),
            ),
        ),
        (
            minute(11),
            call(
                DA,
                0,
                serde_json::json!({"Operation": "StartConfigurationPolicyAssociation", "ConfigurationPolicyIdentifier": policy_id(world),
                "Target": {"RootId": root}}),
            ),
        ),
    ]
}

/// The id the first policy created in `world`'s organization will get.
pub fn policy_id(world: &World) -> String {
    hubsim::model::ids::uuid_text(world.org.number.wrapping_mul(1_000_003))
}

/// Schedules `steps` and runs to the end.
pub fn run(world: World, config: SimConfig, steps: Vec<(SimTime, Call)>) -> (Simulation, Stop) {
    let mut sim = Simulation::new(world, config);
    for (index, (at, call)) in steps.into_iter().enumerate() {
        sim.schedule(at, call, index);
    }
    let stop = sim.run(&mut NoObserver);
    (sim, stop)
}
