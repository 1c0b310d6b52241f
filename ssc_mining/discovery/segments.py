"""Directly-follows graphs per segment of the cases (mother organisation, category), for comparisons.

A segment is all cases with one value of a case attribute; the largest
segments (by cases) are taken, each with at least ``min_cases`` cases, so the
maps stay few and meaningful.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": list("1122"),
    ...     "concept:name": ["A", "B", "A", "C"], "case:ssc:mother": ["North", "North", "South", "South"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"] * 2, utc=True)}))
    >>> [(s.attribute, s.value, s.cases, s.dfg.as_pm4py()) for s in segment_graphs(log, ("mother",), min_cases=1)]
    [('mother', 'North', 1, {('A', 'B'): 1}), ('mother', 'South', 1, {('A', 'C'): 1})]
"""

from __future__ import annotations

from dataclasses import dataclass

from ssc_mining.discovery.dfg import DirectlyFollows, graphs_of_segments, log_steps
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.cases import code_dtype
from ssc_mining.eventlog.log import EventLog

#: segment attribute names (as on the command line) → case column
ATTRIBUTES = {"mother": C.MOTHER, "category": C.CATEGORY, "priority": C.PRIORITY, "channel": C.CHANNEL}


@dataclass(frozen=True)
class Segment:
    """The graph of the cases with ``attribute`` = ``value``."""

    attribute: str
    value: str
    cases: int
    dfg: DirectlyFollows


def segment_graphs(log: EventLog, attributes: tuple[str, ...] = ("mother", "category"), *, max_segments: int = 6,
                   min_cases: int = 20) -> list[Segment]:
    """One graph per value of each attribute present in the log (largest first, ties by value)."""
    frame, index = log.frame, log.cases
    out: list[Segment] = []
    for attribute in attributes:
        column = ATTRIBUTES.get(attribute, attribute)
        if column not in frame.columns:
            continue
        per_case = index.case_first(frame[column]).astype("string")   # the case's first known value
        counts = per_case.dropna().value_counts()
        ranked = sorted(((int(n), str(v)) for v, n in counts.items() if n >= min_cases),
                        key=lambda t: (-t[0], t[1]))[:max_segments]
        if not ranked:
            continue
        number = {value: k for k, (_n, value) in enumerate(ranked)}
        # −1: in no segment; a byte or two per event (a handful of segments)
        case_segment = per_case.map(number).fillna(-1).to_numpy(dtype=code_dtype(len(ranked)))
        graphs = graphs_of_segments(log_steps(log), case_segment[index.codes], len(ranked))
        out += [Segment(attribute=attribute, value=value, cases=n, dfg=dfg) for (n, value), dfg in zip(ranked, graphs)]
    return out
