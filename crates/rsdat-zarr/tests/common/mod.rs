//! Shared test data: an in-memory [`Source`] shaped like a small SI-x/Daymet group.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation
)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{ArrayD, IxDyn};
use rsdat_model::{
    check_window, window_slice, AttrValue, Crs, DType, Dataset, Dimension, GeoTransform, Source,
    Values, Variable,
};
use rsdat_zarr::{ConvertOptions, StoreOptions, ZarrFormat};

/// Conversion options writing `format` into `group`.
pub(crate) fn options(format: ZarrFormat, group: &str) -> ConvertOptions {
    ConvertOptions {
        store: StoreOptions {
            format: Some(format),
            ..StoreOptions::default()
        },
        group: Some(group.to_owned()),
        ..ConvertOptions::default()
    }
}

/// WKT of Daymet's Lambert conformal conic.
pub(crate) const WKT: &str = r#"PROJCS["unnamed",GEOGCS["WGS 84",DATUM["unknown",SPHEROID["WGS84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["latitude_of_origin",42.5],PARAMETER["central_meridian",-100],PARAMETER["standard_parallel_1",25],PARAMETER["standard_parallel_2",60],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1]]"#;

pub(crate) const PLANTS: [&str; 3] = ["lilac", "arnold red", "zabelii"];

/// An in-memory dataset.
#[derive(Debug, Default)]
pub(crate) struct MemSource {
    pub(crate) dataset: Dataset,
    pub(crate) values: HashMap<String, Values>,
    pub(crate) text: HashMap<String, ArrayD<String>>,
    pub(crate) reads: AtomicUsize,
}

impl Source for MemSource {
    fn dataset(&self) -> &Dataset {
        &self.dataset
    }
    fn location(&self) -> &str {
        "memory"
    }
    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> rsdat_model::Result<Values> {
        check_window(&self.dataset, "memory", var, start, count)?;
        self.reads.fetch_add(1, Ordering::Relaxed);
        Ok(self.values[var].window(start, count))
    }
    fn read_text(
        &self,
        var: &str,
        start: &[usize],
        count: &[usize],
    ) -> rsdat_model::Result<ArrayD<String>> {
        check_window(&self.dataset, "memory", var, start, count)?;
        Ok(self.text[var]
            .slice(window_slice(start, count).as_slice())
            .to_owned())
    }
}

impl MemSource {
    pub(crate) fn add(&mut self, var: Variable, values: Values) {
        assert_eq!(var.shape, values.shape(), "{}", var.name);
        for (d, &n) in var.dims.iter().zip(&var.shape) {
            if self.dataset.dim_len(d).is_none() {
                self.dataset.dims.push(Dimension::new(d.clone(), n));
            }
        }
        self.values.insert(var.name.clone(), values);
        self.dataset.variables.push(var);
    }

    pub(crate) fn add_text(&mut self, var: Variable, values: Vec<&str>) {
        let arr = ArrayD::from_shape_vec(
            IxDyn(&var.shape),
            values.into_iter().map(String::from).collect(),
        )
        .unwrap();
        for (d, &n) in var.dims.iter().zip(&var.shape) {
            if self.dataset.dim_len(d).is_none() {
                self.dataset.dims.push(Dimension::new(d.clone(), n));
            }
        }
        self.text.insert(var.name.clone(), arr);
        self.dataset.variables.push(var);
    }
}

pub(crate) fn dims(pairs: &[(&str, usize)]) -> Vec<(String, usize)> {
    pairs.iter().map(|&(d, n)| (d.to_owned(), n)).collect()
}

pub(crate) fn arr<T>(shape: &[usize], v: Vec<T>) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(shape), v).unwrap()
}

/// Daymet's grid mapping attributes.
pub(crate) fn lcc_crs() -> Crs {
    let mut cf = rsdat_model::Attributes::new();
    cf.insert("grid_mapping_name", "lambert_conformal_conic");
    cf.insert("longitude_of_central_meridian", -100.0);
    cf.insert("latitude_of_projection_origin", 42.5);
    cf.insert("false_easting", 0.0);
    cf.insert("false_northing", 0.0);
    cf.insert("standard_parallel", AttrValue::Float(vec![25.0, 60.0]));
    cf.insert("semi_major_axis", 6_378_137.0);
    cf.insert("inverse_flattening", 298.257_223_563);
    Crs {
        wkt: Some(WKT.to_owned()),
        cf,
        grid_mapping: Some("lambert_conformal_conic".to_owned()),
        ..Crs::default()
    }
}

/// A small year of data: coordinates x, y, time, plant (text); tmax (f32 with NaN, source
/// chunks 2x3x4 that do not divide 5x4x7), si (i16 with _FillValue -9999), mask (u8);
/// the LCC CRS; global attributes.
pub(crate) fn sample(year: i64) -> MemSource {
    let (nt, ny, nx, np) = (5, 4, 7, 3);
    let mut s = MemSource::default();
    let xs: Vec<f64> = (0..nx).map(|i| -1_000_000.0 + 1000.0 * i as f64).collect();
    let ys: Vec<f64> = (0..ny).map(|i| 500_000.0 - 1000.0 * i as f64).collect();
    let mut x = Variable::new("x", DType::F64, dims(&[("x", nx)]));
    x.attrs.insert("units", "m");
    x.attrs.insert("standard_name", "projection_x_coordinate");
    s.add(x, Values::F64(arr(&[nx], xs.clone())));
    let mut y = Variable::new("y", DType::F64, dims(&[("y", ny)]));
    y.attrs.insert("units", "m");
    s.add(y, Values::F64(arr(&[ny], ys.clone())));
    let mut t = Variable::new("time", DType::F64, dims(&[("time", nt)]));
    t.attrs
        .insert("units", format!("days since {year}-01-01 00:00:00"));
    t.attrs.insert("calendar", "standard");
    s.add(
        t,
        Values::F64(arr(&[nt], (0..nt).map(|i| i as f64).collect())),
    );
    s.add_text(
        Variable::new("plant", DType::Text, dims(&[("plant", np)])),
        PLANTS.to_vec(),
    );

    let mut tmax = Variable::new(
        "tmax",
        DType::F32,
        dims(&[("time", nt), ("y", ny), ("x", nx)]),
    );
    tmax.chunks = Some(vec![2, 3, 4]);
    tmax.attrs.insert("units", "degC");
    tmax.attrs.insert("long_name", "daily maximum temperature");
    let tv: Vec<f32> = (0..nt * ny * nx)
        .map(|i| {
            if i % 11 == 3 {
                f32::NAN
            } else {
                (i as f32) * 0.25 - 3.0 + year as f32 * 0.001
            }
        })
        .collect();
    s.add(tmax, Values::F32(arr(&[nt, ny, nx], tv)));

    let mut si = Variable::new(
        "si",
        DType::I16,
        dims(&[("plant", np), ("y", ny), ("x", nx)]),
    );
    si.chunks = Some(vec![1, ny, nx]);
    si.attrs.insert("long_name", "first leaf");
    si.attrs.insert("units", "day of year");
    si.attrs.insert("_FillValue", AttrValue::Int(vec![-9999]));
    let sv: Vec<i16> = (0..np * ny * nx)
        .map(|i| {
            if i % 7 == 0 {
                -9999
            } else {
                60 + (i % 80) as i16
            }
        })
        .collect();
    s.add(si, Values::I16(arr(&[np, ny, nx], sv)));

    let mask = Variable::new("mask", DType::U8, dims(&[("y", ny), ("x", nx)]));
    s.add(
        mask,
        Values::U8(arr(
            &[ny, nx],
            (0..ny * nx).map(|i| (i % 3 == 0) as u8).collect(),
        )),
    );

    s.dataset.crs = Some(lcc_crs());
    s.dataset.transform = GeoTransform::from_centres(&xs, &ys);
    s.dataset.attrs.insert("title", format!("sample {year}"));
    s.dataset
        .attrs
        .insert("years", AttrValue::Int(vec![year, year]));
    s.dataset.attrs.insert("base_temp_c", 10.0);
    s
}

/// True when `a` and `b` are equal numbers or both NaN.
pub(crate) fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Flat f64 values of a block.
pub(crate) fn flat(v: &Values) -> Vec<f64> {
    v.to_f64().iter().copied().collect()
}

/// Names in `dir`, sorted.
pub(crate) fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}
