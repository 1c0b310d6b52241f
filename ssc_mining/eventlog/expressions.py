"""The core computations of an event log as engine-neutral column expressions (Narwhals).

Each function takes events with the canonical columns (case, activity, timestamp, source row) as a frame
Narwhals supports with ordered windows — pandas and Polars eagerly, DuckDB (and, untested here, PySpark)
lazily; not PyArrow, whose Narwhals backend has no shift within groups — and returns a Narwhals
``LazyFrame``; ``.collect()`` gives the figures as an eager frame. Nothing relies on the order of the rows:
every step that needs an order states it, within a case by time and then source row (``over(case,
order_by=[timestamp, source row])``), the order of :func:`ssc_mining.eventlog.log.sort_events`.

They compute the same figures as the vectorised pandas/numpy code the report uses today (the case index,
:func:`ssc_mining.analysers.case_table.case_table`, :func:`ssc_mining.discovery.dfg.directly_follows`); the
tests hold the two equal on the samples and on real logs, on pandas, Polars and DuckDB. They are the
starting point for running the analysis on engines beyond one machine's memory.

Example:
    >>> import pandas as pd
    >>> events = pd.DataFrame({"case:concept:name": ["1", "1", "2"], "concept:name": ["Open", "Close", "Open"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02"], utc=True),
    ...     "ssc:source_row": [1, 2, 3]})
    >>> cases_of(events).collect().to_native()[["case", "events", "days", "start", "end"]].values.tolist()
    [['1', 2, 2.0, 'Open', 'Close'], ['2', 1, 0.0, 'Open', 'Open']]
    >>> edges_of(events).collect().to_native()[["source", "target", "events", "cases"]].values.tolist()
    [['Open', 'Close', 1, 1]]
"""

from __future__ import annotations

from typing import Any

import narwhals as nw

from ssc_mining.eventlog import columns as C

#: the order of events within a case: by time, ties by the row of the export
ORDER = [C.TIMESTAMP, C.SOURCE_ROW]


def _lazy(events: Any) -> nw.LazyFrame:
    """The four canonical columns of ``events`` (a native frame or a Narwhals frame) as a LazyFrame."""
    frame = events if isinstance(events, (nw.DataFrame, nw.LazyFrame)) else nw.from_native(events)
    lazy = frame.lazy() if isinstance(frame, nw.DataFrame) else frame
    return lazy.select(C.CASE, C.ACTIVITY, C.TIMESTAMP, C.SOURCE_ROW)


def _steps(events: Any) -> nw.LazyFrame:
    """Each event with the activity and time of the previous and the next event of its case (null at the
    ends)."""
    def within(expr: nw.Expr) -> nw.Expr:
        return expr.over(C.CASE, order_by=ORDER)

    return _lazy(events).with_columns(
        previous=within(nw.col(C.ACTIVITY).shift(1)),
        next=within(nw.col(C.ACTIVITY).shift(-1)),
        next_time=within(nw.col(C.TIMESTAMP).shift(-1)),
        first=within(nw.col(C.SOURCE_ROW).shift(1)).is_null(),
        last=within(nw.col(C.SOURCE_ROW).shift(-1)).is_null(),
    )


def cases_of(events: Any) -> nw.LazyFrame:
    """One row per case, sorted by case id: ``events``, ``first_time``, ``last_time``, ``days`` (first → last
    event), ``start`` and ``end`` (the first and the last activity)."""
    steps = _steps(events)
    starts = steps.filter(nw.col("first")).select(C.CASE, start=nw.col(C.ACTIVITY))   # one per case
    ends = steps.filter(nw.col("last")).select(C.CASE, end=nw.col(C.ACTIVITY))
    sizes = steps.group_by(C.CASE).agg(events=nw.len(), first_time=nw.col(C.TIMESTAMP).min(),
                                       last_time=nw.col(C.TIMESTAMP).max())
    return (sizes.join(starts, on=C.CASE, how="left").join(ends, on=C.CASE, how="left")
            .with_columns(days=(nw.col("last_time") - nw.col("first_time")).dt.total_microseconds() / 86_400e6)
            .rename({C.CASE: "case"})
            .select("case", "events", "first_time", "last_time", "days", "start", "end")
            .sort("case"))


def edges_of(events: Any) -> nw.LazyFrame:
    """The directly-follows graph's edges, sorted by source and target: ``events`` (times the target directly
    follows the source in a case), ``cases`` (cases in which it does), ``median_seconds`` and ``mean_seconds``
    between the two."""
    return (_steps(events).filter(~nw.col("next").is_null())
            .with_columns(seconds=(nw.col("next_time") - nw.col(C.TIMESTAMP)).dt.total_microseconds() / 1e6)
            .group_by(C.ACTIVITY, "next")
            .agg(events=nw.len(), cases=nw.col(C.CASE).n_unique(), median_seconds=nw.col("seconds").median(),
                 mean_seconds=nw.col("seconds").mean())
            .rename({C.ACTIVITY: "source", "next": "target"})
            .select("source", "target", "events", "cases", "median_seconds", "mean_seconds")
            .sort("source", "target"))


def activities_of(events: Any) -> nw.LazyFrame:
    """Per activity, sorted by activity: ``events``, ``cases`` (cases with it), ``starts`` and ``ends`` (cases
    that begin or end with it)."""
    return (_steps(events).group_by(C.ACTIVITY)
            .agg(events=nw.len(), cases=nw.col(C.CASE).n_unique(), starts=nw.col("first").sum(),
                 ends=nw.col("last").sum())
            .rename({C.ACTIVITY: "activity"})
            .sort("activity"))
