//! The toolbox's 30-day block quality rules, block-mean fill and last freeze.

/// Days per quality block.
const BLOCK_DAYS: usize = 30;
/// A block needs at least this many finite values of each variable.
const MIN_FINITE: usize = 20;
/// A block may hold at most this many values exactly 0 of each variable.
const MAX_ZEROS: usize = 10;
/// Values outside this range (°F, ends allowed) are replaced by the block mean.
const VALID_F: std::ops::RangeInclusive<f64> = -99.0..=125.0;
/// Tmin at or below this (°F) is a freeze.
const FREEZE_F: f64 = 28.0;

/// Checks each 30-day block of `tmin` and `tmax` (°F, same length, a multiple of 30) and fills
/// missing or out-of-range values with their block mean, in place.
///
/// A block with fewer than 20 finite values or more than 10 zeros in either variable rejects the
/// whole series: the function returns `false` and the values are left partly filled. The block
/// mean counts every finite value, out-of-range ones included, as the toolbox does.
pub(crate) fn check_and_fill(tmin: &mut [f64], tmax: &mut [f64]) -> bool {
    debug_assert_eq!(tmin.len(), tmax.len());
    let blocks = tmin.chunks_mut(BLOCK_DAYS).zip(tmax.chunks_mut(BLOCK_DAYS));
    for (lo, hi) in blocks {
        let (Some(lo_mean), Some(hi_mean)) = (block_mean(lo), block_mean(hi)) else {
            return false;
        };
        fill(lo, lo_mean);
        fill(hi, hi_mean);
    }
    true
}

/// Mean of the finite values of one block, or `None` if the block fails the quality rules.
fn block_mean(block: &[f64]) -> Option<f64> {
    let (mut n, mut zeros, mut sum) = (0_usize, 0_usize, 0.0);
    for &v in block {
        if v.is_finite() {
            n += 1;
            sum += v;
            if v == 0.0 {
                zeros += 1;
            }
        }
    }
    if n < MIN_FINITE || zeros > MAX_ZEROS {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    Some(sum / n as f64)
}

fn fill(block: &mut [f64], mean: f64) {
    for v in block {
        if !VALID_F.contains(v) {
            *v = mean;
        }
    }
}

/// Last 1-based day with Tmin <= 28 °F, NaN if none.
pub(crate) fn last_freeze(tmin: &[f64]) -> f64 {
    tmin.iter()
        .rposition(|&v| v <= FREEZE_F)
        .map_or(f64::NAN, |i| {
            f64::from(u32::try_from(i + 1).unwrap_or(u32::MAX))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(v: f64) -> Vec<f64> {
        vec![v; 30]
    }

    #[test]
    fn fills_missing_and_out_of_range_with_block_mean() {
        let mut lo = block(20.0);
        let mut hi = block(40.0);
        lo[3] = f64::NAN;
        hi[5] = 200.0; // out of range, still counted in the mean
        assert!(check_and_fill(&mut lo, &mut hi));
        assert_eq!(lo[3], 20.0);
        let mean = (29.0 * 40.0 + 200.0) / 30.0;
        assert!((hi[5] - mean).abs() < 1e-12);
        assert_eq!(hi[4], 40.0);
    }

    #[test]
    fn too_few_values_or_too_many_zeros_reject() {
        let mut lo = block(20.0);
        let mut hi = block(40.0);
        for v in &mut hi[..11] {
            *v = f64::NAN;
        }
        assert!(!check_and_fill(&mut lo, &mut hi));

        let mut lo = block(20.0);
        let mut hi = block(40.0);
        for v in &mut lo[..11] {
            *v = 0.0;
        }
        assert!(!check_and_fill(&mut lo, &mut hi));

        let mut lo = block(20.0);
        let mut hi = block(40.0);
        for v in &mut lo[..10] {
            *v = 0.0;
        }
        for v in &mut hi[..10] {
            *v = f64::NAN;
        }
        assert!(check_and_fill(&mut lo, &mut hi));
    }

    #[test]
    fn last_freeze_day() {
        let mut t = vec![40.0; 240];
        assert!(last_freeze(&t).is_nan());
        t[0] = 10.0;
        t[99] = 28.0;
        assert_eq!(last_freeze(&t), 100.0);
    }
}
