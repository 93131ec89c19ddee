"""Zarr stores written by xarray + zarr-python 3, for rsdat's Zarr reader.

    python make_fixtures.py OUTDIR

Writes ``v2.zarr`` and ``v3.zarr`` with xarray's defaults for each format (v2: blosc-lz4,
fill value in ``.zarray``; v3: zstd, ``_FillValue`` attribute) and two groups, ``1980``
and ``1981``; each group holds:

- coordinates ``x``, ``y`` (float64, metres), ``time`` (datetime64 -> int64 days),
  ``plant`` (object strings -> vlen-utf8) and ``station`` (numpy ``<U`` strings -> v2 ``<U8``,
  v3 ``fixed_length_utf32``);
- ``tmax`` (float32 with NaN, chunks that do not divide the shape), ``si`` (int16 with
  ``_FillValue`` -9999), ``mask`` (uint8), ``prcp`` (packed: int16 + scale_factor/add_offset);
- v3 only: ``tmin`` (float32) in shards of 2x4x8 holding chunks of 1x2x4;
- a ``lambert_conformal_conic`` grid-mapping coordinate (Daymet's CF attributes + ``crs_wkt``)
  named by ``grid_mapping`` on the data variables.

For every store and group, ``STORE.GROUP.json`` holds what the reader must report: per
variable its dims, shape, stored dtype, chunks (shards when sharded), attributes as xarray shows them with
``decode_cf=False`` (``_FillValue`` included) and the stored values (NaN as null).
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import xarray as xr

warnings.simplefilter("ignore")

WKT = (
    'PROJCS["unnamed",GEOGCS["WGS 84",DATUM["unknown",SPHEROID["WGS84",6378137,298.257223563]],'
    'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
    'PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["latitude_of_origin",42.5],'
    'PARAMETER["central_meridian",-100],PARAMETER["standard_parallel_1",25],'
    'PARAMETER["standard_parallel_2",60],PARAMETER["false_easting",0],'
    'PARAMETER["false_northing",0],UNIT["metre",1]]'
)


def dataset(year, fmt):
    rng = np.random.default_rng(year)
    nt, ny, nx = 5, 4, 7
    x = -1_000_000.0 + 1000.0 * np.arange(nx)
    y = 500_000.0 - 1000.0 * np.arange(ny)
    time = np.arange(f"{year}-01-01", f"{year}-01-{nt + 1:02d}", dtype="datetime64[D]").astype(
        "datetime64[ns]"
    )
    tmax = rng.normal(10, 5, (nt, ny, nx)).astype("float32")
    tmax[0, 0, :3] = np.nan
    tmax[:, 3, 6] = np.nan
    si = rng.integers(60, 140, (3, ny, nx)).astype("int16")
    si[1, 2, :] = -9999
    mask = (rng.random((ny, nx)) > 0.3).astype("uint8")
    prcp = np.round(rng.gamma(1.0, 3.0, (nt, ny, nx)), 1)
    ds = xr.Dataset(
        {
            "tmax": (("time", "y", "x"), tmax, {"units": "degC", "long_name": "daily maximum temperature",
                                                 "grid_mapping": "lambert_conformal_conic"}),
            "si": (("plant", "y", "x"), si, {"long_name": "first leaf", "grid_mapping": "lambert_conformal_conic"}),
            "mask": (("y", "x"), mask, {"flag_values": [0, 1]}),
            "prcp": (("time", "y", "x"), prcp, {"units": "mm/day"}),
        },
        coords={
            "x": ("x", x, {"units": "m", "standard_name": "projection_x_coordinate"}),
            "y": ("y", y, {"units": "m", "standard_name": "projection_y_coordinate"}),
            "time": ("time", time),
            "plant": ("plant", np.array(["lilac", "arnold red", "zabelii"], dtype=object)),
            "station": ("station", np.array(["ames", "boone", "cedar"], dtype="<U8")),
            "lambert_conformal_conic": ((), np.int16(-32767), {
                "grid_mapping_name": "lambert_conformal_conic",
                "longitude_of_central_meridian": -100.0,
                "latitude_of_projection_origin": 42.5,
                "false_easting": 0.0,
                "false_northing": 0.0,
                "standard_parallel": [25.0, 60.0],
                "semi_major_axis": 6378137.0,
                "inverse_flattening": 298.257223563,
                "crs_wkt": WKT,
            }),
        },
        attrs={"title": f"fixture {year}", "source": "make_fixtures.py", "years": [year, year]},
    )
    ds["tmax"].encoding = {"chunks": (2, 3, 4)}
    ds["si"].encoding = {"_FillValue": -9999, "chunks": (1, 4, 7)}
    ds["prcp"].encoding = {"dtype": "int16", "scale_factor": 0.1, "add_offset": 0.0, "_FillValue": -1}
    if fmt == 3:
        ds["tmin"] = (("time", "y", "x"), tmax - 8, {"units": "degC"})
        ds["tmin"].encoding = {"chunks": (1, 2, 4), "shards": (2, 4, 8)}
    return ds


def plain(v):
    if isinstance(v, np.ndarray):
        return plain(v.tolist())
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, np.generic):
        return plain(v.item())
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def describe(store, group):
    raw = xr.open_zarr(store, group=group, consolidated=True, decode_cf=False, mask_and_scale=False)
    out = {"dims": {k: int(n) for k, n in raw.sizes.items()}, "attrs": plain(dict(raw.attrs)), "vars": {}}
    for name, var in raw.variables.items():
        chunks = var.encoding.get("shards") or var.encoding.get("chunks")
        out["vars"][str(name)] = {
            "dims": [str(d) for d in var.dims],
            "shape": list(var.shape),
            "dtype": "str" if var.dtype.kind in "OU" else str(var.dtype),
            "chunks": list(chunks) if chunks is not None else list(var.shape),
            "attrs": {k: plain(v) for k, v in var.attrs.items()},
            "values": plain(var.values.ravel()),
        }
    return out


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for fmt in (2, 3):
        store = os.path.join(out, f"v{fmt}.zarr")
        for i, year in enumerate((1980, 1981)):
            dataset(year, fmt).to_zarr(store, group=str(year), mode="w" if i == 0 else "a",
                                  zarr_format=fmt, consolidated=True)
        for year in (1980, 1981):
            with open(os.path.join(out, f"v{fmt}.zarr.{year}.json"), "w") as f:
                json.dump(describe(store, str(year)), f)


if __name__ == "__main__":
    main()
