//! The compute-node side: one array element runs its batch of tasks.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use rsdat_array::{Plan, TaskId, TaskStore};

use crate::events::{hostname, unix_now, with_memory_records, WorkerEvent, WorkerLog};
use crate::rundir::RunDir;
use crate::{Error, Result};

/// Environment variable: milliseconds each task sleeps before it runs, `MS` or `MS@STAGE`
/// for the tasks of one stage (tests of walltime kills use it to make tasks slow).
pub const TASK_DELAY_ENV: &str = "RSDAT_TASK_DELAY_MS";

/// The delay of [`TASK_DELAY_ENV`] for tasks of `stage`, milliseconds.
fn delay_ms(value: Option<&str>, stage: u32) -> u64 {
    let Some(v) = value else { return 0 };
    match v.split_once('@') {
        Some((ms, s)) if s.trim().parse() == Ok(stage) => ms.trim().parse().unwrap_or(0),
        Some(_) => 0,
        None => v.trim().parse().unwrap_or(0),
    }
}

/// What an element did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ElementReport {
    /// Tasks it ran.
    pub ran: u64,
    /// Tasks already done by an earlier attempt.
    pub skipped: u64,
}

/// Runs the tasks of element `element` of submission `submission` in the run directory
/// `root`, writing outputs and completion markers; tasks already marked are skipped.
/// `cpus` tasks run at once. `on_task` hears of each finished task and its seconds.
///
/// Each task's start, end (with output bytes) or failure, and the element's memory
/// (`VmRSS`, `VmHWM`, every second and after each task) go to `RUN/events/{N}_{K}.jsonl`
/// under the worker name `ARRAYJOB_INDEX@HOST`, where the driver's dashboard reads them.
///
/// # Errors
/// When the run directory, the plan or the submission cannot be read, or a task fails.
pub fn run_element(
    root: &Path,
    submission: u64,
    element: u64,
    cpus: usize,
    on_task: &(dyn Fn(TaskId, f64) + Sync),
) -> Result<ElementReport> {
    let dir = RunDir::open(root)?;
    let plan = Plan::from_spec(&dir.spec()?)?;
    let sub = dir.submission(submission)?;
    let chunks = usize::try_from(element)
        .ok()
        .and_then(|k| sub.elements.get(k))
        .ok_or_else(|| Error::RunDir {
            path: root.to_path_buf(),
            reason: format!(
                "submission {submission} has {} array elements, not element {element}",
                sub.elements.len()
            ),
        })?;
    let job = match (
        std::env::var("SLURM_ARRAY_JOB_ID"),
        std::env::var("SLURM_ARRAY_TASK_ID"),
    ) {
        (Ok(j), Ok(t)) => format!("{j}_{t}"),
        _ => "local".to_owned(),
    };
    if let Ok(raw) = std::env::var("SLURM_JOB_ID") {
        dir.element_started(submission, element, &raw)?;
    }
    let ids: Vec<TaskId> = chunks
        .iter()
        .map(|&chunk| TaskId {
            stage: sub.stage,
            chunk,
        })
        .collect();
    let log = WorkerLog::open(
        &dir,
        &format!("{submission}_{element}"),
        format!("{job}@{}", hostname()),
    )?;
    with_memory_records(&log, || {
        run_tasks(&dir, &plan, &ids, cpus, &job, &log, on_task)
    })
}

/// Runs `ids` (tasks whose inputs are done) with markers, `cpus` at once.
pub(crate) fn run_tasks(
    dir: &RunDir,
    plan: &Plan,
    ids: &[TaskId],
    cpus: usize,
    job: &str,
    log: &WorkerLog,
    on_task: &(dyn Fn(TaskId, f64) + Sync),
) -> Result<ElementReport> {
    let store = dir.store()?;
    let delay = std::env::var(TASK_DELAY_ENV).ok();
    let next = AtomicUsize::new(0);
    let report = Mutex::new(ElementReport::default());
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    let work = || loop {
        if first_error.lock().expect("error slot").is_some() {
            return;
        }
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(&id) = ids.get(i) else { return };
        let result = (|| -> Result<bool> {
            if dir.marker(id)?.is_some() {
                return Ok(false);
            }
            let start = Instant::now();
            let from = unix_now();
            let w = log.worker().to_owned();
            log.write(&WorkerEvent::Start {
                w: w.clone(),
                s: id.stage,
                c: id.chunk,
                at: from,
            });
            let ran = (|| -> Result<u64> {
                let ms = delay_ms(delay.as_deref(), id.stage);
                if ms > 0 {
                    std::thread::sleep(std::time::Duration::from_millis(ms));
                }
                let block = rsdat_array::run_task(plan, &store, id)?;
                store.put(id, block)?;
                let seconds = start.elapsed().as_secs_f64();
                Ok(dir.mark_done(id, seconds, job)?.bytes)
            })();
            match &ran {
                Ok(bytes) => log.write(&WorkerEvent::Done {
                    w,
                    s: id.stage,
                    c: id.chunk,
                    from,
                    at: unix_now(),
                    bytes: *bytes,
                }),
                Err(e) => log.write(&WorkerEvent::Fail {
                    w,
                    s: id.stage,
                    c: id.chunk,
                    from,
                    at: unix_now(),
                    reason: e.to_string(),
                }),
            }
            log.memory();
            ran?;
            on_task(id, start.elapsed().as_secs_f64());
            Ok(true)
        })();
        match result {
            Ok(ran) => {
                let mut r = report.lock().expect("report");
                if ran {
                    r.ran += 1;
                } else {
                    r.skipped += 1;
                }
            }
            Err(e) => {
                first_error.lock().expect("error slot").get_or_insert(e);
                return;
            }
        }
    };
    std::thread::scope(|s| {
        for _ in 1..cpus.max(1) {
            s.spawn(work);
        }
        work();
    });
    if let Some(e) = first_error.into_inner().expect("error slot") {
        return Err(e);
    }
    Ok(report.into_inner().expect("report"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_by_stage() {
        assert_eq!(delay_ms(None, 0), 0);
        assert_eq!(delay_ms(Some("250"), 3), 250);
        assert_eq!(delay_ms(Some("250@0"), 0), 250);
        assert_eq!(delay_ms(Some("250@0"), 1), 0);
    }
}
