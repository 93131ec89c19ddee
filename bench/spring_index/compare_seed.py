#!/usr/bin/env python
"""Differential test: the xarray seed formulation against rsdat's `rsdat` preset, every cell.

Runs `xarray_seed.py` on Daymet-layout NetCDF files, writes the same cells as a long station CSV
(`station,year,doy,tmin,tmax,dayl`, one station per grid cell, values exactly as stored), runs
`rsdat spring-index stations --preset rsdat` on it (the same streaming kernel the grid workflow
uses, one cell at a time) and compares first leaf and first bloom of every plant and the mean,
cell by cell: equal days, NaN in the same places.

Example:
    rsdat sample-data daymet --out /tmp/daymet --years 1980 --ny 40 --nx 50
    python compare_seed.py /tmp/daymet --rsdat target/debug/rsdat --work /tmp/si-diff

Exit code 0 when every value matches, 1 otherwise (mismatches listed on stderr).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import xarray as xr

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import xarray_seed  # noqa: E402

LAYERS = ["lilac", "arnold red", "zabelli", "mean"]


def station_csv(files: dict[str, str], end_day: int, path: str) -> tuple[int, int]:
    """Writes every cell of one year as a station; returns the grid shape (ny, nx)."""
    arrays = {}
    for v in xarray_seed.VARIABLES:
        with xr.open_dataset(files[v]) as ds:
            arrays[v] = ds[v].isel(time=slice(0, end_day)).values  # (time, y, x) float32
            year = int(ds["time"].dt.year[0])
    nt, ny, nx = arrays["tmin"].shape
    cell = np.arange(ny * nx)
    frame = pd.DataFrame(
        {
            "station": np.repeat(cell[None, :], nt, axis=0).ravel(),
            "year": year,
            "doy": np.repeat(np.arange(1, nt + 1), ny * nx),
        }
    )
    for v in xarray_seed.VARIABLES:
        # float32 -> float64 is exact; repr of the float64 round-trips exactly.
        frame[v] = arrays[v].reshape(nt, ny * nx).astype("float64").ravel()
    frame.to_csv(path, index=False, na_rep="NaN", float_format=None)
    return ny, nx


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", help="Daymet-layout NetCDF files or directories")
    ap.add_argument("--rsdat", default="rsdat", help="the rsdat binary")
    ap.add_argument("--work", default="si-diff", help="working directory")
    ap.add_argument("--end-day", type=int, default=300)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)

    by_year = xarray_seed.find_inputs(args.inputs)
    store = os.path.join(args.work, "seed.zarr")
    subprocess.run(
        [sys.executable, os.path.join(HERE, "xarray_seed.py"), *args.inputs,
         "--out", store, "--end-day", str(args.end_day), "--workers", "2"],
        check=True, stdout=subprocess.DEVNULL,
    )
    bad = compared = 0
    for year, files in sorted(by_year.items()):
        csv = os.path.join(args.work, f"cells-{year}.csv")
        out = os.path.join(args.work, f"si-{year}.csv")
        ny, nx = station_csv(files, args.end_day, csv)
        subprocess.run(
            [args.rsdat, "spring-index", "stations", csv, "--out", out, "--overwrite",
             "--preset", "rsdat", "--units", "C", "-q"],
            check=True, stdout=subprocess.DEVNULL,
        )
        rust = pd.read_csv(out, keep_default_na=False, na_values=["NaN"])
        seed = xr.open_zarr(store, group=str(year), consolidated=False).load()
        for event, column in (("first-leaf", "first_leaf"), ("first-bloom", "first_bloom")):
            for k, layer in enumerate(LAYERS):
                rows = rust[rust["plant"] == layer].sort_values("station")
                got = rows[column].to_numpy().reshape(ny, nx)
                want = seed[event].isel(plant=k).values
                same = (got == want) | (np.isnan(got) & np.isnan(want))
                compared += same.size
                for y, x in zip(*np.nonzero(~same)):
                    bad += 1
                    if bad <= 20:
                        print(f"{year} {event} {layer} y={y} x={x}: seed {want[y, x]}, "
                              f"rsdat {got[y, x]}", file=sys.stderr)
    print(f"compared {compared} values ({len(by_year)} year(s)); {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
