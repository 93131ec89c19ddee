use std::error::Error as StdError;

/// Errors shared by every [`crate::Source`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A variable asked for by name does not exist.
    #[error("variable `{var}` not found in `{location}` (has: {found})")]
    UnknownVariable {
        /// File or URL.
        location: String,
        /// Requested name.
        var: String,
        /// Comma-separated names that do exist.
        found: String,
    },
    /// A window lies outside a variable's shape or has the wrong rank.
    #[error("window {start:?}+{count:?} does not fit variable `{var}` of shape {shape:?} in `{location}`")]
    Window {
        /// File or URL.
        location: String,
        /// Variable name.
        var: String,
        /// Requested start.
        start: Vec<usize>,
        /// Requested count.
        count: Vec<usize>,
        /// The variable's shape.
        shape: Vec<usize>,
    },
    /// The format layer failed to read a variable.
    #[error("cannot read `{var}` from `{location}`")]
    Read {
        /// File or URL.
        location: String,
        /// Variable name.
        var: String,
        /// What the format layer said.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    /// A value or attribute is not what the model expects.
    #[error("{0}")]
    Invalid(String),
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
