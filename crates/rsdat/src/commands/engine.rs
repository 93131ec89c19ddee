//! Shared pieces of the engine commands (`graph`, `bench`, `worker`): executor flags, the
//! dataset opener, progress bars.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use rsdat_array::{ComputeOptions, ExecutorKind};
use rsdat_dashboard::{Dashboard, DashboardOptions};

/// Which executor runs the tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExecutorArg {
    /// In-process thread pool (default).
    Threads,
    /// Local worker processes (`rsdat worker`).
    Processes,
    /// One task at a time on the main thread (debugging).
    Sync,
    /// SLURM job arrays (see the SLURM options; `rsdat jobs` watches the run).
    Slurm,
}

/// Executor options shared by commands that compute.
#[derive(Debug, Clone, Args)]
pub(crate) struct ExecArgs {
    /// Executor.
    #[arg(long, value_enum, default_value_t = ExecutorArg::Threads)]
    pub(crate) executor: ExecutorArg,
    /// Threads or worker processes (default: number of cores).
    #[arg(long)]
    pub(crate) workers: Option<usize>,
    /// Refuse plans whose tasks, one per worker at once, would need more than this many
    /// bytes (suffixes K, M, G); checked before anything runs. Default: half the memory.
    #[arg(long, value_parser = parse_bytes)]
    pub(crate) memory_limit: Option<u64>,
    #[command(flatten)]
    pub(crate) slurm: Box<SlurmArgs>,
    #[command(flatten)]
    pub(crate) dashboard: Box<DashboardArgs>,
}

/// Options of `--executor slurm`; flags override the profile file.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "SLURM (--executor slurm)")]
pub(crate) struct SlurmArgs {
    /// Profile file of `key = value` lines with these options for a platform
    /// (`partition = thin`, `mem-per-task = 4G`, `#SBATCH --qos=short`, ...).
    #[arg(long, env = "RSDAT_SLURM_PROFILE")]
    pub(crate) slurm_profile: Option<PathBuf>,
    /// Run directory on the shared filesystem (plan, outputs, markers, job ids, logs);
    /// running again with the same directory resumes.
    #[arg(long)]
    pub(crate) run_dir: Option<PathBuf>,
    /// Partition (queue).
    #[arg(long)]
    pub(crate) partition: Option<String>,
    /// Account to charge.
    #[arg(long)]
    pub(crate) account: Option<String>,
    /// Reservation.
    #[arg(long)]
    pub(crate) reservation: Option<String>,
    /// CPUs per array element (it runs this many tasks at once).
    #[arg(long)]
    pub(crate) cpus_per_task: Option<u32>,
    /// Memory per array element (`4G`, `500M`); default: sized from the plan.
    #[arg(long)]
    pub(crate) mem_per_task: Option<String>,
    /// Walltime per array element: minutes or [D-]HH:MM:SS.
    #[arg(long)]
    pub(crate) time: Option<String>,
    /// At most this many array elements at once (`%N`).
    #[arg(long)]
    pub(crate) max_running: Option<u32>,
    /// Tasks per array element; default: enough that SLURM overhead stays under 10 %.
    #[arg(long)]
    pub(crate) batch: Option<u64>,
    /// Extra `#SBATCH` line, e.g. `--sbatch=--qos=short` (repeatable).
    #[arg(long = "sbatch", value_name = "LINE")]
    pub(crate) sbatch_lines: Vec<String>,
    /// Environment variable for the array elements, NAME=VALUE (repeatable).
    #[arg(long = "slurm-env", value_name = "NAME=VALUE")]
    pub(crate) env: Vec<String>,
    /// Times a task may fail before the run fails (walltime kills never count).
    #[arg(long)]
    pub(crate) max_retries: Option<u32>,
}

impl SlurmArgs {
    /// The options these flags (over the profile) describe, for `program worker`.
    pub(crate) fn options(&self, program: PathBuf) -> anyhow::Result<rsdat_cluster::SlurmOptions> {
        let mut o = rsdat_cluster::SlurmOptions::new(program);
        if let Some(p) = &self.slurm_profile {
            o.load_profile(p)?;
        }
        let mut set = |k: &str, v: Option<String>| -> anyhow::Result<()> {
            if let Some(v) = v {
                o.set(k, &v)?;
            }
            Ok(())
        };
        set("partition", self.partition.clone())?;
        set("account", self.account.clone())?;
        set("reservation", self.reservation.clone())?;
        set("cpus-per-task", self.cpus_per_task.map(|v| v.to_string()))?;
        set("mem-per-task", self.mem_per_task.clone())?;
        set("time", self.time.clone())?;
        set("max-running", self.max_running.map(|v| v.to_string()))?;
        set("batch", self.batch.map(|v| v.to_string()))?;
        set("max-retries", self.max_retries.map(|v| v.to_string()))?;
        for l in &self.sbatch_lines {
            o.set("sbatch", l)?;
        }
        for e in &self.env {
            o.set("env", e)?;
        }
        if let Some(d) = &self.run_dir {
            o.run_dir = Some(d.clone());
        }
        Ok(o)
    }
}

/// The live dashboard's flags.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct DashboardArgs {
    /// Serve a live dashboard of the run (task stream, progress per stage, memory per
    /// worker, throughput, failures, stage graph) at ADDR:PORT, default 127.0.0.1:8787;
    /// port 0 takes a free one. The URL is printed on stderr. From another machine:
    /// `ssh -L 8787:127.0.0.1:8787 HOST`, then open http://localhost:8787/.
    #[arg(long, value_name = "ADDR:PORT", num_args = 0..=1, default_missing_value = rsdat_dashboard::DEFAULT_ADDR)]
    pub(crate) dashboard: Option<SocketAddr>,
    /// Path prefix a proxy puts before the dashboard's URLs (Jupyter: `/proxy/8787`); the
    /// dashboard answers with and without it.
    #[arg(long, value_name = "PATH", requires = "dashboard")]
    pub(crate) dashboard_prefix: Option<String>,
    /// Keep the dashboard up after the command's work is done, until Ctrl-C (else it
    /// stays for a few seconds).
    #[arg(long, requires = "dashboard")]
    pub(crate) dashboard_keep: bool,
}

/// How long the dashboard stays up after the command's work, without `--dashboard-keep`.
const DASHBOARD_LINGER: Duration = Duration::from_secs(5);

/// The process's dashboard (one for every computation of the command) and whether to
/// keep it up until Ctrl-C.
static DASHBOARD: Mutex<Option<(Dashboard, bool)>> = Mutex::new(None);

impl DashboardArgs {
    /// The observer of the process's dashboard, started at the first call; `None` without
    /// `--dashboard`.
    fn observer(
        &self,
        quiet: bool,
    ) -> anyhow::Result<Option<Arc<dyn rsdat_array::Observer + Send + Sync>>> {
        let Some(addr) = self.dashboard else {
            return Ok(None);
        };
        let mut g = DASHBOARD
            .lock()
            .map_err(|_| anyhow::anyhow!("the dashboard's lock is poisoned"))?;
        if let Some((d, _)) = g.as_ref() {
            return Ok(Some(d.observer()));
        }
        let d = Dashboard::start(&DashboardOptions {
            addr,
            prefix: self.dashboard_prefix.clone(),
            ..DashboardOptions::default()
        })
        .context("starting the dashboard (--dashboard)")?;
        if !quiet {
            let _ = writeln!(std::io::stderr(), "dashboard: {}", d.url());
        }
        let observer = d.observer();
        *g = Some((d, self.dashboard_keep));
        Ok(Some(observer))
    }
}

/// Stops the dashboard, if one runs: after [`DASHBOARD_LINGER`], or at Ctrl-C with
/// `--dashboard-keep`.
pub(crate) fn close_dashboard(quiet: bool) {
    let Some((d, keep)) = DASHBOARD.lock().ok().and_then(|mut g| g.take()) else {
        return;
    };
    let _ = d.flush(Duration::from_secs(2));
    if keep {
        if !quiet {
            let _ = writeln!(
                std::io::stderr(),
                "dashboard: done; still serving {} (Ctrl-C to end)",
                d.url()
            );
        }
        loop {
            std::thread::park();
        }
    }
    if !quiet {
        let _ = writeln!(
            std::io::stderr(),
            "dashboard: done; serving {} for {} more seconds (--dashboard-keep: until Ctrl-C)",
            d.url(),
            DASHBOARD_LINGER.as_secs()
        );
    }
    std::thread::sleep(DASHBOARD_LINGER);
    d.stop();
}

impl ExecArgs {
    /// Compute options for these flags, with a progress bar labelled `what`.
    pub(crate) fn options(&self, what: &str, quiet: bool) -> anyhow::Result<ComputeOptions> {
        install_opener();
        if let Some(n) = self.workers {
            // kernels that split a task over rows (the spring index) use rayon's pool: keep
            // the whole run within `--workers` threads; a second call finds it built
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build_global();
        }
        let bar = crate::progress::bar(0, what, quiet);
        let progress: Arc<dyn Fn(u64, u64) + Send + Sync> = Arc::new(move |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        });
        let program = std::env::current_exe()?;
        let custom: Option<Arc<dyn rsdat_array::Executor + Send + Sync>> =
            if self.executor == ExecutorArg::Slurm {
                let exec = rsdat_cluster::SlurmExecutor::new(self.slurm.options(program.clone())?);
                cancel_on_ctrl_c(exec.cancel_flag());
                Some(Arc::new(exec))
            } else {
                None
            };
        Ok(ComputeOptions {
            executor: match self.executor {
                ExecutorArg::Threads | ExecutorArg::Slurm => ExecutorKind::Threads,
                ExecutorArg::Processes => ExecutorKind::Processes,
                ExecutorArg::Sync => ExecutorKind::Sync,
            },
            workers: self.workers,
            // SLURM checks memory per array element itself, before submitting
            memory_limit: custom
                .is_none()
                .then(|| self.memory_limit.unwrap_or_else(default_memory_limit)),
            worker_program: Some(program),
            progress: Some(progress),
            task_dir: None,
            custom,
            observer: self.dashboard.observer(quiet)?,
        })
    }
}

/// Sets `flag` at the first Ctrl-C (the SLURM driver then cancels its jobs); a second
/// Ctrl-C exits at once.
pub(crate) fn cancel_on_ctrl_c(flag: Arc<AtomicBool>) {
    static FLAGS: std::sync::Mutex<Vec<Arc<AtomicBool>>> = std::sync::Mutex::new(Vec::new());
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    FLAGS.lock().expect("ctrl-c flags").push(flag);
    INSTALLED.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            let flags = FLAGS.lock().expect("ctrl-c flags");
            if flags.iter().any(|f| f.load(Ordering::Relaxed)) {
                std::process::exit(130);
            }
            for f in flags.iter() {
                f.store(true, Ordering::Relaxed);
            }
            tracing::warn!("cancelling the SLURM jobs of this run (Ctrl-C again to exit at once)");
        });
    });
}

/// Lets plans reopen datasets by URL and rebuild rsdat's fold kernels (in this process and
/// in workers).
pub(crate) fn install_opener() {
    super::spring_index::register_fold();
    rsdat_array::set_opener(|urls| {
        if urls.len() == 1 {
            Ok(rsdat_io::open(&urls[0])?)
        } else {
            Ok(Arc::new(rsdat_io::open_merged(urls)?))
        }
    });
}

/// Half of `MemTotal` from `/proc/meminfo`, or 4 GiB where that is unknown.
pub(crate) fn default_memory_limit() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(4 << 30, |kb| kb * 1024 / 2)
}

/// `512M`, `2G`, `1.5GiB` or a plain byte count to bytes.
pub(crate) fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_uppercase();
    let t = t.trim_end_matches("IB").trim_end_matches('B');
    let (num, mult) = match t.chars().last() {
        Some('K') => (&t[..t.len() - 1], 1u64 << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        Some('T') => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    match num.trim().parse::<f64>() {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        Ok(n) if n.is_finite() && n >= 0.0 => Ok((n * mult as f64) as u64),
        _ => Err(format!("`{s}` is not a size like 512M, 2G or 1.5GiB")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes() {
        assert_eq!(parse_bytes("2G"), Ok(2 << 30));
        assert_eq!(parse_bytes("100"), Ok(100));
        assert_eq!(parse_bytes("512MiB"), Ok(512 << 20));
        assert_eq!(parse_bytes("1.5G"), Ok(3 << 29));
        assert!(parse_bytes("-1G").is_err());
        assert!(parse_bytes("lots").is_err());
    }
}
