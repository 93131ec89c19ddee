#!/usr/bin/env python3
"""Build and normalize_and_save a 10,000-item static catalog: rsdat vs pystac, in one run.

Usage (from the repository root, with the project venv):

    PY=$(scripts/venv)/bin/python
    $PY bench/stac/bench_stac.py                  # 10,002 items, 3 runs each, self-contained
    $PY bench/stac/bench_stac.py --years 1980-1989 --reps 1   # a smoke run (30 items)

The catalog is the Daymet V4 one (a sub-catalog per region, an item per region and year, 7
NetCDF assets per item); the year range 1000-4333 over the three regions gives 10,002 items.
rsdat runs the library's `daymet_catalog` example (release build; the same code as
`rsdat stac daymet-catalog`, without building the whole CLI); pystac builds the same catalog with
the function the differential tests use (crates/rsdat-stac/tests/data/make_catalogs.py) and
calls normalize_and_save. Both run as separate processes (start-up and imports included, as
a user sees them); pystac's in-process time is reported too. After each pair of runs the two
output trees are compared file for file (they must be identical).

Deleting tens of thousands of files just before a run slows file creation for minutes on
ext4 without a journal (freed inodes are skipped when new ones are allocated), so the outputs of
all repetitions are kept until the end; do not start the benchmark right after removing a big
tree (wait ~5 minutes).

Each repetition also times `cp -r` of rsdat's tree: the same directories and files made by a C
tool, the floor any writer of this layout pays on that file system (on this VM's ext4 most of
it is the kernel allocating inodes). `--dir /dev/shm` writes to memory instead.

Ratio = pystac median wall time / rsdat median wall time over --reps runs (> 1: rsdat
faster; the target is >= 20). The two alternate within each repetition, so load from other
users of the machine hits both; the summary records the load (`uptime`) before and after.
Results: bench/runs/<date>-<host>-stac/raw.csv and summary.txt (or --out).
"""
import argparse
import filecmp
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURE = ROOT / "crates/rsdat-stac/tests/data/make_catalogs.py"
VARS = "tmin,tmax,dayl,prcp,srad,swe,vp"

sys.path.insert(0, str(ROOT / "bench"))
import results  # noqa: E402  (bench/results.py: load and results writer of every bench script)

PYSTAC_CODE = """
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location("mk", sys.argv[1])
mk = importlib.util.module_from_spec(spec); spec.loader.exec_module(mk)
import pystac, pystac.stac_io
if sys.argv[6] == "orjson":  # the fixture module turns orjson off; pystac's default is on
    import orjson
    pystac.stac_io.orjson = orjson
t0 = time.perf_counter()
y0, y1 = (int(x) for x in sys.argv[3].split("-"))
cat = mk.daymet(regions=("na", "hi", "pr"), years=(y0, y1), variables=tuple(sys.argv[4].split(",")))
t1 = time.perf_counter()
cat.normalize_and_save(sys.argv[2], pystac.CatalogType(sys.argv[5]))
t2 = time.perf_counter()
print(f"{t1 - t0:.4f} {t2 - t1:.4f}")
"""


def timed(cmd):
    """Runs cmd; returns (wall s, peak rss MB, stdout, cpu s = user + sys of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = psutil.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while p.poll() is None:
        try:
            peak = max(peak, p.memory_info().rss)
        except psutil.Error:
            pass
        time.sleep(0.01)
    wall = time.perf_counter() - t0
    out, err = p.communicate()
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({p.returncode}):\n{err}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, peak / 1e6, out, cpu


def same_tree(a, b):
    cmp = filecmp.dircmp(a, b)
    stack = [cmp]
    while stack:
        c = stack.pop()
        if c.left_only or c.right_only or c.funny_files:
            return False
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        if mismatch or errors:
            return False
        stack.extend(c.subdirs.values())
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--years", default="1000-4333", help="year range; x3 regions = items")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--catalog-type", default="SELF_CONTAINED",
                    choices=["SELF_CONTAINED", "ABSOLUTE_PUBLISHED", "RELATIVE_PUBLISHED"])
    ap.add_argument("--json-style", default="python", choices=["python", "orjson"],
                    help="JSON library of pystac (python: the json module, pystac's default without "
                         "the orjson extra; orjson: with it), and the matching rsdat style")
    ap.add_argument("--no-build", action="store_true", help="reuse the built example")
    ap.add_argument("--profile", default="release", choices=["release", "dev"],
                    help="cargo profile of the rsdat example (dev: a machine too busy for a release build)")
    ap.add_argument("--out", default=None, help="results directory (default bench/runs/...)")
    ap.add_argument("--dir", default=None,
                    help="where the catalogs are written (default: the temp directory); e.g. /dev/shm "
                         "to leave the disk's file creation cost out")
    args = ap.parse_args()

    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    exe = target / ("release" if args.profile == "release" else "debug") / "examples" / "daymet_catalog"
    if not args.no_build:
        subprocess.run(["cargo", "build", "--profile", args.profile, "-p", "rsdat-stac", "--example", "daymet_catalog"],
                       cwd=ROOT, check=True)
    y0, y1 = (int(x) for x in args.years.split("-"))
    n_items = 3 * (y1 - y0 + 1)
    rows = []
    load_before = results.uptime()
    work = Path(tempfile.mkdtemp(prefix="rsdat-bench-stac-", dir=args.dir))
    fs_type = subprocess.run(["stat", "-f", "-c", "%T", str(work)], capture_output=True, text=True).stdout.strip()
    try:
        for rep in range(args.reps):
            r_out = work / f"rsdat-{rep}"
            p_out = work / f"pystac-{rep}"
            kebab = args.catalog_type.lower().replace("_", "-")
            r_wall, r_rss, r_inner, r_cpu = timed([str(exe), str(r_out), args.years, VARS, kebab, args.json_style])
            r_build, r_save, r_items = r_inner.split()
            assert int(r_items) == n_items, (r_items, n_items)
            p_wall, p_rss, p_inner, p_cpu = timed([sys.executable, "-c", PYSTAC_CODE, str(FIXTURE),
                                            str(p_out), args.years, VARS, args.catalog_type, args.json_style])
            build_s, save_s = (float(x) for x in p_inner.split())
            # The floor: making the same directories and files with their final bytes, by a
            # C tool (cp -r reads them from the page cache).
            c_wall, _, _, c_cpu = timed(["cp", "-r", str(r_out), str(work / f"cp-{rep}")])
            # Absolute hrefs name the output directory: compare the self-contained layout only.
            identical = same_tree(r_out, p_out) if args.catalog_type == "SELF_CONTAINED" else None
            rows.append(dict(rep=rep, items=n_items, catalog_type=args.catalog_type, json_style=args.json_style, profile=args.profile,
                             rsdat_wall_s=round(r_wall, 4), rsdat_build_s=float(r_build),
                             rsdat_save_s=float(r_save), rsdat_cpu_s=round(r_cpu, 3), rsdat_peak_mb=round(r_rss, 1),
                             pystac_wall_s=round(p_wall, 4), pystac_build_s=build_s,
                             pystac_save_s=save_s, pystac_cpu_s=round(p_cpu, 3), pystac_peak_mb=round(p_rss, 1),
                             cp_wall_s=round(c_wall, 4), cp_cpu_s=round(c_cpu, 3),
                             ratio=round(p_wall / r_wall, 2), identical=identical))
            print(f"rep {rep}: rsdat {r_wall:.2f} s (save {float(r_save):.2f}, cpu {r_cpu:.2f}), pystac {p_wall:.2f} s "
                  f"(build {build_s:.2f} + normalize_and_save {save_s:.2f}, cpu {p_cpu:.2f}), "
                  f"ratio {p_wall / r_wall:.1f}x, identical={identical}; cp -r {c_wall:.2f} s", flush=True)
            # The trees are removed only at the end: ext4 without a journal (this VM's root file
            # system) skips inodes freed in the last minutes when it allocates new ones, by a
            # scan that grows with their number, so creating 20,000 files right after deleting
            # 20,000 others takes several times longer for either tool.
    finally:
        shutil.rmtree(work, ignore_errors=True)

    load_after = results.uptime()

    def med(key):
        return statistics.median(r[key] for r in rows)

    def walls(key):
        return " ".join(f"{r[key]:.2f}" for r in rows)

    med_r, med_p = med("rsdat_wall_s"), med("pystac_wall_s")
    med_p_inner = statistics.median(r["pystac_build_s"] + r["pystac_save_s"] for r in rows)
    summary = (
        f"static catalog build + normalize_and_save, {n_items} items, {args.catalog_type}, JSON by {args.json_style}, "
        f"median of {args.reps} runs each (alternating), rsdat built with the {args.profile} profile\n"
        f"  rsdat  (process wall)      {med_r:8.2f} s   (build {med('rsdat_build_s'):.2f} + save "
        f"{med('rsdat_save_s'):.2f})   peak {max(r['rsdat_peak_mb'] for r in rows):.0f} MB   runs: {walls('rsdat_wall_s')}\n"
        f"  pystac (process wall)      {med_p:8.2f} s   (build {med('pystac_build_s'):.2f} + normalize_and_save "
        f"{med('pystac_save_s'):.2f})   peak {max(r['pystac_peak_mb'] for r in rows):.0f} MB   runs: {walls('pystac_wall_s')}\n"
        f"  rsdat  cpu (user+sys)      {med('rsdat_cpu_s'):8.2f} s   runs: {walls('rsdat_cpu_s')}\n"
        f"  pystac cpu (user+sys)      {med('pystac_cpu_s'):8.2f} s   runs: {walls('pystac_cpu_s')}\n"
        f"  ratio pystac/rsdat (wall)  {med_p / med_r:8.1f}x   (target >= 20x)\n"
        f"  ratio pystac/rsdat (cpu)   {med('pystac_cpu_s') / med('rsdat_cpu_s'):8.1f}x   (rsdat's wall is mostly waiting on "
        f"file creation when the disk is busy)\n"
        f"  ratio pystac work/rsdat    {med_p_inner / med_r:8.1f}x   (pystac without interpreter start-up and imports)\n"
        f"  ratio save only            {med('pystac_save_s') / med('rsdat_save_s'):8.1f}x   (normalize_and_save vs rsdat's)\n"
        f"  cp -r of the tree (floor)  {med('cp_wall_s'):8.2f} s   cpu {med('cp_cpu_s'):.2f} s   (the same "
        f"directories and files made by a C tool: pystac/floor = {med_p / med('cp_wall_s'):.0f}x)\n"
        f"  outputs identical: {sorted({str(r['identical']) for r in rows})}\n"
        f"  written to: {work.parent} ({fs_type})\n"
        f"  machine: {socket.gethostname()} {platform.machine()}, {os.cpu_count()} cpus, shared with other builds\n"
        f"  load before: {load_before}\n"
        f"  load after:  {load_after}\n"
    )
    print(summary)
    out = results.write(results.run_dir("stac", args.out), rows, summary)
    print(f"results in {out}")


if __name__ == "__main__":
    main()
