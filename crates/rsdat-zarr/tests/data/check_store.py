"""Open a Zarr store written by rsdat the way a user would, and print what xarray sees.

    python check_store.py STORE [GROUP]

Opens with ``xarray.open_zarr(STORE, group=GROUP, consolidated=True)`` (which fails when the
consolidated metadata is missing) and prints one JSON document on stdout:

- ``zarr_format``: format of the root group as zarr-python reads it;
- ``dims``, ``coords``, ``data_vars``, ``attrs`` of the dataset;
- ``variables``: per variable its dims, decoded dtype, attrs, the encoding xarray inferred
  (``_FillValue``, stored ``dtype``, ``coordinates``, ``chunks``) and decoded values (NaN as
  null, datetimes as ISO text, strings as str);
- ``raw``: per variable the stored values and attrs without CF decoding
  (``decode_cf=False``), to compare with what rsdat wrote;
- ``warnings``: warnings raised while opening and loading, except zarr-python's note that
  consolidated metadata is not part of the v3 spec.
"""

import json
import math
import sys
import warnings

import numpy as np
import xarray as xr
import zarr


def plain(v):
    """A JSON-safe copy of v: NaN/inf become null/"inf"/"-inf", numpy scalars Python ones."""
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "M":
            return [str(x) for x in v.ravel().tolist()] if v.ndim else str(v)
        return plain(v.tolist())
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, np.generic):
        return plain(v.item())
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, (str, int, bool)) or v is None:
        return v
    return str(v)


def values_of(var):
    vals = var.values
    if vals.dtype.kind == "M":
        return [str(x) for x in np.datetime_as_string(vals.ravel())]
    return plain(vals.ravel())


def main():
    store = sys.argv[1]
    group = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = xr.open_zarr(store, group=group, consolidated=True)
        ds.load()
        raw = xr.open_zarr(store, group=group, consolidated=True, decode_cf=False, mask_and_scale=False)
        raw.load()
        root = zarr.open_group(store, mode="r")
    out = {
        "zarr_format": root.metadata.zarr_format,
        "dims": {k: int(n) for k, n in ds.sizes.items()},
        "coords": sorted(str(c) for c in ds.coords),
        "data_vars": sorted(str(v) for v in ds.data_vars),
        "attrs": plain(dict(ds.attrs)),
        "variables": {},
        "raw": {},
        "warnings": [
            f"{w.category.__name__}: {w.message}"
            for w in caught
            if "Consolidated metadata is currently not part" not in str(w.message)
        ],
    }
    for name, var in ds.variables.items():
        enc = var.encoding
        out["variables"][str(name)] = {
            "dims": [str(d) for d in var.dims],
            "dtype": str(var.dtype),
            "attrs": plain(dict(var.attrs)),
            "encoding": {
                "_FillValue": plain(enc.get("_FillValue")),
                "dtype": str(enc.get("dtype")),
                "coordinates": enc.get("coordinates"),
                "chunks": plain(list(enc.get("chunks") or [])),
            },
            "values": values_of(var),
        }
    for name, var in raw.variables.items():
        out["raw"][str(name)] = {
            "dtype": str(var.dtype),
            "attrs": plain(dict(var.attrs)),
            "values": values_of(var),
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
