//! `rsdat sample-data`: Daymet-layout NetCDF files generated locally, no network.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use rsdat_netcdf::sample::{Region, SampleSpec};
use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::output::emit;
use crate::progress::bar;

/// Generate sample data sets.
#[derive(Debug, Args)]
pub(crate) struct SampleDataArgs {
    /// Which data set.
    #[command(subcommand)]
    pub(crate) kind: SampleKind,
}

/// Sample data sets.
#[derive(Debug, Subcommand)]
pub(crate) enum SampleKind {
    /// Daymet v4 daily tmin, tmax, dayl on a 1 km LCC grid, one file per variable and year.
    #[command(
        after_help = "Example:\n  rsdat sample-data daymet --out data --years 1980-1981 --ny 200 --nx 200"
    )]
    Daymet(DaymetArgs),
}

/// Options of the Daymet sample.
#[derive(Debug, Args, Clone)]
pub(crate) struct DaymetArgs {
    /// Output directory (created if missing).
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Daymet region.
    #[arg(long, value_enum, default_value_t = RegionArg::Na)]
    pub(crate) region: RegionArg,
    /// A year or an inclusive range of years, e.g. 1980 or 1980-1982.
    #[arg(long, default_value = "1980", value_parser = parse_years)]
    pub(crate) years: (i32, i32),
    /// Rows of the grid (1 km cells).
    #[arg(long, default_value_t = 100)]
    pub(crate) ny: usize,
    /// Columns of the grid (1 km cells).
    #[arg(long, default_value_t = 100)]
    pub(crate) nx: usize,
    /// Rows and columns of a storage chunk (each chunk holds one day).
    #[arg(long, default_value_t = 1000)]
    pub(crate) chunk: usize,
    /// Replace files that already exist.
    #[arg(long)]
    pub(crate) overwrite: bool,
}

/// Daymet regions.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum RegionArg {
    /// North America.
    Na,
    /// Hawaii.
    Hi,
    /// Puerto Rico.
    Pr,
}

impl RegionArg {
    pub(crate) fn region(self) -> Region {
        match self {
            Self::Na => Region::Na,
            Self::Hi => Region::Hi,
            Self::Pr => Region::Pr,
        }
    }
}

/// Parses `1980` or `1980-1982`.
pub(crate) fn parse_years(s: &str) -> Result<(i32, i32), String> {
    let bad = || format!("`{s}` is not a year or a range like 1980-1982");
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a > b {
        return Err(format!("`{s}`: the first year is after the last"));
    }
    Ok((a, b))
}

#[derive(Serialize)]
struct Written {
    files: Vec<PathBuf>,
}

/// Writes the Daymet sample described by `args`, with a progress bar.
pub(crate) fn write(args: &DaymetArgs, quiet: bool) -> anyhow::Result<Vec<PathBuf>> {
    let spec = SampleSpec {
        region: args.region.region(),
        years: args.years,
        ny: args.ny,
        nx: args.nx,
        chunk: args.chunk,
    };
    let pb = bar(spec.paths(&args.out).len() as u64, "sample-data", quiet);
    let files =
        rsdat_netcdf::sample::write_daymet(&spec, &args.out, args.overwrite, &|_: &Path| {
            pb.inc(1)
        })?;
    pb.finish_and_clear();
    Ok(files)
}

pub(crate) fn run(args: &SampleDataArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let SampleKind::Daymet(d) = &args.kind;
    let files = write(d, global.quiet)?;
    let w = Written { files };
    emit(global.json, &w, |out| {
        for f in &w.files {
            writeln!(out, "{}", f.display())?;
        }
        Ok(())
    })
}
