"""Provenance: where an event log came from and what was done to read it.

Auditors need to trace every figure to the input: the file's SHA-256 and
size, the loader and mapping, the decisions taken while reading (encoding,
delimiter, timestamp format and day/month order with the evidence), and the
row reconciliation ``rows_read == rows_used + rows_quarantined``.

Example:
    >>> p = Provenance(source=SourceFile("x.csv", 10, "ab" * 32), loader="csv")
    >>> p.rows_read, p.reconciles()
    (0, True)
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

_DEPENDENCIES = ("ssc-mining", "pm4py", "pandas", "pyarrow", "numpy", "networkx", "plotly", "jinja2", "openpyxl",
                 "grandalf")


@dataclass(frozen=True)
class SourceFile:
    """An input file identified exactly: name, size in bytes and SHA-256."""

    name: str
    size: int
    sha256: str

    @classmethod
    def of(cls, path: str | Path) -> SourceFile:
        """Hash ``path`` in 1 MiB blocks (memory stays flat for big files)."""
        path = Path(path)
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return cls(name=path.name, size=path.stat().st_size, sha256=digest.hexdigest())


def tool_versions() -> dict[str, str]:
    """Versions of Python, ssc_mining and its main dependencies."""
    versions = {"python": platform.python_version()}
    for name in _DEPENDENCIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@dataclass
class Provenance:
    """Everything needed to trace an event log back to its source."""

    source: SourceFile
    loader: str
    profile: str = "generic"
    profile_detection: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    timestamps: dict[str, dict[str, Any]] = field(default_factory=dict)
    timezone: str = "Europe/Amsterdam"
    rows_read: int = 0
    rows_used: int = 0
    rows_quarantined: int = 0
    #: records that produce no event by design, per reason (counted, never silent)
    rows_skipped: dict[str, int] = field(default_factory=dict)
    #: events in the log (equals rows_used when each row is one event)
    events: int = 0
    #: rows per reason; a row with two problems counts under both
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    quarantine_file: str | None = None
    #: tickets of the log that lost at least one row to the quarantine (flagged ``case:ssc:rows_set_aside``)
    cases_with_rows_set_aside: int = 0
    notes: list[str] = field(default_factory=list)
    #: every other file that went into the run (mapping file, people directory, side tables, reference model,
    #: plugins): role, name, size and SHA-256 (see :mod:`ssc_mining.eventlog.inputs`)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=tool_versions)
    #: the filters the tickets were selected with, in order, each with its counts (see
    #: :mod:`ssc_mining.selection.filters`); empty: every ticket of the input
    filters: list[dict[str, Any]] = field(default_factory=list)
    #: tickets and events before the filters (None without filters)
    tickets_before_filters: int | None = None
    events_before_filters: int | None = None

    def reconciles(self) -> bool:
        """True when rows read = rows used + rows quarantined + rows skipped by design."""
        return self.rows_read == self.rows_used + self.rows_quarantined + sum(self.rows_skipped.values())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (keys sorted when dumped)."""
        data = asdict(self)
        data["reconciles"] = self.reconciles()
        if not self.filters:   # a report of every ticket reads as before filters existed
            for key in ("filters", "tickets_before_filters", "events_before_filters"):
                data.pop(key)
        return data
