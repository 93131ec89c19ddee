#!/usr/bin/env python3
"""Writing search results: `rsdat stac search --out items.parquet` vs `.json`, and vs the
`stac-geoparquet` Python package writing the same items, in one run.

Usage (from the repository root, with the project venv):

    PY=$(scripts/venv)/bin/python
    $PY bench/stac_search/geoparquet.py                  # 10 000 items, 5 repetitions
    $PY bench/stac_search/geoparquet.py --items 2000 --reps 3 --rsdat target/release/rsdat --no-build

The API (`rustac serve` on 127.0.0.1, Sentinel-2-L2A-like items from
crates/rsdat-stac-api/tests/data/make_s2_items.py) is set up as in bench.py. Per repetition:

  rsdat json      rsdat stac search URL --collections sentinel-2-l2a,sentinel-2-l1c --out items.json
  rsdat parquet   the same with --out items.parquet (stac-geoparquet, zstd level 3)
  stac-geoparquet the items of rsdat's items.json, already parsed into Python dicts, through
                  stac_geoparquet.arrow.parse_stac_items_to_arrow + to_parquet (its defaults:
                  snappy), in one Python process per repetition

Times are the writing alone: rsdat's `write_seconds` from --json (encoding + writing the
file, after the search), and the Python peer's time around the two calls. items/s = items /
median time. Both parquet files are read back with stac_geoparquet.arrow.stac_table_to_items
and must give the ids of the JSON file in its order (checked). Results go to
bench/runs/<date>-<host>-stac-geoparquet/raw.csv and summary.txt (or --out).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench as search_bench  # noqa: E402  (bench.py beside this file: items, server, binary, results)
import results  # noqa: E402  (bench/results.py: the machine's load)

PEER = r"""
import json, sys, time
import pyarrow.parquet as pq
import stac_geoparquet.arrow as sga
src, dest = sys.argv[1], sys.argv[2]
items = json.loads(open(src).read())["features"]
t = time.perf_counter()
sga.to_parquet(sga.parse_stac_items_to_arrow(items), dest)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "items": len(items)}))
"""

READ_IDS = r"""
import json, sys
import pyarrow.parquet as pq
import stac_geoparquet.arrow as sga
print(json.dumps([i["id"] for i in sga.stac_table_to_items(pq.read_table(sys.argv[1]))]))
"""


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--items", type=int, default=10000, help="items in the API (all found)")
    p.add_argument("--limit", type=int, default=250, help="page size")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--rsdat", help="rsdat binary (default: build release)")
    p.add_argument("--no-build", action="store_true")
    p.add_argument("--data", default=os.path.expanduser("~/.cache/rsdat/bench/stac"))
    p.add_argument("--out", help="result directory (default bench/runs/<date>-<host>-stac-geoparquet)")
    return p.parse_args()


def rsdat_write(rsdat, url, dest, limit):
    out = subprocess.run(
        [str(rsdat), "stac", "search", url, "--collections", "sentinel-2-l2a,sentinel-2-l1c", "--limit", str(limit),
         "--out", str(dest), "--json", "-q"],
        check=True, capture_output=True, text=True,
    )
    s = json.loads(out.stdout)
    return s["write_seconds"], s["items"]


def read_ids(path):
    out = subprocess.run([sys.executable, "-c", READ_IDS, str(path)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    args = parse_args()
    load_before = results.uptime()
    items = search_bench.items_json(args)
    rsdat = search_bench.rsdat_binary(args)
    proc, url = search_bench.start_server(items)
    rows = []
    work = Path(tempfile.mkdtemp(prefix="rsdat-geoparquet-bench-"))
    sizes = {}
    try:
        for rep in range(args.reps):
            json_out, pq_out, peer_out = work / "items.json", work / "items.parquet", work / "peer.parquet"
            for tool in ("rsdat json", "rsdat parquet", "stac-geoparquet"):
                if tool == "stac-geoparquet":
                    out = subprocess.run([sys.executable, "-c", PEER, str(json_out), str(peer_out)],
                                         check=True, capture_output=True, text=True)
                    r = json.loads(out.stdout)
                    seconds, n, dest = r["seconds"], r["items"], peer_out
                else:
                    dest = json_out if tool == "rsdat json" else pq_out
                    seconds, n = rsdat_write(rsdat, url, dest, args.limit)
                sizes[tool] = dest.stat().st_size
                rows.append({"tool": tool, "rep": rep, "items": n, "write_s": round(seconds, 4),
                             "items_per_s": round(n / seconds, 1), "bytes": sizes[tool]})
                print(f"{tool:16} rep {rep}: {n} items written in {seconds:.3f} s", file=sys.stderr)
            if rep == 0:
                want = [f["id"] for f in json.loads(json_out.read_text())["features"]]
                for tool, path in (("rsdat parquet", pq_out), ("stac-geoparquet", peer_out)):
                    got = read_ids(path)
                    if got != want:
                        sys.exit(f"{tool}: stac_table_to_items gives other ids ({len(got)} vs {len(want)})")
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(work, ignore_errors=True)

    load_after = results.uptime()
    tools = ("rsdat json", "rsdat parquet", "stac-geoparquet")
    med = {t: statistics.median(r["write_s"] for r in rows if r["tool"] == t) for t in tools}
    n = rows[0]["items"]
    rate = {t: n / med[t] for t in tools}
    lines = [
        f"writing {n} found items (of {args.items} in the API), median of {args.reps} runs per tool",
        f"{'tool':16} {'write s':>8} {'items/s':>10} {'MB':>7}  all write s",
    ]
    for t in tools:
        walls = " ".join(f"{r['write_s']:.3f}" for r in rows if r["tool"] == t)
        lines.append(f"{t:16} {med[t]:8.3f} {rate[t]:10.0f} {sizes[t] / 1e6:7.2f}  {walls}")
    lines += [
        f"ratio rsdat parquet / stac-geoparquet (items/s): {rate['rsdat parquet'] / rate['stac-geoparquet']:.2f}x",
        f"ratio rsdat parquet / rsdat json (items/s):      {rate['rsdat parquet'] / rate['rsdat json']:.2f}x",
    ]
    search_bench.save(args, "stac-geoparquet", rows, lines, rsdat, load_before, load_after)

if __name__ == "__main__":
    main()
