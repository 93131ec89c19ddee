//! Rich run events for dashboards: tasks started, finished and failed (with the worker,
//! timings and bytes) and memory samples per worker.
//!
//! Executors that know their workers (sync, threads, processes) override
//! [`super::Executor::execute_observed`] to send every event; others get the provided
//! method, which reports progress only.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::plan::{Plan, TaskId};

/// A task began on a worker.
#[derive(Debug, Clone, Copy)]
pub struct TaskStarted<'a> {
    /// The task.
    pub task: TaskId,
    /// The worker (`thread 3`, `pid 4711`, `main`).
    pub worker: &'a str,
    /// When it began.
    pub at: Instant,
}

/// A task ended well.
#[derive(Debug, Clone, Copy)]
pub struct TaskFinished<'a> {
    /// The task.
    pub task: TaskId,
    /// The worker that ran it.
    pub worker: &'a str,
    /// When it began.
    pub started: Instant,
    /// When it ended.
    pub finished: Instant,
    /// Bytes of its output (0 when unknown).
    pub bytes: u64,
    /// Its output was already in the store (a resumed run): nothing ran.
    pub cached: bool,
}

/// A task failed.
#[derive(Debug, Clone, Copy)]
pub struct TaskFailed<'a> {
    /// The task.
    pub task: TaskId,
    /// The worker that ran it.
    pub worker: &'a str,
    /// When it began.
    pub started: Instant,
    /// When it failed.
    pub failed: Instant,
    /// Why.
    pub reason: &'a str,
}

/// Resident memory of one worker.
#[derive(Debug, Clone, Copy)]
pub struct MemorySample<'a> {
    /// The worker (for threads: the whole process, `process`).
    pub worker: &'a str,
    /// Its process id.
    pub pid: u32,
    /// Resident set now (`VmRSS`), bytes.
    pub rss_bytes: u64,
    /// Peak resident set so far (`VmHWM`), bytes, where known.
    pub peak_bytes: Option<u64>,
    /// When it was read.
    pub at: Instant,
}

/// Runs `run` (a run of `plan` on `executor`) between `observer`'s
/// [`Observer::run_started`] and [`Observer::run_finished`], which gets the error if any.
///
/// # Errors
/// `run`'s.
pub fn observe_run(
    observer: &dyn Observer,
    plan: &Plan,
    executor: &str,
    run: impl FnOnce() -> crate::Result<()>,
) -> crate::Result<()> {
    observer.run_started(plan, executor);
    let result = run();
    observer.run_finished(result.as_ref().err().map(ToString::to_string).as_deref());
    result
}

/// Receives the events of a run. Called from worker threads: implementations must be
/// cheap and must not block for long (queue the event and return).
pub trait Observer: Sync {
    /// A run of `plan` on `executor` begins.
    fn run_started(&self, plan: &Plan, executor: &str) {
        let _ = (plan, executor);
    }
    /// A task began.
    fn task_started(&self, event: &TaskStarted<'_>) {
        let _ = event;
    }
    /// A task ended well.
    fn task_finished(&self, event: &TaskFinished<'_>) {
        let _ = event;
    }
    /// A task failed.
    fn task_failed(&self, event: &TaskFailed<'_>) {
        let _ = event;
    }
    /// A worker's memory was read.
    fn memory(&self, sample: &MemorySample<'_>) {
        let _ = sample;
    }
    /// `(tasks done, tasks in the plan)`.
    fn progress(&self, done: u64, total: u64) {
        let _ = (done, total);
    }
    /// The run ended, with its error message if it failed.
    fn run_finished(&self, error: Option<&str>) {
        let _ = error;
    }
}

/// How often workers' memory is read during an observed run.
pub(crate) const MEMORY_INTERVAL: Duration = Duration::from_millis(250);

/// `(VmRSS, VmHWM)` of process `pid` from `/proc/<pid>/status`, bytes.
#[must_use]
pub fn process_memory(pid: u32) -> Option<(u64, Option<u64>)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let kb = s
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()?;
        Some(kb * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")))
}

/// Runs `f` while a thread samples the memory of the workers `workers()` lists
/// (`(name, pid)`) every [`MEMORY_INTERVAL`], once at the start and once at the end.
pub(crate) fn with_memory_sampler<R>(
    observer: &dyn Observer,
    workers: &(dyn Fn() -> Vec<(String, u32)> + Sync),
    f: impl FnOnce() -> R,
) -> R {
    let sample = || {
        for (name, pid) in workers() {
            if let Some((rss, peak)) = process_memory(pid) {
                observer.memory(&MemorySample {
                    worker: &name,
                    pid,
                    rss_bytes: rss,
                    peak_bytes: peak,
                    at: Instant::now(),
                });
            }
        }
    };
    let (stop, stopped) = mpsc::channel::<()>();
    let sample = &sample;
    std::thread::scope(|s| {
        s.spawn(move || {
            sample();
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(MEMORY_INTERVAL) {
                sample();
            }
        });
        let r = f();
        sample();
        drop(stop);
        r
    })
}
