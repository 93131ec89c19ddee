//! Reads square windows of band 1 of a GeoTIFF/COG and prints seconds and a checksum as
//! JSON. Used by `bench/io.py` to compare with rasterio.
//!
//! ```text
//! cargo run --release -p rsdat-geotiff --example read_window -- B02.tif SIZE [COL ROW | all]
//! ```
//!
//! With `COL ROW` one `SIZE` x `SIZE` window at that pixel offset is read (default 0 0);
//! with `all` every whole window of a `SIZE` grid over the image is read, one after the
//! other (the way the seed reads Sentinel-2 tiles in 2048 x 2048 chunks).
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

use rsdat_geotiff::{GeoTiff, BAND_DATA};
use rsdat_model::{Source, Values};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: read_window <path or URL> SIZE [COL ROW | all]";
    let url = args.first().ok_or(usage)?;
    let size: usize = args.get(1).ok_or(usage)?.parse()?;
    let t0 = std::time::Instant::now();
    let tif = GeoTiff::open(url)?;
    let open_seconds = t0.elapsed().as_secs_f64();
    let (w, h) = tif.size();
    let windows: Vec<(usize, usize)> = if args.get(2).map(String::as_str) == Some("all") {
        (0..h / size)
            .flat_map(|r| (0..w / size).map(move |c| (c * size, r * size)))
            .collect()
    } else {
        let col = args.get(2).map_or(Ok(0), |s| s.parse())?;
        let row = args.get(3).map_or(Ok(0), |s| s.parse())?;
        vec![(col, row)]
    };
    let (mut seconds, mut sum) = (0.0, 0.0);
    for &(col, row) in &windows {
        let t = std::time::Instant::now();
        let v = tif.read(BAND_DATA, &[0, row, col], &[1, size, size])?;
        seconds += t.elapsed().as_secs_f64();
        // the checksum, not timed: Sentinel-2 bands (u16) summed in place, as numpy's
        // `a.sum(dtype=float64)`
        sum += match &v {
            Values::U16(a) => a.iter().map(|&x| f64::from(x)).sum::<f64>(),
            other => other.to_f64().sum(),
        };
    }
    println!(
        "{{\"open_seconds\": {open_seconds}, \"seconds\": {seconds}, \"windows\": {}, \"sum\": {sum}}}",
        windows.len()
    );
    Ok(())
}
