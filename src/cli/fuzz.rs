//! `hubsim fuzz`: a campaign over a seed range, in parallel, with a progress bar on a terminal,
//! and `hubsim fuzz merge` to add up shard reports.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use clap::{Args, Subcommand, ValueEnum};

use super::{UsageError, Verdict, peak_memory_bytes};
use crate::fuzz::{self, FuzzConfig, FuzzReport};

/// Arguments of `hubsim fuzz`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct FuzzArgs {
    /// `merge`: add up the JSON reports of shard campaigns.
    #[command(subcommand)]
    pub merge: Option<FuzzCommand>,
    /// Seed range `A..B` (B exclusive).
    #[arg(long, default_value = "0..64")]
    pub seeds: String,
    /// Member accounts per organization.
    #[arg(long, default_value_t = 100)]
    pub members: usize,
    /// Calls per run.
    #[arg(long, default_value_t = 200)]
    pub steps: usize,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Run only shard `I` of `N` (seeds with `seed % N == I`), e.g. `0/4`.
    #[arg(long, default_value = "0/1")]
    pub shard: String,
    /// Where shrunk failing scenarios are written.
    #[arg(long, default_value = "scenarios/regressions")]
    pub out: PathBuf,
    /// Report only; do not shrink or write scenarios.
    #[arg(long)]
    pub no_shrink: bool,
    /// Text for people, JSON for machines (and for `merge`).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `hubsim fuzz merge`.
#[derive(Debug, Subcommand)]
pub enum FuzzCommand {
    /// Add up JSON reports of shard campaigns into the report one machine would have produced.
    Merge {
        /// The JSON reports.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people.
    Text,
    /// For machines.
    Json,
}

fn parse_range(text: &str) -> Result<(u64, u64), UsageError> {
    let bad = || UsageError(format!("--seeds `{text}` is not a range such as 0..64"));
    let (a, b) = text.split_once("..").ok_or_else(bad)?;
    let (a, b): (u64, u64) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if a >= b {
        return Err(UsageError(format!("--seeds {a}..{b} is empty")));
    }
    Ok((a, b))
}

fn parse_shard(text: &str) -> Result<(u64, u64), UsageError> {
    let bad = || UsageError(format!("--shard `{text}` is not I/N with I < N, such as 0/4"));
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (i.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

fn print(report: &FuzzReport, format: ReportFormat) {
    match format {
        ReportFormat::Text => print!("{}", report.render()),
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(report).expect("reports serialize")),
    }
}

pub(super) fn run(args: FuzzArgs) -> Result<Verdict, UsageError> {
    if let Some(FuzzCommand::Merge { reports, format }) = args.merge {
        let mut total = FuzzReport::default();
        for path in &reports {
            let text = std::fs::read_to_string(path)
                .map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
            let report: FuzzReport = serde_json::from_str(&text).map_err(|e| {
                UsageError(format!("{}: not a `hubsim fuzz --format json` report: {e}", path.display()))
            })?;
            if let Some(bad) = report.violations.keys().find(|k| !fuzz::known_invariant(k)) {
                return Err(UsageError(format!("{}: unknown invariant `{bad}`", path.display())));
            }
            total.merge(report);
        }
        print(&total, format);
        return Ok(if total.failures.is_empty() { Verdict::Success } else { Verdict::Failed });
    }
    let (start, end) = parse_range(&args.seeds)?;
    let shard = parse_shard(&args.shard)?;
    if args.members == 0 || args.members > 10_000 || args.steps == 0 || args.steps > 100_000 {
        return Err(UsageError("--members must be 1 to 10000 and --steps 1 to 100000".into()));
    }
    let config = FuzzConfig {
        seeds_start: start,
        seeds_end: end,
        members: args.members,
        steps: args.steps,
        shard,
        out: (!args.no_shrink).then(|| args.out.clone()),
        shrink_budget: 300,
        command: format!("hubsim fuzz --seeds {start}..{end} --members {} --steps {}", args.members, args.steps),
    };
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build().map_err(|e| UsageError(e.to_string()))?;
    let n_seeds = fuzz::seeds(&config).len() as u64;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(n_seeds);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {msg}").expect("valid template"),
        );
        bar
    });
    let events = AtomicU64::new(0);
    let started = Instant::now();
    let progress = |n: u64| {
        let total = events.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(bar) = &bar {
            bar.inc(1);
            bar.set_message(format!("{total} events"));
        }
    };
    // Ctrl-C stops starting new seeds; the runs already finished are still reported and their
    // failures written.
    static STOP: AtomicBool = AtomicBool::new(false);
    let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::Relaxed));
    let report = pool.install(|| fuzz::campaign(&config, &progress, &STOP));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let wall = started.elapsed().as_secs_f64();
    print(&report, args.format);
    // Measurements go to standard error: the report itself stays identical for any --jobs.
    eprintln!(
        "{} runs, {} events in {:.2} s with {jobs} threads: {:.1} runs/s, {:.0} events/s{}",
        report.runs,
        report.events,
        wall,
        report.runs as f64 / wall.max(1e-9),
        report.events as f64 / wall.max(1e-9),
        peak_memory_bytes().map(|b| format!(", peak memory {:.0} MiB", b as f64 / 1048576.0)).unwrap_or_default()
    );
    Ok(if report.failures.is_empty() { Verdict::Success } else { Verdict::Failed })
}
