//! Throughput of the `rsdat` streaming kernel in cell-days per second.
//!
//! The workload is in `common/workload.rs`; the element count is the cell-days actually
//! pushed. On a shared machine prefer CPU time: the example `kernel_throughput` (same
//! workload) under `perf stat -e task-clock`.
#![allow(missing_docs, clippy::unwrap_used, clippy::cast_precision_loss)]

#[path = "common/workload.rs"]
mod workload;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rsdat_phenology::Config;
use workload::{inputs, run, run_years};

fn kernel(c: &mut Criterion) {
    let mut g = c.benchmark_group("rsdat_row");
    let cfg = Config::rsdat();
    for n in [1000, 4000] {
        let inp = inputs(n);
        let days = run(&inp, &cfg);
        g.throughput(Throughput::Elements(days * n as u64));
        g.bench_with_input(BenchmarkId::new("leaf+bloom", n), &inp, |b, inp| {
            b.iter(|| run(inp, &cfg));
        });
    }
    // Ten years of the same cells sharing the day-length terms (Daymet `dayl` repeats every
    // year), as a multi-year grid run can.
    let inp = inputs(1000);
    let days = run_years(&inp, &cfg, 10);
    g.throughput(Throughput::Elements(days * 1000));
    g.bench_with_input(
        BenchmarkId::new("10-years-shared-dayl", 1000),
        &inp,
        |b, inp| {
            b.iter(|| run_years(inp, &cfg, 10));
        },
    );
    // The whole window without early exit: a year too cold for any event.
    let cold = Config::rsdat();
    let mut inp = inputs(1000);
    for v in inp.tmin.iter_mut().chain(inp.tmax.iter_mut()) {
        *v -= 40.0;
    }
    let days = run(&inp, &cold);
    g.throughput(Throughput::Elements(days * 1000));
    g.bench_with_input(BenchmarkId::new("no-event", 1000), &inp, |b, inp| {
        b.iter(|| run(inp, &cold));
    });
    g.finish();
}

criterion_group!(benches, kernel);
criterion_main!(benches);
