//! What a plot shows, read from a dataset: the panels of a map or the lines of a time series,
//! with axes in the grid's coordinates.

use anyhow::{bail, Context};
use rsdat_model::{DType, Dataset, Source, TimeUnits, Variable};

use super::PlotArgs;

/// One axis of the grid: cell-centre coordinates for display and for lookups.
#[derive(Debug)]
pub(crate) struct Axis {
    /// Label with units, e.g. `x (km)`.
    pub(crate) label: String,
    /// Cell centres in display units (km for metres).
    pub(crate) values: Vec<f64>,
    /// Cell centres as stored (CRS units), for `--pixel`.
    raw: Vec<f64>,
}

/// A map: one or more panels over the same (y, x) grid, values row-major (`[row][col]`).
#[derive(Debug)]
pub(crate) struct Map {
    pub(crate) title: String,
    /// What the values are, for the colour bar: `long_name [units]`, as xarray labels it.
    pub(crate) label: String,
    pub(crate) x: Axis,
    pub(crate) y: Axis,
    /// Panel label and `y.len() * x.len()` values, NaN where missing.
    pub(crate) panels: Vec<(String, Vec<f64>)>,
}

/// The time series of one cell: one line per layer.
#[derive(Debug)]
pub(crate) struct Series {
    pub(crate) title: String,
    pub(crate) x_label: String,
    pub(crate) y_label: String,
    /// Line label and one value per time step, NaN where missing.
    pub(crate) layers: Vec<(String, Vec<f64>)>,
}

/// Where each role sits among the variable's dimensions.
struct Layout<'a> {
    var: &'a Variable,
    time: Option<usize>,
    facet: Option<usize>,
}

impl Layout<'_> {
    fn y(&self) -> usize {
        self.var.dims.len() - 2
    }

    fn x(&self) -> usize {
        self.var.dims.len() - 1
    }
}

fn is_time(ds: &Dataset, dim: &str) -> bool {
    dim == "time"
        || ds
            .variable(dim)
            .ok()
            .and_then(|c| c.attrs.get_str("units"))
            .is_some_and(|u| u.contains(" since "))
}

fn layout<'a>(src: &'a dyn Source, name: &str) -> anyhow::Result<Layout<'a>> {
    let ds = src.dataset();
    let Some(var) = ds.variables.iter().find(|v| v.name == name) else {
        let found: Vec<&str> = ds.data_variables().map(|v| v.name.as_str()).collect();
        bail!(
            "variable `{name}` not found in `{}` (has: {}); pick one with --var",
            src.location(),
            found.join(", ")
        );
    };
    if var.dims.len() < 2 || var.dtype == DType::Text {
        bail!(
            "variable `{name}` in `{}` has dims ({}); rsdat plot draws numeric variables with two \
             spatial dimensions last, such as (time, y, x) or (plant, y, x)",
            src.location(),
            var.dims.join(", ")
        );
    }
    let (mut time, mut facet) = (None, None);
    for (i, dim) in var.dims[..var.dims.len() - 2].iter().enumerate() {
        if time.is_none() && is_time(ds, dim) {
            time = Some(i);
        } else if facet.is_none() {
            facet = Some(i);
        } else {
            bail!(
                "variable `{name}` has dims ({}); rsdat plot draws one panel per value of one \
                 leading dimension besides time",
                var.dims.join(", ")
            );
        }
    }
    Ok(Layout { var, time, facet })
}

/// Reads a 1-D coordinate variable as `f64`, if there is one of length `len`.
fn coordinate<'a>(src: &'a dyn Source, dim: &str, len: usize) -> Option<(Vec<f64>, &'a Variable)> {
    let c = src.dataset().variable(dim).ok()?;
    if c.shape != [len] || c.dtype == DType::Text {
        return None;
    }
    let v = src.read(dim, &[0], &[len]).ok()?;
    Some((rsdat_model::decode_f64(c, &v).iter().copied().collect(), c))
}

fn axis(src: &dyn Source, dim: &str, len: usize) -> Axis {
    match coordinate(src, dim, len) {
        Some((raw, c)) => {
            let units = c.attrs.get_str("units").unwrap_or_default();
            let metres = matches!(units, "m" | "meter" | "meters" | "metre" | "metres");
            let (values, label) = if metres {
                (
                    raw.iter().map(|v| v / 1000.0).collect(),
                    format!("{dim} (km)"),
                )
            } else if units.is_empty() {
                (raw.clone(), dim.to_owned())
            } else {
                (raw.clone(), format!("{dim} ({units})"))
            };
            Axis { label, values, raw }
        }
        None => {
            #[allow(clippy::cast_precision_loss)]
            let raw: Vec<f64> = (0..len).map(|i| i as f64).collect();
            Axis {
                label: format!("{dim} (index)"),
                values: raw.clone(),
                raw,
            }
        }
    }
}

/// Labels of the values of dimension `dim`: its coordinate's text or numbers, else indices.
fn labels(src: &dyn Source, dim: &str, len: usize) -> Vec<String> {
    if let Ok(c) = src.dataset().variable(dim) {
        if c.shape == [len] && c.dtype == DType::Text {
            if let Ok(t) = src.read_text(dim, &[0], &[len]) {
                return t.iter().cloned().collect();
            }
        } else if let Some((v, _)) = coordinate(src, dim, len) {
            return v.iter().map(|x| format!("{dim} = {x}")).collect();
        }
    }
    (0..len).map(|i| format!("{dim} {i}")).collect()
}

/// The ISO date of time step `i`, if `dim` has CF time units.
fn time_label(src: &dyn Source, dim: &str, len: usize, i: usize) -> Option<String> {
    let (v, c) = coordinate(src, dim, len)?;
    let units = TimeUnits::parse(c.attrs.get_str("units")?, c.attrs.get_str("calendar")).ok()?;
    Some(units.to_iso(v[i]))
}

fn units_of(var: &Variable) -> String {
    var.attrs.get_str("units").unwrap_or_default().to_owned()
}

/// `long_name [units]` (or the standard name, or the variable's name), as xarray labels axes.
fn label_of(var: &Variable) -> String {
    let name = ["long_name", "standard_name"]
        .iter()
        .find_map(|k| var.attrs.get_str(k))
        .unwrap_or(&var.name);
    match var.attrs.get_str("units") {
        Some(u) if !u.is_empty() => format!("{name} [{u}]"),
        _ => name.to_owned(),
    }
}

/// Reads `var` over the window and decodes it to `f64` (NaN for fill values).
fn read(
    src: &dyn Source,
    var: &Variable,
    start: &[usize],
    count: &[usize],
) -> anyhow::Result<Vec<f64>> {
    let values = src
        .read(&var.name, start, count)
        .with_context(|| format!("cannot read `{}` from `{}`", var.name, src.location()))?;
    Ok(rsdat_model::decode_f64(var, &values)
        .iter()
        .copied()
        .collect())
}

impl Map {
    /// The map `args` asks for.
    pub(crate) fn read(src: &dyn Source, args: &PlotArgs) -> anyhow::Result<Self> {
        let l = layout(src, &args.var)?;
        let var = l.var;
        let (ny, nx) = (var.shape[l.y()], var.shape[l.x()]);
        let mut start = vec![0; var.dims.len()];
        let mut count = var.shape.clone();
        let mut title = args.var.clone();
        if let Some(g) = &args.group {
            title += &format!(" | group {g}");
        }
        if let Some(t) = l.time {
            let len = var.shape[t];
            if args.time_index >= len {
                bail!(
                    "--time-index {} is past the end of `{}` ({len} steps in `{}`); pick 0..={}",
                    args.time_index,
                    var.dims[t],
                    src.location(),
                    len.saturating_sub(1)
                );
            }
            start[t] = args.time_index;
            count[t] = 1;
            let when = time_label(src, &var.dims[t], len, args.time_index)
                .unwrap_or_else(|| format!("step {}", args.time_index));
            title += &format!(" | {when}");
        }
        let values = read(src, var, &start, &count)?;
        let names = match l.facet {
            Some(f) => labels(src, &var.dims[f], var.shape[f]),
            None => vec![String::new()],
        };
        let panels = names
            .into_iter()
            .zip(values.chunks(ny * nx))
            .map(|(n, v)| (n, v.to_vec()))
            .collect();
        Ok(Map {
            title,
            label: label_of(var),
            x: axis(src, &var.dims[l.x()], nx),
            y: axis(src, &var.dims[l.y()], ny),
            panels,
        })
    }
}

/// The index of the centre nearest to `v`, if `v` lies within the axis's cells.
fn nearest(centres: &[f64], v: f64) -> Option<usize> {
    let (i, d) = centres
        .iter()
        .enumerate()
        .map(|(i, c)| (i, (c - v).abs()))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    let half = if centres.len() > 1 {
        (centres[1] - centres[0]).abs() / 2.0
    } else {
        0.5
    };
    (d <= half * (1.0 + 1e-9)).then_some(i)
}

impl Series {
    /// The time series `args` asks for (`--pixel` or `--pixel-index`).
    pub(crate) fn read(src: &dyn Source, args: &PlotArgs) -> anyhow::Result<Self> {
        let l = layout(src, &args.var)?;
        let var = l.var;
        let Some(t) = l.time else {
            bail!(
                "variable `{}` has dims ({}), no time dimension; --pixel draws a time series, \
                 drop it to draw a map",
                args.var,
                var.dims.join(", ")
            );
        };
        let (ny, nx) = (var.shape[l.y()], var.shape[l.x()]);
        let (xa, ya) = (
            axis(src, &var.dims[l.x()], nx),
            axis(src, &var.dims[l.y()], ny),
        );
        let (col, row, place) = match (args.pixel, args.pixel_index) {
            (_, Some((c, r))) => {
                if c >= nx || r >= ny {
                    bail!(
                        "--pixel-index {c},{r} is outside the grid of `{}`: columns 0..={}, \
                         rows 0..={}",
                        src.location(),
                        nx.saturating_sub(1),
                        ny.saturating_sub(1)
                    );
                }
                (c, r, format!("column {c}, row {r}"))
            }
            (Some((x, y)), None) => {
                let (Some(c), Some(r)) = (nearest(&xa.raw, x), nearest(&ya.raw, y)) else {
                    let span = |a: &Axis| {
                        format!(
                            "{}..{}",
                            a.raw.first().copied().unwrap_or(f64::NAN),
                            a.raw.last().copied().unwrap_or(f64::NAN)
                        )
                    };
                    bail!(
                        "--pixel {x},{y} is outside the grid of `{}` (cell centres: {} {}, {} {}); \
                         give coordinates in the grid's CRS or use --pixel-index COL,ROW",
                        src.location(),
                        var.dims[l.x()],
                        span(&xa),
                        var.dims[l.y()],
                        span(&ya)
                    );
                };
                (
                    c,
                    r,
                    format!(
                        "{} = {}, {} = {}",
                        var.dims[l.x()],
                        xa.raw[c],
                        var.dims[l.y()],
                        ya.raw[r]
                    ),
                )
            }
            (None, None) => bail!("give --pixel X,Y or --pixel-index COL,ROW"),
        };
        let mut start = vec![0; var.dims.len()];
        let mut count = var.shape.clone();
        (start[l.y()], count[l.y()]) = (row, 1);
        (start[l.x()], count[l.x()]) = (col, 1);
        let values = read(src, var, &start, &count)?;
        let steps = var.shape[t];
        let names = match l.facet {
            Some(f) => labels(src, &var.dims[f], var.shape[f]),
            None => vec![args.var.clone()],
        };
        // Values are in dimension order; the facet may come before or after time.
        let layers = names
            .into_iter()
            .enumerate()
            .map(|(k, name)| {
                let v = (0..steps)
                    .map(|s| match l.facet {
                        Some(f) if f < t => values[k * steps + s],
                        Some(_) => values[s * count.iter().product::<usize>() / steps + k],
                        None => values[s],
                    })
                    .collect();
                (name, v)
            })
            .collect();
        let x_label = match time_label(src, &var.dims[t], steps, 0) {
            Some(first) => format!("{} step (0 = {first})", var.dims[t]),
            None => format!("{} step", var.dims[t]),
        };
        let units = units_of(var);
        Ok(Series {
            title: format!("{} at {place}", args.var),
            x_label,
            y_label: if units.is_empty() {
                args.var.clone()
            } else {
                format!("{} ({units})", args.var)
            },
            layers,
        })
    }
}
