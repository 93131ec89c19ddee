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
