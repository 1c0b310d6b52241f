"""Read time and peak memory of both XES readers on the public real logs present.

Each reading runs in a fresh process (peak memory is that process's maximum resident set).

Example:
    .venv/bin/python benchmarks/bench_xes.py            # every XES log under ../shared/data/real
    .venv/bin/python benchmarks/bench_xes.py some.xes.gz
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
_CHILD = """
import json, resource, sys, time
from ssc_mining.loaders.xes_reader import read_xes
start = time.perf_counter()
raw = read_xes(sys.argv[1], parser=sys.argv[2])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "events": len(raw.frame), "columns": raw.frame.shape[1],
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(path: Path, parser: str) -> dict[str, float]:
    """One reading of ``path`` with ``parser`` ("pm4py" or "r4pm") in a fresh Python."""
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), parser], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(paths: list[Path]) -> None:
    print(f"{'log':40} {'events':>9} {'pm4py s':>8} {'r4pm s':>7} {'speed-up':>8} {'pm4py MiB':>10} {'r4pm MiB':>9}")
    for path in paths:
        slow, fast = measure(path, "pm4py"), measure(path, "r4pm")
        print(f"{path.name:40} {slow['events']:>9,} {slow['seconds']:>8.1f} {fast['seconds']:>7.1f} "
              f"{slow['seconds'] / fast['seconds']:>7.1f}x {slow['peak_mib']:>10,.0f} {fast['peak_mib']:>9,.0f}")


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or sorted(REAL.glob("*/*.xes*")))
