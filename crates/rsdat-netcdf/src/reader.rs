use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use hdf5_reader::Hdf5File;
use ndarray::ArrayD;
use netcdf_reader::{NcFile, NcFormat, NcOpenOptions, NcReadable, NcSliceInfo, NcSliceInfoElem};
use rsdat_model::{check_window, DType, Dataset, Source, Values};
use rsdat_storage::{FileStore, Location};

use crate::metadata;
use crate::storage::StoreAdapter;
use crate::stored::{stored_chunks, StoredChunks};
use crate::{Error, Result};

/// A NetCDF file (classic or NetCDF-4/HDF5) opened lazily: metadata now, data on demand.
pub struct NetcdfSource {
    file: NcFile,
    /// The same file through the HDF5 layer (NetCDF-4 only), for copying stored chunks.
    h5: Option<Hdf5File>,
    /// Stored-chunk indexes, built on first use per variable (`None`: not copyable).
    stored: Mutex<HashMap<String, Option<Arc<StoredChunks>>>>,
    dataset: Dataset,
    location: String,
    /// Path prefix of the group read (`""` for the root, `"a/b/"` for group `a/b`).
    prefix: String,
}

impl std::fmt::Debug for NetcdfSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetcdfSource")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl NetcdfSource {
    /// Opens a local path, `file://` or `http(s)://` URL.
    ///
    /// # Errors
    /// [`Error::Storage`] when the bytes cannot be reached, [`Error::Open`] when they are not
    /// NetCDF or are damaged.
    pub fn open(url: &str) -> Result<Self> {
        Self::open_group(url, None)
    }

    /// Opens group `group` (a path such as `forecast` or `a/b`; `None` or `/`: the root) of
    /// a NetCDF-4 file: its variables, attributes and the dimensions they use, including
    /// those defined in parent groups.
    ///
    /// # Errors
    /// As [`NetcdfSource::open`], and [`Error::NoGroup`] (listing the file's groups) when
    /// the file has no such group.
    pub fn open_group(url: &str, group: Option<&str>) -> Result<Self> {
        let bad = |reason: String| Error::Open {
            location: url.to_owned(),
            reason,
        };
        let (file, h5) = match Location::parse(url)? {
            Location::Path(path) => {
                FileStore::open(&path)?; // a clear error for missing or unreadable files
                let file =
                    NcFile::open_with_options(&path, options()).map_err(|e| bad(e.to_string()))?;
                let h5 = if is_nc4(&file) {
                    Some(Hdf5File::open(&path).map_err(|e| bad(e.to_string()))?)
                } else {
                    None
                };
                (file, h5)
            }
            #[allow(unreachable_patterns)]
            _ => {
                let store = rsdat_storage::open_read(url)?;
                let adapter: netcdf_reader::DynStorage = Arc::new(StoreAdapter::new(store)?);
                let file = NcFile::from_storage_with_options(adapter.clone(), options())
                    .map_err(|e| bad(e.to_string()))?;
                let h5 = if is_nc4(&file) {
                    Some(Hdf5File::from_storage(adapter).map_err(|e| bad(e.to_string()))?)
                } else {
                    None
                };
                (file, h5)
            }
        };
        let group = group.unwrap_or_default().trim_matches('/');
        let prefix = if group.is_empty() {
            String::new()
        } else {
            let groups = metadata::group_paths(&file);
            if !groups.iter().any(|g| g == group) {
                return Err(Error::NoGroup {
                    location: url.to_owned(),
                    group: group.to_owned(),
                    found: groups.join(", "),
                });
            }
            format!("{group}/")
        };
        // A damaged file can open; walking its metadata is what finds the damage.
        let dataset =
            metadata::dataset(&file, h5.as_ref(), &prefix).map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            file,
            h5,
            stored: Mutex::new(HashMap::new()),
            dataset,
            location: url.to_owned(),
            prefix,
        })
    }

    /// Paths of the file's sub-groups (`a`, `a/b`, ...), for [`NetcdfSource::open_group`].
    #[must_use]
    pub fn groups(&self) -> Vec<String> {
        metadata::group_paths(&self.file)
    }

    /// Opens `url` without the named variables (as xarray's `drop_variables`).
    ///
    /// # Errors
    /// As [`NetcdfSource::open`].
    pub fn open_dropping(url: &str, drop: &[&str]) -> Result<Self> {
        let mut src = Self::open(url)?;
        src.dataset
            .variables
            .retain(|v| !drop.contains(&v.name.as_str()));
        Ok(src)
    }

    /// The stored-chunk index of `var`, built on first use.
    fn stored(&self, var: &str) -> Option<Arc<StoredChunks>> {
        let h5 = self.h5.as_ref()?;
        self.dataset.variable(var).ok()?;
        let mut map = self
            .stored
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(var.to_owned())
            .or_insert_with(|| stored_chunks(h5, &format!("{}{var}", self.prefix)).map(Arc::new))
            .clone()
    }

    fn read_typed<T: NcReadable>(
        &self,
        var: &str,
        start: &[usize],
        count: &[usize],
    ) -> netcdf_reader::Result<ArrayD<T>> {
        let var = &format!("{}{var}", self.prefix);
        let selection = NcSliceInfo {
            selections: start
                .iter()
                .zip(count)
                .map(|(&s, &c)| NcSliceInfoElem::Slice {
                    start: s as u64,
                    end: (s + c) as u64,
                    step: 1,
                })
                .collect(),
        };
        if start.is_empty() {
            return self.file.read_variable::<T>(var);
        }
        self.file.read_variable_slice::<T>(var, &selection)
    }
}

/// Decoded-chunk cache of one open file, bytes, unless [`set_chunk_cache_bytes`] says
/// otherwise. Reads stream through a file window by window, so the cache only has to hold
/// the few chunks that the windows in flight share (a Daymet day is 4 MB); the reader's
/// default, 64 MiB per file, made a three-file convert hold ~190 MB.
const CHUNK_CACHE_BYTES: usize = 16 << 20;

static CHUNK_CACHE: AtomicUsize = AtomicUsize::new(CHUNK_CACHE_BYTES);

/// Sets the decoded-chunk cache of files opened from now on (bytes per file; chunks larger
/// than it are not kept). A program whose reads each cover whole chunks, read once (a
/// conversion that keeps the input's chunks), sets 0 and holds no decoded chunk it will not
/// read again; windows that share chunks want a few chunks' worth (the default, 16 MiB).
pub fn set_chunk_cache_bytes(bytes: usize) {
    CHUNK_CACHE.store(bytes, Ordering::Relaxed);
}

/// Open options: rsdat's faster filters and a small chunk cache.
fn options() -> NcOpenOptions {
    NcOpenOptions {
        filter_registry: Some(crate::filters::registry()),
        chunk_cache_bytes: CHUNK_CACHE.load(Ordering::Relaxed),
        ..NcOpenOptions::default()
    }
}

fn is_nc4(file: &NcFile) -> bool {
    matches!(file.format(), NcFormat::Nc4 | NcFormat::Nc4Classic)
}

impl Source for NetcdfSource {
    fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    fn location(&self) -> &str {
        &self.location
    }

    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> rsdat_model::Result<Values> {
        check_window(&self.dataset, &self.location, var, start, count)?;
        let dtype = self.dataset.variable(var)?.dtype;
        let fail = |e: netcdf_reader::Error| rsdat_model::Error::Read {
            location: self.location.clone(),
            var: var.to_owned(),
            source: Box::new(e),
        };
        let v = match dtype {
            DType::I8 => Values::I8(self.read_typed(var, start, count).map_err(fail)?),
            DType::U8 => Values::U8(self.read_typed(var, start, count).map_err(fail)?),
            DType::I16 => Values::I16(self.read_typed(var, start, count).map_err(fail)?),
            DType::U16 => Values::U16(self.read_typed(var, start, count).map_err(fail)?),
            DType::I32 => Values::I32(self.read_typed(var, start, count).map_err(fail)?),
            DType::U32 => Values::U32(self.read_typed(var, start, count).map_err(fail)?),
            DType::I64 => Values::I64(self.read_typed(var, start, count).map_err(fail)?),
            DType::U64 => Values::U64(self.read_typed(var, start, count).map_err(fail)?),
            DType::F32 => Values::F32(self.read_typed(var, start, count).map_err(fail)?),
            DType::F64 => Values::F64(self.read_typed(var, start, count).map_err(fail)?),
            _ => {
                return Err(rsdat_model::Error::Invalid(format!(
                    "variable `{var}` in `{}` holds text, which is metadata only",
                    self.location
                )))
            }
        };
        Ok(v)
    }

    fn stored_encoding(&self, var: &str) -> Option<rsdat_model::StoredEncoding> {
        self.stored(var).map(|s| s.encoding.clone())
    }

    fn stored_chunk(&self, var: &str, start: &[usize]) -> rsdat_model::Result<Option<Vec<u8>>> {
        let (Some(chunks), Some(h5)) = (self.stored(var), self.h5.as_ref()) else {
            return Ok(None);
        };
        chunks
            .read(h5, start)
            .map_err(|e| rsdat_model::Error::Read {
                location: self.location.clone(),
                var: var.to_owned(),
                source: Box::new(e),
            })
    }
}
