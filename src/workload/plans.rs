//! Plans: ready-made workloads a user names instead of writing steps, for capacity questions.
//! A plan is an organization and phases of calls (see `sim::driver`); the first measured phase
//! starts the metrics.
//!
//! - `local-onboarding`: an existing organization without Security Hub is brought under local
//!   configuration: the delegated administrator designated in every Region (ADMIN-3 enables its
//!   hub), auto-enable turned on in every Region (for accounts that join later), and every existing
//!   account added with `CreateMembers` in batches of 50 (QUOTA-3), Region by Region. Exposure
//!   windows open for every account-Region at the start.
//! - `central-onboarding`: the same organization brought under central configuration: the
//!   administrator designated in the home Region, an aggregator linking every other Region, the
//!   switch to CENTRAL, a baseline policy associated with the root and an exception policy with
//!   every tenth team OU (Team-009, Team-019, …). Exposure windows open at the start.
//!
//! Both onboardings begin with the management account enabling Security Hub in every Region:
//! nothing else would (MEMBER-5 keeps it out of `CreateMembers` and auto-enable until its hub is
//! on; a policy fails on it, ASSOC-12), and without it the management account stays exposed.
//! - `steady-churn`: after central onboarding (not measured), accounts join (`CreateAccount`) and
//!   existing members leave (`RemoveAccountFromOrganization`) at a given rate each, as Poisson
//!   arrivals drawn from the workload stream. Exposure windows open as accounts join.
//! - `root-policy-change`: after central onboarding (not measured), the baseline policy at the root
//!   gains a standard. Exposure windows open as each account-Region's association restarts.
//!
//! Calls are sent by one SDK client per caller and Region (`--retry`). `--concurrency` applies
//! where calls are independent: every phase of `local-onboarding`, and the associations of
//! `central-onboarding`; the other phases are one call or an ordered sequence, and `steady-churn`'s
//! arrivals are open loop. Phases that depend on asynchronous service work wait for it to settle.

use rand::Rng;
use serde_json::{Value, json};

use super::{ADMIN, MANAGEMENT, organization_shaped};
use crate::model::{AccountId, AccountIdx, BuildError, RegionIdx, SimDuration, World};
use crate::rules::{Call, Operation};
use crate::sim::rng::{Concern, stream};
use crate::sim::{Issue, Phase};

/// The plans, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanName {
    /// Designate the administrator in every Region, auto-enable, create members 50 per call.
    LocalOnboarding,
    /// Aggregator, central configuration, root policy and OU exceptions.
    CentralOnboarding,
    /// Accounts joining and leaving at a steady rate under central configuration.
    SteadyChurn,
    /// A change of the root policy under central configuration.
    RootPolicyChange,
}

impl PlanName {
    /// The name as on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanName::LocalOnboarding => "local-onboarding",
            PlanName::CentralOnboarding => "central-onboarding",
            PlanName::SteadyChurn => "steady-churn",
            PlanName::RootPolicyChange => "root-policy-change",
        }
    }
}

/// A plan's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanParams {
    /// Member accounts (besides the management account and the administrator).
    pub members: usize,
    /// Regions (us-east-1 first, then the other default-enabled Regions).
    pub regions: usize,
    /// Accounts per OU (`Workloads/Team-NNN`).
    pub ou_size: usize,
    /// Calls a client keeps in flight.
    pub concurrency: usize,
    /// `steady-churn`: accounts joining per hour, and as many leaving.
    pub churn_per_hour: u32,
    /// `steady-churn`: how long the stream runs.
    pub churn_for: SimDuration,
}

impl Default for PlanParams {
    fn default() -> Self {
        PlanParams {
            members: 1_000,
            regions: 4,
            ou_size: 100,
            concurrency: 1,
            churn_per_hour: 60,
            churn_for: SimDuration::from_hours(1),
        }
    }
}

/// A plan ready to play: the organization and its phases.
pub struct Plan {
    /// The organization at the start.
    pub world: World,
    /// The phases, in order.
    pub phases: Vec<Phase>,
}

fn call(caller: &str, region: RegionIdx, operation: Value) -> Call {
    let operation: Operation = serde_json::from_value(operation).expect("built-in plans are well-formed");
    Call::by(AccountId::parse(caller).expect("valid"), region, operation)
}

fn phase(label: &str, calls: Vec<Call>, concurrency: usize) -> Phase {
    Phase {
        label: label.into(),
        calls,
        issue: Issue::Concurrent(concurrency),
        settle: false,
        measured: true,
        opens_exposure: false,
    }
}

/// The id the `n`-th configuration policy of `world`'s organization gets (POLICY ids are derived
/// from the organization number and a counter, never random).
fn policy_id(world: &World, n: u64) -> String {
    crate::model::ids::uuid_text(world.org.number.wrapping_mul(1_000_003).wrapping_add(n))
}

fn members_of(world: &World) -> Vec<AccountIdx> {
    let admin = AccountId::parse(ADMIN).expect("valid");
    world
        .account_indices()
        .filter(|a| world.in_org(*a) && !world.is_management(*a) && world.account_id(*a) != admin)
        .collect()
}

/// Builds plan `name` with `params`; `seed` drives the arrivals of `steady-churn`.
pub fn build(name: PlanName, params: &PlanParams, seed: u64) -> Result<Plan, BuildError> {
    let world = organization_shaped(params.members, params.regions, params.ou_size, params.members + 20_000)?;
    let phases = match name {
        PlanName::LocalOnboarding => local_onboarding(&world, params),
        PlanName::CentralOnboarding => central_onboarding(&world, params),
        PlanName::SteadyChurn => {
            let mut phases = unmeasured(central_onboarding(&world, params));
            phases.push(churn(&world, params, seed));
            phases
        }
        PlanName::RootPolicyChange => {
            let mut phases = unmeasured(central_onboarding(&world, params));
            phases.push(root_policy_change(&world));
            phases
        }
    };
    Ok(Plan { world, phases })
}

fn unmeasured(mut phases: Vec<Phase>) -> Vec<Phase> {
    for phase in &mut phases {
        phase.measured = false;
        phase.opens_exposure = false;
    }
    if let Some(last) = phases.last_mut() {
        last.settle = true;
    }
    phases
}

/// The management account enables Security Hub in every Region: nothing enables it for it (MEMBER-5
/// for `CreateMembers` and auto-enable; a policy fails on it, ASSOC-12).
fn management_hubs(world: &World) -> Vec<Call> {
    world
        .regions
        .indices()
        .map(|r| call(MANAGEMENT, r, json!({"Operation": "EnableSecurityHub", "EnableDefaultStandards": true})))
        .collect()
}

fn local_onboarding(world: &World, params: &PlanParams) -> Vec<Phase> {
    let regions: Vec<RegionIdx> = world.regions.indices().collect();
    let mut designate = management_hubs(world);
    designate.extend(regions.iter().map(|r| {
        call(MANAGEMENT, *r, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": ADMIN}))
    }));
    let auto_enable = regions
        .iter()
        .map(|r| call(ADMIN, *r, json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": true})))
        .collect();
    let mut members = members_of(world);
    members.extend(world.account_indices().filter(|a| world.is_management(*a)));
    let mut create = Vec::new();
    for region in &regions {
        for batch in members.chunks(50) {
            let details: Vec<Value> =
                batch.iter().map(|a| json!({"AccountId": world.account_id(*a).to_string()})).collect();
            create.push(call(ADMIN, *region, json!({"Operation": "CreateMembers", "AccountDetails": details})));
        }
    }
    let mut first = phase(
        "the management account enables its hub; the administrator is designated in every Region",
        designate,
        params.concurrency,
    );
    first.opens_exposure = true;
    vec![
        first,
        phase("turn auto-enable on in every Region", auto_enable, params.concurrency),
        phase("create members, 50 per call", create, params.concurrency),
    ]
}

fn central_onboarding(world: &World, params: &PlanParams) -> Vec<Phase> {
    let home = RegionIdx(0);
    let policy = |name: &str, standards: &[&str]| {
        call(
            ADMIN,
            home,
            json!({"Operation": "CreateConfigurationPolicy", "Name": name, "ConfigurationPolicy": {
                "SecurityHub": {"ServiceEnabled": true, "EnabledStandardIdentifiers": standards,
                    "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": []}}}}),
        )
    };
    let associate = |policy: String, target: Value| {
        call(
            ADMIN,
            home,
            json!({"Operation": "StartConfigurationPolicyAssociation",
                "ConfigurationPolicyIdentifier": policy, "Target": target}),
        )
    };
    let mut calls = management_hubs(world);
    calls.push(call(MANAGEMENT, home, json!({"Operation": "EnableOrganizationAdminAccount", "AdminAccountId": ADMIN})));
    let mut designate = phase(
        "the management account enables its hub in every Region; the administrator is designated in the home Region",
        calls,
        1,
    );
    designate.opens_exposure = true;
    let mut switch = phase(
        "link every Region and switch to central configuration",
        vec![
            call(ADMIN, home, json!({"Operation": "CreateFindingAggregator", "RegionLinkingMode": "ALL_REGIONS"})),
            call(
                ADMIN,
                home,
                json!({"Operation": "UpdateOrganizationConfiguration", "AutoEnable": false,
                    "AutoEnableStandards": "NONE", "OrganizationConfiguration": {"ConfigurationType": "CENTRAL"}}),
            ),
        ],
        1,
    );
    switch.settle = true;
    let fsbp = "aws-foundational-security-best-practices/v/1.0.0";
    let policies =
        vec![policy("baseline", &[fsbp]), policy("exceptions", &[fsbp, "cis-aws-foundations-benchmark/v/1.4.0"])];
    let mut associations =
        vec![associate(policy_id(world, 0), json!({"RootId": world.org.nodes[0].aws_id.to_string()}))];
    // Every tenth team OU (Team-009, Team-019, …) gets the exception policy.
    let exception_ous = world.org.nodes.iter().filter(|n| n.name.starts_with("Team-")).skip(9).step_by(10);
    for node in exception_ous {
        associations.push(associate(policy_id(world, 1), json!({"OrganizationalUnitId": node.aws_id.to_string()})));
    }
    vec![
        designate,
        switch,
        phase("create the baseline and exception policies", policies, 1),
        phase("associate the root and the OU exceptions", associations, params.concurrency),
    ]
}

fn churn(world: &World, params: &PlanParams, seed: u64) -> Phase {
    let mut rng = stream(seed, Concern::Workload);
    let mean_gap_ms = 3_600_000.0 / params.churn_per_hour.max(1) as f64;
    let horizon = if params.churn_per_hour == 0 { 0 } else { params.churn_for.as_ms() };
    let mut arrivals: Vec<(u64, bool)> = Vec::new();
    for joining in [true, false] {
        if horizon == 0 {
            break;
        }
        let mut t = 0.0f64;
        loop {
            // Exponential inter-arrival times: a Poisson stream.
            let u: f64 = rng.random_range(f64::EPSILON..1.0);
            t += -u.ln() * mean_gap_ms;
            if t as u64 >= horizon {
                break;
            }
            arrivals.push((t as u64, joining));
        }
    }
    arrivals.sort_unstable();
    let mut leavers = members_of(world);
    let home = RegionIdx(0);
    let (mut calls, mut offsets) = (Vec::new(), Vec::new());
    for (n, (at, joining)) in arrivals.into_iter().enumerate() {
        let operation = if joining {
            let id = format!("9{:011}", n);
            json!({"Operation": "CreateAccount", "Email": format!("joiner-{n}@example.com"),
                "AccountName": format!("joiner-{n}"), "AccountId": id})
        } else {
            if leavers.is_empty() {
                continue;
            }
            let leaving = leavers.swap_remove(rng.random_range(0..leavers.len()));
            json!({"Operation": "RemoveAccountFromOrganization", "AccountId": world.account_id(leaving).to_string()})
        };
        calls.push(call(MANAGEMENT, home, operation));
        offsets.push(SimDuration(at));
    }
    Phase {
        label: format!("{} accounts join and leave per hour", params.churn_per_hour),
        calls,
        issue: Issue::At(offsets),
        settle: false,
        measured: true,
        opens_exposure: false,
    }
}

fn root_policy_change(world: &World) -> Phase {
    let change = call(
        ADMIN,
        RegionIdx(0),
        json!({"Operation": "UpdateConfigurationPolicy", "Identifier": policy_id(world, 0),
            "ConfigurationPolicy": {"SecurityHub": {"ServiceEnabled": true,
                "EnabledStandardIdentifiers": ["aws-foundational-security-best-practices/v/1.0.0",
                    "nist-800-53/v/5.0.0"],
                "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": []}}}}),
    );
    phase("add a standard to the root policy", vec![change], 1)
}
