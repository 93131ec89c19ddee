//! The crate's error type.

/// Errors of building, planning and running array computations.
///
/// Each message names the array, dimension, stage or file it is about.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A dimension name that the array does not have.
    #[error("array `{array}` has no dimension `{dim}` (has: {found})")]
    UnknownDim {
        /// The array.
        array: String,
        /// The missing dimension.
        dim: String,
        /// Its dimensions.
        found: String,
    },
    /// Two arrays disagree on a dimension's length.
    #[error("arrays `{a}` and `{b}` disagree on dimension `{dim}`: {len_a} vs {len_b}")]
    DimMismatch {
        /// First array.
        a: String,
        /// Second array.
        b: String,
        /// The dimension.
        dim: String,
        /// Length in `a`.
        len_a: usize,
        /// Length in `b`.
        len_b: usize,
    },
    /// A selection outside an array.
    #[error(
        "selection {what} is out of range for dimension `{dim}` of array `{array}` (length {len})"
    )]
    OutOfRange {
        /// The array.
        array: String,
        /// The dimension.
        dim: String,
        /// The selection, as written.
        what: String,
        /// Length of the dimension.
        len: usize,
    },
    /// An operation that does not apply to this array.
    #[error("array `{array}`: {reason}")]
    Invalid {
        /// The array.
        array: String,
        /// What is wrong and, when known, what to do.
        reason: String,
    },
    /// A plan whose tasks need more memory than allowed.
    #[error(
        "stage `{stage}` needs {need_bytes} bytes per task, over the memory limit of {limit_bytes} bytes; \
         hint: chunks of {hint} would need about {hint_bytes} bytes"
    )]
    Memory {
        /// The stage.
        stage: String,
        /// Peak bytes of its largest task.
        need_bytes: u64,
        /// The limit.
        limit_bytes: u64,
        /// A chunk shape that would fit, `dim=size` pairs.
        hint: String,
        /// Estimated peak bytes with that chunking.
        hint_bytes: u64,
    },
    /// A plan that cannot be described for another process.
    #[error("plan cannot run out of process: {0}")]
    NotSerialisable(String),
    /// A plan spec that does not rebuild.
    #[error("bad plan spec: {0}")]
    Spec(String),
    /// A fold kernel name nobody registered.
    #[error("unknown fold kernel `{0}`; register it before planning")]
    UnknownKernel(String),
    /// A task failed.
    #[error("task {task} of stage `{stage}` failed: {reason}")]
    Task {
        /// The stage.
        stage: String,
        /// The task id.
        task: String,
        /// Why.
        reason: String,
    },
    /// A dataset could not be read.
    #[error("reading `{var}` from `{location}`")]
    Read {
        /// Variable.
        var: String,
        /// File or URL.
        location: String,
        /// The reader's error.
        #[source]
        source: Box<rsdat_model::Error>,
    },
    /// A dataset could not be opened.
    #[error("opening `{location}`")]
    Open {
        /// File or URL.
        location: String,
        /// The opener's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A file of the task store or a worker pipe failed.
    #[error("{what} `{path}`")]
    Io {
        /// What was being done.
        what: String,
        /// The file, or the worker.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A worker process misbehaved.
    #[error("worker: {0}")]
    Worker(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn invalid(array: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            array: array.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn io(what: &str, path: impl std::fmt::Display, source: std::io::Error) -> Self {
        Self::Io {
            what: what.to_owned(),
            path: path.to_string(),
            source,
        }
    }
}
