//! What a run directory says about its run, and cancelling its jobs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rsdat_array::{Observer, Plan};
use serde::Serialize;

use crate::events::{instant_of, EventTail};
use crate::rundir::{now_s, Event, RunDir};
use crate::slurm::{self, JobState};
use crate::Result;

/// Progress of one stage.
#[derive(Debug, Clone, Serialize)]
pub struct StageStatus {
    /// Stage name.
    pub name: String,
    /// Its tasks.
    pub tasks: u64,
    /// Tasks with a completion marker.
    pub done: u64,
    /// Median seconds per finished task.
    pub median_task_s: Option<f64>,
}

/// A job array of the run still in the queue.
#[derive(Debug, Clone, Serialize)]
pub struct QueuedJob {
    /// Submission number.
    pub submission: u64,
    /// Stage name.
    pub stage: String,
    /// Array job id.
    pub job: u64,
    /// Elements running.
    pub running: u64,
    /// Elements pending, and why.
    pub pending: u64,
    /// SLURM's pending reason, in words.
    pub pending_reason: Option<String>,
}

/// An array element that ended before its tasks were done.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    /// `12_3`.
    pub job: String,
    /// What happened, in words.
    pub reason: String,
    /// Unfinished tasks it left.
    pub unfinished: u64,
    /// Whether it counted as a task failure (walltime, preemption do not).
    pub counted: bool,
    /// Its log.
    pub log: PathBuf,
}

/// A run's state.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The run directory.
    pub run_dir: PathBuf,
    /// Per stage.
    pub stages: Vec<StageStatus>,
    /// Tasks done, of all.
    pub done: u64,
    /// All tasks.
    pub tasks: u64,
    /// Job arrays submitted so far.
    pub submissions: u64,
    /// Those still queued.
    pub queued: Vec<QueuedJob>,
    /// Elements that ended early.
    pub incidents: Vec<Incident>,
    /// Every task done.
    pub finished: bool,
}

/// Reads the state of the run in `root` (and asks `squeue` about its jobs).
///
/// # Errors
/// When the run directory or its plan cannot be read; a corrupt marker.
pub fn status(root: &Path) -> Result<Status> {
    let dir = RunDir::open(root)?;
    let plan = Plan::from_spec(&dir.spec()?)?;
    let mut stages = Vec::new();
    for (s, st) in plan.stages().iter().enumerate() {
        let stage = u32::try_from(s).expect("stage count fits u32");
        let marked = dir.marked_chunks(stage);
        let mut secs = Vec::new();
        for &chunk in &marked {
            if let Some(m) = dir.marker(rsdat_array::TaskId { stage, chunk })? {
                secs.push(m.seconds);
            }
        }
        secs.sort_by(f64::total_cmp);
        stages.push(StageStatus {
            name: st.name().to_owned(),
            tasks: st.tasks(),
            done: secs.len() as u64,
            median_task_s: secs.get(secs.len() / 2).copied(),
        });
    }
    let subs = dir.submissions()?;
    let events = dir.events();
    let settled: BTreeSet<u64> = events
        .iter()
        .filter_map(|e| match e {
            Event::Settled { submission, .. } => Some(*submission),
            _ => None,
        })
        .collect();
    let live: Vec<u64> = subs
        .iter()
        .filter(|s| !settled.contains(&s.number))
        .filter_map(|s| s.job)
        .collect();
    let queue = slurm::squeue(&live).unwrap_or_default();
    let queued = subs
        .iter()
        .filter_map(|s| {
            let job = s.job?;
            let entries: Vec<_> = queue.iter().filter(|e| e.job == job).collect();
            if entries.is_empty() {
                return None;
            }
            let running = entries
                .iter()
                .filter(|e| e.state == JobState::Running)
                .count() as u64;
            let pending: Vec<&String> = entries
                .iter()
                .filter_map(|e| match &e.state {
                    JobState::Pending(r) => Some(r),
                    _ => None,
                })
                .collect();
            Some(QueuedJob {
                submission: s.number,
                stage: plan.stages()[s.stage as usize].name().to_owned(),
                job,
                running,
                pending: pending.len() as u64,
                pending_reason: pending.first().map(|r| slurm::explain_pending(r)),
            })
        })
        .collect();
    let incidents = events
        .iter()
        .filter_map(|e| match e {
            Event::ElementEnded {
                job,
                reason,
                unfinished,
                counted,
                log,
                ..
            } => Some(Incident {
                job: job.clone(),
                reason: reason.clone(),
                unfinished: *unfinished,
                counted: *counted,
                log: log.clone(),
            }),
            _ => None,
        })
        .collect();
    let done = stages.iter().map(|s| s.done).sum();
    Ok(Status {
        run_dir: dir.root().to_path_buf(),
        done,
        tasks: plan.n_tasks(),
        finished: done == plan.n_tasks(),
        stages,
        submissions: subs.len() as u64,
        queued,
        incidents,
    })
}

/// Cancels every job of the run in `root` that is still queued, and stops its driver;
/// returns the job ids.
///
/// # Errors
/// When the run directory cannot be read or `scancel` fails.
pub fn cancel(root: &Path) -> Result<Vec<u64>> {
    let dir = RunDir::open(root)?;
    dir.request_cancel()?;
    let jobs: Vec<u64> = dir.submissions()?.iter().filter_map(|s| s.job).collect();
    let queued: BTreeSet<u64> = slurm::squeue(&jobs)?.iter().map(|e| e.job).collect();
    let jobs: Vec<u64> = queued.into_iter().collect();
    slurm::scancel(&jobs)?;
    if !jobs.is_empty() {
        dir.log_event(&Event::Cancelled {
            jobs: jobs.clone(),
            at: now_s(),
        })?;
    }
    Ok(jobs)
}

/// When a run began and ended, from its ledger.
#[derive(Debug, Clone)]
pub struct RunTimes {
    /// The plan.
    pub plan: Plan,
    /// Its first submission.
    pub started: Option<Instant>,
    /// When every task was done, or the run was cancelled.
    pub ended: Option<Instant>,
    /// Why it ended without finishing (`cancelled ...`).
    pub error: Option<String>,
}

/// The plan of the run in `root` and when it began and ended.
///
/// # Errors
/// When the run directory or its plan cannot be read.
#[allow(clippy::cast_precision_loss)]
pub fn run_times(root: &Path) -> Result<RunTimes> {
    let dir = RunDir::open(root)?;
    let plan = Plan::from_spec(&dir.spec()?)?;
    let events = dir.events();
    let started = events.iter().find_map(|e| match e {
        Event::Submitted { at, .. } => Some(instant_of(*at as f64)),
        _ => None,
    });
    let (ended, error) = match events.last() {
        Some(Event::Finished { at }) => (Some(instant_of(*at as f64)), None),
        Some(Event::Cancelled { at, .. }) => (
            Some(instant_of(*at as f64)),
            Some(format!(
                "cancelled; `rsdat jobs resume {}` finishes it",
                root.display()
            )),
        ),
        _ => (None, None),
    };
    Ok(RunTimes {
        plan,
        started,
        ended,
        error,
    })
}

/// Tells `observer` everything the workers of the run in `root` recorded (tasks with their
/// workers, times and bytes, memory per element), the tasks of array elements that ended
/// early as failed with SLURM's reason, and the progress: a dashboard's figures of the
/// run, built from its run directory. `run_started`/`run_finished` are the caller's.
///
/// # Errors
/// When the run directory or its plan cannot be read.
pub fn replay(root: &Path, observer: &dyn Observer) -> Result<()> {
    let dir = RunDir::open(root)?;
    let plan = Plan::from_spec(&dir.spec()?)?;
    let mut tail = EventTail::new();
    tail.poll(&dir, observer);
    for e in dir.events() {
        if let Event::ElementEnded {
            job, reason, log, ..
        } = e
        {
            tail.element_ended(&job, &format!("{reason} (log {})", log.display()), observer);
        }
    }
    let marked = dir.marked_tasks(&plan);
    observer.progress(marked.min(plan.n_tasks()), plan.n_tasks());
    Ok(())
}
