//! The affine transform from ModelPixelScale + ModelTiepoint or ModelTransformation,
//! following GDAL, PixelIsPoint shift included.

use rsdat_model::GeoTransform;

/// The GDAL-order transform of an image, as GDAL derives it.
///
/// A pixel scale with one tie point gives a north-up transform (`ScaleY` counts
/// downwards, whatever its sign, as GDAL's default); otherwise a 4x4 model matrix is
/// used. Several tie points without a scale are ground control points: no transform.
/// With `PixelIsPoint`, the origin moves half a pixel up-left, as GDAL does unless
/// `GTIFF_POINT_GEO_IGNORE` is set.
pub(crate) fn geo_transform(
    scale: Option<&[f64]>,
    tiepoints: Option<&[f64]>,
    matrix: Option<&[f64]>,
    pixel_is_point: bool,
) -> Option<GeoTransform> {
    let mut t = match (scale, tiepoints, matrix) {
        (Some(&[sx, sy, ..]), Some(&[i, j, _, x, y, ..]), _) if sx != 0.0 && sy != 0.0 => {
            let (t1, t5) = (sx, -sy.abs());
            [x - i * t1, t1, 0.0, y - j * t5, 0.0, t5]
        }
        (_, _, Some(m)) if m.len() >= 16 => [m[3], m[0], m[1], m[7], m[4], m[5]],
        _ => return None,
    };
    if t.iter().any(|v| !v.is_finite()) {
        return None;
    }
    if pixel_is_point {
        t[0] -= t[1] * 0.5 + t[2] * 0.5;
        t[3] -= t[4] * 0.5 + t[5] * 0.5;
    }
    Some(GeoTransform(t))
}

/// The transform of an overview of `width` x `height` pixels of a `full_width` x
/// `full_height` image: pixel sizes grow by the size ratios, as GDAL computes them.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn overview_transform(
    t: &GeoTransform,
    (full_width, full_height): (usize, usize),
    (width, height): (usize, usize),
) -> GeoTransform {
    let rx = full_width as f64 / width as f64;
    let ry = full_height as f64 / height as f64;
    let g = t.0;
    GeoTransform([g[0], g[1] * rx, g[2] * ry, g[3], g[4] * rx, g[5] * ry])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiepoint_and_scale() {
        let t = geo_transform(
            Some(&[10.0, 10.0, 0.0]),
            Some(&[0.0, 0.0, 0.0, 600_000.0, 5_700_000.0, 0.0]),
            None,
            false,
        );
        assert_eq!(
            t,
            Some(GeoTransform([
                600_000.0,
                10.0,
                0.0,
                5_700_000.0,
                0.0,
                -10.0
            ]))
        );
        let p = geo_transform(
            Some(&[10.0, 10.0, 0.0]),
            Some(&[0.0, 0.0, 0.0, 600_005.0, 5_699_995.0, 0.0]),
            None,
            true,
        );
        assert_eq!(p, t);
    }

    #[test]
    fn matrix_and_gcps() {
        let m = [
            2.0, 0.5, 0.0, 100.0, 0.25, -2.0, 0.0, 200.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0,
        ];
        assert_eq!(
            geo_transform(None, None, Some(&m), false),
            Some(GeoTransform([100.0, 2.0, 0.5, 200.0, 0.25, -2.0]))
        );
        let gcps = [0.0, 0.0, 0.0, 1.0, 2.0, 0.0, 5.0, 5.0, 0.0, 3.0, 4.0, 0.0];
        assert_eq!(geo_transform(None, Some(&gcps), None, false), None);
    }
}
