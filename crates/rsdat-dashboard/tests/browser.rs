//! The page in a real browser (headless Chromium) while a run is live: the screenshot
//! shows the task stream and the progress bars.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::time::Duration;

use common::{get_json, slow_plan};
use rsdat_array::{compute, ComputeOptions, ExecutorKind};
use rsdat_dashboard::{Dashboard, DashboardOptions};
use rsdat_testkit::browser::{assert_dashboard_shows_a_run, screenshot, Pixels};

#[test]
fn the_page_renders_the_task_stream_and_progress_of_a_live_run() {
    let dash = Dashboard::start(&DashboardOptions {
        addr: "127.0.0.1:0".parse().unwrap(),
        prefix: Some("/proxy/8787".into()),
        ..Default::default()
    })
    .unwrap();
    // 48 tasks of 4 x 40 ms on 3 threads: about 2.6 s
    let a = slow_plan(48, 4, 40, None);
    let opts = ComputeOptions {
        executor: ExecutorKind::Threads,
        workers: Some(3),
        observer: Some(dash.observer()),
        ..Default::default()
    };
    let run = std::thread::spawn(move || compute(&[&a], &opts));
    // let some tasks finish first
    let mut live = false;
    for _ in 0..100 {
        let s = get_json(dash.addr(), "/api/status");
        if s["done"].as_u64().unwrap() >= 9 {
            live = s["state"] == "running";
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(live, "the run should still be going when the browser looks");

    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("dashboard.png");
    // through the proxy prefix, as Jupyter serves it; the page polls the JSON endpoints
    // (an open event stream would hold the browser's virtual clock)
    let url = format!("http://{}/proxy/8787/?poll=250", dash.addr());
    screenshot(&url, &shot, (1280, 900), 1500);
    let status_then = dash.status();
    run.join().unwrap().unwrap();

    if let Ok(keep) = std::env::var("RSDAT_DASHBOARD_SCREENSHOT") {
        std::fs::copy(&shot, &keep).unwrap();
    }
    let px = Pixels::read(&shot);
    assert_eq!((px.width, px.height), (1280, 900));
    assert_dashboard_shows_a_run(&px);
    assert!(status_then.done > 0);
}
