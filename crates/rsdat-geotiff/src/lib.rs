//! GeoTIFF and Cloud Optimized GeoTIFF (COG) reader: rsdat's rasterio/rioxarray.
//!
//! [`GeoTiff`] opens a file from any [`rsdat_storage::ReadStore`] (local file, HTTP range
//! reads), reads only the header and IFDs, and implements [`rsdat_model::Source`]: a
//! window read fetches just the tiles or strips it overlaps (adjacent ones in one
//! request) and decodes them in parallel. The dataset looks as
//! `xarray.open_dataset(path, engine="rasterio")` shows it: `band_data(band, y, x)` with
//! coordinates `band`, `y`, `x` (pixel centres), `_FillValue` from `GDAL_NODATA`,
//! `scale_factor`/`add_offset` from `GDAL_METADATA`, and the CRS (EPSG code, PROJ.4
//! string, CF grid-mapping attributes) and GDAL-order transform on the [`Dataset`](rsdat_model::Dataset).
//! Overviews are further [`GeoTiff`]s from [`GeoTiff::overview`]; masks are skipped.
//!
//! Reads: tiled and stripped layouts; pixel- and band-interleaved bands; 8- to 64-bit
//! integers, `float32`, `float64`; classic TIFF and BigTIFF in either byte order;
//! compression none, deflate (8 and 32946), LZW, zstd and PackBits; horizontal (2) and
//! floating-point (3) predictors. Anything else (JPEG, WebP, LERC, 1-bit, ...) fails at
//! open with [`Error::Unsupported`] naming it.
//!
//! Why a parser of our own rather than the `tiff` crate: `tiff` wants `Read + Seek` and
//! decides itself what to read, while a COG over HTTP needs every byte range chosen here
//! (one prefetch of the head, then merged chunk ranges); the IFD walk is ~200 lines and
//! the codecs are `flate2`, `weezl` and `zstd`, the same ones `tiff` uses.
//!
//! ```no_run
//! use rsdat_geotiff::GeoTiff;
//! use rsdat_model::Source;
//!
//! let tif = GeoTiff::open("S2B_31UFU_20240501_B02.tif")?;
//! let var = tif.dataset().variable("band_data")?;
//! println!("{:?} {:?} {:?}", var.shape, var.chunks, tif.dataset().crs);
//! // A 256 x 256 window of band 1, touching at most four 512 x 512 tiles.
//! let block = tif.read("band_data", &[0, 1000, 1000], &[1, 256, 256])?;
//! // The same area on the first overview (half resolution).
//! let ov = tif.overview(0)?;
//! let coarse = ov.read("band_data", &[0, 500, 500], &[1, 128, 128])?;
//! assert_eq!(block.shape(), &[1, 256, 256]);
//! assert_eq!(coarse.shape(), &[1, 128, 128]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cf;
mod compression;
mod crs;
mod dataset;
mod epsg;
mod error;
mod geokeys;
mod geotiff;
mod header;
mod ifd;
mod image;
mod metadata;
mod predictor;
mod sample;
mod source;
mod tags;
mod transform;
mod window;
mod wkt;

pub use dataset::BAND_DATA;
pub use error::{Error, Result};
pub use geotiff::GeoTiff;
