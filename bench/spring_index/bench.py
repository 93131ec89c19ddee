#!/usr/bin/env python
"""Spring-index benchmark: `rsdat spring-index grid` against the xarray + Dask seed
formulation (xarray_seed.py) on the same Daymet-layout NetCDF files, in one run.

Prints wall time, peak RSS, cell-days per core-second and the ratios the spring-index issue
sets as targets (rsdat >= 50x faster per core, <= 1/8 of the peak RSS, total time <= 2x the
time to merely read and inflate the inputs), plus the production anchor of about 2.1e5
cell-days per core-second (CONUS, 60 cores, 5 hours). Writes
bench/runs/<date>-<host>/spring_index.csv and spring_index.txt.

Example:
    PY=$(scripts/venv)/bin/python
    $PY bench/spring_index/bench.py --ny 400 --nx 400 --workers 2
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import time

import psutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PRODUCTION_ANCHOR = 3088 * 5727 * 300 * 42 / (60 * 5 * 3600)  # cell-days per core-second


def run(cmd: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Runs `cmd`, polling the peak RSS of it and its children; returns (seconds, bytes, stdout)."""
    start = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0
    while proc.poll() is None:
        try:
            rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    return seconds, peak, out


def make_inputs(data: str, ny: int, nx: int) -> list[str]:
    """Daymet-layout files for 1980 written by netCDF4-python (cached)."""
    os.makedirs(data, exist_ok=True)
    files = []
    for var in ("tmin", "tmax", "dayl"):
        path = os.path.join(data, f"daymet_v4_daily_na_{var}_1980.nc")
        if not os.path.exists(path):
            print(f"writing {path} with netCDF4-python", file=sys.stderr)
            tmp = path + ".partial"
            subprocess.run([sys.executable, os.path.join(ROOT, "bench/make_daymet_like.py"), tmp, var, str(ny), str(nx)], check=True)
            os.replace(tmp, path)
        files.append(path)
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ny", type=int, default=400)
    ap.add_argument("--nx", type=int, default=400)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--data", default=os.path.expanduser("~/.cache/rsdat/bench"))
    ap.add_argument("--repeat", type=int, default=2, help="runs of rsdat and of the read floor (best counts)")
    ap.add_argument("--skip-build", action="store_true")
    args = ap.parse_args()

    data = os.path.join(args.data, f"si-{args.ny}x{args.nx}")
    files = make_inputs(data, args.ny, args.nx)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "-p", "rsdat", "-p", "rsdat-netcdf", "--example", "read_variable", "--bin", "rsdat"],
                       cwd=ROOT, check=True)
    rsdat = os.path.join(target, "release", "rsdat")
    reader = os.path.join(target, "release", "examples", "read_variable")
    work = os.path.join(data, "out")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    cells = args.ny * args.nx
    rows = []

    # The floor: read and inflate the three inputs (all days), nothing else.
    floor = min(
        sum(run([reader, f, v, str(args.workers)])[0] for f, v in zip(files, ("tmin", "tmax", "dayl")))
        for _ in range(args.repeat)
    )
    rows.append(("read floor (3 variables, 365 days)", floor, 0, ""))

    best = None
    for k in range(args.repeat):
        out = os.path.join(work, f"rsdat-{k}.zarr")
        s, rss, text = run([rsdat, "spring-index", "grid", *files, "--out", out, "--workers", str(args.workers), "--json", "-q"])
        days = json.loads(text)["years"][0]["days"]
        if best is None or s < best[0]:
            best = (s, rss, days)
    rs_s, rs_rss, days = best
    rows.append(("rsdat spring-index grid", rs_s, rs_rss, f"{days}-day window"))

    seed_out = os.path.join(work, "seed.zarr")
    xs_s, xs_rss, text = run([sys.executable, os.path.join(HERE, "xarray_seed.py"), data, "--out", seed_out, "--workers", str(args.workers)])
    rows.append(("xarray + Dask seed formulation", xs_s, xs_rss, ""))

    cell_days = cells * 300
    per_core = lambda s: cell_days / (s * args.workers)  # noqa: E731
    load = os.getloadavg()
    lines = [
        f"spring-index benchmark {datetime.date.today()} on {socket.gethostname()}: {args.ny} x {args.nx} cells, "
        f"300 days, {args.workers} workers, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        "",
        f"{'run':40} {'seconds':>9} {'peak RSS MiB':>13}  note",
    ]
    for name, s, rss, note in rows:
        lines.append(f"{name:40} {s:9.2f} {rss / 2**20:13.0f}  {note}")
    lines += [
        "",
        f"speedup per core, rsdat vs xarray + Dask:   {xs_s / rs_s:8.1f}x   (target >= 50x)",
        f"peak RSS, rsdat / xarray + Dask:            {rs_rss / xs_rss:8.3f}    (target <= 0.125)",
        f"rsdat time / read floor:                    {rs_s / floor:8.2f}    (target <= 2)",
        f"rsdat cell-days per core-second:            {per_core(rs_s):10.3g}",
        f"xarray + Dask cell-days per core-second:    {per_core(xs_s):10.3g}",
        f"production anchor (CONUS, 60 cores, 5 h):   {PRODUCTION_ANCHOR:10.3g}",
    ]
    text = "\n".join(lines)
    print(text)
    run_dir = os.path.join(ROOT, "bench", "runs", f"{datetime.date.today()}-{socket.gethostname()}")
    os.makedirs(run_dir, exist_ok=True)
    with open(os.path.join(run_dir, "spring_index.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["run", "seconds", "peak_rss_bytes", "note", "ny", "nx", "workers"])
        for name, s, rss, note in rows:
            w.writerow([name, f"{s:.4f}", rss, note, args.ny, args.nx, args.workers])
    with open(os.path.join(run_dir, "spring_index.txt"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
