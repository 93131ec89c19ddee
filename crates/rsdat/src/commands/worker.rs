//! `rsdat worker`: the worker process of the processes executor (hidden; started by it).

use std::path::PathBuf;

use clap::Args;

use crate::cli::GlobalArgs;

/// Run tasks named on stdin for the plan in a run directory.
#[derive(Debug, Args)]
pub(crate) struct WorkerArgs {
    /// Run directory holding `plan.json` and `tasks/`.
    #[arg(long)]
    pub(crate) dir: PathBuf,
}

pub(crate) fn run(args: &WorkerArgs, _global: &GlobalArgs) -> anyhow::Result<()> {
    super::engine::install_opener();
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    rsdat_array::serve_worker(&args.dir, stdin, stdout)?;
    Ok(())
}
