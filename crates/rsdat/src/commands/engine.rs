//! Shared pieces of the engine commands (`graph`, `bench`, `worker`): executor flags, the
//! dataset opener, progress bars.

use std::sync::Arc;

use clap::{Args, ValueEnum};
use rsdat_array::{ComputeOptions, ExecutorKind};

/// Which executor runs the tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExecutorArg {
    /// In-process thread pool (default).
    Threads,
    /// Local worker processes (`rsdat worker`).
    Processes,
    /// One task at a time on the main thread (debugging).
    Sync,
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
        Ok(ComputeOptions {
            executor: match self.executor {
                ExecutorArg::Threads => ExecutorKind::Threads,
                ExecutorArg::Processes => ExecutorKind::Processes,
                ExecutorArg::Sync => ExecutorKind::Sync,
            },
            workers: self.workers,
            memory_limit: Some(self.memory_limit.unwrap_or_else(default_memory_limit)),
            worker_program: Some(std::env::current_exe()?),
            progress: Some(progress),
            task_dir: None,
        })
    }
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
