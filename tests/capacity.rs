//! Capacity: plans, client retries and metrics agree with hand arithmetic on small cases, and
//! sweeps are deterministic for a seed whatever the thread count.

use std::collections::BTreeMap;

use hubsim::capacity::{self, Metric, SweepConfig, play, render_csv, render_table};
use hubsim::model::{MemberStatus, RegionIdx};
use hubsim::rules::Op;
use hubsim::sim::quotas::Rate;
use hubsim::sim::{ClientConfig, RetryMode, SimConfig};
use hubsim::timeline::{Origin, Recording};
use hubsim::workload::plans::{self, PlanName, PlanParams};

/// 119 generated members plus the management account: 120 accounts for `CreateMembers`.
fn local(members: usize, regions: usize) -> PlanParams {
    PlanParams { members, regions, ..PlanParams::default() }
}

fn config(client: ClientConfig, rates: &[(&str, u64, u64)]) -> SimConfig {
    let rate_overrides: BTreeMap<String, Rate> = rates
        .iter()
        .map(|(op, per_second, burst)| (op.to_string(), Rate { per_second: *per_second, burst: *burst }))
        .collect();
    SimConfig { client, rate_overrides, recording: Recording::Full, ..SimConfig::default() }
}

/// Times of the `CreateMembers` attempts in a played plan, with whether each succeeded.
fn create_members_attempts(played: &capacity::Played) -> Vec<(u64, bool, Origin)> {
    played
        .timeline
        .entries
        .iter()
        .filter(|e| matches!(&e.call.op, Op::Api(op) if op.name() == "CreateMembers"))
        .map(|e| (e.at.as_ms(), e.result.is_ok(), e.origin))
        .collect()
}

#[test]
fn one_hundred_twenty_accounts_at_fifty_per_call_take_three_calls_without_throttling() {
    let plan = plans::build(PlanName::LocalOnboarding, &local(119, 1), 0).unwrap();
    let played = play(plan, config(ClientConfig::sdk(RetryMode::Standard), &[]));
    let create = &played.metrics.operations["CreateMembers"];
    assert_eq!((create.calls, create.ok, create.throttled, create.retries), (3, 3, 0, 0), "{create:?}");
    assert_eq!(played.metrics.throttled, 0);
    let enabled = played
        .world
        .account_indices()
        .filter(|a| {
            played.world.enabled_membership(*a, RegionIdx(0)).is_some_and(|r| r.status == MemberStatus::Enabled)
        })
        .count();
    assert_eq!(enabled, 120, "every account but the administrator itself is an Enabled member");
    assert_eq!(played.metrics.exposure.still_exposed, 0);
    assert_eq!(played.metrics.exposure.closed.count, 121, "every organization account, the administrator included");
}

#[test]
fn at_one_request_per_second_with_burst_one_successful_calls_are_a_second_apart() {
    let plan = plans::build(PlanName::LocalOnboarding, &local(119, 1), 0).unwrap();
    let client = ClientConfig { max_attempts: 10, ..ClientConfig::sdk(RetryMode::Standard) };
    let played = play(plan, config(client, &[("CreateMembers", 1, 1)]));
    let attempts = create_members_attempts(&played);
    let successes: Vec<u64> = attempts.iter().filter(|(_, ok, _)| *ok).map(|(at, _, _)| *at).collect();
    assert_eq!(successes.len(), 3, "{attempts:?}");
    for pair in successes.windows(2) {
        assert!(pair[1] - pair[0] >= 1_000, "successful calls closer than a second: {successes:?}");
    }
    // A round trip is 50-200 ms, so the second call arrives too early, is throttled, and retried.
    let create = &played.metrics.operations["CreateMembers"];
    assert!(create.throttled >= 2 && create.retries == create.throttled, "{create:?}");
    assert!(attempts.iter().any(|(_, _, origin)| matches!(origin, Origin::Retry { attempt: 2, .. })));
    assert_eq!(played.metrics.client.gave_up, 0);
}

#[test]
fn without_retries_a_throttled_call_is_lost_and_its_accounts_stay_exposed() {
    let plan = plans::build(PlanName::LocalOnboarding, &local(119, 1), 0).unwrap();
    let played = play(plan, config(ClientConfig::sdk(RetryMode::Off), &[("CreateMembers", 1, 1)]));
    let create = &played.metrics.operations["CreateMembers"];
    assert_eq!((create.calls, create.ok, create.retries), (3, 1, 0), "{create:?}");
    assert_eq!(played.metrics.client.gave_up, 2);
    assert_eq!(played.metrics.exposure.still_exposed, 70, "the 50 + 20 accounts of the two lost calls");
}

#[test]
fn adaptive_retries_slow_the_client_to_the_quota_after_the_first_throttle() {
    let plan = plans::build(PlanName::LocalOnboarding, &PlanParams { concurrency: 4, ..local(999, 1) }, 0).unwrap();
    let client = ClientConfig { max_attempts: 10, ..ClientConfig::sdk(RetryMode::Adaptive) };
    let played = play(plan, config(client, &[("CreateMembers", 2, 2)]));
    let create = &played.metrics.operations["CreateMembers"];
    assert_eq!(create.ok, 20, "1,000 accounts at 50 per call: {create:?}");
    assert_eq!(played.metrics.client.gave_up, 0);
    assert!(played.metrics.client.held_back_ms > 0, "the client-side limiter engaged: {:?}", played.metrics.client);
    let standard = plans::build(PlanName::LocalOnboarding, &PlanParams { concurrency: 4, ..local(999, 1) }, 0).unwrap();
    let standard = play(
        standard,
        config(ClientConfig { max_attempts: 10, ..ClientConfig::sdk(RetryMode::Standard) }, &[("CreateMembers", 2, 2)]),
    );
    assert!(
        create.throttled < standard.metrics.operations["CreateMembers"].throttled,
        "adaptive throttled {} times, standard {}",
        create.throttled,
        standard.metrics.operations["CreateMembers"].throttled
    );
}

#[test]
fn every_plan_brings_every_account_region_to_its_intended_state() {
    for name in [PlanName::LocalOnboarding, PlanName::CentralOnboarding, PlanName::RootPolicyChange] {
        let plan = plans::build(name, &local(300, 3), 1).unwrap();
        let played = play(plan, config(ClientConfig::sdk(RetryMode::Standard), &[]));
        let m = &played.metrics;
        assert!(m.quiescent, "{name:?}");
        assert_eq!(m.exposure.still_exposed, 0, "{name:?}: {m:?}");
        assert!(m.exposure.closed.count > 0 && m.exposure.closed.p50_ms <= m.exposure.closed.max_ms, "{name:?}");
    }
    // Central onboarding: all 300 members, the administrator and the management account, in 3
    // Regions, each closed by its association reaching SUCCESS (1-15 minutes, TIME-1).
    let played = play(
        plans::build(PlanName::CentralOnboarding, &local(300, 3), 1).unwrap(),
        config(ClientConfig::sdk(RetryMode::Standard), &[]),
    );
    // The administrator (ADMIN-3 enables its hub) and the management account (its own hub, then
    // CENTRAL-4 membership) reach the local goal first; the root association then changes their
    // goal and opens a second window each.
    assert_eq!(played.metrics.exposure.closed.count, (302 + 2) * 3);
    assert_eq!(played.metrics.association.settled.count, 302 * 3);
    assert!(played.metrics.association.settled.max_ms <= 15 * 60_000);
    // With 10 accounts per OU, Team-009, Team-019 and Team-029 hold the exception policy: a root
    // policy change re-applies to the other 270 members, the administrator and the management
    // account only.
    let played = play(
        plans::build(PlanName::RootPolicyChange, &PlanParams { ou_size: 10, ..local(300, 3) }, 1).unwrap(),
        config(ClientConfig::sdk(RetryMode::Standard), &[]),
    );
    assert_eq!(played.metrics.association.settled.count, 272 * 3);
}

#[test]
fn steady_churn_opens_windows_as_accounts_join() {
    let params = PlanParams { churn_per_hour: 120, ..local(200, 2) };
    let played = play(
        plans::build(PlanName::SteadyChurn, &params, 3).unwrap(),
        config(ClientConfig::sdk(RetryMode::Standard), &[]),
    );
    let m = &played.metrics;
    let joins = m.operations["CreateAccount"].ok;
    let leaves = m.operations["RemoveAccountFromOrganization"].ok;
    assert!(joins > 60 && leaves > 60, "about 120 of each in an hour: {joins} joins, {leaves} leaves");
    assert_eq!(m.exposure.closed.count + m.exposure.still_exposed + m.exposure.dropped, joins * 2);
    assert_eq!(m.exposure.still_exposed, 0);
}

fn small_sweep() -> SweepConfig {
    SweepConfig {
        plan: PlanName::CentralOnboarding,
        members: vec![50, 200],
        regions: vec![1, 3],
        seeds: vec![0, 1, 2],
        params: PlanParams::default(),
        sim: SimConfig { client: ClientConfig::sdk(RetryMode::Standard), ..SimConfig::default() },
    }
}

#[test]
fn sweeps_are_deterministic_and_independent_of_thread_count() {
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let sweep = pool.install(|| capacity::sweep(&small_sweep(), &|| {})).unwrap();
        (render_table(&sweep), render_csv(&sweep), serde_json::to_string(&sweep).unwrap())
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(1));
    // Grid order: Region count, then members, then seed; seeds differ from one another.
    let csv: Vec<&str> = one.1.lines().skip(1).collect();
    assert_eq!(csv.len(), 12);
    assert!(csv[0].starts_with("central-onboarding,1,50,0,") && csv[11].starts_with("central-onboarding,3,200,2,"));
    assert_ne!(csv[0].split_once(",0,").unwrap().1, csv[1].split_once(",1,").unwrap().1, "seeds move delays");
}

#[test]
fn the_plot_has_one_line_per_region_count() {
    let sweep = capacity::sweep(&small_sweep(), &|| {}).unwrap();
    let svg = capacity::plot_svg(&sweep, Metric::ExposureP90).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("1 Region") && svg.contains("3 Regions"), "{svg}");
    // Each Region count has its colour: a line and a point per seed and member count.
    for colour in ["#1F77B4", "#FF7F0E"] {
        assert!(svg.to_uppercase().contains(colour), "{colour} missing");
    }
    assert!(!svg.to_uppercase().contains("#2CA02C"), "only two series");
}

#[test]
fn what_the_unmeasured_setup_cost_is_not_reported() {
    // Throttle the setup's policy calls hard: its retries must not show up in the measured phase,
    // which is one UpdateConfigurationPolicy.
    let with_retries = config(
        ClientConfig { max_attempts: 10, ..ClientConfig::sdk(RetryMode::Standard) },
        &[("StartConfigurationPolicyAssociation", 1, 1), ("CreateConfigurationPolicy", 1, 1)],
    );
    let params = PlanParams { ou_size: 10, concurrency: 4, ..local(300, 1) };
    let played = play(plans::build(PlanName::RootPolicyChange, &params, 0).unwrap(), with_retries);
    let m = &played.metrics;
    assert_eq!(m.api_calls, 1, "{m:?}");
    assert_eq!((m.client.retries, m.client.gave_up), (0, 0), "{:?}", m.client);
    assert!(m.peak_queue <= 272, "the measured peak is the policy change's work only: {}", m.peak_queue);
    assert_eq!(m.setup_failed, 0, "with retries the setup went as planned");

    // Without retries the exception policy is never created; the report says the setup failed.
    let without_retries = config(ClientConfig::sdk(RetryMode::Off), &[("CreateConfigurationPolicy", 1, 1)]);
    let played = play(plans::build(PlanName::RootPolicyChange, &params, 0).unwrap(), without_retries);
    assert!(played.metrics.setup_failed >= 1, "{:?}", played.metrics);
}

#[test]
fn exposure_percentiles_count_account_regions_never_reached() {
    let plan = plans::build(PlanName::LocalOnboarding, &local(119, 1), 0).unwrap();
    let played = play(plan, config(ClientConfig::sdk(RetryMode::Off), &[("CreateMembers", 1, 1)]));
    let e = &played.metrics.exposure;
    // 121 windows (every organization account); the 70 accounts of the two lost calls are never
    // reached, so more than half never are: the median is "never", not a short time.
    assert_eq!((e.windows, e.still_exposed), (121, 70));
    assert!(e.p50_ms.is_none() && e.p90_ms.is_none() && e.max_ms.is_none(), "{e:?}");
    assert_eq!(e.closed.count, 51);
}

#[test]
fn resource_limits_are_not_counted_as_throttles() {
    let scenario = hubsim::scenario::load(std::path::Path::new("scenarios/limits/twenty-first-policy.toml")).unwrap();
    let report = hubsim::scenario::run(&scenario, &hubsim::scenario::RunOptions::default());
    let create = &report.metrics.expect("measured by default").operations["CreateConfigurationPolicy"];
    assert_eq!(create.errors.get("LimitExceededException"), Some(&1), "{create:?}");
    assert_eq!(create.throttled, 0);
}

#[test]
fn adaptive_mode_holds_back_scenario_steps_after_a_throttle() {
    let mut source = String::from(
        r#"title = "ten CreateMembers 100 ms apart at one per second"
regions = ["us-east-1"]
[org]
management = "111111111111"
[org.ous]
"Security" = ["222222222222"]
"Workloads" = ["300000000000", "300000000001", "300000000002", "300000000003", "300000000004",
               "300000000005", "300000000006", "300000000007", "300000000008", "300000000009"]
[limits]
api_rates.CreateMembers = { rate = 1, burst = 1 }
[client]
retry = "adaptive"
max_attempts = 10
[[step]]
at = "0s"
caller = "management"
call = "securityhub:EnableOrganizationAdminAccount"
args = { AdminAccountId = "222222222222" }
"#,
    );
    for i in 0..10 {
        source.push_str(&format!(
            "[[step]]\nat = \"1m{}ms\"\ncaller = \"admin\"\ncall = \"securityhub:CreateMembers\"\nargs = {{ AccountDetails = [{{ AccountId = \"30000000000{i}\" }}] }}\nexpect = \"ok\"\n",
            i * 100
        ));
    }
    let scenario = hubsim::scenario::from_str("adaptive.toml", &source).unwrap();
    let report = hubsim::scenario::run(&scenario, &hubsim::scenario::RunOptions::default());
    assert!(report.passed(), "{}", report.render_results());
    let m = report.metrics.as_ref().expect("measured by default");
    assert!(m.client.held_back_ms > 0, "{:?}", m.client);
    let create = &m.operations["CreateMembers"];
    assert_eq!(create.ok, 10);
    assert!(create.throttled < 5, "the limiter spares most throttles: {create:?}");
}

#[test]
fn metrics_are_measured_only_when_asked_and_change_nothing_else() {
    let scenario =
        hubsim::scenario::load(std::path::Path::new("scenarios/races/disable-trusted-access-mid-propagation.toml"))
            .unwrap();
    let with = hubsim::scenario::run(&scenario, &hubsim::scenario::RunOptions::default());
    let without = hubsim::scenario::run(
        &scenario,
        &hubsim::scenario::RunOptions { metrics: false, ..hubsim::scenario::RunOptions::default() },
    );
    assert!(with.metrics.as_ref().is_some_and(|m| m.events == with.timeline.summary.events));
    assert!(without.metrics.is_none());
    assert_eq!(with.exercised, without.exercised);
    assert!(with.exercised.len() > 10, "{:?}", with.exercised);
    assert_eq!(with.render_text(), without.render_text());
}
