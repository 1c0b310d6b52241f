"""Standardisation: how many paths, how much follows the standard path, and what deviation costs.

Definitions:

* **variant**: a case's sequence of activities (events in log order), from the log's shared variant
  table (:func:`ssc_mining.discovery.variants.variant_table`: exact, computed once per log).
* **standard path**: ``reference`` when given; else the most frequent variant among the **clean**
  cases: cases that end resolved or closed (not cancelled, not open) and were never reopened or
  sent back (roles from :mod:`ssc_mining.semantics`); else, when the log records no endings, the
  most frequent variant (ties: the alphabetically first). **On the standard path**: the case's
  variant equals it. The result says which rule chose it.
* **deviation** of a case: the edit distance (insertions, deletions, substitutions of activities)
  between its variant and the standard path, divided by the longer of the two lengths: 0 on the
  standard path, 1 when nothing matches. Computed once per variant.
* **cost of deviation**, like with like: per category (the case's first category value; one group
  when the log has none), the median throughput time (first → last event, days) of its cases off
  the standard path minus that of its cases on it; the headline is the mean of these differences
  weighted by the deviating cases of each category that has cases both on and off the path.
* **suspiciously fast standard path**: the cases on it take a median of less than a fifth of the
  deviating cases' median; often tickets closed automatically (duplicates, spam, self-service) that
  say nothing about how deviation costs time.

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
    >>> Standardisation().analyse(log).item("standard_share").description
    'the most frequent path (this export records no resolutions to tell clean tickets apart)'
    >>> Standardisation().analyse(log).item("deviation_extra_days").value
    2.0
    >>> edit_distance(("a", "b", "c"), ("a", "c"))
    1
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.discovery.variants import variant_table
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.facts import LogFacts, case_order, in_log_order
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, format_number, format_share, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Finding, Item, Metric, Result, Table
from ssc_mining.semantics.roles import Role, State

#: how the standard path was chosen (message ids, translated when the result is made)
CHOSEN_BY = {
    "reference": N_("the reference path given in the configuration"),
    "clean": N_("the most frequent path of the tickets that end resolved without being reopened or sent back"),
    "frequent": N_("the most frequent path (this export records no resolutions to tell clean tickets apart)"),
    "frequent_no_clean": N_("the most frequent path (no ticket ends resolved without being reopened or sent "
                            "back)"),
}
#: the standard path is suspiciously fast when its median is below this share of the deviating cases' median
FAST_RATIO = 0.2


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


@dataclass(frozen=True)
class _Part:
    """A partition's share of the standardisation: its tickets and its own variant table."""

    #: per ticket (index: case id): variant (a number in ``traces``), throughput_days, clean, mother, category,
    #: order (its place in the whole log)
    cases: pd.DataFrame
    traces: list[tuple[str, ...]]   #: the partition's variants (sequences of activities)
    counts: np.ndarray              #: tickets per variant, aligned with ``traces``


@dataclass(frozen=True, kw_only=True)
class Standardisation(Analyser):
    """Variants, coverage of the top variants, the standard path and what deviation from it costs."""

    name = "standardisation"
    title = {"en": "Standardisation", "nl": "Standaardisatie"}
    description = {"en": "How many different paths tickets take, how many follow the standard path, per mother "
                         "organisation, and what deviating costs in throughput time.",
                   "nl": "Hoeveel verschillende routes meldingen nemen, hoeveel de standaardroute volgen, per "
                         "moederorganisatie, en wat afwijken kost aan doorlooptijd."}
    uses = (C.MOTHER, C.CATEGORY)
    definitions = {
        "variants": N_("different sequences of activities (paths) that tickets take"),
        "top_share": N_("tickets whose path is one of the most frequent paths, out of all tickets"),
        "standard_share": N_("tickets whose path is exactly the standard path, out of all tickets"),
        "mean_deviation": N_("how far a ticket's path is from the standard path: the number of steps to add, "
                             "remove or replace, divided by the longer path's length (0 = the same, 1 = nothing in "
                             "common); the mean over all tickets"),
        "median_days_standard": N_("half of the tickets on the standard path take at most this long from first to "
                                   "last event"),
        "median_days_deviating": N_("half of the tickets off the standard path take at most this long from first "
                                    "to last event"),
        "deviation_extra_days": N_("per category: the median time of the tickets off the standard path minus that "
                                   "of the tickets on it; averaged over the categories, weighted by their deviating "
                                   "tickets"),
    }

    #: the standard path as a sequence of activities; default: the most frequent variant
    reference: tuple[str, ...] = ()
    #: coverage is reported for the top this many variants
    top: int = 10
    #: groups shown per table before the rest is pooled
    max_groups: int = 15

    @staticmethod
    def clean_cases(log: EventLog) -> np.ndarray | None:
        """Per case: ends resolved or closed and was never reopened or sent back; None when the log records no
        endings (then clean cannot be told apart)."""
        m, index = log.markers, log.cases
        if not m.endings_known or not index.n:
            return None
        final = m.state[index.last]
        resolved = np.isin(final, (int(State.RESOLVED), int(State.CLOSED)))
        return resolved & ~index.any(m.reopen) & ~index.any(m.has(Role.RETURN))

    def _compute(self, log: EventLog) -> tuple[pd.DataFrame, list[tuple[str, ...]], np.ndarray, tuple[str, ...]]:
        """Per-case table, variants' sequences and counts, standard path; computed once per log and reference
        (the report's own run, the comparison's pinning and its segments share it). Callers must not change it."""
        return log.computed(("standardisation", tuple(self.reference)), lambda: self._compute_now(log))

    def _compute_now(self, log: EventLog) -> tuple[pd.DataFrame, list[tuple[str, ...]], np.ndarray, tuple[str, ...]]:
        return self._finish([self.partial(log)], LogFacts.of(log))

    def partial(self, log: EventLog) -> _Part:
        """The tickets of ``log`` (a partition of whole tickets): each one's variant in the partition's own
        variant table, throughput time, whether it is clean, mother and category; the standard path and the
        variants' ranks, which depend on all tickets, are left to :meth:`combine`."""
        frame = log.frame
        table = variant_table(log)   # computed once per log, shared with the map and the case table
        index = log.cases
        clean = self.clean_cases(log)
        days = (index.seconds[index.last] - index.seconds[index.first]) / 86400 if index.n else np.zeros(0)
        cases = pd.DataFrame({"variant": table.case_variant.to_numpy().astype(np.int64), "throughput_days": days,
                              "clean": clean if clean is not None else np.zeros(index.n, dtype=bool)},
                             index=index.ids)
        for key, column in (("mother", C.MOTHER), ("category", C.CATEGORY)):
            cases[key] = index.case_first(frame[column]).to_numpy() if column in frame.columns else None
        cases["order"] = case_order(log)
        return _Part(cases=cases, traces=table.traces, counts=table.counts)

    @staticmethod
    def _variants(parts: Sequence[_Part]) -> tuple[pd.DataFrame, list[tuple[str, ...]], np.ndarray]:
        """The parts' tickets in log order with their variant numbered in the whole log's variant table (most
        frequent first, ties by sequence, as :func:`~ssc_mining.discovery.variants.variant_table`), its sequences
        and counts."""
        if len(parts) == 1:
            return parts[0].cases, parts[0].traces, parts[0].counts
        number: dict[tuple[str, ...], int] = {}
        local = [np.array([number.setdefault(t, len(number)) for t in p.traces], dtype=np.int64) for p in parts]
        traces = list(number)
        totals = np.zeros(len(traces), dtype=np.int64)
        for p, to_whole in zip(parts, local):
            totals[to_whole] += p.counts   # a part's sequences are distinct
        order = sorted(range(len(traces)), key=lambda i: (-totals[i], traces[i]))   # a loop over variants
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        frames = [p.cases.assign(variant=rank[to_whole][p.cases["variant"].to_numpy()])
                  for p, to_whole in zip(parts, local)]
        cases = in_log_order(pd.concat(frames), np.concatenate([f["order"].to_numpy() for f in frames]))
        return cases, [traces[i] for i in order], totals[order]

    def _finish(self, parts: Sequence[_Part], facts: LogFacts
                ) -> tuple[pd.DataFrame, list[tuple[str, ...]], np.ndarray, tuple[str, ...]]:
        """Per-case table, variants' sequences and counts and standard path of the log made of ``parts``."""
        cases, sequences, counts = self._variants(parts)
        variant = cases["variant"].to_numpy()
        chosen = "reference"
        if self.reference:
            standard = tuple(self.reference)
        elif len(counts):
            pool = counts
            chosen = "frequent"
            if facts.endings_known and len(cases):   # else clean cannot be told apart
                clean = cases["clean"].to_numpy(dtype=bool)
                clean_counts = np.bincount(variant[clean], minlength=len(counts))
                chosen = "clean" if clean_counts.any() else "frequent_no_clean"
                pool = clean_counts if clean_counts.any() else counts
            best = pool.max()
            standard = min(sequences[i] for i in np.flatnonzero(pool == best))
        else:
            standard = ()
        distance = np.array([edit_distance(seq, standard) / max(len(seq), len(standard), 1) for seq in sequences])
        pc = pd.DataFrame({"variant": variant, "deviation": distance[variant] if len(distance) else [],
                           "throughput_days": cases["throughput_days"].to_numpy()}, index=cases.index)
        pc["on_standard"] = pc["deviation"] == 0
        for key in ("mother", "category"):
            pc[key] = cases[key].to_numpy()
        pc.attrs["chosen"] = chosen
        return pc, sequences, counts, standard

    @staticmethod
    def deviation_cost(pc: pd.DataFrame) -> tuple[float | None, pd.DataFrame]:
        """Like with like: per category the median days off minus on the standard path, and their mean weighted
        by the deviating cases of the categories that have cases both on and off the path.

        >>> pc = pd.DataFrame({"category": ["a", "a", "a", "b", "b"], "on_standard": [True, False, False, True, False],
        ...                    "throughput_days": [1.0, 3.0, 5.0, 10.0, 11.0]})
        >>> extra, table = Standardisation.deviation_cost(pc)
        >>> round(extra, 3), table["extra_days"].tolist()     # (3 × 2 + 1 × 1) / 3
        (2.333, [3.0, 1.0])
        """
        group = pc["category"].astype(object).fillna("?") if pc["category"].notna().any() else \
            pd.Series("", index=pc.index)
        g = pd.DataFrame({"group": group.to_numpy(), "on": pc["on_standard"].to_numpy(dtype=bool),
                          "days": pc["throughput_days"].to_numpy()})
        on = g[g["on"]].groupby("group")["days"].agg(cases_on="size", median_on="median")
        off = g[~g["on"]].groupby("group")["days"].agg(cases_off="size", median_off="median")
        table = on.join(off, how="inner").reset_index()
        table["extra_days"] = table["median_off"] - table["median_on"]
        table = table.sort_values(["cases_off", "group"], ascending=[False, True], kind="stable")
        if not len(table):
            return None, table
        extra = float(np.average(table["extra_days"], weights=table["cases_off"]))
        return extra, table.reset_index(drop=True)

    def pinned(self, log: EventLog) -> Standardisation:
        """A copy whose ``reference`` is this log's standard path (so segments share one standard path)."""
        if self.reference:
            return self
        pc, sequences, counts, standard = self._compute(log)
        pinned = dataclasses.replace(self, reference=standard)
        # pinned to this log's own standard path, every case has the variant and deviation it has here: only
        # how the path was chosen differs, so the copy shares this table instead of computing it again
        same = pc.copy(deep=False)
        same.attrs = {**pc.attrs, "chosen": "reference"}
        log.computed(("standardisation", tuple(pinned.reference)), lambda: (same, sequences, counts, standard))
        return pinned

    def pinned_of_parts(self, parts: Sequence[_Part], facts: LogFacts) -> Standardisation:
        """:meth:`pinned` of the log made of ``parts``: its standard path, chosen over all of its tickets."""
        if self.reference:
            return self
        return dataclasses.replace(self, reference=self._finish(parts, facts)[3])

    def per_case(self, log: EventLog) -> pd.DataFrame:
        """Per case: ``variant`` (number), ``deviation`` (0–1), ``on_standard``, ``throughput_days``, mother,
        category."""
        return self._compute(log)[0]

    def case_values(self, log: EventLog) -> pd.DataFrame:
        """Per-case values behind the metrics (for comparisons between segments)."""
        return self._values(self.per_case(log))

    @staticmethod
    def _values(pc: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"standard_share": pc["on_standard"], "mean_deviation": pc["deviation"],
                             "median_days": pc["throughput_days"]})

    def analyse_segments(self, log: EventLog, segments: pd.Series,
                         keep: Sequence[str]) -> dict[str, tuple[Result, pd.DataFrame | None]] | None:
        """Every segment's result from the whole log's per-case table (a pinned analyser only: with a fixed
        standard path a case's variant and deviation do not depend on the other cases)."""
        if not self.reference:
            return None
        return self._segments(*self._compute(log), segments.to_numpy(), keep)

    def segments_of_parts(self, parts: Sequence[_Part], facts: LogFacts, segments: pd.Series,
                          keep: Sequence[str]) -> dict[str, tuple[Result, pd.DataFrame | None]] | None:
        """:meth:`analyse_segments` of the log made of ``parts`` (a pinned analyser only)."""
        if not self.reference:
            return None
        return self._segments(*self._finish(parts, facts), segments.to_numpy(), keep)

    def _segments(self, pc: pd.DataFrame, sequences: list[tuple[str, ...]], counts: np.ndarray,
                  standard: tuple[str, ...], labels: np.ndarray,
                  keep: Sequence[str]) -> dict[str, tuple[Result, pd.DataFrame | None]]:
        """Every segment's result and case values: a group-by of the whole log's per-case table ``pc``."""
        out: dict[str, tuple[Result, pd.DataFrame | None]] = {}
        for seg in keep:   # a loop over segments, not cases
            part = pc[labels == seg]
            seg_counts = np.bincount(part["variant"].to_numpy(), minlength=len(counts))
            present = np.flatnonzero(seg_counts)
            renumber = np.full(len(counts), -1, dtype=np.int64)
            renumber[present] = np.arange(len(present))
            part = part.assign(variant=renumber[part["variant"].to_numpy()])
            part.attrs = dict(pc.attrs)
            result = self._result(part, [sequences[i] for i in present], seg_counts[present], standard)
            out[seg] = (result, self._values(part) if result.status == "ok" else None)
        return out

    def analyse(self, log: EventLog) -> Result:
        return self.combine([self.partial(log)], LogFacts.of(log))

    def combine(self, parts: Sequence[_Part], facts: LogFacts) -> Result:
        return self._result(*self._finish(parts, facts))

    def _result(self, pc: pd.DataFrame, sequences: list[tuple[str, ...]], counts: np.ndarray,
                standard: tuple[str, ...]) -> Result:
        n = len(pc)
        if not n:
            return self.result(summary=_("The export is empty."),
                               items=[Metric("cases", _("Tickets"), 0, unit="cases")])
        order = np.lexsort((np.array([" → ".join(s) for s in sequences], dtype=object), -counts))
        top = order[: self.top]
        coverage = float(counts[top].sum() / n)
        on = pc["on_standard"]
        chosen = _(CHOSEN_BY[pc.attrs["chosen"]])
        med_on = float(pc.loc[on, "throughput_days"].median()) if on.any() else None
        med_off = float(pc.loc[~on, "throughput_days"].median()) if (~on).any() else None
        extra, per_group = self.deviation_cost(pc)
        compared = int(per_group["cases_on"].sum() + per_group["cases_off"].sum()) if len(per_group) else 0
        no_pair = _("no category has tickets both on and off the standard path, so there is nothing like to compare "
                    "with like")
        items: list[Item] = [
            Metric("cases", _("Tickets"), n, unit="cases"),
            Metric("variants", _("Paths"), int(len(counts)), unit="variants"),
            Metric("top_share", _("Share of tickets in the %(top)s most frequent paths") % {"top": self.top},
                   round(coverage, 4), unit="share"),
            Metric("standard_share", _("Share of tickets on the standard path"), round(float(on.mean()), 4),
                   unit="share", description=chosen),
            Metric("mean_deviation", _("Mean deviation from the standard path"),
                   round(float(pc["deviation"].mean()), 4), unit="share"),
            Metric("median_days_standard", _("Median throughput time on the standard path"),
                   round(med_on, 4) if med_on is not None else None, unit="days", base=int(on.sum()),
                   reason="" if med_on is not None else _("no ticket follows the standard path")),
            Metric("median_days_deviating", _("Median throughput time off the standard path"),
                   round(med_off, 4) if med_off is not None else None, unit="days", base=int((~on).sum()),
                   reason="" if med_off is not None else _("every ticket follows the standard path")),
            Metric("deviation_extra_days", _("Extra median throughput time when deviating"),
                   round(extra, 4) if extra is not None else None, unit="days", base=compared,
                   based_on=ngettext("%(n)s ticket in categories with tickets both on and off the standard path",
                                     "%(n)s tickets in categories with tickets both on and off the standard path",
                                     compared) % {"n": format_number(compared)},
                   reason="" if extra is not None else no_pair),
        ]
        fast = med_on is not None and med_off is not None and med_off > 0 and med_on < FAST_RATIO * med_off
        if fast:
            items.append(Finding(
                "standard_path_fast", "warning",
                _("Tickets on the standard path take a median of %(on)s days, against %(off)s days for the other "
                  "tickets. Such fast tickets are often closed automatically (duplicates, spam, self-service) "
                  "rather than handled, so the difference is not what deviating costs. Check the tickets on the "
                  "standard path, listed here.")
                % {"on": format_number(med_on, 2), "off": format_number(med_off, 1)},
                case_ids=[str(c) for c in pc.index[on.to_numpy(dtype=bool)]], count=int(on.sum())))
        if len(per_group) and pc["category"].notna().any():
            t = per_group.assign(median_on=per_group["median_on"].round(3), median_off=per_group["median_off"].round(3),
                                 extra_days=per_group["extra_days"].round(3))
            items.append(Table.from_frame(
                "cost_by_category", _("What deviating costs, per category"), t,
                labels={"group": _("category"), "cases_on": _("tickets on the standard path"),
                        "median_on": _("median on the path (days)"), "cases_off": _("tickets off the path"),
                        "median_off": _("median off the path (days)"), "extra_days": _("extra (days)")},
                units={"cases_on": "cases", "cases_off": "cases", "median_on": "days", "median_off": "days",
                       "extra_days": "days"},
                descriptions={"extra_days": _("median off the path minus median on it, within the category")}))
        dist = pc.groupby("variant")["deviation"].first()
        var_table = pd.DataFrame({"rank": np.arange(1, len(top) + 1),
                                  "variant": [" → ".join(sequences[i]) for i in top],
                                  "cases": counts[top], "share": (counts[top] / n).round(4),
                                  "deviation": dist.reindex(top).round(4).to_numpy()})
        items.append(Table.from_frame("top_variants", _("Most frequent paths"), var_table,
                                      labels={"rank": "#", "variant": _("sequence of activities"),
                                              "cases": _("tickets"), "share": _("share"),
                                              "deviation": _("deviation from standard")},
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
                                      labels={"band": _("deviation"), "cases": _("tickets"),
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
                labels={"group": label, "cases": _("tickets"), "standard_share": _("on the standard path"),
                        "mean_deviation": _("mean deviation"), "variants": _("paths"),
                        "median_days": _("median (days)")},
                units={"standard_share": "share", "mean_deviation": "share", "median_days": "days",
                       "cases": "cases"}))
        items.append(Chart("deviation", _("Deviation from the standard path per ticket"), "histogram",
                           series={_("tickets"): np.sort(pc["deviation"].to_numpy().round(4)).tolist()},
                           x_label=_("deviation (0 % = the standard path, 100 % = nothing in common)"),
                           y_label=_("tickets"), x_unit="share"))
        summary = (_("%(n)s different paths; the %(top)s most frequent cover %(coverage)s of the tickets. %(standard)s "
                     "of the tickets follow the standard path (%(chosen)s).")
                   % {"n": format_number(len(counts)), "top": self.top, "coverage": format_share(coverage),
                      "standard": format_share(float(on.mean())), "chosen": chosen})
        if extra is not None:
            summary += " " + _("Within the same category, deviating tickets take %(extra)s days longer (median).") % {
                "extra": format_number(extra, 1)}
        caveats = [_("Standard path: %(path)s.") % {"path": " → ".join(standard) or "–"},
                   _("The standard path is %(chosen)s.") % {"chosen": chosen},
                   _("Tickets still open at the time of the export look shorter and may not have reached the end of "
                     "the standard path yet.")]
        return self.result(summary=summary, items=items, caveats=caveats)
