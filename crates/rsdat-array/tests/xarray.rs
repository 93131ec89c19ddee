//! Differential tests: rsdat-array operations against xarray/numpy in the fixture venv
//! (`tests/data/xarray_ops.py`), on data with NaN, all-NaN lanes and ragged edge chunks.
#![allow(clippy::unwrap_used, missing_docs)]

use std::io::Write;
use std::process::{Command, Stdio};

use ndarray::{ArrayD, IxDyn};
use rsdat_array::{compute, ComputeOptions, LazyArray, ReduceOp};
use serde_json::{json, Value};

fn to_json(a: &ArrayD<f64>) -> Value {
    a.iter()
        .map(|&v| if v.is_nan() { Value::Null } else { json!(v) })
        .collect()
}

fn from_json(v: &Value) -> ArrayD<f64> {
    let shape: Vec<usize> = v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap() as usize)
        .collect();
    let data = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect();
    ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap()
}

fn xarray(v: &ArrayD<f64>) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/xarray_ops.py");
    let mut child = Command::new(rsdat_testkit::python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let req = json!({ "shape": v.shape(), "data": to_json(v) });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(req.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "xarray_ops.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn close(a: &ArrayD<f64>, b: &ArrayD<f64>) -> bool {
    a.shape() == b.shape()
        && a.iter().zip(b).all(|(x, y)| {
            (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-9 * (1.0 + x.abs().max(y.abs()))
        })
}

fn check(v: &ArrayD<f64>, chunks: &[usize]) {
    let want = xarray(v);
    let x = LazyArray::from_array("x", &["y", "x"], v, chunks).unwrap();
    let mut ops: Vec<(String, LazyArray)> = Vec::new();
    for d in ["y", "x"] {
        ops.push((format!("sum_{d}"), x.sum(&[d]).unwrap()));
        ops.push((
            format!("sum_noskip_{d}"),
            x.reduce(ReduceOp::Sum, &[d], false).unwrap(),
        ));
        ops.push((format!("mean_{d}"), x.mean(&[d]).unwrap()));
        ops.push((format!("max_{d}"), x.max(&[d]).unwrap()));
        ops.push((format!("min_{d}"), x.min(&[d]).unwrap()));
        ops.push((
            format!("max_noskip_{d}"),
            x.reduce(ReduceOp::Max, &[d], false).unwrap(),
        ));
        ops.push((format!("cumsum_{d}"), x.cumsum(d, true).unwrap()));
        ops.push((format!("rolling3_{d}"), x.rolling_sum(d, 3).unwrap()));
        ops.push((format!("pad_{d}"), x.pad_edge(d, 2, 1).unwrap()));
        ops.push((format!("argmax_{d}"), x.argmax(Some(d)).unwrap()));
    }
    ops.push(("mean_all".into(), x.mean(&[]).unwrap()));
    ops.push((
        "coarsen".into(),
        x.coarsen_mean(&[("y", 2), ("x", 3)]).unwrap(),
    ));
    ops.push(("round1".into(), x.mul_scalar(0.25).round(1)));
    ops.push(("clip".into(), x.clip(-3.0, 4.0)));
    let positive = x
        .binary(
            &LazyArray::full("zero", &[], &[], 0.0).unwrap(),
            rsdat_array::BinaryOp::Gt,
        )
        .unwrap();
    ops.push(("where".into(), x.where_(&positive).unwrap()));
    if v.shape()[0] == v.shape()[1] {
        ops.push((
            "xpxt".into(),
            x.add(&x.t().rename_dims(&["y", "x"]).unwrap()).unwrap(),
        ));
    }
    let arrays: Vec<&LazyArray> = ops.iter().map(|(_, a)| a).collect();
    let got = compute(&arrays, &ComputeOptions::default()).unwrap();
    for ((name, _), g) in ops.iter().zip(&got) {
        let w = from_json(&want[name]);
        assert!(
            close(g, &w),
            "{name} with chunks {chunks:?}:\nrsdat  {g:?}\nxarray {w:?}"
        );
    }
}

fn sample(ny: usize, nx: usize, seed: u64) -> ArrayD<f64> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut v = ArrayD::from_shape_fn(IxDyn(&[ny, nx]), |_| {
        if rng.f64() < 0.15 {
            f64::NAN
        } else {
            (rng.f64() * 20.0 - 10.0).round() / 2.0
        }
    });
    // an all-NaN row and column, and ties
    for j in 0..nx {
        v[[1, j]] = f64::NAN;
    }
    for i in 0..ny {
        v[[i, nx - 1]] = f64::NAN;
    }
    v[[0, 0]] = 7.0;
    v[[0, 2]] = 7.0;
    v
}

#[test]
fn operations_agree_with_xarray() {
    for (ny, nx, chunks, seed) in [
        (9, 9, vec![4, 4], 1),
        (7, 11, vec![3, 5], 2),
        (12, 12, vec![12, 1], 3),
        (6, 10, vec![1, 4], 4),
        // chunks big enough to be computed in bands of rows
        (300, 300, vec![160, 120], 5),
        (40, 700, vec![30, 700], 6),
    ] {
        check(&sample(ny, nx, seed), &chunks);
    }
}
