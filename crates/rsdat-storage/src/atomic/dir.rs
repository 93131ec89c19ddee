use std::io;
use std::path::{Path, PathBuf};

use super::{check_absent, split_target, sync_dir, Durability, IfExists};
use crate::{Error, Result};

/// A directory (a Zarr store, say) written as a `<target>.partial-<random>` sibling and
/// renamed into place on [`AtomicDir::commit`]; dropped without commit, the partial
/// directory is removed.
///
/// ```
/// use rsdat_storage::{AtomicDir, IfExists};
/// let tmp = tempfile::tempdir().expect("temp dir");
/// let target = tmp.path().join("out.zarr");
/// let dir = AtomicDir::create(&target, IfExists::Replace)?;
/// std::fs::write(dir.path().join("zarr.json"), b"{}").expect("write");
/// assert!(!target.exists()); // not visible before commit
/// dir.commit()?;
/// assert!(target.join("zarr.json").is_file());
/// # Ok::<(), rsdat_storage::Error>(())
/// ```
#[derive(Debug)]
pub struct AtomicDir {
    partial: PathBuf,
    target: PathBuf,
    if_exists: IfExists,
    committed: bool,
}

impl AtomicDir {
    /// Creates the partial directory beside `target`; write into [`AtomicDir::path`].
    ///
    /// # Errors
    /// [`Error::Exists`] when `if_exists` is [`IfExists::Refuse`] and `target` exists;
    /// [`Error::Io`] naming the partial directory when it cannot be created.
    pub fn create(target: &Path, if_exists: IfExists) -> Result<Self> {
        check_absent(target, if_exists)?;
        let (dir, name) = split_target(target)?;
        let mut tries = 0;
        loop {
            let mut partial_name = name.clone();
            partial_name.push(format!(".partial-{}", random_suffix()));
            let partial = dir.join(partial_name);
            match std::fs::create_dir(&partial) {
                Ok(()) => {
                    return Ok(Self {
                        partial,
                        target: target.to_owned(),
                        if_exists,
                        committed: false,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && tries < 8 => tries += 1,
                Err(e) => return Err(Error::io("create directory", partial, e)),
            }
        }
    }

    /// The partial directory to write into.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.partial
    }

    /// The final path.
    #[must_use]
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Syncs every file under the partial directory to disk, then renames it onto the
    /// target. An existing target is swapped out in one step where the file system allows
    /// it (Linux `RENAME_EXCHANGE`); elsewhere it is renamed away, the new directory renamed
    /// in, and the old one removed, so the target is missing only between two renames.
    ///
    /// # Errors
    /// [`Error::Exists`] when refusing to overwrite and the target exists;
    /// [`Error::Io`] naming the path when syncing or renaming fails. On error the partial
    /// directory is removed and the target is left as it was.
    pub fn commit(self) -> Result<()> {
        self.commit_with(Durability::Flushed)
    }

    /// [`AtomicDir::commit`], syncing only with [`Durability::Flushed`].
    ///
    /// # Errors
    /// As [`AtomicDir::commit`].
    pub fn commit_with(mut self, durability: Durability) -> Result<()> {
        let flush = durability == Durability::Flushed;
        if flush {
            sync_contents(&self.partial)?;
        }
        let exists = self.target.symlink_metadata().is_ok();
        match (self.if_exists, exists) {
            (IfExists::Refuse, true) => {
                return Err(Error::Exists {
                    path: self.target.clone(),
                })
            }
            (IfExists::Refuse, false) => self.rename_new()?,
            (IfExists::Replace, false) => self.rename(&self.partial, &self.target)?,
            (IfExists::Replace, true) => self.replace()?,
        }
        self.committed = true;
        if flush {
            if let Ok((dir, _)) = split_target(&self.target) {
                sync_dir(&dir);
            }
        }
        tracing::debug!(path = %self.target.display(), "committed atomic directory");
        Ok(())
    }

    /// Renames the partial directory onto an absent target, failing if it appeared.
    fn rename_new(&self) -> Result<()> {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{renameat_with, RenameFlags, CWD};
            match renameat_with(
                CWD,
                &self.partial,
                CWD,
                &self.target,
                RenameFlags::NOREPLACE,
            ) {
                Ok(()) => return Ok(()),
                Err(rustix::io::Errno::EXIST) => {
                    return Err(Error::Exists {
                        path: self.target.clone(),
                    })
                }
                // The file system does not support the flag: fall back to a plain rename.
                Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {}
                Err(e) => return Err(Error::io("rename into", &self.target, e.into())),
            }
        }
        self.rename(&self.partial, &self.target)
    }

    /// Puts the partial directory in place of an existing target and removes the old one.
    fn replace(&self) -> Result<()> {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{renameat_with, RenameFlags, CWD};
            match renameat_with(CWD, &self.partial, CWD, &self.target, RenameFlags::EXCHANGE) {
                Ok(()) => {
                    // The old content now sits at the partial path.
                    remove_old(&self.partial);
                    return Ok(());
                }
                Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {}
                Err(e) => return Err(Error::io("swap into", &self.target, e.into())),
            }
        }
        let mut old = self.target.clone().into_os_string();
        old.push(format!(".old-{}", random_suffix()));
        let old = PathBuf::from(old);
        self.rename(&self.target, &old)?;
        if let Err(e) = self.rename(&self.partial, &self.target) {
            // Put the old target back so a failed commit changes nothing.
            if let Err(back) = std::fs::rename(&old, &self.target) {
                tracing::warn!(old = %old.display(), error = %back, "could not restore the previous target");
            }
            return Err(e);
        }
        remove_old(&old);
        Ok(())
    }

    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        std::fs::rename(from, to).map_err(|e| {
            let op = if from == self.partial {
                "rename the finished directory to"
            } else {
                "move aside"
            };
            let path = if from == self.partial { to } else { from };
            Error::io(op, path, e)
        })
    }
}

impl Drop for AtomicDir {
    fn drop(&mut self) {
        if !self.committed {
            if let Err(e) = std::fs::remove_dir_all(&self.partial) {
                tracing::warn!(path = %self.partial.display(), error = %e, "could not remove partial directory");
            }
        }
    }
}

/// Removes a replaced target (directory or file). Failure leaves litter, not wrong data,
/// so it is logged rather than returned.
fn remove_old(old: &Path) {
    let removed = match old.symlink_metadata() {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(old),
        Ok(_) => std::fs::remove_file(old),
        Err(e) => Err(e),
    };
    if let Err(e) = removed {
        tracing::warn!(path = %old.display(), error = %e, "could not remove the replaced target; remove it by hand");
    }
}

/// Makes everything under `root` durable before it is renamed into place. On Linux one
/// `syncfs` flushes the file system in a single batch, which for a Zarr store of thousands
/// of chunk files is far cheaper than an `fsync` per file; elsewhere every file is synced.
fn sync_contents(root: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        let dir = std::fs::File::open(root).map_err(|e| Error::io("open", root, e))?;
        rustix::fs::syncfs(&dir).map_err(|e| Error::io("sync", root, e.into()))
    }
    #[cfg(not(target_os = "linux"))]
    {
        sync_tree(root)
    }
}

/// Syncs every regular file and directory under `root` (symlinks are not followed).
#[cfg(not(target_os = "linux"))]
fn sync_tree(root: &Path) -> Result<()> {
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io("list", &dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("list", &dir, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| Error::io("stat", &path, e))?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                std::fs::File::open(&path)
                    .and_then(|f| f.sync_all())
                    .map_err(|e| Error::io("sync", &path, e))?;
            }
        }
        sync_dir(&dir);
    }
    Ok(())
}

fn random_suffix() -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(8)
        .collect()
}
