//! The `hubsim` binary: parse the command line, run it, map the result to an exit code
//! (0 success, 1 a check found something, 2 bad input).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    with_huge_pages();
    let cli = match hubsim::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    match hubsim::cli::run(cli) {
        Ok(hubsim::cli::Verdict::Success) => ExitCode::SUCCESS,
        Ok(hubsim::cli::Verdict::Failed) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

/// `HUBSIM_HUGE_PAGES=0` turns huge pages off.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const HUGE_PAGES: &str = "HUBSIM_HUGE_PAGES";

/// Runs hubsim again, once, with glibc's allocator asking the kernel for transparent huge pages
/// (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, glibc 2.35 and later; older ones ignore it). A
/// 10,000-member world's states, queue and effect lists are tens of MiB touched for the first time:
/// with 4 KiB pages that is thousands of page faults, with 2 MiB pages a few dozen, and the whole
/// process runs 12–16 % faster. Only glibc reads the setting, and only at start-up, hence the
/// re-execution (safe Rust cannot advise the kernel about its allocations itself).
///
/// Skipped when `GLIBC_TUNABLES` is set — by the user (their choice stands) or by this function
/// (so it happens once) — when `HUBSIM_HUGE_PAGES=0`, and when the running executable is not the
/// program named by `argv[0]` (run through the dynamic loader, it would be the loader). If the
/// re-execution fails, hubsim goes on with ordinary pages. Nothing observable changes: outputs are
/// byte-identical either way (tests/cli.rs checks it).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn with_huge_pages() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("GLIBC_TUNABLES").is_some() || std::env::var_os(HUGE_PAGES).is_some_and(|v| v == "0") {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let mut args = std::env::args_os();
    let Some(name) = args.next() else { return };
    if exe.file_name() != std::path::Path::new(&name).file_name() {
        return;
    }
    // `exec` returns only if it failed.
    let _failed =
        std::process::Command::new(exe).arg0(name).args(args).env("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1").exec();
}
