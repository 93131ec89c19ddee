use std::fs::File;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::{Error, ReadStore, Result};

/// A local file served by positional reads (shared across threads without locking).
#[derive(Debug)]
pub struct FileStore {
    file: File,
    path: PathBuf,
    location: String,
    len: u64,
}

impl FileStore {
    /// Opens `path` for reading.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path.
    pub fn open(path: &Path) -> Result<Self> {
        let io = |op, source| Error::Io {
            op,
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(|e| io("open", e))?;
        let meta = file.metadata().map_err(|e| io("stat", e))?;
        if meta.is_dir() {
            return Err(io(
                "read",
                std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory"),
            ));
        }
        Ok(Self {
            file,
            path: path.to_owned(),
            location: path.display().to_string(),
            len: meta.len(),
        })
    }
}

impl ReadStore for FileStore {
    fn location(&self) -> &str {
        &self.location
    }

    fn len(&self) -> Result<u64> {
        Ok(self.len)
    }

    fn get_range(&self, range: Range<u64>) -> Result<Vec<u8>> {
        if range.end > self.len || range.start > range.end {
            return Err(Error::OutOfRange {
                location: self.location.clone(),
                start: range.start,
                end: range.end,
                len: self.len,
            });
        }
        let n = usize::try_from(range.end - range.start).map_err(|_| Error::OutOfRange {
            location: self.location.clone(),
            start: range.start,
            end: range.end,
            len: self.len,
        })?;
        let mut buf = vec![0; n];
        self.file
            .read_exact_at(&mut buf, range.start)
            .map_err(|source| Error::Io {
                op: "read",
                path: self.path.clone(),
                source,
            })?;
        Ok(buf)
    }
}
