//! `hubsim run` and `hubsim check`: load scenario files, report every diagnostic, run them and
//! check their expectations.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::{UsageError, Verdict};
use crate::scenario::{self, RunOptions};
use crate::timeline::{Recording, jsonl};

/// Arguments of `hubsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Root seed (overrides the file's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output: the text timeline, JSON Lines, or only the summary.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the output to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Append the metrics (calls, throttles, retries, exposure windows, settle times) to the text
    /// and summary outputs.
    #[arg(long)]
    pub metrics: bool,
    /// Report on standard error how long loading and playing each scenario took, its events per
    /// second, and the process's peak memory (the output itself stays the same).
    #[arg(long)]
    pub timing: bool,
}

/// Output formats of `hubsim run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The stable text timeline, then the results.
    Text,
    /// One JSON object per event (results go to standard error).
    Jsonl,
    /// Counts by operation and by rule, then the results.
    Summary,
    /// One JSON object per scenario: results and metrics.
    Json,
}

/// Arguments of `hubsim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub(super) fn check(args: CheckArgs) -> Result<Verdict, UsageError> {
    let mut bad = 0;
    for file in &args.files {
        match scenario::load(file) {
            Ok(s) => println!("ok: {} ({} steps, {} expectations)", file.display(), s.steps.len(), s.expects.len()),
            Err(diagnostics) => {
                bad += 1;
                eprintln!("{diagnostics}");
            }
        }
    }
    if bad > 0 {
        return Err(UsageError(format!("{bad} of {} scenario files are invalid", args.files.len())));
    }
    Ok(Verdict::Success)
}

pub(super) fn run(args: RunArgs) -> Result<Verdict, UsageError> {
    let mut scenarios = Vec::new();
    let mut invalid = Vec::new();
    let mut load_times = Vec::new();
    for file in &args.files {
        let started = Instant::now();
        match scenario::load(file) {
            Ok(s) => {
                scenarios.push(s);
                load_times.push(started.elapsed());
            }
            Err(diagnostics) => invalid.push(diagnostics),
        }
    }
    if !invalid.is_empty() {
        for diagnostics in &invalid {
            eprintln!("{diagnostics}");
        }
        return Err(UsageError(format!(
            "{} of {} scenario files are invalid; nothing was run",
            invalid.len(),
            args.files.len()
        )));
    }
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(
            std::fs::File::create(path).map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let recording =
        if matches!(args.format, Format::Summary | Format::Json) { Recording::Summary } else { Recording::Full };
    // Metrics cost a pass over every event's effects: measured only when they are shown.
    let metrics = args.metrics || matches!(args.format, Format::Json);
    let mut failed = 0;
    let count = scenarios.len();
    let mut remaining = count;
    for (scenario, load_time) in scenarios.into_iter().zip(load_times) {
        remaining -= 1;
        let name = scenario.name.clone();
        let started = Instant::now();
        let report = scenario::run_owned(scenario, &RunOptions { seed: args.seed, recording, metrics });
        if args.timing {
            let played = started.elapsed();
            let events = report.timeline.summary.events;
            eprintln!(
                "timing: {name}: loaded in {:.1} ms; {events} events played in {:.1} ms ({:.2} M events/s)",
                load_time.as_secs_f64() * 1e3,
                played.as_secs_f64() * 1e3,
                events as f64 / played.as_secs_f64().max(1e-9) / 1e6
            );
        }
        // Written as it is rendered: a 10,000-member timeline is hundreds of MiB of text.
        let write = |out: &mut dyn Write| -> std::io::Result<()> {
            match args.format {
                Format::Text => report.write_text(out)?,
                Format::Json => writeln!(out, "{}", report.to_json())?,
                Format::Jsonl => {
                    eprint!("{name}: {}", report.render_results());
                    jsonl::write(&report.timeline, &report.world, out)?;
                }
                Format::Summary => write!(
                    out,
                    "# {}\n{}\n{}",
                    report.title,
                    report.timeline.summary.render(),
                    report.render_results()
                )?,
            }
            if let Some(metrics) = report.metrics.as_ref().filter(|_| args.metrics)
                && matches!(args.format, Format::Text | Format::Summary)
            {
                out.write_all(metrics.render().as_bytes())?;
            }
            Ok(())
        };
        if let Err(e) = write(&mut *out) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(Verdict::Success);
            }
            return Err(UsageError(format!("cannot write the output: {e}")));
        }
        if !report.passed() {
            failed += 1;
        }
        if remaining == 0 {
            // The process ends after the last report: the OS takes its memory back at once, where
            // dropping it would run a destructor for each of a large world's account-Region states.
            std::mem::forget(report);
        }
    }
    if count > 1 {
        let _ = writeln!(out, "\n{count} scenarios: {} passed, {failed} failed", count - failed);
    }
    if args.timing
        && let Some(bytes) = super::peak_memory_bytes()
    {
        eprintln!("timing: peak memory (VmHWM) {:.1} MiB", bytes as f64 / (1024.0 * 1024.0));
    }
    Ok(if failed == 0 { Verdict::Success } else { Verdict::Failed })
}
