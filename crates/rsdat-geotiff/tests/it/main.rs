//! Integration tests of rsdat-geotiff against GeoTIFFs written and read by rasterio
//! (`tests/data/make_fixtures.py`).

mod differential;
mod errors;
mod fuzz;
mod http;
mod ranges;
mod support;
