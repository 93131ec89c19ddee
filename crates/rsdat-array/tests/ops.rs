//! Array operations against straightforward reference implementations, over chunkings.
#![allow(clippy::unwrap_used, missing_docs)]

use ndarray::{ArrayD, Axis, IxDyn};
use proptest::prelude::*;
use rsdat_array::{compute, ComputeOptions, Error, ExecutorKind, LazyArray, Selection};

fn arr(shape: &[usize], f: impl Fn(usize) -> f64) -> ArrayD<f64> {
    let n: usize = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(f).collect()).unwrap()
}

/// Values with some NaN and repeated numbers.
fn data(shape: &[usize]) -> ArrayD<f64> {
    arr(shape, |i| {
        if i % 7 == 3 {
            f64::NAN
        } else {
            ((i * 37) % 23) as f64 - 11.0
        }
    })
}

fn same(a: &ArrayD<f64>, b: &ArrayD<f64>) -> bool {
    a.shape() == b.shape()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-9 * (1.0 + x.abs()))
}

fn sync(a: &LazyArray) -> ArrayD<f64> {
    compute(
        &[a],
        &ComputeOptions {
            executor: ExecutorKind::Sync,
            ..Default::default()
        },
    )
    .unwrap()
    .remove(0)
}

fn ref_reduce_axis(v: &ArrayD<f64>, axis: usize, f: impl Fn(&[f64]) -> f64) -> ArrayD<f64> {
    v.map_axis(Axis(axis), |l| f(&l.to_vec()))
}

fn nansum(l: &[f64]) -> f64 {
    l.iter().filter(|x| !x.is_nan()).sum()
}

fn nanmean(l: &[f64]) -> f64 {
    let v: Vec<f64> = l.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

fn nanmax(l: &[f64]) -> f64 {
    l.iter()
        .copied()
        .filter(|x| !x.is_nan())
        .fold(f64::NAN, |a, x| if a.is_nan() || x > a { x } else { a })
}

fn nanargmax(l: &[f64]) -> f64 {
    let m = nanmax(l);
    if m.is_nan() {
        f64::NAN
    } else {
        l.iter().position(|&x| x == m).unwrap() as f64
    }
}

fn check_all(shape: &[usize], chunks: &[usize]) {
    let v = data(shape);
    let a = LazyArray::from_array("a", &["y", "x"], &v, chunks).unwrap();
    // reductions per axis and over everything
    for (axis, dim) in ["y", "x"].iter().enumerate() {
        assert!(
            same(
                &sync(&a.sum(&[dim]).unwrap()),
                &ref_reduce_axis(&v, axis, nansum)
            ),
            "sum {dim}"
        );
        assert!(
            same(
                &sync(&a.mean(&[dim]).unwrap()),
                &ref_reduce_axis(&v, axis, nanmean)
            ),
            "mean {dim}"
        );
        assert!(
            same(
                &sync(&a.max(&[dim]).unwrap()),
                &ref_reduce_axis(&v, axis, nanmax)
            ),
            "max {dim}"
        );
        assert!(
            same(
                &sync(&a.argmax(Some(dim)).unwrap()),
                &ref_reduce_axis(&v, axis, nanargmax)
            ),
            "argmax {dim}"
        );
    }
    let flat: Vec<f64> = v.iter().copied().collect();
    assert!(same(
        &sync(&a.mean(&[]).unwrap()),
        &ArrayD::from_elem(IxDyn(&[]), nanmean(&flat))
    ));
    assert!(same(
        &sync(&a.argmax(None).unwrap()),
        &ArrayD::from_elem(IxDyn(&[]), nanargmax(&flat))
    ));
    let plain = sync(&a.reduce(rsdat_array::ReduceOp::Sum, &[], false).unwrap());
    assert!(plain[[]].is_nan() || !flat.iter().any(|x| x.is_nan()));
    // elementwise with transpose and broadcasting
    let t = a.t();
    let got = sync(&a.add(&t).unwrap());
    assert!(same(&got, &(&v + &v)), "x + x.T broadcast by name is x + x");
    let row = a.mean(&["y"]).unwrap(); // dims [x]
    let got = sync(&a.sub(&row).unwrap());
    let rm = ref_reduce_axis(&v, 0, nanmean);
    let want = &v - &rm.insert_axis(Axis(0));
    assert!(same(&got, &want), "broadcast of a reduced row");
    // where / clip / round
    let cond = a
        .binary(
            &LazyArray::full("z", &[], &[], 0.0).unwrap(),
            rsdat_array::BinaryOp::Gt,
        )
        .unwrap();
    let got = sync(&a.where_(&cond).unwrap());
    assert!(same(&got, &v.mapv(|x| if x > 0.0 { x } else { f64::NAN })));
    assert!(same(
        &sync(&a.clip(-3.0, 4.0)),
        &v.mapv(|x| if x.is_nan() { x } else { x.clamp(-3.0, 4.0) })
    ));
    let halves = a.mul_scalar(0.5);
    assert!(same(
        &sync(&halves.round(0)),
        &v.mapv(|x| (x * 0.5).round_ties_even())
    ));
    // cumsum, rolling, pad, coarsen
    for (axis, dim) in ["y", "x"].iter().enumerate() {
        let mut want = v.mapv(|x| if x.is_nan() { 0.0 } else { x });
        want.accumulate_axis_inplace(Axis(axis), |&p, c| *c += p);
        assert!(
            same(&sync(&a.cumsum(dim, true).unwrap()), &want),
            "cumsum {dim}"
        );
        let w = 3;
        let got = sync(&a.rolling_sum(dim, w).unwrap());
        let want = ArrayD::from_shape_fn(IxDyn(shape), |ix| {
            let i = ix[axis];
            if i + 1 < w {
                return f64::NAN;
            }
            (i + 1 - w..=i)
                .map(|j| {
                    let mut k = ix.clone();
                    k[axis] = j;
                    v[k]
                })
                .sum()
        });
        assert!(same(&got, &want), "rolling {dim}");
        let got = sync(&a.pad_edge(dim, 2, 1).unwrap());
        let mut ps = shape.to_vec();
        ps[axis] += 3;
        let want = ArrayD::from_shape_fn(IxDyn(&ps), |ix| {
            let mut k = ix.clone();
            k[axis] = ix[axis].saturating_sub(2).min(shape[axis] - 1);
            v[k]
        });
        assert!(same(&got, &want), "pad {dim}");
    }
    let got = sync(&a.coarsen_mean(&[("y", 2), ("x", 3)]).unwrap());
    let want = ArrayD::from_shape_fn(IxDyn(&[shape[0] / 2, shape[1] / 3]), |ix| {
        let mut vals = Vec::new();
        for i in 0..2 {
            for j in 0..3 {
                vals.push(v[[ix[0] * 2 + i, ix[1] * 3 + j]]);
            }
        }
        nanmean(&vals)
    });
    assert!(same(&got, &want), "coarsen");
    // selection, concat, expand_dims, rechunk, transpose
    let s = a
        .isel(
            "x",
            Selection::Slice {
                start: 1,
                stop: shape[1],
                step: 2,
            },
        )
        .unwrap();
    let want = v
        .slice_each_axis(|ax| {
            if ax.axis.index() == 1 {
                ndarray::Slice::new(1, None, 2)
            } else {
                ndarray::Slice::from(..)
            }
        })
        .to_owned();
    assert!(same(&sync(&s), &want));
    let row = sync(&a.isel("y", Selection::Index(shape[0] - 1)).unwrap());
    assert!(same(&row, &v.index_axis(Axis(0), shape[0] - 1).to_owned()));
    let c = LazyArray::concat(
        &[
            &a,
            &s.rechunk(&[("x", 2)])
                .unwrap()
                .isel(
                    "x",
                    Selection::Slice {
                        start: 0,
                        stop: 1,
                        step: 1,
                    },
                )
                .unwrap(),
        ],
        "x",
    );
    let c = sync(&c.unwrap());
    assert_eq!(c.shape(), &[shape[0], shape[1] + 1]);
    assert!(same(
        &c.slice_each_axis(|ax| if ax.axis.index() == 1 {
            ndarray::Slice::from(0..shape[1])
        } else {
            ndarray::Slice::from(..)
        })
        .to_owned(),
        &v
    ));
    let e = sync(&a.expand_dims("band").unwrap());
    assert!(same(&e, &v.clone().insert_axis(Axis(0))));
    assert!(same(
        &sync(&a.rechunk(&[("y", 1), ("x", 100)]).unwrap()),
        &v
    ));
    assert!(same(
        &sync(&a.transpose(&["x", "y"]).unwrap()),
        &v.t().to_owned()
    ));
    // dot
    let clean = v.mapv(|x| if x.is_nan() { 0.5 } else { x });
    let b = LazyArray::from_array("b", &["y", "x"], &clean, chunks).unwrap();
    let got = sync(&b.dot(&b.t()).unwrap());
    let m = clean.clone().into_dimensionality::<ndarray::Ix2>().unwrap();
    let want = m.dot(&m.t()).into_dyn();
    assert!(same(&got, &want), "dot");
}

#[test]
fn ops_match_references_on_several_chunkings() {
    for chunks in [[4, 5], [1, 1], [3, 7], [10, 12], [2, 12]] {
        check_all(&[10, 12], &chunks);
    }
}

#[test]
fn sel_by_label() {
    let v = data(&[4, 5]);
    let a = LazyArray::from_array("t", &["time", "x"], &v, &[2, 2])
        .unwrap()
        .with_coord("time", vec![10.0, 20.0, 30.0, 40.0])
        .unwrap();
    let s = a
        .sel("time", Selection::LabelRange { lo: 15.0, hi: 30.0 })
        .unwrap();
    assert_eq!(s.coord("time").unwrap(), &[20.0, 30.0]);
    assert!(same(
        &sync(&s),
        &v.slice(ndarray::s![1..3, ..]).to_owned().into_dyn()
    ));
    let n = a
        .sel(
            "time",
            Selection::Label {
                value: 26.0,
                nearest: true,
            },
        )
        .unwrap();
    assert_eq!(n.dims(), &["x".to_owned()]);
    assert!(same(&sync(&n), &v.index_axis(Axis(0), 2).to_owned()));
}

#[test]
fn bad_input_errors_name_array_and_dim() {
    let a = LazyArray::random("tmax", &[("y", 4), ("x", 5)], &[2, 2], 1).unwrap();
    let b = LazyArray::random("tmin", &[("y", 3), ("x", 5)], &[2, 2], 1).unwrap();
    let e = a.add(&b).unwrap_err();
    assert!(matches!(e, Error::DimMismatch { .. }));
    assert!(
        e.to_string().contains("`tmax`") && e.to_string().contains("`y`"),
        "{e}"
    );
    let e = a.sum(&["time"]).unwrap_err().to_string();
    assert!(e.contains("`tmax`") && e.contains("`time`"), "{e}");
    let e = a.isel("x", Selection::Index(5)).unwrap_err().to_string();
    assert!(e.contains("`x`") && e.contains("index 5"), "{e}");
    let e = a
        .isel(
            "x",
            Selection::Slice {
                start: 3,
                stop: 9,
                step: 1,
            },
        )
        .unwrap_err();
    assert!(matches!(e, Error::OutOfRange { .. }));
    assert!(a
        .sel(
            "x",
            Selection::Label {
                value: 1.0,
                nearest: false
            }
        )
        .is_err());
    assert!(a.dot(&b).is_err());
    assert!(a.transpose(&["x"]).is_err());
    assert!(LazyArray::concat(&[&a, &b.t()], "x").is_err());
    assert!(LazyArray::random("z", &[("y", 4)], &[2, 2], 1).is_err());
}

#[test]
fn round_half_even_and_away() {
    let v = ArrayD::from_shape_vec(IxDyn(&[6]), vec![0.5, 1.5, 2.5, -0.5, -1.5, 2.675]).unwrap();
    let a = LazyArray::from_array("r", &["x"], &v, &[4]).unwrap();
    assert_eq!(
        sync(&a.round(0)).as_slice().unwrap(),
        &[0.0, 2.0, 2.0, -0.0, -2.0, 3.0]
    );
    let away = a.round_with(0, rsdat_array::RoundMode::HalfAway);
    assert_eq!(
        sync(&away).as_slice().unwrap(),
        &[1.0, 2.0, 3.0, -1.0, -2.0, 3.0]
    );
    // numpy 2.3: np.round(2.675, 2) == 2.68 (2.675 * 100 is exactly 267.5 in binary)
    assert_eq!(sync(&a.round(2))[[5]], 2.68);
}

#[test]
fn argmax_all_nan_is_nan_and_astype_rounds() {
    let v = arr(&[2, 3], |i| if i < 3 { f64::NAN } else { i as f64 });
    let a = LazyArray::from_array("a", &["y", "x"], &v, &[1, 2]).unwrap();
    let m = sync(&a.argmax(Some("x")).unwrap());
    assert!(m[[0]].is_nan());
    assert_eq!(m[[1]], 2.0);
    let third = LazyArray::full("t", &[("x", 3)], &[2], 1.0 / 3.0).unwrap();
    let f = sync(&third.astype(rsdat_model::DType::F32).unwrap());
    assert_eq!(f[[0]], f64::from((1.0f64 / 3.0) as f32));
}

fn shape_and_chunks() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    (1usize..9, 1usize..9).prop_flat_map(|(h, w)| {
        (
            Just(vec![h, w]),
            (1..=h, 1..=w).prop_map(|(a, b)| vec![a, b]),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Chunking never changes an answer.
    #[test]
    fn chunking_is_invisible((shape, chunks) in shape_and_chunks(), seed in 0u64..1000) {
        let v = arr(&shape, |i| {
            let r = ((i as u64 + seed) * 2_654_435_761 % 1000) as f64 / 10.0;
            if r < 10.0 { f64::NAN } else { r }
        });
        let one = LazyArray::from_array("a", &["y", "x"], &v, &shape).unwrap();
        let many = LazyArray::from_array("a", &["y", "x"], &v, &chunks).unwrap();
        let build = |a: &LazyArray| -> Vec<LazyArray> {
            vec![
                a.mean(&["x"]).unwrap(),
                a.max(&[]).unwrap(),
                a.argmax(Some("y")).unwrap(),
                a.cumsum("x", true).unwrap(),
                a.rolling_sum("y", 2).unwrap(),
                a.pad_edge("x", 1, 2).unwrap().mul_scalar(2.0).sum(&["y"]).unwrap(),
                a.add(&a.t()).unwrap().clip(20.0, 80.0),
            ]
        };
        for (x, y) in build(&one).iter().zip(build(&many).iter()) {
            let (x, y) = (sync(x), sync(y));
            prop_assert!(same(&x, &y), "{x:?} vs {y:?}");
        }
    }

    /// Sums agree with a sequential reference on random NaN layouts.
    #[test]
    fn sum_matches_reference(vals in proptest::collection::vec(proptest::option::weighted(0.8, -1e3f64..1e3), 1..60), c in 1usize..10) {
        let v: Vec<f64> = vals.iter().map(|o| o.unwrap_or(f64::NAN)).collect();
        let a = LazyArray::from_array("v", &["x"], &ArrayD::from_shape_vec(IxDyn(&[v.len()]), v.clone()).unwrap(), &[c]).unwrap();
        let got = sync(&a.sum(&[]).unwrap())[[]];
        prop_assert!((got - nansum(&v)).abs() < 1e-6);
        let got = sync(&a.argmax(None).unwrap())[[]];
        let want = nanargmax(&v);
        prop_assert!((got.is_nan() && want.is_nan()) || got == want);
    }
}
