"""Results of the bench scripts: the machine's load, and the run directory with the raw rows
(raw.csv) and the printed summary (summary.txt).

    sys.path.insert(0, str(ROOT / "bench"))
    import results
    load_before = results.uptime()
    ...
    out = results.write(results.run_dir("stac", args.out), rows, summary)
"""
import csv
import datetime
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def uptime():
    """`uptime`'s line: the load of the machine, to record before and after a run."""
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def run_dir(name, out=None):
    """`out` (a --out option) if given, else bench/runs/<date>-<host>-<name>."""
    if out:
        return Path(out)
    return ROOT / "bench/runs" / f"{datetime.date.today()}-{socket.gethostname()}-{name}"


def write(out, rows, summary):
    """Writes `rows` (dicts with the same keys, in column order) to OUT/raw.csv and `summary`
    to OUT/summary.txt (ending in a newline), creating OUT; returns OUT."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "raw.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    (out / "summary.txt").write_text(summary if summary.endswith("\n") else summary + "\n")
    return out
