//! The run directory on the shared filesystem: everything a run is and did.
//!
//! ```text
//! RUN/plan.json              the plan (PlanSpec)
//! RUN/run.json               the options it was submitted with
//! RUN/tasks/s{S}/c{C}.bin    task outputs (DirStore)
//! RUN/done/s{S}/c{C}         completion markers, written atomically after the output
//! RUN/submissions/{N}.json   one job array: stage, job id, the tasks of each element
//! RUN/submissions/{N}.sh     its batch script
//! RUN/elements/{N}/{K}       raw job id and host of element K, written when it starts
//! RUN/events/{N}_{K}.jsonl   element K's task starts, ends, failures and memory, a line each
//! RUN/logs/sub-{N}_{K}.log   the element's stdout + stderr
//! RUN/ledger.jsonl           what happened, one JSON event a line
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rsdat_array::{DirStore, Plan, PlanSpec, TaskId};
use serde::{Deserialize, Serialize};

use crate::options::SlurmOptions;
use crate::{Error, Result};

const MARKER_MAGIC: &str = "rsdat-done-1";

/// A run directory.
#[derive(Debug, Clone)]
pub struct RunDir {
    root: PathBuf,
}

/// A task's completion marker: which task, its output's size and checksum, how long it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// The task.
    pub task: TaskId,
    /// Bytes of its output file.
    pub bytes: u64,
    /// FNV-1a 64 of its output file.
    pub fnv: u64,
    /// Seconds it ran.
    pub seconds: f64,
    /// The SLURM job that ran it (`12_3`), or `local`.
    pub job: String,
}

impl Marker {
    fn encode(&self) -> String {
        format!(
            "{MARKER_MAGIC} {} {} {:016x} {:.6} {}\n",
            self.task, self.bytes, self.fnv, self.seconds, self.job
        )
    }

    /// Reads a marker's text; `Err` says what is wrong.
    pub(crate) fn decode(text: &str, want: TaskId) -> std::result::Result<Self, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.len() != 6 || words[0] != MARKER_MAGIC {
            return Err(format!(
                "expected `{MARKER_MAGIC} <task> <bytes> <fnv> <seconds> <job>`, found `{}`",
                text.trim().chars().take(80).collect::<String>()
            ));
        }
        if words[1] != want.to_string() {
            return Err(format!("it names task {} instead of {want}", words[1]));
        }
        let bytes = words[2]
            .parse()
            .map_err(|_| format!("bad byte count `{}`", words[2]))?;
        let fnv = u64::from_str_radix(words[3], 16)
            .map_err(|_| format!("bad checksum `{}`", words[3]))?;
        let seconds = words[4]
            .parse()
            .map_err(|_| format!("bad seconds `{}`", words[4]))?;
        Ok(Self {
            task: want,
            bytes,
            fnv,
            seconds,
            job: words[5].to_owned(),
        })
    }
}

/// FNV-1a 64 of `bytes`.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// One job array: the tasks of each element, all of one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// Its number in the run (0, 1, ...).
    pub number: u64,
    /// The stage.
    pub stage: u32,
    /// Chunks run by each array element.
    pub elements: Vec<Vec<u64>>,
    /// SLURM's array job id, once submitted.
    pub job: Option<u64>,
    /// Array jobs it waits for (`afterok`).
    pub after: Vec<u64>,
}

/// One event of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A job array was submitted.
    Submitted {
        /// Submission number.
        submission: u64,
        /// Stage index.
        stage: u32,
        /// Array job id.
        job: u64,
        /// Array elements.
        elements: usize,
        /// Tasks in them.
        tasks: u64,
        /// Unix seconds.
        at: u64,
    },
    /// An element ended without finishing its tasks.
    ElementEnded {
        /// Submission number.
        submission: u64,
        /// `12_3`.
        job: String,
        /// SLURM's state.
        state: String,
        /// In words.
        reason: String,
        /// Its unfinished tasks.
        unfinished: u64,
        /// Whether it counted as a task failure.
        counted: bool,
        /// Its log.
        log: PathBuf,
        /// Unix seconds.
        at: u64,
    },
    /// A submission is over (all its elements left the queue).
    Settled {
        /// Submission number.
        submission: u64,
        /// Unix seconds.
        at: u64,
    },
    /// Jobs were cancelled.
    Cancelled {
        /// The job ids.
        jobs: Vec<u64>,
        /// Unix seconds.
        at: u64,
    },
    /// Every task is done.
    Finished {
        /// Unix seconds.
        at: u64,
    },
}

pub(crate) fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl RunDir {
    /// The run directory at `root` (not touched yet).
    #[must_use]
    pub fn at(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
        }
    }

    /// Its path.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates the directory for `spec` (or checks that it holds the same plan), and checks
    /// that it is writable.
    ///
    /// # Errors
    /// [`Error::RunDir`] when it cannot be created or written, or holds another plan.
    pub fn create(root: &Path, spec: &PlanSpec, options: &SlurmOptions) -> Result<Self> {
        let dir = Self::at(root);
        let unusable = |reason: String| Error::RunDir {
            path: root.to_path_buf(),
            reason,
        };
        for sub in ["tasks", "done", "submissions", "elements", "events", "logs"] {
            std::fs::create_dir_all(root.join(sub)).map_err(|e| {
                unusable(format!(
                    "cannot create it: {e}; pick a writable directory on the shared filesystem with --run-dir"
                ))
            })?;
        }
        let probe = root.join(".write-test");
        std::fs::write(&probe, b"ok")
            .and_then(|()| std::fs::remove_file(&probe))
            .map_err(|e| {
                unusable(format!(
                    "is not writable: {e}; pick a writable directory on the shared filesystem with --run-dir"
                ))
            })?;
        let json = serde_json::to_vec_pretty(spec).map_err(|e| unusable(e.to_string()))?;
        let plan = root.join("plan.json");
        match std::fs::read(&plan) {
            Ok(old) => {
                let old: PlanSpec = serde_json::from_slice(&old).map_err(|e| {
                    unusable(format!(
                        "`plan.json` does not read ({e}); remove the directory or pick another"
                    ))
                })?;
                if &old != spec {
                    return Err(unusable(
                        "it holds another plan; pick another --run-dir (or remove this one); \
                         a command that runs one plan per year needs a run directory per plan: \
                         leave --run-dir out (each plan gets ./rsdat-run-<time>) or run one year at a time"
                            .into(),
                    ));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => dir.write("plan.json", &json)?,
            Err(e) => return Err(Error::io("reading", plan, e)),
        }
        let opts = serde_json::to_vec_pretty(options).map_err(|e| unusable(e.to_string()))?;
        dir.write("run.json", &opts)?;
        Ok(dir)
    }

    /// Opens an existing run directory.
    ///
    /// # Errors
    /// [`Error::RunDir`] when it holds no plan.
    pub fn open(root: &Path) -> Result<Self> {
        if !root.join("plan.json").exists() {
            return Err(Error::RunDir {
                path: root.to_path_buf(),
                reason: "holds no plan.json; is it the run directory of an `--executor slurm` run?"
                    .into(),
            });
        }
        Ok(Self::at(root))
    }

    /// The plan spec it holds.
    ///
    /// # Errors
    /// When `plan.json` cannot be read.
    pub fn spec(&self) -> Result<PlanSpec> {
        let p = self.root.join("plan.json");
        let bytes = std::fs::read(&p).map_err(|e| Error::io("reading", &p, e))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::RunDir {
            path: self.root.clone(),
            reason: format!("`plan.json` does not read: {e}"),
        })
    }

    /// The options it was submitted with.
    ///
    /// # Errors
    /// When `run.json` cannot be read.
    pub fn options(&self) -> Result<SlurmOptions> {
        let p = self.root.join("run.json");
        let bytes = std::fs::read(&p).map_err(|e| Error::io("reading", &p, e))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::RunDir {
            path: self.root.clone(),
            reason: format!("`run.json` does not read: {e}"),
        })
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let p = self.root.join(name);
        rsdat_storage::write_atomic(&p, bytes).map_err(|e| Error::RunDir {
            path: self.root.clone(),
            reason: format!("cannot write `{name}`: {e}"),
        })
    }

    /// The task outputs.
    ///
    /// # Errors
    /// When `tasks/` cannot be created.
    pub fn store(&self) -> Result<DirStore> {
        Ok(DirStore::new(&self.root.join("tasks"))?)
    }

    pub(crate) fn output_path(&self, id: TaskId) -> PathBuf {
        self.root
            .join("tasks")
            .join(format!("s{}", id.stage))
            .join(format!("c{}.bin", id.chunk))
    }

    pub(crate) fn marker_path(&self, id: TaskId) -> PathBuf {
        self.root
            .join("done")
            .join(format!("s{}", id.stage))
            .join(format!("c{}", id.chunk))
    }

    /// Records that task `id` is done: its output file's size and checksum, atomically;
    /// returns the marker.
    ///
    /// # Errors
    /// When the output cannot be read or the marker written.
    pub fn mark_done(&self, id: TaskId, seconds: f64, job: &str) -> Result<Marker> {
        let out = self.output_path(id);
        let bytes = std::fs::read(&out).map_err(|e| Error::io("reading task output", &out, e))?;
        let m = Marker {
            task: id,
            bytes: bytes.len() as u64,
            fnv: fnv1a(&bytes),
            seconds,
            job: job.to_owned(),
        };
        let p = self.marker_path(id);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| Error::io("creating", d, e))?;
        }
        rsdat_storage::write_atomic(&p, m.encode().as_bytes()).map_err(|e| Error::RunDir {
            path: self.root.clone(),
            reason: format!("cannot write marker `{}`: {e}", p.display()),
        })?;
        Ok(m)
    }

    /// The marker of `id`: `Ok(None)` when the task is not done.
    ///
    /// # Errors
    /// [`Error::CorruptMarker`] when it does not read.
    pub fn marker(&self, id: TaskId) -> Result<Option<Marker>> {
        let p = self.marker_path(id);
        match std::fs::read(&p) {
            Ok(b) => Marker::decode(&String::from_utf8_lossy(&b), id)
                .map(Some)
                .map_err(|reason| Error::CorruptMarker { path: p, reason }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("reading marker", p, e)),
        }
    }

    /// Chunks of `stage` with a marker file (not validated): the cheap progress count.
    pub(crate) fn marked_chunks(&self, stage: u32) -> Vec<u64> {
        let Ok(rd) = std::fs::read_dir(self.root.join("done").join(format!("s{stage}"))) else {
            return Vec::new();
        };
        rd.filter_map(|e| {
            let name = e.ok()?.file_name();
            name.to_str()?.strip_prefix('c')?.parse().ok()
        })
        .collect()
    }

    /// Completion markers of every stage of `plan` (not yet checked against outputs).
    pub(crate) fn marked_tasks(&self, plan: &Plan) -> u64 {
        (0..plan.stages().len())
            .map(|s| {
                self.marked_chunks(u32::try_from(s).expect("stage count fits u32"))
                    .len() as u64
            })
            .sum()
    }

    /// Checks the marker of `id` against its output file.
    ///
    /// # Errors
    /// [`Error::CorruptMarker`] when the output is missing or differs.
    pub(crate) fn verify(&self, m: &Marker) -> Result<Vec<u8>> {
        let out = self.output_path(m.task);
        let bytes = std::fs::read(&out).map_err(|e| Error::CorruptMarker {
            path: self.marker_path(m.task),
            reason: format!("its output `{}` cannot be read ({e})", out.display()),
        })?;
        if bytes.len() as u64 != m.bytes || fnv1a(&bytes) != m.fnv {
            return Err(Error::CorruptMarker {
                path: self.marker_path(m.task),
                reason: format!(
                    "its output `{}` does not match (size or checksum)",
                    out.display()
                ),
            });
        }
        Ok(bytes)
    }

    /// Saves a submission.
    ///
    /// # Errors
    /// When it cannot be written.
    pub(crate) fn save_submission(&self, s: &Submission) -> Result<()> {
        let json = serde_json::to_vec(s).map_err(|e| Error::RunDir {
            path: self.root.clone(),
            reason: e.to_string(),
        })?;
        self.write(&format!("submissions/{}.json", s.number), &json)
    }

    /// Submission `n`.
    ///
    /// # Errors
    /// When it cannot be read.
    pub fn submission(&self, n: u64) -> Result<Submission> {
        let p = self.root.join(format!("submissions/{n}.json"));
        let bytes = std::fs::read(&p).map_err(|e| Error::io("reading submission", &p, e))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::RunDir {
            path: self.root.clone(),
            reason: format!("`{}` does not read: {e}", p.display()),
        })
    }

    /// All submissions, by number.
    ///
    /// # Errors
    /// When one cannot be read.
    pub fn submissions(&self) -> Result<Vec<Submission>> {
        let mut numbers: Vec<u64> = std::fs::read_dir(self.root.join("submissions"))
            .map(|rd| {
                rd.filter_map(|e| {
                    let name = e.ok()?.file_name();
                    name.to_str()?.strip_suffix(".json")?.parse().ok()
                })
                .collect()
            })
            .unwrap_or_default();
        numbers.sort_unstable();
        numbers.into_iter().map(|n| self.submission(n)).collect()
    }

    pub(crate) fn script_path(&self, n: u64) -> PathBuf {
        self.root.join(format!("submissions/{n}.sh"))
    }

    /// The log of element `k` of submission `n`.
    #[must_use]
    pub fn log_path(&self, n: u64, k: u64) -> PathBuf {
        self.root.join(format!("logs/sub-{n}_{k}.log"))
    }

    /// Records that element `k` of submission `n` started as raw job `raw`.
    pub(crate) fn element_started(&self, n: u64, k: u64, raw: &str) -> Result<()> {
        let d = self.root.join(format!("elements/{n}"));
        std::fs::create_dir_all(&d).map_err(|e| Error::io("creating", &d, e))?;
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        rsdat_storage::write_atomic(
            &d.join(k.to_string()),
            format!("{raw} {} {}\n", host.trim(), now_s()).as_bytes(),
        )
        .map_err(|e| Error::RunDir {
            path: self.root.clone(),
            reason: e.to_string(),
        })
    }

    /// Raw job id -> element, for the elements of submission `n` that started.
    pub(crate) fn raw_ids(&self, n: u64) -> BTreeMap<u64, u64> {
        let Ok(rd) = std::fs::read_dir(self.root.join(format!("elements/{n}"))) else {
            return BTreeMap::new();
        };
        rd.filter_map(|e| {
            let e = e.ok()?;
            let k: u64 = e.file_name().to_str()?.parse().ok()?;
            let text = std::fs::read_to_string(e.path()).ok()?;
            let raw: u64 = text.split_whitespace().next()?.parse().ok()?;
            Some((raw, k))
        })
        .collect()
    }

    /// Asks the driver of this run to cancel its jobs and stop (`rsdat jobs cancel`).
    ///
    /// # Errors
    /// When the request file cannot be written.
    pub fn request_cancel(&self) -> Result<()> {
        self.write("cancel-requested", b"")
    }

    /// Whether a cancel was requested.
    #[must_use]
    pub fn cancel_requested(&self) -> bool {
        self.root.join("cancel-requested").exists()
    }

    /// Withdraws a cancel request (on resume).
    pub(crate) fn clear_cancel(&self) {
        let _ = std::fs::remove_file(self.root.join("cancel-requested"));
    }

    /// Appends an event to the ledger.
    ///
    /// # Errors
    /// When the ledger cannot be written.
    pub(crate) fn log_event(&self, e: &Event) -> Result<()> {
        let p = self.root.join("ledger.jsonl");
        let mut line = serde_json::to_string(e).map_err(|err| Error::RunDir {
            path: self.root.clone(),
            reason: err.to_string(),
        })?;
        line.push('\n');
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&p)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .map_err(|err| Error::io("appending to ledger", p, err))
    }

    /// The ledger's events (lines that do not read are skipped).
    #[must_use]
    pub fn events(&self) -> Vec<Event> {
        std::fs::read_to_string(self.root.join("ledger.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

/// The last `n` lines of a file (or a note that it cannot be read).
pub(crate) fn tail(path: &Path, n: usize) -> String {
    match std::fs::read_to_string(path) {
        Ok(t) => {
            let lines: Vec<&str> = t.lines().collect();
            lines[lines.len().saturating_sub(n)..].join("\n")
        }
        Err(e) => format!("(no log: {e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_and_refuse_garbage() {
        let id = TaskId { stage: 2, chunk: 7 };
        let m = Marker {
            task: id,
            bytes: 1234,
            fnv: fnv1a(b"abc"),
            seconds: 0.5,
            job: "12_3".into(),
        };
        assert_eq!(Marker::decode(&m.encode(), id), Ok(m.clone()));
        assert!(Marker::decode("garbage", id).is_err());
        let other = TaskId { stage: 2, chunk: 8 };
        assert!(Marker::decode(&m.encode(), other)
            .expect_err("wrong task")
            .contains("s2c7"));
    }

    #[test]
    fn fnv_known_value() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
