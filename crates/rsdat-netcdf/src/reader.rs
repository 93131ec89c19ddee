use std::sync::Arc;

use hdf5_reader::Hdf5File;
use ndarray::ArrayD;
use netcdf_reader::{NcFile, NcFormat, NcOpenOptions, NcReadable, NcSliceInfo, NcSliceInfoElem};
use rsdat_model::{check_window, DType, Dataset, Source, Values};
use rsdat_storage::{FileStore, Location};

use crate::metadata;
use crate::storage::StoreAdapter;
use crate::{Error, Result};

/// A NetCDF file (classic or NetCDF-4/HDF5) opened lazily: metadata now, data on demand.
pub struct NetcdfSource {
    file: NcFile,
    dataset: Dataset,
    location: String,
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
        // A damaged file can open; walking its metadata is what finds the damage.
        let dataset = metadata::dataset(&file, h5.as_ref()).map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            file,
            dataset,
            location: url.to_owned(),
        })
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

    fn read_typed<T: NcReadable>(
        &self,
        var: &str,
        start: &[usize],
        count: &[usize],
    ) -> netcdf_reader::Result<ArrayD<T>> {
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

/// Decoded-chunk cache of one open file. Reads stream through a file window by window, so
/// the cache only has to hold the few chunks that the windows in flight share (a Daymet day
/// is 4 MB); the reader's default, 64 MiB per file, made a three-file convert hold ~190 MB.
const CHUNK_CACHE_BYTES: usize = 16 << 20;

/// Open options: rsdat's faster filters and a small chunk cache.
fn options() -> NcOpenOptions {
    NcOpenOptions {
        filter_registry: Some(crate::filters::registry()),
        chunk_cache_bytes: CHUNK_CACHE_BYTES,
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
}
