"""pystac-made catalogs for rsdat-stac's differential tests.

python make_catalogs.py OUTDIR writes, for each catalog type T in
SELF_CONTAINED, ABSOLUTE_PUBLISHED, RELATIVE_PUBLISHED:
  simple-T/      a mixed catalog (sub-catalog, collection, items, link and asset kinds)
  resave-T/      simple-T read back and normalize_and_save'd with type T
  convert-T/     simple-SELF_CONTAINED read back and saved as type T
  daymet-T/      the Daymet V4 catalog (regions hi, pr; 1980-1981; tmin, tmax, dayl)
  flat-sub-T/    flat/ read back, generate_subcatalogs("${region}/${year}"), saved as T
  orjson-T/      simple-SELF_CONTAINED read back and saved as T by pystac with orjson
  simple-sub-T/  simple-SELF_CONTAINED read back, generate_subcatalogs("${year}"), saved as T
and flat/ (self-contained, items in the root), *.describe.txt (Catalog.describe()).
"""

import contextlib
import io
import os
import sys
from datetime import datetime, timezone

import pystac
import pystac.stac_io
from pystac import CatalogType

# pystac writes with orjson when it is installed, whose text differs from json.dumps(indent=2)
# (no ASCII escapes, `1e-7`). The fixtures are made with the standard json module (rsdat's
# default), except orjson-T/, made with orjson (rsdat's JsonStyle::Orjson).
ORJSON = pystac.stac_io.orjson
if ORJSON is None:
    sys.exit("orjson is not installed in this venv (it comes with stac-geoparquet); run ./scripts/test")
pystac.stac_io.orjson = None

TYPES = [CatalogType.SELF_CONTAINED, CatalogType.ABSOLUTE_PUBLISHED, CatalogType.RELATIVE_PUBLISHED]
UTC = timezone.utc


def describe(cat):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        cat.describe()
    return buf.getvalue()


def simple():
    root = pystac.Catalog("root", "Root catalog", title="Root")
    sub = pystac.Catalog("sub", "A sub-catalog")
    coll = pystac.Collection(
        "coll",
        "A collection",
        extent=pystac.Extent(
            pystac.SpatialExtent([[-10.5, -10.0, 10.0, 10.25]]),
            pystac.TemporalExtent([[datetime(2020, 1, 1, tzinfo=UTC), None]]),
        ),
        title="Coll",
        license="CC-BY-4.0",
        keywords=["daymet", "weather"],
        providers=[pystac.Provider("ORNL DAAC", roles=["producer"], url="https://daac.ornl.gov")],
        summaries=pystac.Summaries({"gsd": {"minimum": 1, "maximum": 1000}, "platform": ["a", "b"]}),
    )
    root.add_child(sub)
    root.add_child(coll)
    root.add_link(pystac.Link("license", "https://example.com/license", media_type="text/html", title="License"))
    i1 = pystac.Item(
        "i1",
        {"type": "Point", "coordinates": [5.25, 52.1]},
        [5.25, 52.1, 5.25, 52.1],
        datetime(2020, 5, 17, 12, 30, 5, 123000, tzinfo=UTC),
        {"eo:cloud_cover": 12.5, "tags": ["x", "y"], "nested": {"a": 1, "b": None}, "name": "caf\u00e9 \u2603", "tiny": 1e-7},
        stac_extensions=["https://stac-extensions.github.io/eo/v1.1.0/schema.json"],
    )
    i1.add_asset("data", pystac.Asset("./data/i1.tif", media_type=pystac.MediaType.COG, roles=["data"]))
    i1.add_asset("thumb", pystac.Asset("https://example.com/t.png", media_type="image/png", title="Thumb", roles=["thumbnail"], extra_fields={"file:size": 1024}))
    i2 = pystac.Item(
        "i2",
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]},
        [0, 0, 1, 1],
        None,
        {},
        start_datetime=datetime(2019, 1, 1, tzinfo=UTC),
        end_datetime=datetime(2019, 12, 31, 23, 59, 59, tzinfo=UTC),
    )
    i3 = pystac.Item("i3", {"type": "Point", "coordinates": [1.0, 2.0]}, [1.0, 2.0, 1.0, 2.0], datetime(2021, 3, 4, tzinfo=UTC), {"region": "x"})
    i3.add_asset("data", pystac.Asset("https://example.com/i3.nc", media_type="application/netcdf"))
    i4 = pystac.Item("i4", None, None, datetime(2022, 1, 1, tzinfo=UTC), {})
    sub.add_item(i1)
    sub.add_item(i2)
    coll.add_item(i3)
    root.add_item(i4)
    return root


PROJ = "https://stac-extensions.github.io/projection/v2.0.0/schema.json"
SCI = "https://stac-extensions.github.io/scientific/v1.0.0/schema.json"
WKT = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "daymet_lcc.wkt")).read().strip()
REGIONS = {
    "na": ("North America", [-178.1333, 14.0749, -53.0567, 82.9143]),
    "hi": ("Hawaii", [-160.3056, 17.9539, -154.772, 23.5186]),
    "pr": ("Puerto Rico", [-67.9927, 16.8444, -64.1196, 19.9382]),
}
BASE = "https://thredds.daac.ornl.gov/thredds/fileServer/ornldaac"


def daymet(regions=("hi", "pr"), years=(1980, 1981), variables=("tmin", "tmax", "dayl"), base=BASE, dataset="2129"):
    cat = pystac.Catalog(
        "daymet-v4-daily",
        "Daymet V4 daily surface weather and climatological summaries on a 1 km grid "
        f"(ORNL DAAC dataset {dataset}), one item per region and year",
        title="Daymet V4 daily",
    )
    for code in regions:
        name, (w, s, e, n) = REGIONS[code]
        sub = pystac.Catalog(code, f"Daymet V4 daily data over {name}, one item per year", title=f"Daymet V4 daily, {name}")
        cat.add_child(sub)
        for year in range(years[0], years[1] + 1):
            props = {
                "datetime": None,
                "start_datetime": f"{year}-01-01T00:00:00Z",
                "end_datetime": f"{year}-12-31T23:59:59Z",
                "region": code,
                "proj:code": None,
                "proj:wkt2": WKT,
                "sci:doi": "10.3334/ORNLDAAC/2129",
            }
            item = pystac.Item(
                f"daymet_v4_daily_{code}_{year}",
                {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]},
                [w, s, e, n],
                None,
                props,
                stac_extensions=[PROJ, SCI],
            )
            for var in variables:
                item.add_asset(
                    var,
                    pystac.Asset(
                        f"{base}/{dataset}/daymet_v4_daily_{code}_{var}_{year}.nc",
                        media_type="application/netcdf",
                        title=f"Daymet V4 daily {var}, {name}, {year}",
                        roles=["data"],
                    ),
                )
            sub.add_item(item)
    return cat


def flat():
    cat = pystac.Catalog("flat", "Items to sort into sub-catalogs")
    for i, (region, dt) in enumerate(
        [("na", datetime(1980, 7, 1, tzinfo=UTC)), ("hi", datetime(1981, 1, 2, tzinfo=UTC)), ("na", datetime(1981, 3, 3, tzinfo=UTC)), ("pr", None)]
    ):
        props = {"region": region}
        kw = {}
        if dt is None:
            kw = {"start_datetime": datetime(1982, 1, 1, tzinfo=UTC), "end_datetime": datetime(1982, 12, 31, tzinfo=UTC)}
        item = pystac.Item(f"f{i}", {"type": "Point", "coordinates": [float(i), 0.5]}, [float(i), 0.5, float(i), 0.5], dt, props, **kw)
        item.add_asset("data", pystac.Asset(f"./f{i}.nc", media_type="application/netcdf"))
        cat.add_item(item)
    return cat


def main():
    OUT = os.path.abspath(sys.argv[1])
    # Absolute HREFs name this directory (the test harness renames it when done).
    open(f"{OUT}/outdir.txt", "w").write(OUT)
    for t in TYPES:
        simple().normalize_and_save(f"{OUT}/simple-{t.value}", t)
        daymet().normalize_and_save(f"{OUT}/daymet-{t.value}", t)
    for t in TYPES:
        pystac.Catalog.from_file(f"{OUT}/simple-{t.value}/catalog.json").normalize_and_save(f"{OUT}/resave-{t.value}", t)
        pystac.Catalog.from_file(f"{OUT}/simple-SELF_CONTAINED/catalog.json").normalize_and_save(f"{OUT}/convert-{t.value}", t)
    pystac.stac_io.orjson = ORJSON
    for t in TYPES:
        pystac.Catalog.from_file(f"{OUT}/simple-SELF_CONTAINED/catalog.json").normalize_and_save(f"{OUT}/orjson-{t.value}", t)
    pystac.stac_io.orjson = None
    flat().normalize_and_save(f"{OUT}/flat", CatalogType.SELF_CONTAINED)
    for t in TYPES:
        cat = pystac.Catalog.from_file(f"{OUT}/flat/catalog.json")
        cat.generate_subcatalogs("${region}/${year}")
        cat.normalize_and_save(f"{OUT}/flat-sub-{t.value}", t)
        cat = pystac.Catalog.from_file(f"{OUT}/simple-SELF_CONTAINED/catalog.json")
        cat.generate_subcatalogs("${year}")
        cat.normalize_and_save(f"{OUT}/simple-sub-{t.value}", t)
        if t == CatalogType.SELF_CONTAINED:
            open(f"{OUT}/flat-sub.describe.txt", "w").write(describe(pystac.Catalog.from_file(f"{OUT}/flat-sub-{t.value}/catalog.json")))
    open(f"{OUT}/simple.describe.txt", "w").write(describe(pystac.Catalog.from_file(f"{OUT}/simple-SELF_CONTAINED/catalog.json")))
    open(f"{OUT}/daymet.describe.txt", "w").write(describe(daymet()))


if __name__ == "__main__":
    main()
