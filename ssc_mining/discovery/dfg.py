"""Directly-follows graph, vectorised (one sort, one shift).

Counts equal ``pm4py.discover_dfg`` on the same log (tested), and each edge
also carries the number of cases it occurs in and the median and mean time
between the two activities.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1", "1"],
    ...     "concept:name": ["Open", "Work", "Close"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
    ...                                       "2024-01-01 12:00"], utc=True)}))
    >>> dfg = directly_follows(log)
    >>> dfg.edges[["source", "target", "events"]].values.tolist()
    [['Open', 'Work', 1], ['Work', 'Close', 1]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog


@dataclass(frozen=True)
class DirectlyFollows:
    """Nodes (activities), edges, start and end activities with their counts."""

    nodes: pd.DataFrame   # activity, events, cases
    edges: pd.DataFrame   # source, target, events, cases, median_seconds, mean_seconds
    starts: pd.Series     # activity -> cases starting with it
    ends: pd.Series       # activity -> cases ending with it

    def as_pm4py(self) -> dict[tuple[str, str], int]:
        """The edge counts in ``pm4py.discover_dfg``'s shape."""
        return {(s, t): int(n) for s, t, n in self.edges[["source", "target", "events"]].itertuples(index=False)}


def directly_follows(log: EventLog) -> DirectlyFollows:
    """Discover the directly-follows graph of ``log`` (already sorted by case and time)."""
    return directly_follows_frame(log.frame)


def directly_follows_frame(frame: pd.DataFrame) -> DirectlyFollows:
    """The directly-follows graph of a canonical frame sorted by case and time (e.g. a segment of a log).

    Activities and cases are integer-coded first (one factorize each), so the grouping works on integers;
    edges come sorted by source and target label, nodes by events (descending) and label.
    """
    case_codes, _cases = pd.factorize(frame[C.CASE], use_na_sentinel=False)
    act_codes, activities = pd.factorize(frame[C.ACTIVITY], use_na_sentinel=False)
    nanos = frame[C.TIMESTAMP].to_numpy(dtype="datetime64[ns]").astype("int64")
    return directly_follows_codes(case_codes, act_codes, np.asarray(activities, dtype=object), nanos)


def directly_follows_segments(segment: np.ndarray, n_segments: int, case_codes: np.ndarray,
                              act_codes: np.ndarray, labels: np.ndarray, nanos: np.ndarray) -> list[DirectlyFollows]:
    """The directly-follows graph of each segment of a log in one pass: ``segment`` holds each event's segment
    number (0 … ``n_segments`` − 1; −1: in none; the same for all events of a case), the other arrays are as in
    :func:`directly_follows_codes`. The edges of all segments come from one group-by on (segment, source,
    target); each graph equals :func:`directly_follows_codes` on the segment's events alone.
    """
    n, width = len(case_codes), max(len(labels), 1)
    same = np.zeros(n, dtype=bool)
    if n > 1:
        same[:-1] = case_codes[:-1] == case_codes[1:]
    idx = np.flatnonzero(same & (segment >= 0))
    pairs = pd.DataFrame({"segment": segment[idx], "source": act_codes[idx], "target": act_codes[idx + 1],
                          "case": case_codes[idx], "seconds": (nanos[idx + 1] - nanos[idx]) / 1e9})
    grouped = pairs.groupby(["segment", "source", "target"], sort=False)
    all_edges = pd.DataFrame({
        "events": grouped.size(),
        "cases": grouped["case"].nunique(),
        "median_seconds": grouped["seconds"].median(),
        "mean_seconds": grouped["seconds"].mean(),
    }).reset_index()
    keep = segment >= 0
    slot = segment[keep].astype(np.int64) * width + act_codes[keep]
    events = np.bincount(slot, minlength=n_segments * width).reshape(n_segments, width)
    distinct = pd.unique(slot * (int(case_codes.max()) + 1 if n else 1) + case_codes[keep]) if keep.any() else \
        np.zeros(0, dtype=np.int64)
    cases = np.bincount(distinct // (int(case_codes.max()) + 1 if n else 1),
                        minlength=n_segments * width).reshape(n_segments, width)
    first = np.ones(n, dtype=bool)
    first[1:] = ~same[:-1]
    last = ~same
    out = []
    for s in range(n_segments):   # a loop over segments: each takes its rows of the tables computed above
        edges = all_edges[all_edges["segment"].to_numpy() == s].drop(columns="segment").reset_index(drop=True)
        edges["source"] = labels[edges["source"].to_numpy()] if len(edges) else edges["source"].astype(object)
        edges["target"] = labels[edges["target"].to_numpy()] if len(edges) else edges["target"].astype(object)
        edges = edges.sort_values(["source", "target"], kind="stable").reset_index(drop=True)
        present = events[s] > 0
        nodes = pd.DataFrame({"activity": labels[:len(present)][present] if len(labels) else labels,
                              "events": events[s][present].astype(np.int64),
                              "cases": cases[s][present].astype(np.int64)})
        nodes = nodes.sort_values(["events", "activity"], ascending=[False, True], kind="stable") \
            .reset_index(drop=True)
        mine = segment == s
        starts = pd.Series(labels[act_codes[first & mine]], name=C.ACTIVITY).value_counts().sort_index()
        ends = pd.Series(labels[act_codes[last & mine]], name=C.ACTIVITY).value_counts().sort_index()
        out.append(DirectlyFollows(nodes=nodes, edges=edges, starts=starts, ends=ends))
    return out


def directly_follows_codes(case_codes: np.ndarray, act_codes: np.ndarray, labels: np.ndarray,
                           nanos: np.ndarray) -> DirectlyFollows:
    """The directly-follows graph of integer-coded events sorted by case and time: per event its case code
    (equal codes next to each other), activity code (an index into ``labels``) and time in nanoseconds.

    Activities of ``labels`` without events are left out, so the codes of a whole log can be used for a part
    of it (a segment) and give what :func:`directly_follows_frame` gives on that part.
    """
    n = len(case_codes)
    same = np.zeros(n, dtype=bool)
    if n > 1:
        same[:-1] = case_codes[:-1] == case_codes[1:]
    idx = np.flatnonzero(same)
    pairs = pd.DataFrame({"source": act_codes[idx], "target": act_codes[idx + 1], "case": case_codes[idx],
                          "seconds": (nanos[idx + 1] - nanos[idx]) / 1e9})
    grouped = pairs.groupby(["source", "target"], sort=False)
    edges = pd.DataFrame({
        "events": grouped.size(),
        "cases": grouped["case"].nunique(),
        "median_seconds": grouped["seconds"].median(),
        "mean_seconds": grouped["seconds"].mean(),
    }).reset_index()
    edges["source"] = labels[edges["source"].to_numpy()] if len(edges) else edges["source"].astype(object)
    edges["target"] = labels[edges["target"].to_numpy()] if len(edges) else edges["target"].astype(object)
    edges = edges.sort_values(["source", "target"], kind="stable").reset_index(drop=True)
    width = max(len(labels), 1)
    events = np.bincount(act_codes, minlength=len(labels)) if n else np.zeros(len(labels), dtype=int)
    distinct = pd.unique(case_codes.astype(np.int64) * width + act_codes) if n else np.zeros(0, int)
    cases = np.bincount(distinct % width, minlength=len(labels)) if n else np.zeros(len(labels), dtype=int)
    present = events > 0
    nodes = pd.DataFrame({"activity": labels[present], "events": events[present].astype(np.int64),
                          "cases": cases[present].astype(np.int64)})
    nodes = nodes.sort_values(["events", "activity"], ascending=[False, True], kind="stable").reset_index(drop=True)
    first = np.ones(n, dtype=bool)
    first[1:] = ~same[:-1]
    last = ~same
    starts = pd.Series(labels[act_codes[first]], name=C.ACTIVITY).value_counts().sort_index()
    ends = pd.Series(labels[act_codes[last]], name=C.ACTIVITY).value_counts().sort_index()
    return DirectlyFollows(nodes=nodes, edges=edges, starts=starts, ends=ends)
