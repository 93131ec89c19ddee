//! Built-in example computations: the seed's notebooks and the overhead benchmark.

use crate::{Delayed, LazyArray, Result};

/// Notebook 01 of the seed: a random `n x n` array in `chunk x chunk` chunks and the
/// operations it times, by name. `x.T` is positional, as in dask.array.
///
/// # Errors
/// Only for `n` or `chunk` of 0.
pub fn notebook01(n: usize, chunk: usize) -> Result<Vec<(&'static str, LazyArray)>> {
    let x = LazyArray::random("x", &[("y", n), ("x", n)], &[chunk, chunk], 42)?;
    let xt = x.t().rename_dims(&["y", "x"])?;
    Ok(vec![
        ("(x + x.T).mean()", x.add(&xt)?.mean(&[])?),
        ("(x * x.T).sum()", x.mul(&xt)?.sum(&[])?),
        ("x.max(axis=0)", x.max(&["y"])?),
        ("x.dot(x.T).mean()", x.dot(&x.t())?.mean(&[])?),
    ])
}

/// `tasks` no-op chunk tasks (one element each) reduced to one number: the plan the
/// overhead benchmark runs.
///
/// # Errors
/// Only for `tasks` of 0.
pub fn overhead(tasks: usize) -> Result<LazyArray> {
    let x = LazyArray::full("noop", &[("task", tasks)], &[1], 1.0)?;
    x.unary(crate::UnaryOp::Noop).sum(&[])
}

/// The seed's delayed example: `inc` and `double` of each item, `add` them, then `sum`.
#[must_use]
pub fn delayed_inc_add(items: &[i64]) -> Delayed<i64> {
    let outs: Vec<Delayed<i64>> = items
        .iter()
        .map(|&x| {
            let a = Delayed::value("x", x).map("inc", |x| x + 1);
            let b = Delayed::value("x", x).map("double", |x| x * 2);
            a.zip(&b, "add", |a, b| a + b)
        })
        .collect();
    Delayed::collect("list", &outs).map("sum", |v: Vec<i64>| v.iter().sum())
}
