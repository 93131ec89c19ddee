//! Executors: the same [`Plan`] run synchronously, on threads, or in worker processes.

pub(crate) mod dag;
mod procs;
mod sync;
mod threads;

pub use procs::{serve_worker, ProcessExecutor, CRASH_AT_ENV};

/// Environment variable naming a number of tasks after which the threads and sync
/// executors abort the whole process, as a kill would: the test of resuming a run.
pub const ABORT_AFTER_ENV: &str = "RSDAT_ABORT_AFTER_TASKS";
pub use sync::SyncExecutor;
pub use threads::ThreadsExecutor;

use crate::plan::Plan;
use crate::store::TaskStore;
use crate::Result;

/// Progress callback: `(tasks done, tasks in the plan)`.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Runs every task of a plan.
///
/// On return the store holds the outputs of the plan's output stages (intermediates may
/// have been released). Tasks whose output the store already holds are not run again, so
/// a run over the store of a killed run resumes it.
pub trait Executor {
    /// Name for messages (`threads`, `processes`, `sync`).
    fn name(&self) -> &'static str;

    /// Runs `plan`, keeping outputs in `store`.
    ///
    /// # Errors
    /// The first failing task's error, or a worker failure.
    fn execute(&self, plan: &Plan, store: &dyn TaskStore, progress: Progress<'_>) -> Result<()>;
}

/// The plan's tasks as a DAG, by flat index; later stages first when several are ready.
pub(crate) fn plan_dag(plan: &Plan) -> dag::Dag {
    let n = usize::try_from(plan.n_tasks()).expect("task count fits usize");
    dag::Dag::new(
        n,
        |i, out| {
            let id = plan.task(i as u64);
            for inp in plan.inputs(id) {
                out.push(usize::try_from(plan.flat(inp)).expect("task index fits usize"));
            }
        },
        |i| plan.task(i as u64).stage,
    )
}

/// Runs `plan` on `workers` threads (1: the calling thread) with outputs in `store`.
pub(crate) fn run_in_process(
    plan: &Plan,
    store: &dyn TaskStore,
    workers: usize,
    progress: Progress<'_>,
) -> Result<()> {
    let dag = plan_dag(plan);
    let outputs = plan.output_stages();
    let total = plan.n_tasks();
    let step = (total / 1000).max(1);
    let abort_after: Option<u64> = std::env::var(ABORT_AFTER_ENV)
        .ok()
        .and_then(|v| v.parse().ok());
    let ran = std::sync::atomic::AtomicU64::new(0);
    let work = |i: usize| {
        let id = plan.task(i as u64);
        if store.contains(id) {
            return Ok(());
        }
        let block = crate::eval::run_task(plan, store, id)?;
        store.put(id, block)?;
        let n = ran.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if abort_after == Some(n) {
            std::process::abort();
        }
        Ok(())
    };
    let release = |i: usize| {
        let id = plan.task(i as u64);
        if !outputs.contains(&(id.stage as usize)) {
            store.release(id);
        }
    };
    let report = |done: usize| {
        let done = done as u64;
        if done.is_multiple_of(step) || done == total {
            progress(done, total);
        }
    };
    dag::run(
        &dag,
        workers,
        &dag::Hooks {
            work: &work,
            release: &release,
            progress: &report,
        },
    )
}
