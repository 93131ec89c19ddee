#!/usr/bin/env python
"""Makes seed-na-1980-12x10.csv: the xarray seed formulation on `rsdat sample-data` output.

    rsdat sample-data daymet --out /tmp/si-fixture --years 1980 --ny 12 --nx 10
    python make_seed_fixture.py /tmp/si-fixture

Runs bench/spring_index/xarray_seed.py (xarray + Dask, the `rsdat` preset as the seed
notebook formulates it) and writes one row per cell and layer: y,x,plant,first_leaf,first_bloom
(0-based days, NaN where there is no value). Used by tests/spring_index.rs.
"""

import os
import subprocess
import sys
import tempfile

import xarray as xr

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "../../../../../bench/spring_index/xarray_seed.py")


def main() -> None:
    data = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "seed.zarr")
        subprocess.run([sys.executable, SEED, data, "--out", store, "--workers", "1"],
                       check=True, stdout=subprocess.DEVNULL)
        ds = xr.open_zarr(store, group="1980", consolidated=False).load()
    with open(os.path.join(HERE, "seed-na-1980-12x10.csv"), "w") as f:
        f.write("y,x,plant,first_leaf,first_bloom\n")
        for y in range(ds.sizes["y"]):
            for x in range(ds.sizes["x"]):
                for k, plant in enumerate(ds["plant"].values):
                    leaf = float(ds["first-leaf"][k, y, x])
                    bloom = float(ds["first-bloom"][k, y, x])
                    f.write(f"{y},{x},{plant},{leaf:.0f},{bloom:.0f}\n".replace("nan", "NaN"))


if __name__ == "__main__":
    main()
