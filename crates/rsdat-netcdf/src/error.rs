use std::path::PathBuf;

/// NetCDF errors, each naming the file or URL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes could not be reached.
    #[error(transparent)]
    Storage(#[from] rsdat_storage::Error),
    /// The file is not NetCDF or its structure is damaged.
    #[error("`{location}` is not a readable NetCDF/HDF5 file: {reason}")]
    Open {
        /// Path or URL.
        location: String,
        /// What the decoder said.
        reason: String,
    },
    /// The file has no group of that name.
    #[error("{}", no_group_message(location, group, found))]
    NoGroup {
        /// Path or URL.
        location: String,
        /// The group asked for.
        group: String,
        /// The groups the file has (paths, comma-separated; empty when it has none).
        found: String,
    },
    /// A sample file could not be written.
    #[error("cannot write `{path}`: {reason}")]
    Write {
        /// Target file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// Bad sample-data request.
    #[error("{0}")]
    Invalid(String),
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn no_group_message(location: &str, group: &str, found: &str) -> String {
    if found.is_empty() {
        format!("`{location}` has no groups (asked for `{group}`); drop --group")
    } else {
        format!("`{location}` has no group `{group}` (groups: {found}); check --group")
    }
}
