//! Capacity sweeps: a plan played over a grid of organization sizes and Region counts, each point
//! under several seeds, the metrics of every run kept and summarized with their spread.
//!
//! Grid points and seeds run in parallel (rayon); results are collected in grid order, so the
//! output depends only on the plan, the grid, the parameters and the seeds — never on the thread
//! count or timing.

mod plot;
mod table;

use rayon::prelude::*;
use serde::Serialize;

use crate::metrics::{Metrics, MetricsReport};
use crate::model::{BuildError, World};
use crate::sim::{SimConfig, Simulation, Stop};
use crate::timeline::{Recording, Timeline};
use crate::workload::plans::{self, Plan, PlanName, PlanParams};

pub use plot::plot_svg;
pub use table::{Metric, render_csv, render_table};

/// One run of a plan.
#[derive(Clone, Debug, Serialize)]
pub struct PlanRun {
    /// Members.
    pub members: usize,
    /// Regions.
    pub regions: usize,
    /// The seed.
    pub seed: u64,
    /// What was measured.
    pub metrics: MetricsReport,
}

/// A plan played out.
pub struct Played {
    /// The final world.
    pub world: World,
    /// The record (full or summary, as configured).
    pub timeline: Timeline,
    /// How the run stopped.
    pub stop: Stop,
    /// What was measured.
    pub metrics: MetricsReport,
}

/// Plays `plan` under `config` (seed, client, rate limits, recording).
pub fn play(plan: Plan, config: SimConfig) -> Played {
    let mut sim = Simulation::new(plan.world, config);
    let mut metrics = Metrics::new(sim.world(), false);
    sim.play(plan.phases, &mut metrics);
    let stop = sim.run(&mut metrics);
    let report = metrics.report(&sim, stop == Stop::Quiescent);
    let (world, timeline) = sim.into_parts();
    Played { world, timeline, stop, metrics: report }
}

/// Plays plan `name` with `params` under `seed`, `config` giving the client and rate limits;
/// counts only.
pub fn run_plan(name: PlanName, params: &PlanParams, config: &SimConfig, seed: u64) -> Result<PlanRun, BuildError> {
    let plan = plans::build(name, params, seed)?;
    let played = play(plan, SimConfig { seed, recording: Recording::Summary, ..config.clone() });
    Ok(PlanRun { members: params.members, regions: params.regions, seed, metrics: played.metrics })
}

/// A sweep's configuration.
#[derive(Clone, Debug)]
pub struct SweepConfig {
    /// The plan.
    pub plan: PlanName,
    /// Member counts.
    pub members: Vec<usize>,
    /// Region counts.
    pub regions: Vec<usize>,
    /// Seeds per grid point.
    pub seeds: Vec<u64>,
    /// Everything but members and Regions.
    pub params: PlanParams,
    /// The client's retry behaviour and the rate limits (the seed and recording are set per run).
    pub sim: SimConfig,
}

/// Every run of a sweep, in grid order (Region count, then members, then seed).
#[derive(Clone, Debug, Serialize)]
pub struct Sweep {
    /// The plan.
    pub plan: PlanName,
    /// Its runs.
    pub runs: Vec<PlanRun>,
}

impl Sweep {
    /// Runs of one grid point.
    pub fn point(&self, members: usize, regions: usize) -> impl Iterator<Item = &PlanRun> {
        self.runs.iter().filter(move |r| r.members == members && r.regions == regions)
    }
    /// Grid points in order.
    pub fn points(&self) -> Vec<(usize, usize)> {
        let mut points: Vec<(usize, usize)> = self.runs.iter().map(|r| (r.regions, r.members)).collect();
        points.dedup();
        points.into_iter().map(|(regions, members)| (members, regions)).collect()
    }
}

/// Runs the sweep; `progress` is told after each finished run (from any thread).
pub fn sweep(config: &SweepConfig, progress: &(dyn Fn() + Sync)) -> Result<Sweep, BuildError> {
    let mut grid = Vec::new();
    for &regions in &config.regions {
        for &members in &config.members {
            for &seed in &config.seeds {
                grid.push((members, regions, seed));
            }
        }
    }
    // Biggest first keeps both cores busy to the end; results are put back in grid order.
    let mut order: Vec<usize> = (0..grid.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(grid[*i].0 * grid[*i].1));
    let mut results: Vec<(usize, Result<PlanRun, BuildError>)> = order
        .into_par_iter()
        .map(|i| {
            let (members, regions, seed) = grid[i];
            let params = PlanParams { members, regions, ..config.params };
            let run = run_plan(config.plan, &params, &config.sim, seed);
            progress();
            (i, run)
        })
        .collect();
    results.sort_by_key(|(i, _)| *i);
    let runs = results.into_iter().map(|(_, run)| run).collect::<Result<Vec<_>, _>>()?;
    Ok(Sweep { plan: config.plan, runs })
}
