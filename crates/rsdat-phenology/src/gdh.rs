//! Growing degree hours (GDH) of one day from Tmin, Tmax and day length.
//!
//! The day is modelled hour by hour (h = 0..23): a sine rise from Tmin up to sunset, then a
//! logarithmic decay towards Tmin. The 24 sines come from one `sin_cos` by the angle-addition
//! recurrence and the night's logarithms from a table, so a cell-day costs four transcendental
//! calls.

use std::f64::consts::PI;
use std::sync::LazyLock;

/// Base temperature of the model, °F.
pub(crate) const BASE_TEMP_F: f64 = 31.0;

/// ln(k) for k = 0..=24 (index 0 unused: the night branch has k >= 1).
static LN_TABLE: LazyLock<[f64; 25]> = LazyLock::new(|| {
    let mut t = [0.0; 25];
    for (k, v) in t.iter_mut().enumerate().skip(1) {
        *v = f64::from(u8::try_from(k).unwrap_or(u8::MAX)).ln();
    }
    t
});

/// The logarithm table, fetched once per row-day by callers.
pub(crate) fn ln_table() -> &'static [f64; 25] {
    &LN_TABLE
}

/// Growing degree hours of one day, base 31 °F, as the seed formulation computes it.
///
/// `tmin_f`, `tmax_f` in °F, `day_length_h` in hours. With DT = Tmax - Tmin, IDL = floor(L) and
/// w = π / (L + 4): T(h) = Tmin + DT sin(w h) for h <= IDL; after sunset
/// T(h) = TS - (TS - Tmin) ln(h - IDL) / ln(24 - L) with TS = Tmin + DT sin(w L); the result is
/// the sum over h = 0..23 of max(T(h) - 31, 0). Any NaN input gives NaN.
#[must_use]
pub fn growing_degree_hours(tmin_f: f64, tmax_f: f64, day_length_h: f64) -> f64 {
    gdh(tmin_f, tmax_f, day_length_h, false, ln_table())
}

/// GDH of one day; `toolbox_clamps` applies the toolbox's guards (Tmin == 0 -> 0.01,
/// Tmax == Tmin -> Tmax + 0.01, TS <= 0 -> 0.01).
#[inline]
pub(crate) fn gdh(
    tmin: f64,
    tmax: f64,
    day_length_h: f64,
    toolbox_clamps: bool,
    ln: &[f64; 25],
) -> f64 {
    if tmin.is_nan() || tmax.is_nan() || day_length_h.is_nan() {
        return f64::NAN;
    }
    let (tmin, tmax) = if toolbox_clamps {
        let tmin = if tmin == 0.0 { 0.01 } else { tmin };
        let tmax = if tmax == tmin { tmax + 0.01 } else { tmax };
        (tmin, tmax)
    } else {
        (tmin, tmax)
    };
    let l = day_length_h;
    let dt = tmax - tmin;
    let w = PI / (l + 4.0);
    let mut ts = dt * (w * l).sin() + tmin;
    if toolbox_clamps && ts <= 0.0 {
        ts = 0.01;
    }
    // Whole hours of daylight; `as` saturates, so absurd day lengths stay in range.
    #[allow(clippy::cast_possible_truncation)]
    let idl = l.floor() as i32;
    let last_day_hour = idl.min(23);

    let mut sum = 0.0;
    // Day branch, h = 0..=IDL: sin(w h) by recurrence from sin(w), cos(w).
    let (s1, c1) = w.sin_cos();
    let (mut s, mut c) = (0.0_f64, 1.0_f64);
    for _ in 0..=last_day_hour {
        sum += (dt * s + tmin - BASE_TEMP_F).max(0.0);
        (s, c) = (s * c1 + c * s1, c * c1 - s * s1);
    }
    // Night branch, h = IDL+1..=23, k = h - IDL >= 1.
    let first_night_hour = last_day_hour.max(-1) + 1;
    if first_night_hour <= 23 {
        let slope = (ts - tmin) / (24.0 - l).ln();
        for h in first_night_hour..=23 {
            let k = h - idl;
            let ln_k = usize::try_from(k)
                .ok()
                .and_then(|i| ln.get(i).copied())
                .unwrap_or_else(|| f64::from(k).ln());
            sum += (ts - slope * ln_k - BASE_TEMP_F).max(0.0);
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The formula evaluated literally, hour by hour, with direct sines.
    fn literal(tmin: f64, tmax: f64, l: f64) -> f64 {
        let dt = tmax - tmin;
        let idl = l.floor();
        let w = PI / (l + 4.0);
        let ts = tmin + dt * (w * l).sin();
        (0..24)
            .map(|h| {
                let h = f64::from(h);
                let t = if h <= idl {
                    tmin + dt * (w * h).sin()
                } else {
                    ts - (ts - tmin) * (h - idl).ln() / (24.0 - l).ln()
                };
                (t - 31.0).max(0.0)
            })
            .sum()
    }

    #[test]
    fn matches_literal_formula() {
        for &(lo, hi, l) in &[
            (20.0, 60.0, 9.7),
            (40.0, 85.0, 14.2),
            (31.0, 31.0, 12.0),
            (-10.0, 20.0, 8.0),
            (50.0, 90.0, 0.0),
            (50.0, 90.0, 23.0),
            (50.0, 90.0, 23.5),
            (50.0, 90.0, 24.0),
        ] {
            let a = growing_degree_hours(lo, hi, l);
            let b = literal(lo, hi, l);
            assert!(
                (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                "{lo} {hi} {l}: {a} {b}"
            );
        }
    }

    #[test]
    fn cold_day_is_zero_and_nan_propagates() {
        assert_eq!(growing_degree_hours(0.0, 30.0, 10.0), 0.0);
        assert!(growing_degree_hours(f64::NAN, 30.0, 10.0).is_nan());
        assert!(growing_degree_hours(10.0, 30.0, f64::NAN).is_nan());
    }

    #[test]
    fn constant_temperature() {
        // 24 hours at 41 F: 10 degrees above base each hour.
        let g = growing_degree_hours(41.0, 41.0, 10.0);
        assert!((g - 240.0).abs() < 1e-9, "{g}");
    }

    #[test]
    fn toolbox_clamps() {
        let ln = ln_table();
        // Tmax == Tmin: Tmax is nudged by 0.01, so the day warms a little above Tmin.
        let g = gdh(41.0, 41.0, 10.0, true, ln);
        assert!(g > 240.0 && g < 240.5, "{g}");
        // Tmin == 0 becomes 0.01: same result as passing 0.01.
        assert_eq!(
            gdh(0.0, 60.0, 10.0, true, ln),
            gdh(0.01, 60.0, 10.0, false, ln)
        );
    }
}
