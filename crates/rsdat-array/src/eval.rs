//! Running one task: evaluates the fused expression over the task's region, reading the
//! outputs of earlier stages from the store.

use std::ops::Range;

use ndarray::{ArrayD, Axis, IxDyn, Slice, Zip};
use rayon::prelude::*;

use crate::deps::{
    carry_region, combine_prev_region, dot_regions, fold_region, reduce_prev_region,
};
use crate::expr::{BinaryOp, Op, ReduceOp, RoundMode, Runtime, UnaryOp};
use crate::grid::{region_len, region_shape, Region};
use crate::plan::{Plan, StageKind, TaskId};
use crate::reduce::Reducer;
use crate::regions::{clamp_shift, input_regions};
use crate::store::{Block, TaskStore};
use crate::{Error, Result};

type Fields = Vec<ArrayD<f64>>;

/// Computes the output of task `id`.
///
/// # Errors
/// When an input is missing from the store, a read fails, or a kernel refuses its data;
/// the error names the stage and task.
pub fn run_task(plan: &Plan, store: &dyn TaskStore, id: TaskId) -> Result<Block> {
    Eval { plan, store }.task(id).map_err(|e| match e {
        Error::Task { .. } => e,
        other => Error::Task {
            stage: plan.stage(id).name.clone(),
            task: id.to_string(),
            reason: error_chain(&other),
        },
    })
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// `region` of stage `stage` assembled from the store.
pub(crate) fn gather(
    plan: &Plan,
    store: &dyn TaskStore,
    stage: usize,
    region: &[Range<usize>],
    fields: Range<usize>,
) -> Result<Fields> {
    Eval { plan, store }.gather(stage, region, fields)
}

struct Eval<'a> {
    plan: &'a Plan,
    store: &'a dyn TaskStore,
}

impl Eval<'_> {
    fn task(&self, id: TaskId) -> Result<Block> {
        let region = self.plan.region_of(id);
        let fields = match &self.plan.stage(id).kind {
            StageKind::Node { node } => {
                let n = self.plan.node(*node);
                match &n.op {
                    Op::Reduce { op, axes, skipna } => {
                        let prev = n.partial_stage.expect("reductions have partials");
                        let r = reduce_prev_region(self.plan, *node, &region);
                        let p = self.gather(prev, &r, 0..2)?;
                        let red = Reducer {
                            op: *op,
                            skipna: *skipna,
                        };
                        let mut out = Zip::from(&p[0])
                            .and(&p[1])
                            .map_collect(|&a, &b| red.finish((a, b)));
                        for &a in axes.iter().rev() {
                            out = out.index_axis_move(Axis(a), 0);
                        }
                        vec![out]
                    }
                    Op::Cumsum { axis, skipna } => self.cumsum(*node, &region, *axis, *skipna)?,
                    Op::Dot => vec![self.dot(*node, &region)?],
                    Op::Fold { axis, .. } => self.fold(*node, &region, *axis)?,
                    _ => match self.band_rows(*node, &region) {
                        Some(rows) => vec![self.compute_banded(*node, &region, rows)?],
                        None => self.compute(*node, &region)?,
                    },
                }
            }
            StageKind::ReducePartial { node } => {
                let n = self.plan.node(*node);
                let Op::Reduce { op, axes, skipna } = &n.op else {
                    unreachable!("partial stages belong to reductions")
                };
                let input = n.inputs[0];
                let r = self.plan.node(input).grid().region(id.chunk);
                let red = Reducer {
                    op: *op,
                    skipna: *skipna,
                };
                let fused = self.plan.node(input).stage.is_none();
                match self.band_rows(input, &r).filter(|_| fused) {
                    Some(rows) => self.partial_banded(input, &r, rows, axes, red)?,
                    None => {
                        let v = self.value(input, &r)?.swap_remove(0);
                        partial(&v, &r, &self.plan.node(input).shape, axes, red)
                    }
                }
            }
            StageKind::ReduceCombine { node, prev, factor } => {
                let Op::Reduce { op, axes, skipna } = &self.plan.node(*node).op else {
                    unreachable!("combine stages belong to reductions")
                };
                let r = combine_prev_region(self.plan, *prev, factor, &region);
                let p = self.gather(*prev, &r, 0..2)?;
                combine(
                    &p,
                    axes,
                    Reducer {
                        op: *op,
                        skipna: *skipna,
                    },
                )
            }
            StageKind::ScanPartial { node } => {
                let n = self.plan.node(*node);
                let Op::Cumsum { axis, skipna } = n.op else {
                    unreachable!("scan partials belong to cumsums")
                };
                let r = self.plan.node(n.inputs[0]).grid().region(id.chunk);
                let v = self.value(n.inputs[0], &r)?.swap_remove(0);
                vec![v
                    .map_axis(Axis(axis), |lane| {
                        lane.iter()
                            .fold(0.0, |s, &x| if skipna && x.is_nan() { s } else { s + x })
                    })
                    .insert_axis(Axis(axis))]
            }
        };
        Ok(Block { fields })
    }

    /// `region` of `node`: from the store when materialised, else computed here.
    fn value(&self, node: usize, region: &[Range<usize>]) -> Result<Fields> {
        let n = self.plan.node(node);
        match n.stage {
            Some(s) => self.gather(s, region, 0..n.fields()),
            None => self.compute(node, region),
        }
    }

    /// Rows (along axis 0) per band when `region` of the fused tree under `node` is worth
    /// computing band by band, so that its intermediates stay in cache: `None` for small
    /// regions and for trees that read a dataset (each storage chunk is read once per task)
    /// or take rolling windows (each band would recompute its window's rows).
    fn band_rows(&self, node: usize, region: &[Range<usize>]) -> Option<usize> {
        let rows = region.first()?.len();
        let per_band = (BAND_LEN / region_len(&region[1..]).max(1)).max(1);
        (per_band < rows && self.bandable(node, true)).then_some(per_band)
    }

    fn bandable(&self, node: usize, top: bool) -> bool {
        let n = self.plan.node(node);
        if n.stage.is_some() && !top {
            return true; // gathered from the store
        }
        !matches!(n.op, Op::Source { .. } | Op::RollingSum { .. })
            && n.inputs.iter().all(|&i| self.bandable(i, false))
    }

    /// `region` of fused `node`, computed `rows` rows at a time into the output.
    fn compute_banded(
        &self,
        node: usize,
        region: &[Range<usize>],
        rows: usize,
    ) -> Result<ArrayD<f64>> {
        let mut out = ArrayD::zeros(IxDyn(&region_shape(region)));
        for band in bands(region, rows) {
            let v = self.compute(node, &band)?.swap_remove(0);
            let dst = band[0].start - region[0].start..band[0].end - region[0].start;
            out.slice_axis_mut(Axis(0), Slice::from(dst)).assign(&v);
        }
        Ok(out)
    }

    /// [`partial`] over `region` of `input`, computed `rows` rows at a time; the bands'
    /// partial states are merged in order.
    fn partial_banded(
        &self,
        input: usize,
        region: &[Range<usize>],
        rows: usize,
        axes: &[usize],
        red: Reducer,
    ) -> Result<Fields> {
        let mut shape = region_shape(region);
        for &a in axes {
            shape[a] = 1;
        }
        let init = red.init();
        let mut sa = ArrayD::from_elem(IxDyn(&shape), init.0);
        let mut sb = ArrayD::from_elem(IxDyn(&shape), init.1);
        let full = &self.plan.node(input).shape;
        for band in bands(region, rows) {
            let v = self.value(input, &band)?.swap_remove(0);
            if axes == [0] && v.ndim() > 1 {
                // the bands continue each cell's sequence, as one piece would
                let a = sa.as_slice_mut().expect("new states are contiguous");
                let b = sb.as_slice_mut().expect("new states are contiguous");
                push_one_axis(a, b, &v, &band, 0, red);
                continue;
            }
            let p = partial(&v, &band, full, axes, red);
            let dst = if axes.contains(&0) {
                0..1
            } else {
                band[0].start - region[0].start..band[0].end - region[0].start
            };
            Zip::from(sa.slice_axis_mut(Axis(0), Slice::from(dst.clone())))
                .and(sb.slice_axis_mut(Axis(0), Slice::from(dst)))
                .and(&p[0])
                .and(&p[1])
                .for_each(|a, b, &pa, &pb| {
                    let mut s = (*a, *b);
                    red.merge(&mut s, (pa, pb));
                    (*a, *b) = s;
                });
        }
        Ok(vec![sa, sb])
    }

    /// Assembles `fields` of `region` of stage `stage`'s grid from its chunks.
    fn gather(
        &self,
        stage: usize,
        region: &[Range<usize>],
        fields: Range<usize>,
    ) -> Result<Fields> {
        let shape = region_shape(region);
        let first = fields.start;
        let mut out: Fields = fields.map(|_| ArrayD::zeros(IxDyn(&shape))).collect();
        let mut ids = Vec::new();
        self.plan.overlapping(stage, region, &mut ids);
        for id in ids {
            let block = self.store.get(id)?.ok_or_else(|| Error::Task {
                stage: self.plan.stage(id).name.clone(),
                task: id.to_string(),
                reason: "output missing from the task store (not run yet?)".into(),
            })?;
            let cr = self.plan.region_of(id);
            let src: Vec<Slice> = cr
                .iter()
                .zip(region)
                .map(|(c, r)| {
                    Slice::from(c.start.max(r.start) - c.start..c.end.min(r.end) - c.start)
                })
                .collect();
            let dst: Vec<Slice> = cr
                .iter()
                .zip(region)
                .map(|(c, r)| {
                    Slice::from(c.start.max(r.start) - r.start..c.end.min(r.end) - r.start)
                })
                .collect();
            for (o, f) in out.iter_mut().zip(&block.fields[first..]) {
                o.slice_each_axis_mut(|ax| dst[ax.axis.index()])
                    .assign(&f.slice_each_axis(|ax| src[ax.axis.index()]));
            }
        }
        Ok(out)
    }

    /// Computes `region` of a fusable node or leaf.
    #[allow(clippy::too_many_lines)]
    fn compute(&self, node: usize, region: &[Range<usize>]) -> Result<Fields> {
        let n = self.plan.node(node);
        let shape = region_shape(region);
        let inputs: Vec<_> = n.inputs.iter().map(|&i| self.plan.node(i)).collect();
        let in_regions = input_regions(n, &inputs, region);
        let one = |k: usize| -> Result<ArrayD<f64>> {
            Ok(self.value(n.inputs[k], &in_regions[k])?.swap_remove(0))
        };
        let out = match &n.op {
            Op::Source { var, f32, .. } => {
                let Runtime::Source(src) = &n.runtime else {
                    return Err(Error::invalid(&n.label, "source is not open"));
                };
                let start: Vec<usize> = region.iter().map(|r| r.start).collect();
                let raw = src.read(var, &start, &shape).map_err(|e| Error::Read {
                    var: var.clone(),
                    location: src.location().to_owned(),
                    source: Box::new(e),
                })?;
                let meta = src.dataset().variable(var).map_err(|e| Error::Read {
                    var: var.clone(),
                    location: src.location().to_owned(),
                    source: Box::new(e),
                })?;
                if *f32 {
                    rsdat_model::decode_f32_as_f64(meta, &raw)
                } else {
                    rsdat_model::decode_f64(meta, &raw)
                }
            }
            Op::Memory { data } => {
                let full = ndarray::ArrayViewD::from_shape(IxDyn(&n.shape), data)
                    .map_err(|e| Error::invalid(&n.label, e.to_string()))?;
                full.slice_each_axis(|ax| Slice::from(region[ax.axis.index()].clone()))
                    .to_owned()
            }
            Op::Random { seed } => crate::random::region(*seed, &n.shape, region),
            Op::Full { value } => ArrayD::from_elem(IxDyn(&shape), *value),
            Op::Unary(u) => {
                let mut v = one(0)?;
                let u = *u;
                if u != UnaryOp::Noop {
                    v.mapv_inplace(|x| unary(u, x));
                }
                v
            }
            Op::MapFn { name } => {
                let Runtime::MapFn(f) = &n.runtime else {
                    return Err(Error::invalid(
                        &n.label,
                        format!("closure `{name}` is missing"),
                    ));
                };
                let mut v = one(0)?;
                v.mapv_inplace(|x| f(x));
                v
            }
            Op::Binary(b) => {
                let mut a = align(one(0)?, &n.align[0], &shape);
                let c = align(one(1)?, &n.align[1], &shape);
                let b = *b;
                if let (Some(xs), Some(ys)) = (a.as_slice_mut(), c.as_slice()) {
                    binary_in_place(b, xs, ys);
                    a
                } else {
                    Zip::from(&a).and(&c).map_collect(|&x, &y| binary(b, x, y))
                }
            }
            Op::Where => {
                let c = align(one(0)?, &n.align[0], &shape);
                let a = align(one(1)?, &n.align[1], &shape);
                let b = align(one(2)?, &n.align[2], &shape);
                Zip::from(&c).and(&a).and(&b).map_collect(|&c, &x, &y| {
                    if c != 0.0 && !c.is_nan() {
                        x
                    } else {
                        y
                    }
                })
            }
            Op::Isel { step, .. } if step.iter().all(|&k| k == 1) => one(0)?,
            Op::Isel { step, .. } => {
                let v = one(0)?;
                v.slice_each_axis(|ax| {
                    Slice::new(0, None, isize::try_from(step[ax.axis.index()]).unwrap_or(1))
                })
                .to_owned()
            }
            Op::Transpose { perm } => match (&inputs[0].op, inputs[0].stage) {
                (Op::Random { seed }, None) => {
                    crate::random::permuted(*seed, &inputs[0].shape, &in_regions[0], perm)
                }
                _ => transposed(one(0)?, perm),
            },
            Op::ExpandDims { axis } => one(0)?.insert_axis(Axis(*axis)),
            Op::Squeeze { axis } => one(0)?.index_axis_move(Axis(*axis), 0),
            Op::PadEdge { axis, before } => {
                let v = one(0)?;
                let len = inputs[0].shape[*axis];
                let base = in_regions[0][*axis].start;
                let idx: Vec<usize> = region[*axis]
                    .clone()
                    .map(|i| clamp_shift(i, *before, len) - base)
                    .collect();
                v.select(Axis(*axis), &idx)
            }
            Op::Coarsen { factors } => coarsen_mean(&one(0)?, factors, &shape),
            Op::RollingSum { axis, window } => {
                rolling_sum(&one(0)?, *axis, *window, region, &in_regions[0], &shape)
            }
            Op::Concat { axis } => {
                let mut parts = Vec::new();
                for (k, r) in in_regions.iter().enumerate() {
                    if region_len(r) > 0 {
                        parts.push(self.value(n.inputs[k], r)?.swap_remove(0));
                    }
                }
                let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
                ndarray::concatenate(Axis(*axis), &views)
                    .map_err(|e| Error::invalid(&n.label, e.to_string()))?
            }
            Op::Rechunk => one(0)?,
            Op::Field { k } => {
                let mut f = self.value(n.inputs[0], &in_regions[0])?;
                if *k >= f.len() {
                    return Err(Error::invalid(&n.label, format!("no output {k}")));
                }
                f.swap_remove(*k)
            }
            Op::Reduce { .. } | Op::Cumsum { .. } | Op::Dot | Op::Fold { .. } => {
                return Err(Error::invalid(
                    &n.label,
                    "internal: a materialised node was not planned as a stage",
                ));
            }
        };
        Ok(vec![out])
    }

    fn cumsum(
        &self,
        node: usize,
        region: &[Range<usize>],
        axis: usize,
        skipna: bool,
    ) -> Result<Fields> {
        let n = self.plan.node(node);
        let mut v = self.value(n.inputs[0], region)?.swap_remove(0);
        let prev = n.partial_stage.expect("scans have partials");
        let cr = carry_region(self.plan, node, region, axis);
        let carry = if cr[axis].is_empty() {
            ArrayD::zeros(IxDyn(&region_shape(region))).index_axis_move(Axis(axis), 0)
        } else {
            let p = self.gather(prev, &cr, 0..1)?.swap_remove(0);
            p.map_axis(Axis(axis), |lane| lane.iter().fold(0.0, |s, &x| s + x))
        };
        Zip::from(v.lanes_mut(Axis(axis)))
            .and(&carry)
            .for_each(|mut lane, &c| {
                let mut s = c;
                for x in &mut lane {
                    if !(skipna && x.is_nan()) {
                        s += *x;
                    }
                    *x = s;
                }
            });
        Ok(vec![v])
    }

    fn dot(&self, node: usize, region: &[Range<usize>]) -> Result<ArrayD<f64>> {
        let n = self.plan.node(node);
        let (ra, rb) = dot_regions(self.plan, node, region);
        let kc = self.plan.node(n.inputs[0]).chunks[1];
        let mut acc = ndarray::Array2::<f64>::zeros((region[0].len(), region[1].len()));
        let k = ra[1].end;
        let mut s = 0;
        while s < k {
            let e = (s + kc).min(k);
            let a = self
                .value(n.inputs[0], &[ra[0].clone(), s..e])?
                .swap_remove(0);
            let b = self
                .value(n.inputs[1], &[s..e, rb[1].clone()])?
                .swap_remove(0);
            let a = a
                .into_dimensionality::<ndarray::Ix2>()
                .map_err(|e| Error::invalid(&n.label, e.to_string()))?;
            let b = b
                .into_dimensionality::<ndarray::Ix2>()
                .map_err(|e| Error::invalid(&n.label, e.to_string()))?;
            ndarray::linalg::general_mat_mul(1.0, &a, &b, 1.0, &mut acc);
            s = e;
        }
        Ok(acc.into_dyn())
    }

    /// Streams the inputs along `axis` one storage chunk (a slab) at a time through the
    /// kernel. The inputs of a slab are read in parallel, and the next slab is read while the
    /// kernel steps through the current one, so inflating and computing overlap.
    fn fold(&self, node: usize, region: &[Range<usize>], axis: usize) -> Result<Fields> {
        let n = self.plan.node(node);
        let Runtime::Kernel(factory) = &n.runtime else {
            return Err(Error::invalid(&n.label, "fold kernel is missing"));
        };
        let cells = region_len(region);
        let mut kernel = factory.start(cells)?;
        let len = self.plan.node(n.inputs[0]).shape[axis];
        let step = self.plan.node(n.inputs[0]).chunks[axis].max(1);
        // one slab: each input's values over steps s..e, time-major
        let read = |s: usize| -> Result<Vec<Vec<f64>>> {
            let r = fold_region(region, axis, s..(s + step).min(len));
            n.inputs
                .par_iter()
                .map(|&i| Ok(time_major(self.value(i, &r)?.swap_remove(0), axis)))
                .collect()
        };
        let mut next = (len > 0).then(|| read(0));
        let mut s = 0;
        while let Some(slabs) = next.take() {
            let slabs = slabs?;
            let e = (s + step).min(len);
            let (ahead, stopped) = rayon::join(
                || (e < len).then(|| read(e)),
                || -> Result<bool> {
                    for t in 0..e - s {
                        let views: Vec<&[f64]> = slabs
                            .iter()
                            .map(|v| &v[t * cells..(t + 1) * cells])
                            .collect();
                        kernel.step(s + t, &views)?;
                        if kernel.done() {
                            return Ok(true);
                        }
                    }
                    Ok(false)
                },
            );
            if !stopped? {
                next = ahead;
            }
            s = e;
        }
        let shape = region_shape(region);
        kernel
            .finish()?
            .into_iter()
            .map(|v| {
                ArrayD::from_shape_vec(IxDyn(&shape), v)
                    .map_err(|e| Error::invalid(&n.label, e.to_string()))
            })
            .collect()
    }
}

/// Elements per band of [`Eval::band_rows`]: a few such arrays fit in a core's L2 cache,
/// and each is allocated from the heap, not mapped afresh (glibc maps blocks of 128 KiB up).
const BAND_LEN: usize = 8 * 1024;

/// `region` cut along axis 0 into bands of `rows` rows.
fn bands(region: &[Range<usize>], rows: usize) -> impl Iterator<Item = Region> + '_ {
    region[0].clone().step_by(rows).map(move |s| {
        let mut band = region.to_vec();
        band[0] = s..(s + rows).min(region[0].end);
        band
    })
}

/// The values of `v` with `axis` moved first, in standard order (no copy when it already is).
fn time_major(v: ArrayD<f64>, axis: usize) -> Vec<f64> {
    let v = if axis == 0 {
        v
    } else {
        let mut order: Vec<usize> = (0..v.ndim()).collect();
        order.remove(axis);
        order.insert(0, axis);
        v.permuted_axes(IxDyn(&order))
    };
    if !v.is_standard_layout() {
        return v.iter().copied().collect();
    }
    // contiguous from its offset into the buffer, which may hold more (after a squeeze)
    let len = v.len();
    let (mut data, offset) = v.into_raw_vec_and_offset();
    let offset = offset.unwrap_or(0);
    if offset > 0 {
        data.drain(..offset);
    }
    data.truncate(len);
    data
}

/// `v` with its axes permuted by `perm`, in standard layout so later elementwise work reads
/// memory in order. A 2-D transpose is copied in cache-sized tiles.
fn transposed(v: ArrayD<f64>, perm: &[usize]) -> ArrayD<f64> {
    const TILE: usize = 32;
    let t = v.permuted_axes(IxDyn(perm));
    if t.is_standard_layout() {
        return t;
    }
    let Ok(t2) = t.view().into_dimensionality::<ndarray::Ix2>() else {
        return t.as_standard_layout().into_owned();
    };
    let (rows, cols) = t2.dim();
    let mut out = ndarray::Array2::zeros((rows, cols));
    for r0 in (0..rows).step_by(TILE) {
        for c0 in (0..cols).step_by(TILE) {
            for r in r0..(r0 + TILE).min(rows) {
                for c in c0..(c0 + TILE).min(cols) {
                    out[[r, c]] = t2[[r, c]];
                }
            }
        }
    }
    out.into_dyn()
}

/// Broadcasts `v`, whose axis `j` is output axis `axes[j]`, to `shape`.
fn align(v: ArrayD<f64>, axes: &[usize], shape: &[usize]) -> ArrayD<f64> {
    if axes.len() == shape.len() && axes.iter().enumerate().all(|(i, &a)| i == a) {
        return v;
    }
    // order v's axes by output position, then insert the missing ones
    let mut order: Vec<usize> = (0..axes.len()).collect();
    order.sort_by_key(|&j| axes[j]);
    let mut v = v.permuted_axes(IxDyn(&order));
    let mut present: Vec<usize> = axes.to_vec();
    present.sort_unstable();
    for (d, _) in shape.iter().enumerate() {
        if !present.contains(&d) {
            v.insert_axis_inplace(Axis(d));
        }
    }
    v.broadcast(IxDyn(shape))
        .map_or(v.clone(), |b| b.to_owned())
}

#[inline]
pub(crate) fn unary(u: UnaryOp, x: f64) -> f64 {
    match u {
        UnaryOp::Neg => -x,
        UnaryOp::Abs => x.abs(),
        UnaryOp::Sqrt => x.sqrt(),
        UnaryOp::Exp => x.exp(),
        UnaryOp::Ln => x.ln(),
        UnaryOp::AddScalar(c) => x + c,
        UnaryOp::MulScalar(c) => x * c,
        UnaryOp::RSubScalar(c) => c - x,
        UnaryOp::RDivScalar(c) => c / x,
        UnaryOp::PowScalar(c) => x.powf(c),
        UnaryOp::Clip(lo, hi) => {
            if x.is_nan() {
                x
            } else {
                x.max(lo).min(hi)
            }
        }
        UnaryOp::Round(d, mode) => round(x, d, mode),
        #[allow(clippy::cast_possible_truncation)]
        UnaryOp::ToF32 => f64::from(x as f32),
        UnaryOp::IsNan => f64::from(u8::from(x.is_nan())),
        UnaryOp::Noop => x,
    }
}

/// Rounds as numpy does: scale by `10^d`, round, scale back.
pub(crate) fn round(x: f64, decimals: i32, mode: RoundMode) -> f64 {
    let r = |y: f64| match mode {
        RoundMode::HalfEven => y.round_ties_even(),
        RoundMode::HalfAway => y.round(),
    };
    if decimals == 0 {
        return r(x);
    }
    let p = 10f64.powi(decimals.abs());
    if decimals > 0 {
        r(x * p) / p
    } else {
        r(x / p) * p
    }
}

/// `xs[i] = binary(b, xs[i], ys[i])`, with the arithmetic ops constant inside their loops
/// so that these vectorise.
fn binary_in_place(b: BinaryOp, xs: &mut [f64], ys: &[f64]) {
    fn run(xs: &mut [f64], ys: &[f64], f: impl Fn(f64, f64) -> f64) {
        for (x, &y) in xs.iter_mut().zip(ys) {
            *x = f(*x, y);
        }
    }
    match b {
        BinaryOp::Add => run(xs, ys, |x, y| binary(BinaryOp::Add, x, y)),
        BinaryOp::Sub => run(xs, ys, |x, y| binary(BinaryOp::Sub, x, y)),
        BinaryOp::Mul => run(xs, ys, |x, y| binary(BinaryOp::Mul, x, y)),
        BinaryOp::Div => run(xs, ys, |x, y| binary(BinaryOp::Div, x, y)),
        other => run(xs, ys, |x, y| binary(other, x, y)),
    }
}

#[inline]
pub(crate) fn binary(b: BinaryOp, x: f64, y: f64) -> f64 {
    let t = |c: bool| f64::from(u8::from(c));
    match b {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x * y,
        BinaryOp::Div => x / y,
        BinaryOp::Max => {
            if x.is_nan() || y.is_nan() {
                f64::NAN
            } else {
                x.max(y)
            }
        }
        BinaryOp::Min => {
            if x.is_nan() || y.is_nan() {
                f64::NAN
            } else {
                x.min(y)
            }
        }
        BinaryOp::Gt => t(x > y),
        BinaryOp::Ge => t(x >= y),
        BinaryOp::Lt => t(x < y),
        BinaryOp::Le => t(x <= y),
        BinaryOp::Eq => t(x == y),
    }
}

/// Means over blocks of `factors`, skipping NaN (all-NaN block: NaN).
fn coarsen_mean(v: &ArrayD<f64>, factors: &[usize], shape: &[usize]) -> ArrayD<f64> {
    let mut sum = ArrayD::<f64>::zeros(IxDyn(shape));
    let mut cnt = ArrayD::<f64>::zeros(IxDyn(shape));
    let mut o = vec![0usize; shape.len()];
    for (idx, &x) in v.indexed_iter() {
        if x.is_nan() {
            continue;
        }
        for (d, oi) in o.iter_mut().enumerate() {
            *oi = idx[d] / factors[d];
        }
        if o.iter().zip(shape).any(|(&i, &n)| i >= n) {
            continue;
        }
        sum[IxDyn(&o)] += x;
        cnt[IxDyn(&o)] += 1.0;
    }
    Zip::from(&sum)
        .and(&cnt)
        .map_collect(|&s, &c| if c > 0.0 { s / c } else { f64::NAN })
}

/// Trailing window sums along `axis`; NaN where the window is short or holds a NaN.
fn rolling_sum(
    v: &ArrayD<f64>,
    axis: usize,
    window: usize,
    region: &[Range<usize>],
    in_region: &[Range<usize>],
    shape: &[usize],
) -> ArrayD<f64> {
    let mut out = ArrayD::<f64>::zeros(IxDyn(shape));
    let base = in_region[axis].start;
    let r = region[axis].clone();
    Zip::from(out.lanes_mut(Axis(axis)))
        .and(v.lanes(Axis(axis)))
        .for_each(|mut o, x| {
            for (k, i) in r.clone().enumerate() {
                o[k] = if i + 1 < window {
                    f64::NAN
                } else {
                    // fixed order: oldest first, as a sequential window sum
                    (i + 1 - window..=i).map(|j| x[j - base]).sum()
                };
            }
        });
    out
}

/// `v` as rows: kept axes outermost, reduced axes (ascending) innermost, row-major.
/// Borrows `v` when it is laid out that way already.
fn rows<'a>(
    v: &'a ArrayD<f64>,
    axes: &[usize],
) -> (std::borrow::Cow<'a, [f64]>, usize, Vec<usize>) {
    let nd = v.ndim();
    let mut order: Vec<usize> = (0..nd).filter(|d| !axes.contains(d)).collect();
    order.extend_from_slice(axes);
    let row_len: usize = axes.iter().map(|&a| v.shape()[a]).product();
    let mut shape = v.shape().to_vec();
    for &a in axes {
        shape[a] = 1;
    }
    let identity = order.iter().enumerate().all(|(i, &o)| i == o);
    if let (true, Some(s)) = (identity, v.as_slice()) {
        return (std::borrow::Cow::Borrowed(s), row_len, shape);
    }
    let w = v.view().permuted_axes(IxDyn(&order));
    (
        std::borrow::Cow::Owned(w.iter().copied().collect()),
        row_len,
        shape,
    )
}

/// Partial states of a reduction over one input chunk: reduced axes kept with length 1.
fn partial(
    v: &ArrayD<f64>,
    region: &[Range<usize>],
    full: &[usize],
    axes: &[usize],
    red: Reducer,
) -> Fields {
    if let [a] = axes {
        if *a + 1 < v.ndim() {
            return partial_one_axis(v, region, *a, red);
        }
    }
    let (data, row_len, shape) = rows(v, axes);
    let n_rows: usize = shape.iter().product();
    let mut a_out = Vec::with_capacity(n_rows);
    let mut b_out = Vec::with_capacity(n_rows);
    let argmax = matches!(red.op, ReduceOp::Argmax);
    let sub: Vec<usize> = axes.iter().map(|&a| v.shape()[a]).collect();
    for r in 0..n_rows {
        let mut s = red.init();
        let row = &data[r * row_len..(r + 1) * row_len];
        if argmax {
            for (j, &x) in row.iter().enumerate() {
                // global flat index over the reduced axes
                let mut rem = j;
                let mut local = vec![0usize; sub.len()];
                for k in (0..sub.len()).rev() {
                    local[k] = rem % sub[k];
                    rem /= sub[k];
                }
                let f = axes.iter().zip(&local).fold(0u64, |f, (&d, &l)| {
                    f * full[d] as u64 + (region[d].start + l) as u64
                });
                #[allow(clippy::cast_precision_loss)]
                red.push(&mut s, x, f as f64);
            }
        } else {
            red.push_all(&mut s, row);
        }
        a_out.push(s.0);
        b_out.push(s.1);
    }
    vec![
        ArrayD::from_shape_vec(IxDyn(&shape), a_out).expect("one state per kept cell"),
        ArrayD::from_shape_vec(IxDyn(&shape), b_out).expect("one state per kept cell"),
    ]
}

/// [`partial`] over one leading axis `a`: slab by slab along `a`, so every cell sees its
/// values in the same order as the row-wise path, reading the chunk in memory order.
fn partial_one_axis(v: &ArrayD<f64>, region: &[Range<usize>], a: usize, red: Reducer) -> Fields {
    let mut shape = v.shape().to_vec();
    shape[a] = 1;
    let init = red.init();
    let mut sa = vec![init.0; shape.iter().product()];
    let mut sb = vec![init.1; sa.len()];
    push_one_axis(&mut sa, &mut sb, v, region, a, red);
    vec![
        ArrayD::from_shape_vec(IxDyn(&shape), sa).expect("one state per kept cell"),
        ArrayD::from_shape_vec(IxDyn(&shape), sb).expect("one state per kept cell"),
    ]
}

/// Pushes `v` (over `region`) slab by slab along axis `a` into the states `sa`, `sb` of the
/// kept cells, row-major.
fn push_one_axis(
    sa: &mut [f64],
    sb: &mut [f64],
    v: &ArrayD<f64>,
    region: &[Range<usize>],
    a: usize,
    red: Reducer,
) {
    let len = v.shape()[a];
    let inner: usize = v.shape()[a + 1..].iter().product();
    let v = v.as_standard_layout();
    let data = v.as_slice().expect("standard layout is contiguous");
    if inner > 0 {
        for (k, xs) in data.chunks_exact(inner).enumerate() {
            let o = k / len.max(1) * inner;
            #[allow(clippy::cast_precision_loss)]
            let idx = (region[a].start + k % len) as f64;
            red.push_cells(&mut sa[o..o + inner], &mut sb[o..o + inner], xs, idx);
        }
    }
}

/// Merges partial states along the reduced axes, in row-major order.
fn combine(p: &[ArrayD<f64>], axes: &[usize], red: Reducer) -> Fields {
    let (a, row_len, shape) = rows(&p[0], axes);
    let (b, _, _) = rows(&p[1], axes);
    let n_rows: usize = shape.iter().product();
    let mut a_out = Vec::with_capacity(n_rows);
    let mut b_out = Vec::with_capacity(n_rows);
    for r in 0..n_rows {
        let mut s = red.init();
        for j in r * row_len..(r + 1) * row_len {
            red.merge(&mut s, (a[j], b[j]));
        }
        a_out.push(s.0);
        b_out.push(s.1);
    }
    vec![
        ArrayD::from_shape_vec(IxDyn(&shape), a_out).expect("one state per kept cell"),
        ArrayD::from_shape_vec(IxDyn(&shape), b_out).expect("one state per kept cell"),
    ]
}
