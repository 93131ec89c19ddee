//! `rsdat bench`: engine benchmarks (per-task overhead, notebook 01 operations).

use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};
use serde::Serialize;

use super::engine::ExecArgs;
use crate::cli::GlobalArgs;
use crate::output::emit;

/// Engine benchmarks.
#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    /// Which benchmark.
    #[command(subcommand)]
    pub(crate) kind: BenchKind,
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub(crate) enum BenchKind {
    /// N no-op chunk tasks through the planner and an executor: the per-task overhead.
    #[command(
        after_help = "Examples:\n  rsdat bench overhead --tasks 100000\n  rsdat bench overhead --tasks 10000 --executor processes --workers 2 --json"
    )]
    Overhead(OverheadArgs),
    /// The operations of the seed's notebook 01 on a random array.
    #[command(
        after_help = "Examples:\n  rsdat bench notebook01 --size 10000 --chunk 1000 --workers 2 --json\n  rsdat bench notebook01 --size 4000 --op '(x + x.T).mean()' --repeat 5"
    )]
    Notebook01(Notebook01Args),
}

/// Options of `bench overhead`.
#[derive(Debug, Args)]
pub(crate) struct OverheadArgs {
    /// Number of no-op chunk tasks.
    #[arg(long, default_value_t = 100_000)]
    pub(crate) tasks: usize,
    #[command(flatten)]
    pub(crate) exec: ExecArgs,
}

/// Options of `bench notebook01`.
#[derive(Debug, Args)]
pub(crate) struct Notebook01Args {
    /// Array side.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) size: usize,
    /// Chunk side.
    #[arg(long, default_value_t = 1000)]
    pub(crate) chunk: usize,
    /// Only this operation, by its name as printed (repeatable; default: all).
    #[arg(long = "op", value_name = "NAME")]
    pub(crate) ops: Vec<String>,
    /// Runs of each operation; the median time is reported.
    #[arg(long, default_value_t = 1)]
    pub(crate) repeat: usize,
    #[command(flatten)]
    pub(crate) exec: ExecArgs,
}

#[derive(Serialize)]
struct Overhead {
    executor: String,
    workers: Option<usize>,
    chunk_tasks: usize,
    tasks: u64,
    plan_seconds: f64,
    seconds: f64,
    us_per_task: f64,
}

#[derive(Serialize)]
struct OpTiming {
    op: String,
    seconds: f64,
    tasks: u64,
    peak_task_bytes: u64,
    /// Peak resident memory of this process so far (Linux), bytes.
    peak_rss_bytes: Option<u64>,
    /// CPU time (user + system, all threads) per run (Linux), seconds.
    cpu_seconds: Option<f64>,
    value: Vec<f64>,
}

/// User + system CPU time of this process, all threads, from `/proc/self/stat` (in ticks of
/// 1/100 s, Linux's `USER_HZ`).
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    let mut rest = s.rsplit_once(')')?.1.split_whitespace().skip(11);
    let utime: u64 = rest.next()?.parse().ok()?;
    let stime: u64 = rest.next()?.parse().ok()?;
    #[allow(clippy::cast_precision_loss)]
    Some((utime + stime) as f64 / 100.0)
}

/// `VmHWM` of `/proc/self/status`: the peak resident set of this process.
fn peak_rss_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()?;
    Some(kb * 1024)
}

pub(crate) fn run(args: &BenchArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    match &args.kind {
        BenchKind::Overhead(a) => overhead(a, global),
        BenchKind::Notebook01(a) => notebook01(a, global),
    }
}

#[allow(clippy::cast_precision_loss)]
fn overhead(args: &OverheadArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.tasks > 0, "--tasks must be at least 1");
    let opts = args.exec.options("tasks", global.quiet)?;
    let start = Instant::now();
    let a = rsdat_array::examples::overhead(args.tasks)?;
    let plan = rsdat_array::Plan::build(&[&a])?;
    let plan_seconds = start.elapsed().as_secs_f64();
    let out = rsdat_array::compute(&[&a], &opts).context("running the no-op plan")?;
    let seconds = start.elapsed().as_secs_f64();
    anyhow::ensure!(
        out[0][[]] == args.tasks as f64,
        "the no-op plan summed to {}",
        out[0][[]]
    );
    let tasks = plan.n_tasks();
    let r = Overhead {
        executor: format!("{:?}", args.exec.executor).to_lowercase(),
        workers: args.exec.workers,
        chunk_tasks: args.tasks,
        tasks,
        plan_seconds,
        seconds,
        us_per_task: seconds * 1e6 / tasks as f64,
    };
    emit(global.json, &r, |w: &mut dyn Write| {
        writeln!(
            w,
            "{} tasks ({} no-op chunks + reduction tree) on {}: {:.3} s, {:.2} us/task (planning {:.3} s)",
            r.tasks, r.chunk_tasks, r.executor, r.seconds, r.us_per_task, r.plan_seconds
        )
    })
}

fn notebook01(args: &Notebook01Args, global: &GlobalArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.size > 0 && args.chunk > 0,
        "--size and --chunk must be positive"
    );
    anyhow::ensure!(args.repeat > 0, "--repeat must be at least 1");
    let all = rsdat_array::examples::notebook01(args.size, args.chunk)?;
    if let Some(bad) = args.ops.iter().find(|o| !all.iter().any(|(n, _)| n == o)) {
        let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
        anyhow::bail!(
            "no operation `{bad}` in notebook 01 (has: {})",
            names.join(", ")
        );
    }
    let mut rows = Vec::new();
    for (name, a) in all {
        if !args.ops.is_empty() && !args.ops.iter().any(|o| o == name) {
            continue;
        }
        let opts = args.exec.options(name, global.quiet)?;
        let plan = rsdat_array::Plan::build(&[&a])?;
        let mut times = Vec::with_capacity(args.repeat);
        let mut v = Vec::new();
        let cpu_before = cpu_seconds();
        for _ in 0..args.repeat {
            let start = Instant::now();
            v = rsdat_array::compute(&[&a], &opts).with_context(|| format!("computing {name}"))?;
            times.push(start.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        rows.push(OpTiming {
            op: name.to_owned(),
            seconds: times[times.len() / 2],
            tasks: plan.n_tasks(),
            peak_task_bytes: plan.peak_bytes(),
            peak_rss_bytes: peak_rss_bytes(),
            #[allow(clippy::cast_precision_loss)]
            cpu_seconds: cpu_seconds()
                .zip(cpu_before)
                .map(|(a, b)| (a - b) / args.repeat as f64),
            value: v[0].iter().take(3).copied().collect(),
        });
    }
    emit(global.json, &rows, |w: &mut dyn Write| {
        for r in &rows {
            writeln!(
                w,
                "{:<20} {:>8.3} s  {:>6} tasks  peak {}/task  value {:?}",
                r.op,
                r.seconds,
                r.tasks,
                rsdat_array::human_bytes(r.peak_task_bytes),
                r.value
            )?;
        }
        Ok(())
    })
}
