"""Variants: how many distinct paths cases take, and how concentrated they are.

Example:
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1", "1", "2", "2"],
    ...     "concept:name": ["a", "b", "a", "b"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"] * 2, utc=True)}))
    >>> Variants().analyse(log).item("variants").value
    1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ssc_mining.analysers.base import Analyser
from ssc_mining.discovery.overview import variants
from ssc_mining.eventlog.facts import LogFacts
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import N_, format_number, format_share
from ssc_mining.i18n import gettext as _
from ssc_mining.results import Metric, Result, Table


@dataclass(frozen=True, kw_only=True)
class Variants(Analyser):
    """The most frequent variants and the share of cases they cover."""

    name = "variants"
    title = {"en": "Paths", "nl": "Routes"}
    description = {"en": "How many different paths tickets take through the process.",
                   "nl": "Hoeveel verschillende routes meldingen door het proces nemen."}

    definitions = {
        "variants": N_("different paths: two tickets follow the same path when their activities come in the same "
                       "order"),
        "top_share": N_("the tickets that follow one of the most frequent paths, as a share of all tickets"),
    }

    top: int = 10

    def analyse(self, log: EventLog) -> Result:
        return self.combine([self.partial(log)], LogFacts.of(log))

    def partial(self, log: EventLog) -> pd.Series:
        """Tickets per path (activities joined by " → ")."""
        return variants(log)

    def combine(self, parts: Sequence[pd.Series], facts: LogFacts) -> Result:
        counts = parts[0] if len(parts) == 1 else (
            pd.concat(parts).groupby(level=0, sort=True).sum().rename("cases").sort_values(ascending=False,
                                                                                          kind="stable"))
        cases = max(facts.cases, 1)
        top = counts.head(self.top)
        table = pd.DataFrame({"rank": range(1, len(top) + 1), "variant": top.index, "cases": top.to_numpy(),
                              "share": (top.to_numpy() / cases).round(4)})
        share = float(top.sum() / cases) if len(counts) else 0.0
        return self.result(
            summary=(_("%(n)s different paths; the %(top)s most frequent cover %(share)s of the tickets.")
                     % {"n": format_number(len(counts)), "top": len(top), "share": format_share(share, 0)}
                     if len(counts) else _("The export is empty.")),
            items=[Metric("cases", _("Tickets"), facts.cases, unit="cases"),
                   Metric("variants", _("Paths"), int(len(counts)), unit="variants"),
                   Metric("top_share", _("Share of tickets in the %(top)s most frequent paths") % {"top": self.top},
                          round(share, 4), unit="share"),
                   Table.from_frame("top", _("Most frequent paths"), table,
                                    labels={"rank": "#", "variant": _("sequence of activities"), "cases": _("tickets"),
                                            "share": _("share")},
                                    units={"share": "share", "cases": "cases"})])
