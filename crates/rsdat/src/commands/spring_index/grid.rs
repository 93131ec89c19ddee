//! `rsdat spring-index grid`: SI-x over Daymet-layout grids, one Zarr group per year.
//!
//! Every year is a fold of the engine: tmin, tmax and dayl, windowed (`--bbox`) and
//! coarsened, folded along time by the spring-index kernel ([`super::fold`]); the years
//! still to compute form one plan, so their tiles run side by side (on SLURM: one
//! submission for the whole run). A fold task is a tile of cells aligned with the inputs'
//! storage chunks, so every compressed chunk is inflated once; it keeps O(1) state per cell
//! and stops reading as soon as every cell has its events. Memory is known (and checked)
//! before the run; the same plan runs on threads, worker processes or SLURM. Finished tiles
//! are kept beside the store until every year's group is written, so `--resume` continues a
//! killed run where it stopped.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use std::sync::Arc;

use rsdat_array::{LazyArray, Selection};
use rsdat_io::MergedSource;
use rsdat_model::{AttrValue, Attributes, DType, Source, TimeUnits, Variable};
use rsdat_phenology::{Config, Events, Layer, Plant, Plants, Preset, TempUnits};
use rsdat_zarr::{StoreOptions, StoreWriter, ZarrFormat};
use serde::Serialize;

use super::fold::SpringIndexFold;
use super::{parse_events, parse_plant};
use crate::cli::GlobalArgs;
use crate::commands::engine::ExecArgs;
use crate::commands::sample_data::parse_years;
use crate::output::emit;

/// The input variables, in kernel order.
const INPUTS: [&str; 3] = ["tmin", "tmax", "dayl"];

/// Spring indices over Daymet grids.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rsdat spring-index grid data/daymet_v4_daily_na_*_1980.nc --out si.zarr\n  rsdat spring-index grid data/*.nc --out si.zarr --years 1980-1981 --bbox -90,39,-89,40 --coarsen 2\n  rsdat spring-index grid --catalog daymet/catalog.json --region na --years 1980 --out si.zarr"
)]
pub(crate) struct GridArgs {
    /// Daymet-layout NetCDF files holding `tmin`, `tmax` and `dayl` (one variable and year
    /// per file, as Daymet ships them, or several variables per file).
    #[arg(required_unless_present = "catalog", conflicts_with = "catalog")]
    pub(crate) inputs: Vec<String>,
    /// Take the input files from a Daymet STAC catalog instead (as `rsdat stac
    /// daymet-catalog` writes it, or after `rsdat stac copy-assets --update-catalog`): the
    /// `tmin`, `tmax` and `dayl` assets of the items of `--region` in `--years`.
    #[arg(long)]
    pub(crate) catalog: Option<String>,
    /// Region of the catalog's items (their `region` property: na, hi or pr) [default: the
    /// only region in the catalog].
    #[arg(long, requires = "catalog")]
    pub(crate) region: Option<String>,
    /// Output Zarr store; one group per year.
    #[arg(long, short)]
    pub(crate) out: PathBuf,
    /// Years to compute, e.g. 1980 or 1980-2021 [default: every year in the inputs].
    #[arg(long, value_parser = parse_years)]
    pub(crate) years: Option<(i32, i32)>,
    /// Model formulation: `rsdat` (the seed notebook: Daymet `dayl`, days 1-300, 0-based
    /// days) or `matlab` (the published toolbox: latitude day length from `lat`, days 1-240,
    /// 30-day block rules, 1-based days).
    #[arg(long, default_value = "rsdat", value_parser = ["rsdat", "matlab"])]
    pub(crate) preset: String,
    /// Plants, comma-separated: lilac, arnold-red, zabelli [default: all three].
    #[arg(long, value_delimiter = ',', value_parser = parse_plant)]
    pub(crate) plants: Vec<Plant>,
    /// Events, comma-separated: leaf, bloom [default: both].
    #[arg(long, value_delimiter = ',', value_parser = parse_events)]
    pub(crate) events: Vec<Events>,
    /// First day of the window (1 = 1 January) [default: 1].
    #[arg(long)]
    pub(crate) start_day: Option<u32>,
    /// Last day of the window [default: 300 for rsdat, 240 for matlab].
    #[arg(long)]
    pub(crate) end_day: Option<u32>,
    /// Lon/lat box W,S,E,N (degrees) to clip to, transformed into the grid's CRS.
    #[arg(long, value_parser = parse_bbox, allow_hyphen_values = true)]
    pub(crate) bbox: Option<[f64; 4]>,
    /// Average N x N cells first (NaN-skipping, incomplete edge blocks dropped).
    #[arg(long, default_value_t = 1)]
    pub(crate) coarsen: usize,
    /// Executor, workers and memory limit.
    #[command(flatten)]
    pub(crate) exec: ExecArgs,
    /// Zarr format of a new store.
    #[arg(long, value_parser = ["2", "3"])]
    pub(crate) zarr_format: Option<String>,
    /// Continue an interrupted run: keep the years already in the store and the finished
    /// tiles of the year that was running (same inputs and options).
    #[arg(long)]
    pub(crate) resume: bool,
    /// Replace years whose group is already in the store.
    #[arg(long, conflicts_with = "resume")]
    pub(crate) overwrite: bool,
}

fn parse_bbox(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("`{s}` is not W,S,E,N in degrees, e.g. -90,39,-89,40"))?;
    match v[..] {
        [w, so, e, n]
            if w < e
                && so < n
                && (-180.0..=180.0).contains(&w)
                && (-90.0..=90.0).contains(&so)
                && e <= 180.0
                && n <= 90.0 =>
        {
            Ok([w, so, e, n])
        }
        _ => Err(format!(
            "`{s}` is not W,S,E,N with W < E and S < N, in degrees"
        )),
    }
}

/// The input variables `cfg`'s preset reads (`matlab` takes day length from `lat`).
fn needed(cfg: &Config) -> &'static [&'static str] {
    match cfg.preset() {
        Preset::Matlab => &INPUTS[..2],
        _ => &INPUTS,
    }
}

/// The asset HREFs (absolute) of `vars` of the catalog's items of `region` in `years`.
fn catalog_inputs(
    url: &str,
    region: Option<&str>,
    years: Option<(i32, i32)>,
    vars: &[&str],
) -> anyhow::Result<Vec<String>> {
    let cat = rsdat_stac::Catalog::read(url)
        .with_context(|| format!("cannot read the STAC catalog `{url}`"))?;
    let prop = |item, key: &str| -> Option<String> {
        let p = cat.fields(item).get("properties")?;
        p.get(key)?.as_str().map(str::to_owned)
    };
    let items = cat.all_items(cat.root());
    let regions: std::collections::BTreeSet<String> =
        items.iter().filter_map(|&i| prop(i, "region")).collect();
    let region = match (region, regions.len()) {
        (Some(r), _) if regions.contains(r) => r.to_owned(),
        (None, 1) => regions.iter().next().cloned().unwrap_or_default(),
        (r, _) => bail!(
            "{} in `{url}`; its items' `region` values are: {} (pass one with --region)",
            r.map_or("no --region given".to_owned(), |r| format!(
                "no items of region `{r}`"
            )),
            if regions.is_empty() {
                "none".to_owned()
            } else {
                regions.iter().cloned().collect::<Vec<_>>().join(", ")
            }
        ),
    };
    let year_of = |item| -> Option<i32> {
        let dt = prop(item, "start_datetime").or_else(|| prop(item, "datetime"))?;
        dt.get(..4)?.parse().ok()
    };
    let mut hrefs = Vec::new();
    for item in items {
        if prop(item, "region").as_deref() != Some(region.as_str()) {
            continue;
        }
        let Some(year) = year_of(item) else {
            bail!(
                "item `{}` in `{url}` has no start_datetime or datetime to tell its year",
                cat.id(item)
            );
        };
        if years.is_some_and(|(a, b)| !(a..=b).contains(&year)) {
            continue;
        }
        for &v in vars {
            let href = cat.absolute_asset_href(item, v).with_context(|| {
                format!(
                    "item `{}` in `{url}` has no `{v}` asset (has: {})",
                    cat.id(item),
                    cat.asset_keys(item).join(", ")
                )
            })?;
            hrefs.push(href);
        }
    }
    if hrefs.is_empty() {
        bail!(
            "`{url}` has no items of region `{region}`{}",
            years.map_or(String::new(), |(a, b)| format!(" in {a}-{b}"))
        );
    }
    Ok(hrefs)
}

/// The files of one year, by input variable.
#[derive(Debug, Default)]
struct YearInputs {
    files: BTreeMap<&'static str, String>,
}

/// Finds which input variables each file holds and the year of its first time step.
fn group_by_year(inputs: &[String]) -> anyhow::Result<BTreeMap<i32, YearInputs>> {
    let mut years: BTreeMap<i32, YearInputs> = BTreeMap::new();
    for url in inputs {
        let src = rsdat_io::open(url).with_context(|| format!("cannot open `{url}`"))?;
        let ds = src.dataset();
        let found: Vec<&'static str> = INPUTS
            .iter()
            .copied()
            .filter(|v| ds.variable(v).is_ok())
            .collect();
        if found.is_empty() {
            bail!(
                "`{url}` holds none of tmin, tmax, dayl (has: {})",
                ds.variable_names().join(", ")
            );
        }
        let time = ds
            .variable("time")
            .with_context(|| format!("`{url}` has no `time` variable to tell its year"))?;
        let units = time.attrs.get_str("units").unwrap_or_default();
        let t = TimeUnits::parse(units, time.attrs.get_str("calendar"))
            .with_context(|| format!("`time` in `{url}`"))?;
        let first = src.read("time", &[0], &[1])?.to_f64()[[0]];
        let year: i32 = t.to_iso(first)[..4]
            .parse()
            .with_context(|| format!("cannot read the year of `time` in `{url}`"))?;
        let entry = years.entry(year).or_default();
        for v in found {
            if let Some(prev) = entry.files.insert(v, url.clone()) {
                bail!(
                    "`{v}` for {year} is in both `{prev}` and `{url}`; pass each year's file once"
                );
            }
        }
    }
    Ok(years)
}

#[derive(Serialize)]
pub(crate) struct YearReport {
    pub(crate) year: i32,
    pub(crate) status: &'static str,
    pub(crate) cells: usize,
    /// Days in the window (a tile stops reading once all its cells have their events).
    pub(crate) days: u32,
}

#[derive(Serialize)]
pub(crate) struct GridReport {
    pub(crate) store: PathBuf,
    pub(crate) years: Vec<YearReport>,
    /// Tasks of the run's plan (every year computed).
    pub(crate) tasks: u64,
    /// Wall time of the run: computing and writing the years.
    pub(crate) seconds: f64,
    /// The largest planned memory of one task.
    pub(crate) peak_memory_bytes: u64,
}

pub(crate) fn config(args: &GridArgs) -> anyhow::Result<Config> {
    let preset: Preset = args.preset.parse()?;
    let defaults = Config::for_preset(preset);
    let mut cfg = defaults.clone().with_units(TempUnits::Celsius).with_days(
        args.start_day.unwrap_or(defaults.start_day()),
        args.end_day.unwrap_or(defaults.end_day()),
    )?;
    if !args.plants.is_empty() {
        cfg = cfg.with_plants(args.plants.iter().copied().collect::<Plants>())?;
    }
    let (leaf, bloom) = args
        .events
        .iter()
        .fold((false, false), |(l, b), e| (l || e.leaf(), b || e.bloom()));
    Ok(cfg.with_events(match (leaf, bloom) {
        (true, false) => Events::Leaf,
        (false, true) => Events::Bloom,
        _ => Events::Both,
    }))
}

pub(crate) fn run(args: &GridArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let r = compute(args, global.quiet)?;
    emit(global.json, &r, |out| {
        for y in &r.years {
            writeln!(
                out,
                "{}: {} ({} cells, {}-day window)",
                y.year, y.status, y.cells, y.days
            )?;
        }
        writeln!(out, "{} tasks in {:.2} s", r.tasks, r.seconds)?;
        writeln!(out, "store: {}", r.store.display())?;
        writeln!(
            out,
            "open with: xarray.open_zarr({:?}, group=\"{}\")",
            r.store.display().to_string(),
            r.years.last().map_or(0, |y| y.year)
        )
    })
}

/// Runs the workflow `args` describes, year by year.
pub(crate) fn compute(args: &GridArgs, quiet: bool) -> anyhow::Result<GridReport> {
    if args.coarsen == 0 {
        bail!("--coarsen must be at least 1");
    }
    let cfg = config(args)?;
    let inputs = match &args.catalog {
        Some(url) => catalog_inputs(url, args.region.as_deref(), args.years, needed(&cfg))?,
        None => args.inputs.clone(),
    };
    let mut years = group_by_year(&inputs)?;
    if let Some((a, b)) = args.years {
        let have: Vec<String> = years.keys().map(ToString::to_string).collect();
        years.retain(|y, _| (a..=b).contains(y));
        if years.is_empty() {
            bail!("no input for {a}-{b} (the inputs hold {})", have.join(", "));
        }
    }
    for (year, y) in &years {
        let missing: Vec<&str> = needed(&cfg)
            .iter()
            .copied()
            .filter(|v| !y.files.contains_key(v))
            .collect();
        if !missing.is_empty() {
            bail!(
                "{year}: no file holds {}; add the file(s) with these variables",
                missing.join(", ")
            );
        }
    }
    let format = args
        .zarr_format
        .as_deref()
        .map(str::parse::<ZarrFormat>)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let started = std::time::Instant::now();
    let mut reports = Vec::new();
    let mut pending = Vec::new();
    for (&year, inputs) in &years {
        let group = year.to_string();
        let exists = args.out.exists()
            && rsdat_zarr::list_groups(&args.out).is_ok_and(|g| g.contains(&group));
        if exists && args.resume {
            reports.push(YearReport {
                year,
                status: "skipped (already in the store)",
                cells: 0,
                days: 0,
            });
            continue;
        }
        if exists && !args.overwrite {
            bail!(
                "{year} is already in `{}`; pass --resume to keep it or --overwrite to replace it",
                args.out.display()
            );
        }
        let files: Vec<String> = needed(&cfg)
            .iter()
            .map(|v| inputs.files[v].clone())
            .collect();
        pending.push(plan_year(args, &cfg, year, files)?);
    }
    let (tasks, peak) = if pending.is_empty() {
        (0, 0)
    } else {
        run_years(args, &cfg, &pending, format, quiet)?
    };
    reports.extend(pending.iter().map(|y| YearReport {
        year: y.year,
        status: "done",
        cells: y.ys.len() * y.xs.len(),
        days: y.days,
    }));
    reports.sort_by_key(|r| r.year);
    Ok(GridReport {
        store: args.out.clone(),
        years: reports,
        tasks,
        seconds: started.elapsed().as_secs_f64(),
        peak_memory_bytes: peak,
    })
}

/// A year's part of the run: its inputs and the fold's layers.
struct YearPlan {
    year: i32,
    src: Arc<MergedSource>,
    files: Vec<String>,
    ys: Vec<f64>,
    xs: Vec<f64>,
    days: u32,
    /// The fold's outputs, in [`Layer::ALL`] order: first leaf, then first bloom.
    layers: Vec<LazyArray>,
}

/// Computes the pending `years` as one plan and writes each year's group; returns the
/// plan's task count and its largest task memory.
fn run_years(
    args: &GridArgs,
    cfg: &Config,
    years: &[YearPlan],
    format: Option<ZarrFormat>,
    quiet: bool,
) -> anyhow::Result<(u64, u64)> {
    let refs: Vec<&LazyArray> = years.iter().flat_map(|y| &y.layers).collect();
    let plan = rsdat_array::Plan::build(&refs)?;
    let dir = task_dir(&args.out);
    if !args.resume && dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("cannot remove `{}`", dir.display()))?;
    }
    let label = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a.year != b.year => format!("{}-{}", a.year, b.year),
        _ => years[0].year.to_string(),
    };
    let mut opts = args.exec.options(&label, quiet)?;
    opts.task_dir = Some(dir.clone());
    let outputs = rsdat_array::run(&plan, &opts).map_err(|e| match e {
        rsdat_array::Error::Memory { .. } => anyhow::Error::new(e).context(format!(
            "{label} does not fit in --memory-limit: clip with --bbox, coarsen with --coarsen, \
             use fewer --workers or raise the limit"
        )),
        e => e.into(),
    })?;
    let mut next = 0;
    for y in years {
        let values = outputs.get(next..next + y.layers.len())?;
        next += y.layers.len();
        let (leaf, bloom) = values.split_at(Layer::ALL.len());
        let flat = |v: &[ndarray::ArrayD<f64>]| -> Vec<f64> {
            v.iter().flat_map(|a| a.iter().copied()).collect()
        };
        write_year(args, cfg, y, format, (flat(leaf), flat(bloom)))?;
    }
    drop(outputs);
    std::fs::remove_dir_all(&dir).with_context(|| format!("cannot remove `{}`", dir.display()))?;
    Ok((plan.n_tasks(), plan.peak_bytes()))
}

/// Checks that the inputs share one grid (shape and x/y coordinates); returns its days.
fn days_of(src: &MergedSource, files: &[String]) -> anyhow::Result<usize> {
    let ds = src.dataset();
    let tmin = ds.variable(INPUTS[0])?;
    let [nt, ny, nx] = tmin.shape[..] else {
        bail!(
            "`tmin` in `{}` has dims {:?}; expected (time, y, x)",
            files[0],
            tmin.dims
        );
    };
    let coord = |s: &dyn Source, name: &str, n: usize| -> anyhow::Result<Vec<f64>> {
        match s.dataset().variable(name) {
            Ok(v) if v.shape == [n] => {
                Ok(s.read(name, &[0], &[n])?.to_f64().iter().copied().collect())
            }
            #[allow(clippy::cast_precision_loss)]
            _ => Ok((0..n).map(|i| i as f64).collect()),
        }
    };
    let (y, x) = (coord(src, "y", ny)?, coord(src, "x", nx)?);
    for (v, f) in INPUTS.iter().zip(files).skip(1) {
        // files are in INPUTS order, as many as the preset needs
        let owner = src
            .source_of(v)
            .with_context(|| format!("no `{v}` in `{f}`"))?;
        let shape = &owner.dataset().variable(v)?.shape;
        if shape != &tmin.shape
            || coord(owner.as_ref(), "y", ny)? != y
            || coord(owner.as_ref(), "x", nx)? != x
        {
            bail!(
                "`{v}` in `{f}` is not on the grid of `tmin` in `{}` (shape {shape:?} vs {:?}, or other x/y); the grids must match",
                files[0],
                tmin.shape
            );
        }
    }
    Ok(nt)
}

/// The task directory beside the store: finished tiles of an interrupted run.
fn task_dir(out: &std::path::Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// Opens the inputs of `year` (`files` in [`INPUTS`] order) and lazily folds them.
fn plan_year(
    args: &GridArgs,
    cfg: &Config,
    year: i32,
    files: Vec<String>,
) -> anyhow::Result<YearPlan> {
    let src = Arc::new(
        rsdat_io::open_merged(&files)
            .with_context(|| format!("cannot open the inputs of {year}"))?,
    );
    let nt = days_of(&src, &files)?;
    if usize::try_from(cfg.end_day()).unwrap_or(usize::MAX) > nt {
        bail!(
            "--end-day {} is past the {nt} days in `{}`",
            cfg.end_day(),
            files[0]
        );
    }
    let n = args.coarsen;
    let slice = |start: usize, len: usize| Selection::Slice {
        start,
        stop: start + len,
        step: 1,
    };
    let window = |a: LazyArray| -> anyhow::Result<LazyArray> {
        let a = match args.bbox {
            Some(b) => a
                .clip_box(b)
                .with_context(|| format!("--bbox on `{}`", files[0]))?,
            None => a,
        };
        let (wy, wx) = (a.shape()[a.axis("y")?], a.shape()[a.axis("x")?]);
        if wy < n || wx < n {
            bail!("--coarsen {n} is larger than the {wy} x {wx} cells selected");
        }
        Ok(if n > 1 {
            a.coarsen_mean(&[("y", n), ("x", n)])?
        } else {
            a
        })
    };
    let days = (cfg.end_day() - cfg.start_day() + 1) as usize;
    let mut inputs: Vec<LazyArray> = needed(cfg)
        .iter()
        .map(|v| {
            window(
                LazyArray::from_source(src.clone(), &files, v)?
                    .isel("time", slice(cfg.start_day() as usize - 1, days))?,
            )
        })
        .collect::<anyhow::Result<_>>()?;
    if cfg.preset() == Preset::Matlab {
        // the latitude of each cell, the same every day
        let lat = LazyArray::from_source(src.clone(), &files, "lat").with_context(|| {
            format!(
                "the matlab preset takes day length from latitude, but `{}` has no `lat`",
                files[0]
            )
        })?;
        let days_axis = LazyArray::full("day", &[("time", days)], &[1], 0.0)?;
        inputs.push(days_axis.add(&window(lat)?)?);
    }
    let coord =
        |d: &str| -> Vec<f64> { inputs[0].coord(d).map(<[f64]>::to_vec).unwrap_or_default() };
    let (ys, xs) = (coord("y"), coord("x"));
    let refs: Vec<&LazyArray> = inputs.iter().collect();
    let layers = LazyArray::fold(&refs, "time", SpringIndexFold::new(cfg.clone()))?;
    Ok(YearPlan {
        year,
        src,
        files,
        ys,
        xs,
        days: u32::try_from(days).unwrap_or(u32::MAX),
        layers,
    })
}

/// Writes the group of `year`: `first-leaf`, `first-bloom` (plant, y, x), coordinates and the
/// grid mapping, atomically (the group appears only when complete).
fn write_year(
    args: &GridArgs,
    cfg: &Config,
    y: &YearPlan,
    format: Option<ZarrFormat>,
    (leaf, bloom): (Vec<f64>, Vec<f64>),
) -> anyhow::Result<()> {
    let (year, files) = (y.year, &y.files);
    let (ys, xs) = (y.ys.as_slice(), y.xs.as_slice());
    let options = StoreOptions {
        format,
        overwrite: args.overwrite,
        ..StoreOptions::default()
    };
    let mut store = if args.out.exists() {
        StoreWriter::open_existing(&args.out, options)?
    } else {
        StoreWriter::create(&args.out, options)?
    };
    let mut attrs = Attributes::new();
    attrs.insert("title", format!("Extended Spring Indices {year}"));
    attrs.insert("preset", cfg.preset().to_string());
    attrs.insert(
        "window",
        AttrValue::Int(vec![i64::from(cfg.start_day()), i64::from(cfg.end_day())]),
    );
    attrs.insert("source", files.join(" "));
    if let Some(b) = args.bbox {
        attrs.insert("bbox", AttrValue::Float(b.to_vec()));
    }
    #[allow(clippy::cast_possible_wrap)]
    attrs.insert("coarsen", AttrValue::Int(vec![args.coarsen as i64]));
    attrs.insert(
        "history",
        format!("rsdat {} spring-index grid", env!("CARGO_PKG_VERSION")),
    );
    let group = store.group(&year.to_string(), &attrs)?;
    let dataset = y.src.dataset();
    let grid_mapping = match &dataset.crs {
        Some(crs) => {
            let transform = rsdat_model::GeoTransform::from_centres(xs, ys);
            Some(group.write_grid_mapping(crs, transform.as_ref())?)
        }
        None => None,
    };
    let (oy, ox) = (ys.len(), xs.len());
    for (name, values, axis) in [("y", ys, "y"), ("x", xs, "x")] {
        let mut v = Variable::new(name, DType::F64, vec![(axis.into(), values.len())]);
        if let Ok(orig) = dataset.variable(name) {
            v.attrs = orig.attrs.clone();
        }
        let w = group.create_array(&v, &[values.len()])?;
        w.write_all(&rsdat_model::Values::F64(ndarray::ArrayD::from_shape_vec(
            vec![values.len()],
            values.to_vec(),
        )?))?;
    }
    let plant = Variable::new("plant", DType::Text, vec![("plant".into(), 4)]);
    let names = ndarray::ArrayD::from_shape_vec(
        vec![4],
        Layer::ALL.iter().map(|l| l.name().to_owned()).collect(),
    )?;
    group.create_array(&plant, &[4])?.write_all_text(&names)?;
    for (name, long, values) in [
        ("first-leaf", "first leaf", leaf),
        ("first-bloom", "first bloom", bloom),
    ] {
        let mut v = Variable::new(
            name,
            DType::F64,
            vec![("plant".into(), 4), ("y".into(), oy), ("x".into(), ox)],
        );
        v.attrs
            .insert("long_name", format!("{long} day (Extended Spring Indices)"));
        // No CF `units`: xarray would decode "days since ..." as dates and "days" as timedeltas.
        v.attrs.insert(
            "description",
            match cfg.preset() {
                Preset::Matlab => {
                    "day of year counted from 1 on 1 January (matlab preset, as the SI-x toolbox)"
                }
                _ => "day of year counted from 0 on 1 January (rsdat preset, as the seed notebook)",
            },
        );
        if let Some(gm) = &grid_mapping {
            v.attrs.insert("grid_mapping", gm.clone());
            v.attrs.insert("coordinates", gm.clone());
        }
        let w = group.create_array(&v, &[1, oy, ox])?;
        w.write_all(&rsdat_model::Values::F64(ndarray::ArrayD::from_shape_vec(
            vec![4, oy, ox],
            values,
        )?))?;
    }
    store.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_boxes() {
        assert!(parse_bbox("-90,39,-89,40").is_ok());
        assert!(parse_bbox("-89,39,-90,40").is_err());
    }
}
