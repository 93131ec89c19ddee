//! `--dashboard` on a computing command: the URL on stderr, the dashboard up during and
//! shortly after the run, the whole run in its final status.

#![allow(clippy::unwrap_used, missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect to the dashboard");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    raw.split_once("\r\n\r\n")
        .expect("an HTTP answer")
        .1
        .to_owned()
}

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
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut lines = Vec::new();
    let next = |err: &mut BufReader<_>, lines: &mut Vec<String>, what: &str| -> String {
        loop {
            let mut line = String::new();
            assert!(
                err.read_line(&mut line).unwrap() > 0,
                "no `{what}` on stderr: {lines:?}"
            );
            lines.push(line.clone());
            if line.contains(what) {
                return line;
            }
        }
    };
    let line = next(&mut err, &mut lines, "dashboard: http://");
    let url = line
        .trim()
        .strip_prefix("dashboard: http://")
        .unwrap()
        .to_owned();
    assert!(url.ends_with("/proxy/8787/"), "{url}");
    let addr = url.split('/').next().unwrap().to_owned();
    // the command lingers a few seconds after its run: the final status is there
    next(&mut err, &mut lines, "dashboard: done");
    let status: serde_json::Value =
        serde_json::from_str(&get(&addr, "/proxy/8787/api/status")).unwrap();
    assert_eq!(status["state"], "done");
    assert_eq!(status["done"], status["total"]);
    assert!(status["total"].as_u64().unwrap() > 3000);
    let text = get(&addr, "/api/text");
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
