"""Readers for Excel (.xlsx) and Parquet files into a :class:`RawTable`.

Excel cells are read as text (dates as ``YYYY-MM-DD HH:MM:SS``), so case ids
keep leading zeros and timestamps go through the same format decision as CSV.
Row numbers are the spreadsheet's own (header = row 1).

Before openpyxl or pyarrow load anything, the limits are checked on what the
file declares: an .xlsx's unpacked part sizes and packing ratios (from the zip
directory, which Python's zipfile enforces) and the rows and columns its sheet
declares; a Parquet file's rows and unpacked size (from its footer).

Example:
    >>> import tempfile, pandas as pd
    >>> path = tempfile.mkdtemp() + "/tickets.xlsx"
    >>> pd.DataFrame({"Nummer": ["007"], "Status": ["Open"]}).to_excel(path, index=False)
    >>> raw = read_excel(path)
    >>> int(raw.source_rows[0]), raw.frame.loc[0, "Nummer"]
    (2, '007')
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from ssc_mining.errors import EmptyInputError, FormatError, SSCMiningError
from ssc_mining.loaders.limits import Limits, current
from ssc_mining.loaders.raw import RawTable, dedupe_names

_EXCEL_MAX_COLUMNS = 16_384  # XFD
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?"')


def read_excel(path: str | Path, *, sheet: str | int = 0) -> RawTable:
    """Read the first (or named) sheet of an .xlsx file, every cell as text."""
    path = Path(path)
    limits = current()
    _check_workbook(path, sheet, limits)
    try:
        frame = pd.read_excel(path, sheet_name=sheet, dtype=str, header=0, engine="openpyxl",
                              nrows=limits.max_rows + 1 if limits.max_rows else None)
    except (MemoryError, RecursionError, OSError):
        raise  # explained by the caller
    except ValueError as err:
        raise FormatError(f"the Excel file cannot be read: {err}", path=path,
                          hint="give the sheet name with --sheet, or save the sheet as CSV") from None
    except Exception as err:  # openpyxl raises zipfile/KeyError types for damaged files
        raise FormatError(f"the Excel file cannot be read: {type(err).__name__}: {err}", path=path,
                          hint="open it in Excel and save it again as .xlsx") from None
    if frame.empty:
        raise EmptyInputError("the sheet has a header row but no data rows", path=path)
    limits.check_rows(len(frame), path=path, at_least=True)
    names, notes = dedupe_names([str(c) for c in frame.columns])
    frame.columns = names
    return RawTable(frame=frame, source_rows=frame.index.to_numpy(dtype=np.int64) + 2, reader="excel",
                    details={"sheet": sheet}, notes=notes)


def read_parquet(path: str | Path) -> RawTable:
    """Read a Parquet file; typed columns (timestamps, numbers) keep their type."""
    path = Path(path)
    limits = current()
    try:
        _check_parquet(path, limits)
        frame = pd.read_parquet(path)
    except (SSCMiningError, MemoryError, RecursionError, PermissionError):
        raise
    except Exception as err:  # pyarrow raises ArrowInvalid/OSError for damaged files
        raise FormatError(f"the Parquet file cannot be read: {err}", path=path,
                          hint="export it again; the copy is probably incomplete") from None
    if frame.empty:
        raise EmptyInputError("the Parquet file holds no rows", path=path)
    frame = frame.reset_index(drop=True)
    return RawTable(frame=frame, source_rows=np.arange(1, len(frame) + 1, dtype=np.int64), reader="parquet",
                    details={"row_numbering": "position of the row in the file (1 = first row)"})


def _check_workbook(path: Path, sheet: str | int, limits: Limits) -> None:
    """Part sizes and packing ratios from the zip directory, and the sheet's declared size, against the limits."""
    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
        limits.check_bytes(sum(p.file_size for p in parts), path=path, what="the Excel file")
        for part in parts:
            limits.check_ratio(part.file_size, part.compress_size, path=path,
                               what=f"the part {part.filename!r} of the Excel file", declared=True)
        target = _sheet_part(archive, sheet)
        if target is None:
            return
        with archive.open(target) as stream:
            head = stream.read(1 << 16)
    found = _DIMENSION.search(head)
    if found is None:
        return
    last_column, last_row = (found.group(3), found.group(4)) if found.group(3) else found.group(1, 2)
    columns = 0
    for letter in last_column:
        columns = columns * 26 + letter - 64
    if columns > _EXCEL_MAX_COLUMNS:
        raise FormatError(f"the sheet declares {columns:,} columns, more than Excel allows ({_EXCEL_MAX_COLUMNS:,})",
                          path=path, hint="open it in Excel and save it again, or save the sheet as CSV")
    limits.check_rows(int(last_row) - 1, path=path)  # the header is row 1


def _sheet_part(archive: zipfile.ZipFile, sheet: str | int) -> str | None:
    """The zip member of the sheet to read, from ``xl/workbook.xml`` and its relationships."""
    try:
        with archive.open("xl/workbook.xml") as stream:
            workbook = stream.read(1 << 20).decode("utf-8", "replace")
        with archive.open("xl/_rels/workbook.xml.rels") as stream:
            rels = stream.read(1 << 20).decode("utf-8", "replace")
    except KeyError:
        return None
    sheets = []
    for tag in re.findall(r"<(?:\w+:)?sheet\b([^>]*)>", workbook):
        name, rid = re.search(r'\bname="([^"]*)"', tag), re.search(r'\b\w+:id="([^"]*)"', tag)
        if name and rid:
            sheets.append((name.group(1), rid.group(1)))
    if isinstance(sheet, int):
        chosen = sheets[sheet] if -len(sheets) <= sheet < len(sheets) else None
    else:
        chosen = next((s for s in sheets if s[0] == sheet), None)
    if chosen is None:
        return None
    for attrs in re.findall(r"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        target = re.search(r'\bTarget="([^"]*)"', attrs)
        if re.search(rf'\bId="{re.escape(chosen[1])}"', attrs) and target:
            part = target.group(1)
            return part.lstrip("/") if part.startswith("/") else str(PurePosixPath("xl") / part)
    return None


def _check_parquet(path: Path, limits: Limits) -> None:
    """Rows and unpacked size from the Parquet footer, before any column is read."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    limits.check_rows(meta.num_rows, path=path)
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    limits.check_bytes(unpacked, path=path, what="the Parquet file")
