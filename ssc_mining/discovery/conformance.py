"""Conformance against a reference model the user supplies (BPMN or PNML).

**Method and cost.** Fitness comes from pm4py's *alignments* (state-equation
A*), computed once per *variant*, never per case: every case of a variant has
the same alignment. Alignments are exact and say *which* activity was skipped
or done where the model does not allow it; token-based replay is cheaper but
gives wrong fitness on models with many silent steps (such as BPMN converted to
Petri nets: a fitting trace can score 0.7) and no activity-level deviations, so
it is not used. The cost follows the number of variants (tens of milliseconds
each on a model of 20 activities), so at most ``max_variants`` of the most
frequent variants are aligned and each gets at most ``seconds_per_variant``;
cases of the remaining variants are reported as *not checked*, with their
number.

**Deviations in words.** Per variant, a model move on a visible activity is a
*skip* ("'Approve' skipped"), a log move is an *insertion* ("'Approve' done
where the reference model does not allow it"), both for the same activity mean
*out of order*, and a log move of an activity the model does not know is an
*unknown activity*. Shares are of the checked cases.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": list("1122"),
    ...     "concept:name": ["Register", "Close", "Register", "Register"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"] * 2, utc=True)}))
    >>> ref = reference_from_tree("->( 'Register', 'Close' )")
    >>> result = check_conformance(log, ref)
    >>> result.cases["fitness"].round(2).tolist()
    [1.0, 0.5]
    >>> for d in result.deviation_list():
    ...     print(d["text"])
    'Close' skipped in 50.0 % of the tickets (1 ticket).
    'Register' done where the reference model does not allow it in 50.0 % of the tickets (1 ticket).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining._pm4py import import_pm4py, quiet
from ssc_mining.discovery.aggregates import Aggregates, aggregates_of
from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import format_number, format_share, ngettext
from ssc_mining.i18n import gettext as _

#: kinds of deviation, in the order they are listed
KINDS = ("skipped", "order", "inserted", "unknown")


@dataclass
class Reference:
    """A reference model as an accepting Petri net, with its visible activity labels."""

    net: Any
    initial_marking: Any
    final_marking: Any
    name: str

    @property
    def labels(self) -> set[str]:
        return {t.label for t in self.net.transitions if t.label is not None}


def read_reference(path: str | Path) -> Reference:
    """Read a BPMN (``.bpmn``) or PNML (``.pnml``) file as a reference model."""
    pm4py = import_pm4py()
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"reference model {path} does not exist", path=path)
    suffix = path.suffix.lower()
    try:
        with quiet():
            if suffix == ".bpmn":
                net, im, fm = pm4py.convert_to_petri_net(pm4py.read_bpmn(str(path)))
            elif suffix == ".pnml":
                net, im, fm = pm4py.read_pnml(str(path))
            else:
                raise ConfigError(f"reference model {path.name}: unknown format", path=path,
                                  hint="give a BPMN (.bpmn) or PNML (.pnml) file")
    except ConfigError:
        raise
    except Exception as err:  # noqa: BLE001 - any parse failure of a user's file
        raise ConfigError(f"reference model {path.name} could not be read: {type(err).__name__}: {err}",
                          path=path, hint="export it again as BPMN 2.0 XML or PNML") from None
    if not fm:
        raise ConfigError(f"reference model {path.name} has no end (final marking)", path=path)
    return Reference(net=net, initial_marking=im, final_marking=fm, name=path.name)


def reference_from_tree(tree: str, name: str = "process tree") -> Reference:
    """A reference model from a process tree in pm4py's notation, e.g. ``"->( 'A', 'B' )"``."""
    pm4py = import_pm4py()
    from pm4py.objects.process_tree.utils.generic import parse

    with quiet():
        net, im, fm = pm4py.convert_to_petri_net(parse(tree))
    return Reference(net=net, initial_marking=im, final_marking=fm, name=name)


@dataclass
class Conformance:
    """Fitness per case and per mother organisation, and the deviations found."""

    reference: str
    cases: pd.DataFrame          # case, variant, fitness (NaN = not checked), fits
    variants: pd.DataFrame       # variant, cases, fitness, deviations (list of (kind, activity))
    deviations: pd.DataFrame     # kind, activity, cases, share
    by_mother: pd.DataFrame | None
    variants_checked: int
    variants_total: int
    seconds: float

    @property
    def cases_checked(self) -> int:
        return int(self.cases["fitness"].notna().sum())

    def summary(self) -> str:
        """What was checked and how well it fits, in one sentence."""
        checked = self.cases[self.cases["fitness"].notna()]
        text = _("%(checked)s of %(total)s cases checked against %(model)s (alignments on the %(variants)s most "
                 "frequent of %(all)s variants): %(fitting)s fit the model completely; mean fitness %(mean)s.") % {
            "checked": format_number(len(checked)), "total": format_number(len(self.cases)),
            "model": self.reference, "variants": format_number(self.variants_checked),
            "all": format_number(self.variants_total),
            "fitting": format_share(float(checked["fits"].mean()) if len(checked) else None),
            "mean": format_number(float(checked["fitness"].mean()), 3) if len(checked) else "–"}
        return text

    def deviation_list(self, top: int | None = None) -> list[dict[str, Any]]:
        """The most frequent deviations, each with a sentence."""
        rows = self.deviations.head(top) if top else self.deviations
        return [{"kind": k, "activity": a, "cases": int(n), "share": round(float(s), 6),
                 "text": describe(k, a, float(s), int(n))} for k, a, n, s in rows.itertuples(index=False)]

    def to_dict(self, top: int = 10) -> dict[str, Any]:
        fitted = self.cases[self.cases["fitness"].notna()]
        return {
            "reference": self.reference, "summary": self.summary(),
            "cases": len(self.cases), "cases_checked": len(fitted),
            "cases_fitting": int(fitted["fits"].sum()),
            "mean_fitness": round(float(fitted["fitness"].mean()), 6) if len(fitted) else None,
            "variants_checked": self.variants_checked, "variants_total": self.variants_total,
            "method": "alignments per variant (pm4py, state-equation A*)",
            "deviations": self.deviation_list(top),
            "by_mother": [] if self.by_mother is None else [
                {"mother": str(m), "cases": int(n), "cases_checked": int(k), "fitting_share": _r(f),
                 "mean_fitness": _r(mf)} for m, n, k, f, mf in self.by_mother.itertuples(index=False)],
        }


def _r(value: float) -> float | None:
    return None if value != value else round(float(value), 6)


def describe(kind: str, activity: str, share: float, cases: int) -> str:
    """A deviation in words, e.g. "'Approve' skipped in 12.0 % of the tickets (30 tickets)."."""
    values = {"activity": activity, "share": format_share(share),
              "cases": ngettext("%(n)s ticket", "%(n)s tickets", cases) % {"n": format_number(cases)}}
    if kind == "skipped":
        return _("'%(activity)s' skipped in %(share)s of the tickets (%(cases)s).") % values
    if kind == "order":
        return _("'%(activity)s' done out of order in %(share)s of the tickets (%(cases)s).") % values
    if kind == "unknown":
        return _("'%(activity)s', which the reference model does not contain, done in %(share)s of the tickets "
                 "(%(cases)s).") % values
    return _("'%(activity)s' done where the reference model does not allow it in %(share)s of the tickets "
             "(%(cases)s).") % values


def _moves(alignment: list[tuple[Any, Any]], known: set[str]) -> list[tuple[str, str]]:
    skipped = {m for a, m in alignment if a == ">>" and m is not None and m != ">>"}
    inserted = {a for a, m in alignment if m == ">>" and a != ">>"}
    found = [("order", x) for x in skipped & inserted]
    found += [("skipped", x) for x in skipped - inserted]
    found += [("inserted" if x in known else "unknown", x) for x in inserted - skipped]
    return sorted(found, key=lambda d: (KINDS.index(d[0]), d[1]))


def check_conformance(log: EventLog | Aggregates, reference: Reference, *, max_variants: int = 1000,
                      seconds_per_variant: float = 10.0, max_seconds: float = 600.0) -> Conformance:
    """Align the most frequent variants of ``log`` with ``reference`` and summarise per case and mother."""
    import_pm4py()  # banner off before pm4py's submodules load
    from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments
    from pm4py.objects.log.obj import Event, Trace
    from pm4py.objects.log.obj import EventLog as Pm4pyLog

    started = time.perf_counter()
    source = aggregates_of(log)
    table = source.variant_table()
    k = min(table.n, max_variants)
    traces = Pm4pyLog([Trace([Event({"concept:name": a}) for a in t]) for t in table.traces[:k]])
    params = {alignments.Parameters.PARAM_MAX_ALIGN_TIME_TRACE: seconds_per_variant,
              alignments.Parameters.PARAM_MAX_ALIGN_TIME: max_seconds}
    with quiet():
        aligned = alignments.apply(traces, reference.net, reference.initial_marking, reference.final_marking,
                                   parameters=params) if k else []
    known = reference.labels
    fitness = np.full(table.n, np.nan)
    found: list[list[tuple[str, str]]] = [[] for _ in range(table.n)]
    for i, result in enumerate(aligned):
        if result is None or result.get("alignment") is None:
            continue
        fitness[i] = float(result["fitness"])
        found[i] = _moves(result["alignment"], known)
    variants = pd.DataFrame({"variant": np.arange(table.n), "cases": table.counts, "fitness": fitness,
                             "deviations": found})
    case_variant = table.case_variant
    cases = pd.DataFrame({"case": case_variant.index.astype(str), "variant": case_variant.to_numpy(),
                          "fitness": fitness[case_variant.to_numpy()]})
    cases["fits"] = cases["fitness"] >= 1.0 - 1e-9
    checked_cases = int(variants.loc[variants["fitness"].notna(), "cases"].sum())
    tally: dict[tuple[str, str], int] = {}
    for devs, n in zip(found, table.counts):
        for d in devs:
            tally[d] = tally.get(d, 0) + int(n)
    deviations = pd.DataFrame([(kind, act, n, n / max(checked_cases, 1)) for (kind, act), n in tally.items()],
                              columns=["kind", "activity", "cases", "share"])
    deviations["rank"] = deviations["kind"].map(KINDS.index)
    deviations = deviations.sort_values(["cases", "rank", "activity"], ascending=[False, True, True],
                                        kind="stable").drop(columns="rank").reset_index(drop=True)
    by_mother = None
    first_mother = source.first_per_case(C.MOTHER)
    if first_mother is not None:
        mother = first_mother.astype("string").fillna("–")
        cases["mother"] = mother.reindex(case_variant.index).to_numpy()
        grouped = cases.groupby("mother", sort=True)
        by_mother = pd.DataFrame({
            "cases": grouped.size(), "cases_checked": grouped["fitness"].count(),
            "fitting_share": grouped.apply(lambda g: g.loc[g["fitness"].notna(), "fits"].mean()
                                           if g["fitness"].notna().any() else np.nan, include_groups=False),
            "mean_fitness": grouped["fitness"].mean()}).reset_index()
    return Conformance(reference=reference.name, cases=cases, variants=variants, deviations=deviations,
                       by_mother=by_mother, variants_checked=k, variants_total=table.n,
                       seconds=time.perf_counter() - started)
