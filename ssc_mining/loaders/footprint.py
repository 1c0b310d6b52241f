"""How much memory an analysis in memory (pandas) will need, estimated before a file is read.

A report holds the whole log in memory. Reading a file far larger than the machine's memory would end in a
crash or in days of swapping, so :func:`check_memory` estimates the peak from what the file declares and stops
with a message when it passes what the machine has available (``--max-memory`` / ``SSC_MINING_MAX_MEMORY``
give another ceiling; ``0`` switches the check off).

The estimate is a fixed part (the libraries of a report, about 400 MiB) plus a factor times the file's unpacked
bytes, the factor per kind measured on this project's benchmarks (``benchmarks/bench_footprint.py`` prints
estimate and measured peak side by side):

* CSV: 3.0 times its bytes (peaks measured: 2.4 times above the fixed part at 1M events, 2.4 at 5M);
* XES: 4.5 times its unpacked bytes (measured up to 4.2 above the fixed part, on the BPI Challenge 2020 permits);
* Parquet: 3.0 times its uncompressed column bytes (from the footer);
* Excel: 3.0 times its unpacked parts (from the zip directory); JSON: 6.0 times its bytes;
* a database from ``ssc-mining import``: 3.5 times its rows times the bytes of one row written as CSV
  (column widths from a sample of 10,000 events).

Packed files count their unpacked size (a zip's directory, a gzip's trailer); for .bz2 and .xz, which do not
state it, the check is not made.

Example:
    >>> estimate_bytes(10 * MiB, "csv") / MiB
    430.0
"""

from __future__ import annotations

import os
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ssc_mining.errors import InputError

MiB = 1 << 20
GiB = 1 << 30
#: the interpreter and the libraries of a report, whatever the file
BASE = 400 * MiB
#: peak bytes per unpacked byte of the file, per kind
FACTORS = {"csv": 3.0, "xes": 4.5, "parquet": 3.0, "xlsx": 3.0, "json": 6.0, "duckdb": 3.5}


def estimate_bytes(unpacked: int, kind: str) -> int:
    """The estimated peak memory of a report on a file of ``kind`` with ``unpacked`` bytes."""
    return int(BASE + FACTORS.get(kind, 3.0) * unpacked)


@dataclass(frozen=True)
class Footprint:
    """A file's unpacked bytes, how they were found, and the peak they are estimated to need."""

    kind: str
    unpacked: int
    basis: str

    @property
    def needed(self) -> int:
        return estimate_bytes(self.unpacked, self.kind)


def footprint(path: Path, kind: str, *, inner: str | None = None) -> Footprint | None:
    """The footprint of ``path`` (``kind`` from :func:`~ssc_mining.loaders.sniff.detect_kind`; ``inner`` the kind
    inside a packed file); None when the file does not state its unpacked size."""
    size = path.stat().st_size
    if kind == "gzip":
        with path.open("rb") as handle:   # the trailer holds the unpacked size modulo 4 GiB
            handle.seek(-4, os.SEEK_END)
            declared = struct.unpack("<I", handle.read(4))[0]
        while declared < size:   # more than 4 GiB unpacked: the smallest size it can be
            declared += 1 << 32
        return Footprint(inner or "csv", declared, "unpacked size from the gzip trailer")
    if kind == "zip":
        with zipfile.ZipFile(path) as archive:
            largest = max((i.file_size for i in archive.infolist()), default=0)
        return Footprint(inner or "csv", largest, "unpacked size from the zip directory")
    if kind in ("bz2", "xz"):
        return None
    if kind == "xlsx":
        with zipfile.ZipFile(path) as archive:
            return Footprint(kind, sum(i.file_size for i in archive.infolist()), "unpacked parts of the workbook")
    if kind == "parquet":
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        return Footprint(kind, unpacked, "uncompressed column bytes from the Parquet footer")
    if kind == "duckdb":
        return _database(path)
    return Footprint(kind, size, "the file's size")


def _database(path: Path) -> Footprint | None:
    import duckdb

    try:
        with duckdb.connect(str(path), read_only=True) as connection:
            rows = connection.execute("SELECT count(*) FROM events").fetchone()
            columns = [c[0] for c in connection.execute("DESCRIBE events").fetchall()]
            widths = " + ".join(f'coalesce(length(CAST("{c}" AS VARCHAR)), 0) + 1' for c in columns)
            width = connection.execute(f"SELECT avg({widths}) FROM (SELECT * FROM events LIMIT 10000)").fetchone()
    except duckdb.Error:
        return None   # not an import's database: reading it explains why
    n, per_row = (rows[0] if rows else 0), float(width[0] or 0) if width else 0.0
    return Footprint("duckdb", int(n * per_row), f"{n:,} events of about {per_row:.0f} bytes as CSV")


def available_bytes() -> int | None:
    """The memory this process may still use: the system's available memory, and the control group's room
    when it sets a limit (containers); None when neither can be read (not Linux)."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except OSError:
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
        if limit != "max":
            found.append(max(int(limit) - used, 0))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def check_memory(path: Path, kind: str, *, ceiling: int, inner: str | None = None) -> None:
    """Raise :class:`InputError` when a report on ``path`` is estimated to need more than ``ceiling`` bytes
    (``-1``: what the machine has available now; ``0``: no check)."""
    if ceiling == 0:
        return
    limit = available_bytes() if ceiling < 0 else ceiling
    found = footprint(path, kind, inner=inner)
    if limit is None or found is None or found.needed <= limit:
        return
    what = "the memory this machine has available" if ceiling < 0 else "the --max-memory ceiling"
    raise InputError(
        f"a report on this file would need about {size_text(found.needed)} of memory, more than {what} "
        f"({size_text(limit)}); estimated from {size_text(found.unpacked)} ({found.basis})",
        path=path,
        hint=("report on it without loading every event: `ssc-mining report FILE --engine duckdb -o DIR` (the "
              "same report, computed in partitions of whole tickets; see docs/scale.md)"
              if kind == "duckdb" else
              "report on it with the DuckDB engine, which reads Parquet without loading every event: "
              "`ssc-mining report FILE --engine duckdb -o DIR`"
              if kind == "parquet" else
              "import it into a database (`ssc-mining import FILE --db tickets.duckdb`) and report on that with "
              "`--engine duckdb`; or run it on a machine with more memory, or export a shorter period")
        + "; --max-memory SIZE (or SSC_MINING_MAX_MEMORY) sets another ceiling, 0 switches the check off")


def size_text(n: int) -> str:
    """``12.35 GiB``, ``286.1 MiB``, ``82.2 KiB``: precise enough that two different sizes read differently."""
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:,.2f} {unit}" if unit == "GiB" else f"{n / scale:,.1f} {unit}"
    return f"{n:,} bytes"
