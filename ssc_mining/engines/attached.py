"""A database written by ``ssc-mining import``, attached read-only to a DuckDB of the engine's own: the shared
footing of :class:`~ssc_mining.engines.duckdb_events.DuckDBEvents` (discovery) and
:class:`~ssc_mining.engines.partitioned.Partitions` (the analysis in partitions).

The engine's DuckDB lives in memory with its own temporary folder (for what does not fit in its memory limit,
and for working databases), DuckDB's progress bar off and times in UTC; the database is attached as ``src``, read
only, and its meta table checked. Every query goes through :meth:`AttachedDatabase._sql`, so running out of
memory or disk space anywhere becomes a :class:`~ssc_mining.errors.ResourceError` that says so.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from ssc_mining.loaders.importer import import_export
    >>> db = Path(tempfile.mkdtemp()) / "tickets.duckdb"
    >>> _ = import_export("data/samples/generic-events.csv", db)
    >>> with AttachedDatabase(db) as attached:
    ...     int(attached._sql("SELECT count(*) FROM src.events", "rows")[0][0]), attached.scratch.is_dir()
    (3724, True)
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from ssc_mining.errors import FormatError, ResourceError
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders.database import read_meta
from ssc_mining.loaders.footprint import size_text
from ssc_mining.privacy import PERSON_COLUMNS, NameFinder, replace_in_column

__all__ = ["AttachedDatabase", "memory_limit_for", "out_of_room"]

#: DuckDB's messages when it runs out of memory or of room for its temporary files
_OUT_OF_ROOM = ("No space left on device", "max_temp_directory_size", "Out of Memory", "could not allocate",
                "failed to allocate")
#: the share of the memory ceiling DuckDB may use, and its cap when the ceiling is what the machine has
_SHARE, _CAP = 0.5, 4 * 2**30


def out_of_room(err: duckdb.Error, path: Path, memory_limit: int, scratch: Path) -> Exception:
    """A :class:`ResourceError` that says what ran out, when DuckDB's ``err`` is about memory or disk space (for
    the database ``path``, with ``memory_limit`` and temporary files in ``scratch``); else ``err`` itself."""
    text = str(err)
    if not any(part.lower() in text.lower() for part in _OUT_OF_ROOM):
        return err
    free = shutil.disk_usage(scratch).free
    return ResourceError(
        f"DuckDB ran out of room while aggregating the events: {text.splitlines()[0][:200]} (memory limit "
        f"{size_text(memory_limit)}; temporary files in {scratch.parent}, {size_text(free)} free now)", path=path,
        hint="free disk space in that folder or point TMPDIR at a disk with more room, or give DuckDB more "
             "memory with --max-memory SIZE (it may use half of it)")


def memory_limit_for(ceiling: int | None) -> int:
    """DuckDB's memory limit in bytes for a run with the memory ceiling ``ceiling`` (``--max-memory``; -1 or None:
    what the machine has available; 0: no check). Half the ceiling; at most 4 GiB unless a ceiling was given,
    because DuckDB spills what does not fit to disk and more memory gains little.

    >>> memory_limit_for(2 * 2**30) / 2**30
    1.0
    >>> memory_limit_for(64 * 2**30) / 2**30    # a ceiling given on purpose is followed
    32.0
    """
    from ssc_mining.loaders.footprint import available_bytes

    if ceiling and ceiling > 0:
        return int(ceiling * _SHARE)
    available = available_bytes()
    return int(min(available * _SHARE, _CAP)) if available else _CAP


class AttachedDatabase:
    """A database from ``ssc-mining import``, attached read-only as ``src`` to an in-memory DuckDB with its own
    temporary folder and ``memory_limit`` (bytes; default: :func:`memory_limit_for` of no ceiling)."""

    def __init__(self, path: str | Path, *, memory_limit: int | None = None, prefix: str = "ssc-mining-duckdb-",
                 ordered: bool = True) -> None:
        self.path = Path(path)
        self._scratch = tempfile.TemporaryDirectory(prefix=prefix)
        self.memory_limit = memory_limit or memory_limit_for(None)
        # without `ordered`, DuckDB may return rows in any order (less memory); the queries then sort themselves
        self.connection = duckdb.connect(config={"preserve_insertion_order": ordered})
        self.connection.execute("SET enable_progress_bar = false")   # DuckDB's own bar would mix with the output
        self.connection.execute("SET TimeZone = 'UTC'")
        self.connection.execute(f"SET temp_directory = '{self._scratch.name}'")
        self.connection.execute(f"SET memory_limit = '{self.memory_limit // 2**20}MiB'")
        try:
            escaped = str(self.path).replace("'", "''")
            self.connection.execute(f"ATTACH '{escaped}' AS src (READ_ONLY)")
        except duckdb.Error as err:
            self.close()
            raise FormatError(f"the DuckDB database cannot be opened: {err}", path=self.path,
                              hint="is another program writing it? Otherwise import the export again") from None
        try:
            self.meta = read_meta(self.connection, self.path, table="src.meta")
        except duckdb.Error as err:
            raise self._out_of_room(err) from err
        self.columns: list[str] = [row[0] for row in self._sql("DESCRIBE src.events", "rows")]

    @property
    def scratch(self) -> Path:
        """The temporary folder, alive as long as this object (removed by :meth:`close`)."""
        return Path(self._scratch.name)

    def close(self) -> None:
        self.connection.close()
        self._scratch.cleanup()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _sql(self, query: str, kind: str = "none") -> Any:
        """``query`` run, and its result as ``kind`` (``df``, ``arrow``, ``rows`` or ``none``); running out of
        memory or disk space becomes a :class:`ResourceError` that says so."""
        try:
            if kind == "df":
                return self.connection.sql(query).to_df()
            if kind == "arrow":
                return self.connection.sql(query).to_arrow_table()
            done = self.connection.execute(query)
            return done.fetchall() if kind == "rows" else None
        except duckdb.Error as err:
            raise self._out_of_room(err) from err

    def _out_of_room(self, err: duckdb.Error) -> Exception:
        return out_of_room(err, self.path, self.memory_limit, self.scratch)

    def _cases_with_rows_set_aside(self) -> int:
        """Tickets that lost rows to the import's quarantine."""
        if C.ROWS_SET_ASIDE not in self.columns:
            return 0
        found = self._sql(f'SELECT count(DISTINCT "{C.CASE}") FROM src.events WHERE "{C.ROWS_SET_ASIDE}" > 0',
                          "rows")
        return int(found[0][0]) if found else 0

    def _people(self) -> list[str]:
        """The people's names of the whole database (the values of its person columns), sorted: the names that
        :func:`~ssc_mining.privacy.pseudonymise_log` looks for in other columns."""
        names: set[str] = set()
        for column in PERSON_COLUMNS:
            if column in self.columns:
                found = self._sql(f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM src.events '
                                  f'WHERE "{column}" IS NOT NULL', "rows")
                names |= {str(v[0]) for v in found}
        return sorted(names)

    def _renamed(self, column: str, finder: NameFinder, *, as_text: bool = False) -> dict[str, str]:
        """The values of ``column`` (``as_text``: as text, as labels are read) that change when the names
        ``finder`` finds are replaced, with their new text."""
        value = f'CAST("{column}" AS VARCHAR)' if as_text else f'"{column}"'
        distinct = self._sql(f"SELECT DISTINCT {value} AS v FROM src.events WHERE v IS NOT NULL", "arrow")
        return replace_in_column(distinct.column("v").to_pandas().astype(object), finder)[1]
