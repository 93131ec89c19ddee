use crate::Attributes;

/// A coordinate reference system, in the forms the source gave it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Crs {
    /// PROJ.4 string (`+proj=lcc ...`), the form used for transforms.
    pub proj4: Option<String>,
    /// EPSG code, when known.
    pub epsg: Option<u32>,
    /// OGC WKT, when the source carried it.
    pub wkt: Option<String>,
    /// CF grid-mapping attributes (`grid_mapping_name`, ...), as written to NetCDF and Zarr.
    pub cf: Attributes,
    /// Name of the grid-mapping variable the CRS came from (e.g. `lambert_conformal_conic`).
    pub grid_mapping: Option<String>,
}

/// A GDAL-order affine transform: `x = c0 + col*c1 + row*c2`, `y = c3 + col*c4 + row*c5`,
/// where (col, row) = (0, 0) is the outer corner of the first pixel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoTransform(pub [f64; 6]);

impl GeoTransform {
    /// CRS coordinates of the corner of pixel (col, row); use `col + 0.5` for centres.
    #[must_use]
    pub fn apply(&self, col: f64, row: f64) -> (f64, f64) {
        let t = &self.0;
        (
            t[0] + col * t[1] + row * t[2],
            t[3] + col * t[4] + row * t[5],
        )
    }

    /// True when there is no rotation or shear.
    #[must_use]
    pub fn is_north_up(&self) -> bool {
        self.0[2] == 0.0 && self.0[4] == 0.0
    }

    /// The transform of a regular grid whose pixel centres are `x` and `y`
    /// (at least two of each, evenly spaced).
    #[must_use]
    pub fn from_centres(x: &[f64], y: &[f64]) -> Option<Self> {
        let (dx, dy) = (step(x)?, step(y)?);
        Some(Self([x[0] - dx / 2.0, dx, 0.0, y[0] - dy / 2.0, 0.0, dy]))
    }
}

/// The spacing of an evenly spaced vector, within a relative tolerance.
fn step(v: &[f64]) -> Option<f64> {
    if v.len() < 2 {
        return None;
    }
    let d = v[1] - v[0];
    #[allow(clippy::cast_precision_loss)]
    let expected_last = v[0] + d * (v.len() - 1) as f64;
    let tol = d.abs() * 1e-6 * v.len() as f64;
    ((v[v.len() - 1] - expected_last).abs() <= tol && d != 0.0).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centres_round_trip() {
        let t = GeoTransform::from_centres(&[0.5, 1.5, 2.5], &[9.5, 8.5]).expect("regular");
        assert_eq!(t.0, [0.0, 1.0, 0.0, 10.0, 0.0, -1.0]);
        assert_eq!(t.apply(1.5, 0.5), (1.5, 9.5));
        assert!(GeoTransform::from_centres(&[0.0, 1.0, 5.0], &[0.0, 1.0]).is_none());
    }
}

impl Crs {
    /// The CRS described by a CF grid-mapping variable `name` with attributes `cf`:
    /// keeps the attributes and derives a PROJ.4 string for the common mappings.
    #[must_use]
    pub fn from_cf(name: &str, cf: &Attributes) -> Self {
        Self {
            proj4: cf_to_proj4(cf),
            epsg: cf
                .get_f64("epsg_code")
                .or_else(|| {
                    cf.get_str("epsg_code")
                        .and_then(|s| s.trim_start_matches("EPSG:").parse().ok())
                })
                .and_then(|c| u32::try_from(c as i64).ok()),
            wkt: cf
                .get_str("crs_wkt")
                .or_else(|| cf.get_str("spatial_ref"))
                .map(str::to_owned),
            cf: cf.clone(),
            grid_mapping: Some(name.to_owned()),
        }
    }
}

/// PROJ.4 text for a CF grid mapping, or `None` when the mapping is not one rsdat knows.
fn cf_to_proj4(cf: &Attributes) -> Option<String> {
    let num = |k: &str| cf.get_f64(k);
    let mut p = match cf.get_str("grid_mapping_name")? {
        "lambert_conformal_conic" => {
            let sp = cf.get("standard_parallel")?.as_f64_vec()?;
            let (s1, s2) = (sp[0], *sp.get(1).unwrap_or(&sp[0]));
            format!(
                "+proj=lcc +lat_1={s1} +lat_2={s2} +lat_0={} +lon_0={}",
                num("latitude_of_projection_origin")?,
                num("longitude_of_central_meridian")?
            )
        }
        "albers_conical_equal_area" => {
            let sp = cf.get("standard_parallel")?.as_f64_vec()?;
            let (s1, s2) = (sp[0], *sp.get(1).unwrap_or(&sp[0]));
            format!(
                "+proj=aea +lat_1={s1} +lat_2={s2} +lat_0={} +lon_0={}",
                num("latitude_of_projection_origin")?,
                num("longitude_of_central_meridian")?
            )
        }
        "transverse_mercator" => format!(
            "+proj=tmerc +lat_0={} +lon_0={} +k={}",
            num("latitude_of_projection_origin")?,
            num("longitude_of_central_meridian")?,
            num("scale_factor_at_central_meridian").unwrap_or(1.0)
        ),
        "polar_stereographic" => format!(
            "+proj=stere +lat_0={} +lat_ts={} +lon_0={}",
            num("latitude_of_projection_origin")?,
            num("standard_parallel").unwrap_or(90.0),
            num("straight_vertical_longitude_from_pole")?
        ),
        "latitude_longitude" => "+proj=longlat".to_owned(),
        _ => return None,
    };
    if !p.starts_with("+proj=longlat") {
        p += &format!(
            " +x_0={} +y_0={}",
            num("false_easting").unwrap_or(0.0),
            num("false_northing").unwrap_or(0.0)
        );
    }
    match (num("semi_major_axis"), num("inverse_flattening")) {
        (Some(a), Some(rf))
            if (a - 6_378_137.0).abs() < 1e-6 && (rf - 298.257_223_563).abs() < 1e-6 =>
        {
            p += " +datum=WGS84";
        }
        (Some(a), Some(rf)) => p += &format!(" +a={a} +rf={rf}"),
        (Some(a), None) => p += &format!(" +a={a} +b={}", num("semi_minor_axis").unwrap_or(a)),
        _ => p += " +datum=WGS84",
    }
    if !p.starts_with("+proj=longlat") {
        p += " +units=m";
    }
    p += " +no_defs";
    Some(p)
}

#[cfg(test)]
mod cf_tests {
    use super::*;
    use crate::AttrValue;

    #[test]
    fn daymet_lcc() {
        let cf: Attributes = [
            (
                "grid_mapping_name",
                AttrValue::from("lambert_conformal_conic"),
            ),
            ("longitude_of_central_meridian", AttrValue::from(-100.0)),
            ("latitude_of_projection_origin", AttrValue::from(42.5)),
            ("false_easting", AttrValue::from(0.0)),
            ("false_northing", AttrValue::from(0.0)),
            ("standard_parallel", AttrValue::Float(vec![25.0, 60.0])),
            ("semi_major_axis", AttrValue::from(6_378_137.0)),
            ("inverse_flattening", AttrValue::from(298.257_223_563)),
        ]
        .into_iter()
        .collect();
        let crs = Crs::from_cf("lambert_conformal_conic", &cf);
        assert_eq!(
            crs.proj4.as_deref(),
            Some("+proj=lcc +lat_1=25 +lat_2=60 +lat_0=42.5 +lon_0=-100 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs")
        );
    }
}
