"""Benchmark: the engine-neutral expressions (``ssc_mining.eventlog.expressions``: cases and directly-follows
edges) on pandas, Polars and DuckDB, next to the vectorised numpy code the report uses on pandas.

The events are the simulator's, tiled to the wanted size (as in ``bench_analysers.py``). Each engine gets the
same four canonical columns; conversion to the engine's frame is not timed. Prints seconds per step and size.

Usage: python benchmarks/bench_engines.py [--events 1000000 5000000]
"""

from __future__ import annotations

import argparse
import time

import duckdb
import polars as pl
import pyarrow as pa
from bench_analysers import synthetic

from ssc_mining.discovery.dfg import directly_follows_frame
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.expressions import cases_of, edges_of


def _seconds(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000])
    args = parser.parse_args()
    print(f"{'events':>11}  {'engine':<16} {'cases s':>8} {'edges s':>8}")
    for n in args.events:
        log = EventLog.from_frame(synthetic(n))
        events = log.frame[[C.CASE, C.ACTIVITY, C.TIMESTAMP, C.SOURCE_ROW]]
        numpy_edges = _seconds(lambda frame=events: directly_follows_frame(frame))
        print(f"{len(events):>11,}  {'numpy (report)':<16} {'-':>8} {numpy_edges:>8.2f}")
        table = pa.Table.from_pandas(events, preserve_index=False)
        engines = (("pandas", events), ("polars", pl.from_arrow(table)), ("duckdb", duckdb.from_arrow(table)))
        for name, native in engines:
            cases = _seconds(lambda frame=native: cases_of(frame).collect())
            edges = _seconds(lambda frame=native: edges_of(frame).collect())
            print(f"{len(events):>11,}  {name:<16} {cases:>8.2f} {edges:>8.2f}")

if __name__ == "__main__":
    main()
