//! Runs the `rsdat` streaming kernel over a synthetic row for a given number of passes and
//! prints the cell-days processed, for timing under `perf stat` or `time` (CPU time, not wall
//! time, on a shared machine). The workload is the criterion bench's (`benches/kernel.rs`).
//!
//! ```sh
//! cargo run --release -p rsdat-phenology --example kernel_throughput -- 4000 20 [YEARS]
//! ```
//!
//! With YEARS, each pass runs YEARS rows (years) of the same cells together, sharing one
//! [`DayLengthRow`](rsdat_phenology::DayLengthRow) per day, as a multi-year grid run can.
#![allow(clippy::unwrap_used, clippy::cast_precision_loss, clippy::print_stdout)]

#[path = "../benches/common/workload.rs"]
mod workload;

use rsdat_phenology::Config;
use workload::{inputs, run, run_years};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(4000, |a| a.parse().unwrap());
    let passes: usize = args.next().map_or(20, |a| a.parse().unwrap());
    let years: Option<usize> = args.next().map(|a| a.parse().unwrap());
    let inp = inputs(n);
    let cfg = Config::rsdat();
    let start = std::time::Instant::now();
    let mut cell_days = 0_u64;
    for _ in 0..passes {
        let row_days = match years {
            Some(years) => run_years(&inp, &cfg, years),
            None => run(&inp, &cfg),
        };
        cell_days += row_days * n as u64;
    }
    let s = start.elapsed().as_secs_f64();
    println!(
        "cell_days {cell_days} wall_s {s:.3} wall_rate {:.3e}",
        cell_days as f64 / s
    );
}
