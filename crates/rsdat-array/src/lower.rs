//! Lowering: the expression graph of lazy arrays becomes a [`Plan`] of stages.

use std::collections::HashMap;
use std::sync::Arc;

use crate::expr::{Node, Op};
use crate::grid::ChunkGrid;
use crate::plan::{PNode, Plan, Stage, StageKind, TaskId};
use crate::{optimize, Result};

/// Fan-in of one level of a tree reduction (product over the reduced axes).
pub(crate) const SPLIT_EVERY: usize = 16;

/// Flattens the graphs under `roots` into topologically ordered nodes, sharing nodes
/// reachable through several paths. Returns the nodes and the roots' indices.
pub(crate) fn flatten(roots: &[Arc<Node>]) -> (Vec<PNode>, Vec<usize>) {
    let mut nodes = Vec::new();
    let mut seen: HashMap<*const Node, usize> = HashMap::new();
    let outputs = roots
        .iter()
        .map(|r| visit(r, &mut nodes, &mut seen))
        .collect();
    (nodes, outputs)
}

fn visit(n: &Arc<Node>, nodes: &mut Vec<PNode>, seen: &mut HashMap<*const Node, usize>) -> usize {
    if let Some(&i) = seen.get(&Arc::as_ptr(n)) {
        return i;
    }
    // Iterative enough for the graphs users build; depth is the chain length.
    let inputs: Vec<usize> = n.inputs.iter().map(|i| visit(i, nodes, seen)).collect();
    for &i in &inputs {
        nodes[i].consumers += 1;
    }
    nodes.push(PNode {
        op: n.op.clone(),
        inputs,
        align: n.align.clone(),
        shape: n.shape.clone(),
        chunks: n.chunks.clone(),
        label: n.label.clone(),
        runtime: n.runtime.clone(),
        consumers: 0,
        stage: None,
        partial_stage: None,
    });
    let i = nodes.len() - 1;
    seen.insert(Arc::as_ptr(n), i);
    i
}

/// Builds the plan of `nodes` (topologically ordered) with `outputs` materialised.
pub(crate) fn plan_nodes(mut nodes: Vec<PNode>, outputs: Vec<usize>) -> Result<Plan> {
    let mut materialise = optimize::fuse::materialised(&nodes, &outputs);
    optimize::read_once::materialise_sources(&nodes, &mut materialise);
    optimize::fuse::serve_fields_from_source(&nodes, &outputs, &mut materialise);
    let mut stages = Vec::new();
    for i in 0..nodes.len() {
        if !materialise[i] {
            continue;
        }
        let n = &nodes[i];
        match &n.op {
            Op::Reduce { axes, op, .. } => {
                let input = &nodes[n.inputs[0]];
                let ig = input.grid();
                let mut shape = input.shape.clone();
                let mut chunks = input.chunks.clone();
                for &a in axes {
                    shape[a] = ig.counts()[a];
                    chunks[a] = 1;
                }
                let name = format!("{op:?}").to_lowercase();
                stages.push(stage(
                    format!("{}:{name}-partial", stages.len()),
                    StageKind::ReducePartial { node: i },
                    ChunkGrid::new(&shape, &chunks),
                    2,
                ));
                let live: Vec<usize> = axes.iter().copied().filter(|&a| shape[a] > 1).collect();
                let per_axis = fan_in(live.len());
                while axes.iter().any(|&a| shape[a] > 1) {
                    let mut factor = vec![1; shape.len()];
                    for &a in axes {
                        factor[a] = per_axis.min(shape[a]);
                        shape[a] = shape[a].div_ceil(factor[a]);
                    }
                    let prev = stages.len() - 1;
                    stages.push(stage(
                        format!("{}:{name}-combine", stages.len()),
                        StageKind::ReduceCombine {
                            node: i,
                            prev,
                            factor,
                        },
                        ChunkGrid::new(&shape, &chunks),
                        2,
                    ));
                }
                nodes[i].partial_stage = Some(stages.len() - 1);
            }
            Op::Cumsum { axis, .. } => {
                let ig = nodes[n.inputs[0]].grid();
                let mut shape = n.shape.clone();
                let mut chunks = n.chunks.clone();
                shape[*axis] = ig.counts()[*axis];
                chunks[*axis] = 1;
                stages.push(stage(
                    format!("{}:cumsum-partial", stages.len()),
                    StageKind::ScanPartial { node: i },
                    ChunkGrid::new(&shape, &chunks),
                    1,
                ));
                nodes[i].partial_stage = Some(stages.len() - 1);
            }
            _ => {}
        }
        let n = &nodes[i];
        stages.push(stage(
            format!("{}:{}", stages.len(), n.op_name()),
            StageKind::Node { node: i },
            n.grid(),
            n.fields(),
        ));
        nodes[i].stage = Some(stages.len() - 1);
    }
    let mut offsets = vec![0u64];
    for s in &stages {
        offsets.push(offsets.last().copied().unwrap_or(0) + s.grid.len());
    }
    let mut plan = Plan {
        nodes,
        stages,
        offsets,
        outputs,
    };
    for s in 0..plan.stages.len() {
        let bytes = if plan.stages[s].grid.is_empty() {
            0
        } else {
            plan.task_bytes(TaskId {
                stage: u32::try_from(s).expect("stage count fits u32"),
                chunk: 0,
            })
        };
        plan.stages[s].peak_bytes = bytes;
    }
    Ok(plan)
}

fn stage(name: String, kind: StageKind, grid: ChunkGrid, fields: usize) -> Stage {
    Stage {
        name,
        kind,
        grid,
        fields,
        peak_bytes: 0,
    }
}

/// Group size per reduced axis so that a combine task reads at most [`SPLIT_EVERY`] chunks.
fn fan_in(live_axes: usize) -> usize {
    if live_axes <= 1 {
        return SPLIT_EVERY;
    }
    let mut k = 2;
    while (k + 1usize).pow(u32::try_from(live_axes).unwrap_or(u32::MAX)) <= SPLIT_EVERY {
        k += 1;
    }
    k
}
