use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = feedsplit::cli::Cli::parse();
    match feedsplit::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Each error's message names the input and what was wrong, on one line.
            eprintln!("feedsplit: {e}");
            ExitCode::FAILURE
        }
    }
}
