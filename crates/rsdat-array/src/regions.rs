//! Index maps of the fusable operations: which region of each input an output region needs.

use std::ops::Range;

use crate::expr::Op;
use crate::grid::Region;
use crate::plan::PNode;

/// The region of each input that `node` needs to produce `region`; an input that
/// contributes nothing gets an empty region.
pub(crate) fn input_regions(
    node: &PNode,
    inputs: &[&PNode],
    region: &[Range<usize>],
) -> Vec<Region> {
    match &node.op {
        Op::Binary(_) | Op::Where => node
            .align
            .iter()
            .map(|axes| axes.iter().map(|&a| region[a].clone()).collect())
            .collect(),
        Op::Isel { start, step } => vec![region
            .iter()
            .zip(start.iter().zip(step))
            .map(|(r, (&s0, &st))| {
                if r.is_empty() {
                    s0..s0
                } else {
                    s0 + r.start * st..s0 + (r.end - 1) * st + 1
                }
            })
            .collect()],
        Op::Transpose { perm } => {
            let mut r = vec![0..0; perm.len()];
            for (d, &p) in perm.iter().enumerate() {
                r[p] = region[d].clone();
            }
            vec![r]
        }
        Op::ExpandDims { axis } => {
            let mut r = region.to_vec();
            r.remove(*axis);
            vec![r]
        }
        Op::Squeeze { axis } => {
            let mut r = region.to_vec();
            r.insert(*axis, 0..1);
            vec![r]
        }
        Op::PadEdge { axis, before } => {
            let n = inputs[0].shape[*axis];
            let mut r = region.to_vec();
            let ra = &region[*axis];
            r[*axis] = if ra.is_empty() {
                0..0
            } else {
                clamp_shift(ra.start, *before, n)..clamp_shift(ra.end - 1, *before, n) + 1
            };
            vec![r]
        }
        Op::Coarsen { factors } => vec![region
            .iter()
            .zip(factors)
            .map(|(r, &f)| r.start * f..r.end * f)
            .collect()],
        Op::RollingSum { axis, window } => {
            let mut r = region.to_vec();
            r[*axis] = region[*axis].start.saturating_sub(window - 1)..region[*axis].end;
            vec![r]
        }
        Op::Concat { axis } => {
            let mut offset = 0;
            inputs
                .iter()
                .map(|inp| {
                    let n = inp.shape[*axis];
                    let ra = &region[*axis];
                    let s = ra.start.max(offset);
                    let e = ra.end.min(offset + n);
                    let mut r = region.to_vec();
                    r[*axis] = if s < e { s - offset..e - offset } else { 0..0 };
                    offset += n;
                    r
                })
                .collect()
        }
        _ => vec![region.to_vec(); node.inputs.len()],
    }
}

/// `i - before` clamped to `0..n`.
pub(crate) fn clamp_shift(i: usize, before: usize, n: usize) -> usize {
    i.saturating_sub(before).min(n.saturating_sub(1))
}
