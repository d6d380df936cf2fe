//! The `hubsim` binary: parse the command line, run it, map the result to an exit code
//! (0 success, 1 a check found something, 2 bad input).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
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
