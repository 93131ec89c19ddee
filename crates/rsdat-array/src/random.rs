//! The counter-based generator of [`crate::LazyArray::random`]: element `i` of an array is
//! SplitMix64's finaliser of `seed` and `i`, so every chunking and every executor gives the
//! same values, and any region is generated on its own.

use std::ops::Range;

use ndarray::{ArrayD, IxDyn};

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
const STEP: u64 = 0xBF58_476D_1CE4_E5B9;
const OFFSET: u64 = 0x94D0_49BB_1331_11EB;
/// Independent counters per pass of [`fill_lanes`]: enough for the compiler to keep SIMD lanes busy.
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
#[inline(always)]
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

/// Appends elements `base`, `base + stride`, ... (`len` flat indices) to `out`, with the
/// widest SIMD instructions the CPU has (chosen at run time, as numpy does for its kernels).
fn extend(seed: u64, base: u64, stride: u64, len: usize, out: &mut Vec<f64>) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512dq") {
            return simd::extend_avx512(seed, base, stride, len, out);
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return simd::extend_avx2(seed, base, stride, len, out);
        }
    }
    let start = out.len();
    out.resize(start + len, 0.0);
    fill_lanes(seed, base, stride, &mut out[start..]);
}

/// [`extend`] compiled for CPU features found at run time.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod simd {
    #[target_feature(enable = "avx512f,avx512dq,avx512vl")]
    unsafe fn avx512(seed: u64, base: u64, stride: u64, len: usize, out: &mut Vec<f64>) {
        super::extend_sequential(seed, base, stride, len, out);
    }

    #[target_feature(enable = "avx2")]
    unsafe fn avx2(seed: u64, base: u64, stride: u64, len: usize, out: &mut Vec<f64>) {
        super::extend_sequential(seed, base, stride, len, out);
    }

    pub(super) fn extend_avx512(seed: u64, base: u64, stride: u64, len: usize, out: &mut Vec<f64>) {
        // SAFETY: called only after `is_x86_feature_detected!("avx512dq")`; every CPU with
        // avx512dq has avx512f and avx512vl.
        unsafe { avx512(seed, base, stride, len, out) }
    }

    pub(super) fn extend_avx2(seed: u64, base: u64, stride: u64, len: usize, out: &mut Vec<f64>) {
        // SAFETY: called only after `is_x86_feature_detected!("avx2")`.
        unsafe { avx2(seed, base, stride, len, out) }
    }
}

/// Counters as a linear function of the element: a loop the compiler vectorises, writing
/// straight into the vector's spare capacity, when 64-bit SIMD multiplies exist.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn extend_sequential(seed: u64, base: u64, stride: u64, len: usize, out: &mut Vec<f64>) {
    let step = STEP.wrapping_mul(stride);
    let z = counter(seed, base);
    out.extend((0..len as u64).map(|i| value(z.wrapping_add(i.wrapping_mul(step)))));
}

/// The portable loop of [`extend`]: [`LANES`] independent counters per pass.
#[inline(always)]
fn fill_lanes(seed: u64, base: u64, stride: u64, out: &mut [f64]) {
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
    let total: usize = shape.iter().product();
    let mut data = Vec::with_capacity(total);
    let Some(&along) = perm.last() else {
        extend(seed, 0, 1, total, &mut data);
        return ArrayD::from_shape_vec(IxDyn(&shape), data).expect("one value per element");
    };
    let origin: u64 = region
        .iter()
        .zip(&stride)
        .map(|(r, &s)| r.start as u64 * s)
        .sum();
    let row = shape[nd - 1];
    // offsets into the region along the output's leading axes, last fastest
    let mut lead = vec![0usize; nd - 1];
    while row > 0 && data.len() < total {
        let base = lead
            .iter()
            .zip(perm)
            .fold(origin, |f, (&i, &p)| f + i as u64 * stride[p]);
        extend(seed, base, stride[along], row, &mut data);
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
    fn every_code_path_gives_the_same_bits() {
        for (base, stride, len) in [(0, 1, 0), (3, 1, 13), (7, 11, 37), (1 << 40, 5, 64)] {
            let mut portable = vec![0.0; len];
            fill_lanes(9, base, stride, &mut portable);
            let mut dispatched = vec![1.5];
            extend(9, base, stride, len, &mut dispatched);
            let want: Vec<u64> = (0..len as u64)
                .map(|i| at(9, base + i * stride).to_bits())
                .collect();
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&portable), want);
            assert_eq!(bits(&dispatched[1..]), want);
            assert_eq!(dispatched[0], 1.5);
        }
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
