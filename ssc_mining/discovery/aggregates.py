"""What discovery needs from a log: its variants, its directly-follows graph and its segments' graphs, one value
per ticket, provenance, and a place to keep what was computed from them.

:func:`~ssc_mining.report.discover_writer.run_discover`,
:func:`~ssc_mining.discovery.conformance.check_conformance` and the report's process-map section
(:mod:`ssc_mining.report.map_figures`) read a log through these aggregates, so that they run the same on a log in
memory (:class:`LogAggregates`) and on events that stay in a database
(:class:`ssc_mining.engines.duckdb_events.DuckDBEvents`); pm4py only ever receives the aggregates.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1", "2"],
    ...     "concept:name": ["A", "B", "A"], "time:timestamp": pd.to_datetime(["2024-01-01"] * 3, utc=True)}))
    >>> source = aggregates_of(log)
    >>> source.variant_table().counts.tolist(), source.first_per_case("case:ssc:mother") is None
    ([1, 1], True)
    >>> source.computed("n", lambda: 2) is log.computed("n", lambda: 3), source.segment_graphs(("mother",))
    (True, [])
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Protocol, TypeVar

import pandas as pd

from ssc_mining.discovery.dfg import DirectlyFollows, directly_follows
from ssc_mining.discovery.segments import Segment, segment_graphs
from ssc_mining.discovery.variants import VariantTable, variant_table
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog
from ssc_mining.eventlog.provenance import Provenance

T = TypeVar("T")


class Aggregates(Protocol):
    """A log seen through what discovery needs."""

    @property
    def provenance(self) -> Provenance: ...

    def variant_table(self) -> VariantTable: ...

    def directly_follows(self) -> DirectlyFollows: ...

    def first_per_case(self, column: str) -> pd.Series | None:
        """Per ticket (the index), the value of ``column`` at its first event; None without the column."""
        ...

    def segment_graphs(self, attributes: tuple[str, ...] = ("mother", "category"), *, max_segments: int = 6,
                       min_cases: int = 20) -> list[Segment]:
        """The graph of each segment of the tickets, as :func:`~ssc_mining.discovery.segments.segment_graphs`."""
        ...

    def computed(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result of ``compute()``, computed once per source and ``key`` and shared afterwards (as
        :meth:`~ssc_mining.eventlog.log.EventLog.computed`)."""
        ...

    def forget(self, key: Hashable) -> None:
        """Drop what :meth:`computed` keeps under ``key``."""
        ...


@dataclass(frozen=True)
class LogAggregates:
    """The aggregates of an event log in memory (computed once per log and shared)."""

    log: EventLog

    @property
    def provenance(self) -> Provenance:
        return self.log.provenance

    def variant_table(self) -> VariantTable:
        return variant_table(self.log)

    def directly_follows(self) -> DirectlyFollows:
        return directly_follows(self.log)

    def first_per_case(self, column: str) -> pd.Series | None:
        frame = self.log.frame
        if column not in frame.columns:
            return None
        return frame.drop_duplicates(C.CASE).set_index(C.CASE)[column]

    def segment_graphs(self, attributes: tuple[str, ...] = ("mother", "category"), *, max_segments: int = 6,
                       min_cases: int = 20) -> list[Segment]:
        return segment_graphs(self.log, attributes, max_segments=max_segments, min_cases=min_cases)

    def computed(self, key: Hashable, compute: Callable[[], T]) -> T:
        return self.log.computed(key, compute)

    def forget(self, key: Hashable) -> None:
        self.log.forget(key)


def aggregates_of(source: EventLog | Aggregates) -> Aggregates:
    """``source`` as aggregates (an event log is wrapped)."""
    return LogAggregates(source) if isinstance(source, EventLog) else source
