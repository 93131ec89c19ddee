//! `rsdat info`: what `print(xarray.open_dataset(...))` and `gdalinfo` show.

use std::io::Write;

use anyhow::Context;
use clap::Args;
use rsdat_model::{Attributes, Dataset, Source, TimeUnits, Variable};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cli::GlobalArgs;
use crate::output::emit;

/// Describe a dataset.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rsdat info daymet_v4_daily_na_tmax_1980.nc\n  rsdat info tmin.nc tmax.nc dayl.nc --json\n  rsdat info https://example.org/B02.tif"
)]
pub(crate) struct InfoArgs {
    /// Paths or URLs; several files are merged by variable (as xarray.open_mfdataset).
    #[arg(required = true)]
    pub(crate) inputs: Vec<String>,
    /// Group to describe: of a Zarr store (e.g. a year) or a NetCDF-4 file (a path such as
    /// `a/b`); the root when absent.
    #[arg(long)]
    pub(crate) group: Option<String>,
}

#[derive(Serialize)]
struct Description {
    location: String,
    dims: Map<String, Value>,
    coords: Vec<VarDescription>,
    data_vars: Vec<VarDescription>,
    crs: Option<CrsDescription>,
    transform: Option<[f64; 6]>,
    attrs: Map<String, Value>,
}

#[derive(Serialize)]
struct VarDescription {
    name: String,
    dims: Vec<String>,
    shape: Vec<usize>,
    dtype: String,
    chunks: Option<Vec<usize>>,
    compression: Option<String>,
    /// First and last values of a 1-D coordinate (dates for CF time).
    range: Option<(String, String)>,
    attrs: Map<String, Value>,
}

#[derive(Serialize)]
struct CrsDescription {
    proj4: Option<String>,
    epsg: Option<u32>,
    grid_mapping: Option<String>,
    wkt: Option<String>,
}

fn attrs_json(a: &Attributes) -> Map<String, Value> {
    a.iter()
        .map(|(k, v)| {
            let value = match serde_json::to_value(v).unwrap_or(Value::Null) {
                Value::Array(mut one) if one.len() == 1 => one.remove(0),
                other => other,
            };
            (k.to_owned(), value)
        })
        .collect()
}

/// Names listed in any variable's CF `coordinates` attribute (auxiliary coordinates).
fn auxiliary_coords(ds: &Dataset) -> Vec<&str> {
    ds.variables
        .iter()
        .filter_map(|v| v.attrs.get_str("coordinates"))
        .flat_map(str::split_whitespace)
        .collect()
}

/// First and last value of a 1-D variable, decoded to dates when it has CF time units.
fn range(src: &dyn Source, v: &Variable) -> Option<(String, String)> {
    if v.dims.len() != 1 || v.shape[0] == 0 || v.dtype == rsdat_model::DType::Text {
        return None;
    }
    let n = v.shape[0];
    let first = src.read(&v.name, &[0], &[1]).ok()?.to_f64()[[0]];
    let last = src.read(&v.name, &[n - 1], &[1]).ok()?.to_f64()[[0]];
    let units = v.attrs.get_str("units").unwrap_or_default();
    if let Ok(t) = TimeUnits::parse(units, v.attrs.get_str("calendar")) {
        return Some((t.to_iso(first), t.to_iso(last)));
    }
    Some((first.to_string(), last.to_string()))
}

fn describe(src: &dyn Source) -> Description {
    let ds = src.dataset();
    let aux = auxiliary_coords(ds);
    let is_coord = |v: &Variable| Dataset::is_coordinate(v) || aux.contains(&v.name.as_str());
    let var = |v: &Variable| VarDescription {
        name: v.name.clone(),
        dims: v.dims.clone(),
        shape: v.shape.clone(),
        dtype: v.dtype.to_string(),
        chunks: v.chunks.clone(),
        compression: v.compression.clone(),
        range: range(src, v),
        attrs: attrs_json(&v.attrs),
    };
    Description {
        location: src.location().to_owned(),
        dims: ds
            .dims
            .iter()
            .map(|d| (d.name.clone(), Value::from(d.len)))
            .collect(),
        coords: ds
            .variables
            .iter()
            .filter(|v| is_coord(v))
            .map(var)
            .collect(),
        data_vars: ds
            .variables
            .iter()
            .filter(|v| !is_coord(v))
            .map(var)
            .collect(),
        crs: ds.crs.as_ref().map(|c| CrsDescription {
            proj4: c.proj4.clone(),
            epsg: c.epsg,
            grid_mapping: c.grid_mapping.clone(),
            wkt: c.wkt.clone(),
        }),
        transform: ds.transform.map(|t| t.0),
        attrs: attrs_json(&ds.attrs),
    }
}

fn write_human(out: &mut dyn Write, d: &Description) -> std::io::Result<()> {
    writeln!(out, "<rsdat.Dataset> {}", d.location)?;
    let dims: Vec<String> = d.dims.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    writeln!(out, "Dimensions:  ({})", dims.join(", "))?;
    let width = d
        .coords
        .iter()
        .chain(&d.data_vars)
        .map(|v| v.name.len())
        .max()
        .unwrap_or(0);
    for (title, vars, mark) in [
        ("Coordinates:", &d.coords, "*"),
        ("Data variables:", &d.data_vars, " "),
    ] {
        writeln!(out, "{title}")?;
        if vars.is_empty() {
            writeln!(out, "    *empty*")?;
        }
        for v in vars {
            let mark = if v.dims.len() == 1 && v.dims[0] == v.name {
                mark
            } else {
                " "
            };
            let mut line = format!(
                "  {mark} {:width$}  ({}) {}",
                v.name,
                v.dims.join(", "),
                v.dtype
            );
            if let Some((a, b)) = &v.range {
                line += &format!("  {a} .. {b}");
            }
            if let Some(c) = &v.chunks {
                line += &format!("  chunks={c:?}");
            }
            if let Some(c) = &v.compression {
                line += &format!("  {c}");
            }
            writeln!(out, "{line}")?;
        }
    }
    if let Some(c) = &d.crs {
        let text = c
            .proj4
            .as_deref()
            .or(c.wkt.as_deref())
            .unwrap_or("(unrecognised)");
        let epsg = c.epsg.map(|e| format!(" EPSG:{e}")).unwrap_or_default();
        let gm = c
            .grid_mapping
            .as_ref()
            .map(|g| format!(" (grid mapping `{g}`)"))
            .unwrap_or_default();
        writeln!(out, "CRS:{epsg} {text}{gm}")?;
    }
    if let Some(t) = d.transform {
        writeln!(out, "Transform: {t:?}")?;
    }
    writeln!(out, "Attributes:")?;
    for (k, v) in &d.attrs {
        let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        writeln!(out, "    {k}: {text}")?;
    }
    Ok(())
}

pub(crate) fn run(args: &InfoArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let context = || format!("cannot open {}", args.inputs.join(", "));
    let d = match (&args.group, args.inputs.as_slice()) {
        (Some(group), [one]) => {
            describe(&*rsdat_io::open_group(one, Some(group)).with_context(context)?)
        }
        (Some(_), _) => anyhow::bail!("--group takes one input (a Zarr store or NetCDF-4 file)"),
        (None, _) => describe(&rsdat_io::open_merged(&args.inputs).with_context(context)?),
    };
    emit(global.json, &d, |out| write_human(out, &d))
}
