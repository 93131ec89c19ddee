//! Opens any dataset rsdat reads from a path or URL, the role of `xarray.open_dataset` and
//! `xarray.open_mfdataset` with their engines.
//!
//! [`open`] picks the format (NetCDF classic, NetCDF-4/HDF5, GeoTIFF/COG, Zarr) and
//! returns an [`rsdat_model::Source`]; [`open_merged`] joins several files (Daymet's
//! per-variable `tmin`/`tmax`/`dayl` files) into one dataset merged by variable.
//!
//! ```
//! use rsdat_model::Source;
//! use rsdat_netcdf::sample::{write_daymet, Region, SampleSpec};
//!
//! let dir = tempfile::tempdir().expect("temporary directory");
//! let spec = SampleSpec { region: Region::Na, years: (1980, 1980), ny: 4, nx: 5, chunk: 1000 };
//! let files: Vec<String> = write_daymet(&spec, dir.path(), false, &|_| {})?
//!     .iter()
//!     .map(|f| f.display().to_string())
//!     .collect();
//! let ds = rsdat_io::open_merged(&files)?;
//! assert_eq!(ds.dataset().dim_len("x"), Some(5));
//! assert!(ds.dataset().variable("dayl").is_ok() && ds.dataset().variable("tmin").is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod format;
mod merge;

pub use error::{Error, Result};
pub use format::{detect, open, open_group, Format};
pub use merge::{open_merged, open_merged_group, MergedSource};
