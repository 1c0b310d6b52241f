"""Explore inside the report: the tickets behind every box and arrow of the process map, every path and every
finding, the steps of single tickets (auditors only) and the handovers between teams as a network.

:func:`explore_figures` computes the data from the event log and the (privacy-filtered) results, as plain,
sorted, JSON-ready data: it is ``figures["explore"]`` and goes into the JSON file as it is. Activity,
arrow and path → tickets are computed vectorised (one sort of (key, ticket) pairs; the directly-follows
pairs of each ticket in log order, as in :mod:`ssc_mining.discovery.dfg`). Ticket ids are listed in the
order of the export.

:func:`explore_page` turns those figures into what the page needs: the rows of the path table, the list of
findings, the team network drawn as SVG (:func:`team_network_svg`) and the page's data block — capped, so
the page stays small: at most :data:`PAGE_IDS` ticket ids per box, arrow, path or finding, the
:data:`PAGE_PATHS` most frequent paths, and the boxes and arrows the map can draw.

What the JSON file holds: every path (its activities as positions in ``activities``, its text too for the
paths the page lists) with every ticket id; the findings' ticket ids are under ``analysers``; every ticket
id of every activity and arrow while all of them together are at most :data:`JSON_IDS` per kind, else the
first so many per activity or arrow (``ids_per_key`` says how many; None = all).

In partitions of whole tickets (the DuckDB and Spark engines, :mod:`ssc_mining.engines.partitioned`):
:class:`ExploreLists` makes a part per partition (``partial``, picklable) and combines the parts (``combine``) into
the :class:`Lists` of the whole log; :func:`explore_figures_of` makes the same data from them, fetching the events
of the tickets whose steps it shows through ``ticket_events``. A log in memory goes the same way as one part
(:func:`explore_figures`). A part holds per ticket its id, its place in the whole log (its
:func:`~ssc_mining.eventlog.facts.case_order` key) and its path number, per path its activities once, and per
activity and arrow its counts and only the first tickets the whole log can list; the combination puts the tickets
in the whole log's order and ranks the paths over all parts, so the lists are those of the log in memory.

Privacy: nothing here is about a person, except the timelines, which exist only for the ``auditor``
audience (their ``person`` column holds the pseudonyms); for works councils ``timelines`` is None.

Example:
    >>> from ssc_mining.loaders import load
    >>> from ssc_mining.report.model import compute_figures
    >>> ex = compute_figures(load("data/samples/generic-events.csv"))["explore"]
    >>> sum(v["tickets"] for v in ex["variants"]) == ex["tickets"], ex["timelines"] is None
    (True, True)
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from ssc_mining._io import clean_text
from ssc_mining.analysers.toolkit import sorted_codes
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.cases import code_dtype
from ssc_mining.eventlog.facts import LogFacts, case_order
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import format_number
from ssc_mining.i18n import gettext as _
from ssc_mining.report.formatting import cut_long_words, shorten
from ssc_mining.report.formatting import slug as _slug
from ssc_mining.results import Finding, Graph, Result

#: ticket ids per box, arrow, path or finding in the page (the rest: in the JSON file)
PAGE_IDS = 50
#: paths (variants) listed in the page, most frequent first
PAGE_PATHS = 200
#: tickets whose steps are stored (auditors only): those listed in findings and drill-downs, taken in turns
TIMELINES = 500
#: steps stored per ticket timeline
TIMELINE_STEPS = 100
#: ticket ids per kind (activities, arrows) that the JSON file holds in full; beyond it, the first
#: ``max(PAGE_IDS, JSON_IDS // number of activities or arrows)`` of each
JSON_IDS = 50_000
#: teams and arrows drawn in the team network (the most handovers)
NETWORK_TEAMS = 30
NETWORK_ARROWS = 80
#: the handoff analyser's graphs, by preference: handovers between the teams doing the work, else between
#: assignment groups (never the graph between people)
NETWORK_KEYS = ("handover_network_team", "handover_network_routing")
#: the longest path text shown in the page's table
PATH_CHARS = 400


def _pairs(keys: np.ndarray, cases: np.ndarray, *, cases_sorted: bool = False
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (key, ticket) pairs, sorted by key then ticket: (keys, first position, count, tickets); keys
    and tickets are codes (≥ 0). ``cases_sorted``: the tickets already come in ascending order (used only when
    a key and a ticket do not fit in one 64-bit number together)."""
    width = int(cases.max()) + 1 if len(cases) else 1
    if not len(keys) or int(keys.max()) < np.iinfo(np.int64).max // width - 1:
        # one number per pair, sorted (numpy sorts plain integers far faster than it sorts by two keys)
        pair = keys.astype(np.int64)   # a copy: the pairs are built in it
        pair *= width
        pair += cases
        pair.sort()
        pair = pair[np.r_[True, pair[1:] != pair[:-1]]] if len(pair) else pair
        # ticket codes: four bytes each are enough
        c = (pair % width).astype(np.int32 if width <= np.iinfo(np.int32).max else np.int64)
        k = pair
        k //= width   # in place: the pairs are not needed any more
    else:  # pragma: no cover - more keys × tickets than a 64-bit number holds
        order = np.argsort(keys, kind="stable") if cases_sorted else np.lexsort((cases, keys))
        k, c = keys[order], cases[order]
        keep = np.ones(len(k), dtype=bool)
        keep[1:] = (k[1:] != k[:-1]) | (c[1:] != c[:-1])
        k, c = k[keep], c[keep]
    first = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.zeros(0, dtype=np.int64)
    count = np.diff(np.r_[first, len(k)])
    uniq = k[first]
    return uniq, first, count, c


def _activity_pairs(log: EventLog) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The activities of ``log`` (sorted), the events of each, and the (activity, ticket) pairs as :func:`_pairs`
    gives them (activities as positions in the first)."""
    index = log.cases
    act, labels = sorted_codes(log, C.ACTIVITY)   # shared, small; sorted as the lists are
    known = act >= 0
    uniq, first, count, cases = _pairs(act[known].astype(np.int64), index.codes[known], cases_sorted=True)
    events = np.bincount(act[known], minlength=len(labels))
    return labels, events, uniq, first, count, cases


def activity_tickets(log: EventLog) -> pd.DataFrame:
    """Per activity: events, tickets and the ticket codes (positions in ``log.cases.ids``), sorted by activity.

    Columns ``activity``, ``events``, ``tickets``, ``first`` (offset into the returned ``attrs["cases"]``)."""
    labels, events, uniq, first, count, cases = _activity_pairs(log)
    out = pd.DataFrame({"activity": [str(labels[i]) for i in uniq], "events": events[uniq], "tickets": count,
                        "first": first})
    out.attrs["cases"] = cases
    return out


def _arrow_pairs(log: EventLog) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The activities of ``log`` (sorted) and the (arrow, ticket) pairs as :func:`_pairs` gives them; an arrow is
    ``source × (n + 2) + target`` with 0 = start, 1 … n = the activities, n + 1 = end."""
    index = log.cases
    act, labels = sorted_codes(log, C.ACTIVITY)   # shared, small; sorted as the lists are
    n = len(labels)
    # 0 = start, 1 … n = activities, n + 1 = end; missing activity → 0 (dropped); a byte or two per event
    code = (act + 1).astype(code_dtype(n + 2))
    del act
    at = np.flatnonzero(index.same_case)   # steps within a ticket: from event at to event at + 1
    src, dst = code[at], code[at + 1]
    inner = (src > 0) & (dst > 0)
    at = at[inner]
    first, last = index.first, index.last
    keys = np.concatenate([src[inner].astype(np.int64) * (n + 2) + dst[inner], code[first][code[first] > 0],
                           code[last][code[last] > 0].astype(np.int64) * (n + 2) + n + 1])
    del src, dst, inner
    # a ticket's code is the position of its first and last step in ``first`` and ``last``
    cases = np.concatenate([index.codes[at + 1], np.flatnonzero(code[first] > 0), np.flatnonzero(code[last] > 0)])
    del at, code
    return (labels, *_pairs(keys, cases))


def arrow_tickets(log: EventLog) -> pd.DataFrame:
    """Per arrow of the map (directly-follows pair in a ticket, in log order; plus "start → A" for the first
    and "A → end" for the last step of a ticket): tickets and the ticket codes, sorted by source then target
    (start first, end last). ``source``/``target`` are None for the start and the end."""
    labels, uniq, pos, count, tickets = _arrow_pairs(log)
    n = len(labels)
    names: list[str | None] = [None, *[str(x) for x in labels], None]
    out = pd.DataFrame({"source": pd.Series([names[i] for i in (uniq // (n + 2)).tolist()], dtype=object),
                        "target": pd.Series([names[i] for i in (uniq % (n + 2)).tolist()], dtype=object),
                        "tickets": count, "first": pos})
    out.attrs["cases"] = tickets
    return out


def ticket_paths(log: EventLog) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Per ticket the number of its path, and the paths (activity sequences): the log's shared variant table
    (:func:`ssc_mining.discovery.variants.variant_table`, computed once per log)."""
    from ssc_mining.discovery.variants import variant_table

    if not log.cases.n:
        return np.zeros(0, dtype=np.int64), []
    table = variant_table(log)
    return table.case_variant.to_numpy().astype(np.int64), list(table.traces)


def variant_tickets(log: EventLog) -> pd.DataFrame:
    """Per path (variant): rank, path (" → "), steps, tickets, share, most frequent first (ties by path, as in
    the report's table of paths), with the ticket codes."""
    per_case, traces = ticket_paths(log)
    out = _variant_frame(per_case, [" → ".join(t) for t in traces], np.array([len(t) for t in traces]), log.cases.n)
    out.insert(2, "trace", [traces[i] for i in out.pop("path number")])
    return out


def _variant_frame(per_case: np.ndarray, paths: list[str], steps: np.ndarray, tickets: int) -> pd.DataFrame:
    """:func:`variant_tickets` of the tickets' paths (``per_case``: per ticket in log order the number of its path
    in ``paths``, the texts; ``steps`` per path), with the number of each path (column ``path number``)."""
    counts = np.bincount(per_case, minlength=len(paths))
    order = sorted(range(len(paths)), key=lambda i: (-int(counts[i]), paths[i]))
    rank = np.empty(len(paths), dtype=np.int64)
    rank[order] = np.arange(len(paths))
    uniq, first, count, cases = _pairs(rank[per_case], np.arange(len(per_case), dtype=np.int64), cases_sorted=True)
    total = max(tickets, 1)
    number = np.asarray(order, dtype=np.int64)[uniq]
    out = pd.DataFrame({"rank": uniq + 1, "path": [paths[i] for i in number.tolist()], "steps": steps[number],
                        "tickets": count, "share": np.round(count / total, 4), "first": first,
                        "path number": number})
    out.attrs["cases"] = cases
    return out


def _limit(pairs: int, keys: int) -> int | None:
    """Ticket ids per key in the JSON file for a kind of ``keys`` keys with ``pairs`` (key, ticket) pairs."""
    if pairs <= JSON_IDS:
        return None
    return max(PAGE_IDS, JSON_IDS // max(keys, 1))


def per_key_limit(frame: pd.DataFrame) -> int | None:
    """How many ticket ids per key the JSON file holds: all (None) while the kind has at most :data:`JSON_IDS`."""
    return _limit(len(frame.attrs["cases"]), len(frame))


# --------------------------------------------------------------------------------------------------
# the lists in parts of whole tickets (the DuckDB and Spark engines) and their combination
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Kept:
    """The (key, ticket) pairs of one kind (activities, arrows) of a part or of the whole log: per key (ascending)
    its tickets in full and the first of them in log order — as many as the whole log can list (see
    :func:`_keep`). Ticket numbers: positions in the tickets of the part (or of the log), in log order."""

    keys: np.ndarray      #: the keys, ascending
    tickets: np.ndarray   #: per key its tickets, in full
    kept: np.ndarray      #: per key how many of its tickets ``cases`` holds
    cases: np.ndarray     #: the first tickets of each key, key after key, ascending within a key

    @property
    def first(self) -> np.ndarray:
        """Per key the offset of its tickets in ``cases``."""
        return np.r_[0, np.cumsum(self.kept)[:-1]].astype(np.int64) if len(self.kept) else self.kept


def _keep(keys: np.ndarray, first: np.ndarray, count: np.ndarray, cases: np.ndarray) -> _Kept:
    """The pairs of a part (from :func:`_pairs`) that the whole log may list: all while the part has at most
    :data:`JSON_IDS`, else the first ``max(PAGE_IDS, JSON_IDS // keys)`` per key — the whole log has at least as
    many pairs and keys, so it lists at most that many per key (:func:`_limit`), and the page and the timelines
    take the first :data:`PAGE_IDS`."""
    limit = _limit(len(cases), len(keys))
    if limit is None:
        return _Kept(keys=keys, tickets=count, kept=count, cases=cases)
    kept = np.minimum(count, max(limit, 1))
    start = np.cumsum(kept) - kept   # where each key's first tickets go
    return _Kept(keys=keys, tickets=count, kept=kept, cases=cases[np.arange(int(kept.sum())) +
                                                                  np.repeat(first - start, kept)])


@dataclass(frozen=True)
class ExplorePart:
    """A part's share of the drill-down lists (see :class:`ExploreLists`): per ticket a few numbers and its id,
    per activity and arrow its counts and its first tickets; ticket numbers are positions in ``order``."""

    order: np.ndarray            #: per ticket (ascending) its :func:`~ssc_mining.eventlog.facts.case_order` key
    ids: pd.Index                #: per ticket its id as text
    labels: pd.Index             #: the part's activities, sorted
    events: np.ndarray           #: events per activity (aligned with ``labels``)
    activities: _Kept            #: keys: positions in ``labels``
    arrows: _Kept                #: keys: source × (n + 2) + target; 0 = start, 1 … n = ``labels``, n + 1 = end
    paths: np.ndarray            #: per ticket its path: a position in ``steps``
    steps: np.ndarray            #: per path its length (in steps)
    trace: np.ndarray            #: the paths' activities (positions in ``labels``), path after path
    columns: frozenset[str]      #: the timelines' columns (team, assignment group, person) that hold values


@dataclass(frozen=True)
class Lists:
    """The drill-down lists of a whole log: what :func:`explore_figures_of` needs besides the results."""

    ids: np.ndarray              #: per ticket in log order its id (text)
    order: np.ndarray            #: per ticket in log order its case_order key (for ``ticket_events``)
    limits: dict[str, int | None]  #: ticket ids per key in the JSON file (None: all)
    activities: list[dict[str, Any]]
    arrows: list[dict[str, Any]]
    variants: list[dict[str, Any]]
    listed: tuple[_Kept, _Kept, _Kept]  #: paths, activities and arrows with their first tickets (the timelines')
    columns: frozenset[str]      #: the timelines' columns that hold values


_TIMELINE_COLUMNS = (C.TEAM, C.ASSIGNED_GROUP, C.RESOURCE)


@dataclass(frozen=True)
class ExploreLists:
    """The drill-down lists as a part per partition of whole tickets and their combination: the same lists as
    for the whole log in memory, for any number of partitions.

    A part holds per ticket its :func:`~ssc_mining.eventlog.facts.case_order` key, its path number and its id
    (every ticket id is listed under its path), per activity and arrow its counts and only the first tickets the
    whole log can list (:func:`_keep`), and the part's paths; the combination puts the tickets in the whole log's
    order, ranks the paths over all parts and lists as the log in memory does. ``facts`` are not needed.

    Example:
        >>> from ssc_mining.loaders import load
        >>> log = load("data/samples/generic-events.csv")
        >>> half = log.frame["case:concept:name"].isin(log.cases.ids[::2])
        >>> one, two = log.subset(half.to_numpy()), log.subset(~half.to_numpy())
        >>> from ssc_mining.eventlog.facts import CASE_ORDER
        >>> _ = one.computed(CASE_ORDER, lambda: np.flatnonzero(np.isin(log.cases.ids, one.cases.ids)))
        >>> _ = two.computed(CASE_ORDER, lambda: np.flatnonzero(np.isin(log.cases.ids, two.cases.ids)))
        >>> lists = ExploreLists().combine([ExploreLists().partial(p) for p in (two, one)], LogFacts.of(log))
        >>> lists.variants == ExploreLists().combine([ExploreLists().partial(log)], LogFacts.of(log)).variants
        True
    """

    name: ClassVar[str] = "drill-down lists"
    thread_safe: ClassVar[bool] = True

    def partial(self, log: EventLog) -> ExplorePart:
        """The part of ``log`` (a partition of whole tickets; picklable)."""
        order = np.asarray(case_order(log), dtype=np.int64)
        if len(order) > 1 and not bool(np.all(order[1:] > order[:-1])):
            raise ValueError("the tickets of a part must come in the order of the whole log (case_order ascending)")
        labels, events, uniq, first, count, cases = _activity_pairs(log)
        activities = _keep(uniq, first, count, cases)
        del uniq, first, count, cases
        _labels, *arrows = _arrow_pairs(log)
        paths, steps, trace = _part_paths(log)
        return ExplorePart(order=order, ids=pd.Index(log.cases.ids.astype(str)), labels=labels, events=events,
                           activities=activities, arrows=_keep(*arrows), paths=paths, steps=steps, trace=trace,
                           columns=frozenset(c for c in _TIMELINE_COLUMNS if log.has(c)))

    def combine(self, parts: Sequence[ExplorePart], facts: LogFacts) -> Lists:
        """The lists of the whole log made of ``parts`` (disjoint sets of whole tickets, in any order); the lists
        depend on the parts alone (``facts`` is there for the analysers' contract)."""
        return _combine(parts)


def _part_paths(log: EventLog) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per ticket the number of its path (as the log's variant table numbers them), per path its steps, and the
    paths' activities (sorted codes) path after path: the activities of each path's first ticket, gathered."""
    per_case, _traces = ticket_paths(log)
    index = log.cases
    first = np.full(len(_traces), -1, dtype=np.int64)   # per path its first ticket
    first[per_case[::-1]] = np.arange(len(per_case))[::-1]
    steps = (index.last[first] - index.first[first] + 1).astype(np.int64) if len(first) else np.zeros(0, np.int64)
    start = np.cumsum(steps) - steps
    at = np.arange(int(steps.sum())) + np.repeat(index.first[first] - start, steps)
    act, _labels = sorted_codes(log, C.ACTIVITY)
    return per_case.astype(np.int32), steps.astype(np.int32), act[at]


def _in_log_order(parts: Sequence[ExplorePart]
                  ) -> tuple[np.ndarray, pd.Index, Callable[[int, np.ndarray], np.ndarray]]:
    """The tickets of all parts in the whole log's order: their case_order keys, their ids, and a function that
    gives the log's numbers (positions in that order) of part ``i``'s tickets."""
    keys = np.concatenate([p.order for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    start = np.r_[0, np.cumsum([len(p.order) for p in parts])].astype(np.int64)
    if len(keys) < 2 or bool(np.all(keys[1:] > keys[:-1])):
        where: np.ndarray | None = None   # the parts' tickets are in log order already (one part in memory)
        ids = _joined([p.ids for p in parts]) if parts else pd.Index([], dtype=object)
    else:
        perm = np.argsort(keys, kind="stable")
        where = np.empty(len(keys), dtype=np.int64)
        where[perm] = np.arange(len(keys))   # per ticket of the parts (one after the other): its place in the log
        ids, keys = _joined([p.ids for p in parts]).take(perm), keys[perm]
    numbers = [(where[start[i]:start[i + 1]] if where is not None else None, int(start[i]))
               for i in range(len(parts))]

    def tickets(i: int, local: np.ndarray) -> np.ndarray:   # a part's ticket numbers as the log's
        place, offset = numbers[i]
        return place[local] if place is not None else local.astype(np.int64) + offset

    return keys, ids, tickets


def _combine(parts: Sequence[ExplorePart]) -> Lists:
    """See :meth:`ExploreLists.combine`."""
    keys, ids, tickets = _in_log_order(parts)
    # the activities of all parts, sorted as the log sorts them; per part the position of each of its own
    codes, labels = pd.factorize(_joined([p.labels for p in parts]), sort=True) if parts \
        else (np.zeros(0, dtype=np.int64), pd.Index([]))
    at = [codes[a:b].astype(np.int64) for a, b in zip(np.r_[0, np.cumsum([len(p.labels) for p in parts])],
                                                      np.cumsum([len(p.labels) for p in parts]))]
    n = len(labels)
    events = np.zeros(n, dtype=np.int64)
    for p, m in zip(parts, at):
        np.add.at(events, m, p.events)
    acts = _merge([p.activities for p in parts], at, tickets)
    ends = [np.r_[0, m + 1, n + 1] for m in at]   # a part's start, activities and end as the log's
    arrow_keys = [e[p.arrows.keys // (len(p.labels) + 2)] * (n + 2) + e[p.arrows.keys % (len(p.labels) + 2)]
                  for p, e in zip(parts, ends)]
    arrows = _merge([p.arrows for p in parts], arrow_keys, tickets, mapped=True)
    names = [str(x) for x in labels]
    paths, trace, bounds = _paths(parts, at, tickets, len(keys), names)
    ids_text = np.asarray(ids.tolist(), dtype=object) if len(ids) else np.zeros(0, dtype=object)
    limits = {"activities": _limit(int(acts.tickets.sum()), len(acts.keys)),
              "arrows": _limit(int(arrows.tickets.sum()), len(arrows.keys)), "variants": None}
    activities = [{"activity": names[k], "events": int(events[k]), "tickets": int(t), "case_ids": c}
                  for k, t, c in zip(acts.keys.tolist(), acts.tickets, _listed(acts, ids_text, limits["activities"]))]
    arrow_names: list[str | None] = [None, *names, None]
    arrow_list = [{"source": arrow_names[k // (n + 2)], "target": arrow_names[k % (n + 2)], "tickets": int(t),
                   "case_ids": c}
                  for k, t, c in zip(arrows.keys.tolist(), arrows.tickets, _listed(arrows, ids_text, limits["arrows"]))]
    listed = _Kept(keys=paths["rank"].to_numpy(), tickets=paths["tickets"].to_numpy(),
                   kept=paths["tickets"].to_numpy(), cases=paths.attrs["cases"])
    number = np.full(n, "", dtype=object)   # per activity its position in ``activities`` (as text)
    number[acts.keys] = [str(i) for i in range(len(acts.keys))]
    variants = _variant_list(paths, number[trace].tolist(), bounds.tolist(), _listed(listed, ids_text, None))
    return Lists(ids=ids_text, order=keys, limits=limits, activities=activities, arrows=arrow_list,
                 variants=variants, listed=(listed, acts, arrows),
                 columns=frozenset().union(*(p.columns for p in parts)))


def _variant_list(paths: pd.DataFrame, steps: list[str], bounds: list[int], case_ids: list[list[str]]
                  ) -> list[dict[str, Any]]:
    """The paths as the JSON file lists them: a path as the positions of its activities in ``activities``
    (``steps``: of every path, path after path, path k from ``bounds[k]`` to ``bounds[k + 1]``), separated by
    spaces (compact: a log such as BPIC 2012 has thousands of long paths); the text too for the paths the page
    lists."""
    return [{"rank": int(r), "activities": " ".join(steps[bounds[k]:bounds[k + 1]]), "steps": int(s),
             "tickets": int(t), "share": float(sh), "case_ids": c, **({"path": p} if r <= PAGE_PATHS else {})}
            for r, p, k, s, t, sh, c in zip(paths["rank"], paths["path"], paths["path number"].tolist(),
                                            paths["steps"], paths["tickets"], paths["share"], case_ids)]


def _joined(indexes: Sequence[pd.Index]) -> pd.Index:
    """The indexes one after the other."""
    return indexes[0].append(list(indexes[1:])) if len(indexes) > 1 else indexes[0]


def _merge(kinds: Sequence[_Kept], keys: Sequence[np.ndarray], tickets: Callable[[int, np.ndarray], np.ndarray],
           *, mapped: bool = False) -> _Kept:
    """The pairs of one kind of all parts as the whole log's: ``keys`` per part its keys as the log's (or, without
    ``mapped``, the positions that map them), ``tickets(i, numbers)`` the log's numbers of part i's tickets."""
    if not mapped:
        keys = [m[k.keys] for k, m in zip(kinds, keys)]
    if len(kinds) == 1:   # one part: its pairs are the log's already
        k = kinds[0]
        return _Kept(keys=keys[0], tickets=k.tickets, kept=k.kept, cases=tickets(0, k.cases))
    every = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    uniq, inverse = np.unique(every, return_inverse=True)
    count = np.zeros(len(uniq), dtype=np.int64)
    np.add.at(count, inverse, np.concatenate([k.tickets for k in kinds]) if kinds else np.zeros(0, np.int64))
    pair_keys = np.concatenate([np.repeat(m, k.kept) for k, m in zip(kinds, keys)]) if kinds else every
    cases = np.concatenate([tickets(i, k.cases) for i, k in enumerate(kinds)]) if kinds else every
    found, _first, kept, cases = _pairs(pair_keys, cases)
    if not np.array_equal(found, uniq):   # pragma: no cover - every key keeps at least one ticket
        raise AssertionError("a key without tickets")
    return _Kept(keys=uniq, tickets=count, kept=kept, cases=cases)


def _paths(parts: Sequence[ExplorePart], at: Sequence[np.ndarray], tickets: Callable[[int, np.ndarray], np.ndarray],
           n: int, names: list[str]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """:func:`variant_tickets` of the whole log from the parts' paths (``at``: per part the log's positions of its
    activities), with the paths' activities (the log's positions) path after path and where each path begins."""
    mapped = [m[p.trace] if len(p.trace) else np.zeros(0, dtype=np.int64) for p, m in zip(parts, at)]
    if len(parts) == 1:   # one part: its paths are distinct
        steps, trace, per_case = parts[0].steps, mapped[0], parts[0].paths
    else:   # the paths of all parts, each once: by the bytes of its activities
        number: dict[bytes, int] = {}
        steps_of: list[int] = []
        chunks: list[np.ndarray] = []
        per_case = np.zeros(n, dtype=np.int64)
        for i, (p, codes) in enumerate(zip(parts, mapped)):
            raw, ends = codes.astype(np.int64).tobytes(), np.cumsum(p.steps).tolist()
            mine = np.zeros(len(p.steps), dtype=np.int64)
            for k, (a, b) in enumerate(zip([0, *ends[:-1]], ends)):
                found = number.setdefault(raw[8 * a:8 * b], len(number))
                mine[k] = found
                if found == len(steps_of):
                    steps_of.append(b - a)
                    chunks.append(codes[a:b])
            per_case[tickets(i, np.arange(len(p.paths)))] = mine[p.paths] if len(p.paths) else 0
        steps = np.asarray(steps_of, dtype=np.int64)
        trace = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
    bounds = np.r_[0, np.cumsum(steps)].astype(np.int64)
    text = np.asarray(names, dtype=object)[trace].tolist()
    paths = [" → ".join(text[a:b]) for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist())]
    return _variant_frame(per_case, paths, np.asarray(steps), n), trace, bounds


def _listed(kept: _Kept, ids: np.ndarray, limit: int | None) -> list[list[str]]:
    """Per key the ids of its first ``limit`` tickets (all: None)."""
    cases = kept.cases
    return [ids[cases[f:f + (k if limit is None else min(k, limit))]].tolist()
            for f, k in zip(kept.first.tolist(), kept.kept.tolist())]


def prepare_explore(log: EventLog) -> None:
    """Compute the lists of :func:`explore_figures` that depend on the log alone (tickets per activity, arrow
    and path) ahead of it, for instance side by side with the analysers (see :mod:`ssc_mining.parallel`)."""
    _log_lists(log)


def _log_lists(log: EventLog) -> Lists:
    return log.computed("explore lists", lambda: _combine([ExploreLists().partial(log)]))


def explore_figures(log: EventLog, results: Sequence[Result], audience: str = "works-council") -> dict[str, Any]:
    """The explore data of ``log`` (see the module docstring); ``results`` are the privacy-filtered results."""
    return explore_figures_of(_log_lists(log), results, audience, ticket_events=functools.partial(_events_of, log))


def _events_of(log: EventLog, keys: np.ndarray) -> EventLog:
    """The events of the tickets of ``log`` whose case_order keys (here: positions) are ``keys``."""
    chosen = np.zeros(log.cases.n, dtype=bool)
    chosen[keys] = True
    return log.subset(chosen[log.cases.codes])


def explore_figures_of(lists: Lists, results: Sequence[Result], audience: str, *,
                       ticket_events: Callable[[np.ndarray], EventLog]) -> dict[str, Any]:
    """:func:`explore_figures` from the combined ``lists`` (:meth:`ExploreLists.combine`) of a log.

    ``ticket_events(keys)`` is asked only for the auditors' timelines, once, with the
    :func:`~ssc_mining.eventlog.facts.case_order` keys (``int64``, ascending; for a partition the database row of
    the ticket's first event, for a log in memory its position) of the at most :data:`TIMELINES` tickets chosen.
    It returns an event log that holds every event of each of those tickets, read as the whole log reads them (the
    same ids, times, activities, team and person columns — pseudonymised as the lists' log — and the same time
    zone); it may hold other tickets too (they are left out: tickets are matched by id)."""
    findings = [{"analyser": r.analyser, "key": item.key, "tickets": len(item.case_ids)}
                for r in results for item in r.items if isinstance(item, Finding) and item.case_ids]
    out: dict[str, Any] = {
        "tickets": int(len(lists.ids)),
        "limits": {"page_ids": PAGE_IDS, "page_paths": PAGE_PATHS, "timelines": TIMELINES,
                   "timeline_steps": TIMELINE_STEPS, "json_ids": JSON_IDS,
                   "network_teams": NETWORK_TEAMS, "network_arrows": NETWORK_ARROWS},
        # None: every ticket id is in the JSON file; a number: the first so many per activity or arrow
        "ids_per_key": lists.limits,
        "activities": lists.activities,
        "arrows": lists.arrows,
        "variants": lists.variants,
        "findings": findings,
        "team_network": team_network(results),
        "timelines": None,
    }
    if audience == "auditor":
        codes, candidates = _chosen(lists.ids, results, lists.listed)
        team = next((c for c in (C.TEAM, C.ASSIGNED_GROUP) if c in lists.columns), None)
        wanted = lists.ids[codes]
        log = ticket_events(np.sort(lists.order[codes])) if len(codes) else None
        out["timelines"] = _timelines(log, wanted, candidates, team, C.RESOURCE in lists.columns)
    return out


def _timeline_tickets(ids: np.ndarray, results: Sequence[Result], acts: pd.DataFrame, arrows: pd.DataFrame,
                      paths: pd.DataFrame) -> tuple[np.ndarray, int]:
    """The tickets listed on the page (findings, then paths, activities, arrows), taken in turns — the first
    ticket of every list, then the second … — up to :data:`TIMELINES`; and how many there were in all."""
    listed = tuple(_Kept(keys=np.arange(len(f)), tickets=f["tickets"].to_numpy(), kept=f["tickets"].to_numpy(),
                         cases=f.attrs["cases"]) for f in (paths, acts, arrows))
    return _chosen(ids, results, listed)


def _chosen(ids: np.ndarray, results: Sequence[Result], listed: tuple[_Kept, ...]) -> tuple[np.ndarray, int]:
    """See :func:`_timeline_tickets`: ``listed`` the paths, activities and arrows with their first tickets."""
    lookup = pd.Index(ids)
    lists: list[np.ndarray] = []
    for r in results:
        for item in r.items:
            if isinstance(item, Finding) and item.case_ids:
                codes = lookup.get_indexer([str(c) for c in item.case_ids[:PAGE_IDS]])
                lists.append(codes[codes >= 0])
    for kind, kept in enumerate(listed):
        heads = PAGE_PATHS if kind == 0 else len(kept.kept)   # the paths the page lists
        cases = kept.cases
        lists += [cases[f:f + min(k, PAGE_IDS)] for f, k in zip(kept.first[:heads].tolist(),
                                                                 kept.kept[:heads].tolist())]
    if not lists:
        return np.zeros(0, dtype=np.int64), 0
    codes = np.concatenate(lists).astype(np.int64)
    turn = np.concatenate([np.arange(len(x)) for x in lists])
    which = np.concatenate([np.full(len(x), i) for i, x in enumerate(lists)])
    ordered = codes[np.lexsort((which, turn))]
    unique = pd.unique(ordered)
    return unique[:TIMELINES], int(len(unique))


def timelines(log: EventLog, wanted: tuple[np.ndarray, int]) -> dict[str, Any]:
    """The steps of the ``wanted`` tickets (auditors only): time (in the log's zone), activity, team and
    the person (a pseudonym) of each step, at most :data:`TIMELINE_STEPS` per ticket."""
    codes, candidates = wanted
    team = next((c for c in (C.TEAM, C.ASSIGNED_GROUP) if log.has(c)), None)
    return _timelines(log, np.asarray(log.cases.ids.astype(str))[codes], candidates, team, log.has(C.RESOURCE))


def _timelines(log: EventLog | None, wanted: np.ndarray, candidates: int, team_column: str | None,
               person: bool) -> dict[str, Any]:
    """:func:`timelines` of the tickets of ``log`` whose ids are ``wanted``, with the team column and the person
    column (when ``person``) as the whole log decides them."""
    columns = ["time", "activity"] + (["team"] if team_column else []) + (["person"] if person else [])
    if log is None or not len(wanted):
        return {"columns": columns, "tickets": {}, "candidates": candidates}
    frame, index = log.frame, log.cases
    chosen = pd.Index(wanted).get_indexer(index.ids.astype(str)) >= 0
    position = np.arange(len(frame)) - index.first[index.codes]
    mask = chosen[index.codes] & (position < TIMELINE_STEPS)
    rows = frame.loc[mask]
    local = log.local_times()[mask]
    fmt = "%Y-%m-%d %H:%M:%S" if bool((local.dt.second != 0).any()) else "%Y-%m-%d %H:%M"
    values = [local.dt.strftime(fmt).astype(object).where(local.notna(), None).tolist(),
              rows[C.ACTIVITY].astype(object).where(rows[C.ACTIVITY].notna(), None).tolist()]
    for column in ([team_column] if team_column else []) + ([C.RESOURCE] if person else []):
        if column not in rows.columns:
            values.append([None] * len(rows))
            continue
        values.append(rows[column].astype(object).where(rows[column].notna(), None).tolist())
    steps = list(zip(*values)) if values[0] else []
    case_of = index.codes[mask]
    bounds = np.flatnonzero(np.r_[True, case_of[1:] != case_of[:-1]]) if len(case_of) else np.zeros(0, dtype=int)
    ends = np.r_[bounds[1:], len(case_of)]
    total = index.last - index.first + 1
    tickets = {}
    for b, e in zip(bounds.tolist(), ends.tolist()):
        code = int(case_of[b])
        tickets[str(index.ids[code])] = {"steps": int(total[code]),
                                         "rows": [[None if v is None else str(v) for v in s] for s in steps[b:e]]}
    return {"columns": columns, "tickets": dict(sorted(tickets.items())), "candidates": candidates}


def team_network(results: Sequence[Result]) -> dict[str, Any]:
    """The handovers between teams from the handoff analyser's team graph (never the graph between people):
    the :data:`NETWORK_TEAMS` teams with the most handovers and the :data:`NETWORK_ARROWS` heaviest arrows
    between them; ``reason`` when there is none."""
    graphs = {item.key: (r, item) for r in results if r.analyser == "handoffs" for item in r.items
              if isinstance(item, Graph) and not item.personal}
    key = next((k for k in NETWORK_KEYS if k in graphs and graphs[k][1].edges), None)
    if key is None:
        return {"key": None, "reason": _("The export does not say which team did each step, or no ticket passed "
                                         "between teams.")}
    graph = graphs[key][1]
    edges = [(str(e["source"]), str(e["target"]), int(e["weight"])) for e in graph.edges
             if e["source"] != e["target"] and (e["weight"] or 0) > 0]
    volume: dict[str, int] = {}
    for s, t, w in edges:
        volume[s] = volume.get(s, 0) + w
        volume[t] = volume.get(t, 0) + w
    teams = sorted(volume, key=lambda n: (-volume[n], n))[:NETWORK_TEAMS]
    kept = set(teams)
    between = sorted((e for e in edges if e[0] in kept and e[1] in kept), key=lambda e: (-e[2], e[0], e[1]))
    drawn = sorted(between[:NETWORK_ARROWS], key=lambda e: (e[0], e[1]))
    return {"key": key, "title": graph.title, "teams_total": len(volume), "arrows_total": len(edges),
            "handovers_total": int(sum(w for _s, _t, w in edges)),
            "teams": [{"team": n, "handovers": int(volume[n])} for n in teams],
            "arrows": [{"source": s, "target": t, "handovers": w} for s, t, w in drawn]}


# --------------------------------------------------------------------------------------------------
# the page
# --------------------------------------------------------------------------------------------------

def _text(value: Any) -> Any:
    """A value from the data as the page shows it: cut like the map's labels, control characters replaced."""
    return clean_text(shorten(value)) if isinstance(value, str) else value


def _page_json(data: Any) -> Markup:
    """``data`` as JSON for a ``<script type="application/json">`` block: every ``<`` escaped."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return Markup(clean_text(text).replace("<", "\\u003c"))


def explore_page(figures: dict[str, Any]) -> dict[str, Any]:
    """What the explore section of the page needs (see the module docstring)."""
    ex = figures["explore"]
    pm = figures.get("process_map", {})
    levels = (pm.get("levels") or {}).get("activities") or []
    # the map draws the most frequent activities (at most as many as its largest level), their arrows, starts
    # and ends: only those can be clicked
    shown = sorted(ex["activities"], key=lambda a: (-a["events"], a["activity"]))
    if levels:
        shown = shown[:max(levels)]
    names = {a["activity"] for a in shown}
    activities = [[_text(a["activity"]), a["tickets"], [_text(i) for i in a["case_ids"][:PAGE_IDS]]]
                  for a in sorted(shown, key=lambda a: a["activity"])]
    arrows = [[_text(a["source"] or ""), _text(a["target"] or ""), a["tickets"],
               [_text(i) for i in a["case_ids"][:PAGE_IDS]]]
              for a in ex["arrows"] if (a["source"] is None or a["source"] in names)
              and (a["target"] is None or a["target"] in names)]
    variants = ex["variants"][:PAGE_PATHS]
    findings, finding_rows = [], []
    titles = {r["analyser"]: r.get("title", r["analyser"]) for r in figures.get("analysers", [])}
    for r in figures.get("analysers", []):
        for item in r.get("items", []):
            if item.get("type") == "finding" and item.get("case_ids"):
                ids = item["case_ids"]
                text = shorten(cut_long_words(item.get("text", "")), 300)
                findings.append([f"analyser-{_slug(r['analyser'])}", len(ids), [_text(str(i)) for i in ids[:PAGE_IDS]],
                                 clean_text(text)])
                finding_rows.append({"section": titles[r["analyser"]], "text": text, "tickets": len(ids),
                                     "severity": item.get("severity", "info")})
    timeline = ex.get("timelines")
    data = {
        "page": PAGE_IDS,
        "per_key": {kind: ex["ids_per_key"][kind] for kind in ("activities", "arrows")},
        "activities": activities,
        "arrows": arrows,
        "variants": [[v["rank"], v["tickets"], [_text(i) for i in v["case_ids"][:PAGE_IDS]]] for v in variants],
        "findings": findings,
        "columns": timeline["columns"] if timeline else [],
        "timelines": [[_text(k), t["steps"], [[_text(v) for v in row] for row in t["rows"]]]
                      for k, t in sorted(timeline["tickets"].items())] if timeline else [],
    }
    path_rows = [{"rank": v["rank"], "path": shorten(cut_long_words(v.get("path", "")), PATH_CHARS),
                  "steps": v["steps"], "tickets": v["tickets"], "share": v["share"]} for v in variants]
    network = ex["team_network"]
    return {
        "json": _page_json(data),
        "paths": path_rows,
        "paths_total": len(ex["variants"]),
        "findings": finding_rows,
        "network": network,
        "network_svg": team_network_svg(network) if network.get("key") else None,
        "auditor": timeline is not None,
        "timelines": len(timeline["tickets"]) if timeline else 0,
        "timeline_candidates": timeline["candidates"] if timeline else 0,
    }


def _width(text: str, size: float) -> float:
    return 0.62 * size * len(text)


def team_network_svg(network: dict[str, Any]) -> Markup:
    """The team network as SVG: teams on a circle (most handovers first, clockwise from the top), an arrow per
    pair of teams, as wide as its number of handovers; labels outside the circle, along the radius.

    Deterministic (no random layout), every label escaped, at most 1,000 px wide (scaled down to the page).
    """
    teams = [t["team"] for t in network["teams"]]
    n = len(teams)
    volume = {t["team"]: t["handovers"] for t in network["teams"]}
    labels = {t: shorten(t, 28) for t in teams}
    font = 12.0
    label_w = max((_width(v, font) for v in labels.values()), default=0.0)
    radius = min(320.0, max(210.0, 11.0 * n)) if n > 1 else 0.0
    half = radius + 16 + label_w + 8
    size = 2 * half
    scale = 1000.0 / size if size > 1000 else 1.0
    top_volume = max(volume.values(), default=1)
    top_edge = max((a["handovers"] for a in network["arrows"]), default=1)
    pos, node_r = {}, {}
    for i, team in enumerate(teams):
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        pos[team] = (half + radius * math.cos(angle), half + radius * math.sin(angle), angle)
        node_r[team] = 4.0 + 8.0 * math.sqrt(volume[team] / top_volume)
    title = _("Handovers between teams")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ex-network" role="img" viewBox="0 0 {size:.1f} {size:.1f}" '
           f'width="{size * scale:.0f}" height="{size * scale:.0f}" style="max-width:100%;height:auto" '
           f'font-family="DejaVu Sans, Arial, sans-serif" aria-label="{escape(title)}" data-teams="{n}" '
           f'data-arrows="{len(network["arrows"])}">',
           f"<title>{escape(title)}</title>",
           '<defs><marker id="ex-net-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
           'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1f4e79"/></marker></defs>']
    for a in network["arrows"]:
        s, t, w = a["source"], a["target"], a["handovers"]
        x1, y1, _a1 = pos[s]
        x2, y2, _a2 = pos[t]
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1.0
        ux, uy = dx / dist, dy / dist
        # bend to the right of the direction, so that A → B and B → A are two lines
        cx, cy = (x1 + x2) / 2 - uy * 0.18 * dist, (y1 + y2) / 2 + ux * 0.18 * dist
        sx, sy = _towards(x1, y1, cx, cy, node_r[s] + 1)
        ex, ey = _towards(x2, y2, cx, cy, node_r[t] + 2)
        width = 1.0 + 7.0 * w / top_edge
        tip = _("%(source)s → %(target)s: %(n)s handovers") % {"source": shorten(s), "target": shorten(t),
                                                                "n": format_number(w)}
        out.append(f'<g class="ex-net-arrow" data-source="{escape(_text(s))}" data-target="{escape(_text(t))}" '
                   f'data-handovers="{w}"><title>{escape(tip)}</title><path d="M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} '
                   f'{ex:.1f},{ey:.1f}" fill="none" stroke="#1f4e79" stroke-opacity="{0.25 + 0.6 * w / top_edge:.2f}" '
                   f'stroke-width="{width:.2f}" '
                   f'marker-end="url(#ex-net-arrow)"/></g>')
    for team in teams:
        x, y, angle = pos[team]
        tip = _("%(team)s: %(n)s handovers in and out") % {"team": shorten(team), "n": format_number(volume[team])}
        deg = math.degrees(angle)
        right = math.cos(angle) >= -1e-9
        lx, ly = x + (node_r[team] + 5) * math.cos(angle), y + (node_r[team] + 5) * math.sin(angle)
        rotate = deg if right else deg + 180
        anchor = "start" if right else "end"
        if n == 1:
            lx, ly, rotate, anchor = x, y - node_r[team] - 6, 0.0, "middle"
        out.append(f'<g class="ex-net-team" data-team="{escape(_text(team))}"><title>{escape(tip)}</title>'
                   f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{node_r[team]:.1f}" fill="#1f4e79" fill-opacity="0.85"/>'
                   f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="{font:g}" fill="#111" text-anchor="{anchor}" '
                   f'dominant-baseline="middle" transform="rotate({rotate:.1f} {lx:.1f} {ly:.1f})">'
                   f"{escape(labels[team])}</text></g>")
    out.append("</svg>")
    return Markup("".join(out))


def _towards(x: float, y: float, tx: float, ty: float, by: float) -> tuple[float, float]:
    """The point ``by`` from (x, y) towards (tx, ty)."""
    d = math.hypot(tx - x, ty - y) or 1.0
    return x + (tx - x) * by / d, y + (ty - y) * by / d
