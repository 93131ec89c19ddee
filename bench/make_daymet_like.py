"""Writes a Daymet-layout NetCDF4 file with netCDF4-python for benchmarks.

Usage: python make_daymet_like.py OUT.nc VAR NY NX [DAYS]

One variable (time, y, x) float32, one day per chunk, zlib level 4 with shuffle, fill
-9999 on a water corner, values with two decimals like Daymet's; x/y/time coordinates and
the Lambert Conformal Conic grid mapping.
"""
import sys

import netCDF4
import numpy as np

out, var, ny, nx = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
days = int(sys.argv[5]) if len(sys.argv) > 5 else 365
rng = np.random.default_rng(1)
with netCDF4.Dataset(out, "w", format="NETCDF4") as ds:
    ds.createDimension("time", None)
    ds.createDimension("y", ny)
    ds.createDimension("x", nx)
    ds.createDimension("nv", 2)
    x = ds.createVariable("x", "f8", ("x",))
    x[:] = 850250.0 + 1000.0 * np.arange(nx)
    x.units = "m"
    y = ds.createVariable("y", "f8", ("y",))
    y[:] = -250500.0 - 1000.0 * np.arange(ny)
    y.units = "m"
    t = ds.createVariable("time", "f8", ("time",))
    t.units = "days since 1950-01-01 00:00:00"
    t.calendar = "standard"
    t[:] = 10957.5 + np.arange(days)
    gm = ds.createVariable("lambert_conformal_conic", "i2")
    gm.grid_mapping_name = "lambert_conformal_conic"
    gm.longitude_of_central_meridian = -100.0
    gm.latitude_of_projection_origin = 42.5
    gm.false_easting = 0.0
    gm.false_northing = 0.0
    gm.standard_parallel = [25.0, 60.0]
    gm.semi_major_axis = 6378137.0
    gm.inverse_flattening = 298.257223563
    v = ds.createVariable(var, "f4", ("time", "y", "x"), zlib=True, complevel=4, shuffle=True,
                          chunksizes=(1, ny, nx), fill_value=np.float32(-9999.0))
    v.units = "s" if var == "dayl" else "degrees C"
    v.grid_mapping = "lambert_conformal_conic"
    v.missing_value = np.float32(-9999.0)
    jj, ii = np.mgrid[0:ny, 0:nx]
    relief = 3.0 * np.sin(ii / 37.0) * np.cos(jj / 53.0) - 0.01 * jj
    water = (ii + jj) < min(nx, ny) // 6
    base = {"tmax": 15.0, "tmin": 3.0, "dayl": 43200.0}.get(var, 10.0)
    amp = {"dayl": 10000.0}.get(var, 14.0)
    for d in range(days):
        season = -np.cos(2 * np.pi * (d + 10) / 365.0)
        day = base + amp * season + relief + rng.normal(0, 2.5) + rng.normal(0, 0.6, (ny, nx))
        day = np.round(day, 2).astype("f4")
        day[water] = -9999.0
        v[d, :, :] = day
