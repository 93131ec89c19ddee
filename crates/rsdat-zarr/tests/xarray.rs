//! Differential tests against xarray + zarr-python 3 (the fixture venv):
//! - stores rsdat writes open in `xarray.open_zarr(store, group=..., consolidated=True)` with
//!   the dims, coordinates, dtypes, attributes, fill masking, strings, times and grid
//!   mapping that were written, and without warnings;
//! - stores xarray writes (both formats, its default codecs) read identically in rsdat;
//! - an rsdat copy of an xarray store looks the same to xarray as the original.
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{flat, options, same, sample, PLANTS, WKT};
use rsdat_model::{AttrValue, DType, Source};
use rsdat_zarr::{convert, list_groups, ZarrFormat, ZarrSource};
use serde_json::{json, Value};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// What xarray sees in `group` of `store` (see `tests/data/check_store.py`).
fn xarray_view(store: &Path, group: &str) -> Value {
    let out = Command::new(rsdat_testkit::python())
        .arg(data("check_store.py"))
        .arg(store)
        .arg(group)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "check_store.py failed on {}:\n{}",
        store.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// JSON numbers (null = NaN) as f64.
fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn assert_nums(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(same(g, w), "{what}[{i}]: {g} != {w}");
    }
}

#[test]
fn xarray_opens_rsdat_stores() {
    for format in [ZarrFormat::V2, ZarrFormat::V3] {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("si.zarr");
        let src = sample(1980);
        convert(&src, &store, &options(format, "1980"), &|_, _| {}).unwrap();
        convert(&sample(1981), &store, &options(format, "1981"), &|_, _| {}).unwrap();
        for (year, src) in [("1980", src), ("1981", sample(1981))] {
            let x = xarray_view(&store, year);
            let what = format!("{format} {year}");
            assert_eq!(x["zarr_format"], json!(format.number()), "{what}");
            assert_eq!(x["warnings"], json!([]), "{what}: xarray warned");
            assert_eq!(
                x["dims"],
                json!({"time": 5, "y": 4, "x": 7, "plant": 3}),
                "{what}"
            );
            assert_eq!(
                x["coords"],
                json!(["lambert_conformal_conic", "plant", "time", "x", "y"]),
                "{what}: the grid mapping shows as a coordinate, like rioxarray's spatial_ref"
            );
            assert_eq!(x["data_vars"], json!(["mask", "si", "tmax"]), "{what}");
            assert_eq!(
                x["attrs"]["title"],
                json!(format!("sample {year}")),
                "{what}"
            );
            let y: i64 = year.parse().unwrap();
            assert_eq!(x["attrs"]["years"], json!([y, y]), "{what}");
            assert_eq!(x["attrs"]["base_temp_c"], json!(10.0), "{what}");
            let vars = &x["variables"];

            // Floats: values identical, NaN where NaN, _FillValue NaN as xarray writes it.
            let tmax = &vars["tmax"];
            assert_eq!(tmax["dtype"], "float32", "{what}");
            assert_eq!(tmax["dims"], json!(["time", "y", "x"]), "{what}");
            assert_nums(
                &nums(&tmax["values"]),
                &flat(&src.values["tmax"]),
                &format!("{what} tmax"),
            );
            assert_eq!(
                tmax["encoding"]["_FillValue"],
                Value::Null,
                "{what}: NaN fill"
            );
            assert_eq!(tmax["encoding"]["chunks"], json!([2, 3, 4]), "{what}");
            assert_eq!(tmax["attrs"]["units"], "degC", "{what}");
            assert_eq!(
                tmax["attrs"]["grid_mapping"], "lambert_conformal_conic",
                "{what}"
            );
            assert_eq!(
                tmax["encoding"]["coordinates"], "lambert_conformal_conic",
                "{what}"
            );

            // Integers with _FillValue: xarray masks the fill to NaN and keeps the encoding.
            let si = &vars["si"];
            assert_eq!(si["encoding"]["_FillValue"], json!(-9999), "{what}");
            assert_eq!(si["encoding"]["dtype"], "int16", "{what}");
            let want: Vec<f64> = flat(&src.values["si"])
                .into_iter()
                .map(|v| if v == -9999.0 { f64::NAN } else { v })
                .collect();
            assert_nums(&nums(&si["values"]), &want, &format!("{what} si"));
            assert_nums(
                &nums(&x["raw"]["si"]["values"]),
                &flat(&src.values["si"]),
                &format!("{what} raw si"),
            );
            assert_eq!(
                x["raw"]["si"]["attrs"]["_FillValue"],
                json!(-9999),
                "{what}"
            );

            // Integers without a fill stay integers.
            assert_eq!(vars["mask"]["dtype"], "uint8", "{what}");
            assert_nums(
                &nums(&vars["mask"]["values"]),
                &flat(&src.values["mask"]),
                &format!("{what} mask"),
            );

            // Coordinates: strings intact, times decoded, x/y exact.
            assert_eq!(vars["plant"]["values"], json!(PLANTS), "{what}");
            assert_eq!(vars["plant"]["dtype"], "object", "{what}");
            assert_eq!(vars["time"]["dtype"], "datetime64[ns]", "{what}");
            assert_eq!(
                vars["time"]["values"][0],
                json!(format!("{year}-01-01T00:00:00.000000000")),
                "{what}"
            );
            assert_eq!(
                vars["time"]["values"][4],
                json!(format!("{year}-01-05T00:00:00.000000000")),
                "{what}"
            );
            assert_nums(
                &nums(&vars["x"]["values"]),
                &flat(&src.values["x"]),
                &format!("{what} x"),
            );
            assert_nums(
                &nums(&vars["y"]["values"]),
                &flat(&src.values["y"]),
                &format!("{what} y"),
            );
            assert_eq!(vars["x"]["attrs"]["units"], "m", "{what}");

            // The grid mapping: CF attributes, WKT under both names, the transform.
            let gm = &vars["lambert_conformal_conic"];
            assert_eq!(gm["dims"], json!([]), "{what}");
            assert_eq!(
                gm["attrs"]["grid_mapping_name"], "lambert_conformal_conic",
                "{what}"
            );
            assert_eq!(
                gm["attrs"]["standard_parallel"],
                json!([25.0, 60.0]),
                "{what}"
            );
            assert_eq!(
                gm["attrs"]["longitude_of_central_meridian"],
                json!(-100.0),
                "{what}"
            );
            assert_eq!(gm["attrs"]["crs_wkt"], json!(WKT), "{what}");
            assert_eq!(gm["attrs"]["spatial_ref"], json!(WKT), "{what}");
            assert_eq!(
                gm["attrs"]["GeoTransform"],
                json!("-1000500 1000 0 500500 0 -1000"),
                "{what}"
            );
        }
    }
}

#[test]
fn xarray_reads_every_compression() {
    for format in [ZarrFormat::V2, ZarrFormat::V3] {
        for compression in ["none", "gzip:6", "blosc-zstd:5", "zstd:9", "shuffle-zlib:4"] {
            let dir = tempfile::tempdir().unwrap();
            let store = dir.path().join("c.zarr");
            let src = sample(1980);
            let mut o = options(format, "1980");
            o.store.compression = compression.parse().unwrap();
            convert(&src, &store, &o, &|_, _| {}).unwrap();
            let x = xarray_view(&store, "1980");
            let what = format!("{format} {compression}");
            assert_nums(
                &nums(&x["variables"]["tmax"]["values"]),
                &flat(&src.values["tmax"]),
                &what,
            );
            assert_eq!(x["variables"]["plant"]["values"], json!(PLANTS), "{what}");
            assert_nums(
                &nums(&x["raw"]["si"]["values"]),
                &flat(&src.values["si"]),
                &what,
            );
        }
    }
}

/// Raw values of a variable read by rsdat, as JSON-comparable numbers or strings.
fn rsdat_values(src: &ZarrSource, name: &str) -> Value {
    let var = src.dataset().variable(name).unwrap();
    let zeros = vec![0; var.shape.len()];
    if var.dtype == DType::Text {
        json!(src
            .read_text(name, &zeros, &var.shape)
            .unwrap()
            .iter()
            .collect::<Vec<_>>())
    } else {
        let v = src.read(name, &zeros, &var.shape).unwrap();
        json!(flat(&v)
            .into_iter()
            .map(|x| if x.is_nan() { None } else { Some(x) })
            .collect::<Vec<_>>())
    }
}

fn attr_json(v: &AttrValue) -> Value {
    match v {
        AttrValue::Text(s) => json!(s),
        AttrValue::Int(i) if i.len() == 1 => json!(i[0] as f64),
        AttrValue::Int(i) => json!(i.iter().map(|&x| x as f64).collect::<Vec<_>>()),
        AttrValue::Float(f) => {
            let j: Vec<Value> = f
                .iter()
                .map(|x| if x.is_nan() { Value::Null } else { json!(x) })
                .collect();
            if j.len() == 1 {
                j[0].clone()
            } else {
                Value::Array(j)
            }
        }
    }
}

/// Numbers compare as f64 (xarray's ints and floats both land there).
fn normalise(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.iter().map(normalise).collect()),
        other => other.clone(),
    }
}

#[test]
fn reads_xarray_fixtures() {
    let dir = rsdat_testkit::fixtures(data("make_fixtures.py"));
    for format in [ZarrFormat::V2, ZarrFormat::V3] {
        let store = dir.join(format!("{format}.zarr"));
        assert_eq!(list_groups(&store).unwrap(), ["1980", "1981"]);
        for year in ["1980", "1981"] {
            let what = format!("{format} {year}");
            let want: Value = serde_json::from_slice(
                &std::fs::read(dir.join(format!("{format}.zarr.{year}.json"))).unwrap(),
            )
            .unwrap();
            let src = ZarrSource::open(&store, Some(year)).unwrap();
            assert_eq!(src.format(), format);
            assert!(src.skipped().is_empty(), "{what}: {:?}", src.skipped());
            let ds = src.dataset();
            for (k, v) in want["attrs"].as_object().unwrap() {
                assert_eq!(
                    normalise(&attr_json(ds.attrs.get(k).unwrap())),
                    normalise(v),
                    "{what}: global {k}"
                );
            }
            for (d, n) in want["dims"].as_object().unwrap() {
                assert_eq!(
                    ds.dim_len(d),
                    Some(n.as_u64().unwrap() as usize),
                    "{what}: dim {d}"
                );
            }
            let mut names: Vec<&str> = ds.variable_names();
            names.sort_unstable();
            let mut want_names: Vec<&str> = want["vars"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            want_names.sort_unstable();
            assert_eq!(names, want_names, "{what}");
            for (name, w) in want["vars"].as_object().unwrap() {
                let what = format!("{what} {name}");
                let var = ds.variable(name).unwrap();
                assert_eq!(json!(var.dims), w["dims"], "{what}");
                assert_eq!(json!(var.shape), w["shape"], "{what}");
                assert_eq!(var.dtype.name(), w["dtype"], "{what}");
                assert_eq!(json!(var.chunks.as_ref().unwrap()), w["chunks"], "{what}");
                let wa = w["attrs"].as_object().unwrap();
                assert_eq!(var.attrs.len(), wa.len(), "{what}: attrs {:?}", var.attrs);
                for (k, v) in wa {
                    let got = var
                        .attrs
                        .get(k)
                        .unwrap_or_else(|| panic!("{what}: attr {k} missing"));
                    assert_eq!(normalise(&attr_json(got)), normalise(v), "{what}: attr {k}");
                }
                assert_eq!(
                    normalise(&rsdat_values(&src, name)),
                    normalise(&w["values"]),
                    "{what}: values"
                );
            }
            // A window across chunk boundaries equals the slice of the whole.
            let whole = flat(&src.read("tmax", &[0, 0, 0], &[5, 4, 7]).unwrap());
            let part = flat(&src.read("tmax", &[1, 2, 3], &[3, 2, 4]).unwrap());
            let mut k = 0;
            for t in 1..4 {
                for y in 2..4 {
                    for x in 3..7 {
                        assert!(same(part[k], whole[(t * 4 + y) * 7 + x]), "{what}: window");
                        k += 1;
                    }
                }
            }
            let crs = ds.crs.as_ref().unwrap();
            assert_eq!(
                crs.grid_mapping.as_deref(),
                Some("lambert_conformal_conic"),
                "{what}"
            );
            assert_eq!(crs.wkt.as_deref(), Some(WKT), "{what}");
            assert_eq!(
                crs.proj4.as_deref(),
                Some("+proj=lcc +lat_1=25 +lat_2=60 +lat_0=42.5 +lon_0=-100 +x_0=0 +y_0=0 +a=6378137 +rf=298.257223563 +units=m +no_defs"),
                "{what}"
            );
            assert_eq!(
                ds.transform.map(|t| t.0),
                Some([-1_000_500.0, 1000.0, 0.0, 500_500.0, 0.0, -1000.0]),
                "{what}"
            );
            let compression = ds.variable("tmax").unwrap().compression.clone();
            let want_compression = if format == ZarrFormat::V2 {
                "blosc(lz4,5,shuffle)"
            } else {
                "zstd(0)"
            };
            assert_eq!(compression.as_deref(), Some(want_compression), "{what}");
        }
    }
}

#[test]
fn rsdat_copy_of_an_xarray_store_looks_the_same_to_xarray() {
    let fixtures = rsdat_testkit::fixtures(data("make_fixtures.py"));
    for format in [ZarrFormat::V2, ZarrFormat::V3] {
        let original = fixtures.join(format!("{format}.zarr"));
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("copy.zarr");
        for year in ["1980", "1981"] {
            let src = ZarrSource::open(&original, Some(year)).unwrap();
            let mut o = options(format, year);
            o.chunks = vec![("x".into(), 3), ("y".into(), 3)];
            convert(&src, &copy, &o, &|_, _| {}).unwrap();
        }
        for year in ["1980", "1981"] {
            let what = format!("{format} {year}");
            let (a, b) = (xarray_view(&original, year), xarray_view(&copy, year));
            for key in ["zarr_format", "dims", "coords", "data_vars", "attrs"] {
                assert_eq!(a[key], b[key], "{what}: {key}");
            }
            assert_eq!(b["warnings"], json!([]), "{what}");
            for (name, va) in a["variables"].as_object().unwrap() {
                let vb = &b["variables"][name];
                let what = format!("{what} {name}");
                assert_eq!(va["dims"], vb["dims"], "{what}");
                assert_eq!(va["values"], vb["values"], "{what}");
                assert_eq!(
                    va["encoding"]["_FillValue"], vb["encoding"]["_FillValue"],
                    "{what}"
                );
                assert_eq!(
                    va["encoding"]["coordinates"], vb["encoding"]["coordinates"],
                    "{what}"
                );
                if name != "station" {
                    // numpy `<U8` strings come back as variable-length (object) strings.
                    assert_eq!(va["dtype"], vb["dtype"], "{what}");
                    assert_eq!(va["encoding"]["dtype"], vb["encoding"]["dtype"], "{what}");
                }
                // The copy may add `spatial_ref`/`GeoTransform` to the grid mapping; nothing
                // else changes.
                for (k, v) in va["attrs"].as_object().unwrap() {
                    assert_eq!(&vb["attrs"][k], v, "{what}: attr {k}");
                }
                assert_eq!(
                    a["raw"][name]["values"], b["raw"][name]["values"],
                    "{what}: raw"
                );
            }
        }
    }
}
