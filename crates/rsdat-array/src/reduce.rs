//! Accumulators of the tree reductions: a partial state `(a, b)` per output cell that
//! absorbs values in order (`push`) and merges with a later partial (`merge`).
//!
//! | op | a | b | result |
//! |---|---|---|---|
//! | sum | running sum | unused | a |
//! | mean | running sum | count | a / b |
//! | max, min | extreme so far (NaN: none) | 1 when a NaN was seen | NaN when b = 1 and not skipna, else a |
//! | argmax | max so far (NaN: a NaN was seen) | its flat index (NaN: none yet) | b |

use crate::expr::ReduceOp;

/// The reduction and its NaN rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reducer {
    pub(crate) op: ReduceOp,
    pub(crate) skipna: bool,
}

impl Reducer {
    /// The empty state.
    pub(crate) fn init(self) -> (f64, f64) {
        match self.op {
            ReduceOp::Sum | ReduceOp::Mean => (0.0, 0.0),
            ReduceOp::Max | ReduceOp::Min => (f64::NAN, 0.0),
            ReduceOp::Argmax => (f64::NEG_INFINITY, f64::NAN),
        }
    }

    /// Absorbs value `x` at flat index `idx` (indices increase between calls).
    #[inline]
    pub(crate) fn push(self, s: &mut (f64, f64), x: f64, idx: f64) {
        match self.op {
            ReduceOp::Sum => {
                if !(self.skipna && x.is_nan()) {
                    s.0 += x;
                }
            }
            ReduceOp::Mean => {
                if !(self.skipna && x.is_nan()) {
                    s.0 += x;
                    s.1 += 1.0;
                }
            }
            ReduceOp::Max | ReduceOp::Min => {
                if x.is_nan() {
                    s.1 = 1.0;
                } else if s.0.is_nan() || self.better(x, s.0) {
                    s.0 = x;
                }
            }
            ReduceOp::Argmax => self.merge(s, (x, idx)),
        }
    }

    /// Absorbs `xs` as repeated [`Reducer::push`] would (not for argmax), with the operation
    /// chosen once per row; sums and means add in [`lane_sum`]'s order.
    pub(crate) fn push_all(self, s: &mut (f64, f64), xs: &[f64]) {
        match self.op {
            ReduceOp::Sum | ReduceOp::Mean => {
                let (sum, n) = lane_sum(xs, self.skipna);
                s.0 += sum;
                #[allow(clippy::cast_precision_loss)]
                {
                    s.1 += n as f64;
                }
            }
            _ => {
                for &x in xs {
                    self.push(s, x, 0.0);
                }
            }
        }
    }

    /// Absorbs `xs[i]`, at flat index `idx`, into the state `(sa[i], sb[i])` of each cell `i`,
    /// as [`Reducer::push`] does cell by cell, with the operation chosen once per slab.
    pub(crate) fn push_cells(self, sa: &mut [f64], sb: &mut [f64], xs: &[f64], idx: f64) {
        let cells = sa.iter_mut().zip(sb.iter_mut()).zip(xs);
        let skip = |x: f64| self.skipna && x.is_nan();
        match self.op {
            ReduceOp::Sum | ReduceOp::Mean => {
                for ((a, b), &x) in cells {
                    *a += if skip(x) { 0.0 } else { x };
                    *b += if skip(x) { 0.0 } else { 1.0 };
                }
            }
            ReduceOp::Max => {
                for ((a, b), &x) in cells {
                    // `|` and `&`, not `||` and `&&`: no branches, so the loop vectorises
                    let take = (x > *a) | (a.is_nan() & !x.is_nan());
                    *a = if take { x } else { *a };
                    *b = if x.is_nan() { 1.0 } else { *b };
                }
            }
            ReduceOp::Min => {
                for ((a, b), &x) in cells {
                    // `|` and `&`, not `||` and `&&`: no branches, so the loop vectorises
                    let take = (x < *a) | (a.is_nan() & !x.is_nan());
                    *a = if take { x } else { *a };
                    *b = if x.is_nan() { 1.0 } else { *b };
                }
            }
            ReduceOp::Argmax => {
                for ((a, b), &x) in cells {
                    let mut s = (*a, *b);
                    self.push(&mut s, x, idx);
                    (*a, *b) = s;
                }
            }
        }
    }

    /// Merges the later partial `r` into `s`.
    #[inline]
    pub(crate) fn merge(self, s: &mut (f64, f64), r: (f64, f64)) {
        match self.op {
            ReduceOp::Sum | ReduceOp::Mean => {
                s.0 += r.0;
                s.1 += r.1;
            }
            ReduceOp::Max | ReduceOp::Min => {
                if !r.0.is_nan() && (s.0.is_nan() || self.better(r.0, s.0)) {
                    s.0 = r.0;
                }
                s.1 = s.1.max(r.1);
            }
            ReduceOp::Argmax => {
                if r.1.is_nan() {
                    return;
                }
                if s.1.is_nan() {
                    // empty so far: take r unless it is a NaN we skip
                    if !(self.skipna && r.0.is_nan()) {
                        *s = r;
                    }
                    return;
                }
                if self.skipna {
                    if !r.0.is_nan() && r.0 > s.0 {
                        *s = r;
                    }
                } else if !s.0.is_nan() && (r.0.is_nan() || r.0 > s.0) {
                    *s = r;
                }
            }
        }
    }

    fn better(self, x: f64, than: f64) -> bool {
        match self.op {
            ReduceOp::Min => x < than,
            _ => x > than,
        }
    }

    /// The result of a final state.
    pub(crate) fn finish(self, s: (f64, f64)) -> f64 {
        match self.op {
            ReduceOp::Sum => s.0,
            ReduceOp::Mean => s.0 / s.1,
            ReduceOp::Max | ReduceOp::Min => {
                if s.1 > 0.0 && !self.skipna {
                    f64::NAN
                } else {
                    s.0
                }
            }
            ReduceOp::Argmax => s.1,
        }
    }
}

/// Running sums kept by [`lane_sum`]: independent additions the compiler can vectorise.
const LANES: usize = 8;

/// Sum of `xs` (NaN skipped when `skipna`) and how many values it added: element `j` goes
/// to running sum `j % 8`, and the eight are added pairwise at the end. A fixed order, so
/// every executor gives the same bits, and more accurate than one running sum.
pub(crate) fn lane_sum(xs: &[f64], skipna: bool) -> (f64, usize) {
    let mut acc = [0.0f64; LANES];
    let mut n = [0usize; LANES];
    let mut runs = xs.chunks_exact(LANES);
    for run in &mut runs {
        for ((a, c), &x) in acc.iter_mut().zip(&mut n).zip(run) {
            let keep = !(skipna && x.is_nan());
            *a += if keep { x } else { 0.0 };
            *c += usize::from(keep);
        }
    }
    for ((a, c), &x) in acc.iter_mut().zip(&mut n).zip(runs.remainder()) {
        let keep = !(skipna && x.is_nan());
        *a += if keep { x } else { 0.0 };
        *c += usize::from(keep);
    }
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for l in 0..width {
            acc[l] += acc[l + width];
        }
    }
    (acc[0], n.iter().sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(op: ReduceOp, skipna: bool, xs: &[f64]) -> f64 {
        let r = Reducer { op, skipna };
        // split in two partials to exercise merge
        let (l, rr) = xs.split_at(xs.len() / 2);
        let mut a = r.init();
        for (i, &x) in l.iter().enumerate() {
            r.push(&mut a, x, i as f64);
        }
        let mut b = r.init();
        for (i, &x) in rr.iter().enumerate() {
            r.push(&mut b, x, (i + l.len()) as f64);
        }
        r.merge(&mut a, b);
        r.finish(a)
    }

    #[test]
    fn nan_rules() {
        let n = f64::NAN;
        assert_eq!(run(ReduceOp::Sum, true, &[1.0, n, 2.0]), 3.0);
        assert!(run(ReduceOp::Sum, false, &[1.0, n, 2.0]).is_nan());
        assert_eq!(run(ReduceOp::Sum, true, &[n, n]), 0.0);
        assert_eq!(run(ReduceOp::Mean, true, &[1.0, n, 2.0]), 1.5);
        assert!(run(ReduceOp::Mean, true, &[n, n]).is_nan());
        assert_eq!(run(ReduceOp::Max, true, &[1.0, n, 2.0]), 2.0);
        assert!(run(ReduceOp::Max, false, &[1.0, n, 2.0]).is_nan());
        assert_eq!(run(ReduceOp::Min, true, &[3.0, n, 2.0, 5.0]), 2.0);
        assert_eq!(run(ReduceOp::Argmax, true, &[1.0, 3.0, n, 3.0]), 1.0);
        assert_eq!(run(ReduceOp::Argmax, false, &[1.0, 3.0, n, n]), 2.0);
        assert!(run(ReduceOp::Argmax, true, &[n, n, n]).is_nan());
        assert_eq!(run(ReduceOp::Argmax, true, &[f64::NEG_INFINITY, n]), 0.0);
    }
}
