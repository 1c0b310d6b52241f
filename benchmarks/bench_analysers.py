"""Benchmark: the time analysers (deliveries, waiting, standardisation, coordination, workload, comparison)
at 1M and 5M events.

The synthetic log is the simulator's (realistic variants, statuses, need-by and due dates): a base of
simulated cases is tiled (fresh case ids, times shifted by whole weeks so business hours stay valid)
until the wanted number of events is reached. Each analyser's ``analyse`` is timed on the same log
(best of ``--repeat`` runs); ``comparison`` runs ``waiting`` per mother organisation.

Usage: python benchmarks/bench_analysers.py [--events 1000000 5000000] [--repeat 1] [--base-cases 20000]
"""

from __future__ import annotations

import argparse
import gc
import time

import numpy as np
import pandas as pd

from ssc_mining.analysers.compare import Comparison
from ssc_mining.analysers.coordination import Coordination
from ssc_mining.analysers.deliveries import Deliveries
from ssc_mining.analysers.standardisation import Standardisation
from ssc_mining.analysers.waiting import Waiting
from ssc_mining.analysers.workload import Workload
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C
from ssc_mining.simulate import SimulationConfig, simulate


def synthetic(events: int, base_cases: int = 20000, seed: int = 5) -> pd.DataFrame:
    """Tile a simulated log to about ``events`` events (canonical columns only)."""
    base = simulate(SimulationConfig(seed=seed, cases=base_cases)).events
    base = base.drop(columns=[c for c in ("ssc:assigned_group", "ssc:assigned_to") if c in base.columns])
    copies = max(1, -(-events // len(base)))
    parts = []
    for k in range(copies):
        part = base.copy()
        part[C.CASE] = part[C.CASE] + f"-{k}"
        shift = pd.Timedelta(weeks=k)
        for col in (C.TIMESTAMP, C.NEED_BY, C.DUE):
            part[col] = part[col] + shift
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    cut = frame[C.CASE].iloc[min(events, len(frame)) - 1]
    return frame.iloc[: int(np.flatnonzero(frame[C.CASE].to_numpy() == cut)[-1]) + 1]


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--base-cases", type=int, default=20000)
    args = parser.parse_args()
    analysers = {"deliveries": Deliveries(), "waiting": Waiting(), "standardisation": Standardisation(),
                 "coordination": Coordination(), "workload": Workload(),
                 "comparison (waiting per mother)": Comparison(analyser="waiting", segment="mother")}
    for n in args.events:
        t = time.perf_counter()
        log = EventLog.from_frame(synthetic(n, args.base_cases))
        print(f"\n{log.n_events:,} events, {log.n_cases:,} cases (built in {time.perf_counter() - t:.1f} s)")
        for name, analyser in analysers.items():
            seconds = timed(lambda a=analyser, lg=log: a.analyse(lg), args.repeat)
            print(f"  {name:<34} {seconds:7.2f} s")
        del log
        gc.collect()


if __name__ == "__main__":
    main()
