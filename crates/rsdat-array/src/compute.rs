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
    let outputs = run(&plan, opts)?;
    outputs.get(0..arrays.len())
}

/// The outputs of a plan after [`run`], in the run's task store (in memory, or files in
/// [`ComputeOptions::task_dir`]), read a few at a time.
pub struct Outputs<'p> {
    plan: &'p Plan,
    store: Box<dyn TaskStore>,
}

impl Outputs<'_> {
    /// Outputs `ks` (indices in the order the plan was built with), each chunk read once.
    ///
    /// # Errors
    /// When a chunk of them is missing from the store.
    pub fn get(&self, ks: std::ops::Range<usize>) -> Result<Vec<ArrayD<f64>>> {
        self.plan.outputs(ks, self.store.as_ref())
    }
}

/// Runs `plan` as `opts` say: checks memory, executes, and keeps the outputs.
///
/// # Errors
/// As [`compute`].
pub fn run<'p>(plan: &'p Plan, opts: &ComputeOptions) -> Result<Outputs<'p>> {
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
        Some(dir) => Box::new(resumable_store(plan, dir)?),
        None => Box::new(MemStore::new(plan)),
    };
    // a custom executor (SLURM) comes out of `executor()`; it checks memory itself
    let exec = opts.executor()?;
    match &opts.observer {
        Some(observer) => exec.execute_observed(
            plan,
            store.as_ref(),
            &Tee {
                observer: observer.as_ref(),
                progress,
            },
        )?,
        None => exec.execute(plan, store.as_ref(), progress)?,
    }
    Ok(Outputs { plan, store })
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
        let (stage, field) = self.output_source(k);
        Ok(self
            .gather_output(k, stage, field..field + 1, store)?
            .swap_remove(0))
    }

    /// `fields` of stage `stage` over the whole extent of output `k`.
    fn gather_output(
        &self,
        k: usize,
        stage: usize,
        fields: std::ops::Range<usize>,
        store: &dyn TaskStore,
    ) -> Result<Vec<ArrayD<f64>>> {
        let region: Vec<_> = self
            .node(self.outputs[k])
            .shape
            .iter()
            .map(|&s| 0..s)
            .collect();
        crate::eval::gather(self, store, stage, &region, fields)
    }

    /// The values of outputs `ks` from `store` after a run; outputs that are fields of one
    /// stage (a fold's layers) are assembled from one read of its chunks.
    ///
    /// # Errors
    /// When a chunk of them is missing from the store.
    pub fn outputs(
        &self,
        ks: std::ops::Range<usize>,
        store: &dyn TaskStore,
    ) -> Result<Vec<ArrayD<f64>>> {
        let mut gathered: Vec<(usize, Vec<Option<ArrayD<f64>>>)> = Vec::new();
        ks.map(|k| {
            let (stage, field) = self.output_source(k);
            let at = match gathered.iter().position(|(s, _)| *s == stage) {
                Some(at) => at,
                None => {
                    let f = self.gather_output(k, stage, 0..self.stages[stage].fields, store)?;
                    gathered.push((stage, f.into_iter().map(Some).collect()));
                    gathered.len() - 1
                }
            };
            let slot = &mut gathered[at].1[field];
            match slot.take() {
                Some(v) => Ok(v),
                // asked for twice: read again
                None => Ok(self.output(k, store)?),
            }
        })
        .collect()
    }
}
