//! The `rsdat` command-line program: argument parsing, progress bars, output formats and
//! exit codes around the rsdat library crates.
//!
//! Exit codes: 0 success (a closed output pipe included), 1 bad input or data, 2 an
//! unexpected failure (a bug: please report it).

mod cli;
mod commands;
mod output;
mod progress;

pub use cli::Cli;

use std::io::Write;
use std::process::ExitCode;

/// Runs one parsed command line.
///
/// # Errors
/// Whatever the command reports; [`report`] turns it into a message and an exit code.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    init_tracing(cli.global.verbose, cli.global.quiet);
    let result = commands::run(cli.command, &cli.global);
    commands::engine::close_dashboard(cli.global.quiet);
    result
}

/// Prints `err` with its chain of causes to stderr and returns the exit code for it.
#[must_use]
pub fn report(err: &anyhow::Error) -> ExitCode {
    if err
        .chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    {
        return ExitCode::SUCCESS;
    }
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "error: {err}");
    for cause in err.chain().skip(1) {
        let _ = write!(stderr, "\n  caused by: {cause}");
    }
    let _ = writeln!(stderr);
    ExitCode::from(1)
}

/// Makes a panic print a short request for a bug report and exit with code 2.
pub fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default(info);
        let _ = writeln!(
            std::io::stderr(),
            "rsdat hit an internal error (a bug); please report it with the command line above"
        );
        std::process::exit(2);
    }));
}

fn init_tracing(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("RSDAT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}
