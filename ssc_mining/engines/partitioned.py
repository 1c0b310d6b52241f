"""The analysis of a log beyond memory: partitions of whole tickets read from an imported database, one at a time.

``ssc-mining analyse DATABASE --engine duckdb`` runs the analysers on a database written by ``ssc-mining import``
without holding all its events in memory. DuckDB hands out the events in partitions of whole tickets (a ticket's
partition is a hash of its id, so every event of a ticket is in the same one); each partition becomes an
ordinary :class:`~ssc_mining.eventlog.EventLog` and goes through the same pandas code as a log in memory. What
makes the parts add up to the whole:

1. **Decisions on the whole log first.** Before any partition is analysed, the meaning of every activity label
   and status value (semantics) is read from their counts over the whole database, and one pass over the
   partitions gathers the :class:`~ssc_mining.eventlog.facts.LogFacts` (whether endings are recorded, whether
   most tickets begin with a registration, which roles occur, which columns hold values) and which text columns
   are numbers. Every partition is then read with these decisions, not its own.
2. **Parts and a combination.** An analyser that offers it (:class:`~ssc_mining.analysers.base.Analyser`'s
   ``partial`` and ``combine``) computes a part per partition — per-ticket values, counts that add up — and
   makes its result from all the parts and the facts. Its ``analyse`` on a log in memory is the same
   ``combine`` of one part, so both engines run one code path. An analyser that does not offer it is reported
   as not measured on this engine, with the reason.

Memory follows the largest partition (``partition_events`` events, 2,000,000 by default), plus the parts.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from ssc_mining.loaders.importer import import_export
    >>> db = Path(tempfile.mkdtemp()) / "tickets.duckdb"
    >>> _ = import_export("data/samples/generic-events.csv", db)
    >>> with Partitions(db, partitions=3) as parts:
    ...     sizes = [log.n_cases for log in parts.logs()]
    >>> len(sizes), sum(sizes), parts.facts.cases
    (3, 400, 400)
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ssc_mining.engines.attached import AttachedDatabase, memory_limit_for
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.cases import case_index
from ssc_mining.eventlog.facts import CASE_ORDER, LogFacts, first_activities_of, mothers_of
from ssc_mining.eventlog.log import EventLog, sort_events
from ssc_mining.eventlog.provenance import Provenance
from ssc_mining.loaders.build import _NUMBER_PATTERNS, as_number, number_decimals
from ssc_mining.loaders.database import provenance_of
from ssc_mining.memory import release_unused
from ssc_mining.privacy import NameFinder, Pseudonymiser, pseudonymise_log
from ssc_mining.semantics.markers import _starts, compute_markers
from ssc_mining.semantics.reading import Semantics, read_semantics_of_counts, status_column_of

__all__ = ["PARTITION_EVENTS", "PartitionReader", "Partitions", "facts_of_partition", "partition_frame"]

#: events per partition by default: a partition's log and analysers stay well below a GiB
PARTITION_EVENTS = 2_000_000
_CASE = f'"{C.CASE}"'
#: DuckDB's memory at most (it scans and filters; the partitions in pandas need the rest)
_DUCKDB_MEMORY = 2**30
#: the column of the ordered copy that holds each event's partition
_PART = "ssc:partition"
#: the column that carries each event's database row while a partition is read
_ROWID = "ssc:database_row"


class Partitions(AttachedDatabase):
    """The events of an imported database in partitions of whole tickets, with the decisions of the whole log."""

    def __init__(self, path: str | Path, *, partitions: int | None = None,
                 partition_events: int = PARTITION_EVENTS, semantics: dict[str, Any] | None = None,
                 pseudonymiser: Pseudonymiser | None = None, memory_limit: int | None = None) -> None:
        # DuckDB's own memory (its cache of the file's blocks) besides the partition in pandas: at most 1 GiB; the
        # events ordered by partition go to a working database in the temporary folder
        super().__init__(path, memory_limit=min(memory_limit or memory_limit_for(None), _DUCKDB_MEMORY),
                         prefix="ssc-mining-partitions-")
        self.events = int(self._sql("SELECT count(*) FROM src.events", "rows")[0][0])
        self._partitions, self._partition_events = partitions, partition_events
        self.n = self._partition_count()
        self.semantics = self._semantics(semantics)
        self._roles = {*C.ROLES.values(), C.SOURCE_ROW, C.ROWS_SET_ASIDE, *self.meta["provenance"]["mapping"].values()}
        self.numbers: dict[str, frozenset[str]] = {}
        self._flagged: int | None = None
        self._kept: tuple[pd.DataFrame, np.ndarray] | None = None
        if not self._reads_whole():
            self._order_by_partition()
        self.facts = self._facts()
        self.pseudonymiser = pseudonymiser
        self._read_with = self.semantics   # the partitions are read with the labels as imported
        self._names: list[str] | None = None
        if pseudonymiser is not None:
            self._pseudonymise_semantics(pseudonymiser)

    def _rows(self, query: str) -> list[Any]:
        return self._sql(query, "rows")

    # decisions on the whole log ---------------------------------------------------------------------------

    def _counts(self, column: str) -> pd.Series:
        """Events per value of ``column`` as text (index: the value), as ``value_counts`` of the whole column."""
        frame = self._sql(f'SELECT CAST("{column}" AS VARCHAR) AS v, count(*) AS n FROM src.events '
                          f'WHERE "{column}" IS NOT NULL GROUP BY 1', "df")
        return pd.Series(frame["n"].to_numpy(), index=pd.Index(frame["v"].astype(object)), dtype="int64")

    def _semantics(self, given: dict[str, Any] | None) -> Semantics:
        """The meaning of every label and status, read from their counts over the whole database."""
        has_status = C.STATUS in self.columns and bool(self._rows(
            f'SELECT count("{C.STATUS}") FROM src.events')[0][0])
        lifecycle = None
        if not has_status and C.LIFECYCLE in self.columns:
            lifecycle = [str(v) for v in self._counts(C.LIFECYCLE).index] or None
        column, note = status_column_of(has_status, lifecycle)
        return read_semantics_of_counts(self._counts(C.ACTIVITY), self._counts(column) if column else None, column,
                                        note, overrides=given or self.meta["semantics"],
                                        fixed=self.meta["fixed_semantics"], fixed_by=self.meta["fixed_by"])

    def _lifecycle_starts(self) -> frozenset[str]:
        if C.LIFECYCLE not in self.columns:
            return frozenset()
        pairs = self._sql(f'SELECT DISTINCT "{C.ACTIVITY}" AS a, "{C.LIFECYCLE}" AS l FROM src.events '
                          f'WHERE "{C.LIFECYCLE}" IS NOT NULL', "df")
        return frozenset(pairs["a"][_starts(pairs.rename(columns={"l": C.LIFECYCLE}))])

    def _partition_count(self) -> int:
        return self._partitions or max(1, math.ceil(self.events / self._partition_events))

    def _reads_whole(self) -> bool:
        """True when the one partition is read whole in the facts pass (and kept for :meth:`logs`)."""
        return self.n == 1

    def _facts(self) -> LogFacts:
        """One pass over the partitions: the facts of each, merged; and which text columns are numbers. With one
        partition, it is read whole (and kept for :meth:`logs`); with more, only the columns the markers need
        are read, and the columns with values and the numbers are found by DuckDB on the whole database."""
        starts = self._lifecycle_starts()
        decimals: dict[str, frozenset[str]] = {}
        if self._reads_whole():
            frame, rows = self._frame(0)
            self._kept = (frame, rows)
            for column in self._attributes(frame):
                found = number_decimals(frame[column])
                decimals[column] = decimals.get(column, found) & found
            facts = facts_of_partition(frame, self.semantics, starts)
            del frame, rows
        else:
            needed = [c for c in (C.CASE, C.ACTIVITY, C.TIMESTAMP, C.SOURCE_ROW, self.semantics.status_column,
                                  C.LIFECYCLE, C.MOTHER) if c and c in self.columns]
            facts = LogFacts.merge(self._partition_facts(list(dict.fromkeys(needed)), starts))
            facts = dataclasses.replace(facts, with_values=self._with_values())
            decimals = self._decimals()
        self.numbers = {c: d for c, d in decimals.items() if d and c in facts.with_values}
        return facts

    def _partition_facts(self, needed: list[str], starts: frozenset[str]) -> list[LogFacts]:
        """The facts of every partition, read with only the columns ``needed``."""
        parts = []
        for i in range(self.n):
            frame, _rows = self._frame(i, needed)
            parts.append(facts_of_partition(frame, self.semantics, starts))
            del frame, _rows
            release_unused()
        return parts

    def _with_values(self) -> frozenset[str]:
        """The columns that hold at least one value, in the whole database."""
        counts = self._rows("SELECT " + ", ".join(f'count("{c}") > 0' for c in self.columns) + " FROM src.events")[0]
        return frozenset(c for c, has in zip(self.columns, counts) if has)

    def _decimals(self) -> dict[str, frozenset[str]]:
        """Per text attribute column: the decimal marks by which every value reads as a number (as
        :func:`~ssc_mining.loaders.build.number_decimals` finds them: the same patterns, the same RE2 engine)."""
        types = dict(self._rows("SELECT column_name, column_type FROM (DESCRIBE src.events)"))
        texts = [c for c in self.columns if c not in self._roles and c != _ROWID and types.get(c) == "VARCHAR"]
        if not texts:
            return {}
        marks = [mark for _pattern, mark in _NUMBER_PATTERNS]
        checks = [f"bool_and(regexp_matches(\"{c}\", '{pattern.pattern}'))"
                  for c in texts for pattern, _mark in _NUMBER_PATTERNS]
        found = self._rows("SELECT " + ", ".join(checks) + " FROM src.events")[0]
        out = {}
        for k, column in enumerate(texts):
            out[column] = frozenset(mark for m, mark in enumerate(marks) if found[k * len(marks) + m] is not False)
        return out

    def _pseudonymise_semantics(self, pseudonymiser: Pseudonymiser) -> None:
        """The people's names of the whole database (every partition replaces the same ones), and the labels and
        facts with the names in them replaced, as :func:`~ssc_mining.privacy.pseudonymise_log` replaces them."""
        self._names = self._people()
        finder = NameFinder(self._names, pseudonymiser)
        renamed = {column: self._renamed(column, finder, as_text=True)
                   for column in (C.ACTIVITY, self.semantics.status_column) if column}
        self.semantics = self.semantics.renamed(renamed.get(C.ACTIVITY, {}),
                                                renamed.get(self.semantics.status_column or "", {}))
        # the activities that open tickets as the partitions' events name them (a partition's pseudonymise_log
        # knows only its own labels, and labels that become equal open their tickets together)
        self.facts = self.facts.renamed(renamed.get(C.ACTIVITY, {}))

    def _attributes(self, frame: pd.DataFrame) -> list[str]:
        return [c for c in frame.columns if c not in self._roles]

    # the partitions ---------------------------------------------------------------------------------------

    def _order_by_partition(self) -> None:
        """A copy of the events ordered by partition (a hash of the ticket id), then by database row, so that
        reading a partition reads only its own blocks instead of scanning every event each time."""
        self._sql(f"ATTACH '{self.scratch / 'partitions.duckdb'}' AS work")
        self._sql(f'CREATE TABLE work.events AS SELECT *, rowid AS "{_ROWID}", (hash({_CASE}) % {self.n})::INTEGER '
                  f'AS "{_PART}" FROM src.events ORDER BY "{_PART}", "{_ROWID}"')

    def _frame(self, i: int, columns: list[str] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
        """The events of partition ``i`` (only ``columns``, when given), sorted as an event log's, text columns as
        the database holds them; and each event's row in the database."""
        chosen = ", ".join(f'"{c}"' for c in (columns or self.columns))
        if self.n > 1:
            query = f'SELECT {chosen}, "{_ROWID}" FROM work.events WHERE "{_PART}" = {i} ORDER BY "{_ROWID}"'
        else:
            query = f'SELECT {chosen}, rowid AS "{_ROWID}" FROM src.events ORDER BY rowid'
        return partition_frame(self._sql(query, "arrow"), self.meta["objects"])

    def reader(self) -> PartitionReader:
        """How every partition is read into an event log (picklable: Spark's workers receive it)."""
        if self._flagged is None:
            self._flagged = self._cases_with_rows_set_aside()
        return PartitionReader(objects=list(self.meta["objects"]), attributes_not=frozenset(self._roles),
                               semantics=self._read_with, facts=self.facts, numbers=dict(self.numbers),
                               provenance=self.meta["provenance"], flagged=self._flagged,
                               pseudonymiser=self.pseudonymiser, names=self._names)

    def logs(self) -> Iterator[EventLog]:
        """Each partition as an event log read with the whole log's decisions (numbers, semantics, facts); a
        partition that no ticket hashed to is left out (unless all are empty: then the one empty log)."""
        given = 0
        reader = self.reader()
        for i in range(self.n):
            frame, rows = self._kept if self._kept is not None else self._frame(i)
            self._kept = None
            if not len(frame) and (given or i < self.n - 1):
                continue
            given += 1
            log = reader.log(frame, rows)
            del frame, rows
            yield log
            del log   # before the next partition is read

    def tickets_log(self, keys: np.ndarray) -> EventLog:
        """Every event of the tickets whose first event is at the database rows ``keys`` (their
        :func:`~ssc_mining.eventlog.facts.case_order` in a partition), as an event log read as the partitions
        are: for the few tickets whose steps a report shows."""
        wanted = ", ".join(str(k) for k in sorted({int(k) for k in np.asarray(keys).tolist()}))
        chosen = ", ".join(f'"{c}"' for c in self.columns)
        among = f"(SELECT {_CASE} FROM src.events WHERE rowid IN ({wanted}))" if wanted else "(SELECT NULL)"
        frame, rows = partition_frame(self._sql(f'SELECT {chosen}, rowid AS "{_ROWID}" FROM src.events WHERE {_CASE} '
                                                f"IN {among} ORDER BY rowid", "arrow"), self.meta["objects"])
        return self.reader().log(frame, rows)

    def quarantine(self) -> pd.DataFrame:
        """The rows the import set aside (row number, reason, raw text), as reading the database gives them."""
        frame = self._sql("SELECT source_row, reason, raw FROM src.quarantine ORDER BY source_row, reason", "df")
        return frame.astype({"source_row": "Int64", "reason": object, "raw": object})

    def provenance(self, events: int | None = None, decimal: str | None = None) -> Provenance:
        """The import's provenance, with ``events`` (default: all of the database's) and the decimal mark of the
        numbers (default: that of the first column read as numbers, as a direct reading records it)."""
        if self._flagged is None:
            self._flagged = self._cases_with_rows_set_aside()
        if decimal is None and self.numbers:
            decimal = next(mark for mark in (",", ".") if mark in next(iter(self.numbers.values())))
        return provenance_of(self.meta["provenance"], events=self.events if events is None else events,
                             decimal=decimal, cases_with_rows_set_aside=self._flagged)


def partition_frame(table: pa.Table, objects: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """A partition's events (an Arrow table with the database row in ``ssc:database_row``) as an event log's
    frame, sorted as a log's, with the columns an import kept as Python objects (``objects``) as such; and each
    event's database row."""
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    for column in objects:
        if column not in frame.columns:
            continue
        values = frame[column].astype(object)
        frame[column] = values.where(values.notna(), None)
    frame = sort_events(frame, consume=True)
    rows = frame.pop(_ROWID).to_numpy()
    return frame, rows


def facts_of_partition(frame: pd.DataFrame, semantics: Semantics, starts: frozenset[str]) -> LogFacts:
    """The :class:`LogFacts` of one partition's events (to be merged with the others')."""
    index = case_index(frame)
    markers = compute_markers(frame, index, semantics, with_start=starts)
    return LogFacts(cases=index.n, events=len(frame), started=int(markers.started.sum()),
                    endings_known=markers.endings_known, roles_present=markers.roles_present,
                    with_values=frozenset(c for c in frame.columns if frame[c].notna().any()),
                    lifecycle_starts=starts, mothers=mothers_of(frame),
                    first_activities=first_activities_of(frame, index.first))


@dataclasses.dataclass(frozen=True)
class PartitionReader:
    """The whole log's decisions by which a partition's events become an event log: the semantics to read with,
    the facts, which text columns are numbers, the import's provenance and the pseudonyms. Picklable, so that
    other processes (Spark's workers) read their partitions as this process would."""

    objects: list[str]
    attributes_not: frozenset[str]
    semantics: Semantics
    facts: LogFacts
    numbers: dict[str, frozenset[str]]
    provenance: dict[str, Any]
    flagged: int
    pseudonymiser: Pseudonymiser | None = None
    names: list[str] | None = None

    def log(self, frame: pd.DataFrame, rows: np.ndarray) -> EventLog:
        """The event log of one partition's ``frame`` (from :func:`partition_frame`) and database ``rows``."""
        decimal = None
        for column in [c for c in frame.columns if c not in self.attributes_not]:
            if column in self.numbers:
                frame[column], found = as_number(frame[column], self.numbers[column])
                decimal = decimal or found
        if decimal is None and self.numbers:   # as a direct reading records it: the first number column's mark
            decimal = next(mark for mark in (",", ".") if mark in next(iter(self.numbers.values())))
        provenance = provenance_of(self.provenance, events=len(frame), decimal=decimal,
                                   cases_with_rows_set_aside=self.flagged)
        log = EventLog(frame=frame, provenance=provenance, semantics=self.semantics, facts=self.facts)
        if self.pseudonymiser is not None:
            log = pseudonymise_log(log, self.pseudonymiser, jobs=1, names=self.names)
        # the whole log orders tickets by the database row of their first appearance
        order = pd.Series(rows).groupby(log.cases.codes, sort=True).min().to_numpy()
        log.computed(CASE_ORDER, functools.partial(np.asarray, order))
        return log
