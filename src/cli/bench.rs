//! `hubsim bench`: plays a built-in workload and reports throughput (events per second of wall
//! time), the cost of cloning the world, and peak memory. The only place besides progress output
//! that reads the host clock; nothing it measures reaches a timeline.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};

use super::{RecordingArg, UsageError, Verdict, page_faults, peak_memory_bytes};
use crate::model::World;
use crate::sim::{EventView, NoObserver, Observer, SimConfig, Simulation};
use crate::workload;

/// Arguments of `hubsim bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The workload.
    #[arg(value_enum)]
    pub workload: BenchWorkload,
    /// Member accounts in the organization.
    #[arg(long, default_value_t = 10_000)]
    pub members: usize,
    /// Regions in play (1 to 34; the first 17 are the default-enabled ones).
    #[arg(long, default_value_t = 17)]
    pub regions: usize,
    /// Root seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Percentage of member accounts that leave during the lifecycle.
    #[arg(long, default_value_t = 10)]
    pub leave_percent: usize,
    /// Record the full timeline or counts only.
    #[arg(long, value_enum, default_value_t = RecordingArg::Summary)]
    pub recording: RecordingArg,
    /// Also report wall time by operation (the gaps between consecutive events).
    #[arg(long)]
    pub profile: bool,
    /// Play the lifecycle this many times, each on a freshly built world, and report the first
    /// (cold) run, the best and the median wall time (a shared machine's noise shows in single
    /// runs; later runs reuse memory the first one faulted in).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub repeat: u32,
}

/// Attributes the wall time since the previous event to each event's operation.
struct Profiler {
    last: Instant,
    by_operation: BTreeMap<&'static str, (u64, u64, Duration)>,
}

impl Observer for Profiler {
    fn after_event(&mut self, _world: &World, event: &EventView<'_>) {
        let now = Instant::now();
        let slot = self.by_operation.entry(event.call.name()).or_default();
        slot.0 += 1;
        slot.1 += event.outcome.effects.len() as u64;
        slot.2 += now - self.last;
        self.last = now;
    }
}

/// Built-in workloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BenchWorkload {
    /// Trusted access, administrator, central configuration with a root policy in every Region,
    /// some accounts leaving, the administrator removed.
    Lifecycle,
}

pub(super) fn run(args: BenchArgs) -> Result<Verdict, UsageError> {
    if !(1..=34).contains(&args.regions) {
        return Err(UsageError(format!("--regions must be between 1 and 34; got {}", args.regions)));
    }
    if args.members > 100_000 || args.leave_percent > 100 {
        return Err(UsageError("--members is at most 100000 and --leave-percent at most 100".into()));
    }
    let build = || workload::organization(args.members, args.regions).map_err(|e| UsageError(e.to_string()));
    let started = Instant::now();
    let world = build()?;
    let built = started.elapsed();
    let clone_started = Instant::now();
    let clones = 10;
    for _ in 0..clones {
        std::hint::black_box(world.clone());
    }
    let clone_each = clone_started.elapsed() / clones;
    let mut world = Some(world);
    let mut walls = Vec::new();
    let mut faults = Vec::new();
    let mut last = None;
    for _ in 0..args.repeat {
        // Each repetition starts from a world of its own (the previous run's memory goes back to
        // the allocator first, so later runs fault in less: the first run is the cold one).
        drop(last.take());
        let world = match world.take() {
            Some(world) => world,
            None => build()?,
        };
        let steps = workload::lifecycle(&world, args.leave_percent);
        let config = SimConfig { seed: args.seed, recording: args.recording.into(), ..SimConfig::default() };
        let mut sim = Simulation::new(world, config);
        for (index, (at, call)) in steps.into_iter().enumerate() {
            sim.schedule(at, call, index);
        }
        let faults_before = page_faults();
        let run_started = Instant::now();
        let mut profiler = Profiler { last: run_started, by_operation: BTreeMap::new() };
        let stop = if args.profile { sim.run(&mut profiler) } else { sim.run(&mut NoObserver) };
        walls.push(run_started.elapsed());
        faults.push(page_faults().zip(faults_before).map(|(after, before)| after - before));
        last = Some((sim, stop, profiler));
    }
    let (sim, stop, profiler) = last.expect("at least one repetition");
    let summary = &sim.timeline().summary;
    println!(
        "lifecycle: {} members, {} Regions, seed {}, recording {:?}",
        args.members, args.regions, args.seed, args.recording
    );
    println!(
        "  world built in {:.1} ms; one clone {:.3} ms",
        built.as_secs_f64() * 1e3,
        clone_each.as_secs_f64() * 1e3
    );
    println!(
        "  events {}  effects {}  simulated {}  peak queue {}  stop: {stop}",
        summary.events,
        summary.effects(),
        summary.last_event_at,
        summary.peak_queue
    );
    let rate = |wall: Duration| summary.events as f64 / wall.as_secs_f64().max(1e-9) / 1e6;
    let first = walls[0];
    let first_faults = faults[0].map(|n| format!("  ({n} page faults)")).unwrap_or_default();
    println!("  wall {:.1} ms  →  {:.2} M events/s{first_faults}", first.as_secs_f64() * 1e3, rate(first));
    if walls.len() > 1 {
        walls.sort();
        let (best, median) = (walls[0], walls[walls.len() / 2]);
        println!(
            "  over {} runs: best {:.1} ms ({:.2} M events/s), median {:.1} ms ({:.2} M events/s)",
            walls.len(),
            best.as_secs_f64() * 1e3,
            rate(best),
            median.as_secs_f64() * 1e3,
            rate(median)
        );
    }
    if let Some(bytes) = peak_memory_bytes() {
        println!("  peak memory (VmHWM) {:.1} MiB", bytes as f64 / (1024.0 * 1024.0));
    }
    if args.profile {
        let mut rows: Vec<_> = profiler.by_operation.into_iter().collect();
        rows.sort_by_key(|(_, (_, _, spent))| std::cmp::Reverse(*spent));
        println!("  wall time by operation (last run):");
        for (name, (n, effects, spent)) in rows {
            println!(
                "    {name:<40} {n:>8} events {effects:>9} effects  {:>8.1} ms  {:>7.0} ns/event",
                spent.as_secs_f64() * 1e3,
                spent.as_nanos() as f64 / n as f64
            );
        }
    }
    // The process ends here: returning the memory to the allocator would only cost time.
    std::mem::forget(sim);
    Ok(Verdict::Success)
}
