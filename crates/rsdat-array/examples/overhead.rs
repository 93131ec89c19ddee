//! Per-task overhead of the engine: `tasks` no-op chunk tasks through the planner and an
//! executor, as `rsdat bench overhead` runs them.
//!
//! `cargo run --release -p rsdat-array --example overhead -- 100000 threads 2`
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

use std::time::Instant;

use rsdat_array::{compute, examples, ComputeOptions, ExecutorKind, Plan};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let tasks: usize = args.next().as_deref().unwrap_or("100000").parse()?;
    let executor = match args.next().as_deref().unwrap_or("threads") {
        "sync" => ExecutorKind::Sync,
        _ => ExecutorKind::Threads,
    };
    let workers: usize = args.next().as_deref().unwrap_or("2").parse()?;
    let start = Instant::now();
    let a = examples::overhead(tasks)?;
    let n = Plan::build(&[&a])?.n_tasks();
    let out = compute(
        &[&a],
        &ComputeOptions {
            executor,
            workers: Some(workers),
            ..Default::default()
        },
    )?;
    let s = start.elapsed().as_secs_f64();
    assert_eq!(out[0][[]], tasks as f64);
    println!(
        "{{\"tasks\": {n}, \"seconds\": {s:.4}, \"us_per_task\": {:.3}}}",
        s * 1e6 / n as f64
    );
    Ok(())
}
