"""Benchmark: the handoff analysis versus pm4py's handover-of-work network on the same log, in the same run.

For each size a synthetic log (about 10 events per case, random teams and people, a few ping-pong
cases by construction of the random draw) is built in memory, then timed:

  ssc_mining handoffs_per_case   per-case handovers (people, teams), distinct people/teams, ping-pong
  ssc_mining Handoffs().analyse  the whole analyser: per case + metrics, tables, findings, networks
  pm4py discover_handover_of_work_network   (person level, no per-case counts)

Target: the per-case analysis at least 10× faster than pm4py's call.

Usage: python benchmarks/bench_handoffs.py [--events 1000000 5000000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import gc
import time

import numpy as np
import pandas as pd

from ssc_mining._pm4py import import_pm4py, quiet
from ssc_mining.analysers.handoffs import Handoffs, handoffs_per_case
from ssc_mining.eventlog import EventLog
from ssc_mining.eventlog import columns as C

ACTIVITIES = np.array(["Register", "Intake", "Assign", "Forward", "Start work", "Put on hold", "Resume",
                       "Escalate", "Resolve", "Close"])
TEAMS = np.array(["Servicedesk", "HR & Salarissen", "Financiën", "Inkoop", "ICT Werkplek", "ICT Applicaties"])


def synthetic(events: int, seed: int = 1) -> pd.DataFrame:
    """A canonical frame with about 10 events per case, already in case/time order."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(6, 15, size=events // 10 + 1)
    sizes = sizes[np.cumsum(sizes) <= events]
    n = int(sizes.sum())
    case = np.repeat(np.arange(len(sizes)), sizes)
    start = np.repeat(rng.integers(0, 365 * 86400, size=len(sizes)), sizes)
    offset = rng.integers(60, 86400, size=n).cumsum()
    first = np.repeat(np.concatenate(([0], np.cumsum(sizes)[:-1])), sizes)
    offset = offset - np.repeat(offset[np.concatenate(([0], np.cumsum(sizes)[:-1]))], sizes)
    team = rng.integers(0, len(TEAMS), size=n)
    stay = rng.random(n) < 0.6                  # most events stay with the team of the event before
    team = np.where(stay & (np.arange(n) != first), np.roll(team, 1), team)
    person = team * 20 + rng.integers(0, 20, size=n)
    return pd.DataFrame({
        C.CASE: np.char.add("C", case.astype(str)).astype(object),
        C.ACTIVITY: ACTIVITIES[rng.integers(0, len(ACTIVITIES), size=n)].astype(object),
        C.TIMESTAMP: pd.to_datetime(1_704_067_200 + start + offset, unit="s", utc=True),
        C.RESOURCE: np.char.add("P", person.astype(str)).astype(object),
        C.TEAM: TEAMS[team].astype(object),
    })


def timed(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    pm4py = import_pm4py()
    print(f"{'events':>10} {'cases':>9} {'per_case s':>11} {'analyser s':>11} {'pm4py HoW s':>12} "
          f"{'speed-up (per case)':>20} {'speed-up (analyser)':>20}")
    for events in args.events:
        frame = synthetic(events)
        log = EventLog.from_frame(frame)
        t_case, per_case = timed(lambda lg=log: handoffs_per_case(lg), args.repeat)
        t_all, result = timed(lambda lg=log: Handoffs().analyse(lg), args.repeat)

        def run_pm4py(log=log):
            with quiet():
                return pm4py.discover_handover_of_work_network(log.frame, beta=0, resource_key=C.RESOURCE,
                                                               timestamp_key=C.TIMESTAMP, case_id_key=C.CASE)
        t_pm, network = timed(run_pm4py, args.repeat)
        assert len(per_case) == log.n_cases and result.status == "ok" and network is not None
        print(f"{log.n_events:>10,} {log.n_cases:>9,} {t_case:>11.2f} {t_all:>11.2f} {t_pm:>12.2f} "
              f"{t_pm / t_case:>19.1f}× {t_pm / t_all:>19.1f}×", flush=True)


if __name__ == "__main__":
    main()
