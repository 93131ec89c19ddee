use std::path::PathBuf;

/// A boxed error from a backend library, kept as the `source` of an [`Error`].
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Storage errors; each names the path or URL it failed on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A local file operation failed.
    #[error("cannot {op} `{path}`{hint}", hint = io_hint(source))]
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
    /// A URL scheme rsdat does not serve, or a local path where a URL is needed.
    #[error("unsupported URL scheme in `{url}`; use a local path, file://, http(s)://, webdav(s):// or dcache://")]
    UnsupportedScheme {
        /// The URL.
        url: String,
    },
    /// A store that cannot do what was asked (writing to `http://`, listing an HTTP URL).
    #[error("`{url}` does not support {op}; {hint}")]
    Unsupported {
        /// The URL.
        url: String,
        /// The operation.
        op: &'static str,
        /// What to use instead.
        hint: &'static str,
    },
    /// The storage config file cannot be used.
    #[error("storage config `{path}` {reason}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong with it (never its secrets).
        reason: String,
    },
    /// A file holding secrets is open to group or others.
    #[error("`{path}` holds secrets but group or others may access it (mode {mode:o}); run `chmod 600 {path}`")]
    InsecureFile {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A `dcache://` URL without a configured door.
    #[error("no dCache door configured for `{url}`; set `door` in the `[dcache]` section of ~/.config/rsdat/storage.toml or the {var} environment variable", var = crate::env::DCACHE_DOOR)]
    NoDoor {
        /// The URL.
        url: String,
    },
    /// A URL that cannot be used as written.
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A target that must not be overwritten already exists.
    #[error("`{path}` already exists; remove it or pass --overwrite")]
    Exists {
        /// The existing path.
        path: PathBuf,
    },
    /// The server has no object at the URL (HTTP 404 or 410).
    #[error("`{url}` not found (HTTP {status}); check the URL")]
    NotFound {
        /// The URL.
        url: String,
        /// The HTTP status (404 or 410).
        status: u16,
    },
    /// The server refused the request (HTTP 401 or 403).
    #[error("access denied to `{url}` (HTTP {status}){hint}", hint = denied_hint(*status))]
    AccessDenied {
        /// The URL.
        url: String,
        /// The HTTP status (401 or 403).
        status: u16,
    },
    /// The server answered with an error status (after retries, when the status is transient).
    #[error("request to `{url}` failed with HTTP {status} after {attempts} attempt(s){hint}", hint = status_hint(*status))]
    HttpStatus {
        /// The URL.
        url: String,
        /// The last HTTP status.
        status: u16,
        /// How many requests were sent.
        attempts: u32,
    },
    /// No answer: connection refused or dropped, timeout, DNS or TLS failure (after retries).
    #[error("request to `{url}` failed after {attempts} attempt(s); check the URL, the network and the server")]
    Request {
        /// The URL.
        url: String,
        /// How many requests were sent.
        attempts: u32,
        /// The last transport error.
        #[source]
        source: BoxError,
    },
    /// The server answered something rsdat cannot use (a wrong `Content-Range`, no size, ...).
    #[error("unexpected answer from `{url}`: {reason}")]
    BadResponse {
        /// The URL.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The server ignores `Range` requests and the object is too big to download whole.
    #[error("`{url}` ignores HTTP range requests and holds {len} bytes, more than the {limit_bytes} rsdat downloads whole per read; download it first and open the local copy")]
    RangeNotSupported {
        /// The URL.
        url: String,
        /// Object size.
        len: u64,
        /// The whole-body limit in force.
        limit_bytes: u64,
    },
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::Io`] for `op` on `path`.
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

fn io_hint(source: &std::io::Error) -> &'static str {
    if source.kind() == std::io::ErrorKind::PermissionDenied {
        ": permission denied; check the owner and mode of the file and its directories"
    } else {
        ""
    }
}

fn status_hint(status: u16) -> &'static str {
    match status {
        500..=599 | 429 => "; the server is failing or busy, try again later",
        416 => "; the object may have changed size while being read",
        _ => "",
    }
}

fn denied_hint(status: u16) -> &'static str {
    if status == 401 {
        "; check credentials (the token, or user name and password, in ~/.config/rsdat/storage.toml or RSDAT_DCACHE_TOKEN)"
    } else {
        "; check credentials: the server knows them but they do not allow this operation on this path"
    }
}

impl Error {
    /// True when trying again may succeed: a failing or busy server (5xx, 408, 429), a
    /// dropped connection or a timeout.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::HttpStatus { status, .. } => matches!(status, 408 | 429 | 500..=599),
            Self::Request { .. } => true,
            Self::Io { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::TimedOut
                    | std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::Interrupted
            ),
            _ => false,
        }
    }
}
