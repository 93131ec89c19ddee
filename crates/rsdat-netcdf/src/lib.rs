//! NetCDF4/HDF5 (and classic NetCDF) reading for rsdat, the part of netCDF4-python and
//! `xarray.open_dataset`/`open_mfdataset` that rsdat needs, in pure Rust.
//!
//! [`NetcdfSource`] opens a local path or an `http(s)://` URL (byte-range reads) and exposes
//! it as an [`rsdat_model::Source`]: dimensions, coordinate variables, attributes, storage
//! chunking and compression, CF grid mapping as a CRS, and window reads that inflate only the
//! chunks a window overlaps. [`sample`] writes Daymet-v4-layout files for demos and tests.
//!
//! ```no_run
//! use rsdat_model::Source;
//!
//! let src = rsdat_netcdf::NetcdfSource::open("daymet_v4_daily_na_tmax_1980.nc")?;
//! let tmax = src.dataset().variable("tmax")?;
//! let day1 = src.read("tmax", &[0, 0, 0], &[1, tmax.shape[1], tmax.shape[2]])?;
//! assert_eq!(day1.shape(), &[1, tmax.shape[1], tmax.shape[2]]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod filters;
mod metadata;
mod reader;
pub mod sample;
mod storage;
mod stored;

pub use error::{Error, Result};
pub use reader::{set_chunk_cache_bytes, NetcdfSource};
