//! Reading a COG over HTTP range requests from a loopback server.

use std::sync::Arc;

use rsdat_geotiff::{GeoTiff, BAND_DATA};
use rsdat_model::Source;
use rsdat_storage::{HttpOptions, HttpStore};
use rsdat_testkit::http::Server;

use crate::support::{assert_same, fixture, slice};

#[test]
fn cog_over_http_reads_what_rasterio_reads() {
    let f = fixture("cog_u16_deflate");
    let bytes = std::fs::read(&f.path).expect("fixture");
    let len = bytes.len();
    let server = Server::start(bytes);
    let url = server.url();
    let tif = GeoTiff::open(&url).expect("open over http");
    assert_eq!(tif.location(), url);
    let local = GeoTiff::open(f.url()).expect("open local");
    assert_eq!(tif.dataset(), local.dataset());
    drop(tif);

    // Blocks smaller than the default 1 MiB, so that the bytes fetched show what was read.
    server.clear_log();
    let opts = HttpOptions::default().block_bytes(64 * 1024);
    let store = HttpStore::open_with(&url, &opts).expect("http store");
    let tif = GeoTiff::from_store(Arc::new(store)).expect("open over http");
    let opened = server.gets();
    assert!(
        opened <= 2,
        "open took {opened} GETs: {:?}",
        server.get_ranges()
    );

    server.clear_log();
    let shape = f.shape();
    let (start, count) = ([0, 500, 1000], [1, 30, 40]);
    let v = tif
        .read(BAND_DATA, &start, &count)
        .expect("window over http");
    assert_same(
        &v,
        &slice(&f.expected(""), shape, start, count),
        "http window",
    );
    let gets = server.gets();
    assert!((1..=4).contains(&gets), "4 tiles took {gets} GETs");

    let ov = tif.overview(1).expect("overview");
    let (w, h) = ov.size();
    let v = ov
        .read(BAND_DATA, &[0, 0, 0], &[1, h, w])
        .expect("overview over http");
    assert_same(&v, &f.expected(".ovr1"), "http overview");
    let fetched: usize = server
        .get_ranges()
        .iter()
        .filter_map(|r| {
            let (a, b) = r.strip_prefix("bytes=")?.split_once('-')?;
            Some(b.parse::<usize>().ok()? + 1 - a.parse::<usize>().ok()?)
        })
        .sum();
    // Four full-resolution tiles of ~400 kB, one 240 kB overview, the 64 kB head.
    assert!(fetched < len / 2, "fetched {fetched} of {len} bytes");
}
