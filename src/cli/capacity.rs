//! `hubsim capacity`: a plan swept over a grid of member and Region counts, several seeds per
//! point, printed as a table (or CSV, or JSON) and optionally plotted to SVG.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::{UsageError, Verdict, peak_memory_bytes};
use crate::capacity::{self, Metric, SweepConfig};
use crate::model::SimDuration;
use crate::rules::call::OPERATION_NAMES;
use crate::scenario::duration;
use crate::sim::quotas::Rate;
use crate::sim::{ClientConfig, RetryMode, SimConfig};
use crate::workload::plans::{PlanName, PlanParams};

/// Arguments of `hubsim capacity`.
#[derive(Debug, Args)]
pub struct CapacityArgs {
    /// The plan to play.
    #[arg(long, value_enum)]
    pub plan: PlanName,
    /// Member counts, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1000,5000,10000")]
    pub members: Vec<usize>,
    /// Region counts, comma-separated (1 to 34; the first 17 are the default-enabled ones).
    #[arg(long, value_delimiter = ',', default_value = "1,4,17")]
    pub regions: Vec<usize>,
    /// Seeds per grid point (seeds 0..K), or a range `A..B`.
    #[arg(long, default_value = "3")]
    pub seeds: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CapacityFormat::Table)]
    pub format: CapacityFormat,
    /// Also draw `--metric` against members, one line per Region count, to this SVG file.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// The metric to plot.
    #[arg(long, value_enum, default_value_t = Metric::TimeToQuiescence)]
    pub metric: Metric,
    /// The client's retry mode: off, standard or adaptive.
    #[arg(long, default_value = "standard")]
    pub retry: String,
    /// Attempts per call, the first included.
    #[arg(long, default_value_t = 3)]
    pub max_attempts: u32,
    /// Calls the client keeps in flight where calls are independent (local-onboarding; the
    /// associations of central-onboarding).
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    /// Accounts per OU.
    #[arg(long, default_value_t = 100)]
    pub ou_size: usize,
    /// steady-churn: accounts joining per hour (and as many leaving).
    #[arg(long, default_value_t = 60)]
    pub churn_per_hour: u32,
    /// steady-churn: how long the stream runs, e.g. `1h`.
    #[arg(long, default_value = "1h")]
    pub churn_for: String,
    /// Override a QUOTA-10 rate: `OPERATION=RATE/BURST`, e.g. `CreateMembers=1/1`; repeatable.
    #[arg(long)]
    pub rate: Vec<String>,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub jobs: Option<usize>,
}

/// Output formats of `hubsim capacity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CapacityFormat {
    /// One row per grid point, the spread over seeds as ranges.
    Table,
    /// One row per run.
    Csv,
    /// Every run with all its metrics.
    Json,
}

fn seeds(text: &str) -> Result<Vec<u64>, UsageError> {
    let bad = || UsageError(format!("--seeds `{text}` is neither a count such as 3 nor a range such as 0..3"));
    let (start, end) = match text.split_once("..") {
        Some((a, b)) => (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?),
        None => (0, text.parse().map_err(|_| bad())?),
    };
    if start >= end || end - start > 1_000 {
        return Err(UsageError(format!("--seeds `{text}` must name 1 to 1000 seeds")));
    }
    Ok((start..end).collect())
}

fn rates(overrides: &[String]) -> Result<BTreeMap<String, Rate>, UsageError> {
    let mut rates = BTreeMap::new();
    for text in overrides {
        let bad = || UsageError(format!("--rate `{text}`: expected OPERATION=RATE/BURST such as CreateMembers=1/1"));
        let (operation, numbers) = text.split_once('=').ok_or_else(bad)?;
        let (rate, burst) = numbers.split_once('/').ok_or_else(bad)?;
        let (per_second, burst): (u64, u64) = (rate.parse().map_err(|_| bad())?, burst.parse().map_err(|_| bad())?);
        if !OPERATION_NAMES.contains(&operation) {
            return Err(UsageError(format!("--rate `{text}`: `{operation}` is not an operation hubsim knows")));
        }
        if per_second == 0 || burst == 0 {
            return Err(bad());
        }
        rates.insert(operation.to_string(), Rate { per_second, burst });
    }
    Ok(rates)
}

fn check_grid(args: &CapacityArgs) -> Result<(), UsageError> {
    if args.members.is_empty() || args.members.iter().any(|m| *m == 0 || *m > 10_000) {
        return Err(UsageError("--members takes counts from 1 to 10000, e.g. 1000,5000,10000".into()));
    }
    if args.regions.is_empty() || args.regions.iter().any(|r| *r == 0 || *r > 34) {
        return Err(UsageError("--regions takes counts from 1 to 34, e.g. 1,4,17".into()));
    }
    if args.concurrency == 0 || args.concurrency > 1_000 {
        return Err(UsageError("--concurrency must be 1 to 1000".into()));
    }
    if args.max_attempts == 0 {
        return Err(UsageError("--max-attempts counts the first attempt: at least 1".into()));
    }
    if args.plan == PlanName::SteadyChurn && args.churn_per_hour == 0 {
        return Err(UsageError("--churn-per-hour must be at least 1".into()));
    }
    if args.jobs == Some(0) {
        return Err(UsageError("--jobs must be at least 1".into()));
    }
    if args.ou_size == 0 {
        return Err(UsageError("--ou-size must be at least 1".into()));
    }
    Ok(())
}

pub(super) fn run(args: CapacityArgs) -> Result<Verdict, UsageError> {
    check_grid(&args)?;
    let mode = RetryMode::parse(&args.retry)
        .ok_or_else(|| UsageError(format!("--retry `{}`: expected off, standard or adaptive", args.retry)))?;
    let churn_for = duration::parse(&args.churn_for).map_err(|e| UsageError(format!("--churn-for: {e}")))?;
    if args.plan == PlanName::SteadyChurn {
        if churn_for > SimDuration::from_days(300) || churn_for.as_ms() == 0 {
            return Err(UsageError(format!(
                "--churn-for {}: more than 0 and at most 300d, so that the stream ends well before a run's 400-day limit",
                args.churn_for
            )));
        }
        // Joins and leaves, each at the rate: every arrival is a planned call held in memory.
        let expected = 2.0 * args.churn_per_hour as f64 * churn_for.as_ms() as f64 / 3_600_000.0;
        if expected > 1_000_000.0 {
            return Err(UsageError(format!(
                "--churn-per-hour {} for {} means about {expected:.0} calls; at most 1,000,000 per run",
                args.churn_per_hour, args.churn_for
            )));
        }
    }
    let sorted = |v: &mut Vec<usize>| {
        v.sort_unstable();
        v.dedup();
    };
    let (mut members, mut regions) = (args.members.clone(), args.regions.clone());
    sorted(&mut members);
    sorted(&mut regions);
    let config = SweepConfig {
        plan: args.plan,
        members,
        regions,
        seeds: seeds(&args.seeds)?,
        params: PlanParams {
            ou_size: args.ou_size,
            concurrency: args.concurrency,
            churn_per_hour: args.churn_per_hour,
            churn_for,
            ..PlanParams::default()
        },
        sim: SimConfig {
            client: ClientConfig { max_attempts: args.max_attempts, ..ClientConfig::sdk(mode) },
            rate_overrides: rates(&args.rate)?,
            ..SimConfig::default()
        },
    };
    let total = (config.members.len() * config.regions.len() * config.seeds.len()) as u64;
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build().map_err(|e| UsageError(e.to_string()))?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs").expect("valid template"));
        bar
    });
    let progress = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let started = Instant::now();
    let sweep = pool
        .install(|| capacity::sweep(&config, &progress))
        .map_err(|e| UsageError(format!("the organization cannot be built: {e}")))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let wall = started.elapsed().as_secs_f64();
    match args.format {
        CapacityFormat::Table => {
            println!(
                "plan {}, retry {}, concurrency {}, {} seed{} per point",
                args.plan.as_str(),
                mode.name(),
                args.concurrency,
                config.seeds.len(),
                if config.seeds.len() == 1 { "" } else { "s" }
            );
            print!("{}", capacity::render_table(&sweep));
            let failed_setups = sweep.runs.iter().filter(|r| r.metrics.setup_failed > 0).count();
            if failed_setups > 0 {
                println!(
                    "note: in {failed_setups} of {} runs calls of the plan's unmeasured setup failed, so the measured \
                     phase started from another organization than planned (setup_failed in --format json)",
                    sweep.runs.len()
                );
            }
        }
        CapacityFormat::Csv => print!("{}", capacity::render_csv(&sweep)),
        CapacityFormat::Json => println!("{}", serde_json::to_string_pretty(&sweep).expect("sweeps serialize")),
    }
    if let Some(path) = &args.plot {
        if sweep.runs.iter().all(|r| args.metric.of(r).is_none()) {
            eprintln!(
                "warning: no run has a value for {} (no samples, or never reached); {} has axes only",
                args.metric.header(),
                path.display()
            );
        }
        let svg = capacity::plot_svg(&sweep, args.metric).map_err(|e| UsageError(format!("plotting failed: {e}")))?;
        std::fs::write(path, svg).map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?;
    }
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let events: u64 = sweep.runs.iter().map(|r| r.metrics.events).sum();
    eprintln!(
        "{} runs in {wall:.2} s with {jobs} threads ({events} measured events){}",
        sweep.runs.len(),
        peak_memory_bytes().map(|b| format!(", peak memory {:.0} MiB", b as f64 / 1048576.0)).unwrap_or_default()
    );
    Ok(Verdict::Success)
}
