//! The `rsdat` command.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    rsdat::install_panic_hook();
    let cli = match rsdat::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with success; bad arguments are bad input (1).
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match rsdat::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => rsdat::report(&e),
    }
}
