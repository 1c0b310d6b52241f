"""Throughput time: how long cases take from their first to their last event.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1"], "concept:name": ["a", "b"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-03"], utc=True)}))
    >>> ThroughputTime().analyse(log).item("median_days").value
    2.0
"""

from __future__ import annotations

from dataclasses import dataclass

from ssc_mining.analysers.base import Analyser
from ssc_mining.discovery.overview import case_durations
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import format_number
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Chart, Metric, Result, Table

import pandas as pd


@dataclass(frozen=True, kw_only=True)
class ThroughputTime(Analyser):
    """Throughput time per case, overall and per mother organisation and category."""

    name = "throughput"
    title = {"en": "Throughput time", "nl": "Doorlooptijd"}
    description = {"en": "How long a case takes from its first to its last recorded event.",
                   "nl": "Hoe lang een zaak duurt van de eerste tot de laatste geregistreerde gebeurtenis."}
    uses = (C.MOTHER, C.CATEGORY)

    max_groups: int = 15

    def analyse(self, log: EventLog) -> Result:
        days = case_durations(log)
        items = [
            Metric("cases", _("Cases"), int(len(days)), unit="cases"),
            Metric("median_days", _("Median throughput time"), float(days.median()) if len(days) else None,
                   unit="days"),
            Metric("p90_days", _("Nine in ten cases take at most"),
                   float(days.quantile(0.9)) if len(days) else None, unit="days"),
            Chart("distribution", _("Throughput time per case"), "histogram",
                  series={_("cases"): sorted(round(float(v), 4) for v in days)},
                  x_label=_("days from first to last event"), y_label=_("cases")),
        ]
        firsts = log.frame.drop_duplicates(C.CASE).set_index(C.CASE)
        for column, label in ((C.MOTHER, _("mother organisation")), (C.CATEGORY, _("category"))):
            if log.has(column):
                groups = pd.DataFrame({"group": firsts[column].reindex(days.index), "days": days})
                table = (groups.groupby("group", dropna=False)["days"]
                         .agg(cases="size", median_days="median", mean_days="mean").reset_index()
                         .sort_values(["cases", "group"], ascending=[False, True], kind="stable"))
                if len(table) > self.max_groups:
                    rest = groups[~groups["group"].isin(table["group"].head(self.max_groups))]["days"]
                    other = pd.DataFrame({"group": [_("other (%(n)s groups)") % {"n": len(table) - self.max_groups}],
                                          "cases": [len(rest)], "median_days": [rest.median()],
                                          "mean_days": [rest.mean()]})
                    table = pd.concat([table.head(self.max_groups), other], ignore_index=True)
                items.append(Table.from_frame(
                    f"by_{column.rsplit(':', 1)[-1]}", _("Throughput time per %(group)s") % {"group": label}, table,
                    labels={"group": label, "cases": _("cases"), "median_days": _("median (days)"),
                            "mean_days": _("mean (days)")},
                    units={"median_days": "days", "mean_days": "days"}))
        summary = (_("Half of the %(cases)s cases take at most %(median)s days from first to last event; nine in "
                     "ten take at most %(p90)s days.") % {"cases": format_number(len(days)),
                                                           "median": format_number(days.median(), 1),
                                                           "p90": format_number(days.quantile(0.9), 1)}
                   if len(days) else _("The log is empty."))
        return self.result(summary=summary, items=items,
                           caveats=[_("Cases still open at the time of the export look shorter than they are.")])
