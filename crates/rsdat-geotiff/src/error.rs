/// Errors of the GeoTIFF reader; each names the file or URL it failed on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The first bytes are not a TIFF or BigTIFF header.
    #[error("`{location}` is not a TIFF file (it starts with {magic:02x?})")]
    NotTiff {
        /// File or URL.
        location: String,
        /// The first bytes found.
        magic: Vec<u8>,
    },
    /// The file ends before a structure or chunk it points to.
    #[error("`{location}` is truncated: {what} lies past the end of the file")]
    Truncated {
        /// File or URL.
        location: String,
        /// What was being read (`IFD at byte 8`, `tile 3 of image 0`, ...).
        what: String,
        /// The storage error.
        #[source]
        source: rsdat_storage::Error,
    },
    /// The storage layer failed (I/O, network).
    #[error("cannot read {what} from `{location}`")]
    Storage {
        /// File or URL.
        location: String,
        /// What was being read.
        what: String,
        /// The storage error.
        #[source]
        source: rsdat_storage::Error,
    },
    /// A feature the reader does not implement (compression, sample layout, ...).
    #[error("cannot read image {ifd} of `{location}`: {what} is not supported")]
    Unsupported {
        /// File or URL.
        location: String,
        /// Index of the IFD (image) in the file.
        ifd: usize,
        /// The feature, e.g. `compression 7 (JPEG)`.
        what: String,
    },
    /// The file's structure contradicts itself (bad tag, impossible size, ...).
    #[error("`{location}` is not a valid TIFF: {what}")]
    Invalid {
        /// File or URL.
        location: String,
        /// What is wrong.
        what: String,
    },
    /// A chunk failed to decompress.
    #[error("cannot decode {what} of `{location}`: {reason}")]
    Decode {
        /// File or URL.
        location: String,
        /// The chunk (`tile 3 of image 0`).
        what: String,
        /// What the decoder said.
        reason: String,
    },
    /// An overview level that does not exist.
    #[error(
        "`{location}` has {count} overview(s); level {level} does not exist (levels start at 0)"
    )]
    NoOverview {
        /// File or URL.
        location: String,
        /// Requested level.
        level: usize,
        /// Number of overviews.
        count: usize,
    },
}

impl Error {
    /// Wraps a storage error, telling truncation apart from other failures.
    pub(crate) fn storage(
        location: &str,
        what: impl Into<String>,
        source: rsdat_storage::Error,
    ) -> Self {
        let what = what.into();
        match source {
            e @ rsdat_storage::Error::OutOfRange { .. } => Self::Truncated {
                location: location.to_owned(),
                what,
                source: e,
            },
            e => Self::Storage {
                location: location.to_owned(),
                what,
                source: e,
            },
        }
    }

    /// Converts into the model's error for `var` at the [`rsdat_model::Source`] boundary.
    pub(crate) fn into_model(self, location: &str, var: &str) -> rsdat_model::Error {
        rsdat_model::Error::Read {
            location: location.to_owned(),
            var: var.to_owned(),
            source: Box::new(self),
        }
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
