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
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.business_calendar import TIMEZONE
from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, format_number, format_share
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Finding, Item, Metric, Result, Table

SEGMENT_COLUMNS = {"mother": C.MOTHER, "category": C.CATEGORY, "channel": C.CHANNEL, "priority": C.PRIORITY,
                   "requester": C.REQUESTER}
Z_TEST = "two-proportion z-test"
MWU_TEST = "Mann–Whitney U"


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
    known = labels.dropna()
    counts = known.astype(str).value_counts()
    counts = counts[counts >= min_cases]
    order = sorted(counts.index, key=lambda s: (-counts[s], s))[:max_segments]
    if reference is None or reference not in order:
        reference = order[0] if order else ""
    else:
        order = [reference] + [s for s in order if s != reference]
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
        from ssc_mining.analysers.registry import discover
        found = discover().analysers
        if self.analyser not in found:
            raise ConfigError(f"no analyser named {self.analyser!r}", hint="known: " + ", ".join(sorted(found)))
        inner = found[self.analyser](**self.analyser_params)
        if hasattr(inner, "timezone") and inner.timezone is None:  # the comparison's zone, which is the run's
            inner = dataclasses.replace(inner, **{"timezone": self.timezone})
        column = SEGMENT_COLUMNS.get(self.segment, self.segment)
        if _date_of(self.segment) is None and not log.has(column):
            return Result.skipped(self.name, self.text(self.title),
                                  _("the export has no values in the segment column %(column)s") % {"column": column},
                                  version=self.version, params=self.params(), description=self.text(self.description))
        c = compare(inner, log, self.segment, metrics=self.metrics, alpha=self.alpha,
                    max_segments=self.max_segments, min_cases=self.min_cases, timezone=self.timezone)
        segments = list(c.cases)
        compared = int(sum(c.cases[s] for s in segments))
        items: list[Item] = [Metric("cases", _("Tickets"), compared, unit="cases"),
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
