"""Benchmark: the memory a report is estimated to need before reading (``ssc_mining.loaders.footprint``) next to
the peak it measures, per file.

Each ``ssc-mining report`` (one language) runs in a fresh process, so its peak (max RSS) is its own.
The files are synthetic CSVs of the given sizes (as in ``bench_report.py``), the same events imported into a
DuckDB database (``ssc-mining import``), and the real XES logs when ``../shared/data/real`` is there. An estimate
below the measured peak (ratio under 1.0) would let a file through that does not fit: the factors are set so
that it stays above. Not a test: the figures depend on the machine.

Usage: python benchmarks/bench_footprint.py [--events 100000 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keep", type=Path, help="write the files here (default: a temporary folder)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_report import make_csv

    from ssc_mining.loaders.footprint import footprint
    from ssc_mining.loaders.importer import import_export
    from ssc_mining.loaders.sniff import detect_kind
    from ssc_mining.loaders.unpack import peek_kind

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for n in args.events:
            csv = folder / f"synthetic-{n}.csv"
            if not csv.exists():
                make_csv(csv, n, 20_000)
            database = folder / f"synthetic-{n}.duckdb"
            if not database.exists():
                import_export(csv, database)
            files += [csv, database]
        files += sorted(REAL.glob("*/*.xes.gz")) if REAL.exists() else []
        print(f"{'file':<40} {'kind':<8} {'unpacked':>12} {'estimate':>10} {'peak':>10} {'estimate/peak':>14}")
        cli = str(Path(sys.executable).parent / "ssc-mining")
        for path in files:
            if path.suffix == ".duckdb":
                found = footprint(path, "duckdb")
            else:
                kind = detect_kind(path)
                found = footprint(path, kind, inner=peek_kind(path) if kind in ("gzip", "zip") else None)
            if found is None:
                continue
            done = subprocess.run([sys.executable, "-c", CHILD, cli, "report", str(path), "-o", str(folder / "report"),
                                   "--quiet", "--max-memory", "0"], capture_output=True, text=True, check=True)
            peak = int(done.stdout.strip().splitlines()[-1])
            print(f"{path.name[:40]:<40} {found.kind:<8} {found.unpacked / 2**20:>9,.0f} MiB "
                  f"{found.needed / 2**20:>6,.0f} MiB {peak / 2**20:>6,.0f} MiB {found.needed / peak:>14.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
