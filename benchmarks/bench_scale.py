"""Benchmark: logs beyond one machine's memory. Writes synthetic events as Parquet, imports them into a DuckDB
database in batches (``ssc-mining import``), and runs the report on the database where it fits in memory.

The events are the simulator's (as in ``bench_report.py``), tiled with fresh case ids and times shifted by
whole weeks, written tile by tile with pyarrow (a 100M-event file never exists in memory). Each command runs
in a fresh process, so its peak memory (max RSS) is its own. The report is skipped, saying so, when the
memory check (``ssc_mining.loaders.footprint``) says it would not fit. Not a test: the figures depend on the
machine and its load.

Usage: python benchmarks/bench_scale.py [--events 1000000 10000000 100000000] [--keep DIR] [--batch-rows N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

CHILD = r"""
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
print(done.returncode, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
print(done.stdout[-2000:] + done.stderr[-2000:])
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
    """Exit code, seconds and peak bytes of ``command`` in a fresh process, and the end of its output."""
    done = subprocess.run([sys.executable, "-c", CHILD, *command], capture_output=True, text=True, check=True)
    first, _, rest = done.stdout.partition("\n")
    code, seconds, peak = first.split()
    return int(code), float(seconds), int(peak), rest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000, 10_000_000, 100_000_000])
    parser.add_argument("--keep", type=Path, help="write the files here (default: a temporary folder)")
    parser.add_argument("--batch-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    cli = str(Path(sys.executable).parent / "ssc-mining")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{'events':>12} {'step':<28} {'seconds':>9} {'peak':>10}  result", flush=True)
        for n in args.events:
            source = folder / f"synthetic-{n}.parquet"
            if not source.exists():
                start = time.perf_counter()
                write_parquet(source, n)
                print(f"{n:>12,} {'write Parquet':<28} {time.perf_counter() - start:>9.1f} {'':>10}  "
                      f"{source.stat().st_size / 2**20:,.0f} MiB", flush=True)
            database = folder / f"synthetic-{n}.duckdb"
            code, seconds, peak, out = measure(cli, "import", str(source), "--db", str(database), "--replace",
                                               "--batch-rows", str(args.batch_rows), "--quiet")
            summary = next((line for line in out.splitlines() if line.startswith(("Read ", "Error"))), out[-200:])
            print(f"{n:>12,} {'import (DuckDB, batches)':<28} {seconds:>9.1f} {peak / 2**30:>6.2f} GiB  "
                  f"{summary}", flush=True)
            if code:
                continue
            code, seconds, peak, out = measure(cli, "report", str(database), "-o", str(folder / f"report-{n}"),
                                               "--quiet")
            summary = "written" if not code else next((line for line in out.splitlines()
                                                       if line.startswith("Error")), out[-200:])
            print(f"{n:>12,} {'report (pandas, database)':<28} {seconds:>9.1f} {peak / 2**30:>6.2f} GiB  "
                  f"{summary[:150]}", flush=True)


if __name__ == "__main__":
    main()
