//! Planner and executors: fusion, tree reductions, folds, memory refusal, executor
//! identity, plan specs.
#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};
use rsdat_array::{
    compute, ComputeOptions, Error, Executor, ExecutorKind, LazyArray, MemStore, Plan, PlanSpec,
    StageKind, SumUntil, SyncExecutor, ThreadsExecutor,
};

fn bits(a: &ArrayD<f64>) -> Vec<u64> {
    a.iter().map(|x| x.to_bits()).collect()
}

fn notebook01(n: usize, c: usize) -> Vec<LazyArray> {
    let x = LazyArray::random("x", &[("y", n), ("x", n)], &[c, c], 42).unwrap();
    let xt = x.t().rename_dims(&["y", "x"]).unwrap();
    vec![
        x.add(&xt).unwrap().mean(&[]).unwrap(),
        x.mul(&xt).unwrap().sum(&[]).unwrap(),
        x.dot(&x.t()).unwrap().mean(&[]).unwrap(),
        x.max(&["y"]).unwrap(),
        x.cumsum("x", true).unwrap().argmax(Some("x")).unwrap(),
    ]
}

#[test]
fn executors_give_bit_identical_results() {
    // 60 in 16: small chunks; 300 in 128: chunks computed in bands of rows
    let mut arrays = notebook01(60, 16);
    arrays.extend(notebook01(300, 128));
    let refs: Vec<&LazyArray> = arrays.iter().collect();
    let run = |executor, workers| {
        compute(
            &refs,
            &ComputeOptions {
                executor,
                workers: Some(workers),
                ..Default::default()
            },
        )
        .unwrap()
    };
    let s = run(ExecutorKind::Sync, 1);
    for w in [2, 3, 8] {
        let t = run(ExecutorKind::Threads, w);
        for (a, b) in s.iter().zip(&t) {
            assert_eq!(bits(a), bits(b));
        }
    }
    assert!((s[0][[]] - 1.0).abs() < 0.02);
    assert!((s[1][[]] / 3600.0 - 0.25).abs() < 0.03);
}

#[test]
fn elementwise_fuses_and_reductions_are_trees() {
    let x = LazyArray::random("x", &[("y", 1000), ("x", 1000)], &[100, 100], 1).unwrap();
    let m = x
        .add(&x.t().rename_dims(&["y", "x"]).unwrap())
        .unwrap()
        .mean(&[])
        .unwrap();
    let plan = Plan::build(&[&m]).unwrap();
    // partial over the fused add (100 tasks), combines, final
    assert!(matches!(
        plan.stages()[0].kind(),
        StageKind::ReducePartial { .. }
    ));
    assert_eq!(plan.stages()[0].tasks(), 100);
    assert_eq!(plan.stages()[1].tasks(), 9); // 10x10 -> 3x3 with fan-in 4x4
    assert_eq!(plan.stages().last().unwrap().tasks(), 1);
    let text = plan.to_string();
    assert!(text.contains("mean-partial"), "{text}");
    assert!(plan.to_dot().starts_with("digraph"));
    assert!(plan.to_dot_stages().contains("s0 -> s1"));
}

#[test]
fn memory_limit_refuses_with_stage_and_hint() {
    let x = LazyArray::random("x", &[("y", 4000), ("x", 4000)], &[4000, 4000], 1).unwrap();
    let m = x.mul_scalar(2.0).mean(&[]).unwrap();
    let plan = Plan::build(&[&m]).unwrap();
    let need = plan.peak_bytes();
    assert!(need >= 4000 * 4000 * 8);
    let err = plan.check_memory(32 << 20).unwrap_err();
    let Error::Memory {
        stage, hint_bytes, ..
    } = &err
    else {
        panic!("{err}")
    };
    assert!(stage.contains("mean-partial"));
    assert!(*hint_bytes <= 32 << 20);
    assert!(err.to_string().contains("hint: chunks of"), "{err}");
    // refused before running, by compute too
    let opts = ComputeOptions {
        memory_limit: Some(32 << 20),
        ..Default::default()
    };
    assert!(matches!(compute(&[&m], &opts), Err(Error::Memory { .. })));
    plan.check_memory(need).unwrap();
}

#[test]
fn fold_streams_and_stops_early() {
    // time x y x: one step per chunk along time, as Daymet files
    let (t, ny, nx) = (30, 6, 5);
    let v = ArrayD::from_shape_fn(IxDyn(&[t, ny, nx]), |ix| {
        if (ix[0] + ix[1]) % 5 == 0 {
            f64::NAN
        } else {
            (ix[1] * nx + ix[2]) as f64 / 10.0 + 0.1
        }
    });
    let a = LazyArray::from_array("gdh", &["time", "y", "x"], &v, &[1, 3, 5]).unwrap();
    let outs = LazyArray::fold(&[&a], "time", Arc::new(SumUntil { threshold: 5.0 })).unwrap();
    assert_eq!(outs.len(), 2);
    let plan = Plan::build(&[&outs[0], &outs[1]]).unwrap();
    let fold_stage = plan
        .stages()
        .iter()
        .find(|s| s.name().contains("fold"))
        .unwrap();
    assert_eq!(fold_stage.tasks(), 2, "one task per (y, x) tile");
    // the fold's layers are fields of its own stage, not stages of their own
    assert_eq!(plan.stages().len(), 1, "{plan}");
    assert_eq!(plan.output_stages(), vec![0]);
    // a layer computed further is a stage of its own, reading the fold's stage
    let scaled = outs[1].mul_scalar(2.0);
    let mixed = Plan::build(&[&outs[0], &scaled]).unwrap();
    assert_eq!(mixed.stages().len(), 2, "{mixed}");
    assert_eq!(mixed.output_stages(), vec![0, 1]);
    let got = compute(&[&outs[0], &outs[1]], &ComputeOptions::default()).unwrap();
    for y in 0..ny {
        for x in 0..nx {
            let mut s = 0.0;
            let mut at = f64::NAN;
            for d in 0..t {
                let q = v[[d, y, x]];
                if !q.is_nan() {
                    s += q;
                    if s >= 5.0 {
                        at = d as f64;
                        break;
                    }
                }
            }
            assert_eq!(got[0][[y, x]].to_bits(), at.to_bits(), "cell {y},{x}");
            assert_eq!(got[1][[y, x]], s);
        }
    }
    let again = compute(&[&outs[0], &scaled], &ComputeOptions::default()).unwrap();
    assert_eq!(bits(&again[0]), bits(&got[0]));
    assert_eq!(again[1], got[1].mapv(|v| v * 2.0));
}

#[test]
fn plan_spec_round_trips_and_rebuilds_the_same_plan() {
    let arrays = notebook01(30, 8);
    let a = LazyArray::from_array(
        "m",
        &["y", "x"],
        &ArrayD::from_elem(IxDyn(&[30, 30]), 0.25),
        &[8, 8],
    )
    .unwrap();
    let f = LazyArray::fold(&[&a], "x", Arc::new(SumUntil { threshold: 1.0 })).unwrap();
    let mut refs: Vec<&LazyArray> = arrays.iter().collect();
    refs.push(&f[0]);
    let plan = Plan::build(&refs).unwrap();
    let spec = plan.spec().unwrap();
    let json = serde_json::to_string(&spec).unwrap();
    let back: PlanSpec = serde_json::from_str(&json).unwrap();
    let rebuilt = Plan::from_spec(&back).unwrap();
    assert_eq!(rebuilt.n_tasks(), plan.n_tasks());
    let names = |p: &Plan| {
        p.stages()
            .iter()
            .map(|s| s.name().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&rebuilt), names(&plan));
    // same values from the rebuilt plan
    let (s1, s2) = (MemStore::new(&plan), MemStore::new(&rebuilt));
    SyncExecutor.execute(&plan, &s1, &|_, _| {}).unwrap();
    ThreadsExecutor { workers: 3 }
        .execute(&rebuilt, &s2, &|_, _| {})
        .unwrap();
    for k in 0..refs.len() {
        assert_eq!(
            bits(&plan.output(k, &s1).unwrap()),
            bits(&rebuilt.output(k, &s2).unwrap())
        );
    }
    // closures do not travel
    let c = arrays[0].map("twice", |v| v * 2.0);
    assert!(matches!(
        Plan::build(&[&c]).unwrap().spec(),
        Err(Error::NotSerialisable(_))
    ));
}

#[test]
fn progress_reaches_total_and_resume_skips_done_tasks() {
    let x = LazyArray::random("x", &[("t", 5000)], &[10], 3).unwrap();
    let s = x.mul_scalar(3.0).sum(&[]).unwrap();
    let plan = Plan::build(&[&s]).unwrap();
    let store = MemStore::new(&plan);
    let last = std::sync::Mutex::new((0, 0));
    ThreadsExecutor { workers: 2 }
        .execute(&plan, &store, &|d, t| *last.lock().unwrap() = (d, t))
        .unwrap();
    assert_eq!(*last.lock().unwrap(), (plan.n_tasks(), plan.n_tasks()));
    let first = plan.output(0, &store).unwrap();
    // a second run over the same store finds the outputs there
    ThreadsExecutor { workers: 2 }
        .execute(&plan, &store, &|_, _| {})
        .unwrap();
    assert_eq!(bits(&plan.output(0, &store).unwrap()), bits(&first));
}

#[test]
fn random_plus_its_transpose_is_symmetric_in_bands() {
    // chunks of 128 x 128 are computed in bands of rows; x.T is generated in its own order
    let x = LazyArray::random("x", &[("y", 300), ("x", 300)], &[128, 128], 9).unwrap();
    let s = x
        .add(&x.t().rename_dims(&["y", "x"]).unwrap())
        .unwrap()
        .compute()
        .unwrap();
    let v = x.compute().unwrap();
    for i in 0..300 {
        for j in 0..300 {
            assert_eq!(s[[i, j]].to_bits(), (v[[i, j]] + v[[j, i]]).to_bits());
        }
    }
}
