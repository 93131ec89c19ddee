//! Opens a GeoTIFF or COG (path or URL), prints its dataset and overviews, and times a
//! full read of `band_data`:
//!
//! ```text
//! cargo run --release -p rsdat-geotiff --example read_cog -- B02.tif
//! ```
#![allow(clippy::print_stdout)]

use rsdat_geotiff::{GeoTiff, BAND_DATA};
use rsdat_model::Source;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: read_cog <path or URL>")?;
    let tif = GeoTiff::open(&url)?;
    let ds = tif.dataset();
    for v in &ds.variables {
        println!(
            "{} {:?} {} chunks {:?} {}",
            v.name,
            v.shape,
            v.dtype,
            v.chunks,
            v.compression.as_deref().unwrap_or("")
        );
    }
    println!("crs {:?}", ds.crs.as_ref().and_then(|c| c.proj4.as_deref()));
    println!("transform {:?}", ds.transform);
    for k in 0..tif.overview_count() {
        println!("overview {k}: {:?}", tif.overview(k)?.size());
    }
    let (w, h) = tif.size();
    let t = std::time::Instant::now();
    let v = tif.read(BAND_DATA, &[0, 0, 0], &[tif.band_count(), h, w])?;
    let secs = t.elapsed().as_secs_f64();
    let mb = (v.len() * ds.variable(BAND_DATA)?.dtype.size_bytes()) as f64 / 1e6;
    println!("read {mb:.1} MB in {secs:.3} s ({:.0} MB/s)", mb / secs);
    Ok(())
}
