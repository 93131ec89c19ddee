//! The synchronous executor: every task on the calling thread, for debugging.

use super::{observe_in_process, run_in_process, Executor, Observer, Progress};
use crate::plan::Plan;
use crate::store::TaskStore;
use crate::Result;

/// Runs tasks one at a time on the calling thread, in dependency order.
#[derive(Debug, Clone, Copy, Default)]
pub struct SyncExecutor;

impl Executor for SyncExecutor {
    fn name(&self) -> &'static str {
        "sync"
    }

    fn execute(&self, plan: &Plan, store: &dyn TaskStore, progress: Progress<'_>) -> Result<()> {
        run_in_process(plan, store, 1, progress, None)
    }

    fn execute_observed(
        &self,
        plan: &Plan,
        store: &dyn TaskStore,
        observer: &dyn Observer,
    ) -> Result<()> {
        observe_in_process(self.name(), plan, store, 1, observer)
    }
}
