//! `rsdat info`, `convert` and `sample-data` as a user runs them: outputs, exit codes and
//! one-line errors for bad input.
#![allow(clippy::unwrap_used)]

mod common;

use common::{fails, ok, rsdat, sample, stderr};

/// The path of `name`, made by `crates/rsdat-netcdf/tests/data/make_fixtures.py`.
fn netcdf_fixture(name: &str) -> String {
    let script = "crates/rsdat-netcdf/tests/data/make_fixtures.py";
    let dir = rsdat_testkit::fixtures(rsdat_testkit::repo_root().join(script));
    dir.join(name).to_str().unwrap().to_owned()
}

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
        ("u8_lzw_strips", "2"),
        ("geo4326_tiny", "3"),
        ("u32_lzw_lcc", "3"),
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
    crs = r.crs
assert z.band_data.dims == ("band", "y", "x"), z.band_data.dims
assert np.array_equal(z.band_data.values.astype("f8"), a, equal_nan=True)
assert np.isclose(z.x.values[0], transform.c + transform.a / 2)
assert np.isclose(z.y.values[0], transform.f + transform.e / 2)
assert "grid_mapping_name" in z.spatial_ref.attrs
# The WKT rioxarray writes (rasterio's to_wkt): the same text for EPSG CRSs rsdat knows,
# the same CRS for the others (Daymet's user-defined LCC).
wkt = z.spatial_ref.attrs.get("crs_wkt")
known = crs.to_epsg() in (4326, 32631, 32760)
if known or crs.to_epsg() is None:
    assert wkt is not None, "no crs_wkt"
    assert z.spatial_ref.attrs["spatial_ref"] == wkt
    if known:
        assert wkt == crs.to_wkt(), (wkt, crs.to_wkt())
    else:
        assert rasterio.crs.CRS.from_wkt(wkt) == crs, (wkt, crs.to_wkt())
print("ok")
"#;
        let out =
            rsdat_testkit::run_python(check, &[store.to_str().unwrap(), tif.to_str().unwrap()]);
        assert_eq!(out.trim(), "ok", "{name}");
    }
}

/// Python check of a `--compression keep` convert: xarray opens the store without a
/// warning and every variable equals what it reads from the NetCDF file; the copied arrays
/// use the source's codecs (Zarr v2: numcodecs shuffle + zlib; v3: the core blosc codec
/// with zlib) and their chunk files hold HDF5's stored chunks byte for byte (h5py's
/// `read_direct_chunk`; in v3 after a 24-byte Blosc header that numcodecs reads), so the
/// copy path was really taken.
const CHECK_KEPT: &str = r#"
import json, sys, warnings
import h5py, numpy as np, xarray as xr, zarr
from numcodecs import blosc
nc, store, fmt = sys.argv[1], sys.argv[2], int(sys.argv[3])
src = xr.open_dataset(nc)
with warnings.catch_warnings():
    warnings.simplefilter("error")
    out = xr.open_zarr(store, consolidated=True)
    out.load()
for name in src.variables:
    a, b = src[name].values, out[name].values
    assert a.dtype == b.dtype, (name, a.dtype, b.dtype)
    assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
report = {}
g = zarr.open_group(store, mode="r")
with h5py.File(nc, "r") as f:
    for name in ("temp", "packed"):
        arr = g[name]
        codecs = ([c.codec_id for c in arr.filters] + [arr.compressors[0].codec_id] if fmt == 2
                  else [type(c).__name__ for c in arr.compressors])
        ds = f[name]
        chunks = ds.chunks
        same = 0
        for idx in np.ndindex(*[-(-n // c) for n, c in zip(ds.shape, chunks)]):
            off = tuple(i * c for i, c in zip(idx, chunks))
            mask, raw = ds.id.read_direct_chunk(off)
            sep = "." if fmt == 2 else "/"
            key = sep.join(map(str, idx)) if fmt == 2 else "c/" + sep.join(map(str, idx))
            with open(f"{store}/{name}/{key}", "rb") as fh:
                data = fh.read()
            if fmt == 3:
                assert blosc.cbuffer_complib(data) == "Zlib", blosc.cbuffer_complib(data)
                sel = tuple(slice(o, o + c) for o, c in zip(off, chunks))
                part = ds[sel]
                decoded = np.frombuffer(blosc.decompress(data), ds.dtype).reshape(chunks)
                inner = tuple(slice(0, n) for n in part.shape)
                assert np.array_equal(decoded[inner], part, equal_nan=True), (name, idx)
                data = data[24:]
            same += data == raw
        report[name] = {"codecs": codecs, "chunks_equal": same, "shuffle": bool(ds.shuffle),
                        "chunks": int(np.prod([-(-n // c) for n, c in zip(ds.shape, chunks)]))}
print(json.dumps(report))
"#;

#[test]
fn keep_copies_netcdf4_chunks_that_xarray_reads() {
    let nc = netcdf_fixture("chunked.nc");
    let nc = nc.as_str();
    for format in ["2", "3"] {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("kept.zarr");
        let store = store.to_str().unwrap();
        ok(&rsdat(&[
            "convert",
            nc,
            "--out",
            store,
            "--compression",
            "keep",
            "--zarr-format",
            format,
        ]));
        let out = rsdat_testkit::run_python(CHECK_KEPT, &[nc, store, format]);
        let r: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        for n in ["temp", "packed"] {
            let want = match (format, r[n]["shuffle"].as_bool().unwrap()) {
                ("2", true) => r#"["shuffle","zlib"]"#,
                ("2", false) => r#"["zlib"]"#,
                _ => r#"["BloscCodec"]"#,
            };
            assert_eq!(r[n]["codecs"].to_string(), want, "v{format} {n}: {r}");
            assert!(r[n]["chunks"].as_u64().unwrap() > 1, "{r}");
            assert_eq!(r[n]["chunks_equal"], r[n]["chunks"], "v{format} {n}: {r}");
        }
        // rsdat reads its own copy back: converted again, the values are the file's
        let again = dir.path().join("again.zarr");
        let again = again.to_str().unwrap();
        ok(&rsdat(&["convert", store, "--out", again]));
        let out = rsdat_testkit::run_python(SAME_VALUES, &[nc, again]);
        assert_eq!(out.trim(), "ok", "v{format}");
    }
}

/// Python check: every variable xarray reads from the NetCDF file `argv[1]` equals the
/// store `argv[2]`'s.
const SAME_VALUES: &str = r#"
import sys
import numpy as np, xarray as xr
src, out = xr.open_dataset(sys.argv[1]), xr.open_zarr(sys.argv[2], consolidated=True)
for name in src.variables:
    a, b = src[name].values, out[name].values
    assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
print("ok")
"#;

/// Python check of a group convert: every variable of `group` of the NetCDF file (as
/// xarray opens it with `group=`) is in the store's group with the same values and dims.
const CHECK_GROUP: &str = r#"
import json, sys
import numpy as np, xarray as xr
nc, store, group = sys.argv[1:4]
src = xr.open_dataset(nc, group=group)
out = xr.open_zarr(store, group=group, consolidated=True)
names = sorted(src.variables)
assert names == sorted(out.variables), (names, sorted(out.variables))
for name in names:
    a, b = src[name], out[name]
    assert a.dims == b.dims, (name, a.dims, b.dims)
    assert np.array_equal(a.values, b.values, equal_nan=a.dtype.kind == "f"), name
print(json.dumps(names))
"#;

#[test]
fn netcdf4_sub_groups_are_read() {
    let nc = netcdf_fixture("groups.nc");
    let nc = nc.as_str();
    // info of a group: its variables, its own dimension and the parent's ones it uses.
    let o = ok(&rsdat(&["info", nc, "--group", "forecast", "--json"]));
    let info: serde_json::Value = serde_json::from_str(&o).unwrap();
    assert_eq!(info["dims"]["member"], 3, "{info}");
    assert_eq!(info["dims"]["x"], 9, "{info}");
    let names: Vec<&str> = info["data_vars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["t2m", "q"], "{info}");
    let o = ok(&rsdat(&[
        "info",
        nc,
        "--group",
        "/forecast/hourly/",
        "--json",
    ]));
    let info: serde_json::Value = serde_json::from_str(&o).unwrap();
    assert_eq!(info["dims"]["hour"], 24, "{info}");
    // convert --group reads the input's group and writes the store's group of that name.
    for group in ["forecast", "forecast/hourly"] {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("g.zarr");
        let store = store.to_str().unwrap();
        let o = ok(&rsdat(&[
            "convert", nc, "--out", store, "--group", group, "--json",
        ]));
        let report: serde_json::Value = serde_json::from_str(&o).unwrap();
        assert_eq!(report["read_group"], true, "{report}");
        let out = rsdat_testkit::run_python(CHECK_GROUP, &[nc, store, group]);
        assert!(out.contains("wind") || out.contains("t2m"), "{out}");
    }
    // A group the file lacks: one line naming the file, the group and the groups it has.
    let o = rsdat(&["info", nc, "--group", "nope"]);
    fails(&o, "no group `nope`");
    assert!(
        stderr(&o).contains("forecast, forecast/hourly"),
        "{}",
        stderr(&o)
    );
}
