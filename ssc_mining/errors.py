"""The one exception tree of ssc_mining.

::

    SSCMiningError                 base: every error this package raises on purpose
    ├── InputError                 the input file cannot be used as it is
    │   ├── EmptyInputError        no bytes, or a header without data rows
    │   ├── FormatError            not a readable CSV / Excel / XES / Parquet file
    │   ├── MappingError           the column mapping names columns that are not there
    │   ├── TimestampError         a timestamp column cannot be decided or parsed
    │   └── StrictModeError        ``--strict`` and rows had to be quarantined
    ├── ConfigError                an option or a mapping file is wrong
    ├── ResourceError              the machine has too little memory or disk space for this run (exit 5)
    └── AnalyserFailedError        an analyser failed (fatal only with ``--strict``; exit 4)

The CLI turns each into a short message (which file, row or column, what to do)
and a non-zero exit; ``--debug`` shows the traceback.

Example:
    >>> try:
    ...     raise MappingError("no column 'Zaak'", path="x.csv", hint="use --case")
    ... except SSCMiningError as err:
    ...     print(err.message())
    x.csv: no column 'Zaak'
      What to do: use --case
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "SSCMiningError",
    "InputError",
    "EmptyInputError",
    "FormatError",
    "MappingError",
    "TimestampError",
    "StrictModeError",
    "ConfigError",
    "AnalyserFailedError",
    "ResourceError",
]


class SSCMiningError(Exception):
    """Base class of every error raised on purpose by ssc_mining."""

    exit_code = 2

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.row = row
        self.column = column
        self.hint = hint

    def message(self) -> str:
        """The text the CLI prints: where, what, and what to do."""
        where = []
        if self.path:
            where.append(self.path)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        head = ", ".join(where)
        text = f"{head}: {self.problem}" if head else self.problem
        if self.hint:
            text += f"\n  What to do: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.message()


class InputError(SSCMiningError):
    """The input file cannot be used as it is."""


class EmptyInputError(InputError):
    """The file has no bytes, or a header without any data rows."""


class FormatError(InputError):
    """The file is not a readable CSV, Excel, XES or Parquet file."""


class MappingError(InputError):
    """The column mapping names a column that the file does not have."""


class TimestampError(InputError):
    """A timestamp column cannot be decided (day/month order, format) or parsed."""


class StrictModeError(InputError):
    """``--strict`` was given and some rows had to be quarantined."""

    exit_code = 3


class ConfigError(SSCMiningError):
    """An option or a mapping file is wrong."""


class AnalyserFailedError(SSCMiningError):
    """An analyser raised or returned something that is not a Result (fatal only with ``--strict``)."""

    exit_code = 4


class ResourceError(SSCMiningError):
    """The run needs more memory or disk space (for an engine's temporary files) than the machine has."""

    exit_code = 5
