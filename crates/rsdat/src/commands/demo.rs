//! `rsdat demo`: the main job on generated data, no network, no configuration: Daymet-layout
//! sample data, the spring-index grid workflow with the seed notebook's settings, and maps.

use std::path::PathBuf;

use clap::Args;

use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::commands::engine::{ExecArgs, ExecutorArg};
use crate::commands::plot::{self, PlotArgs};
use crate::commands::sample_data::{self, DaymetArgs, RegionArg};
use crate::commands::spring_index::grid::{self, GridArgs};
use crate::output::emit;

#[derive(Serialize)]
struct DemoReport {
    data: PathBuf,
    store: PathBuf,
    group: String,
    maps: Vec<PathBuf>,
    /// Seconds of the spring-index computation.
    seconds: f64,
}

/// Run the demo.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  rsdat demo --dir rsdat-demo --size 200")]
pub(crate) struct DemoArgs {
    /// Working directory for the sample data and the results.
    #[arg(long, default_value = "rsdat-demo")]
    pub(crate) dir: PathBuf,
    /// Grid size in 1 km cells (a SIZE x SIZE grid).
    #[arg(long, default_value_t = 100)]
    pub(crate) size: usize,
}

pub(crate) fn run(args: &DemoArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let data = args.dir.join("data");
    let daymet = DaymetArgs {
        out: data.clone(),
        region: RegionArg::Na,
        years: (1980, 1980),
        ny: args.size,
        nx: args.size,
        chunk: 1000,
        overwrite: true,
    };
    let spec = rsdat_netcdf::sample::SampleSpec {
        region: daymet.region.region(),
        years: daymet.years,
        ny: daymet.ny,
        nx: daymet.nx,
        chunk: daymet.chunk,
    };
    let files = spec.paths(&data);
    let have_sample = files.iter().all(|f| f.exists())
        && rsdat_io::open(&files[0].display().to_string()).is_ok_and(|s| {
            s.dataset().dim_len("x") == Some(args.size)
                && s.dataset().dim_len("y") == Some(args.size)
        });
    if have_sample {
        tracing::info!("sample data already in {}", data.display());
    } else {
        sample_data::write(&daymet, global.quiet)?;
    }
    let store = args.dir.join("spring-index.zarr");
    let grid_args = GridArgs {
        catalog: None,
        region: None,
        inputs: files.iter().map(|f| f.display().to_string()).collect(),
        out: store.clone(),
        years: None,
        preset: "rsdat".into(),
        plants: Vec::new(),
        events: Vec::new(),
        start_day: None,
        end_day: None,
        bbox: None,
        coarsen: 1,
        exec: ExecArgs {
            executor: ExecutorArg::Threads,
            workers: None,
            memory_limit: None,
            slurm: Box::default(),
            dashboard: Box::default(),
        },
        zarr_format: None,
        resume: false,
        overwrite: true,
    };
    let report = grid::compute(&grid_args, global.quiet)?;
    let seconds = report.seconds;
    let mut maps = Vec::new();
    for var in ["first-leaf", "first-bloom"] {
        let png = args.dir.join(format!("{var}-1980.png"));
        let plot_args = PlotArgs {
            input: store.display().to_string(),
            group: Some("1980".into()),
            var: var.into(),
            out: png.clone(),
            time_index: 0,
            pixel: None,
            pixel_index: None,
            size: (1200, 900),
            overwrite: true,
        };
        plot::draw(&plot_args)?;
        maps.push(png);
    }
    let r = DemoReport {
        data,
        store,
        group: "1980".into(),
        maps,
        seconds,
    };
    emit(global.json, &r, |out| {
        writeln!(out, "sample Daymet data: {}", r.data.display())?;
        writeln!(
            out,
            "spring indices:     {} (group {}, {:.2} s)",
            r.store.display(),
            r.group,
            r.seconds
        )?;
        for m in &r.maps {
            writeln!(out, "map:                {}", m.display())?;
        }
        writeln!(out, "\nopen with xarray:\n  import xarray as xr")?;
        writeln!(
            out,
            "  si = xr.open_zarr({:?}, group={:?})",
            r.store.display().to_string(),
            r.group
        )?;
        writeln!(out, "  si[\"first-leaf\"].plot(col=\"plant\")")
    })
}
