use std::sync::Arc;

use rsdat_model::Source;

use crate::{Error, Result};

/// A format rsdat reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// NetCDF classic (CDF-1/2/5) or NetCDF-4/HDF5.
    Netcdf,
}

/// Detects the format of `url` from its first bytes.
///
/// # Errors
/// [`Error::Storage`] when it cannot be read, [`Error::UnknownFormat`] otherwise.
pub fn detect(url: &str) -> Result<Format> {
    let store = rsdat_storage::open_read(url)?;
    let n = store.len()?.min(8);
    let head = store.get_range(0..n)?;
    if head.starts_with(b"CDF") || head.starts_with(b"\x89HDF\r\n\x1a\n") {
        return Ok(Format::Netcdf);
    }
    Err(Error::UnknownFormat {
        location: url.to_owned(),
        magic: head.iter().map(|b| format!("{b:02x}")).collect(),
    })
}

/// Opens `url` with the reader for its format.
///
/// # Errors
/// As [`detect`], or the format reader's error naming the file.
pub fn open(url: &str) -> Result<Arc<dyn Source>> {
    match detect(url)? {
        Format::Netcdf => Ok(Arc::new(rsdat_netcdf::NetcdfSource::open(url)?)),
    }
}
