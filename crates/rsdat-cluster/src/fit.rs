//! The pre-flight check: will the plan's tasks fit the requested memory, walltime and the
//! cluster's limits, and how many tasks go in one array element.

use serde::Serialize;

use crate::options::SlurmOptions;
use crate::slurm::Limits;
use crate::{Error, Result};

/// Memory of the worker process itself (binary, plan, buffers), bytes.
pub(crate) const WORKER_BASE_BYTES: u64 = 96 << 20;
/// Expected time per task is multiplied by this when sizing batches to the walltime.
const TIME_SAFETY: f64 = 1.5;
/// Share of the walltime a batch may plan to use.
const WALL_SHARE: f64 = 0.8;
/// SLURM's overhead must stay below this share of compute.
pub const MAX_OVERHEAD: f64 = 0.10;

/// What the tasks of one stage need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageNeeds {
    /// Stage name.
    pub name: String,
    /// Tasks still to run.
    pub todo: u64,
    /// Peak memory of its largest task, bytes.
    pub peak_bytes: u64,
    /// Estimated seconds per task.
    pub seconds_per_task: f64,
    /// Whether that time was measured (a calibration run or an earlier attempt); a guess
    /// never refuses a plan.
    pub measured: bool,
    /// A chunk shape under which a task needs at most `peak_bytes` / 2 (for messages).
    pub chunk_hint: String,
}

/// How one stage goes to SLURM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageLayout {
    /// Tasks per array element.
    pub batch: u64,
    /// Array elements.
    pub elements: u64,
    /// Memory per element, MB.
    pub mem_mb: u64,
    /// Walltime per element, seconds (`None`: the partition's default).
    pub time_s: Option<u64>,
    /// Expected share of SLURM overhead in an element's time.
    pub overhead_share: f64,
}

/// `1536` -> `1.5G`, `300` -> `300M`.
fn mem_text(mb: u64) -> String {
    if mb >= 1024 && mb.is_multiple_of(1024) {
        format!("{}G", mb / 1024)
    } else if mb >= 1024 {
        #[allow(clippy::cast_precision_loss)]
        let g = mb as f64 / 1024.0;
        format!("{g:.1}G")
    } else {
        format!("{mb}M")
    }
}

/// Rounds MB up to a size people ask for: 256M steps below 1G, whole G above.
fn round_mem(mb: u64) -> u64 {
    if mb <= 1024 {
        mb.div_ceil(256) * 256
    } else {
        mb.div_ceil(1024) * 1024
    }
}

fn minutes(s: f64) -> u64 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let m = (s / 60.0).ceil() as u64;
    m.max(1)
}

/// Array elements that can run at once: the partition's CPUs over `--cpus-per-task`,
/// at most `--max-running`.
pub(crate) fn slots(opts: &SlurmOptions, limits: &Limits) -> u64 {
    let cpus = u64::from(opts.cpus_per_task.max(1));
    limits
        .total_cpus
        .map_or(u64::MAX, |c| (c / cpus).max(1))
        .min(opts.max_running.map_or(u64::MAX, u64::from))
}

/// Checks every stage against the options and the limits; returns how each is submitted.
///
/// # Errors
/// [`Error::DoesNotFit`] saying what does not fit and what would.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn fit(needs: &[StageNeeds], opts: &SlurmOptions, limits: &Limits) -> Result<Vec<StageLayout>> {
    let refuse = |s: String| Err(Error::DoesNotFit(s));
    if limits.state != "UP" && !limits.state.is_empty() {
        return refuse(format!(
            "partition `{}` is {}; pick another with --partition",
            limits.partition, limits.state
        ));
    }
    let cpus = u64::from(opts.cpus_per_task.max(1));
    if let Some(max) = limits.max_cpus_per_node.or(limits.total_cpus) {
        if cpus > max {
            return refuse(format!(
                "--cpus-per-task {cpus} is more than partition `{}` has on a node ({max})",
                limits.partition
            ));
        }
    }
    if let (Some(t), Some(max)) = (opts.time_s, limits.max_time_s) {
        if t > max {
            return refuse(format!(
                "--time {} min is over the walltime limit of partition `{}` ({} min); use --time {} or less",
                minutes(t as f64),
                limits.partition,
                max / 60,
                max / 60
            ));
        }
    }
    let wall = opts
        .time_s
        .or(limits.default_time_s)
        .or(limits.max_time_s)
        .map(|t| t as f64);
    let overhead = opts.element_overhead_s;
    let slots = slots(opts, limits);
    let mut out = Vec::with_capacity(needs.len());
    for n in needs {
        if n.todo == 0 {
            out.push(StageLayout {
                batch: 0,
                elements: 0,
                mem_mb: 0,
                time_s: opts.time_s,
                overhead_share: 0.0,
            });
            continue;
        }
        // memory: `cpus` tasks at once plus the worker
        let need_mb = (n.peak_bytes * cpus + WORKER_BASE_BYTES).div_ceil(1 << 20);
        let per_task = crate::human(n.peak_bytes);
        let mem_mb = match opts.mem_per_task_mb {
            Some(m) if m < need_mb => {
                return refuse(format!(
                    "tasks of stage `{}` need {per_task} each ({cpus} at once, plus {} for the worker: {}); \
                     --mem-per-task {} is too small; use {} or chunks of {}",
                    n.name,
                    crate::human(WORKER_BASE_BYTES),
                    mem_text(need_mb),
                    mem_text(m),
                    mem_text(round_mem(need_mb)),
                    n.chunk_hint
                ))
            }
            Some(m) => m,
            None => need_mb.div_ceil(64) * 64,
        };
        let node_max = limits
            .max_mem_mb
            .into_iter()
            .chain(limits.max_mem_per_cpu_mb.map(|c| c * cpus))
            .min();
        if let Some(max) = node_max {
            if mem_mb > max {
                return refuse(format!(
                    "tasks of stage `{}` need {} per array element ({per_task} per task), more than partition `{}` allows ({}); use chunks of {}",
                    n.name,
                    mem_text(mem_mb),
                    limits.partition,
                    mem_text(max),
                    n.chunk_hint
                ));
            }
        }
        // time
        let t = n.seconds_per_task.max(1e-4);
        let max_batch = match wall {
            Some(w) => {
                let rounds = ((w * WALL_SHARE - overhead) / (t * TIME_SAFETY)).floor();
                if rounds < 1.0 && !n.measured {
                    1
                } else if rounds < 1.0 {
                    let want = minutes((t * TIME_SAFETY + overhead) / WALL_SHARE);
                    return refuse(format!(
                        "a task of stage `{}` takes about {t:.1} s (measured); a walltime of {} min leaves no room for one; use --time {want} or smaller chunks (e.g. {})",
                        n.name,
                        minutes(w),
                        n.chunk_hint
                    ));
                } else {
                    (rounds as u64).saturating_mul(cpus)
                }
            }
            None => u64::MAX,
        };
        let min_batch = cpus * ((overhead / (MAX_OVERHEAD * t)).ceil() as u64).max(1);
        let mut batch = match opts.batch {
            Some(b) => {
                if b > max_batch {
                    return refuse(format!(
                        "--batch {b} tasks of stage `{}` take about {:.0} s, over the walltime ({} min); use --batch {max_batch} or a longer --time",
                        n.name,
                        (b.div_ceil(cpus)) as f64 * t + overhead,
                        minutes(wall.unwrap_or(0.0))
                    ));
                }
                b
            }
            None => {
                if min_batch > max_batch {
                    tracing::warn!(
                        stage = %n.name,
                        "the walltime allows {max_batch} tasks per element; SLURM overhead will be over 10 %"
                    );
                }
                min_batch.min(max_batch)
            }
        }
        .clamp(1, n.todo);
        // batches so large that fewer elements than the partition can run at once would
        // leave CPUs idle (and the run longer than SLURM's overhead costs): spread them
        if opts.batch.is_none() && n.todo.div_ceil(batch) < slots {
            batch = n.todo.div_ceil(slots).max(1);
        }
        let max_elements = limits.max_array_size.max(1);
        if n.todo.div_ceil(batch) > max_elements {
            let need = n.todo.div_ceil(max_elements);
            if need > max_batch || opts.batch.is_some() {
                return refuse(format!(
                    "stage `{}` has {} tasks; MaxArraySize {} needs at least {need} tasks per element, {}; use larger chunks or a longer --time",
                    n.name,
                    n.todo,
                    limits.max_array_size,
                    if opts.batch.is_some() { "more than --batch".to_owned() } else { format!("which do not fit the walltime ({max_batch} do)") }
                ));
            }
            batch = need;
        }
        let compute = batch.div_ceil(cpus) as f64 * t;
        out.push(StageLayout {
            batch,
            elements: n.todo.div_ceil(batch),
            mem_mb,
            time_s: opts.time_s,
            overhead_share: overhead / (overhead + compute),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            partition: "debug".into(),
            state: "UP".into(),
            max_array_size: 1001,
            max_time_s: Some(3600),
            max_mem_mb: Some(20000),
            total_cpus: Some(2),
            ..Limits::default()
        }
    }

    fn stage(todo: u64, peak_mb: u64, secs: f64) -> StageNeeds {
        StageNeeds {
            name: "0:fold".into(),
            todo,
            peak_bytes: peak_mb << 20,
            seconds_per_task: secs,
            measured: true,
            chunk_hint: "500x500".into(),
        }
    }

    #[test]
    fn batches_keep_overhead_under_ten_percent() {
        let o = SlurmOptions::new("rsdat".into());
        let l = fit(&[stage(1000, 100, 0.5)], &o, &limits()).expect("fits");
        assert_eq!(l[0].batch, 40); // 2 s overhead / (10 % of 0.5 s)
        assert_eq!(l[0].elements, 25);
        assert!(l[0].overhead_share <= MAX_OVERHEAD + 1e-9);
        assert_eq!(l[0].mem_mb, 256);
    }

    #[test]
    fn few_long_tasks_are_spread_over_the_cpus_the_partition_has() {
        let mut o = SlurmOptions::new("rsdat".into());
        // 2 s overhead would want 20 tasks of 1 s per element: one element, one CPU idle
        let l = fit(&[stage(6, 100, 1.0)], &o, &limits()).expect("fits");
        assert_eq!((l[0].batch, l[0].elements), (3, 2));
        o.max_running = Some(1);
        let l = fit(&[stage(6, 100, 1.0)], &o, &limits()).expect("fits");
        assert_eq!((l[0].batch, l[0].elements), (6, 1));
        o.max_running = None;
        o.batch = Some(6); // asked for
        let l = fit(&[stage(6, 100, 1.0)], &o, &limits()).expect("fits");
        assert_eq!((l[0].batch, l[0].elements), (6, 1));
    }

    #[test]
    fn memory_refusal_says_what_fits() {
        let mut o = SlurmOptions::new("rsdat".into());
        o.mem_per_task_mb = Some(2048);
        let e = fit(&[stage(10, 3174, 1.0)], &o, &limits()).expect_err("too small");
        let m = e.to_string();
        assert!(m.contains("3.1 GiB"), "{m}");
        assert!(
            m.contains("--mem-per-task 2G is too small; use 4G or chunks of 500x500"),
            "{m}"
        );
        o.mem_per_task_mb = None;
        let e = fit(&[stage(10, 30000, 1.0)], &o, &limits()).expect_err("node too small");
        assert!(
            e.to_string().contains("more than partition `debug` allows"),
            "{e}"
        );
    }

    #[test]
    fn walltime_refusals() {
        let mut o = SlurmOptions::new("rsdat".into());
        o.time_s = Some(60);
        let e = fit(&[stage(10, 10, 100.0)], &o, &limits()).expect_err("task too slow");
        assert!(e.to_string().contains("use --time 4"), "{e}");
        o.time_s = Some(7200);
        let e = fit(&[stage(10, 10, 1.0)], &o, &limits()).expect_err("over MaxTime");
        assert!(e.to_string().contains("use --time 60 or less"), "{e}");
        o.time_s = Some(60);
        o.batch = Some(100);
        let e = fit(&[stage(1000, 10, 1.0)], &o, &limits()).expect_err("batch too long");
        assert!(e.to_string().contains("use --batch 30"), "{e}");
    }

    #[test]
    fn array_size_raises_the_batch() {
        let mut o = SlurmOptions::new("rsdat".into());
        o.batch = None;
        let l = fit(&[stage(100_000, 10, 10.0)], &o, &limits()).expect("fits");
        assert!(l[0].elements <= 1001);
        assert_eq!(l[0].batch, 100); // 100_000 / 1001 rounded up
    }
}
