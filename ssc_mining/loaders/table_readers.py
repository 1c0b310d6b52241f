"""Readers for Excel (.xlsx) and Parquet files into a :class:`RawTable`.

Excel cells are read as text (dates as ``YYYY-MM-DD HH:MM:SS``), so case ids
keep leading zeros and timestamps go through the same format decision as CSV.
Row numbers are the spreadsheet's own (header = row 1).

Example:
    >>> import tempfile, pandas as pd
    >>> path = tempfile.mkdtemp() + "/tickets.xlsx"
    >>> pd.DataFrame({"Nummer": ["007"], "Status": ["Open"]}).to_excel(path, index=False)
    >>> raw = read_excel(path)
    >>> int(raw.source_rows[0]), raw.frame.loc[0, "Nummer"]
    (2, '007')
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ssc_mining.errors import EmptyInputError, FormatError
from ssc_mining.loaders.raw import RawTable, dedupe_names


def read_excel(path: str | Path, *, sheet: str | int = 0) -> RawTable:
    """Read the first (or named) sheet of an .xlsx file, every cell as text."""
    path = Path(path)
    try:
        frame = pd.read_excel(path, sheet_name=sheet, dtype=str, header=0, engine="openpyxl")
    except ValueError as err:
        raise FormatError(f"the Excel file cannot be read: {err}", path=path,
                          hint="give the sheet name with --sheet, or save the sheet as CSV") from None
    except Exception as err:  # openpyxl raises zipfile/KeyError types for damaged files
        raise FormatError(f"the Excel file cannot be read: {type(err).__name__}: {err}", path=path,
                          hint="open it in Excel and save it again as .xlsx") from None
    if frame.empty:
        raise EmptyInputError("the sheet has a header row but no data rows", path=path)
    names, notes = dedupe_names([str(c) for c in frame.columns])
    frame.columns = names
    return RawTable(frame=frame, source_rows=frame.index.to_numpy(dtype=np.int64) + 2, reader="excel",
                    details={"sheet": sheet}, notes=notes)


def read_parquet(path: str | Path) -> RawTable:
    """Read a Parquet file; typed columns (timestamps, numbers) keep their type."""
    path = Path(path)
    try:
        frame = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises ArrowInvalid/OSError for damaged files
        raise FormatError(f"the Parquet file cannot be read: {err}", path=path) from None
    if frame.empty:
        raise EmptyInputError("the Parquet file holds no rows", path=path)
    frame = frame.reset_index(drop=True)
    return RawTable(frame=frame, source_rows=np.arange(1, len(frame) + 1, dtype=np.int64), reader="parquet",
                    details={"row_numbering": "position of the row in the file (1 = first row)"})
