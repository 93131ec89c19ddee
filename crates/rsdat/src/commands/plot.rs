//! `rsdat plot`: PNG maps (one panel per plant, layer or band) and time series of one cell,
//! what the seed notebook draws with `DataArray.plot.imshow(col="plant")` and `.plot()`.

mod draw;
mod grid;

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use rsdat_storage::{AtomicFile, IfExists};
use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::output::emit;

/// Draw a map or a time series of one variable as a PNG.
#[derive(Debug, Args)]
#[command(after_help = "\
A map draws the last two dimensions (y, x) of VAR. A leading `time` dimension is cut at
--time-index; another leading dimension (plant, band, ...) becomes one panel each, with one
colour scale for all panels. Axes are in the grid's coordinates (metres shown as km).
With --pixel or --pixel-index the time series of one cell is drawn instead (one line per
panel layer).

Examples:
  rsdat plot si.zarr --group 1980 --var first-leaf --out leaf-1980.png
  rsdat plot daymet_v4_daily_na_tmax_1980.nc --var tmax --time-index 100 --out tmax.png
  rsdat plot daymet_v4_daily_na_tmax_1980.nc --var tmax --pixel 900000,-300000 --out ts.png
  rsdat plot daymet_v4_daily_na_tmax_1980.nc --var tmax --pixel-index 10,20 --out ts.png")]
pub(crate) struct PlotArgs {
    /// Dataset: a Zarr store (directory), NetCDF or GeoTIFF file, path or URL.
    pub(crate) input: String,
    /// Group of a Zarr store, e.g. the year of a spring-index store.
    #[arg(long)]
    pub(crate) group: Option<String>,
    /// Variable to draw.
    #[arg(long)]
    pub(crate) var: String,
    /// Output PNG.
    #[arg(short, long)]
    pub(crate) out: PathBuf,
    /// Time step of a map (0-based index along `time`).
    #[arg(long, default_value_t = 0)]
    pub(crate) time_index: usize,
    /// Time series of the cell nearest to X,Y in the grid's coordinates (CRS units: metres
    /// for Daymet's Lambert grid; degrees for a lon/lat grid).
    #[arg(long, value_name = "X,Y", allow_hyphen_values = true, value_parser = parse_coords)]
    pub(crate) pixel: Option<(f64, f64)>,
    /// Time series of the cell at 0-based column COL and row ROW.
    #[arg(long, value_name = "COL,ROW", conflicts_with = "pixel", value_parser = parse_indices)]
    pub(crate) pixel_index: Option<(usize, usize)>,
    /// Image size in pixels, WIDTHxHEIGHT.
    #[arg(long, default_value = "1200x900", value_parser = parse_size)]
    pub(crate) size: (u32, u32),
    /// Replace the output if it exists.
    #[arg(long)]
    pub(crate) overwrite: bool,
}

fn parse_pair<T: std::str::FromStr>(s: &str, what: &str) -> Result<(T, T), String> {
    let bad = || format!("`{s}` is not {what}");
    let (a, b) = s.split_once(',').ok_or_else(bad)?;
    Ok((
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    ))
}

fn parse_coords(s: &str) -> Result<(f64, f64), String> {
    parse_pair(s, "two coordinates X,Y such as 900000,-300000")
}

fn parse_indices(s: &str) -> Result<(usize, usize), String> {
    parse_pair(s, "two 0-based indices COL,ROW such as 10,20")
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{s}` is not a size like 1200x900");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h): (u32, u32) = (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?);
    if !(200..=10_000).contains(&w) || !(200..=10_000).contains(&h) {
        return Err(format!(
            "`{s}`: width and height must be 200..=10000 pixels"
        ));
    }
    Ok((w, h))
}

#[derive(Serialize)]
pub(crate) struct Written {
    output: String,
    var: String,
    kind: &'static str,
    panels: usize,
    width: u32,
    height: u32,
}

pub(crate) fn run(args: &PlotArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let w = draw(args)?;
    emit(global.json, &w, |out| {
        writeln!(
            out,
            "{}: {} of `{}` ({} panel{}, {}x{})",
            w.output,
            w.kind,
            w.var,
            w.panels,
            if w.panels == 1 { "" } else { "s" },
            w.width,
            w.height
        )
    })
}

/// Draws the PNG that `args` asks for and says what was drawn.
pub(crate) fn draw(args: &PlotArgs) -> anyhow::Result<Written> {
    // Errors name the input (and the groups a store has).
    let src = rsdat_io::open_group(&args.input, args.group.as_deref())?;
    let if_exists = if args.overwrite {
        IfExists::Replace
    } else {
        IfExists::Refuse
    };
    let mut file = AtomicFile::create(&args.out, if_exists)?;
    let (width, height) = args.size;
    let (kind, panels, png) = if args.pixel.is_some() || args.pixel_index.is_some() {
        let series = grid::Series::read(src.as_ref(), args)?;
        let png = draw::series(&series, args.size)?;
        ("time series", series.layers.len(), png)
    } else {
        let map = grid::Map::read(src.as_ref(), args)?;
        let png = draw::map(&map, args.size)?;
        ("map", map.panels.len(), png)
    };
    file.write_all(&png)
        .with_context(|| format!("cannot write `{}`", args.out.display()))?;
    file.commit()?;
    Ok(Written {
        output: args.out.display().to_string(),
        var: args.var.clone(),
        kind,
        panels,
        width,
        height,
    })
}
