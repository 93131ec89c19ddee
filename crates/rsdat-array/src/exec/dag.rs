//! A dependency-driven pool over a DAG of numbered tasks, shared by the plan executors and
//! [`crate::Delayed`]: a task runs once its inputs are done; a worker that finishes a task
//! continues with one it made ready (depth first), so outputs are consumed and released
//! soon after they are made, which bounds memory in flight.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use crate::{Error, Result};

/// Edges as compressed rows.
#[derive(Debug, Default)]
struct Csr {
    offsets: Vec<usize>,
    targets: Vec<usize>,
}

impl Csr {
    fn row(&self, i: usize) -> &[usize] {
        &self.targets[self.offsets[i]..self.offsets[i + 1]]
    }
}

/// Tasks `0..n` with their inputs and priorities (higher runs first).
#[derive(Debug)]
pub(crate) struct Dag {
    n: usize,
    inputs: Csr,
    dependents: Csr,
    priority: Vec<u32>,
    levels: usize,
}

impl Dag {
    /// Builds the DAG; `inputs_of(i, out)` appends task `i`'s inputs (all `< n`).
    pub(crate) fn new(
        n: usize,
        mut inputs_of: impl FnMut(usize, &mut Vec<usize>),
        priority: impl Fn(usize) -> u32,
    ) -> Self {
        let mut inputs = Csr {
            offsets: Vec::with_capacity(n + 1),
            targets: Vec::new(),
        };
        inputs.offsets.push(0);
        let mut buf = Vec::new();
        let mut out_deg = vec![0usize; n];
        for i in 0..n {
            buf.clear();
            inputs_of(i, &mut buf);
            for &j in &buf {
                out_deg[j] += 1;
            }
            inputs.targets.extend_from_slice(&buf);
            inputs.offsets.push(inputs.targets.len());
        }
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        for d in &out_deg {
            offsets.push(offsets.last().copied().unwrap_or(0) + d);
        }
        let mut fill = offsets.clone();
        let mut targets = vec![0; inputs.targets.len()];
        for i in 0..n {
            for &j in inputs.row(i) {
                targets[fill[j]] = i;
                fill[j] += 1;
            }
        }
        let priority: Vec<u32> = (0..n).map(priority).collect();
        let levels = priority.iter().max().map_or(1, |&m| m as usize + 1);
        Self {
            n,
            inputs,
            dependents: Csr { offsets, targets },
            priority,
            levels,
        }
    }
}

/// Ready tasks in buckets by priority; each bucket a stack.
struct Ready {
    buckets: Vec<Vec<usize>>,
    count: usize,
    finished: bool,
}

impl Ready {
    fn pop(&mut self) -> Option<usize> {
        if self.count == 0 {
            return None;
        }
        let b = self.buckets.iter_mut().rev().find(|b| !b.is_empty())?;
        self.count -= 1;
        b.pop()
    }
}

/// What a run calls back.
pub(crate) struct Hooks<'a> {
    /// Runs task `i` on worker `w` (`0..workers`): `work(i, w)`.
    pub(crate) work: &'a (dyn Fn(usize, usize) -> Result<()> + Sync),
    /// Called when no task needs task `i`'s output any more.
    pub(crate) release: &'a (dyn Fn(usize) + Sync),
    /// Called with the number of tasks done.
    pub(crate) progress: &'a (dyn Fn(usize) + Sync),
}

/// Runs every task of `dag` on `workers` threads (the current thread when 1).
///
/// # Errors
/// The first task error; the run stops starting new tasks then.
pub(crate) fn run(dag: &Dag, workers: usize, hooks: &Hooks<'_>) -> Result<()> {
    if dag.n == 0 {
        return Ok(());
    }
    let remaining: Vec<AtomicU32> = (0..dag.n)
        .map(|i| AtomicU32::new(u32::try_from(dag.inputs.row(i).len()).unwrap_or(u32::MAX)))
        .collect();
    let consumers: Vec<AtomicU32> = (0..dag.n)
        .map(|i| AtomicU32::new(u32::try_from(dag.dependents.row(i).len()).unwrap_or(u32::MAX)))
        .collect();
    let mut buckets = vec![Vec::new(); dag.levels];
    let mut count = 0;
    for i in (0..dag.n).rev() {
        if dag.inputs.row(i).is_empty() {
            buckets[dag.priority[i] as usize].push(i);
            count += 1;
        }
    }
    let shared = Shared {
        dag,
        remaining,
        consumers,
        ready: Mutex::new(Ready {
            buckets,
            count,
            finished: false,
        }),
        cv: Condvar::new(),
        done: AtomicUsize::new(0),
        failed: AtomicBool::new(false),
        error: Mutex::new(None),
    };
    if workers <= 1 {
        shared.worker(hooks, 0);
    } else {
        std::thread::scope(|s| {
            for w in 0..workers {
                let shared = &shared;
                s.spawn(move || shared.worker(hooks, w));
            }
        });
    }
    if let Some(e) = shared.error.lock().expect("error lock").take() {
        return Err(e);
    }
    let done = shared.done.load(Ordering::SeqCst);
    if done != dag.n {
        return Err(Error::Worker(format!(
            "{done} of {} tasks ran: the graph has a cycle",
            dag.n
        )));
    }
    Ok(())
}

struct Shared<'a> {
    dag: &'a Dag,
    remaining: Vec<AtomicU32>,
    consumers: Vec<AtomicU32>,
    ready: Mutex<Ready>,
    cv: Condvar,
    done: AtomicUsize,
    failed: AtomicBool,
    error: Mutex<Option<Error>>,
}

impl Shared<'_> {
    fn next(&self) -> Option<usize> {
        let mut g = self.ready.lock().expect("ready lock");
        loop {
            if g.finished || self.failed.load(Ordering::Relaxed) {
                return None;
            }
            if let Some(i) = g.pop() {
                return Some(i);
            }
            if self.done.load(Ordering::SeqCst) == self.dag.n {
                g.finished = true;
                self.cv.notify_all();
                return None;
            }
            g = self.cv.wait(g).expect("ready lock");
        }
    }

    fn worker(&self, hooks: &Hooks<'_>, w: usize) {
        let mut next = self.next();
        let mut newly = Vec::new();
        while let Some(i) = next {
            if let Err(e) = (hooks.work)(i, w) {
                self.failed.store(true, Ordering::SeqCst);
                self.error.lock().expect("error lock").get_or_insert(e);
                let _g = self.ready.lock().expect("ready lock");
                self.cv.notify_all();
                return;
            }
            newly.clear();
            for &d in self.dag.dependents.row(i) {
                if self.remaining[d].fetch_sub(1, Ordering::AcqRel) == 1 {
                    newly.push(d);
                }
            }
            for &j in self.dag.inputs.row(i) {
                if self.consumers[j].fetch_sub(1, Ordering::AcqRel) == 1 {
                    (hooks.release)(j);
                }
            }
            let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
            (hooks.progress)(done);
            // keep the highest-priority new task, queue the rest
            newly.sort_by_key(|&d| self.dag.priority[d]);
            next = newly.pop();
            if !newly.is_empty() || done == self.dag.n {
                let mut g = self.ready.lock().expect("ready lock");
                for &d in &newly {
                    g.buckets[self.dag.priority[d] as usize].push(d);
                    g.count += 1;
                }
                if done == self.dag.n {
                    g.finished = true;
                    self.cv.notify_all();
                } else if newly.len() == 1 {
                    self.cv.notify_one();
                } else {
                    self.cv.notify_all();
                }
            }
            if next.is_none() {
                next = self.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn runs_in_dependency_order_on_many_threads() {
        // a chain 0 <- 1 <- 2 ... plus independent tasks
        let n = 200;
        let dag = Dag::new(
            n,
            |i, out| {
                if i % 2 == 1 {
                    out.push(i - 1)
                }
            },
            |_| 0,
        );
        let order: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(usize::MAX)).collect();
        let clock = AtomicUsize::new(0);
        let released = AtomicUsize::new(0);
        let work = |i: usize, _w: usize| {
            order[i].store(clock.fetch_add(1, Ordering::SeqCst), Ordering::SeqCst);
            Ok(())
        };
        let release = |_| {
            released.fetch_add(1, Ordering::SeqCst);
        };
        let hooks = Hooks {
            work: &work,
            release: &release,
            progress: &|_| {},
        };
        run(&dag, 4, &hooks).expect("runs");
        for i in (1..n).step_by(2) {
            assert!(order[i].load(Ordering::SeqCst) > order[i - 1].load(Ordering::SeqCst));
        }
        assert_eq!(released.load(Ordering::SeqCst), n / 2);
    }

    #[test]
    fn first_error_stops_the_run() {
        let dag = Dag::new(10, |_, _| {}, |_| 0);
        let work = |i: usize, _w: usize| {
            if i == 3 {
                Err(Error::Worker("boom".into()))
            } else {
                Ok(())
            }
        };
        let hooks = Hooks {
            work: &work,
            release: &|_| {},
            progress: &|_| {},
        };
        assert!(run(&dag, 2, &hooks).is_err());
        assert!(run(&dag, 1, &hooks).is_err());
    }
}
