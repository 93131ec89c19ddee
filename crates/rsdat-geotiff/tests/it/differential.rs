//! Differential tests: every value and every piece of metadata rsdat reads equals what
//! rasterio (GDAL) reads from the same file.

use rsdat_geotiff::{GeoTiff, BAND_DATA};
use rsdat_model::{AttrValue, GeoTransform, Source};
use serde_json::Value;

use crate::support::{assert_same, readable, slice, Fixture};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn assert_transform(t: Option<&GeoTransform>, want: &Value, what: &str) {
    match (t, want.as_array()) {
        (None, None) => {}
        (Some(t), Some(w)) => {
            for (i, (a, b)) in t.0.iter().zip(w).enumerate() {
                let b = b.as_f64().expect("number");
                assert!(close(*a, b), "{what}: transform[{i}] is {a}, rasterio {b}");
            }
        }
        (t, _) => panic!("{what}: transform {t:?}, rasterio {want}"),
    }
}

/// PROJ.4 parameters as a sorted list, `+south=True` read as `+south`.
fn proj_params(s: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = s
        .split_whitespace()
        .filter_map(|p| p.strip_prefix('+'))
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                k.to_owned(),
                if v == "True" {
                    String::new()
                } else {
                    v.to_owned()
                },
            )
        })
        .collect();
    v.sort();
    v
}

fn assert_proj4(ours: Option<&str>, theirs: Option<&str>, what: &str) {
    let (Some(ours), Some(theirs)) = (ours, theirs) else {
        assert_eq!(
            ours.is_some(),
            theirs.is_some(),
            "{what}: proj4 {ours:?} vs {theirs:?}"
        );
        return;
    };
    let (a, b) = (proj_params(ours), proj_params(theirs));
    let keys = |v: &[(String, String)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(
        keys(&a),
        keys(&b),
        "{what}: `{ours}` vs rasterio `{theirs}`"
    );
    for ((k, x), (_, y)) in a.iter().zip(&b) {
        let same = match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(x), Ok(y)) => close(x, y),
            _ => x == y,
        };
        assert!(same, "{what}: +{k}={x}, rasterio +{k}={y}");
    }
}

fn open(f: &Fixture) -> GeoTiff {
    GeoTiff::open(f.url()).unwrap_or_else(|e| panic!("{}: {e}", f.name))
}

#[test]
fn metadata_matches_rasterio() {
    for f in readable() {
        let tif = open(&f);
        let ds = tif.dataset();
        let m = &f.meta;
        let what = f.name.as_str();
        let [count, height, width] = f.shape();
        let var = ds.variable(BAND_DATA).expect("band_data");
        assert_eq!(var.dims, ["band", "y", "x"], "{what}");
        assert_eq!(var.shape, [count, height, width], "{what}");
        assert_eq!(
            var.dtype.name(),
            m["dtype"].as_str().expect("dtype"),
            "{what}"
        );
        let [bh, bw] = f.block();
        assert_eq!(var.chunks, Some(vec![1, bh, bw]), "{what}: chunks");
        assert_eq!(
            var.compression.as_deref(),
            m["compression"].as_str(),
            "{what}: compression"
        );
        assert_eq!(ds.variable_names(), ["band", "y", "x", BAND_DATA], "{what}");
        assert_transform(ds.transform.as_ref(), &m["transform"], what);
        let crs = ds.crs.as_ref();
        let epsg = m["epsg"].as_u64().map(|e| u32::try_from(e).expect("epsg"));
        assert_eq!(crs.and_then(|c| c.epsg), epsg, "{what}: EPSG");
        assert_proj4(
            crs.and_then(|c| c.proj4.as_deref()),
            m["proj4"].as_str(),
            what,
        );
        match &m["nodata"] {
            Value::Null => assert_eq!(var.attrs.get("_FillValue"), None, "{what}"),
            Value::String(s) if s == "nan" => {
                assert!(
                    var.fill_value().is_some_and(f64::is_nan),
                    "{what}: NaN nodata"
                );
            }
            n => assert_eq!(var.fill_value(), n.as_f64(), "{what}: nodata"),
        }
        assert_eq!(
            var.attrs.get_str("AREA_OR_POINT"),
            m["area_or_point"].as_str(),
            "{what}"
        );
        let scale = m["scales"][0].as_f64().expect("scale");
        let offset = m["offsets"][0].as_f64().expect("offset");
        assert_eq!(
            var.attrs.get_f64("scale_factor").unwrap_or(1.0),
            scale,
            "{what}"
        );
        assert_eq!(
            var.attrs.get_f64("add_offset").unwrap_or(0.0),
            offset,
            "{what}"
        );
        for (k, v) in m["tags"].as_object().expect("tags") {
            assert_eq!(ds.attrs.get_str(k), v.as_str(), "{what}: tag {k}");
        }
        let overviews = m["overviews"].as_array().expect("overviews").len();
        assert_eq!(tif.overview_count(), overviews, "{what}: overviews");
        let band = tif.read("band", &[0], &[count]).expect("band");
        assert_eq!(
            band.to_f64().iter().copied().collect::<Vec<_>>(),
            (1..=count).map(|b| b as f64).collect::<Vec<_>>()
        );
        if crs.is_some() {
            assert_eq!(
                var.attrs.get("grid_mapping"),
                Some(&AttrValue::from("spatial_ref"))
            );
        }
    }
}

#[test]
fn full_reads_match_rasterio() {
    for f in readable() {
        let tif = open(&f);
        let [count, height, width] = f.shape();
        let v = tif
            .read(BAND_DATA, &[0, 0, 0], &[count, height, width])
            .unwrap_or_else(|e| panic!("{}: {e:?}", f.name));
        assert_same(&v, &f.expected(""), &f.name);
    }
}

/// Windows that cross chunk boundaries, hit edge chunks, and take band subsets.
fn windows(shape: [usize; 3], chunk: [usize; 2]) -> Vec<([usize; 3], [usize; 3])> {
    let [nb, h, w] = shape;
    let [ch, cw] = chunk;
    let span = |n: usize, c: usize, before: usize, after: usize| {
        let s = c.saturating_sub(before).min(n - 1);
        (s, (c + after).min(n) - s)
    };
    let (y0, ny) = span(h, ch, 3, 5);
    let (x0, nx) = span(w, cw, 7, cw + 3);
    let mut out = vec![
        ([0, y0, x0], [nb, ny, nx]),
        ([nb - 1, 0, w / 3], [1, h, 5.min(w - w / 3)]),
        ([0, h - 1, w - 1], [nb, 1, 1]),
        ([0, h / 2, 0], [1, 1, w]),
        ([0, 0, 0], [nb, 1.max(h / 4), 1.max(w / 4)]),
    ];
    if nb > 1 {
        out.push(([1, y0, 0], [nb - 1, ny, w]));
    }
    out
}

#[test]
fn windows_across_chunks_match_rasterio() {
    for f in readable() {
        let tif = open(&f);
        let shape = f.shape();
        let expected = f.expected("");
        for (start, count) in windows(shape, f.block()) {
            let v = tif
                .read(BAND_DATA, &start, &count)
                .unwrap_or_else(|e| panic!("{} {start:?}+{count:?}: {e:?}", f.name));
            assert_eq!(v.shape(), count, "{}", f.name);
            let what = format!("{} window {start:?}+{count:?}", f.name);
            assert_same(&v, &slice(&expected, shape, start, count), &what);
        }
    }
}

#[test]
fn coordinates_match_rioxarray() {
    for f in readable() {
        let tif = open(&f);
        let [_, height, width] = f.shape();
        for (axis, n) in [("x", width), ("y", height)] {
            let bytes = std::fs::read(f.path.with_file_name(format!("{}.{axis}.bin", f.name)))
                .expect("coordinates");
            let want = crate::support::decode("float64", &bytes);
            let got = tif.read(axis, &[0], &[n]).expect("coordinates").to_f64();
            for (i, (a, b)) in got.iter().zip(&want).enumerate() {
                assert!(close(*a, *b), "{} {axis}[{i}] = {a}, rioxarray {b}", f.name);
            }
            let part = tif
                .read(axis, &[n / 2], &[n - n / 2])
                .expect("part")
                .to_f64();
            assert_eq!(
                part.as_slice().expect("1-D"),
                &got.as_slice().expect("1-D")[n / 2..]
            );
        }
    }
}

#[test]
fn overviews_match_rasterio() {
    let mut seen = 0;
    for f in readable() {
        let tif = open(&f);
        let count = f.shape()[0];
        for (k, level) in f.meta["overview_levels"]
            .as_array()
            .expect("levels")
            .iter()
            .enumerate()
        {
            seen += 1;
            let what = format!("{} overview {k}", f.name);
            let ov = tif.overview(k).expect("overview");
            assert_eq!(ov.level(), Some(k));
            let n = |key: &str| usize::try_from(level[key].as_u64().expect(key)).expect("fits");
            let (w, h) = (n("width"), n("height"));
            assert_eq!(ov.size(), (w, h), "{what}");
            assert_transform(ov.dataset().transform.as_ref(), &level["transform"], &what);
            let expected = f.expected(&format!(".ovr{k}"));
            let v = ov
                .read(BAND_DATA, &[0, 0, 0], &[count, h, w])
                .expect("overview read");
            assert_same(&v, &expected, &what);
            let chunks = ov
                .dataset()
                .variable(BAND_DATA)
                .expect("var")
                .chunks
                .clone()
                .expect("chunks");
            for (start, cnt) in windows([count, h, w], [chunks[1], chunks[2]]) {
                let v = ov.read(BAND_DATA, &start, &cnt).expect("overview window");
                let what = format!("{what} window {start:?}+{cnt:?}");
                assert_same(&v, &slice(&expected, [count, h, w], start, cnt), &what);
            }
            // Levels count from the file's list, also from an overview view.
            assert_eq!(ov.overview(k).expect("same level").size(), (w, h));
        }
    }
    assert!(
        seen >= 4,
        "the COG and the masked float64 file have two overviews each"
    );
}
