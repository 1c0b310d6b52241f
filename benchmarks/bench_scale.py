"""Benchmark: logs beyond one machine's memory. Writes synthetic events as Parquet, imports them into a DuckDB
database in batches (``ssc-mining import``), and runs ``report``, ``discover`` and ``analyse`` on each engine
(pandas: the log in memory; duckdb: aggregates and partitions of whole tickets; spark: the variants and map
computed by Spark, and the same partitions analysed by Spark's workers, in local mode unless Spark's settings say
otherwise). ``analyse`` runs the analysers that run in partitions on every engine, so the rows compare the same
work; the pandas rows say so when the memory check refuses the log.

The events are the simulator's (as in ``bench_report.py``), tiled with fresh case ids and times shifted by
whole weeks, written tile by tile with pyarrow (a 100M-event file never exists in memory). Each command runs
in a fresh process, so its peak memory is its own. The reports of the engines are compared (their JSON figures,
without the run's settings and the note naming the engine). Not a test: the figures depend on the machine and its
load.

Usage: python benchmarks/bench_scale.py [--events 1000000 10000000 100000000] [--keep DIR] [--batch-rows N]
       [--steps import report discover analyse] [--engines pandas duckdb spark]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

CHILD = r"""
import os, resource, subprocess, sys, threading, time

def tree_rss(root):
    # resident bytes of root and all its descendants (Spark runs a JVM and Python workers besides the command)
    children = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(pid))
        except (OSError, ValueError, IndexError):
            pass
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            pass
    return total

start = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
peak = [0]
def sample():
    while process.poll() is None:
        peak[0] = max(peak[0], tree_rss(process.pid))
        time.sleep(0.2)
threading.Thread(target=sample, daemon=True).start()
stdout, stderr = process.communicate()
seconds = time.perf_counter() - start
print(process.returncode, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, peak[0])
print(stdout[-2000:] + stderr[-2000:])
"""


def write_parquet(path: Path, events: int, base_cases: int = 20_000) -> int:
    """Write about ``events`` events, tile by tile; returns the number written."""
    from ssc_mining.eventlog import columns as C
    from ssc_mining.simulate import SimulationConfig, simulate

    base = simulate(SimulationConfig(seed=5, cases=base_cases)).events   # one tile, as bench_analysers tiles it
    base = base.drop(columns=[c for c in (C.SOURCE_ROW, "ssc:assigned_group", "ssc:assigned_to")
                              if c in base.columns])
    table = pa.Table.from_pandas(base, preserve_index=False)
    times = [name for name in (C.TIMESTAMP, C.NEED_BY, C.DUE) if name in table.column_names]
    written, tile = 0, 0
    partial = path.with_name(path.name + ".partial")
    with pq.ParquetWriter(partial, table.schema, compression="zstd") as writer:
        while written < events:
            part = table.slice(0, min(table.num_rows, events - written))
            columns = {name: part.column(name) for name in part.column_names}
            text = part.column(C.CASE).type
            columns[C.CASE] = pc.binary_join_element_wise(part.column(C.CASE), pa.scalar(f"-{tile}", text),
                                                          pa.scalar("", text))
            for name in times:   # a week later per tile
                columns[name] = pc.add(part.column(name), pa.scalar(tile * 7 * 86_400_000_000,
                                                                    pa.duration("us")))
            writer.write_table(pa.table(columns).cast(table.schema), row_group_size=1_000_000)
            written += part.num_rows
            tile += 1
    partial.rename(path)
    return written


def measure(*command: str) -> tuple[int, float, int, str]:
    """Exit code, seconds and peak bytes of ``command`` in a fresh process, and the end of its output. The peak
    is the larger of the largest single process's (max RSS) and the sum over the command's processes, sampled
    every 0.2 s (Spark's JVM and Python workers are processes of their own)."""
    done = subprocess.run([sys.executable, "-c", CHILD, *command], capture_output=True, text=True, check=True)
    first, _, rest = done.stdout.partition("\n")
    code, seconds, largest, summed = first.split()
    return int(code), float(seconds), max(int(largest), int(summed)), rest


def _figures(path: Path) -> dict:
    """A report's JSON without the run's settings and the provenance's note on the engine."""
    data = json.loads(path.read_text())
    data.pop("run", None)
    data["provenance"]["notes"] = [n for n in data["provenance"]["notes"] if not n.startswith("analysed by")]
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000, 10_000_000, 100_000_000])
    parser.add_argument("--keep", type=Path, help="write the files here (default: a temporary folder)")
    parser.add_argument("--batch-rows", type=int, default=1_000_000)
    parser.add_argument("--steps", nargs="+", default=["import", "report", "discover", "analyse"],
                        choices=["import", "report", "discover", "analyse"])
    parser.add_argument("--engines", nargs="+", default=["pandas", "duckdb", "spark"],
                        choices=["pandas", "duckdb", "spark"], help="discover and analyse on these engines")
    args = parser.parse_args()
    from ssc_mining.analysers.registry import discover

    partitioned = ",".join(sorted(name for name, cls in discover().analysers.items() if cls.runs_in_partitions()))
    cli = str(Path(sys.executable).parent / "ssc-mining")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        key = folder / "pseudonym.key"   # the same pseudonyms on every engine, so the reports can be compared
        key.write_text("benchmark key: the same pseudonyms on every engine\n")
        print(f"{'events':>12} {'step':<28} {'seconds':>9} {'peak':>10}  result", flush=True)
        for n in args.events:
            source = folder / f"synthetic-{n}.parquet"
            if not source.exists():
                start = time.perf_counter()
                write_parquet(source, n)
                print(f"{n:>12,} {'write Parquet':<28} {time.perf_counter() - start:>9.1f} {'':>10}  "
                      f"{source.stat().st_size / 2**20:,.0f} MiB", flush=True)
            database = folder / f"synthetic-{n}.duckdb"
            if "import" in args.steps or not database.exists():
                code, seconds, peak, out = measure(cli, "import", str(source), "--db", str(database), "--replace",
                                                   "--batch-rows", str(args.batch_rows), "--quiet")
                summary = next((line for line in out.splitlines() if line.startswith(("Read ", "Error"))),
                               out[-200:])
                print(f"{n:>12,} {'import (DuckDB, batches)':<28} {seconds:>9.1f} {peak / 2**30:>6.2f} GiB  "
                      f"{summary}", flush=True)
                if code:
                    continue
            runs = []
            for engine in args.engines:
                if "report" in args.steps:
                    runs.append((f"report ({engine})", ["report", str(database), "--engine", engine, "-o",
                                                        str(folder / f"report-{n}-{engine}"), "--run-date",
                                                        "2026-01-01", "--pseudonym-key-file", str(key)]))
                if "discover" in args.steps:
                    runs.append((f"discover ({engine})", ["discover", str(database), "--engine", engine, "--svg",
                                                          str(folder / f"map-{n}-{engine}.svg")]))
                if "analyse" in args.steps:
                    runs.append((f"analyse ({engine})", ["analyse", str(database), "--engine", engine,
                                                         "--analysers", partitioned, "--json",
                                                         str(folder / f"analyse-{n}-{engine}.json")]))
            for step, command in runs:
                code, seconds, peak, out = measure(cli, *command, "--quiet")
                summary = "done" if not code else next((line for line in out.splitlines()
                                                        if line.startswith("Error")), out[-200:])
                print(f"{n:>12,} {step:<28} {seconds:>9.1f} {peak / 2**30:>6.2f} GiB  {summary[:150]}", flush=True)
            reports = {engine: folder / f"report-{n}-{engine}" / f"{source.name}.json"   # named after the export
                       for engine in args.engines}
            if "report" in args.steps and "pandas" in reports and reports["pandas"].exists():
                expected = _figures(reports["pandas"])
                for engine, path in reports.items():
                    if engine != "pandas" and path.exists():
                        same = _figures(path) == expected
                        print(f"{n:>12,} {f'report: {engine} vs pandas':<28} {'':>9} {'':>10}  "
                              f"{'equal figures' if same else 'DIFFERENT figures'}", flush=True)
            outputs = {engine: folder / f"analyse-{n}-{engine}.json" for engine in args.engines}
            if "analyse" in args.steps and "pandas" in outputs and outputs["pandas"].exists():
                expected = json.loads(outputs["pandas"].read_text())["analysers"]
                for engine, path in outputs.items():
                    if engine != "pandas" and path.exists():
                        same = json.loads(path.read_text())["analysers"] == expected
                        print(f"{n:>12,} {f'analyse: {engine} vs pandas':<28} {'':>9} {'':>10}  "
                              f"{'equal results' if same else 'DIFFERENT results'}", flush=True)
        print(f"analyse ran the analysers that run in partitions: {partitioned}")


if __name__ == "__main__":
    main()
