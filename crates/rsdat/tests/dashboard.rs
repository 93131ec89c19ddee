//! `--dashboard` on a computing command: the URL on stderr, the dashboard up during and
//! shortly after the run, the whole run in its final status.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{http_get, StderrLines};
use rsdat_testkit::client::read_events;

#[test]
fn bench_overhead_serves_a_dashboard_under_a_prefix() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rsdat"))
        .args([
            "bench",
            "overhead",
            "--tasks",
            "3000",
            "--workers",
            "2",
            "--dashboard",
            "127.0.0.1:0",
            "--dashboard-prefix",
            "/proxy/8787",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = StderrLines::of(&mut child);
    let line = err.next("dashboard: http://");
    let url = line
        .trim()
        .strip_prefix("dashboard: http://")
        .unwrap()
        .to_owned();
    assert!(url.ends_with("/proxy/8787/"), "{url}");
    let addr = url.split('/').next().unwrap().to_owned();
    // the command lingers a few seconds after its run: the final status is there
    err.next("dashboard: done");
    let status: serde_json::Value =
        serde_json::from_str(&http_get(&addr, "/proxy/8787/api/status")).unwrap();
    assert_eq!(status["state"], "done");
    assert_eq!(status["done"], status["total"]);
    assert!(status["total"].as_u64().unwrap() > 3000);
    let text = http_get(&addr, "/api/text");
    assert!(text.contains("run 1 on threads: done"), "{text}");
    assert!(child.wait().unwrap().success());
}

#[test]
fn dashboard_flags_are_checked() {
    let out = Command::new(env!("CARGO_BIN_EXE_rsdat"))
        .args([
            "bench",
            "overhead",
            "--tasks",
            "10",
            "--dashboard",
            "not-an-address",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dashboard"));
    let out = Command::new(env!("CARGO_BIN_EXE_rsdat"))
        .args(["bench", "overhead", "--tasks", "10", "--dashboard-keep"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "--dashboard-keep needs --dashboard"
    );
}

#[test]
fn the_dashboard_works_through_an_ssh_port_forward_and_under_a_proxy_prefix() {
    let sshd = rsdat_testkit::ssh::Server::start();
    // Jupyter's proxy style: the prefix names the dashboard's port
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let prefix = format!("/proxy/{port}/");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rsdat"))
        .args([
            "bench",
            "overhead",
            "--tasks",
            "2000",
            "--workers",
            "2",
            "--dashboard",
            &format!("127.0.0.1:{port}"),
            "--dashboard-prefix",
            &prefix,
            "--dashboard-keep",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // the run ends with its dashboard still up
    StderrLines::of(&mut child).next("dashboard: done");
    // the laptop: ssh -N -L LOCAL:127.0.0.1:PORT login-node
    let tunnel = sshd.forward(&format!("127.0.0.1:{port}"));
    let local = tunnel.addr();
    assert_ne!(local, format!("127.0.0.1:{port}"));
    for base in [prefix.trim_end_matches('/'), ""] {
        let status: serde_json::Value =
            serde_json::from_str(&http_get(&local, &format!("{base}/api/status"))).unwrap();
        assert_eq!(status["state"], "done", "{status}");
        assert_eq!(status["done"], status["total"]);
        assert!(status["total"].as_u64().unwrap() > 2000);
        let page = http_get(&local, &format!("{base}/"));
        assert!(page.contains("<html"), "{page}");
        let mut seen = Vec::new();
        let events = read_events(
            local.as_str(),
            &format!("{base}/events"),
            Duration::from_secs(10),
            |e, _| {
                seen.push(e.to_owned());
                ["plan", "status"]
                    .iter()
                    .all(|w| seen.iter().any(|e| e == w))
            },
        );
        let plan = &events.iter().find(|(e, _)| e == "plan").unwrap().1;
        assert_eq!(plan["total"], status["total"]);
        let last = &events.iter().rev().find(|(e, _)| e == "status").unwrap().1;
        assert_eq!(last["done"], status["total"]);
    }
    drop(tunnel);
    // --dashboard-keep serves until the user ends it
    assert!(
        child.try_wait().unwrap().is_none(),
        "the dashboard did not stay up"
    );
    child.kill().unwrap();
    let _ = child.wait();
}
