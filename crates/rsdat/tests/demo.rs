//! The README's first command: `rsdat demo` makes data, spring indices and maps, and xarray
//! opens the store; a second run reuses the sample data.
#![allow(clippy::unwrap_used)]

mod common;

use common::{ok, rsdat};

#[test]
fn demo_runs_twice_and_xarray_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("demo");
    let args = [
        "demo",
        "--dir",
        d.to_str().unwrap(),
        "--size",
        "24",
        "--json",
    ];
    let first: serde_json::Value = serde_json::from_str(&ok(&rsdat(&args))).unwrap();
    let data = d.join("data/daymet_v4_daily_na_tmax_1980.nc");
    let stamp = std::fs::metadata(&data).unwrap().modified().unwrap();
    let second: serde_json::Value = serde_json::from_str(&ok(&rsdat(&args))).unwrap();
    assert_eq!(
        std::fs::metadata(&data).unwrap().modified().unwrap(),
        stamp,
        "sample data is reused"
    );
    assert_eq!(first["store"], second["store"]);
    for map in second["maps"].as_array().unwrap() {
        let png = std::fs::read(map.as_str().unwrap()).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    }
    let check = r#"
import sys, numpy as np, xarray as xr
si = xr.open_zarr(sys.argv[1], group="1980")
leaf = si["first-leaf"].sel(plant="mean").values
assert leaf.shape == (24, 24), leaf.shape
ok = np.isfinite(leaf)
assert ok.mean() > 0.8, ok.mean()
assert 30 < np.nanmedian(leaf) < 160, np.nanmedian(leaf)
print("ok")
"#;
    let out = rsdat_testkit::run_python(check, &[second["store"].as_str().unwrap()]);
    assert_eq!(out.trim(), "ok");
}
