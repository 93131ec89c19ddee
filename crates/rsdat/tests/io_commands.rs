//! `rsdat info`, `convert` and `sample-data` as a user runs them: outputs, exit codes and
//! one-line errors for bad input.
#![allow(clippy::unwrap_used)]

mod common;

use common::{rsdat, sample, stderr};

#[test]
fn sample_info_convert_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let files = sample(dir.path(), "1980", 12, 16);
    assert_eq!(files.len(), 3);
    let mut args = vec!["info", "--json"];
    args.extend(files.iter().map(String::as_str));
    let o = rsdat(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(info["dims"]["time"], 365);
    assert_eq!(info["dims"]["y"], 12);
    let names: Vec<&str> = info["data_vars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    for v in ["tmin", "tmax", "dayl"] {
        assert!(names.contains(&v), "{names:?}");
    }
    assert_eq!(info["crs"]["grid_mapping"], "lambert_conformal_conic");
    let store = dir.path().join("out.zarr");
    let mut args = vec![
        "convert",
        "--out",
        store.to_str().unwrap(),
        "--group",
        "1980",
        "--chunks",
        "y=5,x=8",
        "--json",
    ];
    args.extend(files.iter().map(String::as_str));
    let o = rsdat(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["zarr_format"], 3);
    let o = rsdat(&["info", store.to_str().unwrap(), "--group", "1980", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let z: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tmax = z["data_vars"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "tmax")
        .unwrap();
    assert_eq!(tmax["chunks"], serde_json::json!([1, 5, 8]));
    // A second convert into the same group is refused, the store is left intact.
    let o = rsdat(&args);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--overwrite"), "{}", stderr(&o));
    assert!(store.join("1980").exists());
}

#[test]
fn missing_file_is_one_clear_error() {
    let o = rsdat(&["info", "/no/such/tmax.nc"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.starts_with("error: ") && e.contains("/no/such/tmax.nc"),
        "{e}"
    );
    assert!(!e.contains("panicked"), "{e}");
}

#[test]
fn not_a_dataset_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.txt");
    std::fs::write(&p, "hello").unwrap();
    let o = rsdat(&["info", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("notes.txt") && stderr(&o).contains("not NetCDF"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unreachable_url_names_the_url() {
    let o = rsdat(&["info", "http://127.0.0.1:9/tmax.nc"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("http://127.0.0.1:9/tmax.nc"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn existing_sample_files_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let files = sample(dir.path(), "1980", 12, 16);
    let before = std::fs::read(&files[0]).unwrap();
    let o = rsdat(&[
        "sample-data",
        "daymet",
        "--out",
        dir.path().join("data").to_str().unwrap(),
        "--ny",
        "12",
        "--nx",
        "16",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&files[0]).unwrap(), before);
}

#[test]
fn bad_chunk_spec_and_unknown_group() {
    let dir = tempfile::tempdir().unwrap();
    let files = sample(dir.path(), "1980", 12, 16);
    let store = dir.path().join("s.zarr");
    let o = rsdat(&[
        "convert",
        &files[0],
        "--out",
        store.to_str().unwrap(),
        "--chunks",
        "y=0",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!store.exists());
    let o = rsdat(&["convert", &files[0], "--out", store.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = rsdat(&["info", store.to_str().unwrap(), "--group", "1999"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("1999"), "{}", stderr(&o));
    let o = rsdat(&["info", &files[0], "--group", "1980"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no groups"), "{}", stderr(&o));
}

#[test]
fn converted_geotiffs_match_rasterio_in_xarray() {
    let fixtures = rsdat_testkit::fixtures(
        rsdat_testkit::repo_root().join("crates/rsdat-geotiff/tests/data/make_fixtures.py"),
    );
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in [
        ("cog_u16_deflate", "3"),
        ("f32_zstd_nodata", "2"),
        ("bigendian_i16", "3"),
    ] {
        let tif = fixtures.join(format!("{name}.tif"));
        let store = dir.path().join(format!("{name}.zarr"));
        let o = rsdat(&[
            "convert",
            tif.to_str().unwrap(),
            "--out",
            store.to_str().unwrap(),
            "--zarr-format",
            format,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let check = r#"
import sys, numpy as np, rasterio, xarray as xr
z = xr.open_zarr(sys.argv[1], consolidated=True)
with rasterio.open(sys.argv[2]) as r:
    a = r.read(masked=True).astype("f8").filled(np.nan)
    transform = r.transform
assert z.band_data.dims == ("band", "y", "x"), z.band_data.dims
assert np.array_equal(z.band_data.values.astype("f8"), a, equal_nan=True)
assert np.isclose(z.x.values[0], transform.c + transform.a / 2)
assert np.isclose(z.y.values[0], transform.f + transform.e / 2)
assert "grid_mapping_name" in z.spatial_ref.attrs
print("ok")
"#;
        let out =
            rsdat_testkit::run_python(check, &[store.to_str().unwrap(), tif.to_str().unwrap()]);
        assert_eq!(out.trim(), "ok", "{name}");
    }
}
