//! Lon/lat boxes in a grid's CRS, as rioxarray's `transform_bounds` finds them.

use crate::{Crs, Error, Result};

/// Points per edge when densifying a box: straight lines in lon/lat are curves in most CRSs.
const DENSIFY: u32 = 21;

impl Crs {
    /// The bounds `[xmin, ymin, xmax, ymax]` in this CRS of the lon/lat box `[W, S, E, N]`
    /// (degrees), from its edges densified to 21 points each, as `rasterio.warp.
    /// transform_bounds(..., densify_pts=21)` computes them.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the CRS has no PROJ.4 form rsdat understands or a point cannot
    /// be projected.
    pub fn bounds_from_lonlat(&self, [w, s, e, n]: [f64; 4]) -> Result<[f64; 4]> {
        let text = self.proj4.as_deref().ok_or_else(|| {
            Error::Invalid(format!(
                "the CRS{} has no form rsdat can project to",
                self.grid_mapping
                    .as_deref()
                    .map_or(String::new(), |g| format!(" `{g}`"))
            ))
        })?;
        let grid = proj4rs::proj::Proj::from_proj_string(text)
            .map_err(|e| Error::Invalid(format!("CRS `{text}`: {e}")))?;
        let wgs = proj4rs::proj::Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs")
            .map_err(|e| Error::Invalid(format!("WGS84: {e}")))?;
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for k in 0..DENSIFY {
            let f = f64::from(k) / f64::from(DENSIFY - 1);
            for (lon, lat) in [
                (w + f * (e - w), s),
                (w + f * (e - w), n),
                (w, s + f * (n - s)),
                (e, s + f * (n - s)),
            ] {
                let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
                proj4rs::transform::transform(&wgs, &grid, &mut p)
                    .map_err(|err| Error::Invalid(format!("cannot project {lon},{lat}: {err}")))?;
                if text.starts_with("+proj=longlat") {
                    p = (p.0.to_degrees(), p.1.to_degrees(), p.2);
                }
                b = [b[0].min(p.0), b[1].min(p.1), b[2].max(p.0), b[3].max(p.1)];
            }
        }
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use crate::{AttrValue, Attributes, Crs};

    #[test]
    fn daymet_lcc_box_is_in_metres_and_densified() {
        let mut cf = Attributes::new();
        cf.insert("grid_mapping_name", "lambert_conformal_conic");
        cf.insert("standard_parallel", AttrValue::Float(vec![25.0, 60.0]));
        cf.insert(
            "latitude_of_projection_origin",
            AttrValue::Float(vec![42.5]),
        );
        cf.insert(
            "longitude_of_central_meridian",
            AttrValue::Float(vec![-100.0]),
        );
        let crs = Crs::from_cf("lambert_conformal_conic", &cf);
        let [x0, y0, x1, y1] = crs
            .bounds_from_lonlat([-101.0, 42.0, -99.0, 43.0])
            .expect("box");
        // about 160 km wide around the central meridian, 110 km tall around the origin
        assert!(
            x0 < -70e3 && x1 > 70e3 && (x1 + x0).abs() < 1e3,
            "{x0} {x1}"
        );
        assert!(y0 < -50e3 && y1 > 50e3, "{y0} {y1}");
        // parallels are arcs around the pole: the southern edge dips lowest at the central
        // meridian, between its corners, and only densifying finds that
        let sw = crs
            .bounds_from_lonlat([-101.0, 42.0, -101.0 + 1e-9, 42.0 + 1e-9])
            .expect("corner");
        assert!(y0 < sw[1] - 100.0, "{y0} vs corner {}", sw[1]);
        assert!(Crs::default()
            .bounds_from_lonlat([0.0, 0.0, 1.0, 1.0])
            .is_err());
    }
}
