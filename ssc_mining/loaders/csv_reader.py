"""Read a delimited text export into a :class:`RawTable` of strings.

Encoding and delimiter are detected (or given); every value is read as text,
so case ids such as ``00123`` or ``1e5`` stay as they are. Rows with too few
or too many fields are not padded or skipped in silence: they are returned as
rejected rows with their row number (header = row 1) and the reason. Fields of
any length are read (beyond the csv module's 128 KiB and pyarrow's block size);
the row limit is checked on a count of lines before the file is parsed.

Example:
    >>> raw = read_csv("data/samples/generic-events.csv")
    >>> raw.details["delimiter"]
    ','
"""

from __future__ import annotations

import codecs
import mmap
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ssc_mining.errors import EmptyInputError, FormatError
from ssc_mining.i18n import N_
from ssc_mining.loaders.limits import Limits, current
from ssc_mining.loaders.raw import RawTable, RejectedRow, dedupe_names
from ssc_mining.loaders.sniff import csv_rows, detect_delimiter, detect_encoding, read_head
from ssc_mining.memory import release_unused

_MAX_BLOCK = (1 << 31) - 1  # pyarrow's largest block
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def read_csv(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    null_values: tuple[str, ...] = ("",),
) -> RawTable:
    """Read ``path`` as CSV; detect encoding and delimiter unless given.

    Without a given encoding a file is read as UTF-8 (``utf-8-sig`` with a byte-order mark), which the CSV
    parser checks as it reads; only when that check fails is the whole file checked for UTF-8 and
    Windows-1252 (:func:`~ssc_mining.loaders.sniff.detect_encoding`) and read again.
    """
    path = Path(path)
    if encoding is None:
        try:
            return _read_csv(path, _utf8_or_bom(path), delimiter, null_values)
        except _NotUtf8:
            encoding = detect_encoding(path)   # cp1252, or a clear error when it is neither
    try:
        return _read_csv(path, encoding, delimiter, null_values)
    except _NotUtf8:
        raise FormatError(f"the file is not valid {encoding}", path=path,
                          hint="give the right --encoding (utf-8 or cp1252)") from None


class _NotUtf8(Exception):
    """The parser found bytes that are not UTF-8."""


def _utf8_or_bom(path: Path) -> str:
    with path.open("rb") as handle:
        return "utf-8-sig" if handle.read(3) == codecs.BOM_UTF8 else "utf-8"


def _read_csv(path: Path, encoding: str, delimiter: str | None, null_values: tuple[str, ...]) -> RawTable:
    limits = current()
    delimiter, names, notes = csv_header(path, encoding, delimiter)
    pa_encoding = arrow_encoding(encoding)
    if limits.max_rows and _count_lines(path, limits.max_rows + 2) > limits.max_rows + 1:
        _check_records(path, names, delimiter, pa_encoding, null_values, limits)  # lines may hold quoted breaks
    table, rejected = _parse(path, names, delimiter, pa_encoding, null_values, threads=True)
    if rejected and any(r.source_row is None for r in rejected):
        table, rejected = _parse(path, names, delimiter, pa_encoding, null_values, threads=False)
    if table.num_rows == 0 and not rejected:
        raise EmptyInputError("the file has a header row but no data rows", path=path,
                              hint="export the tickets again, with at least one ticket in the selection")
    total = table.num_rows + len(rejected)
    bad = np.array([r.source_row for r in rejected], dtype=np.int64)
    source_rows = np.setdiff1d(np.arange(2, total + 2, dtype=np.int64), bad, assume_unique=True)
    frame = table.to_pandas()
    del table
    release_unused()   # the parser's working blocks, before the columns are read
    return RawTable(
        frame=frame,
        source_rows=source_rows,
        reader="csv",
        rejected=rejected,
        details={"encoding": encoding, "delimiter": delimiter,
                 "delimiter_name": DELIMITER_NAMES.get(delimiter, delimiter)},
        notes=notes,
    )


def csv_header(path: Path, encoding: str, delimiter: str | None) -> tuple[str, list[str], list[str]]:
    """The delimiter (detected unless given), the column names (made unique) and notes on the names."""
    head = read_head(path, encoding)
    delimiter = delimiter or detect_delimiter(head)
    header_row = next(iter(csv_rows(head, delimiter)), None)
    if not header_row or not any(h.strip() for h in header_row):
        raise EmptyInputError("the file has no header row", path=path,
                              hint="the first line must name the columns")
    names, notes = dedupe_names([h.lstrip("\ufeff") for h in header_row])
    return delimiter, names, notes


def arrow_encoding(encoding: str) -> str:
    """The name pyarrow's CSV reader knows the encoding by."""
    return "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding


def rejecting(rejected: list[RejectedRow]) -> Any:
    """pyarrow's handler of records with too few or too many fields: each is added to ``rejected`` with its row
    number and reason, and skipped."""
    def on_invalid(row: pacsv.InvalidRow) -> str:
        few = row.actual_columns < row.expected_columns
        reason = (N_("too few fields: %(found)s instead of %(expected)s") if few
                  else N_("too many fields: %(found)s instead of %(expected)s")) \
            % {"found": row.actual_columns, "expected": row.expected_columns}
        rejected.append(RejectedRow(row.number, reason, row.text[:500]))
        return "skip"

    return on_invalid


def _parse(path: Path, names: list[str], delimiter: str, encoding: str,
           null_values: tuple[str, ...], *, threads: bool) -> tuple[pa.Table, list[RejectedRow]]:
    rejected: list[RejectedRow] = []
    on_invalid = rejecting(rejected)
    size = path.stat().st_size
    block = max(1 << 22, min(size + 1, 1 << 26))
    while True:
        rejected.clear()
        try:
            table = pacsv.read_csv(path, **csv_options(names, delimiter, encoding, null_values, on_invalid,
                                                    threads=threads, block_size=block))
        except pa.ArrowInvalid as err:
            if "invalid UTF8" in str(err) and encoding == "utf8":
                raise _NotUtf8 from None
            if "straddling" in str(err) and block <= size:  # one value longer than a block: read in bigger ones
                block = min(block * 4, size + 1, _MAX_BLOCK)
                continue
            raise FormatError(f"the CSV cannot be parsed: {err}", path=path,
                              hint="check quoting (an unclosed \" swallows the rest of the file) "
                                   "or give --delimiter and --encoding") from None
        return table, rejected


def csv_options(names: list[str], delimiter: str, encoding: str, null_values: tuple[str, ...],
             on_invalid: Any, *, threads: bool, block_size: int) -> dict[str, Any]:
    return {
        "read_options": pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=encoding,
                                          use_threads=threads, block_size=block_size),
        "parse_options": pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                            invalid_row_handler=on_invalid),
        # large_string: the type of pandas' text columns, so that to_pandas need not copy every text's offsets
        "convert_options": pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                null_values=list(null_values), strings_can_be_null=True,
                                                quoted_strings_can_be_null=True),
    }


def _count_lines(path: Path, stop: int) -> int:
    """Line breaks in the file, counted in 16 MiB blocks of a memory map (no copy: twice as fast as reading
    it); stops counting past ``stop``."""
    if path.stat().st_size == 0:
        return 0
    lines = 0
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        data = np.frombuffer(mapped, dtype=np.uint8)
        for start in range(0, len(data), 1 << 24):
            lines += int(np.count_nonzero(data[start:start + (1 << 24)] == 0x0A))
            if lines > stop:
                break
        del data   # the map closes only once no array looks into it
    return lines


def _check_records(path: Path, names: list[str], delimiter: str, encoding: str, null_values: tuple[str, ...],
                   limits: Limits) -> None:
    """More lines than the row limit allows: count the records (streaming) and stop as soon as it is passed."""
    size = path.stat().st_size
    options = csv_options(names, delimiter, encoding, null_values, lambda row: "skip", threads=True,
                       block_size=max(1 << 22, min(size + 1, 1 << 26)))
    records = 0
    try:
        for batch in pacsv.open_csv(path, **options):
            records += batch.num_rows
            limits.check_rows(records, path=path, at_least=True)
    except pa.ArrowInvalid:
        pass  # the full read reports it, with its message
