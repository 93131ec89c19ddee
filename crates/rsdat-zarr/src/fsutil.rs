//! Small file-system helpers: metadata documents and staged directories.

use std::path::Path;

use rsdat_storage::{AtomicDir, IfExists};

use crate::error::io_err;
use crate::json::Json;
use crate::{Error, Result};

/// Writes `doc` to `path` atomically (temporary file + rename).
pub(crate) fn write_doc_atomic(path: &Path, doc: &Json) -> Result<()> {
    rsdat_storage::write_atomic(path, &doc.to_pretty()).map_err(storage_err)
}

/// Writes the metadata document `name` into directory `dir` (created if needed).
pub(crate) fn write_doc(dir: &Path, name: &str, doc: &Json) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(io_err("create directory", dir))?;
    let path = dir.join(name);
    std::fs::write(&path, doc.to_pretty()).map_err(io_err("write", path))
}

/// Reads and parses the metadata document at `path`; `Ok(None)` when it does not exist.
pub(crate) fn read_doc(path: &Path) -> Result<Option<Json>> {
    match std::fs::read(path) {
        Ok(bytes) => Json::parse(&bytes, path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err("read", path)(e)),
    }
}

/// A directory staged beside `target` (`<target>.partial-*`), published by
/// [`publish`]; parents of `target` are created.
pub(crate) fn stage(target: &Path, overwrite: bool) -> Result<AtomicDir> {
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io_err("create directory", parent))?;
    }
    let if_exists = if overwrite {
        IfExists::Replace
    } else {
        IfExists::Refuse
    };
    AtomicDir::create(target, if_exists).map_err(storage_err)
}

/// Syncs and renames a staged directory onto its target.
pub(crate) fn publish(dir: AtomicDir) -> Result<()> {
    dir.commit().map_err(storage_err)
}

/// True for the names of staging leftovers (`x.partial-*`, `x.old-*`), which are not nodes.
pub(crate) fn is_staging_name(name: &str) -> bool {
    name.contains(".partial-") || name.contains(".old-")
}

/// rsdat-storage's errors, with "exists" kept as this crate's [`Error::Exists`].
pub(crate) fn storage_err(e: rsdat_storage::Error) -> Error {
    match e {
        rsdat_storage::Error::Exists { path } => Error::Exists { path },
        other => Error::Storage(other),
    }
}
