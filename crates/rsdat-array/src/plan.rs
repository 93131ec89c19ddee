//! The plan: stages of chunk tasks, the contract every executor runs.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::expr::{Op, Runtime};
use crate::grid::{ChunkGrid, Region};
use crate::{Error, Result};

/// A task: one output chunk of one stage. Stable across processes and runs, so a task's
/// output can be found again (and a killed run resumed) by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TaskId {
    /// Stage index in the plan.
    pub stage: u32,
    /// Flat chunk index in the stage's grid.
    pub chunk: u64,
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s{}c{}", self.stage, self.chunk)
    }
}

/// A node of the flattened graph.
#[derive(Debug, Clone)]
pub(crate) struct PNode {
    pub(crate) op: Op,
    pub(crate) inputs: Vec<usize>,
    pub(crate) align: Vec<Vec<usize>>,
    pub(crate) shape: Vec<usize>,
    pub(crate) chunks: Vec<usize>,
    pub(crate) label: String,
    pub(crate) runtime: Runtime,
    /// Number of input edges pointing at this node.
    pub(crate) consumers: usize,
    /// The stage that materialises this node, if any (else it is fused into its consumers).
    pub(crate) stage: Option<usize>,
    /// For reductions and scans: the stage of partial results the final stage reads.
    pub(crate) partial_stage: Option<usize>,
}

impl PNode {
    pub(crate) fn op_name(&self) -> String {
        self.op.name()
    }

    pub(crate) fn fields(&self) -> usize {
        self.op.fields()
    }

    pub(crate) fn grid(&self) -> ChunkGrid {
        ChunkGrid::new(&self.shape, &self.chunks)
    }
}

/// What a stage's task computes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum StageKind {
    /// Chunks of graph node `node`, with its fusable inputs evaluated in the same task.
    Node {
        /// Node index.
        node: usize,
    },
    /// Per-chunk partial results of reduction `node` (first level of the tree).
    ReducePartial {
        /// The reduction node.
        node: usize,
    },
    /// Combines groups of partial results of reduction `node` (a level of the tree).
    ReduceCombine {
        /// The reduction node.
        node: usize,
        /// The stage whose partials it combines.
        prev: usize,
        /// Group size along each axis of the partial grid (1 on kept axes).
        factor: Vec<usize>,
    },
    /// Per-chunk totals along the scan axis of `node`, the carries of a cumulative sum.
    ScanPartial {
        /// The scan node.
        node: usize,
    },
}

/// A stage: a chunk grid of tasks of one kind.
#[derive(Debug, Clone)]
pub struct Stage {
    pub(crate) name: String,
    pub(crate) kind: StageKind,
    pub(crate) grid: ChunkGrid,
    pub(crate) fields: usize,
    pub(crate) peak_bytes: u64,
}

impl Stage {
    /// Human name (`3:mean-partial`).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What its tasks compute.
    #[must_use]
    pub fn kind(&self) -> &StageKind {
        &self.kind
    }

    /// Its chunk grid (one task per chunk).
    #[must_use]
    pub fn grid(&self) -> &ChunkGrid {
        &self.grid
    }

    /// Number of tasks.
    #[must_use]
    pub fn tasks(&self) -> u64 {
        self.grid.len()
    }

    /// Peak memory of its largest task, bytes: inputs read, intermediates, state, output.
    #[must_use]
    pub fn peak_bytes(&self) -> u64 {
        self.peak_bytes
    }

    /// Bytes of its largest output chunk.
    #[must_use]
    pub fn chunk_bytes(&self) -> u64 {
        (self.grid.chunk_len() * self.fields * 8) as u64
    }
}

/// A plan of chunk tasks, lowered from lazy arrays, that any executor runs.
///
/// Stages are in dependency order: a task only reads outputs of earlier stages. Task
/// inputs and memory are computed from the plan alone, before anything runs.
#[derive(Debug, Clone)]
pub struct Plan {
    pub(crate) nodes: Vec<PNode>,
    pub(crate) stages: Vec<Stage>,
    pub(crate) offsets: Vec<u64>,
    /// Output nodes, in the order asked for.
    pub(crate) outputs: Vec<usize>,
}

impl Plan {
    /// The stages, in dependency order.
    #[must_use]
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// Total number of tasks.
    #[must_use]
    pub fn n_tasks(&self) -> u64 {
        self.offsets.last().copied().unwrap_or(0)
    }

    /// Index of task `id` in `0..n_tasks()`, stage by stage.
    #[must_use]
    pub fn flat(&self, id: TaskId) -> u64 {
        self.offsets[id.stage as usize] + id.chunk
    }

    /// The task at flat index `i`.
    ///
    /// # Panics
    /// When `i >= n_tasks()`.
    #[must_use]
    pub fn task(&self, i: u64) -> TaskId {
        assert!(i < self.n_tasks(), "task {i} is outside the plan");
        let stage = self.offsets.partition_point(|&o| o <= i) - 1;
        TaskId {
            stage: u32::try_from(stage).expect("stage count fits u32"),
            chunk: i - self.offsets[stage],
        }
    }

    /// The stage of `id`.
    #[must_use]
    pub fn stage(&self, id: TaskId) -> &Stage {
        &self.stages[id.stage as usize]
    }

    /// Stages whose chunks hold the plan's outputs, in the order asked for, each once
    /// (the layers of a fold are fields of one stage).
    #[must_use]
    pub fn output_stages(&self) -> Vec<usize> {
        let mut stages: Vec<usize> = Vec::new();
        for k in 0..self.outputs.len() {
            let (s, _) = self.output_source(k);
            if !stages.contains(&s) {
                stages.push(s);
            }
        }
        stages
    }

    /// The stage holding output `k` and the field of its chunks that is the output.
    pub(crate) fn output_source(&self, k: usize) -> (usize, usize) {
        let o = self.outputs[k];
        match self.nodes[o].stage {
            Some(s) => (s, 0),
            None => {
                let (src, field) = crate::optimize::fuse::field_source(&self.nodes, o)
                    .expect("an output is materialised or a field of a materialised node");
                (
                    self.nodes[src]
                        .stage
                        .expect("the field's source is materialised"),
                    field,
                )
            }
        }
    }

    /// The tasks whose outputs task `id` reads, sorted and without repeats.
    #[must_use]
    pub fn inputs(&self, id: TaskId) -> Vec<TaskId> {
        let mut out = Vec::new();
        crate::deps::task_inputs(self, id, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Peak memory of task `id`, bytes.
    #[must_use]
    pub fn task_bytes(&self, id: TaskId) -> u64 {
        crate::deps::task_bytes(self, id)
    }

    /// Largest per-task peak memory over all stages, bytes.
    #[must_use]
    pub fn peak_bytes(&self) -> u64 {
        self.stages.iter().map(|s| s.peak_bytes).max().unwrap_or(0)
    }

    /// Refuses the plan when one task of a stage would need more than `limit_bytes`.
    ///
    /// # Errors
    /// [`Error::Memory`] naming the first such stage, the bytes its largest task needs, and
    /// a chunk shape for that stage that would fit.
    pub fn check_memory(&self, limit_bytes: u64) -> Result<()> {
        for s in &self.stages {
            if s.peak_bytes > limit_bytes {
                let (hint, hint_bytes) = self.chunk_hint(s, limit_bytes);
                return Err(Error::Memory {
                    stage: s.name.clone(),
                    need_bytes: s.peak_bytes,
                    limit_bytes,
                    hint,
                    hint_bytes,
                });
            }
        }
        Ok(())
    }

    /// Halves the largest chunk dimension of the stage's input until the estimate fits.
    fn chunk_hint(&self, s: &Stage, limit: u64) -> (String, u64) {
        let node = match &s.kind {
            StageKind::Node { node }
            | StageKind::ReducePartial { node }
            | StageKind::ReduceCombine { node, .. }
            | StageKind::ScanPartial { node } => *node,
        };
        let n = &self.nodes[node];
        let basis = n.inputs.first().map_or(n, |&i| &self.nodes[i]);
        let fold_axis = match &n.op {
            Op::Fold { axis, .. } => Some(*axis),
            _ => None,
        };
        let mut chunks = basis.chunks.clone();
        let full: f64 = chunks.iter().map(|&c| c as f64).product();
        let mut bytes = s.peak_bytes;
        while bytes > limit {
            let Some((d, _)) = chunks
                .iter()
                .enumerate()
                .filter(|&(d, &c)| c > 1 && Some(d) != fold_axis)
                .max_by_key(|&(_, &c)| c)
            else {
                break;
            };
            chunks[d] = chunks[d].div_ceil(2);
            let now: f64 = chunks.iter().map(|&c| c as f64).product();
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            {
                bytes = (s.peak_bytes as f64 * now / full).ceil() as u64;
            }
        }
        let hint = chunks
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join("x");
        (format!("{hint} (on `{}`)", basis.label), bytes)
    }

    pub(crate) fn node(&self, i: usize) -> &PNode {
        &self.nodes[i]
    }

    pub(crate) fn region_of(&self, id: TaskId) -> Region {
        self.stages[id.stage as usize].grid.region(id.chunk)
    }

    /// Tasks of `stage` overlapping `region` of its grid.
    pub(crate) fn overlapping(&self, stage: usize, region: &[Range<usize>], out: &mut Vec<TaskId>) {
        let s = u32::try_from(stage).expect("stage count fits u32");
        out.extend(
            self.stages[stage]
                .grid
                .overlapping(region)
                .into_iter()
                .map(|chunk| TaskId { stage: s, chunk }),
        );
    }
}
