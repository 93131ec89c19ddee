"""Extracts the complete station-years of the six GHCN-Daily stations used by the SI-x
golden tests into a compact text file that `rsdat sample-data` builds its weather from.

Usage: python make_ghcn_subset.py GOLDEN_DIR > ghcn_six_stations.txt
GOLDEN_DIR holds test_data_tmax.csv, test_data_tmin.csv and test_data_lat.csv.
"""
import csv
import math
import sys

golden = sys.argv[1]
tmax = [[float(v) for v in r] for r in csv.reader(open(f"{golden}/test_data_tmax.csv"))]
tmin = [[float(v) for v in r] for r in csv.reader(open(f"{golden}/test_data_tmin.csv"))]
lats = [float(v) for v in open(f"{golden}/test_data_lat.csv").read().strip().split(",")]

print("# Daily Tmax/Tmin (tenths of degrees C, GHCN-Daily's own unit) of six NOAA GHCN-Daily stations (public domain),")
print("# from the SI-x test data archived by the USA-NPN (usa-npn/gridded_models).")
print("# Only station-years with all of days 1..365 present are kept.")
print("# Line: station (1-6), latitude, year slot, variable, 365 values")
for s, lat in enumerate(lats):
    for slot in range(len(tmax)):
        hi = tmax[slot][s * 366 : s * 366 + 365]
        lo = tmin[slot][s * 366 : s * 366 + 365]
        if any(math.isnan(v) for v in hi + lo):
            continue
        for name, vals in (("tmax", hi), ("tmin", lo)):
            tenths = [round((v - 32) / 1.8 * 10) for v in vals]
            assert all(abs(t / 10 * 1.8 + 32 - v) < 0.011 for t, v in zip(tenths, vals))
            print(f"{s + 1} {lat} {slot} {name} " + " ".join(map(str, tenths)))
