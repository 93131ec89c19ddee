//! One URL table for rsdat's readers and writers, the part of fsspec that rsdat needs.
//!
//! [`open_read`] turns a plain path, `file://` or `http(s)://` URL into a [`ReadStore`]
//! that serves byte ranges; format readers never touch files or sockets themselves.
//! [`HttpStore`] reads through a block cache with retries ([`HttpOptions`]). `webdav(s)://`
//! and `dcache://` URLs (WebDAV doors, as dcachefs and rclone reach dCache) are served by
//! [`WebDav`], with the door and credentials of [`StorageConfig`]
//! (`~/.config/rsdat/storage.toml` and `RSDAT_DCACHE_*` variables).
//!
//! Whole-object operations are split by capability ([`StatStore`], [`ListStore`],
//! [`StreamStore`], [`WriteStore`]); [`Storage`] picks the backend for a URL, so code that
//! copies files has one path for local and WebDAV destinations.
//!
//! Writers use [`write_atomic`], [`AtomicFile`] or, for stores kept as directories (Zarr),
//! [`AtomicDir`], so a crash leaves the old file or the new one, never a part.
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
mod auth;
mod config;
pub mod env;
mod error;
mod file;
mod http;
mod local;
mod location;
mod object;
mod retry;
mod secret;
mod storage;
mod webdav;

pub use atomic::{write_atomic, write_atomic_with, AtomicDir, AtomicFile, Durability, IfExists};
pub use auth::Auth;
pub use config::StorageConfig;
pub use error::{Error, Result};
pub use file::FileStore;
pub use http::{HttpOptions, HttpStore};
pub use local::LocalFs;
pub use location::Location;
pub use object::{
    parent_url, ListStore, ObjectMeta, ObjectStream, StatStore, StreamStore, WriteStore,
};
pub use retry::Retry;
pub use secret::Secret;
pub use storage::Storage;
pub use webdav::WebDav;

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

/// Opens `url` (plain path, `file://`, `http(s)://`, `webdav(s)://`, `dcache://`) for range
/// reads, with [`HttpOptions::default`] for URLs and [`StorageConfig::load`] for WebDAV
/// credentials.
///
/// # Errors
/// [`Error::UnsupportedScheme`] for schemes rsdat does not serve, a config error, or the
/// backend's error when the object cannot be opened.
pub fn open_read(url: &str) -> Result<Arc<dyn ReadStore>> {
    open_read_with(url, &HttpOptions::default())
}

/// Opens `url` for range reads as [`open_read`] does, with `http` options for `http(s)://`.
///
/// # Errors
/// As [`open_read`].
pub fn open_read_with(url: &str, http: &HttpOptions) -> Result<Arc<dyn ReadStore>> {
    match Location::parse(url)? {
        Location::Path(p) => Ok(Arc::new(FileStore::open(&p)?)),
        Location::Http(u) => Ok(Arc::new(HttpStore::open_with(&u, http)?)),
        Location::WebDav(u) | Location::Dcache(u) => {
            WebDav::new(StorageConfig::load()?, http.clone()).open_range(&u)
        }
    }
}
