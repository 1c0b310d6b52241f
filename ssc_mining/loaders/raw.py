"""The raw table every reader returns, before columns are mapped.

Example:
    >>> import pandas as pd, numpy as np
    >>> raw = RawTable(pd.DataFrame({"a": ["1"]}), np.array([2]), reader="csv")
    >>> raw.rows_read
    1
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining.i18n import N_


@dataclass
class RejectedRow:
    """A source row that could not be read as a record, with its reason."""

    source_row: int | None
    reason: str
    raw: str


@dataclass
class RawTable:
    """Columns as found in the file; ``source_rows`` numbers each row of ``frame``."""

    frame: pd.DataFrame
    source_rows: np.ndarray
    reader: str
    rejected: list[RejectedRow] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: records in the file when rows of ``frame`` are not one-to-one with them (a profile that
    #: turns one snapshot row into several events sets it)
    rows_total: int | None = None
    #: records that produce no event by design, per reason (e.g. a history row that changed nothing relevant)
    skipped: dict[str, int] = field(default_factory=dict)
    #: rows set aside per case id (filled by :func:`~ssc_mining.loaders.build.build_event_log`), so that a
    #: batched import can flag a ticket whose rows were set aside in another batch
    set_aside_by_case: pd.Series | None = None

    @property
    def rows_read(self) -> int:
        """Records in the file: readable ones plus rejected ones."""
        return self.rows_total if self.rows_total is not None else len(self.frame) + len(self.rejected)


def dedupe_names(names: list[str]) -> tuple[list[str], list[str]]:
    """Make column names unique the way pandas does (``Status``, ``Status.1``); returns notes.

    >>> dedupe_names(["a", "b", "a"])
    (['a', 'b', 'a.1'], ["column name 'a' appears 2 times; read as 'a', 'a.1'"])
    """
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        name = name.strip() or "unnamed"
        if name in seen:
            seen[name] += 1
            new = f"{name}.{seen[name] - 1}"
            while new in seen:
                seen[name] += 1
                new = f"{name}.{seen[name] - 1}"
            out.append(new)
            seen[new] = 1
        else:
            seen[name] = 1
            out.append(name)
    notes = []
    for name, count in seen.items():
        if count > 1:
            variants = [name] + [f"{name}.{i}" for i in range(1, count)]
            notes.append(N_("column name %(name)s appears %(n)s times; read as %(names)s")
                         % {"name": repr(name), "n": count, "names": ", ".join(repr(v) for v in variants)})
    return out, notes
