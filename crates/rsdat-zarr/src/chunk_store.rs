//! A local-filesystem zarrs store for writing chunks without a sync per file.
//!
//! zarrs' `FilesystemStore` calls `fsync` after every chunk and keeps a lock per key; a
//! convert writes thousands of chunks, and the fsyncs alone made a 44 MB convert take ten
//! seconds. This store writes plain files instead. Durability comes from one level up:
//!
//! - [`ChunkStore::staged`]: the store is a staging directory (rsdat-storage's `AtomicDir`),
//!   which is synced once (`syncfs`) and renamed into place at commit, so chunks are written
//!   straight to their final name.
//! - [`ChunkStore::in_place`]: a committed store written by worker tasks. Each chunk goes to a
//!   temporary file in its directory and is renamed over the old chunk, so readers (and a
//!   task killed mid-write) see the old chunk or the new one, never a partial one. There is no
//!   fsync: after a machine crash, recent chunks may be missing or old; rerunning the tasks
//!   repairs them (chunk writes are idempotent). Call [`crate::ArrayWriter::sync`] when a
//!   batch of chunks must be on disk before going on.
//!
//! Two writers never write the same chunk (see [`crate::ArrayWriter`]), so there is no
//! per-key locking.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use zarrs::storage::byte_range::{ByteRange, ByteRangeIterator, InvalidByteRangeError};
use zarrs::storage::{
    Bytes, MaybeBytesIterator, OffsetBytesIterator, ReadableStorageTraits, StorageError, StoreKey,
    StorePrefix, WritableStorageTraits,
};

/// A zarrs store over a local directory; see the module docs for durability.
#[derive(Debug)]
pub(crate) struct ChunkStore {
    root: PathBuf,
    /// Write through a temporary file + rename (in-place writes into a committed store).
    atomic: bool,
    /// Counter for unique temporary names.
    next_tmp: AtomicU64,
}

impl ChunkStore {
    /// A store rooted at a staging directory: files are written directly.
    pub(crate) fn staged(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
            atomic: false,
            next_tmp: AtomicU64::new(0),
        }
    }

    /// A store rooted at a committed store: each chunk is replaced atomically by rename.
    pub(crate) fn in_place(root: &Path) -> Self {
        Self {
            atomic: true,
            ..Self::staged(root)
        }
    }

    /// The root directory.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    fn key_path(&self, key: &StoreKey) -> PathBuf {
        let k = key.as_str();
        self.root.join(k.strip_prefix('/').unwrap_or(k))
    }

    /// Opens `path` for writing, creating missing parent directories on the way.
    fn create(path: &Path, truncate: bool) -> std::io::Result<File> {
        let open = || {
            OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(truncate)
                .open(path)
        };
        match open() {
            Err(e) if e.kind() == ErrorKind::NotFound => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                open()
            }
            other => other,
        }
    }

    fn write_file(&self, path: &Path, value: &[u8]) -> std::io::Result<()> {
        if !self.atomic {
            return Self::create(path, true)?.write_all(value);
        }
        let n = self.next_tmp.fetch_add(1, Ordering::Relaxed);
        let name = path
            .file_name()
            .map_or_else(|| "chunk".into(), |n| n.to_string_lossy().into_owned());
        let tmp = path.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()));
        let written = Self::create(&tmp, true)
            .and_then(|mut f| f.write_all(value))
            .and_then(|()| std::fs::rename(&tmp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }
}

impl ReadableStorageTraits for ChunkStore {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        let file = match File::open(self.key_path(key)) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let size = file.metadata()?.len();
        let out: Vec<Result<Bytes, StorageError>> = byte_ranges
            .map(|range: ByteRange| {
                if range.end(size) > size || range.start(size) > range.end(size) {
                    return Err(InvalidByteRangeError::new(range, size).into());
                }
                let len = usize::try_from(range.length(size))
                    .map_err(|_| StorageError::Other("byte range too long".into()))?;
                let mut buf = vec![0_u8; len];
                file.read_exact_at(&mut buf, range.start(size))?;
                Ok(Bytes::from(buf))
            })
            .collect();
        Ok(Some(Box::new(out.into_iter())))
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        match std::fs::metadata(self.key_path(key)) {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn supports_get_partial(&self) -> bool {
        true
    }
}

impl WritableStorageTraits for ChunkStore {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        Ok(self.write_file(&self.key_path(key), &value)?)
    }

    fn set_partial_many(
        &self,
        key: &StoreKey,
        offset_values: OffsetBytesIterator,
    ) -> Result<(), StorageError> {
        let file = Self::create(&self.key_path(key), false)?;
        for (offset, value) in offset_values {
            file.write_all_at(&value, offset)?;
        }
        Ok(())
    }

    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        match std::fs::remove_file(self.key_path(key)) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        match std::fs::remove_dir_all(self.root.join(prefix.as_str())) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    fn supports_set_partial(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_reads_erases() {
        let dir = tempfile::tempdir().expect("temp dir");
        for store in [
            ChunkStore::staged(dir.path()),
            ChunkStore::in_place(dir.path()),
        ] {
            let key = StoreKey::new("a/c/0/1").expect("key");
            assert!(store.get(&key).expect("get").is_none());
            store.set(&key, Bytes::from_static(b"hello")).expect("set");
            store
                .set(&key, Bytes::from_static(b"world!"))
                .expect("replace");
            assert_eq!(
                store.get(&key).expect("get").as_deref(),
                Some(&b"world!"[..])
            );
            assert_eq!(store.size_key(&key).expect("size"), Some(6));
            let part = store
                .get_partial(&key, ByteRange::FromStart(1, Some(3)))
                .expect("partial");
            assert_eq!(part.as_deref(), Some(&b"orl"[..]));
            store
                .set_partial(&key, 6, Bytes::from_static(b"!"))
                .expect("set partial");
            assert_eq!(
                store.get(&key).expect("get").as_deref(),
                Some(&b"world!!"[..])
            );
            let names: Vec<_> = std::fs::read_dir(dir.path().join("a/c/0"))
                .expect("dir")
                .map(|e| e.expect("entry").file_name())
                .collect();
            assert_eq!(names, ["1"], "no temporary files left");
            store.erase(&key).expect("erase");
            store.erase(&key).expect("erase missing");
            store
                .erase_prefix(&StorePrefix::new("a/").expect("prefix"))
                .expect("erase prefix");
            assert!(!dir.path().join("a").exists());
        }
    }
}
