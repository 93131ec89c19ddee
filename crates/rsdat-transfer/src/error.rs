use std::path::PathBuf;

/// Why one copy failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The storage backend failed (names the URL).
    #[error(transparent)]
    Storage(#[from] rsdat_storage::Error),
    /// The bytes do not match the checksum the server announced.
    #[error("ADLER32 of `{url}` is {got:08x} but {by} says {expected:08x}; the copy is corrupt and was not kept")]
    ChecksumMismatch {
        /// The URL checked.
        url: String,
        /// Who announced `expected` (`the source`, `the destination`).
        by: &'static str,
        /// The announced checksum.
        expected: u32,
        /// The checksum of the bytes copied.
        got: u32,
    },
    /// The source sent fewer or more bytes than it announced.
    #[error("`{url}` sent {got} bytes but announced {expected}; the connection was probably cut")]
    Truncated {
        /// The source URL.
        url: String,
        /// Bytes announced.
        expected: u64,
        /// Bytes received.
        got: u64,
    },
    /// Reading the source failed midway.
    #[error("reading `{url}` failed after {got} bytes")]
    SourceRead {
        /// The source URL.
        url: String,
        /// Bytes received before the failure.
        got: u64,
        /// The read error.
        #[source]
        source: std::io::Error,
    },
    /// The source does not say its size and the destination needs it.
    #[error(
        "`{url}` does not say its size (no Content-Length); rsdat needs it to stream the copy"
    )]
    NoLength {
        /// The source URL.
        url: String,
    },
    /// The failure ledger cannot be written.
    #[error("cannot write the failure ledger `{path}`")]
    Ledger {
        /// The ledger file.
        path: PathBuf,
        /// Why.
        #[source]
        source: rsdat_storage::Error,
    },
}

impl Error {
    /// True when another attempt may succeed.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Storage(e) => e.is_transient(),
            Self::ChecksumMismatch { .. } | Self::Truncated { .. } | Self::SourceRead { .. } => {
                true
            }
            _ => false,
        }
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
