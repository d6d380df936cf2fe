//! The command-line front end: clap types, validation of arguments into run configurations, and
//! the commands themselves. `main` only turns `run`'s result into an exit code: 0 success, 1 a
//! check found something (an unmet expectation, a violation), 2 bad input.

mod bench;
mod capacity;
mod explain;
mod fuzz;
mod scenarios;

use std::fmt;

use clap::{Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  hubsim run scenarios/quickstart.toml
  hubsim run scenarios/central-config/*.toml --format summary
  hubsim run scenarios/quickstart.toml --seed 3 --format jsonl | jq .call
  hubsim check scenarios/**/*.toml
  hubsim explain scenarios/quickstart.toml
  hubsim bench lifecycle --members 10000 --regions 17
  hubsim fuzz --seeds 0..64 --members 1000 --steps 500
  hubsim fuzz --seeds 0..1000 --shard 2/4 --format json > shard-2.json
  hubsim fuzz merge shard-*.json
  hubsim capacity --plan central-onboarding --members 1000,5000,10000 --regions 1,4,17 --plot exposure.svg

Exit codes: 0 success, 1 an expectation failed, 2 bad input.";

/// Seeded discrete-event simulator of AWS Security Hub CSPM across an AWS organization.
#[derive(Debug, Parser)]
#[command(name = "hubsim", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenario files: print the timeline, check every expectation, summarize.
    Run(scenarios::RunArgs),
    /// Validate scenario files without running them.
    Check(scenarios::CheckArgs),
    /// Teach: the timeline narrated with each rule's title and source, and the final organization
    /// drawn as a tree.
    Explain(explain::ExplainArgs),
    /// Fuzz: seeded random lifecycles in parallel, every invariant checked after every event;
    /// failures are shrunk to scenario files. `hubsim fuzz merge` adds up shard reports.
    Fuzz(fuzz::FuzzArgs),
    /// Capacity: play a plan over a grid of member and Region counts and seeds; report calls,
    /// throttling, retries, time to quiescence and exposure windows as a table, CSV or JSON, and
    /// plot a metric to SVG.
    Capacity(capacity::CapacityArgs),
    /// Measure the event loop on a built-in workload and report events per second and memory.
    Bench(bench::BenchArgs),
}

/// What a command concluded.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Everything held.
    Success,
    /// A check found something (exit 1).
    Failed,
}

/// A command that could not run (exit 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Timeline recording modes on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RecordingArg {
    /// Every event.
    Full,
    /// Counts only.
    Summary,
}

impl From<RecordingArg> for crate::timeline::Recording {
    fn from(value: RecordingArg) -> Self {
        match value {
            RecordingArg::Full => crate::timeline::Recording::Full,
            RecordingArg::Summary => crate::timeline::Recording::Summary,
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Verdict, UsageError> {
    match cli.command {
        Command::Run(args) => scenarios::run(args),
        Command::Check(args) => scenarios::check(args),
        Command::Explain(args) => explain::run(args),
        Command::Fuzz(args) => fuzz::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Capacity(args) => capacity::run(args),
    }
}

/// Page faults this process has taken so far (Linux: `minflt` in `/proc/self/stat`), where the
/// system says; each is memory touched for the first time.
pub fn page_faults() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name, in parentheses, may hold spaces: count fields after its closing one.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(7)?.parse().ok()
}

/// Peak resident memory of this process in bytes (Linux `VmHWM`), if known.
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
