use std::fs::Permissions;
use std::io::{self, Seek, SeekFrom, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::{check_absent, split_target, sync_dir, Durability, IfExists};
use crate::{Error, Result};

/// A file written through a temporary sibling and renamed over its target on
/// [`AtomicFile::commit`]; dropped without commit, it leaves nothing behind.
///
/// Writes go straight to the temporary file: wrap it in a [`std::io::BufWriter`] for many
/// small writes. It can [`Seek`] (to patch a header after the data, as TIFF writers do).
/// Write and seek errors name the temporary file.
///
/// ```
/// use std::io::Write;
/// use rsdat_storage::{AtomicFile, IfExists};
/// let dir = tempfile::tempdir().expect("temp dir");
/// let path = dir.path().join("out.json");
/// let mut f = AtomicFile::create(&path, IfExists::Refuse)?;
/// f.write_all(b"{}").expect("write");
/// assert!(!path.exists()); // not visible before commit
/// f.commit()?;
/// assert_eq!(std::fs::read(&path).expect("read"), b"{}");
/// # Ok::<(), rsdat_storage::Error>(())
/// ```
#[derive(Debug)]
pub struct AtomicFile {
    temp: NamedTempFile,
    target: PathBuf,
    if_exists: IfExists,
}

impl AtomicFile {
    /// Starts writing `target`: creates a temporary file in the same directory, named
    /// after the target (`.<name>.<random>.tmp`). The file gets the mode a new file would
    /// get (`0o666` less the umask).
    ///
    /// # Errors
    /// [`Error::Exists`] when `if_exists` is [`IfExists::Refuse`] and `target` exists;
    /// [`Error::Io`] naming the target when the temporary file cannot be created (missing
    /// directory, no permission).
    pub fn create(target: &Path, if_exists: IfExists) -> Result<Self> {
        check_absent(target, if_exists)?;
        let (dir, name) = split_target(target)?;
        let mut prefix = std::ffi::OsString::from(".");
        // Keep temporary names within NAME_MAX (255) with room for the random part.
        if name.len() <= 200 {
            prefix.push(&name);
            prefix.push(".");
        } else {
            prefix.push("rsdat.");
        }
        let temp = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .permissions(Permissions::from_mode(0o666))
            .tempfile_in(&dir)
            .map_err(|e| Error::io("create a temporary file beside", target, e))?;
        Ok(Self {
            temp,
            target: target.to_owned(),
            if_exists,
        })
    }

    /// The final path.
    #[must_use]
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The temporary file being written.
    #[must_use]
    pub fn temp_path(&self) -> &Path {
        self.temp.path()
    }

    /// Syncs the data to disk and renames the temporary file onto the target.
    ///
    /// # Errors
    /// [`Error::Exists`] when refusing to overwrite and the target appeared meanwhile;
    /// [`Error::Io`] naming the file when syncing or renaming fails. On error the temporary
    /// file is removed and the target is left as it was.
    pub fn commit(self) -> Result<()> {
        self.commit_with(Durability::Flushed)
    }

    /// [`AtomicFile::commit`], syncing only with [`Durability::Flushed`].
    ///
    /// # Errors
    /// As [`AtomicFile::commit`].
    pub fn commit_with(self, durability: Durability) -> Result<()> {
        let Self {
            temp,
            target,
            if_exists,
        } = self;
        let flush = durability == Durability::Flushed;
        if flush {
            temp.as_file()
                .sync_all()
                .map_err(|e| Error::io("sync", temp.path(), e))?;
        }
        let persisted = match if_exists {
            IfExists::Replace => temp.persist(&target),
            IfExists::Refuse => temp.persist_noclobber(&target),
        };
        if let Err(e) = persisted {
            return Err(if e.error.kind() == io::ErrorKind::AlreadyExists {
                Error::Exists { path: target }
            } else {
                Error::io("rename a temporary file to", target, e.error)
            });
        }
        if flush {
            let (dir, _) = split_target(&target)?;
            sync_dir(&dir);
        }
        tracing::debug!(path = %target.display(), "committed atomic file");
        Ok(())
    }

    /// Writes all of `bytes` to the temporary file, with an error naming it.
    pub(super) fn write_all_named(&mut self, bytes: &[u8]) -> Result<()> {
        self.temp
            .write_all(bytes)
            .map_err(|e| Error::io("write", self.temp.path(), e))
    }

    fn named(&self, op: &'static str, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), Error::io(op, self.temp.path(), e))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf).map_err(|e| self.named("write", e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush().map_err(|e| self.named("flush", e))
    }
}

impl Seek for AtomicFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.temp.seek(pos).map_err(|e| self.named("seek in", e))
    }
}
