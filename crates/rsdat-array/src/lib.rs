//! Labelled chunked lazy arrays, a planner of chunk tasks with memory known before the
//! run, and executors that run the same plan synchronously, on threads, or in worker
//! processes: what xarray + `dask.array` + `dask.delayed` do for the RS-DAT stack.
//!
//! Arrays build an expression graph ([`LazyArray`]); [`Plan::build`] lowers it to stages
//! of chunk tasks (elementwise chains fused into one task per chunk, tree reductions,
//! folds streaming along one axis); [`Plan::check_memory`] refuses plans that would not
//! fit; an [`Executor`] runs the tasks, outputs going to a [`TaskStore`]. A plan travels
//! to other processes as a [`PlanSpec`].
//!
//! ```
//! use rsdat_array::{compute, ComputeOptions, ExecutorKind, LazyArray, Plan};
//!
//! // notebook 01 of the seed, small: (x + x.T).mean()
//! let x = LazyArray::random("x", &[("y", 200), ("x", 200)], &[50, 50], 42)?;
//! let m = x.add(&x.t().rename_dims(&["y", "x"])?)?.mean(&[])?;
//! let plan = Plan::build(&[&m])?;
//! plan.check_memory(64 << 20)?;
//! assert_eq!(plan.stages()[0].tasks(), 16);
//! let sync = compute(&[&m], &ComputeOptions { executor: ExecutorKind::Sync, ..Default::default() })?;
//! let threads = m.compute()?;
//! assert_eq!(sync[0], threads);
//! assert!((threads[[]] - 1.0).abs() < 0.01);
//! # Ok::<(), rsdat_array::Error>(())
//! ```

mod array;
mod compute;
mod delayed;
mod deps;
mod error;
mod eval;
pub mod examples;
mod exec;
mod expr;
mod fold;
mod grid;
mod lower;
mod ops;
mod optimize;
mod plan;
mod random;
mod reduce;
mod regions;
mod spec;
mod store;
mod visualize;

pub use array::LazyArray;
pub use compute::{compute, run, ComputeOptions, ExecutorKind, Outputs};
pub use delayed::Delayed;
pub use error::{Error, Result};
pub use eval::run_task;
pub use exec::{
    observe_run, process_memory, serve_worker, Executor, MemorySample, Observer, ProcessExecutor,
    Progress, SyncExecutor, TaskFailed, TaskFinished, TaskStarted, ThreadsExecutor,
};
pub use expr::{BinaryOp, ReduceOp, RoundMode, UnaryOp};
pub use fold::{FactoryFn, FoldFactory, FoldKernel, KernelRegistry, SumUntil};
pub use grid::{ChunkGrid, Region};
pub use ops::Selection;
pub use plan::{Plan, Stage, StageKind, TaskId};
pub use spec::{set_opener, Opener, PlanSpec, SPEC_VERSION};
pub use store::{Block, DirStore, MemStore, TaskStore};
pub use visualize::{human_bytes, StageSummary, DOT_TASK_LIMIT};

/// Environment variable of the crash test hook of worker processes.
pub use exec::{ABORT_AFTER_ENV, CRASH_AT_ENV};
