"""Shared machinery of the export writers: a writer receives batches and appends them to its file(s).

Every writer opens its file(s) when created, takes :class:`~ssc_mining.simulate.batch.Batch`
objects one after another (so exports stream), and finishes in :meth:`ExportWriter.close`.
Output is deterministic: fixed line endings, no timestamps of the run, no set order.

Example:
    >>> import io, pandas as pd
    >>> buf = io.StringIO()
    >>> write_rows(buf, pd.DataFrame({"a": ["1", "x;y"]}), sep=";", header=True)
    >>> buf.getvalue()
    'a\\r\\n1\\r\\n"x;y"\\r\\n'
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from ssc_mining.simulate.batch import Batch


def write_rows(handle: IO[str], frame: pd.DataFrame | dict[str, np.ndarray], *, sep: str, header: bool,
               eol: str = "\r\n", na: str = "") -> None:
    """Append ``frame`` (text columns; missing becomes ``na``) to an open text handle, quoting only where needed.

    Columns without separators, quotes or line breaks are joined directly (fast path); otherwise the
    :mod:`csv` module quotes them.
    """
    names = [str(c) for c in frame.keys()]
    columns = []
    for name in frame.keys():
        values = np.asarray(frame[name], dtype=object)
        missing = pd.isna(values)
        if missing.any():
            values = np.where(missing, na, values)
        columns.append(values)
    special = (sep, '"', "\n", "\r")
    texts = names + ["\x00".join(col.tolist()) for col in columns]
    plain = not any(ch in text for text in texts for ch in special)
    if plain:
        if header:
            handle.write(sep.join(names) + eol)
        if columns and len(columns[0]):
            line = columns[0]
            for col in columns[1:]:
                line = line + sep + col
            handle.write(eol.join(line.tolist()) + eol)
        return
    writer = csv.writer(handle, delimiter=sep, lineterminator=eol, quoting=csv.QUOTE_MINIMAL)
    if header:
        writer.writerow(names)
    writer.writerows(zip(*(c.tolist() for c in columns)))


class ExportWriter:
    """Base class: one export format, one main file (plus optional side files in :attr:`extra`)."""

    format = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.extra: dict[str, Path] = {}
        self._first = True

    def write(self, batch: Batch) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class CsvWriter(ExportWriter):
    """A writer of one delimited text file; subclasses turn a batch into a frame of text."""

    sep = ","
    encoding = "utf-8"
    eol = "\n"
    na = ""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._handle = open(path, "w", encoding=self.encoding, newline="", errors="strict")

    def rows(self, batch: Batch) -> pd.DataFrame | dict[str, np.ndarray]:
        raise NotImplementedError

    def write(self, batch: Batch) -> None:
        write_rows(self._handle, self.rows(batch), sep=self.sep, header=self._first, eol=self.eol, na=self.na)
        self._first = False

    def close(self) -> None:
        self._handle.close()
