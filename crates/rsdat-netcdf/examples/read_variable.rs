//! Reads one variable of a NetCDF file completely, storage chunk by storage chunk on all
//! cores, CF-decoded to `f32`, and prints seconds, values and a checksum as JSON.
//! Used by `bench/io.py` to compare with netCDF4-python, h5py and xarray.
//!
//! `cargo run --release -p rsdat-netcdf --example read_variable -- FILE VAR [THREADS]`
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss)]

use std::time::Instant;

use rayon::prelude::*;
use rsdat_model::{chunk_grid, decode_f32, Source};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (file, var) = (&args[1], &args[2]);
    if let Some(n) = args.get(3) {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.parse().unwrap())
            .build_global()
            .unwrap();
    }
    let start = Instant::now();
    let src = rsdat_netcdf::NetcdfSource::open(file).unwrap();
    let v = src.dataset().variable(var).unwrap().clone();
    let windows = chunk_grid(&v.shape, &v.chunk_shape());
    let (count, sum) = windows
        .par_iter()
        .map(|(s, c)| {
            let raw = src.read(var, s, c).unwrap();
            let data = decode_f32(&v, &raw);
            data.iter()
                .filter(|x| !x.is_nan())
                .fold((0_u64, 0.0_f64), |(n, t), &x| (n + 1, t + f64::from(x)))
        })
        .reduce(|| (0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{{\"seconds\": {seconds}, \"values\": {}, \"valid\": {count}, \"sum\": {sum}, \"threads\": {}, \"check\": \"{count} {sum:.6e}\"}}",
        v.len(),
        rayon::current_num_threads()
    );
}
