//! The kernel workload shared by the criterion bench `kernel` and the example
//! `kernel_throughput`, so both time the same thing: one row of cells with Daymet-like inputs
//! (a seasonal cycle with day-to-day noise, a spread of climates across the row), run from
//! day 1 until every cell has bloomed.

use rsdat_phenology::{Config, DayLengthRow, SpringIndexRow};
use std::hint::black_box;

/// Inputs of `n` cells for 365 days, day-major: `[day][cell]`.
pub(crate) struct Inputs {
    pub(crate) n: usize,
    pub(crate) tmin: Vec<f32>,
    pub(crate) tmax: Vec<f32>,
    pub(crate) dayl: Vec<f32>,
}

pub(crate) fn inputs(n: usize) -> Inputs {
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
            let mean = -8.0 + 14.0 * (c as f32 / n as f32);
            let lo = mean + 12.0 * season + 8.0 * noise();
            tmin.push(lo);
            tmax.push(lo + 6.0 + 12.0 * (noise() + 0.5));
            dayl.push(3600.0 * (12.0 + 3.5 * season));
        }
    }
    Inputs {
        n,
        tmin,
        tmax,
        dayl,
    }
}

/// Runs the row to the end; returns the days pushed.
pub(crate) fn run(inp: &Inputs, cfg: &Config) -> u64 {
    let n = inp.n;
    let mut row = SpringIndexRow::new(n, cfg).unwrap();
    let mut days = 0;
    while let Some(day) = row.next_day() {
        let i = (day as usize - 1) * n;
        row.push_day(
            day,
            &inp.tmin[i..i + n],
            &inp.tmax[i..i + n],
            &inp.dayl[i..i + n],
        )
        .unwrap();
        days += 1;
    }
    black_box(row.finish());
    days
}

/// Runs `years` rows of the same cells (year k is k/2 degrees warmer) day by day, sharing one
/// [`DayLengthRow`] per day; returns the row-days pushed.
pub(crate) fn run_years(inp: &Inputs, cfg: &Config, years: usize) -> u64 {
    let n = inp.n;
    let mut rows: Vec<SpringIndexRow> = (0..years)
        .map(|_| SpringIndexRow::new(n, cfg).unwrap())
        .collect();
    let (mut lo, mut hi) = (vec![0.0_f32; n], vec![0.0_f32; n]);
    let mut pushed = 0;
    for day in cfg.start_day()..=cfg.end_day() {
        if rows.iter().all(SpringIndexRow::all_done) {
            break;
        }
        let i = (day as usize - 1) * n;
        let dl = DayLengthRow::new(&inp.dayl[i..i + n]);
        for (k, row) in rows.iter_mut().enumerate() {
            if row.next_day().is_none() {
                continue;
            }
            let warm = k as f32 * 0.5;
            for c in 0..n {
                lo[c] = inp.tmin[i + c] + warm;
                hi[c] = inp.tmax[i + c] + warm;
            }
            row.push_day_shared(day, &lo, &hi, &dl).unwrap();
            pushed += 1;
        }
    }
    black_box(rows.into_iter().map(SpringIndexRow::finish).count());
    pushed
}
