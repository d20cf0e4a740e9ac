//! The `antenne` binary: parse the command line, run the command, map failures to exit codes
//! (0 success, 2 bad usage or configuration, 1 runtime failure).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = antenne::cli::Cli::parse();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "antenne=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, never in a file or the journal.
        .with_ansi(std::io::stderr().is_terminal());
    match cli.log_format {
        antenne::cli::LogFormat::Text => logs.init(),
        antenne::cli::LogFormat::Json => logs.json().init(),
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("antenne: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(antenne::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("antenne: {e:#}");
            ExitCode::from(if antenne::cli::is_usage_error(&e) {
                2
            } else {
                1
            })
        }
    }
}
