use clap::{Args, Parser, Subcommand};

use crate::commands::{
    bench::BenchArgs, convert::ConvertArgs, demo::DemoArgs, graph::GraphArgs, info::InfoArgs,
    jobs::JobsArgs, plot::PlotArgs, sample_data::SampleDataArgs, spring_index::SpringIndexArgs,
    stac::StacArgs, worker::WorkerArgs,
};

/// Remote-sensing data analysis from laptop to SLURM cluster.
///
/// rsdat finds and opens Earth-observation data (NetCDF4/HDF5, GeoTIFF/COG, Zarr), computes
/// on it in bounded memory, and writes Zarr that xarray opens unchanged.
#[derive(Debug, Parser)]
#[command(name = "rsdat", version, propagate_version = true)]
#[command(
    after_help = "Start here:\n  rsdat demo            generate sample Daymet data and run the spring-index demo\n  rsdat info FILE       describe a NetCDF, GeoTIFF or Zarr dataset"
)]
pub struct Cli {
    /// Options for every command.
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Only errors on stderr; no progress bars.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
#[non_exhaustive]
pub(crate) enum Command {
    /// Describe a dataset: dimensions, coordinates, variables, CRS, attributes.
    Info(InfoArgs),
    /// Convert NetCDF or GeoTIFF input to a Zarr store, chunk by chunk.
    Convert(ConvertArgs),
    /// Generate sample data sets (Daymet-v4 layout) with no network.
    SampleData(SampleDataArgs),
    /// Generate sample Daymet data and run the spring-index workflow on it.
    Demo(DemoArgs),
    /// Extended Spring Indices (first leaf, first bloom) from daily temperatures.
    SpringIndex(SpringIndexArgs),
    /// Draw a map or a time series of a variable as a PNG.
    Plot(PlotArgs),
    /// Show a computation's plan: stages, tasks, memory per task; draw it as DOT or SVG.
    Graph(GraphArgs),
    /// STAC: search APIs, list collections; describe, list items, sub-catalogs, the Daymet
    /// catalog, asset copies.
    Stac(StacArgs),
    /// Benchmarks of the compute engine (per-task overhead, notebook 01).
    Bench(BenchArgs),
    /// SLURM runs: status, cancel, resume (by run directory).
    Jobs(JobsArgs),
    /// Worker process of the processes executor (started by rsdat itself).
    #[command(hide = true)]
    Worker(WorkerArgs),
}
