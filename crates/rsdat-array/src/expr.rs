//! The expression graph that lazy arrays build: nodes of named, serialisable operations.

use std::sync::Arc;

use rsdat_model::Source;
use serde::{Deserialize, Serialize};

use crate::fold::FoldFactory;

/// An elementwise operation on one array.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `|x|`
    Abs,
    /// `sqrt(x)`
    Sqrt,
    /// `exp(x)`
    Exp,
    /// `ln(x)`
    Ln,
    /// `x + c`
    AddScalar(f64),
    /// `x * c`
    MulScalar(f64),
    /// `c - x`
    RSubScalar(f64),
    /// `c / x`
    RDivScalar(f64),
    /// `x ^ c`
    PowScalar(f64),
    /// Clamp to `[lo, hi]` (NaN stays NaN), as `xarray.DataArray.clip`.
    Clip(f64, f64),
    /// Round to `decimals` decimals.
    Round(i32, RoundMode),
    /// Cast to `float32` precision.
    ToF32,
    /// `1.0` where NaN, else `0.0`.
    IsNan,
    /// Does nothing (the overhead benchmark's task).
    Noop,
}

/// How ties round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RoundMode {
    /// Ties to even, as `numpy.round`.
    HalfEven,
    /// Ties away from zero, as Python 2 and C `round`.
    HalfAway,
}

/// An elementwise operation on two arrays, broadcast by dimension name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum BinaryOp {
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b`
    Div,
    /// `max(a, b)`, NaN propagating
    Max,
    /// `min(a, b)`, NaN propagating
    Min,
    /// `a > b` as 1.0 / 0.0
    Gt,
    /// `a >= b`
    Ge,
    /// `a < b`
    Lt,
    /// `a <= b`
    Le,
    /// `a == b`
    Eq,
}

/// A reduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ReduceOp {
    /// Sum (empty or all-NaN with skipna: 0).
    Sum,
    /// Mean (all-NaN: NaN).
    Mean,
    /// Maximum.
    Max,
    /// Minimum.
    Min,
    /// Index of the maximum, flat over the reduced dims; all-NaN with skipna: NaN.
    Argmax,
}

/// One operation of the graph; everything needed to run it except user closures and
/// open file handles, which [`Runtime`] carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub(crate) enum Op {
    /// A variable of a dataset, CF-decoded.
    Source {
        urls: Vec<String>,
        var: String,
        f32: bool,
    },
    /// Values held in memory, row-major.
    Memory {
        data: Vec<f64>,
    },
    /// Uniform `[0, 1)` values from a counter-based generator: element `i` depends only on
    /// `seed` and `i`, so any chunking gives the same array.
    Random {
        seed: u64,
    },
    /// A constant.
    Full {
        value: f64,
    },
    Unary(UnaryOp),
    /// A user closure, in-process only.
    MapFn {
        name: String,
    },
    Binary(BinaryOp),
    /// `where(cond, a, b)`: inputs cond, a, b.
    Where,
    /// Per-dim `(start, step)` of a strided selection; the node's shape gives the counts.
    Isel {
        start: Vec<usize>,
        step: Vec<usize>,
    },
    /// Output axis `d` is input axis `perm[d]`.
    Transpose {
        perm: Vec<usize>,
    },
    /// A new axis of length 1 at `axis`.
    ExpandDims {
        axis: usize,
    },
    /// Drops `axis`, of length 1.
    Squeeze {
        axis: usize,
    },
    /// Edge padding along `axis`.
    PadEdge {
        axis: usize,
        before: usize,
    },
    /// Block means (NaN-skipping) with `factors`, trimmed boundary.
    Coarsen {
        factors: Vec<usize>,
    },
    /// Trailing window sum along `axis`, NaN when the window is incomplete or holds NaN.
    RollingSum {
        axis: usize,
        window: usize,
    },
    /// Concatenation along `axis`.
    Concat {
        axis: usize,
    },
    /// Same values, new chunks.
    Rechunk,
    /// Reduction over `axes` of the input.
    Reduce {
        op: ReduceOp,
        axes: Vec<usize>,
        skipna: bool,
    },
    /// Running sum along `axis`.
    Cumsum {
        axis: usize,
        skipna: bool,
    },
    /// Matrix product of two 2-D arrays.
    Dot,
    /// A fold along `axis` with per-cell state: inputs are the folded arrays.
    Fold {
        kernel: String,
        params: serde_json::Value,
        axis: usize,
        outputs: usize,
    },
    /// Output `k` of a multi-output node (a fold).
    Field {
        k: usize,
    },
}

/// What a node carries besides its serialisable op: open sources, kernels, closures.
#[derive(Clone, Default)]
pub(crate) enum Runtime {
    #[default]
    None,
    Source(Arc<dyn Source>),
    Kernel(Arc<dyn FoldFactory>),
    MapFn(Arc<dyn Fn(f64) -> f64 + Send + Sync>),
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::None => "none",
            Self::Source(_) => "source",
            Self::Kernel(_) => "kernel",
            Self::MapFn(_) => "closure",
        })
    }
}

/// A node of the expression graph: op, inputs, and the output's shape and chunks.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) op: Op,
    pub(crate) inputs: Vec<Arc<Node>>,
    /// For each input, the output axis each of its axes maps to (broadcasting by name).
    pub(crate) align: Vec<Vec<usize>>,
    pub(crate) shape: Vec<usize>,
    pub(crate) chunks: Vec<usize>,
    /// Label for plans and errors.
    pub(crate) label: String,
    pub(crate) runtime: Runtime,
}

impl Node {
    pub(crate) fn leaf(op: Op, shape: Vec<usize>, chunks: Vec<usize>, label: String) -> Self {
        Self {
            op,
            inputs: Vec::new(),
            align: Vec::new(),
            shape,
            chunks,
            label,
            runtime: Runtime::None,
        }
    }

    /// A node whose inputs map axis-for-axis onto the output.
    pub(crate) fn same_axes(
        op: Op,
        inputs: Vec<Arc<Node>>,
        shape: Vec<usize>,
        chunks: Vec<usize>,
        label: String,
    ) -> Self {
        let align = inputs
            .iter()
            .map(|i| (0..i.shape.len()).collect())
            .collect();
        Self {
            op,
            inputs,
            align,
            shape,
            chunks,
            label,
            runtime: Runtime::None,
        }
    }
}

impl Op {
    /// Short name of the op, for plans.
    pub(crate) fn name(&self) -> String {
        match self {
            Op::Source { var, .. } => format!("read {var}"),
            Op::Memory { .. } => "array".into(),
            Op::Random { seed } => format!("random(seed={seed})"),
            Op::Full { value } => format!("full({value})"),
            Op::Unary(u) => format!("{u:?}").to_lowercase(),
            Op::MapFn { name } => format!("map {name}"),
            Op::Binary(b) => format!("{b:?}").to_lowercase(),
            Op::Where => "where".into(),
            Op::Isel { .. } => "isel".into(),
            Op::Transpose { .. } => "transpose".into(),
            Op::ExpandDims { .. } => "expand_dims".into(),
            Op::Squeeze { .. } => "squeeze".into(),
            Op::PadEdge { .. } => "pad".into(),
            Op::Coarsen { .. } => "coarsen-mean".into(),
            Op::RollingSum { .. } => "rolling-sum".into(),
            Op::Concat { .. } => "concat".into(),
            Op::Rechunk => "rechunk".into(),
            Op::Reduce { op, .. } => format!("{op:?}").to_lowercase(),
            Op::Cumsum { .. } => "cumsum".into(),
            Op::Dot => "dot".into(),
            Op::Fold { kernel, .. } => format!("fold {kernel}"),
            Op::Field { k } => format!("output {k}"),
        }
    }

    /// Number of fields (parallel arrays) a materialised chunk of this node holds.
    pub(crate) fn fields(&self) -> usize {
        match self {
            Op::Fold { outputs, .. } => *outputs,
            _ => 1,
        }
    }
}
