//! Day length from latitude: the empirical formula of the SI-x toolbox.

/// Day length in hours on day `day` (1-based day of year) at latitude `lat_deg` (degrees north),
/// by the toolbox's empirical formula, clamped to 1..=23 hours.
///
/// With the "climatological day" C = day + 306 for day <= 60, else day - 60, and tan taken of
/// the latitude in radians:
/// - lat < 40: L = 12.14 + 3.34 tan(lat) cos(0.0172 C - 1.95)
/// - otherwise: L = 12.25 + (1.6164 + 1.7643 tan²(lat)) cos(0.0172 C - 1.95)
///
/// The `matlab` preset always uses it; the station workflow uses it for the `rsdat` preset when
/// no `dayl` column is given. NaN latitude gives NaN.
#[must_use]
pub fn day_length_hours(lat_deg: f64, day: u32) -> f64 {
    let c = f64::from(if day <= 60 { day + 306 } else { day - 60 });
    let tan = (lat_deg * std::f64::consts::PI / 180.0).tan();
    let wave = (0.0172 * c - 1.95).cos();
    let l = if lat_deg < 40.0 {
        12.14 + 3.34 * tan * wave
    } else {
        12.25 + (1.6164 + 1.7643 * tan * tan) * wave
    };
    // `clamp` keeps NaN as NaN.
    l.clamp(1.0, 23.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seasonal_shape() {
        // Mid-latitude: short in winter, long in summer, about 12 h at the equinoxes.
        let winter = day_length_hours(40.0, 1);
        let summer = day_length_hours(40.0, 172);
        assert!(winter < 10.0 && summer > 14.0, "{winter} {summer}");
        assert!((day_length_hours(0.0, 80) - 12.14).abs() < 1e-12);
        assert!(day_length_hours(f64::NAN, 10).is_nan());
    }

    #[test]
    fn clamped() {
        assert_eq!(day_length_hours(80.0, 172), 23.0);
        assert_eq!(day_length_hours(80.0, 1), 1.0);
    }

    #[test]
    fn climatological_day_wraps_after_day_60() {
        // Day 60 maps to 366, day 61 to 1: the curve is continuous there.
        let a = day_length_hours(45.0, 60);
        let b = day_length_hours(45.0, 61);
        assert!((a - b).abs() < 0.05, "{a} {b}");
    }
}
