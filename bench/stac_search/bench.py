#!/usr/bin/env python3
"""Search paging over a local STAC API: `rsdat stac search` vs pystac-client, in one run.

Usage (from the repository root, with the project venv):

    PY=$(scripts/venv)/bin/python
    $PY bench/stac_search/bench.py                    # 10 000 items, pages of 100
    $PY bench/stac_search/bench.py --items 2000 --reps 2 --limit 50
    $PY bench/stac_search/bench.py --rsdat target/release/rsdat --no-build

Items are Sentinel-2-L2A-like (crates/rsdat-stac-api/tests/data/make_s2_items.py, made with
pystac) and served by `rustac serve` (in-memory backend, pages by `skip`) on 127.0.0.1. Each
tool runs in its own process, --reps times, searching one collection with the same page size
and writing or yielding every item:

  rsdat        rsdat stac search URL --collections sentinel-2-l2a --limit L --out items.json
               (pages predicted from the `skip` in the next link, 4 requests in flight)
  rsdat-seq    the same with --workers 1 (next page fetched while the current one is parsed)
  pystac-client  [item.id for item in Client.open(URL).search(...).items()]

Both must return the same ids in the same order (checked). The tools take turns within each
repetition, so load from other users of the machine hits them alike. items/s = items / median
wall time of the process over --reps runs (start-up included, as a user sees it);
pystac-client's time inside the process is shown too. Ratio = rsdat items/s / pystac-client
items/s. The summary records the load (`uptime`) before and after. Results go to
bench/runs/<date>-<host>-stac-search/raw.csv and summary.txt (or --out).
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = ROOT / "crates/rsdat-stac-api/tests/data"

sys.path.insert(0, str(ROOT / "bench"))
import results  # noqa: E402  (bench/results.py: load and results writer of every bench script)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--items", type=int, default=10000, help="items in the API")
    p.add_argument("--limit", type=int, default=100, help="page size asked by both tools")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--workers", type=int, default=4, help="rsdat requests in flight")
    p.add_argument("--rsdat", help="rsdat binary (default: build release)")
    p.add_argument("--no-build", action="store_true")
    p.add_argument("--data", default=os.path.expanduser("~/.cache/rsdat/bench/stac"))
    p.add_argument("--out", help="result directory (default bench/runs/<date>-<host>-stac-search)")
    return p.parse_args()


def rsdat_binary(args):
    if args.rsdat:
        return Path(args.rsdat)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-p", "rsdat"], cwd=ROOT, check=True)
    return target / "release/rsdat"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(items_json):
    rustac = Path(sys.executable).parent / "rustac"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(rustac), "serve", "--addr", f"127.0.0.1:{port}", "--create-collections", str(items_json)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit(f"rustac serve did not start on {url}")


def timed(cmd):
    t = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return time.perf_counter() - t, out.stdout


def items_json(args):
    """The API's items for --items (made once with make_s2_items.py, kept under --data)."""
    data = Path(args.data) / f"s2-{args.items}"
    if not (data / "items.json").exists():
        subprocess.run([sys.executable, str(DATA / "make_s2_items.py"), str(data), str(args.items)], check=True)
    return data / "items.json"


def save(args, name, rows, lines, rsdat, load_before, load_after):
    """Prints the summary `lines` (with the binary, machine and load) and writes it and the
    raw `rows` to --out, or bench/runs/<date>-<host>-<name>."""
    lines = lines + [
        f"rsdat binary: {rsdat}",
        f"machine: {socket.gethostname()}, {os.cpu_count()} cpus, shared with other builds",
        f"load before: {load_before}",
        f"load after:  {load_after}",
    ]
    summary = "\n".join(lines)
    print(summary)
    out = results.write(results.run_dir(name, args.out), rows, summary)
    print(f"written to {out}", file=sys.stderr)


def main():
    args = parse_args()
    load_before = results.uptime()
    items = items_json(args)
    rsdat = rsdat_binary(args)
    proc, url = start_server(items)
    rows = []
    work = Path(tempfile.mkdtemp(prefix="rsdat-stac-bench-"))
    try:
        kwargs = {"collections": ["sentinel-2-l2a"], "limit": args.limit}
        reference = None
        for rep in range(args.reps):
            for tool in ("rsdat", "rsdat-seq", "pystac-client"):
                if tool == "pystac-client":
                    wall, out = timed([sys.executable, str(DATA / "pystac_client_search.py"), url, json.dumps(kwargs)])
                    res = json.loads(out)
                    ids, inner = res["ids"], res["seconds"]
                else:
                    dest = work / f"{tool}.json"
                    workers = "1" if tool == "rsdat-seq" else str(args.workers)
                    wall, out = timed([str(rsdat), "stac", "search", url, "--collections", "sentinel-2-l2a",
                                       "--limit", str(args.limit), "--workers", workers,
                                       "--out", str(dest), "--json", "-q"])
                    inner = json.loads(out)["seconds"]
                    ids = [f["id"] for f in json.loads(dest.read_text())["features"]]
                if reference is None:
                    reference = ids
                elif ids != reference:
                    sys.exit(f"{tool} returned different ids ({len(ids)} vs {len(reference)})")
                rows.append({"tool": tool, "rep": rep, "items": len(ids), "wall_s": round(wall, 4),
                             "inner_s": round(inner, 4), "items_per_s": round(len(ids) / wall, 1)})
                print(f"{tool:14} rep {rep}: {len(ids)} items in {wall:.3f} s", file=sys.stderr)
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(work, ignore_errors=True)

    load_after = results.uptime()
    med = {}
    for tool in ("rsdat", "rsdat-seq", "pystac-client"):
        rs = [r for r in rows if r["tool"] == tool]
        med[tool] = {"items": rs[0]["items"],
                     "wall_s": statistics.median(r["wall_s"] for r in rs),
                     "inner_s": statistics.median(r["inner_s"] for r in rs),
                     "walls": [r["wall_s"] for r in rs]}
    peer = med["pystac-client"]
    peer_rate = peer["items"] / peer["wall_s"]
    lines = [
        f"stac search paging: {peer['items']} items of {args.items} in the API, pages of {args.limit}, "
        f"rustac serve on loopback, median of {args.reps} runs per tool (tools alternate)",
        f"{'tool':14} {'wall s':>8} {'inner s':>8} {'items/s':>10} {'vs pystac-client':>17}  all wall s",
    ]
    for tool in ("rsdat", "rsdat-seq", "pystac-client"):
        m = med[tool]
        rate = m["items"] / m["wall_s"]
        walls = " ".join(f"{w:.3f}" for w in m["walls"])
        lines.append(f"{tool:14} {m['wall_s']:8.3f} {m['inner_s']:8.3f} {rate:10.0f} {rate / peer_rate:16.2f}x  {walls}")
    save(args, "stac-search", rows, lines, rsdat, load_before, load_after)

if __name__ == "__main__":
    main()
