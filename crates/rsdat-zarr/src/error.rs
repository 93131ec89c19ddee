use std::error::Error as StdError;
use std::path::PathBuf;

use rsdat_model::DType;

use crate::ZarrFormat;

/// Everything that can go wrong writing or reading a Zarr store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The output exists and overwriting was not asked for.
    #[error("`{path}` already exists; pass --overwrite to replace it")]
    Exists {
        /// The existing store or group directory.
        path: PathBuf,
    },
    /// The path holds no Zarr store (no `zarr.json`, no `.zgroup`).
    #[error("no Zarr store at `{path}` (neither `zarr.json` nor `.zgroup` found)")]
    NotAStore {
        /// The path that was opened.
        path: PathBuf,
    },
    /// A group asked for does not exist in the store.
    #[error("group `{group}` not found in `{path}` (has: {found}); pick one with --group")]
    MissingGroup {
        /// The store.
        path: PathBuf,
        /// The requested group.
        group: String,
        /// Comma-separated groups that do exist.
        found: String,
    },
    /// A group or array name is empty, contains `.`/`..` segments or reserved characters.
    #[error("invalid node name `{name}` for `{path}`: {reason}")]
    InvalidName {
        /// The store.
        path: PathBuf,
        /// The offending name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The requested format differs from the existing store's.
    #[error("`{path}` is a Zarr {existing} store; cannot add Zarr {requested} data to it (drop --zarr-format or pick another output)")]
    FormatMismatch {
        /// The store.
        path: PathBuf,
        /// Format on disk.
        existing: ZarrFormat,
        /// Format asked for.
        requested: ZarrFormat,
    },
    /// A file-system operation failed.
    #[error("cannot {op} `{path}`")]
    Io {
        /// What was being done (`create directory`, `read`, ...).
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Zarr metadata is malformed or uses something rsdat does not support.
    #[error("invalid Zarr metadata in `{path}`: {reason}")]
    Metadata {
        /// The metadata document (`zarr.json`, `.zarray`, ...).
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A chunk index lies outside an array's chunk grid.
    #[error("chunk {chunk:?} is outside the chunk grid {grid:?} of array `{array}` in `{path}`")]
    ChunkIndex {
        /// The store.
        path: PathBuf,
        /// The array (group path included).
        array: String,
        /// The requested chunk index.
        chunk: Vec<u64>,
        /// Number of chunks along each dimension.
        grid: Vec<u64>,
    },
    /// A block handed to a writer has the wrong shape.
    #[error(
        "array `{array}` in `{path}`: chunk {chunk:?} must have shape {expected:?}, got {found:?}"
    )]
    ChunkShape {
        /// The store.
        path: PathBuf,
        /// The array (group path included).
        array: String,
        /// The chunk index (empty for a whole-array write).
        chunk: Box<[u64]>,
        /// The shape the chunk has in the array (edge chunks cut to the array).
        expected: Box<[usize]>,
        /// The shape given.
        found: Box<[usize]>,
    },
    /// A block handed to a writer has the wrong element type.
    #[error("array `{array}` in `{path}` holds {expected}, got a block of {found}")]
    ChunkDType {
        /// The store.
        path: PathBuf,
        /// The array (group path included).
        array: String,
        /// The array's type.
        expected: DType,
        /// The block's type.
        found: DType,
    },
    /// A `_FillValue` cannot be represented in the array's type.
    #[error("array `{array}`: _FillValue {value} does not fit {dtype}")]
    FillValue {
        /// The array.
        array: String,
        /// The attribute's value.
        value: f64,
        /// The array's type.
        dtype: DType,
    },
    /// A `--chunks` specification is malformed or names an unknown dimension.
    #[error("invalid chunk specification `{spec}`: {reason}")]
    ChunkSpec {
        /// The specification as given.
        spec: String,
        /// What is wrong.
        reason: String,
    },
    /// zarrs failed to encode, decode or store an array.
    #[error("Zarr array `{array}` in `{path}`")]
    Zarr {
        /// The store.
        path: PathBuf,
        /// The array (group path included).
        array: String,
        /// What zarrs said.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    /// Staging or publishing the output failed.
    #[error(transparent)]
    Storage(rsdat_storage::Error),
    /// The source dataset failed to serve a window (boxed to keep this enum small).
    #[error("cannot read from the source")]
    Source(#[source] Box<rsdat_model::Error>),
}

impl From<rsdat_model::Error> for Error {
    fn from(e: rsdat_model::Error) -> Self {
        Self::Source(Box::new(e))
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A closure mapping an OS error to [`Error::Io`] for `path`.
pub(crate) fn io_err(
    op: &'static str,
    path: impl Into<PathBuf>,
) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { op, path, source }
}

#[cfg(test)]
mod tests {
    #[test]
    fn stays_small() {
        // clippy's `result_large_err` fires at 128 bytes, in every caller.
        assert!(std::mem::size_of::<super::Error>() < 128);
    }
}
