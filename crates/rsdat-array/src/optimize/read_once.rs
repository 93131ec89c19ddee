//! Read-once: a dataset variable is read inside its consumer's task only when that task's
//! region is exactly one of its storage chunks and nobody else reads it; otherwise it gets
//! a read stage of its own, so each stored chunk is read and decoded once.

use crate::expr::Op;
use crate::plan::PNode;

/// Marks the source nodes that need their own read stage.
pub(crate) fn materialise_sources(nodes: &[PNode], materialise: &mut [bool]) {
    let mut aligned = vec![false; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        if !materialise[i] {
            continue;
        }
        // The tasks of a stage evaluate its node's inputs (or the node itself) on their
        // own chunk grids.
        let tops: Vec<usize> = match n.op {
            Op::Reduce { .. } | Op::Cumsum { .. } | Op::Dot | Op::Fold { .. } => n.inputs.clone(),
            _ => vec![i],
        };
        for t in tops {
            let identity: Vec<usize> = (0..nodes[t].shape.len()).collect();
            walk(nodes, materialise, t, t, &identity, &mut aligned);
        }
    }
    for (i, n) in nodes.iter().enumerate() {
        if matches!(n.op, Op::Source { .. }) && !materialise[i] {
            materialise[i] = n.consumers > 1 || !aligned[i];
        }
    }
}

/// Follows elementwise ops from `top` down; `map[a]` is the axis of `top` that axis `a` of
/// `node` lines up with.
fn walk(
    nodes: &[PNode],
    materialise: &[bool],
    top: usize,
    node: usize,
    map: &[usize],
    aligned: &mut [bool],
) {
    let n = &nodes[node];
    if node != top && materialise[node] {
        return;
    }
    match &n.op {
        Op::Source { .. } => {
            let t = &nodes[top];
            aligned[node] = map
                .iter()
                .enumerate()
                .all(|(a, &ta)| n.chunks[a].min(n.shape[a]) == t.chunks[ta].min(t.shape[ta]));
        }
        Op::Unary(_) | Op::MapFn { .. } | Op::Field { .. } => {
            walk(nodes, materialise, top, n.inputs[0], map, aligned);
        }
        Op::Binary(_) | Op::Where => {
            for (inp, axes) in n.inputs.iter().zip(&n.align) {
                let m: Vec<usize> = axes.iter().map(|&a| map[a]).collect();
                walk(nodes, materialise, top, *inp, &m, aligned);
            }
        }
        Op::Transpose { perm } => {
            let mut m = vec![0; perm.len()];
            for (d, &p) in perm.iter().enumerate() {
                m[p] = map[d];
            }
            walk(nodes, materialise, top, n.inputs[0], &m, aligned);
        }
        _ => {}
    }
}
