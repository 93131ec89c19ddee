//! `rsdat convert`: NetCDF, GeoTIFF or Zarr input to a Zarr store, chunk by chunk, as
//! `xarray.open_mfdataset(...).to_zarr(...)` does with Dask.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use rsdat_model::Source;
use rsdat_zarr::{Compression, ConvertOptions, StoreOptions, ZarrFormat};
use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::output::emit;
use crate::progress::bar;

/// Convert to Zarr.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rsdat convert tmin_1980.nc tmax_1980.nc dayl_1980.nc --out daymet.zarr --group 1980\n  rsdat convert B02.tif --out b02.zarr --chunks y=2048,x=2048 --zarr-format 2"
)]
pub(crate) struct ConvertArgs {
    /// Input paths or URLs; several files are merged by variable (as xarray.open_mfdataset).
    #[arg(required = true)]
    pub(crate) inputs: Vec<String>,
    /// Output Zarr store (a directory).
    #[arg(long, short)]
    pub(crate) out: PathBuf,
    /// Group to write into (an existing store gets the group added); NetCDF-4 inputs that
    /// have a group of this name (a path such as `a/b`) are read from it.
    #[arg(long)]
    pub(crate) group: Option<String>,
    /// Output chunks per dimension, e.g. `y=512,x=512` (others keep the input's chunks).
    #[arg(long)]
    pub(crate) chunks: Option<String>,
    /// Zarr format of a new store (default 3, what current xarray writes).
    #[arg(long, value_parser = ["2", "3"])]
    pub(crate) zarr_format: Option<String>,
    /// Compressor: none, zstd[:LEVEL], gzip[:LEVEL], blosc-zstd[:LEVEL], shuffle-zlib[:LEVEL],
    /// or keep: copy NetCDF-4 chunks stored with deflate (and shuffle) as they are, without
    /// decoding them (much faster; needs output chunks equal to the input's; Zarr v2 then
    /// uses numcodecs' shuffle + zlib, Zarr v3 the core blosc codec with zlib).
    #[arg(long, default_value = "zstd:3")]
    pub(crate) compression: String,
    /// Only these variables (comma-separated), with the coordinates they use.
    #[arg(long, value_delimiter = ',')]
    pub(crate) vars: Option<Vec<String>>,
    /// Chunks written at once (default: number of CPUs).
    #[arg(long, default_value_t = 0)]
    pub(crate) workers: usize,
    /// Replace an existing store or group.
    #[arg(long)]
    pub(crate) overwrite: bool,
}

#[derive(Serialize)]
struct Converted {
    store: PathBuf,
    zarr_format: u8,
    group: String,
    /// The inputs were read from `group` (NetCDF-4 groups), not from their root.
    read_group: bool,
    arrays: usize,
    chunks: u64,
    bytes: u64,
    peak_memory_bytes: u64,
    skipped: Vec<String>,
}

pub(crate) fn run(args: &ConvertArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    if args.chunks.is_none() {
        // output chunks are the input's: every stored chunk is read whole, once
        rsdat_netcdf::set_chunk_cache_bytes(0);
    }
    let (src, from_group) = rsdat_io::open_merged_group(&args.inputs, args.group.as_deref())
        .with_context(|| format!("cannot open {}", args.inputs.join(", ")))?;
    let options = ConvertOptions {
        store: StoreOptions {
            format: args
                .zarr_format
                .as_deref()
                .map(str::parse::<ZarrFormat>)
                .transpose()
                .map_err(anyhow::Error::msg)?,
            compression: args
                .compression
                .parse::<Compression>()
                .map_err(anyhow::Error::msg)?,
            overwrite: args.overwrite,
        },
        group: args.group.clone(),
        chunks: args
            .chunks
            .as_deref()
            .map(rsdat_zarr::parse_chunks)
            .transpose()?
            .unwrap_or_default(),
        parallelism: args.workers,
        variables: args.vars.clone(),
    };
    let plan = rsdat_zarr::ConvertPlan::new(src.dataset(), &options)?;
    let pb = bar(plan.total_chunks(), "convert", global.quiet);
    let report = rsdat_zarr::convert(&src as &dyn Source, &args.out, &options, &|done, _| {
        pb.set_position(done);
    })
    .with_context(|| format!("cannot convert into `{}`", args.out.display()))?;
    pb.finish_and_clear();
    let c = Converted {
        store: report.path.clone(),
        zarr_format: report.format.number(),
        group: report.group.clone(),
        read_group: from_group,
        arrays: report.arrays,
        chunks: report.chunks,
        bytes: report.bytes,
        peak_memory_bytes: plan.peak_bytes(),
        skipped: report.skipped.clone(),
    };
    emit(global.json, &c, |out| {
        writeln!(
            out,
            "wrote {} arrays ({} chunks, {:.1} MB uncompressed) to {} (Zarr v{}{})",
            c.arrays,
            c.chunks,
            c.bytes as f64 / 1e6,
            c.store.display(),
            c.zarr_format,
            if c.group.is_empty() {
                String::new()
            } else if c.read_group {
                format!(
                    ", group `{}`, read from the input's group of that name",
                    c.group
                )
            } else {
                format!(", group `{}`", c.group)
            }
        )?;
        for s in &c.skipped {
            writeln!(out, "skipped {s}")?;
        }
        writeln!(
            out,
            "open with: xarray.open_zarr({:?}{})",
            c.store.display().to_string(),
            if c.group.is_empty() {
                String::new()
            } else {
                format!(", group={:?}", c.group)
            }
        )
    })
}
