"""The engine-neutral expressions (Narwhals) give the figures of the pandas/numpy code the report uses, on
pandas, Polars and DuckDB, for the sample and real logs; and they do not depend on the order of the rows."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from conftest import SAMPLES, load_real

from ssc_mining.analysers.case_table import case_table
from ssc_mining.discovery.dfg import directly_follows
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.expressions import activities_of, cases_of, edges_of
from ssc_mining.loaders import load

ENGINES = {
    "pandas": lambda f: f,
    "polars": lambda f: pl.from_pandas(f),
    "duckdb": lambda f: duckdb.from_arrow(pa.Table.from_pandas(f, preserve_index=False)),   # lazy, SQL
}
CORE = [C.CASE, C.ACTIVITY, C.TIMESTAMP, C.SOURCE_ROW]


def _logs():
    yield "sample", load(SAMPLES / "generic-events.csv")
    yield "receipt", load_real("receipt-wabo", "receipt.csv")
    yield "helpdesk", load_real("helpdesk-full", "helpdesk.csv")


def _pandas(frame) -> pd.DataFrame:
    out = frame.collect().to_pandas()
    for column in out.columns:   # engines name their integer and text types differently
        if pd.api.types.is_integer_dtype(out[column]):
            out[column] = out[column].astype("int64")
        elif not pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].astype(object)
    return out


@pytest.mark.realdata
@pytest.mark.parametrize("engine", list(ENGINES))
def test_cases_edges_and_activities_equal_the_pandas_code(engine):
    for name, log in _logs():
        events = log.frame[CORE]
        native = ENGINES[engine](events.sample(frac=1.0, random_state=3))   # rows shuffled: order is stated
        # cases: the case table's figures; first and last activity by the case index
        got = _pandas(cases_of(native)).set_index("case")
        table = case_table(log).sort_index()
        assert got.index.tolist() == sorted(table.index.tolist()), name
        assert got["events"].tolist() == table["events"].tolist()
        assert (got["first_time"].dt.tz_convert("UTC").astype("datetime64[us, UTC]").tolist()
                == table["first_time"].astype("datetime64[us, UTC]").tolist())
        np.testing.assert_allclose(got["days"].to_numpy(), table["days"].to_numpy(), rtol=1e-9, atol=1e-9)
        index = log.cases
        acts = log.frame[C.ACTIVITY].to_numpy()
        first = pd.Series(acts[index.first], index=index.ids).sort_index()
        last = pd.Series(acts[index.last], index=index.ids).sort_index()
        assert got["start"].tolist() == first.tolist() and got["end"].tolist() == last.tolist()
        # edges and activities: the directly-follows graph (itself tested equal to pm4py's)
        dfg = directly_follows(log)
        edges = _pandas(edges_of(native))
        want = dfg.edges.sort_values(["source", "target"]).reset_index(drop=True)
        assert edges[["source", "target", "events", "cases"]].values.tolist() == \
            want[["source", "target", "events", "cases"]].values.tolist(), name
        np.testing.assert_allclose(edges["median_seconds"], want["median_seconds"], rtol=1e-9)
        # a mean sums in another order when the rows come in another order: equal to a millionth of a second
        np.testing.assert_allclose(edges["mean_seconds"], want["mean_seconds"], rtol=1e-9, atol=1e-6)
        activities = _pandas(activities_of(native)).set_index("activity")
        nodes = dfg.nodes.set_index("activity").sort_index()
        assert activities["events"].tolist() == nodes["events"].tolist()
        assert activities["cases"].tolist() == nodes["cases"].tolist()
        assert activities["starts"].tolist() == dfg.starts.reindex(activities.index, fill_value=0).tolist()
        assert activities["ends"].tolist() == dfg.ends.reindex(activities.index, fill_value=0).tolist()


def test_ties_at_one_moment_follow_the_row_of_the_export():
    events = pd.DataFrame({C.CASE: ["1", "1", "1"], C.ACTIVITY: ["B", "A", "C"],
                           C.TIMESTAMP: pd.to_datetime(["2024-01-01"] * 2 + ["2024-01-02"], utc=True),
                           C.SOURCE_ROW: [2, 1, 3]})
    edges = _pandas(edges_of(events))
    assert edges[["source", "target"]].values.tolist() == [["A", "B"], ["B", "C"]]
    cases = _pandas(cases_of(pl.from_pandas(events)))
    assert cases[["start", "end", "events"]].values.tolist() == [["A", "C", 3]]
