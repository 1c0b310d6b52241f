"""The generic profiles: ``csv`` (any table: CSV, Excel, Parquet) and ``xes``.

Both map columns by name (see :mod:`ssc_mining.loaders.mapping`); they exist
so that ``--profile csv`` / ``--profile xes`` can be asked for explicitly.

Example:
    >>> GenericTable().to_events(None, None) is None
    True
"""

from __future__ import annotations

from typing import Any

from ssc_mining.loaders.profiles import Profile, ProfiledTable
from ssc_mining.loaders.raw import RawTable


class GenericTable(Profile):
    """Any table with one row per event; columns mapped by name or options."""

    name = "csv"
    description = "Generic event table (CSV, Excel, Parquet): one row per event, columns mapped by name."

    def detect(self, raw: RawTable) -> str | None:
        return "a table with one row per event" if raw.reader != "xes" else None

    def to_events(self, raw: RawTable, spec: Any) -> ProfiledTable | None:
        return None


class Xes(GenericTable):
    """An XES event log (IEEE 1849); standard keys map to themselves."""

    name = "xes"
    description = "XES / XES.gz event log (IEEE 1849), read with pm4py."

    def detect(self, raw: RawTable) -> str | None:
        return "an XES event log" if raw.reader == "xes" else None
