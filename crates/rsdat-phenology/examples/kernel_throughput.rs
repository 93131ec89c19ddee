//! Runs the `rsdat` streaming kernel over a synthetic row for a given number of passes and
//! prints the cell-days processed, for timing under `perf stat` or `time` (CPU time, not wall
//! time, on a shared machine).
//!
//! ```sh
//! cargo run --release -p rsdat-phenology --example kernel_throughput -- 4000 20 [YEARS]
//! ```
//!
//! With YEARS, each pass runs YEARS rows (years) of the same cells together, sharing one
//! [`DayLengthRow`] per day, as a multi-year grid run can.
#![allow(clippy::unwrap_used, clippy::cast_precision_loss, clippy::print_stdout)]

use rsdat_phenology::{Config, DayLengthRow, SpringIndexRow};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(4000, |a| a.parse().unwrap());
    let passes: usize = args.next().map_or(20, |a| a.parse().unwrap());
    let years: Option<usize> = args.next().map(|a| a.parse().unwrap());
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    };
    let (mut tmin, mut tmax, mut dayl) = (Vec::new(), Vec::new(), Vec::new());
    for d in 0..365 {
        let season = ((d as f32 - 105.0) / 365.0 * std::f32::consts::TAU).sin();
        for c in 0..n {
            let lo = -8.0 + 14.0 * (c as f32 / n as f32) + 12.0 * season + 8.0 * noise();
            tmin.push(lo);
            tmax.push(lo + 6.0 + 12.0 * (noise() + 0.5));
            dayl.push(3600.0 * (12.0 + 3.5 * season) + c as f32 * 0.01);
        }
    }
    let cfg = Config::rsdat();
    let start = std::time::Instant::now();
    let mut cell_days = 0_u64;
    for _ in 0..passes {
        if let Some(years) = years {
            // Year k is the same cells k/2 degrees warmer.
            let mut rows: Vec<SpringIndexRow> = (0..years)
                .map(|_| SpringIndexRow::new(n, &cfg).unwrap())
                .collect();
            let mut lo = vec![0.0_f32; n];
            let mut hi = vec![0.0_f32; n];
            for day in cfg.start_day()..=cfg.end_day() {
                if rows.iter().all(SpringIndexRow::all_done) {
                    break;
                }
                let i = (day as usize - 1) * n;
                let dl = DayLengthRow::new(&dayl[i..i + n]);
                for (k, row) in rows.iter_mut().enumerate() {
                    if row.next_day().is_none() {
                        continue;
                    }
                    let warm = k as f32 * 0.5;
                    for c in 0..n {
                        lo[c] = tmin[i + c] + warm;
                        hi[c] = tmax[i + c] + warm;
                    }
                    row.push_day_shared(day, &lo, &hi, &dl).unwrap();
                    cell_days += n as u64;
                }
            }
            std::hint::black_box(rows.into_iter().map(SpringIndexRow::finish).count());
            continue;
        }
        let mut row = SpringIndexRow::new(n, &cfg).unwrap();
        while let Some(day) = row.next_day() {
            let i = (day as usize - 1) * n;
            row.push_day(day, &tmin[i..i + n], &tmax[i..i + n], &dayl[i..i + n])
                .unwrap();
            cell_days += n as u64;
        }
        std::hint::black_box(row.finish());
    }
    let s = start.elapsed().as_secs_f64();
    println!(
        "cell_days {cell_days} wall_s {s:.3} wall_rate {:.3e}",
        cell_days as f64 / s
    );
}
