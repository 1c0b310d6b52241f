"""Throughput and peak memory of the simulator at about 1M events.

Usage: .venv/bin/python benchmarks/bench_simulate.py [events] [--formats generic,xes]

1. streams 1/10 of the size, then the full size, to disk (generic CSV + XES.gz +
   ground truth) and prints events/second and the process's peak resident memory
   (``resource.getrusage``) after each: if streaming works the peak does not grow
   with the size;
2. runs the in-memory ``simulate`` of the full size and prints its speed and peak.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssc_mining.simulate import SimulationConfig, simulate, write_exports_streaming  # noqa: E402

EVENTS_PER_CASE = 9.2  # average with the default rates


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stream(events: int, formats: tuple[str, ...]) -> None:
    cfg = SimulationConfig(seed=7, cases=max(1, int(events / EVENTS_PER_CASE)), months=12)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        paths = write_exports_streaming(cfg, tmp, formats=formats)
        wall = time.perf_counter() - t
        with open(paths["truth-json"], encoding="utf-8") as fh:
            import json
            n = json.load(fh)["counts"]["events"]
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in paths.values())
    print(f"streaming {cfg.cases:,} cases / {n:,} events ({', '.join(formats)} + truth): {wall:.1f} s, "
          f"{n / wall:,.0f} events/s, peak RSS {_peak_mb():.0f} MB\n    {sizes}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("events", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--formats", default="generic,xes")
    args = parser.parse_args()
    formats = tuple(args.formats.split(","))
    print(f"start: peak RSS {_peak_mb():.0f} MB")
    _stream(args.events // 10, formats)
    _stream(args.events, formats)
    cfg = SimulationConfig(seed=7, cases=max(1, int(args.events / EVENTS_PER_CASE)), months=12)
    t = time.perf_counter()
    result = simulate(cfg)
    wall = time.perf_counter() - t
    print(f"in-memory simulate: {len(result.events):,} events in {wall:.1f} s, "
          f"{len(result.events) / wall:,.0f} events/s, peak RSS {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
