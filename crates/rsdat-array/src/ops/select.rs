//! Selection by position (`isel`) and by label (`sel`).

use crate::expr::{Node, Op};
use crate::{Error, LazyArray, Result};

/// A selection along one dimension.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Selection {
    /// One position; the dimension is dropped.
    Index(usize),
    /// Positions `start..stop` every `step`.
    Slice {
        /// First position.
        start: usize,
        /// One past the last position.
        stop: usize,
        /// Stride (at least 1).
        step: usize,
    },
    /// One coordinate label (exact match, or nearest when `nearest`).
    Label {
        /// The label.
        value: f64,
        /// Take the nearest label instead of requiring an exact one.
        nearest: bool,
    },
    /// Labels from `lo` to `hi`, both inclusive, as pandas' label slices.
    LabelRange {
        /// Lowest label kept.
        lo: f64,
        /// Highest label kept.
        hi: f64,
    },
}

impl LazyArray {
    /// Selects along `dim` by position, as `DataArray.isel`.
    ///
    /// # Errors
    /// [`Error::UnknownDim`], or [`Error::OutOfRange`] naming the array and dimension.
    pub fn isel(&self, dim: &str, sel: Selection) -> Result<Self> {
        let a = self.axis(dim)?;
        let len = self.shape()[a];
        let oor = |what: String| Error::OutOfRange {
            array: self.name.clone(),
            dim: dim.to_owned(),
            what,
            len,
        };
        let (start, count, step, drop) = match sel {
            Selection::Index(i) => {
                if i >= len {
                    return Err(oor(format!("index {i}")));
                }
                (i, 1, 1, true)
            }
            Selection::Slice { start, stop, step } => {
                if step == 0 {
                    return Err(oor("slice step 0".into()));
                }
                if start > len || stop > len || start > stop {
                    return Err(oor(format!("slice {start}..{stop}")));
                }
                (start, (stop - start).div_ceil(step), step, false)
            }
            Selection::Label { .. } | Selection::LabelRange { .. } => {
                return self.sel(dim, sel);
            }
        };
        let mut starts = vec![0; self.dims.len()];
        let mut steps = vec![1; self.dims.len()];
        starts[a] = start;
        steps[a] = step;
        let mut shape = self.shape().to_vec();
        shape[a] = count;
        let mut chunks = self.chunks().to_vec();
        chunks[a] = chunks[a].min(count.max(1));
        let node = Node::same_axes(
            Op::Isel {
                start: starts,
                step: steps,
            },
            vec![self.node.clone()],
            shape,
            chunks,
            self.name.clone(),
        );
        let mut out = self.derive(self.dims.clone(), node);
        if let Some(c) = out.coords.get_mut(dim) {
            *c = c
                .iter()
                .skip(start)
                .step_by(step)
                .take(count)
                .copied()
                .collect();
        }
        if drop {
            out = out.squeeze(a);
        }
        Ok(out)
    }

    /// Selects along `dim` by coordinate label, as `DataArray.sel`.
    ///
    /// # Errors
    /// [`Error::UnknownDim`]; [`Error::Invalid`] when `dim` has no coordinate;
    /// [`Error::OutOfRange`] when no label matches.
    pub fn sel(&self, dim: &str, sel: Selection) -> Result<Self> {
        let a = self.axis(dim)?;
        let coord = self.coords.get(dim).ok_or_else(|| {
            Error::invalid(
                &self.name,
                format!("dimension `{dim}` has no coordinate to select labels on; use isel"),
            )
        })?;
        let oor = |what: String| Error::OutOfRange {
            array: self.name.clone(),
            dim: dim.to_owned(),
            what,
            len: self.shape()[a],
        };
        match sel {
            Selection::Label { value, nearest } => {
                let i = if nearest {
                    coord
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| !c.is_nan())
                        .min_by(|x, y| (x.1 - value).abs().total_cmp(&(y.1 - value).abs()))
                        .map(|(i, _)| i)
                } else {
                    coord.iter().position(|&c| c == value)
                };
                let i = i.ok_or_else(|| oor(format!("label {value}")))?;
                self.isel(dim, Selection::Index(i))
            }
            Selection::LabelRange { lo, hi } => {
                let inside: Vec<usize> = (0..coord.len())
                    .filter(|&i| coord[i] >= lo && coord[i] <= hi)
                    .collect();
                let (Some(&s), Some(&e)) = (inside.first(), inside.last()) else {
                    return Err(oor(format!("labels {lo}..={hi}")));
                };
                if e - s + 1 != inside.len() {
                    return Err(Error::invalid(
                        &self.name,
                        format!("coordinate `{dim}` is not monotonic"),
                    ));
                }
                self.isel(
                    dim,
                    Selection::Slice {
                        start: s,
                        stop: e + 1,
                        step: 1,
                    },
                )
            }
            other => self.isel(dim, other),
        }
    }

    /// Drops axis `a` of length 1.
    pub(crate) fn squeeze(&self, a: usize) -> Self {
        let mut dims = self.dims.clone();
        dims.remove(a);
        let mut shape = self.shape().to_vec();
        shape.remove(a);
        let mut chunks = self.chunks().to_vec();
        chunks.remove(a);
        let node = Node::same_axes(
            Op::Squeeze { axis: a },
            vec![self.node.clone()],
            shape,
            chunks,
            self.name.clone(),
        );
        self.derive(dims, node)
    }
}

impl LazyArray {
    /// The cells that meet the lon/lat box `[W, S, E, N]` (degrees), the box transformed
    /// (densified to 21 points per edge) into the array's CRS, as rioxarray's
    /// `rio.clip_box(W, S, E, N, crs="EPSG:4326")` selects them: cells whose centre lies
    /// within the bounds padded by half a cell. Works on dims `y`/`x` with coordinates in the
    /// CRS's units.
    ///
    /// # Errors
    /// [`Error::Invalid`] without a CRS or x/y coordinates, or when the box misses the grid.
    pub fn clip_box(&self, lonlat: [f64; 4]) -> Result<Self> {
        let crs = self.crs.as_ref().ok_or_else(|| {
            Error::invalid(
                &self.name,
                "has no CRS, so a lon/lat box cannot be placed on it",
            )
        })?;
        let [x0, y0, x1, y1] = crs
            .bounds_from_lonlat(lonlat)
            .map_err(|e| Error::invalid(&self.name, e.to_string()))?;
        let span = |d: &str| {
            self.coord(d).map_or(String::new(), |c| {
                let (lo, hi) = c
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                        (l.min(v), h.max(v))
                    });
                format!(" {d} {lo:.0}..{hi:.0}")
            })
        };
        let [w, s, e, n] = lonlat;
        let missed = || {
            Error::invalid(
                &self.name,
                format!(
                    "the box {w},{s},{e},{n} does not overlap the grid ({}{} in its CRS)",
                    span("x").trim_start(),
                    span("y")
                ),
            )
        };
        let pick = |a: Self, dim: &str, lo: f64, hi: f64| match a
            .sel(dim, Selection::LabelRange { lo, hi })
        {
            Err(Error::OutOfRange { .. }) => Err(missed()),
            other => other,
        };
        // cells whose extent meets the box: centres within it padded by half a cell
        let half = |d: &str| {
            self.coord(d)
                .filter(|c| c.len() > 1)
                .map_or(0.0, |c| (c[1] - c[0]).abs() / 2.0)
        };
        let (hy, hx) = (half("y"), half("x"));
        let a = pick(self.clone(), "y", y0 - hy, y1 + hy)?;
        pick(a, "x", x0 - hx, x1 + hx)
    }
}
