"""Read a CSV or Parquet export in batches of rows, so that an import never holds the whole file.

Each batch is a :class:`~ssc_mining.loaders.raw.RawTable` numbered as the whole-file readers number rows
(CSV: the header is row 1; Parquet: 1 is the first row), so a quarantined row points into the file. CSV is
parsed as a stream with one thread, because only then does pyarrow give every record it cannot read its row
number; such records are returned as rejected rows of the batch they fall in, as :func:`read_csv` does. The
encoding is checked on the whole file first (:func:`~ssc_mining.loaders.sniff.detect_encoding`, in 16 MiB
blocks) unless it is given. Other formats are not streamed: see :func:`streamable`.

Example:
    >>> from pathlib import Path
    >>> batches = list(read_batches(Path("data/samples/generic-events.csv"), "csv", rows=1_000))
    >>> [len(b.frame) for b in batches], int(batches[1].source_rows[0])
    ([1000, 1000, 1000, 724], 1002)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ssc_mining.errors import EmptyInputError, FormatError
from ssc_mining.loaders.csv_reader import DELIMITER_NAMES, arrow_encoding, csv_header, csv_options, rejecting
from ssc_mining.loaders.limits import cap_cells, current
from ssc_mining.loaders.raw import RawTable, RejectedRow
from ssc_mining.loaders.sniff import detect_encoding

#: bytes pyarrow parses at a time; a batch collects blocks until it holds the rows asked for
_BLOCK = 1 << 24


class LongerCells(Exception):
    """A value is longer than a parser block: read again with bigger blocks (``block`` bytes)."""

    def __init__(self, block: int) -> None:
        super().__init__(block)
        self.block = block


def streamable(kind: str) -> bool:
    """True for the kinds read in batches: plain CSV and Parquet (packed files, Excel, JSON and XES are read
    whole, as their readers need the whole file)."""
    return kind in ("csv", "parquet")


def read_batches(path: Path, kind: str, *, rows: int, encoding: str | None = None, delimiter: str | None = None,
                 block: int = _BLOCK) -> Iterator[RawTable]:
    """Batches of about ``rows`` rows of the export at ``path`` (``kind`` ``csv`` or ``parquet``).

    Raises :class:`LongerCells` when a CSV value does not fit in a block of ``block`` bytes.
    """
    if kind == "parquet":
        yield from _parquet_batches(path, rows)
    else:
        yield from _csv_batches(path, rows, encoding=encoding, delimiter=delimiter, block=block)


def _csv_batches(path: Path, rows: int, *, encoding: str | None, delimiter: str | None,
                 block: int) -> Iterator[RawTable]:
    encoding = encoding or detect_encoding(path)
    delimiter, names, notes = csv_header(path, encoding, delimiter)
    details = {"encoding": encoding, "delimiter": delimiter,
               "delimiter_name": DELIMITER_NAMES.get(delimiter, delimiter)}
    rejected: list[RejectedRow] = []
    pa_encoding = arrow_encoding(encoding)
    options = csv_options(names, delimiter, pa_encoding, ("",), rejecting(rejected), threads=False, block_size=block)
    limits = current()
    next_row, pending, yielded = 2, [], False
    try:
        for piece in pacsv.open_csv(path, **options):
            pending.append(piece)
            held = sum(p.num_rows for p in pending)
            while held >= rows:
                table = pa.Table.from_batches(pending)
                batch, next_row = _csv_batch(table.slice(0, rows), rejected, next_row, details,
                                             notes if not yielded else [])
                pending, held = table.slice(rows).to_batches(), held - rows
                batch.notes.extend(cap_cells(batch.frame, limits.max_cell_chars, batch.source_rows))
                yield batch
                yielded = True
    except pa.ArrowInvalid as err:
        if "straddling" in str(err):
            raise LongerCells(block * 4) from None
        raise FormatError(f"the CSV cannot be parsed: {err}", path=path,
                          hint="check quoting (an unclosed \" swallows the rest of the file) "
                               "or give --delimiter and --encoding") from None
    held = sum(p.num_rows for p in pending)
    if held or rejected or not yielded:
        table = pa.Table.from_batches(pending) if pending else None
        batch, next_row = _csv_batch(table, rejected, next_row, details, notes if not yielded else [], last=True)
        if not yielded and batch.rows_read == 0:
            raise EmptyInputError("the file has a header row but no data rows", path=path,
                                  hint="export the tickets again, with at least one ticket in the selection")
        batch.notes.extend(cap_cells(batch.frame, limits.max_cell_chars, batch.source_rows))
        yield batch


def _csv_batch(table: pa.Table | None, rejected: list[RejectedRow], first_row: int, details: dict[str, str],
               notes: list[str], *, last: bool = False) -> tuple[RawTable, int]:
    """``table``'s rows as a raw table, numbered from ``first_row`` on, skipping the rejected records before its
    last row (which are moved out of ``rejected`` into the batch; all that are left in the ``last`` batch).
    Returns the raw table and the row number after it."""
    n = table.num_rows if table is not None else 0
    numbers = np.array(sorted(r.source_row for r in rejected if r.source_row is not None), dtype=np.int64)
    candidates = np.arange(first_row, first_row + n + len(numbers), dtype=np.int64)
    source_rows = np.setdiff1d(candidates, numbers, assume_unique=True)[:n]
    after = int(source_rows[-1]) + 1 if n else first_row
    mine = [r for r in rejected if last or r.source_row is None or r.source_row < after]
    rejected[:] = [r for r in rejected if r not in mine]
    if last:
        after = max([after] + [r.source_row + 1 for r in mine if r.source_row is not None])
    frame = table.to_pandas() if table is not None else pa.table({}).to_pandas()
    raw = RawTable(frame=frame, source_rows=source_rows, reader="csv", rejected=mine, details=dict(details),
                   notes=list(notes))
    return raw, after


def _parquet_batches(path: Path, rows: int) -> Iterator[RawTable]:
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
        if handle.metadata.num_rows == 0:
            raise EmptyInputError("the Parquet file holds no rows", path=path)
        first = 1
        for piece in handle.iter_batches(batch_size=rows):
            frame = pa.Table.from_batches([piece]).to_pandas()
            numbers = np.arange(first, first + len(frame), dtype=np.int64)
            first += len(frame)
            raw = RawTable(frame=frame, source_rows=numbers, reader="parquet",
                           details={"row_numbering": "position of the row in the file (1 = first row)"})
            raw.notes.extend(cap_cells(raw.frame, current().max_cell_chars, raw.source_rows))
            yield raw
    except (EmptyInputError, MemoryError):
        raise
    except (pa.ArrowInvalid, OSError) as err:
        raise FormatError(f"the Parquet file cannot be read: {err}", path=path,
                          hint="export it again; the copy is probably incomplete") from None
