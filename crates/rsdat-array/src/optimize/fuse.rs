//! Fusion: which nodes get their own stage; every other node is computed inside the task
//! of the stage that consumes it, so an elementwise chain becomes one task per chunk.

use crate::expr::Op;
use crate::plan::PNode;

/// True for the nodes that are materialised as a stage of chunks.
///
/// Materialised: the outputs, the operations that are not a per-chunk index map
/// (reductions, scans, products, folds, rechunks), and non-leaf nodes read by more than
/// one consumer (computed once, not once per consumer). Leaves are decided by
/// [`super::read_once`].
pub(crate) fn materialised(nodes: &[PNode], outputs: &[usize]) -> Vec<bool> {
    let mut out: Vec<bool> = nodes
        .iter()
        .map(|n| match n.op {
            Op::Reduce { .. } | Op::Cumsum { .. } | Op::Dot | Op::Fold { .. } | Op::Rechunk => true,
            Op::Source { .. } | Op::Memory { .. } | Op::Random { .. } | Op::Full { .. } => false,
            _ => n.consumers > 1,
        })
        .collect();
    for &o in outputs {
        out[o] = true;
    }
    out
}

/// The node whose stage holds output `o` when `o` only picks one field of a materialised
/// multi-output node on the same chunk grid (a fold's layers), with that field's index.
pub(crate) fn field_source(nodes: &[PNode], o: usize) -> Option<(usize, usize)> {
    let n = &nodes[o];
    let Op::Field { k } = n.op else {
        return None;
    };
    let src = &nodes[*n.inputs.first()?];
    (src.fields() > 1 && src.shape == n.shape && src.chunks == n.chunks).then_some((n.inputs[0], k))
}

/// Outputs that pick a field of a materialised node are not stages of their own: the
/// source's stage serves them (one stage, not one per field, and no copy of its chunks).
pub(crate) fn serve_fields_from_source(
    nodes: &[PNode],
    outputs: &[usize],
    materialise: &mut [bool],
) {
    for &o in outputs {
        if let Some((src, _)) = field_source(nodes, o) {
            if materialise[src] {
                materialise[o] = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::LazyArray;

    #[test]
    fn elementwise_chain_is_one_stage() {
        let x = LazyArray::random("x", &[("y", 40), ("x", 30)], &[10, 10], 1).expect("x");
        let y = x.add_scalar(1.0).mul_scalar(2.0).clip(0.0, 3.0);
        let plan = crate::Plan::build(&[&y]).expect("plan");
        assert_eq!(plan.stages().len(), 1);
        assert_eq!(plan.n_tasks(), 12);
    }
}
