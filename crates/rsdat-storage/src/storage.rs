//! The URL table for whole-object operations: which backend serves a URL.

use crate::{
    Error, HttpOptions, ListStore, LocalFs, Location, Result, StorageConfig, StreamStore, WebDav,
    WriteStore,
};

/// Every backend rsdat has, picked by URL: local paths and `file://` ([`LocalFs`]),
/// `webdav(s)://` and `dcache://` ([`WebDav`], read and write), `http(s)://` (read only).
///
/// ```
/// use rsdat_storage::{Storage, StorageConfig, HttpOptions};
/// let dir = tempfile::tempdir().expect("temp dir");
/// let storage = Storage::new(StorageConfig::default(), HttpOptions::default());
/// let out = dir.path().join("a/b/c.txt");
/// let out = out.to_str().expect("utf-8");
/// let w = storage.writer(out)?;
/// w.create_dir_all(rsdat_storage::parent_url(out).expect("has a parent"))?;
/// w.put_stream(out, &mut &b"hello"[..], 5)?;
/// assert_eq!(storage.reader(out)?.stat(out)?.and_then(|m| m.len), Some(5));
/// # Ok::<(), rsdat_storage::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Storage {
    local: LocalFs,
    dav: WebDav,
}

impl Storage {
    /// Backends using `config` for WebDAV credentials and the dCache door.
    #[must_use]
    pub fn new(config: StorageConfig, http: HttpOptions) -> Self {
        Self {
            local: LocalFs,
            dav: WebDav::new(config, http),
        }
    }

    /// Backends with the config from the file and environment ([`StorageConfig::load`]).
    ///
    /// # Errors
    /// As [`StorageConfig::load`].
    pub fn from_env() -> Result<Self> {
        Ok(Self::new(StorageConfig::load()?, HttpOptions::default()))
    }

    /// The WebDAV backend (for `webdav(s)://`, `dcache://` and `http(s)://`).
    #[must_use]
    pub fn webdav(&self) -> &WebDav {
        &self.dav
    }

    /// The backend that reads `url`.
    ///
    /// # Errors
    /// [`Error::UnsupportedScheme`] or [`Error::InvalidUrl`] for URLs rsdat cannot read.
    pub fn reader(&self, url: &str) -> Result<&dyn StreamStore> {
        match Location::parse(url)? {
            Location::Path(_) => Ok(&self.local),
            _ => Ok(&self.dav),
        }
    }

    /// The backend that lists directories under `url`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for `http(s)://`; as [`Storage::reader`].
    pub fn lister(&self, url: &str) -> Result<&dyn ListStore> {
        match Location::parse(url)? {
            Location::Path(_) => Ok(&self.local),
            Location::Http(u) => Err(read_only(u, "listing")),
            _ => Ok(&self.dav),
        }
    }

    /// The backend that writes `url`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for `http(s)://`; as [`Storage::reader`].
    pub fn writer(&self, url: &str) -> Result<&dyn WriteStore> {
        match Location::parse(url)? {
            Location::Path(_) => Ok(&self.local),
            Location::Http(u) => Err(read_only(u, "writing")),
            _ => Ok(&self.dav),
        }
    }
}

fn read_only(url: String, op: &'static str) -> Error {
    Error::Unsupported {
        url,
        op,
        hint: "plain http(s):// URLs are read only; for a WebDAV server or dCache door write `webdavs://` (or `webdav://`) instead of `https://`",
    }
}
