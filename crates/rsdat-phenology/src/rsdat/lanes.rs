//! Growing degree hours for [`LANES`] neighbouring cells at once.
//!
//! The same arithmetic as [`crate::gdh::gdh`] (without the toolbox clamps), operation for
//! operation and in the same order, so every lane is bit-identical to the scalar function. The
//! transcendental calls (one `sin_cos`, one `sin`, one `ln` per cell) stay scalar libm calls; the
//! 24 hourly terms run across lanes. The hour loop needs every lane to share the same whole
//! hours of daylight, which neighbouring cells almost always do; other chunks fall back to the
//! scalar function lane by lane. The day-length terms can be computed once and reused
//! ([`DayLengthLanes`]).

// Lane loops index several arrays by lane, the form LLVM vectorises.
#![allow(clippy::needless_range_loop)]

use std::f64::consts::PI;

use crate::gdh::{gdh, BASE_TEMP_F};

/// Cells processed together.
pub(crate) const LANES: usize = 4;

/// One value per lane.
pub(crate) type Lanes = [f64; LANES];

/// Exact `floor(l)` as `i32` for the uniformity test (NaN gives 0; the caller masks NaN lanes).
#[inline]
#[allow(clippy::cast_possible_truncation)]
fn floor_i32(l: f64) -> i32 {
    let t = l as i32;
    if f64::from(t) > l {
        t.saturating_sub(1)
    } else {
        t
    }
}

/// The day-length terms of GDH for [`LANES`] cells: everything that depends on the day length
/// alone, including the three libm calls (`sin_cos(w)`, `sin(w L)`, `ln(24 - L)`).
///
/// Daymet day length depends on latitude and day of year only, so these terms can be computed
/// once per row and day and shared by every year of that row.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DayLengthLanes {
    /// Day length, hours.
    l: Lanes,
    /// Whole hours of daylight shared by every lane, or -1 if they differ (or a lane is NaN or
    /// out of 0..24 h): then each lane takes the scalar path.
    idl: i32,
    /// sin(w L) with w = π / (L + 4).
    sin_wl: Lanes,
    /// sin(w), cos(w).
    s1: Lanes,
    c1: Lanes,
    /// ln(24 - L).
    ln_night: Lanes,
}

impl DayLengthLanes {
    /// The terms for day lengths `l` (hours).
    #[inline]
    pub(crate) fn new(l: &Lanes) -> Self {
        let idl0 = floor_i32(l[0]);
        let uniform =
            (0..=23).contains(&idl0) && l.iter().all(|&x| x >= 0.0 && floor_i32(x) == idl0);
        let mut t = DayLengthLanes {
            l: *l,
            idl: if uniform { idl0 } else { -1 },
            sin_wl: [0.0; LANES],
            s1: [0.0; LANES],
            c1: [1.0; LANES],
            ln_night: [1.0; LANES],
        };
        if uniform {
            for j in 0..LANES {
                let w = PI / (l[j] + 4.0);
                t.sin_wl[j] = (w * l[j]).sin();
                (t.s1[j], t.c1[j]) = w.sin_cos();
                t.ln_night[j] = (24.0 - l[j]).ln();
            }
        }
        t
    }
}

/// `max(x, 0)` as one instruction. Like `f64::max(x, 0.0)` it gives 0 for NaN; where that may
/// give -0.0 this gives +0.0, and both add the same to a sum that starts at +0.0.
#[inline]
fn positive(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

/// GDH of each lane from Tmin, Tmax (°F) and day length (h); NaN where an input is NaN.
#[cfg(test)]
pub(crate) fn gdh_lanes(tmin: &Lanes, tmax: &Lanes, day_length_h: &Lanes, ln: &[f64; 25]) -> Lanes {
    gdh_lanes_with(tmin, tmax, &DayLengthLanes::new(day_length_h), ln)
}

/// GDH of each lane from Tmin, Tmax (°F) and precomputed day-length terms.
#[inline]
pub(crate) fn gdh_lanes_with(
    tmin: &Lanes,
    tmax: &Lanes,
    dl: &DayLengthLanes,
    ln: &[f64; 25],
) -> Lanes {
    let Ok(idl) = usize::try_from(dl.idl) else {
        return std::array::from_fn(|j| gdh(tmin[j], tmax[j], dl.l[j], false, ln));
    };
    let dt: Lanes = std::array::from_fn(|j| tmax[j] - tmin[j]);
    let ts: Lanes = std::array::from_fn(|j| dt[j] * dl.sin_wl[j] + tmin[j]);
    let slope: Lanes = std::array::from_fn(|j| (ts[j] - tmin[j]) / dl.ln_night[j]);
    let mut sum = [0.0; LANES];
    let mut s = [0.0; LANES];
    let mut c = [1.0; LANES];
    for _ in 0..=idl {
        for j in 0..LANES {
            sum[j] += positive(dt[j] * s[j] + tmin[j] - BASE_TEMP_F);
            (s[j], c[j]) = (
                s[j] * dl.c1[j] + c[j] * dl.s1[j],
                c[j] * dl.c1[j] - s[j] * dl.s1[j],
            );
        }
    }
    // Night hours h = IDL+1..=23, k = h - IDL.
    for &ln_k in &ln[1..24 - idl] {
        for j in 0..LANES {
            sum[j] += positive(ts[j] - slope[j] * ln_k - BASE_TEMP_F);
        }
    }
    for j in 0..LANES {
        if tmin[j].is_nan() || tmax[j].is_nan() {
            sum[j] = f64::NAN;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gdh::ln_table;

    #[test]
    fn lanes_are_bit_identical_to_the_scalar_function() {
        let ln = ln_table();
        let mut state = 7_u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            #[allow(clippy::cast_precision_loss)]
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            u
        };
        for case in 0..20_000 {
            let base_l = 24.5 * next() - 0.2;
            let lo: Lanes = std::array::from_fn(|_| 100.0 * next() - 30.0);
            let hi: Lanes = std::array::from_fn(|j| lo[j] + 40.0 * next());
            let mut l: Lanes = std::array::from_fn(|_| base_l + 0.3 * next());
            let (mut lo, mut hi) = (lo, hi);
            match case % 7 {
                0 => lo[1] = f64::NAN,
                1 => hi[2] = f64::NAN,
                2 => l[3] = f64::NAN,
                3 => l = [12.0; LANES],
                4 => (lo, hi) = ([31.0; LANES], [31.0; LANES]),
                _ => {}
            }
            let got = gdh_lanes(&lo, &hi, &l, ln);
            for j in 0..LANES {
                let want = gdh(lo[j], hi[j], l[j], false, ln);
                assert_eq!(
                    got[j].to_bits(),
                    want.to_bits(),
                    "{lo:?} {hi:?} {l:?} lane {j}"
                );
            }
        }
    }
}
