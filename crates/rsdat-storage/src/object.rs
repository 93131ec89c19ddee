//! Whole-object storage split by capability, as zarrs splits its stores: [`StatStore`]
//! (size, kind, checksum), [`ListStore`], [`StreamStore`] (streaming and range reads) and
//! [`WriteStore`] (directories, streaming whole-object writes, delete, move). Local paths
//! ([`LocalFs`](crate::LocalFs)) and WebDAV doors ([`WebDav`](crate::WebDav)) implement
//! them all, so copy code has one path for both.
//!
//! Objects are named by their full URL (or path) as the user wrote it; a missing object is
//! `Ok(None)` from [`StatStore::stat`], not an error.

use std::fmt;
use std::io::Read;
use std::sync::Arc;

use crate::{ReadStore, Result};

/// What [`StatStore::stat`] and [`ListStore::list`] know about one object.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectMeta {
    /// The object's URL (or path), in the form the caller used.
    pub url: String,
    /// The last path segment, decoded (`a b.tif`, not `a%20b.tif`).
    pub name: String,
    /// Size in bytes (`None` for directories or when the server does not say).
    pub len: Option<u64>,
    /// True for a directory (WebDAV collection).
    pub is_dir: bool,
}

/// A streaming read of a whole object.
pub struct ObjectStream {
    /// The bytes, read as they arrive.
    pub reader: Box<dyn Read + Send>,
    /// The size announced before the body (`Content-Length`), if any.
    pub len: Option<u64>,
    /// The ADLER32 checksum announced by the server (dCache's `Digest: adler32=...` in
    /// answer to `Want-Digest: adler32`), if any.
    pub adler32: Option<u32>,
}

impl fmt::Debug for ObjectStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectStream")
            .field("len", &self.len)
            .field("adler32", &self.adler32)
            .finish_non_exhaustive()
    }
}

/// Facts about objects.
pub trait StatStore: Send + Sync + fmt::Debug {
    /// Size and kind of the object at `url`; `Ok(None)` when there is none.
    ///
    /// # Errors
    /// [`Error`](crate::Error) naming the URL when the backend fails or refuses.
    fn stat(&self, url: &str) -> Result<Option<ObjectMeta>>;

    /// The object's ADLER32 checksum when the backend offers one without reading the
    /// object (dCache does); `Ok(None)` otherwise.
    ///
    /// # Errors
    /// As [`StatStore::stat`].
    fn adler32(&self, url: &str) -> Result<Option<u32>> {
        let _ = url;
        Ok(None)
    }
}

/// Listing directories.
pub trait ListStore: StatStore {
    /// The entries directly inside the directory `url`, sorted by name.
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) or [`Error::Io`](crate::Error::Io) when
    /// there is no such directory; backend errors naming the URL.
    fn list(&self, url: &str) -> Result<Vec<ObjectMeta>>;
}

/// Reading objects.
pub trait StreamStore: StatStore {
    /// Streams the whole object at `url`; the reader's errors are `io::Error`s naming it.
    ///
    /// # Errors
    /// Not found, access denied, or the backend failing (after retries) before the body.
    fn get_stream(&self, url: &str) -> Result<ObjectStream>;

    /// Opens the object at `url` for range reads.
    ///
    /// # Errors
    /// As [`StreamStore::get_stream`].
    fn open_range(&self, url: &str) -> Result<Arc<dyn ReadStore>>;
}

/// Writing objects.
pub trait WriteStore: StatStore {
    /// Creates the directory `url` and its missing parents; an existing one is fine, also
    /// when another writer creates it at the same moment.
    ///
    /// # Errors
    /// Backend errors naming the URL.
    fn create_dir_all(&self, url: &str) -> Result<()>;

    /// Writes the object at `url` from `body`, which holds exactly `len` bytes, streaming
    /// (never the whole object in memory). Readers see the old object or the new one; a
    /// failed write leaves no partial object under `url` on backends that can promise it
    /// (local files), so copies write a temporary name and [`WriteStore::rename`] it.
    /// The parent directory must exist.
    ///
    /// # Errors
    /// Backend errors naming the URL; `body`'s read errors.
    fn put_stream(&self, url: &str, body: &mut dyn Read, len: u64) -> Result<()>;

    /// Removes the object at `url`; a missing one is fine.
    ///
    /// # Errors
    /// Backend errors naming the URL.
    fn delete(&self, url: &str) -> Result<()>;

    /// Moves `from` to `to` on the same backend, replacing `to`.
    ///
    /// # Errors
    /// Backend errors naming the URLs.
    fn rename(&self, from: &str, to: &str) -> Result<()>;
}

/// The parent of a URL or path (`a/b/c` → `a/b`), `None` at the root.
#[must_use]
pub fn parent_url(url: &str) -> Option<&str> {
    let trimmed = url.trim_end_matches('/');
    let (parent, _) = trimmed.rsplit_once('/')?;
    let host_start = trimmed.find("://").map_or(0, |i| i + 3);
    if parent.is_empty() || parent.len() < host_start {
        return None;
    }
    Some(parent)
}

#[cfg(test)]
mod tests {
    use super::parent_url;

    #[test]
    fn parents() {
        assert_eq!(parent_url("webdav://h/a/b.tif"), Some("webdav://h/a"));
        assert_eq!(parent_url("webdav://h/a/"), Some("webdav://h"));
        assert_eq!(parent_url("webdav://h"), None);
        assert_eq!(parent_url("/x/y"), Some("/x"));
        assert_eq!(parent_url("/x"), None);
        assert_eq!(parent_url("rel/x"), Some("rel"));
    }
}
