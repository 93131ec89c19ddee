"""Sentinel-2-L2A-like STAC items for the STAC API tests and benchmark, made with pystac.

    python make_s2_items.py OUTDIR [N]

Writes OUTDIR/items.json: an ItemCollection of N items (default 230) in the collection
`sentinel-2-l2a` (80 % of them) and `sentinel-2-l1c` (the rest), laid out like Earth Search
items (MGRS tiles over the Netherlands, 5-day revisit from 2023-01-01, eo:cloud_cover,
s2:mgrs_tile, proj:epsg, one asset per band). Deterministic: the same N gives the same file.
"""

import datetime as dt
import json
import random
import sys
from pathlib import Path

import pystac

TILES = [
    # (MGRS tile, UTM EPSG, west, south, east, north)
    ("31UET", 32631, 3.0, 51.3, 4.6, 52.3),
    ("31UFT", 32631, 4.4, 51.3, 6.0, 52.3),
    ("31UFU", 32631, 4.4, 52.2, 6.1, 53.2),
    ("32ULC", 32632, 5.6, 51.4, 7.2, 52.4),
    ("32ULD", 32632, 5.5, 52.3, 7.2, 53.3),
    ("31UGV", 32631, 5.8, 53.0, 7.5, 54.0),
]
BANDS = ["B02", "B03", "B04", "B08", "B11", "B12", "SCL"]


def item(i: int, rng: random.Random) -> pystac.Item:
    tile, epsg, w, s, e, n = TILES[i % len(TILES)]
    day = i // len(TILES)
    when = dt.datetime(2023, 1, 1, 10, 56, 21, tzinfo=dt.timezone.utc) + dt.timedelta(
        days=5 * day, seconds=i % len(TILES)
    )
    collection = "sentinel-2-l1c" if i % 5 == 4 else "sentinel-2-l2a"
    level = "L1C" if collection.endswith("l1c") else "L2A"
    sat = "S2A" if day % 2 == 0 else "S2B"
    item_id = f"{sat}_{tile}_{when:%Y%m%d}_{i % 3}_{level}"
    geometry = {
        "type": "Polygon",
        "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
    }
    props = {
        "platform": "sentinel-2a" if sat == "S2A" else "sentinel-2b",
        "constellation": "sentinel-2",
        "instruments": ["msi"],
        "eo:cloud_cover": round(rng.uniform(0, 100), 2),
        "proj:epsg": epsg,
        "s2:mgrs_tile": tile,
        "s2:processing_baseline": "05.09",
        "grid:code": f"MGRS-{tile}",
    }
    it = pystac.Item(
        id=item_id,
        geometry=geometry,
        bbox=[w, s, e, n],
        datetime=when,
        properties=props,
        collection=collection,
    )
    base = f"https://sentinel-cogs.example.invalid/sentinel-s2-l2a-cogs/{tile}/{when:%Y/%-m}/{item_id}"
    for band in BANDS:
        it.add_asset(
            band,
            pystac.Asset(
                href=f"{base}/{band}.tif",
                media_type=pystac.MediaType.COG,
                roles=["data"],
                title=f"Band {band}",
            ),
        )
    it.add_asset(
        "thumbnail",
        pystac.Asset(href=f"{base}/thumbnail.jpg", media_type=pystac.MediaType.JPEG, roles=["thumbnail"]),
    )
    return it


def main() -> None:
    out = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 230
    rng = random.Random(42)
    items = [item(i, rng) for i in range(n)]
    ids = [it.id for it in items]
    assert len(set(ids)) == len(ids), "item ids must be unique"
    ic = pystac.ItemCollection(items)
    out.mkdir(parents=True, exist_ok=True)
    (out / "items.json").write_text(json.dumps(ic.to_dict(transform_hrefs=False)))


if __name__ == "__main__":
    main()
