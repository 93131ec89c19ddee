//! The processes executor: worker processes (the same binary, `rsdat worker`) run tasks
//! named on their stdin and write outputs to a shared directory; a worker that dies
//! mid-task is replaced and the task run again (tasks are idempotent).
//!
//! Protocol, one line each: the parent sends `run <flat task index>`; the worker answers
//! `ok <index>` or `err <index> <message>`. The plan travels once, as `plan.json` (a
//! [`PlanSpec`]) in the run directory; outputs are files of a [`DirStore`] under `tasks/`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::time::Instant;

use super::observe::with_memory_sampler;
use super::{dag, plan_dag, Executor, Observer, Progress, TaskFailed, TaskFinished, TaskStarted};
use crate::plan::Plan;
use crate::spec::PlanSpec;
use crate::store::{DirStore, TaskStore};
use crate::{Error, Result};

/// Environment variable naming a flat task index at which a worker aborts once (the
/// first time any worker of the run directory reaches it): the test of worker loss.
pub const CRASH_AT_ENV: &str = "RSDAT_WORKER_CRASH_AT";

/// Runs tasks in `workers` child processes started as `program args... --dir <run dir>`.
#[derive(Debug, Clone)]
pub struct ProcessExecutor {
    /// The worker program (the `rsdat` binary).
    pub program: PathBuf,
    /// Arguments before `--dir` (`["worker"]`).
    pub args: Vec<String>,
    /// Number of worker processes.
    pub workers: usize,
    /// Run directory (plan and task outputs); a temporary one, removed after, when `None`.
    pub dir: Option<PathBuf>,
    /// How many times one task may lose its worker before the run fails.
    pub max_retries: usize,
    /// Extra environment variables for the workers.
    pub env: Vec<(String, String)>,
}

impl ProcessExecutor {
    /// `workers` processes of `program worker`.
    #[must_use]
    pub fn new(program: PathBuf, workers: usize) -> Self {
        Self {
            program,
            args: vec!["worker".into()],
            workers,
            dir: None,
            max_retries: 3,
            env: Vec::new(),
        }
    }
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    fn spawn(exe: &ProcessExecutor, dir: &Path) -> Result<Self> {
        let mut child = Command::new(&exe.program)
            .args(&exe.args)
            .arg("--dir")
            .arg(dir)
            .envs(exe.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| Error::io("starting worker", exe.program.display(), e))?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Ok(Self {
            child,
            stdin,
            stdout,
        })
    }

    /// Runs task `i`: `Ok(Ok(()))` done, `Ok(Err(msg))` the task failed, `Err` the worker died.
    fn run(&mut self, i: usize) -> std::io::Result<std::result::Result<(), String>> {
        writeln!(self.stdin, "run {i}")?;
        self.stdin.flush()?;
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "worker exited",
            ));
        }
        let line = line.trim_end();
        if line == format!("ok {i}") {
            Ok(Ok(()))
        } else if let Some(msg) = line.strip_prefix(&format!("err {i} ")) {
            Ok(Err(msg.to_owned()))
        } else {
            Ok(Err(format!("unexpected worker answer `{line}`")))
        }
    }

    fn stop(mut self) {
        drop(self.stdin);
        let _ = self.child.wait();
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Executor for ProcessExecutor {
    fn name(&self) -> &'static str {
        "processes"
    }

    fn execute(&self, plan: &Plan, store: &dyn TaskStore, progress: Progress<'_>) -> Result<()> {
        self.execute_with(plan, store, progress, None)
    }

    fn execute_observed(
        &self,
        plan: &Plan,
        store: &dyn TaskStore,
        observer: &dyn Observer,
    ) -> Result<()> {
        super::observe_run(observer, plan, self.name(), || {
            self.execute_with(
                plan,
                store,
                &|done, total| observer.progress(done, total),
                Some(observer),
            )
        })
    }
}

impl ProcessExecutor {
    fn execute_with(
        &self,
        plan: &Plan,
        store: &dyn TaskStore,
        progress: Progress<'_>,
        observer: Option<&dyn Observer>,
    ) -> Result<()> {
        let spec = plan.spec()?;
        let (dir, temporary) = match &self.dir {
            Some(d) => (d.clone(), false),
            None => (temp_run_dir(), true),
        };
        let result = self.run_in(plan, &spec, &dir, store, progress, observer);
        if temporary {
            let _ = std::fs::remove_dir_all(&dir);
        }
        result
    }

    fn run_in(
        &self,
        plan: &Plan,
        spec: &PlanSpec,
        dir: &Path,
        store: &dyn TaskStore,
        progress: Progress<'_>,
        observer: Option<&dyn Observer>,
    ) -> Result<()> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io("creating run directory", dir.display(), e))?;
        let spec_path = dir.join("plan.json");
        let json = serde_json::to_vec(spec).map_err(|e| Error::Spec(e.to_string()))?;
        std::fs::write(&spec_path, json)
            .map_err(|e| Error::io("writing", spec_path.display(), e))?;
        let files = DirStore::new(&dir.join("tasks"))?;
        let idle: Mutex<Vec<Worker>> = Mutex::new(Vec::new());
        // worker process ids, for the memory samples of an observed run
        let live: Mutex<BTreeSet<u32>> = Mutex::new(BTreeSet::new());
        let total = plan.n_tasks();
        let work = |i: usize, _slot: usize| -> Result<()> {
            let id = plan.task(i as u64);
            if files.contains(id) {
                if let Some(obs) = observer {
                    let now = Instant::now();
                    obs.task_finished(&TaskFinished {
                        task: id,
                        worker: "cached",
                        started: now,
                        finished: now,
                        bytes: 0,
                        cached: true,
                    });
                }
                return Ok(());
            }
            let mut tries = 0;
            loop {
                let taken = idle.lock().expect("worker pool lock").pop();
                let mut w = match taken {
                    Some(w) => w,
                    None => {
                        let w = Worker::spawn(self, dir)?;
                        live.lock().expect("pid lock").insert(w.child.id());
                        w
                    }
                };
                let pid = w.child.id();
                let name = observer.map(|_| format!("pid {pid}"));
                let started = Instant::now();
                if let (Some(obs), Some(name)) = (observer, &name) {
                    obs.task_started(&TaskStarted {
                        task: id,
                        worker: name,
                        at: started,
                    });
                }
                let answer = w.run(i);
                if let (Some(obs), Some(name)) = (observer, &name) {
                    match &answer {
                        Ok(Ok(())) => obs.task_finished(&TaskFinished {
                            task: id,
                            worker: name,
                            started,
                            finished: Instant::now(),
                            bytes: files.file_len(id).unwrap_or(0),
                            cached: false,
                        }),
                        Ok(Err(reason)) => obs.task_failed(&TaskFailed {
                            task: id,
                            worker: name,
                            started,
                            failed: Instant::now(),
                            reason,
                        }),
                        Err(e) => obs.task_failed(&TaskFailed {
                            task: id,
                            worker: name,
                            started,
                            failed: Instant::now(),
                            reason: &format!("worker lost ({e}); running the task again"),
                        }),
                    }
                }
                match answer {
                    Ok(Ok(())) => {
                        idle.lock().expect("worker pool lock").push(w);
                        return Ok(());
                    }
                    Ok(Err(reason)) => {
                        idle.lock().expect("worker pool lock").push(w);
                        return Err(Error::Task {
                            stage: plan.stage(id).name().to_owned(),
                            task: id.to_string(),
                            reason,
                        });
                    }
                    Err(e) => {
                        live.lock().expect("pid lock").remove(&pid);
                        w.kill();
                        tries += 1;
                        tracing::warn!(task = %id, error = %e, "worker lost; starting another and running the task again");
                        if tries > self.max_retries {
                            return Err(Error::Worker(format!(
                                "task {id} lost its worker {tries} times; giving up"
                            )));
                        }
                    }
                }
            }
        };
        let run = || {
            dag::run(
                &plan_dag(plan),
                self.workers.max(1),
                &dag::Hooks {
                    work: &work,
                    release: &|_| {},
                    progress: &|d| progress(d as u64, total),
                },
            )
        };
        let result = match observer {
            Some(obs) => {
                let pids = || {
                    live.lock()
                        .expect("pid lock")
                        .iter()
                        .map(|&p| (format!("pid {p}"), p))
                        .collect()
                };
                with_memory_sampler(obs, &pids, run)
            }
            None => run(),
        };
        for w in idle.into_inner().expect("worker pool lock") {
            w.stop();
        }
        result?;
        // hand the outputs to the caller's store
        for s in plan.output_stages() {
            for chunk in 0..plan.stages()[s].tasks() {
                let id = crate::TaskId {
                    stage: u32::try_from(s).expect("stage count fits u32"),
                    chunk,
                };
                let b = files
                    .get(id)?
                    .ok_or_else(|| Error::Worker(format!("output {id} missing after the run")))?;
                store.put(id, (*b).clone())?;
            }
        }
        Ok(())
    }
}

fn temp_run_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::env::temp_dir().join(format!("rsdat-run-{}-{nanos}", std::process::id()))
}

/// The worker side: loads `dir/plan.json`, then runs the tasks named on `input`, writing
/// outputs under `dir/tasks` and answering on `output`, until `input` closes.
///
/// # Errors
/// When the plan cannot be loaded or the pipes fail; task failures are answered, not
/// returned.
pub fn serve_worker(dir: &Path, input: impl BufRead, mut output: impl Write) -> Result<()> {
    let spec_path = dir.join("plan.json");
    let bytes =
        std::fs::read(&spec_path).map_err(|e| Error::io("reading", spec_path.display(), e))?;
    let spec: PlanSpec = serde_json::from_slice(&bytes)
        .map_err(|e| Error::Spec(format!("`{}`: {e}", spec_path.display())))?;
    let plan = Plan::from_spec(&spec)?;
    let store = DirStore::new(&dir.join("tasks"))?;
    let crash_at: Option<u64> = std::env::var(CRASH_AT_ENV)
        .ok()
        .and_then(|v| v.parse().ok());
    let pipe = |e| Error::io("answering on", "stdout", e);
    for line in input.lines() {
        let line = line.map_err(|e| Error::io("reading", "stdin", e))?;
        let Some(i) = line
            .strip_prefix("run ")
            .and_then(|s| s.trim().parse::<u64>().ok())
        else {
            continue;
        };
        if i >= plan.n_tasks() {
            writeln!(output, "err {i} no such task").map_err(pipe)?;
            output.flush().map_err(pipe)?;
            continue;
        }
        if crash_at == Some(i) {
            let marker = dir.join(format!("crashed-{i}"));
            if std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&marker)
                .is_ok()
            {
                std::process::abort();
            }
        }
        let id = plan.task(i);
        let answer = crate::eval::run_task(&plan, &store, id).and_then(|b| store.put(id, b));
        match answer {
            Ok(()) => writeln!(output, "ok {i}"),
            Err(e) => writeln!(output, "err {i} {}", e.to_string().replace('\n', " ")),
        }
        .map_err(pipe)?;
        output.flush().map_err(pipe)?;
    }
    Ok(())
}
