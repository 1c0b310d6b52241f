"""The events of an imported database, aggregated by DuckDB without loading them: what discovery needs.

``ssc-mining discover DATABASE --engine duckdb`` mines the model, draws the map and checks conformance from
two aggregates that DuckDB computes on the database written by ``ssc-mining import``: the variants (each
distinct activity sequence with its tickets, and the variant of each ticket) and the directly-follows graph
(activities and paths with their events, tickets, and the median and mean time of each path); the report's
process-map section (:mod:`ssc_mining.report.map_figures`) also draws the graph of each segment of the tickets
(by mother organisation, category …). pm4py only ever receives these aggregates. They equal
:func:`~ssc_mining.discovery.variants.variant_table`, :func:`~ssc_mining.discovery.dfg.directly_follows` and
:func:`~ssc_mining.discovery.segments.segment_graphs` of the same log in memory (the tests hold them equal on the
samples and on real logs); memory follows the number of variants and tickets, not of events.

Events of a ticket are in the order of the event log: by time, ties by the export's row
(``ssc:source_row``). With a pseudonymiser, names of people inside activity labels, ticket ids, mother
organisations and the values of the segments are replaced as :func:`~ssc_mining.privacy.pseudonymise_log`
replaces them.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from ssc_mining.loaders.importer import import_export
    >>> db = Path(tempfile.mkdtemp()) / "tickets.duckdb"
    >>> _ = import_export("data/samples/generic-events.csv", db)
    >>> with DuckDBEvents(db) as events:
    ...     table, graph = events.variant_table(), events.directly_follows()
    >>> table.n_cases, int(graph.starts.sum())
    (400, 400)
    >>> with DuckDBEvents(db) as events:
    ...     [(s.value, s.cases) for s in events.segment_graphs(("category",), max_segments=2)]
    [('Wachtwoord', 67), ('Werkplekstoring', 64)]
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from ssc_mining.discovery.dfg import DirectlyFollows
from ssc_mining.discovery.segments import ATTRIBUTES, Segment
from ssc_mining.discovery.variants import VariantTable
from ssc_mining.engines.attached import AttachedDatabase
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.provenance import Provenance
from ssc_mining.privacy import NameFinder, Pseudonymiser

T = TypeVar("T")
_CASE, _ACT, _TIME, _ROW = (f'"{c}"' for c in (C.CASE, C.ACTIVITY, C.TIMESTAMP, C.SOURCE_ROW))
#: working tables, made once and compact (numbers, not texts): tickets numbered in the event log's order (of their
#: first event in the database, which the import wrote in that order), activities numbered, and every event's
#: position in its ticket with the next activity and the time to it
_PREPARE = (
    f"CREATE TEMP TABLE cases AS SELECT c, (row_number() OVER (ORDER BY first) - 1)::INTEGER AS ci FROM "
    f"(SELECT {_CASE} AS c, min(rowid) AS first FROM src.events GROUP BY {_CASE})",
    f"CREATE TEMP TABLE acts AS SELECT a, (row_number() OVER (ORDER BY a) - 1)::INTEGER AS ai FROM "
    f"(SELECT DISTINCT {_ACT} AS a FROM src.events)",
    f"""CREATE TEMP TABLE steps AS
        SELECT ci, ai, lead(ai) OVER w AS nai, (lead(t) OVER w - t) / 1e6 AS seconds,
               (row_number() OVER w)::INTEGER AS pos
        FROM (SELECT cases.ci, acts.ai, epoch_us(e.{_TIME}) AS t, e.{_ROW} AS r
              FROM src.events e JOIN cases ON e.{_CASE} = cases.c JOIN acts ON e.{_ACT} = acts.a)
        WINDOW w AS (PARTITION BY ci ORDER BY t, r)""",
)


def graph_of_counts(nodes: pd.DataFrame, edges: pd.DataFrame, starts: pd.Series, ends: pd.Series) -> DirectlyFollows:
    """The directly-follows graph from counts an engine computed: ``nodes`` (activity, events, cases), ``edges``
    (source, target, events, cases, median_seconds, mean_seconds), tickets per start and per end activity
    (index: the activity); in the order and types :func:`~ssc_mining.discovery.dfg.directly_follows` gives."""
    nodes = nodes.astype({"events": np.int64, "cases": np.int64}).sort_values(
        ["events", "activity"], ascending=[False, True], kind="stable").reset_index(drop=True)
    edges = edges.astype({"events": np.int64, "cases": np.int64, "median_seconds": np.float64,
                          "mean_seconds": np.float64}).sort_values(["source", "target"], kind="stable") \
        .reset_index(drop=True)

    def counted(found: pd.Series) -> pd.Series:
        labels = np.asarray(found.index, dtype=object).astype(str)
        return pd.Series(found.to_numpy(dtype=np.int64), index=pd.Index(labels, name=C.ACTIVITY),
                         name="count").sort_index()

    return DirectlyFollows(nodes=nodes, edges=edges, starts=counted(starts), ends=counted(ends))


def variant_table_of(traces: list[tuple[str, ...]], counts: np.ndarray, case_ids: Any,
                     case_first_variant: np.ndarray) -> VariantTable:
    """The variant table from the variants an engine found (``traces``, their ``counts``, numbered by the first
    ticket that follows each) and each ticket's variant number (tickets in the event log's order): variants most
    frequent first, ties by sequence, as :func:`~ssc_mining.discovery.variants.variant_table` gives them."""
    order = sorted(range(len(traces)), key=lambda i: (-counts[i], traces[i]))   # a loop over variants
    rank = np.empty(len(order), dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
    case_variant = pd.Series(rank[case_first_variant], index=pd.Index(case_ids, name=C.CASE), name="variant")
    return VariantTable(traces=[traces[i] for i in order], counts=counts[order], case_variant=case_variant)


class DuckDBEvents(AttachedDatabase):
    """A database from ``ssc-mining import``, opened read-only; its aggregates are computed on demand (the
    variant table once: it is kept, as a log in memory keeps its own)."""

    def __init__(self, path: str | Path, *, memory_limit: int | None = None,
                 pseudonymiser: Pseudonymiser | None = None) -> None:
        # the working tables are the engine's own; what does not fit in memory_limit goes to its temporary folder
        super().__init__(path, memory_limit=memory_limit, prefix="ssc-mining-duckdb-", ordered=False)
        self.provenance = self._provenance()
        self._prepared = False
        self._computed: dict[Hashable, Any] = {}
        self._lock = threading.RLock()   # one computation at a time: they share one DuckDB connection
        self._renamed_values: dict[str, dict[str, str]] = {}
        self._finder: NameFinder | None = None
        if pseudonymiser is not None:
            self._finder = NameFinder(self._people(), pseudonymiser)
            self._renamed_values = {column: self._renamed(column, self._finder)
                                    for column in (C.ACTIVITY, C.CASE, C.MOTHER) if column in self.columns}

    def _provenance(self) -> Provenance:
        from ssc_mining.loaders.database import provenance_of

        counts = self._sql("SELECT count(*) FROM src.events", "rows")[0]
        provenance = provenance_of(self.meta["provenance"], events=int(counts[0]), decimal=None,
                                   cases_with_rows_set_aside=self._cases_with_rows_set_aside())
        provenance.notes.append(f"aggregated by DuckDB {duckdb.__version__} in the database {self.path.name}")
        return provenance

    def _named(self, values: pd.Series | np.ndarray | list[Any], column: str) -> Any:
        changed = self._renamed_values.get(column)
        if not changed:
            return values
        if isinstance(values, pd.Series):
            return values.map(lambda v: changed.get(v, v))
        return [changed.get(v, v) for v in values]

    def computed(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result of ``compute()``, computed once per database and ``key`` and shared afterwards (as
        :meth:`~ssc_mining.eventlog.log.EventLog.computed`; callers must not change what they get back)."""
        with self._lock:
            if key not in self._computed:
                self._computed[key] = compute()
            return self._computed[key]

    def forget(self, key: Hashable) -> None:
        """Drop what :meth:`computed` keeps under ``key``."""
        with self._lock:
            self._computed.pop(key, None)

    def _prepare_tables(self) -> None:
        """The working tables (see ``_PREPARE``), made on first use (also under :class:`SparkEvents`, whose
        segments' graphs DuckDB computes)."""
        if not self._prepared:
            for query in _PREPARE:
                self._sql(query)
            self._prepared = True

    def _activities(self) -> np.ndarray:
        """Activity labels by number (as named in the output)."""
        frame = self._sql("SELECT a, ai FROM acts ORDER BY ai", "df")
        return np.asarray(self._named(frame["a"].astype(object), C.ACTIVITY), dtype=object)

    def variant_table(self) -> VariantTable:
        """The variants: sequences most frequent first (ties by sequence), and each ticket's variant (tickets in
        the event log's order); computed once and kept (do not change it)."""
        return self.computed("variant_table", self._variant_table)

    def _variant_table(self) -> VariantTable:
        """The variants, computed.

        A ticket's sequence is known by its length and the sum of a 64-bit hash of each (position, activity),
        so no ticket's list of activities is ever built; only one ticket per variant has its sequence spelled
        out. Two different sequences of one length with the same sum would count as one variant: for a
        million variants the chance is about one in 10^7.
        """
        self._prepare_tables()
        self._sql("CREATE OR REPLACE TEMP TABLE per_case AS SELECT ci, count(*) AS n, sum(hash(pos, ai)) AS h "
                  "FROM steps GROUP BY ci")
        try:
            self._sql("CREATE OR REPLACE TEMP TABLE variant_ids AS SELECT n, h, count(*) AS tickets, min(ci) AS rep, "
                      "(row_number() OVER (ORDER BY min(ci)) - 1)::INTEGER AS vid FROM per_case GROUP BY n, h")
            variants = self._sql("SELECT v.vid, v.tickets, list(s.ai ORDER BY s.pos) AS trace FROM variant_ids v "
                                 "JOIN steps s ON s.ci = v.rep GROUP BY v.vid, v.tickets ORDER BY v.vid", "arrow")
            cases = self._sql("SELECT c.c, v.vid FROM per_case p JOIN variant_ids v USING (n, h) "
                              "JOIN cases c ON c.ci = p.ci ORDER BY p.ci", "arrow")
        finally:
            self.connection.execute("DROP TABLE IF EXISTS variant_ids")
            self.connection.execute("DROP TABLE IF EXISTS per_case")
        names = self._activities()
        traces = [tuple(names[t]) for t in variants.column("trace").to_pylist()]
        counts = variants.column("tickets").to_numpy().astype(np.int64)
        return variant_table_of(traces, counts, self._named(cases.column("c").to_pandas(), C.CASE),
                                cases.column("vid").to_numpy())

    def directly_follows(self) -> DirectlyFollows:
        """The directly-follows graph: activities, paths with their times, start and end activities."""
        return self._graphs()[0]

    def _graphs(self, groups: str | None = None, n: int = 1) -> list[DirectlyFollows]:
        """The directly-follows graph of each group of tickets: ``groups`` names a table of (``ci``, ``g``), each
        ticket's number and its group 0 … ``n`` − 1 (tickets not in it are in none); None: all in one group."""
        self._prepare_tables()
        names = self._activities()
        group, steps = ("0", "steps") if groups is None else ("t.g", f"steps JOIN {groups} t USING (ci)")
        # favg: a compensated sum, as pandas takes the mean (avg's plain sum in any order would differ in the last
        # digits, and a mean at the edge of the report's rounding would be written otherwise)
        nodes = self._sql(f"SELECT {group} AS g, ai, count(*) AS events, count(DISTINCT ci) AS cases FROM {steps} "
                          "GROUP BY ALL", "df")
        edges = self._sql(f"SELECT {group} AS g, ai, nai, count(*) AS events, count(DISTINCT ci) AS cases, "
                          f"median(seconds) AS median_seconds, favg(seconds) AS mean_seconds FROM {steps} "
                          "WHERE nai IS NOT NULL GROUP BY ALL", "df")
        starts = self._sql(f"SELECT {group} AS g, ai, count(*) AS n FROM {steps} WHERE pos = 1 GROUP BY ALL", "df")
        ends = self._sql(f"SELECT {group} AS g, ai, count(*) AS n FROM {steps} WHERE nai IS NULL GROUP BY ALL", "df")
        return [self._graph_from(names, *(frame[frame["g"].to_numpy() == k] for frame in (nodes, edges, starts, ends)))
                for k in range(n)]   # a loop over groups (a handful of segments)

    @staticmethod
    def _graph_from(names: np.ndarray, nodes: pd.DataFrame, edges: pd.DataFrame, starts: pd.DataFrame,
                    ends: pd.DataFrame) -> DirectlyFollows:
        """The graph from the counts of :meth:`_graphs` of one group, activities by number (``names``)."""
        nodes = pd.DataFrame({"activity": names[nodes["ai"].to_numpy()].astype(str),
                              "events": nodes["events"].to_numpy(), "cases": nodes["cases"].to_numpy()})
        edges = pd.DataFrame({"source": names[edges["ai"].to_numpy()].astype(str),
                              "target": names[edges["nai"].to_numpy().astype(np.int64)].astype(str),
                              **{k: edges[k].to_numpy() for k in ("events", "cases", "median_seconds",
                                                                  "mean_seconds")}})
        return graph_of_counts(nodes, edges, *(pd.Series(frame["n"].to_numpy(), index=names[frame["ai"].to_numpy()])
                                               for frame in (starts, ends)))

    def first_per_case(self, column: str) -> pd.Series | None:
        """Per ticket, the value of ``column`` at its first event, missing or not (None when the database has no
        such column)."""
        if column not in self.columns:
            return None
        frame = self._sql(   # arg_min_null: arg_min would skip the events where the column is missing
            f'SELECT {_CASE} AS c, arg_min_null("{column}", struct_pack(t := {_TIME}, r := {_ROW})) AS v '
            f"FROM src.events GROUP BY {_CASE}", "df")
        return pd.Series(self._named(frame["v"], column).to_numpy(), index=pd.Index(
            self._named(frame["c"], C.CASE), name=C.CASE), name=column)

    def segment_graphs(self, attributes: tuple[str, ...] = ("mother", "category"), *, max_segments: int = 6,
                       min_cases: int = 20) -> list[Segment]:
        """One graph per value of each attribute the database has, as
        :func:`~ssc_mining.discovery.segments.segment_graphs` gives them: a ticket's value is the first known
        value of the column, as text; per attribute the ``max_segments`` values with most tickets (ties by
        value), each with at least ``min_cases``; each graph is :meth:`directly_follows` of its tickets."""
        self._prepare_tables()
        out: list[Segment] = []
        for attribute in attributes:
            column = ATTRIBUTES.get(attribute, attribute)
            if column not in self.columns:
                continue
            try:
                ranked = self._segment_tickets(column, max_segments, min_cases)
                graphs = self._graphs("segment_tickets", len(ranked)) if ranked else []
            finally:
                self.connection.execute("DROP TABLE IF EXISTS segment_tickets")
            out += [Segment(attribute=attribute, value=value, cases=n, dfg=dfg)
                    for (n, value), dfg in zip(ranked, graphs)]
        return out

    def _segment_tickets(self, column: str, max_segments: int, min_cases: int) -> list[tuple[int, str]]:
        """The segments of ``column`` (tickets, value), largest first, and the table ``segment_tickets`` of
        (``ci``, ``g``): each ticket in one of them with its segment's number."""
        self._sql(f'CREATE OR REPLACE TEMP TABLE segment_values AS SELECT cases.ci, f.v FROM ('
                  f'SELECT {_CASE} AS c, arg_min(CAST("{column}" AS VARCHAR), struct_pack(t := {_TIME}, r := {_ROW})) '
                  f'AS v FROM src.events WHERE "{column}" IS NOT NULL GROUP BY {_CASE}) f JOIN cases ON f.c = cases.c')
        try:
            found = self._sql("SELECT v, count(*) AS n FROM segment_values GROUP BY v", "df")
            values = found["v"].astype(object)
            renames = self._renames(column)
            shown = values.map(lambda v: renames.get(v, v)) if renames else values   # a pseudonymised log's values
            tickets = found["n"].groupby(shown.to_numpy()).sum()   # the same value once named, once counted
            ranked = sorted(((int(n), str(v)) for v, n in tickets.items() if n >= min_cases),
                            key=lambda t: (-t[0], t[1]))[:max_segments]
            number = {value: k for k, (_n, value) in enumerate(ranked)}
            chosen = shown.map(number).notna().to_numpy()
            self.connection.register("segment_numbers", pa.table({
                "v": pa.array(values[chosen].tolist(), pa.string()),
                "g": pa.array(shown[chosen].map(number).to_numpy(dtype=np.int32))}))
            try:
                self._sql("CREATE OR REPLACE TEMP TABLE segment_tickets AS SELECT s.ci, n.g FROM segment_values s "
                          "JOIN segment_numbers n USING (v)")
            finally:
                self.connection.unregister("segment_numbers")
        finally:
            self.connection.execute("DROP TABLE IF EXISTS segment_values")
        return ranked

    def _renames(self, column: str) -> dict[str, str]:
        """The values of ``column`` (as text) that the pseudonymiser renames, with their new text (found once;
        none without a pseudonymiser)."""
        if self._finder is not None and column not in self._renamed_values:
            self._renamed_values[column] = self._renamed(column, self._finder, as_text=True)
        return self._renamed_values.get(column, {})
