use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = feedsplit::cli::Cli::parse();
    match feedsplit::cli::run(cli).map_err(anyhow::Error::from) {
        Ok(code) => code,
        Err(e) => {
            // Each error's message already names its cause; `{e:#}` would print it twice.
            eprintln!("feedsplit: {e}");
            ExitCode::FAILURE
        }
    }
}
