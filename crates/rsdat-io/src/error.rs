/// Errors of opening datasets; each names the file or URL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes could not be reached.
    #[error(transparent)]
    Storage(#[from] rsdat_storage::Error),
    /// A NetCDF file failed to open.
    #[error(transparent)]
    Netcdf(#[from] rsdat_netcdf::Error),
    /// A GeoTIFF failed to open.
    #[error(transparent)]
    Geotiff(#[from] rsdat_geotiff::Error),
    /// A Zarr store failed to open.
    #[error(transparent)]
    Zarr(#[from] rsdat_zarr::Error),
    /// A group was asked of a format that has none here.
    #[error("`{location}` is {format}, which has no groups here; drop --group")]
    NoGroups {
        /// Path or URL.
        location: String,
        /// The format's name.
        format: &'static str,
    },
    /// The dataset model refused something.
    #[error(transparent)]
    Model(#[from] rsdat_model::Error),
    /// The format is not one rsdat reads.
    #[error(
        "`{location}` is not NetCDF, HDF5, GeoTIFF or Zarr (first bytes: {magic}); check the path"
    )]
    UnknownFormat {
        /// Path or URL.
        location: String,
        /// The first bytes, hex.
        magic: String,
    },
    /// Files that cannot be merged.
    #[error("cannot merge `{location}` into the dataset: {reason}")]
    Merge {
        /// The file that did not fit.
        location: String,
        /// Why.
        reason: String,
    },
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
