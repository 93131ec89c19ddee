//! Talking to SLURM: running its commands, and reading their output in pure functions.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Runs `program args` and returns stdout; a non-zero exit is [`Error::Command`] with stderr.
pub(crate) fn run(program: &str, args: &[&str], cwd: Option<&Path>) -> Result<String> {
    let mut cmd = Command::new(program);
    cmd.args(args);
    if let Some(d) = cwd {
        cmd.current_dir(d);
    }
    let out = cmd.output().map_err(|e| Error::Spawn {
        program: program.to_owned(),
        source: e,
    })?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let message = if stderr.trim().is_empty() {
            stdout.trim().to_owned()
        } else {
            stderr.trim().to_owned()
        };
        Err(Error::Command {
            command: format!("{program} {}", args.join(" ")),
            message: if message.is_empty() {
                format!("exit status {}", out.status)
            } else {
                message
            },
        })
    }
}

/// The job id in `sbatch --parsable` output: `42` or `42;cluster`.
pub(crate) fn parse_sbatch(stdout: &str) -> Result<u64> {
    let first = stdout.lines().map(str::trim).find(|l| !l.is_empty());
    first
        .and_then(|l| l.split(';').next())
        .and_then(|id| id.trim().parse().ok())
        .ok_or_else(|| Error::Parse {
            command: "sbatch --parsable".into(),
            reason: "expected a job id".into(),
            output: stdout.trim().to_owned(),
        })
}

/// `Key = Value` lines of `scontrol show config`.
pub(crate) fn parse_config(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(" = ")?;
            Some((k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect()
}

/// Records of `scontrol -o show ...`: one line each, `Key=Value` words.
pub(crate) fn parse_oneliners(text: &str) -> Vec<BTreeMap<String, String>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split_whitespace()
                .filter_map(|w| w.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

/// A duration as SLURM writes it: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`,
/// `D-HH:MM:SS`; `None` for `UNLIMITED`, `INFINITE`, `NONE` or garbage. Seconds.
#[must_use]
pub fn parse_time(s: &str) -> Option<u64> {
    let s = s.trim();
    let (days, rest) = match s.split_once('-') {
        Some((d, r)) => (d.parse::<u64>().ok()?, r),
        None => (0, s),
    };
    let parts: Vec<u64> = rest
        .split(':')
        .map(|p| p.parse::<u64>().ok())
        .collect::<Option<_>>()?;
    let secs = match (s.contains('-'), parts.as_slice()) {
        (false, [m]) => m * 60,
        (false, [m, sec]) => m * 60 + sec,
        (_, [h, m, sec]) => h * 3600 + m * 60 + sec,
        (true, [h]) => h * 3600,
        (true, [h, m]) => h * 3600 + m * 60,
        _ => return None,
    };
    Some(days * 86400 + secs)
}

/// Memory as SLURM takes it (`4000`, `4000M`, `4G`, `512K`, `1T`): megabytes.
#[must_use]
pub fn parse_mem_mb(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult_kb) = match s.chars().last()? {
        'K' | 'k' => (&s[..s.len() - 1], 1),
        'M' | 'm' => (&s[..s.len() - 1], 1 << 10),
        'G' | 'g' => (&s[..s.len() - 1], 1 << 20),
        'T' | 't' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1 << 10),
    };
    let n: u64 = num.parse().ok()?;
    Some((n * mult_kb).div_ceil(1024))
}

/// What the cluster allows: from `scontrol show config` and `scontrol show partition`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// The partition.
    pub partition: String,
    /// Its state (`UP`).
    pub state: String,
    /// Highest array index + 1 (`MaxArraySize`).
    pub max_array_size: u64,
    /// Longest walltime of the partition, seconds (`None`: unlimited).
    pub max_time_s: Option<u64>,
    /// Default walltime of the partition, seconds.
    pub default_time_s: Option<u64>,
    /// Most memory of a node, MB (partition or node limit; `None`: unknown/unlimited).
    pub max_mem_mb: Option<u64>,
    /// Most memory per CPU, MB.
    pub max_mem_per_cpu_mb: Option<u64>,
    /// Memory a job gets per CPU when it asks for none, MB.
    pub def_mem_per_cpu_mb: Option<u64>,
    /// CPUs of the partition.
    pub total_cpus: Option<u64>,
    /// Most CPUs of a job on one node.
    pub max_cpus_per_node: Option<u64>,
}

fn limit_mb(v: Option<&String>) -> Option<u64> {
    v.filter(|s| s.as_str() != "UNLIMITED" && s.as_str() != "0")
        .and_then(|s| parse_mem_mb(s))
}

/// The limits of `partition` (or the default one when `None`) from the texts of
/// `scontrol show config` and `scontrol -o show partition`.
///
/// # Errors
/// [`Error::NoPartition`] when it is not listed (or no partition is the default).
pub(crate) fn parse_limits(
    config: &str,
    partitions: &str,
    partition: Option<&str>,
) -> Result<Limits> {
    let conf = parse_config(config);
    let parts = parse_oneliners(partitions);
    let known: Vec<String> = parts
        .iter()
        .filter_map(|p| p.get("PartitionName").cloned())
        .collect();
    let p = match partition {
        Some(name) => parts
            .iter()
            .find(|p| p.get("PartitionName").map(String::as_str) == Some(name)),
        None => parts
            .iter()
            .find(|p| p.get("Default").map(String::as_str) == Some("YES")),
    }
    .ok_or_else(|| Error::NoPartition {
        partition: partition.unwrap_or("(default)").to_owned(),
        message: "not in `scontrol show partition`".into(),
        known: known.join(", "),
    })?;
    let num = |k: &str| p.get(k).and_then(|v| v.parse::<u64>().ok());
    let max_mem_node = limit_mb(p.get("MaxMemPerNode")).or_else(|| {
        p.get("TRES").and_then(|t| {
            t.split(',')
                .find_map(|kv| kv.strip_prefix("mem="))
                .and_then(parse_mem_mb)
        })
    });
    Ok(Limits {
        partition: p.get("PartitionName").cloned().unwrap_or_default(),
        state: p.get("State").cloned().unwrap_or_default(),
        max_array_size: conf
            .get("MaxArraySize")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1001),
        max_time_s: p.get("MaxTime").and_then(|t| parse_time(t)),
        default_time_s: p.get("DefaultTime").and_then(|t| parse_time(t)),
        max_mem_mb: max_mem_node,
        max_mem_per_cpu_mb: limit_mb(p.get("MaxMemPerCPU"))
            .or_else(|| limit_mb(conf.get("MaxMemPerCPU"))),
        def_mem_per_cpu_mb: limit_mb(p.get("DefMemPerCPU"))
            .or_else(|| limit_mb(conf.get("DefMemPerCPU"))),
        total_cpus: num("TotalCPUs"),
        max_cpus_per_node: num("MaxCPUsPerNode"),
    })
}

/// Reads the limits of `partition` from the cluster.
///
/// # Errors
/// [`Error::NoPartition`] with SLURM's message, or a failing `scontrol`.
pub fn limits(partition: Option<&str>) -> Result<Limits> {
    let config = run("scontrol", &["show", "config"], None)?;
    let partitions = match partition {
        Some(p) => match run("scontrol", &["-o", "show", "partition", p], None) {
            Ok(t) => t,
            Err(Error::Command { message, .. }) => {
                let all = run("scontrol", &["-o", "show", "partition"], None).unwrap_or_default();
                let known: Vec<String> = parse_oneliners(&all)
                    .iter()
                    .filter_map(|p| p.get("PartitionName").cloned())
                    .collect();
                return Err(Error::NoPartition {
                    partition: p.to_owned(),
                    message,
                    known: known.join(", "),
                });
            }
            Err(e) => return Err(e),
        },
        None => run("scontrol", &["-o", "show", "partition"], None)?,
    };
    parse_limits(&config, &partitions, partition)
}

/// A job's state as SLURM reports it, and what it means for the tasks it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum JobState {
    /// Waiting (`PENDING`, with SLURM's reason).
    Pending(String),
    /// Running, or finishing (`RUNNING`, `COMPLETING`, `CONFIGURING`, `SUSPENDED`).
    Running,
    /// Finished well.
    Completed,
    /// Killed at its walltime (`TIMEOUT`, `DEADLINE`).
    Walltime,
    /// Preempted by a higher-priority job.
    Preempted,
    /// Its node failed (`NODE_FAIL`, `BOOT_FAIL`).
    NodeFailure,
    /// Cancelled (by `scancel` or an administrator).
    Cancelled,
    /// Killed for using more memory than asked for.
    OutOfMemory,
    /// Exited with an error (`FAILED`), with its exit code.
    Failed(String),
    /// A state this crate does not know.
    Other(String),
}

impl JobState {
    /// From a state word (`CANCELLED by 0` and `TIMEOUT+` are read too).
    #[must_use]
    pub fn parse(state: &str, reason: &str, exit_code: &str) -> Self {
        let word = state
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_end_matches('+');
        match word {
            "PENDING" | "PD" | "REQUEUED" | "REQUEUE_HOLD" | "RESV_DEL_HOLD" => {
                Self::Pending(reason.to_owned())
            }
            "RUNNING" | "R" | "COMPLETING" | "CG" | "CONFIGURING" | "CF" | "SUSPENDED" | "S"
            | "STOPPED" | "RESIZING" | "SIGNALING" | "STAGE_OUT" => Self::Running,
            "COMPLETED" | "CD" => Self::Completed,
            "TIMEOUT" | "TO" | "DEADLINE" | "DL" => Self::Walltime,
            "PREEMPTED" | "PR" => Self::Preempted,
            "NODE_FAIL" | "NF" | "BOOT_FAIL" | "BF" => Self::NodeFailure,
            "CANCELLED" | "CA" => Self::Cancelled,
            "OUT_OF_MEMORY" | "OOM" => Self::OutOfMemory,
            "FAILED" | "F" => Self::Failed(exit_code.to_owned()),
            other => Self::Other(other.to_owned()),
        }
    }

    /// Still in the queue (pending or running).
    #[must_use]
    pub fn is_active(&self) -> bool {
        matches!(self, Self::Pending(_) | Self::Running)
    }

    /// A kill that says nothing about the tasks (walltime, preemption, node failure,
    /// cancellation): their unfinished tasks are resubmitted without counting a retry.
    #[must_use]
    pub fn is_not_the_tasks_fault(&self) -> bool {
        matches!(
            self,
            Self::Walltime | Self::Preempted | Self::NodeFailure | Self::Cancelled
        )
    }

    /// What happened, for people.
    #[must_use]
    pub fn reason(&self) -> String {
        match self {
            Self::Pending(r) => format!("is waiting ({})", explain_pending(r)),
            Self::Running => "is running".into(),
            Self::Completed => "completed".into(),
            Self::Walltime => "reached its walltime (TIMEOUT); not a task failure".into(),
            Self::Preempted => "was preempted; not a task failure".into(),
            Self::NodeFailure => "lost its node (NODE_FAIL); not a task failure".into(),
            Self::Cancelled => "was cancelled (scancel)".into(),
            Self::OutOfMemory => {
                "ran out of memory (OUT_OF_MEMORY); ask for more with --mem-per-task or use smaller chunks".into()
            }
            Self::Failed(code) => format!("failed (FAILED, exit code {code}): a task returned an error"),
            Self::Other(s) => format!("ended in state {s}"),
        }
    }
}

/// Pending reasons that never resolve by waiting.
#[must_use]
pub(crate) fn pending_is_hopeless(reason: &str) -> bool {
    matches!(
        reason,
        "DependencyNeverSatisfied"
            | "PartitionTimeLimit"
            | "PartitionNodeLimit"
            | "BadConstraints"
            | "InvalidAccount"
            | "InvalidQOS"
            | "PartitionDown"
            | "PartitionInactive"
            | "ReqNodeNotAvail"
            | "AssocMaxWallDurationPerJobLimit"
            | "QOSMaxWallDurationPerJobLimit"
            | "AssocMaxMemPerJob"
            | "QOSMaxMemoryPerJob"
    )
}

/// A pending reason in words.
#[must_use]
pub fn explain_pending(reason: &str) -> String {
    let words = match reason {
        "Dependency" => "waiting for the previous stage",
        "DependencyNeverSatisfied" => "its dependency failed, so it can never start",
        "Resources" => "waiting for free resources",
        "Priority" => "higher-priority jobs go first",
        "JobArrayTaskLimit" => "at the limit of concurrent array elements (%N)",
        "PartitionTimeLimit" => "its walltime is over the partition's limit",
        "PartitionDown" | "PartitionInactive" => "the partition is down",
        "ReqNodeNotAvail" => "the nodes it needs are not available",
        "BeginTime" => "its start time has not come",
        "None" | "" => "about to be scheduled",
        _ => return reason.to_owned(),
    };
    format!("{reason}: {words}")
}

/// One line of `squeue -h -o %i|%T|%r`: a job or an array element or a pending range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueueEntry {
    /// The array job (or plain job) id.
    pub(crate) job: u64,
    /// The element (`Some(3)`), or `None` for a pending range or a plain job.
    pub(crate) element: Option<u64>,
    /// Its state.
    pub(crate) state: JobState,
}

/// The format asked of `squeue`.
pub(crate) const SQUEUE_FORMAT: &str = "%i|%T|%r";

/// Parses `squeue -h -o '%i|%T|%r'`: `12_3|RUNNING|None`, `12_[4-9%2]|PENDING|Dependency`.
pub(crate) fn parse_squeue(text: &str) -> Vec<QueueEntry> {
    text.lines()
        .filter_map(|l| {
            let mut it = l.trim().split('|');
            let id = it.next()?;
            let state = it.next()?;
            let reason = it.next().unwrap_or("");
            let (job, element) = match id.split_once('_') {
                Some((j, e)) => (j.parse().ok()?, e.parse().ok()),
                None => (id.parse().ok()?, None),
            };
            Some(QueueEntry {
                job,
                element,
                state: JobState::parse(state, reason, ""),
            })
        })
        .collect()
}

/// What SLURM says about the queued entries of `jobs` (array job ids).
///
/// # Errors
/// A failing `squeue`.
pub(crate) fn squeue(jobs: &[u64]) -> Result<Vec<QueueEntry>> {
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    // without -j: squeue fails on ids that already left the queue
    let text = run("squeue", &["-h", "-r", "-o", SQUEUE_FORMAT], None)?;
    Ok(parse_squeue(&text)
        .into_iter()
        .filter(|e| jobs.contains(&e.job))
        .collect())
}

/// The final state of one array element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ElementState {
    /// The array job id.
    pub(crate) job: u64,
    /// Its index.
    pub(crate) element: u64,
    /// The raw job id SLURM gave it.
    pub(crate) raw_id: Option<u64>,
    /// Its state.
    pub(crate) state: JobState,
}

/// Parses `scontrol -o show job ID`: one line per element (`ArrayJobId`, `ArrayTaskId`,
/// `JobState`, `Reason`, `ExitCode`); pending ranges (`ArrayTaskId=4-9%2`) are skipped.
pub(crate) fn parse_scontrol_jobs(text: &str) -> Vec<ElementState> {
    parse_oneliners(text)
        .into_iter()
        .filter_map(|r| {
            let job = r.get("ArrayJobId")?.parse().ok()?;
            let element = r.get("ArrayTaskId")?.parse().ok()?;
            let state = JobState::parse(
                r.get("JobState").map_or("", String::as_str),
                r.get("Reason").map_or("", String::as_str),
                r.get("ExitCode").map_or("", String::as_str),
            );
            Some(ElementState {
                job,
                element,
                raw_id: r.get("JobId").and_then(|v| v.parse().ok()),
                state,
            })
        })
        .collect()
}

/// Parses `sacct -n -P -X -o JobID,State,ExitCode` (`12_3|TIMEOUT|0:0`); with `-c` (the
/// job-completion log, no database) the ids are raw job ids (`17|TIMEOUT|0:0`), reported
/// with `job` = that id and no element.
pub(crate) fn parse_sacct(text: &str) -> Vec<(u64, Option<u64>, JobState)> {
    text.lines()
        .filter(|l| !l.starts_with("sacct:"))
        .filter_map(|l| {
            let mut it = l.trim().split('|');
            let id = it.next()?;
            let state = it.next()?;
            let exit = it.next().unwrap_or("");
            let (job, element) = match id.split_once('_') {
                Some((j, e)) => (j.parse().ok()?, Some(e.parse().ok()?)),
                None => (id.split('.').next()?.parse().ok()?, None),
            };
            Some((job, element, JobState::parse(state, "", exit)))
        })
        .collect()
}

/// Final states of the elements of array job `job`: `scontrol` (kept for `MinJobAge`),
/// then `sacct` (with a database), then `sacct -c` (the completion log; raw ids matched
/// through `raw_ids`, element by raw job id).
pub(crate) fn element_states(job: u64, raw_ids: &BTreeMap<u64, u64>) -> Vec<ElementState> {
    let id = job.to_string();
    if let Ok(text) = run("scontrol", &["-o", "show", "job", &id], None) {
        let v = parse_scontrol_jobs(&text);
        if !v.is_empty() {
            return v;
        }
    }
    if let Ok(text) = run(
        "sacct",
        &["-n", "-P", "-X", "-o", "JobID,State,ExitCode", "-j", &id],
        None,
    ) {
        let v: Vec<ElementState> = parse_sacct(&text)
            .into_iter()
            .filter_map(|(j, e, state)| {
                Some(ElementState {
                    job: j,
                    element: e?,
                    raw_id: None,
                    state,
                })
            })
            .collect();
        if !v.is_empty() {
            return v;
        }
    }
    if raw_ids.is_empty() {
        return Vec::new();
    }
    let raws = raw_ids
        .keys()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    run(
        "sacct",
        &["-c", "-n", "-P", "-o", "JobID,State,ExitCode", "-j", &raws],
        None,
    )
    .map(|text| {
        parse_sacct(&text)
            .into_iter()
            .filter_map(|(raw, _, state)| {
                Some(ElementState {
                    job,
                    element: *raw_ids.get(&raw)?,
                    raw_id: Some(raw),
                    state,
                })
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Cancels `jobs`; jobs that already ended are no error.
pub(crate) fn scancel(jobs: &[u64]) -> Result<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = jobs.iter().map(ToString::to_string).collect();
    let args: Vec<&str> = ids.iter().map(String::as_str).collect();
    match run("scancel", &args, None) {
        Ok(_) => Ok(()),
        Err(Error::Command { message, .. })
            if message.contains("already completed") || message.contains("Invalid job id") =>
        {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbatch_parsable() {
        assert_eq!(parse_sbatch("42\n").unwrap_or(0), 42);
        assert_eq!(parse_sbatch("42;cluster\n").unwrap_or(0), 42);
        assert!(parse_sbatch("Submitted batch job 42\n").is_err());
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("1"), Some(60));
        assert_eq!(parse_time("30:00"), Some(1800));
        assert_eq!(parse_time("01:00:00"), Some(3600));
        assert_eq!(parse_time("1-00:00:00"), Some(86400));
        assert_eq!(parse_time("2-12"), Some(2 * 86400 + 12 * 3600));
        assert_eq!(parse_time("UNLIMITED"), None);
        assert_eq!(parse_time("NONE"), None);
    }

    #[test]
    fn memory() {
        assert_eq!(parse_mem_mb("4G"), Some(4096));
        assert_eq!(parse_mem_mb("4000"), Some(4000));
        assert_eq!(parse_mem_mb("512K"), Some(1));
        assert_eq!(parse_mem_mb("lots"), None);
    }

    // captured from slurm-wlm 22.05 on the test cluster
    const CONFIG: &str = "Configuration data as of 2026-11-25T15:56:27\n\
        DefMemPerCPU            = 256\n\
        MaxArraySize            = 10001\n\
        MaxMemPerNode           = UNLIMITED\n\
        SLURM_VERSION           = 22.05.8\n";
    const PARTITION: &str = "PartitionName=debug AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL AllocNodes=ALL Default=YES QoS=N/A DefaultTime=NONE DisableRootJobs=NO ExclusiveUser=NO GraceTime=0 Hidden=NO MaxNodes=UNLIMITED MaxTime=UNLIMITED MinNodes=0 LLN=NO MaxCPUsPerNode=UNLIMITED Nodes=rsdatnode PriorityJobFactor=1 PriorityTier=1 RootOnly=NO ReqResv=NO OverSubscribe=NO OverTimeLimit=NONE PreemptMode=OFF State=UP TotalCPUs=2 TotalNodes=1 SelectTypeParameters=NONE JobDefaults=(null) DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED TRES=cpu=2,mem=20000M,node=1,billing=2\n\
        PartitionName=short AllowGroups=ALL Default=NO MaxTime=00:30:00 State=UP TotalCPUs=2 MaxMemPerNode=8000 TRES=cpu=2,mem=20000M,node=1\n";

    #[test]
    fn limits_of_partitions() {
        let l = parse_limits(CONFIG, PARTITION, None).expect("default partition");
        assert_eq!(l.partition, "debug");
        assert_eq!(l.state, "UP");
        assert_eq!(l.max_array_size, 10001);
        assert_eq!(l.max_time_s, None);
        assert_eq!(l.max_mem_mb, Some(20000));
        assert_eq!(l.def_mem_per_cpu_mb, Some(256));
        assert_eq!(l.total_cpus, Some(2));
        assert_eq!(l.max_cpus_per_node, None);
        let s = parse_limits(CONFIG, PARTITION, Some("short")).expect("short");
        assert_eq!(s.max_time_s, Some(1800));
        assert_eq!(s.max_mem_mb, Some(8000));
        let e = parse_limits(CONFIG, PARTITION, Some("gpu")).expect_err("no such partition");
        assert!(e.to_string().contains("debug, short"), "{e}");
    }

    #[test]
    fn squeue_lines() {
        let q = parse_squeue(
            "12_3|RUNNING|None\n12_[4-9%2]|PENDING|JobArrayTaskLimit\n13|PENDING|Dependency\n",
        );
        assert_eq!(q.len(), 3);
        assert_eq!(q[0].job, 12);
        assert_eq!(q[0].element, Some(3));
        assert_eq!(q[0].state, JobState::Running);
        assert_eq!(q[1].element, None);
        assert_eq!(q[1].state, JobState::Pending("JobArrayTaskLimit".into()));
        assert_eq!(q[2].job, 13);
    }

    #[test]
    fn scontrol_job_lines() {
        let text = "JobId=15 ArrayJobId=12 ArrayTaskId=3 JobName=rsdat-s0 JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ExitCode=0:15\n\
                    JobId=16 ArrayJobId=12 ArrayTaskId=4 JobState=OUT_OF_MEMORY Reason=OutOfMemory ExitCode=0:125\n\
                    JobId=12 ArrayJobId=12 ArrayTaskId=5-9%2 JobState=PENDING Reason=JobArrayTaskLimit\n\
                    JobId=17 ArrayJobId=12 ArrayTaskId=0 JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0\n";
        let v = parse_scontrol_jobs(text);
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].state, JobState::Walltime);
        assert_eq!(v[0].raw_id, Some(15));
        assert_eq!(v[1].state, JobState::OutOfMemory);
        assert_eq!(v[2].state, JobState::Failed("1:0".into()));
        assert!(v[0].state.is_not_the_tasks_fault());
        assert!(!v[1].state.is_not_the_tasks_fault());
    }

    #[test]
    fn sacct_lines() {
        let v = parse_sacct("12_3|TIMEOUT|0:0\n12_4|CANCELLED by 0|0:15\n17|COMPLETED|0:0\nsacct: error: Unknown type ArrayJobId: 1\n");
        assert_eq!(v.len(), 3);
        assert_eq!(v[0], (12, Some(3), JobState::Walltime));
        assert_eq!(v[1].2, JobState::Cancelled);
        assert_eq!(v[2], (17, None, JobState::Completed));
    }

    #[test]
    fn pending_reasons() {
        assert!(pending_is_hopeless("DependencyNeverSatisfied"));
        assert!(!pending_is_hopeless("Resources"));
        assert!(explain_pending("JobArrayTaskLimit").contains("%N"));
    }
}
