//! A private single-node SLURM cluster (Debian `slurm-wlm` + `munge`) whose files all live
//! in one temporary folder: its own munge key and socket, `slurm.conf`, state, spool and
//! logs. `slurmctld` and `slurmd` listen on free loopback ports; clients find the cluster
//! through [`Cluster::env`] (`SLURM_CONF`). Dropping it cancels the cluster's jobs, then
//! stops the daemons by their pids.
//!
//! ```no_run
//! let cluster = rsdat_testkit::slurm::Cluster::shared();
//! let out = std::process::Command::new("sinfo").envs(cluster.env()).output().unwrap();
//! assert!(out.status.success());
//! ```
#![allow(clippy::missing_panics_doc)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// Name of the cluster's only partition.
pub const PARTITION: &str = "debug";

/// The cluster's `slurm.conf`, with `{name}` placeholders (bench/slurm/bench.py uses it too).
const CONF: &str = include_str!("slurm.conf");

/// `template` with each `{key}` replaced by its value.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(template.to_owned(), |t, (k, v)| {
        t.replace(&format!("{{{k}}}"), v)
    })
}

/// A running single-node cluster.
#[derive(Debug)]
pub struct Cluster {
    dir: tempfile::TempDir,
    conf: PathBuf,
    cpus: usize,
}

const HOW: &str = "install SLURM with ./scripts/test (Debian packages slurm-wlm and munge), \
                   or `apt-get install --no-install-recommends slurm-wlm munge`";

fn need(tool: &str) -> PathBuf {
    for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
        let p = Path::new(dir).join(tool);
        if p.exists() {
            return p;
        }
    }
    panic!("`{tool}` is not installed; {HOW}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn user() -> String {
    let out = Command::new("id")
        .arg("-un")
        .output()
        .expect("run `id -un`");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn mem_total_mb() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(4096, |kb| kb / 1024)
}

impl Cluster {
    /// One cluster per test binary, started on first use and stopped when the last user
    /// drops it (tests running at the same time share it).
    ///
    /// # Panics
    /// When SLURM or munge is not installed (the message says how to get them), or the
    /// daemons do not come up (their logs are shown).
    #[must_use]
    pub fn shared() -> Arc<Self> {
        static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());
        let mut slot = SHARED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = slot.upgrade() {
            return c;
        }
        let c = Arc::new(Self::start());
        *slot = Arc::downgrade(&c);
        c
    }

    /// Starts a cluster of its own.
    ///
    /// # Panics
    /// As [`Cluster::shared`].
    #[must_use]
    pub fn start() -> Self {
        let munged = need("munged");
        let mungekey = need("mungekey");
        let slurmctld = need("slurmctld");
        let slurmd = need("slurmd");
        need("sbatch");
        let dir = tempfile::Builder::new()
            .prefix("rsdat-slurm-")
            .tempdir()
            .expect("temporary cluster folder");
        let d = dir.path();
        // slurmd and munged check the permissions of the folders they use
        set_mode(d, 0o755);
        for sub in ["state", "spool", "log"] {
            std::fs::create_dir_all(d.join(sub)).expect("cluster folder");
        }
        let key = d.join("munge.key");
        run(
            Command::new(&mungekey).arg("-c").arg("-k").arg(&key),
            "mungekey",
            d,
        );
        set_mode(&key, 0o600);
        let socket = d.join("munge.socket");
        run(
            Command::new(&munged)
                .arg("--force")
                .arg(format!("--socket={}", socket.display()))
                .arg(format!("--key-file={}", key.display()))
                .arg(format!("--pid-file={}", d.join("munged.pid").display()))
                .arg(format!("--log-file={}", d.join("log/munged.log").display()))
                .arg(format!("--seed-file={}", d.join("munged.seed").display())),
            "munged",
            d,
        );
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let real_mb = (mem_total_mb() * 9 / 10).max(512);
        let conf = d.join("slurm.conf");
        let text = fill(
            CONF,
            &[
                ("ctld", free_port().to_string()),
                ("slurmd", free_port().to_string()),
                ("user", user()),
                ("d", d.display().to_string()),
                ("cpus", cpus.to_string()),
                ("mem", real_mb.to_string()),
                ("partition", PARTITION.to_owned()),
            ],
        );
        std::fs::write(&conf, text).expect("write slurm.conf");
        let c = Self { dir, conf, cpus };
        run(
            Command::new(&slurmctld).arg("-i").envs(c.env()),
            "slurmctld",
            c.dir.path(),
        );
        run(
            Command::new(&slurmd)
                .args(["-N", "rsdatnode"])
                .envs(c.env()),
            "slurmd",
            c.dir.path(),
        );
        c.wait_idle();
        c
    }

    /// Environment for SLURM clients: `SLURM_CONF`.
    #[must_use]
    pub fn env(&self) -> Vec<(String, String)> {
        vec![("SLURM_CONF".into(), self.conf.display().to_string())]
    }

    /// The cluster's folder (config, state, logs).
    #[must_use]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// CPUs of its node.
    #[must_use]
    pub fn cpus(&self) -> usize {
        self.cpus
    }

    /// Runs a SLURM client (`squeue`, `scancel`, ...) against the cluster; its stdout.
    #[must_use]
    pub fn client(&self, program: &str, args: &[&str]) -> String {
        let out = Command::new(program)
            .args(args)
            .envs(self.env())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_idle(&self) {
        let start = Instant::now();
        loop {
            let out = self.client("sinfo", &["-h", "-o", "%t"]);
            if out.trim() == "idle" {
                return;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!(
                    "the SLURM node did not become idle (sinfo: `{}`)\n{}",
                    out.trim(),
                    self.logs()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The daemons' logs, for failure messages.
    #[must_use]
    pub fn logs(&self) -> String {
        let mut s = String::new();
        for f in ["slurmctld.log", "slurmd.log", "munged.log"] {
            let p = self.dir.path().join("log").join(f);
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(15).collect();
            s.push_str(&format!("--- {}\n", p.display()));
            for l in tail.into_iter().rev() {
                s.push_str(l);
                s.push('\n');
            }
        }
        s
    }

    fn pid(&self, file: &str) -> Option<i32> {
        std::fs::read_to_string(self.dir.path().join(file))
            .ok()
            .and_then(|s| s.trim().parse().ok())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // running jobs outlive slurmd: cancel them first and let them go
        let _ = Command::new("scancel")
            .args(["--full", "-u", &user()])
            .envs(self.env())
            .output();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10)
            && !self
                .client("squeue", &["-h", "-t", "R,CG"])
                .trim()
                .is_empty()
        {
            std::thread::sleep(Duration::from_millis(200));
        }
        for file in ["slurmd.pid", "slurmctld.pid", "munged.pid"] {
            if let Some(pid) = self.pid(file) {
                let _ = Command::new("kill").arg(pid.to_string()).status();
                let start = Instant::now();
                while Path::new(&format!("/proc/{pid}")).exists()
                    && start.elapsed() < Duration::from_secs(5)
                {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn run(cmd: &mut Command, what: &str, dir: &Path) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}; {HOW}"));
    if !out.status.success() {
        let log = std::fs::read_to_string(dir.join("log").join(format!("{what}.log")))
            .unwrap_or_default();
        panic!(
            "{what} failed: {}{}\n{log}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
