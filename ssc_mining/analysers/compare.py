"""Comparisons: run any analyser per segment and show its metrics side by side, with a stated simple test.

A **segment** is a case attribute (``mother``, ``category``, ``channel``, ``priority`` or any column
name; the case's first non-missing value) or a date (``2024-06-01``, also written
``before:2024-06-01``): cases registered (first event, in ``timezone``) before that day versus from
that day on. The **reference** segment is *before* for a date, else the segment with the most cases.

For every chosen metric each other segment is compared with the reference: the difference
(segment − reference) and a test on the per-case values behind the metric, when the analyser offers
them (``case_values(log)``): a **two-proportion z-test** (pooled, two-sided) for yes/no values
(shares of cases), a **Mann–Whitney U test** (two-sided) for numbers (durations, counts). A
difference is *larger than chance would explain* when the p-value is below ``alpha``. Metrics
without per-case values are shown without a test. Choices an analyser derives from the data (the
standard path, a category's norm) are fixed on the whole log first (its ``pinned(log)``), so every
segment is measured against the same yardstick. An analyser that can compute every segment from one
per-case table of the whole log (``analyse_segments``; the standardisation can) does so in one pass.

In partitions of whole tickets (the DuckDB and Spark engines: :meth:`Comparison.partial` and
:meth:`Comparison.combine`) the result is the same as in memory. A partition keeps each ticket's segment and
place in the whole log, and the other analyser's parts: of the whole partition when it pins choices
(:meth:`~ssc_mining.analysers.base.Analyser.pinned_of_parts` makes them on all partitions' parts) or measures
segments in one pass (:meth:`~ssc_mining.analysers.base.Analyser.segments_of_parts`); otherwise of each segment's
tickets, with the facts of those events as a log of their own (a segment in memory is one: it decides for itself
whether it records endings and registrations, which roles occur, which columns hold values). Its parts are read
once for each way the whole segment may decide endings and registrations, and the right one is combined with the
segment's merged facts; a segment whose lifecycle start events are of other activities than the whole log's is
refused (:class:`~ssc_mining.errors.ConfigError`). The log in memory keeps its own path: one run per segment of the
kept segments only, not a part per segment of every partition.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> from ssc_mining.analysers.standardisation import Standardisation
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1", "2", "2", "3", "3"],
    ...     "concept:name": ["a", "b", "a", "b", "a", "c"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"] * 3, utc=True),
    ...     "case:ssc:mother": ["X", "X", "X", "X", "Y", "Y"]}))
    >>> c = compare(Standardisation(), log, segment="mother", metrics=("standard_share",))
    >>> c.table[["segment", "value", "reference_value", "difference", "test"]].values.tolist()
    [['Y', 0.0, 1.0, -1.0, 'two-proportion z-test']]
    >>> two_proportion_z(30, 100, 50, 100)[1] < 0.01
    True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.business_calendar import TIMEZONE
from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.facts import CASE_ORDER, LogFacts, case_order, mothers_of
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, format_number, format_share
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Finding, Item, Metric, Result, Table
from ssc_mining.semantics.markers import compute_markers, lifecycle_starts

SEGMENT_COLUMNS = {"mother": C.MOTHER, "category": C.CATEGORY, "channel": C.CHANNEL, "priority": C.PRIORITY,
                   "requester": C.REQUESTER}
Z_TEST = "two-proportion z-test"
MWU_TEST = "Mann–Whitney U"
#: a segment's decisions that may differ from the whole log's: whether it records endings, and registrations
Decisions = tuple[bool, bool]


def test_name(test: str) -> str:
    """The test in plain words for the page (the JSON keeps its technical name)."""
    return {Z_TEST: _("test on shares"), MWU_TEST: _("test on numbers")}.get(test, test or "–")


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """Pooled two-proportion z-test: (z, two-sided p-value); p = 1 when undefined."""
    if n1 == 0 or n2 == 0:
        return float("nan"), 1.0
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (x1 / n1 - x2 / n2) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def mann_whitney(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mann–Whitney U test (two-sided, scipy): (U of ``a``, p-value); p = 1 when a sample is empty."""
    if len(a) == 0 or len(b) == 0:
        return float("nan"), 1.0
    from scipy.stats import mannwhitneyu
    res = mannwhitneyu(a, b, alternative="two-sided")
    return float(res.statistic), float(res.pvalue)


def _date_of(segment: str) -> dt.date | None:
    text = segment.split(":", 1)[1] if segment.lower().startswith(("before:", "date:")) else segment
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def segment_cases(log: EventLog, segment: str, *, timezone: str = TIMEZONE) -> tuple[pd.Series, str | None]:
    """Per case (index: case id, log order) its segment label; and the reference label for a date split.

    Raises :class:`ConfigError` for a segment that is neither a known column nor a date.
    """
    frame = log.frame
    index = log.cases
    ids = index.ids
    day = _date_of(segment)
    if day is not None:
        start = pd.Timestamp(day).tz_localize(timezone).tz_convert("UTC")
        first = frame[C.TIMESTAMP].to_numpy()[index.first] if index.n else np.array([])
        before, after = _("before %(date)s") % {"date": day.isoformat()}, _("from %(date)s") % {"date": day.isoformat()}
        labels = np.where(pd.Series(first).lt(start).to_numpy(), before, after) if index.n else np.array([])
        return pd.Series(labels, index=ids, dtype=object), before
    column = SEGMENT_COLUMNS.get(segment, segment)
    if column not in frame.columns:
        raise ConfigError(f"segment {segment!r} is neither a date (YYYY-MM-DD) nor a column of the log",
                          hint="use mother, category, channel, priority, a column name or a date")
    values = index.case_first(frame[column]).astype(object)
    return pd.Series(values.where(values.notna(), None).to_numpy(), index=ids, dtype=object), None


def sub_log(log: EventLog, mask: np.ndarray) -> EventLog:
    """The events where ``mask`` holds, as a log (order, provenance and semantics kept)."""
    return log.subset(mask)


def overrides(analyser: Analyser, hook: str) -> bool:
    """True when ``analyser``'s class offers its own ``hook`` (a method of :class:`Analyser`)."""
    return getattr(type(analyser), hook) is not getattr(Analyser, hook)


def in_partitions(analyser: Analyser) -> bool:
    """True when a comparison of ``analyser`` runs in partitions: it does, it pins its choices there too when it
    pins them in memory, and it has case values there too when it has them in memory."""
    return analyser.runs_in_partitions() \
        and (not overrides(analyser, "pinned") or overrides(analyser, "pinned_of_parts")) \
        and (not overrides(analyser, "case_values") or overrides(analyser, "case_values_of_parts")
             or overrides(analyser, "segments_of_parts"))


def own_facts(log: EventLog, starts: frozenset[str]) -> LogFacts:
    """The facts of ``log``'s events read as a log of their own (as :func:`sub_log` of a log in memory reads a
    segment), the roles and states found with the activities with lifecycle ``starts`` of the whole segment
    (checked when combined); the log's own activities with lifecycle starts are recorded."""
    assert log.semantics is not None
    frame, index = log.frame, log.cases
    m = compute_markers(frame, index, log.semantics, with_start=starts)
    return LogFacts(cases=index.n, events=len(frame), started=int(m.started.sum()), endings_known=m.endings_known,
                    roles_present=m.roles_present,
                    with_values=frozenset(c for c in frame.columns if frame[c].notna().any()),
                    lifecycle_starts=lifecycle_starts(frame), mothers=mothers_of(frame))


def segment_part(analyser: Analyser, log: EventLog, tickets: np.ndarray) -> tuple[LogFacts, dict[Decisions, Any]]:
    """The tickets of a partition ``log`` where ``tickets`` holds, as a segment's share: their own facts, and the
    parts of ``analyser`` of them, knowing their place in the whole log, read with the whole log's facts but for
    the decisions that the whole segment may take otherwise (whether it records endings and registrations): one
    part for each way the segment may decide them (the same part once when the decisions do not change it)."""
    whole = LogFacts.of(log)
    sub = sub_log(log, tickets[log.cases.codes])
    own = own_facts(sub, whole.lifecycle_starts)
    order = case_order(log)[tickets]
    # a segment records endings when one of its partitions does, and none when the whole log does not
    endings = (True,) if own.endings_known else (False, True) if whole.endings_known else (False,)
    parts: dict[Decisions, Any] = {}
    made: dict[bytes, Any] = {}
    for decisions in [(e, s) for e in endings for s in (False, True)]:   # at most four
        read = dataclasses.replace(sub, facts=assumed(whole, decisions))
        read.computed(CASE_ORDER, functools.partial(np.asarray, order))
        part = analyser.partial(read)
        parts[decisions] = made.setdefault(pickle.dumps(part), part)   # one part kept when they are the same
    return own, parts


def assumed(whole: LogFacts, decisions: Decisions) -> LogFacts:
    """The ``whole`` log's facts with the ``decisions`` (endings known, starts known) of a segment."""
    endings, starts = decisions
    return dataclasses.replace(whole, endings_known=endings, started=whole.cases if starts else 0)


def segment_facts(own: Sequence[LogFacts], whole: LogFacts, segment: str) -> LogFacts:
    """The facts of a segment made of its partitions' ``own`` facts: those of its events as a log of their own.

    Its parts were made with the activities with lifecycle starts of the ``whole`` log: the segment's must be the
    same, else its parts are not what the segment in memory gives and :class:`~ssc_mining.errors.ConfigError` says
    so. Which roles occur, which columns hold values and the mothers may be fewer in a segment than in the whole
    log, which its parts were read with: they are combined with the segment's own (an analyser's ``partial`` that
    reads them must give parts that combine the same when read with more, as the built-in analysers' do)."""
    facts = LogFacts.merge(own)
    if facts.lifecycle_starts != whole.lifecycle_starts:
        raise ConfigError(f"segment {segment!r} has lifecycle start events for other activities than the whole log, "
                          "so it cannot be measured in partitions as a log of its own",
                          hint="run the comparison with --engine pandas")
    return facts


@dataclass(frozen=True)
class _Part:
    """A partition's share of a comparison: each ticket's segment, and the inner analyser's parts."""

    #: per ticket: its label's number in ``names`` (−1: it has none)
    codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    names: list[str] = field(default_factory=list)   #: the labels as text
    order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))   #: per ticket: see case_order
    whole: Any = None   #: the inner analyser's part of the partition (to pin it, or for segments in one pass)
    #: per segment: the facts of its tickets' events as a log of their own, and the inner analyser's part of them for
    #: each way the segment may decide whether it records endings and registrations
    segments: dict[str, tuple[LogFacts, dict[Decisions, Any]]] = field(default_factory=dict)
    timezone: str | None = None   #: the zone the part was made in


@dataclass
class ComparisonResult:
    """Per segment: cases and the analyser's result; ``table``: one row per metric and non-reference segment."""

    segment: str
    reference: str
    cases: dict[str, int]
    results: dict[str, Result]
    table: pd.DataFrame
    wide: pd.DataFrame


def compare(analyser: Analyser, log: EventLog, segment: str = "mother", *, metrics: tuple[str, ...] = (),
            alpha: float = 0.05, max_segments: int = 8, min_cases: int = 1,
            timezone: str = TIMEZONE) -> ComparisonResult:
    """Run ``analyser`` per segment of ``log`` and compare ``metrics`` (default: all its metrics) with the reference.

    Segments with fewer than ``min_cases`` cases are left out; beyond ``max_segments`` only the largest are kept.
    """
    labels, reference = segment_cases(log, segment, timezone=timezone)
    analyser = analyser.pinned(log)   # fix data-derived choices (standard path, norms) on the whole log
    index = log.cases
    counts, order, reference = ranked_segments(labels.dropna().astype(str), reference, max_segments=max_segments,
                                               min_cases=min_cases)
    results: dict[str, Result] = {}
    values: dict[str, pd.DataFrame | None] = {}
    text = labels.astype(str)
    grouped = analyser.analyse_segments(log, text, order) if order else None
    if grouped is not None:   # every segment from one per-case table: a group-by, not a run per segment
        for seg in order:
            results[seg], values[seg] = grouped[seg]
    else:
        event_segment = text.to_numpy()[index.codes] if index.n else np.array([], dtype=object)
        for seg in order:   # a loop over segments, not cases
            part = sub_log(log, event_segment == seg)
            results[seg] = analyser.analyse(part)
            values[seg] = analyser.case_values(part) if results[seg].status == "ok" else None
    return compared(segment, reference, counts, order, results, values, metrics=metrics, alpha=alpha)


def ranked_segments(known: pd.Series, reference: str | None, *, max_segments: int,
                    min_cases: int) -> tuple[pd.Series, list[str], str]:
    """The cases per segment (``known``: the label of each case that has one), the segments compared (the
    reference first, then by cases, ties by label) and the reference (for a date split: *before*, when kept).

    >>> ranked_segments(pd.Series(["b", "a", "b", "c"]), None, max_segments=2, min_cases=1)[1:]
    (['b', 'a'], 'b')
    """
    counts = known.value_counts()
    counts = counts[counts >= min_cases]
    order = sorted(counts.index, key=lambda s: (-counts[s], s))[:max_segments]
    if reference is None or reference not in order:
        reference = order[0] if order else ""
    else:
        order = [reference] + [s for s in order if s != reference]
    return counts, order, reference


def compared(segment: str, reference: str, counts: pd.Series, order: list[str], results: dict[str, Result],
             values: dict[str, pd.DataFrame | None], *, metrics: tuple[str, ...] = (),
             alpha: float = 0.05) -> ComparisonResult:
    """The comparison of each segment's ``results`` with the reference's, tested on the segments' case ``values``."""
    metric_info: dict[str, Metric] = {}
    for seg in order:
        for item in results[seg].items:
            if isinstance(item, Metric) and (not metrics or item.key in metrics):
                metric_info.setdefault(item.key, item)
    keys = [k for k in (metrics or tuple(metric_info)) if k in metric_info]

    def value(seg: str, key: str) -> Any:
        for item in results[seg].items:
            if isinstance(item, Metric) and item.key == key:
                return item.value
        return None

    wide = pd.DataFrame({seg: [value(seg, k) for k in keys] for seg in order}, index=keys)
    rows = []
    for key in keys:
        ref_value = value(reference, key)
        for seg in order:
            if seg == reference:
                continue
            v = value(seg, key)
            diff = v - ref_value if isinstance(v, (int, float)) and isinstance(ref_value, (int, float)) else None
            test, stat, p = "", None, None
            a, b = values.get(seg), values.get(reference)
            if a is not None and b is not None and key in a.columns and key in b.columns:
                sa, sb = a[key].dropna(), b[key].dropna()
                if len(sa) and len(sb) and all(isinstance(x, (bool, np.bool_)) for x in
                                                (sa.iloc[0], sb.iloc[0])):
                    stat, p = two_proportion_z(int(sa.astype(bool).sum()), len(sa), int(sb.astype(bool).sum()),
                                               len(sb))
                    test = Z_TEST
                elif len(sa) and len(sb):
                    stat, p = mann_whitney(sa.astype(float).to_numpy(), sb.astype(float).to_numpy())
                    test = MWU_TEST
            rows.append({"metric": key, "label": metric_info[key].label, "unit": metric_info[key].unit,
                         "segment": seg, "value": v, "reference": reference, "reference_value": ref_value,
                         "difference": round(diff, 6) if diff is not None else None, "test": test,
                         "statistic": round(stat, 4) if stat is not None and not math.isnan(stat) else None,
                         "p_value": round(p, 6) if p is not None else None,
                         "significant": bool(p is not None and p < alpha)})
    table = pd.DataFrame(rows, columns=["metric", "label", "unit", "segment", "value", "reference",
                                        "reference_value", "difference", "test", "statistic", "p_value",
                                        "significant"])
    return ComparisonResult(segment=segment, reference=reference, cases={s: int(counts[s]) for s in order},
                            results=results, table=table, wide=wide)


@dataclass(frozen=True, kw_only=True)
class Comparison(Analyser):
    """Another analyser's metrics per segment (mother, category, channel, or before/after a date), with tests."""

    name = "comparison"
    title = {"en": "Comparison of segments", "nl": "Vergelijking van segmenten"}
    description = {"en": "The same analysis per mother organisation, category, channel or period, side by side, "
                         "with whether each difference is larger than chance would explain.",
                   "nl": "Dezelfde analyse per moederorganisatie, categorie, kanaal of periode naast elkaar, met "
                         "of elk verschil groter is dan toeval verklaart."}
    uses = (C.MOTHER, C.CATEGORY, C.CHANNEL)
    definitions = {
        "segments": N_("groups of tickets compared: per mother organisation, category, channel, or before and "
                       "after a date"),
        "significant_differences": N_("differences between a group and the reference group that are larger than "
                                      "chance would explain (p-value below the significance level)"),
    }

    #: name of the analyser to run per segment
    analyser: str = "standardisation"
    #: its parameters
    analyser_params: dict[str, Any] = field(default_factory=dict)
    #: mother, category, channel, priority, a column name, or a date YYYY-MM-DD (before / from)
    segment: str = "mother"
    #: metric keys to compare; empty: all metrics of the analyser
    metrics: tuple[str, ...] = ()
    #: significance level of the tests
    alpha: float = 0.05
    max_segments: int = 8
    min_cases: int = 1
    #: zone of months, weeks and working hours; None: the run's (the log's zone)
    timezone: str | None = None

    def segment_label(self) -> str:
        """The segment in words: "mother organisation", "before / from 2024-06-01", or the column's name."""
        date = _date_of(self.segment)
        if date is not None:
            return _("before and from %(date)s") % {"date": self.segment}
        labels = {"mother": _("mother organisation"), "category": _("category"), "channel": _("channel"),
                  "priority": _("priority")}
        return labels.get(self.segment, self.segment)

    def analyse(self, log: EventLog) -> Result:
        if self.timezone is None:  # the run's zone: the log's when run on its own
            return self.for_log(log).analyse(log)
        inner = self._inner()
        if _date_of(self.segment) is None and not log.has(self._column()):
            return self._no_column()
        c = compare(inner, log, self.segment, metrics=self.metrics, alpha=self.alpha,
                    max_segments=self.max_segments, min_cases=self.min_cases, timezone=self.timezone)
        return self._result(c, inner)

    def _inner(self) -> Analyser:
        """The analyser run per segment, in the comparison's zone (which is the run's)."""
        from ssc_mining.analysers.registry import discover
        found = discover().analysers
        if self.analyser not in found:
            raise ConfigError(f"no analyser named {self.analyser!r}", hint="known: " + ", ".join(sorted(found)))
        inner = found[self.analyser](**self.analyser_params)
        if hasattr(inner, "timezone") and inner.timezone is None:  # the comparison's zone, which is the run's
            inner = dataclasses.replace(inner, **{"timezone": self.timezone})
        return inner

    def _column(self) -> str:
        return SEGMENT_COLUMNS.get(self.segment, self.segment)

    def _no_column(self) -> Result:
        why = _("the export has no values in the segment column %(column)s") % {"column": self._column()}
        return Result.skipped(self.name, self.text(self.title), why,
                              version=self.version, params=self.params(), description=self.text(self.description))

    # in partitions of whole tickets --------------------------------------------------------------------------

    def partial(self, log: EventLog) -> _Part:
        """Each ticket's segment (as text) and place in the whole log, and the inner
        analyser's parts: of the whole partition, when it pins choices or measures segments in one pass (see
        :meth:`Analyser.segments_of_parts`); else of each segment's tickets, with their own facts."""
        if self.timezone is None:  # the run's zone: the log's when run on its own
            return self.for_log(log).partial(log)
        inner = self._inner()
        if not in_partitions(inner) or (_date_of(self.segment) is None and not log.has(self._column())):
            return _Part(timezone=self.timezone)
        labels, _reference = segment_cases(log, self.segment, timezone=self.timezone)
        codes, names = pd.factorize(labels.astype(str), sort=False)   # a ticket without a label: −1
        one_pass = overrides(inner, "segments_of_parts")
        whole = inner.partial(log) if one_pass or overrides(inner, "pinned_of_parts") else None
        segments: dict[str, tuple[LogFacts, dict[Decisions, Any]]] = {}
        if not one_pass:
            for k, name in enumerate(names):   # a loop over the segments of the partition, not its tickets
                segments[str(name)] = segment_part(inner, log, codes == k)
        return _Part(codes=codes.astype(np.int32), names=[str(n) for n in names], order=case_order(log),
                     whole=whole, segments=segments, timezone=self.timezone)

    def combine(self, parts: Sequence[_Part], facts: LogFacts) -> Result:
        """The comparison of the log made of ``parts``: the segments ranked over all its tickets, the inner
        analyser pinned on all of them, each segment measured as a log of its own."""
        if self.timezone is None and parts and parts[0].timezone is not None:  # the zone the parts were made in
            return dataclasses.replace(self, timezone=parts[0].timezone).combine(parts, facts)
        inner = self._inner()
        if not in_partitions(inner):
            return Result.skipped(self.name, self.text(self.title),
                                  _("comparing %(analyser)s needs all events in memory and does not run on the DuckDB "
                                    "or Spark engine yet; run it with --engine pandas on a log that fits in memory")
                                  % {"analyser": self.analyser},
                                  version=self.version, params=self.params(), description=self.text(self.description))
        if _date_of(self.segment) is None and self._column() not in facts.with_values:
            return self._no_column()
        order = np.concatenate([p.order for p in parts]) if parts else np.zeros(0, dtype=np.int64)
        text = np.concatenate([np.asarray([*p.names, None], dtype=object)[p.codes] for p in parts]) if parts else \
            np.zeros(0, dtype=object)   # code −1 (no label) → None
        reference = _("before %(date)s") % {"date": day.isoformat()} if (day := _date_of(self.segment)) else None
        counts, kept, reference = ranked_segments(pd.Series(text[pd.notna(text)], dtype=object), reference,
                                                  max_segments=self.max_segments, min_cases=self.min_cases)
        wholes = [p.whole for p in parts if p.whole is not None]
        pinned = inner.pinned_of_parts(wholes, facts) if wholes else inner
        grouped = None
        if kept and overrides(inner, "segments_of_parts"):
            by_order = np.argsort(order, kind="stable")   # the whole log's ticket order
            grouped = pinned.segments_of_parts(wholes, facts, pd.Series(text[by_order], dtype=object), kept)
            if grouped is None:
                raise TypeError(f"{type(inner).__name__}.segments_of_parts gave no segments for a pinned copy")
        results: dict[str, Result] = {}
        values: dict[str, pd.DataFrame | None] = {}
        for seg in kept:   # a loop over segments, not cases
            if grouped is not None:
                results[seg], values[seg] = grouped[seg]
                continue
            own = [p.segments[seg] for p in parts if seg in p.segments]
            seg_facts = segment_facts([f for f, _variants in own], facts, seg)
            seg_parts = [variants[(seg_facts.endings_known, seg_facts.starts_known)] for _facts, variants in own]
            results[seg] = pinned.combine(seg_parts, seg_facts)
            values[seg] = pinned.case_values_of_parts(seg_parts, seg_facts) if results[seg].status == "ok" else None
        c = compared(self.segment, reference, counts, kept, results, values, metrics=self.metrics, alpha=self.alpha)
        return self._result(c, inner)

    def _result(self, c: ComparisonResult, inner: Analyser) -> Result:
        """The comparison ``c`` of ``inner`` per segment as a result."""
        segments = list(c.cases)
        n_compared = int(sum(c.cases[s] for s in segments))
        items: list[Item] = [Metric("cases", _("Tickets"), n_compared, unit="cases"),
                             Metric("segments", _("Segments compared"), len(segments), unit="segments"),
                             Metric("significant_differences", _("Differences larger than chance would explain"),
                                    int(c.table["significant"].sum()), unit="differences")]
        cases = pd.DataFrame({"segment": segments, "cases": [c.cases[s] for s in segments],
                              "status": [c.results[s].status for s in segments]})
        items.append(Table.from_frame("segment_cases", _("Segments"), cases,
                                      labels={"segment": _("segment"), "cases": _("tickets"), "status": _("status")},
                                      units={"cases": "cases"}))
        # each row in its metric's unit (counts without decimals, shares as percentages)
        units = dict(zip(c.table["metric"], c.table["unit"])) if len(c.table) else {}
        if len(c.wide):
            wide = c.wide.copy()
            wide.insert(0, "metric", [c.table.loc[c.table["metric"] == k, "label"].iloc[0]
                                      if (c.table["metric"] == k).any() else k for k in wide.index])
            wide.insert(1, "unit", [units.get(k, "") for k in wide.index])
            items.append(Table.from_frame("side_by_side", _("Metrics per segment"), wide.reset_index(drop=True),
                                          labels={"metric": _("metric")}))
        if len(c.table):
            t = c.table[["label", "unit", "segment", "value", "reference", "reference_value", "difference", "test",
                         "p_value", "significant"]].copy()
            t["test"] = t["test"].map(test_name)
            items.append(Table.from_frame(
                "differences", _("Differences with the reference segment"), t,
                labels={"label": _("metric"), "segment": _("segment"), "value": _("value"),
                        "reference": _("reference"), "reference_value": _("reference value"),
                        "difference": _("difference"), "test": _("test"), "p_value": _("p-value"),
                        "significant": _("larger than chance")},
                units={"p_value": "p"},
                descriptions={"p_value": _("the chance of a difference this large if there were none")}))
        significant = c.table[c.table["significant"]]
        for k, row in enumerate(significant.itertuples(index=False)):   # a loop over findings, not cases
            items.append(Finding(f"significant_{k}", "notice",
                                 _("%(metric)s: %(segment)s differs from %(reference)s by %(difference)s "
                                   "(%(test)s, p = %(p)s).")
                                 % {"metric": row.label, "segment": row.segment, "reference": row.reference,
                                    "difference": format_number(row.difference, 3) if row.difference is not None
                                    else "–", "test": test_name(row.test),
                                    "p": format_share(row.p_value) if row.p_value >= 0.001
                                    else "< " + format_share(0.001)}))
        summary = (_("%(analyser)s compared over %(n)s segments of %(segment)s (reference: %(reference)s); %(k)s "
                     "differences are larger than chance would explain (p < %(alpha)s).")
                   % {"analyser": inner.text(inner.title) or inner.name, "n": len(segments),
                      "segment": self.segment_label(), "reference": c.reference or "–",
                      "k": int(c.table["significant"].sum()), "alpha": format_number(self.alpha, 2)})
        caveats = [_("How it is computed: a test on shares is a two-proportion z-test (pooled, two-sided), a test on "
                     "numbers a Mann–Whitney U test (two-sided) of the per-ticket numbers; each segment against the "
                     "reference. The p-value is the chance of a difference this large if there were none. With many "
                     "comparisons some differences pass by chance."),
                   _("Metrics without per-ticket values are shown without a test.")]
        return self.result(summary=summary, items=items, caveats=caveats)
