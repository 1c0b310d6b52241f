"""Throughput time: how long tickets take, to their resolution and to their last event.

Definitions (per case; roles and states from :mod:`ssc_mining.semantics`):

* **throughput time**: first to last event, in calendar days.
* **time to resolution**: first event to the event that began the case's final resolved, closed or
  cancelled state (the Resolve, not the later Close); "not measured" when nothing in the log means
  resolved.
* **complete cases**: by default only cases that ended in the export (resolved, closed, cancelled or
  returned for good) and whose registration is in it (judged when most cases begin with one) count;
  the others are left out and counted, because their times are cut off. ``complete_only=False``
  (``--include-incomplete``) counts every case.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1", "1", "2"],
    ...     "concept:name": ["Register", "Resolve", "Close", "Register"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-05", "2024-01-02"], utc=True)}))
    >>> r = ThroughputTime().analyse(log)
    >>> r.item("median_days").value, r.item("median_days_to_resolution").value, r.item("cases_left_out").value
    (4.0, 2.0, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.analysers.case_table import case_table
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.facts import LogFacts, case_order, in_log_order
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, format_number, ngettext
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Item, Metric, Result, Table


def complete_cases(log: EventLog, complete_only: bool = True) -> tuple[np.ndarray, dict[str, int]]:
    """Per case: whether it counts for time figures, and how many were left out per reason."""
    m = log.markers
    return _complete(m.ended, m.started, LogFacts.of(log), complete_only)


def _complete(ended: np.ndarray, started: np.ndarray, facts: LogFacts,
              complete_only: bool) -> tuple[np.ndarray, dict[str, int]]:
    n = len(ended)
    if not complete_only:
        return np.ones(n, dtype=bool), {}
    still_open = ~ended if facts.endings_known else np.zeros(n, dtype=bool)
    cut = ~started if facts.starts_known else np.zeros(n, dtype=bool)
    return ~(still_open | cut), {"open": int(still_open.sum()), "cut": int((cut & ~still_open).sum())}


@dataclass(frozen=True)
class _Part:
    """A partition's share of the throughput figures: its tickets' times, groups and endings."""

    cases: pd.DataFrame   #: per ticket: days, days_to_resolution, ended, started, order, and mother/category
    done: bool            #: some event resolves, closes or cancels a ticket


@dataclass(frozen=True, kw_only=True)
class ThroughputTime(Analyser):
    """Throughput time and time to resolution per case, overall and per mother organisation and category."""

    name = "throughput"
    version = "2"
    title = {"en": "Throughput time", "nl": "Doorlooptijd"}
    description = {"en": "How long a ticket takes: from its first event to its resolution, and to its last recorded "
                         "event.",
                   "nl": "Hoe lang een melding duurt: van de eerste stap tot de oplossing, en tot de laatste "
                         "vastgelegde stap."}
    uses = (C.MOTHER, C.CATEGORY)

    definitions = {
        "cases": N_("the complete tickets: ended inside the export and registered inside it (all tickets with "
                    "--include-incomplete)"),
        "cases_left_out": N_("tickets whose times the export cuts off: still open at its end, or registered before "
                             "it began"),
        "median_days": N_("half of the tickets take at most this long from their first to their last event"),
        "p90_days": N_("nine in ten tickets take at most this long from their first to their last event"),
        "max_days": N_("the longest time from first to last event of one ticket"),
        "median_days_to_resolution": N_("half of the resolved tickets were resolved within this time, counted from "
                                        "their first event to the start of their final resolution"),
        "p90_days_to_resolution": N_("nine in ten resolved tickets were resolved within this time"),
    }

    #: count only complete cases (ended in the export, registration in the export)
    complete_only: bool = True
    max_groups: int = 15

    def analyse(self, log: EventLog) -> Result:
        return self.combine([self.partial(log)], LogFacts.of(log))

    def partial(self, log: EventLog) -> _Part:
        cases, m = case_table(log), log.markers
        groups = [g for g in ("mother", "category") if g in cases.columns]
        frame = cases[["days", "days_to_resolution", *groups]].assign(ended=m.ended, started=m.started,
                                                                        order=case_order(log))
        return _Part(cases=frame, done=bool(m.done().any()))

    def combine(self, parts: Sequence[_Part], facts: LogFacts) -> Result:
        cases = parts[0].cases if len(parts) == 1 else in_log_order(
            pd.concat([p.cases for p in parts]), np.concatenate([p.cases["order"].to_numpy() for p in parts]))
        keep, left = _complete(cases["ended"].to_numpy(), cases["started"].to_numpy(), facts, self.complete_only)
        days = cases["days"][keep]
        to_resolution = cases["days_to_resolution"][keep]
        n_left = sum(left.values())
        items: list[Item] = [
            Metric("cases", _("Tickets"), int(len(days)), unit="cases",
                   description=_("complete tickets: ended in the export and registered in it") if self.complete_only
                   else ""),
            Metric("cases_left_out", _("Tickets left out because they are incomplete"), n_left, unit="cases",
                   based_on=_("%(open)s still open at the end of the export, %(cut)s registered before it began")
                   % {"open": format_number(left.get("open", 0)), "cut": format_number(left.get("cut", 0))},
                   base=facts.cases),
            Metric("median_days", _("Median throughput time (first to last event)"),
                   float(days.median()) if len(days) else None, unit="days"),
            Metric("p90_days", _("Nine in ten tickets take at most"),
                   float(days.quantile(0.9)) if len(days) else None, unit="days"),
            Metric("max_days", _("Longest throughput time"), float(days.max()) if len(days) else None, unit="days"),
        ]
        resolved = to_resolution.dropna()
        if any(p.done for p in parts):
            items += [
                Metric("median_days_to_resolution", _("Median time to resolution"),
                       float(resolved.median()) if len(resolved) else None, unit="days",
                       based_on=ngettext("%(n)s resolved ticket", "%(n)s resolved tickets", len(resolved))
                       % {"n": format_number(len(resolved))}, base=len(resolved),
                       reason="" if len(resolved) else _("no complete ticket was resolved")),
                Metric("p90_days_to_resolution", _("Nine in ten tickets are resolved within"),
                       float(resolved.quantile(0.9)) if len(resolved) else None, unit="days", base=len(resolved),
                       reason="" if len(resolved) else _("no complete ticket was resolved")),
            ]
        else:
            items.append(Metric.not_measured(
                "median_days_to_resolution", _("Median time to resolution"),
                _("nothing in this export means resolved, closed or cancelled"), unit="days"))
        items.append(Chart("distribution", _("Throughput time per ticket"), "histogram",
                           series={_("tickets"): sorted(round(float(v), 4) for v in days)},
                           x_label=_("days from first to last event"), y_label=_("tickets")))
        for column, label in ((C.MOTHER, _("mother organisation")), (C.CATEGORY, _("category"))):
            if column in facts.with_values:
                groups = pd.DataFrame({"group": cases[column.rsplit(":", 1)[-1]][keep].to_numpy(),
                                       "days": days.to_numpy(), "resolution": to_resolution.to_numpy()})
                table = self._per_group(groups)
                if len(table) > self.max_groups:
                    rest = groups[~groups["group"].isin(table["group"].head(self.max_groups))]
                    other = self._per_group(rest.assign(group=_("other (%(n)s groups)")
                                                        % {"n": len(table) - self.max_groups}))
                    table = pd.concat([table.head(self.max_groups), other], ignore_index=True)
                items.append(Table.from_frame(
                    f"by_{column.rsplit(':', 1)[-1]}", _("Throughput time per %(group)s") % {"group": label}, table,
                    labels={"group": label, "cases": _("tickets"), "median_resolution_days": _("to resolution, median "
                                                                                                "(days)"),
                            "median_days": _("median (days)"), "p90_days": _("9 in 10 within (days)"),
                            "max_days": _("longest (days)")},
                    units={"cases": "cases", "median_resolution_days": "days", "median_days": "days",
                           "p90_days": "days", "max_days": "days"},
                    descriptions={"median_days": _("first to last event"),
                                  "median_resolution_days": _("first event to the start of the final resolution"),
                                  "max_days": _("so that one very long ticket does not disappear behind the "
                                                "median")}))
        summary = (_("Half of the %(tickets)s complete tickets take at most %(median)s days from first to last event; "
                     "nine in ten take at most %(p90)s days.")
                   % {"tickets": format_number(len(days)), "median": format_number(days.median(), 1),
                      "p90": format_number(days.quantile(0.9), 1)}
                   if len(days) else _("No complete ticket in the export."))
        caveats = []
        if n_left:
            caveats.append(ngettext("%(n)s ticket is left out because its times are cut off by the export (still "
                                    "open, or registered before it began); run with --include-incomplete to count it.",
                                    "%(n)s tickets are left out because their times are cut off by the export (still "
                                    "open, or registered before it began); run with --include-incomplete to count "
                                    "them.", n_left)
                           % {"n": format_number(n_left)})
        elif not self.complete_only:
            caveats.append(_("Tickets still open at the time of the export look shorter than they are."))
        if not facts.endings_known:
            caveats.append(_("Nothing in this export means resolved or closed, so it cannot tell which tickets are "
                             "still open; all are counted."))
        return self.result(summary=summary, items=items, caveats=caveats)

    @staticmethod
    def _per_group(groups: pd.DataFrame) -> pd.DataFrame:
        """Tickets, median time to resolution, and median, p90 and longest throughput time per group."""
        g = groups.groupby("group", dropna=False)
        table = g["days"].agg(cases="size", median_days="median",
                              p90_days=lambda d: d.quantile(0.9), max_days="max").reset_index()
        table.insert(2, "median_resolution_days", g["resolution"].median().to_numpy())
        for column in ("median_resolution_days", "median_days", "p90_days", "max_days"):
            table[column] = table[column].round(2)
        return table.sort_values(["cases", "group"], ascending=[False, True], kind="stable")
