"""NetCDF fixtures for rsdat's reader tests, written by netCDF4-python and h5netcdf.

Usage: python make_fixtures.py OUTDIR

For every file it also writes OUTDIR/<file>.json with what netCDF4-python reads:
dimensions, and per variable dtype, shape, chunking, raw values and CF-decoded values
(masked -> null), so the Rust tests compare value by value.
"""
import json
import sys

import h5netcdf
import netCDF4
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(42)


def chunked(path):
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.title = "chunked fixture"
        ds.version = np.int32(3)
        ds.valid = np.array([1.5, 2.5])
        ds.createDimension("time", None)
        ds.createDimension("y", 20)
        ds.createDimension("x", 30)
        t = ds.createVariable("time", "f8", ("time",))
        t.units = "days since 1980-01-01 00:00:00"
        t.calendar = "noleap"
        t[:] = np.arange(10) + 0.5
        ds.createVariable("y", "f8", ("y",))[:] = 1000.0 * np.arange(20)[::-1]
        ds.createVariable("x", "f8", ("x",))[:] = -500.0 + 1000.0 * np.arange(30)
        v = ds.createVariable(
            "temp", "f4", ("time", "y", "x"), zlib=True, complevel=4, shuffle=True,
            chunksizes=(1, 7, 11), fill_value=np.float32(-9999.0),
        )
        v.units = "degrees C"
        data = rng.normal(10, 8, (10, 20, 30)).astype("f4")
        data[0, :3, :4] = -9999.0
        v[:] = np.ma.masked_equal(data, -9999.0)
        p = ds.createVariable("packed", "i2", ("y", "x"), zlib=True, chunksizes=(8, 8), fill_value=np.int16(-32767))
        p.scale_factor = 0.01
        p.add_offset = 20.0
        p.set_auto_maskandscale(False)
        raw = rng.integers(-3000, 3000, (20, 30)).astype("i2")
        raw[5, 5] = -32767
        p[:] = raw
        ds.createVariable("counts", "u1", ("x",))[:] = np.arange(30, dtype="u1")
        ds.createVariable("big", "i8", ("y",), zlib=True)[:] = np.arange(20, dtype="i8") * 10**12
        g = ds.createGroup("sub")
        g.createVariable("inner", "f8", ("x",))[:] = np.arange(30.0)


def contiguous(path):
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.createDimension("y", 13)
        ds.createDimension("x", 17)
        v = ds.createVariable("elev", "f8", ("y", "x"), contiguous=True)
        v.missing_value = -1.0
        d = rng.uniform(0, 100, (13, 17))
        d[0, 0] = -1.0
        v[:] = d
        ds.createVariable("u2", "u2", ("x",))[:] = np.arange(17, dtype="u2") * 1000


def classic(path):
    with netCDF4.Dataset(path, "w", format="NETCDF3_CLASSIC") as ds:
        ds.createDimension("t", None)
        ds.createDimension("x", 9)
        v = ds.createVariable("series", "f4", ("t", "x"))
        v.long_name = "classic series"
        v[:] = rng.normal(0, 1, (4, 9)).astype("f4")
        ds.createVariable("ints", "i4", ("x",))[:] = np.arange(9, dtype="i4") - 4


def h5(path):
    with h5netcdf.File(path, "w") as f:
        f.dimensions = {"lat": 12, "lon": 16}
        lat = f.create_variable("lat", ("lat",), float)
        lat[:] = np.linspace(30, 41, 12)
        lon = f.create_variable("lon", ("lon",), float)
        lon[:] = np.linspace(-100, -85, 16)
        v = f.create_variable("precip", ("lat", "lon"), "f8", chunks=(5, 6), compression="gzip", compression_opts=6, fillvalue=np.nan)
        v.attrs["units"] = "mm"
        d = rng.gamma(2, 3, (12, 16))
        d[3, 3] = np.nan
        v[:] = d


def groups(path):
    """Nested netCDF-4 groups: a group with its own dimension and chunked, compressed,
    scaled variables that also use the root's dimensions, and a group inside it."""
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.title = "groups fixture"
        ds.createDimension("time", 4)
        ds.createDimension("y", 6)
        ds.createDimension("x", 9)
        ds.createVariable("y", "f8", ("y",))[:] = 100.0 * np.arange(6)[::-1]
        ds.createVariable("x", "f8", ("x",))[:] = 100.0 * np.arange(9)
        ds.createVariable("root_only", "i4", ("x",))[:] = np.arange(9, dtype="i4")
        fc = ds.createGroup("forecast")
        fc.source = "member runs"
        fc.createDimension("member", 3)
        fc.createVariable("member", "i4", ("member",))[:] = np.arange(1, 4, dtype="i4")
        t = fc.createVariable("t2m", "f4", ("member", "time", "y", "x"), zlib=True, complevel=4,
                              shuffle=True, chunksizes=(1, 2, 4, 5), fill_value=np.float32(-999.0))
        t.units = "K"
        d = rng.normal(280, 5, (3, 4, 6, 9)).astype("f4")
        d[0, 0, 0, :3] = -999.0
        t[:] = np.ma.masked_equal(d, -999.0)
        q = fc.createVariable("q", "i2", ("time", "x"), zlib=True, chunksizes=(2, 9), fill_value=np.int16(-1))
        q.scale_factor = 0.5
        q[:] = np.arange(36).reshape(4, 9) * 0.5
        hourly = fc.createGroup("hourly")
        hourly.createDimension("hour", 24)
        w = hourly.createVariable("wind", "f8", ("hour", "x"), zlib=True, chunksizes=(8, 9))
        w[:] = rng.uniform(0, 20, (24, 9))


def describe(path):
    meta = {"dims": {}, "vars": {}}
    with netCDF4.Dataset(path) as ds:
        meta["dims"] = {k: len(d) for k, d in ds.dimensions.items()}
        for name, v in ds.variables.items():
            v.set_auto_maskandscale(False)
            raw = np.asarray(v[:])
            v.set_auto_maskandscale(True)
            dec = np.ma.filled(np.ma.asarray(v[:]).astype("f8"), np.nan)
            chunking = v.chunking()
            meta["vars"][name] = {
                "dtype": str(raw.dtype),
                "shape": list(raw.shape),
                "dims": list(v.dimensions),
                "chunks": None if chunking in ("contiguous", None) else list(chunking),
                "raw": [None if isinstance(x, float) and np.isnan(x) else x for x in raw.ravel().tolist()],
                "decoded": [None if np.isnan(x) else x for x in dec.ravel().tolist()],
            }
    with open(path + ".json", "w") as f:
        json.dump(meta, f)


for name, make in [("chunked.nc", chunked), ("contiguous.nc", contiguous), ("classic.nc", classic), ("h5netcdf.nc", h5), ("groups.nc", groups)]:
    p = f"{out}/{name}"
    make(p)
    describe(p)
