#!/usr/bin/env python3
"""rsdat vs the Python stack on the same files, in one run: reads, NetCDF -> Zarr, COG windows.

Usage (from the repository root, with the project venv):

    PY=$(scripts/venv)/bin/python
    $PY bench/io.py                 # Daymet-layout 365 x 1000 x 1000, 10980^2 COG
    $PY bench/io.py --quick         # 365 x 200 x 200, 2560^2 COG: a smoke run
    $PY bench/io.py --ny 500 --nx 500 --cog-size 5490 --reps 5 --threads 2 --json

Inputs are made by the Python tools (bench/make_daymet_like.py with netCDF4-python, a COG
with rasterio) and cached under --data (default ~/.cache/rsdat/bench). rsdat is built in
release mode (--no-build to reuse --bin-dir). Every measurement runs in its own process,
--reps times; wall time, CPU time and peak RSS (GNU time's accounting of the child, else
psutil polling) are recorded,
and the table shows the best (lowest) wall time and the highest peak RSS over the
repetitions (best-of-N is the robust statistic on a machine shared with other jobs; the
median is in raw.csv). Results go to bench/runs/<date>-<host>/raw.csv and summary.txt.

Measurements:
  read      full read of tmax: rsdat (example read_variable, 1 and N threads, CF-decoded to
            f32 chunk by chunk) vs netCDF4-python (masked array), xarray
            (open_dataset(...).tmax.values) and h5py (raw values).
  convert   the three files to one Zarr v3 store: `rsdat convert` (zstd 3, as xarray) and
            `rsdat convert --compression keep` (the files' shuffle + deflate chunks copied
            as they are) vs xarray.open_mfdataset(files, chunks={}).to_zarr() with Dask's
            threaded scheduler on the same number of workers; same output chunks (the
            files' chunks, or --zarr-chunks for all). The check column is the store size.
  cog       2048 x 2048 windows of band 1 of the COG: one cold window per process, and
            every whole window in one process: rsdat (example read_window) vs rasterio.

Ratios: speedup = peer time / rsdat time (> 1: rsdat faster); memory = rsdat peak RSS /
peer peak RSS. Times are process wall times (interpreter start-up and imports included for
the Python tools, as a user sees them); the "inner" column is the work timed inside the
process (open + read), which leaves start-up out.
"""
import argparse
import csv
import datetime
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
VARS = ("tmin", "tmax", "dayl")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=os.path.expanduser("~/.cache/rsdat/bench"),
                   help="directory for the generated inputs (kept between runs)")
    p.add_argument("--ny", type=int, default=1000)
    p.add_argument("--nx", type=int, default=1000)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--cog-size", type=int, default=10980, help="COG width = height")
    p.add_argument("--window", type=int, default=2048, help="COG window side")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="threads/workers for the parallel runs (default: all CPUs)")
    p.add_argument("--reps", type=int, default=3, help="repetitions of each measurement")
    p.add_argument("--zarr-chunks", default="",
                   help="output chunks for both converters, e.g. y=500,x=500 (default: the "
                        "input files' chunks)")
    p.add_argument("--only", default="read,convert,cog", help="comma list of read,convert,cog")
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    p.add_argument("--no-build", action="store_true", help="do not run cargo build")
    p.add_argument("--cargo-dir", default=str(ROOT),
                   help="workspace to build rsdat from (e.g. a clean worktree)")
    p.add_argument("--bin-dir", default=None,
                   help="release dir holding rsdat and examples/ (default: "
                        "$CARGO_TARGET_DIR/release or <cargo-dir>/target/release)")
    p.add_argument("--runs", default=str(ROOT / "bench" / "runs"),
                   help="where the run directory is written")
    p.add_argument("--json", action="store_true", help="print the results as JSON too")
    p.add_argument("--tag", default="",
                   help="suffix of the run directory (bench/runs/<date>-<host>[-quick]-TAG)")
    a = p.parse_args()
    if a.quick:
        a.ny = a.nx = 200
        a.cog_size = 2560
        a.window = 512
        a.reps = min(a.reps, 2)
    return a


# ---------------------------------------------------------------- inputs

def daymet_files(a):
    d = Path(a.data)
    d.mkdir(parents=True, exist_ok=True)
    out = {}
    for var in VARS:
        f = d / f"daymet_{a.days}x{a.ny}x{a.nx}_{var}.nc"
        if not f.exists():
            log(f"generating {f} with netCDF4-python")
            tmp = f.with_suffix(".nc.tmp")
            subprocess.run([sys.executable, str(ROOT / "bench" / "make_daymet_like.py"), str(tmp),
                            var, str(a.ny), str(a.nx), str(a.days)], check=True)
            tmp.rename(f)
        out[var] = f
    return out


def cog_file(a):
    f = Path(a.data) / f"s2like_{a.cog_size}_u16_deflate_cog.tif"
    if f.exists():
        return f
    log(f"generating {f} with rasterio")
    import numpy as np
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.transform import from_origin

    n = a.cog_size
    tmp = f.with_suffix(".tmp.tif")
    profile = dict(driver="GTiff", width=n, height=n, count=1, dtype="uint16",
                   crs="EPSG:32631", transform=from_origin(600000, 5800020, 10, 10),
                   tiled=True, blockxsize=512, blockysize=512, compress="deflate",
                   predictor=2, nodata=0, BIGTIFF="IF_SAFER")
    rng = np.random.default_rng(2)
    with rasterio.open(tmp, "w", **profile) as dst:
        cols = np.arange(n)
        for r0 in range(0, n, 512):
            rows = np.arange(r0, min(n, r0 + 512))[:, None]
            # Reflectance-like: smooth fields + texture, like a Sentinel-2 L2A B02 band.
            v = (900 + 300 * np.sin(cols / 211.0) * np.cos(rows / 157.0)
                 + 150 * np.sin((cols + rows) / 29.0) + rng.normal(0, 40, (len(rows), n)))
            dst.write(np.clip(v, 1, 10000).astype("uint16")[None],
                      window=rasterio.windows.Window(0, r0, n, len(rows)))
        dst.build_overviews([2, 4, 8, 16], Resampling.average)
    # Rewrite as a COG (overviews and IFDs first, tiles ordered) with GDAL's COG driver.
    with rasterio.open(tmp) as src:
        data = src.read()
        prof = src.profile
    prof.update(driver="COG", compress="deflate", predictor=2, blocksize=512,
                overview_resampling="average")
    for k in ("tiled", "blockxsize", "blockysize", "interleave"):
        prof.pop(k, None)
    with rasterio.open(f, "w", **prof) as dst:
        dst.write(data)
    tmp.unlink()
    return f


# ---------------------------------------------------------------- build

def build(a):
    target = Path(os.environ.get("CARGO_TARGET_DIR", Path(a.cargo_dir) / "target"))
    bin_dir = Path(a.bin_dir) if a.bin_dir else target / "release"
    if not a.no_build:
        log(f"cargo build --release in {a.cargo_dir}")
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "rsdat", "-p", "rsdat-netcdf",
                        "-p", "rsdat-geotiff", "--examples", "--bins"],
                       cwd=a.cargo_dir, check=True)
    bins = {"rsdat": bin_dir / "rsdat", "read_variable": bin_dir / "examples" / "read_variable",
            "read_window": bin_dir / "examples" / "read_window"}
    for name, path in bins.items():
        if not path.exists():
            sys.exit(f"error: `{path}` is missing; build it or pass --bin-dir")
    return bins


# ---------------------------------------------------------------- measuring

GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def run(cmd, env=None):
    """Runs `cmd`; returns (wall s, CPU s, peak RSS bytes, stdout).

    CPU time (user + system) is the kernel's accounting (wait4, descendants included). Peak
    RSS comes from GNU time (`apt-get install time`) when installed, else from polling
    (psutil, every 5 ms): wait4's ru_maxrss would count this Python process's image copied
    by the fork.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as tfile:
        full = [GNU_TIME, "-f", "%M %U %S", "-o", tfile.name, *cmd] if GNU_TIME else cmd
        t0 = time.perf_counter()
        p = psutil.Popen(full, stdout=out, stderr=err, env=env)
        peak = 0
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            try:
                rss = sum(c.memory_info().rss for c in p.children(True))
                if not GNU_TIME:
                    rss += p.memory_info().rss
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.005)
        wall = time.perf_counter() - t0
        cpu = usage.ru_utime + usage.ru_stime
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            sys.exit(f"error: {' '.join(map(str, cmd))} failed ({code}):\n"
                     f"{err.read().decode()[-3000:]}")
        if GNU_TIME:
            # wait4 on GNU time includes its reaped child's CPU time (finer than %U/%S).
            peak = max(peak, int(tfile.read().split()[-3]) * 1024)
    return wall, cpu, peak, stdout


def norm_check(check):
    """`count sum` checksums, with the sum in one float format for every tool."""
    parts = str(check).split()
    if len(parts) == 2:
        try:
            return f"{int(parts[0])} {float(parts[1]):.6e}"
        except ValueError:
            pass
    return str(check)


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    return {}


def measure(rows, a, task, tool, cmd, cleanup=None, env=None, post=None):
    """Runs `cmd` --reps times; `post()` (after each run, before `cleanup`) gives the
    check column when the command prints none (e.g. the size of the store written)."""
    walls, cpus, peaks, inners, info = [], [], [], [], {}
    for rep in range(a.reps):
        if cleanup:
            cleanup()
        wall, cpu, peak, out = run(cmd, env)
        info = last_json(out)
        if "check" in info:
            info["check"] = norm_check(info["check"])
        elif post:
            info["check"] = post()
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(peak)
        if "seconds" in info:
            inners.append(info["seconds"])
        rows.append(dict(task=task, tool=tool, rep=rep, wall_s=round(wall, 4),
                         cpu_s=round(cpu, 4),
                         inner_s=round(info.get("seconds", float("nan")), 4),
                         peak_rss_mb=round(peak / 2**20, 1), load1=round(os.getloadavg()[0], 2),
                         check=info.get("check", "")))
    if cleanup:
        cleanup()
    r = dict(task=task, tool=tool, best_s=min(walls), median_s=statistics.median(walls),
             cpu_s=min(cpus),
             inner_s=min(inners) if inners else None, peak_mb=max(peaks) / 2**20,
             check=info.get("check", ""))
    log(f"  {task:8} {tool:28} best {r['best_s']:7.2f} s  median {r['median_s']:7.2f} s  "
        f"cpu {r['cpu_s']:7.2f} s  "
        f"inner {fmt(r['inner_s'])} s  peak {r['peak_mb']:7.0f} MB  {r['check']}")
    return r


def fmt(x, spec="7.2f"):
    return format(x, spec) if x is not None else "      -"


PY_READ = {
    "netCDF4-python": """
import time, json, sys, numpy as np, netCDF4
t = time.perf_counter()
with netCDF4.Dataset(sys.argv[1]) as ds:
    a = ds[sys.argv[2]][:]
s = time.perf_counter() - t
v = a.compressed()
print(json.dumps({"seconds": s, "check": f"{v.size} {v.sum(dtype=np.float64):.6e}"}))
""",
    "xarray": """
import time, json, sys, numpy as np, xarray as xr
t = time.perf_counter()
with xr.open_dataset(sys.argv[1]) as ds:
    a = ds[sys.argv[2]].values
s = time.perf_counter() - t
v = a[~np.isnan(a)]
print(json.dumps({"seconds": s, "check": f"{v.size} {v.sum(dtype=np.float64):.6e}"}))
""",
    "h5py (raw, no CF decoding)": """
import time, json, sys, numpy as np, h5py
t = time.perf_counter()
with h5py.File(sys.argv[1], "r") as f:
    a = f[sys.argv[2]][...]
s = time.perf_counter() - t
v = a[a != -9999.0]
print(json.dumps({"seconds": s, "check": f"{v.size} {v.sum(dtype=np.float64):.6e}"}))
""",
}

PY_CONVERT = """
import time, json, sys, dask, xarray as xr
out, workers, chunks = sys.argv[1], int(sys.argv[2]), sys.argv[3]
files = sys.argv[4:]
t = time.perf_counter()
spec = {k: int(v) for k, v in (kv.split("=") for kv in chunks.split(",") if kv)}
with dask.config.set(scheduler="threads", num_workers=workers):
    ds = xr.open_mfdataset(files, chunks=dict(spec, time=1) if spec else {})
    enc = {}
    if spec:
        for name, var in ds.data_vars.items():
            if set(spec) <= set(var.dims):
                enc[name] = {"chunks": tuple(spec.get(d, 1 if d == "time" else var.sizes[d])
                                              for d in var.dims)}
    ds.to_zarr(out, mode="w", zarr_format=3, consolidated=True, encoding=enc)
print(json.dumps({"seconds": time.perf_counter() - t}))
"""

PY_COG = """
import time, json, sys, numpy as np, rasterio
from rasterio.windows import Window
path, size, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t = time.perf_counter()
with rasterio.open(path) as src:
    o = time.perf_counter() - t
    w, h = src.width, src.height
    wins = ([(c * size, r * size) for r in range(h // size) for c in range(w // size)]
            if mode == "all" else [(int(sys.argv[3]), int(sys.argv[4]))])
    secs, total = 0.0, 0.0
    for col, row in wins:
        t = time.perf_counter()
        a = src.read(1, window=Window(col, row, size, size))
        secs += time.perf_counter() - t
        total += float(a.sum(dtype=np.float64))
print(json.dumps({"open_seconds": o, "seconds": secs, "windows": len(wins), "sum": total}))
"""


def bench_read(a, bins, files, results, rows):
    f = str(files["tmax"])
    log(f"read: full tmax of {f}")
    for n in sorted({1, a.threads}):
        r = measure(rows, a, "read", f"rsdat ({n} thread{'s' if n > 1 else ''})",
                    [bins["read_variable"], f, "tmax", str(n)])
        results.append(r)
    for tool, code in PY_READ.items():
        results.append(measure(rows, a, "read", tool, [sys.executable, "-c", code, f, "tmax"]))


def bench_convert(a, bins, files, results, rows, work):
    inputs = [str(files[v]) for v in VARS]
    out = work / "out.zarr"

    def clean():
        shutil.rmtree(out, ignore_errors=True)
        for p in work.glob("out.zarr*"):
            shutil.rmtree(p, ignore_errors=True)

    log(f"convert: {len(inputs)} files -> Zarr v3, {a.threads} workers, "
        f"chunks {a.zarr_chunks or 'as the input'}")
    def size():
        n = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
        return f"store {n / 1e6:.0f} MB"

    cmd = [bins["rsdat"], "convert", *inputs, "--out", str(out), "--zarr-format", "3",
           "--workers", str(a.threads)]
    if a.zarr_chunks:
        cmd += ["--chunks", a.zarr_chunks]
    # The default (zstd 3, as xarray writes), then the input's deflate chunks copied as they
    # are (`--compression keep`: no decoding or re-encoding; Zarr v3 blosc-zlib codec).
    results.append(measure(rows, a, "convert", "rsdat convert", cmd, clean, post=size))
    results.append(measure(rows, a, "convert", "rsdat convert (keep)",
                           cmd + ["--compression", "keep"], clean, post=size))
    results.append(measure(rows, a, "convert", "xarray + Dask (threads)",
                           [sys.executable, "-c", PY_CONVERT, str(out), str(a.threads),
                            a.zarr_chunks, *inputs], clean, post=size))


def bench_cog(a, bins, cog, results, rows):
    n, w = a.cog_size, a.window
    col = row = min(w, max(0, n - w))  # one window off the image corner, tile-aligned
    log(f"cog: {w} x {w} windows of {cog}")
    results.append(measure(rows, a, "cog-1", "rsdat", [bins["read_window"], str(cog), str(w),
                                                         str(col), str(row)]))
    results.append(measure(rows, a, "cog-1", "rasterio",
                           [sys.executable, "-c", PY_COG, str(cog), str(w), str(col), str(row)]))
    results.append(measure(rows, a, "cog-all", "rsdat", [bins["read_window"], str(cog), str(w),
                                                           "all"]))
    results.append(measure(rows, a, "cog-all", "rasterio",
                           [sys.executable, "-c", PY_COG, str(cog), str(w), "all"]))


# ---------------------------------------------------------------- report

def ratios(results):
    """(task, rsdat, peer, speedup wall, speedup inner, CPU ratio, memory fraction) rows."""
    out = []
    by_task = {}
    for r in results:
        by_task.setdefault(r["task"], []).append(r)
    for task, rs in by_task.items():
        ours = [r for r in rs if r["tool"].startswith("rsdat")]
        peers = [r for r in rs if not r["tool"].startswith("rsdat")]
        for o in ours:
            for p in peers:
                inner = (p["inner_s"] / o["inner_s"]
                         if p["inner_s"] and o["inner_s"] else None)
                out.append((task, o["tool"], p["tool"], p["best_s"] / o["best_s"], inner,
                            p["cpu_s"] / max(o["cpu_s"], 1e-3), o["peak_mb"] / p["peak_mb"]))
    return out


def summary_text(a, meta, results):
    lines = [f"rsdat bench/io.py  {meta['date']}  host {meta['host']}  "
             f"{meta['cpus']} CPUs  {meta['mem_gb']:.0f} GB",
             f"load average before: {meta['load_before']}  after: {meta['load_after']}  "
             f"(other jobs share this machine)",
             f"commit {meta['commit']}  python {meta['python']}  " + "  ".join(
                 f"{k} {v}" for k, v in meta["versions"].items()),
             f"inputs: Daymet-layout {a.days} x {a.ny} x {a.nx} float32 (1 day per chunk, zlib 4 "
             f"+ shuffle) x 3 variables; COG {a.cog_size}^2 uint16 deflate, 512 tiles, "
             f"overviews; window {a.window}",
             f"threads/workers for parallel runs: {a.threads}; {a.reps} repetitions, best wall "
             f"time and highest peak RSS shown", ""]
    lines.append(f"{'task':8} {'tool':30} {'best s':>8} {'median s':>9} {'cpu s':>8} "
                 f"{'inner s':>8} {'peak MB':>8}  check")
    for r in results:
        lines.append(f"{r['task']:8} {r['tool']:30} {r['best_s']:8.2f} {r['median_s']:9.2f} "
                     f"{r['cpu_s']:8.2f} {fmt(r['inner_s'], '8.3f')} {r['peak_mb']:8.0f}  "
                     f"{r['check']}")
    lines += ["", "ratios: speedup = peer wall / rsdat wall; inner = the same on the work timed "
                  "in-process; cpu = peer CPU s / rsdat CPU s (per-core efficiency, robust to "
                  "load); memory = rsdat peak RSS / peer peak RSS",
              f"{'task':8} {'rsdat':20} {'vs':30} {'speedup':>8} {'inner':>7} {'cpu':>7} "
              f"{'memory':>7}"]
    for task, o, p, s, si, c, m in ratios(results):
        lines.append(f"{task:8} {o:20} {p:30} {s:7.2f}x {fmt(si, '6.2f')}x {c:6.2f}x {m:7.3f}")
    return "\n".join(lines) + "\n"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def versions():
    out = {}
    for mod in ("netCDF4", "xarray", "dask", "zarr", "rasterio", "h5py", "numpy"):
        try:
            out[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 - a missing tool only leaves its version out
            pass
    return out


def main():
    a = parse_args()
    meta = dict(date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                host=socket.gethostname(), cpus=os.cpu_count(),
                mem_gb=psutil.virtual_memory().total / 2**30, python=platform.python_version(),
                versions=versions(), load_before=" ".join(f"{x:.2f}" for x in os.getloadavg()))
    meta["commit"] = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=a.cargo_dir,
                                    capture_output=True, text=True).stdout.strip()
    only = set(a.only.split(","))
    files = daymet_files(a) if only & {"read", "convert"} else {}
    cog = cog_file(a) if "cog" in only else None
    bins = build(a)
    results, rows = [], []
    work = Path(tempfile.mkdtemp(prefix="rsdat-bench-", dir=a.data))
    try:
        if "read" in only:
            bench_read(a, bins, files, results, rows)
        if "convert" in only:
            bench_convert(a, bins, files, results, rows, work)
        if "cog" in only:
            bench_cog(a, bins, cog, results, rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    meta["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = summary_text(a, meta, results)
    day = datetime.date.today().isoformat()
    run_dir = Path(a.runs) / (f"{day}-{meta['host']}{'-quick' if a.quick else ''}"
                              + (f"-{a.tag}" if a.tag else ""))
    run_dir.mkdir(parents=True, exist_ok=True)
    with open(run_dir / "raw.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    (run_dir / "summary.txt").write_text(text)
    print(text, end="")
    log(f"wrote {run_dir}/raw.csv and summary.txt")
    if a.json:
        print(json.dumps(dict(meta=meta, results=results,
                              ratios=[dict(task=t, rsdat=o, peer=p, speedup=s, speedup_inner=si,
                                           cpu_ratio=c, memory_fraction=m)
                                      for t, o, p, s, si, c, m in ratios(results)]), indent=1))


if __name__ == "__main__":
    main()
