//! Shared pieces of the dashboard tests: a slow fold kernel, JSON answers.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rsdat_array::{FoldFactory, FoldKernel, LazyArray, Result};
use rsdat_testkit::client::get;

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

/// `GET path` as JSON, asserting 200.
pub fn get_json(addr: SocketAddr, path: &str) -> serde_json::Value {
    let (code, ctype, body) = get(addr, path);
    assert_eq!(code, 200, "{path}: {body}");
    assert!(ctype.starts_with("application/json"), "{path}: {ctype}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}
