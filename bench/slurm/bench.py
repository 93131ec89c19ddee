"""SLURM executor next to the threads executor on the same plans: the spring-index grid
workflow (issue 7's target: SLURM overhead under 10 % of compute on 1000 x 1000 cells),
scheduling overhead per task (no-op tasks, batched array elements) and notebook-01
operations with real compute.

Usage: python bench/slurm/bench.py RSDAT_BINARY [--what spring-index,overhead,notebook01]
       [--grid 1000] [--years 1980-1983] [--tile 250] [--batch N] [--tasks 2000] [--size 4000] [--chunk 500] [--tag slurm]

The spring-index part writes Daymet-like sample data (`rsdat sample-data daymet`),
runs `rsdat spring-index grid` on threads and on SLURM (one array element per CPU at once,
`--cpus-per-task 1`) and prints SLURM's overhead as (slurm wall - threads wall) / threads
wall, with where the extra time went (from the run directory: calibration before the first
sbatch, queue wait of the elements, task time on the workers).

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

# the same slurm.conf as the tests' cluster (rsdat_testkit::slurm)
CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "crates",
                    "rsdat-testkit", "src", "slurm.conf")


def fill(template, **values):
    """`template` with each {key} replaced by its value."""
    for k, v in values.items():
        template = template.replace("{" + k + "}", str(v))
    return template


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
        with open(CONF) as t, open(conf, "w") as f:
            f.write(fill(t.read(), ctld=free_port(), slurmd=free_port(), user=user, d=self.d,
                         cpus=os.cpu_count(), mem=mem_mb, partition="debug"))
        os.environ["SLURM_CONF"] = conf
        subprocess.run(["slurmctld", "-i"], check=True)
        subprocess.run(["slurmd", "-N", "rsdatnode"], check=True)
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


def load_avg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run_dir_breakdown(run):
    """Where a SLURM run spent its time, from its run directory."""
    subs = []
    with open(os.path.join(run, "ledger.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            if e["event"] == "submitted":
                subs.append(e)
    starts = []
    for sub in os.listdir(os.path.join(run, "elements")):
        for k in os.listdir(os.path.join(run, "elements", sub)):
            with open(os.path.join(run, "elements", sub, k)) as f:
                starts.append(float(f.read().split()[2]))
    task_s = []
    done = os.path.join(run, "done")
    for stage in os.listdir(done):
        for c in os.listdir(os.path.join(done, stage)):
            with open(os.path.join(done, stage, c)) as f:
                w = f.read().split()
                task_s.append((w[5], float(w[4])))
    return {
        "submissions": len(subs),
        "elements": sum(e["elements"] for e in subs),
        "tasks": sum(e["tasks"] for e in subs),
        "first_sbatch": min(e["at"] for e in subs) if subs else None,
        "first_start": min(starts) if starts else None,
        "slurm_task_s": sum(s for j, s in task_s if j != "local"),
        "local_task_s": sum(s for j, s in task_s if j == "local"),
    }


def spring_index(a, rsdat, work):
    """Threads vs SLURM on `rsdat spring-index grid`; returns the summary lines."""
    data = os.path.join(work, "data")
    tile = ["--chunk", str(a.tile)] if a.tile else []
    subprocess.run([rsdat, "sample-data", "daymet", "--out", data, "--years", a.years,
                    "--ny", str(a.grid), "--nx", str(a.grid), *tile, "-q"], check=True)
    files = sorted(os.path.join(data, f) for f in os.listdir(data) if f.endswith(".nc"))
    common = ["spring-index", "grid", *files, "--workers", str(a.workers), "--json", "-q"]
    out = {}
    walls = {}
    reports = {}
    for ex in ("threads", "slurm"):
        extra = ["--executor", ex]
        if ex == "slurm":
            run = os.path.join(work, "run-slurm")
            extra += ["--run-dir", run, "--cpus-per-task", "1"]
            if a.batch:
                extra += ["--batch", str(a.batch)]
        out[ex] = os.path.join(work, f"{ex}.zarr")
        t0 = time.time()
        v, walls[ex] = run_json([rsdat, *common, "--out", out[ex], *extra], work)
        reports[ex] = v
        if ex == "slurm":
            b = run_dir_breakdown(run)
            b["t0"] = t0
    # both stores hold the same numbers
    same = subprocess.run([sys.executable, "-c", """
import sys, numpy as np, xarray as xr
ok = True
for g in sys.argv[3:]:
    a = xr.open_zarr(sys.argv[1], group=g); b = xr.open_zarr(sys.argv[2], group=g)
    ok &= all(np.array_equal(a[v].values, b[v].values, equal_nan=True) for v in a.data_vars)
print(ok)
""", out["threads"], out["slurm"], *[str(y["year"]) for y in reports["threads"]["years"]]], capture_output=True, text=True)
    same = same.stdout.strip() or f"not checked ({same.stderr.strip().splitlines()[-1:]})"
    th, sl = walls["threads"], walls["slurm"]
    overhead = (sl - th) / th
    tasks = reports["threads"]["tasks"]
    lines = [
        f"spring-index grid, {a.grid} x {a.grid} cells"
        f"{f' in {a.tile} x {a.tile} storage tiles' if a.tile else ' (one storage chunk per day)'}"
        f", years {a.years}, {a.workers} workers "
        f"(threads: --workers {a.workers}; slurm: elements of --cpus-per-task 1, "
        f"batch {a.batch or 'auto'}), load average {load_avg()}",
        f"{'executor':<9} {'wall s':>8} {'tasks':>6}",
        f"{'threads':<9} {th:>8.2f} {tasks:>6}",
        f"{'slurm':<9} {sl:>8.2f} {reports['slurm']['tasks']:>6}",
        f"slurm / threads: {sl / th:.3f}x; SLURM overhead (slurm - threads) / threads: "
        f"{100 * overhead:.1f} % (target < 10 %)",
        f"run directory: {b['submissions']} job array(s), {b['elements']} element(s), "
        f"{b['tasks']} tasks on SLURM; calibration before the first sbatch "
        f"{b['first_sbatch'] - b['t0']:.1f} s (whole-second clock) with "
        f"{b['local_task_s']:.2f} s of local tasks; first element started "
        f"{(b['first_start'] or 0) - b['first_sbatch']:.1f} s after sbatch; "
        f"task time on workers {b['slurm_task_s']:.2f} s",
        f"stores equal: {same}",
    ]
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rsdat")
    ap.add_argument("--what", default="spring-index,overhead,notebook01")
    ap.add_argument("--grid", type=int, default=1000)
    ap.add_argument("--years", default="1980", help="years of sample data, e.g. 1980-1983")
    ap.add_argument("--tile", type=int, default=0,
                    help="storage chunk (cells) of the sample data along y and x (0: whole grid)")
    ap.add_argument("--batch", type=int, default=0, help="tasks per array element (0: auto)")
    ap.add_argument("--tag", default="")
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--size", type=int, default=4000)
    ap.add_argument("--chunk", type=int, default=500)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    a = ap.parse_args()
    rsdat = os.path.abspath(a.rsdat)
    cluster = None if os.environ.get("SLURM_CONF") else Cluster()
    rows = []
    what = a.what.split(",")
    si_lines = []
    uptime_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    try:
        work = tempfile.mkdtemp(prefix="rsdat-slurm-runs-")
        if "spring-index" in what:
            si_lines = spring_index(a, rsdat, work)
        for ex in ("threads", "slurm"):
            if "overhead" in what:
                v, _ = run_json([rsdat, "bench", "overhead", "--tasks", str(a.tasks), "--executor", ex,
                                 "--workers", str(a.workers), "--json", "-q"], work)
                rows.append({"bench": "overhead", "op": f"{a.tasks} no-op tasks", "executor": ex,
                             "seconds": v["seconds"], "tasks": v["tasks"]})
            if "notebook01" in what:
                v, _ = run_json([rsdat, "bench", "notebook01", "--size", str(a.size), "--chunk",
                                 str(a.chunk), "--executor", ex, "--workers", str(a.workers),
                                 "--json", "-q"], work)
                for op in v:
                    rows.append({"bench": "notebook01", "op": op["op"], "executor": ex,
                                 "seconds": op["seconds"], "tasks": op["tasks"]})
        shutil.rmtree(work, ignore_errors=True)
    finally:
        if cluster:
            cluster.stop()
    uptime_after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    out = os.path.join(os.path.dirname(__file__), "..", "runs",
                       f"{datetime.date.today()}-{socket.gethostname()}" + (f"-{a.tag}" if a.tag else ""))
    os.makedirs(out, exist_ok=True)
    lines = [f"uptime before: {uptime_before}", f"uptime after:  {uptime_after}", ""] + si_lines
    if rows:
        with open(os.path.join(out, "slurm-raw.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        lines += ["", f"SLURM executor vs threads ({a.workers} workers; single-node SLURM on this machine)",
                  f"{'bench':<11} {'op':<22} {'tasks':>6} {'threads s':>10} {'slurm s':>9} {'ratio':>7} "
                  f"{'slurm share':>11} {'us/task':>9}"]
        for r in rows:
            if r["executor"] != "threads":
                continue
            s = next(x for x in rows if x["executor"] == "slurm" and x["op"] == r["op"])
            extra = s["seconds"] - r["seconds"]
            lines.append(f"{r['bench']:<11} {r['op']:<22} {r['tasks']:>6} {r['seconds']:>10.3f} "
                         f"{s['seconds']:>9.3f} {s['seconds'] / r['seconds']:>6.1f}x "
                         f"{100 * extra / s['seconds']:>10.1f}% {1e6 * extra / r['tasks']:>9.0f}")
        lines.append("ratio = slurm / threads; slurm share = (slurm - threads) / slurm: the time SLURM adds "
                     "(queueing, launch, plan load, files), us/task = that time per task of the plan.")
    summary = "\n".join(lines)
    with open(os.path.join(out, "slurm-summary.txt"), "w") as f:
        f.write(summary + "\n")
    print(summary)


if __name__ == "__main__":
    main()
