//! The dashboard's picture of the run, built from events, and its text rendering.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::time::Instant;

use rsdat_array::{human_bytes, StageSummary};
use serde::{Deserialize, Serialize};

/// One event of a run, owned (what the observer queues).
#[derive(Debug, Clone)]
pub enum Event {
    /// A run begins.
    RunStarted {
        /// Executor name.
        executor: String,
        /// The plan's stages.
        stages: Vec<StageSummary>,
        /// Tasks in the plan.
        total: u64,
        /// When.
        at: Instant,
    },
    /// A task began.
    Started {
        /// Stage index.
        stage: u32,
        /// Chunk index.
        chunk: u64,
        /// Worker name.
        worker: String,
        /// When.
        at: Instant,
    },
    /// A task ended (well, or cached).
    Finished {
        /// Stage index.
        stage: u32,
        /// Chunk index.
        chunk: u64,
        /// Worker name.
        worker: String,
        /// When it began.
        started: Instant,
        /// When it ended.
        finished: Instant,
        /// Output bytes.
        bytes: u64,
        /// Already in the store; nothing ran.
        cached: bool,
    },
    /// A task failed.
    Failed {
        /// Stage index.
        stage: u32,
        /// Chunk index.
        chunk: u64,
        /// Worker name.
        worker: String,
        /// When it began.
        started: Instant,
        /// When it failed.
        failed: Instant,
        /// Why.
        reason: String,
    },
    /// A worker's memory.
    Memory {
        /// Worker name.
        worker: String,
        /// Process id.
        pid: u32,
        /// Resident bytes now.
        rss: u64,
        /// Peak resident bytes, where known.
        peak: Option<u64>,
        /// When.
        at: Instant,
    },
    /// `(done, total)` from executors that only report progress.
    Progress {
        /// Tasks done.
        done: u64,
        /// Tasks in the plan.
        total: u64,
    },
    /// The run ended.
    RunFinished {
        /// Its error, if it failed.
        error: Option<String>,
        /// When.
        at: Instant,
    },
}

/// One finished or failed task of the stream.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TaskRecord {
    /// Sequence number (for `/api/tasks?since=N`).
    pub seq: u64,
    /// Run number (1 for the first plan this process ran).
    pub run: u32,
    /// Stage index.
    pub stage: u32,
    /// Chunk index.
    pub chunk: u64,
    /// Worker name.
    pub worker: String,
    /// Start, seconds since the dashboard started.
    pub start: f64,
    /// End, seconds since the dashboard started.
    pub end: f64,
    /// Output bytes.
    pub bytes: u64,
    /// `done` or `failed`.
    pub status: String,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
}

/// Progress of one stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct StageStatus {
    /// Stage name.
    pub name: String,
    /// Tasks in the stage.
    pub total: u64,
    /// Tasks done (including cached).
    pub done: u64,
    /// Of those, found in the store from an earlier run.
    pub cached: u64,
    /// Tasks running now.
    pub running: u64,
    /// Tasks failed.
    pub failed: u64,
    /// Output bytes written so far.
    pub bytes: u64,
}

/// One worker.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct WorkerStatus {
    /// Name (`thread 0`, `pid 4711`, `process` for the memory of the threads executor).
    pub name: String,
    /// Process id, when known.
    pub pid: Option<u32>,
    /// Tasks it finished.
    pub tasks: u64,
    /// Task it runs now (`s0c12`).
    pub running: Option<String>,
    /// Seconds it spent running tasks.
    pub busy_seconds: f64,
    /// Resident memory at the last sample, bytes.
    pub rss_bytes: Option<u64>,
    /// Peak resident memory, bytes.
    pub peak_bytes: Option<u64>,
}

/// A failed task.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Failure {
    /// The task (`s0c12`).
    pub task: String,
    /// Its stage's name.
    pub stage: String,
    /// Worker.
    pub worker: String,
    /// Seconds since the dashboard started.
    pub at: f64,
    /// Why.
    pub reason: String,
}

/// Everything the dashboard shows, as `/api/status` serves it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Status {
    /// `idle` (no run yet), `running`, `done` or `failed`.
    pub state: String,
    /// Executor of the current run.
    pub executor: String,
    /// Run number (plans run so far by this process).
    pub run: u32,
    /// Seconds since the current run began (to its end when it ended).
    pub elapsed: f64,
    /// Seconds since the dashboard started.
    pub now: f64,
    /// Tasks done in the current run (including cached).
    pub done: u64,
    /// Tasks in the current plan.
    pub total: u64,
    /// Tasks failed.
    pub failed: u64,
    /// Tasks found in the store.
    pub cached: u64,
    /// Tasks per second over the last few seconds.
    pub tasks_per_second: f64,
    /// Tasks per second over the whole run.
    pub mean_tasks_per_second: f64,
    /// Tasks finished per second, the last [`THROUGHPUT_SECONDS`] seconds, oldest first.
    pub throughput: Vec<u64>,
    /// Per stage.
    pub stages: Vec<StageStatus>,
    /// Per worker.
    pub workers: Vec<WorkerStatus>,
    /// Latest failures (at most [`MAX_FAILURES`]).
    pub failures: Vec<Failure>,
    /// The sequence number the next task record will get.
    pub next_task: u64,
    /// The run's error.
    pub error: Option<String>,
}

/// Seconds of throughput history in [`Status::throughput`].
pub const THROUGHPUT_SECONDS: usize = 120;
/// Failures kept.
pub const MAX_FAILURES: usize = 200;

/// The plan as `/api/plan` serves it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PlanInfo {
    /// Run number.
    pub run: u32,
    /// Executor.
    pub executor: String,
    /// Tasks in the plan.
    pub total: u64,
    /// The stages.
    pub stages: Vec<StageInfo>,
}

/// A stage of `/api/plan`: the engine's summary plus its index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageInfo {
    /// Index in the plan.
    pub index: usize,
    /// Name.
    pub name: String,
    /// Tasks.
    pub tasks: u64,
    /// Chunks per dimension.
    pub grid: Vec<usize>,
    /// Chunk shape.
    pub chunk: Vec<usize>,
    /// Bytes of the largest output chunk.
    pub chunk_bytes: u64,
    /// Peak bytes of the largest task.
    pub peak_bytes: u64,
    /// Stages it reads.
    pub inputs: Vec<usize>,
}

#[derive(Debug, Default)]
struct Worker {
    status: WorkerStatus,
    running_since: Option<Instant>,
}

impl Worker {
    /// Running nothing.
    fn idle(&mut self) {
        self.status.running = None;
        self.running_since = None;
    }
}

/// The state a stream of [`Event`]s builds; what the dashboard serves.
///
/// Usable without a server: apply events (from a run's ledger, say) and render
/// [`Status::to_text`].
#[derive(Debug)]
pub struct State {
    epoch: Instant,
    run: u32,
    executor: String,
    state: String,
    started: Option<Instant>,
    ended: Option<Instant>,
    error: Option<String>,
    plan: Vec<StageSummary>,
    total: u64,
    stages: Vec<StageStatus>,
    progress_done: u64,
    workers: BTreeMap<String, Worker>,
    tasks: VecDeque<TaskRecord>,
    next_seq: u64,
    max_tasks: usize,
    failures: VecDeque<Failure>,
    /// Finished tasks per whole second since `epoch`: `(second, count)`.
    per_second: VecDeque<(u64, u64)>,
}

impl State {
    /// An empty state whose clock starts at `epoch`, keeping the last `max_tasks` task
    /// records.
    #[must_use]
    pub fn new(epoch: Instant, max_tasks: usize) -> Self {
        Self {
            epoch,
            run: 0,
            executor: String::new(),
            state: "idle".into(),
            started: None,
            ended: None,
            error: None,
            plan: Vec::new(),
            total: 0,
            stages: Vec::new(),
            progress_done: 0,
            workers: BTreeMap::new(),
            tasks: VecDeque::new(),
            next_seq: 0,
            max_tasks: max_tasks.max(1),
            failures: VecDeque::new(),
            per_second: VecDeque::new(),
        }
    }

    fn secs(&self, t: Instant) -> f64 {
        t.saturating_duration_since(self.epoch).as_secs_f64()
    }

    fn stage_name(&self, stage: u32) -> String {
        self.plan
            .get(stage as usize)
            .map_or_else(|| format!("stage {stage}"), |s| s.name.clone())
    }

    fn stage_mut(&mut self, stage: u32) -> Option<&mut StageStatus> {
        self.stages.get_mut(stage as usize)
    }

    fn count_second(&mut self, at: Instant) {
        let sec = at.saturating_duration_since(self.epoch).as_secs();
        match self.per_second.back_mut() {
            Some((s, n)) if *s == sec => *n += 1,
            Some((s, _)) if *s > sec => {
                if let Some(slot) = self.per_second.iter_mut().rev().find(|(s, _)| *s <= sec) {
                    if slot.0 == sec {
                        slot.1 += 1;
                    }
                }
            }
            _ => {
                self.per_second.push_back((sec, 1));
                while self.per_second.len() > THROUGHPUT_SECONDS + 1 {
                    self.per_second.pop_front();
                }
            }
        }
    }

    /// A task of `worker` that ran from `started` to `ended` is over, with its output bytes
    /// or the reason it failed: the worker is idle again, and the task joins the stream.
    fn end_task(
        &mut self,
        stage: u32,
        chunk: u64,
        worker: String,
        (started, ended): (Instant, Instant),
        outcome: Result<u64, String>,
    ) {
        let w = self.workers.entry(worker.clone()).or_default();
        w.status.name.clone_from(&worker);
        w.status.busy_seconds += ended.saturating_duration_since(started).as_secs_f64();
        w.idle();
        if outcome.is_ok() {
            w.status.tasks += 1;
        }
        let (bytes, status, reason) = match outcome {
            Ok(bytes) => (bytes, "done", None),
            Err(reason) => (0, "failed", Some(reason)),
        };
        self.tasks.push_back(TaskRecord {
            seq: self.next_seq,
            run: self.run,
            stage,
            chunk,
            worker,
            start: self.secs(started),
            end: self.secs(ended),
            bytes,
            status: status.into(),
            reason,
        });
        self.next_seq += 1;
        while self.tasks.len() > self.max_tasks {
            self.tasks.pop_front();
        }
    }

    /// Applies one event.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::RunStarted {
                executor,
                stages,
                total,
                at,
            } => {
                self.run += 1;
                self.executor = executor;
                self.state = "running".into();
                self.started = Some(at);
                self.ended = None;
                self.error = None;
                self.total = total;
                self.progress_done = 0;
                self.stages = stages
                    .iter()
                    .map(|s| StageStatus {
                        name: s.name.clone(),
                        total: s.tasks,
                        ..StageStatus::default()
                    })
                    .collect();
                self.plan = stages;
                for w in self.workers.values_mut() {
                    w.idle();
                }
            }
            Event::Started {
                stage,
                chunk,
                worker,
                at,
            } => {
                if let Some(s) = self.stage_mut(stage) {
                    s.running += 1;
                }
                let w = self.workers.entry(worker.clone()).or_default();
                w.status.name = worker;
                w.status.running = Some(format!("s{stage}c{chunk}"));
                w.running_since = Some(at);
            }
            Event::Finished {
                stage,
                chunk,
                worker,
                started,
                finished,
                bytes,
                cached,
            } => {
                if let Some(s) = self.stage_mut(stage) {
                    s.done += 1;
                    s.bytes += bytes;
                    if cached {
                        s.cached += 1;
                    } else {
                        s.running = s.running.saturating_sub(1);
                    }
                }
                if cached {
                    return;
                }
                self.count_second(finished);
                self.end_task(stage, chunk, worker, (started, finished), Ok(bytes));
            }
            Event::Failed {
                stage,
                chunk,
                worker,
                started,
                failed,
                reason,
            } => {
                if let Some(s) = self.stage_mut(stage) {
                    s.failed += 1;
                    s.running = s.running.saturating_sub(1);
                }
                self.failures.push_back(Failure {
                    task: format!("s{stage}c{chunk}"),
                    stage: self.stage_name(stage),
                    worker: worker.clone(),
                    at: self.secs(failed),
                    reason: reason.clone(),
                });
                while self.failures.len() > MAX_FAILURES {
                    self.failures.pop_front();
                }
                self.end_task(stage, chunk, worker, (started, failed), Err(reason));
            }
            Event::Memory {
                worker,
                pid,
                rss,
                peak,
                ..
            } => {
                let w = self.workers.entry(worker.clone()).or_default();
                w.status.name = worker;
                w.status.pid = Some(pid);
                w.status.rss_bytes = Some(rss);
                let peak = peak.unwrap_or(rss).max(rss);
                w.status.peak_bytes = Some(w.status.peak_bytes.map_or(peak, |p| p.max(peak)));
            }
            Event::Progress { done, total } => {
                self.progress_done = done;
                if self.total == 0 {
                    self.total = total;
                }
            }
            Event::RunFinished { error, at } => {
                self.ended = Some(at);
                self.state = if error.is_some() { "failed" } else { "done" }.into();
                self.error = error;
                for w in self.workers.values_mut() {
                    w.idle();
                }
                for s in &mut self.stages {
                    s.running = 0;
                }
            }
        }
    }

    /// The figures of the run now.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn status(&self) -> Status {
        let now = Instant::now();
        let elapsed = self.started.map_or(0.0, |s| {
            self.ended
                .unwrap_or(now)
                .saturating_duration_since(s)
                .as_secs_f64()
        });
        let stage_done: u64 = self.stages.iter().map(|s| s.done).sum();
        let done = stage_done.max(self.progress_done);
        let cached: u64 = self.stages.iter().map(|s| s.cached).sum();
        let failed: u64 = self.stages.iter().map(|s| s.failed).sum();
        let now_sec = now.saturating_duration_since(self.epoch).as_secs();
        let mut throughput = vec![0u64; THROUGHPUT_SECONDS];
        for &(s, n) in &self.per_second {
            if s <= now_sec && now_sec - s < THROUGHPUT_SECONDS as u64 {
                throughput[THROUGHPUT_SECONDS - 1 - (now_sec - s) as usize] = n;
            }
        }
        // the last three whole seconds, or the current one at the very start
        let recent: u64 = throughput[THROUGHPUT_SECONDS - 4..THROUGHPUT_SECONDS - 1]
            .iter()
            .sum();
        let ran = done.saturating_sub(cached);
        let tasks_per_second = if self.state == "running" && elapsed >= 4.0 {
            recent as f64 / 3.0
        } else if elapsed > 0.0 {
            ran as f64 / elapsed
        } else {
            0.0
        };
        Status {
            state: self.state.clone(),
            executor: self.executor.clone(),
            run: self.run,
            elapsed,
            now: self.secs(now),
            done,
            total: self.total,
            failed,
            cached,
            tasks_per_second,
            mean_tasks_per_second: if elapsed > 0.0 {
                ran as f64 / elapsed
            } else {
                0.0
            },
            throughput,
            stages: self.stages.clone(),
            workers: self.workers.values().map(|w| w.status.clone()).collect(),
            failures: self.failures.iter().cloned().collect(),
            next_task: self.next_seq,
            error: self.error.clone(),
        }
    }

    /// Task records with `seq >= since`, at most `limit`.
    #[must_use]
    pub fn tasks_since(&self, since: u64, limit: usize) -> Vec<TaskRecord> {
        let first = self.tasks.front().map_or(self.next_seq, |t| t.seq);
        let skip = usize::try_from(since.saturating_sub(first)).unwrap_or(usize::MAX);
        self.tasks.iter().skip(skip).take(limit).cloned().collect()
    }

    /// The current plan.
    #[must_use]
    pub fn plan(&self) -> PlanInfo {
        PlanInfo {
            run: self.run,
            executor: self.executor.clone(),
            total: self.total,
            stages: self
                .plan
                .iter()
                .enumerate()
                .map(|(index, s)| StageInfo {
                    index,
                    name: s.name.clone(),
                    tasks: s.tasks,
                    grid: s.grid.clone(),
                    chunk: s.chunk.clone(),
                    chunk_bytes: s.chunk_bytes,
                    peak_bytes: s.peak_bytes,
                    inputs: s.inputs.clone(),
                })
                .collect(),
        }
    }
}

impl Status {
    /// The figures as text for a terminal (what `rsdat jobs status` prints).
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let pct = |d: u64, t: u64| {
            if t == 0 {
                0.0
            } else {
                d as f64 * 100.0 / t as f64
            }
        };
        let _ = writeln!(
            s,
            "run {} on {}: {}  {}/{} tasks ({:.1} %), {} failed, {} cached  {:.1} s  {:.1} tasks/s (mean {:.1})",
            self.run,
            if self.executor.is_empty() { "-" } else { &self.executor },
            self.state,
            self.done,
            self.total,
            pct(self.done, self.total),
            self.failed,
            self.cached,
            self.elapsed,
            self.tasks_per_second,
            self.mean_tasks_per_second,
        );
        if !self.stages.is_empty() {
            let width = self
                .stages
                .iter()
                .map(|st| st.name.len())
                .max()
                .unwrap_or(5)
                .max(5);
            let _ = writeln!(s, "stages:");
            for st in &self.stages {
                let filled = (st.done * 20)
                    .checked_div(st.total)
                    .map_or(20, |f| usize::try_from(f).unwrap_or(20));
                let _ = writeln!(
                    s,
                    "  {:<width$} [{}{}] {:>7}/{:<7} running {:<3} failed {:<3} {}",
                    st.name,
                    "#".repeat(filled.min(20)),
                    ".".repeat(20 - filled.min(20)),
                    st.done,
                    st.total,
                    st.running,
                    st.failed,
                    human_bytes(st.bytes),
                );
            }
        }
        if !self.workers.is_empty() {
            let _ = writeln!(s, "workers:");
            for w in &self.workers {
                let mem = |b: Option<u64>| b.map_or_else(|| "-".to_owned(), human_bytes);
                let line = format!(
                    "  {:<12} tasks {:>7}  busy {:>8.1} s  memory {:>10} (peak {})  {}",
                    w.name,
                    w.tasks,
                    w.busy_seconds,
                    mem(w.rss_bytes),
                    mem(w.peak_bytes),
                    w.running
                        .as_deref()
                        .map_or_else(String::new, |t| format!("running {t}")),
                );
                let _ = writeln!(s, "{}", line.trim_end());
            }
        }
        if !self.failures.is_empty() {
            let _ = writeln!(s, "failures:");
            for f in &self.failures {
                let _ = writeln!(
                    s,
                    "  {} ({}) on {} at {:.1} s: {}",
                    f.task, f.stage, f.worker, f.at, f.reason
                );
            }
        }
        if let Some(e) = &self.error {
            let _ = writeln!(s, "error: {e}");
        }
        s
    }
}
