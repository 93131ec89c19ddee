//! The counter-based generator of [`crate::LazyArray::random`]: element `i` of an array is
//! SplitMix64's finaliser of `seed` and `i`, so every chunking and every executor gives the
//! same values, and any region is generated on its own.

use std::ops::Range;

use ndarray::{ArrayD, IxDyn};

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
const STEP: u64 = 0xBF58_476D_1CE4_E5B9;
const OFFSET: u64 = 0x94D0_49BB_1331_11EB;
/// Independent counters per pass of [`fill`]: enough for the compiler to keep SIMD lanes busy.
const LANES: usize = 4;

/// The counter of element `flat`; consecutive elements differ by [`STEP`].
fn counter(seed: u64, flat: u64) -> u64 {
    seed.wrapping_mul(GOLDEN)
        .wrapping_add(OFFSET)
        .wrapping_add(flat.wrapping_mul(STEP))
}

/// The value of a counter: SplitMix64's finaliser, its top 52 bits as a mantissa in
/// `[1, 2)`, minus 1. Shifts, multiplies and adds only, so a loop of them vectorises on
/// baseline x86-64 (which converts no 64-bit integers to floats in SIMD registers).
#[inline]
fn value(mut z: u64) -> f64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    f64::from_bits(0x3FF0_0000_0000_0000 | (z >> 12)) - 1.0
}

/// Uniform `[0, 1)` value of element `flat`.
#[cfg(test)]
fn at(seed: u64, flat: u64) -> f64 {
    value(counter(seed, flat))
}

/// Elements `base`, `base + stride`, ... (flat indices) into `out`.
fn fill(seed: u64, base: u64, stride: u64, out: &mut [f64]) {
    let mut z = [0u64; LANES];
    for (l, zl) in (0u64..).zip(z.iter_mut()) {
        *zl = counter(seed, base.wrapping_add(l.wrapping_mul(stride)));
    }
    let step = STEP.wrapping_mul(stride).wrapping_mul(LANES as u64);
    let mut runs = out.chunks_exact_mut(LANES);
    for run in &mut runs {
        for (x, zl) in run.iter_mut().zip(z.iter_mut()) {
            *x = value(*zl);
            *zl = zl.wrapping_add(step);
        }
    }
    for (x, &zl) in runs.into_remainder().iter_mut().zip(&z) {
        *x = value(zl);
    }
}

/// `region` of the `full`-shaped random array of `seed`.
pub(crate) fn region(seed: u64, full: &[usize], region: &[Range<usize>]) -> ArrayD<f64> {
    let identity: Vec<usize> = (0..full.len()).collect();
    permuted(seed, full, region, &identity)
}

/// `region` of the `full`-shaped random array of `seed` with its axes permuted by `perm`
/// (output axis `d` is axis `perm[d]`), generated row by row in the output's order, so a
/// transpose of random values costs no copy.
pub(crate) fn permuted(
    seed: u64,
    full: &[usize],
    region: &[Range<usize>],
    perm: &[usize],
) -> ArrayD<f64> {
    let nd = full.len();
    let mut stride = vec![1u64; nd];
    for q in (0..nd.saturating_sub(1)).rev() {
        stride[q] = stride[q + 1] * full[q + 1] as u64;
    }
    let shape: Vec<usize> = perm.iter().map(|&p| region[p].len()).collect();
    let mut data = vec![0.0; shape.iter().product()];
    let Some(&along) = perm.last() else {
        fill(seed, 0, 1, &mut data);
        return ArrayD::from_shape_vec(IxDyn(&shape), data).expect("one value per element");
    };
    let origin: u64 = region
        .iter()
        .zip(&stride)
        .map(|(r, &s)| r.start as u64 * s)
        .sum();
    // offsets into the region along the output's leading axes, last fastest
    let mut lead = vec![0usize; nd - 1];
    for row in data.chunks_exact_mut(shape[nd - 1].max(1)) {
        let base = lead
            .iter()
            .zip(perm)
            .fold(origin, |f, (&i, &p)| f + i as u64 * stride[p]);
        fill(seed, base, stride[along], row);
        for d in (0..nd - 1).rev() {
            lead[d] += 1;
            if lead[d] < shape[d] {
                break;
            }
            lead[d] = 0;
        }
    }
    ArrayD::from_shape_vec(IxDyn(&shape), data).expect("one value per element")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_agree_with_elements_and_are_uniform() {
        let full = [7, 9, 11];
        let r = [2..5, 0..9, 3..10];
        let v = region(5, &full, &r);
        for (ix, &x) in v.indexed_iter() {
            let flat = ((ix[0] + 2) * 9 + ix[1]) * 11 + ix[2] + 3;
            assert_eq!(x.to_bits(), at(5, flat as u64).to_bits());
        }
        let one = |seed, n| region(seed, &[n], std::slice::from_ref(&(0..n)));
        let all = one(1, 100_000);
        let mean = all.sum() / 100_000.0;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        assert!(all.iter().all(|&x| (0.0..1.0).contains(&x)));
        assert_ne!(one(1, 3), one(2, 3));
    }

    #[test]
    fn permuted_regions_are_transposes() {
        let full = [6, 5, 8];
        let r = [1..4, 0..5, 2..7];
        let perm = [2, 0, 1];
        let want = region(3, &full, &r).permuted_axes(IxDyn(&perm));
        assert_eq!(permuted(3, &full, &r, &perm), want);
    }
}
