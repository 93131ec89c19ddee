//! The SLURM executor against a real single-node SLURM (slurmctld + slurmd + munged on
//! loopback, started once for this test binary by `rsdat_testkit::slurm::Cluster`), with
//! this crate's `rsdat` binary as the worker on the "compute node".
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rsdat_array::{compute, ComputeOptions, ExecutorKind, LazyArray, SumUntil};
use rsdat_cluster::{Event, RunDir, SlurmExecutor, SlurmOptions, TASK_DELAY_ENV};
use rsdat_testkit::slurm::Cluster;

use common::StderrLines;

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rsdat"))
}

/// The shared cluster, with `SLURM_CONF` set for this process (the executor runs
/// `sbatch`, `squeue`, ... itself).
fn cluster() -> Arc<Cluster> {
    let c = Cluster::shared();
    for (k, v) in c.env() {
        std::env::set_var(k, v);
    }
    c
}

fn options(run_dir: &Path) -> SlurmOptions {
    let mut o = SlurmOptions::new(exe());
    o.run_dir = Some(run_dir.to_path_buf());
    o.poll = Duration::from_millis(200);
    o.calibration_tasks = 1;
    o.element_overhead_s = 1.0;
    o
}

fn bits(a: &ndarray::ArrayD<f64>) -> Vec<u64> {
    a.iter().map(|x| x.to_bits()).collect()
}

fn on(arrays: &[&LazyArray], custom: Option<SlurmExecutor>) -> Vec<ndarray::ArrayD<f64>> {
    let opts = ComputeOptions {
        executor: ExecutorKind::Threads,
        workers: Some(2),
        custom: custom.map(|e| Arc::new(e) as Arc<dyn rsdat_array::Executor + Send + Sync>),
        ..Default::default()
    };
    compute(arrays, &opts).unwrap()
}

/// Notebook 01's operations and a streaming fold with the built-in `sum-until` kernel.
fn workload() -> Vec<LazyArray> {
    let mut v: Vec<LazyArray> = rsdat_array::examples::notebook01(96, 32)
        .unwrap()
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    let cube =
        LazyArray::random("t", &[("time", 20), ("y", 40), ("x", 40)], &[1, 20, 20], 7).unwrap();
    v.extend(LazyArray::fold(&[&cube], "time", Arc::new(SumUntil { threshold: 6.0 })).unwrap());
    v
}

fn events(dir: &Path) -> Vec<Event> {
    RunDir::at(dir).events()
}

#[test]
fn slurm_gives_the_threads_result_bit_for_bit() {
    let _c = cluster();
    let arrays = workload();
    let refs: Vec<&LazyArray> = arrays.iter().collect();
    let want = on(&refs, None);
    let run = tempfile::tempdir().unwrap();
    let mut o = options(run.path());
    o.batch = Some(3); // several elements per stage
    o.max_running = Some(2);
    let got = on(&refs, Some(SlurmExecutor::new(o)));
    for k in 0..want.len() {
        assert_eq!(bits(&got[k]), bits(&want[k]), "output {k}");
    }
    let ev = events(run.path());
    let submitted = ev
        .iter()
        .filter(|e| matches!(e, Event::Submitted { .. }))
        .count();
    assert!(submitted >= 2, "one job array per stage: {ev:?}");
    assert!(ev.iter().any(|e| matches!(e, Event::Finished { .. })));
    // stages after the first wait on earlier ones
    let scripts: Vec<String> = RunDir::at(run.path())
        .submissions()
        .unwrap()
        .iter()
        .map(|s| {
            std::fs::read_to_string(run.path().join(format!("submissions/{}.sh", s.number)))
                .unwrap()
        })
        .collect();
    assert!(scripts.iter().any(|s| s.contains("--dependency=afterok:")));
    assert!(scripts.iter().all(|s| s.contains("%2")));
}

/// Waits until element `element` of the first submission of `run` is running; its job id.
fn wait_running(c: &Cluster, run: &Path, element: u64) -> u64 {
    let start = Instant::now();
    loop {
        if let Ok(s) = RunDir::at(run).submission(0) {
            if let Some(job) = s.job {
                let q = c.client("squeue", &["-h", "-r", "-o", "%i|%T"]);
                if q.lines()
                    .any(|l| l.trim() == format!("{job}_{element}|RUNNING"))
                {
                    return job;
                }
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "element {element} never ran\n{}",
            c.logs()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn an_element_killed_with_scancel_is_resumed_and_the_result_is_the_same() {
    let c = cluster();
    let a = rsdat_array::examples::overhead(12).unwrap();
    let want = on(&[&a], None);
    let run = tempfile::tempdir().unwrap();
    let mut o = options(run.path());
    o.batch = Some(3);
    o.max_retries = 0; // a kill by scancel must not count as a failure
    o.calibration_tasks = 0;
    o.env = vec![(TASK_DELAY_ENV.into(), "700@0".into())];
    let exec = SlurmExecutor::new(o);
    let got = std::thread::scope(|s| {
        let h = s.spawn(|| on(&[&a], Some(exec)));
        let job = wait_running(&c, run.path(), 0);
        std::thread::sleep(Duration::from_millis(900)); // one task done, two to go
        let _ = c.client("scancel", &[&format!("{job}_0")]);
        h.join().unwrap()
    });
    assert_eq!(bits(&got[0]), bits(&want[0]));
    let ev = events(run.path());
    let ended: Vec<&Event> = ev
        .iter()
        .filter(|e| matches!(e, Event::ElementEnded { .. }))
        .collect();
    assert!(
        ended.iter().any(|e| matches!(e, Event::ElementEnded { state, counted: false, .. } if state == "Cancelled")),
        "{ev:?}"
    );
}

#[test]
fn a_walltime_kill_is_resubmitted_without_using_retries() {
    let _c = cluster();
    // 5 tasks of 25 s in one element of a 1-minute job: SLURM kills it after 2 or 3
    let a = rsdat_array::examples::overhead(5).unwrap();
    let run = tempfile::tempdir().unwrap();
    let mut o = options(run.path());
    o.time_s = Some(60);
    o.batch = Some(5);
    o.max_retries = 0;
    o.calibration_tasks = 0;
    o.env = vec![(TASK_DELAY_ENV.into(), "25000@0".into())];
    let got = on(&[&a], Some(SlurmExecutor::new(o)));
    assert_eq!(got[0][[]], 5.0);
    let ev = events(run.path());
    assert!(
        ev.iter().any(|e| matches!(e, Event::ElementEnded { state, counted: false, .. } if state == "Walltime")),
        "{ev:?}"
    );
    let s = rsdat_cluster::status(run.path()).unwrap();
    assert!(s.finished);
    assert!(s.incidents.iter().any(|i| i.reason.contains("walltime")));
}

#[test]
fn a_plan_that_cannot_fit_is_refused_before_sbatch() {
    let _c = cluster();
    let x = LazyArray::random("x", &[("y", 8000), ("x", 8000)], &[4000, 4000], 1).unwrap();
    let m = x.mean(&[]).unwrap();
    let run = tempfile::tempdir().unwrap();
    let mut o = options(run.path());
    o.mem_per_task_mb = Some(100);
    let plan = rsdat_array::Plan::build(&[&m]).unwrap();
    let store = rsdat_array::MemStore::new(&plan);
    let e = rsdat_array::Executor::execute(&SlurmExecutor::new(o), &plan, &store, &|_, _| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("--mem-per-task 100M is too small; use"), "{e}");
    assert!(e.contains("chunks of"), "{e}");
    assert!(RunDir::at(run.path()).submissions().unwrap().is_empty());
    assert!(
        std::fs::read_dir(run.path().join("done"))
            .unwrap()
            .next()
            .is_none(),
        "nothing ran"
    );
    // through the CLI: exit code 1 and the same advice
    let run2 = tempfile::tempdir().unwrap();
    let out = Command::new(exe())
        .args([
            "bench",
            "notebook01",
            "--size",
            "8000",
            "--chunk",
            "4000",
            "--executor",
            "slurm",
            "-q",
        ])
        .arg("--run-dir")
        .arg(run2.path())
        .args(["--mem-per-task", "100M"])
        .output()
        .unwrap();
    common::fails(&out, "is too small; use");
}

#[test]
fn bad_input_gives_slurms_message() {
    let _c = cluster();
    let a = rsdat_array::examples::overhead(4).unwrap();
    let plan = rsdat_array::Plan::build(&[&a]).unwrap();
    let store = rsdat_array::MemStore::new(&plan);
    let exec = |o: SlurmOptions| {
        rsdat_array::Executor::execute(&SlurmExecutor::new(o), &plan, &store, &|_, _| {})
            .unwrap_err()
            .to_string()
    };
    // a partition that does not exist
    let run = tempfile::tempdir().unwrap();
    let mut o = options(run.path());
    o.partition = Some("nope".into());
    let e = exec(o);
    assert!(e.contains("partition `nope` does not exist"), "{e}");
    assert!(e.contains("debug"), "lists the partitions there are: {e}");
    // sbatch refuses the script
    let mut o = options(run.path());
    o.calibration_tasks = 0; // nothing runs here: everything goes to sbatch
    o.sbatch_lines = vec!["--constraint=nosuchfeature".into()];
    let e = exec(o);
    assert!(e.contains("sbatch refused stage"), "{e}");
    assert!(e.to_lowercase().contains("feature"), "SLURM's words: {e}");
    // a run directory that cannot be created
    let file = tempfile::NamedTempFile::new().unwrap();
    let o = options(&file.path().join("run"));
    let e = exec(o);
    assert!(e.contains("cannot create it"), "{e}");
    assert!(e.contains("--run-dir"), "{e}");
}

#[test]
fn a_corrupt_marker_is_named_with_what_to_do() {
    let _c = cluster();
    let a = rsdat_array::examples::overhead(4).unwrap();
    let run = tempfile::tempdir().unwrap();
    let got = on(&[&a], Some(SlurmExecutor::new(options(run.path()))));
    assert_eq!(got[0][[]], 4.0);
    let marker = run.path().join("done/s0/c1");
    std::fs::write(&marker, "rsdat-done-1 s0c1 garbage").unwrap();
    let plan = rsdat_array::Plan::build(&[&a]).unwrap();
    let store = rsdat_array::MemStore::new(&plan);
    let e = rsdat_array::Executor::execute(
        &SlurmExecutor::new(options(run.path())),
        &plan,
        &store,
        &|_, _| {},
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("corrupt completion marker"), "{e}");
    assert!(e.contains("done/s0/c1"), "{e}");
    assert!(e.contains("delete it"), "{e}");
    let out = Command::new(exe())
        .args(["jobs", "status"])
        .arg(run.path())
        .output()
        .unwrap();
    common::fails(&out, "corrupt completion marker");
    // as told: delete it and resume
    std::fs::remove_file(&marker).unwrap();
    let v = jobs_json(&["resume", "-q"], run.path());
    assert_eq!(v["finished"], true);
}

/// `rsdat jobs ARGS --json RUN`, which must succeed: its JSON.
fn jobs_json(args: &[&str], run: &Path) -> serde_json::Value {
    let out = Command::new(exe())
        .arg("jobs")
        .args(args)
        .arg("--json")
        .arg(run)
        .output()
        .unwrap();
    serde_json::from_str(&common::ok(&out)).unwrap()
}

/// `rsdat bench overhead`: 8 no-op tasks on SLURM with run directory `run`, each task
/// sleeping `delay_ms` (0: no delay), and `extra` arguments.
fn overhead_on_slurm(run: &Path, delay_ms: u64, extra: &[&str]) -> Command {
    let mut cmd = Command::new(exe());
    cmd.args([
        "bench",
        "overhead",
        "--tasks",
        "8",
        "--executor",
        "slurm",
        "--run-dir",
    ])
    .arg(run)
    .args(extra);
    if delay_ms > 0 {
        cmd.args(["--slurm-env", &format!("{TASK_DELAY_ENV}={delay_ms}@0")]);
    }
    cmd
}

#[test]
fn cli_run_status_and_resume_after_the_driver_is_killed() {
    let c = cluster();
    let run = tempfile::tempdir().unwrap();
    let mut driver = overhead_on_slurm(run.path(), 1500, &["-q", "--batch", "2"])
        .spawn()
        .unwrap();
    let job = wait_running(&c, run.path(), 0);
    driver.kill().unwrap(); // the login node's process dies; the jobs go on
    let _ = driver.wait();
    let v = jobs_json(&["status"], run.path());
    assert_eq!(v["finished"], false);
    assert!(v["queued"]
        .as_array()
        .unwrap()
        .iter()
        .any(|q| q["job"] == job));
    let v = jobs_json(&["resume", "-q"], run.path());
    assert_eq!(v["finished"], true, "{v}");
    // the queued array was adopted, not submitted again
    let stage0 = RunDir::at(run.path())
        .submissions()
        .unwrap()
        .iter()
        .filter(|s| s.stage == 0)
        .count();
    assert_eq!(stage0, 1);
    // the same command with the same run directory reuses everything and prints the sum
    let out = overhead_on_slurm(run.path(), 0, &["-q", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&common::ok(&out)).unwrap();
    assert!(v["tasks"].as_u64().unwrap() >= 8);
    // cancel with nothing queued
    let out = Command::new(exe())
        .args(["jobs", "cancel"])
        .arg(run.path())
        .output()
        .unwrap();
    assert!(common::ok(&out).contains("no job"));
}

#[test]
fn spring_index_grid_on_slurm_gives_the_threads_store() {
    let _c = cluster();
    let dir = tempfile::tempdir().unwrap();
    let files = common::sample(dir.path(), "1980-1981", 12, 16);
    let run = |out: &Path, extra: &[&str]| {
        let o = Command::new(exe())
            .args([
                "spring-index",
                "grid",
                "--coarsen",
                "2",
                "--json",
                "-q",
                "--out",
            ])
            .arg(out)
            .args(extra)
            .args(&files)
            .current_dir(dir.path()) // the run directory goes here
            .output()
            .unwrap();
        common::ok(&o);
    };
    let threads = dir.path().join("threads.zarr");
    let slurm = dir.path().join("slurm.zarr");
    run(&threads, &[]);
    run(&slurm, &["--executor", "slurm", "--max-running", "2"]);
    let check = r#"
import sys, numpy as np, xarray as xr
for year in ["1980", "1981"]:
    a = xr.open_zarr(sys.argv[1], group=year)
    b = xr.open_zarr(sys.argv[2], group=year)
    for v in ["first-leaf", "first-bloom"]:
        assert np.array_equal(a[v].values, b[v].values, equal_nan=True), (year, v)
print("ok")
"#;
    let out =
        rsdat_testkit::run_python(check, &[threads.to_str().unwrap(), slurm.to_str().unwrap()]);
    assert_eq!(out.trim(), "ok");
    let runs = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("rsdat-run-")
        })
        .count();
    assert_eq!(runs, 1, "both years are one plan: one run directory");
}

#[test]
fn ctrl_c_cancels_the_jobs_and_resume_finishes() {
    let c = cluster();
    let run = tempfile::tempdir().unwrap();
    let driver = overhead_on_slurm(run.path(), 2000, &["-q", "--batch", "2"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let job = wait_running(&c, run.path(), 0);
    let status = Command::new("kill")
        .args(["-INT", &driver.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = driver.wait_with_output().unwrap();
    common::fails(&out, "run cancelled");
    // cancelled elements leave the queue once their processes are gone (COMPLETING first)
    let start = Instant::now();
    loop {
        let q = c.client("squeue", &["-h", "-r", "-o", "%i"]);
        if !q.lines().any(|l| l.starts_with(&format!("{job}_"))) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "its jobs are still queued: {q}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let v = jobs_json(&["resume", "-q"], run.path());
    assert_eq!(v["finished"], true, "{v}");
}

/// `GET path` of the HTTP server at `addr`; the body.
/// Whether `w` names a SLURM array element on a host: `12_3@node`.
fn slurm_worker(w: &str) -> bool {
    let Some((job, host)) = w.split_once('@') else {
        return false;
    };
    let Some((array, index)) = job.split_once('_') else {
        return false;
    };
    !host.is_empty() && array.parse::<u64>().is_ok() && index.parse::<u64>().is_ok()
}

/// Starts 8 no-op tasks in elements of 2 on SLURM, each task sleeping `delay_ms`, with a
/// dashboard; returns the driver, its stderr and the dashboard's address.
fn slow_run_with_dashboard(
    run: &Path,
    delay_ms: u64,
) -> (std::process::Child, StderrLines, String) {
    let mut driver = overhead_on_slurm(
        run,
        delay_ms,
        &["--batch", "2", "--dashboard", "127.0.0.1:0"],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let mut err = StderrLines::of(&mut driver);
    let url = err.next("dashboard: http://");
    let addr = url
        .trim()
        .strip_prefix("dashboard: http://")
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    (driver, err, addr)
}

#[test]
fn the_dashboard_of_a_live_slurm_run_renders_in_a_browser() {
    let c = cluster();
    let run = tempfile::tempdir().unwrap();
    let (driver, mut err, addr) = slow_run_with_dashboard(run.path(), 3000);
    wait_running(&c, run.path(), 0);
    let shot = run.path().join("dashboard.png");
    rsdat_testkit::browser::screenshot(
        &format!("http://{addr}/?poll=250"),
        &shot,
        (1280, 900),
        1500,
    );
    let s: serde_json::Value =
        serde_json::from_str(&common::http_get(&addr, "/api/status")).unwrap();
    assert_eq!(
        s["state"], "running",
        "the run ended before the browser looked: {s}"
    );
    let px = rsdat_testkit::browser::Pixels::read(&shot);
    if let Ok(keep) = std::env::var("RSDAT_DASHBOARD_SCREENSHOT") {
        std::fs::copy(&shot, &keep).unwrap();
    }
    rsdat_testkit::browser::assert_dashboard_shows_a_run(&px);
    err.next("dashboard: done");
    common::ok(&driver.wait_with_output().unwrap());
}

#[test]
fn dashboard_of_a_slurm_run_shows_its_workers_memory_and_killed_elements() {
    let c = cluster();
    let run = tempfile::tempdir().unwrap();
    let (mut driver, mut err, addr) = slow_run_with_dashboard(run.path(), 3000);
    // element 1 of the first array is killed while its first task runs
    let job = wait_running(&c, run.path(), 1);
    let events = run.path().join("events/0_1.jsonl");
    let start = Instant::now();
    while !std::fs::read_to_string(&events).is_ok_and(|t| t.contains("\"start\"")) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "element 1 never started a task"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // live: the dashboard already knows the running element and its memory
    let start = Instant::now();
    loop {
        let s: serde_json::Value =
            serde_json::from_str(&common::http_get(&addr, "/api/status")).unwrap();
        let live = s["workers"].as_array().unwrap().iter().any(|w| {
            w["name"]
                .as_str()
                .is_some_and(|n| n.starts_with(&format!("{job}_1@")))
                && w["rss_bytes"].as_u64().unwrap_or(0) > 0
        });
        if live {
            assert_eq!(s["executor"], "slurm");
            assert_eq!(s["state"], "running");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the running element is not on the dashboard: {s}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let element = format!("{job}_1");
    let _ = c.client("scancel", &[element.as_str()]);
    err.next("dashboard: done");
    let status: serde_json::Value =
        serde_json::from_str(&common::http_get(&addr, "/api/status")).unwrap();
    assert_eq!(status["state"], "done", "{status}");
    assert_eq!(status["done"], status["total"]);
    // every task of the plan ran on a named SLURM element (or on the driver's calibration)
    let tasks: serde_json::Value =
        serde_json::from_str(&common::http_get(&addr, "/api/tasks?since=0")).unwrap();
    let tasks = tasks["tasks"].as_array().unwrap();
    let done: Vec<&serde_json::Value> = tasks.iter().filter(|t| t["status"] == "done").collect();
    assert_eq!(
        done.len() as u64,
        status["total"].as_u64().unwrap(),
        "{tasks:?}"
    );
    for t in &done {
        let w = t["worker"].as_str().unwrap();
        assert!(slurm_worker(w) || w.starts_with("local@"), "{w}");
        assert!(t["end"].as_f64().unwrap() >= t["start"].as_f64().unwrap());
        assert!(t["bytes"].as_u64().unwrap() > 0, "{t}");
    }
    assert!(
        done.iter()
            .filter(|t| slurm_worker(t["worker"].as_str().unwrap()))
            .count()
            >= 6
    );
    // the killed element's task failed with SLURM's reason, and ran again elsewhere
    let failures = status["failures"].as_array().unwrap();
    let killed = failures
        .iter()
        .find(|f| {
            f["worker"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{job}_1@"))
        })
        .unwrap_or_else(|| panic!("no failure of {job}_1: {status}"));
    assert!(
        killed["reason"].as_str().unwrap().contains("cancelled"),
        "{killed}"
    );
    // memory of every SLURM element: current and peak, as each element read its own
    let workers = status["workers"].as_array().unwrap();
    let slurm: Vec<&serde_json::Value> = workers
        .iter()
        .filter(|w| slurm_worker(w["name"].as_str().unwrap()))
        .collect();
    assert!(slurm.len() >= 4, "{workers:?}");
    for w in &slurm {
        let rss = w["rss_bytes"].as_u64().unwrap();
        let peak = w["peak_bytes"].as_u64().unwrap();
        assert!(rss > 1 << 20 && peak >= rss, "{w}");
        let pid = w["pid"].as_u64().unwrap();
        assert!(pid > 0 && pid != u64::from(driver.id()), "{w}");
    }
    assert!(driver.wait().unwrap().success());

    // `jobs status` shows the same figures, from the run directory
    let v = jobs_json(&["status"], run.path());
    let summary = &v["summary"];
    assert_eq!(v["finished"], true);
    assert_eq!(summary["state"], "done");
    assert_eq!(summary["executor"], "slurm");
    for k in ["done", "total", "failed"] {
        assert_eq!(summary[k], status[k], "{k}: {summary} vs {status}");
    }
    let per_worker = |s: &serde_json::Value| -> Vec<(String, u64, u64)> {
        let mut v: Vec<(String, u64, u64)> = s["workers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["name"].as_str().unwrap().to_owned(),
                    w["tasks"].as_u64().unwrap(),
                    w["peak_bytes"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(per_worker(summary), per_worker(&status));
    let reasons = |s: &serde_json::Value| -> Vec<(String, String, String)> {
        s["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["task"].as_str().unwrap().to_owned(),
                    f["worker"].as_str().unwrap().to_owned(),
                    f["reason"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(reasons(summary), reasons(&status));
    // the text is the dashboard's own summary
    let out = Command::new(exe())
        .args(["jobs", "status"])
        .arg(run.path())
        .output()
        .unwrap();
    let text = common::ok(&out);
    assert!(text.contains("run 1 on slurm: done"), "{text}");
    assert!(text.contains("workers:"), "{text}");
    assert!(text.contains(&format!("{job}_1@")), "{text}");
    assert!(text.contains("was cancelled (scancel)"), "{text}");
}
