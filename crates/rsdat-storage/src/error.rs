use std::path::PathBuf;

/// Storage errors; each names the path or URL it failed on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A local file operation failed.
    #[error("cannot {op} `{path}`")]
    Io {
        /// What was attempted (`open`, `read`, `write`, ...).
        op: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A range beyond the end of the object.
    #[error("range {start}..{end} is past the end of `{location}` ({len} bytes); the file may be truncated")]
    OutOfRange {
        /// Path or URL.
        location: String,
        /// Range start.
        start: u64,
        /// Range end.
        end: u64,
        /// Object size.
        len: u64,
    },
    /// A URL scheme rsdat does not serve.
    #[error("unsupported URL scheme in `{url}`; use a local path, file://, http:// or https://")]
    UnsupportedScheme {
        /// The URL.
        url: String,
    },
    /// A target that must not be overwritten already exists.
    #[error("`{path}` already exists; remove it or pass --overwrite")]
    Exists {
        /// The existing path.
        path: PathBuf,
    },
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
