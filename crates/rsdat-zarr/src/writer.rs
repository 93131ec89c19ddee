//! Writing one array, chunk by chunk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::{ArrayD, ArrayViewD, IxDyn};
use rsdat_model::{chunk_grid, window_slice, DType, Values, Variable};
use zarrs::array::CodecOptions;
use zarrs::array::{Array, ArrayMetadata, Element};

use crate::chunk_store::ChunkStore;
use crate::error::io_err;
use crate::fsutil::read_doc;
use crate::json::Json;
use crate::metadata::{parse_array, ArrayDocs};
use crate::store::{detect_format, node_segments};
use crate::{Error, Result, ZarrFormat};

/// Writes the chunks of one array.
///
/// Each call encodes and stores whole chunks, so many threads (or processes, or SLURM tasks)
/// can write different chunks of the same array at once. **Two writers must never write the
/// same chunk**: there is no locking, and the last one to finish wins. A chunk whose values
/// are all the fill value is not stored at all (readers see the fill value).
#[derive(Debug, Clone)]
pub struct ArrayWriter {
    array: Arc<Array<ChunkStore>>,
    /// Array path inside the store, for messages.
    name: String,
    /// Final store path, for messages.
    location: PathBuf,
    dtype: DType,
    shape: Vec<usize>,
    chunks: Vec<usize>,
    /// Value that pads edge chunks.
    pad: f64,
}

impl ArrayWriter {
    pub(crate) fn new(
        store: Arc<ChunkStore>,
        node: &str,
        docs: ArrayDocs,
        var: &Variable,
        chunks: &[usize],
        location: PathBuf,
    ) -> Result<Self> {
        Self::from_parts(
            store,
            node,
            docs.zarrs,
            var.dtype,
            &var.shape,
            chunks,
            docs.fill.pad,
            location,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn from_parts(
        store: Arc<ChunkStore>,
        node: &str,
        metadata: ArrayMetadata,
        dtype: DType,
        shape: &[usize],
        chunks: &[usize],
        pad: f64,
        location: PathBuf,
    ) -> Result<Self> {
        let name = node.trim_start_matches('/').to_owned();
        let array = Array::new_with_metadata(store, node, metadata).map_err(|e| Error::Zarr {
            path: location.clone(),
            array: name.clone(),
            source: Box::new(e),
        })?;
        Ok(Self {
            array: Arc::new(array),
            name,
            location,
            dtype,
            shape: shape.to_vec(),
            chunks: chunks.iter().map(|&c| c.max(1)).collect(),
            pad,
        })
    }

    /// Opens array `array` (`1980/tmax`) of the committed store at `store` to write chunks
    /// into it in place, e.g. from worker processes that each own a set of chunks.
    ///
    /// Unlike a [`crate::StoreWriter`], this writes straight into the store. Each chunk is
    /// written to a temporary file and renamed over the old one, so readers and a task killed
    /// mid-write see the old chunk or the new one. Chunks are not synced one by one (an fsync
    /// per chunk made writes many times slower): after a machine crash recent chunks may be
    /// missing; running the tasks again repairs them (chunk writes are idempotent). Call
    /// [`ArrayWriter::sync`] when written chunks must be durable before going on.
    ///
    /// # Errors
    /// [`Error::NotAStore`], [`Error::Metadata`] when `array` is not an array of a type rsdat
    /// writes (sharded arrays included: write whole shards through a [`crate::StoreWriter`]),
    /// [`Error::Io`].
    pub fn open(store: impl AsRef<Path>, array: &str) -> Result<Self> {
        let root = store.as_ref();
        let format = detect_format(root).ok_or_else(|| Error::NotAStore {
            path: root.to_owned(),
        })?;
        let node = node_segments(array, root)?.join("/");
        let dir = root.join(&node);
        let (doc_path, attrs_path) = match format {
            ZarrFormat::V3 => (dir.join("zarr.json"), None),
            ZarrFormat::V2 => (dir.join(".zarray"), Some(dir.join(".zattrs"))),
        };
        let not_array = || Error::Metadata {
            path: doc_path.clone(),
            reason: format!("`{node}` is not an array of this store"),
        };
        let doc = read_doc(&doc_path)?.ok_or_else(not_array)?;
        if format == ZarrFormat::V3 && doc.get("node_type").and_then(Json::as_str) != Some("array")
        {
            return Err(not_array());
        }
        let attrs = match attrs_path {
            Some(p) => read_doc(&p)?,
            None => None,
        };
        let info = parse_array(format, &doc, attrs.as_ref(), &doc_path)?;
        let dtype = info.dtype.map_err(|name| Error::Metadata {
            path: doc_path.clone(),
            reason: format!("rsdat does not write arrays of type `{name}`"),
        })?;
        if info
            .compression
            .as_deref()
            .is_some_and(|c| c.starts_with("sharding"))
        {
            return Err(Error::Metadata {
                path: doc_path.clone(),
                reason: "sharded arrays cannot be written chunk by chunk in place".into(),
            });
        }
        let pad = info
            .attrs
            .get_f64("_FillValue")
            .unwrap_or(if dtype.is_float() { f64::NAN } else { 0.0 });
        Self::from_parts(
            Arc::new(ChunkStore::in_place(root)),
            &format!("/{node}"),
            info.zarrs,
            dtype,
            &info.shape,
            &info.chunks,
            pad,
            root.to_owned(),
        )
    }

    /// Makes the chunks written so far durable: one `syncfs` of the file system holding the
    /// store (on Linux; elsewhere a sync of the store's directory tree is not attempted and
    /// this does nothing). Chunks of a store being built by a [`crate::StoreWriter`] are
    /// synced at commit and need no call.
    ///
    /// # Errors
    /// [`Error::Io`] naming the store when the sync fails.
    pub fn sync(&self) -> Result<()> {
        #[cfg(target_os = "linux")]
        {
            let store = self.array.storage();
            let root = store.root();
            let dir = std::fs::File::open(root).map_err(io_err("open", root))?;
            rustix::fs::syncfs(&dir).map_err(|e| io_err("sync", root)(e.into()))?;
        }
        Ok(())
    }

    /// The array's path inside the store (`1980/tmax`).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The array's shape.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The chunk shape.
    #[must_use]
    pub fn chunks(&self) -> &[usize] {
        &self.chunks
    }

    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Number of chunks along each dimension.
    #[must_use]
    pub fn chunk_grid_shape(&self) -> Vec<u64> {
        self.shape
            .iter()
            .zip(&self.chunks)
            .map(|(&n, &c)| n.div_ceil(c) as u64)
            .collect()
    }

    /// Every chunk index, row-major.
    #[must_use]
    pub fn chunk_indices(&self) -> Vec<Vec<u64>> {
        let grid = self.chunk_grid_shape();
        let total: u64 = grid.iter().product();
        (0..total)
            .map(|mut flat| {
                let mut idx = vec![0; grid.len()];
                for d in (0..grid.len()).rev() {
                    idx[d] = flat % grid[d];
                    flat /= grid[d];
                }
                idx
            })
            .collect()
    }

    /// The window `(start, count)` chunk `chunk` covers in the array (edge chunks cut).
    ///
    /// # Errors
    /// [`Error::ChunkIndex`] when `chunk` is outside the chunk grid.
    pub fn chunk_window(&self, chunk: &[u64]) -> Result<(Vec<usize>, Vec<usize>)> {
        let grid = self.chunk_grid_shape();
        if chunk.len() != grid.len() || chunk.iter().zip(&grid).any(|(&i, &n)| i >= n) {
            return Err(Error::ChunkIndex {
                path: self.location.clone(),
                array: self.name.clone(),
                chunk: chunk.to_vec(),
                grid,
            });
        }
        let start: Vec<usize> = chunk
            .iter()
            .zip(&self.chunks)
            .map(|(&i, &c)| usize::try_from(i).expect("index below a usize grid size") * c)
            .collect();
        let count = start
            .iter()
            .zip(&self.chunks)
            .zip(&self.shape)
            .map(|((&s, &c), &n)| c.min(n - s))
            .collect();
        Ok((start, count))
    }

    /// Encodes and stores chunk `chunk` from `values`, whose shape is the chunk's window
    /// ([`ArrayWriter::chunk_window`]: edge chunks are smaller) and whose type is the array's.
    ///
    /// Only this chunk's file is written; see the type docs for concurrent use.
    ///
    /// # Errors
    /// [`Error::ChunkIndex`], [`Error::ChunkShape`], [`Error::ChunkDType`], or
    /// [`Error::Zarr`] when encoding or storing fails.
    pub fn write_chunk(&self, chunk: &[u64], values: &Values) -> Result<()> {
        let (_, count) = self.chunk_window(chunk)?;
        self.check_block(chunk, values.dtype(), values.shape(), &count)?;
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        match values {
            Values::I8(a) => self.store(chunk, a.view(), self.pad as i8),
            Values::U8(a) => self.store(chunk, a.view(), self.pad as u8),
            Values::I16(a) => self.store(chunk, a.view(), self.pad as i16),
            Values::U16(a) => self.store(chunk, a.view(), self.pad as u16),
            Values::I32(a) => self.store(chunk, a.view(), self.pad as i32),
            Values::U32(a) => self.store(chunk, a.view(), self.pad as u32),
            Values::I64(a) => self.store(chunk, a.view(), self.pad as i64),
            Values::U64(a) => self.store(chunk, a.view(), self.pad as u64),
            Values::F32(a) => self.store(chunk, a.view(), self.pad as f32),
            Values::F64(a) => self.store(chunk, a.view(), self.pad),
            _ => Err(self.unsupported(values.dtype())),
        }
    }

    /// Stores chunk `chunk` from bytes already encoded with this array's codecs, e.g. a
    /// source's stored chunk copied as it is ([`crate::Compression::Keep`]). The bytes are
    /// not checked: they must decode to a whole chunk (edge chunks included) of this
    /// array's type.
    ///
    /// # Errors
    /// [`Error::ChunkIndex`], or [`Error::Zarr`] when storing fails.
    pub fn write_encoded_chunk(&self, chunk: &[u64], bytes: Vec<u8>) -> Result<()> {
        self.chunk_window(chunk)?;
        let key = self.array.chunk_key(chunk);
        zarrs::storage::WritableStorageTraits::set(
            self.array.storage().as_ref(),
            &key,
            bytes.into(),
        )
        .map_err(|e| Error::Zarr {
            path: self.location.clone(),
            array: self.name.clone(),
            source: Box::new(e),
        })
    }

    /// Encodes and stores chunk `chunk` of a text array from `values`.
    ///
    /// # Errors
    /// As [`ArrayWriter::write_chunk`].
    pub fn write_chunk_text(&self, chunk: &[u64], values: &ArrayD<String>) -> Result<()> {
        let (_, count) = self.chunk_window(chunk)?;
        self.check_block(chunk, DType::Text, values.shape(), &count)?;
        self.store(chunk, values.view(), String::new())
    }

    /// Writes the whole array from `values` (for coordinates and other small arrays: the
    /// array is held in memory), chunk by chunk.
    ///
    /// # Errors
    /// [`Error::ChunkShape`] when `values` does not have the array's shape; otherwise as
    /// [`ArrayWriter::write_chunk`].
    pub fn write_all(&self, values: &Values) -> Result<()> {
        self.check_block(&[], values.dtype(), values.shape(), &self.shape)?;
        for (chunk, (start, count)) in self
            .chunk_indices()
            .iter()
            .zip(chunk_grid(&self.shape, &self.chunks))
        {
            self.write_chunk(chunk, &values.window(&start, &count))?;
        }
        Ok(())
    }

    /// Writes the whole text array from `values`.
    ///
    /// # Errors
    /// As [`ArrayWriter::write_all`].
    pub fn write_all_text(&self, values: &ArrayD<String>) -> Result<()> {
        self.check_block(&[], DType::Text, values.shape(), &self.shape)?;
        for (chunk, (start, count)) in self
            .chunk_indices()
            .iter()
            .zip(chunk_grid(&self.shape, &self.chunks))
        {
            let block = values
                .slice(window_slice(&start, &count).as_slice())
                .to_owned();
            self.write_chunk_text(chunk, &block)?;
        }
        Ok(())
    }

    fn check_block(
        &self,
        chunk: &[u64],
        dtype: DType,
        shape: &[usize],
        expected: &[usize],
    ) -> Result<()> {
        if dtype != self.dtype {
            return Err(Error::ChunkDType {
                path: self.location.clone(),
                array: self.name.clone(),
                expected: self.dtype,
                found: dtype,
            });
        }
        if shape != expected {
            return Err(Error::ChunkShape {
                path: self.location.clone(),
                array: self.name.clone(),
                chunk: chunk.into(),
                expected: expected.into(),
                found: shape.into(),
            });
        }
        Ok(())
    }

    fn unsupported(&self, dtype: DType) -> Error {
        Error::ChunkDType {
            path: self.location.clone(),
            array: self.name.clone(),
            expected: self.dtype,
            found: dtype,
        }
    }

    /// Stores one chunk, padding an edge chunk to the full chunk shape with `pad`.
    fn store<T: Element + Clone>(
        &self,
        chunk: &[u64],
        block: ArrayViewD<'_, T>,
        pad: T,
    ) -> Result<()> {
        let options = CodecOptions::default().with_concurrent_target(1);
        let result = if block.shape() == self.chunks.as_slice() {
            if block.is_standard_layout() {
                self.array.store_chunk_opt(chunk, &block, &options)
            } else {
                self.array
                    .store_chunk_opt(chunk, block.as_standard_layout().into_owned(), &options)
            }
        } else {
            let mut full = ArrayD::from_elem(IxDyn(&self.chunks), pad);
            let count: Vec<usize> = block.shape().to_vec();
            full.slice_mut(window_slice(&vec![0; count.len()], &count).as_slice())
                .assign(&block);
            self.array.store_chunk_opt(chunk, full, &options)
        };
        result.map_err(|e| Error::Zarr {
            path: self.location.clone(),
            array: self.name.clone(),
            source: Box::new(e),
        })
    }
}
