//! Builds the Daymet catalog and saves it, timing both steps (used by bench/stac/).
//!
//! ```sh
//! cargo run --release -p rsdat-stac --example daymet_catalog -- OUT [FIRST-LAST] [VARS] [TYPE] [STYLE]
//! ```

#![allow(clippy::print_stdout)]

use std::time::Instant;

use rsdat_stac::{daymet_catalog, CatalogType, DaymetOptions, JsonStyle};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args
        .first()
        .ok_or("usage: daymet_catalog OUT [FIRST-LAST] [VARS] [TYPE] [python|orjson]")?;
    let mut opts = DaymetOptions::default();
    if let Some((a, b)) = args.get(1).and_then(|y| y.split_once('-')) {
        opts.years = (a.parse()?, b.parse()?);
    }
    if let Some(v) = args.get(2) {
        opts.variables = v.split(',').map(str::to_owned).collect();
    }
    let t: CatalogType = args
        .get(3)
        .map_or(Ok(CatalogType::SelfContained), |s| s.parse())?;
    let style: JsonStyle = args.get(4).map_or(Ok(JsonStyle::Python), |s| s.parse())?;
    let t0 = Instant::now();
    let mut cat = daymet_catalog(&opts)?;
    cat.set_json_style(style);
    let t1 = Instant::now();
    let summary = cat.normalize_and_save(out, Some(t))?;
    let t2 = Instant::now();
    println!(
        "{:.4} {:.4} {}",
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        summary.items
    );
    // The process ends here: freeing the tree (a few hundred thousand allocations for
    // 10,000 items) would only delay the exit.
    std::mem::forget(cat);
    Ok(())
}
