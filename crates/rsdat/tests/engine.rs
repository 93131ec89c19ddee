//! The engine through the binary: worker processes, killed workers, graphs, benchmarks.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{ok, rsdat};

use rsdat_array::{
    compute, ComputeOptions, Executor, ExecutorKind, MemStore, Plan, ProcessExecutor, CRASH_AT_ENV,
};

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rsdat"))
}

/// Computes `arrays` on `executor` with two workers (processes run this test's binary).
fn run_on(arrays: &[&rsdat_array::LazyArray], executor: ExecutorKind) -> Vec<ndarray::ArrayD<f64>> {
    let opts = ComputeOptions {
        executor,
        workers: Some(2),
        worker_program: Some(exe()),
        ..Default::default()
    };
    compute(arrays, &opts).unwrap()
}

/// Runs `rsdat args`, asserts success and parses its JSON output.
fn rsdat_json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(&rsdat(args))).unwrap()
}

fn bits(a: &ndarray::ArrayD<f64>) -> Vec<u64> {
    a.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn processes_match_sync_and_threads_bit_for_bit() {
    // chunks of 100 x 100 are computed in bands of rows
    let ops = rsdat_array::examples::notebook01(240, 100).unwrap();
    let arrays: Vec<_> = ops.iter().map(|(_, a)| a).collect();
    let run = |executor| run_on(&arrays, executor);
    let s = run(ExecutorKind::Sync);
    let t = run(ExecutorKind::Threads);
    let p = run(ExecutorKind::Processes);
    for k in 0..s.len() {
        assert_eq!(bits(&s[k]), bits(&t[k]), "{}", ops[k].0);
        assert_eq!(bits(&s[k]), bits(&p[k]), "{}", ops[k].0);
    }
}

#[test]
fn killed_worker_is_replaced_and_the_task_rerun() {
    let a = rsdat_array::examples::notebook01(64, 16)
        .unwrap()
        .swap_remove(0)
        .1;
    let plan = Plan::build(&[&a]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = ProcessExecutor::new(exe(), 2);
    exec.dir = Some(dir.path().to_path_buf());
    exec.env = vec![(CRASH_AT_ENV.to_owned(), "5".to_owned())];
    let store = MemStore::new(&plan);
    exec.execute(&plan, &store, &|_, _| {}).unwrap();
    assert!(
        dir.path().join("crashed-5").exists(),
        "a worker aborted at task 5"
    );
    let want = compute(
        &[&a],
        &ComputeOptions {
            executor: ExecutorKind::Sync,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(bits(&plan.output(0, &store).unwrap()), bits(&want[0]));
}

#[test]
fn bench_overhead_json_keys() {
    for executor in ["threads", "sync", "processes"] {
        let v = rsdat_json(&[
            "bench",
            "overhead",
            "--tasks",
            "300",
            "--executor",
            executor,
            "--workers",
            "2",
            "--json",
            "-q",
        ]);
        assert!(v["tasks"].as_u64().unwrap() >= 300);
        assert!(v["seconds"].as_f64().unwrap() > 0.0);
        assert!(v["us_per_task"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn graph_writes_dot_and_svg_or_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let dot = dir.path().join("g.dot");
    let human = ok(&rsdat(&[
        "graph",
        "notebook01-mean",
        "--size",
        "400",
        "--chunk",
        "100",
        "--out",
        dot.to_str().unwrap(),
    ]));
    let text = std::fs::read_to_string(&dot).unwrap();
    assert!(text.starts_with("digraph tasks"), "small plans draw tasks");
    assert!(
        human.contains("mean-partial") && human.contains("peak"),
        "{human}"
    );

    // a million tasks: stage level, quick
    let big = dir.path().join("big.dot");
    let v = rsdat_json(&[
        "graph",
        "overhead",
        "--tasks",
        "1000000",
        "--json",
        "--out",
        big.to_str().unwrap(),
    ]);
    assert!(v["tasks"].as_u64().unwrap() > 1_000_000);
    assert!(std::fs::read_to_string(&big)
        .unwrap()
        .starts_with("digraph plan"));

    // SVG without graphviz on PATH: DOT next to it
    let svg = dir.path().join("g.svg");
    ok(&Command::new(exe())
        .args(["graph", "delayed-inc-add", "--out"])
        .arg(&svg)
        .env("PATH", dir.path())
        .output()
        .unwrap());
    assert!(!svg.exists());
    assert!(std::fs::read_to_string(dir.path().join("g.dot"))
        .unwrap()
        .contains("inc"));

    // SVG with graphviz (./scripts/test installs it)
    let has_dot = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has_dot,
        "graphviz's `dot` is missing: run ./scripts/test, which installs it"
    );
    ok(&rsdat(&[
        "graph",
        "notebook01-dot",
        "--size",
        "300",
        "--chunk",
        "100",
        "--out",
        svg.to_str().unwrap(),
    ]));
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
}

#[test]
fn memory_limit_refusal_from_the_cli() {
    let out = rsdat(&[
        "bench",
        "notebook01",
        "--size",
        "4000",
        "--chunk",
        "4000",
        "--memory-limit",
        "64M",
        "-q",
    ]);
    common::fails(&out, "over the memory limit");
    assert!(common::stderr(&out).contains("hint: chunks of"));
}

#[test]
fn daymet_cube_through_every_executor_matches_direct_reads() {
    use rsdat_netcdf::sample::{write_daymet, Region, SampleSpec};
    rsdat_array::set_opener(|urls| Ok(rsdat_io::open(&urls[0])?));
    let dir = tempfile::tempdir().unwrap();
    let spec = SampleSpec {
        region: Region::Na,
        years: (1980, 1980),
        ny: 12,
        nx: 10,
        chunk: 1000,
    };
    write_daymet(&spec, dir.path(), false, &|_| {}).unwrap();
    let path = spec
        .path(dir.path(), "tmax", 1980)
        .to_string_lossy()
        .into_owned();
    let tmax = rsdat_array::LazyArray::open(&path, "tmax").unwrap();
    assert_eq!(tmax.dims(), ["time", "y", "x"]);
    assert_eq!(tmax.chunks()[0], 1, "one day per chunk");
    assert_eq!(tmax.coord("time").unwrap().len(), tmax.shape()[0]);
    let mean = tmax.mean(&["time"]).unwrap();
    let warm = rsdat_array::LazyArray::fold(
        &[&tmax],
        "time",
        std::sync::Arc::new(rsdat_array::SumUntil { threshold: 100.0 }),
    )
    .unwrap();
    let arrays = [&mean, &warm[0]];
    // alone, the mean reads tmax inside its fused tasks (aligned, one consumer): no read stage
    let alone = Plan::build(&[&mean]).unwrap();
    assert!(
        alone.stages().iter().all(|s| !s.name().contains("read")),
        "{alone}"
    );
    // shared by the mean and the fold, each stored chunk gets one read task
    let plan = Plan::build(&arrays).unwrap();
    let reads: Vec<_> = plan
        .stages()
        .iter()
        .filter(|s| s.name().contains("read"))
        .collect();
    assert_eq!(reads.len(), 1, "{plan}");
    assert_eq!(reads[0].tasks() as usize, tmax.shape()[0]);
    let run = |executor| run_on(&arrays, executor);
    let t = run(ExecutorKind::Threads);
    let p = run(ExecutorKind::Processes);
    for k in 0..2 {
        assert_eq!(bits(&t[k]), bits(&p[k]));
    }
    // direct: read everything, decode, average over time skipping NaN
    let src = rsdat_io::open(&path).unwrap();
    let var = src.dataset().variable("tmax").unwrap().clone();
    let raw = src.read("tmax", &[0, 0, 0], &var.shape).unwrap();
    let v = rsdat_model::decode_f32(&var, &raw);
    let want = v.map_axis(ndarray::Axis(0), |l| {
        let ok: Vec<f64> = l
            .iter()
            .filter(|x| !x.is_nan())
            .map(|&x| f64::from(x))
            .collect();
        if ok.is_empty() {
            f64::NAN
        } else {
            ok.iter().sum::<f64>() / ok.len() as f64
        }
    });
    for (a, b) in t[0].iter().zip(&want) {
        assert!(
            (a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-9 * b.abs().max(1.0),
            "{a} vs {b}"
        );
    }
}

#[test]
fn a_plan_that_fits_stays_under_its_predicted_peak() {
    // baseline: a tiny run of the same binary
    let rss = |size: &str, chunk: &str| -> (u64, u64) {
        let v = rsdat_json(&[
            "bench",
            "notebook01",
            "--size",
            size,
            "--chunk",
            chunk,
            "--workers",
            "2",
            "--json",
            "-q",
        ]);
        let rows = v.as_array().unwrap();
        let peak_task = rows
            .iter()
            .map(|r| r["peak_task_bytes"].as_u64().unwrap())
            .max()
            .unwrap();
        (
            rows.last().unwrap()["peak_rss_bytes"].as_u64().unwrap_or(0),
            peak_task,
        )
    };
    let (base, _) = rss("64", "32");
    let (big, peak_task) = rss("3000", "500");
    assert!(base > 0, "no peak RSS measured (needs Linux /proc)");
    // two workers, each at most its task's peak, plus the kept outputs: a generous margin
    let predicted = 2 * peak_task;
    assert!(
        big.saturating_sub(base) <= 2 * predicted + (32 << 20),
        "peak RSS grew by {} bytes; predicted per-task peak {peak_task}",
        big.saturating_sub(base)
    );
}

#[test]
fn process_run_directory_resumes_and_its_spec_draws() {
    let a = rsdat_array::examples::notebook01(64, 16)
        .unwrap()
        .swap_remove(1)
        .1;
    let plan = Plan::build(&[&a]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = ProcessExecutor::new(exe(), 2);
    exec.dir = Some(dir.path().to_path_buf());
    let first = MemStore::new(&plan);
    exec.execute(&plan, &first, &|_, _| {}).unwrap();
    // a second run over the same directory finds every output: no worker is even asked
    exec.program = PathBuf::from("/nonexistent/rsdat");
    let second = MemStore::new(&plan);
    exec.execute(&plan, &second, &|_, _| {}).unwrap();
    assert_eq!(
        bits(&plan.output(0, &first).unwrap()),
        bits(&plan.output(0, &second).unwrap())
    );
    // the plan spec the workers read draws as the same plan
    let spec = dir.path().join("plan.json");
    let v = rsdat_json(&["graph", "--json", "--spec", spec.to_str().unwrap()]);
    assert_eq!(v["tasks"].as_u64().unwrap(), plan.n_tasks());
}
