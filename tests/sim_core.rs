//! The discrete-event core: same seed ⇒ byte-identical timelines; different seeds move follow-up
//! times within their ranges; races are reachable and visible; every way of stopping is reported.

use hubsim::model::SimTime;
use hubsim::model::World;
use hubsim::rules::{DelayClass, RuleId};
use hubsim::sim::{LatencyModel, RunLimits, SimConfig, Stop};
use hubsim::timeline::{Origin, Recording, Timeline, jsonl, text};

use crate::support::*;

fn config(seed: u64) -> SimConfig {
    SimConfig { seed, ..SimConfig::default() }
}

#[test]
fn same_seed_gives_byte_identical_text_and_jsonl() {
    let world = org(&["us-east-1", "eu-west-1"], 5);
    let steps = central_with_root_policy(&world);
    let (a, stop_a) = run(world.clone(), config(42), steps.clone());
    let (b, stop_b) = run(world, config(42), steps);
    assert_eq!((stop_a, stop_b), (Stop::Quiescent, Stop::Quiescent));
    let render =
        |s: &hubsim::sim::Simulation| (text::render(s.timeline(), s.world()), jsonl::render(s.timeline(), s.world()));
    let (text_a, json_a) = render(&a);
    assert_eq!((text_a.clone(), json_a.clone()), render(&b));
    assert!(text_a.contains("[ASSOC-13]"), "the policy reached accounts:\n{text_a}");
    assert_eq!(json_a.lines().count(), a.timeline().entries.len());
    for line in json_a.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(value["event"].is_u64() && value["call"].is_string() && value["effects"].is_array());
    }
}

#[test]
fn different_seeds_move_follow_ups_within_their_ranges() {
    let world = org(&["us-east-1", "eu-west-1"], 20);
    let steps = central_with_root_policy(&world);
    let latency = LatencyModel::default();
    let mut firsts = Vec::new();
    for seed in [1, 2, 3] {
        let (sim, _) = run(world.clone(), config(seed), steps.clone());
        let mut first_apply = None;
        for entry in &sim.timeline().entries {
            if let Origin::FollowUp { delay, scheduled_at, .. } = entry.origin {
                let range = latency.range(delay);
                let waited = entry.at.since(scheduled_at);
                assert!(waited >= range.min && waited <= range.max, "{delay:?} waited {waited}");
                if delay == DelayClass::AssociationApply && first_apply.is_none() {
                    first_apply = Some(entry.at);
                }
            }
        }
        firsts.push(first_apply.expect("policy work ran"));
    }
    assert!(firsts[0] != firsts[1] || firsts[1] != firsts[2], "seeds changed nothing: {firsts:?}");
}

#[test]
fn full_and_summary_recording_reach_the_same_world_and_counts() {
    let world = org(&["us-east-1", "eu-west-1"], 10);
    let steps = central_with_root_policy(&world);
    let (full, _) = run(world.clone(), config(9), steps.clone());
    let (summary, _) = run(world, SimConfig { recording: Recording::Summary, ..config(9) }, steps);
    assert!(summary.timeline().entries.is_empty());
    assert_eq!(full.timeline().summary, summary.timeline().summary);
    assert_eq!(full.timeline().summary.events, full.timeline().entries.len() as u64);
}

/// The summary's calls by operation and result, and its effects by rule (counted by the engine as
/// it makes them), equal a recount of the full timeline's entries, also when an event limit stops
/// the run in the middle of a run of one operation's successes.
#[test]
fn summary_counts_match_a_recount_of_the_entries() {
    let world = org(&["us-east-1", "eu-west-1"], 10);
    let steps = central_with_root_policy(&world);
    for max_events in [u64::MAX, 9, 15] {
        let limits = RunLimits { max_events, ..RunLimits::default() };
        let (sim, _) = run(world.clone(), SimConfig { limits, ..config(3) }, steps.clone());
        let mut recount: std::collections::BTreeMap<&str, (u64, u64)> = Default::default();
        for entry in &sim.timeline().entries {
            let slot = recount.entry(entry.call.name()).or_default();
            if entry.result.is_ok() { slot.0 += 1 } else { slot.1 += 1 }
        }
        let summary: std::collections::BTreeMap<&str, (u64, u64)> = sim
            .timeline()
            .summary
            .operations
            .iter()
            .map(|(name, counts)| (*name, (counts.ok, counts.errors.values().sum())))
            .collect();
        assert_eq!(summary, recount, "max_events {max_events}");
        assert!(recount.values().any(|(ok, _)| *ok > 1), "runs of successes were counted");
        let mut effects_by_rule = vec![0; RuleId::COUNT];
        for effect in sim.timeline().entries.iter().flat_map(|entry| &entry.effects) {
            effects_by_rule[effect.rule.index()] += 1;
        }
        assert_eq!(sim.timeline().summary.effects_by_rule, effects_by_rule, "max_events {max_events}");
        assert!(effects_by_rule.iter().filter(|n| **n > 0).count() > 5, "several rules made effects");
    }
}

/// Trusted access is disabled while the root policy is still propagating: some account-Regions got
/// the policy before, none after (LIFE-12 supersedes the rest), each change cited.
#[test]
fn disabling_trusted_access_mid_propagation_is_a_visible_race() {
    let world = org(&["us-east-1", "eu-west-1"], 30);
    let mut steps = central_with_root_policy(&world);
    let disable_at = SimTime(11 * 60_000 + 7 * 60_000);
    steps.push((
        disable_at,
        call(MGMT, 0, serde_json::json!({"Operation": "DisableAWSServiceAccess", "ServicePrincipal": "securityhub.amazonaws.com"})),
    ));
    let (sim, stop) = run(world, config(5), steps);
    assert_eq!(stop, Stop::Quiescent);
    let entries = &sim.timeline().entries;
    let applied = |e: &&hubsim::timeline::Entry| e.effects.iter().any(|f| f.rule == RuleId::ASSOC_13);
    let before = entries.iter().filter(|e| e.at < disable_at).filter(applied).count();
    let after = entries.iter().filter(|e| e.at > disable_at).filter(applied).count();
    let superseded = entries
        .iter()
        .filter(|e| e.at > disable_at && e.result.as_ref().is_ok_and(|r| r.get("Superseded").is_some()))
        .count();
    assert!(before > 0, "some account-Regions received the policy before the disable");
    assert_eq!(after, 0, "none received it after");
    assert!(superseded > 0, "the rest was superseded");
    let cleanup = entries.iter().find(|e| e.call.name() == "CompleteTrustedAccessCleanup").expect("clean-up ran");
    assert!(cleanup.effects.iter().any(|e| e.rule == RuleId::LIFE_12));
    let rendered = text::render(sim.timeline(), sim.world());
    assert!(rendered.contains("[TRUST-3]") && rendered.contains("\"Superseded\""));
}

#[test]
fn time_and_event_limits_are_distinct_outcomes() {
    let world = org(&["us-east-1"], 3);
    let steps = central_with_root_policy(&world);
    let limited =
        SimConfig { limits: RunLimits { max_time: SimTime(5 * 60_000), ..RunLimits::default() }, ..config(1) };
    let (_, stop) = run(world.clone(), limited, steps.clone());
    assert_eq!(stop, Stop::TimeLimit(SimTime(5 * 60_000)));
    let few = SimConfig { limits: RunLimits { max_events: 4, ..RunLimits::default() }, ..config(1) };
    let (sim, stop) = run(world.clone(), few, steps.clone());
    assert_eq!(stop, Stop::EventLimit(4));
    assert_eq!(sim.timeline().summary.events, 4);
    let instant = SimConfig { latency: LatencyModel::instant(), ..config(1) };
    let (sim, stop) = run(world, instant, steps);
    assert_eq!(stop, Stop::Quiescent);
    assert_eq!(
        sim.timeline().summary.last_event_at,
        SimTime(11 * 60_000),
        "zero delays keep follow-ups at their cause"
    );
}

#[test]
fn injected_faults_are_seeded_and_recorded() {
    let world = org(&["us-east-1", "eu-west-1"], 10);
    let steps = central_with_root_policy(&world);
    let faulty = |seed| SimConfig {
        faults: hubsim::sim::FaultModel { follow_up_failure: 0.5, ..Default::default() },
        ..config(seed)
    };
    let (a, _) = run(world.clone(), faulty(3), steps.clone());
    let (b, _) = run(world, faulty(3), steps);
    assert_eq!(text::render(a.timeline(), a.world()), text::render(b.timeline(), b.world()));
    let failed = a.timeline().entries.iter().filter(|e| e.injected == Some("follow-up failure")).count();
    assert!(failed > 0);
    assert_eq!(a.timeline().summary.injected_faults, failed as u64);
    assert!(text::render(a.timeline(), a.world()).contains("fault=injected"));
}

/// A large timeline is written in chunks as it is rendered, never held whole: the chunks add up
/// to exactly the rendered text (and JSON Lines), and a failing writer is an error, not a panic.
#[test]
fn timelines_are_written_in_chunks_that_add_up_to_the_rendering() {
    struct Chunks(Vec<Vec<u8>>);
    impl std::io::Write for Chunks {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.push(bytes.to_vec());
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "closed"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let world = org(&["us-east-1", "eu-west-1"], 300);
    let steps = central_with_root_policy(&world);
    let (sim, _) = run(world, config(7), steps);
    type Writer = fn(&Timeline, &World, &mut dyn std::io::Write) -> std::io::Result<()>;
    let writers: [(Writer, String); 2] = [
        (text::write, text::render(sim.timeline(), sim.world())),
        (jsonl::write, jsonl::render(sim.timeline(), sim.world())),
    ];
    for (write, rendered) in writers {
        assert!(rendered.len() > 3 * 64 * 1024, "a timeline of several chunks: {} bytes", rendered.len());
        let mut chunks = Chunks(Vec::new());
        write(sim.timeline(), sim.world(), &mut chunks).unwrap();
        assert!(chunks.0.len() >= 3, "{} chunks", chunks.0.len());
        assert_eq!(chunks.0.concat(), rendered.into_bytes());
        assert!(write(sim.timeline(), sim.world(), &mut Broken).is_err());
    }
}
