"""Reads a stac-geoparquet file with the Python tools users read it with; the tests' oracle.

    python read_geoparquet.py ITEMS.parquet

Prints one JSON object:
  items           the STAC items of stac_geoparquet.arrow.stac_table_to_items(
                  pyarrow.parquet.read_table(ITEMS.parquet)), in file order
  geo             the GeoParquet `geo` key of the Parquet schema metadata (JSON), or null
  stac_geoparquet the `stac-geoparquet` key of the schema metadata (JSON), or null
  geopandas       what geopandas.read_parquet makes of the file: rows, CRS (`OGC:CRS84`
                  when the `geo` metadata names none, as the GeoParquet spec says),
                  geometry column name, total bounds
"""

import json
import sys

try:
    import geopandas
    import pyarrow.parquet as pq
    import stac_geoparquet.arrow
except ImportError as e:
    sys.exit(
        f"{e}: the venv lacks stac-geoparquet/pyarrow/geopandas; run ./scripts/test "
        "(or scripts/venv), which installs scripts/requirements.txt"
    )


def metadata(table, key):
    value = (table.schema.metadata or {}).get(key.encode())
    return json.loads(value) if value is not None else None


def main() -> None:
    path = sys.argv[1]
    table = pq.read_table(path)
    items = list(stac_geoparquet.arrow.stac_table_to_items(table))
    frame = geopandas.read_parquet(path)
    out = {
        "items": items,
        "geo": metadata(table, "geo"),
        "stac_geoparquet": metadata(table, "stac-geoparquet"),
        "geopandas": {
            "rows": len(frame),
            "crs": frame.crs.to_string() if frame.crs is not None else None,
            "geometry": frame.geometry.name,
            "bounds": [float(b) for b in frame.total_bounds],
        },
    }
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
