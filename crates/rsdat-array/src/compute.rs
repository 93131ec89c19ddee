//! Computing lazy arrays: plan, check memory, execute, assemble.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::ArrayD;

use crate::exec::{
    Executor, MemorySample, Observer, ProcessExecutor, SyncExecutor, TaskFailed, TaskFinished,
    TaskStarted, ThreadsExecutor,
};
use crate::plan::Plan;
use crate::store::{DirStore, MemStore, TaskStore};
use crate::{LazyArray, Result};

/// Which executor runs a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExecutorKind {
    /// The calling thread.
    Sync,
    /// A pool of threads.
    #[default]
    Threads,
    /// Worker processes.
    Processes,
}

/// How [`compute`] runs.
#[derive(Clone, Default)]
pub struct ComputeOptions {
    /// The executor.
    pub executor: ExecutorKind,
    /// Threads or processes; `None`: the number of cores.
    pub workers: Option<usize>,
    /// Refuse plans whose tasks, one per worker at once, would need more bytes than this.
    pub memory_limit: Option<u64>,
    /// The worker program for [`ExecutorKind::Processes`] (started as `program worker`).
    pub worker_program: Option<PathBuf>,
    /// Called with `(done, total)` as tasks finish.
    pub progress: Option<Arc<dyn Fn(u64, u64) + Send + Sync>>,
    /// Keep task outputs as files here instead of in memory, so that a killed run started
    /// again with the same plan skips the tasks it finished; `None`: in memory.
    pub task_dir: Option<PathBuf>,
    /// An executor from another crate (SLURM); when set it runs the plan instead of
    /// `executor`, and checks memory itself.
    pub custom: Option<Arc<dyn Executor + Send + Sync>>,
    /// Told about every task and worker (a live dashboard); `progress` is called too.
    pub observer: Option<Arc<dyn Observer + Send + Sync>>,
}

impl std::fmt::Debug for ComputeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComputeOptions")
            .field("executor", &self.executor)
            .field("workers", &self.workers)
            .field("memory_limit", &self.memory_limit)
            .field("worker_program", &self.worker_program)
            .field("task_dir", &self.task_dir)
            .field("custom", &self.custom.as_ref().map(|e| e.name()))
            .field("observed", &self.observer.is_some())
            .finish_non_exhaustive()
    }
}

impl ComputeOptions {
    /// The executor these options describe.
    ///
    /// # Errors
    /// [`crate::Error::Worker`] for processes without a worker program.
    pub fn executor(&self) -> Result<Box<dyn Executor>> {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let workers = self.workers.unwrap_or(cores).max(1);
        if let Some(custom) = &self.custom {
            return Ok(Box::new(Shared(custom.clone())));
        }
        Ok(match self.executor {
            ExecutorKind::Sync => Box::new(SyncExecutor),
            ExecutorKind::Threads => Box::new(ThreadsExecutor { workers }),
            ExecutorKind::Processes => {
                let program = self.worker_program.clone().ok_or_else(|| {
                    crate::Error::Worker(
                        "the processes executor needs the worker program (the rsdat binary)".into(),
                    )
                })?;
                Box::new(ProcessExecutor::new(program, workers))
            }
        })
    }
}

/// A custom executor handed out by [`ComputeOptions::executor`].
struct Shared(Arc<dyn Executor + Send + Sync>);

impl Executor for Shared {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn execute(
        &self,
        plan: &Plan,
        store: &dyn TaskStore,
        progress: crate::Progress<'_>,
    ) -> Result<()> {
        self.0.execute(plan, store, progress)
    }

    fn execute_observed(
        &self,
        plan: &Plan,
        store: &dyn TaskStore,
        observer: &dyn Observer,
    ) -> Result<()> {
        self.0.execute_observed(plan, store, observer)
    }
}

/// Computes `arrays` together (shared parts once) and returns their values.
///
/// # Errors
/// [`crate::Error::Memory`] when a task would exceed its worker's share of
/// `memory_limit` (`memory_limit / workers`; checked before running),
/// else the first task failure.
pub fn compute(arrays: &[&LazyArray], opts: &ComputeOptions) -> Result<Vec<ArrayD<f64>>> {
    let plan = Plan::build(arrays)?;
    let noop = |_: u64, _: u64| {};
    let progress: &(dyn Fn(u64, u64) + Sync) = match &opts.progress {
        Some(p) => p.as_ref(),
        None => &noop,
    };
    if let (Some(limit), None) = (opts.memory_limit, &opts.custom) {
        // every worker may run its largest task at once
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let workers = match opts.executor {
            ExecutorKind::Sync => 1,
            _ => opts.workers.unwrap_or(cores).max(1),
        };
        plan.check_memory(limit / workers as u64)?;
    }
    let store: Box<dyn TaskStore> = match &opts.task_dir {
        Some(dir) => Box::new(resumable_store(&plan, dir)?),
        None => Box::new(MemStore::new(&plan)),
    };
    let store = store.as_ref();
    // a custom executor (SLURM) comes out of `executor()`; it checks memory itself
    let exec = opts.executor()?;
    match &opts.observer {
        Some(observer) => exec.execute_observed(
            &plan,
            store,
            &Tee {
                observer: observer.as_ref(),
                progress,
            },
        )?,
        None => exec.execute(&plan, store, progress)?,
    }
    (0..arrays.len()).map(|k| plan.output(k, store)).collect()
}

/// An observer that also calls a progress callback.
struct Tee<'a> {
    observer: &'a dyn Observer,
    progress: &'a (dyn Fn(u64, u64) + Sync),
}

impl Observer for Tee<'_> {
    fn run_started(&self, plan: &Plan, executor: &str) {
        self.observer.run_started(plan, executor);
    }
    fn task_started(&self, event: &TaskStarted<'_>) {
        self.observer.task_started(event);
    }
    fn task_finished(&self, event: &TaskFinished<'_>) {
        self.observer.task_finished(event);
    }
    fn task_failed(&self, event: &TaskFailed<'_>) {
        self.observer.task_failed(event);
    }
    fn memory(&self, sample: &MemorySample<'_>) {
        self.observer.memory(sample);
    }
    fn progress(&self, done: u64, total: u64) {
        self.observer.progress(done, total);
        (self.progress)(done, total);
    }
    fn run_finished(&self, error: Option<&str>) {
        self.observer.run_finished(error);
    }
}

/// A [`DirStore`] in `dir` for `plan`: outputs of an earlier run of the same plan are kept,
/// those of another plan removed first. The plan is recorded as `plan.json`.
fn resumable_store(plan: &Plan, dir: &Path) -> Result<DirStore> {
    let spec = serde_json::to_vec(&plan.spec()?)
        .map_err(|e| crate::Error::Spec(format!("cannot encode the plan: {e}")))?;
    let recorded = dir.join("plan.json");
    if dir.exists() && std::fs::read(&recorded).ok().as_deref() != Some(spec.as_slice()) {
        std::fs::remove_dir_all(dir)
            .map_err(|e| crate::Error::io("clearing task outputs", dir.display(), e))?;
    }
    let store = DirStore::new(dir)?;
    let tmp = dir.join("plan.json.tmp");
    std::fs::write(&tmp, &spec)
        .and_then(|()| std::fs::rename(&tmp, &recorded))
        .map_err(|e| crate::Error::io("recording the plan", recorded.display(), e))?;
    Ok(store)
}

impl Plan {
    /// The values of output `k` from `store` after a run.
    ///
    /// # Errors
    /// When a chunk of it is missing from the store.
    pub fn output(&self, k: usize, store: &dyn TaskStore) -> Result<ArrayD<f64>> {
        let stage = self.output_stages()[k];
        let n = self.node(self.outputs[k]);
        let region: Vec<_> = n.shape.iter().map(|&s| 0..s).collect();
        let mut f = crate::eval::gather(self, store, stage, &region, n.fields())?;
        Ok(f.swap_remove(0))
    }
}
