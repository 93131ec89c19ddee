//! Executors: the same [`Plan`] run synchronously, on threads, or in worker processes.

pub(crate) mod dag;
mod observe;
mod procs;
mod sync;
mod threads;

pub use observe::{
    observe_run, process_memory, MemorySample, Observer, TaskFailed, TaskFinished, TaskStarted,
};
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

    /// Runs `plan` like [`Executor::execute`], telling `observer` what happens.
    ///
    /// The provided method reports the run's start and end and its progress; executors
    /// that know their workers override it to report every task (worker, timings, bytes)
    /// and the workers' memory.
    ///
    /// # Errors
    /// As [`Executor::execute`].
    fn execute_observed(
        &self,
        plan: &Plan,
        store: &dyn TaskStore,
        observer: &dyn Observer,
    ) -> Result<()> {
        observe_run(observer, plan, self.name(), || {
            self.execute(plan, store, &|done, total| observer.progress(done, total))
        })
    }
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

/// Runs `plan` on `workers` threads (1: the calling thread) with outputs in `store`,
/// telling `observer` (if any) about every task; the workers are named by `worker_name`.
pub(crate) fn run_in_process(
    plan: &Plan,
    store: &dyn TaskStore,
    workers: usize,
    progress: Progress<'_>,
    observer: Option<&dyn Observer>,
) -> Result<()> {
    let dag = plan_dag(plan);
    let outputs = plan.output_stages();
    let total = plan.n_tasks();
    let step = (total / 1000).max(1);
    let abort_after: Option<u64> = std::env::var(ABORT_AFTER_ENV)
        .ok()
        .and_then(|v| v.parse().ok());
    let ran = std::sync::atomic::AtomicU64::new(0);
    let aborts = |ran: &std::sync::atomic::AtomicU64| {
        let n = ran.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if abort_after == Some(n) {
            std::process::abort();
        }
    };
    let names: Vec<String> = if workers <= 1 {
        vec!["main".to_owned()]
    } else {
        (0..workers).map(|w| format!("thread {w}")).collect()
    };
    let plain = |i: usize, _w: usize| {
        let id = plan.task(i as u64);
        if store.contains(id) {
            return Ok(());
        }
        let block = crate::eval::run_task(plan, store, id)?;
        store.put(id, block)?;
        aborts(&ran);
        Ok(())
    };
    let observed = |i: usize, w: usize| {
        let Some(obs) = observer else {
            return plain(i, w);
        };
        let id = plan.task(i as u64);
        let worker = names[w.min(names.len() - 1)].as_str();
        let started = std::time::Instant::now();
        if store.contains(id) {
            obs.task_finished(&TaskFinished {
                task: id,
                worker,
                started,
                finished: started,
                bytes: 0,
                cached: true,
            });
            return Ok(());
        }
        obs.task_started(&TaskStarted {
            task: id,
            worker,
            at: started,
        });
        let result = crate::eval::run_task(plan, store, id).and_then(|block| {
            let bytes = block.bytes() as u64;
            store.put(id, block).map(|()| bytes)
        });
        match result {
            Ok(bytes) => {
                obs.task_finished(&TaskFinished {
                    task: id,
                    worker,
                    started,
                    finished: std::time::Instant::now(),
                    bytes,
                    cached: false,
                });
                aborts(&ran);
                Ok(())
            }
            Err(e) => {
                obs.task_failed(&TaskFailed {
                    task: id,
                    worker,
                    started,
                    failed: std::time::Instant::now(),
                    reason: &e.to_string(),
                });
                Err(e)
            }
        }
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
    let work: &(dyn Fn(usize, usize) -> Result<()> + Sync) = if observer.is_some() {
        &observed
    } else {
        &plain
    };
    dag::run(
        &dag,
        workers,
        &dag::Hooks {
            work,
            release: &release,
            progress: &report,
        },
    )
}

/// [`run_in_process`] for `execute_observed` of the in-process executors: the run's
/// start and end, and the process's memory as that of worker `process`.
pub(crate) fn observe_in_process(
    name: &str,
    plan: &Plan,
    store: &dyn TaskStore,
    workers: usize,
    observer: &dyn Observer,
) -> Result<()> {
    let pid = std::process::id();
    observe_run(observer, plan, name, || {
        observe::with_memory_sampler(observer, &|| vec![("process".to_owned(), pid)], || {
            run_in_process(
                plan,
                store,
                workers,
                &|done, total| observer.progress(done, total),
                Some(observer),
            )
        })
    })
}
