//! The dashboard during real runs on the threads and processes executors: endpoints, the
//! event stream, the path prefix, failures.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{get_json, slow_plan};
use rsdat_array::{compute, ComputeOptions, ExecutorKind};
use rsdat_dashboard::{Dashboard, DashboardOptions};
use rsdat_testkit::client::{get, read_events};

fn start(prefix: Option<&str>) -> Dashboard {
    Dashboard::start(&DashboardOptions {
        addr: "127.0.0.1:0".parse().unwrap(),
        prefix: prefix.map(str::to_owned),
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn event_stream_and_endpoints_follow_a_threads_run() {
    let dash = start(Some("/proxy/8787"));
    let addr = dash.addr();
    // idle before any run
    let s = get_json(addr, "/api/status");
    assert_eq!(s["state"], "idle");

    // 24 tasks of 3 x 25 ms on 2 threads: about a second
    let a = slow_plan(24, 3, 25, None);
    let opts = ComputeOptions {
        executor: ExecutorKind::Threads,
        workers: Some(2),
        observer: Some(dash.observer()),
        ..Default::default()
    };
    let run = std::thread::spawn(move || compute(&[&a], &opts));

    let mut last_done = 0;
    let events = read_events(addr, "/events", Duration::from_secs(30), |ev, v| {
        if ev == "status" {
            let done = v["done"].as_u64().unwrap();
            assert!(
                done >= last_done,
                "progress went back: {done} < {last_done}"
            );
            last_done = done;
            return v["state"] == "done";
        }
        false
    });
    let out = run.join().unwrap().unwrap();
    assert_eq!(out[0][[]], 3.0);

    let kinds: BTreeSet<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert!(
        kinds.contains("plan") && kinds.contains("tasks") && kinds.contains("status"),
        "{kinds:?}"
    );
    // progress arrived while the run was live, not only at the end
    let dones: Vec<u64> = events
        .iter()
        .filter(|(e, _)| e == "status")
        .map(|(_, v)| v["done"].as_u64().unwrap())
        .collect();
    let total = events.iter().rev().find(|(e, _)| e == "status").unwrap().1["total"]
        .as_u64()
        .unwrap();
    assert!(
        dones.iter().any(|&d| d > 0 && d < total),
        "no intermediate progress: {dones:?}"
    );
    assert_eq!(*dones.last().unwrap(), total);
    // every task record arrives once, with its worker and times
    let records: Vec<&serde_json::Value> = events
        .iter()
        .filter(|(e, _)| e == "tasks")
        .flat_map(|(_, v)| v.as_array().unwrap())
        .collect();
    let seqs: Vec<u64> = records.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (0..total).collect::<Vec<_>>());
    let workers: BTreeSet<&str> = records
        .iter()
        .map(|r| r["worker"].as_str().unwrap())
        .collect();
    assert!(
        workers.iter().all(|w| w.starts_with("thread ")),
        "{workers:?}"
    );
    for r in &records {
        assert!(r["end"].as_f64().unwrap() >= r["start"].as_f64().unwrap());
        assert_eq!(r["status"], "done");
    }
    let fold_records = records.iter().filter(|r| r["stage"] == 0).count();
    assert_eq!(fold_records, 24);

    // the final status through the prefix, stripped or not
    for p in ["/api/status", "/proxy/8787/api/status"] {
        let s = get_json(addr, p);
        assert_eq!(s["state"], "done", "{p}");
        assert_eq!(s["done"], s["total"], "{p}");
        assert_eq!(s["failed"], 0);
        let stages = s["stages"].as_array().unwrap();
        assert!(stages.iter().all(|st| st["done"] == st["total"]), "{s}");
        assert_eq!(stages[0]["total"], 24);
        // the process's memory was sampled
        let mem = s["workers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["name"] == "process")
            .expect("memory of the process");
        assert!(mem["rss_bytes"].as_u64().unwrap() > 1 << 20);
        assert!(mem["peak_bytes"].as_u64().unwrap() >= mem["rss_bytes"].as_u64().unwrap());
        assert!(s["mean_tasks_per_second"].as_f64().unwrap() > 0.0);
    }
    let plan = get_json(addr, "/proxy/8787/api/plan");
    assert_eq!(plan["stages"][0]["tasks"], 24);
    assert_eq!(plan["total"].as_u64(), Some(total));
    assert!(plan["stages"][0]["chunk_bytes"].as_u64().unwrap() > 0);
    let t = get_json(addr, "/api/tasks?since=20");
    assert_eq!(t["tasks"].as_array().unwrap().len() as u64, total - 20);
    assert_eq!(t["tasks"][0]["seq"], 20);
    assert_eq!(t["next"].as_u64(), Some(total));
    let t = get_json(addr, &format!("/proxy/8787/api/tasks?since={total}"));
    assert!(t["tasks"].as_array().unwrap().is_empty());
    // the event stream under the prefix too
    let ev = read_events(
        addr,
        "/proxy/8787/events",
        Duration::from_secs(5),
        |e, _| e == "status",
    );
    assert!(ev.iter().any(|(e, _)| e == "status"));
    // the page, at the prefix with and without the slash, and at the root
    for p in ["/", "/index.html", "/proxy/8787", "/proxy/8787/"] {
        let (code, ctype, body) = get(addr, p);
        assert_eq!(code, 200, "{p}");
        assert!(ctype.starts_with("text/html"), "{p}: {ctype}");
        assert!(
            body.contains("EventSource") && !body.contains("src=\"http"),
            "{p}"
        );
    }
    assert_eq!(get(addr, "/nope").0, 404);
    // the text summary
    let (code, _, text) = get(addr, "/api/text");
    assert_eq!(code, 200);
    assert!(text.contains(&format!("{total}/{total} tasks")), "{text}");
    assert_eq!(
        text,
        dash.status().to_text(),
        "the text endpoint renders the status"
    );
    assert!(
        text.contains("thread 0") && text.contains("process"),
        "{text}"
    );
}

#[test]
fn failures_show_their_reason() {
    let dash = start(None);
    let a = slow_plan(8, 1, 5, Some(3));
    let opts = ComputeOptions {
        executor: ExecutorKind::Threads,
        workers: Some(2),
        observer: Some(dash.observer()),
        ..Default::default()
    };
    let err = compute(&[&a], &opts).unwrap_err();
    assert!(err.to_string().contains("refuses this tile"), "{err}");
    // The server shows events as its thread applies them: wait for the last ones.
    assert!(dash.flush(Duration::from_secs(10)), "events still queued");
    let s = get_json(dash.addr(), "/api/status");
    assert_eq!(s["state"], "failed");
    assert_eq!(s["failed"], 1);
    assert!(s["error"].as_str().unwrap().contains("refuses this tile"));
    let f = &s["failures"][0];
    assert!(
        f["reason"].as_str().unwrap().contains("refuses this tile"),
        "{f}"
    );
    assert!(f["worker"].as_str().unwrap().starts_with("thread "));
    assert!(f["task"].as_str().unwrap().starts_with("s0c"));
    let text = dash.status().to_text();
    assert!(
        text.contains("failures:") && text.contains("refuses this tile"),
        "{text}"
    );
}

#[test]
fn sync_executor_reports_the_main_thread() {
    let dash = start(None);
    let a = slow_plan(4, 1, 1, None);
    let opts = ComputeOptions {
        executor: ExecutorKind::Sync,
        observer: Some(dash.observer()),
        ..Default::default()
    };
    compute(&[&a], &opts).unwrap();
    let s = dash.status();
    assert_eq!(s.executor, "sync");
    assert_eq!(s.done, s.total);
    let main = s
        .workers
        .iter()
        .find(|w| w.name == "main")
        .expect("main worker");
    assert_eq!(main.tasks, s.total);
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let dash = start(None);
    let err = Dashboard::start(&DashboardOptions {
        addr: dash.addr(),
        ..Default::default()
    })
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(&dash.addr().to_string()) && msg.contains("--dashboard"),
        "{msg}"
    );
    let err = Dashboard::start(&DashboardOptions {
        addr: "127.0.0.1:0".parse().unwrap(),
        prefix: Some("/a/{b}".into()),
        ..Default::default()
    })
    .unwrap_err();
    assert!(err.to_string().contains("/a/{b}"), "{err}");
}
