//! Shared pieces of the dashboard tests: a slow fold kernel, a plain HTTP client.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rsdat_array::{FoldFactory, FoldKernel, LazyArray, Result};

/// A fold that sleeps `step_ms` per step; tile number `fail_tile` (in start order) fails.
pub struct Slow {
    pub step_ms: u64,
    pub fail_tile: Option<usize>,
    pub started: AtomicUsize,
}

struct SlowState {
    step_ms: u64,
    sum: Vec<f64>,
}

impl FoldKernel for SlowState {
    fn step(&mut self, _index: usize, inputs: &[&[f64]]) -> Result<()> {
        std::thread::sleep(Duration::from_millis(self.step_ms));
        for (s, x) in self.sum.iter_mut().zip(inputs[0]) {
            *s += x;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Vec<Vec<f64>>> {
        Ok(vec![self.sum])
    }
}

impl FoldFactory for Slow {
    fn name(&self) -> &str {
        "slow-sum"
    }
    fn outputs(&self) -> usize {
        1
    }
    fn state_bytes_per_cell(&self) -> usize {
        8
    }
    fn start(&self, cells: usize) -> Result<Box<dyn FoldKernel>> {
        let n = self.started.fetch_add(1, Ordering::SeqCst);
        if Some(n) == self.fail_tile {
            return Err(rsdat_array::Error::Worker(
                "the slow kernel refuses this tile".into(),
            ));
        }
        Ok(Box::new(SlowState {
            step_ms: self.step_ms,
            sum: vec![0.0; cells],
        }))
    }
}

/// `tiles` fold tasks of `steps` steps of `step_ms` each, then the mean: ones summed over
/// `steps`, so the mean is `steps`.
pub fn slow_plan(tiles: usize, steps: usize, step_ms: u64, fail_tile: Option<usize>) -> LazyArray {
    let x = LazyArray::full("ones", &[("t", steps), ("cell", tiles * 4)], &[1, 4], 1.0).unwrap();
    let k = Arc::new(Slow {
        step_ms,
        fail_tile,
        started: AtomicUsize::new(0),
    });
    let sums = LazyArray::fold(&[&x], "t", k).unwrap();
    sums[0].mean(&[]).unwrap()
}

/// `GET path` (HTTP/1.0): status code, content type and body.
pub fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).expect("connect to the dashboard");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read the answer");
    let (head, body) = raw.split_once("\r\n\r\n").expect("headers end");
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status code");
    let ctype = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-type")
                .then(|| v.trim().to_owned())
        })
        .unwrap_or_default();
    (code, ctype, body.to_owned())
}

/// `GET path` as JSON, asserting 200.
pub fn get_json(addr: SocketAddr, path: &str) -> serde_json::Value {
    let (code, ctype, body) = get(addr, path);
    assert_eq!(code, 200, "{path}: {body}");
    assert!(ctype.starts_with("application/json"), "{path}: {ctype}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

/// Reads the event stream at `path` until `stop` says so or `limit` passes: the
/// `(event, data)` pairs in order.
pub fn read_events(
    addr: SocketAddr,
    path: &str,
    limit: Duration,
    mut stop: impl FnMut(&str, &serde_json::Value) -> bool,
) -> Vec<(String, serde_json::Value)> {
    let mut s = TcpStream::connect(addr).expect("connect to the dashboard");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    // headers
    let mut ctype = String::new();
    loop {
        line.clear();
        r.read_line(&mut line).expect("read headers");
        if line.to_ascii_lowercase().starts_with("content-type:") {
            ctype = line[13..].trim().to_owned();
        }
        if line == "\r\n" || line.is_empty() {
            break;
        }
    }
    assert!(
        ctype.starts_with("text/event-stream"),
        "content type {ctype}"
    );
    let end = Instant::now() + limit;
    let mut out = Vec::new();
    let mut event = String::from("message");
    while Instant::now() < end {
        line.clear();
        if r.read_line(&mut line).expect("read the stream") == 0 {
            break;
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if let Some(e) = l.strip_prefix("event:") {
            event = e.trim().to_owned();
        } else if let Some(d) = l.strip_prefix("data:") {
            let v: serde_json::Value = serde_json::from_str(d.trim()).expect("JSON data");
            let done = stop(&event, &v);
            out.push((event.clone(), v));
            if done {
                break;
            }
        } else if l.is_empty() {
            event = "message".into();
        }
    }
    out
}
