//! The engine through the binary: worker processes, killed workers, graphs, benchmarks.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::PathBuf;
use std::process::Command;

use rsdat_array::{compute, ComputeOptions, Executor, ExecutorKind, MemStore, Plan, ProcessExecutor, CRASH_AT_ENV};

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rsdat"))
}

fn bits(a: &ndarray::ArrayD<f64>) -> Vec<u64> {
    a.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn processes_match_sync_and_threads_bit_for_bit() {
    let ops = rsdat_array::examples::notebook01(120, 32).unwrap();
    let arrays: Vec<_> = ops.iter().map(|(_, a)| a).collect();
    let run = |executor| {
        let opts = ComputeOptions {
            executor,
            workers: Some(2),
            worker_program: Some(exe()),
            ..Default::default()
        };
        compute(&arrays, &opts).unwrap()
    };
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
    let a = rsdat_array::examples::notebook01(64, 16).unwrap().swap_remove(0).1;
    let plan = Plan::build(&[&a]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = ProcessExecutor::new(exe(), 2);
    exec.dir = Some(dir.path().to_path_buf());
    exec.env = vec![(CRASH_AT_ENV.to_owned(), "5".to_owned())];
    let store = MemStore::new(&plan);
    exec.execute(&plan, &store, &|_, _| {}).unwrap();
    assert!(dir.path().join("crashed-5").exists(), "a worker aborted at task 5");
    let want = compute(&[&a], &ComputeOptions { executor: ExecutorKind::Sync, ..Default::default() }).unwrap();
    assert_eq!(bits(&plan.output(0, &store).unwrap()), bits(&want[0]));
}

#[test]
fn bench_overhead_json_keys() {
    for executor in ["threads", "sync", "processes"] {
        let out = Command::new(exe())
            .args(["bench", "overhead", "--tasks", "300", "--executor", executor, "--workers", "2", "--json", "-q"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["tasks"].as_u64().unwrap() >= 300);
        assert!(v["seconds"].as_f64().unwrap() > 0.0);
        assert!(v["us_per_task"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn graph_writes_dot_and_svg_or_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let dot = dir.path().join("g.dot");
    let out = Command::new(exe())
        .args(["graph", "notebook01-mean", "--size", "400", "--chunk", "100", "--out"])
        .arg(&dot)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&dot).unwrap();
    assert!(text.starts_with("digraph tasks"), "small plans draw tasks");
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("mean-partial") && human.contains("peak"), "{human}");

    // a million tasks: stage level, quick
    let big = dir.path().join("big.dot");
    let out = Command::new(exe())
        .args(["graph", "overhead", "--tasks", "1000000", "--json", "--out"])
        .arg(&big)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["tasks"].as_u64().unwrap() > 1_000_000);
    assert!(std::fs::read_to_string(&big).unwrap().starts_with("digraph plan"));

    // SVG without graphviz on PATH: DOT next to it
    let svg = dir.path().join("g.svg");
    let out = Command::new(exe())
        .args(["graph", "delayed-inc-add", "--out"])
        .arg(&svg)
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!svg.exists());
    assert!(std::fs::read_to_string(dir.path().join("g.dot")).unwrap().contains("inc"));

    // SVG with graphviz, where installed
    let has_dot = Command::new("dot").arg("-V").output().is_ok_and(|o| o.status.success());
    if has_dot {
        let out = Command::new(exe()).args(["graph", "notebook01-dot", "--size", "300", "--chunk", "100", "--out"]).arg(&svg).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    }
}

#[test]
fn memory_limit_refusal_from_the_cli() {
    let out = Command::new(exe())
        .args(["bench", "notebook01", "--size", "4000", "--chunk", "4000", "--memory-limit", "64M", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("over the memory limit") && err.contains("hint: chunks of"), "{err}");
}
