"""SLURM executor next to the threads executor on the same plans: scheduling overhead per
task (no-op tasks, batched array elements) and notebook-01 operations with real compute.

Usage: python bench/slurm/bench.py RSDAT_BINARY [--tasks 2000] [--size 4000] [--chunk 500]

Uses the SLURM cluster of $SLURM_CONF, or starts a private single-node one (Debian
slurm-wlm + munge, as the tests do) in a temporary folder and stops it after. Writes
bench/runs/<date>-<host>/slurm-raw.csv and slurm-summary.txt and prints the summary with
ratios (slurm time / threads time) and SLURM's share of the time.
"""
import argparse
import csv
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

CONF = """ClusterName=rsdatbench
SlurmctldHost=localhost
SlurmctldPort={ctld}
SlurmdPort={slurmd}
SlurmUser={user}
AuthType=auth/munge
AuthInfo=socket={d}/munge.socket
CredType=cred/munge
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/log/slurmctld.log
SlurmdLogFile={d}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
MaxArraySize=10001
JobCompType=jobcomp/filetxt
JobCompLoc={d}/log/jobcomp.txt
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MinJobAge=300
KillWait=2
InactiveLimit=0
NodeName=benchnode NodeAddr=127.0.0.1 NodeHostname=localhost CPUs={cpus} RealMemory={mem} State=UNKNOWN
PartitionName=debug Nodes=benchnode Default=YES MaxTime=INFINITE State=UP
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Cluster:
    def __init__(self):
        for tool in ("munged", "mungekey", "slurmctld", "slurmd", "sbatch"):
            if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
                sys.exit(f"{tool} is missing: run ./scripts/test (installs slurm-wlm and munge)")
        self.d = tempfile.mkdtemp(prefix="rsdat-slurm-bench-")
        os.chmod(self.d, 0o755)
        for sub in ("state", "spool", "log"):
            os.makedirs(os.path.join(self.d, sub))
        key = os.path.join(self.d, "munge.key")
        subprocess.run(["mungekey", "-c", "-k", key], check=True)
        os.chmod(key, 0o600)
        subprocess.run(["munged", "--force", f"--socket={self.d}/munge.socket", f"--key-file={key}",
                        f"--pid-file={self.d}/munged.pid", f"--log-file={self.d}/log/munged.log",
                        f"--seed-file={self.d}/munged.seed"], check=True)
        mem_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1 << 20) * 9 // 10
        user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
        conf = os.path.join(self.d, "slurm.conf")
        with open(conf, "w") as f:
            f.write(CONF.format(ctld=free_port(), slurmd=free_port(), user=user, d=self.d,
                                cpus=os.cpu_count(), mem=mem_mb))
        os.environ["SLURM_CONF"] = conf
        subprocess.run(["slurmctld", "-i"], check=True)
        subprocess.run(["slurmd", "-N", "benchnode"], check=True)
        for _ in range(150):
            if subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True).stdout.strip() == "idle":
                return
            time.sleep(0.2)
        sys.exit("the private SLURM node did not come up; see " + self.d + "/log")

    def stop(self):
        subprocess.run(["scancel", "-u", subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()])
        time.sleep(1)
        for name in ("slurmd", "slurmctld", "munged"):
            try:
                with open(os.path.join(self.d, f"{name}.pid")) as f:
                    os.kill(int(f.read().strip()), signal.SIGTERM)
            except (OSError, ValueError):
                pass
        time.sleep(1)
        shutil.rmtree(self.d, ignore_errors=True)


def run_json(cmd, cwd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    return json.loads(p.stdout), wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rsdat")
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--size", type=int, default=4000)
    ap.add_argument("--chunk", type=int, default=500)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    a = ap.parse_args()
    rsdat = os.path.abspath(a.rsdat)
    cluster = None if os.environ.get("SLURM_CONF") else Cluster()
    rows = []
    try:
        work = tempfile.mkdtemp(prefix="rsdat-slurm-runs-")
        for ex in ("threads", "slurm"):
            v, wall = run_json([rsdat, "bench", "overhead", "--tasks", str(a.tasks), "--executor", ex,
                                "--workers", str(a.workers), "--json", "-q"], work)
            rows.append({"bench": "overhead", "op": f"{a.tasks} no-op tasks", "executor": ex,
                         "seconds": v["seconds"], "tasks": v["tasks"]})
            v, wall = run_json([rsdat, "bench", "notebook01", "--size", str(a.size), "--chunk", str(a.chunk),
                                "--executor", ex, "--workers", str(a.workers), "--json", "-q"], work)
            for op in v:
                rows.append({"bench": "notebook01", "op": op["op"], "executor": ex,
                             "seconds": op["seconds"], "tasks": op["tasks"]})
        shutil.rmtree(work, ignore_errors=True)
    finally:
        if cluster:
            cluster.stop()
    out = os.path.join(os.path.dirname(__file__), "..", "runs",
                       f"{datetime.date.today()}-{socket.gethostname()}")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "slurm-raw.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    lines = [f"SLURM executor vs threads ({a.workers} workers; single-node SLURM on this machine)",
             f"{'bench':<11} {'op':<22} {'tasks':>6} {'threads s':>10} {'slurm s':>9} {'ratio':>7} {'slurm share':>11} {'us/task':>9}"]
    for r in rows:
        if r["executor"] != "threads":
            continue
        s = next(x for x in rows if x["executor"] == "slurm" and x["op"] == r["op"])
        extra = s["seconds"] - r["seconds"]
        lines.append(f"{r['bench']:<11} {r['op']:<22} {r['tasks']:>6} {r['seconds']:>10.3f} {s['seconds']:>9.3f} "
                     f"{s['seconds'] / r['seconds']:>6.1f}x {100 * extra / s['seconds']:>10.1f}% "
                     f"{1e6 * extra / r['tasks']:>9.0f}")
    lines.append("ratio = slurm / threads; slurm share = (slurm - threads) / slurm: the time SLURM adds "
                 "(queueing, launch, plan load, files), us/task = that time per task of the plan.")
    summary = "\n".join(lines)
    with open(os.path.join(out, "slurm-summary.txt"), "w") as f:
        f.write(summary + "\n")
    print(summary)


if __name__ == "__main__":
    main()
