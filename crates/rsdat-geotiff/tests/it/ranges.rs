//! The reader touches only the header and the chunks a window overlaps.

use std::ops::Range;

use rsdat_geotiff::{GeoTiff, BAND_DATA};
use rsdat_model::Source;
use rsdat_storage::FileStore;

use crate::support::{fixture, CountingStore};

/// GDAL's `[band, row, col, offset, size]` of each block of the full image.
fn blocks(meta: &serde_json::Value) -> Vec<([u64; 3], Range<u64>)> {
    meta["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .map(|b| {
            let n = |i: usize| b[i].as_u64().expect("number");
            ([n(0), n(1), n(2)], n(3)..n(3) + n(4))
        })
        .collect()
}

fn overlaps(a: &Range<u64>, b: &Range<u64>) -> bool {
    a.start < b.end && b.start < a.end
}

#[test]
fn window_reads_only_its_tiles() {
    let f = fixture("cog_u16_deflate");
    let file_len = std::fs::metadata(&f.path).expect("size").len();
    let store = CountingStore::new(std::sync::Arc::new(FileStore::open(&f.path).expect("open")));
    let tif = GeoTiff::from_store(store.clone()).expect("open");
    let at_open = store.take();
    let open_bytes: u64 = at_open.iter().map(|r| r.end - r.start).sum();
    assert!(
        at_open.len() <= 2,
        "open made {} requests: {at_open:?}",
        at_open.len()
    );
    assert!(open_bytes <= 16 * 1024, "open read {open_bytes} bytes");

    // Rows 500..530 and columns 1000..1040 straddle the 512-pixel tile edges: tiles
    // (0,1), (0,2), (1,1), (1,2) of the 3 x 3 grid.
    tif.read(BAND_DATA, &[0, 500, 1000], &[1, 30, 40])
        .expect("read");
    let reads = store.take();
    let all = blocks(&f.meta);
    let (needed, others): (Vec<_>, Vec<_>) = all
        .iter()
        .partition(|([_, r, c], _)| (0..=1).contains(r) && (1..=2).contains(c));
    assert_eq!(needed.len(), 4);
    for (_, tile) in &needed {
        assert!(
            reads
                .iter()
                .any(|r| r.start <= tile.start && tile.end <= r.end),
            "tile bytes {tile:?} not read in one request: {reads:?}"
        );
    }
    for (id, tile) in &others {
        assert!(
            !reads.iter().any(|r| overlaps(r, tile)),
            "tile {id:?} at {tile:?} was read but lies outside the window: {reads:?}"
        );
    }
    let read: u64 = reads.iter().map(|r| r.end - r.start).sum();
    let want: u64 = needed.iter().map(|(_, t)| t.end - t.start).sum();
    assert!(
        read <= want + 4 * 4096,
        "read {read} bytes for {want} bytes of tiles"
    );
    assert!(reads.len() <= 4, "{} requests for 4 tiles", reads.len());

    // An overview read touches no full-resolution tile.
    let ov = tif.overview(1).expect("overview");
    let (w, h) = ov.size();
    ov.read(BAND_DATA, &[0, 0, 0], &[1, h, w])
        .expect("overview read");
    let reads = store.take();
    for (id, tile) in &all {
        assert!(
            !reads.iter().any(|r| overlaps(r, tile)),
            "overview read touched tile {id:?}"
        );
    }
    let read: u64 = reads.iter().map(|r| r.end - r.start).sum();
    assert!(
        read < file_len / 8,
        "overview read {read} of {file_len} bytes"
    );

    // Coordinates cost nothing.
    tif.read("x", &[0], &[1500]).expect("x");
    tif.read("band", &[0], &[1]).expect("band");
    assert!(store.take().is_empty());
}

#[test]
fn band_separate_strips_read_only_the_band_asked_for() {
    let f = fixture("i16_band");
    let store = CountingStore::new(std::sync::Arc::new(FileStore::open(&f.path).expect("open")));
    let tif = GeoTiff::from_store(store.clone()).expect("open");
    store.take();
    // Band 3 (index 2), rows 40..70: strips 1 and 2 (32 rows each) of plane 2.
    tif.read(BAND_DATA, &[2, 40, 0], &[1, 30, 333])
        .expect("read");
    let reads = store.take();
    for ([band, row, _], strip) in blocks(&f.meta) {
        let wanted = band == 3 && (1..=2).contains(&row);
        let touched = reads.iter().any(|r| overlaps(r, &strip));
        assert_eq!(
            touched, wanted,
            "band {band} strip {row} at {strip:?}: {reads:?}"
        );
    }
}
