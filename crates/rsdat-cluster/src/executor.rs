//! The driver: submits stages as job arrays, watches markers and the queue, resubmits
//! what was killed, and hands the outputs back.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rsdat_array::{Executor, Observer, Plan, Progress, TaskId, TaskStore};

use crate::events::{hostname, EventTail, WorkerLog};
use crate::fit::{fit, StageLayout, StageNeeds};
use crate::options::SlurmOptions;
use crate::rundir::{now_s, tail, Event, RunDir, Submission};
use crate::slurm::{self, JobState};
use crate::{Error, Result};

/// Runs plans as SLURM job arrays (see the crate docs).
#[derive(Debug, Clone)]
pub struct SlurmExecutor {
    /// What to ask SLURM for.
    pub options: SlurmOptions,
    cancel: Arc<AtomicBool>,
}

impl SlurmExecutor {
    /// An executor with these options.
    #[must_use]
    pub fn new(options: SlurmOptions) -> Self {
        Self {
            options,
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Setting this flag (from a Ctrl-C handler) makes the driver cancel its jobs and stop.
    #[must_use]
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    /// The run directory this executor uses for its next run.
    #[must_use]
    pub fn run_dir(&self) -> PathBuf {
        self.options.run_dir.clone().unwrap_or_else(|| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis());
            PathBuf::from(format!("rsdat-run-{nanos}"))
        })
    }

    /// Runs every task of `plan` on SLURM into the run directory; returns it.
    ///
    /// # Errors
    /// [`Error::DoesNotFit`] before anything is submitted, [`Error::Sbatch`],
    /// [`Error::Failed`] when tasks fail more than allowed, [`Error::Cancelled`].
    pub fn run(&self, plan: &Plan, progress: Progress<'_>) -> Result<RunDir> {
        self.run_observed(plan, &ProgressOnly(progress))
    }

    /// Runs every task of `plan` on SLURM into the run directory, telling `observer` about
    /// every task (worker `ARRAYJOB_INDEX@HOST`, times, bytes), failures with SLURM's reason
    /// and each element's memory, as the workers record them in the run directory; returns
    /// the run directory. `observer.run_started`/`run_finished` are the caller's to send.
    ///
    /// # Errors
    /// As [`SlurmExecutor::run`].
    pub fn run_observed(&self, plan: &Plan, observer: &dyn Observer) -> Result<RunDir> {
        let root = self.run_dir();
        std::fs::create_dir_all(&root).map_err(|e| Error::RunDir {
            path: root.clone(),
            reason: format!(
                "cannot create it: {e}; pick a writable directory on the shared filesystem with --run-dir"
            ),
        })?;
        let root = root
            .canonicalize()
            .map_err(|e| Error::io("resolving", &root, e))?;
        let dir = RunDir::create(&root, &plan.spec()?, &self.options)?;
        dir.clear_cancel();
        drive(&dir, plan, &self.options, &self.cancel, observer)?;
        Ok(dir)
    }

    /// Finishes the run in `root` (after a killed driver or cancelled jobs): adopts its
    /// queued jobs, resubmits what is missing.
    ///
    /// # Errors
    /// As [`SlurmExecutor::run`].
    pub fn resume(&self, root: &Path, progress: Progress<'_>) -> Result<RunDir> {
        let dir = RunDir::open(root)?;
        dir.clear_cancel();
        let plan = Plan::from_spec(&dir.spec()?)?;
        drive(
            &dir,
            &plan,
            &self.options,
            &self.cancel,
            &ProgressOnly(progress),
        )?;
        Ok(dir)
    }
}

/// An observer that hears progress only.
struct ProgressOnly<'a>(Progress<'a>);

impl Observer for ProgressOnly<'_> {
    fn progress(&self, done: u64, total: u64) {
        (self.0)(done, total);
    }
}

impl Executor for SlurmExecutor {
    fn name(&self) -> &'static str {
        "slurm"
    }

    fn execute(
        &self,
        plan: &Plan,
        store: &dyn TaskStore,
        progress: Progress<'_>,
    ) -> rsdat_array::Result<()> {
        let wrap = |e: Error| match e {
            Error::Array(a) => a,
            other => rsdat_array::Error::Worker(format!("slurm: {other}")),
        };
        let dir = self.run(plan, progress).map_err(wrap)?;
        copy_outputs(&dir, plan, store).map_err(wrap)
    }

    fn execute_observed(
        &self,
        plan: &Plan,
        store: &dyn TaskStore,
        observer: &dyn Observer,
    ) -> rsdat_array::Result<()> {
        let wrap = |e: Error| match e {
            Error::Array(a) => a,
            other => rsdat_array::Error::Worker(format!("slurm: {other}")),
        };
        rsdat_array::observe_run(observer, plan, self.name(), || {
            self.run_observed(plan, observer)
                .and_then(|dir| copy_outputs(&dir, plan, store))
                .map_err(wrap)
        })
    }
}

/// Hands the outputs of the plan's output stages to `store`, checking each marker.
///
/// # Errors
/// [`Error::CorruptMarker`] when an output does not match its marker.
pub fn copy_outputs(dir: &RunDir, plan: &Plan, store: &dyn TaskStore) -> Result<()> {
    let files = dir.store()?;
    for s in plan.output_stages() {
        let stage = u32::try_from(s).expect("stage count fits u32");
        for chunk in 0..plan.stages()[s].tasks() {
            let id = TaskId { stage, chunk };
            let m = dir.marker(id)?.ok_or_else(|| Error::RunDir {
                path: dir.root().to_path_buf(),
                reason: format!("task {id} has no completion marker after the run"),
            })?;
            dir.verify(&m)?;
            let b = files.get(id)?.ok_or_else(|| Error::RunDir {
                path: dir.root().to_path_buf(),
                reason: format!("output of task {id} is missing"),
            })?;
            store.put(id, (*b).clone())?;
        }
    }
    Ok(())
}

/// Done tasks per stage, every marker read (a corrupt one is an error).
fn scan_done(dir: &RunDir, plan: &Plan) -> Result<Vec<BTreeSet<u64>>> {
    (0..plan.stages().len())
        .map(|s| {
            let stage = u32::try_from(s).expect("stage count fits u32");
            let mut set = BTreeSet::new();
            for chunk in dir.marked_chunks(stage) {
                if chunk < plan.stages()[s].tasks()
                    && dir.marker(TaskId { stage, chunk })?.is_some()
                {
                    set.insert(chunk);
                }
            }
            Ok(set)
        })
        .collect()
}

/// Median seconds of up to 64 recorded tasks of `stage`.
fn recorded_seconds(dir: &RunDir, stage: u32, done: &BTreeSet<u64>) -> Option<f64> {
    let mut v: Vec<f64> = done
        .iter()
        .take(64)
        .filter_map(|&chunk| dir.marker(TaskId { stage, chunk }).ok().flatten())
        .map(|m| m.seconds)
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

/// Runs a few tasks of each stage locally to learn their time (their outputs are kept).
/// Stages with no more tasks than `slots` (elements that run at once) are not calibrated:
/// each of their tasks gets an element of its own whatever they take, and running them
/// here, one at a time, would cost more than it tells. Nor are stages like one already
/// measured (the same operation, task count and memory: the years of a workflow), which
/// [`stage_needs`] estimates from it.
fn calibrate(
    dir: &RunDir,
    plan: &Plan,
    opts: &SlurmOptions,
    done: &[BTreeSet<u64>],
    slots: u64,
) -> Result<()> {
    let start = Instant::now();
    let log = WorkerLog::open(dir, "local", format!("local@{}", hostname()))?;
    let mut measured: Vec<(&str, u64, u64)> = Vec::new();
    for (s, st) in plan.stages().iter().enumerate() {
        let stage = u32::try_from(s).expect("stage count fits u32");
        // the operation, without the stage's number (`3:fold` -> `fold`)
        let op = st.name().split_once(':').map_or(st.name(), |(_, op)| op);
        let like = (op, st.tasks(), st.peak_bytes());
        if measured.contains(&like) || start.elapsed().as_secs_f64() > 30.0 || st.tasks() <= slots {
            continue;
        }
        measured.push(like);
        if !done[s].is_empty() {
            // recorded by an earlier run
            continue;
        }
        let picks: Vec<TaskId> = (0..st.tasks())
            .take(opts.calibration_tasks)
            .map(|chunk| TaskId { stage, chunk })
            .collect();
        let stage_start = Instant::now();
        for id in picks {
            if stage_start.elapsed() > CALIBRATION_ENOUGH {
                // one long task tells enough; SLURM waits meanwhile
                break;
            }
            // inputs first, unless that means running much of the plan here
            let cap = 2 * opts.calibration_tasks + 1;
            let mut missing = Vec::new();
            collect_missing(dir, plan, id, &mut missing, cap)?;
            if missing.len() > cap {
                break;
            }
            for m in missing.iter().rev() {
                crate::element::run_tasks(dir, plan, &[*m], 1, "local", &log, &|_, _| {})?;
            }
        }
    }
    Ok(())
}

/// Local calibration of a stage stops once it has run this long.
const CALIBRATION_ENOUGH: Duration = Duration::from_secs(1);

/// Tasks not yet done that `id` needs (itself included), dependents before inputs.
fn collect_missing(
    dir: &RunDir,
    plan: &Plan,
    id: TaskId,
    out: &mut Vec<TaskId>,
    cap: usize,
) -> Result<()> {
    if out.len() > cap || out.contains(&id) || dir.marker(id)?.is_some() {
        return Ok(());
    }
    out.push(id);
    for inp in plan.inputs(id) {
        collect_missing(dir, plan, inp, out, cap)?;
    }
    Ok(())
}

/// What each stage needs, with times recorded or calibrated.
fn stage_needs(
    dir: &RunDir,
    plan: &Plan,
    todo: &[Vec<u64>],
    done: &[BTreeSet<u64>],
) -> Vec<StageNeeds> {
    let secs: Vec<Option<f64>> = (0..plan.stages().len())
        .map(|s| {
            recorded_seconds(
                dir,
                u32::try_from(s).expect("stage count fits u32"),
                &done[s],
            )
        })
        .collect();
    // stages without a record: scaled by memory from the slowest recorded stage per byte
    #[allow(clippy::cast_precision_loss)]
    let per_byte = plan
        .stages()
        .iter()
        .zip(&secs)
        .filter_map(|(st, t)| t.map(|t| t / st.peak_bytes().max(1) as f64))
        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
    plan.stages()
        .iter()
        .enumerate()
        .map(|(s, st)| {
            #[allow(clippy::cast_precision_loss)]
            let t = secs[s]
                .or_else(|| per_byte.map(|p| p * st.peak_bytes() as f64))
                .unwrap_or(1.0);
            let measured = secs[s].is_some();
            let hint = match plan.check_memory(st.peak_bytes() / 2) {
                Err(rsdat_array::Error::Memory { hint, .. }) => hint,
                _ => "half the size".to_owned(),
            };
            StageNeeds {
                name: st.name().to_owned(),
                todo: todo[s].len() as u64,
                peak_bytes: st.peak_bytes(),
                seconds_per_task: t,
                measured,
                chunk_hint: hint,
            }
        })
        .collect()
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The batch script of a submission.
pub(crate) fn script(
    dir: &RunDir,
    sub: &Submission,
    stage_name: &str,
    layout: &StageLayout,
    opts: &SlurmOptions,
) -> String {
    let root = dir.root().display().to_string();
    let mut s = String::from("#!/bin/sh\n");
    let name: String = stage_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let _ = writeln!(s, "#SBATCH --job-name=rsdat-{name}");
    let last = sub.elements.len().saturating_sub(1);
    match opts.max_running {
        Some(m) => {
            let _ = writeln!(s, "#SBATCH --array=0-{last}%{m}");
        }
        None => {
            let _ = writeln!(s, "#SBATCH --array=0-{last}");
        }
    }
    let _ = writeln!(s, "#SBATCH --output={root}/logs/sub-{}_%a.log", sub.number);
    let _ = writeln!(s, "#SBATCH --cpus-per-task={}", opts.cpus_per_task.max(1));
    let _ = writeln!(s, "#SBATCH --mem={}M", layout.mem_mb);
    if let Some(t) = opts.time_s {
        let _ = writeln!(s, "#SBATCH --time={}", t.div_ceil(60).max(1));
    }
    for (flag, v) in [
        ("partition", &opts.partition),
        ("account", &opts.account),
        ("reservation", &opts.reservation),
    ] {
        if let Some(v) = v {
            let _ = writeln!(s, "#SBATCH --{flag}={v}");
        }
    }
    if !sub.after.is_empty() {
        let ids: Vec<String> = sub.after.iter().map(ToString::to_string).collect();
        let _ = writeln!(s, "#SBATCH --dependency=afterok:{}", ids.join(":"));
    }
    for l in &opts.sbatch_lines {
        let _ = writeln!(s, "#SBATCH {l}");
    }
    for (k, v) in &opts.env {
        let _ = writeln!(s, "export {k}={}", shell_quote(v));
    }
    let _ = writeln!(
        s,
        "exec {} worker --dir {} --submission {} --element \"$SLURM_ARRAY_TASK_ID\"",
        shell_quote(&opts.program.display().to_string()),
        shell_quote(&root),
        sub.number
    );
    s
}

struct Driver<'a> {
    dir: &'a RunDir,
    plan: &'a Plan,
    opts: &'a SlurmOptions,
    active: Vec<Submission>,
    next_number: u64,
    retries: HashMap<TaskId, u32>,
    stuck_since: HashMap<u64, Instant>,
    /// After a kill, batches are sized from measured times, whatever `--batch` said.
    resized: bool,
    /// What the workers recorded, read so far.
    tail: EventTail,
    observer: &'a dyn Observer,
}

/// The stages whose outputs `chunks` of stage `s` read (SLURM's `afterok` on them implies
/// their own upstream stages have finished too).
fn upstream_stages(plan: &Plan, s: usize, chunks: &[u64]) -> BTreeSet<u32> {
    let stage = u32::try_from(s).expect("stage count fits u32");
    chunks
        .iter()
        .flat_map(|&chunk| plan.inputs(TaskId { stage, chunk }))
        .map(|t| t.stage)
        .filter(|&u| u != stage)
        .collect()
}

/// Runs the plan in `dir` to completion on SLURM.
fn drive(
    dir: &RunDir,
    plan: &Plan,
    opts: &SlurmOptions,
    cancel: &AtomicBool,
    observer: &dyn Observer,
) -> Result<()> {
    let progress = |done: u64, total: u64| observer.progress(done, total);
    let limits = slurm::limits(opts.partition.as_deref())?;
    let settled: BTreeSet<u64> = dir
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Settled { submission, .. } => Some(*submission),
            _ => None,
        })
        .collect();
    let subs = dir.submissions()?;
    let next_number = subs.iter().map(|s| s.number + 1).max().unwrap_or(0);
    // adopt submissions still in the queue
    let queue = slurm::squeue(&subs.iter().filter_map(|s| s.job).collect::<Vec<_>>())?;
    // jobs whose dependency already failed can never start: replace them
    let hopeless: Vec<u64> = queue
        .iter()
        .filter(|e| e.state == JobState::Pending("DependencyNeverSatisfied".into()))
        .map(|e| e.job)
        .collect();
    slurm::scancel(&hopeless)?;
    let queued: BTreeSet<u64> = queue
        .iter()
        .map(|e| e.job)
        .filter(|j| !hopeless.contains(j))
        .collect();
    let active: Vec<Submission> = subs
        .into_iter()
        .filter(|s| !settled.contains(&s.number))
        .filter(|s| s.job.is_some_and(|j| queued.contains(&j)))
        .collect();
    let mut d = Driver {
        dir,
        plan,
        opts,
        active,
        next_number,
        retries: HashMap::new(),
        stuck_since: HashMap::new(),
        resized: false,
        tail: EventTail::new(),
        observer,
    };
    let done = scan_done(dir, plan)?;
    // memory and limits first, before running anything here
    let todo: Vec<Vec<u64>> = plan
        .stages()
        .iter()
        .enumerate()
        .map(|(s, st)| (0..st.tasks()).filter(|c| !done[s].contains(c)).collect())
        .collect();
    fit(&stage_needs(dir, plan, &todo, &done), opts, &limits)?;
    if done
        .iter()
        .zip(plan.stages())
        .any(|(d, s)| (d.len() as u64) < s.tasks())
        && d.active.is_empty()
    {
        calibrate(dir, plan, opts, &done, crate::fit::slots(opts, &limits))?;
    }
    d.submit_from(0, &limits)?;
    let total = plan.n_tasks();
    loop {
        if cancel.load(Ordering::Relaxed) || dir.cancel_requested() {
            d.cancel_all()?;
            return Err(Error::Cancelled(dir.root().to_path_buf()));
        }
        let marked = dir.marked_tasks(plan);
        d.tail.poll(dir, observer);
        progress(marked.min(total), total);
        if marked >= total && all_done(dir, plan)? {
            // the last elements may still be leaving the queue: their work is on disk
            return d.finish(total);
        }
        let jobs: Vec<u64> = d.active.iter().filter_map(|s| s.job).collect();
        let queue = match slurm::squeue(&jobs) {
            Ok(q) => q,
            Err(e) => {
                tracing::warn!(error = %e, "squeue failed; trying again");
                std::thread::sleep(opts.poll);
                continue;
            }
        };
        // jobs that can never start
        for e in &queue {
            if let JobState::Pending(reason) = &e.state {
                if slurm::pending_is_hopeless(reason) && reason != "DependencyNeverSatisfied" {
                    return Err(d.give_up_stuck(e.job, reason));
                }
                if reason == "DependencyNeverSatisfied" {
                    // normally its upstream settles and this one is replaced; if every job it
                    // waits for has left the queue and it is still here, say so
                    let upstream_queued = d
                        .active
                        .iter()
                        .find(|s| s.job == Some(e.job))
                        .is_some_and(|s| s.after.iter().any(|a| queue.iter().any(|q| q.job == *a)));
                    if upstream_queued {
                        d.stuck_since.remove(&e.job);
                        continue;
                    }
                    let since = *d.stuck_since.entry(e.job).or_insert_with(Instant::now);
                    if since.elapsed().as_secs() > 60 {
                        return Err(d.give_up_stuck(e.job, reason));
                    }
                }
            }
        }
        let finished: Vec<Submission> = d
            .active
            .iter()
            .filter(|s| !queue.iter().any(|e| Some(e.job) == s.job))
            .cloned()
            .collect();
        for sub in finished {
            // a resubmission of an earlier stage may have replaced it already
            if d.active.iter().any(|s| s.number == sub.number) {
                d.settle(&sub, &limits)?;
            }
        }
        if d.active.is_empty() {
            if all_done(dir, plan)? {
                return d.finish(total);
            }
            d.submit_from(0, &limits)?;
        }
        wait_for_markers(dir, plan, opts.poll);
    }
}

/// Whether every task of `plan` has a valid completion marker.
fn all_done(dir: &RunDir, plan: &Plan) -> Result<bool> {
    Ok(scan_done(dir, plan)?
        .iter()
        .zip(plan.stages())
        .all(|(d, s)| d.len() as u64 == s.tasks()))
}

/// Plans up to this many tasks have their markers counted every [`MARKER_STEP`] while the
/// driver waits, so the run ends as soon as its last task does (not a poll later).
const MARKER_WATCH_TASKS: u64 = 10_000;
const MARKER_STEP: Duration = Duration::from_millis(100);

/// Sleeps `poll`, or less once every task of a small plan is marked.
fn wait_for_markers(dir: &RunDir, plan: &Plan, poll: Duration) {
    let total = plan.n_tasks();
    if total > MARKER_WATCH_TASKS {
        std::thread::sleep(poll);
        return;
    }
    let until = Instant::now() + poll;
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        if dir.marked_tasks(plan) >= total {
            return;
        }
        std::thread::sleep(left.min(MARKER_STEP));
    }
}

impl Driver<'_> {
    /// Ends a run whose tasks are all done: the last events, progress, the ledger's entry.
    fn finish(&mut self, total: u64) -> Result<()> {
        self.tail.poll(self.dir, self.observer);
        self.observer.progress(total, total);
        self.dir.log_event(&Event::Finished { at: now_s() })?;
        Ok(())
    }

    /// Cancels the run because SLURM job `job` can never start (pending for `reason`): the
    /// error names the job's stage, or the failure to cancel.
    fn give_up_stuck(&mut self, job: u64, reason: &str) -> Error {
        let stage = self
            .active
            .iter()
            .find(|s| s.job == Some(job))
            .map_or(String::new(), |s| {
                self.plan.stages()[s.stage as usize].name().to_owned()
            });
        if let Err(e) = self.cancel_all() {
            return e;
        }
        Error::Stuck {
            stage,
            job: job.to_string(),
            reason: slurm::explain_pending(reason),
        }
    }

    fn cancel_all(&mut self) -> Result<()> {
        let jobs: Vec<u64> = self.active.iter().filter_map(|s| s.job).collect();
        slurm::scancel(&jobs)?;
        self.dir
            .log_event(&Event::Cancelled { jobs, at: now_s() })?;
        for s in std::mem::take(&mut self.active) {
            self.dir.log_event(&Event::Settled {
                submission: s.number,
                at: now_s(),
            })?;
        }
        Ok(())
    }

    /// Submits the unfinished tasks of stages `first..` that no active submission covers.
    fn submit_from(&mut self, first: usize, limits: &slurm::Limits) -> Result<()> {
        let done = scan_done(self.dir, self.plan)?;
        let covered: Vec<BTreeSet<u64>> = (0..self.plan.stages().len())
            .map(|s| {
                self.active
                    .iter()
                    .filter(|a| a.stage as usize == s)
                    .flat_map(|a| a.elements.iter().flatten().copied())
                    .collect()
            })
            .collect();
        let todo: Vec<Vec<u64>> = self
            .plan
            .stages()
            .iter()
            .enumerate()
            .map(|(s, st)| {
                if s < first {
                    return Vec::new();
                }
                (0..st.tasks())
                    .filter(|c| !done[s].contains(c) && !covered[s].contains(c))
                    .collect()
            })
            .collect();
        if todo.iter().all(Vec::is_empty) {
            return Ok(());
        }
        let needs = stage_needs(self.dir, self.plan, &todo, &done);
        let layouts = if self.resized {
            let mut o = self.opts.clone();
            o.batch = None;
            fit(&needs, &o, limits)?
        } else {
            fit(&needs, self.opts, limits)?
        };
        for (s, chunks) in todo.iter().enumerate() {
            if chunks.is_empty() {
                continue;
            }
            let layout = &layouts[s];
            let batch = usize::try_from(layout.batch.max(1)).unwrap_or(usize::MAX);
            // only the stages these tasks read: independent stages run side by side
            let upstream = upstream_stages(self.plan, s, chunks);
            let after: Vec<u64> = self
                .active
                .iter()
                .filter(|a| upstream.contains(&a.stage))
                .filter_map(|a| a.job)
                .collect();
            let mut sub = Submission {
                number: self.next_number,
                stage: u32::try_from(s).expect("stage count fits u32"),
                elements: chunks.chunks(batch).map(<[u64]>::to_vec).collect(),
                job: None,
                after,
            };
            self.next_number += 1;
            self.dir.save_submission(&sub)?;
            let text = script(
                self.dir,
                &sub,
                self.plan.stages()[s].name(),
                layout,
                self.opts,
            );
            let path = self.dir.script_path(sub.number);
            rsdat_storage::write_atomic(&path, text.as_bytes()).map_err(|e| Error::RunDir {
                path: self.dir.root().to_path_buf(),
                reason: e.to_string(),
            })?;
            let path_s = path.display().to_string();
            let job = match slurm::run("sbatch", &["--parsable", &path_s], Some(self.dir.root())) {
                Ok(out) => slurm::parse_sbatch(&out)?,
                Err(Error::Command { message, .. }) => {
                    // what was submitted before cannot run without this stage
                    self.cancel_all()?;
                    return Err(Error::Sbatch {
                        stage: self.plan.stages()[s].name().to_owned(),
                        script: path,
                        message,
                    });
                }
                Err(e) => return Err(e),
            };
            sub.job = Some(job);
            self.dir.save_submission(&sub)?;
            self.dir.log_event(&Event::Submitted {
                submission: sub.number,
                stage: sub.stage,
                job,
                elements: sub.elements.len(),
                tasks: chunks.len() as u64,
                at: now_s(),
            })?;
            tracing::info!(
                stage = %self.plan.stages()[s].name(),
                job,
                elements = sub.elements.len(),
                batch = layout.batch,
                mem_mb = layout.mem_mb,
                "submitted"
            );
            self.active.push(sub);
        }
        Ok(())
    }

    /// A submission left the queue: check its tasks, resubmit what is unfinished.
    fn settle(&mut self, sub: &Submission, limits: &slurm::Limits) -> Result<()> {
        let job = sub.job.expect("active submissions were submitted");
        let stage = sub.stage;
        let mut unfinished: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for (k, chunks) in sub.elements.iter().enumerate() {
            for &chunk in chunks {
                if self.dir.marker(TaskId { stage, chunk })?.is_none() {
                    unfinished.entry(k as u64).or_default().push(chunk);
                }
            }
        }
        self.active.retain(|s| s.number != sub.number);
        self.stuck_since.remove(&job);
        if !unfinished.is_empty() {
            // what the workers wrote before they ended
            self.tail.poll(self.dir, self.observer);
            let states: BTreeMap<u64, JobState> =
                slurm::element_states(job, &self.dir.raw_ids(sub.number))
                    .into_iter()
                    .filter(|e| e.job == job)
                    .map(|e| (e.element, e.state))
                    .collect();
            let stage_name = self.plan.stages()[stage as usize].name().to_owned();
            for (k, chunks) in &unfinished {
                let state = states.get(k).cloned().unwrap_or_else(|| {
                    JobState::Other("unknown (no record in scontrol or sacct)".into())
                });
                let log = self.dir.log_path(sub.number, *k);
                let total_in_element = sub.elements[usize::try_from(*k).unwrap_or(0)].len();
                let counted = !state.is_not_the_tasks_fault();
                self.dir.log_event(&Event::ElementEnded {
                    submission: sub.number,
                    job: format!("{job}_{k}"),
                    state: format!("{state:?}"),
                    reason: state.reason(),
                    unfinished: chunks.len() as u64,
                    counted,
                    log: log.clone(),
                    at: now_s(),
                })?;
                self.tail.element_ended(
                    &format!("{job}_{k}"),
                    &format!("{} (log {})", state.reason(), log.display()),
                    self.observer,
                );
                tracing::warn!(job = %format!("{job}_{k}"), reason = %state.reason(), unfinished = chunks.len(), "array element ended early; resubmitting its unfinished tasks");
                let fail = |reason: String| Error::Failed {
                    stage: stage_name.clone(),
                    job: format!("{job}_{k}"),
                    reason,
                    log: log.clone(),
                    log_tail: tail(&log, 12),
                };
                if state == JobState::Walltime && total_in_element == 1 && chunks.len() == 1 {
                    self.cancel_all()?;
                    return Err(fail(format!(
                        "{}; its single task did not finish within the walltime: use a longer --time or smaller chunks",
                        state.reason()
                    )));
                }
                if counted {
                    let mut over = false;
                    for &chunk in chunks {
                        let r = self.retries.entry(TaskId { stage, chunk }).or_insert(0);
                        *r += 1;
                        over |= *r > self.opts.max_retries;
                    }
                    if over {
                        self.cancel_all()?;
                        return Err(fail(format!(
                            "{} ({} retries used up)",
                            state.reason(),
                            self.opts.max_retries
                        )));
                    }
                }
            }
        }
        self.dir.log_event(&Event::Settled {
            submission: sub.number,
            at: now_s(),
        })?;
        if unfinished.is_empty() {
            return Ok(());
        }
        // later stages wait on this one with afterok: they can never start; replace them
        let later: Vec<Submission> = self
            .active
            .iter()
            .filter(|s| s.stage > stage)
            .cloned()
            .collect();
        let jobs: Vec<u64> = later.iter().filter_map(|s| s.job).collect();
        slurm::scancel(&jobs)?;
        if !jobs.is_empty() {
            self.dir
                .log_event(&Event::Cancelled { jobs, at: now_s() })?;
        }
        self.resized = true;
        for s in later {
            self.active.retain(|a| a.number != s.number);
            self.dir.log_event(&Event::Settled {
                submission: s.number,
                at: now_s(),
            })?;
        }
        self.submit_from(stage as usize, limits)
    }
}
