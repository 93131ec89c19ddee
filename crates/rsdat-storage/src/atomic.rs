//! Atomic writes: a crash leaves the old file (or directory) or the new one, never a part.

mod dir;
mod file;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use dir::AtomicDir;
pub use file::AtomicFile;

use crate::{Error, Result};

/// What to do when the target of an atomic write already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IfExists {
    /// Replace it (the default, as `cp` and `mv` do).
    #[default]
    Replace,
    /// Fail with [`Error::Exists`] (at creation, and again at commit if it appeared since).
    Refuse,
}

/// How far a commit goes to keep the new content through a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Durability {
    /// Flush the new content to disk before the rename (the default): after a killed
    /// process or a power loss, the target holds the old content or the whole new one.
    #[default]
    Flushed,
    /// Rename without flushing: a killed process still leaves the old content or the whole
    /// new one, but after a power loss the new files may be empty. For outputs that are
    /// cheap to make again (catalog metadata), where a flush would cost more than the
    /// write: on Linux it is a `syncfs` of the whole file system, other users' data too.
    Renamed,
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
/// so readers see the old content or the new, never a part. An existing file is replaced.
///
/// # Errors
/// [`Error::Io`] naming the path.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, bytes, Durability::Flushed)
}

/// [`write_atomic`] with the given [`Durability`].
///
/// # Errors
/// [`Error::Io`] naming the path.
pub fn write_atomic_with(path: &Path, bytes: &[u8], durability: Durability) -> Result<()> {
    let mut file = AtomicFile::create(path, IfExists::Replace)?;
    file.write_all_named(bytes)?;
    file.commit_with(durability)
}

/// The directory holding `target` and its final name; fails for paths like `/` or `..`.
fn split_target(target: &Path) -> Result<(PathBuf, OsString)> {
    let name = target.file_name().ok_or_else(|| {
        Error::io(
            "write",
            target,
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the path does not end in a file name",
            ),
        )
    })?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    Ok((dir, name.to_owned()))
}

/// Fails with [`Error::Exists`] when `refuse` and `path` exists (even as a broken symlink).
fn check_absent(path: &Path, if_exists: IfExists) -> Result<()> {
    if if_exists == IfExists::Refuse && path.symlink_metadata().is_ok() {
        return Err(Error::Exists {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// Flushes a directory's entries (renames into it) to disk. Best effort: some file
/// systems refuse to sync directories, and the rename has happened anyway.
fn sync_dir(dir: &Path) {
    if let Err(e) = std::fs::File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(dir = %dir.display(), error = %e, "could not sync directory");
    }
}
