"""Benchmark: load + validate 1M events versus pandas' fastest plain read.

Prints wall time and peak memory (max RSS of a fresh process) of
  baseline: pandas.read_csv(engine="pyarrow") + to_datetime with an explicit format
  ssc_mining: ssc_mining.loaders.load (detection, mapping, parsing, quarantine, sort)
on the same synthetic CSV, in the same run. Target: ssc_mining ≤ 3× baseline in both.

Usage: python benchmarks/bench_load.py [--events 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ACTIVITIES = np.array(["Register", "Intake", "Assign", "Forward", "Start work", "Put on hold", "Resume",
                       "Escalate", "Resolve", "Close"])
TEAMS = np.array(["Servicedesk", "HR & Salarissen", "Financiën", "Inkoop", "ICT Werkplek"])

CHILD = r"""
import json, sys, time
import pandas as pd
path, mode = sys.argv[1], sys.argv[2]
if mode != "baseline":
    from ssc_mining.loaders import load  # imported before the clock starts, as pandas is for the baseline
t = time.perf_counter()
if mode == "baseline":
    frame = pd.read_csv(path, engine="pyarrow", dtype={"case_id": str})
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], format="%Y-%m-%d %H:%M:%S")
    n = len(frame)
else:
    log = load(path)
    n = log.n_events
elapsed = time.perf_counter() - t
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"seconds": elapsed, "max_rss_mb": hwm / 1024, "rows": n}))
"""

BASE_RSS = r"""
import json
import pandas as pd
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"max_rss_mb": hwm / 1024}))
"""


def make_csv(path: Path, events: int, seed: int = 1) -> None:
    """A synthetic ticket log of about 10 events per case."""
    rng = np.random.default_rng(seed)
    cases = np.sort(rng.integers(0, events // 10, events))
    start = (np.datetime64("2024-01-01T08:00:00")
             + rng.integers(0, 365 * 86400, events // 10 + 1).astype("timedelta64[s]"))
    offsets = rng.integers(60, 86400, events).astype("timedelta64[s]")
    ts = start[cases] + pd.Series(offsets).groupby(cases).cumsum().to_numpy().astype("timedelta64[s]")
    frame = pd.DataFrame({
        "case_id": np.char.add("INC", cases.astype(str)),
        "activity": ACTIVITIES[rng.integers(0, len(ACTIVITIES), events)],
        "timestamp": pd.to_datetime(ts).strftime("%Y-%m-%d %H:%M:%S"),
        "resource": np.char.add("agent", rng.integers(0, 300, events).astype(str)),
        "team": TEAMS[rng.integers(0, len(TEAMS), events)],
        "cost": np.round(rng.random(events) * 100, 2),
    })
    frame.to_csv(path, index=False)


def run(path: Path, mode: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), mode], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        make_csv(path, args.events)
        print(f"synthetic CSV: {args.events:,} events, {path.stat().st_size / 1e6:.1f} MB")
        base_rss = json.loads(subprocess.run([sys.executable, "-c", BASE_RSS], capture_output=True, text=True,
                                             check=True).stdout)["max_rss_mb"]
        results = {}
        for mode in ("baseline", "ssc_mining"):
            runs = [run(path, mode) for _ in range(args.repeat)]
            results[mode] = {"seconds": float(np.median([r["seconds"] for r in runs])),
                             "max_rss_mb": float(np.median([r["max_rss_mb"] for r in runs])), "rows": runs[0]["rows"]}
        for mode, r in results.items():
            print(f"{mode:>11}: {r['seconds']:.2f} s (median of {args.repeat}), peak RSS {r['max_rss_mb']:.0f} MB "
                  f"({r['max_rss_mb'] - base_rss:.0f} MB above an idle Python with pandas), rows {r['rows']:,}")
        b, s = results["baseline"], results["ssc_mining"]
        print(f"time ratio  : {s['seconds'] / b['seconds']:.2f}x (target ≤ 3x)")
        print(f"memory ratio: {s['max_rss_mb'] / b['max_rss_mb']:.2f}x of peak RSS; "
              f"{(s['max_rss_mb'] - base_rss) / max(b['max_rss_mb'] - base_rss, 1):.2f}x above idle (target ≤ 3x)")


if __name__ == "__main__":
    main()
