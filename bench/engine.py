"""rsdat's engine next to dask in one run: per-task overhead and notebook-01 operations.

Usage: python bench/engine.py RSDAT_BINARY [--quick] [--workers 2] [--size 10000] [--chunk 1000]
       [--repeat 1] [--op NAME ...] [--skip-overhead] [--out DIR]

Writes engine-raw.csv and engine-summary.txt to DIR (default bench/runs/<date>-<host>) and
prints the summary with ratios (dask time / rsdat time; dask peak RSS / rsdat peak RSS), with
the load average before and after. Each operation runs in a fresh process on each side, so
peak RSS is that process's own; with --repeat N both sides report the median of N runs.
"""
import argparse
import csv
import datetime
import json
import os
import socket
import subprocess
import sys
import textwrap

DASK_OVERHEAD = textwrap.dedent(
    """
    import json, resource, sys, time
    import dask, dask.array as da
    n, workers = int(sys.argv[1]), int(sys.argv[2])
    t0 = time.perf_counter()
    x = da.ones(n, chunks=1)
    s = x.map_blocks(lambda b: b).sum()
    v = s.compute(scheduler="threads", num_workers=workers)
    dt = time.perf_counter() - t0
    tasks = len(dict(s.__dask_graph__()))
    print(json.dumps({"tasks": tasks, "seconds": dt, "us_per_task": dt * 1e6 / tasks,
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
    """
)

DASK_NOTEBOOK = textwrap.dedent(
    """
    import json, resource, sys, time
    import dask, dask.array as da
    size, chunk, workers, op = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    x = da.random.random((size, size), chunks=(chunk, chunk))
    repeat = int(sys.argv[5])
    expr = {"(x + x.T).mean()": lambda: (x + x.T).mean(),
            "(x * x.T).sum()": lambda: (x * x.T).sum(),
            "x.max(axis=0)": lambda: x.max(axis=0),
            "x.dot(x.T).mean()": lambda: x.dot(x.T).mean()}[op]()
    times = []
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(repeat):
        t0 = time.perf_counter()
        expr.compute(scheduler="threads", num_workers=workers)
        times.append(time.perf_counter() - t0)
    dt = sorted(times)[len(times) // 2]
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime) / repeat
    print(json.dumps({"seconds": dt, "cpu_seconds": cpu, "tasks": len(dict(expr.__dask_graph__())),
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
    """
)


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rsdat")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--chunk", type=int, default=1000)
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    ap.add_argument("--repeat", type=int, default=1, help="runs per notebook operation (median)")
    ap.add_argument("--op", action="append", default=[], help="only this notebook operation")
    ap.add_argument("--skip-overhead", action="store_true", help="notebook operations only")
    ap.add_argument("--out", help="output directory (default bench/runs/<date>-<host>)")
    args = ap.parse_args()
    load_before = os.getloadavg()
    counts = [1000, 10000] if args.quick else [10000, 100000, 1000000]
    dask_max = 10000 if args.quick else 100000
    size, chunk = (2000, 500) if args.quick else (args.size, args.chunk)
    rows = []
    for n in [] if args.skip_overhead else counts:
        for executor in ["threads", "processes"] if n <= 10000 else ["threads"]:
            r = run_json([args.rsdat, "bench", "overhead", "--tasks", str(n), "--executor", executor,
                          "--workers", str(args.workers), "--json", "-q"])
            rows.append({"bench": "overhead", "case": f"{n} no-op", "tool": f"rsdat-{executor}",
                         "tasks": r["tasks"], "seconds": r["seconds"], "us_per_task": r["us_per_task"],
                         "peak_rss_bytes": ""})
        if n <= dask_max:
            r = run_json([sys.executable, "-c", DASK_OVERHEAD, str(n), str(args.workers)])
            rows.append({"bench": "overhead", "case": f"{n} no-op", "tool": "dask-threads", **r})
    ops = args.op or ["(x + x.T).mean()", "(x * x.T).sum()", "x.max(axis=0)", "x.dot(x.T).mean()"]
    for op in ops:
        [r] = run_json([args.rsdat, "bench", "notebook01", "--size", str(size), "--chunk", str(chunk),
                        "--workers", str(args.workers), "--op", op, "--repeat", str(args.repeat),
                        "--json", "-q"])
        rows.append({"bench": "notebook01", "case": r["op"], "tool": "rsdat-threads", "tasks": r["tasks"],
                     "seconds": r["seconds"], "cpu_seconds": r["cpu_seconds"], "us_per_task": "",
                     "peak_rss_bytes": r["peak_rss_bytes"]})
        d = run_json([sys.executable, "-c", DASK_NOTEBOOK, str(size), str(chunk), str(args.workers), op,
                      str(args.repeat)])
        rows.append({"bench": "notebook01", "case": r["op"], "tool": "dask-threads", "tasks": d["tasks"],
                     "seconds": d["seconds"], "cpu_seconds": d["cpu_seconds"], "us_per_task": "",
                     "peak_rss_bytes": d["peak_rss_bytes"]})

    stamp = datetime.date.today().isoformat()
    out_dir = args.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "runs",
                                       f"{stamp}-{socket.gethostname()}")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "engine-raw.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["bench", "case", "tool", "tasks", "seconds", "cpu_seconds", "us_per_task",
                                           "peak_rss_bytes"], restval="")
        w.writeheader()
        w.writerows(rows)
    load_after = os.getloadavg()
    lines = [f"engine benchmark, {args.workers} workers, notebook01 {size}x{size} in {chunk}x{chunk} chunks, "
             f"median of {args.repeat} run(s); load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"]
    for case in dict.fromkeys(r["case"] for r in rows):
        rs = {r["tool"]: r for r in rows if r["case"] == case}
        rsd = rs.get("rsdat-threads")
        dk = rs.get("dask-threads")
        for tool, r in rs.items():
            extra = f"  {r['us_per_task']:.2f} us/task" if r["us_per_task"] != "" else ""
            mem = f"  peak {int(r['peak_rss_bytes']) / 2**20:.0f} MiB" if r["peak_rss_bytes"] != "" else ""
            cpu = f"  cpu {r['cpu_seconds']:.3f} s" if r.get("cpu_seconds") is not None else ""
            lines.append(f"{case:<22} {tool:<16} {r['seconds']:9.3f} s  {r['tasks']:>8} tasks{extra}{cpu}{mem}")
        if rsd and dk:
            ratio = dk["seconds"] / rsd["seconds"]
            mem = ""
            if rsd["peak_rss_bytes"] != "" and dk["peak_rss_bytes"] != "":
                mem = f", memory ratio {int(dk['peak_rss_bytes']) / max(1, int(rsd['peak_rss_bytes'])):.2f}x"
            if rsd.get("cpu_seconds") and dk.get("cpu_seconds"):
                mem += f", CPU time ratio {dk['cpu_seconds'] / rsd['cpu_seconds']:.2f}x"
            lines.append(f"{case:<22} ratio dask/rsdat time {ratio:.2f}x{mem}")
    summary = "\n".join(lines) + "\n"
    with open(os.path.join(out_dir, "engine-summary.txt"), "w") as f:
        f.write(summary)
    sys.stdout.write(summary)


if __name__ == "__main__":
    main()
