"""Standardisation: how many paths, how much follows the standard path, and what deviation costs.

Definitions:

* **variant**: a case's sequence of activities (events in log order). Cases are grouped by a
  vectorised hash of their sequence (two independent 64-bit polynomial hashes and the length), the
  sequences themselves are read once per variant.
* **standard path**: ``reference`` when given, else the most frequent variant (ties: the
  alphabetically first). **On the standard path**: the case's variant equals it.
* **deviation** of a case: the edit distance (insertions, deletions, substitutions of activities)
  between its variant and the standard path, divided by the longer of the two lengths: 0 on the
  standard path, 1 when nothing matches. Computed once per variant.
* **cost of deviation**: median throughput time (first → last event, days) of cases off the standard
  path minus that of cases on it; also per band of deviation.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": list("11122333"),
    ...     "concept:name": ["a", "b", "c", "a", "c", "a", "b", "c"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-01",
    ...                                       "2024-01-05", "2024-01-01", "2024-01-02", "2024-01-03"], utc=True)}))
    >>> pc = Standardisation().per_case(log)
    >>> pc["on_standard"].tolist(), pc["deviation"].round(3).tolist()
    ([True, False, True], [0.0, 0.333, 0.0])
    >>> edit_distance(("a", "b", "c"), ("a", "c"))
    1
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.eventlog.cases import case_index
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import format_number, format_share
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Item, Metric, Result, Table

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)


def edit_distance(a: Sequence[object], b: Sequence[object]) -> int:
    """Levenshtein distance between two sequences (two-row dynamic programme; called once per variant)."""
    if len(a) < len(b):
        a, b = b, a
    if not len(b):
        return len(a)
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        new = [i]
        for j, y in enumerate(b, start=1):
            new.append(min(row[j] + 1, new[j - 1] + 1, row[j - 1] + (x != y)))
        row = new
    return row[-1]


def case_variants(frame: pd.DataFrame) -> tuple[np.ndarray, list[tuple[str, ...]], np.ndarray]:
    """Per case its variant number; the variants' activity sequences; cases per variant. Vectorised."""
    index = case_index(frame)
    if not index.n:
        return np.zeros(0, dtype=np.int64), [], np.zeros(0, dtype=np.int64)
    acts, labels = pd.factorize(frame[C.ACTIVITY], sort=True)
    labels = np.asarray(labels, dtype=object)
    acts = acts.astype(np.uint64) + np.uint64(1)
    pos = np.arange(len(acts)) - index.first[index.codes]
    length = index.last - index.first + 1
    longest = int(length.max())
    with np.errstate(over="ignore"):
        p1 = np.cumprod(np.r_[np.uint64(1), np.full(longest - 1, _M1, dtype=np.uint64)], dtype=np.uint64)
        p2 = np.cumprod(np.r_[np.uint64(1), np.full(longest - 1, _M2, dtype=np.uint64)], dtype=np.uint64)
        h1 = np.add.reduceat(acts * p1[pos], index.first, dtype=np.uint64)
        h2 = np.add.reduceat((acts * np.uint64(31) + np.uint64(7)) * p2[pos], index.first, dtype=np.uint64)
    keys = pd.DataFrame({"a": h1, "b": h2, "n": length})
    variant = keys.groupby(["a", "b", "n"], sort=False).ngroup().to_numpy()
    counts = np.bincount(variant)
    first_case = np.full(len(counts), -1, dtype=np.int64)
    first_case[variant[::-1]] = np.arange(index.n)[::-1]   # the first case of each variant
    codes = (acts - np.uint64(1)).astype(np.int64)
    sequences = [tuple(labels[codes[index.first[c]:index.last[c] + 1]]) for c in first_case]  # loop over variants
    return variant, sequences, counts


@dataclass(frozen=True, kw_only=True)
class Standardisation(Analyser):
    """Variants, coverage of the top variants, the standard path and what deviation from it costs."""

    name = "standardisation"
    title = {"en": "Standardisation", "nl": "Standaardisatie"}
    description = {"en": "How many different paths cases take, how many follow the standard path, per mother "
                         "organisation, and what deviating costs in throughput time.",
                   "nl": "Hoeveel verschillende routes zaken nemen, hoeveel het standaardpad volgen, per "
                         "moederorganisatie, en wat afwijken kost aan doorlooptijd."}
    uses = (C.MOTHER, C.CATEGORY)

    #: the standard path as a sequence of activities; default: the most frequent variant
    reference: tuple[str, ...] = ()
    #: coverage is reported for the top this many variants
    top: int = 10
    #: groups shown per table before the rest is pooled
    max_groups: int = 15

    def _compute(self, log: EventLog) -> tuple[pd.DataFrame, list[tuple[str, ...]], np.ndarray, tuple[str, ...]]:
        frame = log.frame
        variant, sequences, counts = case_variants(frame)
        index = log.cases
        if self.reference:
            standard = tuple(self.reference)
        elif len(counts):
            best = counts.max()
            standard = min(sequences[i] for i in np.flatnonzero(counts == best))
        else:
            standard = ()
        distance = np.array([edit_distance(seq, standard) / max(len(seq), len(standard), 1) for seq in sequences])
        days = (index.seconds[index.last] - index.seconds[index.first]) / 86400 if index.n else np.zeros(0)
        pc = pd.DataFrame({"variant": variant, "deviation": distance[variant] if len(distance) else [],
                           "throughput_days": days}, index=pd.Index(index.ids, name=C.CASE))
        pc["on_standard"] = pc["deviation"] == 0
        for key, column in (("mother", C.MOTHER), ("category", C.CATEGORY)):
            pc[key] = index.case_first(frame[column]).to_numpy() if column in frame.columns else None
        return pc, sequences, counts, standard

    def pinned(self, log: EventLog) -> "Standardisation":
        """A copy whose ``reference`` is this log's standard path (so segments share one standard path)."""
        if self.reference:
            return self
        return dataclasses.replace(self, reference=self._compute(log)[3])

    def per_case(self, log: EventLog) -> pd.DataFrame:
        """Per case: ``variant`` (number), ``deviation`` (0–1), ``on_standard``, ``throughput_days``, mother, category."""
        return self._compute(log)[0]

    def case_values(self, log: EventLog) -> pd.DataFrame:
        """Per-case values behind the metrics (for comparisons between segments)."""
        pc = self.per_case(log)
        return pd.DataFrame({"standard_share": pc["on_standard"], "mean_deviation": pc["deviation"],
                             "median_days": pc["throughput_days"]})

    def analyse(self, log: EventLog) -> Result:
        pc, sequences, counts, standard = self._compute(log)
        n = len(pc)
        if not n:
            return self.result(summary=_("The log is empty."), items=[Metric("cases", _("Cases"), 0, unit="cases")])
        order = np.lexsort((np.array([" → ".join(s) for s in sequences], dtype=object), -counts))
        top = order[: self.top]
        coverage = float(counts[top].sum() / n)
        on = pc["on_standard"]
        med_on = float(pc.loc[on, "throughput_days"].median()) if on.any() else None
        med_off = float(pc.loc[~on, "throughput_days"].median()) if (~on).any() else None
        extra = med_off - med_on if med_on is not None and med_off is not None else None
        items: list[Item] = [
            Metric("cases", _("Cases"), n, unit="cases"),
            Metric("variants", _("Variants"), int(len(counts)), unit="variants"),
            Metric("top_share", _("Share of cases in the %(top)s most frequent variants") % {"top": self.top},
                   round(coverage, 4), unit="share"),
            Metric("standard_share", _("Share of cases on the standard path"), round(float(on.mean()), 4),
                   unit="share",
                   description=_("the reference path given") if self.reference else _("the most frequent variant")),
            Metric("mean_deviation", _("Mean deviation from the standard path"),
                   round(float(pc["deviation"].mean()), 4), unit="share",
                   description=_("edit distance to the standard path divided by the longer length")),
            Metric("median_days_standard", _("Median throughput time on the standard path"),
                   round(med_on, 4) if med_on is not None else None, unit="days"),
            Metric("median_days_deviating", _("Median throughput time off the standard path"),
                   round(med_off, 4) if med_off is not None else None, unit="days"),
            Metric("deviation_extra_days", _("Extra median throughput time when deviating"),
                   round(extra, 4) if extra is not None else None, unit="days"),
        ]
        dist = pc.groupby("variant")["deviation"].first()
        var_table = pd.DataFrame({"rank": np.arange(1, len(top) + 1),
                                  "variant": [" → ".join(sequences[i]) for i in top],
                                  "cases": counts[top], "share": (counts[top] / n).round(4),
                                  "deviation": dist.reindex(top).round(4).to_numpy()})
        items.append(Table.from_frame("top_variants", _("Most frequent variants"), var_table,
                                      labels={"rank": "#", "variant": _("sequence of activities"), "cases": _("cases"),
                                              "share": _("share"), "deviation": _("deviation from standard")},
                                      units={"share": "share", "cases": "cases", "deviation": "share"}))
        bands = pd.cut(pc["deviation"], [-0.001, 0.0, 0.25, 0.5, 1.0],
                       labels=["0", "0–0.25", "0.25–0.5", "0.5–1"])
        band_table = (pc.groupby(bands, observed=True)["throughput_days"]
                      .agg(cases="size", median_days="median", mean_days="mean").reset_index()
                      .rename(columns={"deviation": "band"}))
        band_table["median_days"] = band_table["median_days"].round(3)
        band_table["mean_days"] = band_table["mean_days"].round(3)
        band_table["band"] = band_table["band"].astype(str)
        items.append(Table.from_frame("cost_by_deviation", _("Throughput time by deviation from the standard path"),
                                      band_table,
                                      labels={"band": _("deviation"), "cases": _("cases"),
                                              "median_days": _("median (days)"), "mean_days": _("mean (days)")},
                                      units={"median_days": "days", "mean_days": "days", "cases": "cases"}))
        for key, label in (("mother", _("mother organisation")), ("category", _("category"))):
            if pc[key].isna().all():
                continue
            g = pc.groupby(pc[key].astype(object).fillna("?"), sort=True)
            t = g.agg(cases=("on_standard", "size"), standard_share=("on_standard", "mean"),
                      mean_deviation=("deviation", "mean"), variants=("variant", "nunique"),
                      median_days=("throughput_days", "median")).reset_index().rename(columns={key: "group"})
            t = t.sort_values(["cases", "group"], ascending=[False, True], kind="stable").head(self.max_groups)
            for c in ("standard_share", "mean_deviation", "median_days"):
                t[c] = t[c].round(4)
            items.append(Table.from_frame(
                f"by_{key}", _("Standard path per %(group)s") % {"group": label}, t,
                labels={"group": label, "cases": _("cases"), "standard_share": _("on the standard path"),
                        "mean_deviation": _("mean deviation"), "variants": _("variants"),
                        "median_days": _("median (days)")},
                units={"standard_share": "share", "mean_deviation": "share", "median_days": "days",
                       "cases": "cases"}))
        items.append(Chart("deviation", _("Deviation from the standard path per case"), "histogram",
                           series={_("cases"): np.sort(pc["deviation"].to_numpy().round(4)).tolist()},
                           x_label=_("deviation (0 = standard path, 1 = nothing in common)"), y_label=_("cases")))
        summary = (_("%(n)s different paths; the %(top)s most frequent cover %(coverage)s of the cases. %(standard)s of "
                     "the cases follow the standard path; deviating cases take %(extra)s days longer (median).")
                   % {"n": format_number(len(counts)), "top": self.top, "coverage": format_share(coverage),
                      "standard": format_share(float(on.mean())),
                      "extra": format_number(extra, 1) if extra is not None else "–"})
        caveats = [_("Standard path: %(path)s.") % {"path": " → ".join(standard) or "–"},
                   _("Cases still open at the time of the export look shorter and may not have reached the end of "
                     "the standard path yet.")]
        return self.result(summary=summary, items=items, caveats=caveats)
