//! Copies the (source, destination) pairs of a JSON file with N workers and prints a JSON
//! summary; the rsdat side of `bench/copy/copy.py`.
//!
//! `cargo run --release -p rsdat-transfer --example copy_jobs -- JOBS.json WORKERS [--resume]`
//! where JOBS.json is `[["http://.../a.bin", "webdav://.../item/a.bin"], ...]`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use rsdat_storage::Storage;
use rsdat_transfer::{copy_all, CopyJob, CopyOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(workers)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: copy_jobs JOBS.json WORKERS [--resume]");
        std::process::exit(1);
    };
    let pairs: Vec<(String, String)> = serde_json::from_slice(&std::fs::read(path)?)?;
    let jobs: Vec<CopyJob> = pairs.into_iter().map(|(s, d)| CopyJob::new(s, d)).collect();
    let options = CopyOptions::default()
        .workers(workers.parse()?)
        .resume(args.iter().any(|a| a == "--resume"));
    let storage = Storage::from_env()?;
    let started = Instant::now();
    let report = copy_all(&storage, &jobs, &options, &|_| {});
    let seconds = started.elapsed().as_secs_f64();
    let summary = serde_json::json!({
        "files": jobs.len(),
        "copied": report.copied(),
        "skipped": report.skipped(),
        "failed": report.failures().len(),
        "bytes": report.bytes_copied(),
        "seconds": seconds,
        "failures": report.failures(),
    });
    println!("{summary}");
    Ok(())
}
