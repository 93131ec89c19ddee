//! The crate's error type.

use std::path::PathBuf;

/// Errors of submitting, watching and resuming runs on SLURM.
///
/// Messages name the run directory, file, job or partition they are about and, when SLURM
/// said something, carry its words.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A SLURM command could not be started (not installed, not on `PATH`).
    #[error(
        "cannot run `{program}`: {source}; is SLURM installed and on PATH (and SLURM_CONF set)?"
    )]
    Spawn {
        /// The command.
        program: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A SLURM command failed.
    #[error("`{command}` failed: {message}")]
    Command {
        /// The command line.
        command: String,
        /// What it printed on stderr (or stdout).
        message: String,
    },
    /// `sbatch` refused a submission.
    #[error("sbatch refused stage `{stage}` (script `{script}`): {message}")]
    Sbatch {
        /// The stage.
        stage: String,
        /// The batch script.
        script: PathBuf,
        /// SLURM's message.
        message: String,
    },
    /// SLURM output that does not read as expected.
    #[error("cannot read the output of `{command}`: {reason} (output: `{output}`)")]
    Parse {
        /// The command.
        command: String,
        /// What was expected.
        reason: String,
        /// What it printed.
        output: String,
    },
    /// The partition asked for does not exist.
    #[error("partition `{partition}` does not exist (SLURM: {message}); partitions: {known}; pick one with --partition")]
    NoPartition {
        /// The partition.
        partition: String,
        /// SLURM's message.
        message: String,
        /// The partitions there are.
        known: String,
    },
    /// The plan does not fit the requested resources or the cluster's limits.
    #[error("the plan does not fit on SLURM: {0}")]
    DoesNotFit(String),
    /// A run directory that cannot be used.
    #[error("run directory `{path}`: {reason}")]
    RunDir {
        /// The directory.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A file of the run directory could not be read or written.
    #[error("{what} `{path}`")]
    Io {
        /// What was being done.
        what: String,
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A completion marker that does not read as one.
    #[error("corrupt completion marker `{path}`: {reason}; delete it and resume (`rsdat jobs resume`): its task runs again")]
    CorruptMarker {
        /// The marker file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Tasks failed more often than allowed.
    #[error("stage `{stage}`: array element {job} {reason}; log `{log}`:\n{log_tail}")]
    Failed {
        /// The stage.
        stage: String,
        /// The job (`123_4`).
        job: String,
        /// Why, in words.
        reason: String,
        /// The element's log.
        log: PathBuf,
        /// Its last lines.
        log_tail: String,
    },
    /// A job that can never start.
    #[error("job {job} of stage `{stage}` cannot start: {reason}; it was cancelled")]
    Stuck {
        /// The stage.
        stage: String,
        /// The job id.
        job: String,
        /// SLURM's pending reason, explained.
        reason: String,
    },
    /// The run was cancelled (Ctrl-C or `rsdat jobs cancel`).
    #[error("run cancelled; its jobs were cancelled; resume with `rsdat jobs resume {0}`")]
    Cancelled(PathBuf),
    /// The engine failed (plan spec, task).
    #[error(transparent)]
    Array(#[from] rsdat_array::Error),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(what: &str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            what: what.to_owned(),
            path: path.into(),
            source,
        }
    }
}
