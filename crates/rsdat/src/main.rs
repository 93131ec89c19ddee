//! The `rsdat` command.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    rsdat::install_panic_hook();
    let cli = rsdat::Cli::parse();
    match rsdat::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => rsdat::report(&e),
    }
}
