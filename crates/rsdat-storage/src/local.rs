//! Local paths (and `file://` URLs) behind the capability traits of [`crate::object`].

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::{
    AtomicFile, Error, FileStore, IfExists, ListStore, Location, ObjectMeta, ObjectStream,
    ReadStore, Result, StatStore, StreamStore, WriteStore,
};

/// The local file system, addressed by paths or `file://` URLs.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalFs;

fn path_of(url: &str) -> Result<PathBuf> {
    match Location::parse(url)? {
        Location::Path(p) => Ok(p),
        _ => Err(Error::InvalidUrl {
            url: url.to_owned(),
            reason: "not a local path",
        }),
    }
}

fn meta(url: String, path: &Path, m: &std::fs::Metadata) -> ObjectMeta {
    ObjectMeta {
        url,
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        len: (!m.is_dir()).then_some(m.len()),
        is_dir: m.is_dir(),
    }
}

impl StatStore for LocalFs {
    fn stat(&self, url: &str) -> Result<Option<ObjectMeta>> {
        let path = path_of(url)?;
        match std::fs::metadata(&path) {
            Ok(m) => Ok(Some(meta(url.to_owned(), &path, &m))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("stat", path, e)),
        }
    }
}

impl ListStore for LocalFs {
    fn list(&self, url: &str) -> Result<Vec<ObjectMeta>> {
        let path = path_of(url)?;
        let base = url.trim_end_matches('/');
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&path).map_err(|e| Error::io("list", &path, e))? {
            let entry = entry.map_err(|e| Error::io("list", &path, e))?;
            let p = entry.path();
            let m = std::fs::metadata(&p).map_err(|e| Error::io("stat", &p, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            out.push(meta(format!("{base}/{name}"), &p, &m));
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}

impl StreamStore for LocalFs {
    fn get_stream(&self, url: &str) -> Result<ObjectStream> {
        let path = path_of(url)?;
        let file = std::fs::File::open(&path).map_err(|e| Error::io("open", &path, e))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io("stat", &path, e))?
            .len();
        Ok(ObjectStream {
            reader: Box::new(NamedReader { inner: file, path }),
            len: Some(len),
            adler32: None,
        })
    }

    fn open_range(&self, url: &str) -> Result<Arc<dyn ReadStore>> {
        Ok(Arc::new(FileStore::open(&path_of(url)?)?))
    }
}

impl WriteStore for LocalFs {
    fn create_dir_all(&self, url: &str) -> Result<()> {
        let path = path_of(url)?;
        std::fs::create_dir_all(&path).map_err(|e| Error::io("create directory", path, e))
    }

    fn put_stream(&self, url: &str, body: &mut dyn Read, len: u64) -> Result<()> {
        let path = path_of(url)?;
        let mut file = AtomicFile::create(&path, IfExists::Replace)?;
        let copied = {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, &mut file);
            let n = std::io::copy(&mut body.take(len), &mut w)
                .map_err(|e| Error::io("write", &path, e))?;
            w.flush().map_err(|e| Error::io("write", &path, e))?;
            n
        };
        if copied != len {
            return Err(Error::io(
                "write",
                &path,
                std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("the source ended after {copied} of {len} bytes"),
                ),
            ));
        }
        file.commit()
    }

    fn delete(&self, url: &str) -> Result<()> {
        let path = path_of(url)?;
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("delete", path, e)),
            _ => Ok(()),
        }
    }

    fn rename(&self, from: &str, to: &str) -> Result<()> {
        let (from_p, to_p) = (path_of(from)?, path_of(to)?);
        std::fs::rename(&from_p, &to_p).map_err(|e| Error::io("move", from_p, e))
    }
}

/// A file reader whose errors name the file.
struct NamedReader {
    inner: std::fs::File,
    path: PathBuf,
}

impl Read for NamedReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner
            .read(buf)
            .map_err(|e| std::io::Error::new(e.kind(), Error::io("read", &self.path, e)))
    }
}
