//! Task inputs and peak memory, derived from the plan alone before anything runs.

use std::ops::Range;

use crate::expr::Op;
use crate::grid::{region_len, Region};
use crate::plan::{Plan, StageKind, TaskId};
use crate::regions::input_regions;

const F64: u64 = 8;

/// Appends the tasks whose outputs `id` reads (unsorted, maybe repeated).
pub(crate) fn task_inputs(plan: &Plan, id: TaskId, out: &mut Vec<TaskId>) {
    let region = plan.region_of(id);
    match &plan.stage(id).kind {
        StageKind::Node { node } => {
            let n = plan.node(*node);
            match &n.op {
                Op::Reduce { .. } => {
                    let prev = n.partial_stage.expect("reductions have partials");
                    plan.overlapping(prev, &reduce_prev_region(plan, *node, &region), out);
                }
                Op::Cumsum { axis, .. } => {
                    collect(plan, n.inputs[0], &region, out);
                    let prev = n.partial_stage.expect("scans have partials");
                    plan.overlapping(prev, &carry_region(plan, *node, &region, *axis), out);
                }
                Op::Dot => {
                    let (ra, rb) = dot_regions(plan, *node, &region);
                    collect(plan, n.inputs[0], &ra, out);
                    collect(plan, n.inputs[1], &rb, out);
                }
                Op::Fold { axis, .. } => {
                    for &i in &n.inputs {
                        let r = fold_region(&region, *axis, 0..plan.node(i).shape[*axis]);
                        collect(plan, i, &r, out);
                    }
                }
                _ => collect_fused(plan, *node, &region, out),
            }
        }
        StageKind::ReducePartial { node } | StageKind::ScanPartial { node } => {
            let input = plan.node(*node).inputs[0];
            let r = plan.node(input).grid().region(id.chunk);
            collect(plan, input, &r, out);
        }
        StageKind::ReduceCombine { prev, factor, .. } => {
            plan.overlapping(
                *prev,
                &combine_prev_region(plan, *prev, factor, &region),
                out,
            );
        }
    }
}

/// Inputs of fusable node `node` itself (not its stage).
fn collect_fused(plan: &Plan, node: usize, region: &[Range<usize>], out: &mut Vec<TaskId>) {
    let n = plan.node(node);
    let inputs: Vec<_> = n.inputs.iter().map(|&i| plan.node(i)).collect();
    for (&i, r) in n.inputs.iter().zip(input_regions(n, &inputs, region)) {
        collect(plan, i, &r, out);
    }
}

/// The tasks producing `region` of node `node`: its stage's chunks, or its inputs' when
/// it is fused.
pub(crate) fn collect(plan: &Plan, node: usize, region: &[Range<usize>], out: &mut Vec<TaskId>) {
    if region.iter().any(|r| r.is_empty()) {
        return;
    }
    match plan.node(node).stage {
        Some(s) => plan.overlapping(s, region, out),
        None => collect_fused(plan, node, region, out),
    }
}

/// Peak bytes of task `id`.
pub(crate) fn task_bytes(plan: &Plan, id: TaskId) -> u64 {
    let region = plan.region_of(id);
    let stage = plan.stage(id);
    let out_bytes = region_len(&region) as u64 * F64 * stage.fields as u64;
    out_bytes
        + match &stage.kind {
            StageKind::Node { node } => {
                let n = plan.node(*node);
                match &n.op {
                    Op::Reduce { .. } => {
                        let prev = n.partial_stage.expect("reductions have partials");
                        gathered(plan, prev, &reduce_prev_region(plan, *node, &region), 2)
                    }
                    Op::Cumsum { axis, .. } => {
                        let prev = n.partial_stage.expect("scans have partials");
                        value_bytes(plan, n.inputs[0], &region)
                            + gathered(plan, prev, &carry_region(plan, *node, &region, *axis), 1)
                    }
                    Op::Dot => {
                        let (ra, rb) = dot_regions(plan, *node, &region);
                        let ka = plan.node(n.inputs[0]).chunks[1];
                        let mut ra1 = ra.clone();
                        ra1[1] = 0..ka.min(ra[1].end);
                        let mut rb1 = rb.clone();
                        rb1[0] = ra1[1].clone();
                        value_bytes(plan, n.inputs[0], &ra1) + value_bytes(plan, n.inputs[1], &rb1)
                    }
                    Op::Fold { axis, .. } => {
                        let cells = region_len(&region) as u64;
                        let step = plan.node(n.inputs[0]).chunks[*axis];
                        let state = match &n.runtime {
                            crate::expr::Runtime::Kernel(k) => k.state_bytes_per_cell() as u64,
                            _ => 0,
                        };
                        let slabs: u64 = n
                            .inputs
                            .iter()
                            .map(|&i| {
                                let len = plan.node(i).shape[*axis];
                                let r = fold_region(&region, *axis, 0..step.min(len));
                                // the slab plus its time-major copy
                                value_bytes(plan, i, &r) + region_len(&r) as u64 * F64
                            })
                            .sum();
                        // the slab being folded and the next one being read
                        2 * slabs + cells * state
                    }
                    _ => fused_bytes(plan, *node, &region),
                }
            }
            StageKind::ReducePartial { node } | StageKind::ScanPartial { node } => {
                let input = plan.node(*node).inputs[0];
                let r = plan.node(input).grid().region(id.chunk);
                value_bytes(plan, input, &r)
            }
            StageKind::ReduceCombine { prev, factor, .. } => gathered(
                plan,
                *prev,
                &combine_prev_region(plan, *prev, factor, &region),
                2,
            ),
        }
}

fn fused_bytes(plan: &Plan, node: usize, region: &[Range<usize>]) -> u64 {
    let n = plan.node(node);
    let inputs: Vec<_> = n.inputs.iter().map(|&i| plan.node(i)).collect();
    let own = match n.op {
        // the stored values before decoding
        Op::Source { .. } => region_len(region) as u64 * F64,
        _ => 0,
    };
    own + n
        .inputs
        .iter()
        .zip(input_regions(n, &inputs, region))
        .map(|(&i, r)| value_bytes(plan, i, &r))
        .sum::<u64>()
}

/// Bytes to hold `region` of `node` and everything computed for it in the task.
fn value_bytes(plan: &Plan, node: usize, region: &[Range<usize>]) -> u64 {
    if region.iter().any(|r| r.is_empty()) {
        return 0;
    }
    let n = plan.node(node);
    let own = region_len(region) as u64 * F64 * n.fields() as u64;
    match n.stage {
        Some(s) => own + gathered(plan, s, region, n.fields()),
        None => own + fused_bytes(plan, node, region),
    }
}

/// Bytes of the stage chunks overlapping `region` (read from the store).
fn gathered(plan: &Plan, stage: usize, region: &[Range<usize>], fields: usize) -> u64 {
    let g = &plan.stages[stage].grid;
    g.overlapping(region)
        .into_iter()
        .map(|c| region_len(&g.region(c)) as u64 * F64 * fields as u64)
        .sum()
}

/// Region of the last partial stage that the final reduce task reads.
pub(crate) fn reduce_prev_region(plan: &Plan, node: usize, region: &[Range<usize>]) -> Region {
    let n = plan.node(node);
    let Op::Reduce { axes, .. } = &n.op else {
        unreachable!("called on reductions only")
    };
    let ndim = plan.node(n.inputs[0]).shape.len();
    let mut kept = region.iter();
    (0..ndim)
        .map(|d| {
            if axes.contains(&d) {
                0..1
            } else {
                kept.next().cloned().unwrap_or(0..1)
            }
        })
        .collect()
}

/// Region of the previous level that a combine task reads.
pub(crate) fn combine_prev_region(
    plan: &Plan,
    prev: usize,
    factor: &[usize],
    region: &[Range<usize>],
) -> Region {
    let shape = plan.stages[prev].grid.shape();
    region
        .iter()
        .zip(factor)
        .zip(shape)
        .map(|((r, &f), &n)| r.start * f..(r.end * f).min(n))
        .collect()
}

/// Region of the scan partials before this chunk along `axis`.
pub(crate) fn carry_region(
    plan: &Plan,
    node: usize,
    region: &[Range<usize>],
    axis: usize,
) -> Region {
    let n = plan.node(node);
    let c = plan.node(n.inputs[0]).chunks[axis];
    let mut r = region.to_vec();
    r[axis] = 0..region[axis].start / c;
    r
}

/// Regions of the two operands of a matrix product task: full rows and columns.
pub(crate) fn dot_regions(plan: &Plan, node: usize, region: &[Range<usize>]) -> (Region, Region) {
    let n = plan.node(node);
    let k = plan.node(n.inputs[0]).shape[1];
    (vec![region[0].clone(), 0..k], vec![0..k, region[1].clone()])
}

/// The input region of a fold tile: the tile with the fold axis `r` inserted at `axis`.
pub(crate) fn fold_region(tile: &[Range<usize>], axis: usize, r: Range<usize>) -> Region {
    let mut out = tile.to_vec();
    out.insert(axis, r);
    out
}
