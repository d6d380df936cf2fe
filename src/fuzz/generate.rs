//! Workload generation: from a seed, an organization shape (one of a few templates, built once
//! per campaign and cloned per run) and a stream of calls over every operation family. The seed
//! also draws swarm weights, so different seeds stress different mixes, and sometimes picks the
//! wrong caller or the wrong Region so that permission and error paths are fuzzed too.
//!
//! Calls name policies (`policy:p0` … `policy:p2`) and handshakes (`handshake:ACCOUNT`) whether
//! or not an earlier step creates them, so that not-found paths are fuzzed as well. Those that no
//! step creates at all are grounded to literal ids that exist nowhere
//! (`scenario::ground_dangling_symbols`): the run behaves the same, and the steps, written as a
//! scenario file, pass the load-time check that rejects such symbols in hand-written files. What
//! runs is exactly what gets written.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::model::{AccountId, Region, RegionIdx, SimTime, World, WorldBuilder};
use crate::scenario::{self, CallerRef, Step};

/// The management account of fuzzed organizations.
pub const MANAGEMENT: &str = "111111111111";
/// The delegated administrator of fuzzed organizations.
pub const ADMIN: &str = "222222222222";

/// An organization shape, explicit enough to be written back as a scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    /// Regions in play; the first is the home Region.
    pub regions: Vec<Region>,
    /// OU path → accounts directly in it.
    pub ous: Vec<(String, Vec<AccountId>)>,
    /// Accounts outside any organization.
    pub standalone: Vec<AccountId>,
    /// Accounts of another organization.
    pub other_org: Vec<AccountId>,
    /// Opt-in Regions activated per account.
    pub opt_in: Vec<(AccountId, Region)>,
}

fn id(number: u64) -> AccountId {
    AccountId::from_number(number).expect("generated ids are 12 digits")
}

/// The number of templates.
pub const TEMPLATES: usize = 4;

/// Template `template` with `members` member accounts besides the DA.
pub fn shape(template: usize, members: usize) -> Shape {
    let r = |code: &str| Region::parse(code).expect("known Region");
    let (regions, paths): (Vec<Region>, Vec<&str>) = match template % TEMPLATES {
        0 => (vec![r("us-east-1"), r("eu-west-1")], vec!["Workloads/Prod", "Workloads/Dev"]),
        1 => (vec![r("us-east-1"), r("eu-west-1"), r("af-south-1")], vec!["A", "A/B", "A/B/C"]),
        2 => (vec![r("us-east-1"), r("us-west-2"), r("eu-central-1")], vec!["Team-0", "Team-1", "Team-2", "Team-3"]),
        _ => (vec![r("eu-west-1"), r("us-east-1")], vec!["X/X1", "X/X2", "Y/Y1"]),
    };
    let mut ous: Vec<(String, Vec<AccountId>)> = vec![("Security".to_string(), vec![id(222_222_222_222)])];
    ous.extend(paths.iter().map(|p| (p.to_string(), Vec::new())));
    for i in 0..members {
        let slot = 1 + i % paths.len();
        ous[slot].1.push(id(300_000_000_000 + i as u64));
    }
    let opt_in = if template % TEMPLATES == 1 {
        ous.iter().flat_map(|(_, a)| a.iter()).step_by(2).map(|a| (*a, r("af-south-1"))).collect()
    } else {
        Vec::new()
    };
    Shape {
        regions,
        ous,
        standalone: vec![id(555_555_555_555), id(555_555_555_556)],
        other_org: vec![id(666_666_666_666)],
        opt_in,
    }
}

impl Shape {
    /// The initial world.
    pub fn build(&self) -> World {
        let mut b = WorldBuilder::new(self.regions.clone(), AccountId::parse(MANAGEMENT).expect("valid"));
        for (path, accounts) in &self.ous {
            b = b.ou(path);
            for a in accounts {
                b = b.account_in(*a, path);
            }
        }
        for a in &self.standalone {
            b = b.standalone(*a);
        }
        for a in &self.other_org {
            b = b.in_other_org(*a, 2);
        }
        for (a, region) in &self.opt_in {
            b = b.opt_in(*a, *region);
        }
        b.build().expect("templates are valid")
    }

    /// The declared OU paths.
    pub fn ou_paths(&self) -> impl Iterator<Item = &str> {
        self.ous.iter().map(|(path, _)| path.as_str())
    }

    /// Every member account (not the management account or the DA).
    pub fn members(&self) -> Vec<AccountId> {
        self.ous.iter().skip(1).flat_map(|(_, a)| a.iter().copied()).collect()
    }
}

/// Operation families with swarm weights.
#[derive(Clone, Copy, Debug)]
enum Family {
    Trusted,
    Admin,
    Local,
    Invitations,
    Central,
    Policies,
    Organization,
    Hub,
}

const FAMILIES: [Family; 8] = [
    Family::Trusted,
    Family::Admin,
    Family::Local,
    Family::Invitations,
    Family::Central,
    Family::Policies,
    Family::Organization,
    Family::Hub,
];

/// `steps` calls for `shape`, drawn from `rng` (the workload stream of the seed).
pub fn workload(shape: &Shape, rng: &mut ChaCha8Rng, steps: usize) -> Vec<Step> {
    // Swarm testing: each family gets a weight 0..=5 for this seed; at least one is on.
    let mut weights: Vec<u32> =
        FAMILIES.iter().map(|_| if rng.random_bool(0.2) { 0 } else { rng.random_range(1..=5) }).collect();
    if weights.iter().all(|w| *w == 0) {
        let chosen = rng.random_range(0..weights.len());
        weights[chosen] = 3;
    }
    let total: u32 = weights.iter().sum();
    let members = shape.members();
    let mut everyone: Vec<AccountId> =
        vec![AccountId::parse(MANAGEMENT).expect("valid"), AccountId::parse(ADMIN).expect("valid")];
    everyone.extend(members.iter().copied());
    everyone.extend(shape.standalone.iter().copied());
    everyone.extend(shape.other_org.iter().copied());
    let mut out = prologue(shape, rng);
    let mut at = out.last().map_or(SimTime::ZERO, |s| s.at);
    let mut created = 0u64;
    for index in out.len()..out.len() + steps {
        at = SimTime(at.as_ms() + rng.random_range(0..=180_000));
        let mut pick = rng.random_range(0..total);
        let family = FAMILIES
            .iter()
            .zip(&weights)
            .find(|(_, w)| {
                if pick < **w {
                    true
                } else {
                    pick -= **w;
                    false
                }
            })
            .map(|(f, _)| *f)
            .expect("weights sum to total");
        let (caller, operation, args) = call(family, shape, &members, rng, &mut created);
        let mut caller = CallerRef::Account(
            AccountId::parse(caller.as_str()).unwrap_or_else(|_| AccountId::parse(MANAGEMENT).expect("valid")),
        );
        if caller_is_aws(&operation) {
            caller = CallerRef::Aws;
        } else if rng.random_bool(0.1) {
            caller = CallerRef::Account(everyone[rng.random_range(0..everyone.len())]);
        }
        let region =
            if rng.random_bool(0.8) { RegionIdx(0) } else { RegionIdx(rng.random_range(0..shape.regions.len()) as u8) };
        out.push(Step::call(index, at, caller, region, operation, args));
    }
    scenario::ground_dangling_symbols(shape.ou_paths(), &mut out);
    out
}

/// A start that reaches deeper states: nothing (30%), local configuration with auto-enable in
/// every Region (35%), or central configuration with a root policy (35%).
fn prologue(shape: &Shape, rng: &mut ChaCha8Rng) -> Vec<Step> {
    let kind = rng.random_range(0..100);
    let mut calls: Vec<(&str, RegionIdx, &str, Value)> = Vec::new();
    let default_regions: Vec<RegionIdx> =
        (0..shape.regions.len()).filter(|r| !shape.regions[*r].is_opt_in()).map(|r| RegionIdx(r as u8)).collect();
    if kind >= 30 {
        for &r in &default_regions {
            calls.push((MANAGEMENT, r, "EnableOrganizationAdminAccount", json!({ "AdminAccountId": ADMIN })));
        }
    }
    if (30..65).contains(&kind) {
        for &r in &default_regions {
            calls.push((ADMIN, r, "UpdateOrganizationConfiguration", json!({ "AutoEnable": true })));
        }
    }
    if kind >= 65 {
        calls.push((ADMIN, RegionIdx(0), "CreateFindingAggregator", json!({ "RegionLinkingMode": "ALL_REGIONS" })));
        calls.push((ADMIN, RegionIdx(0), "UpdateOrganizationConfiguration", json!({ "AutoEnable": false, "AutoEnableStandards": "NONE", "OrganizationConfiguration": { "ConfigurationType": "CENTRAL" } })));
        calls.push((
            ADMIN,
            RegionIdx(0),
            "CreateConfigurationPolicy",
            json!({ "Name": "p0", "ConfigurationPolicy": { "SecurityHub": policy_hub(rng) } }),
        ));
        calls.push((
            ADMIN,
            RegionIdx(0),
            "StartConfigurationPolicyAssociation",
            json!({ "ConfigurationPolicyIdentifier": "policy:p0", "Target": { "RootId": "root" } }),
        ));
    }
    calls
        .into_iter()
        .enumerate()
        .map(|(index, (caller, region, operation, args))| {
            // The central switch settles within two minutes (TIME-3); leave it three.
            let at = SimTime(index as u64 * 180_000);
            Step::call(index, at, CallerRef::Account(AccountId::parse(caller).expect("valid")), region, operation, args)
        })
        .collect()
}

fn caller_is_aws(operation: &str) -> bool {
    matches!(operation, "SuspendAccount" | "ReactivateAccount")
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

fn policy_hub(rng: &mut ChaCha8Rng) -> Value {
    if rng.random_bool(0.2) {
        return json!({ "ServiceEnabled": false });
    }
    let standards = pick(
        rng,
        &[
            &["aws-foundational-security-best-practices/v/1.0.0"][..],
            &["cis-aws-foundations-benchmark/v/1.4.0", "nist-800-53/v/5.0.0"][..],
            &[][..],
        ],
    );
    let controls = if rng.random_bool(0.5) {
        json!({ "DisabledSecurityControlIdentifiers": pick(rng, &[&["EC2.2"][..], &[][..], &["IAM.1", "S3.1"][..]]) })
    } else {
        json!({ "EnabledSecurityControlIdentifiers": pick(rng, &[&["S3.1", "IAM.1"][..], &[][..]]) })
    };
    json!({ "ServiceEnabled": true, "EnabledStandardIdentifiers": standards, "SecurityControlsConfiguration": controls })
}

fn call(
    family: Family,
    shape: &Shape,
    members: &[AccountId],
    rng: &mut ChaCha8Rng,
    created: &mut u64,
) -> (String, String, Value) {
    let member = |rng: &mut ChaCha8Rng| -> String {
        if members.is_empty() { ADMIN.to_string() } else { members[rng.random_range(0..members.len())].to_string() }
    };
    let outsider = |rng: &mut ChaCha8Rng| -> String { pick(rng, &shape.standalone).to_string() };
    let policy = |rng: &mut ChaCha8Rng| format!("policy:p{}", rng.random_range(0..3));
    let paths: Vec<&str> = shape.ous.iter().map(|(p, _)| p.as_str()).collect();
    let target = |rng: &mut ChaCha8Rng| -> Value {
        match rng.random_range(0..3) {
            0 => json!({ "RootId": "root" }),
            1 => json!({ "OrganizationalUnitId": format!("ou:{}", pick(rng, &paths)) }),
            _ => {
                json!({ "AccountId": if members.is_empty() { ADMIN.to_string() } else { members[rng.random_range(0..members.len())].to_string() } })
            }
        }
    };
    let (caller, op, args): (String, &str, Value) = match family {
        Family::Trusted => {
            let op = if rng.random_bool(0.7) { "EnableAWSServiceAccess" } else { "DisableAWSServiceAccess" };
            (MANAGEMENT.into(), op, json!({ "ServicePrincipal": "securityhub.amazonaws.com" }))
        }
        Family::Admin => match rng.random_range(0..5) {
            0 | 1 => (MANAGEMENT.into(), "EnableOrganizationAdminAccount", json!({ "AdminAccountId": ADMIN })),
            2 => (MANAGEMENT.into(), "DisableOrganizationAdminAccount", json!({ "AdminAccountId": ADMIN })),
            3 => (
                MANAGEMENT.into(),
                "DeregisterDelegatedAdministrator",
                json!({ "AccountId": ADMIN, "ServicePrincipal": "securityhub.amazonaws.com" }),
            ),
            _ => (
                MANAGEMENT.into(),
                "RegisterDelegatedAdministrator",
                json!({ "AccountId": ADMIN, "ServicePrincipal": "securityhub.amazonaws.com" }),
            ),
        },
        Family::Local => match rng.random_range(0..3) {
            0 => (ADMIN.into(), "UpdateOrganizationConfiguration", json!({ "AutoEnable": rng.random_bool(0.5) })),
            1 => {
                let details: Vec<Value> =
                    (0..rng.random_range(1..=3)).map(|_| json!({ "AccountId": member(rng) })).collect();
                (ADMIN.into(), "CreateMembers", json!({ "AccountDetails": details }))
            }
            _ => (ADMIN.into(), "EnableAllOrganizationAccounts", json!({})),
        },
        Family::Invitations => {
            let who = outsider(rng);
            match rng.random_range(0..5) {
                0 => (who, "EnableSecurityHub", json!({})),
                1 => (ADMIN.into(), "CreateMembers", json!({ "AccountDetails": [{ "AccountId": who }] })),
                2 => (ADMIN.into(), "InviteMembers", json!({ "AccountIds": [who] })),
                3 => (
                    who.clone(),
                    "AcceptAdministratorInvitation",
                    json!({ "AdministratorId": ADMIN, "InvitationId": format!("invitation:{ADMIN}:{who}") }),
                ),
                _ => (who, "DisassociateFromAdministratorAccount", json!({})),
            }
        }
        Family::Central => match rng.random_range(0..5) {
            0 => (ADMIN.into(), "CreateFindingAggregator", json!({ "RegionLinkingMode": "ALL_REGIONS" })),
            1 | 2 => (
                ADMIN.into(),
                "UpdateOrganizationConfiguration",
                json!({ "AutoEnable": false, "AutoEnableStandards": "NONE", "OrganizationConfiguration": { "ConfigurationType": "CENTRAL" } }),
            ),
            3 => (
                ADMIN.into(),
                "UpdateOrganizationConfiguration",
                json!({ "AutoEnable": false, "OrganizationConfiguration": { "ConfigurationType": "LOCAL" } }),
            ),
            _ => (
                ADMIN.into(),
                "UpdateFindingAggregator",
                json!({ "FindingAggregatorArn": "unknown", "RegionLinkingMode": "NO_REGIONS" }),
            ),
        },
        Family::Policies => match rng.random_range(0..6) {
            0 | 1 => {
                let name = format!("p{}", rng.random_range(0..3));
                (
                    ADMIN.into(),
                    "CreateConfigurationPolicy",
                    json!({ "Name": name, "ConfigurationPolicy": { "SecurityHub": policy_hub(rng) } }),
                )
            }
            2 => (
                ADMIN.into(),
                "UpdateConfigurationPolicy",
                json!({ "Identifier": policy(rng), "ConfigurationPolicy": { "SecurityHub": policy_hub(rng) } }),
            ),
            3 => (ADMIN.into(), "DeleteConfigurationPolicy", json!({ "Identifier": policy(rng) })),
            4 => {
                let value = if rng.random_bool(0.2) { "SELF_MANAGED_SECURITY_HUB".to_string() } else { policy(rng) };
                (
                    ADMIN.into(),
                    "StartConfigurationPolicyAssociation",
                    json!({ "ConfigurationPolicyIdentifier": value, "Target": target(rng) }),
                )
            }
            _ => (
                ADMIN.into(),
                "StartConfigurationPolicyDisassociation",
                json!({ "ConfigurationPolicyIdentifier": policy(rng), "Target": target(rng) }),
            ),
        },
        Family::Organization => match rng.random_range(0..7) {
            0 => {
                *created += 1;
                let new = (700_000_000_000 + *created).to_string();
                (
                    MANAGEMENT.into(),
                    "CreateAccount",
                    json!({ "Email": "fuzz@example.com", "AccountName": "fuzz", "AccountId": new }),
                )
            }
            1 => (MANAGEMENT.into(), "RemoveAccountFromOrganization", json!({ "AccountId": member(rng) })),
            2 => {
                let (from, accounts) = &shape.ous[rng.random_range(1..shape.ous.len())];
                let account = if accounts.is_empty() {
                    member(rng)
                } else {
                    accounts[rng.random_range(0..accounts.len())].to_string()
                };
                let to = pick(rng, &paths);
                (
                    MANAGEMENT.into(),
                    "MoveAccount",
                    json!({ "AccountId": account, "SourceParentId": format!("ou:{from}"), "DestinationParentId": format!("ou:{to}") }),
                )
            }
            3 => (MANAGEMENT.into(), "CloseAccount", json!({ "AccountId": member(rng) })),
            4 => (
                "aws".into(),
                if rng.random_bool(0.6) { "SuspendAccount" } else { "ReactivateAccount" },
                json!({ "AccountId": member(rng) }),
            ),
            5 => (
                MANAGEMENT.into(),
                "InviteAccountToOrganization",
                json!({ "Target": { "Id": outsider(rng), "Type": "ACCOUNT" } }),
            ),
            _ => {
                let who = outsider(rng);
                (who.clone(), "AcceptHandshake", json!({ "HandshakeId": format!("handshake:{who}") }))
            }
        },
        Family::Hub => match rng.random_range(0..4) {
            0 => (member(rng), "EnableSecurityHub", json!({})),
            1 => (member(rng), "DisableSecurityHub", json!({})),
            2 => (
                member(rng),
                "BatchEnableStandards",
                json!({ "StandardsSubscriptionRequests": [{ "StandardsArn": "nist-800-53/v/5.0.0" }] }),
            ),
            _ => (member(rng), "EnableRegion", json!({ "RegionName": "af-south-1" })),
        },
    };
    (caller, op.to_string(), args)
}

#[cfg(test)]
mod tests {
    use rayon::prelude::*;

    use super::{TEMPLATES, shape, workload};
    use crate::fuzz::write::{Provenance, scenario_text};
    use crate::scenario;
    use crate::sim::rng;

    /// Every generated workload, written as a scenario file, loads back — the shrinker and
    /// `hubsim run` both depend on it — and loads as exactly the steps that ran: grounding already
    /// happened in the generator, so the loaded arguments are the generated ones.
    #[test]
    fn every_generated_workload_written_as_a_scenario_loads_back_as_itself() {
        let cases: Vec<(usize, usize, u64)> = (0..TEMPLATES)
            .flat_map(|template| {
                [5, 30].into_iter().flat_map(move |members| (0..300).map(move |seed| (template, members, seed)))
            })
            .collect();
        let grounded: usize = cases
            .into_par_iter()
            .map(|(template, members, seed)| {
                let shape = shape(template, members);
                let steps = workload(&shape, &mut rng::stream(seed, rng::Concern::Workload), 80);
                let provenance = Provenance { invariant: "test", detail: "a test", seed, command: "test" };
                let text = scenario_text(&shape, &steps, seed, &provenance);
                let at = format!("seed {seed}, template {template}, {members} members");
                let loaded = scenario::from_str(&at, &text)
                    .unwrap_or_else(|d| panic!("{at}: the written workload does not load:\n{d:?}\n{text}"));
                assert_eq!(loaded.steps.len(), steps.len(), "{at}");
                for (generated, read) in steps.iter().zip(&loaded.steps) {
                    assert_eq!((&generated.operation, &generated.args), (&read.operation, &read.args), "{at}");
                    assert_eq!((generated.at, generated.caller, generated.region), (read.at, read.caller, read.region));
                }
                let mut again = steps.clone();
                assert_eq!(scenario::ground_dangling_symbols(shape.ou_paths(), &mut again), 0, "{at}");
                usize::from(["never-created-", "h-nobody-invited-"].iter().any(|l| text.contains(*l)))
            })
            .sum();
        // The generator does name things no step creates; without grounding these would not load.
        assert!(grounded > 100, "only {grounded} workloads needed grounding");
    }

    /// With summary recording an event lists only the effects its observers say they read
    /// (`Observer::effect_interest`); with full recording it lists every one. Random workloads
    /// checked and measured both ways reach the same violations, "sometimes" counts, metrics and
    /// rules exercised: the checker and the metrics read nothing they did not ask for.
    #[test]
    fn observers_see_the_same_run_whether_events_list_every_effect_or_only_those_they_read() {
        use crate::invariants::Sometimes;
        use crate::scenario::{RunOptions, Scenario};
        use crate::sim::SimConfig;
        use crate::timeline::Recording;

        let cases: Vec<(usize, u64)> =
            (0..TEMPLATES).flat_map(|template| (0..60).map(move |seed| (template, seed))).collect();
        let reached: Vec<Sometimes> = cases
            .into_par_iter()
            .map(|(template, seed)| {
                let shape = shape(template, 40);
                let steps = workload(&shape, &mut rng::stream(seed, rng::Concern::Workload), 300);
                let scenario = Scenario {
                    name: format!("seed {seed}"),
                    title: String::new(),
                    about: None,
                    world: shape.build(),
                    admin_alias: None,
                    config: SimConfig { seed, ..SimConfig::default() },
                    steps,
                    expects: Vec::new(),
                    covers: Vec::new(),
                };
                let run = |recording| scenario::run(&scenario, &RunOptions { recording, seed: None, metrics: true });
                let (listed, every) = (run(Recording::Summary), run(Recording::Full));
                let at = format!("template {template}, seed {seed}");
                assert_eq!(listed.violations, every.violations, "{at}");
                assert_eq!(listed.sometimes, every.sometimes, "{at}");
                assert_eq!(listed.metrics, every.metrics, "{at}");
                assert_eq!(listed.exercised, every.exercised, "{at}");
                assert_eq!(listed.timeline.summary, every.timeline.summary, "{at}");
                listed.sometimes.into_keys().collect::<Vec<_>>()
            })
            .flatten()
            .collect();
        // Both read the world's pending association results, no longer the effects.
        for situation in [Sometimes::TrustedAccessDisabledMidPropagation, Sometimes::AccountMovedMidPropagation] {
            assert!(reached.contains(&situation), "no workload reached {situation:?}");
        }
    }
}
