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
from ssc_mining.eventlog.cases import code_dtype, repeated
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
    return graph_of(log_steps(log))


def directly_follows_frame(frame: pd.DataFrame) -> DirectlyFollows:
    """The directly-follows graph of a canonical frame sorted by case and time (e.g. a segment of a log).

    Activities and cases are integer-coded first (one factorize each), so the grouping works on integers;
    edges come sorted by source and target label, nodes by events (descending) and label.
    """
    case_codes, _cases = pd.factorize(frame[C.CASE], use_na_sentinel=False)
    act_codes, activities = pd.factorize(frame[C.ACTIVITY], use_na_sentinel=False)
    nanos = frame[C.TIMESTAMP].to_numpy(dtype="datetime64[ns]").astype("int64")
    return graph_of(steps_of(case_codes, act_codes, np.asarray(activities, dtype=object), nanos))


@dataclass(frozen=True)
class Steps:
    """A log's events and directly-follows steps as integer codes, with first-occurrence flags, so the graph of
    the whole log or of any part of it (a segment) is counted with bincounts and one group-by for the times.

    Per event: ``case``, ``act`` (index into ``labels``), ``first``/``last`` (the case's first or last event),
    ``act_new`` (the first event of its activity in its case). Per step (an event and the next one of its
    case): ``at`` (the position of its first event), ``key`` (source × ``width`` + target), ``seconds``,
    ``key_new`` (the first step with this key in its case).
    """

    case: np.ndarray
    act: np.ndarray
    labels: np.ndarray
    first: np.ndarray
    last: np.ndarray
    act_new: np.ndarray
    at: np.ndarray
    key: np.ndarray
    seconds: np.ndarray
    key_new: np.ndarray

    @property
    def width(self) -> int:
        return max(len(self.labels), 1)


def steps_of(case_codes: np.ndarray, act_codes: np.ndarray, labels: np.ndarray, nanos: np.ndarray) -> Steps:
    """The :class:`Steps` of integer-coded events sorted by case and time (equal case codes next to each
    other)."""
    n = len(case_codes)
    case = np.asarray(case_codes, dtype=np.int64)
    width = max(len(labels), 1)
    act = np.asarray(act_codes).astype(code_dtype(width), copy=False)  # a few bytes per event, not eight
    same = np.zeros(n, dtype=bool)
    if n > 1:
        same[:-1] = case[:-1] == case[1:]
    first = np.ones(n, dtype=bool)
    first[1:] = ~same[:-1]
    at = np.flatnonzero(same)
    if n < np.iinfo(np.int32).max:
        at = at.astype(np.int32)
    key = act[at].astype(np.int64) * width + act[at + 1]
    # duplicates within a case: the same code in the same case (one packed integer per event, sorted)
    act_new = _first_in_case(case, act, width)
    key_new = _first_in_case(case[at], key, width * width)
    return Steps(case=case, act=act, labels=labels, first=first, last=~same, act_new=act_new, at=at, key=key,
                 seconds=(nanos[at + 1] - nanos[at]) / 1e9, key_new=key_new)


def _first_in_case(case: np.ndarray, code: np.ndarray, width: int) -> np.ndarray:
    """Per row: True where ``code`` (0 … ``width`` − 1) did not occur before in the same case."""
    if not len(case):
        return np.zeros(0, dtype=bool)
    if int(case.max()) < np.iinfo(np.int64).max // width - 1:
        return ~repeated(case * width + code)
    return ~pd.DataFrame({"c": case, "k": code}).duplicated().to_numpy()  # pragma: no cover - too many to combine


#: the key of :func:`log_steps` in ``log.computed`` (a report forgets them once its maps are made)
STEPS_KEY = "dfg_steps"


def log_steps(log: EventLog) -> Steps:
    """The :class:`Steps` of ``log``, computed once per log and shared by its graph and its segments' graphs."""
    def compute() -> Steps:
        act, labels = pd.factorize(log.frame[C.ACTIVITY], use_na_sentinel=False)
        nanos = log.frame[C.TIMESTAMP].to_numpy(dtype="datetime64[ns]").astype("int64")
        return steps_of(log.cases.codes, act, np.asarray(labels, dtype=object), nanos)

    return log.computed(STEPS_KEY, compute)


def graph_of(steps: Steps) -> DirectlyFollows:
    """The directly-follows graph of all events of ``steps``."""
    return graphs_of_segments(steps, None, 1)[0]


def graphs_of_segments(steps: Steps, segment: np.ndarray | None, n_segments: int) -> list[DirectlyFollows]:
    """The graph of each segment: ``segment`` holds each event's segment number (0 … ``n_segments`` − 1; −1: in
    none; the same for all events of a case), None: one segment of all events. One group-by on (segment,
    edge) for the times; the counts are bincounts of the flags in :class:`Steps`. Each graph equals the graph
    of the segment's events on their own."""
    width, labels = steps.width, steps.labels
    seg_event = np.zeros(len(steps.case), dtype=np.int8) if segment is None else np.asarray(segment)
    seg_step = seg_event[steps.at]
    chosen = seg_step >= 0
    # one packed number per (segment, edge): grouping by one integer column needs far less working memory than
    # grouping by two (at 5M events about 100 MiB instead of 400), and keeps the same groups in the same order
    edge_keys = width * width
    packed = seg_step[chosen].astype(np.int64) * edge_keys + steps.key[chosen]
    pairs = pd.DataFrame({"group": packed, "new": steps.key_new[chosen], "seconds": steps.seconds[chosen]})
    del packed
    grouped = pairs.groupby("group", sort=False)
    all_edges = pd.DataFrame({"events": grouped.size(), "cases": grouped["new"].sum().astype(np.int64),
                              "median_seconds": grouped["seconds"].median(),
                              "mean_seconds": grouped["seconds"].mean()}).reset_index()
    del grouped, pairs
    group = all_edges.pop("group").to_numpy()
    all_edges.insert(0, "segment", group // edge_keys)
    all_edges.insert(1, "key", group % edge_keys)
    keep = seg_event >= 0
    slot = seg_event[keep].astype(np.int64) * width + steps.act[keep]
    events = np.bincount(slot, minlength=n_segments * width).reshape(n_segments, width)
    cases = np.bincount(slot[steps.act_new[keep]], minlength=n_segments * width).reshape(n_segments, width)
    starts_n = np.bincount(slot[steps.first[keep]], minlength=n_segments * width).reshape(n_segments, width)
    ends_n = np.bincount(slot[steps.last[keep]], minlength=n_segments * width).reshape(n_segments, width)
    out = []
    for s in range(n_segments):   # a loop over segments: each takes its rows of the tables computed above
        mine = all_edges[all_edges["segment"].to_numpy() == s]
        key = mine["key"].to_numpy()
        edges = pd.DataFrame({"source": labels[key // width] if len(key) else np.zeros(0, dtype=object),
                              "target": labels[key % width] if len(key) else np.zeros(0, dtype=object),
                              "events": mine["events"].to_numpy(dtype=np.int64),
                              "cases": mine["cases"].to_numpy(dtype=np.int64),
                              "median_seconds": mine["median_seconds"].to_numpy(dtype=np.float64),
                              "mean_seconds": mine["mean_seconds"].to_numpy(dtype=np.float64)})
        edges = edges.sort_values(["source", "target"], kind="stable").reset_index(drop=True)
        present = events[s] > 0
        nodes = pd.DataFrame({"activity": labels[:len(present)][present] if len(labels) else labels,
                              "events": events[s][present].astype(np.int64),
                              "cases": cases[s][present].astype(np.int64)})
        nodes = nodes.sort_values(["events", "activity"], ascending=[False, True], kind="stable") \
            .reset_index(drop=True)
        starts, ends = _counted(labels, starts_n[s]), _counted(labels, ends_n[s])
        out.append(DirectlyFollows(nodes=nodes, edges=edges, starts=starts, ends=ends))
    return out


def _counted(labels: np.ndarray, counts: np.ndarray) -> pd.Series:
    """The activities with a count above 0 and their counts, by label (as ``value_counts().sort_index()``)."""
    present = np.flatnonzero(counts[:len(labels)] > 0)
    present = present[pd.notna(labels[present])]   # as value_counts: no missing label
    out = pd.Series(counts[present].astype(np.int64), index=pd.Index(labels[present], name=C.ACTIVITY),
                    name="count")
    return out.sort_index()
