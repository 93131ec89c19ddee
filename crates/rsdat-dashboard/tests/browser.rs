//! The page in a real browser (headless Chromium) while a run is live: the screenshot
//! shows the task stream and the progress bars.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{get_json, slow_plan};
use rsdat_array::{compute, ComputeOptions, ExecutorKind};
use rsdat_dashboard::{Dashboard, DashboardOptions};

fn chromium() -> &'static str {
    for c in ["chromium", "chromium-browser"] {
        if Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return c;
        }
    }
    panic!("headless Chromium is missing: run ./scripts/test (installs Debian `chromium`) or apt-get install --no-install-recommends chromium");
}

/// RGB pixels of a PNG.
fn pixels(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    assert!(
        step >= 3,
        "colour screenshot expected, got {:?}",
        info.color_type
    );
    let px = buf[..info.buffer_size()]
        .chunks(step)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (info.width, info.height, px)
}

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= 12)
}

#[test]
fn the_page_renders_the_task_stream_and_progress_of_a_live_run() {
    let browser = chromium();
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
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            &format!("--user-data-dir={}", dir.path().join("profile").display()),
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,900",
            "--virtual-time-budget=1500",
            &url,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish its screenshot within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        shot.exists(),
        "no screenshot; chromium said: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status_then = dash.status();
    run.join().unwrap().unwrap();

    if let Ok(keep) = std::env::var("RSDAT_DASHBOARD_SCREENSHOT") {
        std::fs::copy(&shot, &keep).unwrap();
    }
    let (w, h, px) = pixels(&shot);
    assert_eq!((w, h), (1280, 900));
    let distinct: std::collections::BTreeSet<[u8; 3]> = px.iter().copied().collect();
    assert!(
        distinct.len() > 50,
        "a near-blank page: {} colours",
        distinct.len()
    );
    let count = |c: [u8; 3]| px.iter().filter(|&&p| near(p, c)).count();
    // stage 0's colour: the task stream's bars, the stage graph and the legend
    let stage0 = count([0x1c, 0x7e, 0xd6]);
    // the green of the progress bars
    let progress = count([0x2f, 0x9e, 0x44]);
    // the dark header band
    let header = count([0x1d, 0x24, 0x30]);
    assert!(
        stage0 > 2000,
        "task stream not drawn: {stage0} pixels of stage 0's colour"
    );
    assert!(
        progress > 300,
        "progress bars not drawn: {progress} green pixels"
    );
    assert!(header > 20_000, "header not drawn: {header} pixels");
    assert!(status_then.done > 0);
}
