"""Benchmark: inductive miner and process map on road-traffic-fines (561k events), with the bound it meets.

Prints the time of each step (loading, variants, inductive miner per coverage, DFG + map, conformance of the
log against the model mined at 80 %) and checks the stated bound: the inductive-miner step (variants of the
mined share → process tree → Petri net and BPMN) stays under BOUND_SECONDS, and under
FIXED_SECONDS + SECONDS_PER_VARIANT × variants mined. Loading the XES file is measured but not bounded here
(see bench_load.py).

Usage: python benchmarks/bench_discovery.py [--log PATH] [--coverage 0.8 1.0]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LOG = ROOT.parent / "shared" / "data" / "real" / "road-traffic-fines" / "road_fine.xes.gz"
BOUND_SECONDS = 10.0           # whole inductive-miner step on road-traffic-fines, any coverage
FIXED_SECONDS = 2.0            # pm4py conversions and overhead
SECONDS_PER_VARIANT = 0.005    # the miner's cost per variant mined (measured ~1.4 ms; room for slow machines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", type=Path, default=DEFAULT_LOG)
    parser.add_argument("--coverage", type=float, nargs="+", default=[0.8, 0.95, 1.0])
    args = parser.parse_args()
    if not args.log.exists():
        print(f"{args.log} is absent; nothing measured")
        return 0
    from ssc_mining.discovery.conformance import Reference, check_conformance
    from ssc_mining.discovery.dfg import directly_follows
    from ssc_mining.discovery.inductive import discover_model
    from ssc_mining.discovery.variants import variant_table
    from ssc_mining.loaders import load
    from ssc_mining.report.process_map import MapSettings, filter_map, render_svg

    t = time.perf_counter()
    log = load(args.log)
    print(f"load: {time.perf_counter() - t:.1f} s ({log.n_events:,} events, {log.n_cases:,} cases)")
    t = time.perf_counter()
    table = variant_table(log)
    print(f"variants: {time.perf_counter() - t:.2f} s ({table.n:,} variants)")
    ok = True
    model80 = None
    for coverage in args.coverage:
        model = discover_model(table, coverage=coverage)
        bound = min(BOUND_SECONDS, FIXED_SECONDS + SECONDS_PER_VARIANT * model.variants_used)
        verdict = "OK" if model.seconds <= bound else "OVER"
        ok &= model.seconds <= bound
        print(f"inductive miner, coverage {coverage:.2f}: {model.seconds:.2f} s on {model.variants_used} variants "
              f"(bound {bound:.2f} s: {verdict}) — {model.caption()}")
        if coverage == 0.8:
            model80 = model
    t = time.perf_counter()
    kept = filter_map(directly_follows(log), MapSettings())
    svg = render_svg(kept.dfg)
    print(f"DFG + abstraction + SVG: {time.perf_counter() - t:.2f} s ({len(svg):,} bytes; {kept.note()})")
    if model80 is not None:
        ref = Reference(model80.net, model80.initial_marking, model80.final_marking, "model mined at 80 %")
        result = check_conformance(log, ref)
        print(f"conformance (alignments per variant): {result.seconds:.1f} s — {result.summary()}")
    print(f"stated bound: the inductive-miner step ≤ min({BOUND_SECONDS} s, {FIXED_SECONDS} s + "
          f"{SECONDS_PER_VARIANT * 1000:.0f} ms × variants mined): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
