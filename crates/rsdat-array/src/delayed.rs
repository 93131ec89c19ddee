//! Delayed: a graph of Rust closures with dependencies, run by the same pool as plans,
//! as `dask.delayed`.

use std::any::Any;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use crate::exec::dag;
use crate::{Error, Result};

type Value = Arc<dyn Any + Send + Sync>;
type Func = Box<dyn Fn(&[Value]) -> Value + Send + Sync>;

struct DNode {
    name: String,
    deps: Vec<Arc<DNode>>,
    f: Func,
}

/// A value of type `T` not computed yet: a closure and the delayed values it needs.
pub struct Delayed<T> {
    node: Arc<DNode>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Delayed<T> {
    fn clone(&self) -> Self {
        Self {
            node: self.node.clone(),
            _t: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Delayed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Delayed({})", self.node.name)
    }
}

fn get<T: Clone + 'static>(v: &Value) -> T {
    v.downcast_ref::<T>()
        .expect("delayed values keep their type")
        .clone()
}

impl<T: Clone + Send + Sync + 'static> Delayed<T> {
    /// A known value.
    pub fn value(name: &str, v: T) -> Self {
        let v: Value = Arc::new(v);
        Self::from_fn(name, Vec::new(), move |_| v.clone())
    }

    fn from_fn(
        name: &str,
        deps: Vec<Arc<DNode>>,
        f: impl Fn(&[Value]) -> Value + Send + Sync + 'static,
    ) -> Self {
        Self {
            node: Arc::new(DNode {
                name: name.to_owned(),
                deps,
                f: Box::new(f),
            }),
            _t: PhantomData,
        }
    }

    /// `f(self)` later.
    pub fn map<U: Clone + Send + Sync + 'static>(
        &self,
        name: &str,
        f: impl Fn(T) -> U + Send + Sync + 'static,
    ) -> Delayed<U> {
        Delayed::from_fn(name, vec![self.node.clone()], move |v| {
            Arc::new(f(get::<T>(&v[0])))
        })
    }

    /// `f(self, other)` later.
    pub fn zip<U, V>(
        &self,
        other: &Delayed<U>,
        name: &str,
        f: impl Fn(T, U) -> V + Send + Sync + 'static,
    ) -> Delayed<V>
    where
        U: Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        Delayed::from_fn(
            name,
            vec![self.node.clone(), other.node.clone()],
            move |v| Arc::new(f(get::<T>(&v[0]), get::<U>(&v[1]))),
        )
    }

    /// All of `items` as one vector later.
    pub fn collect(name: &str, items: &[Self]) -> Delayed<Vec<T>> {
        Delayed::from_fn(name, items.iter().map(|d| d.node.clone()).collect(), |v| {
            Arc::new(v.iter().map(get::<T>).collect::<Vec<T>>())
        })
    }

    /// Runs the graph on `workers` threads (1: the calling thread) and returns the value.
    ///
    /// # Errors
    /// [`Error::Worker`] if a closure panics.
    pub fn compute_with(&self, workers: usize) -> Result<T> {
        let nodes = flatten(&self.node);
        let index: HashMap<usize, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (Arc::as_ptr(n) as usize, i))
            .collect();
        let d = dag::Dag::new(
            nodes.len(),
            |i, out| {
                out.extend(
                    nodes[i]
                        .deps
                        .iter()
                        .map(|x| index[&(Arc::as_ptr(x) as usize)]),
                )
            },
            |_| 0,
        );
        let results: Vec<Mutex<Option<Value>>> = nodes.iter().map(|_| Mutex::new(None)).collect();
        let work = |i: usize, _worker: usize| {
            let args: Vec<Value> = nodes[i]
                .deps
                .iter()
                .map(|x| {
                    results[index[&(Arc::as_ptr(x) as usize)]]
                        .lock()
                        .expect("result lock")
                        .clone()
                })
                .collect::<Option<_>>()
                .ok_or_else(|| {
                    Error::Worker(format!("`{}` ran before its inputs", nodes[i].name))
                })?;
            let f = &nodes[i].f;
            let v = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&args))).map_err(
                |_| Error::Worker(format!("delayed function `{}` panicked", nodes[i].name)),
            )?;
            *results[i].lock().expect("result lock") = Some(v);
            Ok(())
        };
        let last = nodes.len() - 1;
        let release = |i: usize| {
            if i != last {
                *results[i].lock().expect("result lock") = None;
            }
        };
        dag::run(
            &d,
            workers,
            &dag::Hooks {
                work: &work,
                release: &release,
                progress: &|_| {},
            },
        )?;
        let v = results[last]
            .lock()
            .expect("result lock")
            .take()
            .expect("the root ran");
        Ok(get::<T>(&v))
    }

    /// Runs the graph on as many threads as cores.
    ///
    /// # Errors
    /// As [`Delayed::compute_with`].
    pub fn compute(&self) -> Result<T> {
        self.compute_with(std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
    }

    /// Number of closures in the graph.
    #[must_use]
    pub fn len(&self) -> usize {
        flatten(&self.node).len()
    }

    /// Always false: a delayed value is at least its own closure.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The graph as Graphviz DOT (as `dask.visualize`).
    #[must_use]
    pub fn to_dot(&self) -> String {
        let nodes = flatten(&self.node);
        let index: HashMap<*const DNode, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (Arc::as_ptr(n), i))
            .collect();
        let mut s = String::from(
            "digraph delayed {\n  rankdir=BT;\n  node [shape=box, fontname=\"monospace\"];\n",
        );
        for (i, n) in nodes.iter().enumerate() {
            let _ = writeln!(s, "  n{i} [label=\"{}\"];", n.name.replace('"', "\\\""));
            for d in &n.deps {
                let _ = writeln!(s, "  n{} -> n{i};", index[&Arc::as_ptr(d)]);
            }
        }
        s.push_str("}\n");
        s
    }
}

/// Nodes in dependency order (inputs first), each once; the root last.
fn flatten(root: &Arc<DNode>) -> Vec<Arc<DNode>> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // iterative post-order
    let mut stack = vec![(root.clone(), false)];
    while let Some((n, expanded)) = stack.pop() {
        if seen.contains(&Arc::as_ptr(&n)) {
            continue;
        }
        if expanded {
            seen.insert(Arc::as_ptr(&n));
            out.push(n);
        } else {
            stack.push((n.clone(), true));
            for d in n.deps.iter().rev() {
                if !seen.contains(&Arc::as_ptr(d)) {
                    stack.push((d.clone(), false));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_inc_add_sum() {
        // the seed notebook: inc and add over a list, then sum
        let data = [1i64, 2, 3, 4, 5, 6, 7, 8];
        let outs: Vec<Delayed<i64>> = data
            .iter()
            .map(|&x| {
                let a = Delayed::value("x", x).map("inc", |x| x + 1);
                let b = Delayed::value("x", x).map("double", |x| x * 2);
                a.zip(&b, "add", |a, b| a + b)
            })
            .collect();
        let total = Delayed::collect("list", &outs).map("sum", |v: Vec<i64>| v.iter().sum::<i64>());
        let want: i64 = data.iter().map(|&x| (x + 1) + 2 * x).sum();
        assert_eq!(total.compute_with(1).expect("sync"), want);
        assert_eq!(total.compute_with(4).expect("threads"), want);
        assert_eq!(total.len(), 8 * 5 + 2);
        assert!(total.to_dot().contains("inc"));
    }

    #[test]
    fn panic_is_an_error() {
        let d = Delayed::value("x", 1).map("boom", |_: i32| -> i32 { panic!("boom") });
        assert!(d.compute_with(2).is_err());
    }
}
