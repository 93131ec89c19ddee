//! Notebook 01 of the seed: operations on a random array, timed.
//!
//! `cargo run --release -p rsdat-array --example notebook01 -- 10000 1000 2`
#![allow(clippy::print_stdout)]

use std::time::Instant;

use rsdat_array::{compute, examples, ComputeOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let size: usize = args.next().as_deref().unwrap_or("4000").parse()?;
    let chunk: usize = args.next().as_deref().unwrap_or("1000").parse()?;
    let workers: usize = args.next().as_deref().unwrap_or("2").parse()?;
    for (name, a) in examples::notebook01(size, chunk)? {
        let t = Instant::now();
        let v = compute(
            &[&a],
            &ComputeOptions {
                workers: Some(workers),
                ..Default::default()
            },
        )?;
        println!(
            "{name:<20} {:>8.3} s  {:?}",
            t.elapsed().as_secs_f64(),
            v[0].iter().take(2).collect::<Vec<_>>()
        );
    }
    Ok(())
}
