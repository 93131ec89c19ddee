//! `rsdat worker`: the worker process of the processes executor (tasks named on stdin),
//! and of the SLURM executor (one array element's batch, no stdin). Hidden; started by rsdat.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::cli::GlobalArgs;

/// Run tasks named on stdin for the plan in a run directory, or one SLURM array
/// element's batch of tasks.
#[derive(Debug, Args)]
pub(crate) struct WorkerArgs {
    /// Run directory holding `plan.json` and `tasks/`.
    #[arg(long)]
    pub(crate) dir: PathBuf,
    /// Run the batch of this submission (job array) of a SLURM run, not stdin's tasks.
    #[arg(long, requires = "element")]
    pub(crate) submission: Option<u64>,
    /// The array element whose batch to run (`$SLURM_ARRAY_TASK_ID`).
    #[arg(long, requires = "submission")]
    pub(crate) element: Option<u64>,
}

pub(crate) fn run(args: &WorkerArgs, _global: &GlobalArgs) -> anyhow::Result<()> {
    super::engine::install_opener();
    if let (Some(sub), Some(element)) = (args.submission, args.element) {
        let cpus = std::env::var("SLURM_CPUS_PER_TASK")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        // kernels that split a task (the spring index's slab reads) use rayon's pool: keep
        // the element within the CPUs SLURM gave it, not every core of the node
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(cpus.max(1))
            .build_global();
        let log = |id: rsdat_array::TaskId, secs: f64| {
            let _ = writeln!(std::io::stderr(), "task {id} done in {secs:.3} s");
        };
        let r = rsdat_cluster::run_element(&args.dir, sub, element, cpus, &log)?;
        let _ = writeln!(
            std::io::stderr(),
            "element {element} of submission {sub}: {} tasks run, {} already done",
            r.ran,
            r.skipped
        );
        return Ok(());
    }
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    rsdat_array::serve_worker(&args.dir, stdin, stdout)?;
    Ok(())
}
