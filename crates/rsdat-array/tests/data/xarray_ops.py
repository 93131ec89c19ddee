"""Reference results of array operations from xarray/numpy for rsdat-array's differential test.

Reads JSON on stdin: {"shape": [ny, nx], "data": [... null for NaN ...]} (dims y, x).
Writes JSON: {op: {"shape": [...], "data": [... null for NaN ...]}}.
"""
import json
import sys

import numpy as np
import xarray as xr


def out(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [None if np.isnan(v) else float(v) for v in a.ravel()]}


req = json.load(sys.stdin)
v = np.array([np.nan if x is None else x for x in req["data"]], dtype=np.float64).reshape(req["shape"])
x = xr.DataArray(v, dims=("y", "x"))
res = {}
for d in ("y", "x"):
    res[f"sum_{d}"] = out(x.sum(d))
    res[f"sum_noskip_{d}"] = out(x.sum(d, skipna=False))
    res[f"mean_{d}"] = out(x.mean(d))
    res[f"max_{d}"] = out(x.max(d))
    res[f"min_{d}"] = out(x.min(d))
    res[f"max_noskip_{d}"] = out(x.max(d, skipna=False))
    res[f"cumsum_{d}"] = out(x.cumsum(d))
    res[f"rolling3_{d}"] = out(x.rolling({d: 3}).sum())
    res[f"pad_{d}"] = out(x.pad({d: (2, 1)}, mode="edge"))
    # argmax with all-NaN rows -> NaN (xarray raises there): numpy nanargmax row by row
    axis = 0 if d == "y" else 1
    am = []
    for lane in np.moveaxis(v, axis, -1).reshape(-1, v.shape[axis]):
        am.append(np.nan if np.all(np.isnan(lane)) else float(np.nanargmax(lane)))
    res[f"argmax_{d}"] = out(np.array(am))
res["mean_all"] = out(x.mean())
res["coarsen"] = out(x.coarsen(y=2, x=3, boundary="trim").mean())
res["round1"] = out((x * 0.25).round(1))
res["clip"] = out(x.clip(-3, 4))
res["where"] = out(x.where(x > 0))
res["xpxt"] = out(v + v.T) if v.shape[0] == v.shape[1] else out(v)
json.dump(res, sys.stdout)
