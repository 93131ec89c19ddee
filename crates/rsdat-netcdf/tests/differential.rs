//! Every value rsdat reads equals what netCDF4-python reads, raw and CF-decoded, for files
//! written by netCDF4-python (NetCDF-4 chunked/contiguous, classic) and h5netcdf.
#![allow(clippy::unwrap_used, clippy::cast_precision_loss)]

use std::path::PathBuf;

use rsdat_model::{decode_f64, Source};
use rsdat_netcdf::NetcdfSource;
use serde_json::Value;

fn fixtures() -> PathBuf {
    rsdat_testkit::fixtures(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/make_fixtures.py"
    ))
}

fn as_f64(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Row-major slice of `flat` (shape `shape`) for the window start/count.
fn window(flat: &[f64], shape: &[usize], start: &[usize], count: &[usize]) -> Vec<f64> {
    let n: usize = count.iter().product();
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let (mut rem, mut idx) = (k, 0);
        let mut stride = 1;
        let mut offs = vec![0; shape.len()];
        for d in (0..shape.len()).rev() {
            offs[d] = rem % count[d];
            rem /= count[d];
        }
        for d in (0..shape.len()).rev() {
            idx += (start[d] + offs[d]) * stride;
            stride *= shape[d];
        }
        out.push(flat[idx]);
    }
    out
}

fn check(file: &str) {
    let dir = fixtures();
    let path = dir.join(file);
    let meta: Value =
        serde_json::from_slice(&std::fs::read(dir.join(format!("{file}.json"))).unwrap()).unwrap();
    let src = NetcdfSource::open(path.to_str().unwrap()).unwrap();
    let ds = src.dataset();
    for (name, len) in meta["dims"].as_object().unwrap() {
        assert_eq!(
            ds.dim_len(name),
            Some(len.as_u64().unwrap() as usize),
            "{file}: dim {name}"
        );
    }
    let mut seed = 7_u64;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % n.max(1)
    };
    for (name, m) in meta["vars"].as_object().unwrap() {
        let var = ds.variable(name).unwrap();
        let shape: Vec<usize> = m["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(var.shape, shape, "{file}:{name} shape");
        assert_eq!(
            var.dtype.name(),
            m["dtype"].as_str().unwrap(),
            "{file}:{name} dtype"
        );
        let dims: Vec<&str> = m["dims"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap())
            .collect();
        assert_eq!(var.dims, dims, "{file}:{name} dims");
        if let Some(chunks) = m["chunks"].as_array() {
            let chunks: Vec<usize> = chunks
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
                .collect();
            assert_eq!(var.chunks.as_ref(), Some(&chunks), "{file}:{name} chunks");
        }
        let raw: Vec<f64> = m["raw"].as_array().unwrap().iter().map(as_f64).collect();
        let decoded: Vec<f64> = m["decoded"]
            .as_array()
            .unwrap()
            .iter()
            .map(as_f64)
            .collect();
        let zeros = vec![0; shape.len()];
        let all = src.read(name, &zeros, &shape).unwrap();
        let got: Vec<f64> = all.to_f64().iter().copied().collect();
        assert!(
            got.iter().zip(&raw).all(|(&a, &b)| same(a, b)),
            "{file}:{name} raw values differ"
        );
        let dec: Vec<f64> = decode_f64(var, &all).iter().copied().collect();
        for (i, (&a, &b)) in dec.iter().zip(&decoded).enumerate() {
            assert!(
                same(a, b) || (a - b).abs() <= 1e-9 * b.abs(),
                "{file}:{name}[{i}] decoded {a} != {b}"
            );
        }
        for _ in 0..20 {
            let start: Vec<usize> = shape.iter().map(|&n| next(n)).collect();
            let count: Vec<usize> = shape
                .iter()
                .zip(&start)
                .map(|(&n, &s)| 1 + next(n - s))
                .collect();
            let w = src.read(name, &start, &count).unwrap();
            assert_eq!(w.shape(), count.as_slice());
            let want = window(&raw, &shape, &start, &count);
            let got: Vec<f64> = w.to_f64().iter().copied().collect();
            assert!(
                got.iter().zip(&want).all(|(&a, &b)| same(a, b)),
                "{file}:{name} window {start:?}+{count:?}"
            );
        }
    }
}

#[test]
fn netcdf4_chunked_deflate_shuffle_fill_scale_offset() {
    check("chunked.nc");
}

#[test]
fn netcdf4_contiguous_missing_value() {
    check("contiguous.nc");
}

#[test]
fn netcdf3_classic() {
    check("classic.nc");
}

#[test]
fn h5netcdf_gzip_nan_fill() {
    check("h5netcdf.nc");
}

#[test]
fn compression_and_time_are_described() {
    let dir = fixtures();
    let src = NetcdfSource::open(dir.join("chunked.nc").to_str().unwrap()).unwrap();
    let temp = src.dataset().variable("temp").unwrap();
    assert_eq!(temp.compression.as_deref(), Some("shuffle+deflate(4)"));
    let time = src.dataset().variable("time").unwrap();
    let t = rsdat_model::TimeUnits::parse(
        time.attrs.get_str("units").unwrap(),
        time.attrs.get_str("calendar"),
    )
    .unwrap();
    assert_eq!(t.to_iso(9.5), "1980-01-10T12:00:00");
    assert_eq!(
        src.dataset().attrs.get_str("title"),
        Some("chunked fixture")
    );
    assert_eq!(
        src.dataset().attrs.get("valid").unwrap().as_f64_vec(),
        Some(vec![1.5, 2.5])
    );
}

#[test]
fn reads_over_http_range_requests() {
    let dir = fixtures();
    let bytes = std::fs::read(dir.join("chunked.nc")).unwrap();
    let server = rsdat_testkit::http::Server::start(bytes);
    let url = format!("{}chunked.nc", server.url());
    let remote = NetcdfSource::open(&url).unwrap();
    let local = NetcdfSource::open(dir.join("chunked.nc").to_str().unwrap()).unwrap();
    let a = remote.read("temp", &[3, 5, 7], &[2, 9, 14]).unwrap();
    let b = local.read("temp", &[3, 5, 7], &[2, 9, 14]).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        remote.dataset().variable("temp").unwrap().chunks,
        Some(vec![1, 7, 11])
    );
    assert!(server.gets() >= 1);
}
