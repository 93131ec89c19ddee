"""Copying a catalog's assets from a loopback HTTP server to a loopback WebDAV server
(wsgidav, the stand-in for a dCache door): `rsdat stac copy-assets` next to stac2dcache's
`copy_asset`.

Usage:
  python bench/copy/copy.py --rsdat BINARY --peer-python PYTHON [--files 200]
      [--min-mb 1] [--max-mb 20] [--workers 4] [--work DIR]

BINARY is the rsdat program (`cargo build --release -p rsdat`, then target/release/rsdat).
PYTHON is a venv with stac2dcache 0.4.0 (`pip install stac2dcache==0.4.0 --no-deps` plus
aiohttp fsspec urlpath webdav4 pystac dcachefs rasterio rioxarray) and wsgidav + cheroot.

Both tools copy the `data` asset of the same items (one file each, sizes drawn uniformly
between --min-mb and --max-mb, seeded) from the same HTTP server into separate folders of
the same WebDAV server (`<to>/<item id>/<file name>`), with the same number of workers
(rsdat: threads; stac2dcache: its process pool). rsdat reads a static catalog of the items
from disk; stac2dcache builds the same catalog in memory. The copies are checked byte for
byte against the sources. Each tool runs as its own process (catalog reading and start-up
included); its CPU time (user + system, children included) comes from wait4. Writes
copy-raw.csv and copy-summary.txt to bench/runs/<date>-<host>-copy/ (with the `uptime`
load before and after) and prints the summary with ratios.
"""
import argparse
import csv
import datetime
import filecmp
import http.server
import json
import os
import random
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DAV_SCRIPT = os.path.join(REPO, "crates/rsdat-testkit/python/webdav_server.py")

SOURCE_SERVER = textwrap.dedent(
    """
    import http.server, os, socketserver, sys
    root = sys.argv[1]
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *a): pass
        def _file(self):
            p = os.path.join(root, self.path.lstrip("/").split("?")[0])
            return p if os.path.isfile(p) else None
        def do_HEAD(self):
            p = self._file()
            if p is None:
                self.send_error(404); return
            self.send_response(200)
            self.send_header("Content-Length", str(os.path.getsize(p)))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
        def do_GET(self):
            p = self._file()
            if p is None:
                self.send_error(404); return
            size = os.path.getsize(p)
            start, end = 0, size
            rng = self.headers.get("Range")
            if rng and rng.startswith("bytes="):
                a, _, b = rng[6:].partition("-")
                start = int(a) if a else 0
                end = min(int(b) + 1, size) if b else size
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(end - start))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            with open(p, "rb") as f:
                off = start
                while off < end:
                    n = os.sendfile(self.wfile.fileno(), f.fileno(), off, end - off)
                    if n == 0:
                        break
                    off += n
    class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
    s = S(("127.0.0.1", 0), H)
    print("PORT", s.server_address[1], flush=True)
    s.serve_forever()
    """
)

PEER = textwrap.dedent(
    """
    import json, sys, time
    import fsspec, pystac
    from stac2dcache.utils import copy_asset
    from stac2dcache.filesystem import configure_filesystem
    from webdav4.fsspec import WebdavFileSystem

    def main():
        src_base, dav_base, to, workers, names = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
        catalog = pystac.Catalog(id="bench", description="copy benchmark")
        for i, name in enumerate(names):
            item = pystac.Item(id=f"item-{i:03d}", geometry=None, bbox=None,
                               datetime=__import__("datetime").datetime(2020, 1, 1), properties={})
            item.add_asset("data", pystac.Asset(href=f"{src_base}/{name}"))
            catalog.add_item(item)
        catalog.normalize_hrefs("/tmp/bench-catalog")
        fs_from = configure_filesystem(protocol="http")
        fs_to = WebdavFileSystem(dav_base)
        t0 = time.perf_counter()
        copy_asset(catalog, "data", to_uri=to, filesystem_from=fs_from,
                   filesystem_to=fs_to, max_workers=workers)
        print(json.dumps({"seconds": time.perf_counter() - t0}))

    if __name__ == "__main__":
        main()
    """
)


def write_catalog(out, src_base, names):
    """A self-contained static catalog (pystac's layout): one item per file, asset `data`."""
    links = [{"rel": "root", "href": "./catalog.json", "type": "application/json"}]
    for i, name in enumerate(names):
        item_id = f"item-{i:03d}"
        links.append({"rel": "item", "href": f"./{item_id}/{item_id}.json",
                      "type": "application/geo+json"})
        os.makedirs(os.path.join(out, item_id))
        item = {
            "type": "Feature", "stac_version": "1.1.0", "stac_extensions": [], "id": item_id,
            "geometry": None, "properties": {"datetime": "2020-01-01T00:00:00Z"},
            "links": [{"rel": "root", "href": "../catalog.json", "type": "application/json"},
                      {"rel": "parent", "href": "../catalog.json", "type": "application/json"}],
            "assets": {"data": {"href": f"{src_base}/{name}"}},
        }
        with open(os.path.join(out, item_id, f"{item_id}.json"), "w") as f:
            json.dump(item, f, indent=2)
    root = {"type": "Catalog", "id": "bench", "stac_version": "1.1.0",
            "description": "copy benchmark", "links": links}
    with open(os.path.join(out, "catalog.json"), "w") as f:
        json.dump(root, f, indent=2)
    return os.path.join(out, "catalog.json")


def uptime():
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load average: %.2f, %.2f, %.2f" % os.getloadavg()


def start(cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line.startswith("PORT "):
        p.kill()
        sys.exit(f"{cmd[:3]} did not start: {line!r}")
    return p, int(line.split()[1])


def timed(cmd, env=None):
    """Runs cmd; returns (wall seconds, cpu seconds incl. children, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed with {p.returncode}")
    return wall, ru.ru_utime + ru.ru_stime, out.decode()


def check(src_dir, dst_root, names):
    bad = []
    for i, name in enumerate(names):
        dst = os.path.join(dst_root, f"item-{i:03d}", name)
        if not (os.path.exists(dst) and filecmp.cmp(os.path.join(src_dir, name), dst, shallow=False)):
            bad.append(dst)
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rsdat", required=True)
    ap.add_argument("--peer-python", required=True)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--min-mb", type=float, default=1)
    ap.add_argument("--max-mb", type=float, default=20)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", default=None)
    ap.add_argument("--dav-block-kib", type=int, default=1024,
                    help="bytes wsgidav reads per step (its default is 8 KiB, which makes the "
                         "Python server the bottleneck for any client)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()

    load_before = os.getloadavg()[0]
    uptime_before = uptime()
    work = tempfile.mkdtemp(prefix="rsdat-bench-copy-", dir=a.work)
    servers = []
    try:
        src = os.path.join(work, "src")
        os.makedirs(src)
        rng = random.Random(a.seed)
        names, total = [], 0
        block = os.urandom(1 << 20)
        for i in range(a.files):
            size = int(rng.uniform(a.min_mb, a.max_mb) * 2**20)
            name = f"f{i:03d}.bin"
            with open(os.path.join(src, name), "wb") as f:
                f.write(i.to_bytes(8, "little"))  # no two files alike
                left = size - 8
                while left > 0:
                    n = min(left, len(block))
                    f.write(block[:n])
                    left -= n
            names.append(name)
            total += size
        dav_rw, dav_ro = os.path.join(work, "dav"), os.path.join(work, "dav-ro")
        os.makedirs(dav_rw)
        os.makedirs(dav_ro)
        http_p, http_port = start([sys.executable, "-c", SOURCE_SERVER, src])
        servers.append(http_p)
        dav_p, dav_port = start([a.peer_python, DAV_SCRIPT, dav_rw, dav_ro, "--threads", "32",
                                 "--block-size", str(a.dav_block_kib * 1024)])
        servers.append(dav_p)
        src_base = f"http://127.0.0.1:{http_port}"
        dav_base = f"http://127.0.0.1:{dav_port}"

        catalog = write_catalog(os.path.join(work, "catalog"), src_base, names)
        peer_file = os.path.join(work, "peer.py")
        with open(peer_file, "w") as f:
            f.write(PEER)

        rows = []
        env = dict(os.environ, RSDAT_STORAGE_CONFIG="", HOME=work)
        ledger = os.path.join(work, "ledger.json")
        wall, cpu, out = timed([a.rsdat, "stac", "copy-assets", catalog, "--asset", "data",
                                "--to", f"webdav://127.0.0.1:{dav_port}/rsdat",
                                "--workers", str(a.workers), "--ledger", ledger,
                                "--json", "--quiet"], env=env)
        summary = json.loads(out)
        if summary["failed"] or summary["copied"] != len(names):
            with open(ledger) as f:
                sys.exit(f"rsdat failed copies: {json.load(f)[:3]}")
        rows.append(("rsdat", wall, cpu, check(src, os.path.join(dav_rw, "rsdat"), names)))

        wall, cpu, out = timed([a.peer_python, peer_file, src_base, dav_base, "/s2d", str(a.workers)] + names)
        rows.append(("stac2dcache", wall, cpu, check(src, os.path.join(dav_rw, "s2d"), names)))
    finally:
        for p in servers:
            p.kill()
            p.wait()
        shutil.rmtree(work, ignore_errors=True)

    uptime_after = uptime()
    mb = total / 2**20
    date = datetime.date.today().isoformat()
    out_dir = a.out
    if out_dir is None:
        # Never overwrite an earlier run's numbers: the first free -N suffix.
        base = os.path.join(REPO, "bench/runs", f"{date}-{socket.gethostname()}-copy")
        out_dir, n = base, 1
        while os.path.exists(out_dir):
            n += 1
            out_dir = f"{base}-{n}"
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "copy-raw.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["tool", "files", "mib", "workers", "wall_s", "cpu_s", "mib_per_s", "bad_copies"])
        for tool, wall, cpu, bad in rows:
            w.writerow([tool, a.files, f"{mb:.1f}", a.workers, f"{wall:.3f}", f"{cpu:.3f}", f"{mb / wall:.1f}", len(bad)])
    (r_wall, r_cpu), (p_wall, p_cpu) = [(r[1], r[2]) for r in rows]
    lines = [
        f"copy {a.files} files, {mb:.0f} MiB ({a.min_mb}-{a.max_mb} MiB each), loopback HTTP -> loopback wsgidav ({a.dav_block_kib} KiB blocks), {a.workers} workers, {os.cpu_count()} cores, load average before {load_before:.1f}",
    ]
    for tool, wall, cpu, bad in rows:
        lines.append(f"  {tool:12s} {wall:8.2f} s  {mb / wall:8.1f} MiB/s  cpu {cpu:7.2f} s  bad copies {len(bad)}")
    lines.append(f"  throughput ratio rsdat/stac2dcache: {p_wall / r_wall:.2f}x")
    lines.append(f"  CPU ratio stac2dcache/rsdat: {p_cpu / r_cpu:.2f}x (client processes only; both share the same servers)")
    lines.append(f"  uptime before: {uptime_before}")
    lines.append(f"  uptime after:  {uptime_after}")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out_dir, "copy-summary.txt"), "w") as f:
        f.write(text)
    print(text, end="")
    if any(r[3] for r in rows):
        sys.exit("some copies differ from their sources")


if __name__ == "__main__":
    main()
