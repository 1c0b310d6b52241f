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

import tempfile
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ssc_mining.discovery.dfg import DirectlyFollows
from ssc_mining.discovery.variants import VariantTable
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.provenance import Provenance
from ssc_mining.loaders.database import read_meta
from ssc_mining.privacy import Pseudonymiser

_CASE, _ACT, _TIME, _ROW = (f'"{c}"' for c in (C.CASE, C.ACTIVITY, C.TIMESTAMP, C.SOURCE_ROW))
#: the events with their ticket's next activity and time, in the event log's order
_STEPS = f"""
    SELECT {_CASE} AS c, {_ACT} AS a,
           lead({_ACT}) OVER w AS na,
           (epoch_us(lead({_TIME}) OVER w) - epoch_us({_TIME})) / 1e6 AS seconds,
           row_number() OVER w AS pos
    FROM src.events WINDOW w AS (PARTITION BY {_CASE} ORDER BY {_TIME}, {_ROW})
"""


class DuckDBEvents:
    """A database from ``ssc-mining import``, opened read-only; its aggregates are computed on demand."""

    def __init__(self, path: str | Path, *, memory_limit: str | None = None,
                 pseudonymiser: Pseudonymiser | None = None) -> None:
        self.path = Path(path)
        # an in-memory database with the file attached read-only: the working tables are its own, and what does
        # not fit in memory_limit goes to a temporary folder
        self._scratch = tempfile.TemporaryDirectory(prefix="ssc-mining-duckdb-")
        self.connection = duckdb.connect()
        self.connection.execute("SET TimeZone = 'UTC'")
        self.connection.execute(f"SET temp_directory = '{self._scratch.name}'")
        if memory_limit:
            self.connection.execute(f"SET memory_limit = '{memory_limit}'")
        escaped = str(self.path).replace("'", "''")
        self.connection.execute(f"ATTACH '{escaped}' AS src (READ_ONLY)")
        self.meta = read_meta(self.connection, self.path, table="src.meta")
        self.provenance = self._provenance()
        self._renamed: dict[str, dict[str, str]] = {}
        if pseudonymiser is not None:
            self._renamed = self._pseudonyms(pseudonymiser)

    def close(self) -> None:
        self.connection.close()
        self._scratch.cleanup()

    def __enter__(self) -> DuckDBEvents:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _provenance(self) -> Provenance:
        from ssc_mining.loaders.database import provenance_of

        counts = self.connection.execute("SELECT count(*) FROM src.events").fetchone()
        assert counts is not None
        provenance = provenance_of(self.meta["provenance"], events=int(counts[0]), decimal=None,
                                   cases_with_rows_set_aside=self._set_aside())
        provenance.notes.append(f"aggregated by DuckDB {duckdb.__version__} in the database {self.path.name}")
        return provenance

    def _set_aside(self) -> int:
        columns = {row[0] for row in self.connection.execute("DESCRIBE src.events").fetchall()}
        if C.ROWS_SET_ASIDE not in columns:
            return 0
        found = self.connection.execute(f'SELECT count(DISTINCT {_CASE}) FROM src.events '
                                        f'WHERE "{C.ROWS_SET_ASIDE}" > 0').fetchone()
        return int(found[0]) if found else 0

    def _pseudonyms(self, pseudonymiser: Pseudonymiser) -> dict[str, dict[str, str]]:
        """Per column (activity, case, mother): the values that change, as pseudonymise_log changes them."""
        from ssc_mining.privacy import PERSON_COLUMNS, NameFinder, replace_in_column

        columns = {row[0] for row in self.connection.execute("DESCRIBE src.events").fetchall()}
        names: set[str] = set()
        for column in PERSON_COLUMNS:
            if column in columns:
                found = self.connection.execute(f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM src.events '
                                                f'WHERE "{column}" IS NOT NULL').fetchall()
                names |= {str(v[0]) for v in found}
        finder = NameFinder(sorted(names), pseudonymiser)
        renamed = {}
        for column in (C.ACTIVITY, C.CASE, C.MOTHER):
            if column in columns:
                distinct = self.connection.sql(f'SELECT DISTINCT "{column}" AS v FROM src.events').to_arrow_table()
                _values, changed = replace_in_column(distinct.column("v").to_pandas(), finder)
                renamed[column] = changed
        return renamed

    def _named(self, values: pd.Series | np.ndarray | list[Any], column: str) -> Any:
        changed = self._renamed.get(column)
        if not changed:
            return values
        if isinstance(values, pd.Series):
            return values.map(lambda v: changed.get(v, v))
        return [changed.get(v, v) for v in values]

    def variant_table(self) -> VariantTable:
        """The variants: sequences most frequent first (ties by sequence), and each ticket's variant (tickets in
        the event log's order)."""
        con = self.connection
        con.execute(f"CREATE OR REPLACE TEMP TABLE per_case AS SELECT {_CASE} AS c, min(rowid) AS first, "
                    f"list({_ACT} ORDER BY {_TIME}, {_ROW}) AS trace FROM src.events GROUP BY {_CASE}")
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE variant_ids AS SELECT trace, count(*) AS n, "
                        "(row_number() OVER ()) - 1 AS vid FROM per_case GROUP BY trace")
            variants = con.sql("SELECT trace, n, vid FROM variant_ids").to_arrow_table()
            # tickets in the order of the event log: of their first event in the database (the import wrote the
            # events in that order)
            cases = con.sql("SELECT p.c, v.vid FROM per_case p JOIN variant_ids v USING (trace) ORDER BY p.first") \
                .to_arrow_table()
        finally:
            con.execute("DROP TABLE IF EXISTS variant_ids")
            con.execute("DROP TABLE IF EXISTS per_case")
        traces = [tuple(self._named(t, C.ACTIVITY)) for t in variants.column("trace").to_pylist()]
        counts = variants.column("n").to_numpy().astype(np.int64)
        order = sorted(range(len(traces)), key=lambda i: (-counts[i], traces[i]))   # a loop over variants
        rank = np.empty(len(order), dtype=np.int64)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
        by_vid = np.empty(len(order), dtype=np.int64)
        by_vid[variants.column("vid").to_numpy()] = rank
        ids = self._named(cases.column("c").to_pandas(), C.CASE)
        case_variant = pd.Series(by_vid[cases.column("vid").to_numpy()], index=pd.Index(ids, name=C.CASE),
                                 name="variant")
        return VariantTable(traces=[traces[i] for i in order], counts=counts[order], case_variant=case_variant)

    def directly_follows(self) -> DirectlyFollows:
        """The directly-follows graph: activities, paths with their times, start and end activities."""
        con = self.connection
        steps = con.sql(_STEPS)
        con.register("steps_view", steps)
        try:
            nodes = con.sql("SELECT a AS activity, count(*) AS events, count(DISTINCT c) AS cases FROM steps_view "
                            "GROUP BY a").to_df()
            edges = con.sql("SELECT a AS source, na AS target, count(*) AS events, count(DISTINCT c) AS cases, "
                            "median(seconds) AS median_seconds, avg(seconds) AS mean_seconds FROM steps_view "
                            "WHERE na IS NOT NULL GROUP BY a, na").to_df()
            starts = con.sql("SELECT a, count(*) AS n FROM steps_view WHERE pos = 1 GROUP BY a").to_df()
            ends = con.sql("SELECT a, count(*) AS n FROM steps_view WHERE na IS NULL GROUP BY a").to_df()
        finally:
            con.unregister("steps_view")
        nodes["activity"] = self._named(nodes["activity"].astype(object), C.ACTIVITY).astype("str")
        edges["source"] = self._named(edges["source"].astype(object), C.ACTIVITY).astype("str")
        edges["target"] = self._named(edges["target"].astype(object), C.ACTIVITY).astype("str")
        nodes = nodes.astype({"events": np.int64, "cases": np.int64}).sort_values(
            ["events", "activity"], ascending=[False, True], kind="stable").reset_index(drop=True)
        edges = edges.astype({"events": np.int64, "cases": np.int64, "median_seconds": np.float64,
                              "mean_seconds": np.float64}).sort_values(["source", "target"], kind="stable") \
            .reset_index(drop=True)
        return DirectlyFollows(nodes=nodes, edges=edges, starts=self._counted(starts), ends=self._counted(ends))

    def _counted(self, frame: pd.DataFrame) -> pd.Series:
        labels = self._named(frame["a"].astype(object), C.ACTIVITY).astype("str")
        out = pd.Series(frame["n"].to_numpy(dtype=np.int64), index=pd.Index(labels, name=C.ACTIVITY), name="count")
        return out.sort_index()

    def first_per_case(self, column: str) -> pd.Series | None:
        """Per ticket, the value of ``column`` at its first event (None when the database has no such column)."""
        columns = {row[0] for row in self.connection.execute("DESCRIBE src.events").fetchall()}
        if column not in columns:
            return None
        frame = self.connection.sql(
            f'SELECT {_CASE} AS c, arg_min("{column}", struct_pack(t := {_TIME}, r := {_ROW})) AS v '
            f"FROM src.events GROUP BY {_CASE}").to_df()
        return pd.Series(self._named(frame["v"], column).to_numpy(), index=pd.Index(
            self._named(frame["c"], C.CASE), name=C.CASE), name=column)
