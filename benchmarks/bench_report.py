"""Benchmark: the full report (read, analyse, map, write) next to pm4py's basics, per phase and at several sizes.

For each size a synthetic CSV is written from the simulator (its cases tiled with fresh ids and times shifted by
whole weeks). Each measurement runs in a fresh process, so its peak memory (max RSS) is its own:

  pm4py      pandas.read_csv + pm4py.format_dataframe + discover_dfg + get_variants (pm4py's basics)
  report     ssc_mining: load + every analyser + map + model + checks + HTML/JSON, one language (en)
  report x2  the same in two languages (en, nl)

Each side's libraries are imported before its clock starts (pm4py for both; scipy for the report).
It prints the time of each phase of the one-language report, then a table with seconds, peak memory and the
ratios the targets are stated in (report / pm4py; two languages / one). Not a test: the figures depend on the
machine and its load.

Usage: python benchmarks/bench_report.py [--events 100000 1000000 5000000] [--base-cases 20000] [--keep DIR]
                                        [--repeat N]   (median of N alternating runs per side)
                                        [--jobs N]     (threads for the report; default as the CLI chooses)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
path, mode, out, jobs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) or None
if mode == "pm4py":
    import pandas as pd
    from ssc_mining._pm4py import import_pm4py, quiet
    pm4py = import_pm4py()
    t = time.perf_counter()
    with quiet():
        frame = pd.read_csv(path, dtype={"case:concept:name": str})
        frame = pm4py.format_dataframe(frame, case_id="case:concept:name", activity_key="concept:name",
                                       timestamp_key="time:timestamp")
        dfg = pm4py.discover_dfg(frame)
        variants = pm4py.get_variants(frame)
    phases = []
    frame_mib = None
else:
    import os
    from ssc_mining.loaders import load
    from ssc_mining.privacy import Pseudonymiser, pseudonymise_log
    from ssc_mining.progress import phase, timings
    from ssc_mining.report.writer import write_reports
    # the libraries imported on first use, imported before the clock starts (as pm4py is on its side)
    import scipy.stats  # noqa: F401
    from ssc_mining._pm4py import import_pm4py
    import_pm4py()
    from ssc_mining.report.warmup import warm_up
    from ssc_mining.memory import use_system_pool
    use_system_pool()  # as `ssc-mining` does when it starts
    langs = ("en", "nl") if mode == "report2" else ("en",)
    t = time.perf_counter()
    warm_up()  # as `ssc-mining report` does: the report's libraries get ready while the export is read
    with timings() as done:
        with phase("reading"):
            log = load(path)
        frame_mib = float(log.frame.memory_usage(deep=True).sum()) / 2**20
        # as `ssc-mining report` does: pseudonymised first, so the columns with the names are freed
        pseudonymiser = Pseudonymiser(os.urandom(32))
        with phase("pseudonymising"):
            log = pseudonymise_log(log, pseudonymiser, jobs=jobs)
        write_reports(log, out, langs=langs, jobs=jobs, pseudonymiser=pseudonymiser)
    phases = done
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux reports KiB)
print(json.dumps({"seconds": seconds, "peak_mib": peak, "phases": phases, "frame_mib": frame_mib}))
"""


def make_csv(path: Path, events: int, base_cases: int) -> int:
    """Write about ``events`` simulated events to ``path``; return the number written."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_analysers import synthetic  # the same tiling as the analyser benchmark

    frame = synthetic(events, base_cases)
    frame.to_csv(path, index=False)
    return len(frame)


def run(path: Path, mode: str, out: Path, jobs: int = 0) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), mode, str(out), str(jobs)], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(results: list[dict]) -> dict:
    """The run with the median time (for an even number, the faster of the middle two)."""
    ordered = sorted(results, key=lambda r: r["seconds"])
    return ordered[(len(ordered) - 1) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000, 5_000_000])
    parser.add_argument("--base-cases", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="write the CSV files and reports here (default: a temporary folder)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each side this many times, alternating, and report the median time (the machine "
                             "is shared: one run of either side can be off by a tenth)")
    parser.add_argument("--jobs", type=int, default=0,
                        help="threads for the report (default: as the CLI chooses; 1 for the least memory)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for size in args.events:
            path = folder / f"synthetic-{size}.csv"
            n = make_csv(path, size, args.base_cases)
            runs: dict[str, list[dict]] = {"pm4py": [], "report": [], "report2": []}
            for _ in range(max(args.repeat, 1)):   # alternating, so a slow moment of the machine hits every side
                runs["pm4py"].append(run(path, "pm4py", folder / "pm4py"))
                runs["report"].append(run(path, "report", folder / f"report-{size}", args.jobs))
                runs["report2"].append(run(path, "report2", folder / f"report2-{size}", args.jobs))
            base, one, two = (_median(runs[mode]) for mode in ("pm4py", "report", "report2"))
            if args.repeat > 1:
                print(f"\n{n:,} events, {args.repeat} runs each (s): pm4py "
                      + ", ".join(f"{r['seconds']:.1f}" for r in runs["pm4py"]) + "; report "
                      + ", ".join(f"{r['seconds']:.1f}" for r in runs["report"]) + "; two languages "
                      + ", ".join(f"{r['seconds']:.1f}" for r in runs["report2"])
                      + "; report's peak memory (MiB) " + ", ".join(f"{r['peak_mib']:,.0f}" for r in runs["report"])
                      + " (the table shows the run with the median time)")
            print(f"\n{n:,} events: phases of the one-language report (seconds; nested phases indented)")
            for name, depth, seconds in one["phases"]:
                print(f"  {'  ' * depth}{name:<40} {seconds:7.2f}")
            rows.append((n, base, one, two))
    print(f"\n{'events':>10} {'pm4py s':>8} {'report s':>9} {'2 langs s':>10} {'report/pm4py':>13} "
          f"{'2 langs/1':>10} {'pm4py MiB':>10} {'report MiB':>11} {'frame MiB':>10} {'peak/frame':>11}")
    for n, base, one, two in rows:
        print(f"{n:>10,} {base['seconds']:>8.1f} {one['seconds']:>9.1f} {two['seconds']:>10.1f} "
              f"{one['seconds'] / base['seconds']:>12.2f}× {two['seconds'] / one['seconds']:>9.2f}× "
              f"{base['peak_mib']:>10.0f} {one['peak_mib']:>11.0f} {one['frame_mib']:>10.0f} "
              f"{one['peak_mib'] / one['frame_mib']:>10.2f}×")
    print("\nTargets (issue 14): report ≤ 2× pm4py at ~1M events; ≤ 25 s at ~5M with peak memory ≤ 2× the loaded "
          "frame (frame MiB: the canonical frame's deep memory use after reading); two languages ≤ 1.25× one.")


if __name__ == "__main__":
    main()
