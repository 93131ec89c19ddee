//! Runs rsdat plans on SLURM, the scheduler HPC sites already have, in place of
//! dask-jobqueue: each stage of a [`Plan`](rsdat_array::Plan) becomes a job array whose
//! elements run batches of chunk tasks with the same `rsdat` binary (`rsdat worker --dir RUN
//! --submission N --element K`), chained with `--dependency=afterok`. Everything lives in a
//! run directory on the shared filesystem (plan, task outputs, completion markers, job ids,
//! a ledger, logs), so workers never talk to each other or to the login node.
//!
//! Before anything is submitted, [`fit`] checks memory per task (from the plan), time per
//! task (from a short local calibration or the markers of an earlier attempt) and batch
//! sizes against the requested resources and the limits `scontrol` reports, and refuses with
//! what would fit. Array elements killed by walltime, preemption, node failure or `scancel`
//! are resubmitted for just their unfinished tasks without counting a retry.
//!
//! ```
//! use rsdat_cluster::{fit, Limits, SlurmOptions, StageNeeds};
//!
//! let mut opts = SlurmOptions::new("rsdat".into());
//! opts.mem_per_task_mb = Some(2048);
//! let limits = Limits { partition: "thin".into(), state: "UP".into(), max_array_size: 1001, ..Limits::default() };
//! let needs = [StageNeeds {
//!     name: "0:si-x".into(), todo: 400, peak_bytes: 3_300_000_000,
//!     seconds_per_task: 20.0, measured: true, chunk_hint: "500x500".into(),
//! }];
//! let err = fit(&needs, &opts, &limits).unwrap_err().to_string();
//! assert!(err.contains("--mem-per-task 2G is too small; use 4G or chunks of 500x500"));
//! opts.mem_per_task_mb = Some(4096);
//! let layout = fit(&needs, &opts, &limits)?;
//! assert_eq!(layout[0].batch, 1); // 20 s tasks: 2 s of SLURM overhead is already 10 %
//! # Ok::<(), rsdat_cluster::Error>(())
//! ```

mod element;
mod error;
mod events;
mod executor;
mod fit;
mod options;
mod rundir;
mod slurm;
mod status;

pub use element::{run_element, ElementReport, TASK_DELAY_ENV};
pub use error::{Error, Result};
pub use events::EventTail;
pub use executor::{copy_outputs, SlurmExecutor};
pub use fit::{fit, StageLayout, StageNeeds, MAX_OVERHEAD};
pub use options::SlurmOptions;
pub use rundir::{Event, Marker, RunDir, Submission};
pub use slurm::{explain_pending, limits, parse_mem_mb, parse_time, JobState, Limits};
pub use status::{cancel, replay, run_times, status, RunTimes, StageStatus, Status};

pub(crate) fn human(bytes: u64) -> String {
    rsdat_array::human_bytes(bytes)
}
