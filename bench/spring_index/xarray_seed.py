#!/usr/bin/env python
"""The seed formulation of the Extended Spring Indices (SI-x) in xarray + Dask.

A straightforward whole-array implementation of the `rsdat` preset as the RS-DAT phenology
notebook formulates it (../../../shared/docs/spring-index-model.md, sections 1-6):

- growing degree hours (GDH) from a materialised 24-hour broadcast (dims hour, time, y, x),
  base 31 F, sine rise up to IDL = floor(L) and logarithmic decay after it;
- GDH padded with 7 copies of day 1 (edge padding), DDE2 and DD57 as 3-day rolling sums;
- SYNOP as the running count of DDE2 >= 637; MDS0 = 0-based day index;
- first leaf = first 0-based index with S > 999.5 (strict), Arnold Red + 1;
- first bloom from each plant's leaf index: MDS0 = floor(t - leaf) with t the 1-based day, 0
  where that is <= 0, AGDH accumulating GDH where MDS0 > 0, first index with S > 999.5;
- mean = round(mean of the three plants), NaN unless all three exist;
- days 1..300 (--end-day), Daymet `dayl` (seconds) for the day length.

Deviations from a literal float32 notebook, kept on purpose so the script is a reference for the
Rust kernel: inputs are promoted to float64 before any arithmetic (F = 1.8 C + 32 on float64),
and a cell with any NaN input within the window is NaN in every output (the spec's NaN rule;
Daymet NaNs are whole masked cells, where both rules agree).

Input: Daymet-layout NetCDF files (one variable per file, `tmin`, `tmax`, `dayl`, one year per
file, as `rsdat sample-data daymet` writes them) or directories holding them. Output: a Zarr
store with one group per year, arrays `first-leaf` and `first-bloom` with dims (plant, y, x)
and the plant coordinate `lilac`, `arnold red`, `zabelli`, `mean`.

Chunking follows the notebook: the whole time axis in one chunk (`time: -1`) and square tiles
in y/x (`--chunk` cells, default 100), so each task holds a (24, days, chunk, chunk) float64
hourly temperature array.

Example:
    rsdat sample-data daymet --out /tmp/daymet --years 1980 --ny 100 --nx 100
    python xarray_seed.py /tmp/daymet --out /tmp/seed.zarr --workers 2

A JSON summary (seconds, cells, peak RSS) is printed on stdout.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import sys
import time

import dask
import numpy as np
import xarray as xr

BASE_F = 31.0
SYNOP_GDH = 637.0
THRESHOLD = 999.5
PLANTS = ["lilac", "arnold red", "zabelli"]
LEAF = {
    "lilac": (3.306, 13.878, 0.201, 0.153),
    "arnold red": (4.266, 20.899, 0.000, 0.248),
    "zabelli": (2.802, 21.433, 0.266, 0.000),
}
LEAF_OFFSET = {"lilac": 0, "arnold red": 1, "zabelli": 0}
BLOOM = {
    "lilac": (-23.934, 0.116),
    "arnold red": (-24.825, 0.127),
    "zabelli": (-11.368, 0.096),
}
VARIABLES = ("tmin", "tmax", "dayl")


def find_inputs(paths: list[str]) -> dict[int, dict[str, str]]:
    """Maps year -> {variable: file} over the given files and directories."""
    files: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(glob.glob(os.path.join(p, "*.nc")))
        else:
            files.append(p)
    by_year: dict[int, dict[str, str]] = {}
    for f in files:
        with xr.open_dataset(f, decode_times=True) as ds:
            names = [v for v in VARIABLES if v in ds.data_vars]
            if not names:
                continue
            year = int(ds["time"].dt.year[0])
        for v in names:
            by_year.setdefault(year, {})[v] = f
    for year, found in by_year.items():
        missing = [v for v in VARIABLES if v not in found]
        if missing:
            sys.exit(f"error: year {year} has no file with {', '.join(missing)}; pass all three")
    if not by_year:
        sys.exit(f"error: no tmin/tmax/dayl NetCDF files in {' '.join(paths)}")
    return by_year


def open_year(files: dict[str, str], chunk: int, end_day: int) -> xr.Dataset:
    """The three inputs of one year, days 1..end_day, chunked as the notebook does."""
    chunks = {"time": -1, "y": chunk, "x": chunk}
    parts = [xr.open_dataset(files[v], chunks=chunks)[v] for v in VARIABLES]
    ds = xr.merge(parts, compat="override", join="exact")
    return ds.isel(time=slice(0, end_day))


def gdh(tmin_f: xr.DataArray, tmax_f: xr.DataArray, dayl_h: xr.DataArray) -> xr.DataArray:
    """Growing degree hours per day from the 24-hour broadcast (section 1)."""
    hours = xr.DataArray(np.arange(24, dtype="float64"), dims="hour")
    dt = tmax_f - tmin_f
    w = np.pi / (dayl_h + 4.0)
    idl = np.floor(dayl_h)
    ts = tmin_f + dt * np.sin(w * dayl_h)
    day = tmin_f + dt * np.sin(w * hours)
    # ln(h - IDL) only matters after sunset; 1 elsewhere keeps the masked hours finite.
    after = xr.where(hours > idl, hours - idl, 1.0)
    night = ts - (ts - tmin_f) * np.log(after) / np.log(24.0 - dayl_h)
    temp = xr.where(hours <= idl, day, night)
    return (temp - BASE_F).clip(min=0.0).sum("hour", skipna=False)


def first_index(hit: xr.DataArray) -> xr.DataArray:
    """First time index where `hit` holds, NaN where it never does."""
    return hit.argmax("time").where(hit.any("time")).astype("float64")


def spring_index(ds: xr.Dataset) -> xr.Dataset:
    """First leaf and first bloom, dims (plant, y, x), for one year (sections 2-5)."""
    tmin = ds["tmin"].astype("float64") * 1.8 + 32.0
    tmax = ds["tmax"].astype("float64") * 1.8 + 32.0
    dayl = ds["dayl"].astype("float64") / 3600.0
    g = gdh(tmin, tmax, dayl)
    n = g.sizes["time"]
    padded = g.pad(time=(7, 0), mode="edge")
    roll3 = padded.rolling(time=3).sum()
    dde2 = roll3.isel(time=slice(7, None))
    dd57 = roll3.isel(time=slice(2, 2 + n)).assign_coords(time=dde2["time"])
    synop = (dde2 >= SYNOP_GDH).cumsum("time")
    mds0 = xr.DataArray(np.arange(n, dtype="float64"), dims="time", coords={"time": g["time"]})
    t1 = mds0 + 1.0
    valid = (tmin.notnull() & tmax.notnull() & dayl.notnull()).all("time")

    leaves, blooms = [], []
    for plant in PLANTS:
        a0, a1, a2, a3 = LEAF[plant]
        score = a0 * mds0 + a1 * synop + a2 * dde2 + a3 * dd57
        leaf = first_index(score > THRESHOLD) + LEAF_OFFSET[plant]
        b0, b1 = BLOOM[plant]
        since = np.floor(t1 - leaf)
        since = since.where(since > 0, 0.0)
        agdh = g.where(since > 0, 0.0).cumsum("time")
        bloom = first_index(b0 * since + b1 * agdh > THRESHOLD).where(leaf.notnull())
        leaves.append(leaf.where(valid))
        blooms.append(bloom.where(valid))

    def with_mean(layers: list[xr.DataArray]) -> xr.DataArray:
        stack = xr.concat(layers, dim="plant")
        mean = stack.mean("plant", skipna=False).round()
        names = np.array(PLANTS + ["mean"], dtype=object)
        return xr.concat([stack, mean], dim="plant").assign_coords(plant=names)

    out = xr.Dataset(
        {"first-leaf": with_mean(leaves), "first-bloom": with_mean(blooms)}
    ).transpose("plant", "y", "x")
    for name in ("first-leaf", "first-bloom"):
        out[name].attrs = {
            "long_name": name.replace("-", " "),
            "units": "day",
            "description": "days since 1 January (0-based day of year); NaN: no event",
            "preset": "rsdat",
        }
    out["x"], out["y"] = ds["x"], ds["y"]
    return out


def peak_rss_bytes() -> int:
    """Peak resident set size of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", help="Daymet-layout NetCDF files or directories")
    ap.add_argument("--out", required=True, help="output Zarr store")
    ap.add_argument("--years", help="year or range like 1980-1982 (default: all found)")
    ap.add_argument("--end-day", type=int, default=300, help="last day of the window")
    ap.add_argument("--chunk", type=int, default=100, help="y/x chunk size in cells")
    ap.add_argument("--workers", type=int, default=os.cpu_count(), help="dask threads")
    ap.add_argument("--zarr-format", type=int, choices=(2, 3), default=3)
    args = ap.parse_args()

    by_year = find_inputs(args.inputs)
    years = sorted(by_year)
    if args.years:
        lo, _, hi = args.years.partition("-")
        lo, hi = int(lo), int(hi or lo)
        years = [y for y in years if lo <= y <= hi]
        if not years:
            sys.exit(f"error: no input for years {args.years} (found {sorted(by_year)})")

    dask.config.set(scheduler="threads", num_workers=args.workers)
    start = time.perf_counter()
    cells = days = 0
    for i, year in enumerate(years):
        ds = open_year(by_year[year], args.chunk, args.end_day)
        out = spring_index(ds)
        out.attrs = {
            "title": "Extended Spring Indices (seed formulation, xarray + Dask)",
            "preset": "rsdat",
            "window_days": f"1..{args.end_day}",
            "source": " ".join(os.path.basename(by_year[year][v]) for v in VARIABLES),
        }
        out.to_zarr(
            args.out,
            group=str(year),
            mode="w",
            zarr_format=args.zarr_format,
            consolidated=False,
        )
        cells += ds.sizes["y"] * ds.sizes["x"]
        days += ds.sizes["y"] * ds.sizes["x"] * ds.sizes["time"]
    seconds = time.perf_counter() - start
    json.dump(
        {
            "tool": "xarray-seed",
            "years": years,
            "workers": args.workers,
            "chunk": args.chunk,
            "cells": cells,
            "cell_days": days,
            "seconds": round(seconds, 3),
            "cell_days_per_core_second": days / seconds / args.workers,
            "peak_rss_bytes": peak_rss_bytes(),
            "out": args.out,
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
