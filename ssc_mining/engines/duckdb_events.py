"""The events of an imported database, aggregated by DuckDB without loading them: what discovery needs.

``ssc-mining discover DATABASE --engine duckdb`` mines the model, draws the map and checks conformance from
two aggregates that DuckDB computes on the database written by ``ssc-mining import``: the variants (each
distinct activity sequence with its tickets, and the variant of each ticket) and the directly-follows graph
(activities and paths with their events, tickets, and the median and mean time of each path). pm4py only
ever receives these aggregates. They equal :func:`~ssc_mining.discovery.variants.variant_table` and
:func:`~ssc_mining.discovery.dfg.directly_follows` of the same log in memory (the tests hold them equal on the
samples and on real logs); memory follows the number of variants and tickets, not of events.

Events of a ticket are in the order of the event log: by time, ties by the export's row
(``ssc:source_row``). With a pseudonymiser, names of people inside activity labels, ticket ids and mother
organisations are replaced as :func:`~ssc_mining.privacy.pseudonymise_log` replaces them.

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
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ssc_mining.discovery.dfg import DirectlyFollows
from ssc_mining.discovery.variants import VariantTable
from ssc_mining.engines.attached import AttachedDatabase
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.provenance import Provenance
from ssc_mining.privacy import NameFinder, Pseudonymiser

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
    """A database from ``ssc-mining import``, opened read-only; its aggregates are computed on demand."""

    def __init__(self, path: str | Path, *, memory_limit: int | None = None,
                 pseudonymiser: Pseudonymiser | None = None) -> None:
        # the working tables are the engine's own; what does not fit in memory_limit goes to its temporary folder
        super().__init__(path, memory_limit=memory_limit, prefix="ssc-mining-duckdb-", ordered=False)
        self.provenance = self._provenance()
        self._prepared = False
        self._renamed_values: dict[str, dict[str, str]] = {}
        if pseudonymiser is not None:
            finder = NameFinder(self._people(), pseudonymiser)
            self._renamed_values = {column: self._renamed(column, finder) for column in (C.ACTIVITY, C.CASE, C.MOTHER)
                                    if column in self.columns}

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

    def _prepare(self) -> None:
        """The working tables (see ``_PREPARE``), made on first use."""
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
        the event log's order).

        A ticket's sequence is known by its length and the sum of a 64-bit hash of each (position, activity),
        so no ticket's list of activities is ever built; only one ticket per variant has its sequence spelled
        out. Two different sequences of one length with the same sum would count as one variant: for a
        million variants the chance is about one in 10^7.
        """
        self._prepare()
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
        self._prepare()
        names = self._activities()
        nodes = self._sql("SELECT ai, count(*) AS events, count(DISTINCT ci) AS cases FROM steps GROUP BY ai", "df")
        edges = self._sql("SELECT ai, nai, count(*) AS events, count(DISTINCT ci) AS cases, "
                          "median(seconds) AS median_seconds, avg(seconds) AS mean_seconds FROM steps "
                          "WHERE nai IS NOT NULL GROUP BY ai, nai", "df")
        starts = self._sql("SELECT ai, count(*) AS n FROM steps WHERE pos = 1 GROUP BY ai", "df")
        ends = self._sql("SELECT ai, count(*) AS n FROM steps WHERE nai IS NULL GROUP BY ai", "df")
        nodes = pd.DataFrame({"activity": names[nodes["ai"].to_numpy()].astype(str), "events": nodes["events"],
                              "cases": nodes["cases"]})
        edges = pd.DataFrame({"source": names[edges["ai"].to_numpy()].astype(str),
                              "target": names[edges["nai"].to_numpy().astype(np.int64)].astype(str),
                              **{k: edges[k] for k in ("events", "cases", "median_seconds", "mean_seconds")}})
        return graph_of_counts(nodes, edges, *(pd.Series(frame["n"].to_numpy(), index=names[frame["ai"].to_numpy()])
                                               for frame in (starts, ends)))

    def first_per_case(self, column: str) -> pd.Series | None:
        """Per ticket, the value of ``column`` at its first event (None when the database has no such column)."""
        if column not in self.columns:
            return None
        frame = self._sql(
            f'SELECT {_CASE} AS c, arg_min("{column}", struct_pack(t := {_TIME}, r := {_ROW})) AS v '
            f"FROM src.events GROUP BY {_CASE}", "df")
        return pd.Series(self._named(frame["v"], column).to_numpy(), index=pd.Index(
            self._named(frame["c"], C.CASE), name=C.CASE), name=column)
