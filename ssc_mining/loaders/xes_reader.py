"""Read XES and XES.gz (IEEE 1849) event logs with pm4py into a :class:`RawTable`.

Each event is one row; trace attributes come with pm4py's ``case:`` prefix.
The row number of an event is its position in the file (1 = first event).
Events without a ``time:timestamp`` are kept here and quarantined later with
that reason, like rows of any other file.

Example:
    >>> raw = read_xes("data/samples/events.xes.gz")
    >>> raw.rows_read
    3724
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ssc_mining._pm4py import import_pm4py, quiet
from ssc_mining.errors import EmptyInputError, FormatError
from ssc_mining.loaders.raw import RawTable


def read_xes(path: str | Path) -> RawTable:
    """Read an XES file (plain or gzip-compressed) with pm4py, quietly."""
    path = Path(path)
    pm4py = import_pm4py()  # slow import (≈1.5 s): only when an XES file is read
    try:
        with quiet():
            frame = pm4py.read_xes(os.fspath(path), show_progress_bar=False)
    except Exception as err:  # pm4py/lxml raise many types for a broken file
        raise FormatError(f"the XES file cannot be read: {type(err).__name__}: {err}", path=path,
                          hint="check that the file is a complete XES export (XML, optionally gzip-compressed)") from None
    if frame is None or len(frame) == 0:
        raise EmptyInputError("the XES file holds no events", path=path, hint="export the log again")
    frame = frame.reset_index(drop=True)
    return RawTable(frame=frame, source_rows=np.arange(1, len(frame) + 1, dtype=np.int64), reader="xes",
                    details={"row_numbering": "position of the event in the file (1 = first event)"})
