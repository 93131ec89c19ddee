//! What to ask SLURM for: flags or a profile file per platform.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::slurm::{parse_mem_mb, parse_time};
use crate::{Error, Result};

/// Options of runs on SLURM. Unset resources are left to the cluster's defaults (or, for
/// memory, sized from the plan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SlurmOptions {
    /// Partition (`--partition`); the cluster's default when `None`.
    pub partition: Option<String>,
    /// Account to charge (`--account`).
    pub account: Option<String>,
    /// Reservation (`--reservation`).
    pub reservation: Option<String>,
    /// CPUs per array element; an element runs this many tasks at once.
    pub cpus_per_task: u32,
    /// Memory per array element, MB; sized from the plan when `None`.
    pub mem_per_task_mb: Option<u64>,
    /// Walltime of an array element, seconds (SLURM rounds up to minutes).
    pub time_s: Option<u64>,
    /// At most this many array elements run at once (`--array=...%N`).
    pub max_running: Option<u32>,
    /// Extra `#SBATCH` lines, as written after `#SBATCH ` (e.g. `--qos=short`).
    pub sbatch_lines: Vec<String>,
    /// Environment of the array elements.
    pub env: Vec<(String, String)>,
    /// Tasks per array element; sized so SLURM's overhead stays under 10 % when `None`.
    pub batch: Option<u64>,
    /// Start-up cost of one array element (queueing, launch, loading the plan), seconds.
    pub element_overhead_s: f64,
    /// Times a task may fail (exit with an error, run out of memory) before the run fails.
    /// Walltime kills, preemption and node failures never count.
    pub max_retries: u32,
    /// How often the driver looks at markers and the queue.
    #[serde(with = "millis")]
    pub poll: Duration,
    /// Tasks per stage run locally to estimate time per task, when no run recorded it (fewer
    /// when the first already took a second).
    pub calibration_tasks: usize,
    /// The worker program on the compute nodes (the `rsdat` binary).
    pub program: PathBuf,
    /// Run directory on the shared filesystem; `./rsdat-run-<time>` when `None`.
    pub run_dir: Option<PathBuf>,
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

impl SlurmOptions {
    /// Defaults for running `program worker` on the compute nodes.
    #[must_use]
    pub fn new(program: PathBuf) -> Self {
        Self {
            partition: None,
            account: None,
            reservation: None,
            cpus_per_task: 1,
            mem_per_task_mb: None,
            time_s: None,
            max_running: None,
            sbatch_lines: Vec::new(),
            env: Vec::new(),
            batch: None,
            element_overhead_s: 2.0,
            max_retries: 2,
            poll: Duration::from_secs(1),
            calibration_tasks: 2,
            program,
            run_dir: None,
        }
    }

    /// Sets one option by its flag name (`partition`, `mem-per-task`, `time`, `sbatch`,
    /// `env`, ...) from text, as in a profile file.
    ///
    /// # Errors
    /// [`Error::Parse`] naming an unknown key or a value that does not read.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let bad = |reason: &str| Error::Parse {
            command: format!("option `{key}`"),
            reason: reason.to_owned(),
            output: value.to_owned(),
        };
        let v = value.trim();
        match key.trim() {
            "partition" => self.partition = Some(v.to_owned()),
            "account" => self.account = Some(v.to_owned()),
            "reservation" => self.reservation = Some(v.to_owned()),
            "cpus-per-task" => {
                self.cpus_per_task = v
                    .parse()
                    .ok()
                    .filter(|&c| c > 0)
                    .ok_or_else(|| bad("expected a CPU count of at least 1"))?;
            }
            "mem-per-task" => {
                self.mem_per_task_mb =
                    Some(parse_mem_mb(v).ok_or_else(|| bad("expected memory like 4G or 500M"))?);
            }
            "time" => {
                self.time_s =
                    Some(parse_time(v).ok_or_else(|| {
                        bad("expected minutes or [D-]HH:MM:SS, as sbatch --time")
                    })?);
            }
            "max-running" => {
                self.max_running = Some(
                    v.parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| bad("expected a count of at least 1"))?,
                );
            }
            "sbatch" => self
                .sbatch_lines
                .push(v.trim_start_matches("#SBATCH").trim().to_owned()),
            "env" => {
                let (k, val) = v
                    .split_once('=')
                    .ok_or_else(|| bad("expected NAME=VALUE"))?;
                self.env.push((k.trim().to_owned(), val.to_owned()));
            }
            "batch" => {
                self.batch = Some(
                    v.parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| bad("expected tasks per array element, at least 1"))?,
                );
            }
            "element-overhead" => {
                self.element_overhead_s = v
                    .parse()
                    .ok()
                    .filter(|&s: &f64| s >= 0.0)
                    .ok_or_else(|| bad("expected seconds"))?;
            }
            "max-retries" => {
                self.max_retries = v.parse().map_err(|_| bad("expected a count"))?;
            }
            "run-dir" => self.run_dir = Some(PathBuf::from(v)),
            _ => {
                return Err(bad(
                    "unknown option; known: partition, account, reservation, cpus-per-task, \
                     mem-per-task, time, max-running, sbatch, env, batch, element-overhead, \
                     max-retries, run-dir",
                ))
            }
        }
        Ok(())
    }

    /// Applies a profile: `key = value` lines (`#` starts a comment), keys as flag names.
    ///
    /// # Errors
    /// [`Error::Parse`] naming the profile line that does not read.
    pub fn apply_profile(&mut self, text: &str, origin: &Path) -> Result<()> {
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') && !line.starts_with("#SBATCH") {
                continue;
            }
            if let Some(rest) = line.strip_prefix("#SBATCH") {
                self.sbatch_lines.push(rest.trim().to_owned());
                continue;
            }
            let (k, v) = line.split_once('=').ok_or_else(|| Error::Parse {
                command: format!("profile `{}` line {}", origin.display(), n + 1),
                reason: "expected `key = value`".into(),
                output: line.to_owned(),
            })?;
            self.set(k, v).map_err(|e| Error::Parse {
                command: format!("profile `{}` line {}", origin.display(), n + 1),
                reason: e.to_string(),
                output: line.to_owned(),
            })?;
        }
        Ok(())
    }

    /// Reads a profile file (see [`SlurmOptions::apply_profile`]).
    ///
    /// # Errors
    /// [`Error::Io`] naming the file, or a line that does not read.
    pub fn load_profile(&mut self, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io("reading SLURM profile", path, e))?;
        self.apply_profile(&text, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_lines() {
        let mut o = SlurmOptions::new("rsdat".into());
        o.apply_profile(
            "# Snellius\npartition = thin\naccount=proj42\nmem-per-task = 4G\ntime = 01:30:00\n\
             max-running = 60\n#SBATCH --qos=short\nsbatch = --constraint=scratch\nenv = OMP_NUM_THREADS=1\n",
            Path::new("snellius.profile"),
        )
        .expect("profile reads");
        assert_eq!(o.partition.as_deref(), Some("thin"));
        assert_eq!(o.account.as_deref(), Some("proj42"));
        assert_eq!(o.mem_per_task_mb, Some(4096));
        assert_eq!(o.time_s, Some(5400));
        assert_eq!(o.max_running, Some(60));
        assert_eq!(o.sbatch_lines, ["--qos=short", "--constraint=scratch"]);
        assert_eq!(o.env, [("OMP_NUM_THREADS".into(), "1".into())]);
        let e = o
            .apply_profile("walltime = 5\n", Path::new("p"))
            .expect_err("unknown key");
        assert!(e.to_string().contains("line 1"), "{e}");
        assert!(o.apply_profile("time = soon\n", Path::new("p")).is_err());
    }
}
