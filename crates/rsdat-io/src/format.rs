use std::path::Path;
use std::sync::Arc;

use rsdat_model::Source;
use rsdat_storage::Location;

use crate::{Error, Result};

/// A format rsdat reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// NetCDF classic (CDF-1/2/5) or NetCDF-4/HDF5.
    Netcdf,
    /// GeoTIFF or Cloud Optimized GeoTIFF (classic or BigTIFF).
    Geotiff,
    /// A Zarr v2 or v3 store (a local directory).
    Zarr,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Self::Netcdf => "NetCDF",
            Self::Geotiff => "GeoTIFF",
            Self::Zarr => "Zarr",
        }
    }
}

/// True for a local directory that holds Zarr metadata at its root.
fn is_zarr_dir(path: &Path) -> bool {
    path.is_dir()
        && ["zarr.json", ".zgroup", ".zarray", ".zmetadata"]
            .iter()
            .any(|f| path.join(f).is_file())
}

/// Detects the format of `url`: a Zarr store by its metadata files, files by their first
/// bytes.
///
/// # Errors
/// [`Error::Storage`] when it cannot be read, [`Error::UnknownFormat`] otherwise.
pub fn detect(url: &str) -> Result<Format> {
    if let Location::Path(p) = Location::parse(url)? {
        if is_zarr_dir(&p) {
            return Ok(Format::Zarr);
        }
    }
    let store = rsdat_storage::open_read(url)?;
    let n = store.len()?.min(8);
    let head = store.get_range(0..n)?;
    if head.starts_with(b"CDF") || head.starts_with(b"\x89HDF\r\n\x1a\n") {
        return Ok(Format::Netcdf);
    }
    if [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"]
        .iter()
        .any(|m| head.starts_with(*m))
    {
        return Ok(Format::Geotiff);
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
    open_group(url, None)
}

/// Opens `group` of `url` (Zarr stores have groups, e.g. one per year; NetCDF-4 files can
/// have nested groups, `a/b`); `None` is the root.
///
/// # Errors
/// As [`open`], and [`Error::NoGroups`] when a group is asked of a format without groups.
pub fn open_group(url: &str, group: Option<&str>) -> Result<Arc<dyn Source>> {
    let format = detect(url)?;
    if group.is_some() && format == Format::Geotiff {
        return Err(Error::NoGroups {
            location: url.to_owned(),
            format: format.name(),
        });
    }
    Ok(match format {
        Format::Netcdf => Arc::new(rsdat_netcdf::NetcdfSource::open_group(url, group)?),
        Format::Geotiff => Arc::new(rsdat_geotiff::GeoTiff::open(url)?),
        Format::Zarr => {
            let Location::Path(p) = Location::parse(url)? else {
                unreachable!("detect finds Zarr only in local directories")
            };
            Arc::new(rsdat_zarr::ZarrSource::open(p, group)?)
        }
    })
}
