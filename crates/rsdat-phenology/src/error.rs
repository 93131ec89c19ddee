//! The crate's one error type.

/// Errors of the spring-index kernels and the station-series workflow.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A [`crate::Config`] asks for something the preset cannot do.
    #[error("invalid spring-index configuration: {0}")]
    Config(String),

    /// Input slices of one call have different lengths.
    #[error("`{name}` has {got} values but {expected} were expected; pass one value per cell (or per day) in every input")]
    Length {
        /// Name of the offending input.
        name: &'static str,
        /// Its length.
        got: usize,
        /// The length the call needs.
        expected: usize,
    },

    /// A day was fed to a [`crate::SpringIndexRow`] out of order.
    #[error("day {got} pushed out of order: the row expects day {expected} next (see `next_day`)")]
    DayOrder {
        /// The day pushed.
        got: u32,
        /// The day the row expected.
        expected: u32,
    },

    /// A field of the station CSV input is malformed.
    #[error("line {line}, column `{column}`: expected {expected}, found `{found}`")]
    Field {
        /// 1-based line number in the input.
        line: usize,
        /// Column name from the header.
        column: String,
        /// What the column must hold.
        expected: &'static str,
        /// The text found.
        found: String,
    },

    /// The station CSV input is malformed beyond a single field.
    #[error("line {line}: {message}")]
    Csv {
        /// 1-based line number in the input.
        line: usize,
        /// What is wrong and what to do.
        message: String,
    },

    /// Reading the station CSV input failed.
    #[error("cannot read the station input at line {line}")]
    Read {
        /// 1-based line number being read.
        line: usize,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// Writing the station CSV output failed.
    #[error("cannot write the station output")]
    Write(#[source] std::io::Error),
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
