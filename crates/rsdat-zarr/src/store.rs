//! Writing a store: staged in temporary directories, published by rename, consolidated.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::chunk_store::ChunkStore;
use crate::consolidated::consolidate;
use crate::fsutil::{publish, stage, write_doc};
use crate::metadata::{array_docs, group_docs, ArraySpec};
use crate::writer::ArrayWriter;
use crate::{crs, Compression, Error, Result, ZarrFormat};
use rsdat_model::{Attributes, Crs, GeoTransform, Variable};
use rsdat_storage::AtomicDir;

/// How a store is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreOptions {
    /// Zarr format of a new store; `None` means [`ZarrFormat::default`] (v3) for a new store
    /// and "whatever it is" for an existing one.
    pub format: Option<ZarrFormat>,
    /// Compressor of every array.
    pub compression: Compression,
    /// Replace an existing store (by [`StoreWriter::create`]) or an existing group (by
    /// [`StoreWriter::group`] on an opened store) instead of refusing.
    pub overwrite: bool,
}

/// A Zarr store being written; nothing is visible at its path until [`StoreWriter::commit`].
///
/// A new store is built in a sibling directory (`NAME.partial-*`, rsdat-storage's
/// [`AtomicDir`]) and renamed into place; groups added to an existing store are each built
/// beside their final place and renamed in, then the root metadata is re-consolidated
/// (atomically replaced). Dropping the writer without committing removes the staged data.
///
/// ```
/// use rsdat_model::Attributes;
/// use rsdat_zarr::{StoreOptions, StoreWriter};
///
/// let dir = tempfile::tempdir().expect("temp dir");
/// let path = dir.path().join("si.zarr");
/// let mut store = StoreWriter::create(&path, StoreOptions::default())?;
/// store.group("1980", &Attributes::new())?;
/// store.commit()?;
/// // A second year goes into the same store:
/// let mut store = StoreWriter::open_existing(&path, StoreOptions::default())?;
/// store.group("1981", &Attributes::new())?;
/// store.commit()?;
/// assert!(path.join("1981/zarr.json").is_file());
/// # Ok::<(), rsdat_zarr::Error>(())
/// ```
#[derive(Debug)]
pub struct StoreWriter {
    path: PathBuf,
    format: ZarrFormat,
    options: StoreOptions,
    stage: Stage,
}

#[derive(Debug)]
enum Stage {
    /// A new store, staged whole.
    New {
        dir: AtomicDir,
        store: Arc<ChunkStore>,
    },
    /// An existing store; each new group staged on its own.
    Existing { groups: Vec<StagedGroup> },
}

#[derive(Debug)]
struct StagedGroup {
    dir: AtomicDir,
    target: PathBuf,
}

impl StoreWriter {
    /// Starts a new store at `path` (parent directories are created).
    ///
    /// # Errors
    /// [`Error::Exists`] when `path` exists and `options.overwrite` is not set (checked again
    /// at commit); [`Error::Io`] when the staging directory cannot be made.
    pub fn create(path: impl AsRef<Path>, options: StoreOptions) -> Result<Self> {
        let path = path.as_ref().to_owned();
        if path.symlink_metadata().is_ok() && !options.overwrite {
            return Err(Error::Exists { path });
        }
        let format = options.format.unwrap_or_default();
        let dir = stage(&path, options.overwrite)?;
        let store = Arc::new(ChunkStore::staged(dir.path()));
        for (name, doc) in group_docs(format, &Attributes::new()) {
            write_doc(dir.path(), name, &doc)?;
        }
        Ok(Self {
            path,
            format,
            options,
            stage: Stage::New { dir, store },
        })
    }

    /// Opens the existing store at `path` to add groups to it.
    ///
    /// # Errors
    /// [`Error::NotAStore`] when `path` holds no Zarr group; [`Error::FormatMismatch`] when
    /// `options.format` is set and differs from the store's.
    pub fn open_existing(path: impl AsRef<Path>, options: StoreOptions) -> Result<Self> {
        let path = path.as_ref().to_owned();
        let format = detect_format(&path).ok_or_else(|| Error::NotAStore { path: path.clone() })?;
        if let Some(requested) = options.format.filter(|&f| f != format) {
            return Err(Error::FormatMismatch {
                path,
                existing: format,
                requested,
            });
        }
        Ok(Self {
            path,
            format,
            options,
            stage: Stage::Existing { groups: Vec::new() },
        })
    }

    /// The store's final path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store's format.
    #[must_use]
    pub fn format(&self) -> ZarrFormat {
        self.format
    }

    /// Creates group `name` (`""` for the root; `a/b` for nested groups, parents created as
    /// needed) with `attrs`, and returns a handle to add arrays to it.
    ///
    /// # Errors
    /// [`Error::InvalidName`] for an unusable name; for an opened existing store,
    /// [`Error::Exists`] when the group exists and overwrite is not set (the root of an existing
    /// store can only be replaced through [`StoreWriter::create`] with overwrite);
    /// [`Error::Io`] when directories or metadata cannot be written.
    pub fn group(&mut self, name: &str, attrs: &Attributes) -> Result<GroupWriter> {
        let segments = node_segments(name, &self.path)?;
        let docs = group_docs(self.format, attrs);
        match &mut self.stage {
            Stage::New { dir, store } => {
                let mut path = dir.path().to_owned();
                for (i, seg) in segments.iter().enumerate() {
                    path.push(seg);
                    if i + 1 < segments.len() && !is_group_dir(&path, self.format) {
                        for (n, d) in group_docs(self.format, &Attributes::new()) {
                            write_doc(&path, n, &d)?;
                        }
                    }
                }
                for (n, d) in &docs {
                    write_doc(&path, n, d)?;
                }
                Ok(GroupWriter {
                    store: Arc::clone(store),
                    dir: path,
                    node: segments.join("/"),
                    location: self.path.clone(),
                    format: self.format,
                    compression: self.options.compression,
                })
            }
            Stage::Existing { groups } => {
                if segments.is_empty() {
                    return Err(Error::Exists {
                        path: self.path.clone(),
                    });
                }
                let target = segments.iter().fold(self.path.clone(), |p, s| p.join(s));
                if target.symlink_metadata().is_ok() && !self.options.overwrite {
                    return Err(Error::Exists { path: target });
                }
                if groups.iter().any(|g| g.target == target) {
                    return Err(Error::InvalidName {
                        path: self.path.clone(),
                        name: name.to_owned(),
                        reason: "the group is already being written",
                    });
                }
                // Parents of a new nested group are plain metadata; write them in place.
                let mut parent = self.path.clone();
                for seg in &segments[..segments.len() - 1] {
                    parent.push(seg);
                    if !is_group_dir(&parent, self.format) {
                        for (n, d) in group_docs(self.format, &Attributes::new()) {
                            write_doc(&parent, n, &d)?;
                        }
                    }
                }
                let dir = stage(&target, self.options.overwrite)?;
                for (n, d) in &docs {
                    write_doc(dir.path(), n, d)?;
                }
                let handle = GroupWriter {
                    store: Arc::new(ChunkStore::staged(dir.path())),
                    dir: dir.path().to_owned(),
                    node: String::new(),
                    location: self.path.clone(),
                    format: self.format,
                    compression: self.options.compression,
                };
                groups.push(StagedGroup { dir, target });
                Ok(handle)
            }
        }
    }

    /// Consolidates the metadata and publishes the store (or the new groups) by rename.
    ///
    /// Array writers of this store must be done: chunks written after commit are lost.
    ///
    /// # Errors
    /// [`Error::Exists`] when the output appeared meanwhile and overwrite is not set;
    /// [`Error::Io`] / [`Error::Metadata`] naming the file that failed.
    pub fn commit(self) -> Result<PathBuf> {
        match self.stage {
            Stage::New { dir, store } => {
                drop(store);
                consolidate(dir.path(), self.format)?;
                publish(dir)?;
            }
            Stage::Existing { groups } => {
                for g in groups {
                    publish(g.dir)?;
                }
                consolidate(&self.path, self.format)?;
            }
        }
        Ok(self.path)
    }
}

/// The format of the store rooted at `path`, from its root metadata.
pub(crate) fn detect_format(path: &Path) -> Option<ZarrFormat> {
    if path.join("zarr.json").is_file() {
        Some(ZarrFormat::V3)
    } else if path.join(".zgroup").is_file() || path.join(".zarray").is_file() {
        Some(ZarrFormat::V2)
    } else {
        None
    }
}

fn is_group_dir(path: &Path, format: ZarrFormat) -> bool {
    match format {
        ZarrFormat::V2 => path.join(".zgroup").is_file(),
        ZarrFormat::V3 => path.join("zarr.json").is_file(),
    }
}

/// The `/`-separated segments of a node name, checked.
pub(crate) fn node_segments(name: &str, store: &Path) -> Result<Vec<String>> {
    let bad = |reason| Error::InvalidName {
        path: store.to_owned(),
        name: name.to_owned(),
        reason,
    };
    let trimmed = name.trim_matches('/');
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    trimmed
        .split('/')
        .map(|s| {
            if s.is_empty() {
                Err(bad("empty path segment"))
            } else if s == "." || s == ".." || s.starts_with('.') {
                Err(bad("segments must not start with `.`"))
            } else if s.starts_with("__") {
                Err(bad("segments starting with `__` are reserved by Zarr"))
            } else if s.contains(['\\', '\0']) {
                Err(bad("backslash and NUL are not allowed"))
            } else if s == "zarr.json" {
                Err(bad("`zarr.json` is a metadata name"))
            } else {
                Ok(s.to_owned())
            }
        })
        .collect()
}

/// A group of a store being written: creates its arrays.
#[derive(Debug, Clone)]
pub struct GroupWriter {
    store: Arc<ChunkStore>,
    /// Directory of the group in the staging area.
    dir: PathBuf,
    /// Node path of the group inside `store` (`""` for its root).
    node: String,
    /// Final store path, for messages.
    location: PathBuf,
    format: ZarrFormat,
    compression: Compression,
}

impl GroupWriter {
    /// The store's format.
    #[must_use]
    pub fn format(&self) -> ZarrFormat {
        self.format
    }

    /// Creates the array for `var` (name, dims, shape, dtype, attributes) with chunk shape
    /// `chunks` and writes its metadata.
    ///
    /// `_FillValue` is stored where xarray looks for it (the `fill_value` of a v2 array, a
    /// base64/integer attribute of a v3 array); floating-point arrays without one get NaN.
    /// Text variables become variable-length UTF-8 strings.
    ///
    /// # Errors
    /// [`Error::InvalidName`] for an unusable name, [`Error::ChunkSpec`] when `chunks` or
    /// `var.dims` do not match `var.shape`, [`Error::FillValue`], [`Error::Io`].
    pub fn create_array(&self, var: &Variable, chunks: &[usize]) -> Result<ArrayWriter> {
        self.create_array_compressed(var, chunks, self.compression)
    }

    /// As [`GroupWriter::create_array`], with this array's own compressor.
    pub(crate) fn create_array_compressed(
        &self,
        var: &Variable,
        chunks: &[usize],
        compression: Compression,
    ) -> Result<ArrayWriter> {
        let segments = node_segments(&var.name, &self.location)?;
        if segments.len() != 1 {
            return Err(Error::InvalidName {
                path: self.location.clone(),
                name: var.name.clone(),
                reason: "an array name is one path segment; create nested groups first",
            });
        }
        if chunks.len() != var.shape.len() || var.dims.len() != var.shape.len() {
            return Err(Error::ChunkSpec {
                spec: format!("{chunks:?}"),
                reason: format!(
                    "variable `{}` has shape {:?} and dims {:?}: give one chunk size per dimension",
                    var.name, var.shape, var.dims
                ),
            });
        }
        let spec = ArraySpec {
            name: &var.name,
            dims: &var.dims,
            shape: &var.shape,
            chunks,
            dtype: var.dtype,
            attrs: &var.attrs,
            compression,
        };
        let dir = self.dir.join(&var.name);
        let docs = array_docs(self.format, &spec, &dir)?;
        for (n, d) in &docs.files {
            write_doc(&dir, n, d)?;
        }
        let node = if self.node.is_empty() {
            format!("/{}", var.name)
        } else {
            format!("/{}/{}", self.node, var.name)
        };
        ArrayWriter::new(
            Arc::clone(&self.store),
            &node,
            docs,
            var,
            chunks,
            self.location.clone(),
        )
    }

    /// Writes the CRS as a CF grid-mapping variable, the way xarray/rioxarray store it: a
    /// scalar `int32` array named after `crs.grid_mapping` (default `spatial_ref`) whose
    /// attributes are the CF grid-mapping attributes plus `crs_wkt` and `spatial_ref` (WKT)
    /// and, when known, GDAL's `GeoTransform`. Returns the variable's name: put it in the
    /// `grid_mapping` attribute of data variables (and in their `coordinates` attribute to
    /// make xarray show it as a coordinate).
    ///
    /// # Errors
    /// As [`GroupWriter::create_array`].
    pub fn write_grid_mapping(
        &self,
        crs: &Crs,
        transform: Option<&GeoTransform>,
    ) -> Result<String> {
        let var = crs::grid_mapping_variable(crs, transform, None);
        let writer = self.create_array(&var, &[])?;
        writer.write_all(&crs::grid_mapping_value(var.dtype))?;
        Ok(var.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_names() {
        let p = Path::new("s.zarr");
        assert_eq!(node_segments("/a/b/", p).expect("ok"), ["a", "b"]);
        assert!(node_segments("", p).expect("root").is_empty());
        assert!(node_segments("a//b", p).is_err());
        assert!(node_segments("../x", p).is_err());
        assert!(node_segments("__x", p).is_err());
    }
}
