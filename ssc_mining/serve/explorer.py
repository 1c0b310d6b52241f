"""The explorer's selection and the figures of its views, computed on a log held in memory (no web code).

:class:`Explorer` keeps the whole log (pseudonymised as the report would be) and what every view needs of it
computed once: the case index, the directly-follows steps, the variant table, per ticket its first and last
moment. A selection (:meth:`Explorer.select`) is a list of filter texts (:mod:`ssc_mining.selection.filters`):
each filter that looks only at a ticket itself (period, attribute, variant, endpoints, throughput, follows,
tickets) is evaluated once on the whole log and kept, so adding, removing or reordering filters only combines
kept per-ticket masks; ``complete`` and ``finding=`` depend on the tickets kept before them and are evaluated on
that part. The counts, the process map, the variants and the ticket list of a selection then come from the
whole log's tables with a mask — no copy of the events. The analysers, the segment comparison and a saved
report work on the selected tickets as a log of their own, made by :func:`~ssc_mining.selection.filters.
apply_filters` exactly as ``ssc-mining report --filter`` makes it.

Example:
    >>> from ssc_mining.loaders import load
    >>> ex = Explorer(load("data/samples/generic-events.csv"))
    >>> sel = ex.select(["started=2024-01-01..2024-03-31", "attr:mother=Gemeente Beekveld"])
    >>> (sel.n_cases, ex.whole.n_cases), [s.tickets_after for s in sel.steps]
    ((53, 400), [111, 53])
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.discovery.dfg import graphs_of_segments, log_steps
from ssc_mining.discovery.map_layout import MapSettings, filter_map, rare_activities
from ssc_mining.discovery.variants import variant_table
from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog
from ssc_mining.privacy import PrivacySettings
from ssc_mining.results import Result
from ssc_mining.selection.filters import (
    Filter,
    FilterStep,
    absent_note,
    apply_filters,
    attr_values,
    attribute_names,
    case_mask,
    joined_list,
    parse_filter,
    variant_text,
)

__all__ = ["Explorer", "Selection", "TicketTimeline"]

#: filters that look only at the ticket itself: evaluated once on the whole log
_LOCAL = frozenset({"started", "ended", "active", "within", "attr", "variant", "start", "end", "throughput",
                    "follows", "tickets"})
#: the orders of the ticket list (see :meth:`Explorer.cases`)
CASE_ORDERS = ("first", "longest", "events")
#: selections kept (the last ones asked for: undoing a filter finds its selection again at once)
_KEPT = 64


@dataclass(frozen=True)
class Selection:
    """The tickets a list of filters keeps: per ticket of the whole log (in its case order) whether it is kept."""

    filters: tuple[Filter, ...]
    steps: tuple[FilterStep, ...]
    keep: np.ndarray          #: per ticket of the whole log
    n_cases: int
    n_events: int

    @property
    def texts(self) -> list[str]:
        return [f.text for f in self.filters]


@dataclass(frozen=True)
class TicketTimeline:
    """One ticket's events in order, as the timeline shows them."""

    case_id: str
    in_selection: bool
    events: pd.DataFrame   #: time (in the log's zone), activity, and team, status, person where the log has them


class Explorer:
    """The selection and the views of one log (see the module doc).

    ``analysers`` are the ones the analysers' view runs and a ``finding=`` filter asks (the report's);
    ``privacy`` decides what the views may show (``person`` in a timeline only for auditors; groups smaller than
    its minimum are not compared).
    """

    def __init__(self, log: EventLog, *, analysers: Sequence[Analyser] = (),
                 privacy: PrivacySettings | None = None) -> None:
        self.whole = log
        self.analysers = list(analysers)
        self.privacy = privacy or PrivacySettings(pseudonymise=False, key_source="none")
        index = log.cases
        self._events = (index.last - index.first + 1).astype(np.int64) if index.n else np.zeros(0, np.int64)
        self._first = index.seconds[index.first] if index.n else np.zeros(0)
        self._last = index.seconds[index.last] if index.n else np.zeros(0)
        self._masks: dict[str, np.ndarray] = {}
        self._selections: OrderedDict[tuple[str, ...], Selection] = OrderedDict()
        self._lock = threading.RLock()

    def prepare(self) -> None:
        """Compute what every view shares (steps, variants), so the first screen answers at once."""
        log_steps(self.whole)
        variant_table(self.whole)

    # -- the selection ----------------------------------------------------------------------------------------

    def select(self, texts: Sequence[str]) -> Selection:
        """The tickets ``texts`` (filters, applied in order) keep; :class:`ConfigError` for a wrong filter."""
        key = tuple(texts)
        with self._lock:
            if key in self._selections:
                self._selections.move_to_end(key)
                return self._selections[key]
        filters = tuple(parse_filter(t) for t in texts)
        keep = np.ones(self.whole.cases.n, dtype=bool)
        steps: list[FilterStep] = []
        for flt in filters:
            before = int(keep.sum())
            notes: list[str] = []
            if flt.kind == "attr":   # per value, so that values none of the kept tickets have are noted
                masks = [self._mask(Filter("attr", joined_list([v]), name=flt.name)) for v in attr_values(flt)]
                hit = np.logical_or.reduce(masks) if masks else np.zeros_like(keep)
                absent = sorted({v for v, m in zip(attr_values(flt), masks) if not (m & keep).any()})
                if absent:
                    notes.append(absent_note(str(flt.name), absent))
                keep &= ~hit if flt.negate else hit
            elif flt.kind in _LOCAL:
                keep &= self._mask(flt)
            else:   # depends on the tickets kept so far: evaluated on them, as apply_filters does
                part = self._part(keep)
                kept = case_mask(part, flt, analysers=self.analysers, notes=notes)
                keep[np.flatnonzero(keep)] = kept
            steps.append(FilterStep(flt.text, before, int(keep.sum()), int(self._events[keep].sum()),
                                    "; ".join(notes)))
        selection = Selection(filters, tuple(steps), keep, int(keep.sum()), int(self._events[keep].sum()))
        with self._lock:
            self._selections[key] = selection
            while len(self._selections) > _KEPT:
                self._selections.popitem(last=False)
        return selection

    def _mask(self, flt: Filter) -> np.ndarray:
        with self._lock:
            known = self._masks.get(flt.text)
        if known is None:
            known = case_mask(self.whole, flt, analysers=self.analysers)
            with self._lock:
                self._masks[flt.text] = known
        return known

    def _part(self, keep: np.ndarray) -> EventLog:
        """The kept tickets as a log (a copy of their events)."""
        if keep.all():
            return self.whole
        return self.whole.subset(keep[self.whole.cases.codes])

    def log_of(self, selection: Selection) -> EventLog:
        """The selected tickets as a log of their own, with the filters in its provenance — made by
        :func:`~ssc_mining.selection.filters.apply_filters`, as ``ssc-mining report --filter`` makes it."""
        return apply_filters(self.whole, selection.filters, analysers=self.analysers)[0]

    # -- views ------------------------------------------------------------------------------------------------

    def period(self) -> tuple[str | None, str | None]:
        """The first and last day of the whole log, in its time zone (ISO dates)."""
        if not self.whole.n_events:
            return None, None
        local = pd.to_datetime(pd.Series([self._first.min(), self._last.max()]), unit="s", utc=True) \
            .dt.tz_convert(self.whole.timezone)
        return local.iloc[0].date().isoformat(), local.iloc[1].date().isoformat()

    def attributes(self) -> list[str]:
        """The names ``attr:`` filters take on this log (people's columns never among them)."""
        return [n for n in attribute_names(self.whole.frame)
                if self.whole.has(C.ROLES.get(n, n))]

    def attribute_values(self, name: str, limit: int = 200) -> list[tuple[str, int]]:
        """The values of an attribute with their numbers of tickets in the whole log, most tickets first."""
        column = C.ROLES.get(name, name)
        frame = self.whole.frame
        if column not in frame.columns or name not in self.attributes():
            return []
        pairs = pd.DataFrame({"case": self.whole.cases.codes,
                              "value": frame[column].astype("string")}).dropna().drop_duplicates()
        counts = pairs["value"].value_counts()
        counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
        return [(str(v), int(n)) for v, n in counts.head(limit).items()]

    def activities(self) -> list[str]:
        """Every activity of the whole log, most frequent first."""
        counts = self.whole.frame[C.ACTIVITY].value_counts()
        return [str(a) for a in counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable").index]

    def graph(self, selection: Selection) -> Any:
        """The directly-follows graph of the selected tickets (from the whole log's steps, with a mask)."""
        steps = log_steps(self.whole)
        segment = np.where(selection.keep[self.whole.cases.codes], 0, -1).astype(np.int8)
        return graphs_of_segments(steps, segment, 1)[0]

    def process_map(self, selection: Selection, *, activities: float = 1.0, paths: float = 0.9,
                    mode: str = "frequency", title: str = "Process map") -> tuple[str, str]:
        """The process map of the selection as SVG (its own styles; ``mode`` frequency, performance, mean or
        total) and the sentence saying what the sliders kept."""
        from ssc_mining.report.process_map import render_svg

        dfg = self.graph(selection)
        if dfg.nodes.empty:
            return "", ""
        kept = filter_map(dfg, MapSettings(activity_coverage=activities, path_coverage=paths))
        note = kept.note()
        svg = render_svg(kept.dfg, title=title, mode=mode,  # type: ignore[arg-type]
                         note=note, map_id="explorer", rare=rare_activities(dfg, MapSettings().rare_share))
        return svg, note

    def variants(self, selection: Selection, limit: int = 100) -> list[dict[str, Any]]:
        """The selection's variants, most tickets first: rank, tickets, share, activities and the filter text."""
        table = variant_table(self.whole)
        ranks = table.case_variant.to_numpy()
        counts = np.bincount(ranks[selection.keep], minlength=table.n) if table.n else np.zeros(0, np.int64)
        order = np.argsort(-counts, kind="stable")   # ties: the whole log's order
        total = max(selection.n_cases, 1)
        out = []
        for rank, v in enumerate(order[:limit], start=1):   # a loop over the variants shown
            if counts[v] == 0:
                break
            trace = table.traces[v]
            out.append({"rank": rank, "tickets": int(counts[v]), "share": float(counts[v] / total),
                        "steps": len(trace), "activities": list(trace), "filter": "variant=" + variant_text(trace)})
        return out

    def cases(self, selection: Selection, limit: int = 500, order: str = "first") -> pd.DataFrame:
        """The first ``limit`` selected tickets in ``order`` — ``first``: of their first event; ``longest``: the
        longest throughput first; ``events``: the most events first (ties: first event, then the log's order) —
        with id, first and last event in the log's zone, throughput in days, events, first and last activity, and
        mother and category."""
        if order not in CASE_ORDERS:
            raise ConfigError(f"unknown order of tickets {order!r}", hint="use " + ", ".join(CASE_ORDERS))
        index = self.whole.cases
        chosen = np.flatnonzero(selection.keep)
        first = self._first[chosen]
        if order == "first":
            chosen = chosen[np.argsort(first, kind="stable")][:limit]
        else:
            key = self._last[chosen] - first if order == "longest" else self._events[chosen].astype(float)
            chosen = chosen[np.lexsort((first, -np.nan_to_num(key, nan=-np.inf)))][:limit]
        frame = self.whole.frame
        zone = self.whole.timezone

        def local(seconds: np.ndarray) -> pd.Series:
            return pd.to_datetime(pd.Series(seconds), unit="s", utc=True).dt.tz_convert(zone) \
                .dt.strftime("%Y-%m-%d %H:%M")

        out = pd.DataFrame({
            "ticket": index.ids.take(chosen).astype(str),
            "first_event": local(self._first[chosen]).to_numpy(),
            "last_event": local(self._last[chosen]).to_numpy(),
            "days": np.round((self._last[chosen] - self._first[chosen]) / 86400.0, 1),
            "events": self._events[chosen],
            "first_activity": frame[C.ACTIVITY].take(index.first[chosen]).astype(str).to_numpy(),
            "last_activity": frame[C.ACTIVITY].take(index.last[chosen]).astype(str).to_numpy(),
        })
        for name, column in (("mother", C.MOTHER), ("category", C.CATEGORY)):
            if self.whole.has(column):
                out[name] = frame[column].take(index.first[chosen]).astype("string").fillna("").to_numpy()
        return out

    def timeline(self, case_id: str, selection: Selection | None = None) -> TicketTimeline:
        """One ticket's events (people's pseudonyms only for the auditor audience); :class:`ConfigError` for an
        id the log does not have."""
        index = self.whole.cases
        code = index.ids.get_indexer([case_id])[0] if index.n else -1
        if code < 0:
            raise ConfigError(f"the log has no ticket {case_id!r}")
        rows = slice(int(index.first[code]), int(index.last[code]) + 1)
        frame = self.whole.frame.iloc[rows]
        events = pd.DataFrame({"time": frame[C.TIMESTAMP].dt.tz_convert(self.whole.timezone)
                               .dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
                               "activity": frame[C.ACTIVITY].astype(str).to_numpy()})
        for name, column in (("team", C.TEAM), ("status", C.STATUS)):
            if column in frame.columns and self.whole.has(column):
                events[name] = frame[column].astype("string").fillna("").to_numpy()
        if self.privacy.audience == "auditor" and C.RESOURCE in frame.columns and self.whole.has(C.RESOURCE):
            events["person"] = frame[C.RESOURCE].astype("string").fillna("").to_numpy()
        kept = bool(selection.keep[code]) if selection is not None else True
        return TicketTimeline(str(case_id), kept, events)

    def results(self, selection: Selection, lang: str = "en") -> list[Result]:
        """Every analyser's result for the selected tickets, after the privacy rules, in ``lang``."""
        from ssc_mining.analysers.runner import run_analysers
        from ssc_mining.i18n import language
        from ssc_mining.privacy import apply_privacy

        log = self.log_of(selection)
        with language(lang):
            results = run_analysers(log, self.analysers or _default_analysers())
            return apply_privacy(results, self.privacy)[0]

    def comparison(self, selection: Selection, analyser: str = "throughput", lang: str = "en") -> pd.DataFrame:
        """``analyser``'s metrics for the selection against the rest of the tickets, with whether each difference
        is larger than chance would explain (the segment comparison's table). :class:`ConfigError` when either
        group has fewer tickets than the privacy rules' minimum group size."""
        from ssc_mining.analysers.compare import compare
        from ssc_mining.i18n import gettext as _
        from ssc_mining.i18n import language

        minimum = self.privacy.min_group_size
        rest = self.whole.cases.n - selection.n_cases
        if min(selection.n_cases, rest) < max(minimum, 2):
            raise ConfigError(f"the selection has {selection.n_cases} tickets and the rest {rest}; each needs at "
                              f"least {max(minimum, 2)} to be compared (minimum group size)")
        chosen = next((a for a in self.analysers if a.name == analyser), None) or _analyser(analyser)
        with language(lang):
            labels = np.where(selection.keep, _("selection"), _("rest"))
            column = "case:ssc:explorer_selection"
            frame = self.whole.frame.assign(**{column: labels[self.whole.cases.codes]})
            log = EventLog(frame=frame, provenance=self.whole.provenance, semantics=self.whole.semantics,
                           pseudonymised=self.whole.pseudonymised)
            result = compare(chosen, log, column, min_cases=max(minimum, 2))
            return result.table


def _default_analysers() -> list[Analyser]:
    from ssc_mining.analysers.registry import discover

    return [cls() for cls in discover().analysers.values()]


def _analyser(name: str) -> Analyser:
    from ssc_mining.analysers.registry import discover

    found = discover().analysers
    if name not in found:
        raise ConfigError(f"no analyser is called {name!r}", hint="installed: " + ", ".join(found))
    return found[name]()
