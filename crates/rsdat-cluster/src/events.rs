//! What workers did, for dashboards: each array element appends one JSON line per task
//! start, end or failure and per memory reading to its own file in the run directory
//! (`RUN/events/{N}_{K}.jsonl`); the driver reads the new lines of every file at each poll
//! and tells an [`Observer`]. Workers never open a connection to the driver.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rsdat_array::{MemorySample, Observer, TaskFailed, TaskFinished, TaskId, TaskStarted};
use serde::{Deserialize, Serialize};

use crate::rundir::RunDir;
use crate::{Error, Result};

/// How often an array element records its memory between tasks.
pub(crate) const MEMORY_INTERVAL: Duration = Duration::from_secs(1);

/// One line of an element's event file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "e", rename_all = "snake_case")]
pub(crate) enum WorkerEvent {
    /// A task began.
    Start {
        /// Worker (`12_3@node7`).
        w: String,
        /// Stage.
        s: u32,
        /// Chunk.
        c: u64,
        /// Unix seconds.
        at: f64,
    },
    /// A task ended well.
    Done {
        /// Worker.
        w: String,
        /// Stage.
        s: u32,
        /// Chunk.
        c: u64,
        /// Unix seconds it began.
        from: f64,
        /// Unix seconds it ended.
        at: f64,
        /// Output bytes.
        bytes: u64,
    },
    /// A task failed.
    Fail {
        /// Worker.
        w: String,
        /// Stage.
        s: u32,
        /// Chunk.
        c: u64,
        /// Unix seconds it began.
        from: f64,
        /// Unix seconds it failed.
        at: f64,
        /// Why.
        reason: String,
    },
    /// The element's memory.
    Mem {
        /// Worker.
        w: String,
        /// Process id.
        pid: u32,
        /// `VmRSS`, bytes.
        rss: u64,
        /// `VmHWM`, bytes.
        peak: Option<u64>,
        /// Unix seconds.
        at: f64,
    },
}

/// Unix time now, seconds.
pub(crate) fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The [`Instant`] of unix time `at` (clamped to now).
pub(crate) fn instant_of(at: f64) -> Instant {
    let now = Instant::now();
    let ago = (unix_now() - at).max(0.0);
    now.checked_sub(Duration::from_secs_f64(ago)).unwrap_or(now)
}

/// This host's name.
pub(crate) fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "localhost".into())
}

/// The writing side, in an array element (or the driver's calibration).
#[derive(Debug)]
pub(crate) struct WorkerLog {
    worker: String,
    file: Mutex<std::fs::File>,
    path: PathBuf,
}

impl WorkerLog {
    /// Appends to `RUN/events/{name}.jsonl` as worker `worker`.
    pub(crate) fn open(dir: &RunDir, name: &str, worker: String) -> Result<Self> {
        let d = dir.root().join("events");
        std::fs::create_dir_all(&d).map_err(|e| Error::io("creating", &d, e))?;
        let path = d.join(format!("{name}.jsonl"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| Error::io("opening event file", &path, e))?;
        Ok(Self {
            worker,
            file: Mutex::new(file),
            path,
        })
    }

    /// The worker's name.
    pub(crate) fn worker(&self) -> &str {
        &self.worker
    }

    /// Appends one event as one line (one `write`, so a reader sees whole lines).
    pub(crate) fn write(&self, e: &WorkerEvent) {
        let Ok(mut line) = serde_json::to_string(e) else {
            return;
        };
        line.push('\n');
        let Ok(mut f) = self.file.lock() else { return };
        if let Err(err) = f.write_all(line.as_bytes()) {
            // the events only feed dashboards: a full disk must not fail the task
            tracing::warn!(path = %self.path.display(), error = %err, "cannot record a task event");
        }
    }

    /// Records this process's memory.
    pub(crate) fn memory(&self) {
        let pid = std::process::id();
        if let Some((rss, peak)) = rsdat_array::process_memory(pid) {
            self.write(&WorkerEvent::Mem {
                w: self.worker.clone(),
                pid,
                rss,
                peak,
                at: unix_now(),
            });
        }
    }
}

/// Runs `f` while a thread records the memory of this process every [`MEMORY_INTERVAL`]
/// (and once at the end).
pub(crate) fn with_memory_records<R>(log: &WorkerLog, f: impl FnOnce() -> R) -> R {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let r = std::thread::scope(|s| {
        s.spawn(move || {
            log.memory();
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                stopped.recv_timeout(MEMORY_INTERVAL)
            {
                log.memory();
            }
        });
        let r = f();
        drop(stop);
        r
    });
    log.memory();
    r
}

/// The reading side: new lines of every event file since the last poll, to an observer.
#[derive(Debug, Default)]
pub struct EventTail {
    offsets: HashMap<PathBuf, u64>,
    /// Tasks started and not yet ended, by worker: stage, chunk -> unix start.
    in_flight: BTreeMap<String, BTreeMap<TaskId, f64>>,
}

impl EventTail {
    /// A tail that has read nothing yet (its first poll replays every event so far).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads what workers wrote since the last call and tells `observer`; lines not yet
    /// complete wait for the next call. Returns the events read.
    pub fn poll(&mut self, dir: &RunDir, observer: &dyn Observer) -> usize {
        let Ok(rd) = std::fs::read_dir(dir.root().join("events")) else {
            return 0;
        };
        let mut files: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
        let mut n = 0;
        for path in files {
            let offset = self.offsets.get(&path).copied().unwrap_or(0);
            let Some(text) = read_from(&path, offset) else {
                continue;
            };
            // whole lines only
            let Some(end) = text.rfind('\n') else {
                continue;
            };
            for line in text[..=end].lines() {
                match serde_json::from_str::<WorkerEvent>(line) {
                    Ok(e) => {
                        self.tell(&e, observer);
                        n += 1;
                    }
                    Err(err) => {
                        tracing::debug!(path = %path.display(), error = %err, "skipping an event line")
                    }
                }
            }
            self.offsets.insert(path, offset + end as u64 + 1);
        }
        n
    }

    fn tell(&mut self, e: &WorkerEvent, observer: &dyn Observer) {
        match e {
            WorkerEvent::Start { w, s, c, at } => {
                let task = TaskId {
                    stage: *s,
                    chunk: *c,
                };
                self.in_flight
                    .entry(w.clone())
                    .or_default()
                    .insert(task, *at);
                observer.task_started(&TaskStarted {
                    task,
                    worker: w,
                    at: instant_of(*at),
                });
            }
            WorkerEvent::Done {
                w,
                s,
                c,
                from,
                at,
                bytes,
            } => {
                let task = TaskId {
                    stage: *s,
                    chunk: *c,
                };
                self.end(w, task);
                observer.task_finished(&TaskFinished {
                    task,
                    worker: w,
                    started: instant_of(*from),
                    finished: instant_of(*at),
                    bytes: *bytes,
                    cached: false,
                });
            }
            WorkerEvent::Fail {
                w,
                s,
                c,
                from,
                at,
                reason,
            } => {
                let task = TaskId {
                    stage: *s,
                    chunk: *c,
                };
                self.end(w, task);
                observer.task_failed(&TaskFailed {
                    task,
                    worker: w,
                    started: instant_of(*from),
                    failed: instant_of(*at),
                    reason,
                });
            }
            WorkerEvent::Mem {
                w,
                pid,
                rss,
                peak,
                at,
            } => observer.memory(&MemorySample {
                worker: w,
                pid: *pid,
                rss_bytes: *rss,
                peak_bytes: *peak,
                at: instant_of(*at),
            }),
        }
    }

    fn end(&mut self, worker: &str, task: TaskId) {
        if let Some(m) = self.in_flight.get_mut(worker) {
            m.remove(&task);
            if m.is_empty() {
                self.in_flight.remove(worker);
            }
        }
    }

    /// Array element `job` (`12_3`) ended: its tasks still running failed for `reason`
    /// (walltime, out of memory, node failure, ... as SLURM's accounting says). Returns
    /// how many.
    pub fn element_ended(&mut self, job: &str, reason: &str, observer: &dyn Observer) -> usize {
        let prefix = format!("{job}@");
        let workers: Vec<String> = self
            .in_flight
            .keys()
            .filter(|w| w.starts_with(&prefix))
            .cloned()
            .collect();
        let mut n = 0;
        for w in workers {
            for (task, from) in self.in_flight.remove(&w).unwrap_or_default() {
                observer.task_failed(&TaskFailed {
                    task,
                    worker: &w,
                    started: instant_of(from),
                    failed: Instant::now(),
                    reason,
                });
                n += 1;
            }
        }
        n
    }
}

/// The bytes of `path` from `offset`, as text.
fn read_from(path: &Path, offset: u64) -> Option<String> {
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    if len <= offset {
        return None;
    }
    f.seek(SeekFrom::Start(offset)).ok()?;
    let mut buf = Vec::with_capacity(usize::try_from(len - offset).unwrap_or(0));
    f.read_to_end(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Seen(Mutex<Vec<String>>);
    impl Observer for Seen {
        fn task_started(&self, e: &TaskStarted<'_>) {
            self.0
                .lock()
                .unwrap()
                .push(format!("start {} {}", e.task, e.worker));
        }
        fn task_finished(&self, e: &TaskFinished<'_>) {
            self.0
                .lock()
                .unwrap()
                .push(format!("done {} {} {}", e.task, e.worker, e.bytes));
        }
        fn task_failed(&self, e: &TaskFailed<'_>) {
            self.0
                .lock()
                .unwrap()
                .push(format!("fail {} {} {}", e.task, e.worker, e.reason));
        }
        fn memory(&self, s: &MemorySample<'_>) {
            self.0.lock().unwrap().push(format!("mem {}", s.worker));
        }
    }

    #[test]
    fn tail_reads_whole_lines_once_and_fails_what_a_killed_element_left() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = RunDir::at(tmp.path());
        let log = WorkerLog::open(&dir, "0_1", "7_1@n1".into()).unwrap();
        let seen = Seen::default();
        let mut tail = EventTail::new();
        assert_eq!(tail.poll(&dir, &seen), 0);
        log.write(&WorkerEvent::Start {
            w: "7_1@n1".into(),
            s: 0,
            c: 3,
            at: unix_now(),
        });
        log.write(&WorkerEvent::Done {
            w: "7_1@n1".into(),
            s: 0,
            c: 3,
            from: unix_now() - 1.0,
            at: unix_now(),
            bytes: 42,
        });
        log.memory();
        log.write(&WorkerEvent::Start {
            w: "7_1@n1".into(),
            s: 0,
            c: 4,
            at: unix_now(),
        });
        // half a line: waits for the rest
        let p = tmp.path().join("events/0_1.jsonl");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(b"{\"e\":\"start\",\"w\":\"7_1@n1\"")
            .unwrap();
        assert_eq!(tail.poll(&dir, &seen), 4);
        assert_eq!(tail.poll(&dir, &seen), 0);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(b",\"s\":0,\"c\":5,\"at\":1.0}\n")
            .unwrap();
        assert_eq!(tail.poll(&dir, &seen), 1);
        assert_eq!(tail.element_ended("7_2", "out of memory", &seen), 0);
        assert_eq!(tail.element_ended("7_1", "walltime", &seen), 2);
        let seen = seen.0.into_inner().unwrap();
        assert_eq!(
            seen,
            [
                "start s0c3 7_1@n1",
                "done s0c3 7_1@n1 42",
                "mem 7_1@n1",
                "start s0c4 7_1@n1",
                "start s0c5 7_1@n1",
                "fail s0c4 7_1@n1 walltime",
                "fail s0c5 7_1@n1 walltime",
            ]
        );
    }
}
