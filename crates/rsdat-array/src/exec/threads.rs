//! The threads executor (the default): a dependency-driven pool of worker threads.

use super::{observe_in_process, run_in_process, Executor, Observer, Progress};
use crate::plan::Plan;
use crate::store::TaskStore;
use crate::Result;

/// Runs tasks on `workers` threads as their inputs become ready.
#[derive(Debug, Clone, Copy)]
pub struct ThreadsExecutor {
    /// Number of threads.
    pub workers: usize,
}

impl Default for ThreadsExecutor {
    /// As many threads as the machine has cores.
    fn default() -> Self {
        Self {
            workers: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        }
    }
}

impl Executor for ThreadsExecutor {
    fn name(&self) -> &'static str {
        "threads"
    }

    fn execute(&self, plan: &Plan, store: &dyn TaskStore, progress: Progress<'_>) -> Result<()> {
        run_in_process(plan, store, self.workers, progress, None)
    }

    fn execute_observed(
        &self,
        plan: &Plan,
        store: &dyn TaskStore,
        observer: &dyn Observer,
    ) -> Result<()> {
        observe_in_process(self.name(), plan, store, self.workers, observer)
    }
}
