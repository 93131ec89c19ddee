//! Opens any dataset rsdat reads from a path or URL, the role of `xarray.open_dataset` and
//! `xarray.open_mfdataset` with their engines.
//!
//! [`open`] picks the format (NetCDF classic, NetCDF-4/HDF5, GeoTIFF/COG, Zarr) and
//! returns an [`rsdat_model::Source`]; [`open_merged`] joins several files (Daymet's
//! per-variable `tmin`/`tmax`/`dayl` files) into one dataset merged by variable.
//!
//! ```no_run
//! let ds = rsdat_io::open_merged(&[
//!     "daymet_v4_daily_na_tmin_1980.nc",
//!     "daymet_v4_daily_na_tmax_1980.nc",
//! ])?;
//! assert!(ds.dataset().variable("tmax").is_ok());
//! # Ok::<(), rsdat_io::Error>(())
//! ```

mod error;
mod format;
mod merge;

pub use error::{Error, Result};
pub use format::{detect, open, open_group, Format};
pub use merge::{open_merged, MergedSource};
